@testable import Dissect
import Reassembly
import Testing

// Round trips: records sealed by the test-side encryptor (TLSDecryptTestSupport)
// go through a TLSConnection whose parsers feed an attached TLSDecryptor.

private let masterSecret: [UInt8] = (0..<48).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) }
private let tls12Log = keyLog("CLIENT_RANDOM \(hexString(testClientRandom)) \(hexString(masterSecret))\n")

struct TLS12Case: CustomStringConvertible, Sendable {
    var suite: UInt16
    var version: UInt16 = 0x0303
    var encryptThenMAC = false
    var description: String {
        "\(TLSCipherSuite(rawValue: suite)) \(TLSVersion(rawValue: version))\(encryptThenMAC ? " EtM" : "")"
    }
}

/// Test-side key block [RFC 5246 §6.3], cut here rather than by the code under test.
private func sealers(_ c: TLS12Case) -> (client: TestRecordSealer, server: TestRecordSealer) {
    guard let p = TLSDecryptParameters(suite: TLSCipherSuite(rawValue: c.suite)) else { fatalError("suite") }
    let tls10 = c.version == 0x0301
    let ivLength: Int
    let mode: SealerMode
    switch p.cipher {
    case .aesGCM: (ivLength, mode) = (4, .gcm12)
    case .chaCha20Poly1305: (ivLength, mode) = (12, .chacha12)
    case .aesCBC:
        (ivLength, mode) = (tls10 ? 16 : 0, .cbc(mac: p.mac ?? .sha1, encryptThenMAC: c.encryptThenMAC, explicitIV: !tls10))
    }
    let m = p.macLength, k = p.keyLength
    let n = 2 * (m + k + ivLength)
    let seed = testServerRandom + testClientRandom
    let block = c.version >= 0x0303
        ? TLSKeySchedule.prf12(p.prfHash, secret: masterSecret, label: "key expansion", seed: seed, length: n)
        : TLSKeySchedule.prf10(secret: masterSecret, label: "key expansion", seed: seed, length: n)
    func slice(_ at: Int, _ len: Int) -> [UInt8] { Array(block[at..<at + len]) }
    let client = TestRecordSealer(mode: mode, key: slice(2 * m, k), iv: slice(2 * m + 2 * k, ivLength),
                                  macKey: slice(0, m), version: c.version)
    let server = TestRecordSealer(mode: mode, key: slice(2 * m + k, k), iv: slice(2 * m + 2 * k + ivLength, ivLength),
                                  macKey: slice(m, m), version: c.version)
    return (client, server)
}

/// ClientHello, ServerHello, then each side's ChangeCipherSpec and encrypted Finished.
private func tls12Handshake(_ c: TLS12Case, log: TLSKeyLog = tls12Log) -> (DecryptHarness, TestRecordSealer, TestRecordSealer) {
    var (client, server) = sealers(c)
    let h = DecryptHarness(keyLog: log)
    h.send(.clientToServer, clientHelloRecord(suites: [c.suite]))
    let ext: [(UInt16, [UInt8])] = c.encryptThenMAC ? [(22, [])] : []
    h.send(.serverToClient, serverHelloRecord(suite: c.suite, tls13: false, version: c.version, extensions: ext))
    let finished = handshakeMessage(20, [UInt8](repeating: 0xF1, count: 12))
    h.send(.clientToServer, record(20, [1], version: c.version) + client.seal(22, finished))
    h.send(.serverToClient, record(20, [1], version: c.version) + server.seal(22, finished))
    return (h, client, server)
}

private let tls12Cases: [TLS12Case] = [
    TLS12Case(suite: 0xC02F),  // ECDHE_RSA_WITH_AES_128_GCM_SHA256
    TLS12Case(suite: 0xC030),  // ECDHE_RSA_WITH_AES_256_GCM_SHA384 (SHA-384 PRF)
    TLS12Case(suite: 0xCCA8),  // ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
    TLS12Case(suite: 0xC013),  // ECDHE_RSA_WITH_AES_128_CBC_SHA
    TLS12Case(suite: 0xC028),  // ECDHE_RSA_WITH_AES_256_CBC_SHA384
    TLS12Case(suite: 0x003C),  // RSA_WITH_AES_128_CBC_SHA256
    TLS12Case(suite: 0xC014, encryptThenMAC: true),  // RFC 7366
    TLS12Case(suite: 0x002F, version: 0x0302),  // TLS 1.1: explicit IV, MD5/SHA-1 PRF
    TLS12Case(suite: 0x0035, version: 0x0301),  // TLS 1.0: chained IV
]

