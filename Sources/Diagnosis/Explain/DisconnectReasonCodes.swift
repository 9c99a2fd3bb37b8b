import Dissect

/// The client's disconnect reason, as mstsc shows it ("disconnect reason 0x904")
/// [learn.microsoft.com IMsTscAxEvents::OnDisconnected, `discReason`]. These
/// codes never travel on the wire: the client computes them locally, so a
/// capture can only be consistent with one, never prove it.
public enum DisconnectReasonCodes {
    /// (code, name, meaning), in code order.
    public static let all: [(code: UInt32, name: String, meaning: String)] = [
        (0x001, "LocalNotError", "local disconnect: the user or the client application ended the connection"),
        (0x002, "RemoteByUser", "remote disconnect by the user (the remote user logged off or disconnected)"),
        (0x003, "ByServer", "remote disconnect by the server"),
        (0x104, "DNSLookupFailed", "the server's name could not be resolved (DNS)"),
        (0x108, "ConnectionTimedOut", "the connection attempt timed out"),
        (0x204, "SocketConnectFailed", "the TCP connection to the server failed"),
        (0x208, "HostNotFound", "the host was not found"),
        (0x304, "WinsockSendFailed", "sending on the socket failed"),
        (0x308, "InvalidIPAddr", "the IP address is invalid"),
        (0x404, "SocketRecvFailed", "receiving on the socket failed"),
        (0x406, "InvalidSecurityData", "the server's security data was invalid"),
        (0x408, "InternalError", "internal error in the client"),
        (0x506, "InvalidEncryption", "the encryption method the server chose is invalid"),
        (0x604, "GetHostByNameFailed", "name lookup of the server failed"),
        (0x606, "InvalidServerSecurityInfo", "the server's security information was invalid"),
        (0x706, "ServerCertificateUnpackErr", "the client failed to unpack the server's certificate"),
        (0x804, "InvalidIP", "the IP address is invalid"),
        (0x808, "LicensingFailed", "license negotiation failed"),
        (0x904, "disconnectReasonAtClientWinsockFDCLOSE",
         "socket closed: the client saw FD_CLOSE on its socket (a FIN or RST from the peer, or from a device claiming to be the peer); it does not say who closed it"),
        (0x906, "InternalSecurityError", "internal security error in the client"),
        (0x908, "LicensingTimeout", "license negotiation timed out"),
        (0xA06, "InternalSecurityError2", "internal security error in the client"),
        (0xB06, "EncryptionError", "the client failed to encrypt data"),
        (0xC06, "DecryptionError", "the client failed to decrypt data from the server"),
        (0xC08, "ClientDecompressionError", "the client failed to decompress data from the server"),
    ]

    public static func name(_ code: UInt32) -> String? { entry(code)?.name }
    public static func meaning(_ code: UInt32) -> String? { entry(code)?.meaning }

    static func entry(_ code: UInt32) -> (code: UInt32, name: String, meaning: String)? {
        all.first { $0.code == code }
    }
}

/// ExtendedDisconnectReasonCode [learn.microsoft.com "ExtendedDisconnectReasonCode
/// enumeration"], what mstsc shows as "extended error". Values 0-7, 9-12 and
/// 256-266 have the same numbers and meanings as the ERRINFO codes of the Set
/// Error Info PDU, so for those the wire code is `ErrorInfoCodes`; 8, 267 and
/// 768 exist only here. 4096-32767 is a protocol-error range whose values are
/// the ERRINFO protocol errors (0x10C9-0x1195) where the spec names one.
public enum ExtendedReasonCodes {
    public static let all: [(code: UInt32, name: String, meaning: String)] = [
        (0, "NoInfo", "no extended information"),
        (1, "APIInitiatedDisconnect", "an administrative tool on the server disconnected the session"),
        (2, "APIInitiatedLogoff", "an administrative tool on the server logged the session off"),
        (3, "ServerIdleTimeout", "the server's idle session limit was reached"),
        (4, "ServerLogonTimeout", "the server's active session limit was reached"),
        (5, "ReplacedByOtherConnection", "another connection took over the session"),
        (6, "OutOfMemory", "the server ran out of memory"),
        (7, "ServerDeniedConnection", "the server denied the connection"),
        (8, "ServerDeniedConnectionFips", "the server denied the connection for FIPS security policy reasons"),
        (9, "ServerInsufficientPrivileges", "the user may not log on remotely (not in Remote Desktop Users)"),
        (10, "ServerFreshCredsRequired", "server policy requires freshly entered credentials"),
        (11, "RpcInitiatedDisconnectByUser", "the user disconnected through an administrative tool"),
        (12, "LogoffByUser", "the user logged off"),
        (256, "LicenseInternal", "internal error in the server's licensing component"),
        (257, "LicenseNoLicenseServer", "no RD license server was available"),
        (258, "LicenseNoLicense", "no client access licenses were available"),
        (259, "LicenseErrClientMsg", "the server received an invalid licensing message from the client"),
        (260, "LicenseHwidDoesntMatchLicense", "the client's stored license does not match its hardware id (license store modified)"),
        (261, "LicenseErrClientLicense", "the client's stored license is in an invalid format"),
        (262, "LicenseCantFinishProtocol", "a network problem interrupted licensing"),
        (263, "LicenseClientEndedProtocol", "the client ended licensing early"),
        (264, "LicenseErrClientEncryption", "a licensing message from the client was incorrectly encrypted"),
        (265, "LicenseCantUpgradeLicense", "the client's license could not be upgraded or renewed"),
        (266, "LicenseNoRemoteConnections", "the server is not licensed to accept remote connections"),
        (267, "LicenseCreatingLicStoreAccDenied", "the client could not create its license store (access denied)"),
        (768, "RdpEncInvalidCredentials", "the credentials were invalid"),
    ]

    /// The protocol-error range: a value here names the rule the peer broke.
    public static let protocolErrorRange: ClosedRange<UInt32> = 4096...32767

    public static func name(_ code: UInt32) -> String? {
        if let entry = all.first(where: { $0.code == code }) { return entry.name }
        if protocolErrorRange.contains(code) { return "ProtocolError" }
        return nil
    }

    public static func meaning(_ code: UInt32) -> String? {
        if let entry = all.first(where: { $0.code == code }) { return entry.meaning }
        if protocolErrorRange.contains(code) {
            if let errInfo = ErrorInfoCodes.name(code) {
                return "protocol error \(errInfo): \(ErrorInfoCodes.meaning(code) ?? "RDP protocol error")"
            }
            return "protocol error detected by the server (the number names the rule that broke)"
        }
        return nil
    }

    /// The ERRINFO code with the same number and meaning, if there is one
    /// (0-7, 9-12, 256-266, and protocol errors the ERRINFO table names).
    public static func errorInfoTwin(_ code: UInt32) -> UInt32? {
        switch code {
        case 0...7, 9...12, 256...266: return code
        case protocolErrorRange where ErrorInfoCodes.name(code) != nil: return code
        default: return nil
        }
    }
}
