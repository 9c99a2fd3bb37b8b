import Wire

/// A server data block of the GCC Conference Create Response [MS-RDPBCGR 2.2.1.4].
public enum ServerDataBlock: Equatable, Sendable {
    case core(ServerCoreData)
    case security(ServerSecurityData)
    case network(ServerNetworkData)
    /// Any other block (message channel, multitransport...): type and total length.
    case other(type: UInt16, length: Int)

    static func readAll(_ r: PDUReader) throws(DissectError) -> [ServerDataBlock] {
        try readUserDataBlocks(r) { (type, length, b) throws(DissectError) in
            switch type {
            case GCCUserDataCodes.scCore: return .core(try ServerCoreData.read(&b))
            case GCCUserDataCodes.scSecurity: return .security(try ServerSecurityData.read(&b))
            case GCCUserDataCodes.scNet: return .network(try ServerNetworkData.read(&b))
            default: return .other(type: type, length: length)
            }
        }
    }
}

/// TS_UD_SC_CORE [MS-RDPBCGR 2.2.1.4.2]. clientRequestedProtocols echoes the
/// CR's requestedProtocols: a difference means someone rewrote the CR.
public struct ServerCoreData: Equatable, Sendable {
    public var version: UInt32
    public var clientRequestedProtocols: UInt32?
    public var earlyCapabilityFlags: UInt32?
    public var unknownTailLength: Int = 0

    public var earlyCapabilityNames: [String] {
        earlyCapabilityFlags.map(GCCUserDataCodes.serverEarlyCapabilityNames) ?? []
    }

    static func read(_ r: inout PDUReader) throws(DissectError) -> ServerCoreData {
        var core = ServerCoreData(version: try r.u32le())
        var t = OptionalTail(r, partialCode: "sc_core_partial_field")
        core.clientRequestedProtocols = try t.u32()
        core.earlyCapabilityFlags = try t.u32()
        core.unknownTailLength = t.r.remaining
        r = t.r
        try r.skip(r.remaining)
        return core
    }
}

/// TS_UD_SC_SEC1 [MS-RDPBCGR 2.2.1.4.3]: the encryption the server chose, and
/// (with Standard RDP Security) its random and certificate.
public struct ServerSecurityData: Equatable, Sendable {
    public var encryptionMethod: UInt32
    public var encryptionLevel: UInt32
    /// 0 when absent (TLS/CredSSP: method and level are both 0).
    public var serverRandomLength: Int
    public var certificate: ServerCertificate?

    public var encryptionMethodName: String? { GCCUserDataCodes.encryptionMethodName(encryptionMethod) }
    public var encryptionLevelName: String? { GCCUserDataCodes.encryptionLevelName(encryptionLevel) }

    static func read(_ r: inout PDUReader) throws(DissectError) -> ServerSecurityData {
        var v = ServerSecurityData(encryptionMethod: try r.u32le(), encryptionLevel: try r.u32le(),
                                   serverRandomLength: 0, certificate: nil)
        if r.isAtEnd { return v }
        let randomLength = try r.u32le()
        let certLength = try r.u32le()
        let nRandom = try r.length(randomLength)
        try r.skip(nRandom)
        v.serverRandomLength = nRandom
        let nCert = try r.length(certLength)
        if nCert > 0 {
            var c = try r.sub(nCert)
            v.certificate = try ServerCertificate.read(&c)
        }
        try r.expectEnd("gcc_trailing_bytes")
        return v
    }
}

/// SERVER_CERTIFICATE [MS-RDPBCGR 2.2.1.4.3.1]: dwVersion (low 31 bits:
/// 1 proprietary, 2 X.509 chain; top bit: temporarily issued) and the data.
public struct ServerCertificate: Equatable, Sendable {
    public enum Body: Equatable, Sendable {
        case proprietary(ProprietaryServerCertificate)
        /// [MS-RDPELE 2.2.1.4.2]: DER certificates, root first, the terminal
        /// server's own certificate last; handed to the X.509 summariser as is.
        case x509Chain(certificates: [[UInt8]], paddingLength: Int)
        case unknown(length: Int)
    }

    public var dwVersion: UInt32
    public var body: Body

    public var chainVersion: UInt32 { dwVersion & 0x7FFF_FFFF }
    public var isTemporary: Bool { dwVersion & 0x8000_0000 != 0 }

    /// The spec bounds the chain to 2...200 certificates; a count outside
    /// 1...200 is rejected before any allocation.
    static let maxChainCertificates = 200

