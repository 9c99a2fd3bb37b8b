import Wire

/// TS_SHARECONTROLHEADER [MS-RDPBCGR 2.2.8.1.1.1.1]: total length, pduType
/// (type in the low 4 bits, protocol version 1 in the high 12) and pduSource.
public struct ShareControlHeader: Equatable, Sendable {
    public var totalLength: Int
    public var pduType: UInt16
    public var pduSource: UInt16

    public var type: UInt8 { UInt8(pduType & 0x0F) }
    public var version: UInt16 { pduType >> 4 }
    public var typeName: String? { ShareCodes.pduTypeName(type) }

    /// A cheap test for "these Send Data bytes start with a share control
    /// header, not a security header": with TLS, share control PDUs carry no
    /// security header, while licensing and Client Info do.
    public static func isPlausible(_ userData: ByteCursor) -> Bool {
        guard let length = userData.rdpPeekU16le(0), let pduType = userData.rdpPeekU16le(2) else { return false }
        guard Int(length) == userData.remaining else { return false }
        return pduType >> 4 == 1 && ShareCodes.pduTypeName(UInt8(pduType & 0x0F)) != nil
    }
}

extension ByteCursor {
    func rdpPeekU16le(_ ahead: Int) -> UInt16? {
        guard let lo = peek(ahead), let hi = peek(ahead + 1) else { return nil }
        return UInt16(hi) << 8 | UInt16(lo)
    }
}

/// A share control PDU, dispatched on its type [MS-RDPBCGR 2.2.8.1.1.1.1].
public struct ShareControlPDU: Equatable, Sendable {
    public enum Body: Equatable, Sendable {
        case demandActive(DemandActivePDU)
        case confirmActive(ConfirmActivePDU)
        case deactivateAll(DeactivateAllPDU)
        /// A data PDU; `errorInfo` is set for a Set Error Info PDU.
        case data(ShareDataHeader, errorInfo: SetErrorInfoPDU?)
        /// PDUTYPE_SERVER_REDIR_PKT: detected by type only.
        case serverRedirection
        case other
    }

    public var header: ShareControlHeader
    public var body: Body

    /// Parses one PDU from the start of `bytes`; `consumed` is its totalLength
    /// (several may follow each other in one Send Data payload). A totalLength
    /// of 0x8000 is a T.128 flow PDU, which the spec says to ignore: `nil` body.
    // [MS-RDPBCGR 2.2.8.1.1.1.1]
    public static func parse(_ bytes: ByteCursor) -> DissectResult<ShareControlPDU?> {
        DissectResult { () throws(DissectError) in
            var all = PDUReader(bytes, truncated: "share_truncated")
            let total = Int(try all.u16le())
            if total == 0x8000 { return (nil, bytes.remaining) }
            guard total >= 6 else { throw DissectError("share_length_invalid", offset: bytes.offset, detail: "totalLength \(total)") }
            var whole = PDUReader(bytes, truncated: "share_truncated")
            var r = try whole.sub(total)
            try r.skip(2)
            let header = ShareControlHeader(totalLength: total, pduType: try r.u16le(), pduSource: try r.u16le())
            let body: Body
            switch header.type {
            case ShareCodes.demandActive: body = .demandActive(try DemandActivePDU.read(&r))
            case ShareCodes.confirmActive: body = .confirmActive(try ConfirmActivePDU.read(&r))
            case ShareCodes.deactivateAll: body = .deactivateAll(try DeactivateAllPDU.read(&r))
            case ShareCodes.data:
                let data = try ShareDataHeader.read(&r)
                var errorInfo: SetErrorInfoPDU?
                // A compressed body (PACKET_COMPRESSED 0x20) cannot be read without
                // the bulk decompressor; the spec says this PDU is not compressed.
                if data.pduType2 == ShareCodes.setErrorInfo, data.compressedType & 0x20 == 0 {
                    errorInfo = SetErrorInfoPDU(errorInfo: try r.u32le())
                    try r.expectEnd("share_trailing_bytes")
                } else {
                    try r.skip(r.remaining)
                }
                body = .data(data, errorInfo: errorInfo)
            case ShareCodes.serverRedirect:
                try r.skip(r.remaining)
                body = .serverRedirection
            default:
                try r.skip(r.remaining)
                body = .other
            }
            return (ShareControlPDU(header: header, body: body), total)
        }
    }
}

/// TS_SHAREDATAHEADER [MS-RDPBCGR 2.2.8.1.1.1.2] (after the share control header).
public struct ShareDataHeader: Equatable, Sendable {
    public var shareId: UInt32
    public var streamId: UInt8
    public var uncompressedLength: UInt16
    public var pduType2: UInt8
    public var compressedType: UInt8
    public var compressedLength: UInt16

    public var pduType2Name: String? { ShareCodes.pduType2Name(pduType2) }

