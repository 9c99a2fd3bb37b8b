/// Licensing [MS-RDPBCGR 2.2.1.12; MS-RDPELE 2.2.2] and share control PDUs
/// [MS-RDPBCGR 2.2.8.1.1.1] for `RDPBuilder`.
extension RDPBuilder {
    // MARK: licensing

    /// LICENSE_BINARY_BLOB [MS-RDPBCGR 2.2.1.12.1.2]: wBlobType, wBlobLen, data.
    public static func licenseBlob(type: UInt16, _ data: [UInt8]) -> [UInt8] { le16(Int(type)) + le16(data.count) + data }

    /// LICENSE_PREAMBLE [MS-RDPBCGR 2.2.1.12.1.1] + message: bMsgType, flags (PREAMBLE_VERSION_3_0
    /// 0x03, | 0x80 EXTENDED_ERROR_MSG_SUPPORTED), wMsgSize (preamble included).
    public static func licensingMessage(type: UInt8, flags: UInt8 = 0x83, _ body: [UInt8]) -> [UInt8] {
        [type, flags] + le16(4 + body.count) + body
    }

    /// A licensing PDU's Send Data user data [MS-RDPBCGR 2.2.1.12]: a basic security header
    /// with SEC_LICENSE_PKT (in the clear: servers send licensing unencrypted) and the message.
    public static func licensingPDU(_ message: [UInt8]) -> [UInt8] { securityHeader(flags: 0x0080) + message }

    /// SERVER_LICENSE_REQUEST [MS-RDPELE 2.2.2.1]: ServerRandom (32), PRODUCT_INFO
    /// [2.2.2.1.1] (dwVersion, cbCompanyName + UTF-16 name, cbProductId + UTF-16 id, both
    /// NUL-terminated), KeyExchangeList (BB_KEY_EXCHG_ALG_BLOB: KEY_EXCHANGE_ALG_RSA),
    /// ServerCertificate (BB_CERTIFICATE_BLOB), ScopeList [2.2.2.1.2] (count, BB_SCOPE_BLOB
    /// ANSI NUL-terminated).
    public static func serverLicenseRequest(serverRandom: [UInt8], certificate: [UInt8], productVersion: UInt32 = 0x0006_0000,
                                            company: String = "Microsoft Corporation", productId: String = "A02",
                                            scopes: [String] = ["microsoft.com"]) -> [UInt8] {
        let companyBytes = utf16le(company, terminator: true)
        let productBytes = utf16le(productId, terminator: true)
        var b = serverRandom + le32(productVersion)
        b += le32(UInt32(companyBytes.count)) + companyBytes + le32(UInt32(productBytes.count)) + productBytes
        b += licenseBlob(type: 0x000D, le32(1))
        b += licenseBlob(type: 0x0003, certificate)
        b += le32(UInt32(scopes.count)) + scopes.flatMap { licenseBlob(type: 0x000E, ansi($0)) }
        return licensingMessage(type: 0x01, b)
    }

    /// CLIENT_NEW_LICENSE_REQUEST [MS-RDPELE 2.2.2.2]: PreferredKeyExchangeAlg (RSA),
    /// PlatformId (CLIENT_OS_ID_WINNT_POST_52 | CLIENT_IMAGE_ID_MICROSOFT), ClientRandom (32),
    /// EncryptedPreMasterSecret (BB_RANDOM_BLOB: modulus-sized ciphertext + 8 zero bytes),
    /// ClientUserName (BB_CLIENT_USER_NAME_BLOB) and ClientMachineName
    /// (BB_CLIENT_MACHINE_NAME_BLOB), ANSI NUL-terminated.
    public static func clientNewLicenseRequest(clientRandom: [UInt8], encryptedPreMasterSecret: [UInt8],
                                               userName: String, machineName: String,
                                               platformId: UInt32 = 0x0401_0000) -> [UInt8] {
        var b = le32(1) + le32(platformId) + clientRandom
        b += licenseBlob(type: 0x0002, encryptedPreMasterSecret + [UInt8](repeating: 0, count: 8))
        b += licenseBlob(type: 0x000F, ansi(userName))
        b += licenseBlob(type: 0x0010, ansi(machineName))
        return licensingMessage(type: 0x13, b)
    }

