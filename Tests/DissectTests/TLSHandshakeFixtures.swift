import Testing
@testable import Dissect
import Wire

/// Hand-made handshake messages. Offsets in the comments are from the start
/// of the message (its 4-byte header included).
enum HandshakeFixtures {
    /// ClientHello in the TLS 1.3 style of a browser: GREASE in suites, extensions,
    /// versions, groups and key shares. Built by hand from RFC 8446 §4.1.2 / RFC 8701.
    static let clientHello13 = hexBytes(
        "01 00 00 df",  // [0] msg_type 1, [1] length 223
        "0303",  // [4] legacy_version TLS 1.2
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",  // [6] random 00..1f
        "20e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfe",  // [38] legacy_session_id (32 bytes)
        "ff",
        "000a2a2a130113021303c02f",  // [71] cipher_suites: GREASE, 1301, 1302, 1303, c02f
        "0100",  // [83] compression: null
        "008c",  // [85] extensions length
        "0a0a0000",  // [87] GREASE extension
        "0000001500130000107264702e6578616d706c652e74657374",  // [91] server_name rdp.example.test
        "001000050003026832",  // [116] ALPN h2
        "002b0007063a3a03040303",  // [125] supported_versions GREASE, 1.3, 1.2
        "000a000800064a4a001d0017",  // [136] supported_groups GREASE, x25519, secp256r1
        "000d00080006040308040401",  // [148] signature_algorithms 0403 0804 0401
        "0033002b00294a4a000100001d00205555555555555555555555555555555555",  // [160] key_share GREASE(1 byte), x25519(32 bytes)
        "555555555555555555555555555555",
        "00170000",  // [207] extended_master_secret
        "ff01000100",  // [211] renegotiation_info (empty)
        "002d00020101",  // [216] psk_key_exchange_modes psk_dhe_ke
        "1a1a000100"  // [222] GREASE extension (1 byte)
    )

    /// ClientHello of a TLS 1.2-only client (Schannel-like: no SNI, no
    /// supported_versions). Built by hand from RFC 5246 §7.4.1.2.
    static let clientHello12 = hexBytes(
        "01 00 00 6a",  // [0] msg_type 1, [1] length 106
        "0303",  // [4] legacy_version TLS 1.2
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",  // [6] random 00..1f
        "00",  // [38] legacy_session_id (empty)
        "001ac030c02fc028c027c014c013009f009e003d003c0035002f000a",  // [39] 13 cipher_suites c030 .. 000a
        "0100",  // [67] compression: null
        "0027",  // [69] extensions length
        "000a00080006001d00170018",  // [71] supported_groups x25519, secp256r1, secp384r1
        "000b00020100",  // [83] ec_point_formats uncompressed
        "000d00080006080404010201",  // [89] signature_algorithms 0804 0401 0201
        "00170000",  // [101] extended_master_secret
        "ff01000100"  // [105] renegotiation_info (empty)
    )

    /// ServerHello selecting TLS 1.2 and ECDHE-RSA-AES256-GCM-SHA384 (RFC 5246 §7.4.1.3).
    static let serverHello12 = hexBytes(
        "02 00 00 51",  // [0] msg_type 2, [1] length 81
        "0303",  // [4] server_version TLS 1.2
        "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f",  // [6] random 20..3f
        "20ababababababababababababababababababababababababababababababab",  // [38] session_id (32 bytes)
        "ab",
        "c030",  // [71] cipher_suite ECDHE_RSA_AES_256_GCM_SHA384
        "00",  // [73] compression null
        "0009",  // [74] extensions length
        "ff01000100",  // [76] renegotiation_info
        "00170000"  // [81] extended_master_secret
    )

    /// ServerHello selecting TLS 1.3 via supported_versions (RFC 8446 §4.1.3).
    static let serverHello13 = hexBytes(
        "02 00 00 76",  // [0] msg_type 2, [1] length 118
        "0303",  // [4] legacy_version TLS 1.2
        "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f",  // [6] random 40..5f
        "20e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfe",  // [38] legacy_session_id_echo (32 bytes)
        "ff",
        "1302",  // [71] cipher_suite TLS_AES_256_GCM_SHA384
        "00",  // [73] compression null
        "002e",  // [74] extensions length
        "002b00020304",  // [76] supported_versions: TLS 1.3
        "00330024001d0020666666666666666666666666666666666666666666666666",  // [82] key_share x25519
        "6666666666666666"
    )

    /// HelloRetryRequest asking for secp256r1 (RFC 8446 §4.1.4).
    static let helloRetryRequest = hexBytes(
        "02 00 00 54",  // [0] msg_type 2, [1] length 84
        "0303",  // [4] legacy_version TLS 1.2
        "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c",  // [6] random = SHA-256("HelloRetryRequest")
        "20e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfe",  // [38] legacy_session_id_echo (32 bytes)
        "ff",
        "1301",  // [71] cipher_suite TLS_AES_128_GCM_SHA256
        "00",  // [73] compression null
        "000c",  // [74] extensions length
        "002b00020304",  // [76] supported_versions: TLS 1.3
        "003300020017"  // [82] key_share: selected_group secp256r1
    )

    /// Certificate (RFC 5246 §7.4.2) carrying two DER certificates: the RDP-style
    /// self-signed one and the expired one from X509Fixtures.
    static var certificateTwo: [UInt8] {
        handshakeMessage(11, vec24(vec24(X509Fixtures.rdpSelfSigned) + vec24(X509Fixtures.expired)))
    }

    /// ServerHelloDone: type 14, empty body (RFC 5246 §7.4.5).
    static let serverHelloDone = hexBytes("0e 000000")
}
