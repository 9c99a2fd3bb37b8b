import Dissect

/// The families of codes a user can meet in an RDP error dialog, an event log or
/// a capture. The raw value is the kind in `explain` output and JSON.
public enum CodeKind: String, Sendable, CaseIterable {
    case disconnect
    case extended
    case errorInfo = "errorinfo"
    case negotiationFailure = "negfailure"
    case licensing
    case tlsAlert = "tls"
    case ntStatus = "ntstatus"

    /// What the code is, for a heading.
    public var title: String {
        switch self {
        case .disconnect: "mstsc disconnect reason"
        case .extended: "mstsc extended disconnect reason"
        case .errorInfo: "Set Error Info PDU errorInfo"
        case .negotiationFailure: "RDP_NEG_FAILURE failureCode"
        case .licensing: "licensing error code (dwErrorCode)"
        case .tlsAlert: "TLS alert description"
        case .ntStatus: "NTSTATUS (CredSSP TSRequest.errorCode)"
        }
    }

    /// Where the code comes from.
    public var origin: String {
        switch self {
        case .disconnect: "computed by the client (mstsc 'disconnect reason'); never on the wire"
        case .extended: "mstsc 'extended error'; the server sends the same numbers as errorInfo in a Set Error Info PDU"
        case .errorInfo: "Set Error Info PDU from the server, after MCS channel connection [MS-RDPBCGR 2.2.5.1.1]"
        case .negotiationFailure: "X.224 Connection Confirm from the server [MS-RDPBCGR 2.2.1.2.2]"
        case .licensing: "Licensing Error Message (ERROR_ALERT) [MS-RDPBCGR 2.2.1.12.1.3]"
        case .tlsAlert: "TLS Alert record, from either side [RFC 8446 6, RFC 5246 7.2]"
        case .ntStatus: "TSRequest.errorCode in CredSSP (NLA) inside TLS [MS-CSSP 2.2.1]; also in the server's Security log (event 4625)"
        }
    }

    /// Prefixes accepted in `kind:code` (lowercase); the first is canonical.
    public var prefixes: [String] {
        switch self {
        case .disconnect: ["disconnect", "disc", "reason"]
        case .extended: ["extended", "ext"]
        case .errorInfo: ["errorinfo", "errinfo", "error_info", "erri"]
        case .negotiationFailure: ["negfailure", "neg", "negotiation", "rdp_neg_failure"]
        case .licensing: ["licensing", "license", "lic"]
        case .tlsAlert: ["tls", "alert"]
        case .ntStatus: ["ntstatus", "status", "nt", "credssp"]
        }
    }

    public init?(prefix: String) {
        let lower = prefix.lowercased()
        guard let kind = CodeKind.allCases.first(where: { $0.prefixes.contains(lower) }) else { return nil }
        self = kind
    }
}

/// One known code: kind, number, spec name, and a one-line meaning.
public struct CodeEntry: Sendable, Equatable {
    public var kind: CodeKind
    public var code: UInt32
    public var name: String
    public var meaning: String

    public init(kind: CodeKind, code: UInt32, name: String, meaning: String) {
        self.kind = kind
        self.code = code
        self.name = name
        self.meaning = meaning
    }

    /// The code as it is usually written for its kind: hex, except TLS alerts
    /// (decimal, as in RFCs and Schannel events).
    public var formattedCode: String { CodeCatalog.format(code, kind: kind) }
}

/// Lookups over every code table. The names and meanings come from the Dissect
/// tables (`ErrorInfoCodes`, `RDPNegotiationFailureCode`, `LicensingCodes`,
/// `TLSAlertDescription`, `NTStatusCodes`) and from `DisconnectReasonCodes` /
/// `ExtendedReasonCodes`; nothing is copied here.
public enum CodeCatalog {
    public static func lookup(_ kind: CodeKind, _ code: UInt32) -> CodeEntry? {
        switch kind {
        case .disconnect:
            guard let name = DisconnectReasonCodes.name(code), let meaning = DisconnectReasonCodes.meaning(code) else { return nil }
            return CodeEntry(kind: kind, code: code, name: name, meaning: meaning)
        case .extended:
            guard let name = ExtendedReasonCodes.name(code), let meaning = ExtendedReasonCodes.meaning(code) else { return nil }
            return CodeEntry(kind: kind, code: code, name: name, meaning: meaning)
        case .errorInfo:
            guard let name = ErrorInfoCodes.name(code), let meaning = ErrorInfoCodes.meaning(code) else { return nil }
            return CodeEntry(kind: kind, code: code, name: name, meaning: meaning)
        case .negotiationFailure:
            guard let name = RDPNegotiationFailureCode.name(code), let meaning = RDPNegotiationFailureCode.meaning(code) else { return nil }
            return CodeEntry(kind: kind, code: code, name: name, meaning: meaning)
        case .licensing:
            guard let name = LicensingCodes.errorCodeName(code), let meaning = LicensingCodes.errorCodeMeaning(code) else { return nil }
            return CodeEntry(kind: kind, code: code, name: name, meaning: meaning)
        case .tlsAlert:
            guard let byte = UInt8(exactly: code), let name = TLSAlertDescription(rawValue: byte).name else { return nil }
            return CodeEntry(kind: kind, code: code, name: name, meaning: tlsAlertMeaning(byte))
        case .ntStatus:
            guard let name = NTStatusCodes.name(code), let meaning = NTStatusCodes.meaning(code) else { return nil }
            return CodeEntry(kind: kind, code: code, name: name, meaning: meaning)
        }
    }

