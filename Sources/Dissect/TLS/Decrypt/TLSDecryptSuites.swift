// What decrypting a suite's records takes: bulk cipher, key sizes, MAC and
// PRF hash. Read from the IANA suite name (TLSCipherSuiteTable.swift), whose
// parts say it exactly [RFC 5246 App. C; RFC 5288 §3 and RFC 5289 §3 for
// GCM and the SHA-384 PRF; RFC 7905 §2 for ChaCha20-Poly1305; RFC 8446 §B.4].
//
// Supported: AES-128/256-GCM, ChaCha20-Poly1305, AES-128/256-CBC with
// HMAC-SHA1/SHA256/SHA384. Not: CCM and CCM_8 (swift-crypto has no CCM),
// 3DES, RC4, NULL, export and other legacy suites.

/// The bulk cipher of a suite, as far as decryption goes.
public enum TLSBulkCipher: Hashable, Sendable {
    case aesGCM
    case chaCha20Poly1305
    case aesCBC
}

public struct TLSDecryptParameters: Hashable, Sendable {
    public var cipher: TLSBulkCipher
    /// Encryption key length in bytes.
    public var keyLength: Int
    /// Record MAC (CBC suites only).
    public var mac: TLSHashAlgorithm?
    /// TLS 1.2 PRF hash, or the TLS 1.3 HKDF hash.
    public var prfHash: TLSHashAlgorithm
    public var isTLS13: Bool

    public var macLength: Int { mac?.length ?? 0 }

    /// IV bytes per direction in the TLS ≤ 1.2 key block [RFC 5246 §6.3]:
    /// the GCM salt (4, RFC 5288 §3), the ChaCha20-Poly1305 IV (12, RFC 7905
    /// §2), the first CBC IV in TLS 1.0 only (RFC 2246 §6.3; TLS ≥ 1.1
    /// carries an explicit IV in each record instead).
    func keyBlockIVLength(version: TLSVersion) -> Int {
        switch cipher {
        case .aesGCM: return 4
        case .chaCha20Poly1305: return 12
        case .aesCBC: return version <= .tls10 ? 16 : 0
        }
    }

    /// Parameters for a suite, or nil when it cannot be decrypted here.
    public init?(suite: TLSCipherSuite) {
        switch suite.rawValue {
        // TLS 1.3 [RFC 8446 §B.4]
        case 0x1301: self.init(.aesGCM, 16, nil, .sha256, tls13: true)
        case 0x1302: self.init(.aesGCM, 32, nil, .sha384, tls13: true)
        case 0x1303: self.init(.chaCha20Poly1305, 32, nil, .sha256, tls13: true)
        default:
            guard let name = suite.name, let with = name.firstRange(of: "_WITH_") else { return nil }
            let bulk = name[with.upperBound...]
            let cipher: TLSBulkCipher
            let keyLength: Int
            if bulk.hasPrefix("AES_128_GCM_") { (cipher, keyLength) = (.aesGCM, 16) }
            else if bulk.hasPrefix("AES_256_GCM_") { (cipher, keyLength) = (.aesGCM, 32) }
            else if bulk.hasPrefix("CHACHA20_POLY1305_") { (cipher, keyLength) = (.chaCha20Poly1305, 32) }
            else if bulk.hasPrefix("AES_128_CBC_") { (cipher, keyLength) = (.aesCBC, 16) }
            else if bulk.hasPrefix("AES_256_CBC_") { (cipher, keyLength) = (.aesCBC, 32) }
            else { return nil }
            // The last part names the MAC of CBC suites and the PRF hash of
            // TLS 1.2 (SHA and SHA256 suites use the default SHA-256 PRF).
            let hash: TLSHashAlgorithm
            if bulk.hasSuffix("_SHA384") { hash = .sha384 }
            else if bulk.hasSuffix("_SHA256") { hash = .sha256 }
            else if bulk.hasSuffix("_SHA") { hash = .sha1 }
            else { return nil }
            self.init(cipher, keyLength, cipher == .aesCBC ? hash : nil, hash == .sha384 ? .sha384 : .sha256, tls13: false)
        }
    }

    private init(_ cipher: TLSBulkCipher, _ keyLength: Int, _ mac: TLSHashAlgorithm?, _ prf: TLSHashAlgorithm, tls13: Bool) {
        self.cipher = cipher
        self.keyLength = keyLength
        self.mac = mac
        self.prfHash = prf
        self.isTLS13 = tls13
    }
}
