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

    /// What a JA4-style fingerprint depends on (never the random or key shares),
    /// compared and hashed in the hello's own bytes (`TLSClientHello.hasSameShape(as:)`):
    /// building its lists for a cache lookup cost five allocations per connection.
    struct ClientHelloShape: Hashable {
        let hello: TLSClientHello

        func hash(into hasher: inout Hasher) { hello.hashShape(into: &hasher) }

        static func == (a: Self, b: Self) -> Bool { a.hello.hasSameShape(as: b.hello) }
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
        let shape = ClientHelloShape(hello: hello)
        if let cached = fingerprints[shape] { return cached }
        let value = TLSClientFingerprint.ja4Style(hello)
        if fingerprints.count >= Self.capacity { fingerprints.removeAll(keepingCapacity: true) }
        fingerprints[shape] = value
        return value
    }
}
