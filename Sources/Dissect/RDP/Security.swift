import Wire

/// TS_SECURITY_HEADER [MS-RDPBCGR 2.2.8.1.1.2.1]: flags and flagsHi. With
/// SEC_ENCRYPT a signature (and with FIPS a longer header) follows and the
/// rest is ciphertext, which this module does not decrypt.
public struct BasicSecurityHeader: Equatable, Sendable {
    public static let size = 4
    public var flags: UInt16
    public var flagsHi: UInt16

    public var flagNames: [String] { SecurityFlags.names(flags) }
    public var isEncrypted: Bool { flags & SecurityFlags.encrypt != 0 }

    // [MS-RDPBCGR 2.2.8.1.1.2.1]
    public static func parse(_ bytes: ByteCursor) -> DissectResult<BasicSecurityHeader> {
        DissectResult { () throws(DissectError) in
            var r = PDUReader(bytes, truncated: "security_truncated")
            return (BasicSecurityHeader(flags: try r.u16le(), flagsHi: try r.u16le()), size)
        }
    }
}

/// TS_SECURITY_PACKET, the Security Exchange PDU [MS-RDPBCGR 2.2.1.10]: the
/// client's random encrypted with the server's public key (Standard RDP
/// Security only). `length` counts the random plus its 8 zero padding bytes.
public struct SecurityExchangePDU: Equatable, Sendable {
    public var header: BasicSecurityHeader
    public var encryptedClientRandomLength: Int

    /// Parses the MCS Send Data user data (security header included).
    // [MS-RDPBCGR 2.2.1.10.1]
    public static func parse(_ userData: ByteCursor) -> DissectResult<SecurityExchangePDU> {
        DissectResult { () throws(DissectError) in
            var r = PDUReader(userData, truncated: "security_truncated")
            let header = BasicSecurityHeader(flags: try r.u16le(), flagsHi: try r.u16le())
            guard header.flags & SecurityFlags.exchangePacket != 0 else {
                throw DissectError("security_exchange_flag_missing", offset: userData.offset)
            }
            return (try read(&r, header), userData.remaining)
        }
    }

    static func read(_ r: inout PDUReader, _ header: BasicSecurityHeader) throws(DissectError) -> SecurityExchangePDU {
        let n = try r.length(try r.u32le())
        try r.skip(n)
        try r.expectEnd("security_trailing_bytes")
        return SecurityExchangePDU(header: header, encryptedClientRandomLength: n)
    }
}

/// MCS Send Data user data that starts with a basic security header, sorted
/// by its flags [MS-RDPBCGR 2.2.8.1.1.2.1]: Security Exchange, Client Info and
/// licensing PDUs always carry one (with TLS too); other PDUs only under
/// Standard RDP Security with an encryption level above NONE.
public enum SecuredPDU: Equatable, Sendable {
    case securityExchange(SecurityExchangePDU)
    case clientInfo(BasicSecurityHeader, ClientInfoPacket)
    /// Licensing sent in the clear: servers do so even at encryption level
    /// LOW/HIGH/FIPS (SEC_LICENSE_PKT without SEC_ENCRYPT).
    case licensing(BasicSecurityHeader, LicensingPDU)
    /// SEC_ENCRYPT set: the payload (signature included) is not parsed.
    case encrypted(BasicSecurityHeader, payloadLength: Int)
    /// Any other flags (e.g. a share control PDU under a security header, a
    /// redirection or auto-detect PDU): the payload is left to the caller.
    case other(BasicSecurityHeader, payloadLength: Int)

    // [MS-RDPBCGR 2.2.8.1.1.2.1, 2.2.1.10, 2.2.1.11, 2.2.1.12]
    public static func parse(_ userData: ByteCursor) -> DissectResult<SecuredPDU> {
        var c = userData
        guard let flags = c.u16le(), let flagsHi = c.u16le() else {
            return .malformed(DissectError("security_truncated", offset: userData.offset))
        }
        let header = BasicSecurityHeader(flags: flags, flagsHi: flagsHi)
        if header.isEncrypted { return .parsed(.encrypted(header, payloadLength: c.remaining), consumed: userData.remaining) }
        if flags & SecurityFlags.exchangePacket != 0 {
            return SecurityExchangePDU.parse(userData).mapParsed(SecuredPDU.securityExchange)
        }
        if flags & SecurityFlags.infoPacket != 0 {
            return ClientInfoPacket.parse(c).mapParsed { .clientInfo(header, $0) }.consumingAll(userData)
        }
        if flags & SecurityFlags.licensePacket != 0 {
            return LicensingPDU.parse(c).mapParsed { .licensing(header, $0) }.consumingAll(userData)
        }
        return .parsed(.other(header, payloadLength: c.remaining), consumed: userData.remaining)
    }
}

extension DissectResult {
    /// A successful inner parse that used everything reports the outer size.
    func consumingAll(_ outer: ByteCursor) -> DissectResult {
        if case let .parsed(v, _) = self { return .parsed(v, consumed: outer.remaining) }
        return self
    }
}
