import Crypto

/// A JA4-style client fingerprint: our implementation of the published JA4
/// description (FoxIO, "JA4: TLS Client Fingerprinting", technical_details/JA4.md),
/// not a certified one. It identifies the client's TLS stack (mstsc/Schannel,
/// FreeRDP/OpenSSL, a scanner) independent of the connection.
///
/// `a_b_c`, where, with every GREASE value (RFC 8701) skipped everywhere:
/// - a = "t" (TLS over TCP) + version + SNI + cipher count + extension count + ALPN:
///   - version: the highest supported_versions entry if that extension is
///     present, else legacy_version: "13", "12", "11", "10", "s3", "s2",
///     anything else "00" (the record-layer version is ignored);
///   - "d" if a server_name extension is present, else "i";
///   - number of cipher suites and of extensions, two decimal digits each,
///     capped at 99 (SNI and ALPN are counted here);
///   - first and last character of the first ALPN name; if either of those
///     bytes is not an ASCII letter or digit, the first hex digit of the first
///     byte and the last hex digit of the last byte; "00" without ALPN.
/// - b = first 12 hex digits of SHA-256 over the cipher suites as 4-digit
///   lowercase hex, sorted, comma-separated; "000000000000" if there are none.
/// - c = first 12 hex digits of SHA-256 over the extension types (4-digit hex,
///   sorted, comma-separated, SNI 0x0000 and ALPN 0x0010 left out), then "_"
///   and the signature_algorithms values in their original order; without
///   signature algorithms the "_" part is omitted; "000000000000" when the
///   sorted extension list is empty.
///
/// Unsure points: whether an *empty* ALPN name (invalid per RFC 7301) gives
/// "00" — we give "00"; and whether the "000000000000" rule for c applies when
/// only signature algorithms remain — we apply it to the extension list alone.
public enum TLSClientFingerprint {
    /// The fingerprint of a ClientHello sent over TCP.
    public static func ja4Style(_ hello: TLSClientHello) -> String {
        let raw = ja4StyleParts(hello)
        return "\(raw.a)_\(truncatedSHA256(raw.b))_\(truncatedSHA256(raw.c, emptyWhen: raw.cIsEmpty))"
    }

    /// The unhashed form ("JA4_r"-like): a, then the cipher list, then the
    /// extension list and signature algorithms. For reports and debugging.
    public static func ja4StyleRaw(_ hello: TLSClientHello) -> String {
        let raw = ja4StyleParts(hello)
        return "\(raw.a)_\(raw.b)_\(raw.c)"
    }

    struct Parts { var a: String; var b: String; var c: String; var cIsEmpty: Bool }

    static func ja4StyleParts(_ hello: TLSClientHello) -> Parts {
        let ciphers = hello.cipherSuites.map(\.rawValue).filter { !tlsIsGREASE($0) }
        let extensions = hello.extensions.map(\.type.rawValue).filter { !tlsIsGREASE($0) }
        let hasSNI = extensions.contains(TLSExtensionType.serverName.rawValue)

        var a = "t"
        a += versionCode(hello)
        a += hasSNI ? "d" : "i"
        a += twoDigits(ciphers.count)
        a += twoDigits(extensions.count)
        a += alpnCode(hello.has(.alpn) ? hello.alpnProtocols.first : nil)

        let b = ciphers.sorted().map(tlsHex).joined(separator: ",")
        let hashedExtensions = extensions
            .filter { $0 != TLSExtensionType.serverName.rawValue && $0 != TLSExtensionType.alpn.rawValue }
            .sorted()
        var c = hashedExtensions.map(tlsHex).joined(separator: ",")
        let algorithms = hello.signatureAlgorithms.map(\.rawValue).filter { !tlsIsGREASE($0) }
        if !algorithms.isEmpty { c += "_" + algorithms.map(tlsHex).joined(separator: ",") }
        return Parts(a: a, b: b, c: c, cIsEmpty: hashedExtensions.isEmpty)
    }

    static func versionCode(_ hello: TLSClientHello) -> String {
        let offered = hello.supportedVersions.filter { !$0.isGREASE }
        let version = hello.has(.supportedVersions) && !offered.isEmpty ? offered.max() ?? hello.legacyVersion
            : hello.legacyVersion
        switch version.rawValue {
        case 0x0304: return "13"
        case 0x0303: return "12"
        case 0x0302: return "11"
        case 0x0301: return "10"
        case 0x0300: return "s3"
        case 0x0002: return "s2"
        default: return "00"
        }
    }

    static func twoDigits(_ n: Int) -> String {
        let capped = min(n, 99)
        return capped < 10 ? "0\(capped)" : "\(capped)"
    }

    static func alpnCode(_ name: [UInt8]?) -> String {
        guard let name, let first = name.first, let last = name.last else { return "00" }
        func alphanumeric(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
        }
        if alphanumeric(first), alphanumeric(last) {
            return String(decoding: [first, last], as: UTF8.self)
        }
        let firstHex = tlsHex(bytes: [first])
        let lastHex = tlsHex(bytes: [last])
        return String(firstHex.prefix(1)) + String(lastHex.suffix(1))
    }

    static func truncatedSHA256(_ text: String, emptyWhen isEmpty: Bool? = nil) -> String {
        if isEmpty ?? text.isEmpty { return "000000000000" }
        return String(tlsHex(bytes: SHA256.hash(data: Array(text.utf8))).prefix(12))
    }
}
