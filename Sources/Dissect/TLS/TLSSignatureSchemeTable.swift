// Signature schemes [RFC 8446 §4.2.3] and, for TLS 1.2, the older
// SignatureAndHashAlgorithm pairs [RFC 5246 §7.4.1.4.1] that share the same
// 2-byte space (hash byte, signature byte): hash 1 md5, 2 sha1, 3 sha224,
// 4 sha256, 5 sha384, 6 sha512; signature 1 rsa, 2 dsa, 3 ecdsa.

public struct TLSSignatureScheme: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }

    public var isGREASE: Bool { tlsIsGREASE(rawValue) }
    public var name: String? { tlsSignatureSchemeNames[rawValue] }

    /// SHA-1 or MD5 based: accepted by old stacks, refused by current policy.
    public var isWeak: Bool {
        let hash = rawValue >> 8
        let sig = rawValue & 0xFF
        return (hash == 1 || hash == 2) && sig >= 1 && sig <= 3
    }

    public var description: String {
        if let name { return name }
        if isGREASE { return "GREASE(0x\(tlsHex(rawValue)))" }
        return "0x\(tlsHex(rawValue))"
    }
}

let tlsSignatureSchemeNames: [UInt16: String] = [
    0x0101: "rsa_md5", 0x0102: "dsa_md5", 0x0103: "ecdsa_md5",
    0x0201: "rsa_pkcs1_sha1", 0x0202: "dsa_sha1", 0x0203: "ecdsa_sha1",
    0x0301: "rsa_sha224", 0x0302: "dsa_sha224", 0x0303: "ecdsa_sha224",
    0x0401: "rsa_pkcs1_sha256", 0x0402: "dsa_sha256", 0x0403: "ecdsa_secp256r1_sha256",
    0x0501: "rsa_pkcs1_sha384", 0x0502: "dsa_sha384", 0x0503: "ecdsa_secp384r1_sha384",
    0x0601: "rsa_pkcs1_sha512", 0x0602: "dsa_sha512", 0x0603: "ecdsa_secp521r1_sha512",
    0x0804: "rsa_pss_rsae_sha256", 0x0805: "rsa_pss_rsae_sha384", 0x0806: "rsa_pss_rsae_sha512",
    0x0807: "ed25519", 0x0808: "ed448",
    0x0809: "rsa_pss_pss_sha256", 0x080A: "rsa_pss_pss_sha384", 0x080B: "rsa_pss_pss_sha512",
    0x081A: "ecdsa_brainpoolP256r1tls13_sha256",
    0x081B: "ecdsa_brainpoolP384r1tls13_sha384",
    0x081C: "ecdsa_brainpoolP512r1tls13_sha512",
    0x0904: "mldsa44", 0x0905: "mldsa65", 0x0906: "mldsa87",
]
