import Capture
import Crypto
import Foundation
import SwiftASN1
import TestSupport
import Testing
import X509
@testable import Dissect

@Suite struct X509SummaryTests {
    /// Expected values from `openssl x509 -noout -subject -serial -dates -fingerprint -sha1 -sha256` on the same DER.
    static let openssl: [(String, [UInt8], String, String, String, String, String, Bool)] = [
        ("RDP self-signed", X509Fixtures.rdpSelfSigned, "CN=WIN-RDPHOST.corp.example", "2A",
         "4E44A6819DA2D7E19C1E733E63543EA8177F8F92",
         "721CF1430C23C8ECEB51F39AFB1D166F99A353E9D1A6F7B1734899A1D29BACEC", "sha256WithRSAEncryption", false),
        ("expired", X509Fixtures.expired, "CN=WIN-OLDHOST.corp.example", "2B",
         "5DC056E51DF873A70953908ECDE599D508027300",
         "106565C9EC4D43E636B2C798FDD84DB37BA9C8B22768A1AB6E784F72CC2061E9", "sha256WithRSAEncryption", false),
        ("SHA-1 signed", X509Fixtures.sha1Signed, "CN=WIN-SHA1HOST.corp.example", "2C",
         "20361FFB391CA29D9E6535535218B19393BBCB5E",
         "6970E988A1168AEC3E56DB8B4F258A73DE1D02CB36CB31B787B41AD62ADC6B19", "sha1WithRSAEncryption", true),
    ]

    @Test(arguments: openssl)
    func opensslCertificates(
        name: String, der: [UInt8], subject: String, serial: String, sha1: String, sha256: String,
        signature: String, weak: Bool
    ) {
        let s = X509Summary.summarize(der: der)
        #expect(s.error == nil, "\(name): \(String(describing: s.error))")
        #expect(s.subject == subject)
        #expect(s.issuer == subject)
        #expect(s.serialNumber == serial)
        #expect(s.sha1Thumbprint == sha1)
        #expect(s.sha256Thumbprint == sha256)
        #expect(s.signatureAlgorithm == signature)
        #expect(s.signatureAlgorithmIsWeak == weak)
        #expect(s.key == .rsa(bits: 2048))
        #expect(s.isSelfIssued)
        #expect(s.selfSignatureValid == true)
        #expect(s.hasServerAuthentication)
        #expect(s.hasRemoteDesktopAuthentication)
        #expect(s.extendedKeyUsages == ["1.3.6.1.5.5.7.3.1", "1.3.6.1.4.1.311.54.1.2"])
        #expect(s.derLength == der.count)
    }

