import Testing
import Wire
@testable import Dissect

// Builders for the BER/PER layers, so each fixture reads as its fields. The
// shapes follow MS-RDPBCGR 4.1.3 (Client MCS Connect Initial) and 4.1.4
// (Server MCS Connect Response) with the lengths recomputed.

func berLength(_ n: Int) -> [UInt8] {
    n < 0x80 ? [UInt8(n)] : n < 0x100 ? [0x81, UInt8(n)] : [0x82, UInt8(n >> 8), UInt8(n & 0xFF)]
}
func ber(_ tag: [UInt8], _ contents: [UInt8]) -> [UInt8] { tag + berLength(contents.count) + contents }
func perLength(_ n: Int) -> [UInt8] { n < 0x80 ? [UInt8(n)] : [0x80 | UInt8(n >> 8), UInt8(n & 0xFF)] }
func block(_ type: UInt16, _ body: [UInt8]) -> [UInt8] { le16(Int(type)) + le16(body.count + 4) + body }

/// DomainParameters as in MS-RDPBCGR 4.1.3 targetParameters (maxMCSPDUsize 0xFFFF sent as 02 03 00 ff ff).
let targetParameters = ber([0x30], hex("02 01 22 02 01 02 02 01 00 02 01 01 02 01 00 02 01 01 02 03 00 ff ff 02 01 02"))

func connectInitial(_ blocks: [UInt8]) -> [UInt8] {
    let inner = hex("00 08 00 10 00 01 c0 00") + Array("Duca".utf8) + perLength(blocks.count) + blocks
    let gcc = hex("00 05 00 14 7c 00 01") + perLength(inner.count) + inner
    return ber([0x7F, 0x65], ber([0x04], [0x01]) + ber([0x04], [0x01]) + hex("01 01 ff")
        + targetParameters + targetParameters + targetParameters + ber([0x04], gcc))
}

func connectResponse(_ blocks: [UInt8], result: UInt8 = 0) -> [UInt8] {
    // connectPDU length 0x2a as Windows sends it (wrong on purpose, see GCC.swift).
    let gcc = hex("00 05 00 14 7c 00 01 2a 14 76 0a 01 01 00 01 c0 00") + Array("McDn".utf8) + perLength(blocks.count) + blocks
    return ber([0x7F, 0x66], ber([0x0A], [result]) + ber([0x02], [0x00]) + targetParameters + ber([0x04], gcc))
}

/// CS_CORE fields up to imeFileName (MS-RDPBCGR 4.1.3 values, client name "ELTONS-DEV2").
let csCoreMandatory = le32(0x0008_0004) + le16(1024) + le16(768) + le16(0xCA01) + le16(0xAA03)
    + le32(0x409) + le32(2600) + utf16le("ELTONS-DEV2", padTo: 32) + le32(4) + le32(0) + le32(12)
    + [UInt8](repeating: 0, count: 64)
/// ... through earlyCapabilityFlags (RNS_UD_CS_SUPPORT_ERRINFO_PDU): a legal early stop.
let csCoreShortTail = csCoreMandatory + le16(0xCA01) + le16(1) + le32(0) + le16(24) + le16(0x0F) + le16(0x0001)
/// ... through deviceScaleFactor: every optional field the spec defines.
let csCoreFullTail = csCoreShortTail + utf16le("69712-783-0357974-42714", padTo: 64) + [0x06, 0x00]
    + le32(0x0B) + le32(340) + le32(190) + le16(0) + le32(100) + le32(100)

let csSecurity = block(0xC002, le32(0x1B) + le32(0))
let csNet = block(0xC003, le32(2) + Array("rdpdr\0\0\0".utf8) + le32(0x8080_0000) + Array("cliprdr\0".utf8) + le32(0xC0A0_0000))
let csCluster = block(0xC004, le32(0x0D) + le32(0))

