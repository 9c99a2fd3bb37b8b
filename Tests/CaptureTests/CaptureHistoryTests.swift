@testable import Capture
import Foundation
import Testing
import TestSupport

/// The read-ahead thread's copy of what it read: positions, room, release.
@Suite struct CaptureHistoryTests {
    static func pattern(_ count: Int, seed: UInt8) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ Int(seed)) }
    }

    @Test func chunksAreKeptWhileThereIsRoomAndReadBackAcrossTheWrap() {
        let history = CaptureHistory(capacity: 4096)
        #expect(history.capacity == 4096)
        let a = Self.pattern(3000, seed: 1), b = Self.pattern(3000, seed: 2), c = Self.pattern(2000, seed: 3)
        #expect(a.withUnsafeBytes { history.store($0.baseAddress!, count: $0.count) } == (0, true))
        // 6000 bytes would not fit while nothing is released.
        #expect(b.withUnsafeBytes { history.store($0.baseAddress!, count: $0.count) } == (3000, false))
        history.release(upTo: 3000)
        // Positions go on counting the chunk that was not kept: 6000..<8000 needs a ring
        // of 5000 while only 3000 is released.
        #expect(c.withUnsafeBytes { history.store($0.baseAddress!, count: $0.count) } == (6000, false))
        history.release(upTo: 6000)
        #expect(c.withUnsafeBytes { history.store($0.baseAddress!, count: $0.count) } == (8000, true))
        // b and the first c were not kept; c sits at 8000..<10000: 3904..<4096 and 0..<1808 of the ring.
        b.withUnsafeBytes { bytes in
            history.enter(base: bytes.baseAddress!, count: bytes.count, start: 3000, kept: false)
            #expect(history.position(of: bytes) == nil)
        }
        c.withUnsafeBytes { bytes in
            history.enter(base: bytes.baseAddress!, count: bytes.count, start: 8000, kept: true)
            let part = UnsafeRawBufferPointer(rebasing: bytes[100..<700])
            #expect(history.position(of: part) == 8100)
            #expect(history.holds(position: 8100, count: 600))
            #expect(!history.holds(position: 5999, count: 10))
            #expect(!history.holds(position: 9900, count: 200))
            // Compared across the ring's end (3904..<4096, then 0..<1808): equal, and a byte
            // changed on either side of it, or at either end, is told.
            #expect(c.withUnsafeBytes { history.equals($0, at: 8000) })
            for changed in [0, 191, 192, 1999] {
                var other = c
                other[changed] ^= 0x55
                #expect(!other.withUnsafeBytes { history.equals($0, at: 8000) }, "byte \(changed)")
            }
            // A part of it, starting past the wrap.
            #expect(c.withUnsafeBytes { history.equals(UnsafeRawBufferPointer(rebasing: $0[500..<900]), at: 8500) })
            var copy = [UInt8](repeating: 0, count: 2000)
            copy.withUnsafeMutableBytes { history.copy(from: 8000, count: 2000, to: $0.baseAddress!) }
            #expect(copy == c)
        }
    }

    @Test func whileNotKeepingChunksOnlyGetPositions() {
        let history = CaptureHistory(capacity: 4096)
        let a = Self.pattern(100, seed: 1)
        history.setKeeping(false)
        #expect(a.withUnsafeBytes { history.store($0.baseAddress!, count: $0.count) } == (0, false))
        history.setKeeping(true)
        #expect(a.withUnsafeBytes { history.store($0.baseAddress!, count: $0.count) } == (100, true))
    }

    /// Read ahead in small chunks with a history large enough for the file: every frame
    /// has a position, and the history holds its bytes there.
    @Test(arguments: [64, 700, 5000])
    func everyFrameReadAheadIsInTheHistory(chunkBytes: Int) throws {
        let dir = try TempDirectory()
        let path = dir.file("frames.pcap")
        let frames = ReadAheadTests.randomFrames(count: 300, seed: 11)
        try writePcap(path, frames)
        let reader = try CaptureReader(paths: [path])
        reader.readAheadChunkBytes = chunkBytes
        let history = try #require(reader.keepHistory(capacity: 1 << 20))
        var seen = 0, last: UInt64 = 0
        while let frame = reader.next() {
            #expect(reader.isReadingAhead)
            let expected = frames[seen].bytes
            #expect(Array(frame.bytes) == expected)
            seen += 1
            guard !expected.isEmpty else { continue }
            let position = try #require(history.position(of: frame.bytes), "frame \(frame.number)")
            #expect(position >= last)
            last = position
            #expect(history.holds(position: position, count: expected.count))
            #expect(expected.withUnsafeBytes { history.equals($0, at: position) })
        }
        #expect(seen == frames.count)
        // Too late to ask once frames were read.
        #expect(reader.keepHistory() == nil)
    }

    /// A history nobody releases fills up; later chunks are not kept, and reading goes
    /// on as before (the read-ahead thread never waits for the history).
    @Test func aFullHistoryStopsKeepingButNotReading() throws {
        let dir = try TempDirectory()
        let path = dir.file("frames.pcap")
        let frames = ReadAheadTests.randomFrames(count: 300, seed: 12)
        try writePcap(path, frames)
        let reader = try CaptureReader(paths: [path])
        reader.readAheadChunkBytes = 700
        let history = try #require(reader.keepHistory(capacity: 4096))
        var kept = 0, notKept = 0, seen = 0
        while let frame = reader.next() {
            #expect(Array(frame.bytes) == frames[seen].bytes)
            seen += 1
            guard frame.bytes.count > 0 else { continue }
            if history.position(of: frame.bytes) != nil { kept += 1 } else { notKept += 1 }
        }
        #expect(seen == frames.count)
        #expect(kept > 0 && notKept > kept)
    }

    @Test func inputsReadInlineHaveNoHistory() throws {
        let dir = try TempDirectory()
        let path = dir.file("frames.pcap")
        try writePcap(path, ReadAheadTests.randomFrames(count: 10, seed: 13))
        let reader = try CaptureReader(paths: [path], readAhead: false)
        #expect(reader.keepHistory() == nil)
        #expect(CaptureReader(memory: []).keepHistory() == nil)
    }
}
