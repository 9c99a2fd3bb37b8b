import Wire

/// LICENSE_PREAMBLE [MS-RDPBCGR 2.2.1.12.1.1]: message type, flags (version
/// in the low 4 bits, 0x80 EXTENDED_ERROR_MSG_SUPPORTED) and the message size
/// including these 4 bytes.
public struct LicensePreamble: Equatable, Sendable {
    public var messageType: UInt8
    public var flags: UInt8
    public var messageSize: Int

    public var messageTypeName: String? { LicensingCodes.messageTypeName(messageType) }
    /// 2 (PREAMBLE_VERSION_2_0, RDP 4.0) or 3 (PREAMBLE_VERSION_3_0).
    public var version: UInt8 { flags & 0x0F }
    public var extendedErrorSupported: Bool { flags & 0x80 != 0 }
}

/// LICENSE_BINARY_BLOB [MS-RDPBCGR 2.2.1.12.1.2]: only the type and size are
/// kept; the contents are encrypted or opaque except where a message names them.
public struct LicensingBlob: Equatable, Sendable {
    public var type: UInt16
    public var length: Int
    public var typeName: String? { LicensingCodes.blobTypeName(type) }

    static func read(_ r: inout PDUReader) throws(DissectError) -> LicensingBlob {
        let (blob, _) = try readWithData(&r)
        return blob
    }

    static func readWithData(_ r: inout PDUReader) throws(DissectError) -> (LicensingBlob, UnsafeRawBufferPointer) {
        let type = try r.u16le()
        let n = try r.length(try r.u16le())
        return (LicensingBlob(type: type, length: n), try r.bytes(n))
    }
}

/// A licensing PDU: the preamble and its message [MS-RDPELE 2.2.2].
public struct LicensingPDU: Equatable, Sendable {
    public enum Message: Equatable, Sendable {
        case licenseRequest(ServerLicenseRequest)
        case platformChallenge(ServerPlatformChallenge)
        case newLicense(ServerNewLicense)
        case upgradeLicense(ServerNewLicense)
        case licenseInfo(ClientLicenseInfo)
        case newLicenseRequest(ClientNewLicenseRequest)
        case platformChallengeResponse(ClientPlatformChallengeResponse)
        case errorAlert(LicenseErrorMessage)
        /// An unknown bMsgType: the body is not parsed.
        case unknown
    }

    public var preamble: LicensePreamble
    public var message: Message

    /// Parses the bytes after the security header; wMsgSize must cover them exactly.
    // [MS-RDPBCGR 2.2.1.12.1.1; MS-RDPELE 2.2.2]
    public static func parse(_ bytes: ByteCursor) -> DissectResult<LicensingPDU> {
        DissectResult { () throws(DissectError) in
            var all = PDUReader(bytes, truncated: "licensing_truncated")
            let type = try all.u8()
            let flags = try all.u8()
            let size = Int(try all.u16le())
            guard size >= 4 else { throw DissectError("licensing_msg_size_invalid", offset: bytes.offset + 2, detail: "wMsgSize \(size)") }
            var r = try all.sub(size - 4)
            try all.expectEnd("licensing_trailing_bytes")
            let preamble = LicensePreamble(messageType: type, flags: flags, messageSize: size)
            let message: Message
            switch type {
            case LicensingCodes.licenseRequest: message = .licenseRequest(try ServerLicenseRequest.read(&r))
            case LicensingCodes.platformChallenge: message = .platformChallenge(try ServerPlatformChallenge.read(&r))
            case LicensingCodes.newLicense: message = .newLicense(try ServerNewLicense.read(&r))
            case LicensingCodes.upgradeLicense: message = .upgradeLicense(try ServerNewLicense.read(&r))
            case LicensingCodes.licenseInfo: message = .licenseInfo(try ClientLicenseInfo.read(&r))
            case LicensingCodes.newLicenseRequest: message = .newLicenseRequest(try ClientNewLicenseRequest.read(&r))
            case LicensingCodes.platformChallengeResponse:
                message = .platformChallengeResponse(try ClientPlatformChallengeResponse.read(&r))
            case LicensingCodes.errorAlert: message = .errorAlert(try LicenseErrorMessage.read(&r))
            default:
                try r.skip(r.remaining)
                message = .unknown
            }
            try r.expectEnd("licensing_trailing_bytes")
            return (LicensingPDU(preamble: preamble, message: message), bytes.remaining)
        }
    }
}

