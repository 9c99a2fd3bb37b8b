import Wire

/// X.224 Connection Request [X.224 §13.3; MS-RDPBCGR 2.2.1.1]: fixed part,
/// then (all inside the length indicator) an optional routing token or
/// cookie, an optional RDP_NEG_REQ and optional correlation info.
public struct X224ConnectionRequest: Equatable, Sendable {
    public var destinationReference: UInt16
    public var sourceReference: UInt16
    public var classOption: UInt8
    public var token: X224RequestToken?
    public var negotiationRequest: RDPNegotiationRequest?
    public var correlationInfo: RDPNegotiationCorrelationInfo?

    /// Parses a CR from the TPKT payload (the bytes after the 4-byte TPKT
    /// header, exactly as many as the TPKT length announced).
    // [X.224 §13.3; MS-RDPBCGR 2.2.1.1]
    public static func parse(_ payload: ByteCursor) -> DissectResult<X224ConnectionRequest> {
        DissectResult { () throws(DissectError) in
            var r = try X224Fixed.open(payload, code: X224Codes.connectionRequest)
            let dst = try r.u16be()
            let src = try r.u16be()
            let classOption = try r.u8()
            var cr = X224ConnectionRequest(destinationReference: dst, sourceReference: src, classOption: classOption)
            cr.token = try X224RequestToken.read(&r)
            if !r.isAtEnd {
                cr.negotiationRequest = try RDPNegotiationRequest.read(&r)
            }
            if !r.isAtEnd {
                cr.correlationInfo = try RDPNegotiationCorrelationInfo.read(&r)
            }
            try r.expectEnd("x224_trailing_bytes")
            return (cr, payload.remaining)
        }
    }
}

/// The text before RDP_NEG_REQ in a CR [MS-RDPBCGR 2.2.1.1]: either the
/// mstsc cookie or a routing token (load-balancer / Connection Broker).
public enum X224RequestToken: Equatable, Sendable {
    /// `Cookie: mstshash=IDENTIFIER\r\n`: mstsc sends the (often truncated) user name.
    case cookie(identifier: String)
    /// `Cookie: msts=IP.PORT.RESERVED\r\n`, decoded where the numbers allow.
    case routingToken(RDPRoutingToken)
    /// Any other token text (e.g. `tsv://MS Terminal Services Plugin.1.collection`), without CRLF.
    case other(text: String)

    static let cookiePrefix = Array("Cookie: mstshash=".utf8)
    static let routingPrefix = Array("Cookie: msts=".utf8)

    /// nil when the variable part starts directly with RDP_NEG_REQ or is empty.
    static func read(_ r: inout PDUReader) throws(DissectError) -> X224RequestToken? {
        let rest = r.cursor.unread
        if rest.isEmpty { return nil }
        // RDP_NEG_REQ right away (type byte 0x01). Token text is printable, so
        // a control byte here cannot be the start of a token.
        if rest[0] == RDPNegotiationRequest.type { return nil }
        // Every token ends with CR LF; search inside the LI-bounded part only.
        var end = -1
        var i = 0
        while i + 1 < rest.count {
            if rest[i] == 0x0D, rest[i + 1] == 0x0A { end = i; break }
            i += 1
        }
        guard end >= 0 else { throw r.fail("x224_token_unterminated") }
        let text = try r.bytes(end)
        try r.skip(2)
        if text.starts(with: cookiePrefix) {
            let id = UnsafeRawBufferPointer(rebasing: text[cookiePrefix.count...])
            return .cookie(identifier: String(decoding: id, as: UTF8.self))
        }
        let whole = String(decoding: text, as: UTF8.self)
        if text.starts(with: routingPrefix) {
            let body = UnsafeRawBufferPointer(rebasing: text[routingPrefix.count...])
            return .routingToken(RDPRoutingToken(text: whole, body: body))
        }
        return .other(text: whole)
    }
}

/// A decoded `msts=` routing token. The IP and port are decimal renderings of
/// network-order bytes read as little-endian integers (learn.microsoft.com
/// "IMsRdpClientAdvancedSettings::LoadBalanceInfo"): 3640205228.15629 is
/// 172.31.249.216:3389.
public struct RDPRoutingToken: Equatable, Sendable {
    /// The whole token text without CR LF.
    public var text: String
    public var address: IPAddress?
    public var port: UInt16?
    /// The third dot-separated field, kept as text.
    public var reserved: String?

