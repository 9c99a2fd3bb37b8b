/// Basic security header flags [MS-RDPBCGR 2.2.8.1.1.2.1]. SEC_LICENSE_ENCRYPT_CS
/// and _SC share 0x0200 (the direction tells them apart; pyrdp's CS = 0x0100 is
/// non-standard).
public enum SecurityFlags {
    public static let exchangePacket: UInt16 = 0x0001
    public static let transportRequest: UInt16 = 0x0002
    public static let transportResponse: UInt16 = 0x0004
    public static let encrypt: UInt16 = 0x0008
    public static let resetSequenceNumber: UInt16 = 0x0010
    public static let ignoreSequenceNumber: UInt16 = 0x0020
    public static let infoPacket: UInt16 = 0x0040
    public static let licensePacket: UInt16 = 0x0080
    public static let licenseEncrypt: UInt16 = 0x0200
    public static let redirectionPacket: UInt16 = 0x0400
    public static let secureChecksum: UInt16 = 0x0800
    public static let autodetectRequest: UInt16 = 0x1000
    public static let autodetectResponse: UInt16 = 0x2000
    public static let heartbeat: UInt16 = 0x4000
    public static let flagsHiValid: UInt16 = 0x8000

    public static func names(_ flags: UInt16) -> [String] {
        rdpFlagNames(flags, [
            (exchangePacket, "SEC_EXCHANGE_PKT"), (transportRequest, "SEC_TRANSPORT_REQ"),
            (transportResponse, "SEC_TRANSPORT_RSP"), (encrypt, "SEC_ENCRYPT"),
            (resetSequenceNumber, "SEC_RESET_SEQNO"), (ignoreSequenceNumber, "SEC_IGNORE_SEQNO"),
            (infoPacket, "SEC_INFO_PKT"), (licensePacket, "SEC_LICENSE_PKT"),
            (licenseEncrypt, "SEC_LICENSE_ENCRYPT"), (redirectionPacket, "SEC_REDIRECTION_PKT"),
            (secureChecksum, "SEC_SECURE_CHECKSUM"), (autodetectRequest, "SEC_AUTODETECT_REQ"),
            (autodetectResponse, "SEC_AUTODETECT_RSP"), (heartbeat, "SEC_HEARTBEAT"),
            (flagsHiValid, "SEC_FLAGSHI_VALID"),
        ])
    }
}
