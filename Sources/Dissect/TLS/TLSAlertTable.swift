// Alert levels and descriptions [RFC 8446 §6, RFC 5246 §7.2, RFC 7507 for
// inappropriate_fallback, RFC 7301 for no_application_protocol].

public struct TLSAlertLevel: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let warning = TLSAlertLevel(rawValue: 1)
    public static let fatal = TLSAlertLevel(rawValue: 2)

    public var description: String {
        switch rawValue {
        case 1: return "warning"
        case 2: return "fatal"
        default: return "level(\(rawValue))"
        }
    }
}

public struct TLSAlertDescription: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let closeNotify = TLSAlertDescription(rawValue: 0)
    public static let unexpectedMessage = TLSAlertDescription(rawValue: 10)
    public static let badRecordMAC = TLSAlertDescription(rawValue: 20)
    public static let handshakeFailure = TLSAlertDescription(rawValue: 40)
    public static let badCertificate = TLSAlertDescription(rawValue: 42)
    public static let certificateExpired = TLSAlertDescription(rawValue: 45)
    public static let certificateUnknown = TLSAlertDescription(rawValue: 46)
    public static let unknownCA = TLSAlertDescription(rawValue: 48)
    public static let protocolVersion = TLSAlertDescription(rawValue: 70)
    public static let internalError = TLSAlertDescription(rawValue: 80)

    /// The registry name (snake_case), or nil for an unassigned value.
    public var name: String? { tlsAlertNames[rawValue] }

    public var description: String { name ?? "alert(\(rawValue))" }
}

let tlsAlertNames: [UInt8: String] = [
    0: "close_notify",
    10: "unexpected_message",
    20: "bad_record_mac",
    21: "decryption_failed",  // reserved since TLS 1.1
    22: "record_overflow",
    30: "decompression_failure",  // reserved in TLS 1.3
    40: "handshake_failure",
    41: "no_certificate",  // SSL 3.0 only
    42: "bad_certificate",
    43: "unsupported_certificate",
    44: "certificate_revoked",
    45: "certificate_expired",
    46: "certificate_unknown",
    47: "illegal_parameter",
    48: "unknown_ca",
    49: "access_denied",
    50: "decode_error",
    51: "decrypt_error",
    60: "export_restriction",  // reserved
    70: "protocol_version",
    71: "insufficient_security",
    80: "internal_error",
    86: "inappropriate_fallback",
    90: "user_canceled",
    100: "no_renegotiation",
    109: "missing_extension",
    110: "unsupported_extension",
    111: "certificate_unobtainable",
    112: "unrecognized_name",
    113: "bad_certificate_status_response",
    114: "bad_certificate_hash_value",
    115: "unknown_psk_identity",
    116: "certificate_required",
    120: "no_application_protocol",
    121: "ech_required",
]
