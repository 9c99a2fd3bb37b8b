import Testing
@testable import Dissect
import Wire

@Suite struct TLSHandshakeTests {
    @Test func clientHello13StyleWithGREASE() throws {
        let message = try #require(parseMessage(HandshakeFixtures.clientHello13).value)
        #expect(message.type == .clientHello)
        guard case let .clientHello(hello) = message.body else { Issue.record("not a ClientHello"); return }
        #expect(hello.legacyVersion == .tls12)
        #expect(hello.random == Array(0...31))
        #expect(hello.sessionID.count == 32)
        #expect(hello.cipherSuites.map(\.rawValue) == [0x2A2A, 0x1301, 0x1302, 0x1303, 0xC02F])
        #expect(hello.cipherSuites[0].isGREASE)
        #expect(hello.cipherSuites[1].description == "TLS_AES_128_GCM_SHA256")
        #expect(hello.compressionMethods == [0])
        #expect(hello.extensions.count == 11)
        #expect(hello.extensions.first?.type.isGREASE == true)
        #expect(hello.serverName == "rdp.example.test")
        #expect(hello.alpnNames == ["h2"])
        #expect(hello.supportedVersions.map(\.rawValue) == [0x3A3A, 0x0304, 0x0303])
        #expect(hello.highestVersion == .tls13)
        #expect(hello.supportedGroups.map(\.description) == ["GREASE(0x4a4a)", "x25519", "secp256r1"])
        #expect(hello.signatureAlgorithms.map(\.description) == ["ecdsa_secp256r1_sha256", "rsa_pss_rsae_sha256", "rsa_pkcs1_sha256"])
        #expect(hello.keyShareGroups.map(\.rawValue) == [0x4A4A, 0x001D])
        #expect(hello.extendedMasterSecret)
        #expect(hello.secureRenegotiation)
        #expect(hello.anomalies.isEmpty)
    }

