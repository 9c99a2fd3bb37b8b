import Testing
import Wire
@testable import Dissect

/// Share control header + body: totalLength counts the 6 header bytes.
func shareControl(_ pduType: Int, _ body: [UInt8], source: Int = 1002) -> [UInt8] {
    le16(body.count + 6) + le16(pduType) + le16(source) + body
}

/// Set Error Info PDU (MS-RDPBCGR 2.2.5.1): share data header with pduType2 0x2F, then errorInfo.
func setErrorInfo(_ code: UInt32) -> [UInt8] {
    shareControl(0x17, le32(0x0001_03EA) + [0x00, 0x01] + le16(8) + [0x2F, 0x00] + le16(0) + le32(code), source: 0)
}

@Suite struct RDPShareTests {
    @Test(arguments: [
        (UInt32(0x07), "ERRINFO_SERVER_DENIED_CONNECTION"),
        (0x10A, "ERRINFO_LICENSE_NO_REMOTE_CONNECTIONS"),
        (0x410, "ERRINFO_CB_CONNECTION_ERROR_INVALID_SETTINGS"),
        (0x10F0, "ERRINFO_VCHANNELSTOOMANY"),
        (0x1115, "ERRINFO_SECURITYDATATOOSHORT6"),
        (0x19, "ERRINFO_SERVER_SHUTDOWN"),
    ])
    func setErrorInfoPDU(code: UInt32, name: String) throws {
        let bytes = setErrorInfo(code)
        let pdu = try #require(parsed(bytes, ShareControlPDU.parse) ?? nil)
        #expect(pdu.header.totalLength == 22 && pdu.header.type == 7 && pdu.header.version == 1 && pdu.header.pduSource == 0)
        guard case let .data(data, errorInfo) = pdu.body else { Issue.record("not data"); return }
        #expect(data.shareId == 0x0001_03EA && data.streamId == 1 && data.pduType2Name == "PDUTYPE2_SET_ERROR_INFO_PDU")
        #expect(errorInfo?.errorInfo == code && errorInfo?.name == name && errorInfo?.meaning != nil)
        #expect(ByteCursorBox(bytes).plausible)
        checkRobustness(bytes, seed: 300 + UInt64(code), mutations: 1000, ShareControlPDU.parse)
    }

    /// Unknown codes must parse, with no name (reports print the number).
    @Test func setErrorInfoUnknownCode() throws {
        let pdu = try #require(parsed(setErrorInfo(0x0000_7777), ShareControlPDU.parse) ?? nil)
        guard case let .data(_, errorInfo?) = pdu.body else { Issue.record("no error info"); return }
        #expect(errorInfo.errorInfo == 0x7777 && errorInfo.name == nil && errorInfo.meaning == nil)
        #expect(ErrorInfoCodes.name(0x1127) == nil && ErrorInfoCodes.name(0) == "ERRINFO_NONE")
    }

    static let capabilities = le16(2) + le16(0)
        + le16(1) + le16(24) + [UInt8](repeating: 0, count: 20)
        + le16(2) + le16(28) + [UInt8](repeating: 0, count: 24)
    static let demandActive = shareControl(0x11, le32(0x0001_03EA) + le16(4) + le16(capabilities.count)
        + Array("RDP\0".utf8) + capabilities + le32(0))

    @Test func demandActive() throws {
        let pdu = try #require(parsed(Self.demandActive, ShareControlPDU.parse) ?? nil)
        #expect(pdu.header.typeName == "PDUTYPE_DEMANDACTIVEPDU")
        guard case let .demandActive(da) = pdu.body else { Issue.record("not demand active"); return }
        #expect(da.shareId == 0x0001_03EA && da.sourceDescriptor == "RDP" && da.sessionId == 0)
        #expect(da.capabilitySets == [CapabilitySetHeader(type: 1, length: 24), CapabilitySetHeader(type: 2, length: 28)])
        #expect(da.capabilitySets.map(\.name) == ["CAPSTYPE_GENERAL", "CAPSTYPE_BITMAP"])
        checkRobustness(Self.demandActive, seed: 310, ShareControlPDU.parse)
    }

    @Test func confirmActive() throws {
        let bytes = shareControl(0x13, le32(0x0001_03EA) + le16(1002) + le16(6) + le16(Self.capabilities.count)
            + Array("MSTSC\0".utf8) + Self.capabilities)
        guard case let .confirmActive(ca)? = (parsed(bytes, ShareControlPDU.parse) ?? nil)?.body else { Issue.record("not confirm active"); return }
        #expect(ca.originatorId == 1002 && ca.sourceDescriptor == "MSTSC" && ca.capabilitySets.count == 2)
        checkRobustness(bytes, seed: 311, mutations: 1000, ShareControlPDU.parse)
    }