@Suite struct TLSDecryptTLS12Tests {
    @Test(arguments: tls12Cases)
    func roundTrip(_ c: TLS12Case) {
        var (h, client, server) = tls12Handshake(c)
        let clientPDUs: [[UInt8]] = [[0x03, 0x00, 0x00, 0x05, 0x02], Array(0..<200), [0x42]]
        let serverPDUs: [[UInt8]] = [Array(repeating: 0x66, count: 1000), [0x03, 0x00]]
        for pdu in clientPDUs { h.send(.clientToServer, client.seal(23, pdu)) }
        for pdu in serverPDUs { h.send(.serverToClient, server.seal(23, pdu)) }
        h.send(.serverToClient, server.seal(21, [1, 0]))  // close_notify, encrypted

        let clientEvents = h.events(.clientToServer)
        let serverEvents = h.events(.serverToClient)
        #expect(h.applicationData(clientEvents) == clientPDUs)
        #expect(h.applicationData(serverEvents) == serverPDUs)
        #expect(clientEvents.contains { if case let .handshake(m, _) = $0 { m.type == .finished } else { false } })
        #expect(serverEvents.contains(.alert(TLSAlert(level: .warning, description: .closeNotify), frames: TLSFrames(first: 10, last: 10))))
        let s = h.decryptor.summary
        #expect(s.secretsFound == true)
        #expect(s.secretsKind == .tls12MasterSecret)
        #expect(s.client.decrypted == 4 && s.server.decrypted == 4)
        #expect(s.client.failed == 0 && s.server.failed == 0)
    }

    /// A flipped byte fails that record only: reported once, and the next
    /// record (one sequence number further) still decrypts.
    @Test(arguments: tls12Cases)
    func flippedByte(_ c: TLS12Case) {
        var (h, client, _) = tls12Handshake(c)
        _ = h.events(.clientToServer)
        var bad = client.seal(23, [1, 2, 3, 4, 5])
        bad[13] ^= 0x80
        h.send(.clientToServer, bad)
        var bad2 = client.seal(23, [6, 7])
        // The last byte (tag, MAC or padding); but in TLS 1.0 the last
        // ciphertext block is the next record's IV, so damage the first.
        bad2[c.version == 0x0301 ? 5 : bad2.count - 1] ^= 0x01
        h.send(.clientToServer, bad2)
        h.send(.clientToServer, client.seal(23, [9, 9, 9]))
        let events = h.events(.clientToServer)
        #expect(events.first == .failure(.badRecordMAC, frames: TLSFrames(first: 5, last: 5)))
        #expect(events.filter { if case .failure = $0 { true } else { false } }.count == 1)
        #expect(h.applicationData(events) == [[9, 9, 9]])
        #expect(h.decryptor.summary.client.failed == 2)
        #expect(h.decryptor.summary.client.firstFailure == .badRecordMAC)
    }

    @Test(arguments: tls12Cases.filter { TLSDecryptParameters(suite: TLSCipherSuite(rawValue: $0.suite))?.cipher == .aesCBC })
    func badPadding(_ c: TLS12Case) {
        var (h, client, _) = tls12Handshake(c)
        let result: TLSDecryptResult = client.seal(23, [1, 2, 3, 4, 5], badPadding: true).withUnsafeBytes { raw in
            let header = TLSRecordHeader(contentType: .applicationData, legacyVersion: TLSVersion(rawValue: c.version),
                                         length: raw.count - 5)
            return h.decryptor.decrypt(header, fragment: UnsafeRawBufferPointer(rebasing: raw[5...]),
                                       direction: .clientToServer, frames: TLSFrames(first: 9, last: 9))
        }
        #expect(result == .failed(reason: .paddingInvalid))
        h.send(.clientToServer, client.seal(23, [7]))
        #expect(h.applicationData(h.events(.clientToServer)) == [[7]])
    }

    @Test func noSecretsForThisClientRandom() {
        let other = keyLog("CLIENT_RANDOM \(String(repeating: "ab", count: 32)) \(hexString(masterSecret))\n")
        var (h, client, _) = tls12Handshake(TLS12Case(suite: 0xC02F), log: other)
        h.send(.clientToServer, client.seal(23, [1]))
        #expect(h.events(.clientToServer).isEmpty)
        #expect(h.decryptor.summary.secretsFound == false)
        #expect(h.decryptor.summary.secretsKind == nil)
        #expect(!h.decryptor.summary.decrypted)
    }

    @Test func unsupportedSuiteIsReportedOnce() {
        // TLS_RSA_WITH_AES_128_CCM: swift-crypto has no CCM.
        let h = DecryptHarness(keyLog: tls12Log)
        h.send(.clientToServer, clientHelloRecord(suites: [0xC09C]))
        h.send(.serverToClient, serverHelloRecord(suite: 0xC09C, tls13: false))
        h.send(.clientToServer, record(20, [1]) + record(22, [UInt8](repeating: 0, count: 40)))
        h.send(.clientToServer, record(23, [UInt8](repeating: 0, count: 40)))
        #expect(h.events(.clientToServer) == [.failure(.unsupportedCipherSuite, frames: TLSFrames(first: 3, last: 3))])
        #expect(h.decryptor.summary.client.failed == 2)
    }
}