let rsaModulus = [UInt8](repeating: 0xA5, count: 72)
let proprietaryCert = le32(1) + le32(1) + le32(1) + le16(6) + le16(20 + 72)
    + hex("52 53 41 31") + le32(72) + le32(512) + le32(63) + le32(0x10001) + rsaModulus
    + le16(8) + le16(72) + [UInt8](repeating: 0x5A, count: 72)
/// Two fake DER blobs, temporary bit set, 8 + 4*2 padding bytes.
let fakeDER1 = hex("30 03 02 01 01")
let fakeDER2 = hex("30 04 02 02 01 00")
let x509ChainCert = le32(0x8000_0002) + le32(2) + le32(UInt32(fakeDER1.count)) + fakeDER1
    + le32(UInt32(fakeDER2.count)) + fakeDER2 + [UInt8](repeating: 0, count: 16)

func scSecurity(_ cert: [UInt8]) -> [UInt8] {
    block(0x0C02, le32(0x02) + le32(0x02) + le32(32) + le32(UInt32(cert.count)) + [UInt8](repeating: 0x11, count: 32) + cert)
}
let scCore = block(0x0C01, le32(0x0008_0004) + le32(0) + le32(0x1))
let scNet = block(0x0C03, le16(1003) + le16(2) + le16(1004) + le16(1005))

