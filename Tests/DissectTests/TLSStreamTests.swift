import TestSupport
import Testing
@testable import Dissect
import Reassembly

@Suite struct TLSStreamTests {
    // MARK: recorded handshakes

    @Test func recordedTLS12Handshake() throws {
        let connection = TLSConnection()
        let events = replay(tls12GCMRecording, into: connection)
        let session = connection.session
        #expect(session.negotiatedVersion == .tls12)
        #expect(session.cipherSuite?.name == "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")
        #expect(session.clientHello?.serverName == "rdp.example.test")
        #expect(session.clientHello?.alpnNames == ["h2", "http/1.1"])
        // OpenSSL 3 can do 1.3, so its 1.2 ServerHello carries the RFC 8446 §4.1.3 sentinel.
        #expect(session.serverHello?.downgradeSentinel == .tls12)
        #expect(session.serverCertificates?.count == 2)
        #expect(events.allSatisfy { $0.1.anomalyCode == nil })

        let messages = events.compactMap { e in e.1.handshake.map { (e.0, $0.type) } }
        #expect(messages.map(\.1) == [
            .clientHello, .serverHello, .certificate, .serverKeyExchange, .serverHelloDone,
            .clientKeyExchange, .newSessionTicket,
        ])
        let ske = events.compactMap { e -> TLSServerKeyExchange? in
            if case let .serverKeyExchange(s)? = e.1.handshake?.body { return s }
            return nil
        }.first
        #expect(ske?.namedGroup != nil)
        #expect(ske?.signatureAlgorithm != nil)

        let encrypted = events.compactMap { $0.1.encryptedRecord }
        let summary = encrypted.map { "\($0.direction.sender) \($0.kind.rawValue) \($0.frames) \($0.plaintext?.description ?? "?")" }
        #expect(summary == [
            "client finished 8 16",  // Finished: 4-byte header + 12 verify_data
            "server finished 9 16",
            "client application_data 11 10",  // "hello rdp\n"
            "client alert 13 2",  // encrypted close_notify
            "server alert 16 2",
        ])
        // Three records arrived in client frame 8: ClientKeyExchange, ChangeCipherSpec, Finished.
        let frame8 = events.compactMap { e -> TLSRecordEvent? in
            if case let .record(r) = e.1, r.frames.first == 8 { return r }
            return nil
        }
        #expect(frame8.map(\.header.contentType) == [.handshake, .changeCipherSpec, .handshake])
        #expect(frame8.map(\.encrypted) == [false, false, true])
    }

    @Test func recordedTLS13Handshake() throws {
        let connection = TLSConnection()
        let events = replay(tls13ChaChaRecording, into: connection)
        let session = connection.session
        #expect(session.negotiatedVersion == .tls13)
        #expect(session.cipherSuite?.name == "TLS_CHACHA20_POLY1305_SHA256")
        #expect(session.clientHello?.highestVersion == .tls13)
        #expect(session.clientHello?.keyShareGroups.isEmpty == false)
        #expect(session.serverHello?.keyShareGroup != nil)
        #expect(session.serverCertificates == nil)  // encrypted in TLS 1.3
        #expect(events.allSatisfy { $0.1.anomalyCode == nil })
        #expect(events.compactMap { $0.1.handshake?.type } == [.clientHello, .serverHello])
        // Compatibility-mode CCS in both directions changes nothing (RFC 8446 §D.4).
        #expect(!connection.client.isEncrypting && !connection.server.isEncrypting)

        let encrypted = events.compactMap { $0.1.encryptedRecord }
        #expect(encrypted.allSatisfy { $0.kind == .applicationData })
        let client = encrypted.filter { $0.direction == .clientToServer }
        #expect(client.map(\.plaintext) == [.atMost(36), .atMost(10), .atMost(2)])  // Finished, data, alert
        #expect(encrypted.last?.direction == .serverToClient && encrypted.last?.plaintext == .atMost(2))
    }

    // MARK: chunking

    static func eventsOf(_ segments: [RecordedSegment], chunker: (Int) -> [Int]) -> [String] {
        replay(segments, into: TLSConnection(), chunker: chunker).map { "\($0.0) \($0.1)" }
    }

    @Test(arguments: [("tls12", tls12GCMRecording), ("tls13", tls13ChaChaRecording)])
    func chunkingDoesNotChangeEvents(name: String, segments: [RecordedSegment]) {
        let whole = Self.eventsOf(segments) { [$0] }
        #expect(whole.count > 10)
        let byteByByte = Self.eventsOf(segments) { Array(repeating: 1, count: $0) }
        #expect(byteByByte == whole, "\(name) byte by byte")
        for seed: UInt64 in [1, 2, 3, 0xDEAD_BEEF] {
            var rng = SplitMix64(seed: seed)
            let random = Self.eventsOf(segments) { randomChunks($0, maxChunk: 700, rng: &rng) }
            #expect(random == whole, "\(name) seed \(seed)")
        }
    }

    /// Re-segments one side's byte stream into `size`-byte segments with their
    /// own frame numbers, and checks every record's first/last frame.
    @Test(arguments: [7, 100, 1_000])
    func recordsSplitAcrossSegments(size: Int) {
        let bytes = stream(tls12GCMRecording, fromClient: false).flatMap(\.bytes)
        // Expected record spans, walking the headers independently of the parser.
        var expected: [TLSFrames] = []
        var offset = 0
        while offset + 5 <= bytes.count {
            let end = offset + 5 + (Int(bytes[offset + 3]) << 8 | Int(bytes[offset + 4]))
            expected.append(TLSFrames(first: offset / size + 1, last: (end - 1) / size + 1))
            offset = end
        }
        let parser = TLSStreamParser(direction: .serverToClient)
        var got: [TLSFrames] = []
        for (index, start) in stride(from: 0, to: bytes.count, by: size).enumerated() {
            bytes[start..<min(start + size, bytes.count)].withUnsafeBytes { parser.feed(bytes: $0, frame: index + 1) }
            for case let .record(r) in parser.takeEvents() { got.append(r.frames) }
        }
        #expect(got == expected)
        #expect(!parser.isStopped)
    }

    // MARK: handshake reassembly

    /// The server's handshake messages of the TLS 1.2 recording, as bytes.
    static func serverHandshakeMessages() -> [UInt8] {
        let bytes = hexBytes(tls12GCMRecording.first { $0.frame == 6 }!.hex)
        var out: [UInt8] = []
        var offset = 0
        while offset + 5 <= bytes.count {
            let length = Int(bytes[offset + 3]) << 8 | Int(bytes[offset + 4])
            if bytes[offset] == 22 { out += bytes[offset + 5..<offset + 5 + length] }
            offset += 5 + length
        }
        return out
    }

    static func messages(feeding records: [[UInt8]]) -> ([TLSHandshakeMessage], [TLSFrames], [String]) {
        let parser = TLSStreamParser(direction: .serverToClient)
        for (index, r) in records.enumerated() { r.withUnsafeBytes { parser.feed(bytes: $0, frame: index + 1) } }
        var messages: [TLSHandshakeMessage] = []
        var frames: [TLSFrames] = []
        var anomalies: [String] = []
        for event in parser.takeEvents() {
            if case let .handshake(m, f) = event { messages.append(m); frames.append(f) }
            if let code = event.anomalyCode { anomalies.append(code) }
        }
        return (messages, frames, anomalies)
    }

    @Test(arguments: [1, 50, 700, 16_384])
    func handshakeMessagesSplitAcrossRecords(fragment: Int) {
        let flight = Self.serverHandshakeMessages()
        #expect(flight.count > 1_500)
        let reference = Self.messages(feeding: [record(22, flight)])
        #expect(reference.0.map(\.type) == [.serverHello, .certificate, .serverKeyExchange, .serverHelloDone])
        let records = stride(from: 0, to: flight.count, by: fragment).map {
            record(22, Array(flight[$0..<min($0 + fragment, flight.count)]))
        }
        let split = Self.messages(feeding: records)
        #expect(split.0 == reference.0)
        #expect(split.2.isEmpty)
        // Each message spans the records (one per frame here) its bytes were in.
        var start = 0
        for (message, frames) in zip(split.0, split.1) {
            let end = start + 4 + message.length
            #expect(frames == TLSFrames(first: start / fragment + 1, last: (end - 1) / fragment + 1))
            start = end
        }
    }

    // MARK: protected records and plaintext sizes

    /// Server flight: ServerHello(suite) [, CCS, Finished] then one application_data record.
    static let applicationData: [(String, UInt16, Bool, Int, TLSPlaintextSize)] = [
        ("TLS 1.2 AES-128-GCM", 0xC02F, false, 8 + 4 + 16, .exact(4)),
        ("TLS 1.2 ChaCha20-Poly1305", 0xCCA8, false, 4 + 16, .exact(4)),
        ("TLS 1.2 AES-128-CBC-SHA256", 0x003C, false, 16 + 48, .range(min: 0, max: 15)),
        ("TLS 1.3 AES-256-GCM", 0x1302, true, 4 + 1 + 16, .atMost(4)),
    ]

    @Test(arguments: applicationData)
    func applicationDataPlaintext(name: String, suite: UInt16, tls13: Bool, length: Int, expected: TLSPlaintextSize) {
        var bytes = record(22, handshakeMessage(2, serverHelloBody(suite: suite, tls13: tls13)))
        if !tls13 { bytes += record(20, [1]) + record(22, [UInt8](repeating: 0xEE, count: 40)) }
        bytes += record(23, [UInt8](repeating: 0xAA, count: length))
        let parser = TLSStreamParser(direction: .serverToClient)
        bytes.withUnsafeBytes { parser.feed(bytes: $0, frame: 5) }
        let encrypted = parser.takeEvents().compactMap(\.encryptedRecord)
        #expect(encrypted.last?.kind == .applicationData)
        #expect(encrypted.last?.recordLength == length)
        #expect(encrypted.last?.plaintext == expected, "\(name)")
        if !tls13 { #expect(encrypted.first?.kind == .finished) }
    }

    @Test func plainAndEncryptedAlerts() {
        let parser = TLSStreamParser(direction: .serverToClient)
        let bytes = record(22, handshakeMessage(2, serverHelloBody(suite: 0xC030)))
            + record(21, [1, 0])  // plain warning close_notify... before CCS
            + record(21, [2, 46])  // plain fatal certificate_unknown
            + record(20, [1]) + record(22, [UInt8](repeating: 0, count: 40))
            + record(21, [UInt8](repeating: 0, count: 26))  // after CCS: encrypted alert
        bytes.withUnsafeBytes { parser.feed(bytes: $0, frame: 3) }
        let events = parser.takeEvents()
        let alerts = events.compactMap { e -> String? in
            if case let .alert(a, _) = e { return a.description }
            return nil
        }
        #expect(alerts == ["warning close_notify", "fatal certificate_unknown"])
        let last = events.compactMap(\.encryptedRecord).last
        #expect(last?.kind == .alert && last?.recordLength == 26 && last?.plaintext == .exact(2))
    }

    // MARK: giving up

    @Test func nonTLSStopsTheDirection() {
        let parser = TLSStreamParser(direction: .clientToServer)
        Array("GET / HTTP/1.1\r\n".utf8).withUnsafeBytes { parser.feed(bytes: $0, frame: 1) }
        #expect(parser.takeEvents().compactMap(\.anomalyCode) == ["tls_record_type_invalid"])
        #expect(parser.stoppedBy?.code == "tls_record_type_invalid")
        HandshakeFixtures.serverHelloDone.withUnsafeBytes { parser.feed(bytes: $0, frame: 2) }
        #expect(parser.takeEvents().isEmpty)
    }

    @Test func oversizedHandshakeMessageAcrossRecordsStops() {
        let parser = TLSStreamParser(direction: .serverToClient)
        // A Certificate header declaring 2^16 + 1 bytes, cut after two header bytes.
        for (frame, r) in [record(22, [11, 0x01]), record(22, [0x00, 0x01, 0x30])].enumerated() {
            r.withUnsafeBytes { parser.feed(bytes: $0, frame: frame + 1) }
        }
        #expect(parser.takeEvents().compactMap(\.anomalyCode) == ["tls_handshake_message_too_long"])
        #expect(parser.isStopped)
    }

    @Test func nonFatalAnomaliesAreCollected() {
        let parser = TLSStreamParser(direction: .serverToClient)
        let bytes = record(22, [])  // empty handshake record
            + record(22, [14, 0])  // start of a message, then an alert in between
            + record(21, [1, 0])
            + record(22, [0, 0])  // rest of ServerHelloDone
            + record(20, [2])  // CCS with a wrong value
        bytes.withUnsafeBytes { parser.feed(bytes: $0, frame: 9) }
        let events = parser.takeEvents()
        #expect(events.compactMap(\.anomalyCode) == [
            "tls_handshake_record_empty", "tls_handshake_interleaved", "tls_change_cipher_spec_invalid",
        ])
        #expect(events.compactMap(\.handshake?.type) == [.serverHelloDone])
        #expect(!parser.isStopped)
    }

    // MARK: fuzz

    /// Seeded random mutations of both recordings, fed in random chunks: the
    /// parsers must not trap and must keep their stop state.
    @Test func randomMutationsNeverCrash() {
        var rng = SplitMix64(seed: 0x7E57_0001)
        let sources = [tls12GCMRecording, tls13ChaChaRecording]
        var stopped = 0
        for iteration in 0..<2_000 {
            var segments = sources[iteration % 2]
            let index = Int.random(in: 0..<segments.count, using: &rng)
            var bytes = hexBytes(segments[index].hex)
            for _ in 0..<Int.random(in: 1...6, using: &rng) where !bytes.isEmpty {
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                switch rng.next() % 4 {
                case 0: bytes[at] = UInt8.random(in: 0...255, using: &rng)
                case 1: bytes[at] ^= 0x80
                case 2: bytes.removeSubrange(at...)
                default: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: at)
                }
            }
            segments[index] = RecordedSegment(
                frame: segments[index].frame, fromClient: segments[index].fromClient, hex: tlsHex(bytes: bytes))
            let connection = TLSConnection()
            _ = replay(segments, into: connection) { randomChunks($0, maxChunk: 300, rng: &rng) }
            if connection.client.isStopped || connection.server.isStopped { stopped += 1 }
        }
        #expect(stopped > 0)  // the mutations did reach the framing checks
    }

    @Test func randomMutationsOfMessagesNeverCrash() {
        var rng = SplitMix64(seed: 42)
        let fixtures = TLSHandshakeTests.valid.map(\.1)
        var outcomes = [0, 0, 0]
        for iteration in 0..<3_000 {
            var bytes = fixtures[iteration % fixtures.count]
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                bytes[at] = UInt8.random(in: 0...255, using: &rng)
            }
            let context = TLSHandshakeMessage.Context(
                version: [TLSVersion.tls12, .tls13][iteration % 2], cipherSuite: TLSCipherSuite(rawValue: 0xC02F))
            switch parseMessage(bytes, context: context) {
            case .parsed: outcomes[0] += 1
            case .needMore: outcomes[1] += 1
            case .malformed: outcomes[2] += 1
            }
        }
        #expect(outcomes[0] > 0 && outcomes[2] > 0)
    }
}

