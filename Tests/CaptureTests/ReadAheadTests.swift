@testable import Capture
import Foundation
import Testing
import TestSupport

/// Reading ahead on a second thread gives exactly what reading inline gives:
/// the frames, where each input ends and how, and the summaries.
@Suite struct ReadAheadTests {
    /// What one read pass saw: the frames, the input each came from, and the summaries.
    struct Pass: Equatable {
        var frames: [ReadFrame] = []
        var inputs: [Int] = []
        var summaries: [String] = []
    }

    static func pass(_ paths: [String], readAhead: Bool, chunkBytes: Int = ReadAhead.chunkBytes) throws -> Pass {
        let reader = try CaptureReader(paths: paths, readAhead: readAhead)
        reader.readAheadChunkBytes = chunkBytes
        var pass = Pass()
        while let f = reader.next() {
            pass.frames.append(ReadFrame(number: f.number, time: f.time, linkType: f.linkType,
                                         originalLength: f.originalLength, bytes: Array(f.bytes)))
            pass.inputs.append(reader.currentInput)
        }
        // Asking again after the end stays at the end.
        #expect(reader.next() == nil && reader.next() == nil)
        pass.summaries = reader.summaries.map {
            "\($0.path) \($0.linkType) \(String(describing: $0.firstFrame))-\(String(describing: $0.lastFrame)) "
                + "\($0.frames) \($0.bytes) \(String(describing: $0.firstTime)) \(String(describing: $0.lastTime)) "
                + "\(String(describing: $0.stoppedEarly)) \(String(describing: $0.stoppedAtByte))"
        }
        return pass
    }

    /// Frames of random sizes (empty, small, full-size and a 9000-byte jumbo) with snap lengths.
    static func randomFrames(count: Int, seed: UInt64) -> [WrittenFrame] {
        var random = SplitMix64(seed: seed)
        var time = CaptureTime(seconds: 1_700_000_000, nanoseconds: 1)
        return (0..<count).map { i in
            time = time.adding(nanoseconds: Int64(random.below(5_000_000)) + 1)
            let size = i == count / 2 ? 9000 : [0, 1, 54, 60, 1514][random.below(5)] + random.below(40)
            let bytes = (0..<size).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let cut = random.below(4) == 0 ? min(size, 60) : size
            return WrittenFrame(time: time, bytes: Array(bytes.prefix(cut)), originalLength: size)
        }
    }

    /// A full file, one cut inside a record, one holding only the file header, and the
    /// full one again, read with chunks smaller than one record, of a few records, and
    /// of the default size.
    @Test(arguments: [64, 700, 5000, ReadAhead.chunkBytes])
    func sameAsReadingInline(chunkBytes: Int) throws {
        let dir = try TempDirectory()
        let full = dir.file("full.pcap")
        try writePcap(full, Self.randomFrames(count: 300, seed: 7))
        let bytes = try readBytes(full)
        let cut = try dir.write("cut.pcap", Array(bytes.prefix(bytes.count - 30)))
        let empty = try dir.write("empty.pcap", Array(bytes.prefix(24)))
        let paths = [full, cut, empty, full]

        let inline = try Self.pass(paths, readAhead: false)
        let ahead = try Self.pass(paths, readAhead: true, chunkBytes: chunkBytes)
        try #require(inline.frames.count == 300 + 299 + 300)
        #expect(ahead.frames == inline.frames)
        #expect(ahead.inputs == inline.inputs)
        #expect(ahead.summaries == inline.summaries)
        #expect(inline.summaries[1].contains("truncated"), "the cut file says where it stopped")
    }