/// SERVER_LICENSE_REQUEST [MS-RDPELE 2.2.2.1]: the server starts licensing.
public struct ServerLicenseRequest: Equatable, Sendable {
    /// PRODUCT_INFO [2.2.2.1.1].
    public var productVersion: UInt32
    public var companyName: String
    public var productId: String
    /// KeyExchangeList: algorithm ids (KEY_EXCHANGE_ALG_RSA = 1).
    public var keyExchangeAlgorithms: [UInt32]
    public var serverCertificate: LicensingBlob
    /// ScopeList [2.2.2.1.2]: usually one scope, the issuer ("microsoft.com").
    public var scopes: [String]

    static func read(_ r: inout PDUReader) throws(DissectError) -> ServerLicenseRequest {
        try r.skip(32)  // ServerRandom
        let version = try r.u32le()
        let company = RDPText.utf16le(try r.bytes(try r.length(try r.u32le())))
        let product = RDPText.utf16le(try r.bytes(try r.length(try r.u32le())))
        let (_, algBytes) = try LicensingBlob.readWithData(&r)
        var algorithms: [UInt32] = []
        var algs = PDUReader(ByteCursor(algBytes), truncated: r.truncatedCode)
        while algs.remaining >= 4 { algorithms.append(try algs.u32le()) }
        let certificate = try LicensingBlob.read(&r)
        let count = try r.u32le()
        // Each scope takes at least a 4-byte blob header: bound the count by the bytes.
        guard let n = Int(exactly: count), n <= r.remaining / 4 else { throw r.fail("licensing_truncated", "\(count) scopes") }
        var scopes: [String] = []
        for _ in 0..<n {
            let (_, data) = try LicensingBlob.readWithData(&r)
            scopes.append(RDPText.ansi(data))
        }
        return ServerLicenseRequest(productVersion: version, companyName: company, productId: product,
                                    keyExchangeAlgorithms: algorithms, serverCertificate: certificate, scopes: scopes)
    }
}

/// SERVER_PLATFORM_CHALLENGE [MS-RDPELE 2.2.2.4].
public struct ServerPlatformChallenge: Equatable, Sendable {
    public var connectFlags: UInt32
    public var encryptedPlatformChallenge: LicensingBlob

    static func read(_ r: inout PDUReader) throws(DissectError) -> ServerPlatformChallenge {
        let flags = try r.u32le()
        let blob = try LicensingBlob.read(&r)
        try r.skip(16)  // MACData
        return ServerPlatformChallenge(connectFlags: flags, encryptedPlatformChallenge: blob)
    }
}

/// SERVER_NEW_LICENSE / SERVER_UPGRADE_LICENSE [MS-RDPELE 2.2.2.6, 2.2.2.7]:
/// an encrypted license for the client to store.
public struct ServerNewLicense: Equatable, Sendable {
    public var encryptedLicenseInfo: LicensingBlob

    static func read(_ r: inout PDUReader) throws(DissectError) -> ServerNewLicense {
        let blob = try LicensingBlob.read(&r)
        try r.skip(16)  // MACData
        return ServerNewLicense(encryptedLicenseInfo: blob)
    }
}

