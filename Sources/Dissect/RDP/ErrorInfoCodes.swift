/// errorInfo of the Set Error Info PDU [MS-RDPBCGR 2.2.5.1.1]. New codes
/// appear in newer spec revisions (0x19/0x1A are missing from some decoders),
/// so an unknown code is never a parse error: the name is nil and the caller
/// prints the number.
public enum ErrorInfoCodes {
    public static func name(_ code: UInt32) -> String? {
        if let entry = independent(code) { return entry.0 }
        return protocolName(code)
    }

    /// One line for the codes an administrator can act on (protocol-independent,
    /// licensing and broker codes); protocol errors only say which rule broke.
    public static func meaning(_ code: UInt32) -> String? {
        if let entry = independent(code) { return entry.1 }
        if protocolName(code) != nil {
            return (0x1191...0x1195).contains(code)
                ? "Standard RDP Security encryption failure" : "RDP protocol error detected by the server"
        }
        return nil
    }

    static func independent(_ code: UInt32) -> (String, String)? {
        switch code {
        case 0x0000: ("ERRINFO_NONE", "no error")
        case 0x0001: ("ERRINFO_RPC_INITIATED_DISCONNECT", "an administrative tool on the server disconnected the session")
        case 0x0002: ("ERRINFO_RPC_INITIATED_LOGOFF", "an administrative tool on the server logged the session off")
        case 0x0003: ("ERRINFO_IDLE_TIMEOUT", "the server's idle session limit was reached")
        case 0x0004: ("ERRINFO_LOGON_TIMEOUT", "the server's active session limit was reached")
        case 0x0005: ("ERRINFO_DISCONNECTED_BY_OTHERCONNECTION", "another connection took over the session")
        case 0x0006: ("ERRINFO_OUT_OF_MEMORY", "the server ran out of memory")
        case 0x0007: ("ERRINFO_SERVER_DENIED_CONNECTION", "the server denied the connection")
        case 0x0009: ("ERRINFO_SERVER_INSUFFICIENT_PRIVILEGES", "the user may not log on remotely (not in Remote Desktop Users)")
        case 0x000A: ("ERRINFO_SERVER_FRESH_CREDENTIALS_REQUIRED", "server policy requires freshly entered credentials")
        case 0x000B: ("ERRINFO_RPC_INITIATED_DISCONNECT_BYUSER", "the user disconnected through an administrative tool")
        case 0x000C: ("ERRINFO_LOGOFF_BY_USER", "the user logged off")
        case 0x000F: ("ERRINFO_CLOSE_STACK_ON_DRIVER_NOT_READY", "the server's display driver was not ready")
        case 0x0010: ("ERRINFO_SERVER_DWM_CRASH", "the Desktop Window Manager crashed on the server")
        case 0x0011: ("ERRINFO_CLOSE_STACK_ON_DRIVER_FAILURE", "the server's display driver failed to start")
        case 0x0012: ("ERRINFO_CLOSE_STACK_ON_DRIVER_IFACE_FAILURE", "the server's display driver interface failed")
        case 0x0017: ("ERRINFO_SERVER_WINLOGON_CRASH", "Winlogon crashed on the server")
        case 0x0018: ("ERRINFO_SERVER_CSRSS_CRASH", "CSRSS crashed on the server")
        case 0x0019: ("ERRINFO_SERVER_SHUTDOWN", "the server is shutting down")
        case 0x001A: ("ERRINFO_SERVER_REBOOT", "the server is rebooting")
        case 0x0100: ("ERRINFO_LICENSE_INTERNAL", "internal error in the server's licensing component")
        case 0x0101: ("ERRINFO_LICENSE_NO_LICENSE_SERVER", "no RD license server was available")
        case 0x0102: ("ERRINFO_LICENSE_NO_LICENSE", "no client access licenses were available")
        case 0x0103: ("ERRINFO_LICENSE_BAD_CLIENT_MSG", "the server received an invalid licensing message from the client")
        case 0x0104: ("ERRINFO_LICENSE_HWID_DOESNT_MATCH_LICENSE", "the client's stored license does not match its hardware id (license store modified)")
        case 0x0105: ("ERRINFO_LICENSE_BAD_CLIENT_LICENSE", "the client's stored license is in an invalid format")
        case 0x0106: ("ERRINFO_LICENSE_CANT_FINISH_PROTOCOL", "a network problem interrupted licensing")
        case 0x0107: ("ERRINFO_LICENSE_CLIENT_ENDED_PROTOCOL", "the client ended licensing early")
        case 0x0108: ("ERRINFO_LICENSE_BAD_CLIENT_ENCRYPTION", "a licensing message from the client was incorrectly encrypted")
        case 0x0109: ("ERRINFO_LICENSE_CANT_UPGRADE_LICENSE", "the client's license could not be upgraded or renewed")
        case 0x010A: ("ERRINFO_LICENSE_NO_REMOTE_CONNECTIONS", "the server is not licensed to accept remote connections")
        case 0x0400: ("ERRINFO_CB_DESTINATION_NOT_FOUND", "the broker found no destination for the target")
        case 0x0402: ("ERRINFO_CB_LOADING_DESTINATION", "the destination was disconnected while the broker was routing")
        case 0x0404: ("ERRINFO_CB_REDIRECTING_TO_DESTINATION", "redirection to the destination failed")
        case 0x0405: ("ERRINFO_CB_SESSION_ONLINE_VM_WAKE", "the broker could not wake the virtual machine")
        case 0x0406: ("ERRINFO_CB_SESSION_ONLINE_VM_BOOT", "the broker could not start the virtual machine")
        case 0x0407: ("ERRINFO_CB_SESSION_ONLINE_VM_NO_DNS", "the virtual machine has no IP address in DNS")
        case 0x0408: ("ERRINFO_CB_DESTINATION_POOL_NOT_FREE", "no free virtual machine in the pool")
        case 0x0409: ("ERRINFO_CB_CONNECTION_CANCELLED", "the broker connection was cancelled")
        case 0x0410: ("ERRINFO_CB_CONNECTION_ERROR_INVALID_SETTINGS", "the routing token could not be validated")
        case 0x0411: ("ERRINFO_CB_SESSION_ONLINE_VM_BOOT_TIMEOUT", "the virtual machine did not start in time")
        case 0x0412: ("ERRINFO_CB_SESSION_ONLINE_VM_SESSMON_FAILED", "session monitoring failed on the virtual machine")
        default: nil
        }
    }

