import Dissect

/// Work that repeats across connections to the same server or from the same
/// client software: parsing the same certificate, fingerprinting the same
/// kind of ClientHello. Bounded: cleared when full.
final class SummaryCaches {
    static let capacity = 1024

    private var certificates: [[UInt8]: X509CertificateSummary] = [:]
    private var fingerprints: [ClientHelloShape: String] = [:]

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
            if var cached = certificates[der] {
                cached.position = position
                return cached
            }
            let summary = X509Summary.summarize(der: der, position: position)
            if certificates.count >= Self.capacity { certificates.removeAll(keepingCapacity: true) }
            certificates[der] = summary
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
