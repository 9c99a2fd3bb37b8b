// Named groups ("TLS Supported Groups" registry): RFC 8422 §5.1.1 (and the
// deprecated RFC 4492 curves), RFC 7919 (ffdhe), RFC 8734 (brainpool for TLS
// 1.3), and the hybrid post-quantum code points in use by browsers
// (draft-ietf-tls-ecdhe-mlkem, draft-tls-westerbaan-xyber768d00).

public struct TLSNamedGroup: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let secp256r1 = TLSNamedGroup(rawValue: 23)
    public static let secp384r1 = TLSNamedGroup(rawValue: 24)
    public static let secp521r1 = TLSNamedGroup(rawValue: 25)
    public static let x25519 = TLSNamedGroup(rawValue: 29)
    public static let x448 = TLSNamedGroup(rawValue: 30)

    public var isGREASE: Bool { tlsIsGREASE(rawValue) }
    public var name: String? { tlsNamedGroupNames[rawValue] }

    public var description: String {
        if let name { return name }
        if isGREASE { return "GREASE(0x\(tlsHex(rawValue)))" }
        return "0x\(tlsHex(rawValue))"
    }
}

let tlsNamedGroupNames: [UInt16: String] = [
    1: "sect163k1", 2: "sect163r1", 3: "sect163r2", 4: "sect193r1", 5: "sect193r2",
    6: "sect233k1", 7: "sect233r1", 8: "sect239k1", 9: "sect283k1", 10: "sect283r1",
    11: "sect409k1", 12: "sect409r1", 13: "sect571k1", 14: "sect571r1",
    15: "secp160k1", 16: "secp160r1", 17: "secp160r2", 18: "secp192k1", 19: "secp192r1",
    20: "secp224k1", 21: "secp224r1", 22: "secp256k1",
    23: "secp256r1", 24: "secp384r1", 25: "secp521r1",
    26: "brainpoolP256r1", 27: "brainpoolP384r1", 28: "brainpoolP512r1",
    29: "x25519", 30: "x448",
    31: "brainpoolP256r1tls13", 32: "brainpoolP384r1tls13", 33: "brainpoolP512r1tls13",
    256: "ffdhe2048", 257: "ffdhe3072", 258: "ffdhe4096", 259: "ffdhe6144", 260: "ffdhe8192",
    0x0200: "MLKEM512", 0x0201: "MLKEM768", 0x0202: "MLKEM1024",
    0x11EB: "SecP256r1MLKEM768", 0x11EC: "X25519MLKEM768", 0x11ED: "SecP384r1MLKEM1024",
    0x6399: "X25519Kyber768Draft00",
    0xFF01: "arbitrary_explicit_prime_curves", 0xFF02: "arbitrary_explicit_char2_curves",
]
