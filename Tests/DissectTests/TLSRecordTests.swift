import Testing
@testable import Dissect
import Wire

@Suite struct TLSRecordTests {
    static let headers: [(String, [UInt8], DissectResult<TLSRecordHeader>)] = [
        ("handshake record, TLS 1.0 record version", hexBytes("16 0301 0005", "0102030405"),
         .parsed(TLSRecordHeader(contentType: .handshake, legacyVersion: .tls10, length: 5), consumed: 10)),
        ("alert record with more bytes after it", hexBytes("15 0303 0002", "0228", "17"),
         .parsed(TLSRecordHeader(contentType: .alert, legacyVersion: .tls12, length: 2), consumed: 7)),
        ("zero-length application data", hexBytes("17 0303 0000"),
         .parsed(TLSRecordHeader(contentType: .applicationData, legacyVersion: .tls12, length: 0), consumed: 5)),
        ("empty", [], .needMore(minimum: 5)),
        ("type only", hexBytes("16"), .needMore(minimum: 5)),
        ("header only", hexBytes("16 0303 0005"), .needMore(minimum: 10)),
        ("header and part of the fragment", hexBytes("16 0303 0005 0000"), .needMore(minimum: 10)),
        ("largest ciphertext allowed (2^14 + 2048)", hexBytes("17 0303 4800"), .needMore(minimum: 5 + 18_432)),
        ("HTTP, not TLS", Array("GET / HTTP/1.1".utf8), .malformed(DissectError("tls_record_type_invalid", offset: 0))),
        ("TPKT, not TLS", hexBytes("03 00 00 13"), .malformed(DissectError("tls_record_type_invalid", offset: 0))),
        ("SSL 2.0 CLIENT-HELLO", hexBytes("80 2e 01 0301"), .malformed(DissectError("tls_sslv2_client_hello", offset: 0))),
        ("major version 2", hexBytes("16 02"), .malformed(DissectError("tls_record_version_invalid", offset: 1))),
        ("one byte over 2^14 + 2048", hexBytes("17 0303 4801"), .malformed(DissectError("tls_record_too_long", offset: 3))),
    ]

    @Test(arguments: headers)
    func recordHeaders(name: String, bytes: [UInt8], expected: DissectResult<TLSRecordHeader>) {
        let result = bytes.withUnsafeBytes { TLSRecordHeader.parse($0) }
        #expect(result == expected, "\(name)")
    }

    /// The alert descriptions a diagnosis relies on, by name [RFC 8446 §6].
    static let alertNames: [(UInt8, String)] = [
        (0, "close_notify"), (10, "unexpected_message"), (20, "bad_record_mac"), (40, "handshake_failure"),
        (42, "bad_certificate"), (43, "unsupported_certificate"), (44, "certificate_revoked"),
        (45, "certificate_expired"), (46, "certificate_unknown"), (47, "illegal_parameter"), (48, "unknown_ca"),
        (49, "access_denied"), (50, "decode_error"), (51, "decrypt_error"), (70, "protocol_version"),
        (71, "insufficient_security"), (80, "internal_error"), (86, "inappropriate_fallback"),
        (90, "user_canceled"), (100, "no_renegotiation"), (109, "missing_extension"),
        (110, "unsupported_extension"), (112, "unrecognized_name"), (116, "certificate_required"),
        (120, "no_application_protocol"),
    ]

    @Test(arguments: alertNames)
    func alertDescriptions(code: UInt8, name: String) {
        let result = [2, code].withUnsafeBytes { TLSAlert.parseRecord($0) }
        #expect(result.value == [TLSAlert(level: .fatal, description: TLSAlertDescription(rawValue: code))])
        #expect(result.value?.first?.alertDescription.name == name)
        #expect(result.value?.first?.isFatal == true)
    }

    @Test func alertRecords() {
        let two = hexBytes("0100 022e").withUnsafeBytes { TLSAlert.parseRecord($0) }
        #expect(two.value?.map(\.description) == ["warning close_notify", "fatal certificate_unknown"])
        for bad in [[], [2], [2, 40, 1]] as [[UInt8]] {
            let result = bad.withUnsafeBytes { TLSAlert.parseRecord($0) }
            #expect(result == .malformed(DissectError("tls_alert_length_invalid", offset: 0)))
        }
        #expect(TLSAlertDescription(rawValue: 200).description == "alert(200)")
    }

