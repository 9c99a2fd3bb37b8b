/// TLS 1.2 records and handshake messages [RFC 5246] for synthesized RDP
/// captures: the clear-text handshake is built field by field; protected
/// records carry pseudo-random bytes of the size the negotiated AEAD cipher
/// gives (AES-GCM: 8-byte explicit nonce + plaintext + 16-byte tag, RFC 5288 §3).
public enum TLSBuilder {
    static func u24(_ n: Int) -> [UInt8] { [UInt8(truncatingIfNeeded: n >> 16), UInt8(truncatingIfNeeded: n >> 8), UInt8(truncatingIfNeeded: n)] }
    static func be16(_ n: Int) -> [UInt8] { RDPBuilder.be16(n) }
    static func vector8(_ b: [UInt8]) -> [UInt8] { [UInt8(b.count)] + b }
    static func vector16(_ b: [UInt8]) -> [UInt8] { be16(b.count) + b }

    public static let tls12: Int = 0x0303

    /// TLSPlaintext / TLSCiphertext record [RFC 5246 §6.2.1]: type, version, length, fragment.
    public static func record(type: UInt8, version: Int = tls12, _ fragment: [UInt8]) -> [UInt8] {
        [type] + be16(version) + be16(fragment.count) + fragment
    }

    /// Handshake message [RFC 5246 §7.4]: msg_type, uint24 length, body.
    public static func handshake(type: UInt8, _ body: [UInt8]) -> [UInt8] { [type] + u24(body.count) + body }

    /// Extension [RFC 5246 §7.4.1.4]: type, opaque data<0..2^16-1>.
    public static func ext(_ type: Int, _ data: [UInt8]) -> [UInt8] { be16(type) + vector16(data) }

    /// The cipher suites of a Windows 10 / Server 2019 Schannel TLS 1.2 ClientHello, in order.
    public static let windowsCipherSuites: [Int] = [
        0xC02C, 0xC02B, 0xC030, 0xC02F, 0x009F, 0x009E, 0xC024, 0xC023, 0xC028, 0xC027,
        0xC00A, 0xC009, 0xC014, 0xC013, 0x009D, 0x009C, 0x003D, 0x003C, 0x0035, 0x002F, 0x000A,
    ]

    /// ClientHello [RFC 5246 §7.4.1.2] as Schannel sends it for mstsc: TLS 1.2, empty session
    /// id, the Windows suite list, null compression; extensions server_name [RFC 6066 §3],
    /// supported_groups x25519/secp256r1/secp384r1 [RFC 8422 §5.1.1], ec_point_formats
    /// uncompressed, signature_algorithms [RFC 5246 §7.4.1.4.1], extended_master_secret
    /// [RFC 7627], renegotiation_info [RFC 5746].
    public static func clientHello(random: [UInt8], serverName: String, cipherSuites: [Int] = windowsCipherSuites) -> [UInt8] {
        let name = Array(serverName.utf8)
        var extensions = ext(0x0000, vector16([0x00] + vector16(name)))
        extensions += ext(0x000A, vector16([0x00, 0x1D, 0x00, 0x17, 0x00, 0x18]))
        extensions += ext(0x000B, vector8([0x00]))
        let schemes = [0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0403, 0x0503, 0x0603, 0x0201, 0x0203]
        extensions += ext(0x000D, vector16(schemes.flatMap(be16)))
        extensions += ext(0x0017, [])
        extensions += ext(0xFF01, [0x00])
        let body = be16(tls12) + random + vector8([]) + vector16(cipherSuites.flatMap(be16)) + vector8([0x00]) + vector16(extensions)
        return handshake(type: 1, body)
    }

    /// ServerHello [RFC 5246 §7.4.1.3]: TLS 1.2, 32-byte session id (Schannel issues one),
    /// the selected suite, null compression, extended_master_secret and renegotiation_info.
    public static func serverHello(random: [UInt8], sessionId: [UInt8], cipherSuite: Int = 0xC030) -> [UInt8] {
        let extensions = ext(0xFF01, [0x00]) + ext(0x0017, [])
        return handshake(type: 2, be16(tls12) + random + vector8(sessionId) + be16(cipherSuite) + [0x00] + vector16(extensions))
    }