    static func read(_ r: inout PDUReader) throws(DissectError) -> ShareDataHeader {
        let shareId = try r.u32le()
        try r.skip(1)  // pad1
        return ShareDataHeader(shareId: shareId, streamId: try r.u8(), uncompressedLength: try r.u16le(),
                               pduType2: try r.u8(), compressedType: try r.u8(), compressedLength: try r.u16le())
    }
}

/// TS_SET_ERROR_INFO_PDU [MS-RDPBCGR 2.2.5.1.1]: why the server is about to
/// disconnect. Unknown codes are kept (name nil), never rejected.
public struct SetErrorInfoPDU: Equatable, Sendable {
    public var errorInfo: UInt32
    public var name: String? { ErrorInfoCodes.name(errorInfo) }
    public var meaning: String? { ErrorInfoCodes.meaning(errorInfo) }
}

/// One capability set header [MS-RDPBCGR 2.2.1.13.1.1.1]: its type and total length.
public struct CapabilitySetHeader: Equatable, Sendable {
    public var type: UInt16
    public var length: Int
    public var name: String? { ShareCodes.capabilitySetName(type) }
}

/// numberCapabilities, pad, then the sets, inside lengthCombinedCapabilities.
func readCapabilitySets(_ r: inout PDUReader) throws(DissectError) -> [CapabilitySetHeader] {
    let count = Int(try r.u16le())
    try r.skip(2)  // pad2Octets
    var sets: [CapabilitySetHeader] = []
    while !r.isAtEnd {
        let start = r.offset
        let type = try r.u16le()
        let length = Int(try r.u16le())
        guard length >= 4 else { throw DissectError("share_capability_length_invalid", offset: start + 2, detail: "length \(length)") }
        try r.skip(length - 4)
        sets.append(CapabilitySetHeader(type: type, length: length))
    }
    guard sets.count == count else {
        throw DissectError("share_capability_count_mismatch", offset: r.offset, detail: "\(count) announced, \(sets.count) present")
    }
    return sets
}

/// TS_DEMAND_ACTIVE_PDU [MS-RDPBCGR 2.2.1.13.1.1]: the server's capabilities;
/// reaching it means licensing is over.
public struct DemandActivePDU: Equatable, Sendable {
    public var shareId: UInt32
    public var sourceDescriptor: String
    public var capabilitySets: [CapabilitySetHeader]
    /// Absent in PDUs from servers older than RDP 5.0.
    public var sessionId: UInt32?

    static func read(_ r: inout PDUReader) throws(DissectError) -> DemandActivePDU {
        let shareId = try r.u32le()
        let cbSource = Int(try r.u16le())
        let cbCaps = Int(try r.u16le())
        let source = RDPText.ansi(try r.bytes(cbSource))
        var caps = try r.sub(cbCaps)
        let sets = try readCapabilitySets(&caps)
        let session: UInt32? = r.isAtEnd ? nil : try r.u32le()
        try r.expectEnd("share_trailing_bytes")
        return DemandActivePDU(shareId: shareId, sourceDescriptor: source, capabilitySets: sets, sessionId: session)
    }
}

/// TS_CONFIRM_ACTIVE_PDU [MS-RDPBCGR 2.2.1.13.2.1]: the client's answer.
public struct ConfirmActivePDU: Equatable, Sendable {
    public var shareId: UInt32
    public var originatorId: UInt16
    public var sourceDescriptor: String
    public var capabilitySets: [CapabilitySetHeader]

    static func read(_ r: inout PDUReader) throws(DissectError) -> ConfirmActivePDU {
        let shareId = try r.u32le()
        let originator = try r.u16le()
        let cbSource = Int(try r.u16le())
        let cbCaps = Int(try r.u16le())
        let source = RDPText.ansi(try r.bytes(cbSource))
        var caps = try r.sub(cbCaps)
        let sets = try readCapabilitySets(&caps)
        try r.expectEnd("share_trailing_bytes")
        return ConfirmActivePDU(shareId: shareId, originatorId: originator, sourceDescriptor: source, capabilitySets: sets)
    }
}

/// TS_DEACTIVATE_ALL_PDU [MS-RDPBCGR 2.2.3.1]: the server ends the share
/// (before a reactivation or a disconnect).
public struct DeactivateAllPDU: Equatable, Sendable {
    public var shareId: UInt32
    public var sourceDescriptorLength: Int

    static func read(_ r: inout PDUReader) throws(DissectError) -> DeactivateAllPDU {
        let shareId = try r.u32le()
        // Some servers end the PDU right after shareId.
        if r.isAtEnd { return DeactivateAllPDU(shareId: shareId, sourceDescriptorLength: 0) }
        let n = Int(try r.u16le())
        try r.skip(n)
        try r.expectEnd("share_trailing_bytes")
        return DeactivateAllPDU(shareId: shareId, sourceDescriptorLength: n)
    }
}
