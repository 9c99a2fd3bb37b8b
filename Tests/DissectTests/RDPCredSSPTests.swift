import Testing
import Wire
@testable import Dissect

/// TSRequest fixtures built from the MS-CSSP 2.2.1 ASN.1 with DER lengths
/// computed by `ber` (RDPMCSTests.swift).
func tsRequest(version: UInt8 = 6, _ fields: [UInt8]) -> [UInt8] {
    ber([0x30], ber([0xA0], ber([0x02], [version])) + fields)
}
func negoTokens(_ tokens: [[UInt8]]) -> [UInt8] {
    ber([0xA1], ber([0x30], tokens.flatMap { ber([0x30], ber([0xA0], ber([0x04], $0))) }))
}
/// NTLM NEGOTIATE_MESSAGE: signature, MessageType 1, flags, empty domain/workstation fields.
let ntlmNegotiate = Array("NTLMSSP\0".utf8) + le32(1) + hex("b7 82 08 e2") + [UInt8](repeating: 0, count: 16)

@Suite struct RDPCredSSPTests {
    @Test func tsRequestWithNTLMNegotiate() throws {
        let bytes = tsRequest(negoTokens([ntlmNegotiate]))
        let req = try #require(parsed(bytes, TSRequest.parse))
        #expect(req.version == 6 && req.negoTokenCount == 1 && req.negoTokensTotalLength == ntlmNegotiate.count)
        #expect(req.firstNegoToken == .ntlm(messageType: 1))
        #expect(req.authInfoLength == nil && req.pubKeyAuthLength == nil && req.errorCode == nil)
        checkRobustness(bytes, seed: 400, TSRequest.parse)
        // A following record's bytes are left alone.
        #expect(parsed(bytes + [0x30, 0x01], TSRequest.parse, consumed: bytes.count) == req)
    }

    @Test func tsRequestWithSPNEGOWrappedChallenge() throws {
        let challenge = Array("NTLMSSP\0".utf8) + le32(2) + [UInt8](repeating: 0, count: 40)
        let spnego = ber([0xA1], ber([0x30], ber([0xA2], ber([0x04], challenge))))
        let req = try #require(parsed(tsRequest(negoTokens([spnego, [0x60, 0x00]])), TSRequest.parse))
        #expect(req.firstNegoToken == .spnego(tag: 0xA1, ntlmMessageType: 2))
        #expect(req.negoTokenCount == 2)
    }

    @Test func tsRequestWithPubKeyAuthAndNonce() throws {
        let bytes = tsRequest(negoTokens([Array("NTLMSSP\0".utf8) + le32(3) + [UInt8](repeating: 1, count: 60)])
            + ber([0xA3], ber([0x04], [UInt8](repeating: 0xAB, count: 286)))
            + ber([0xA5], ber([0x04], [UInt8](repeating: 0xCD, count: 32))))
        let req = try #require(parsed(bytes, TSRequest.parse))
        #expect(req.firstNegoToken == .ntlm(messageType: 3))
        #expect(req.pubKeyAuthLength == 286 && req.clientNonceLength == 32 && req.authInfoLength == nil)
        checkRobustness(bytes, seed: 401, TSRequest.parse)
    }

    @Test func tsRequestWithAuthInfoOnly() throws {
        let req = try #require(parsed(tsRequest(ber([0xA2], ber([0x04], [UInt8](repeating: 0x11, count: 90)))), TSRequest.parse))
        #expect(req.authInfoLength == 90 && req.negoTokenCount == 0 && req.firstNegoToken == nil)
    }

