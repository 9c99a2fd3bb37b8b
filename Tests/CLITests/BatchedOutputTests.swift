import Capture
import Diagnosis
import Foundation
@testable import Report
import Testing

/// `analyze` gathers reports and writes them in pieces (`ReportWriter(options:batchingTo:)`):
/// the bytes must be exactly those of one write per connection, in every format.
@Suite struct BatchedOutputTests {
    /// Every capture of the corpus, read in one run: a few dozen connections of every kind.
    static var corpus: [String] {
        let dir = packageRoot.appendingPathComponent("Captures")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted()
            .map { dir.appendingPathComponent($0).path }
    }

    /// Output of `analyze` with one write per connection, and with the batching writer
    /// flushed whenever the finishing thread catches up, as the command runs it.
    static func outputs(format: ReportWriter.Format, onlyFailed: Bool) throws -> (single: [UInt8], batched: [UInt8], pieces: Int) {
        var options = ReportWriter.Options(format: format)
        options.onlyFailed = onlyFailed
        var single: [UInt8] = []
        let one = ReportWriter(options: options) { single.append(contentsOf: $0.utf8) }
        one.begin()
        one.end(Analysis.run(reader: try CaptureReader(paths: corpus), keep: false, onConnection: one.connection))

        var batched: [UInt8] = []
        var pieces = 0
        let gathered = ReportWriter(options: options, batchingTo: { bytes in
            batched.append(contentsOf: bytes)
            pieces += 1
        })
        gathered.begin()
        gathered.end(Analysis.run(reader: try CaptureReader(paths: corpus), keep: false,
                                  onConnection: gathered.connection, onIdle: gathered.flush))
        return (single, batched, pieces)
    }

    @Test(arguments: [ReportWriter.Format.text, .json, .jsonl], [false, true])
    func sameBytesAsOneWritePerConnection(format: ReportWriter.Format, onlyFailed: Bool) throws {
        let corpus = Self.corpus
        try #require(corpus.count >= 20, "the corpus is read from Captures/")
        let (single, batched, pieces) = try Self.outputs(format: format, onlyFailed: onlyFailed)
        #expect(single.count > 1000)
        #expect(batched == single)
        // Far fewer writes than connections: the corpus' reports fit in a handful.
        #expect(pieces >= 2 && pieces < 20, "\(pieces) pieces")
    }

    /// The gathering buffer keeps its storage from piece to piece: emptying it after a
    /// piece went out allocates nothing (it allocated new storage every time while a second
    /// reference to the buffer was alive during the flush).
    @Test(arguments: [ReportWriter.Format.text, .jsonl])
    func theBufferIsReusedFromPieceToPiece(format: ReportWriter.Format) throws {
        let connections = Analysis.run(reader: try CaptureReader(paths: Self.corpus)).connections
        let failed = connections.filter { $0.verdict?.failed == true }
        try #require(failed.count >= 10)
        var addresses: [UInt] = []
        let gathered = ReportWriter(options: ReportWriter.Options(format: format), batchingTo: { bytes in
            addresses.append(UInt(bitPattern: bytes.baseAddress))
        })
        while addresses.count < 12 {
            for c in failed { gathered.connection(c) }
        }
        // The storage grows while the first piece gathers, then stays the same.
        #expect(Set(addresses.suffix(8)).count == 1, "\(addresses.map { String($0, radix: 16) })")
    }

    /// Past 64 KiB a piece is handed over without waiting for a flush; nothing is held
    /// back once flushed, and the pieces together are the per-connection output.
    @Test func piecesAreHandedOverOnceLargeAndOnFlush() throws {
        let connections = Analysis.run(reader: try CaptureReader(paths: Self.corpus)).connections
        let failed = connections.filter { $0.verdict?.failed == true }
        try #require(failed.count >= 10)
        var single: [UInt8] = []
        let one = ReportWriter(options: ReportWriter.Options(format: .text)) { single.append(contentsOf: $0.utf8) }
        var pieces: [[UInt8]] = []
        let gathered = ReportWriter(options: ReportWriter.Options(format: .text), batchingTo: { pieces.append(Array($0)) })
        // Enough failed blocks (a few hundred bytes each) for several pieces.
        var rounds = 0
        while single.count < 5 * ReportWriter.batchBytes {
            for c in failed {
                one.connection(c)
                gathered.connection(c)
            }
            rounds += 1
        }
        #expect(pieces.count >= 4)
        // Each piece went out as soon as the blocks gathered reached 64 KiB, not later.
        for piece in pieces {
            #expect(piece.count >= ReportWriter.batchBytes)
            #expect(piece.count < ReportWriter.batchBytes + 8192, "a piece holds at most one block past the threshold")
        }
        let handed = pieces.count
        gathered.flush()
        #expect(pieces.count == handed + 1)
        gathered.flush()
        #expect(pieces.count == handed + 1, "an empty flush writes nothing")
        #expect(Array(pieces.joined()) == single)
    }
}
