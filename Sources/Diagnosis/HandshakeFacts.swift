import Capture
import Dissect
import Reassembly

/// TLS parameters of a connection, as negotiated in the clear.
public struct TLSFacts: Sendable {
    public var clientHelloFrame: Int?
    public var offeredVersions: [String]
    public var offeredCipherSuites: Int
    public var serverName: String?
    public var alpn: [String]
    /// Our JA4-style client fingerprint (see Dissect/TLS/TLSClientFingerprint.swift).
    public var clientFingerprint: String?
    public var version: String?
    public var cipherSuite: String?
    public var serverHelloFrame: Int?
    public var helloRetryRequest: Bool
}

extension TLSFacts {
    init?(_ session: TLSSession, timeline: [HandshakeEvent], caches: SummaryCaches) {
        guard session.clientHello != nil || session.serverHello != nil else { return nil }
        let hello = session.clientHello
        var clientHelloFrame: Int?, serverHelloFrame: Int?
        for event in timeline {
            if case let .tlsHandshake(m) = event.message {
                if m.type == .clientHello && clientHelloFrame == nil { clientHelloFrame = event.frame }
                if m.type == .serverHello && serverHelloFrame == nil { serverHelloFrame = event.frame }
            }
        }
        self.init(
            clientHelloFrame: clientHelloFrame,
            offeredVersions: hello.map { h in (h.supportedVersions.isEmpty ? [h.legacyVersion] : h.supportedVersions).map(\.description) } ?? [],
            offeredCipherSuites: hello?.cipherSuites.count ?? 0,
            serverName: hello?.serverName,
            alpn: hello?.alpnNames ?? [],
            clientFingerprint: hello.map(caches.fingerprint),
            version: session.negotiatedVersion?.description,
            cipherSuite: session.cipherSuite?.description,
            serverHelloFrame: serverHelloFrame,
            helloRetryRequest: session.helloRetryRequest != nil)
    }
}

/// Stages that the timeline shows directly (DESIGN.md "Stages"). Stages after
/// tls_established inside TLS are inferred later (issue 5); here only what the
/// clear text proves is marked.
enum ObservedStages {
    static func from(_ timeline: [HandshakeEvent], tls13: Bool) -> [StageRecord] {
        // Indexed by stage order (a dictionary keyed by a String-backed enum hashes the string).
        var seen = [StageRecord?](repeating: nil, count: Stage.count)
        var licensingSeen = false
        var clientFinished: HandshakeEvent?
        var serverFinished: HandshakeEvent?
        func mark(_ stage: Stage, _ e: HandshakeEvent, _ evidence: Evidence = .observed) {
            if seen[stage.order] == nil { seen[stage.order] = StageRecord(stage: stage, frame: e.frame, time: e.time, evidence: evidence) }
        }
        for e in timeline {
            switch e.message {
            case .x224Request: mark(.x224Request, e)
            case .x224Confirm: mark(.x224Confirm, e)
            case .tlsHandshake(let m):
                if m.type == .clientHello { mark(.tlsClientHello, e) }
                if m.type == .serverHello { mark(.tlsServerHello, e) }
            case .tlsEncrypted(let r):
                if tls13 {
                    // TLS 1.3 hides the rest of the handshake in application_data records: the
                    // client's first protected record is its Finished, the end of the handshake.
                    if e.direction == .clientToServer && r.kind == .applicationData { mark(.tlsEstablished, e, .inferred) }
                } else if r.kind == .finished {
                    if e.direction == .clientToServer {
                        if clientFinished == nil { clientFinished = e }
                    } else if serverFinished == nil {
                        serverFinished = e
                    }
                    if let a = clientFinished, let b = serverFinished { mark(.tlsEstablished, a.frame > b.frame ? a : b) }
                } else if r.kind == .applicationData {
                    mark(.tlsEstablished, e, .inferred)
                }
            case .mcsConnectInitial, .mcsConnectResponse: mark(.mcsConnect, e)
            case .credSSP, .earlyUserAuthorization: mark(.nla, e)
            case .licensing:
                licensingSeen = true
                mark(.licensing, e)
            case .shareControl(let pdu):
                switch pdu.body {
                case .demandActive, .confirmActive: mark(.active, e)
                default: break
                }
            case .fastPath:
                mark(.active, e)
            case .encryptedRDP:
                // Under Standard RDP Security, encrypted traffic on the I/O channel after
                // licensing is the capability exchange and beyond.
                if licensingSeen { mark(.active, e, .inferred) }
            default:
                break
            }
        }
        return seen.compactMap { $0 }
    }
}
