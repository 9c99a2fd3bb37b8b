import Crypto

/// The sealing side of TLS record protection, for synthesized captures that
/// decrypt with a key log: the TLS 1.2 PRF and key block, the TLS 1.3
/// HKDF-Expand-Label traffic keys, and AES-GCM records of both versions.
/// Written from the RFCs on swift-crypto's primitives (HMAC, HKDF, AES.GCM),
/// independently of rdpdiag's decryptor, whose exact inverse it must be.
public enum TLSKeyDerivation {
    /// The hash of a TLS 1.2 PRF or a TLS 1.3 HKDF.
    public enum Hash: Sendable {
        case sha256, sha384

        public var length: Int { self == .sha256 ? 32 : 48 }

        func hmac(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
            let k = SymmetricKey(data: key)
            switch self {
            case .sha256: return Array(HMAC<SHA256>.authenticationCode(for: data, using: k))
            case .sha384: return Array(HMAC<SHA384>.authenticationCode(for: data, using: k))
            }
        }

        func hkdfExpand(secret: [UInt8], info: [UInt8], length: Int) -> [UInt8] {
            let prk = SymmetricKey(data: secret)
            let okm: SymmetricKey
            switch self {
            case .sha256: okm = HKDF<SHA256>.expand(pseudoRandomKey: prk, info: info, outputByteCount: length)
            case .sha384: okm = HKDF<SHA384>.expand(pseudoRandomKey: prk, info: info, outputByteCount: length)
            }
            return okm.withUnsafeBytes { Array($0) }
        }
    }

    /// The TLS 1.2 PRF [RFC 5246 §5]: `PRF(secret, label, seed) = P_hash(secret, label + seed)`,
    /// `P_hash = HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed) + ...`,
    /// `A(0) = label + seed`, `A(i) = HMAC(secret, A(i-1))`.
    public static func prf12(_ hash: Hash, secret: [UInt8], label: String, seed: [UInt8], length: Int) -> [UInt8] {
        let labelSeed = Array(label.utf8) + seed
        var out: [UInt8] = []
        var a = labelSeed
        while out.count < length {
            a = hash.hmac(key: secret, a)
            out += hash.hmac(key: secret, a + labelSeed)
        }
        return Array(out.prefix(length))
    }

    /// HKDF-Expand-Label [RFC 8446 §7.1]: HKDF-Expand(secret, HkdfLabel, length) with
    /// `HkdfLabel = uint16 length + opaque label<7..255> ("tls13 " + label) + opaque context<0..255>`.
    public static func hkdfExpandLabel(_ hash: Hash, secret: [UInt8], label: String, context: [UInt8] = [], length: Int) -> [UInt8] {
        let full = Array("tls13 \(label)".utf8)
        let info = [UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length)]
            + [UInt8(full.count)] + full + [UInt8(context.count)] + context
        return hash.hkdfExpand(secret: secret, info: info, length: length)
    }
}

/// Seals the records of one direction with AES-GCM and counts their sequence numbers.
public struct TLSRecordSealer: Sendable {
    public enum Layout: Sendable {
        /// TLS 1.2 [RFC 5246 §6.2.3.3, RFC 5288 §3]: nonce = 4-byte salt (from the key block)
        /// + 8-byte explicit nonce carried in the record.
        case tls12(salt: [UInt8])
        /// TLS 1.3 [RFC 8446 §5.2, §5.3]: nonce = 12-byte IV XOR the padded sequence number.
        case tls13(iv: [UInt8])
    }

    public let key: [UInt8]
    public let layout: Layout
    /// The sequence number of the next record (RFC 5246 §6.1; RFC 8446 §5.3: per key epoch).
    public private(set) var sequence: UInt64 = 0

    public init(key: [UInt8], layout: Layout) {
        self.key = key
        self.layout = layout
    }