    @Test func deactivateAll() throws {
        let bytes = shareControl(0x16, le32(0x0001_03EA) + le16(1) + [0x00])
        let pdu = try #require(parsed(bytes, ShareControlPDU.parse) ?? nil)
        #expect(pdu.body == .deactivateAll(DeactivateAllPDU(shareId: 0x0001_03EA, sourceDescriptorLength: 1)))
        checkRobustness(bytes, seed: 312, ShareControlPDU.parse)
    }

    @Test func redirectionFlowAndOthers() throws {
        #expect((parsed(shareControl(0x1A, [1, 2, 3, 4]), ShareControlPDU.parse) ?? nil)?.body == .serverRedirection)
        #expect((parsed(shareControl(0x1F, []), ShareControlPDU.parse) ?? nil)?.body == .other)
        // totalLength 0x8000: a T.128 flow PDU, ignored.
        #expect(run(hex("00 80 41 00 00 00 00 00"), ShareControlPDU.parse) == .parsed(nil, consumed: 8))
        // Two PDUs back to back: only the first is consumed.
        let two = setErrorInfo(7) + setErrorInfo(9)
        #expect(parsed(two, ShareControlPDU.parse, consumed: 22) != nil)
    }

    @Test(arguments: [
        ("04 00 17 00 00 00", "share_length_invalid"),
        ("20 00 17 00 00 00", "share_truncated"),
        // Demand Active announcing 3 capability sets but carrying none.
        ("16 00 11 00 ea 03 | ea 03 01 00 00 00 04 00 | 03 00 00 00 | 00 00 00 00", "share_capability_count_mismatch"),
        // Capability set length 2.
        ("1a 00 11 00 ea 03 | ea 03 01 00 00 00 08 00 | 01 00 00 00 01 00 02 00 | 00 00 00 00", "share_capability_length_invalid"),
        // Set Error Info with 2 extra bytes.
        ("18 00 17 00 00 00 ea 03 01 00 00 01 08 00 2f 00 00 00 07 00 00 00 00 00", "share_trailing_bytes"),
    ] as [(String, String)])
    func malformedShare(bytes: String, code: String) {
        #expect(errorCode(hex(bytes), ShareControlPDU.parse) == code)
    }

    @Test func plausibility() {
        #expect(ByteCursorBox(setErrorInfo(7)).plausible)
        #expect(!ByteCursorBox(hex("80 00 00 00") + RDPLicensingTests.validClient).plausible)
    }

    // MARK: Client Info PDU

    /// TS_INFO_PACKET with INFO_UNICODE: domain "NTDEV", user "rzhou", a password that must not survive.
    static let clientInfo = le32(0) + le32(0x17B) + le16(10) + le16(10) + le16(14) + le16(0) + le16(0)
        + utf16le("NTDEV", terminator: true) + utf16le("rzhou", terminator: true)
        + utf16le("secret1", terminator: true) + [0, 0] + [0, 0]

    @Test func clientInfoPacket() throws {
        let info = try #require(parsed(Self.clientInfo, ClientInfoPacket.parse))
        #expect(info.domain == "NTDEV" && info.userName == "rzhou" && info.isUnicode)
        #expect(info.alternateShell == "" && info.workingDir == "" && info.extraInfoLength == 0 && info.passwordLength == 14)
        #expect(info.flagNames.contains("INFO_AUTOLOGON") && info.flagNames.contains("INFO_UNICODE"))
        #expect(!String(describing: info).contains("secret"))
        let secured = hex("40 00 00 00") + Self.clientInfo
        guard case let .clientInfo(h, same)? = parsed(secured, SecuredPDU.parse) else { Issue.record("not client info"); return }
        #expect(h.flags == 0x40 && same == info)
        checkRobustness(Self.clientInfo, seed: 320, ClientInfoPacket.parse)
        checkRobustness(secured, seed: 321, SecuredPDU.parse)
    }

    @Test func clientInfoAnsiWithExtraInfo() throws {
        let ansi = le32(0) + le32(0x0B) + le16(0) + le16(4) + le16(0) + le16(0) + le16(0)
            + [0] + Array("user".utf8) + [0] + [0] + [0] + [0] + [0x02, 0x00, 0x04, 0x00]
        let info = try #require(parsed(ansi, ClientInfoPacket.parse))
        #expect(info.userName == "user" && info.domain == "" && !info.isUnicode && info.extraInfoLength == 4)
    }
}

/// Keeps test bytes alive while a cursor over them is inspected.
struct ByteCursorBox {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    var plausible: Bool { bytes.withUnsafeBytes { ShareControlHeader.isPlausible(ByteCursor($0)) } }
}