// MARK: TLS 1.3

struct TLS13Case: CustomStringConvertible, Sendable {
    var suite: UInt16
    var description: String { "\(TLSCipherSuite(rawValue: suite))" }
    var parameters: TLSDecryptParameters { TLSDecryptParameters(suite: TLSCipherSuite(rawValue: suite))! }
}

private struct TLS13Secrets {
    var clientHS, serverHS, clientApp, serverApp: [UInt8]
    init(length: Int) {
        func make(_ tag: UInt8) -> [UInt8] { (0..<length).map { UInt8(truncatingIfNeeded: Int(tag) &* 13 &+ $0) } }
        (clientHS, serverHS, clientApp, serverApp) = (make(1), make(2), make(3), make(4))
    }
    func log(random: [UInt8] = testClientRandom, handshake: Bool = true) -> TLSKeyLog {
        let r = hexString(random)
        var text = "# TLS 1.3 secrets\r\n"
        if handshake {
            text += "CLIENT_HANDSHAKE_TRAFFIC_SECRET \(r) \(hexString(clientHS))\r\n"
            text += "SERVER_HANDSHAKE_TRAFFIC_SECRET \(r) \(hexString(serverHS))\r\n"
        }
        text += "CLIENT_TRAFFIC_SECRET_0 \(r) \(hexString(clientApp))\r\nSERVER_TRAFFIC_SECRET_0 \(r) \(hexString(serverApp))\r\n"
        text += "EXPORTER_SECRET \(r) \(hexString(clientApp))\r\n"
        return keyLog(text)
    }
}

private func sealer13(_ c: TLS13Case, _ secret: [UInt8]) -> TestRecordSealer {
    let p = c.parameters
    let keys = TLSKeySchedule.trafficKeys(p.prfHash, secret: secret, keyLength: p.keyLength)
    return TestRecordSealer(mode: .aead13(p.cipher), key: keys.key, iv: keys.iv)
}

private let tls13Cases = [TLS13Case(suite: 0x1301), TLS13Case(suite: 0x1302), TLS13Case(suite: 0x1303)]
private let fakeCertificate: [UInt8] = [0x30, 0x03, 0x02, 0x01, 0x07]

@Suite struct TLSDecryptTLS13Tests {
    /// The server's flight: EE + Certificate in one record, CertificateVerify
    /// split over two, Finished; then NewSessionTicket and data under the
    /// application keys. The client: dummy CCS, Finished, data.
    private func run(_ c: TLS13Case, handshakeSecrets: Bool = true) -> DecryptHarness {
        let secrets = TLS13Secrets(length: c.parameters.prfHash.length)
        var serverHS = sealer13(c, secrets.serverHS), serverApp = sealer13(c, secrets.serverApp)
        var clientHS = sealer13(c, secrets.clientHS), clientApp = sealer13(c, secrets.clientApp)
        let h = DecryptHarness(keyLog: secrets.log(handshake: handshakeSecrets))
        h.send(.clientToServer, clientHelloRecord(suites: [c.suite]))
        h.send(.serverToClient, serverHelloRecord(suite: c.suite, tls13: true) + record(20, [1]))
        let ee = handshakeMessage(8, vec16([]))
        let cert = handshakeMessage(11, vec8([]) + vec24(vec24(fakeCertificate) + vec16([])))
        let cv = handshakeMessage(15, u16(0x0804) + vec16([UInt8](repeating: 0xCC, count: 64)))
        let fin = handshakeMessage(20, [UInt8](repeating: 0xF5, count: c.parameters.prfHash.length))
        h.send(.serverToClient, serverHS.seal(22, ee + cert))
        h.send(.serverToClient, serverHS.seal(22, Array(cv[..<30]), padding: 7))
        h.send(.serverToClient, serverHS.seal(22, Array(cv[30...]) + fin))
        h.send(.serverToClient, serverApp.seal(22, handshakeMessage(4, [UInt8](repeating: 0x7E, count: 20))))
        h.send(.serverToClient, serverApp.seal(23, [0x03, 0x00, 0x00, 0x09, 0x02, 0xF0, 0x80, 0x7F, 0x66]))
        h.send(.clientToServer, record(20, [1]) + clientHS.seal(22, fin))
        h.send(.clientToServer, clientApp.seal(23, [0x03, 0x00, 0x00, 0x09, 0x02, 0xF0, 0x80, 0x7F, 0x65], padding: 100))
        h.send(.clientToServer, clientApp.seal(21, [1, 0]))
        return h
    }

