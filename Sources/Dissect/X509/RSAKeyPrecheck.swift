import SwiftASN1

/// Checks an RSA subject public key before swift-certificates hands it to
/// swift-crypto. swift-crypto 3.12's `BoringSSLRSAPublicKey` frees its key twice
/// when neither the SPKI nor the PKCS#1 reading of the bytes parses (its failing
/// initialiser frees, then its deinit frees again): a corrupted certificate on the
/// wire would corrupt memory or abort. So an RSA key is only passed on when it has
/// the shape BoringSSL accepts (`RSA_parse_public_key` and `rsa_check_public_key`):
/// rsaEncryption with NULL parameters, a bit string without unused bits holding
/// SEQUENCE { INTEGER n, INTEGER e }, both non-negative, n odd and at most 16384
/// bits, e odd and 2 to 33 bits. Anything else is reported as unparseable here.
/// Keys of other algorithms are not this check's business (true).
enum RSAKeyPrecheck {
    static let rsaEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 1]

    static func isSafeToParse(certificate der: [UInt8]) -> Bool {
        guard let spki = try? subjectPublicKeyInfo(der) else { return false }
        guard case let .constructed(parts) = spki.content else { return false }
        var iterator = parts.makeIterator()
        guard let algorithm = iterator.next(), let key = iterator.next(), iterator.next() == nil,
              case let .constructed(algorithmParts) = algorithm.content else { return false }
        var algorithmIterator = algorithmParts.makeIterator()
        guard let oidNode = algorithmIterator.next(), let oid = try? ASN1ObjectIdentifier(derEncoded: oidNode) else { return false }
        guard oid == rsaEncryption else { return true }
        // Parameters: exactly NULL.
        guard let parameters = algorithmIterator.next(), algorithmIterator.next() == nil,
              parameters.identifier == .null, case let .primitive(nullBytes) = parameters.content, nullBytes.isEmpty
        else { return false }
        guard key.identifier == .bitString, case let .primitive(bits) = key.content,
              let unused = bits.first, unused == 0 else { return false }
        guard let rsaKey = try? DER.parse(Array(bits.dropFirst())), rsaKey.identifier == .sequence,
              case let .constructed(integers) = rsaKey.content else { return false }
        var integerIterator = integers.makeIterator()
        guard let n = integerIterator.next(), let e = integerIterator.next(), integerIterator.next() == nil,
              let nBits = unsignedBits(n), let eBits = unsignedBits(e) else { return false }
        return nBits.count <= 16_384 && nBits.count > 33 && nBits.odd
            && eBits.count >= 2 && eBits.count <= 33 && eBits.odd
    }

    /// The certificate's SubjectPublicKeyInfo node (RFC 5280 §4.1).
    static func subjectPublicKeyInfo(_ der: [UInt8]) throws -> ASN1Node? {
        let certificate = try DER.parse(der)
        guard certificate.identifier == .sequence, case let .constructed(top) = certificate.content,
              let tbs = top.first(where: { _ in true }), case let .constructed(fields) = tbs.content else { return nil }
        // version [0] EXPLICIT (optional), serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo.
        var rest = Array(fields)
        if let first = rest.first, first.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) {
            rest.removeFirst()
        }
        return rest.count > 5 ? rest[5] : nil
    }

    /// Bit length and parity of a minimal, non-negative DER INTEGER; nil otherwise.
    static func unsignedBits(_ node: ASN1Node) -> (count: Int, odd: Bool)? {
        guard node.identifier == .integer, case var .primitive(bytes) = node.content, let first = bytes.first else { return nil }
        guard first & 0x80 == 0 else { return nil }  // negative
        if first == 0 {
            // A leading zero is only allowed before a byte with its top bit set (minimal encoding).
            guard bytes.count == 1 || bytes[bytes.startIndex + 1] & 0x80 != 0 else { return nil }
            bytes = bytes.dropFirst()
        }
        guard let top = bytes.first, let last = bytes.last else { return (0, false) }
        let bits = (bytes.count - 1) * 8 + (8 - top.leadingZeroBitCount)
        return (bits, last & 1 == 1)
    }
}
