import Wire

/// The T.124 object identifier {0 0 20 124 0 1} that keys the GCC PDU inside
/// MCS userData [T.124 §8.7 ConnectData; MS-RDPBCGR 2.2.1.3.1].
let gccObjectIdentifier: [UInt8] = [0x00, 0x14, 0x7C, 0x00, 0x01]

/// GCC Conference Create Request [T.124 §8.7; MS-RDPBCGR 2.2.1.3.1], ALIGNED
/// PER. RDP always sends the same shape (conference name "1", one user-data
/// set keyed by the H.221 non-standard key "Duca"), so this walks that shape
/// field by field and rejects other option sets instead of guessing.
public struct GCCConferenceCreateRequest: Equatable, Sendable {
    public var h221Key: String
    public var blocks: [ClientDataBlock]

    public var core: ClientCoreData? {
        for case let .core(v) in blocks { return v }
        return nil
    }
    public var security: ClientSecurityData? {
        for case let .security(v) in blocks { return v }
        return nil
    }
    public var network: ClientNetworkData? {
        for case let .network(v) in blocks { return v }
        return nil
    }
    public var cluster: ClientClusterData? {
        for case let .cluster(v) in blocks { return v }
        return nil
    }

    /// Parses the MCS Connect-Initial userData contents.
    // [T.124 §8.7 ConnectData, ConferenceCreateRequest; MS-RDPBCGR 2.2.1.3.1]
    public static func parse(_ userData: ByteCursor) -> DissectResult<GCCConferenceCreateRequest> {
        DissectResult { () throws(DissectError) in (try read(userData), userData.remaining) }
    }

    static func read(_ userData: ByteCursor) throws(DissectError) -> GCCConferenceCreateRequest {
        var r = PDUReader(userData, truncated: "gcc_truncated")
        let connectPDULength = try GCCHeader.readKey(&r)
        // In requests the connectPDU length is reliable: parse inside it.
        var pdu = try r.sub(connectPDULength)
        try r.expectEnd("gcc_trailing_bytes")
        let choice = try pdu.u8()
        let options = try pdu.u8()
        // 0x00: ConnectGCCPDU alternative 0 (conferenceCreateRequest), no
        // extensions; 0x08: of the optional fields only userData is present.
        guard choice == 0x00, options == 0x08 else {
            throw DissectError("gcc_request_unsupported", offset: pdu.offset - 2,
                               detail: "choice/options 0x" + String(choice, radix: 16) + " 0x" + String(options, radix: 16))
        }
        // conferenceName NumericString SIZE(1..255): (length - 1), then 4-bit digits.
        let digits = Int(try pdu.u8()) + 1
        try pdu.skip((digits + 1) / 2)
        try pdu.skip(1)  // locked/listed/conducible flags and terminationMethod bits
        let (key, blockReader) = try GCCHeader.readUserDataSet(&pdu, expectedKey: "Duca")
        try pdu.expectEnd("gcc_trailing_bytes")
        return GCCConferenceCreateRequest(h221Key: key, blocks: try ClientDataBlock.readAll(blockReader))
    }
}

/// GCC Conference Create Response [T.124 §8.7; MS-RDPBCGR 2.2.1.4.1].
public struct GCCConferenceCreateResponse: Equatable, Sendable {
    /// nodeID (UserID, 1001..65535).
    public var nodeId: UInt16
    public var tag: UInt32
    /// The result byte as sent, and the decoded ENUMERATED (extension bit,
    /// then 3 bits) — nil when the extension bit is set.
    public var resultByte: UInt8
    public var result: UInt8?
    public var h221Key: String
    public var blocks: [ServerDataBlock]

    public var resultName: String? { result.flatMap(MCSCodes.gccResultName) }

    public var core: ServerCoreData? {
        for case let .core(v) in blocks { return v }
        return nil
    }
    public var security: ServerSecurityData? {
        for case let .security(v) in blocks { return v }
        return nil
    }
    public var network: ServerNetworkData? {
        for case let .network(v) in blocks { return v }
        return nil
    }

    // [T.124 §8.7 ConferenceCreateResponse; MS-RDPBCGR 2.2.1.4.1]
    public static func parse(_ userData: ByteCursor) -> DissectResult<GCCConferenceCreateResponse> {
        DissectResult { () throws(DissectError) in (try read(userData), userData.remaining) }
    }

