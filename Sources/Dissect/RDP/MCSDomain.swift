import Wire

/// The user data of MCS Send Data Request/Indication [T.125 §11.32-11.33]:
/// who sent it, on which channel, and where the payload lies.
public struct MCSSendData: Equatable, Sendable {
    public var initiator: UInt16
    public var channelId: UInt16
    /// dataPriority ENUMERATED: top, high, medium, low.
    public var priority: UInt8
    /// segmentation BIT STRING {begin, end}: 0b11 for an unsegmented PDU.
    public var segmentation: UInt8
    /// Absolute byte range of the user data in the parsed buffer; take it with
    /// `ByteCursor.window(_:)` to parse the security header and what follows.
    public var userData: Range<Int>
}

/// DomainMCSPDU [T.125 §7 part 10], ALIGNED PER: the first byte is the CHOICE
/// index << 2, and its low 2 bits start the alternative's own fields.
public enum MCSDomainPDU: Equatable, Sendable {
    case erectDomainRequest(subHeight: UInt32, subInterval: UInt32)
    case disconnectProviderUltimatum(reason: UInt8)
    case attachUserRequest
    /// initiator is the user channel id given to the client (nil if absent).
    case attachUserConfirm(result: UInt8, initiator: UInt16?)
    case channelJoinRequest(initiator: UInt16, channelId: UInt16)
    case channelJoinConfirm(result: UInt8, initiator: UInt16, requested: UInt16, channelId: UInt16?)
    case sendDataRequest(MCSSendData)
    case sendDataIndication(MCSSendData)
    /// Any other alternative RDP does not use in the handshake: recognised, not parsed.
    case other(choice: UInt8)

    public var choice: UInt8 {
        switch self {
        case .erectDomainRequest: 1
        case .disconnectProviderUltimatum: 8
        case .attachUserRequest: 10
        case .attachUserConfirm: 11
        case .channelJoinRequest: 14
        case .channelJoinConfirm: 15
        case .sendDataRequest: 25
        case .sendDataIndication: 26
        case let .other(choice): choice
        }
    }

    public var name: String? { MCSCodes.domainPDUName(choice) }

    /// Parses one DomainMCSPDU occupying all of `mcs` (the rest of the TPKT payload).
    // [T.125 §7 part 10, §10-§11]
    public static func parse(_ mcs: ByteCursor) -> DissectResult<MCSDomainPDU> {
        DissectResult { () throws(DissectError) in
            var r = PDUReader(mcs, truncated: "mcs_truncated")
            let first = try r.u8()
            let choice = first >> 2
            let pdu: MCSDomainPDU
            switch choice {
            case 1:
                pdu = .erectDomainRequest(subHeight: try r.perInteger(), subInterval: try r.perInteger())
            case 8:
                // reason: 3-bit ENUMERATED across the first two bytes.
                let second = try r.u8()
                pdu = .disconnectProviderUltimatum(reason: (first & 0x03) << 1 | second >> 7)
            case 10:
                pdu = .attachUserRequest
            case 11:
                // optional-initiator bit, then a 4-bit result across two bytes.
                let second = try r.u8()
                let result = (first & 0x01) << 3 | second >> 5
                let initiator = first & 0x02 != 0 ? try r.userId() : nil
                pdu = .attachUserConfirm(result: result, initiator: initiator)
            case 14:
                pdu = .channelJoinRequest(initiator: try r.userId(), channelId: try r.u16be())
            case 15:
                let second = try r.u8()
                let result = (first & 0x01) << 3 | second >> 5
                let initiator = try r.userId()
                let requested = try r.u16be()
                let channel = first & 0x02 != 0 ? try r.u16be() : nil
                pdu = .channelJoinConfirm(result: result, initiator: initiator, requested: requested, channelId: channel)
            case 25, 26:
                let initiator = try r.userId()
                let channel = try r.u16be()
                let flags = try r.u8()
                let start = r.offset
                let first = try r.u8()
                // Lengths of 16K and more are sent in PER fragments; RDP PDUs that
                // large do not occur in the handshake, so they are rejected here.
                guard first & 0xC0 != 0xC0 else { throw DissectError("mcs_per_fragmented_unsupported", offset: start) }
                var n = Int(first)
                if first & 0x80 != 0 { n = Int(first & 0x3F) << 8 | Int(try r.u8()) }
                let data = try r.sub(try r.length(n))
                let sd = MCSSendData(initiator: initiator, channelId: channel, priority: flags >> 6,
                                     segmentation: (flags >> 4) & 0x03, userData: data.offset..<(data.offset + n))
                pdu = choice == 25 ? .sendDataRequest(sd) : .sendDataIndication(sd)
            default:
                guard MCSCodes.domainPDUName(choice) != nil else {
                    throw DissectError("mcs_domain_choice_invalid", offset: mcs.offset, detail: "choice \(choice)")
                }
                return (.other(choice: choice), mcs.remaining)
            }
            try r.expectEnd("mcs_trailing_bytes")
            return (pdu, mcs.remaining)
        }
    }
}

extension PDUReader {
    /// UserId = DynamicChannelId (1001..65535), sent as an offset from 1001.
    mutating func userId() throws(DissectError) -> UInt16 {
        let raw = UInt32(try u16be()) + 1001
        guard let id = UInt16(exactly: raw) else { throw fail("mcs_integer_invalid", "user id \(raw)") }
        return id
    }

    /// A semi-constrained PER INTEGER: length byte (1-4) then big-endian octets.
    mutating func perInteger() throws(DissectError) -> UInt32 {
        let n = Int(try u8())
        guard (1...4).contains(n) else { throw fail("mcs_integer_invalid", "\(n)-byte integer") }
        var v: UInt32 = 0
        for _ in 0..<n { v = v << 8 | UInt32(try u8()) }
        return v
    }
}