    @Test(arguments: tls13Cases)
    func roundTrip(_ c: TLS13Case) {
        let h = run(c)
        let server = h.events(.serverToClient)
        let client = h.events(.clientToServer)
        let serverTypes = server.compactMap { if case let .handshake(m, _) = $0 { m.type } else { nil } }
        #expect(serverTypes == [.encryptedExtensions, .certificate, .certificateVerify, .finished, .newSessionTicket])
        #expect(h.applicationData(server) == [[0x03, 0x00, 0x00, 0x09, 0x02, 0xF0, 0x80, 0x7F, 0x66]])
        #expect(h.applicationData(client) == [[0x03, 0x00, 0x00, 0x09, 0x02, 0xF0, 0x80, 0x7F, 0x65]])
        #expect(client.last == .alert(TLSAlert(level: .warning, description: .closeNotify), frames: TLSFrames(first: 10, last: 10)))
        // CertificateVerify came in records 4 and 5 (frames).
        #expect(server.contains { if case let .handshake(m, f) = $0 { m.type == .certificateVerify && f == TLSFrames(first: 4, last: 5) } else { false } })
        #expect(h.connection.session.serverCertificates == [fakeCertificate])
        #expect(h.decryptor.summary.secretsKind == .tls13TrafficSecrets)
        #expect(h.decryptor.summary.server.failed == 0 && h.decryptor.summary.client.failed == 0)
        #expect(h.decryptor.summary.server.decrypted == 5 && h.decryptor.summary.client.decrypted == 3)
    }

    @Test(arguments: tls13Cases)
    func flippedByte(_ c: TLS13Case) {
        let secrets = TLS13Secrets(length: c.parameters.prfHash.length)
        var app = sealer13(c, secrets.clientApp)
        var hs = sealer13(c, secrets.clientHS)
        let h = DecryptHarness(keyLog: secrets.log())
        h.send(.clientToServer, clientHelloRecord(suites: [c.suite]))
        h.send(.serverToClient, serverHelloRecord(suite: c.suite, tls13: true))
        h.send(.clientToServer, hs.seal(22, handshakeMessage(20, [UInt8](repeating: 1, count: c.parameters.prfHash.length))))
        var bad = app.seal(23, [1, 2, 3])
        bad[13] ^= 0x04
        h.send(.clientToServer, bad)
        h.send(.clientToServer, app.seal(23, [4, 5, 6]))
        let events = h.events(.clientToServer)
        #expect(events.contains(.failure(.badRecordMAC, frames: TLSFrames(first: 4, last: 4))))
        #expect(h.applicationData(events) == [[4, 5, 6]])
    }

    /// Only the application secrets in the log: handshake records fail with
    /// no_keys, application data still decrypts from sequence 0.
    @Test func withoutHandshakeSecrets() {
        let h = run(TLS13Case(suite: 0x1301), handshakeSecrets: false)
        let server = h.events(.serverToClient)
        #expect(server.first == .failure(.noKeys, frames: TLSFrames(first: 3, last: 3)))
        #expect(h.applicationData(server) == [[0x03, 0x00, 0x00, 0x09, 0x02, 0xF0, 0x80, 0x7F, 0x66]])
        #expect(h.decryptor.summary.server.failed == 3)
        #expect(h.connection.session.serverCertificates == nil)
    }

    /// KeyUpdate [RFC 8446 §4.6.3]: the sender's next record uses the next secret.
    @Test func keyUpdate() {
        let c = TLS13Case(suite: 0x1303)
        let secrets = TLS13Secrets(length: 32)
        var hs = sealer13(c, secrets.serverHS), app = sealer13(c, secrets.serverApp)
        var app1 = sealer13(c, TLSKeySchedule.nextTrafficSecret(.sha256, secret: secrets.serverApp))
        let h = DecryptHarness(keyLog: secrets.log())
        h.send(.clientToServer, clientHelloRecord(suites: [c.suite]))
        h.send(.serverToClient, serverHelloRecord(suite: c.suite, tls13: true))
        h.send(.serverToClient, hs.seal(22, handshakeMessage(20, [UInt8](repeating: 2, count: 32))))
        h.send(.serverToClient, app.seal(23, [1]))
        h.send(.serverToClient, app.seal(22, handshakeMessage(24, [0])))
        h.send(.serverToClient, app1.seal(23, [2]))
        h.send(.serverToClient, app1.seal(23, [3]))
        #expect(h.applicationData(h.events(.serverToClient)) == [[1], [2], [3]])
        #expect(h.decryptor.summary.server.failed == 0)
    }
}