    static func read(_ userData: ByteCursor) throws(DissectError) -> GCCConferenceCreateResponse {
        var r = PDUReader(userData, truncated: "gcc_truncated")
        // Windows servers put a wrong connectPDU length here (the example in
        // MS-RDPBCGR 4.1.4 says 0x2A for a far longer PDU), so it is read and
        // ignored; the user data set's own length bounds the blocks instead.
        _ = try GCCHeader.readKey(&r)
        let choice = try r.u8()
        // 0x14: ConnectGCCPDU alternative 1 (conferenceCreateResponse), userData present.
        guard choice == 0x14 else {
            throw DissectError("gcc_response_unsupported", offset: r.offset - 1, detail: "choice 0x" + String(choice, radix: 16))
        }
        let nodeId = UInt16(truncatingIfNeeded: UInt32(try r.u16be()) + 1001)
        let tagLength = Int(try r.u8())
        guard (1...4).contains(tagLength) else { throw r.fail("gcc_integer_invalid", "tag of \(tagLength) bytes") }
        var tag: UInt32 = 0
        for _ in 0..<tagLength { tag = tag << 8 | UInt32(try r.u8()) }
        let resultByte = try r.u8()
        let result: UInt8? = resultByte & 0x80 == 0 ? (resultByte >> 4) & 0x07 : nil
        let (key, blockReader) = try GCCHeader.readUserDataSet(&r, expectedKey: "McDn")
        try r.expectEnd("gcc_trailing_bytes")
        return GCCConferenceCreateResponse(nodeId: nodeId, tag: tag, resultByte: resultByte, result: result,
                                           h221Key: key, blocks: try ServerDataBlock.readAll(blockReader))
    }
}

enum GCCHeader {
    /// ConnectData: key (object identifier T.124) and the connectPDU length.
    static func readKey(_ r: inout PDUReader) throws(DissectError) -> Int {
        let start = r.offset
        let keyChoice = try r.u8()
        let oidLength = Int(try r.u8())
        let oid = try r.bytes(oidLength)
        guard keyChoice == 0, oid.elementsEqual(gccObjectIdentifier) else {
            throw DissectError("gcc_key_unexpected", offset: start)
        }
        return try r.perLength()
    }

    /// One UserData set: count (1), choice byte (value present, h221NonStandard
    /// key), the 4-byte key, then the PER length of the data blocks.
    static func readUserDataSet(_ r: inout PDUReader, expectedKey: String) throws(DissectError) -> (String, PDUReader) {
        let start = r.offset
        let sets = try r.u8()
        let choice = try r.u8()
        guard sets == 1, choice == 0xC0 else {
            throw DissectError("gcc_user_data_unsupported", offset: start, detail: "sets \(sets) choice 0x" + String(choice, radix: 16))
        }
        let keyLength = Int(try r.u8()) + 4
        let keyBytes = try r.bytes(keyLength)
        let key = String(decoding: keyBytes, as: UTF8.self)
        guard key == expectedKey else {
            throw DissectError("gcc_h221_key_unexpected", offset: start + 3, detail: "key \(key)")
        }
        let n = try r.perLength()
        return (key, try r.sub(n))
    }
}

extension PDUReader {
    /// ALIGNED PER length determinant (X.691 §10.9): 1 byte, or 2 with 0x80 set.
    mutating func perLength() throws(DissectError) -> Int {
        guard let n = cursor.perLength() else { throw truncated() }
        return n
    }
}

/// Walks `type u16 | length u16 | body` user data blocks [MS-RDPBCGR 2.2.1.3.1.1 TS_UD_HEADER].
func readUserDataBlocks<Block>(_ all: PDUReader,
                               _ body: (UInt16, Int, inout PDUReader) throws(DissectError) -> Block) throws(DissectError) -> [Block] {
    var r = all
    var blocks: [Block] = []
    while !r.isAtEnd {
        let start = r.offset
        let type = try r.u16le()
        let length = Int(try r.u16le())
        guard length >= 4 else {
            throw DissectError("gcc_block_length_invalid", offset: start + 2, detail: "length \(length)")
        }
        var b = try r.sub(length - 4)
        blocks.append(try body(type, length, &b))
    }
    return blocks
}
