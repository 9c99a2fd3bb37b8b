#if canImport(Glibc)
import Glibc
#endif
import Dissect

/// Work that repeats across connections to the same server or from the same
/// client software: parsing the same certificate, fingerprinting the same
/// kind of ClientHello. Bounded: cleared when full.
final class SummaryCaches {
    static let capacity = 1024

    private var certificates: [CertificateKey: X509CertificateSummary] = [:]
    private var fingerprints: [ClientHelloShape: String] = [:]

    /// A certificate's DER as a dictionary key. `[UInt8]`'s own hashing feeds the
    /// hasher one byte at a time, which for a 1-2 KiB certificate costs more than
    /// the rest of a connection's summary; this hashes the bytes in one call.
    struct CertificateKey: Hashable {
        let der: [UInt8]

        func hash(into hasher: inout Hasher) {
            der.withUnsafeBytes { hasher.combine(bytes: $0) }
        }

        static func == (a: Self, b: Self) -> Bool {
            guard a.der.count == b.der.count else { return false }
            return a.der.withUnsafeBytes { x in
                b.der.withUnsafeBytes { y in
                    guard let p = x.baseAddress, let q = y.baseAddress else { return true }
                    return memcmp(p, q, x.count) == 0
                }
            }
        }
    }

    /// What a JA4-style fingerprint depends on (never the random or key shares).
    struct ClientHelloShape: Hashable {
        var legacyVersion: UInt16
        var cipherSuites: [UInt16]
        var extensions: [UInt16]
        var supportedVersions: [UInt16]
        var signatureAlgorithms: [UInt16]
        var alpn: [[UInt8]]
        var hasServerName: Bool

        init(_ h: TLSClientHello) {
            legacyVersion = h.legacyVersion.rawValue
            cipherSuites = h.cipherSuites.map(\.rawValue)
            extensions = h.extensions.map(\.type.rawValue)
            supportedVersions = h.supportedVersions.map(\.rawValue)
            signatureAlgorithms = h.signatureAlgorithms.map(\.rawValue)
            alpn = h.alpnProtocols
            hasServerName = h.serverName != nil
        }
    }

    func summaries(of chain: [[UInt8]]) -> [X509CertificateSummary] {
        chain.enumerated().map { position, der in
            let key = CertificateKey(der: der)
            if var cached = certificates[key] {
                cached.position = position
                return cached
            }
            let summary = X509Summary.summarize(der: der, position: position)
            if certificates.count >= Self.capacity { certificates.removeAll(keepingCapacity: true) }
            certificates[key] = summary
            return summary
        }
    }

    func fingerprint(_ hello: TLSClientHello) -> String {
        let shape = ClientHelloShape(hello)
        if let cached = fingerprints[shape] { return cached }
        let value = TLSClientFingerprint.ja4Style(hello)
        if fingerprints.count >= Self.capacity { fingerprints.removeAll(keepingCapacity: true) }
        fingerprints[shape] = value
        return value
    }
}
