import Wire

/// A ClientHello, with the extensions the diagnosis and the fingerprint read.
public struct TLSClientHello: Equatable, Sendable {
    public var legacyVersion: TLSVersion
    public var random: [UInt8]
    public var sessionID: [UInt8]
    public var cipherSuites: [TLSCipherSuite]
    public var compressionMethods: [UInt8]
    /// Every extension in wire order (GREASE included).
    public var extensions: [TLSExtensionEntry]
    public var serverName: String?
    /// ALPN protocol names as sent (bytes; usually ASCII like "h2").
    public var alpnProtocols: [[UInt8]]
    public var supportedVersions: [TLSVersion]
    public var supportedGroups: [TLSNamedGroup]
    public var signatureAlgorithms: [TLSSignatureScheme]
    public var keyShareGroups: [TLSNamedGroup]
    public var extendedMasterSecret: Bool
    /// renegotiation_info extension present, or the SCSV among the suites [RFC 5746 §3.3].
    public var secureRenegotiation: Bool
    /// Extension bodies that could not be read, and duplicates; the hello is
    /// still reported, since these explain a server's decode_error alert.
    public var anomalies: [DissectError]

    /// The highest version offered: from supported_versions (GREASE skipped)
    /// when present [RFC 8446 §4.2.1], else legacy_version.
    public var highestVersion: TLSVersion {
        supportedVersions.filter { !$0.isGREASE }.max() ?? legacyVersion
    }

    public var alpnNames: [String] { alpnProtocols.map { String(decoding: $0, as: UTF8.self) } }

    public func has(_ type: TLSExtensionType) -> Bool { extensions.contains { $0.type == type } }

    /// ClientHello body [RFC 8446 §4.1.2; RFC 5246 §7.4.1.2]:
    /// ```
    /// legacy_version u16 | random[32] | legacy_session_id<0..32>
    /// | cipher_suites<2..2^16-2> | legacy_compression_methods<1..2^8-1>
    /// | extensions<8..2^16-1>   (absent in SSL 3.0 / early TLS hellos)
    /// ```
    /// `body` is exactly the handshake message body.
    public static func parse(body: ByteCursor) throws(DissectError) -> TLSClientHello {
        let truncated = "tls_client_hello_truncated"
        var c = body
        let version = try required(c.u16be(), truncated, at: c.offset)
        let random = try required(c.array(32), truncated, at: c.offset)
        let sid = try c.vector8(truncated)
        guard sid.remaining <= 32 else {
            throw DissectError("tls_session_id_too_long", offset: sid.offset, detail: "\(sid.remaining) bytes")
        }
        let suites = try c.u16List("tls_cipher_suites_invalid", as: TLSCipherSuite.init(rawValue:))
        let compression = try c.vector8(truncated)
        guard compression.remaining >= 1 else {
            throw DissectError("tls_compression_methods_invalid", offset: compression.offset)
        }
        var hello = TLSClientHello(
            legacyVersion: TLSVersion(rawValue: version), random: random, sessionID: Array(sid.unread),
            cipherSuites: suites, compressionMethods: Array(compression.unread),
            extensions: [], serverName: nil, alpnProtocols: [], supportedVersions: [], supportedGroups: [],
            signatureAlgorithms: [], keyShareGroups: [], extendedMasterSecret: false,
            secureRenegotiation: suites.contains(TLSCipherSuite(rawValue: 0x00FF)), anomalies: []
        )
        guard !c.isAtEnd else { return hello }
        let block = try TLSExtensionBlock.parse(&c)
        try c.expectEnd("tls_client_hello_trailing_bytes")
        hello.extensions = block.entries
        hello.anomalies = block.anomalies
        hello.read(block)
        return hello
    }

    private mutating func read(_ block: TLSExtensionBlock) {
        typealias R = TLSExtensionReader
        for (type, body) in block.data {
            switch type {
            case .serverName:
                serverName = R.read(type, &anomalies) { () throws(DissectError) in try R.serverName(body) } ?? nil
            case .alpn:
                alpnProtocols = R.read(type, &anomalies) { () throws(DissectError) in try R.alpn(body) } ?? []
            case .supportedVersions:
                supportedVersions = R.read(type, &anomalies) { () throws(DissectError) in try R.versionList(body) } ?? []
            case .supportedGroups:
                supportedGroups = R.read(type, &anomalies) { () throws(DissectError) in
                    try R.list16(body, as: TLSNamedGroup.init(rawValue:))
                } ?? []
            case .signatureAlgorithms:
                signatureAlgorithms = R.read(type, &anomalies) { () throws(DissectError) in
                    try R.list16(body, as: TLSSignatureScheme.init(rawValue:))
                } ?? []
            case .keyShare:
                keyShareGroups = R.read(type, &anomalies) { () throws(DissectError) in try R.clientKeyShares(body) } ?? []
            case .extendedMasterSecret:
                extendedMasterSecret = R.read(type, &anomalies) { () throws(DissectError) in try R.empty(body) } != nil
            case .renegotiationInfo:
                if R.read(type, &anomalies, { () throws(DissectError) in try R.renegotiationInfo(body) }) != nil {
                    secureRenegotiation = true
                }
            default:
                break
            }
        }
    }
}