@Suite struct RDPMCSTests {
    @Test func connectInitialWithFullCoreSecurityNetAndCluster() throws {
        let mcs = connectInitial(block(0xC001, csCoreFullTail) + csSecurity + csNet + csCluster + block(0xC006, le32(0)))
        let ci = try #require(parsed(mcs, MCSConnectInitial.parse))
        #expect(ci.callingDomainSelector == [1] && ci.calledDomainSelector == [1] && ci.upwardFlag)
        #expect(ci.targetParameters.maxChannelIds == 34 && ci.targetParameters.maxMCSPDUsize == 0xFFFF)
        #expect(ci.targetParameters.protocolVersion == 2)
        #expect(ci.conference.h221Key == "Duca")
        let core = try #require(ci.conference.core)
        #expect(core.version == 0x0008_0004 && core.desktopWidth == 1024 && core.desktopHeight == 768)
        #expect(core.colorDepth == 0xCA01 && core.keyboardLayout == 0x409 && core.clientBuild == 2600)
        #expect(core.clientName == "ELTONS-DEV2")
        #expect(core.keyboardType == 4 && core.keyboardSubType == 0 && core.keyboardFunctionKey == 12)
        #expect(core.earlyCapabilityFlags == 1 && core.supportsErrorInfoPDU)
        #expect(core.earlyCapabilityNames == ["RNS_UD_CS_SUPPORT_ERRINFO_PDU"])
        #expect(core.clientDigProductId == "69712-783-0357974-42714")
        #expect(core.connectionType == 6)
        #expect(core.serverSelectedProtocol == 0x0B)
        #expect(core.desktopPhysicalWidth == 340 && core.desktopOrientation == 0 && core.deviceScaleFactor == 100)
        #expect(core.unknownTailLength == 0)
        #expect(ci.conference.security == ClientSecurityData(encryptionMethods: 0x1B, extEncryptionMethods: 0))
        #expect(ci.conference.security?.encryptionMethodNames == ["ENCRYPTION_METHOD_40BIT", "ENCRYPTION_METHOD_128BIT",
                                                                  "ENCRYPTION_METHOD_56BIT", "ENCRYPTION_METHOD_FIPS"])
        let net = try #require(ci.conference.network)
        #expect(net.channels.map(\.name) == ["rdpdr", "cliprdr"])
        #expect(net.channels[1].options == 0xC0A0_0000)
        #expect(net.channels[0].optionNames == ["CHANNEL_OPTION_COMPRESS_RDP", "CHANNEL_OPTION_INITIALIZED"])
        #expect(ci.conference.cluster?.flagNames == ["REDIRECTION_SUPPORTED"])
        #expect(ci.conference.cluster?.redirectionVersion == 3)
        #expect(ci.conference.blocks.last == .other(type: 0xC006, length: 8))
        #expect(try #require(parsed(mcs, MCSPDU.parse)) == .connectInitial(ci))
        checkRobustness(mcs, seed: 100, MCSConnectInitial.parse)
    }

    @Test func connectInitialWithShortCoreTail() throws {
        let mcs = connectInitial(block(0xC001, csCoreShortTail) + csSecurity)
        let core = try #require(parsed(mcs, MCSConnectInitial.parse)?.conference.core)
        #expect(core.earlyCapabilityFlags == 1 && core.highColorDepth == 24)
        #expect(core.clientDigProductId == nil && core.serverSelectedProtocol == nil && core.deviceScaleFactor == nil)
        checkRobustness(mcs, seed: 101, MCSConnectInitial.parse)
    }

    @Test func connectInitialWithMandatoryCoreOnly() throws {
        let core = try #require(parsed(connectInitial(block(0xC001, csCoreMandatory)), MCSConnectInitial.parse)?.conference.core)
        #expect(core.postBeta2ColorDepth == nil && !core.supportsErrorInfoPDU)
    }

    @Test(arguments: [
        // A CS_CORE tail stopping inside postBeta2ColorDepth.
        (connectInitial(block(0xC001, csCoreMandatory + [0x01])), "cs_core_partial_field"),
        // A block length below its own header.
        (connectInitial(le16(0xC002) + le16(2)), "gcc_block_length_invalid"),
        // A block running past the user data.
        (connectInitial(le16(0xC002) + le16(40) + le32(0)), "gcc_truncated"),
        // CS_SECURITY with 4 extra bytes.
        (connectInitial(block(0xC002, le32(0) + le32(0) + le32(0))), "gcc_trailing_bytes"),
        // CS_NET announcing more channels than its bytes hold.
        (connectInitial(block(0xC003, le32(1000))), "gcc_truncated"),
        // Wrong outer tag (Connect-Response where Connect-Initial expected).
        (connectResponse([]), "mcs_ber_tag_unexpected"),
        // Bytes after the BER element.
        (connectInitial(csSecurity) + [0x00], "mcs_trailing_bytes"),
        // Indefinite BER length.
        (hex("7f 65 80 00 00"), "mcs_ber_length_invalid"),
    ] as [([UInt8], String)])
    func malformedConnectInitial(bytes: [UInt8], code: String) {
        #expect(errorCode(bytes, MCSConnectInitial.parse) == code)
    }

    @Test func gccKeyAndH221KeyAreChecked() {
        var badKey = connectInitial(csSecurity)
        // Find "Duca" and change it.
        if let i = (0..<(badKey.count - 3)).first(where: { Array(badKey[$0..<$0 + 4]) == Array("Duca".utf8) }) {
            badKey[i] = UInt8(ascii: "X")
        }
        #expect(errorCode(badKey, MCSConnectInitial.parse) == "gcc_h221_key_unexpected")
        #expect(errorCode(hex("00 05 00 14 7c 00 02 00"), GCCConferenceCreateRequest.parse) == "gcc_key_unexpected")
    }

    @Test func connectResponseWithProprietaryCertificate() throws {
        let mcs = connectResponse(scCore + scSecurity(proprietaryCert) + scNet)
        let cr = try #require(parsed(mcs, MCSConnectResponse.parse))
        #expect(cr.result == 0 && cr.resultName == "rt-successful" && cr.calledConnectId == 0)
        let gcc = try #require(cr.conference)
        #expect(gcc.nodeId == 0x760A + 1001 && gcc.tag == 1 && gcc.result == 0 && gcc.resultName == "success")
        #expect(gcc.h221Key == "McDn")
        #expect(gcc.core == ServerCoreData(version: 0x0008_0004, clientRequestedProtocols: 0, earlyCapabilityFlags: 1))
        #expect(gcc.core?.earlyCapabilityNames == ["RNS_UD_SC_EDGE_ACTIONS_SUPPORTED_V1"])
        let sec = try #require(gcc.security)
        #expect(sec.encryptionMethodName == "ENCRYPTION_METHOD_128BIT")
        #expect(sec.encryptionLevelName == "ENCRYPTION_LEVEL_CLIENT_COMPATIBLE")
        #expect(sec.serverRandomLength == 32)
        let cert = try #require(sec.certificate)
        #expect(cert.chainVersion == 1 && !cert.isTemporary)
        #expect(cert.body == .proprietary(ProprietaryServerCertificate(
            signatureAlgorithmId: 1, keyAlgorithmId: 1, keyBitLength: 512, publicExponent: 0x10001,
            modulusLength: 72, signatureLength: 72)))
        #expect(gcc.network == ServerNetworkData(mcsChannelId: 1003, channelIds: [1004, 1005]))
        #expect(try #require(parsed(mcs, MCSPDU.parse)) == .connectResponse(cr))
        checkRobustness(mcs, seed: 102, MCSConnectResponse.parse)
    }

    @Test func connectResponseWithX509Chain() throws {
        let oddNet = block(0x0C03, le16(1003) + le16(1) + le16(1004) + le16(0))
        let mcs = connectResponse(scCore + scSecurity(x509ChainCert) + oddNet)
        let gcc = try #require(parsed(mcs, MCSConnectResponse.parse)?.conference)
        let cert = try #require(gcc.security?.certificate)
        #expect(cert.chainVersion == 2 && cert.isTemporary)
        #expect(cert.body == .x509Chain(certificates: [fakeDER1, fakeDER2], paddingLength: 16))
        #expect(gcc.network?.channelIds == [1004])
        checkRobustness(mcs, seed: 103, MCSConnectResponse.parse)
    }

    @Test func connectResponseWithEnhancedSecurity() throws {
        // TLS/CredSSP: method and level both 0, no random, no certificate.
        let mcs = connectResponse(scCore + block(0x0C02, le32(0) + le32(0)) + scNet)
        let sec = try #require(parsed(mcs, MCSConnectResponse.parse)?.conference?.security)
        #expect(sec.encryptionLevelName == "ENCRYPTION_LEVEL_NONE" && sec.certificate == nil && sec.serverRandomLength == 0)
    }

    @Test func refusedConnectResponse() throws {
        // rt-user-rejected (15) with empty user data.
        let mcs = ber([0x7F, 0x66], ber([0x0A], [15]) + ber([0x02], [0x00]) + targetParameters + ber([0x04], []))
        let cr = try #require(parsed(mcs, MCSConnectResponse.parse))
        #expect(cr.resultName == "rt-user-rejected" && cr.conference == nil)
    }

    @Test func certificateCountIsBounded() {
        let cert = le32(2) + le32(100_000) + le32(1) + [0x30]
        #expect(errorCode(cert, ServerCertificate.parse) == "server_certificate_count_invalid")
        let badMagic = le32(1) + le32(1) + le32(1) + le16(6) + le16(20) + hex("00 00 00 00") + le32(0) + le32(0) + le32(0) + le32(0) + le16(8) + le16(0)
        #expect(errorCode(badMagic, ServerCertificate.parse) == "server_certificate_rsa_magic_invalid")
        #expect(parsed(x509ChainCert, ServerCertificate.parse)?.isTemporary == true)
        // The chain ends in free-length padding: prefixes are checked inside SC_SECURITY above.
        checkRobustness(x509ChainCert, seed: 104, prefixes: false, ServerCertificate.parse)
    }

    // MARK: domain PDUs (T.125 ALIGNED PER; values from MS-RDPBCGR 4.1.5-4.1.9)

    @Test(arguments: [
        ("04 01 00 01 00", MCSDomainPDU.erectDomainRequest(subHeight: 0, subInterval: 0), "erectDomainRequest"),
        ("28", .attachUserRequest, "attachUserRequest"),
        ("2e 00 00 06", .attachUserConfirm(result: 0, initiator: 1007), "attachUserConfirm"),
        // result 14 split across bytes: 0x2F low bit + 0xC0 top 3 bits; no initiator.
        ("2d c0", .attachUserConfirm(result: 14, initiator: nil), "attachUserConfirm"),
        ("38 00 06 03 eb", .channelJoinRequest(initiator: 1007, channelId: 1003), "channelJoinRequest"),
        ("3e 00 00 06 03 eb 03 eb", .channelJoinConfirm(result: 0, initiator: 1007, requested: 1003, channelId: 1003), "channelJoinConfirm"),
        ("3c 20 00 06 03 ed", .channelJoinConfirm(result: 1, initiator: 1007, requested: 1005, channelId: nil), "channelJoinConfirm"),
        ("21 80", .disconnectProviderUltimatum(reason: 3), "disconnectProviderUltimatum"),
        ("20 80", .disconnectProviderUltimatum(reason: 1), "disconnectProviderUltimatum"),
        ("30", .other(choice: 12), "detachUserRequest"),
    ] as [(String, MCSDomainPDU, String)])
    func domainPDUs(bytes: String, expected: MCSDomainPDU, name: String) {
        let b = hex(bytes)
        let pdu = parsed(b, MCSDomainPDU.parse)
        #expect(pdu == expected)
        #expect(pdu?.name == name)
        checkRobustness(b, seed: UInt64(b.count) * 7 + UInt64(b[0]), mutations: 500, MCSDomainPDU.parse)
    }

    @Test func resultAndReasonNames() {
        #expect(MCSCodes.resultName(14) == "rt-unspecified-failure")
        #expect(MCSCodes.resultName(16) == nil)
        #expect(MCSCodes.reasonName(3) == "rn-user-requested")
        #expect(MCSCodes.reasonName(5) == nil)
        #expect(MCSCodes.gccResultName(1) == "userRejected")
    }

    @Test func sendDataRequestAndIndication() throws {
        let payload = hex("40 00 00 00 aa bb cc dd")
        let sdrq = hex("64 00 06 03 eb 70") + perLength(payload.count) + payload
        guard case let .sendDataRequest(sd)? = parsed(sdrq, MCSDomainPDU.parse) else { Issue.record("not SDrq"); return }
        #expect(sd.initiator == 1007 && sd.channelId == 1003 && sd.priority == 1 && sd.segmentation == 3)
        #expect(sd.userData == 7..<15)
        // The range addresses the same buffer the PDU was parsed from.
        let slice: [UInt8]? = sdrq.withUnsafeBytes { raw in ByteCursor(raw).window(sd.userData).map { Array($0.unread) } }
        #expect(slice == payload)
        checkRobustness(sdrq, seed: 105, MCSDomainPDU.parse)

        let big = [UInt8](repeating: 0x42, count: 300)
        let sdin = hex("68 00 01 03 eb 70") + perLength(big.count) + big
        guard case let .sendDataIndication(si)? = parsed(sdin, MCSDomainPDU.parse) else { Issue.record("not SDin"); return }
        #expect(si.initiator == 1002 && si.userData.count == 300 && si.userData.lowerBound == 8)
        checkRobustness(sdin, seed: 106, mutations: 500, MCSDomainPDU.parse)
    }

    @Test(arguments: [
        ("2e 00", "mcs_truncated"),
        ("21 80 00", "mcs_trailing_bytes"),
        ("fc", "mcs_domain_choice_invalid"),
        ("64 00 06 03 eb 70 05 00", "mcs_truncated"),
        ("64 00 06 03 eb 70 c1 00", "mcs_per_fragmented_unsupported"),
        ("38 ff ff 03 eb", "mcs_integer_invalid"),
        ("04 05 00 00 00 00 00 01 00", "mcs_integer_invalid"),
    ] as [(String, String)])
    func malformedDomainPDUs(bytes: String, code: String) {
        #expect(errorCode(hex(bytes), MCSDomainPDU.parse) == code)
    }
}
