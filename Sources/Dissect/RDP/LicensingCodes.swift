/// Licensing code tables [MS-RDPBCGR 2.2.1.12.1.1, 2.2.1.12.1.3; MS-RDPELE
/// 2.2.2, 3.1.5.2]. Unknown → nil.
public enum LicensingCodes {
    public static let licenseRequest: UInt8 = 0x01
    public static let platformChallenge: UInt8 = 0x02
    public static let newLicense: UInt8 = 0x03
    public static let upgradeLicense: UInt8 = 0x04
    public static let licenseInfo: UInt8 = 0x12
    public static let newLicenseRequest: UInt8 = 0x13
    public static let platformChallengeResponse: UInt8 = 0x15
    public static let errorAlert: UInt8 = 0xFF

    public static func messageTypeName(_ type: UInt8) -> String? {
        switch type {
        case 0x01: "LICENSE_REQUEST"
        case 0x02: "PLATFORM_CHALLENGE"
        case 0x03: "NEW_LICENSE"
        case 0x04: "UPGRADE_LICENSE"
        case 0x12: "LICENSE_INFO"
        case 0x13: "NEW_LICENSE_REQUEST"
        case 0x15: "PLATFORM_CHALLENGE_RESPONSE"
        case 0xFF: "ERROR_ALERT"
        default: nil
        }
    }

    /// dwErrorCode of a Licensing Error Message. STATUS_VALID_CLIENT (7) is the
    /// normal end of licensing, not an error (and not ERRINFO 7 either).
    public static func errorCodeName(_ code: UInt32) -> String? {
        switch code {
        case 0x01: "ERR_INVALID_SERVER_CERTIFICATE"
        case 0x02: "ERR_NO_LICENSE"
        case 0x03: "ERR_INVALID_MAC"
        case 0x04: "ERR_INVALID_SCOPE"
        case 0x06: "ERR_NO_LICENSE_SERVER"
        case 0x07: "STATUS_VALID_CLIENT"
        case 0x08: "ERR_INVALID_CLIENT"
        case 0x0B: "ERR_INVALID_PRODUCTID"
        case 0x0C: "ERR_INVALID_MESSAGE_LEN"
        default: nil
        }
    }

    public static func errorCodeMeaning(_ code: UInt32) -> String? {
        switch code {
        case 0x01: "the client could not use the server's licensing certificate"
        case 0x02: "the client has no license to present"
        case 0x03: "a licensing message failed its MAC check"
        case 0x04: "the license scope the server asked for is invalid"
        case 0x06: "the server found no license server to issue a client access license"
        case 0x07: "licensing finished: the client needs no (new) license"
        case 0x08: "the server rejected the client or its license"
        case 0x0B: "the product id is invalid"
        case 0x0C: "a licensing message had an invalid length"
        default: nil
        }
    }

    /// dwStateTransition: what the receiver does next [MS-RDPELE 3.1.5.2].
    public static func stateTransitionName(_ value: UInt32) -> String? {
        switch value {
        case 0x1: "ST_TOTAL_ABORT"
        case 0x2: "ST_NO_TRANSITION"
        case 0x3: "ST_RESET_PHASE_TO_START"
        case 0x4: "ST_RESEND_LAST_MESSAGE"
        default: nil
        }
    }

    /// wBlobType of LICENSE_BINARY_BLOB [MS-RDPBCGR 2.2.1.12.1.2].
    public static func blobTypeName(_ type: UInt16) -> String? {
        switch type {
        case 0x0001: "BB_DATA_BLOB"
        case 0x0002: "BB_RANDOM_BLOB"
        case 0x0003: "BB_CERTIFICATE_BLOB"
        case 0x0004: "BB_ERROR_BLOB"
        case 0x0009: "BB_ENCRYPTED_DATA_BLOB"
        case 0x000D: "BB_KEY_EXCHG_ALG_BLOB"
        case 0x000E: "BB_SCOPE_BLOB"
        case 0x000F: "BB_CLIENT_USER_NAME_BLOB"
        case 0x0010: "BB_CLIENT_MACHINE_NAME_BLOB"
        default: nil
        }
    }
}
