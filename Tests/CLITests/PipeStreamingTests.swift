import Capture
import Diagnosis
import Foundation
import Testing
import TestSupport

/// `tcpdump -w - | rdpdiag analyze -`: a connection that finished is reported while the
/// pipe is still open, not held back until more connections finish or the input ends
/// (the finishing worker takes a batch that is not full after `openBatchDelay`).
@Suite struct PipeStreamingTests {
    @Test func aFinishedConnectionIsReportedBeforeThePipeEnds() throws {
        // A: refused at once (SYN, RST). B: its SYN 30 s of capture time later, which lets
        // the tracker finish A (closed connections are kept 10 s); B's RST comes only after
        // A was reported.
        var a = Conversation.ipv4(clientPort: 50_010)
        a.syn()
        a.segment(.server, sequence: 0, acknowledgment: a.clientSeq &+ 1, flags: [.rst, .ack])
        var b = Conversation.ipv4(clientPort: 50_011)
        b.time = a.time.adding(nanoseconds: 30 * CaptureTime.second)
        b.syn()
        b.segment(.server, sequence: 0, acknowledgment: b.clientSeq &+ 1, flags: [.rst, .ack])
        let frames = a.frames + b.frames

        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("both.pcap").path
        let writer = try PcapWriter(path: file, linkType: .ethernet)
        for f in frames { writer.write(time: f.time, bytes: f.bytes) }
        writer.close()
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
        // File header, then (16-byte record header + bytes) per frame; the first part ends after B's SYN.
        let firstPart = 24 + frames.prefix(a.frames.count + 1).reduce(0) { $0 + 16 + $1.bytes.count }
        try #require(firstPart < bytes.count)

        let fifo = dir.appendingPathComponent("feed.fifo").path
        try #require(mkfifo(fifo, 0o600) == 0)
        let reported = DispatchSemaphore(value: 0)
        let outcome = Outcome()
        // Bounded: waits at most 10 s for the report, then writes the rest and ends.
        let feeder = Thread {
            guard let handle = FileHandle(forWritingAtPath: fifo) else { return }
            handle.write(Data(bytes[..<firstPart]))
            outcome.reportedWhileOpen = reported.wait(timeout: .now() + 10) == .success
            handle.write(Data(bytes[firstPart...]))
            try? handle.close()
        }
        feeder.start()

        let reader = try CaptureReader(paths: [fifo])
        var reports: [String] = []
        let result = Analysis.run(reader: reader, keep: false, onConnection: { c in
            reports.append("\(c.client.port) \(c.verdict.map { "\($0.cause) \($0.evidenceFrames)" } ?? "-") \(c.reached?.rawValue ?? "-")")
            if reports.count == 1 { reported.signal() }
        })
        // Frames 1-2 are A's SYN and RST, 3-4 B's.
        #expect(reports == ["50010 portClosed [2] syn", "50011 portClosed [4] syn"])
        #expect(result.counts.failed == 2)
        #expect(outcome.reportedWhileOpen, "A was reported only after the pipe ended")
    }

    final class Outcome: @unchecked Sendable {
        var reportedWhileOpen = false
    }

}
