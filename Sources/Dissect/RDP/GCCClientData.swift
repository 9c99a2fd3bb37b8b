import Wire

/// A client data block of the GCC Conference Create Request [MS-RDPBCGR 2.2.1.3].
public enum ClientDataBlock: Equatable, Sendable {
    case core(ClientCoreData)
    case security(ClientSecurityData)
    case network(ClientNetworkData)
    case cluster(ClientClusterData)
    /// Any other block (monitor, message channel, multitransport...): type and total length.
    case other(type: UInt16, length: Int)

    static func readAll(_ r: PDUReader) throws(DissectError) -> [ClientDataBlock] {
        try readUserDataBlocks(r) { (type, length, b) throws(DissectError) in
            switch type {
            case GCCUserDataCodes.csCore: return .core(try ClientCoreData.read(&b))
            case GCCUserDataCodes.csSecurity: return .security(try ClientSecurityData.read(&b))
            case GCCUserDataCodes.csNet: return .network(try ClientNetworkData.read(&b))
            case GCCUserDataCodes.csCluster: return .cluster(try ClientClusterData.read(&b))
            default: return .other(type: type, length: length)
            }
        }
    }
}

/// TS_UD_CS_CORE [MS-RDPBCGR 2.2.1.3.2]. Everything after imeFileName is
/// optional, and the spec lets the block stop after any of those fields (a
/// field is present only if all before it are), so each one is an optional.
public struct ClientCoreData: Equatable, Sendable {
    public var version: UInt32
    public var desktopWidth: UInt16
    public var desktopHeight: UInt16
    public var colorDepth: UInt16
    public var sasSequence: UInt16
    public var keyboardLayout: UInt32
    public var clientBuild: UInt32
    /// Up to 15 UTF-16 characters (32 bytes on the wire, NUL-terminated).
    public var clientName: String
    public var keyboardType: UInt32
    public var keyboardSubType: UInt32
    public var keyboardFunctionKey: UInt32
    public var imeFileName: String
    public var postBeta2ColorDepth: UInt16?
    public var clientProductId: UInt16?
    public var serialNumber: UInt32?
    public var highColorDepth: UInt16?
    public var supportedColorDepths: UInt16?
    public var earlyCapabilityFlags: UInt16?
    public var clientDigProductId: String?
    public var connectionType: UInt8?
    /// The protocol the client says the server selected in the CC: a mismatch
    /// with the CC (or with SC_CORE's echo) points to a downgrade.
    public var serverSelectedProtocol: UInt32?
    public var desktopPhysicalWidth: UInt32?
    public var desktopPhysicalHeight: UInt32?
    public var desktopOrientation: UInt16?
    public var desktopScaleFactor: UInt32?
    public var deviceScaleFactor: UInt32?
    /// Bytes after the last field this parser knows (newer spec revisions).
    public var unknownTailLength: Int = 0

    public var earlyCapabilityNames: [String] {
        earlyCapabilityFlags.map(GCCUserDataCodes.clientEarlyCapabilityNames) ?? []
    }
    /// RNS_UD_CS_SUPPORT_ERRINFO_PDU: without it the server sends no Set Error Info PDU.
    public var supportsErrorInfoPDU: Bool { (earlyCapabilityFlags ?? 0) & 0x0001 != 0 }

    // [MS-RDPBCGR 2.2.1.3.2]
    static func read(_ r: inout PDUReader) throws(DissectError) -> ClientCoreData {
        var core = ClientCoreData(
            version: try r.u32le(), desktopWidth: try r.u16le(), desktopHeight: try r.u16le(),
            colorDepth: try r.u16le(), sasSequence: try r.u16le(), keyboardLayout: try r.u32le(),
            clientBuild: try r.u32le(), clientName: RDPText.utf16le(try r.bytes(32)),
            keyboardType: try r.u32le(), keyboardSubType: try r.u32le(), keyboardFunctionKey: try r.u32le(),
            imeFileName: RDPText.utf16le(try r.bytes(64)))
        var t = OptionalTail(r, partialCode: "cs_core_partial_field")
        core.postBeta2ColorDepth = try t.u16()
        core.clientProductId = try t.u16()
        core.serialNumber = try t.u32()
        core.highColorDepth = try t.u16()
        core.supportedColorDepths = try t.u16()
        core.earlyCapabilityFlags = try t.u16()
        core.clientDigProductId = try t.bytes(64).map(RDPText.utf16le)
        core.connectionType = try t.u8()
        _ = try t.u8()  // pad1octet
        core.serverSelectedProtocol = try t.u32()
        core.desktopPhysicalWidth = try t.u32()
        core.desktopPhysicalHeight = try t.u32()
        core.desktopOrientation = try t.u16()
        core.desktopScaleFactor = try t.u32()
        core.deviceScaleFactor = try t.u32()
        core.unknownTailLength = t.r.remaining
        r = t.r
        try r.skip(r.remaining)
        return core
    }
}

