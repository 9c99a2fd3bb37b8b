// Turning the length of a protected record into the length of what was
// protected, without keys. Used to infer RDP PDUs inside TLS (DESIGN.md
// "Stages": record length minus the negotiated cipher's overhead).

/// What the plaintext length of a protected record can be.
public enum TLSPlaintextSize: Hashable, Sendable, CustomStringConvertible {
    /// AEAD and stream ciphers in TLS ≤ 1.2: overhead is fixed.
    case exact(Int)
    /// CBC: the padding (1...block size bytes assumed) hides the low bits.
    case range(min: Int, max: Int)
    /// TLS 1.3: the sender may pad with any number of zeros (RFC 8446 §5.4),
    /// so only an upper bound is known. Real stacks rarely pad.
    case atMost(Int)

    public var maximum: Int {
        switch self {
        case let .exact(n): return n
        case let .range(_, max): return max
        case let .atMost(n): return n
        }
    }

    public var minimum: Int {
        switch self {
        case let .exact(n): return n
        case let .range(min, _): return min
        case .atMost: return 0
        }
    }

    public var description: String {
        switch self {
        case let .exact(n): return "\(n)"
        case let .range(min, max): return "\(min)...\(max)"
        case let .atMost(n): return "<=\(n)"
        }
    }
}

public enum TLSRecordProtection {
    /// The plaintext length implied by a protected fragment of `fragmentLength`
    /// bytes (record header excluded), or nil when the suite is unknown or the
    /// length cannot have been produced by it.
    ///
    /// - TLS 1.3 [RFC 8446 §5.2]: ciphertext = plaintext + 1 (inner content
    ///   type) + padding + tag (16; 8 for AES-CCM-8). Reported as `.atMost`.
    /// - TLS 1.2 AEAD [RFC 5246 §6.2.3.3]: explicit nonce (8 for GCM [RFC 5288 §3]
    ///   and CCM [RFC 6655 §3], 0 for ChaCha20-Poly1305 [RFC 7905 §2]) + tag
    ///   (16; 8 for CCM_8).
    /// - CBC [RFC 5246 §6.2.3.2, RFC 4346 §6.2.3.2]: explicit IV of one block in
    ///   TLS ≥ 1.1 (none in TLS 1.0), MAC, then padding so that
    ///   plaintext+MAC+padding fills whole blocks. We assume minimal padding
    ///   (1...blockSize bytes including the length byte) as common stacks send;
    ///   RFC 5246 allows up to 256, in which case the real minimum is lower.
    /// - Stream / NULL [RFC 5246 §6.2.3.1]: MAC only.
    public static func plaintextSize(
        fragmentLength: Int, version: TLSVersion, cipherSuite: TLSCipherSuite
    ) -> TLSPlaintextSize? {
        guard let info = cipherSuite.info else { return nil }
        return plaintextSize(fragmentLength: fragmentLength, version: version,
                             keyExchange: info.keyExchange, cipher: info.cipher)
    }

    /// The same, from the suite's key exchange and record cipher (looked up once
    /// per connection, not per record).
    public static func plaintextSize(
        fragmentLength: Int, version: TLSVersion, keyExchange: TLSKeyExchange, cipher: TLSRecordCipher
    ) -> TLSPlaintextSize? {
        guard fragmentLength >= 0 else { return nil }
        if version >= .tls13 || keyExchange == .tls13 {
            guard case let .aead(_, tag) = cipher else { return nil }
            let max = fragmentLength - tag - 1
            return max >= 0 ? .atMost(max) : nil
        }
        switch cipher {
        case let .aead(explicitNonce, tag):
            let n = fragmentLength - explicitNonce - tag
            return n >= 0 ? .exact(n) : nil
        case let .stream(mac):
            let n = fragmentLength - mac
            return n >= 0 ? .exact(n) : nil
        case let .cbc(blockSize, mac):
            let iv = version >= .tls11 ? blockSize : 0
            let body = fragmentLength - iv
            guard body >= blockSize, body % blockSize == 0 else { return nil }
            let max = body - mac - 1
            let min = Swift.max(0, body - mac - blockSize)
            return max >= 0 ? .range(min: min, max: max) : nil
        case .signaling:
            return nil
        }
    }
}
