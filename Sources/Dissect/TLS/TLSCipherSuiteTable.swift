// Cipher suites by IANA name ("TLS Cipher Suites" registry), with what the
// record layer needs to turn a ciphertext length into a plaintext length.
// Sources: RFC 5246 App. A.5 and C, RFC 4492/8422 (ECDHE), RFC 5288 (GCM),
// RFC 5289 (ECDHE GCM/SHA-2), RFC 6655 and 7251 (CCM), RFC 7905 (ChaCha20),
// RFC 8446 §B.4 (TLS 1.3), RFC 5746 (renegotiation SCSV), RFC 7507 (fallback SCSV).

/// How a suite protects records in TLS 1.0–1.2 [RFC 5246 §6.2.3].
public enum TLSRecordCipher: Hashable, Sendable {
    /// AEAD [RFC 5246 §6.2.3.3]: `explicitNonce` bytes precede the ciphertext
    /// in TLS 1.2 (8 for AES-GCM/CCM [RFC 5288 §3, RFC 6655 §3], 0 for
    /// ChaCha20-Poly1305 [RFC 7905 §2]), and a `tag` follows it.
    case aead(explicitNonce: Int, tag: Int)
    /// Block cipher [RFC 5246 §6.2.3.2]: IV (TLS ≥ 1.1), MAC, 1..blockSize bytes of padding.
    case cbc(blockSize: Int, macLength: Int)
    /// Stream cipher or NULL encryption [RFC 5246 §6.2.3.1]: just a MAC.
    case stream(macLength: Int)
    /// A signalling value, not a suite a server can select.
    case signaling
}

/// The key exchange a suite implies; decides how a ServerKeyExchange reads.
public enum TLSKeyExchange: Hashable, Sendable {
    case rsa, dhe, ecdhe
    /// TLS 1.3 suites carry no key exchange (it is in key_share).
    case tls13
    case none
}

public struct TLSCipherSuiteInfo: Hashable, Sendable {
    public let name: String
    public let keyExchange: TLSKeyExchange
    public let cipher: TLSRecordCipher
}

/// A cipher suite code; unknown codes print as hex.
public struct TLSCipherSuite: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }

    public var info: TLSCipherSuiteInfo? { tlsCipherSuiteTable[rawValue] }
    public var name: String? { info?.name }
    public var isGREASE: Bool { tlsIsGREASE(rawValue) }
    /// A TLS 1.3 suite (0x13xx) [RFC 8446 §B.4].
    public var isTLS13: Bool { rawValue >> 8 == 0x13 }

    public var description: String {
        if let name { return name }
        if isGREASE { return "GREASE(0x\(tlsHex(rawValue)))" }
        return "0x\(tlsHex(rawValue))"
    }
}

private let gcm = TLSRecordCipher.aead(explicitNonce: 8, tag: 16)
private let ccm = TLSRecordCipher.aead(explicitNonce: 8, tag: 16)
private let ccm8 = TLSRecordCipher.aead(explicitNonce: 8, tag: 8)
private let chacha = TLSRecordCipher.aead(explicitNonce: 0, tag: 16)
private let aesSHA = TLSRecordCipher.cbc(blockSize: 16, macLength: 20)
private let aesSHA256 = TLSRecordCipher.cbc(blockSize: 16, macLength: 32)
private let aesSHA384 = TLSRecordCipher.cbc(blockSize: 16, macLength: 48)
private let tripleDES = TLSRecordCipher.cbc(blockSize: 8, macLength: 20)
private let rc4SHA = TLSRecordCipher.stream(macLength: 20)
private let rc4MD5 = TLSRecordCipher.stream(macLength: 16)

