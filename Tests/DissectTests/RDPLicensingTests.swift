import Testing
import Wire
@testable import Dissect

/// LICENSE_PREAMBLE + body; flags 0x83 = PREAMBLE_VERSION_3_0 | EXTENDED_ERROR_MSG_SUPPORTED.
func licensing(_ type: UInt8, _ body: [UInt8], flags: UInt8 = 0x83) -> [UInt8] {
    [type, flags] + le16(body.count + 4) + body
}
func licenseBlob(_ type: Int, _ data: [UInt8]) -> [UInt8] { le16(type) + le16(data.count) + data }
let mac = [UInt8](repeating: 0xEE, count: 16)
let random32 = [UInt8](repeating: 0x33, count: 32)

/// Fixtures follow the layouts of MS-RDPELE 2.2.2.x; the Valid Client message is
/// the example of MS-RDPBCGR 4.1.12 (`ff 03 10 00 07 00 00 00 02 00 00 00 04 00 00 00`).
@Suite struct RDPLicensingTests {
    static let validClient = hex("ff 03 10 00 | 07 00 00 00 | 02 00 00 00 | 04 00 00 00")

    @Test func errorAlertValidClient() throws {
        let pdu = try #require(parsed(Self.validClient, LicensingPDU.parse))
        #expect(pdu.preamble.messageTypeName == "ERROR_ALERT" && pdu.preamble.version == 3 && !pdu.preamble.extendedErrorSupported)
        guard case let .errorAlert(e) = pdu.message else { Issue.record("not an error alert"); return }
        #expect(e.errorCodeName == "STATUS_VALID_CLIENT" && e.stateTransitionName == "ST_NO_TRANSITION")
        #expect(e.isValidClient && e.errorInfo == LicensingBlob(type: 4, length: 0))
        #expect(e.errorInfo.typeName == "BB_ERROR_BLOB")
        checkRobustness(Self.validClient, seed: 200, LicensingPDU.parse)
    }

    @Test func errorAlertNoLicenseServerTotalAbort() throws {
        let bytes = licensing(0xFF, le32(0x06) + le32(0x01) + licenseBlob(4, [0xAA, 0xBB, 0xCC]))
        guard case let .errorAlert(e)? = parsed(bytes, LicensingPDU.parse)?.message else { Issue.record("not an error alert"); return }
        #expect(e.errorCodeName == "ERR_NO_LICENSE_SERVER" && e.stateTransitionName == "ST_TOTAL_ABORT")
        #expect(e.errorCodeMeaning != nil && !e.isValidClient && e.errorInfo.length == 3)
        checkRobustness(bytes, seed: 201, LicensingPDU.parse)
    }

    @Test(arguments: [
        (UInt32(0x01), "ERR_INVALID_SERVER_CERTIFICATE"), (0x02, "ERR_NO_LICENSE"), (0x03, "ERR_INVALID_MAC"),
        (0x04, "ERR_INVALID_SCOPE"), (0x08, "ERR_INVALID_CLIENT"), (0x0B, "ERR_INVALID_PRODUCTID"),
        (0x0C, "ERR_INVALID_MESSAGE_LEN"),
    ])
    func errorCodeNames(code: UInt32, name: String) {
        #expect(LicensingCodes.errorCodeName(code) == name)
        #expect(LicensingCodes.errorCodeMeaning(code) != nil)
    }

    @Test func stateTransitionNames() {
        #expect(LicensingCodes.stateTransitionName(3) == "ST_RESET_PHASE_TO_START")
        #expect(LicensingCodes.stateTransitionName(4) == "ST_RESEND_LAST_MESSAGE")
        #expect(LicensingCodes.stateTransitionName(5) == nil)
        #expect(LicensingCodes.errorCodeName(0x05) == nil)
    }

    static let licenseRequest = licensing(0x01, random32
        + le32(0x0006_0000) + le32(44) + utf16le("Microsoft Corporation", terminator: true)
        + le32(8) + utf16le("A02", terminator: true)
        + licenseBlob(0x0D, le32(1))
        + licenseBlob(0x03, [])
        + le32(1) + licenseBlob(0x0E, Array("microsoft.com\0".utf8)))

