/// Names of the status codes a CredSSP server puts in TSRequest.errorCode
/// [MS-CSSP 2.2.1; MS-ERREF 2.3.1 NTSTATUS, 2.1.1 HRESULT (SEC_E_*)], with a
/// one-line meaning for the ones that explain a failed logon. Unknown → nil.
public enum NTStatusCodes {
    public static func name(_ code: UInt32) -> String? { entry(code)?.0 }
    public static func meaning(_ code: UInt32) -> String? { entry(code)?.1 }

    static func entry(_ code: UInt32) -> (String, String)? {
        switch code {
        case 0x0000_0000: ("STATUS_SUCCESS", "success")
        case 0xC000_0016: ("STATUS_MORE_PROCESSING_REQUIRED", "authentication needs another round")
        case 0xC000_0022: ("STATUS_ACCESS_DENIED", "access denied")
        case 0xC000_005E: ("STATUS_NO_LOGON_SERVERS", "no domain controller was available to check the credentials")
        case 0xC000_0064: ("STATUS_NO_SUCH_USER", "the user name does not exist")
        case 0xC000_006A: ("STATUS_WRONG_PASSWORD", "the password is wrong")
        case 0xC000_006D: ("STATUS_LOGON_FAILURE", "unknown user name or bad password")
        case 0xC000_006E: ("STATUS_ACCOUNT_RESTRICTION", "an account restriction prevents this logon (e.g. blank password)")
        case 0xC000_006F: ("STATUS_INVALID_LOGON_HOURS", "the account may not log on at this time")
        case 0xC000_0070: ("STATUS_INVALID_WORKSTATION", "the account may not log on from this workstation")
        case 0xC000_0071: ("STATUS_PASSWORD_EXPIRED", "the password has expired")
        case 0xC000_0072: ("STATUS_ACCOUNT_DISABLED", "the account is disabled")
        case 0xC000_0133: ("STATUS_TIME_DIFFERENCE_AT_DC", "the clocks of the client, server and domain controller differ too much")
        case 0xC000_015B: ("STATUS_LOGON_TYPE_NOT_GRANTED", "the user lacks the right to log on through Remote Desktop Services")
        case 0xC000_0193: ("STATUS_ACCOUNT_EXPIRED", "the account has expired")
        case 0xC000_0224: ("STATUS_PASSWORD_MUST_CHANGE", "the password must be changed before the first logon")
        case 0xC000_0234: ("STATUS_ACCOUNT_LOCKED_OUT", "the account is locked out")
        case 0xC000_0388: ("STATUS_DOWNGRADE_DETECTED", "a security downgrade was detected")
        case 0xC000_0413: ("STATUS_AUTHENTICATION_FIREWALL_FAILED", "the account may not authenticate to this machine (selective authentication)")
        case 0x8009_0302: ("SEC_E_UNSUPPORTED_FUNCTION", "the security package does not support the request")
        case 0x8009_0303: ("SEC_E_TARGET_UNKNOWN", "the target (server principal) is unknown")
        case 0x8009_0304: ("SEC_E_INTERNAL_ERROR", "the security package failed internally")
        case 0x8009_0308: ("SEC_E_INVALID_TOKEN", "the authentication token is invalid")
        case 0x8009_030C: ("SEC_E_LOGON_DENIED", "the logon was denied")
        case 0x8009_030D: ("SEC_E_UNKNOWN_CREDENTIALS", "the credentials are not recognised")
        case 0x8009_030E: ("SEC_E_NO_CREDENTIALS", "no credentials are available")
        case 0x8009_030F: ("SEC_E_MESSAGE_ALTERED", "a message was altered (integrity check failed)")
        case 0x8009_0311: ("SEC_E_NO_AUTHENTICATING_AUTHORITY", "no authority could be contacted to authenticate")
        case 0x8009_0322: ("SEC_E_WRONG_PRINCIPAL", "the server principal name does not match")
        case 0x8009_0324: ("SEC_E_TIME_SKEW", "the clocks of client and server differ too much")
        case 0x8009_0346: ("SEC_E_BAD_BINDINGS", "channel bindings do not match")
        default: nil
        }
    }
}
