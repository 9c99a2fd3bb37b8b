import Capture
import Foundation
import Testing
import TestSupport

@Suite struct TruncationTests {
    /// A 5-frame capture cut at every byte from the start of the 3rd record to
    /// the end: the complete frames before the cut are all read, and a cut
    /// inside a record is reported.
    @Test func cutAtEveryByteFromTheThirdRecord() throws {
        let dir = try TempDirectory()
        let frames = fiveFrames()
        let full = dir.file("full.pcap")
        try writePcap(full, frames)
        let bytes = try readBytes(full)
        let boundaries = pcapRecordBoundaries(frames)
        try #require(boundaries.last == bytes.count, "the file is laid out as the format says")
        let expected = readAll(try CaptureReader(paths: [full]))
        try #require(expected.count == 5)

        for cut in boundaries[2]...bytes.count {
            let path = try dir.write("cut-\(cut).pcap", Array(bytes.prefix(cut)))
            let reader = try CaptureReader(paths: [path])
            let read = readAll(reader)
            let complete = boundaries.dropFirst().filter { $0 <= cut }.count
            #expect(read == Array(expected.prefix(complete)), "cut at \(cut)")
            let summary = reader.summaries[0]
            #expect(summary.frames == complete)
            if boundaries.contains(cut) {
                #expect(summary.stoppedEarly == nil, "cut at \(cut) is a record boundary")
                #expect(summary.stoppedAtByte == nil)
            } else {
                #expect(summary.stoppedEarly?.contains("truncated") == true, "cut at \(cut): \(String(describing: summary.stoppedEarly))")
                // Reading stopped at the end of what the file holds.
                #expect(summary.stoppedAtByte == Int64(cut), "cut at \(cut)")
            }
            // A truncated input ends only itself: the next input is still read, numbering on.
            if cut == boundaries[3] + 7 {
                let two = try CaptureReader(paths: [path, full])
                let all = readAll(two)
                #expect(all.count == complete + 5)
                #expect(all.map(\.number) == Array(1...(complete + 5)))
                #expect(two.summaries[0].stoppedEarly != nil && two.summaries[1].stoppedEarly == nil)
                #expect(two.summaries[1].firstFrame == complete + 1)
            }
            try FileManager.default.removeItem(atPath: path)
        }
    }

    @Test(arguments: Array(0..<24))
    func cutInsideTheFileHeaderIsNotACapture(length: Int) throws {
        let dir = try TempDirectory()
        let full = dir.file("full.pcap")
        try writePcap(full, fiveFrames())
        let path = try dir.write("head.pcap", Array(try readBytes(full).prefix(length)))
        let error = #expect(throws: CaptureError.self) { try CaptureReader(paths: [path]) }
        guard case let .notACapture(file, _)? = error else {
            Issue.record("expected notACapture, got \(String(describing: error))")
            return
        }
        #expect(file == path)
    }

    @Test func headerOnlyIsAnEmptyCapture() throws {
        let dir = try TempDirectory()
        let full = dir.file("full.pcap")
        try writePcap(full, fiveFrames())
        let path = try dir.write("head.pcap", Array(try readBytes(full).prefix(24)))
        let reader = try CaptureReader(paths: [path])
        #expect(reader.next() == nil)
        #expect(reader.summaries[0].frames == 0 && reader.summaries[0].stoppedEarly == nil)
    }

    /// The same for pcapng: every cut after the interface description block
    /// yields the complete packets before it, and flags a cut inside a block.
    @Test func pcapngCutAtEveryByte() throws {
        let dir = try TempDirectory()
        let frames = fiveFrames()
        let bytes = pcapng(frames)
        // SHB 28 + IDB 32, then one EPB per frame.
        var boundaries = [60]
        for f in frames { boundaries.append(boundaries[boundaries.count - 1] + 32 + (f.bytes.count + 3) & ~3) }
        try #require(boundaries.last == bytes.count)
        let expected = readAll(try CaptureReader(paths: [try dir.write("full.pcapng", bytes)]))
        try #require(expected.count == 5)
        for cut in boundaries[0]...bytes.count {
            let path = try dir.write("cut.pcapng", Array(bytes.prefix(cut)))
            let reader = try CaptureReader(paths: [path])
            let read = readAll(reader)
            let complete = boundaries.dropFirst().filter { $0 <= cut }.count
            #expect(read == Array(expected.prefix(complete)), "cut at \(cut)")
            if boundaries.contains(cut) {
                #expect(reader.summaries[0].stoppedEarly == nil, "cut at \(cut)")
            } else {
                #expect(reader.summaries[0].stoppedEarly != nil, "cut at \(cut)")
            }
        }
    }
}