    /// Each frame's record tells where the frame `lookAhead` frames later starts when
    /// that one is in the same chunk, and nothing otherwise, across chunks of a few
    /// records, chunks holding one, and the end of one input and the start of the next.
    @Test(arguments: [64, 700, 5000, ReadAhead.chunkBytes])
    func eachRecordPointsAhead(chunkBytes: Int) throws {
        let dir = try TempDirectory()
        let first = dir.file("first.pcap"), second = dir.file("second.pcap")
        try writePcap(first, Self.randomFrames(count: 120, seed: 5))
        try writePcap(second, Self.randomFrames(count: 80, seed: 6))
        let readAhead = try #require(ReadAhead(files: [PcapFileReader(path: first), PcapFileReader(path: second)],
                                               chunkBytes: chunkBytes))
        defer { readAhead.stop() }
        // Per frame: which filling of a chunk holds it (chunks are reused), where its record
        // starts there, and where its record points.
        var records: [(fill: Int, start: Int, ahead: Int)] = []
        var fill = 0, lastChunk: UnsafeMutableRawPointer?, lastStart = -1
        var ended = 0
        while ended < 2 {
            switch readAhead.next() {
            case let .frame(_, _, bytes):
                let chunk = try #require(readAhead.reading?.storage)
                // (An empty frame's bytes still start right after its record header.)
                let record = try #require(bytes.baseAddress) - ReadAhead.recordHeaderBytes
                let start = record - UnsafeRawPointer(chunk)
                // A chunk's records are read from its start on; a start at or before the last is a new filling.
                if chunk != lastChunk || start <= lastStart { fill += 1 }
                (lastChunk, lastStart) = (chunk, start)
                records.append((fill, start, Int(record.load(fromByteOffset: 20, as: UInt32.self))))
            case .end: ended += 1
            default: Issue.record("unexpected outcome"); ended = 2
            }
        }
        try #require(records.count == 200)
        let k = ReadAhead.lookAhead
        var pointing = 0
        for (i, r) in records.enumerated() {
            if i + k < records.count && records[i + k].fill == r.fill {
                #expect(r.ahead == records[i + k].start, "frame \(i + 1)")
                #expect(r.ahead > r.start)
                pointing += 1
            } else {
                #expect(r.ahead == 0, "frame \(i + 1): the frame \(k) later is not in its chunk")
            }
        }
        // One default chunk holds both files: every frame but the last few points ahead, across the input's end.
        if chunkBytes == ReadAhead.chunkBytes { #expect(pointing == records.count - k) }
        if chunkBytes >= 5000 { #expect(pointing > 0) }
    }

    /// A reader dropped after a few frames, while the read-ahead thread waits for
    /// room, stops that thread; reading the file again still gives every frame.
    @Test func droppingAReaderEarlyStopsReadingAhead() throws {
        let dir = try TempDirectory()
        let path = dir.file("many.pcap")
        let frames = Self.randomFrames(count: 2000, seed: 11)
        try writePcap(path, frames)
        for round in 0..<20 {
            let reader = try CaptureReader(paths: [path])
            reader.readAheadChunkBytes = 512
            for _ in 0..<(round % 5) { _ = reader.next() }
        }
        #expect(try Self.pass([path], readAhead: true, chunkBytes: 512).frames.count == frames.count)
    }

    /// A FIFO is read inline (a slow writer's frames must not wait for a chunk to fill),
    /// and gives the same frames as the file it was fed from.
    @Test func aPipeIsReadInline() throws {
        let dir = try TempDirectory()
        let full = dir.file("full.pcap")
        try writePcap(full, Self.randomFrames(count: 50, seed: 3))
        let bytes = try readBytes(full)
        let fifo = dir.file("feed.fifo")
        try #require(mkfifo(fifo, 0o600) == 0)
        // The writer is bounded: it ends as soon as its bytes are taken (or the pipe breaks).
        let writer = Thread {
            guard let handle = FileHandle(forWritingAtPath: fifo) else { return }
            handle.write(Data(bytes))
            try? handle.close()
        }
        writer.start()
        let reader = try CaptureReader(paths: [fifo])
        let read = readAll(reader)
        #expect(!reader.isReadingAhead)
        #expect(read == readAll(try CaptureReader(paths: [full], readAhead: false)))
        #expect(read.count == 50)
        #expect(try PcapFileReader(path: full).isRegularFile)
    }
}