    /// Certificate [RFC 5246 §7.4.2]: certificate_list<0..2^24-1> of ASN.1Cert<1..2^24-1>.
    public static func certificate(_ chain: [[UInt8]]) -> [UInt8] {
        let list = chain.flatMap { u24($0.count) + $0 }
        return handshake(type: 11, u24(list.count) + list)
    }

    /// ServerKeyExchange for ECDHE [RFC 8422 §5.4]: named_curve (3), the group, the public
    /// point<1..2^8-1>, then (TLS 1.2) the signature algorithm and signature<0..2^16-1>.
    public static func serverKeyExchangeECDHE(group: Int = 0x001D, publicPoint: [UInt8], signatureScheme: Int = 0x0401,
                                              signature: [UInt8]) -> [UInt8] {
        handshake(type: 12, [0x03] + be16(group) + vector8(publicPoint) + be16(signatureScheme) + vector16(signature))
    }

    /// ServerHelloDone [RFC 5246 §7.4.5]: empty.
    public static func serverHelloDone() -> [UInt8] { handshake(type: 14, []) }

    /// ClientKeyExchange for ECDHE [RFC 8422 §5.7]: the client's point<1..2^8-1>.
    public static func clientKeyExchangeECDHE(publicPoint: [UInt8]) -> [UInt8] { handshake(type: 16, vector8(publicPoint)) }

    /// ChangeCipherSpec record [RFC 5246 §7.1]: one byte, 1.
    public static func changeCipherSpec() -> [UInt8] { record(type: 20, [0x01]) }

    /// AEAD overhead of TLS 1.2 AES-GCM [RFC 5288 §3]: 8-byte explicit nonce + 16-byte tag.
    public static let gcmOverhead = 24

    /// A protected TLS 1.2 AES-GCM record [RFC 5246 §6.2.3.3]: the explicit nonce (the
    /// record sequence number, as Schannel and OpenSSL send it), then `plaintextLength` +
    /// 16 pseudo-random bytes standing for ciphertext and tag.
    public static func gcmRecord(type: UInt8, sequence: UInt64, plaintextLength: Int, random: inout SplitMix64) -> [UInt8] {
        var nonce: [UInt8] = []
        for shift in stride(from: 56, through: 0, by: -8) { nonce.append(UInt8(truncatingIfNeeded: sequence >> UInt64(shift))) }
        return record(type: type, nonce + random.bytes(plaintextLength + 16))
    }

    /// The encrypted Finished [RFC 5246 §7.4.9]: a 16-byte handshake message (4-byte header +
    /// 12-byte verify_data) protected as the first record (sequence 0) after ChangeCipherSpec.
    public static func encryptedFinished(random: inout SplitMix64) -> [UInt8] {
        gcmRecord(type: 22, sequence: 0, plaintextLength: 16, random: &random)
    }

    /// Application data carrying `plaintextLength` bytes; long plaintext is split into records
    /// of at most 16384 bytes [RFC 5246 §6.2.1]. `sequence` is advanced per record.
    public static func applicationData(plaintextLength: Int, sequence: inout UInt64, random: inout SplitMix64) -> [UInt8] {
        var out: [UInt8] = []
        var left = plaintextLength
        repeat {
            let n = min(left, 16_384)
            out += gcmRecord(type: 23, sequence: sequence, plaintextLength: n, random: &random)
            sequence += 1
            left -= n
        } while left > 0
        return out
    }
}

extension SplitMix64 {
    /// `count` pseudo-random bytes.
    public mutating func bytes(_ count: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            var v = next()
            for _ in 0..<min(8, count - out.count) { out.append(UInt8(truncatingIfNeeded: v)); v >>= 8 }
        }
        return out
    }
}