    /// Parses a SERVER_CERTIFICATE by itself (e.g. from a licensing blob).
    // [MS-RDPBCGR 2.2.1.4.3.1; MS-RDPELE 2.2.1.4.2]
    public static func parse(_ bytes: ByteCursor) -> DissectResult<ServerCertificate> {
        DissectResult { () throws(DissectError) in
            var r = PDUReader(bytes, truncated: "server_certificate_truncated")
            return (try read(&r), bytes.remaining)
        }
    }

    static func read(_ r: inout PDUReader) throws(DissectError) -> ServerCertificate {
        let version = try r.u32le()
        switch version & 0x7FFF_FFFF {
        case 1:
            return ServerCertificate(dwVersion: version, body: .proprietary(try ProprietaryServerCertificate.read(&r)))
        case 2:
            let count = try r.u32le()
            guard count >= 1, count <= UInt32(maxChainCertificates) else {
                throw r.fail("server_certificate_count_invalid", "\(count) certificates")
            }
            var certs: [[UInt8]] = []
            for _ in 0..<count {
                let n = try r.length(try r.u32le())
                certs.append(try r.array(n))
            }
            // The spec adds 8 + 4 * NumCertBlobs bytes of padding; its content
            // is meaningless, so only its length is kept.
            let padding = r.remaining
            try r.skip(padding)
            return ServerCertificate(dwVersion: version, body: .x509Chain(certificates: certs, paddingLength: padding))
        default:
            let n = r.remaining
            try r.skip(n)
            return ServerCertificate(dwVersion: version, body: .unknown(length: n))
        }
    }
}

/// PROPRIETARYSERVERCERTIFICATE [MS-RDPBCGR 2.2.1.4.3.1.1]: an RSA key signed
/// with Microsoft's well-known terminal-services key; it has no validity dates.
public struct ProprietaryServerCertificate: Equatable, Sendable {
    public var signatureAlgorithmId: UInt32
    public var keyAlgorithmId: UInt32
    /// RSA_PUBLIC_KEY [2.2.1.4.3.1.1.1] fields.
    public var keyBitLength: UInt32
    public var publicExponent: UInt32
    public var modulusLength: Int
    public var signatureLength: Int

    static let rsa1Magic: UInt32 = 0x3141_5352  // "RSA1"

    static func read(_ r: inout PDUReader) throws(DissectError) -> ProprietaryServerCertificate {
        let sigAlg = try r.u32le()
        let keyAlg = try r.u32le()
        _ = try r.u16le()  // wPublicKeyBlobType, BB_RSA_KEY_BLOB (6)
        var key = try r.sub(try r.length(try r.u16le()))
        let magic = try key.u32le()
        guard magic == rsa1Magic else { throw key.fail("server_certificate_rsa_magic_invalid") }
        let keyLength = try key.u32le()
        let bitLength = try key.u32le()
        _ = try key.u32le()  // datalen
        let exponent = try key.u32le()
        let modulusLength = try key.length(keyLength)
        try key.skip(modulusLength)
        try key.expectEnd("gcc_trailing_bytes")
        _ = try r.u16le()  // wSignatureBlobType, BB_RSA_SIGNATURE_BLOB (8)
        let signatureLength = try r.length(try r.u16le())
        try r.skip(signatureLength)
        try r.expectEnd("gcc_trailing_bytes")
        return ProprietaryServerCertificate(signatureAlgorithmId: sigAlg, keyAlgorithmId: keyAlg,
                                            keyBitLength: bitLength, publicExponent: exponent,
                                            modulusLength: modulusLength, signatureLength: signatureLength)
    }
}

/// TS_UD_SC_NET [MS-RDPBCGR 2.2.1.4.4]: the MCS I/O channel (usually 1003)
/// and the ids given to the client's static channels, in CS_NET order.
public struct ServerNetworkData: Equatable, Sendable {
    public var mcsChannelId: UInt16
    public var channelIds: [UInt16]

    static func read(_ r: inout PDUReader) throws(DissectError) -> ServerNetworkData {
        let io = try r.u16le()
        let count = Int(try r.u16le())
        guard count <= r.remaining / 2 else { throw r.fail("gcc_truncated", "\(count) channel ids in \(r.remaining) bytes") }
        var ids: [UInt16] = []
        ids.reserveCapacity(count)
        for _ in 0..<count { ids.append(try r.u16le()) }
        // Pad (2 bytes) follows an odd count; tolerate servers that omit it.
        if count % 2 == 1, r.remaining == 2 { try r.skip(2) }
        try r.expectEnd("gcc_trailing_bytes")
        return ServerNetworkData(mcsChannelId: io, channelIds: ids)
    }
}
