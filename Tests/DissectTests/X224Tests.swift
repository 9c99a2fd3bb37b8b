import Testing
import Wire
@testable import Dissect

/// Frames, TPKT/X.224 connection setup and the negotiation structures.
/// Fixtures are built from MS-RDPBCGR 2.2.1.1/2.2.1.2 and the examples in
/// shared/reference/rdp-failure-codes.md §2-§3 (lengths recomputed by hand).
@Suite struct X224Tests {
    /// The TPKT payload of a whole slow-path frame, after checking the framing
    /// helper sees exactly one complete TPKT PDU.
    func payload(_ frame: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> [UInt8] {
        let f = parsed(frame, RDPFraming.frame, sourceLocation: sourceLocation)
        #expect(f == RDPFrame(kind: .slowPath, length: frame.count, headerLength: 4), sourceLocation: sourceLocation)
        return Array(frame.dropFirst(4))
    }

    // MARK: connection request

    /// Reference §3 CR example, extended with CORRELATION_INFO_PRESENT (0x08),
    /// requestedProtocols SSL|HYBRID|HYBRID_EX (0x0B) and a correlation id.
    /// LI 0x4A = 6 fixed + 24 cookie + 8 NEG_REQ + 36 correlation info.
    static let crCookieNegCorrelation = hex("""
        03 00 00 4f | 4a e0 00 00 00 00 00
        43 6f 6f 6b 69 65 3a 20 6d 73 74 73 68 61 73 68 3d 72 7a 68 6f 75 0d 0a
        01 08 08 00 0b 00 00 00
        06 00 24 00 | 00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff | 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
        """)

    @Test func connectionRequestWithCookieNegotiationAndCorrelation() throws {
        let body = payload(Self.crCookieNegCorrelation)
        let cr = try #require(parsed(body, X224ConnectionRequest.parse))
        #expect(cr.token == .cookie(identifier: "rzhou"))
        #expect(cr.negotiationRequest == RDPNegotiationRequest(flags: 0x08, requestedProtocols: 0x0B))
        #expect(cr.negotiationRequest?.flagNames == ["CORRELATION_INFO_PRESENT"])
        #expect(cr.negotiationRequest?.requestedProtocolNames == ["PROTOCOL_SSL", "PROTOCOL_HYBRID", "PROTOCOL_HYBRID_EX"])
        #expect(cr.correlationInfo?.correlationIdHex == "00112233445566778899aabbccddeeff")
        #expect(cr.sourceReference == 0 && cr.classOption == 0)
        checkRobustness(body, seed: 1, X224ConnectionRequest.parse)
        checkRobustness(Self.crCookieNegCorrelation, seed: 2, RDPFraming.frame)
    }

    /// The reference's exact CR example: cookie "rzhou", NEG_REQ SSL|HYBRID.
    @Test func referenceConnectionRequest() throws {
        let frame = hex("03 00 00 2b 26 e0 00 00 00 00 00") + Array("Cookie: mstshash=rzhou\r\n".utf8)
            + hex("01 00 08 00 03 00 00 00")
        let cr = try #require(parsed(payload(frame), X224ConnectionRequest.parse))
        #expect(cr.token == .cookie(identifier: "rzhou"))
        #expect(cr.negotiationRequest?.requestedProtocols == 3)
        #expect(cr.correlationInfo == nil)
        #expect(try #require(parsed(payload(frame), X224TPDU.parse)) == .connectionRequest(cr))
    }

    /// Routing token example of reference §3: 3640205228.15629 = 172.31.249.216:3389.
    @Test func connectionRequestWithRoutingToken() throws {
        let token = Array("Cookie: msts=3640205228.15629.0000\r\n".utf8)
        let li = 6 + token.count + 8
        let frame = hex("03 00") + be16(li + 5) + [UInt8(li)] + hex("e0 00 00 00 00 00") + token + hex("01 00 08 00 00 00 00 00")
        let body = payload(frame)
        let cr = try #require(parsed(body, X224ConnectionRequest.parse))
        guard case let .routingToken(rt)? = cr.token else { Issue.record("no routing token: \(String(describing: cr.token))"); return }
        #expect(rt.endpoint == "172.31.249.216:3389")
        #expect(rt.reserved == "0000")
        #expect(rt.text == "Cookie: msts=3640205228.15629.0000")
        #expect(cr.negotiationRequest?.requestedProtocolNames == ["PROTOCOL_RDP"])
        checkRobustness(body, seed: 3, X224ConnectionRequest.parse)
    }

    @Test func undecodableRoutingTokenKeepsText() throws {
        let token = Array("Cookie: msts=notanumber.1.0\r\n".utf8)
        let li = 6 + token.count
        let body = [UInt8(li)] + hex("e0 00 00 00 00 00") + token
        let cr = try #require(parsed(body, X224ConnectionRequest.parse))
        guard case let .routingToken(rt)? = cr.token else { Issue.record("expected routing token"); return }
        #expect(rt.address == nil && rt.endpoint == nil)
        #expect(rt.text == "Cookie: msts=notanumber.1.0")
    }

    @Test func otherTokenTextIsKept() throws {
        let token = Array("tsv://MS Terminal Services Plugin.1.Sessions\r\n".utf8)
        let body = [UInt8(6 + token.count + 8)] + hex("e0 00 00 00 00 00") + token + hex("01 00 08 00 01 00 00 00")
        let cr = try #require(parsed(body, X224ConnectionRequest.parse))
        #expect(cr.token == .other(text: "tsv://MS Terminal Services Plugin.1.Sessions"))
        #expect(cr.negotiationRequest?.requestedProtocols == 1)
    }

    /// A CR with neither token nor RDP_NEG_REQ (pre-RDP 5.2 clients).
    @Test func bareConnectionRequest() throws {
        let body = payload(hex("03 00 00 0b 06 e0 00 00 00 00 00"))
        let cr = try #require(parsed(body, X224ConnectionRequest.parse))
        #expect(cr.token == nil && cr.negotiationRequest == nil && cr.correlationInfo == nil)
        checkRobustness(body, seed: 4, X224ConnectionRequest.parse)
    }

    @Test(arguments: [
        // LI larger than the payload: the PDU claims more than its TPKT carries.
        ("07 e0 00 00 00 00 00", "x224_truncated"),
        // LI shorter than the payload: bytes outside the CR.
        ("06 e0 00 00 00 00 00 00", "x224_length_mismatch"),
        ("05 e0 00 00 00 00", "x224_length_invalid"),
        // A CC code where a CR was expected.
        ("06 d0 00 00 00 00 00", "x224_tpdu_unexpected"),
        // Cookie text without CR LF.
        ("0c e0 00 00 00 00 00 43 6f 6f 6b 69 65", "x224_token_unterminated"),
        // NEG_REQ with length 9.
        ("0e e0 00 00 00 00 00 01 00 09 00 00 00 00 00", "rdp_neg_length_invalid"),
        // A correlation-info slot holding something else.
        ("12 e0 00 00 00 00 00 01 00 08 00 00 00 00 00 07 00 08 00", "rdp_neg_type_unexpected"),
        // A NEG_REQ cut short inside the LI-bounded part.
        ("0a e0 00 00 00 00 00 01 00 08 00", "x224_truncated"),
    ] as [(String, String)])
    func malformedConnectionRequests(bytes: String, code: String) {
        #expect(errorCode(hex(bytes), X224ConnectionRequest.parse) == code)
    }

    // MARK: connection confirm

    /// Reference §2 example CC: RDP_NEG_RSP selecting HYBRID_EX.
    @Test func referenceConnectionConfirm() throws {
        let frame = hex("03 00 00 13 0e d0 00 00 12 34 00 02 00 08 00 08 00 00 00")
        let body = payload(frame)
        let cc = try #require(parsed(body, X224ConnectionConfirm.parse))
        #expect(cc.sourceReference == 0x1234)
        #expect(cc.negotiation == .response(RDPNegotiationResponse(flags: 0, selectedProtocol: 8)))
        #expect(cc.selectedProtocol == RDPSecurityProtocol.hybridEx)
        checkRobustness(body, seed: 5, X224ConnectionConfirm.parse)
        checkRobustness(frame, seed: 6, RDPFraming.frame)
    }

    @Test(arguments: [
        (UInt32(0x00), "PROTOCOL_RDP"), (0x01, "PROTOCOL_SSL"), (0x02, "PROTOCOL_HYBRID"),
        (0x04, "PROTOCOL_RDSTLS"), (0x08, "PROTOCOL_HYBRID_EX"), (0x10, "PROTOCOL_RDSAAD"),
    ])
    func connectionConfirmSelects(selected: UInt32, name: String) throws {
        // flags 0x1F: every RSP flag the spec defines.
        let body = hex("0e d0 00 00 12 34 00 02 1f 08 00") + le32(selected)
        let cc = try #require(parsed(body, X224ConnectionConfirm.parse))
        guard case let .response(rsp) = cc.negotiation else { Issue.record("not a response"); return }
        #expect(rsp.selectedProtocol == selected)
        #expect(rsp.selectedProtocolName == name)
        #expect(rsp.flagNames == ["EXTENDED_CLIENT_DATA_SUPPORTED", "DYNVC_GFX_PROTOCOL_SUPPORTED", "NEGRSP_FLAG_RESERVED",
                                  "RESTRICTED_ADMIN_MODE_SUPPORTED", "REDIRECTED_AUTHENTICATION_MODE_SUPPORTED"])
        checkRobustness(body, seed: UInt64(selected) + 10, mutations: 300, X224ConnectionConfirm.parse)
    }

    @Test(arguments: [
        (UInt32(1), "SSL_REQUIRED_BY_SERVER"), (2, "SSL_NOT_ALLOWED_BY_SERVER"), (3, "SSL_CERT_NOT_ON_SERVER"),
        (4, "INCONSISTENT_FLAGS"), (5, "HYBRID_REQUIRED_BY_SERVER"), (6, "SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER"),
    ])
    func connectionConfirmFailure(code: UInt32, name: String) throws {
        let body = hex("0e d0 00 00 12 34 00 03 00 08 00") + le32(code)
        let cc = try #require(parsed(body, X224ConnectionConfirm.parse))
        guard case let .failure(failure) = cc.negotiation else { Issue.record("not a failure"); return }
        #expect(failure.failureCode == code)
        #expect(failure.failureName == name)
        #expect(failure.failureMeaning != nil)
        #expect(cc.selectedProtocol == nil)
        checkRobustness(body, seed: UInt64(code) + 20, mutations: 300, X224ConnectionConfirm.parse)
    }

    @Test func unknownFailureCodeIsKept() throws {
        let cc = try #require(parsed(hex("0e d0 00 00 00 00 00 03 00 08 00 99 00 00 00"), X224ConnectionConfirm.parse))
        #expect(cc.negotiation == .failure(RDPNegotiationFailure(flags: 0, failureCode: 0x99)))
        #expect(RDPNegotiationFailureCode.name(0x99) == nil)
    }

    /// A CC without RDP_NEG_*: legacy server, Standard RDP Security.
    @Test func legacyConnectionConfirm() throws {
        let body = payload(hex("03 00 00 0b 06 d0 00 00 12 34 00"))
        let cc = try #require(parsed(body, X224ConnectionConfirm.parse))
        #expect(cc.negotiation == .legacy)
        #expect(cc.selectedProtocol == RDPSecurityProtocol.rdp)
        checkRobustness(body, seed: 30, X224ConnectionConfirm.parse)
    }

    @Test func connectionConfirmRejectsARequestType() {
        #expect(errorCode(hex("0e d0 00 00 12 34 00 01 00 08 00 00 00 00 00"), X224ConnectionConfirm.parse) == "rdp_neg_type_unexpected")
    }

    // MARK: disconnect, data, dispatch

    @Test func disconnectRequest() throws {
        let body = payload(hex("03 00 00 0b 06 80 00 00 12 34 80"))
        let dr = try #require(parsed(body, X224DisconnectRequest.parse))
        #expect(dr.reason == 128 && dr.sourceReference == 0x1234 && dr.trailingLength == 0)
        #expect(dr.reasonName == "normal disconnect initiated by session entity")
        #expect(try #require(parsed(body, X224TPDU.parse)) == .disconnectRequest(dr))
        checkRobustness(body, seed: 31, X224DisconnectRequest.parse)
    }

    /// Reference §3: `03 00 00 09 02 f0 80 21 80` is a DT carrying DPUm reason 3.
    @Test func dataHeader() throws {
        let body = payload(hex("03 00 00 09 02 f0 80 21 80"))
        let dt = try #require(parsed(body, X224DataHeader.parse, consumed: 3))
        #expect(dt.endOfTSDU && dt.sequenceNumber == 0)
        #expect(try #require(parsed(body, X224TPDU.parse, consumed: 3)) == .data(dt))
        #expect(errorCode(hex("03 f0 80 00"), X224DataHeader.parse) == "x224_length_mismatch")
        #expect(errorCode(hex("02 f1"), X224DataHeader.parse) == "x224_truncated")
        #expect(errorCode(hex("06 10 00 00 00 00 00"), X224TPDU.parse) == "x224_tpdu_unknown")
    }

    // MARK: framing

    @Test(arguments: [
        // 1-byte length form: 5 bytes in total.
        ("00 05 01 02 03", RDPFrame(kind: .fastPath, length: 5, headerLength: 2)),
        // 2-byte length form (0x80 bit): 0x0006.
        ("c4 80 06 aa bb cc", RDPFrame(kind: .fastPath, length: 6, headerLength: 3)),
        ("03 00 00 07 02 f0 80", RDPFrame(kind: .slowPath, length: 7, headerLength: 4)),
    ] as [(String, RDPFrame)])
    func framing(bytes: String, frame: RDPFrame) {
        let b = hex(bytes)
        #expect(parsed(b, RDPFraming.frame) == frame)
        checkRobustness(b, seed: UInt64(b.count), mutations: 500, RDPFraming.frame)
        // With a following PDU's bytes already there, only this frame is consumed.
        #expect(parsed(b + [0x03, 0x00], RDPFraming.frame, consumed: b.count) == frame)
    }

    @Test(arguments: [
        ("16 03 01 00 05", "framing_not_rdp"),  // TLS handshake record
        ("15 03 03 00 02", "framing_not_rdp"),  // TLS alert
        ("03 00 00 06 02 f0", "tpkt_length_invalid"),
        ("00 01", "fastpath_length_invalid"),
        ("00 80 02", "fastpath_length_invalid"),
    ] as [(String, String)])
    func framingRejects(bytes: String, code: String) {
        #expect(errorCode(hex(bytes), RDPFraming.frame) == code)
    }

    @Test func framingAsksForTheWholePDU() {
        #expect(run(hex("03 00 01 00 02 f0 80"), RDPFraming.frame) == .needMore(minimum: 256))
        #expect(run(hex("00 80"), RDPFraming.frame) == .needMore(minimum: 3))
        #expect(run([], RDPFraming.frame) == .needMore(minimum: 1))
        #expect(run(hex("03 00 00"), TPKTHeader.parse) == .needMore(minimum: 4))
        #expect(run(hex("04 00 00 0b"), TPKTHeader.parse).malformedError?.code == "tpkt_version_invalid")
    }
}
