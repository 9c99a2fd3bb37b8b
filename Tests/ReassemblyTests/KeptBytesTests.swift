@testable import Capture
import Foundation
@testable import Reassembly
import TestSupport
import Testing

/// Retransmissions compared with first copies that the read-ahead thread's capture
/// history holds, that were copied to the log before the history let them go, or
/// that neither holds any more.
@Suite struct KeptBytesTests {
    /// Writes the conversation to a file and tracks it as `analyze` reads files: ahead,
    /// in chunks of `chunkBytes`, with a history of `historyBytes`.
    static func trackFile(_ conversation: Conversation, config: ReassemblyConfig = ReassemblyConfig(),
                          historyBytes: Int, chunkBytes: Int = 512,
                          recorder: Recorder = Recorder()) throws -> (Recorder, FlowTracker<Recorder>) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kept-\(UUID().uuidString).pcap").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try conversation.write(to: path)
        let reader = try CaptureReader(paths: [path])
        reader.readAheadChunkBytes = chunkBytes
        let history = try #require(reader.keepHistory(capacity: historyBytes))
        let tracker = FlowTracker(config: config, consumer: recorder, history: history)
        while let frame = reader.next() { tracker.ingest(frame) }
        tracker.finishAll()
        return (recorder, tracker)
    }

    /// The client sends "abcdef", the server `filler` segments of 200 bytes, then the
    /// client repeats bytes 3..<6 as "XYZ".
    static func rewriteAfter(filler: Int) -> Conversation {
        var c = Conversation.ipv4()
        c.handshake()
        let base = c.clientSeq
        c.send(.client, bytes("abcdef"))                                                        // 4
        for i in 0..<filler { c.send(.server, [UInt8](repeating: UInt8(i & 0xFF), count: 200)) }
        c.segment(.client, sequence: base &+ 3, flags: [.ack, .psh], payload: bytes("XYZ"))
        return c
    }

    /// The client's repeat was counted as a retransmission, and not compared.
    static func expectCountedNotCompared(_ r: Recorder) {
        #expect(r.finished[0].clientToServer.retransmissions == 1)
        #expect(r.finished[0].clientToServer.overlapsDiffering == 0)
    }

    @Test func aRewriteIsFoundFromTheHistoryWithoutCopying() throws {
        let c = Self.rewriteAfter(filler: 3)
        let (r, tracker) = try Self.trackFile(c, historyBytes: 64 * 1024)
        #expect(r.stream(0, .clientToServer) == "abcdef")
        #expect(r.anomalies.contains { $0.anomaly == .overlapDifferentData && $0.frame == 8 })
        #expect(r.finished[0].clientToServer.overlapsDiffering == 1)
        // Every delivered byte was found in the history: the log never got a byte.
        #expect(tracker.kept.log.written == 0)
        #expect(tracker.kept.delivered == 6 + 3 * 200)
    }

    @Test func bytesStillComparableAreCopiedBeforeTheirEpochIsReleased() throws {
        let c = Self.rewriteAfter(filler: 200)
        let (r, tracker) = try Self.trackFile(c, historyBytes: 16 * 1024)
        // 40 KB of filler went through a 16 KiB history: its first epochs were released...
        #expect(tracker.kept.firstEpoch >= 10)
        // ...and "abcdef" was copied to the log first, so the rewrite is still caught.
        #expect(tracker.kept.log.written > 0)
        #expect(r.anomalies.contains { $0.anomaly == .overlapDifferentData && $0.frame == 4 + 200 + 1 })
        #expect(r.finished[0].clientToServer.overlapsDiffering == 1)
    }

    @Test func aFirstCopyNeitherTheHistoryNorTheLogHoldsIsNotJudged() throws {
        let c = Self.rewriteAfter(filler: 200)
        var config = ReassemblyConfig()
        // A log of 64 bytes: "abcdef" is more than a log's worth of deliveries old when
        // its epoch goes, so it is not copied, and the history no longer has it.
        config.overlapLogBytes = 64
        let (r, tracker) = try Self.trackFile(c, config: config, historyBytes: 16 * 1024)
        #expect(tracker.kept.firstEpoch >= 10)
        Self.expectCountedNotCompared(r)
    }

    @Test func chunksTheHistoryHasNoRoomForAreCopiedToTheLog() throws {
        let c = Self.rewriteAfter(filler: 100)
        // The whole file is one chunk of about 30 KB, which a history of 4 KiB cannot
        // keep: every delivered byte is copied.
        let (r, tracker) = try Self.trackFile(c, historyBytes: 4096, chunkBytes: 64 * 1024)
        #expect(tracker.kept.log.written == 6 + 100 * 200)
        #expect(r.finished[0].clientToServer.overlapsDiffering == 1)
    }

    @Test func aHistoryFromWhichLittleIsDeliveredIsNoLongerKept() throws {
        var c = Conversation.ipv4()
        c.handshake()
        let base = c.clientSeq
        c.send(.client, bytes("abcdef"))                                                        // 4
        for i in 0..<200 { c.send(.server, [UInt8](repeating: UInt8(i & 0xFF), count: 200)) }
        c.send(.client, bytes("ghi"))                                                           // 205
        c.segment(.client, sequence: base &+ 6, flags: [.ack, .psh], payload: bytes("gXi"))    // 206
        // The consumer wants only the first 100 bytes of the server's 40 KB.
        let recorder = Recorder()
        recorder.stopAfter = 100
        let (r, tracker) = try Self.trackFile(c, historyBytes: 16 * 1024, recorder: recorder)
        #expect(tracker.history?.isKeeping == false)
        // "ghi" came after the history stopped keeping chunks: it was copied, and the
        // rewrite is caught from the copy.
        #expect(tracker.kept.log.written >= 3)
        #expect(r.anomalies.contains { $0.anomaly == .overlapDifferentData && $0.frame == 206 })
        #expect(r.finished[0].clientToServer.overlapsDiffering == 1)
    }

    @Test func withoutComparisonsTheHistoryKeepsNothing() throws {
        let c = Self.rewriteAfter(filler: 3)
        var config = ReassemblyConfig()
        config.overlapCheckWindow = 0
        let (r, tracker) = try Self.trackFile(c, config: config, historyBytes: 64 * 1024)
        #expect(tracker.history == nil)
        #expect(tracker.kept.log.written == 0)
        Self.expectCountedNotCompared(r)
    }

    /// Several connections interleaved, each side sending segments of random sizes and
    /// now and then repeating an earlier range (as sent, or with a byte changed).
    static func randomConversations(seed: UInt64) -> [(time: CaptureTime, bytes: [UInt8])] {
        var random = SplitMix64(seed: seed)
        var conversations = (0..<6).map { i in
            var c = Conversation.ipv4(clientPort: 50_000 + UInt16(i), clientISN: UInt32(truncatingIfNeeded: random.next()))
            c.handshake()
            return c
        }
        var sent = [[[UInt8]]](repeating: [[], []], count: conversations.count)
        let bases = conversations.map { [$0.clientSeq, $0.serverSeq] }
        for _ in 0..<1500 {
            let i = random.below(conversations.count), side = random.below(2)
            let who: Side = side == 0 ? .client : .server
            if random.below(8) == 0, sent[i][side].count > 10 {
                let start = sent[i][side].count - 1 - random.below(min(sent[i][side].count - 1, 6000))
                let length = 1 + random.below(min(600, sent[i][side].count - start))
                var repeated = Array(sent[i][side][start..<start + length])
                if random.below(2) == 0 { repeated[random.below(length)] ^= 0x5A }
                conversations[i].segment(who, sequence: bases[i][side] &+ UInt32(start), flags: [.ack, .psh], payload: repeated)
            } else {
                let payload = (0..<(1 + random.below(900))).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                conversations[i].send(who, payload)
                sent[i][side] += payload
            }
        }
        // One capture, packets in the order they were made.
        var frames: [(time: CaptureTime, bytes: [UInt8])] = []
        var order: [(Int, Int)] = []
        for (i, c) in conversations.enumerated() { order += c.frames.indices.map { (i, $0) } }
        order.sort { conversations[$0.0].frames[$0.1].time < conversations[$1.0].frames[$1.1].time }
        for (i, k) in order { frames.append(conversations[i].frames[k]) }
        return frames
    }

    /// With a history far smaller than the capture (epochs released and bytes copied to
    /// the log all along), every retransmission is judged as with the log alone.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func sameJudgementsAsTheLogAlone(seed: UInt64) throws {
        let frames = Self.randomConversations(seed: seed)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kept-\(UUID().uuidString).pcap").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try PcapWriter(path: path, linkType: .ethernet)
        for frame in frames { writer.write(time: frame.time, bytes: frame.bytes) }
        writer.close()

        /// Per connection and direction: retransmissions, and those whose bytes differed.
        func judgements(_ recorder: Recorder) -> [String] {
            recorder.finished.map {
                "\($0.id): \($0.clientToServer.retransmissions) \($0.clientToServer.overlapsDiffering) "
                    + "\($0.serverToClient.retransmissions) \($0.serverToClient.overlapsDiffering)"
            }.sorted()
        }
        func differing(_ recorder: Recorder) -> Int {
            recorder.finished.reduce(0) { $0 + $1.clientToServer.overlapsDiffering + $1.serverToClient.overlapsDiffering }
        }
        let alone = Recorder()
        let plain = FlowTracker(consumer: alone)
        let memory = CaptureReader(memory: [MemoryInput(linkType: .ethernet, frames: frames)])
        while let frame = memory.next() { plain.ingest(frame) }
        plain.finishAll()

        let reader = try CaptureReader(paths: [path])
        reader.readAheadChunkBytes = 2048
        let history = try #require(reader.keepHistory(capacity: 32 * 1024))
        let withHistory = Recorder()
        let tracker = FlowTracker(consumer: withHistory, history: history)
        while let frame = reader.next() { tracker.ingest(frame) }
        tracker.finishAll()

        #expect(tracker.kept.firstEpoch > 20, "seed \(seed)")
        #expect(tracker.kept.log.written > 0, "seed \(seed)")
        #expect(plain.kept.log.written == tracker.kept.delivered)
        #expect(differing(alone) > 20, "seed \(seed)")
        #expect(judgements(withHistory) == judgements(alone), "seed \(seed)")
        #expect(withHistory.chunks == alone.chunks, "seed \(seed)")
    }
}
