/// Which side of the connection the cause of a failure lies on (DESIGN.md "Findings and verdict").
public enum Side: String, Sendable, CaseIterable {
    case none, network, server, client, unknown
}

/// How sure the verdict is.
public enum Confidence: String, Sendable, CaseIterable {
    case high, medium, low
}

/// Why a connection ended as it did. The raw values are the JSON contract of DESIGN.md.
public enum Cause: String, Sendable, CaseIterable {
    case ok
    case noAnswer = "no_answer"
    case icmpUnreachable = "icmp_unreachable"
    case forgedReset = "forged_reset"
    case pathMTUBlackhole = "path_mtu_blackhole"
    case stalled
    case portClosed = "port_closed"
    case negotiationFailure = "negotiation_failure"
    case tlsRejectedByServer = "tls_rejected_by_server"
    case serverClosedAfterClientHello = "server_closed_after_client_hello"
    case certificateExpired = "certificate_expired"
    case certificateNotYetValid = "certificate_not_yet_valid"
    case nlaFailed = "nla_failed"
    case licensingFailed = "licensing_failed"
    case serverDeniedConnection = "server_denied_connection"
    case serverErrorInfo = "server_error_info"
    case serverReset = "server_reset"
    case serverClosed = "server_closed"
    case certificateRejectedByClient = "certificate_rejected_by_client"
    case tlsRejectedByClient = "tls_rejected_by_client"
    case clientReset = "client_reset"
    case clientClosed = "client_closed"
    case incompleteCapture = "incomplete_capture"

    /// The side each cause puts the fault on.
    public var side: Side {
        switch self {
        case .ok: return .none
        case .noAnswer, .icmpUnreachable, .forgedReset, .pathMTUBlackhole, .stalled: return .network
        case .portClosed, .negotiationFailure, .tlsRejectedByServer, .serverClosedAfterClientHello, .certificateExpired,
             .certificateNotYetValid, .nlaFailed, .licensingFailed, .serverDeniedConnection, .serverErrorInfo,
             .serverReset, .serverClosed:
            return .server
        case .certificateRejectedByClient, .tlsRejectedByClient, .clientReset, .clientClosed: return .client
        case .incompleteCapture: return .unknown
        }
    }
}

/// The conclusion for one connection: `{cause, side, confidence, summary, remedy}`.
public struct Verdict: Sendable, Equatable {
    public var cause: Cause
    public var side: Side
    public var confidence: Confidence
    /// One or two sentences on what happened, citing frames.
    public var summary: String
    /// What an administrator should do about it.
    public var remedy: String
    /// What the mstsc client would most likely have shown, phrased as "consistent with", never as fact.
    public var consistentWith: String?
    /// Frames that prove it.
    public var evidenceFrames: [Int]

    public init(cause: Cause, confidence: Confidence, summary: String, remedy: String,
                consistentWith: String? = nil, evidenceFrames: [Int] = []) {
        self.cause = cause
        self.side = cause.side
        self.confidence = confidence
        self.summary = summary
        self.remedy = remedy
        self.consistentWith = consistentWith
        self.evidenceFrames = evidenceFrames
    }

    public var failed: Bool { cause != .ok }
}
