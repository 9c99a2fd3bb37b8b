import Wire

/// TPKT header [T.123 §8; MS-RDPBCGR 2.2.1.1]: version 3, a reserved byte and
/// a big-endian length that includes these 4 bytes. Every slow-path RDP PDU
/// starts with one.
public struct TPKTHeader: Equatable, Sendable {
    public static let version: UInt8 = 3
    public static let size = 4
    /// The smallest PDU a TPKT can carry in RDP is an X.224 Data TPDU header
    /// (3 bytes), so 7 is the least meaningful total length.
    public static let minimumLength = 7

    /// Whole PDU length, header included.
    public var length: Int
    public var reserved: UInt8

    public init(length: Int, reserved: UInt8 = 0) {
        self.length = length
        self.reserved = reserved
    }

    /// Stream-level parse of the 4 header bytes from the unread bytes of one
    /// direction. `.parsed(header, consumed: 4)`; `.needMore(4)` before that.
    // [T.123 §8]
    public static func parse(_ unread: ByteCursor) -> DissectResult<TPKTHeader> {
        var c = unread
        let start = c.offset
        guard c.remaining >= size else { return .needMore(minimum: size) }
        guard let version = c.u8(), let reserved = c.u8(), let length = c.u16be() else {
            return .needMore(minimum: size)
        }
        guard version == TPKTHeader.version else {
            return .malformed(DissectError("tpkt_version_invalid", offset: start, detail: "version \(version)"))
        }
        guard Int(length) >= minimumLength else {
            return .malformed(DissectError("tpkt_length_invalid", offset: start + 2, detail: "length \(length)"))
        }
        return .parsed(TPKTHeader(length: Int(length), reserved: reserved), consumed: size)
    }
}

/// The header of a fast-path PDU [MS-RDPBCGR 2.2.8.1.2 TS_FP_INPUT_PDU,
/// 2.2.9.1.2 TS_FP_UPDATE_PDU]: an action/flags byte whose low 2 bits are 0
/// (FASTPATH_ACTION_FASTPATH), then a 1- or 2-byte length (high bit of the
/// first length byte selects the 2-byte form) counting the whole PDU.
public struct FastPathHeader: Equatable, Sendable {
    /// fpInputHeader / fpOutputHeader byte as sent.
    public var headerByte: UInt8
    /// Whole PDU length, header included.
    public var length: Int
    /// 2 or 3: bytes used by the header byte and the length.
    public var headerLength: Int

    /// Bits 2-5: numEvents (input) or reserved (output).
    public var numberOfEvents: Int { Int((headerByte >> 2) & 0x0F) }
    /// Bits 6-7: FASTPATH_INPUT_SECURE_CHECKSUM (0x1) / _ENCRYPTED (0x2).
    public var flags: UInt8 { headerByte >> 6 }
    public var isEncrypted: Bool { flags & 0x2 != 0 }

    // [MS-RDPBCGR 2.2.8.1.2, 2.2.9.1.2]
    public static func parse(_ unread: ByteCursor) -> DissectResult<FastPathHeader> {
        var c = unread
        let start = c.offset
        guard let first = c.u8(), let length1 = c.u8() else { return .needMore(minimum: 2) }
        guard first & 0x03 == 0 else {
            return .malformed(DissectError("fastpath_action_invalid", offset: start))
        }
        var length = Int(length1)
        var headerLength = 2
        if length1 & 0x80 != 0 {
            guard let length2 = c.u8() else { return .needMore(minimum: 3) }
            length = Int(length1 & 0x7F) << 8 | Int(length2)
            headerLength = 3
        }
        guard length >= headerLength else {
            return .malformed(DissectError("fastpath_length_invalid", offset: start + 1, detail: "length \(length)"))
        }
        return .parsed(FastPathHeader(headerByte: first, length: length, headerLength: headerLength),
                       consumed: headerLength)
    }
}

/// One framed PDU on an RDP byte stream (after the X.224 exchange).
public struct RDPFrame: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        /// TPKT (first byte 0x03): X.224 + MCS follow.
        case slowPath
        /// Fast-path input or output PDU.
        case fastPath
    }

    public var kind: Kind
    /// Whole PDU length, header included.
    public var length: Int
    /// Bytes of the TPKT (4) or fast-path (2/3) header.
    public var headerLength: Int
}

/// Splits one direction's byte stream into RDP PDUs without parsing them.
public enum RDPFraming {
    /// Given the unread bytes of one direction, says how long the next PDU is:
    /// `.parsed(frame, consumed: frame.length)` when all its bytes are there,
    /// `.needMore(minimum:)` with the total byte count needed, or `.malformed`
    /// when the first byte is neither TPKT nor fast-path (TLS records, 0x15-0x17,
    /// land here: the caller decides on its own whether TLS was negotiated).
    // [T.123 §8; MS-RDPBCGR 2.2.8.1.2, 2.2.9.1.2]
    public static func frame(_ unread: ByteCursor) -> DissectResult<RDPFrame> {
        guard let first = unread.peek() else { return .needMore(minimum: 1) }
        if first == TPKTHeader.version {
            switch TPKTHeader.parse(unread) {
            case let .parsed(header, _):
                let frame = RDPFrame(kind: .slowPath, length: header.length, headerLength: TPKTHeader.size)
                return complete(frame, unread)
            case let .needMore(minimum): return .needMore(minimum: minimum)
            case let .malformed(e): return .malformed(e)
            }
        }
        if first & 0x03 == 0 {
            switch FastPathHeader.parse(unread) {
            case let .parsed(header, _):
                let frame = RDPFrame(kind: .fastPath, length: header.length, headerLength: header.headerLength)
                return complete(frame, unread)
            case let .needMore(minimum): return .needMore(minimum: minimum)
            case let .malformed(e): return .malformed(e)
            }
        }
        return .malformed(DissectError("framing_not_rdp", offset: unread.offset,
                                       detail: "first byte 0x" + String(first, radix: 16)))
    }

    private static func complete(_ frame: RDPFrame, _ unread: ByteCursor) -> DissectResult<RDPFrame> {
        unread.remaining >= frame.length ? .parsed(frame, consumed: frame.length) : .needMore(minimum: frame.length)
    }
}
