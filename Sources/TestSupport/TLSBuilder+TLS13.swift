/// TLS 1.3 handshake messages [RFC 8446] for synthesized captures, and the
/// TLS 1.2 Finished and alerts that get sealed by `TLSRecordSealer`.
extension TLSBuilder {
    public static let tls13: Int = 0x0304

    /// The TLS 1.3 cipher suites of a Windows 11 / Server 2022 Schannel ClientHello, then its TLS 1.2 ones.
    public static let windowsTLS13CipherSuites: [Int] = [0x1302, 0x1301] + windowsCipherSuites

    /// ClientHello offering TLS 1.3 [RFC 8446 §4.1.2] as Schannel sends it: legacy_version
    /// 1.2, a 32-byte legacy_session_id (middlebox compatibility, §D.4), extensions
    /// server_name, supported_groups, ec_point_formats, signature_algorithms,
    /// extended_master_secret, renegotiation_info, supported_versions 1.3/1.2 [§4.2.1],
    /// psk_key_exchange_modes psk_dhe_ke [§4.2.9] and an x25519 key_share [§4.2.8].
    public static func clientHello13(random: [UInt8], sessionId: [UInt8], serverName: String, keyShare: [UInt8]) -> [UInt8] {
        let name = Array(serverName.utf8)
        var extensions = ext(0x0000, vector16([0x00] + vector16(name)))
        extensions += ext(0x000A, vector16([0x00, 0x1D, 0x00, 0x17, 0x00, 0x18]))
        extensions += ext(0x000B, vector8([0x00]))
        let schemes = [0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0403, 0x0503, 0x0603, 0x0201, 0x0203]
        extensions += ext(0x000D, vector16(schemes.flatMap(be16)))
        extensions += ext(0x0017, [])
        extensions += ext(0xFF01, [0x00])
        extensions += ext(0x002B, vector8(be16(tls13) + be16(tls12)))
        extensions += ext(0x002D, vector8([0x01]))
        extensions += ext(0x0033, vector16(be16(0x001D) + vector16(keyShare)))
        let body = be16(tls12) + random + vector8(sessionId) + vector16(windowsTLS13CipherSuites.flatMap(be16))
            + vector8([0x00]) + vector16(extensions)
        return handshake(type: 1, body)
    }

    /// ServerHello selecting TLS 1.3 [RFC 8446 §4.1.3]: legacy_version 1.2, the client's
    /// session id echoed, the suite, supported_versions 1.3 and the server's x25519 key_share.
    public static func serverHello13(random: [UInt8], sessionId: [UInt8], cipherSuite: Int = 0x1301, keyShare: [UInt8]) -> [UInt8] {
        let extensions = ext(0x002B, be16(tls13)) + ext(0x0033, be16(0x001D) + vector16(keyShare))
        return handshake(type: 2, be16(tls12) + random + vector8(sessionId) + be16(cipherSuite) + [0x00] + vector16(extensions))
    }

    /// EncryptedExtensions [RFC 8446 §4.3.1]: none (Schannel sends an empty list).
    public static func encryptedExtensions() -> [UInt8] { handshake(type: 8, vector16([])) }

    /// Certificate [RFC 8446 §4.4.2]: empty certificate_request_context, then
    /// CertificateEntry { cert_data<1..2^24-1>, extensions<0..2^16-1> } per certificate.
    public static func certificate13(_ chain: [[UInt8]]) -> [UInt8] {
        let list = chain.flatMap { u24($0.count) + $0 + vector16([]) }
        return handshake(type: 11, vector8([]) + u24(list.count) + list)
    }

    /// CertificateVerify [RFC 8446 §4.4.3]: the scheme (rsa_pss_rsae_sha256) and signature<0..2^16-1>.
    public static func certificateVerify(scheme: Int = 0x0804, signature: [UInt8]) -> [UInt8] {
        handshake(type: 15, be16(scheme) + vector16(signature))
    }

    /// Finished [RFC 5246 §7.4.9, RFC 8446 §4.4.4]: verify_data (12 bytes in TLS 1.2, one
    /// hash long in TLS 1.3).
    public static func finished(verifyData: [UInt8]) -> [UInt8] { handshake(type: 20, verifyData) }

    /// Alert content [RFC 5246 §7.2]: level, description (close_notify: 1, 0).
    public static func alert(level: UInt8, description: UInt8) -> [UInt8] { [level, description] }
}