    /// "ip:port" when both decoded.
    public var endpoint: String? {
        guard let address, let port else { return nil }
        return "\(address):\(port)"
    }

    init(text: String, body: UnsafeRawBufferPointer) {
        self.text = text
        let parts = body.split(separator: UInt8(ascii: "."), maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3,
              let ip = Self.decimal(parts[0], max: UInt64(UInt32.max)),
              let port = Self.decimal(parts[1], max: UInt64(UInt16.max))
        else { return }
        address = IPAddress(ipv4: UInt32(truncatingIfNeeded: ip).byteSwapped)
        self.port = UInt16(truncatingIfNeeded: port).byteSwapped
        reserved = String(decoding: parts[2], as: UTF8.self)
    }

    /// Strict unsigned decimal (digits only, at most `max`), else nil.
    static func decimal(_ digits: Slice<UnsafeRawBufferPointer>, max: UInt64) -> UInt64? {
        guard !digits.isEmpty, digits.count <= 20 else { return nil }
        var value: UInt64 = 0
        for d in digits {
            guard d >= UInt8(ascii: "0"), d <= UInt8(ascii: "9") else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(d - UInt8(ascii: "0")))
            guard !o1, !o2, s <= max else { return nil }
            value = s
        }
        return value
    }
}

/// X.224 Connection Confirm [X.224 §13.4; MS-RDPBCGR 2.2.1.2].
public struct X224ConnectionConfirm: Equatable, Sendable {
    public enum Negotiation: Equatable, Sendable {
        case response(RDPNegotiationResponse)
        case failure(RDPNegotiationFailure)
        /// No RDP_NEG_* at all: a legacy server, i.e. Standard RDP Security.
        case legacy
    }

    public var destinationReference: UInt16
    public var sourceReference: UInt16
    public var classOption: UInt8
    public var negotiation: Negotiation

    /// The protocol the connection continues with; nil after a failure.
    public var selectedProtocol: UInt32? {
        switch negotiation {
        case let .response(rsp): rsp.selectedProtocol
        case .legacy: RDPSecurityProtocol.rdp
        case .failure: nil
        }
    }

    /// Parses a CC from the TPKT payload.
    // [X.224 §13.4; MS-RDPBCGR 2.2.1.2, 2.2.1.2.1, 2.2.1.2.2]
    public static func parse(_ payload: ByteCursor) -> DissectResult<X224ConnectionConfirm> {
        DissectResult { () throws(DissectError) in
            var r = try X224Fixed.open(payload, code: X224Codes.connectionConfirm)
            let dst = try r.u16be()
            let src = try r.u16be()
            let classOption = try r.u8()
            var negotiation = Negotiation.legacy
            if let type = r.cursor.peek() {
                switch type {
                case RDPNegotiationResponse.type:
                    let (flags, value) = try readNegotiation(&r, expecting: type)
                    negotiation = .response(RDPNegotiationResponse(flags: flags, selectedProtocol: value))
                case RDPNegotiationFailure.type:
                    let (flags, value) = try readNegotiation(&r, expecting: type)
                    negotiation = .failure(RDPNegotiationFailure(flags: flags, failureCode: value))
                default:
                    throw r.fail("rdp_neg_type_unexpected", "type \(type) in a connection confirm")
                }
            }
            try r.expectEnd("x224_trailing_bytes")
            let cc = X224ConnectionConfirm(destinationReference: dst, sourceReference: src,
                                           classOption: classOption, negotiation: negotiation)
            return (cc, payload.remaining)
        }
    }
}

/// X.224 Disconnect Request [X.224 §13.5]. Rare in RDP: servers normally end
/// with an MCS Disconnect Provider Ultimatum inside a Data TPDU instead.
public struct X224DisconnectRequest: Equatable, Sendable {
    public var destinationReference: UInt16
    public var sourceReference: UInt16
    public var reason: UInt8
    /// Bytes of parameters in the variable part (inside LI) plus user data after it.
    public var trailingLength: Int

    public var reasonName: String? { X224Codes.disconnectReasonName(reason) }