    /// Client and server write keys of a TLS 1.2 AES-GCM suite [RFC 5246 §6.3]:
    /// `key_block = PRF(master_secret, "key expansion", server_random + client_random)`,
    /// cut into client_write_MAC_key, server_write_MAC_key (empty for AEAD), client_write_key,
    /// server_write_key, client_write_IV, server_write_IV (the 4-byte GCM salts).
    public static func tls12(masterSecret: [UInt8], clientRandom: [UInt8], serverRandom: [UInt8], prf: TLSKeyDerivation.Hash,
                             keyLength: Int) -> (client: TLSRecordSealer, server: TLSRecordSealer) {
        let block = TLSKeyDerivation.prf12(prf, secret: masterSecret, label: "key expansion", seed: serverRandom + clientRandom,
                                     length: 2 * keyLength + 2 * 4)
        let clientKey = Array(block[0..<keyLength]), serverKey = Array(block[keyLength..<2 * keyLength])
        let clientSalt = Array(block[2 * keyLength..<2 * keyLength + 4]), serverSalt = Array(block[2 * keyLength + 4..<2 * keyLength + 8])
        return (TLSRecordSealer(key: clientKey, layout: .tls12(salt: clientSalt)),
                TLSRecordSealer(key: serverKey, layout: .tls12(salt: serverSalt)))
    }

    /// The sealer of a TLS 1.3 traffic secret [RFC 8446 §7.3]:
    /// `key = HKDF-Expand-Label(secret, "key", "", key_length)`, `iv = HKDF-Expand-Label(secret, "iv", "", 12)`.
    public static func tls13(trafficSecret: [UInt8], hash: TLSKeyDerivation.Hash, keyLength: Int) -> TLSRecordSealer {
        TLSRecordSealer(key: TLSKeyDerivation.hkdfExpandLabel(hash, secret: trafficSecret, label: "key", length: keyLength),
                        layout: .tls13(iv: TLSKeyDerivation.hkdfExpandLabel(hash, secret: trafficSecret, label: "iv", length: 12)))
    }

    /// One protected record of content type `type` (TLS 1.3: the inner type; the record says
    /// application_data). Long content must be split by the caller (at most 2^14 bytes).
    public mutating func seal(type: UInt8, _ content: [UInt8]) -> [UInt8] {
        let seq = sequence
        sequence += 1
        let seqBytes = (0..<8).map { UInt8(truncatingIfNeeded: seq >> (56 - 8 * UInt64($0))) }
        let key = SymmetricKey(data: self.key)
        switch layout {
        case let .tls12(salt):
            // additional_data = seq_num + type + version + length of the plaintext. The explicit
            // nonce is the sequence number, as Schannel and OpenSSL choose it.
            let aad = seqBytes + [type, 0x03, 0x03] + be16(content.count)
            let (ciphertext, tag) = Self.gcm(content, key: key, nonce: salt + seqBytes, aad: aad)
            return TLSBuilder.record(type: type, seqBytes + ciphertext + tag)
        case let .tls13(iv):
            // TLSInnerPlaintext = content + type, no padding; additional_data = the record header.
            let inner = content + [type]
            let header: [UInt8] = [23, 0x03, 0x03] + be16(inner.count + 16)
            var nonce = iv
            for i in 0..<8 { nonce[4 + i] ^= seqBytes[i] }
            let (ciphertext, tag) = Self.gcm(inner, key: key, nonce: nonce, aad: header)
            return header + ciphertext + tag
        }
    }

    private func be16(_ n: Int) -> [UInt8] { [UInt8(truncatingIfNeeded: n >> 8), UInt8(truncatingIfNeeded: n)] }

    private static func gcm(_ plaintext: [UInt8], key: SymmetricKey, nonce: [UInt8], aad: [UInt8]) -> (ciphertext: [UInt8], tag: [UInt8]) {
        // Nonce sizes are fixed (12 bytes) and keys come from the derivations above: neither can fail.
        let box = try! AES.GCM.seal(plaintext, using: key, nonce: AES.GCM.Nonce(data: nonce), authenticating: aad)
        return (Array(box.ciphertext), Array(box.tag))
    }
}
