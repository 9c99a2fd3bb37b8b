import Crypto
import Foundation

// Key derivation for record decryption, from the secrets a key log gives:
// the TLS 1.0–1.2 PRF and key block, and the TLS 1.3 HKDF-Expand-Label
// traffic keys. Every primitive (HMAC, hashes, HKDF) is swift-crypto's.

/// The hash behind a PRF, a record MAC or an HKDF.
public enum TLSHashAlgorithm: String, Hashable, Sendable {
    case md5, sha1, sha256, sha384

    public var length: Int {
        switch self {
        case .md5: return 16
        case .sha1: return 20
        case .sha256: return 32
        case .sha384: return 48
        }
    }

    /// HMAC(key, data) [RFC 2104].
    func hmac(key: [UInt8], _ parts: [UInt8]...) -> [UInt8] {
        let k = SymmetricKey(data: key)
        switch self {
        case .md5: return Self.mac(Insecure.MD5.self, k, parts)
        case .sha1: return Self.mac(Insecure.SHA1.self, k, parts)
        case .sha256: return Self.mac(SHA256.self, k, parts)
        case .sha384: return Self.mac(SHA384.self, k, parts)
        }
    }

    private static func mac<H: HashFunction>(_: H.Type, _ key: SymmetricKey, _ parts: [[UInt8]]) -> [UInt8] {
        var h = HMAC<H>(key: key)
        for p in parts { h.update(data: p) }
        return Array(h.finalize())
    }

    /// HKDF-Expand [RFC 5869 §2.3]; only SHA-256 and SHA-384 occur in TLS 1.3.
    func hkdfExpand(secret: [UInt8], info: [UInt8], length: Int) -> [UInt8] {
        let prk = SymmetricKey(data: secret)
        let out: SymmetricKey
        switch self {
        case .sha384: out = HKDF<SHA384>.expand(pseudoRandomKey: prk, info: info, outputByteCount: length)
        case .sha1: out = HKDF<Insecure.SHA1>.expand(pseudoRandomKey: prk, info: info, outputByteCount: length)
        case .md5: out = HKDF<Insecure.MD5>.expand(pseudoRandomKey: prk, info: info, outputByteCount: length)
        case .sha256: out = HKDF<SHA256>.expand(pseudoRandomKey: prk, info: info, outputByteCount: length)
        }
        return out.withUnsafeBytes { Array($0) }
    }
}

public enum TLSKeySchedule {
    // MARK: TLS 1.0–1.2

    /// P_hash [RFC 5246 §5]:
    /// ```
    /// P_hash(secret, seed) = HMAC_hash(secret, A(1) + seed) + HMAC_hash(secret, A(2) + seed) + ...
    /// A(0) = seed, A(i) = HMAC_hash(secret, A(i-1))
    /// ```
    static func pHash(_ hash: TLSHashAlgorithm, secret: [UInt8], seed: [UInt8], length: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(length + hash.length)
        var a = seed
        while out.count < length {
            a = hash.hmac(key: secret, a)
            out += hash.hmac(key: secret, a, seed)
        }
        return Array(out.prefix(length))
    }

    /// The TLS 1.2 PRF [RFC 5246 §5]: `P_<hash>(secret, label + seed)`, with
    /// SHA-256 unless the suite names another (SHA-384 for the *_SHA384
    /// suites [RFC 5289 §3.2, RFC 5288 §3]).
    public static func prf12(_ hash: TLSHashAlgorithm, secret: [UInt8], label: String, seed: [UInt8], length: Int) -> [UInt8] {
        pHash(hash, secret: secret, seed: Array(label.utf8) + seed, length: length)
    }

    /// The TLS 1.0/1.1 PRF [RFC 2246 §5, RFC 4346 §5]: the secret is split
    /// into halves (sharing the middle byte when its length is odd), and
    /// `P_MD5(S1, label + seed) XOR P_SHA-1(S2, label + seed)`.
    public static func prf10(secret: [UInt8], label: String, seed: [UInt8], length: Int) -> [UInt8] {
        let half = (secret.count + 1) / 2
        let s1 = Array(secret.prefix(half))
        let s2 = Array(secret.suffix(half))
        let labelSeed = Array(label.utf8) + seed
        let md5 = pHash(.md5, secret: s1, seed: labelSeed, length: length)
        let sha1 = pHash(.sha1, secret: s2, seed: labelSeed, length: length)
        return zip(md5, sha1).map { $0 ^ $1 }
    }

