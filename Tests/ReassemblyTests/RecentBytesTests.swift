@testable import Reassembly
import Testing

/// The shared log of delivered bytes and each direction's pieces in it, against
/// an oracle that keeps every byte of every stream and every log write.
@Suite struct RecentBytesTests {
    /// A deterministic generator (SplitMix64), so a failure names its seed.
    struct Generator {
        var state: UInt64
        mutating func next(_ range: ClosedRange<Int>) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return range.lowerBound + Int(z % UInt64(range.count))
        }
    }

    /// One stream as the oracle sees it: all its bytes, and where each piece went.
    struct StreamOracle {
        var bytes: [UInt8] = []
        /// (stream offset, log position) of each piece, oldest first.
        var pieces: [(offset: Int, position: Int)] = []
    }

    /// `RecentBytes` is not copyable: an array holds it through a box.
    final class RecentBox {
        var recent: RecentBytes
        init(window: Int) { recent = RecentBytes(window: window) }
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func comparisonsMatchAnOracle(seed: UInt64) {
        var rng = Generator(state: seed)
        let logCapacity = 8192, window = 4096, streamCount = 3
        var kept = KeptBytes(logBytes: logCapacity, history: nil)
        let recents = (0..<streamCount).map { _ in RecentBox(window: window) }
        var oracles = [StreamOracle](repeating: StreamOracle(), count: streamCount)
        var lastWriter = -1, lastEnd = -1
        var compared = (equal: 0, different: 0, unknown: 0)
        for _ in 0..<400 {
            // Deliver a segment on a random stream (the same one twice in a row now and then).
            let s = rng.next(0...9) < 3 && lastWriter >= 0 ? lastWriter : rng.next(0...(streamCount - 1))
            let segment = (0..<rng.next(1...700)).map { _ in UInt8(rng.next(0...255)) }
            let offset = oracles[s].bytes.count
            let position = segment.withUnsafeBytes { kept.log.append($0) }
            #expect(position == UInt64(lastEnd < 0 ? 0 : lastEnd))
            recents[s].recent.append(offset: UInt64(offset), length: segment.count, position: position, delivered: 0)
            if !(lastWriter == s && oracles[s].pieces.last.map { $0.position + (offset - $0.offset) } == Int(position)) {
                oracles[s].pieces.append((offset, Int(position)))
            }
            oracles[s].bytes += segment
            lastWriter = s
            lastEnd = Int(position) + segment.count

            // Ask about a random range of a random stream, once as delivered and once altered.
            let q = rng.next(0...(streamCount - 1))
            let o = oracles[q]
            guard !o.bytes.isEmpty else { continue }
            let start = rng.next(0...(o.bytes.count - 1))
            let length = rng.next(1...min(900, o.bytes.count - start))
            var asked = Array(o.bytes[start..<start + length])
            let keptPieces = o.pieces.suffix(RecentBytes.maximumPieces)
            let knownFrom = max(keptPieces.first!.offset, o.bytes.count - window)
            // Pieces are in the log until `capacity` later bytes overwrote their start.
            let touched = keptPieces.indices.filter { i in
                let end = i + 1 < keptPieces.endIndex ? keptPieces[i + 1].offset : o.bytes.count
                return end > start && keptPieces[i].offset < start + length
            }
            let intact = touched.allSatisfy { lastEnd - keptPieces[$0].position <= logCapacity }
            let expected: Bool? = start >= knownFrom && intact ? true : nil
            #expect(asked.withUnsafeBytes { recents[q].recent.matches($0, at: UInt64(start), in: kept) } == expected,
                    "seed \(seed): \(start)+\(length) of stream \(q)")
            asked[rng.next(0...(length - 1))] ^= 0x5A
            let expectedAltered: Bool? = expected == nil ? nil : false
            #expect(asked.withUnsafeBytes { recents[q].recent.matches($0, at: UInt64(start), in: kept) } == expectedAltered,
                    "seed \(seed): altered \(start)+\(length) of stream \(q)")
            switch expected {
            case true?: compared.equal += 1
            case false?: compared.different += 1
            case nil: compared.unknown += 1
            }
        }
        // The oracle run must exercise both answers, not only "unknown".
        #expect(compared.equal > 20 && compared.unknown > 20, "seed \(seed): \(compared)")
    }

    @Test func aGapStartsTheStreamOver() {
        var kept = KeptBytes(logBytes: 4096, history: nil)
        var recent = RecentBytes(window: 4096)
        let first: [UInt8] = Array("abcdef".utf8), second: [UInt8] = Array("XYZ".utf8)
        recent.append(offset: 0, length: 6, position: first.withUnsafeBytes { kept.log.append($0) }, delivered: 0)
        // Bytes 6..<10 never came: the next piece starts at 10.
        recent.append(offset: 10, length: 3, position: second.withUnsafeBytes { kept.log.append($0) }, delivered: 0)
        #expect(second.withUnsafeBytes { recent.matches($0, at: 10, in: kept) } == true)
        #expect(first.withUnsafeBytes { recent.matches($0, at: 0, in: kept) } == nil)
        #expect(recent.endOffset == 13)
    }

    @Test func theLogRoundsItsCapacityUpToAPowerOfTwo() {
        #expect(DeliveredBytesLog(capacity: 5000).capacity == 8192)
        #expect(DeliveredBytesLog(capacity: 0).capacity == 64)
    }
}
