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
    /// the rest of a connection's summary. Only the length and the last bytes are
    /// hashed: a certificate ends with its signature, which differs between any two
    /// certificates, and equality still compares every byte. (Crafted certificates
    /// sharing a tail only make lookups slower, within the cache's capacity.)
    struct CertificateKey: Hashable {
        static let hashedTail = 32

        let der: [UInt8]

        func hash(into hasher: inout Hasher) {
            hasher.combine(der.count)
            der.withUnsafeBytes { hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: $0.suffix(Self.hashedTail))) }
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
    /// The arrays are the hello's own (shared, not copied): mapping them to arrays
    /// of raw values cost five allocations per connection for a cache lookup.
    /// Extensions count by type only.
    struct ClientHelloShape: Hashable {
        var legacyVersion: TLSVersion
        var cipherSuites: [TLSCipherSuite]
        var extensions: [TLSExtensionEntry]
        var supportedVersions: [TLSVersion]
        var signatureAlgorithms: [TLSSignatureScheme]
        var alpn: [[UInt8]]
        var hasServerName: Bool

        init(_ h: TLSClientHello) {
            legacyVersion = h.legacyVersion
            cipherSuites = h.cipherSuites
            extensions = h.extensions
            supportedVersions = h.supportedVersions
            signatureAlgorithms = h.signatureAlgorithms
            alpn = h.alpnProtocols
            hasServerName = h.serverName != nil
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(legacyVersion)
            hasher.combine(cipherSuites)
            hasher.combine(extensions.count)
            for e in extensions { hasher.combine(e.type) }
            hasher.combine(supportedVersions)
            hasher.combine(signatureAlgorithms)
            hasher.combine(alpn)
            hasher.combine(hasServerName)
        }

        static func == (a: Self, b: Self) -> Bool {
            a.legacyVersion == b.legacyVersion && a.cipherSuites == b.cipherSuites
                && a.extensions.elementsEqual(b.extensions) { $0.type == $1.type }
                && a.supportedVersions == b.supportedVersions && a.signatureAlgorithms == b.signatureAlgorithms
                && a.alpn == b.alpn && a.hasServerName == b.hasServerName
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