    /// RDP-specific protocol error codes (0x10C9-0x1196), spelled as in the spec.
    static func protocolName(_ code: UInt32) -> String? {
        switch code {
        case 0x10C9: "ERRINFO_UNKNOWNPDUTYPE2"
        case 0x10CA: "ERRINFO_UNKNOWNPDUTYPE"
        case 0x10CB: "ERRINFO_DATAPDUSEQUENCE"
        case 0x10CD: "ERRINFO_CONTROLPDUSEQUENCE"
        case 0x10CE: "ERRINFO_INVALIDCONTROLPDUACTION"
        case 0x10CF: "ERRINFO_INVALIDINPUTPDUTYPE"
        case 0x10D0: "ERRINFO_INVALIDINPUTPDUMOUSE"
        case 0x10D1: "ERRINFO_INVALIDREFRESHRECTPDU"
        case 0x10D2: "ERRINFO_CREATEUSERDATAFAILED"
        case 0x10D3: "ERRINFO_CONNECTFAILED"
        case 0x10D4: "ERRINFO_CONFIRMACTIVEWRONGSHAREID"
        case 0x10D5: "ERRINFO_CONFIRMACTIVEWRONGORIGINATOR"
        case 0x10DA: "ERRINFO_PERSISTENTKEYPDUBADLENGTH"
        case 0x10DB: "ERRINFO_PERSISTENTKEYPDUILLEGALFIRST"
        case 0x10DC: "ERRINFO_PERSISTENTKEYPDUTOOMANYTOTALKEYS"
        case 0x10DD: "ERRINFO_PERSISTENTKEYPDUTOOMANYCACHEKEYS"
        case 0x10DE: "ERRINFO_INPUTPDUBADLENGTH"
        case 0x10DF: "ERRINFO_BITMAPCACHEERRORPDUBADLENGTH"
        case 0x10E0: "ERRINFO_SECURITYDATATOOSHORT"
        case 0x10E1: "ERRINFO_VCHANNELDATATOOSHORT"
        case 0x10E2: "ERRINFO_SHAREDATATOOSHORT"
        case 0x10E3: "ERRINFO_BADSUPRESSOUTPUTPDU"
        case 0x10E5: "ERRINFO_CONFIRMACTIVEPDUTOOSHORT"
        case 0x10E7: "ERRINFO_CAPABILITYSETTOOSMALL"
        case 0x10E8: "ERRINFO_CAPABILITYSETTOOLARGE"
        case 0x10E9: "ERRINFO_NOCURSORCACHE"
        case 0x10EA: "ERRINFO_BADCAPABILITIES"
        case 0x10EC: "ERRINFO_VIRTUALCHANNELDECOMPRESSIONERR"
        case 0x10ED: "ERRINFO_INVALIDVCCOMPRESSIONTYPE"
        case 0x10EF: "ERRINFO_INVALIDCHANNELID"
        case 0x10F0: "ERRINFO_VCHANNELSTOOMANY"
        case 0x10F3: "ERRINFO_REMOTEAPPSNOTENABLED"
        case 0x10F4: "ERRINFO_CACHECAPNOTSET"
        case 0x10F5: "ERRINFO_BITMAPCACHEERRORPDUBADLENGTH2"
        case 0x10F6: "ERRINFO_OFFSCRCACHEERRORPDUBADLENGTH"
        case 0x10F7: "ERRINFO_DNGCACHEERRORPDUBADLENGTH"
        case 0x10F8: "ERRINFO_GDIPLUSPDUBADLENGTH"
        case 0x1111...0x1126: "ERRINFO_SECURITYDATATOOSHORT\(code - 0x1111 + 2)"
        case 0x1129: "ERRINFO_BADMONITORDATA"
        case 0x112A: "ERRINFO_VCDECOMPRESSEDREASSEMBLEFAILED"
        case 0x112B: "ERRINFO_VCDATATOOLONG"
        case 0x112C: "ERRINFO_BAD_FRAME_ACK_DATA"
        case 0x112D: "ERRINFO_GRAPHICSMODENOTSUPPORTED"
        case 0x112E: "ERRINFO_GRAPHICSSUBSYSTEMRESETFAILED"
        case 0x112F: "ERRINFO_GRAPHICSSUBSYSTEMFAILED"
        case 0x1130: "ERRINFO_TIMEZONEKEYNAMELENGTHTOOSHORT"
        case 0x1131: "ERRINFO_TIMEZONEKEYNAMELENGTHTOOLONG"
        case 0x1132: "ERRINFO_DYNAMICDSTDISABLEDFIELDMISSING"
        case 0x1133: "ERRINFO_VCDECODINGERROR"
        case 0x1134: "ERRINFO_VIRTUALDESKTOPTOOLARGE"
        case 0x1135: "ERRINFO_MONITORGEOMETRYVALIDATIONFAILED"
        case 0x1136: "ERRINFO_INVALIDMONITORCOUNT"
        case 0x1191: "ERRINFO_UPDATESESSIONKEYFAILED"
        case 0x1192: "ERRINFO_DECRYPTFAILED"
        case 0x1193: "ERRINFO_ENCRYPTFAILED"
        case 0x1194: "ERRINFO_ENCPKGMISMATCH"
        case 0x1195: "ERRINFO_DECRYPTFAILED2"
        default: nil
        }
    }
}