/// CLIENT_LICENSE_INFO [MS-RDPELE 2.2.2.3]: the client presents a cached
/// license; an abort right after it points at the client's license store.
public struct ClientLicenseInfo: Equatable, Sendable {
    public var preferredKeyExchangeAlgorithm: UInt32
    public var platformId: UInt32
    public var encryptedPreMasterSecret: LicensingBlob
    public var licenseInfo: LicensingBlob
    public var encryptedHWID: LicensingBlob

    static func read(_ r: inout PDUReader) throws(DissectError) -> ClientLicenseInfo {
        let alg = try r.u32le()
        let platform = try r.u32le()
        try r.skip(32)  // ClientRandom
        let secret = try LicensingBlob.read(&r)
        let info = try LicensingBlob.read(&r)
        let hwid = try LicensingBlob.read(&r)
        try r.skip(16)  // MACData
        return ClientLicenseInfo(preferredKeyExchangeAlgorithm: alg, platformId: platform,
                                 encryptedPreMasterSecret: secret, licenseInfo: info, encryptedHWID: hwid)
    }
}

/// CLIENT_NEW_LICENSE_REQUEST [MS-RDPELE 2.2.2.2]: the client asks for a
/// license, naming its user and machine (ANSI, NUL-terminated).
public struct ClientNewLicenseRequest: Equatable, Sendable {
    public var preferredKeyExchangeAlgorithm: UInt32
    public var platformId: UInt32
    public var encryptedPreMasterSecret: LicensingBlob
    public var clientUserName: String
    public var clientMachineName: String

    static func read(_ r: inout PDUReader) throws(DissectError) -> ClientNewLicenseRequest {
        let alg = try r.u32le()
        let platform = try r.u32le()
        try r.skip(32)  // ClientRandom
        let secret = try LicensingBlob.read(&r)
        let (_, user) = try LicensingBlob.readWithData(&r)
        let (_, machine) = try LicensingBlob.readWithData(&r)
        return ClientNewLicenseRequest(preferredKeyExchangeAlgorithm: alg, platformId: platform,
                                       encryptedPreMasterSecret: secret,
                                       clientUserName: RDPText.ansi(user), clientMachineName: RDPText.ansi(machine))
    }
}

/// CLIENT_PLATFORM_CHALLENGE_RESPONSE [MS-RDPELE 2.2.2.5].
public struct ClientPlatformChallengeResponse: Equatable, Sendable {
    public var encryptedPlatformChallengeResponse: LicensingBlob
    public var encryptedHWID: LicensingBlob

    static func read(_ r: inout PDUReader) throws(DissectError) -> ClientPlatformChallengeResponse {
        let response = try LicensingBlob.read(&r)
        let hwid = try LicensingBlob.read(&r)
        try r.skip(16)  // MACData
        return ClientPlatformChallengeResponse(encryptedPlatformChallengeResponse: response, encryptedHWID: hwid)
    }
}

/// LICENSE_ERROR_MESSAGE [MS-RDPBCGR 2.2.1.12.1.3; MS-RDPELE 2.2.2.8]. With
/// STATUS_VALID_CLIENT + ST_NO_TRANSITION it is the normal "licensing done"
/// message; other codes with ST_TOTAL_ABORT end the connection.
public struct LicenseErrorMessage: Equatable, Sendable {
    public var errorCode: UInt32
    public var stateTransition: UInt32
    public var errorInfo: LicensingBlob

    public var errorCodeName: String? { LicensingCodes.errorCodeName(errorCode) }
    public var errorCodeMeaning: String? { LicensingCodes.errorCodeMeaning(errorCode) }
    public var stateTransitionName: String? { LicensingCodes.stateTransitionName(stateTransition) }
    /// The server's "no license needed / licensing finished" signal.
    public var isValidClient: Bool { errorCode == 0x07 && stateTransition == 0x02 }

    static func read(_ r: inout PDUReader) throws(DissectError) -> LicenseErrorMessage {
        LicenseErrorMessage(errorCode: try r.u32le(), stateTransition: try r.u32le(), errorInfo: try LicensingBlob.read(&r))
    }
}
