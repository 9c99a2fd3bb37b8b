// Extension types by name ("TLS ExtensionType Values" registry). Sources:
// RFC 8446 §4.2, RFC 6066 (server_name, max_fragment_length, status_request),
// RFC 8422 (supported_groups, ec_point_formats), RFC 7301 (ALPN), RFC 7627
// (extended_master_secret), RFC 5746 (renegotiation_info), RFC 7366, 7685,
// 8449, 8879, 5077, 6962, 9000, and the ECH / ALPS drafts.

public struct TLSExtensionType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let serverName = TLSExtensionType(rawValue: 0)
    public static let statusRequest = TLSExtensionType(rawValue: 5)
    public static let supportedGroups = TLSExtensionType(rawValue: 10)
    public static let ecPointFormats = TLSExtensionType(rawValue: 11)
    public static let signatureAlgorithms = TLSExtensionType(rawValue: 13)
    public static let alpn = TLSExtensionType(rawValue: 16)
    public static let padding = TLSExtensionType(rawValue: 21)
    public static let encryptThenMAC = TLSExtensionType(rawValue: 22)
    public static let extendedMasterSecret = TLSExtensionType(rawValue: 23)
    public static let sessionTicket = TLSExtensionType(rawValue: 35)
    public static let preSharedKey = TLSExtensionType(rawValue: 41)
    public static let earlyData = TLSExtensionType(rawValue: 42)
    public static let supportedVersions = TLSExtensionType(rawValue: 43)
    public static let cookie = TLSExtensionType(rawValue: 44)
    public static let pskKeyExchangeModes = TLSExtensionType(rawValue: 45)
    public static let keyShare = TLSExtensionType(rawValue: 51)
    public static let renegotiationInfo = TLSExtensionType(rawValue: 0xFF01)

    public var isGREASE: Bool { tlsIsGREASE(rawValue) }
    public var name: String? { tlsExtensionNames[rawValue] }

    public var description: String {
        if let name { return name }
        if isGREASE { return "GREASE(0x\(tlsHex(rawValue)))" }
        return "0x\(tlsHex(rawValue))"
    }
}

let tlsExtensionNames: [UInt16: String] = [
    0: "server_name",
    1: "max_fragment_length",
    2: "client_certificate_url",
    3: "trusted_ca_keys",
    4: "truncated_hmac",
    5: "status_request",
    10: "supported_groups",
    11: "ec_point_formats",
    12: "srp",
    13: "signature_algorithms",
    14: "use_srtp",
    15: "heartbeat",
    16: "application_layer_protocol_negotiation",
    17: "status_request_v2",
    18: "signed_certificate_timestamp",
    19: "client_certificate_type",
    20: "server_certificate_type",
    21: "padding",
    22: "encrypt_then_mac",
    23: "extended_master_secret",
    24: "token_binding",
    27: "compress_certificate",
    28: "record_size_limit",
    34: "delegated_credential",
    35: "session_ticket",
    41: "pre_shared_key",
    42: "early_data",
    43: "supported_versions",
    44: "cookie",
    45: "psk_key_exchange_modes",
    47: "certificate_authorities",
    48: "oid_filters",
    49: "post_handshake_auth",
    50: "signature_algorithms_cert",
    51: "key_share",
    57: "quic_transport_parameters",
    0x4469: "application_settings",
    0x44CD: "application_settings_new",
    0xFE0D: "encrypted_client_hello",
    0xFF01: "renegotiation_info",
]