/// Reads optional trailing fields: nil once the block has ended; a field cut
/// in the middle is malformed (the spec has no partial fields).
struct OptionalTail {
    var r: PDUReader
    let partialCode: String

    init(_ r: PDUReader, partialCode: String) {
        self.r = r
        self.partialCode = partialCode
    }

    mutating func field(_ size: Int) throws(DissectError) -> Bool {
        if r.isAtEnd { return false }
        guard r.remaining >= size else { throw r.fail(partialCode, "\(r.remaining) bytes for a \(size)-byte field") }
        return true
    }

    mutating func u8() throws(DissectError) -> UInt8? { try field(1) ? try r.u8() : nil }
    mutating func u16() throws(DissectError) -> UInt16? { try field(2) ? try r.u16le() : nil }
    mutating func u32() throws(DissectError) -> UInt32? { try field(4) ? try r.u32le() : nil }
    mutating func bytes(_ n: Int) throws(DissectError) -> UnsafeRawBufferPointer? { try field(n) ? try r.bytes(n) : nil }
}

/// TS_UD_CS_SEC [MS-RDPBCGR 2.2.1.3.3]: encryption methods the client supports
/// (extEncryptionMethods is used only by French-locale clients).
public struct ClientSecurityData: Equatable, Sendable {
    public var encryptionMethods: UInt32
    public var extEncryptionMethods: UInt32

    public var encryptionMethodNames: [String] { GCCUserDataCodes.encryptionMethodNames(encryptionMethods) }

    static func read(_ r: inout PDUReader) throws(DissectError) -> ClientSecurityData {
        let v = ClientSecurityData(encryptionMethods: try r.u32le(), extEncryptionMethods: try r.u32le())
        try r.expectEnd("gcc_trailing_bytes")
        return v
    }
}

/// TS_UD_CS_NET [MS-RDPBCGR 2.2.1.3.4]: the static virtual channels asked for.
/// More than 31 is a protocol violation the server answers with ERRINFO
/// 0x10F0; it is parsed anyway (the bytes bound it) so diagnosis can say so.
public struct ClientNetworkData: Equatable, Sendable {
    public struct Channel: Equatable, Sendable {
        /// Up to 7 ANSI characters (8 bytes, NUL-terminated).
        public var name: String
        public var options: UInt32
        public var optionNames: [String] { GCCUserDataCodes.channelOptionNames(options) }
    }

    public var channels: [Channel]

    static func read(_ r: inout PDUReader) throws(DissectError) -> ClientNetworkData {
        let count = try r.u32le()
        guard let n = Int(exactly: count), n <= r.remaining / 12 else {
            throw r.fail("gcc_truncated", "\(count) channels in \(r.remaining) bytes")
        }
        var channels: [Channel] = []
        channels.reserveCapacity(n)
        for _ in 0..<n {
            channels.append(Channel(name: RDPText.ansi(try r.bytes(8)), options: try r.u32le()))
        }
        try r.expectEnd("gcc_trailing_bytes")
        return ClientNetworkData(channels: channels)
    }
}

/// TS_UD_CS_CLUSTER [MS-RDPBCGR 2.2.1.3.5]: session redirection support and,
/// on a redirected reconnect, the session id.
public struct ClientClusterData: Equatable, Sendable {
    public var flags: UInt32
    public var redirectedSessionId: UInt32

    public var flagNames: [String] { GCCUserDataCodes.clusterFlagNames(flags) }
    /// ServerSessionRedirectionVersionMask (bits 2-5).
    public var redirectionVersion: Int { Int((flags & 0x3C) >> 2) }

    static func read(_ r: inout PDUReader) throws(DissectError) -> ClientClusterData {
        let v = ClientClusterData(flags: try r.u32le(), redirectedSessionId: try r.u32le())
        try r.expectEnd("gcc_trailing_bytes")
        return v
    }
}
