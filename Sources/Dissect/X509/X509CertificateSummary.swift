import Capture
import Crypto
import _CryptoExtras
import Foundation
import SwiftASN1
import X509

/// The key a certificate certifies.
public enum X509KeySummary: Hashable, Sendable, CustomStringConvertible {
    case rsa(bits: Int)
    /// NIST curve name ("P-256", "P-384", "P-521").
    case ec(curve: String)
    case ed25519

    public var description: String {
        switch self {
        case let .rsa(bits): return "RSA \(bits)"
        case let .ec(curve): return "EC \(curve)"
        case .ed25519: return "Ed25519"
        }
    }
}

/// Where a capture time falls in a certificate's validity period.
public enum X509Validity: String, Hashable, Sendable {
    case notYetValid = "not_yet_valid"
    case valid
    case expired
}

/// What a report needs to know about one certificate of a chain. Parsing is
/// done by swift-certificates; this only extracts and renders.
public struct X509CertificateSummary: Equatable, Sendable {
    /// 0 = the sender's own certificate; then each issuer as sent.
    public var position: Int
    public var derLength: Int
    /// Uppercase hex without separators (Windows' "Thumbprint" is the SHA-1 one).
    public var sha1Thumbprint: String
    public var sha256Thumbprint: String
    /// `certificate_unparseable` (with the library's reason as detail) when
    /// swift-certificates cannot read the DER; the fields below are then nil/empty.
    public var error: DissectError?

    /// RFC 4514 rendering as swift-certificates produces it (e.g. "CN=host,O=Org").
    public var subject: String?
    public var issuer: String?
    /// Uppercase hex of the serial number's bytes.
    public var serialNumber: String?
    /// Validity bounds, seconds since the Unix epoch, and as RFC 3339 UTC text.
    public var notValidBefore: Int64?
    public var notValidAfter: Int64?
    public var notValidBeforeText: String?
    public var notValidAfterText: String?
    /// subject == issuer.
    public var isSelfIssued = false
    /// For a self-issued certificate: its signature verifies with its own key.
    /// nil when not self-issued.
    public var selfSignatureValid: Bool?
    public var key: X509KeySummary?
    /// e.g. "sha256WithRSAEncryption".
    public var signatureAlgorithm: String?
    /// Signed with SHA-1 (or MD5, which swift-certificates refuses to parse).
    public var signatureAlgorithmIsWeak = false
    public var dnsNames: [String] = []
    public var ipAddresses: [String] = []
    /// Extended key usages as dotted OIDs; nil when the extension is absent
    /// (any usage allowed).
    public var extendedKeyUsages: [String]?
    /// nil when basicConstraints is absent.
    public var isCertificateAuthority: Bool?

    public static let serverAuthenticationOID = "1.3.6.1.5.5.7.3.1"
    /// Microsoft "Remote Desktop Authentication", set on RDP's self-signed certificates.
    public static let remoteDesktopAuthenticationOID = "1.3.6.1.4.1.311.54.1.2"

    public var hasServerAuthentication: Bool { extendedKeyUsages?.contains(Self.serverAuthenticationOID) ?? false }
    public var hasRemoteDesktopAuthentication: Bool {
        extendedKeyUsages?.contains(Self.remoteDesktopAuthenticationOID) ?? false
    }
    /// Usable as a TLS server certificate by EKU: no EKU extension, serverAuth, or anyExtendedKeyUsage.
    public var allowsServerAuthentication: Bool {
        guard let ekus = extendedKeyUsages else { return true }
        return ekus.contains(Self.serverAuthenticationOID) || ekus.contains("2.5.29.37.0")
    }

    /// The certificate's state at `time` (capture time); nil when unparsed.
    public func validity(at time: CaptureTime) -> X509Validity? {
        guard let notValidBefore, let notValidAfter else { return nil }
        let seconds = time.seconds
        if seconds < notValidBefore { return .notYetValid }
        if seconds > notValidAfter { return .expired }
        return .valid
    }
}

public enum X509Summary {
    /// Summaries of a chain as sent in a Certificate message.
    public static func summarize(chain: [[UInt8]]) -> [X509CertificateSummary] {
        chain.enumerated().map { summarize(der: $0.element, position: $0.offset) }
    }