    // [X.224 §13.5]: user data may follow the header, so only LI ≤ payload is required.
    public static func parse(_ payload: ByteCursor) -> DissectResult<X224DisconnectRequest> {
        DissectResult { () throws(DissectError) in
            var all = PDUReader(payload, truncated: "x224_truncated")
            let li = try all.length(all.u8())
            var r = try all.sub(li)
            let code = try r.u8()
            guard code == X224Codes.disconnectRequest else {
                throw DissectError("x224_tpdu_unexpected", offset: r.offset - 1, detail: "code 0x" + String(code, radix: 16))
            }
            let dst = try r.u16be()
            let src = try r.u16be()
            let reason = try r.u8()
            let dr = X224DisconnectRequest(destinationReference: dst, sourceReference: src, reason: reason,
                                           trailingLength: r.remaining + all.remaining)
            return (dr, payload.remaining)
        }
    }
}

/// X.224 Data TPDU header [X.224 §13.7]: `02 F0 80` in class 0 (LI 2, DT,
/// EOT set). MCS follows; `consumed` is the 3 header bytes.
public struct X224DataHeader: Equatable, Sendable {
    public static let size = 3
    /// End of TSDU mark (0x80 bit): RDP always sets it.
    public var endOfTSDU: Bool
    public var sequenceNumber: UInt8

    // [X.224 §13.7]
    public static func parse(_ payload: ByteCursor) -> DissectResult<X224DataHeader> {
        DissectResult { () throws(DissectError) in
            var r = PDUReader(payload, truncated: "x224_truncated")
            let li = try r.u8()
            guard li == 2 else { throw DissectError("x224_length_mismatch", offset: payload.offset, detail: "DT with LI \(li)") }
            let code = try r.u8()
            guard code & 0xF0 == X224Codes.data else {
                throw DissectError("x224_tpdu_unexpected", offset: payload.offset + 1, detail: "code 0x" + String(code, radix: 16))
            }
            let eot = try r.u8()
            return (X224DataHeader(endOfTSDU: eot & 0x80 != 0, sequenceNumber: eot & 0x7F), size)
        }
    }
}

/// Any X.224 TPDU found in a TPKT payload, dispatched on its code byte.
public enum X224TPDU: Equatable, Sendable {
    case connectionRequest(X224ConnectionRequest)
    case connectionConfirm(X224ConnectionConfirm)
    case disconnectRequest(X224DisconnectRequest)
    /// `consumed` is 3: the MCS PDU starts right after.
    case data(X224DataHeader)
    /// DC or ER: recognised, not parsed.
    case other(code: UInt8)

    // [X.224 §13.1]
    public static func parse(_ payload: ByteCursor) -> DissectResult<X224TPDU> {
        guard let code = payload.peek(1) else {
            return .malformed(DissectError("x224_truncated", offset: payload.offset))
        }
        switch code & 0xF0 {
        case X224Codes.connectionRequest: return X224ConnectionRequest.parse(payload).mapParsed(X224TPDU.connectionRequest)
        case X224Codes.connectionConfirm: return X224ConnectionConfirm.parse(payload).mapParsed(X224TPDU.connectionConfirm)
        case X224Codes.disconnectRequest: return X224DisconnectRequest.parse(payload).mapParsed(X224TPDU.disconnectRequest)
        case X224Codes.data: return X224DataHeader.parse(payload).mapParsed(X224TPDU.data)
        case X224Codes.disconnectConfirm, X224Codes.error: return .parsed(.other(code: code), consumed: payload.remaining)
        default:
            return .malformed(DissectError("x224_tpdu_unknown", offset: payload.offset + 1, detail: "code 0x" + String(code, radix: 16)))
        }
    }
}

/// The fixed part shared by CR and CC: the length indicator must cover the
/// whole TPKT payload (class 0 CR/CC carry no user data after it), then the
/// code byte (high nibble; the low nibble is the credit, 0 in class 0).
enum X224Fixed {
    static func open(_ payload: ByteCursor, code expected: UInt8) throws(DissectError) -> PDUReader {
        var r = PDUReader(payload, truncated: "x224_truncated")
        let li = Int(try r.u8())
        guard li >= 6 else { throw DissectError("x224_length_invalid", offset: payload.offset, detail: "LI \(li)") }
        guard li <= r.remaining else { throw r.truncated() }
        guard li == r.remaining else {
            throw DissectError("x224_length_mismatch", offset: payload.offset,
                               detail: "LI \(li) but \(r.remaining) bytes follow")
        }
        let code = try r.u8()
        guard code & 0xF0 == expected else {
            throw DissectError("x224_tpdu_unexpected", offset: payload.offset + 1, detail: "code 0x" + String(code, radix: 16))
        }
        return r
    }
}