    /// LICENSE_ERROR_MESSAGE [MS-RDPBCGR 2.2.1.12.1.3; MS-RDPELE 2.2.2.8] as an ERROR_ALERT:
    /// dwErrorCode, dwStateTransition, bbErrorInfo (BB_ERROR_BLOB). Flags 0x03 as in the
    /// "Valid Client" example of MS-RDPBCGR 4.1.12.
    public static func licenseErrorAlert(errorCode: UInt32, stateTransition: UInt32, errorInfo: [UInt8] = [],
                                         flags: UInt8 = 0x03) -> [UInt8] {
        licensingMessage(type: 0xFF, flags: flags, le32(errorCode) + le32(stateTransition) + licenseBlob(type: 0x0004, errorInfo))
    }

    /// The "Server License Error PDU - Valid Client" message [MS-RDPBCGR 2.2.1.12]:
    /// STATUS_VALID_CLIENT (0x07), ST_NO_TRANSITION (0x02), empty error blob.
    public static func licenseValidClient() -> [UInt8] { licenseErrorAlert(errorCode: 0x07, stateTransition: 0x02) }

    // MARK: share control [MS-RDPBCGR 2.2.8.1.1.1]

    /// The shareId Windows servers use: 0x10000 + the server's MCS channel 1002 (MS-RDPBCGR 4.1.13).
    public static let windowsShareId: UInt32 = 0x0001_03EA

    /// TS_SHARECONTROLHEADER [2.2.8.1.1.1.1] around `body`: totalLength, pduType (type |
    /// TS_PROTOCOL_VERSION 0x10), pduSource.
    public static func shareControl(type: UInt8, source: Int, _ body: [UInt8]) -> [UInt8] {
        le16(6 + body.count) + le16(0x10 | Int(type)) + le16(source) + body
    }

    /// A Data PDU: TS_SHARECONTROLHEADER (PDUTYPE_DATAPDU 0x7) + TS_SHAREDATAHEADER
    /// [2.2.8.1.1.1.2] (shareId, pad1, streamId STREAM_LOW 1, uncompressedLength = pduType2
    /// onwards as in MS-RDPBCGR 4.1.14, pduType2, uncompressed) + body.
    public static func shareData(pduType2: UInt8, source: Int, shareId: UInt32 = windowsShareId, _ body: [UInt8]) -> [UInt8] {
        let data = le32(shareId) + [0x00, 0x01] + le16(4 + body.count) + [pduType2, 0x00] + le16(0) + body
        return shareControl(type: 0x7, source: source, data)
    }

    /// Set Error Info PDU [MS-RDPBCGR 2.2.5.1.1]: PDUTYPE2_SET_ERROR_INFO_PDU (0x2F), errorInfo.
    public static func setErrorInfo(_ errorInfo: UInt32, source: Int = 1002) -> [UInt8] {
        shareData(pduType2: 0x2F, source: source, le32(errorInfo))
    }

    /// The capability sets of a Windows Server Demand Active, as (type, total length), in
    /// the order Windows sends them [MS-RDPBCGR 2.2.1.13.1.1.1; sizes per 2.2.7]: general,
    /// bitmap, order, pointer, input, virtual channel, draw GDI+, font, color cache,
    /// share, bitmap cache host support, multifragment update, large pointer, desktop
    /// composition, surface commands, bitmap codecs, frame acknowledge.
    public static let windowsDemandActiveCapabilities: [(UInt16, Int)] = [
        (0x01, 24), (0x02, 28), (0x03, 88), (0x08, 10), (0x0D, 88), (0x14, 12), (0x16, 40), (0x0E, 8),
        (0x0A, 8), (0x09, 8), (0x12, 8), (0x1A, 8), (0x1B, 6), (0x19, 6), (0x1C, 12), (0x1D, 53), (0x1E, 8),
    ]

    /// TS_DEMAND_ACTIVE_PDU [MS-RDPBCGR 2.2.1.13.1.1]: shareId, lengthSourceDescriptor,
    /// lengthCombinedCapabilities, sourceDescriptor "RDP\0", numberCapabilities, pad, the
    /// capability sets (headers as given, bodies zero: only their framing is meant to be
    /// real), sessionId. PDUTYPE_DEMANDACTIVEPDU (0x1) from the server channel 1002.
    public static func demandActive(capabilities: [(UInt16, Int)] = windowsDemandActiveCapabilities,
                                    sessionId: UInt32 = 2, source: Int = 1002) -> [UInt8] {
        let sets = capabilities.flatMap { le16(Int($0.0)) + le16($0.1) + [UInt8](repeating: 0, count: $0.1 - 4) }
        let combined = le16(capabilities.count) + le16(0) + sets
        let descriptor = ansi("RDP")
        let body = le32(windowsShareId) + le16(descriptor.count) + le16(combined.count) + descriptor + combined + le32(sessionId)
        return shareControl(type: 0x1, source: source, body)
    }
}
