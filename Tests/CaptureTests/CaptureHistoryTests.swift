@testable import Capture
import Foundation
import Testing
import TestSupport

/// The read-ahead thread's copy of what it read: positions, room, release.
@Suite struct CaptureHistoryTests {
    static func pattern(_ count: Int, seed: UInt8) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ Int(seed)) }
    }

    /// Writes `bytes` as the read-ahead does: into the room `reserveChunk` gives, when it
    /// gives room for all of them. Returns the chunk's start and whether it was kept.
    static func fill(_ history: CaptureHistory, _ bytes: [UInt8], wanted: Int? = nil) -> (UInt64, Bool) {
        let place = history.reserveChunk(upTo: wanted ?? bytes.count)
        var kept = false
        if let storage = place.storage, place.capacity >= bytes.count {
            bytes.withUnsafeBytes { storage.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            kept = true
        }
        history.finishChunk(start: place.start, count: bytes.count)
        return (place.start, kept)
    }

    @Test func chunksAreKeptWhileThereIsRoomAndSkipTheRingsLastBytes() {
        let history = CaptureHistory(capacity: 4096)
        #expect(history.capacity == 4096)
        let a = Self.pattern(3000, seed: 1), b = Self.pattern(3000, seed: 2), c = Self.pattern(1000, seed: 3)
        #expect(Self.fill(history, a) == (0, true))
        // Only 1096 bytes are left before the ring's end, and nothing is released: no room
        // for a chunk of 3000, but a chunk that may be as small as 1000 starts there.
        #expect(history.reserveChunk(upTo: 3000).storage == nil)
        let small = history.reserveChunk(upTo: 3000, atLeast: 1000)
        #expect(small.start == 3000 && small.storage == history.storage + 3000 && small.capacity == 1096)
        // Nothing is taken until a chunk is finished: not kept, it still counts its positions.
        #expect(Self.fill(history, b) == (3000, false))
        history.release(upTo: 5000)
        // 6000 is 1904 into the ring, 2192 bytes before its end; 6000..<9000 would pass
        // 5000 + 4096 (and the ring's end).
        #expect(history.reserveChunk(upTo: 3000).storage == nil)
        let tight = history.reserveChunk(upTo: 3000, atLeast: 500)
        #expect(tight.start == 6000 && tight.capacity == 2192)
        // 1000 bytes fit: 6000..<7000, 1904..<2904 of the ring.
        #expect(Self.fill(history, c) == (6000, true))
        #expect(history.storage.advanced(by: 1904).assumingMemoryBound(to: UInt8.self)[0] == c[0])
        c.withUnsafeBytes { bytes in
            history.enter(base: history.storage + 1904, count: bytes.count, start: 6000, kept: true)
            let part = UnsafeRawBufferPointer(start: history.storage + 1904 + 100, count: 600)
            #expect(history.position(of: part) == 6100)
            #expect(history.holds(position: 6100, count: 600))
            #expect(!history.holds(position: 4999, count: 10))
            #expect(!history.holds(position: 6900, count: 200))
            #expect(history.equals(bytes, at: 6000))
            for changed in [0, 500, 999] {
                var other = c
                other[changed] ^= 0x55
                #expect(!other.withUnsafeBytes { history.equals($0, at: 6000) }, "byte \(changed)")
            }
            var copy = [UInt8](repeating: 0, count: 600)
            copy.withUnsafeMutableBytes { history.copy(from: 6100, count: 600, to: $0.baseAddress!) }
            #expect(copy == Array(c[100..<700]))
        }
        // A chunk does not start in the last bytes before the ring's end: at 7000 (2904 into
        // the ring), a chunk wanting 2000 bytes that has only 1192 left skips to 8192.
        history.release(upTo: 7000)
        let skipped = history.reserveChunk(upTo: 2000)
        #expect(skipped.start == 8192 && skipped.storage == history.storage && skipped.capacity == 2000)
    }

    /// Kept bytes that cross the ring's end (only the log's copies and compares do that
    /// now, through the same ring pieces) read back in order.
    @Test func bytesAcrossTheRingsEndCompareAndCopy() {
        let history = CaptureHistory(capacity: 4096)
        let c = Self.pattern(2000, seed: 3)
        // Place c at 8000..<10000: 3904..<4096 and 0..<1808 of the ring.
        c.withUnsafeBytes { bytes in
            _ = forEachRingPiece(position: 8000, count: 2000, capacity: 4096) { ringOffset, offset, n in
                (history.storage + ringOffset).copyMemory(from: bytes.baseAddress! + offset, byteCount: n)
                return true
            }
        }
        #expect(c.withUnsafeBytes { history.equals($0, at: 8000) })
        for changed in [0, 191, 192, 1999] {
            var other = c
            other[changed] ^= 0x55
            #expect(!other.withUnsafeBytes { history.equals($0, at: 8000) }, "byte \(changed)")
        }
        #expect(c.withUnsafeBytes { history.equals(UnsafeRawBufferPointer(rebasing: $0[500..<900]), at: 8500) })
        var copy = [UInt8](repeating: 0, count: 2000)
        copy.withUnsafeMutableBytes { history.copy(from: 8000, count: 2000, to: $0.baseAddress!) }
        #expect(copy == c)
    }

    /// The first time round, the room given for a chunk is faulted in before it is written,
    /// in one call, and nothing beyond it (Linux 5.14 and later; CI runs a later one).
    @Test func roomForAChunkIsFaultedInAheadTheFirstTimeRound() throws {
        let history = CaptureHistory(capacity: 1 << 20)
        let page = PlainPages.pageSize
        func resident(_ range: Range<Int>) -> [Bool] {
            var vector = [UInt8](repeating: 0, count: range.count / page)
            #expect(mincore(history.storage + range.lowerBound, range.count, &vector) == 0)
            return vector.map { $0 & 1 != 0 }
        }
        func pages(_ bytes: Int) -> Int { (bytes + page - 1) / page * page }
        #expect(resident(0..<(1 << 20)).allSatisfy { !$0 })
        let place = history.reserveChunk(upTo: 100_000)
        #expect(place.storage == history.storage && place.capacity == 100_000)
        // 100,000 bytes, rounded up to whole pages (25 of 4 KiB).
        #expect(history.faultedIn == pages(100_000))
        #expect(resident(0..<pages(100_000)).allSatisfy { $0 })
        #expect(resident(pages(100_000)..<(1 << 20)).allSatisfy { !$0 })
        // Asking again for the same room faults nothing more in; the next chunk goes on from there.
        _ = history.reserveChunk(upTo: 100_000)
        #expect(history.faultedIn == pages(100_000))
        history.finishChunk(start: 0, count: 100_000)
        _ = history.reserveChunk(upTo: 100_000)
        #expect(history.faultedIn == pages(200_000))
    }

    @Test func whileNotKeepingChunksOnlyGetPositions() {
        let history = CaptureHistory(capacity: 4096)
        let a = Self.pattern(100, seed: 1)
        history.setKeeping(false)
        #expect(Self.fill(history, a) == (0, false))
        history.setKeeping(true)
        #expect(Self.fill(history, a) == (100, true))
    }

    /// Read ahead in small chunks (smaller than some frames) with a history large enough
    /// for the file: every frame is read into the history, and has its position there.
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
            // Read straight into the ring: the frame's bytes are the history's.
            let first = try #require(frame.bytes.baseAddress)
            #expect(first >= UnsafeRawPointer(history.storage)
                    && first + frame.bytes.count <= UnsafeRawPointer(history.storage + history.capacity))
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