    @Test func validityDates() {
        let rdp = X509Summary.summarize(der: X509Fixtures.rdpSelfSigned)
        #expect(rdp.notValidBefore == 1_704_067_200)  // 2024-01-01T00:00:00Z
        #expect(rdp.notValidAfter == 2_019_686_400)  // 2034-01-01T00:00:00Z
        #expect(rdp.notValidBeforeText == "2024-01-01T00:00:00Z")
        #expect(rdp.notValidAfterText == "2034-01-01T00:00:00Z")
        let expired = X509Summary.summarize(der: X509Fixtures.expired)
        #expect(expired.notValidAfterText == "2021-01-01T00:00:00Z")
        let mid2025 = CaptureTime(seconds: 1_750_000_000, nanoseconds: 0)
        #expect(expired.validity(at: mid2025) == .expired)
        #expect(rdp.validity(at: mid2025) == .valid)
        #expect(rdp.validity(at: CaptureTime(seconds: 1_600_000_000, nanoseconds: 0)) == .notYetValid)
    }

    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00Z"), (951_782_400, "2000-02-29T00:00:00Z"),
        (4_102_444_799, "2099-12-31T23:59:59Z"), (-1, "1969-12-31T23:59:59Z"),
    ])
    func rfc3339(seconds: Int64, text: String) {
        #expect(X509Summary.rfc3339(seconds) == text)
    }

    /// The chain the loopback server sent (leaf from the test CA, then the CA).
    @Test func recordedChain() throws {
        let connection = TLSConnection()
        replay(tls12GCMRecording, into: connection)
        let chain = X509Summary.summarize(chain: try #require(connection.session.serverCertificates))
        #expect(chain.map(\.position) == [0, 1])
        let leaf = chain[0]
        #expect(leaf.subject == "CN=rdp.example.test")
        #expect(leaf.issuer == "CN=rdpdiag Test CA,O=rdpdiag test,C=DE")  // RFC 4514: last RDN first
        #expect(leaf.serialNumber == "0A1B2C3D")
        // openssl x509 -fingerprint -sha1 of the leaf used by s_server
        #expect(leaf.sha1Thumbprint == "723109B4E84ABBEA83B13FC341D53790DFBA8E1E")
        #expect(!leaf.isSelfIssued && leaf.selfSignatureValid == nil)
        #expect(leaf.dnsNames == ["rdp.example.test", "host1.example.test"])
        #expect(leaf.ipAddresses == ["192.0.2.10"])
        #expect(leaf.isCertificateAuthority == false)
        let ca = chain[1]
        #expect(ca.sha1Thumbprint == "730EA746CD120E26DD4BE42A64326F9A0C2C127D")
        #expect(ca.isSelfIssued && ca.selfSignatureValid == true)
        #expect(ca.extendedKeyUsages == nil && ca.allowsServerAuthentication)
    }

    /// A P-256 certificate made here with swift-certificates, with chosen dates, SANs and EKUs.
    @Test func generatedECCertificate() throws {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName("gen.example.test"); OrganizationName("rdpdiag") }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(bytes: [0x01, 0x02, 0xFE]),
            publicKey: .init(key.publicKey), notValidBefore: Date(timeIntervalSince1970: 1_700_000_000),
            notValidAfter: Date(timeIntervalSince1970: 1_800_000_000), issuer: name, subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                SubjectAlternativeNames([.dnsName("gen.example.test"), .ipAddress(ASN1OctetString(contentBytes: [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1]))])
                try ExtendedKeyUsage([.clientAuth])
            },
            issuerPrivateKey: .init(key))
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        let s = X509Summary.summarize(der: serializer.serializedBytes, position: 3)
        #expect(s.error == nil)
        #expect(s.position == 3)
        #expect(s.key == .ec(curve: "P-256"))
        #expect(s.signatureAlgorithm == "ecdsaWithSHA256")
        #expect(s.serialNumber == "0102FE")
        #expect(s.notValidBefore == 1_700_000_000 && s.notValidAfter == 1_800_000_000)
        #expect(s.subject == "O=rdpdiag,CN=gen.example.test")
        #expect(s.selfSignatureValid == true)
        #expect(s.dnsNames == ["gen.example.test"])
        #expect(s.ipAddresses == ["2001:db8:0:0:0:0:0:1"])
        #expect(!s.hasServerAuthentication && !s.allowsServerAuthentication)
    }

    @Test func tamperedSelfSignedCertificateFailsItsSignature() {
        var der = X509Fixtures.rdpSelfSigned
        der[der.count - 10] ^= 0x01  // inside the signature bits
        let s = X509Summary.summarize(der: der)
        #expect(s.error == nil)
        #expect(s.isSelfIssued && s.selfSignatureValid == false)
    }

    @Test(arguments: [
        ("garbage", [UInt8](repeating: 0x41, count: 40)),
        ("empty", []),
        ("truncated DER", Array(X509Fixtures.rdpSelfSigned.prefix(300))),
    ])
    func unparseableBlobs(name: String, der: [UInt8]) {
        let s = X509Summary.summarize(der: der)
        #expect(s.error?.code == "certificate_unparseable", "\(name)")
        #expect(s.subject == nil && s.key == nil)
        #expect(s.sha1Thumbprint.count == 40 && s.sha256Thumbprint.count == 64)
        #expect(s.sha1Thumbprint == s.sha1Thumbprint.uppercased())
    }

    @Test func randomMutationsNeverCrash() {
        var rng = SplitMix64(seed: 509)
        var parsed = 0
        for _ in 0..<300 {
            var der = X509Fixtures.rdpSelfSigned
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                der[Int.random(in: 0..<der.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            if X509Summary.summarize(der: der).error == nil { parsed += 1 }
        }
        #expect(parsed < 300)
    }
}

/// RSA keys that BoringSSL would refuse never reach swift-crypto (whose failing
/// RSA public-key initialiser frees its key twice): they are reported instead.
@Suite struct RSAKeyPrecheckTests {
    /// The fixture's public exponent, INTEGER 65537, with its last byte replaced.
    static func withExponentEnding(_ last: UInt8) throws -> [UInt8] {
        var der = X509Fixtures.rdpSelfSigned
        let exponent: [UInt8] = [0x02, 0x03, 0x01, 0x00, 0x01]
        let at = try #require((0...(der.count - exponent.count)).first { Array(der[$0..<$0 + exponent.count]) == exponent })
        der[at + 4] = last
        return der
    }

    @Test func wellFormedKeysPass() {
        #expect(RSAKeyPrecheck.isSafeToParse(certificate: X509Fixtures.rdpSelfSigned))
        #expect(RSAKeyPrecheck.isSafeToParse(certificate: X509Fixtures.sha1Signed))
    }

    @Test func evenExponentIsReportedNotParsed() throws {
        let der = try Self.withExponentEnding(0x02)
        #expect(!RSAKeyPrecheck.isSafeToParse(certificate: der))
        let summary = X509Summary.summarize(der: der)
        #expect(summary.error?.code == "certificate_unparseable")
        #expect(summary.sha1Thumbprint.count == 40)
    }

    @Test func notACertificateIsNotParsed() {
        #expect(!RSAKeyPrecheck.isSafeToParse(certificate: [0x30, 0x03, 0x02, 0x01, 0x01]))
        #expect(!RSAKeyPrecheck.isSafeToParse(certificate: []))
    }
}
