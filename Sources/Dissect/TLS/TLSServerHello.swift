import Wire

/// A ServerHello, or a HelloRetryRequest (same wire format, special random).
///
/// The body is kept as sent, in one array, and the random, the session ID and
/// the extension list are read from it when asked for (only the decryptor
/// does): parsed on the reassembling thread for every TLS connection, they were
/// three allocations there and three frees later, where one is enough.
public struct TLSServerHello: Equatable, Sendable {
    public var legacyVersion: TLSVersion
    /// The handshake message body, exactly as it came.
    public let body: [UInt8]
    private var sessionIDPlace: TLSBodyPlace
    public var cipherSuite: TLSCipherSuite
    public var compressionMethod: UInt8
    /// The extension list (inside its length); empty when the hello has none.
    private var extensionListPlace: TLSBodyPlace
    /// supported_versions' selected_version [RFC 8446 §4.2.1].
    public var selectedVersion: TLSVersion?
    /// key_share group (the server's share, or the group an HRR asks for).
    public var keyShareGroup: TLSNamedGroup?
    public var alpnProtocol: [UInt8]?
    public var extendedMasterSecret: Bool
    public var secureRenegotiation: Bool
    /// RFC 8446 §4.1.3: the random is SHA-256("HelloRetryRequest").
    public var isHelloRetryRequest: Bool
    public var anomalies: [DissectError]

    /// Offset of the random in the body (after legacy_version).
    private static let randomStart = 2

    public var random: [UInt8] { Array(body[Self.randomStart..<Self.randomStart + 32]) }
    public var sessionID: [UInt8] { sessionIDPlace.bytes(in: body) }

    /// Every extension in wire order.
    public var extensions: [TLSExtensionEntry] {
        extensionListPlace.read(in: body) { TLSExtensionBlock.entries(of: $0) }
    }

    /// The version this connection runs: selected_version if present, else legacy_version.
    public var negotiatedVersion: TLSVersion { selectedVersion ?? legacyVersion }

    /// RFC 8446 §4.1.3: a TLS 1.3 server negotiating TLS 1.2 (or below) puts
    /// "DOWNGRD" + 0x01 (or 0x00) in the last 8 bytes of its random; seeing it
    /// means the server could do 1.3 but the client (or a middlebox) offered less.
    public var downgradeSentinel: TLSVersion? {
        let last8 = body[(Self.randomStart + 24)..<(Self.randomStart + 32)]
        guard last8.prefix(7).elementsEqual([0x44, 0x4F, 0x57, 0x4E, 0x47, 0x52, 0x44]) else {
            return nil
        }
        switch last8.last {
        case 1: return .tls12
        case 0: return .tls11
        default: return nil
        }
    }

    /// SHA-256 of "HelloRetryRequest" [RFC 8446 §4.1.3].
    public static let helloRetryRequestRandom: [UInt8] = [
        0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
        0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
    ]

    /// ServerHello body [RFC 8446 §4.1.3; RFC 5246 §7.4.1.3]:
    /// ```
    /// legacy_version u16 | random[32] | legacy_session_id_echo<0..32>
    /// | cipher_suite u16 | legacy_compression_method u8 | extensions<6..2^16-1> (optional ≤ 1.2)
    /// ```
    public static func parse(body: ByteCursor) throws(DissectError) -> TLSServerHello {
        let truncated = "tls_server_hello_truncated"
        var c = body
        let version = try required(c.u16be(), truncated, at: c.offset)
        guard let random = c.sub(length: 32) else { throw DissectError(truncated, offset: c.offset) }
        let sid = try c.vector8(truncated)
        guard sid.remaining <= 32 else {
            throw DissectError("tls_session_id_too_long", offset: sid.offset, detail: "\(sid.remaining) bytes")
        }
        let suite = try required(c.u16be(), truncated, at: c.offset)
        let compression = try required(c.u8(), truncated, at: c.offset)
        var hello = TLSServerHello(
            legacyVersion: TLSVersion(rawValue: version), body: Array(body.unread), sessionIDPlace: TLSBodyPlace(sid, in: body),
            cipherSuite: TLSCipherSuite(rawValue: suite), compressionMethod: compression,
            extensionListPlace: TLSBodyPlace(emptyAt: c, in: body),
            selectedVersion: nil, keyShareGroup: nil, alpnProtocol: nil, extendedMasterSecret: false,
            secureRenegotiation: false, isHelloRetryRequest: random.unread.elementsEqual(helloRetryRequestRandom), anomalies: []
        )
        guard !c.isAtEnd else { return hello }
        let block = try TLSExtensionBlock.parse(&c)
        try c.expectEnd("tls_server_hello_trailing_bytes")
        hello.extensionListPlace = TLSBodyPlace(block.list, in: body)
        hello.anomalies = block.anomalies
        hello.read(block)
        return hello
    }

    private mutating func read(_ block: TLSExtensionBlock) {
        typealias R = TLSExtensionReader
        let hrr = isHelloRetryRequest
        for (type, body) in block.data {
            switch type {
            case .supportedVersions:
                selectedVersion = R.read(type, &anomalies) { () throws(DissectError) in try R.single16(body) }
                    .map(TLSVersion.init(rawValue:))
            case .keyShare:
                // An HRR names only the group it wants [RFC 8446 §4.2.8].
                keyShareGroup = hrr
                    ? R.read(type, &anomalies) { () throws(DissectError) in try R.single16(body) }.map(TLSNamedGroup.init(rawValue:))
                    : R.read(type, &anomalies) { () throws(DissectError) in try R.serverKeyShare(body) }
            case .alpn:
                let names = R.read(type, &anomalies) { () throws(DissectError) in try R.alpn(body) } ?? []
                // RFC 7301 §3.1: the server's list has exactly one name.
                if names.count == 1 {
                    alpnProtocol = names[0]
                } else if !names.isEmpty {
                    anomalies.append(DissectError("tls_extension_malformed", offset: body.offset, detail: "\(type)"))
                }
            case .extendedMasterSecret:
                extendedMasterSecret = R.read(type, &anomalies) { () throws(DissectError) in try R.empty(body) } != nil
            case .renegotiationInfo:
                secureRenegotiation = R.read(type, &anomalies) { () throws(DissectError) in try R.renegotiationInfo(body) } != nil
            default:
                break
            }
        }
    }
}