    /// A summary of one DER certificate; never throws, never traps.
    public static func summarize(der: [UInt8], position: Int = 0) -> X509CertificateSummary {
        var summary = X509CertificateSummary(
            position: position, derLength: der.count,
            sha1Thumbprint: tlsHex(bytes: Insecure.SHA1.hash(data: der), uppercase: true),
            sha256Thumbprint: tlsHex(bytes: SHA256.hash(data: der), uppercase: true)
        )
        let certificate: Certificate
        guard RSAKeyPrecheck.isSafeToParse(certificate: der) else {
            summary.error = DissectError("certificate_unparseable", offset: 0,
                                         detail: "the certificate or its RSA public key does not have the structure RFC 5280 and PKCS #1 require")
            return summary
        }
        do {
            certificate = try Certificate(derEncoded: der)
        } catch {
            summary.error = DissectError("certificate_unparseable", offset: 0, detail: "\(error)")
            return summary
        }
        summary.subject = certificate.subject.description
        summary.issuer = certificate.issuer.description
        summary.serialNumber = tlsHex(bytes: certificate.serialNumber.bytes, uppercase: true)
        let before = certificate.notValidBefore.timeIntervalSince1970
        let after = certificate.notValidAfter.timeIntervalSince1970
        summary.notValidBefore = Int64(exactly: before.rounded(.down))
        summary.notValidAfter = Int64(exactly: after.rounded(.down))
        summary.notValidBeforeText = summary.notValidBefore.map(rfc3339)
        summary.notValidAfterText = summary.notValidAfter.map(rfc3339)
        summary.isSelfIssued = certificate.subject == certificate.issuer
        if summary.isSelfIssued {
            summary.selfSignatureValid = certificate.publicKey.isValidSignature(certificate.signature, for: certificate)
        }
        summary.key = keySummary(certificate.publicKey)
        (summary.signatureAlgorithm, summary.signatureAlgorithmIsWeak) = signatureName(certificate.signatureAlgorithm)
        readExtensions(certificate.extensions, into: &summary)
        return summary
    }

    private static func keySummary(_ key: Certificate.PublicKey) -> X509KeySummary? {
        if let rsa = _RSA.Signing.PublicKey(key) { return .rsa(bits: rsa.keySizeInBits) }
        if P256.Signing.PublicKey(key) != nil { return .ec(curve: "P-256") }
        if P384.Signing.PublicKey(key) != nil { return .ec(curve: "P-384") }
        if P521.Signing.PublicKey(key) != nil { return .ec(curve: "P-521") }
        if Curve25519.Signing.PublicKey(key) != nil { return .ed25519 }
        return nil
    }

    private static func signatureName(_ algorithm: Certificate.SignatureAlgorithm) -> (String, Bool) {
        switch algorithm {
        case .sha1WithRSAEncryption: return ("sha1WithRSAEncryption", true)
        case .sha256WithRSAEncryption: return ("sha256WithRSAEncryption", false)
        case .sha384WithRSAEncryption: return ("sha384WithRSAEncryption", false)
        case .sha512WithRSAEncryption: return ("sha512WithRSAEncryption", false)
        case .ecdsaWithSHA256: return ("ecdsaWithSHA256", false)
        case .ecdsaWithSHA384: return ("ecdsaWithSHA384", false)
        case .ecdsaWithSHA512: return ("ecdsaWithSHA512", false)
        case .ed25519: return ("ed25519", false)
        default: return ("\(algorithm)", false)
        }
    }

    /// Extensions that do not read are left out rather than failing the summary.
    private static func readExtensions(_ extensions: Certificate.Extensions, into summary: inout X509CertificateSummary) {
        if let names = try? extensions.subjectAlternativeNames {
            for name in names {
                switch name {
                case let .dnsName(dns): summary.dnsNames.append(dns)
                case let .ipAddress(octets): summary.ipAddresses.append(ipText(Array(octets.bytes)))
                default: break
                }
            }
        }
        if let eku = try? extensions.extendedKeyUsage {
            summary.extendedKeyUsages = eku.map { ASN1ObjectIdentifier($0).description }
        }
        if let constraints = try? extensions.basicConstraints {
            switch constraints {
            case .isCertificateAuthority: summary.isCertificateAuthority = true
            case .notCertificateAuthority: summary.isCertificateAuthority = false
            }
        }
    }

    /// Dotted IPv4, or IPv6 as eight hex groups (not compressed).
    static func ipText(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map { String($0) }.joined(separator: ".") }
        if bytes.count == 16 {
            return stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
                .joined(separator: ":")
        }
        return tlsHex(bytes: bytes)
    }

    /// "YYYY-MM-DDThh:mm:ssZ" for seconds since the epoch (proleptic Gregorian,
    /// days-to-civil conversion after H. Hinnant's date algorithms).
    static func rfc3339(_ seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let y = year >= 0 && year < 10_000 ? String(repeating: "0", count: 4 - String(year).count) + String(year) : String(year)
        return "\(y)-\(two(month))-\(two(day))T\(two(secondOfDay / 3_600)):\(two(secondOfDay % 3_600 / 60)):\(two(secondOfDay % 60))Z"
    }
}