    @Test func clientHello12Style() throws {
        let message = try #require(parseMessage(HandshakeFixtures.clientHello12).value)
        guard case let .clientHello(hello) = message.body else { Issue.record("not a ClientHello"); return }
        #expect(hello.cipherSuites.count == 13)
        #expect(hello.cipherSuites.first?.name == "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384")
        #expect(hello.cipherSuites.last?.name == "TLS_RSA_WITH_3DES_EDE_CBC_SHA")
        #expect(hello.serverName == nil)
        #expect(hello.supportedVersions.isEmpty)
        #expect(hello.highestVersion == .tls12)
        #expect(hello.signatureAlgorithms.map(\.isWeak) == [false, false, true])
        #expect(hello.extensions.map(\.type.description) == [
            "supported_groups", "ec_point_formats", "signature_algorithms", "extended_master_secret", "renegotiation_info",
        ])
    }

    @Test func serverHello12() throws {
        let message = try #require(parseMessage(HandshakeFixtures.serverHello12).value)
        guard case let .serverHello(hello) = message.body else { Issue.record("not a ServerHello"); return }
        #expect(!hello.isHelloRetryRequest)
        #expect(hello.negotiatedVersion == .tls12)
        #expect(hello.selectedVersion == nil)
        #expect(hello.cipherSuite.name == "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384")
        #expect(hello.extendedMasterSecret)
        #expect(hello.secureRenegotiation)
        #expect(hello.downgradeSentinel == nil)
        // Read from the kept body when asked for.
        #expect(hello.random == Array(0x20...0x3F))
        #expect(hello.sessionID == [UInt8](repeating: 0xAB, count: 32))
        #expect(hello.extensions == [TLSExtensionEntry(type: TLSExtensionType(rawValue: 0xFF01), length: 1),
                                     TLSExtensionEntry(type: TLSExtensionType(rawValue: 0x0017), length: 0)])
        #expect(hello.body == Array(HandshakeFixtures.serverHello12.dropFirst(4)))
    }

    @Test func serverHelloWithoutExtensionsOrSessionID() throws {
        // TLS 1.0-style: empty session ID, no extension block at all.
        let bytes = hexBytes("02 000026", "0301", String(repeating: "5a", count: 32), "00", "002f", "00")
        let message = try #require(parseMessage(bytes).value)
        guard case let .serverHello(hello) = message.body else { Issue.record("not a ServerHello"); return }
        #expect(hello.legacyVersion == .tls10)
        #expect(hello.random == [UInt8](repeating: 0x5A, count: 32))
        #expect(hello.sessionID.isEmpty)
        #expect(hello.extensions.isEmpty)
        #expect(hello.cipherSuite.name == "TLS_RSA_WITH_AES_128_CBC_SHA")
        #expect(!hello.extendedMasterSecret && !hello.secureRenegotiation && hello.downgradeSentinel == nil)
    }

    @Test func serverHelloDowngradeSentinel() throws {
        // RFC 8446 §4.1.3: "DOWNGRD" + 01 ends the random of a 1.3 server negotiating 1.2.
        let random = String(repeating: "11", count: 24) + "444f574e47524401"
        let bytes = hexBytes("02 000026", "0303", random, "00", "c02f", "00")
        let message = try #require(parseMessage(bytes).value)
        guard case let .serverHello(hello) = message.body else { Issue.record("not a ServerHello"); return }
        #expect(hello.downgradeSentinel == .tls12)
        #expect(Array(hello.random.suffix(8)) == [0x44, 0x4F, 0x57, 0x4E, 0x47, 0x52, 0x44, 0x01])
    }

    @Test func serverHello13() throws {
        let message = try #require(parseMessage(HandshakeFixtures.serverHello13).value)
        guard case let .serverHello(hello) = message.body else { Issue.record("not a ServerHello"); return }
        #expect(!hello.isHelloRetryRequest)
        #expect(hello.legacyVersion == .tls12)
        #expect(hello.negotiatedVersion == .tls13)
        #expect(hello.cipherSuite.name == "TLS_AES_256_GCM_SHA384")
        #expect(hello.keyShareGroup == .x25519)
        #expect(hello.random == Array(0x40...0x5F))
        #expect(hello.sessionID == Array(0xE0...0xFE) + [0xFF])
        #expect(hello.extensions.map(\.type.rawValue) == [0x002B, 0x0033])
        #expect(hello.extensions.map(\.length) == [2, 36])
    }

    @Test func helloRetryRequest() throws {
        let message = try #require(parseMessage(HandshakeFixtures.helloRetryRequest).value)
        guard case let .serverHello(hello) = message.body else { Issue.record("not a ServerHello"); return }
        #expect(hello.isHelloRetryRequest)
        #expect(hello.negotiatedVersion == .tls13)
        #expect(hello.keyShareGroup == .secp256r1)
        #expect(hello.anomalies.isEmpty)
    }

    @Test func certificateWithTwoCertificates() throws {
        let message = try #require(parseMessage(HandshakeFixtures.certificateTwo).value)
        guard case let .certificate(chain) = message.body else { Issue.record("not a Certificate"); return }
        #expect(chain.certificates == [X509Fixtures.rdpSelfSigned, X509Fixtures.expired])
    }

    @Test func serverHelloDone() {
        #expect(parseMessage(HandshakeFixtures.serverHelloDone) == .parsed(
            TLSHandshakeMessage(type: .serverHelloDone, length: 0, body: .serverHelloDone), consumed: 4))
        // Every ServerHelloDone is the same message: it is shared, not made anew, and the
        // bytes after it are left for the next message.
        let twice = HandshakeFixtures.serverHelloDone + HandshakeFixtures.serverHelloDone + [0x0e]
        guard case let .parsed(first, consumed) = parseMessage(twice),
              case let .parsed(second, _) = parseMessage(Array(twice[consumed...])) else {
            Issue.record("two ServerHelloDone messages did not parse")
            return
        }
        #expect(consumed == 4)
        #expect(first === second)
        #expect(first.type == .serverHelloDone && first.length == 0 && first.body == .serverHelloDone)
    }

    static let valid: [(String, [UInt8])] = [
        ("clientHello13", HandshakeFixtures.clientHello13),
        ("clientHello12", HandshakeFixtures.clientHello12),
        ("serverHello12", HandshakeFixtures.serverHello12),
        ("serverHello13", HandshakeFixtures.serverHello13),
        ("helloRetryRequest", HandshakeFixtures.helloRetryRequest),
        ("certificateTwo", HandshakeFixtures.certificateTwo),
        ("serverHelloDone", HandshakeFixtures.serverHelloDone),
    ]

    /// swift-asn1 testRejectDripFedASN1SPKIP256, for handshake messages.
    @Test(arguments: valid)
    func everyStrictPrefixNeedsMore(name: String, bytes: [UInt8]) {
        #expect(parseMessage(bytes).value != nil, "\(name) must parse whole")
        for length in 0..<bytes.count {
            let result = parseMessage(Array(bytes[..<length]))
            guard case let .needMore(minimum) = result else {
                Issue.record("\(name) prefix \(length): \(result)")
                return
            }
            #expect(minimum > length)
        }
    }

    /// Whole messages with one field made wrong, and the code each must give.
    static let malformed: [(String, [UInt8], String)] = [
        ("trailing byte after ClientHello extensions",
         patchLength(HandshakeFixtures.clientHello12 + [0x00]), "tls_client_hello_trailing_bytes"),
        ("session id of 33 bytes", {
            var b = HandshakeFixtures.clientHello13
            b[38] = 33  // legacy_session_id length; the cipher list then misreads
            return b
        }(), "tls_session_id_too_long"),
        ("odd cipher_suites length", {
            var b = HandshakeFixtures.clientHello12
            b[40] = 0x19  // 25 bytes of suites
            return b
        }(), "tls_cipher_suites_invalid"),
        ("extensions length past the body", {
            var b = HandshakeFixtures.clientHello12
            b[70] &+= 1
            return b
        }(), "tls_extensions_length_invalid"),
        ("ServerHelloDone with a body", hexBytes("0e 000001 00"), "tls_server_hello_done_not_empty"),
        ("ServerHello cut inside the random", hexBytes("02 000004 0303 aabb"), "tls_server_hello_truncated"),
        ("empty certificate in a chain", handshakeMessage(11, vec24(vec24([]))), "tls_certificate_empty"),
        ("message over the 64 KiB cap", hexBytes("0b 010001"), "tls_handshake_message_too_long"),
    ]

    @Test(arguments: malformed)
    func malformedMessages(name: String, bytes: [UInt8], code: String) {
        guard case let .malformed(error) = parseMessage(bytes) else {
            Issue.record("\(name): \(parseMessage(bytes))")
            return
        }
        #expect(error.code == code, "\(name)")
    }

    /// Rewrites the 3-byte message length after the body was changed.
    static func patchLength(_ message: [UInt8]) -> [UInt8] {
        var m = message
        let n = m.count - 4
        m[1] = UInt8(n >> 16); m[2] = UInt8((n >> 8) & 0xFF); m[3] = UInt8(n & 0xFF)
        return m
    }

    @Test func malformedExtensionBodyIsAnAnomalyNotAFailure() throws {
        // ALPN whose inner list claims 4 bytes but holds 3: the hello still reads.
        var body = u16(0x0303) + [UInt8](repeating: 0, count: 32) + vec8([]) + vec16(u16(0x1301)) + vec8([0])
        body += vec16(u16(16) + vec16(u16(4) + [2, 0x68, 0x32]) + u16(16) + vec16([]))
        let message = try #require(parseMessage(handshakeMessage(1, body)).value)
        guard case let .clientHello(hello) = message.body else { Issue.record("not a ClientHello"); return }
        #expect(hello.anomalies.count == 3)
        #expect(hello.anomalies.contains { $0.code == "tls_extension_duplicate" })
        #expect(hello.anomalies.contains { $0.code == "tls_extension_malformed" })
        #expect(hello.alpnProtocols.isEmpty)
    }

    @Test func serverKeyExchangeECDHE() throws {
        // RFC 8422 §5.4: named_curve(3), secp256r1, 65-byte point; TLS 1.2 signature rsa_pss_rsae_sha256.
        let body = [3] + u16(23) + vec8([4] + [UInt8](repeating: 7, count: 64)) + u16(0x0804) + vec16([UInt8](repeating: 9, count: 256))
        let context = TLSHandshakeMessage.Context(version: .tls12, cipherSuite: TLSCipherSuite(rawValue: 0xC02F))
        let message = try #require(parseMessage(handshakeMessage(12, body), context: context).value)
        #expect(message.body == .serverKeyExchange(TLSServerKeyExchange(
            namedGroup: .secp256r1, dhPrimeBits: nil, signatureAlgorithm: TLSSignatureScheme(rawValue: 0x0804), length: body.count)))
    }

    @Test func serverKeyExchangeDHEPrimeSize() throws {
        let p = [0x00, 0xFF] + [UInt8](repeating: 0xAB, count: 127)  // leading zero, then 1024 bits
        let body = vec16(p) + vec16([2]) + vec16([5, 5]) + u16(0x0401) + vec16([1, 2])
        let context = TLSHandshakeMessage.Context(version: .tls12, cipherSuite: TLSCipherSuite(rawValue: 0x009E))
        let message = try #require(parseMessage(handshakeMessage(12, body), context: context).value)
        guard case let .serverKeyExchange(ske) = message.body else { Issue.record("not SKE"); return }
        #expect(ske.dhPrimeBits == 1024)
    }

    @Test func certificateRequestAndTicket() throws {
        let request = vec8([1, 64]) + vec16(u16(0x0401) + u16(0x0403)) + vec16(vec16([0x30, 0x00]) + vec16([0x30, 0x00]))
        let r = try #require(parseMessage(handshakeMessage(13, request), context: .init(version: .tls12)).value)
        #expect(r.body == .certificateRequest(TLSCertificateRequest(
            certificateTypes: [1, 64], signatureAlgorithms: [.init(rawValue: 0x0401), .init(rawValue: 0x0403)],
            certificateAuthorityCount: 2)))
        let ticket = [0, 0, 0x1C, 0x20] + vec16([UInt8](repeating: 1, count: 160))
        let t = try #require(parseMessage(handshakeMessage(4, ticket), context: .init(version: .tls12)).value)
        #expect(t.body == .newSessionTicket(TLSNewSessionTicket(lifetimeHint: 7200, ticketLength: 160)))
    }
}