    /// Fragment length → plaintext length, worked out by hand from the RFC layouts.
    static let plaintextSizes: [(String, UInt16, TLSVersion, Int, TLSPlaintextSize?)] = [
        // 8 explicit nonce + 100 + 16 tag [RFC 5288 §3]
        ("AES-GCM TLS 1.2", 0xC02F, .tls12, 124, .exact(100)),
        // 100 + 16 tag, no explicit nonce [RFC 7905 §2]
        ("ChaCha20-Poly1305 TLS 1.2", 0xCCA8, .tls12, 116, .exact(100)),
        // 8 + 100 + 8 [RFC 6655 §3]
        ("AES-CCM_8 TLS 1.2", 0xC0A0, .tls12, 116, .exact(100)),
        // IV 16 + (100 + MAC 32 + pad 12) = 160; padding 1...16 leaves 96...111
        ("AES-CBC-SHA256 TLS 1.2", 0x003C, .tls12, 160, .range(min: 96, max: 111)),
        // no explicit IV in TLS 1.0: 100 + 20 + pad 8 = 128
        ("AES-CBC-SHA TLS 1.0", 0x002F, .tls10, 128, .range(min: 92, max: 107)),
        ("CBC length not block aligned", 0x003C, .tls12, 161, nil),
        // 100 + 1 content type + 16 tag [RFC 8446 §5.2]
        ("TLS_AES_128_GCM_SHA256", 0x1301, .tls13, 117, .atMost(100)),
        ("TLS_CHACHA20_POLY1305_SHA256", 0x1303, .tls13, 117, .atMost(100)),
        ("TLS_AES_128_CCM_8_SHA256", 0x1305, .tls13, 109, .atMost(100)),
        ("RC4-SHA", 0x0005, .tls10, 120, .exact(100)),
        ("shorter than the tag", 0xC02F, .tls12, 10, nil),
        ("unknown suite", 0xABCD, .tls12, 100, nil),
        // The Early User Authorization Result (4 bytes) per the reference table.
        ("EUAR under TLS 1.2 GCM (wire 33)", 0xC030, .tls12, 28, .exact(4)),
        ("EUAR under TLS 1.3 (wire 26)", 0x1302, .tls13, 21, .atMost(4)),
    ]

    @Test(arguments: plaintextSizes)
    func plaintextSize(name: String, suite: UInt16, version: TLSVersion, length: Int, expected: TLSPlaintextSize?) {
        let size = TLSRecordProtection.plaintextSize(
            fragmentLength: length, version: version, cipherSuite: TLSCipherSuite(rawValue: suite))
        #expect(size == expected, "\(name)")
    }

    @Test func codeTables() {
        #expect(TLSCipherSuite(rawValue: 0xC02B).description == "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")
        #expect(TLSCipherSuite(rawValue: 0x1305).info?.cipher == .aead(explicitNonce: 8, tag: 8))
        #expect(TLSCipherSuite(rawValue: 0xC028).info?.cipher == .cbc(blockSize: 16, macLength: 48))
        #expect(TLSCipherSuite(rawValue: 0x00FF).info?.cipher == .signaling)
        #expect(TLSCipherSuite(rawValue: 0xBEEF).description == "0xbeef")
        #expect(TLSCipherSuite(rawValue: 0xDADA).description == "GREASE(0xdada)")
        #expect(TLSExtensionType(rawValue: 0xFF01).description == "renegotiation_info")
        #expect(TLSNamedGroup(rawValue: 0x11EC).description == "X25519MLKEM768")
        #expect(TLSSignatureScheme(rawValue: 0x0807).description == "ed25519")
        #expect(TLSVersion(rawValue: 0x7F1C).description == "TLS 1.3 draft 28")
    }

    @Test func greaseValues() {
        let grease: [UInt16] = (0..<16).map { UInt16($0) << 12 | 0x0A00 | UInt16($0) << 4 | 0x0A }
        #expect(grease.first == 0x0A0A && grease.last == 0xFAFA)
        #expect(grease.allSatisfy(tlsIsGREASE))
        for v: UInt16 in [0x0A1A, 0x1A0A, 0x0A0B, 0x0000, 0x1301, 0xAAAB] { #expect(!tlsIsGREASE(v)) }
    }
}