/// The connection dissector takes events as the parser reads them
/// (`feed(bytes:frame:emit:)`); tests and the decryptor collect them
/// (`feed(bytes:frame:)` then `takeEvents()`). Both must see the same events,
/// in the same order, whatever the chunking.
@Suite struct TLSStreamEmitTests {
    @Test(arguments: [UInt64(1), 2, 3])
    func emittedEventsEqualCollectedEvents(seed: UInt64) {
        for fromClient in [true, false] {
            let bytes = stream(tls12GCMRecording, fromClient: fromClient).flatMap(\.bytes)
            var rng = SplitMix64(seed: seed)
            let direction: Direction = fromClient ? .clientToServer : .serverToClient
            let collecting = TLSStreamParser(direction: direction)
            let emitting = TLSStreamParser(direction: direction)
            var collected: [TLSEvent] = []
            var emitted: [TLSEvent] = []
            var start = 0
            for (index, size) in randomChunks(bytes.count, maxChunk: 600, rng: &rng).enumerated() {
                bytes[start..<start + size].withUnsafeBytes { chunk in
                    collecting.feed(bytes: chunk, frame: index + 1)
                    emitting.feed(bytes: chunk, frame: index + 1) { emitted.append($0) }
                }
                collected += collecting.takeEvents()
                start += size
            }
            #expect(!collected.isEmpty)
            #expect(emitted == collected)
            #expect(emitting.takeEvents().isEmpty, "the emitting path stores nothing")
        }
    }
}
