import Wire

/// TS_INFO_PACKET, the Client Info PDU body [MS-RDPBCGR 2.2.1.11.1.1], after
/// a security header with SEC_INFO_PKT. The password is walked over and never
/// stored: reports must not be able to leak it.
public struct ClientInfoPacket: Equatable, Sendable {
    public var codePage: UInt32
    public var flags: UInt32
    public var domain: String
    public var userName: String
    /// Length of the (skipped) password field; 0 usually means no autologon password.
    public var passwordLength: Int
    public var alternateShell: String
    public var workingDir: String
    /// Bytes of TS_EXTENDED_INFO_PACKET (RDP 5.0+): present but not parsed.
    public var extraInfoLength: Int

    public static let infoUnicode: UInt32 = 0x0000_0010

    public var isUnicode: Bool { flags & Self.infoUnicode != 0 }
    public var flagNames: [String] {
        Dissect.rdpFlagNames(flags, [
            (0x0000_0001, "INFO_MOUSE"), (0x0000_0002, "INFO_DISABLECTRLALTDEL"), (0x0000_0008, "INFO_AUTOLOGON"),
            (0x0000_0010, "INFO_UNICODE"), (0x0000_0020, "INFO_MAXIMIZESHELL"), (0x0000_0040, "INFO_LOGONNOTIFY"),
            (0x0000_0080, "INFO_COMPRESSION"), (0x0000_0100, "INFO_ENABLEWINDOWSKEY"),
            (0x0000_1E00, "CompressionTypeMask"), (0x0000_2000, "INFO_REMOTECONSOLEAUDIO"),
            (0x0000_4000, "INFO_FORCE_ENCRYPTED_CS_PDU"), (0x0000_8000, "INFO_RAIL"),
            (0x0001_0000, "INFO_LOGONERRORS"), (0x0002_0000, "INFO_MOUSE_HAS_WHEEL"),
            (0x0004_0000, "INFO_PASSWORD_IS_SC_PIN"), (0x0008_0000, "INFO_NOAUDIOPLAYBACK"),
            (0x0010_0000, "INFO_USING_SAVED_CREDS"), (0x0020_0000, "INFO_AUDIOCAPTURE"),
            (0x0040_0000, "INFO_VIDEO_DISABLE"), (0x0080_0000, "INFO_RESERVED1"),
            (0x0100_0000, "INFO_RESERVED2"), (0x0200_0000, "INFO_HIDEF_RAIL_SUPPORTED"),
        ])
    }

    /// Parses the bytes after the security header (the rest of the Send Data user data).
    // [MS-RDPBCGR 2.2.1.11.1.1]
    public static func parse(_ bytes: ByteCursor) -> DissectResult<ClientInfoPacket> {
        DissectResult { () throws(DissectError) in
            var r = PDUReader(bytes, truncated: "client_info_truncated")
            let codePage = try r.u32le()
            let flags = try r.u32le()
            let cbDomain = Int(try r.u16le())
            let cbUser = Int(try r.u16le())
            let cbPassword = Int(try r.u16le())
            let cbShell = Int(try r.u16le())
            let cbDir = Int(try r.u16le())
            // Each cb* excludes the mandatory terminator (2 bytes in Unicode, 1 in
            // ANSI), which is present even for an empty string.
            let terminator = flags & infoUnicode != 0 ? 2 : 1
            func text(_ r: inout PDUReader, _ n: Int) throws(DissectError) -> String {
                let field = try r.bytes(n)
                try r.skip(terminator)
                return terminator == 2 ? RDPText.utf16le(field) : RDPText.ansi(field)
            }
            let domain = try text(&r, cbDomain)
            let user = try text(&r, cbUser)
            try r.skip(cbPassword)
            try r.skip(terminator)
            let shell = try text(&r, cbShell)
            let dir = try text(&r, cbDir)
            let info = ClientInfoPacket(codePage: codePage, flags: flags, domain: domain, userName: user,
                                        passwordLength: cbPassword, alternateShell: shell, workingDir: dir,
                                        extraInfoLength: r.remaining)
            return (info, bytes.remaining)
        }
    }
}