    /// Every known code of a kind, in code order. The Dissect tables are
    /// switches, so they are enumerated over the ranges their codes live in
    /// (ERRINFO below 0x2000, NTSTATUS 0xC0000000-0xC0000FFF, SEC_E_* 0x80090300-0x800903FF).
    /// The extended protocol-error range (4096-32767) is left out: it is one
    /// rule, not a list.
    public static func entries(_ kind: CodeKind) -> [CodeEntry] {
        allEntries[kind] ?? []
    }

    /// Computed once: name lookups go through every entry.
    static let allEntries: [CodeKind: [CodeEntry]] = Dictionary(uniqueKeysWithValues: CodeKind.allCases.map { ($0, enumerate($0)) })

    static func enumerate(_ kind: CodeKind) -> [CodeEntry] {
        let codes: [UInt32]
        switch kind {
        case .disconnect: codes = DisconnectReasonCodes.all.map(\.code)
        case .extended: codes = ExtendedReasonCodes.all.map(\.code)
        case .errorInfo: codes = Array(0...0x1FFF)
        case .negotiationFailure: codes = Array(0...0xFF)
        case .licensing: codes = Array(0...0xFF)
        case .tlsAlert: codes = Array(0...0xFF)
        case .ntStatus: codes = [0] + Array(0x8009_0300...0x8009_03FF) + Array(0xC000_0000...0xC000_0FFF)
        }
        return codes.compactMap { lookup(kind, $0) }
    }

    /// Entries whose name matches `name`, ignoring case, '_', '-' and spaces,
    /// and also without the usual prefixes (ERRINFO_, STATUS_, ERR_, SEC_E_,
    /// disconnectReason), so "SERVER_DENIED_CONNECTION" finds both
    /// ERRINFO_SERVER_DENIED_CONNECTION and the extended ServerDeniedConnection.
    /// Exact matches win over prefix-less ones.
    public static func lookup(name: String, kinds: [CodeKind] = CodeKind.allCases) -> [CodeEntry] {
        let key = normalized(name)
        guard !key.isEmpty else { return [] }
        var exact: [CodeEntry] = [], loose: [CodeEntry] = []
        for kind in kinds {
            for entry in entries(kind) {
                let full = normalized(entry.name)
                if full == key {
                    exact.append(entry)
                } else if stripped(full) == key || stripped(full) == stripped(key) {
                    loose.append(entry)
                }
            }
        }
        // An exact extended/errorinfo match keeps its ERRINFO/extended twin (same code, same meaning).
        let twins = loose.filter { candidate in
            exact.contains { $0.code == candidate.code && Set([$0.kind, candidate.kind]) == [.errorInfo, .extended] }
        }
        return exact.isEmpty ? loose : exact + twins
    }

    static func normalized(_ s: String) -> String {
        String(s.lowercased().unicodeScalars.filter { $0 != "_" && $0 != "-" && $0 != " " })
    }

    static let namePrefixes = ["disconnectreason", "errinfo", "status", "err", "sece"]

    static func stripped(_ key: String) -> String {
        for prefix in namePrefixes where key.hasPrefix(prefix) && key.count > prefix.count {
            return String(key.dropFirst(prefix.count))
        }
        return key
    }

    /// Hex for RDP/NTSTATUS codes (0x904, 0xC000006D), decimal for TLS alerts.
    public static func format(_ code: UInt32, kind: CodeKind) -> String {
        switch kind {
        case .tlsAlert: return String(code)
        case .ntStatus: return "0x" + hex(code, width: 8)
        default: return "0x" + hex(code, width: 1)
        }
    }

    static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// What a TLS alert usually points to in an RDP handshake (reference §6).
    /// The TLS alert table in Dissect carries only names.
    static func tlsAlertMeaning(_ description: UInt8) -> String {
        switch description {
        case 0: "close_notify: an orderly TLS close, not an error"
        case 10: "a message arrived out of order: an implementation bug or a middlebox tampering with the handshake"
        case 20, 21: "a record failed its integrity check: corruption, broken offload, or a middlebox altering traffic"
        case 22: "a record was too long"
        case 40: "handshake_failure: no common cipher suite or parameters (e.g. TLS 1.0 disabled on one side)"
        case 42: "the peer's certificate is bad (signature, format)"
        case 43: "the peer's certificate is of an unsupported type (key type or usage)"
        case 44: "the peer's certificate was revoked"
        case 45: "the peer's certificate has expired (or is not yet valid)"
        case 46: "the peer's certificate is not trusted: typical for a self-signed RDP certificate rejected by the client"
        case 47: "a handshake field had an illegal value (parameters or version)"
        case 48: "the certificate chain does not lead to a trusted CA"
        case 49: "access denied by policy"
        case 50: "a message could not be decoded: corruption or an implementation mismatch"
        case 51: "a signature or key check failed: corruption, or a server private key that no longer matches its certificate (MachineKeys)"
        case 70: "protocol_version: the peer does not accept the offered TLS version"
        case 71: "insufficient_security: the offered cipher suites are too weak for the peer's policy"
        case 80: "internal_error: the sender failed internally (e.g. Schannel cannot read the certificate's private key)"
        case 86: "inappropriate_fallback: a version downgrade was detected"
        case 90: "user_canceled: the handshake was cancelled by the user or application"
        case 100: "no_renegotiation: renegotiation refused"
        case 109, 110: "a required TLS extension is missing or unsupported: version or extension mismatch"
        case 112: "unrecognized_name: the server does not serve the name the client asked for (SNI)"
        case 116: "certificate_required: the server requires a client certificate"
        case 120: "no_application_protocol: no common ALPN protocol"
        default: "TLS alert \(description)"
        }
    }
}