private let rows: [(UInt16, String, TLSKeyExchange, TLSRecordCipher)] = [
    // TLS 1.3 [RFC 8446 §B.4]
    (0x1301, "TLS_AES_128_GCM_SHA256", .tls13, gcm),
    (0x1302, "TLS_AES_256_GCM_SHA384", .tls13, gcm),
    (0x1303, "TLS_CHACHA20_POLY1305_SHA256", .tls13, chacha),
    (0x1304, "TLS_AES_128_CCM_SHA256", .tls13, ccm),
    (0x1305, "TLS_AES_128_CCM_8_SHA256", .tls13, ccm8),
    // ECDHE-ECDSA
    (0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", .ecdhe, gcm),
    (0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", .ecdhe, gcm),
    (0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", .ecdhe, chacha),
    (0xC0AC, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", .ecdhe, ccm),
    (0xC0AD, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM", .ecdhe, ccm),
    (0xC0AE, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", .ecdhe, ccm8),
    (0xC0AF, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8", .ecdhe, ccm8),
    (0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", .ecdhe, aesSHA256),
    (0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", .ecdhe, aesSHA384),
    (0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", .ecdhe, aesSHA),
    (0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", .ecdhe, aesSHA),
    (0xC008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA", .ecdhe, tripleDES),
    (0xC007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", .ecdhe, rc4SHA),
    (0xC006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA", .ecdhe, .stream(macLength: 20)),
    // ECDHE-RSA
    (0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", .ecdhe, gcm),
    (0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", .ecdhe, gcm),
    (0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", .ecdhe, chacha),
    (0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", .ecdhe, aesSHA256),
    (0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", .ecdhe, aesSHA384),
    (0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", .ecdhe, aesSHA),
    (0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", .ecdhe, aesSHA),
    (0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", .ecdhe, tripleDES),
    (0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA", .ecdhe, rc4SHA),
    (0xC010, "TLS_ECDHE_RSA_WITH_NULL_SHA", .ecdhe, .stream(macLength: 20)),
    // DHE-RSA
    (0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", .dhe, gcm),
    (0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", .dhe, gcm),
    (0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", .dhe, chacha),
    (0xC09E, "TLS_DHE_RSA_WITH_AES_128_CCM", .dhe, ccm),
    (0xC09F, "TLS_DHE_RSA_WITH_AES_256_CCM", .dhe, ccm),
    (0xC0A2, "TLS_DHE_RSA_WITH_AES_128_CCM_8", .dhe, ccm8),
    (0xC0A3, "TLS_DHE_RSA_WITH_AES_256_CCM_8", .dhe, ccm8),
    (0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", .dhe, aesSHA256),
    (0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", .dhe, aesSHA256),
    (0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", .dhe, aesSHA),
    (0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", .dhe, aesSHA),
    (0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", .dhe, tripleDES),
    // DHE-DSS
    (0x00A2, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256", .dhe, gcm),
    (0x00A3, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384", .dhe, gcm),
    (0x0040, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256", .dhe, aesSHA256),
    (0x006A, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256", .dhe, aesSHA256),
    (0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA", .dhe, aesSHA),
    (0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA", .dhe, aesSHA),
    (0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA", .dhe, tripleDES),
    // RSA key transport
    (0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", .rsa, gcm),
    (0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384", .rsa, gcm),
    (0xC09C, "TLS_RSA_WITH_AES_128_CCM", .rsa, ccm),
    (0xC09D, "TLS_RSA_WITH_AES_256_CCM", .rsa, ccm),
    (0xC0A0, "TLS_RSA_WITH_AES_128_CCM_8", .rsa, ccm8),
    (0xC0A1, "TLS_RSA_WITH_AES_256_CCM_8", .rsa, ccm8),
    (0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256", .rsa, aesSHA256),
    (0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256", .rsa, aesSHA256),
    (0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", .rsa, aesSHA),
    (0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", .rsa, aesSHA),
    (0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", .rsa, tripleDES),
    (0x0005, "TLS_RSA_WITH_RC4_128_SHA", .rsa, rc4SHA),
    (0x0004, "TLS_RSA_WITH_RC4_128_MD5", .rsa, rc4MD5),
    (0x003B, "TLS_RSA_WITH_NULL_SHA256", .rsa, .stream(macLength: 32)),
    (0x0002, "TLS_RSA_WITH_NULL_SHA", .rsa, .stream(macLength: 20)),
    (0x0001, "TLS_RSA_WITH_NULL_MD5", .rsa, .stream(macLength: 16)),
    (0x0000, "TLS_NULL_WITH_NULL_NULL", .none, .stream(macLength: 0)),
    // Signalling values
    (0x00FF, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV", .none, .signaling),
    (0x5600, "TLS_FALLBACK_SCSV", .none, .signaling),
]

let tlsCipherSuiteTable: [UInt16: TLSCipherSuiteInfo] = {
    var table: [UInt16: TLSCipherSuiteInfo] = [:]
    table.reserveCapacity(rows.count)
    for (code, name, kx, cipher) in rows {
        table[code] = TLSCipherSuiteInfo(name: name, keyExchange: kx, cipher: cipher)
    }
    return table
}()