    /// The key block [RFC 5246 §6.3]:
    /// `PRF(master_secret, "key expansion", server_random + client_random)`,
    /// cut into client/server MAC keys, client/server keys, client/server IVs.
    static func keyBlock(
        masterSecret: [UInt8], serverRandom: [UInt8], clientRandom: [UInt8],
        version: TLSVersion, parameters: TLSDecryptParameters
    ) -> (client: TLS12DirectionKeys, server: TLS12DirectionKeys) {
        let macLength = parameters.macLength
        let keyLength = parameters.keyLength
        let ivLength = parameters.keyBlockIVLength(version: version)
        let total = 2 * (macLength + keyLength + ivLength)
        let seed = serverRandom + clientRandom
        let block = version >= .tls12
            ? prf12(parameters.prfHash, secret: masterSecret, label: "key expansion", seed: seed, length: total)
            : prf10(secret: masterSecret, label: "key expansion", seed: seed, length: total)
        var at = 0
        func take(_ n: Int) -> [UInt8] {
            defer { at += n }
            return Array(block[at..<at + n])
        }
        let clientMAC = take(macLength), serverMAC = take(macLength)
        let clientKey = take(keyLength), serverKey = take(keyLength)
        let clientIV = take(ivLength), serverIV = take(ivLength)
        return (TLS12DirectionKeys(macKey: clientMAC, key: clientKey, iv: clientIV),
                TLS12DirectionKeys(macKey: serverMAC, key: serverKey, iv: serverIV))
    }

    // MARK: TLS 1.3

    /// HKDF-Expand-Label [RFC 8446 §7.1]:
    /// ```
    /// struct { uint16 length; opaque label<7..255> = "tls13 " + Label; opaque context<0..255>; } HkdfLabel;
    /// HKDF-Expand-Label(Secret, Label, Context, Length) = HKDF-Expand(Secret, HkdfLabel, Length)
    /// ```
    public static func hkdfExpandLabel(
        _ hash: TLSHashAlgorithm, secret: [UInt8], label: String, context: [UInt8] = [], length: Int
    ) -> [UInt8] {
        let fullLabel = Array("tls13 ".utf8) + Array(label.utf8)
        var info: [UInt8] = [UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length)]
        info.append(UInt8(truncatingIfNeeded: fullLabel.count))
        info += fullLabel
        info.append(UInt8(truncatingIfNeeded: context.count))
        info += context
        return hash.hkdfExpand(secret: secret, info: info, length: length)
    }

    /// Traffic key and IV from a traffic secret [RFC 8446 §7.3]:
    /// `key = HKDF-Expand-Label(secret, "key", "", key_length)`,
    /// `iv = HKDF-Expand-Label(secret, "iv", "", iv_length)` (12 for every AEAD here).
    public static func trafficKeys(
        _ hash: TLSHashAlgorithm, secret: [UInt8], keyLength: Int
    ) -> (key: [UInt8], iv: [UInt8]) {
        (hkdfExpandLabel(hash, secret: secret, label: "key", length: keyLength),
         hkdfExpandLabel(hash, secret: secret, label: "iv", length: 12))
    }

    /// The next application traffic secret after a KeyUpdate [RFC 8446 §7.2]:
    /// `HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length)`.
    public static func nextTrafficSecret(_ hash: TLSHashAlgorithm, secret: [UInt8]) -> [UInt8] {
        hkdfExpandLabel(hash, secret: secret, label: "traffic upd", length: hash.length)
    }
}

/// One direction's share of a TLS ≤ 1.2 key block.
struct TLS12DirectionKeys {
    var macKey: [UInt8]
    var key: [UInt8]
    /// GCM: the 4-byte salt; ChaCha20-Poly1305: the 12-byte IV; TLS 1.0 CBC: the first IV; else empty.
    var iv: [UInt8]
}
