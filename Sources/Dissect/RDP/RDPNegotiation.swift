import Wire

// The 8-byte negotiation structures share one layout:
// type u8 | flags u8 | length u16le (= 8) | value u32le.

/// RDP_NEG_REQ [MS-RDPBCGR 2.2.1.1.1]: what the client offers.
public struct RDPNegotiationRequest: Equatable, Sendable {
    public static let type: UInt8 = 0x01
    public var flags: UInt8
    /// Bitmask of RDPSecurityProtocol values; 0 = Standard RDP Security only.
    public var requestedProtocols: UInt32

    public var flagNames: [String] { RDPNegotiationRequestFlags.names(flags) }
    public var requestedProtocolNames: [String] { RDPSecurityProtocol.names(mask: requestedProtocols) }

    // [MS-RDPBCGR 2.2.1.1.1]
    public static func parse(_ bytes: ByteCursor) -> DissectResult<RDPNegotiationRequest> {
        DissectResult { () throws(DissectError) in
            var r = PDUReader(bytes, truncated: "rdp_neg_truncated")
            let v = try read(&r)
            return (v, r.offset - bytes.offset)
        }
    }

    static func read(_ r: inout PDUReader) throws(DissectError) -> RDPNegotiationRequest {
        let (flags, value) = try readNegotiation(&r, expecting: type)
        return RDPNegotiationRequest(flags: flags, requestedProtocols: value)
    }
}

/// RDP_NEG_RSP [MS-RDPBCGR 2.2.1.2.1]: the protocol the server chose.
public struct RDPNegotiationResponse: Equatable, Sendable {
    public static let type: UInt8 = 0x02
    public var flags: UInt8
    /// A single RDPSecurityProtocol value; != 0 means TLS starts right after the CC.
    public var selectedProtocol: UInt32

    public var flagNames: [String] { RDPNegotiationResponseFlags.names(flags) }
    public var selectedProtocolName: String? { RDPSecurityProtocol.name(selectedProtocol) }

    // [MS-RDPBCGR 2.2.1.2.1]
    public static func parse(_ bytes: ByteCursor) -> DissectResult<RDPNegotiationResponse> {
        DissectResult { () throws(DissectError) in
            var r = PDUReader(bytes, truncated: "rdp_neg_truncated")
            let (flags, value) = try readNegotiation(&r, expecting: type)
            return (RDPNegotiationResponse(flags: flags, selectedProtocol: value), r.offset - bytes.offset)
        }
    }
}

/// RDP_NEG_FAILURE [MS-RDPBCGR 2.2.1.2.2]: the server refused every offer.
public struct RDPNegotiationFailure: Equatable, Sendable {
    public static let type: UInt8 = 0x03
    /// Must be 0; kept so a report can show a nonconforming peer.
    public var flags: UInt8
    public var failureCode: UInt32

    public var failureName: String? { RDPNegotiationFailureCode.name(failureCode) }
    public var failureMeaning: String? { RDPNegotiationFailureCode.meaning(failureCode) }

    // [MS-RDPBCGR 2.2.1.2.2]
    public static func parse(_ bytes: ByteCursor) -> DissectResult<RDPNegotiationFailure> {
        DissectResult { () throws(DissectError) in
            var r = PDUReader(bytes, truncated: "rdp_neg_truncated")
            let (flags, value) = try readNegotiation(&r, expecting: type)
            return (RDPNegotiationFailure(flags: flags, failureCode: value), r.offset - bytes.offset)
        }
    }
}

/// RDP_NEG_CORRELATION_INFO [MS-RDPBCGR 2.2.1.1.2]: a 16-byte id the client
/// also logs, useful to match a capture with server event logs.
public struct RDPNegotiationCorrelationInfo: Equatable, Sendable {
    public static let type: UInt8 = 0x06
    public static let length = 36
    public var flags: UInt8
    public var correlationId: [UInt8]

    /// The id as 32 lowercase hex digits, in wire order.
    public var correlationIdHex: String { RDPText.hex(correlationId) }

    static func read(_ r: inout PDUReader) throws(DissectError) -> RDPNegotiationCorrelationInfo {
        let start = r.offset
        let type = try r.u8()
        guard type == Self.type else {
            throw DissectError("rdp_neg_type_unexpected", offset: start, detail: "type \(type)")
        }
        let flags = try r.u8()
        let length = try r.u16le()
        guard Int(length) == Self.length else {
            throw DissectError("rdp_neg_length_invalid", offset: start + 2, detail: "length \(length)")
        }
        let id = try r.array(16)
        try r.skip(16)  // reserved
        return RDPNegotiationCorrelationInfo(flags: flags, correlationId: id)
    }
}

/// Reads the common 8-byte negotiation layout and checks its type and length.
func readNegotiation(_ r: inout PDUReader, expecting type: UInt8) throws(DissectError) -> (UInt8, UInt32) {
    let start = r.offset
    let t = try r.u8()
    guard t == type else {
        throw DissectError("rdp_neg_type_unexpected", offset: start, detail: "type \(t), expected \(type)")
    }
    let flags = try r.u8()
    let length = try r.u16le()
    guard length == 8 else {
        throw DissectError("rdp_neg_length_invalid", offset: start + 2, detail: "length \(length)")
    }
    let value = try r.u32le()
    return (flags, value)
}