    @Test(arguments: [
        // DER of the positive value needs a leading zero byte...
        (hex("00 c0 00 00 6d"), UInt32(0xC000_006D), "STATUS_LOGON_FAILURE"),
        // ...some encoders send the 32-bit pattern as a negative INTEGER.
        (hex("c0 00 00 6d"), 0xC000_006D, "STATUS_LOGON_FAILURE"),
        (hex("00 c0 00 02 34"), 0xC000_0234, "STATUS_ACCOUNT_LOCKED_OUT"),
        (hex("00 c0 00 01 5b"), 0xC000_015B, "STATUS_LOGON_TYPE_NOT_GRANTED"),
        (hex("00 80 09 03 0c"), 0x8009_030C, "SEC_E_LOGON_DENIED"),
    ] as [([UInt8], UInt32, String)])
    func tsRequestWithErrorCode(integer: [UInt8], code: UInt32, name: String) throws {
        let bytes = tsRequest(version: 6, ber([0xA4], ber([0x02], integer)))
        let req = try #require(parsed(bytes, TSRequest.parse))
        #expect(req.errorCode == code && req.errorCodeName == name && req.errorCodeMeaning != nil)
        checkRobustness(bytes, seed: 402 + UInt64(integer.count), mutations: 1000, TSRequest.parse)
    }

    @Test(arguments: [
        (UInt32(0xC000_006E), "STATUS_ACCOUNT_RESTRICTION"), (0xC000_0071, "STATUS_PASSWORD_EXPIRED"),
        (0xC000_0072, "STATUS_ACCOUNT_DISABLED"), (0xC000_0224, "STATUS_PASSWORD_MUST_CHANGE"),
        (0xC000_0022, "STATUS_ACCESS_DENIED"), (0xC000_006A, "STATUS_WRONG_PASSWORD"),
        (0xC000_0064, "STATUS_NO_SUCH_USER"),
    ])
    func ntStatusNames(code: UInt32, name: String) {
        #expect(NTStatusCodes.name(code) == name)
        #expect(NTStatusCodes.name(0xC000_9999) == nil)
    }

    @Test(arguments: [
        ("04 00", "credssp_not_tsrequest"),
        // [1] before [0]: out of order.
        ("30 0a a1 03 30 01 00 a0 03 02 01 06", "credssp_tag_unexpected"),
        // No version.
        ("30 04 a2 02 04 00", "credssp_version_missing"),
        // Version INTEGER of 6 bytes.
        ("30 0a a0 08 02 06 01 02 03 04 05 06", "credssp_integer_invalid"),
        // Field contents longer than the element.
        ("30 07 a0 05 02 01 06 00 00", "credssp_trailing_bytes"),
        // Indefinite length.
        ("30 80 00 00", "credssp_length_invalid"),
    ] as [(String, String)])
    func malformedTSRequest(bytes: String, code: String) {
        #expect(errorCode(hex(bytes), TSRequest.parse) == code)
    }

    @Test func tokenCountIsBounded() {
        let bytes = tsRequest(negoTokens([[UInt8]](repeating: [0x01], count: 17)))
        #expect(errorCode(bytes, TSRequest.parse) == "credssp_too_many_tokens")
    }

    @Test func tsRequestNeedsTheWholeSequence() {
        #expect(run(hex("30 82 01"), TSRequest.parse) == .needMore(minimum: 5))
        #expect(run(hex("30 82 01 00 a0"), TSRequest.parse) == .needMore(minimum: 260))
    }

    // MARK: Early User Authorization Result (MS-RDPBCGR 2.2.10.2)

    @Test(arguments: [
        ("00 00 00 00", UInt32(0), "AUTHZ_SUCCESS"),
        ("05 00 00 00", UInt32(5), "AUTHZ_ACCESS_DENIED"),
    ] as [(String, UInt32, String)])
    func earlyUserAuthorizationResult(bytes: String, value: UInt32, name: String) {
        let r = parsed(hex(bytes), EarlyUserAuthorizationResult.parse)
        #expect(r?.result == value && r?.name == name && r?.isAccessDenied == (value == 5))
        checkRobustness(hex(bytes), seed: 410 + UInt64(value), mutations: 200, EarlyUserAuthorizationResult.parse)
    }

    @Test func earlyUserAuthorizationResultIsExactlyFourBytes() {
        #expect(run(hex("05 00 00"), EarlyUserAuthorizationResult.parse) == .needMore(minimum: 4))
        #expect(errorCode(hex("05 00 00 00 00"), EarlyUserAuthorizationResult.parse) == "euar_length_invalid")
        #expect(parsed(hex("07 00 00 00"), EarlyUserAuthorizationResult.parse)?.name == nil)
    }
}