    @Test func licenseRequest() throws {
        let pdu = try #require(parsed(Self.licenseRequest, LicensingPDU.parse))
        guard case let .licenseRequest(req) = pdu.message else { Issue.record("not a license request"); return }
        #expect(req.productVersion == 0x0006_0000 && req.companyName == "Microsoft Corporation" && req.productId == "A02")
        #expect(req.keyExchangeAlgorithms == [1])
        #expect(req.serverCertificate == LicensingBlob(type: 3, length: 0))
        #expect(req.scopes == ["microsoft.com"])
        #expect(pdu.preamble.extendedErrorSupported)
        checkRobustness(Self.licenseRequest, seed: 202, LicensingPDU.parse)
    }

    @Test func serverMessages() throws {
        let challenge = licensing(0x02, le32(0) + licenseBlob(0x09, [UInt8](repeating: 1, count: 10)) + mac)
        #expect(parsed(challenge, LicensingPDU.parse)?.message
                == .platformChallenge(ServerPlatformChallenge(connectFlags: 0, encryptedPlatformChallenge: LicensingBlob(type: 9, length: 10))))
        let newLicense = licensing(0x03, licenseBlob(0x09, [UInt8](repeating: 2, count: 20)) + mac)
        #expect(parsed(newLicense, LicensingPDU.parse)?.message == .newLicense(ServerNewLicense(encryptedLicenseInfo: LicensingBlob(type: 9, length: 20))))
        let upgrade = licensing(0x04, licenseBlob(0x09, [UInt8](repeating: 3, count: 12)) + mac)
        #expect(parsed(upgrade, LicensingPDU.parse)?.message == .upgradeLicense(ServerNewLicense(encryptedLicenseInfo: LicensingBlob(type: 9, length: 12))))
        for (i, bytes) in [challenge, newLicense, upgrade].enumerated() {
            checkRobustness(bytes, seed: 210 + UInt64(i), mutations: 1000, LicensingPDU.parse)
        }
    }

    @Test func clientMessages() throws {
        let info = licensing(0x12, le32(1) + le32(0x0401_0000) + random32 + licenseBlob(0x02, [UInt8](repeating: 4, count: 72))
            + licenseBlob(0x01, [UInt8](repeating: 5, count: 30)) + licenseBlob(0x09, [UInt8](repeating: 6, count: 24)) + mac)
        guard case let .licenseInfo(li)? = parsed(info, LicensingPDU.parse)?.message else { Issue.record("not license info"); return }
        #expect(li.preferredKeyExchangeAlgorithm == 1 && li.platformId == 0x0401_0000)
        #expect(li.licenseInfo == LicensingBlob(type: 1, length: 30) && li.encryptedHWID.length == 24)

        let request = licensing(0x13, le32(1) + le32(0x0401_0000) + random32 + licenseBlob(0x02, [UInt8](repeating: 4, count: 72))
            + licenseBlob(0x0F, Array("rzhou\0".utf8)) + licenseBlob(0x10, Array("ELTONS-DEV2\0".utf8)))
        guard case let .newLicenseRequest(nr)? = parsed(request, LicensingPDU.parse)?.message else { Issue.record("not a new license request"); return }
        #expect(nr.clientUserName == "rzhou" && nr.clientMachineName == "ELTONS-DEV2")
        #expect(nr.encryptedPreMasterSecret.length == 72)

        let response = licensing(0x15, licenseBlob(0x09, [UInt8](repeating: 7, count: 18)) + licenseBlob(0x09, [UInt8](repeating: 8, count: 20)) + mac)
        #expect(parsed(response, LicensingPDU.parse)?.message == .platformChallengeResponse(ClientPlatformChallengeResponse(
            encryptedPlatformChallengeResponse: LicensingBlob(type: 9, length: 18), encryptedHWID: LicensingBlob(type: 9, length: 20))))
        for (i, bytes) in [info, request, response].enumerated() {
            checkRobustness(bytes, seed: 220 + UInt64(i), mutations: 1000, LicensingPDU.parse)
        }
    }

    @Test(arguments: [
        ("ff 03 03 00", "licensing_msg_size_invalid"),
        ("ff 03 20 00 07 00 00 00 02 00 00 00 04 00 00 00", "licensing_truncated"),
        ("ff 03 10 00 07 00 00 00 02 00 00 00 04 00 00 00 00", "licensing_trailing_bytes"),
        // Error blob claiming 5 bytes inside a 16-byte message.
        ("ff 03 10 00 07 00 00 00 02 00 00 00 04 00 05 00", "licensing_truncated"),
        // Extra byte inside wMsgSize after a complete message.
        ("ff 03 11 00 07 00 00 00 02 00 00 00 04 00 00 00 00", "licensing_trailing_bytes"),
    ] as [(String, String)])
    func malformedLicensing(bytes: String, code: String) {
        #expect(errorCode(hex(bytes), LicensingPDU.parse) == code)
    }

    @Test func unknownMessageTypeIsKept() throws {
        let pdu = try #require(parsed(licensing(0x42, [1, 2, 3]), LicensingPDU.parse))
        #expect(pdu.message == .unknown && pdu.preamble.messageTypeName == nil)
    }

    // MARK: security header and dispatch

    /// MS-RDPBCGR 4.1.10 shape: SEC_EXCHANGE_PKT, length 0x48 (64-byte random + 8 zero bytes).
    static let securityExchange = hex("01 00 00 00 48 00 00 00") + [UInt8](repeating: 0x5C, count: 64) + [UInt8](repeating: 0, count: 8)

    @Test func securityExchange() throws {
        let pdu = try #require(parsed(Self.securityExchange, SecurityExchangePDU.parse))
        #expect(pdu.encryptedClientRandomLength == 72 && pdu.header.flagNames == ["SEC_EXCHANGE_PKT"])
        #expect(parsed(Self.securityExchange, SecuredPDU.parse) == .securityExchange(pdu))
        checkRobustness(Self.securityExchange, seed: 230, SecurityExchangePDU.parse)
        #expect(errorCode(hex("08 00 00 00 00 00 00 00"), SecurityExchangePDU.parse) == "security_exchange_flag_missing")
        #expect(errorCode(Self.securityExchange + [0], SecurityExchangePDU.parse) == "security_trailing_bytes")
    }

    @Test func securedPDUDispatch() throws {
        // Licensing in the clear under Standard RDP Security (SEC_LICENSE_PKT, no SEC_ENCRYPT).
        let lic = hex("80 00 00 00") + Self.validClient
        guard case let .licensing(h, pdu)? = parsed(lic, SecuredPDU.parse) else { Issue.record("not licensing"); return }
        #expect(h.flagNames == ["SEC_LICENSE_PKT"])
        if case let .errorAlert(e) = pdu.message { #expect(e.isValidClient) } else { Issue.record("not an error alert") }
        checkRobustness(lic, seed: 231, SecuredPDU.parse)

        // SEC_LICENSE_PKT | SEC_LICENSE_ENCRYPT_SC (0x0200) is still clear text.
        if case .licensing? = parsed(hex("80 02 00 00") + Self.validClient, SecuredPDU.parse) {} else { Issue.record("0x0280 not licensing") }

        // SEC_ENCRYPT: 8-byte signature + ciphertext left alone.
        let enc = hex("08 00 00 00") + [UInt8](repeating: 0x99, count: 20)
        #expect(parsed(enc, SecuredPDU.parse) == .encrypted(BasicSecurityHeader(flags: 8, flagsHi: 0), payloadLength: 20))
        #expect(BasicSecurityHeader(flags: 0x8048, flagsHi: 0).flagNames == ["SEC_ENCRYPT", "SEC_INFO_PKT", "SEC_FLAGSHI_VALID"])
        #expect(parsed(hex("00 10 00 00 01 02"), SecuredPDU.parse) == .other(BasicSecurityHeader(flags: 0x1000, flagsHi: 0), payloadLength: 2))
        #expect(errorCode(hex("80 00"), SecuredPDU.parse) == "security_truncated")
        #expect(errorCode(hex("80 00 00"), BasicSecurityHeader.parse) == "security_truncated")
    }
}
