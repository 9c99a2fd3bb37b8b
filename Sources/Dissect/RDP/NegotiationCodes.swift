/// Code tables of the RDP security negotiation [MS-RDPBCGR 2.2.1.1.1,
/// 2.2.1.2.1, 2.2.1.2.2]. Each table maps a code to its spec name; unknown
/// values give nil and the caller prints the number.
public enum RDPSecurityProtocol {
    public static let rdp: UInt32 = 0x0000_0000
    public static let ssl: UInt32 = 0x0000_0001
    public static let hybrid: UInt32 = 0x0000_0002
    public static let rdstls: UInt32 = 0x0000_0004
    public static let hybridEx: UInt32 = 0x0000_0008
    public static let rdsaad: UInt32 = 0x0000_0010

    static let bits: [(UInt32, String)] = [
        (ssl, "PROTOCOL_SSL"), (hybrid, "PROTOCOL_HYBRID"), (rdstls, "PROTOCOL_RDSTLS"),
        (hybridEx, "PROTOCOL_HYBRID_EX"), (rdsaad, "PROTOCOL_RDSAAD"),
    ]

    /// Name of a single protocol value (selectedProtocol, serverSelectedProtocol).
    public static func name(_ value: UInt32) -> String? {
        switch value {
        case rdp: "PROTOCOL_RDP"
        case ssl: "PROTOCOL_SSL"
        case hybrid: "PROTOCOL_HYBRID"
        case rdstls: "PROTOCOL_RDSTLS"
        case hybridEx: "PROTOCOL_HYBRID_EX"
        case rdsaad: "PROTOCOL_RDSAAD"
        default: nil
        }
    }

    /// Names of a requestedProtocols bitmask. PROTOCOL_RDP is the absence of
    /// every bit (Standard RDP Security is always implied), so 0 → ["PROTOCOL_RDP"].
    public static func names(mask: UInt32) -> [String] {
        mask == 0 ? ["PROTOCOL_RDP"] : rdpFlagNames(mask, bits)
    }
}

/// RDP_NEG_REQ flags [MS-RDPBCGR 2.2.1.1.1].
public enum RDPNegotiationRequestFlags {
    public static let restrictedAdminModeRequired: UInt8 = 0x01
    public static let redirectedAuthenticationModeRequired: UInt8 = 0x02
    public static let correlationInfoPresent: UInt8 = 0x08

    public static func names(_ flags: UInt8) -> [String] {
        rdpFlagNames(flags, [
            (restrictedAdminModeRequired, "RESTRICTED_ADMIN_MODE_REQUIRED"),
            (redirectedAuthenticationModeRequired, "REDIRECTED_AUTHENTICATION_MODE_REQUIRED"),
            (correlationInfoPresent, "CORRELATION_INFO_PRESENT"),
        ])
    }
}

/// RDP_NEG_RSP flags [MS-RDPBCGR 2.2.1.2.1].
public enum RDPNegotiationResponseFlags {
    public static func names(_ flags: UInt8) -> [String] {
        rdpFlagNames(flags, [
            (0x01, "EXTENDED_CLIENT_DATA_SUPPORTED"),
            (0x02, "DYNVC_GFX_PROTOCOL_SUPPORTED"),
            (0x04, "NEGRSP_FLAG_RESERVED"),
            (0x08, "RESTRICTED_ADMIN_MODE_SUPPORTED"),
            (0x10, "REDIRECTED_AUTHENTICATION_MODE_SUPPORTED"),
        ])
    }
}

/// RDP_NEG_FAILURE failureCode [MS-RDPBCGR 2.2.1.2.2]. After sending one the
/// server closes the connection, so the code is the verdict's main evidence.
public enum RDPNegotiationFailureCode {
    public static func name(_ code: UInt32) -> String? {
        switch code {
        case 0x1: "SSL_REQUIRED_BY_SERVER"
        case 0x2: "SSL_NOT_ALLOWED_BY_SERVER"
        case 0x3: "SSL_CERT_NOT_ON_SERVER"
        case 0x4: "INCONSISTENT_FLAGS"
        case 0x5: "HYBRID_REQUIRED_BY_SERVER"
        case 0x6: "SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER"
        default: nil
        }
    }

    /// One line saying what the code means for whoever has to fix it.
    public static func meaning(_ code: UInt32) -> String? {
        switch code {
        case 0x1: "the server requires TLS or CredSSP but the client offered only Standard RDP Security (or only CredSSP to a TLS-only server)"
        case 0x2: "the server accepts only Standard RDP Security but the client asked for TLS/CredSSP"
        case 0x3: "the server has no usable TLS certificate"
        case 0x4: "the requested protocols conflict with a security protocol already in effect"
        case 0x5: "the server requires Network Level Authentication (CredSSP) and the client did not offer it"
        case 0x6: "the server requires TLS with client certificate authentication"
        default: nil
        }
    }
}

/// X.224 TPDU codes [X.224 §13.1 Table 8] and DR reasons [X.224 §13.5.3 e)].
public enum X224Codes {
    public static let connectionRequest: UInt8 = 0xE0
    public static let connectionConfirm: UInt8 = 0xD0
    public static let disconnectRequest: UInt8 = 0x80
    public static let disconnectConfirm: UInt8 = 0xC0
    public static let data: UInt8 = 0xF0
    public static let error: UInt8 = 0x70

    /// Name of a TPDU code (high nibble; CR/CC carry the credit in the low nibble).
    public static func tpduName(_ code: UInt8) -> String? {
        switch code & 0xF0 {
        case connectionRequest: "CR"
        case connectionConfirm: "CC"
        case disconnectRequest: "DR"
        case disconnectConfirm: "DC"
        case data: "DT"
        case error: "ER"
        default: nil
        }
    }

    public static func disconnectReasonName(_ reason: UInt8) -> String? {
        switch reason {
        case 0: "not specified"
        case 1: "congestion at TSAP"
        case 2: "session entity not attached to TSAP"
        case 3: "address unknown"
        case 128: "normal disconnect initiated by session entity"
        case 129: "remote transport entity congestion at connect request time"
        case 130: "connection negotiation failed"
        case 131: "duplicate source reference"
        case 132: "mismatched references"
        case 133: "protocol error"
        case 135: "reference overflow"
        case 136: "connection request refused on this network connection"
        case 138: "header or parameter length invalid"
        default: nil
        }
    }
}
