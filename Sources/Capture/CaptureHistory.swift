import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The capture's recent bytes, kept for the reassembler: the read-ahead thread
/// reads its chunks straight into this ring while there is room, so the
/// reassembler can compare a retransmission with the first copy of its bytes
/// without copying each delivered byte itself.
///
/// That per-byte copy had been a sixth of the reassembling thread's time on
/// captures of many short connections: it read payload nothing else reads and
/// wrote it to memory no cache held. The reassembler now only notes where
/// delivered bytes sit. (The chunks were first filled elsewhere and then copied
/// here; that copy was over a quarter of the read-ahead thread's time.)
///
/// Positions count every byte of every chunk handed over, from 0, and a chunk
/// may skip the few positions left before the ring's end, so that it lies in
/// one piece. A chunk that finds no room (the reassembler has not released
/// enough) is filled elsewhere and not kept, and its bytes have no position
/// here; whoever needs them copies them.
///
/// Threads: `reserveChunk` and `finishChunk` are the read-ahead thread's, and it
/// never waits here; everything else is the consumer's (the thread that reads
/// the frames and reassembles). They share only `released`, which the consumer
/// raises once it is done with what lies below, and which the producer reads
/// before it takes room for a chunk, and `keeping`. A chunk is written before it
/// is handed over (under the read-ahead's lock), so the consumer finds its bytes.
public final class CaptureHistory: @unchecked Sendable {
    /// Room for what the reassembler keeps behind the chunk it reads (half of it:
    /// `KeptBytes.epochsKeptBehind` of its eighths) and for the chunks read ahead.
    public static let defaultCapacity = 64 << 20

    let storage: UnsafeMutableRawPointer
    /// A power of two, so positions map into the ring with a mask.
    public let capacity: Int
    /// Positions below this may be overwritten: the consumer released them.
    private let released = Atomic<UInt64>(0)
    /// Whether chunks are to be kept at all (the consumer may find it not worth it).
    private let keeping = Atomic<Bool>(true)

    // The producer's.
    /// Bytes of all chunks handed over so far, kept or not: the position the next chunk starts at.
    private var produced: UInt64 = 0
    /// How much of the ring, from its start, the producer has faulted in (-1: the kernel cannot).
    private(set) var faultedIn = 0

    // The consumer's.
    /// Positions of the first byte of the chunk being read (kept or not) and one past its last.
    public private(set) var chunkStart: UInt64 = 0
    private var chunkEnd: UInt64 = 0
    /// Where that chunk sits in memory, when it was kept (nil otherwise).
    private var keptChunk: UnsafeRawPointer?

    public init(capacity: Int = CaptureHistory.defaultCapacity) {
        var size = 4096
        while size < capacity { size <<= 1 }
        self.capacity = size
        storage = PlainPages.allocate(byteCount: size)
    }

    deinit { PlainPages.deallocate(storage, byteCount: capacity) }

    // MARK: producer

    /// By default a chunk smaller than this is not started in the few bytes left before
    /// the ring's end, or in the little room left before what the consumer still needs.
    static let smallestChunk = 64 << 10

    /// Room to read a chunk of `least` to `wanted` bytes into: where it starts, and where
    /// in the ring and how large it is when it is kept (nil when there is no room, or the
    /// consumer stopped keeping). Nothing is taken until `finishChunk`, so a producer that
    /// finds the room too small may ask again with a larger `least`.
    func reserveChunk(upTo wanted: Int, atLeast least: Int? = nil)
        -> (start: UInt64, storage: UnsafeMutableRawPointer?, capacity: Int) {
        let next = produced
        guard keeping.load(ordering: .relaxed) else { return (next, nil, 0) }
        let smallest = least ?? min(wanted, Self.smallestChunk)
        var start = next
        var offset = Int(start & UInt64(capacity - 1))
        // Skip the ring's last bytes rather than start a small chunk there.
        if capacity - offset < smallest {
            start += UInt64(capacity - offset)
            offset = 0
        }
        // Positions below `released + capacity` may be written (chunks that were not
        // kept go on counting positions, so `start` may lie past that).
        let limit = released.load(ordering: .acquiring) + UInt64(capacity)
        guard start < limit else { return (next, nil, 0) }
        let size = min(wanted, capacity - offset, Int(limit - start))
        guard size >= smallest else { return (next, nil, 0) }
        faultIn(upTo: offset + size)
        return (start, storage + offset, size)
    }

    /// Faults the ring in up to `end` (rounded up to a page) in one call, the first time
    /// round: thousands of page faults, one per page written, cost more than asking the
    /// kernel for the pages all at once. (`MADV_POPULATE_WRITE`, Linux 5.14; without it the
    /// pages are faulted in as they are written, as before.)
    private func faultIn(upTo end: Int) {
        guard faultedIn >= 0, end > faultedIn else { return }
        let page = PlainPages.pageSize
        let pageEnd = min(capacity, (end + page - 1) / page * page)
        #if os(Linux)
        // 23 is MADV_POPULATE_WRITE, which Glibc's headers may not name.
        if madvise(storage + faultedIn, pageEnd - faultedIn, 23) != 0 {
            faultedIn = -1
            return
        }
        #endif
        faultedIn = pageEnd
    }

    /// The chunk that starts at `start` (from `reserveChunk`) holds `count` bytes, kept or not.
    func finishChunk(start: UInt64, count: Int) {
        produced = start + UInt64(count)
    }

    // MARK: consumer

    /// The consumer starts reading the chunk at `base` (`count` bytes), which starts at `start`.
    func enter(base: UnsafeRawPointer, count: Int, start: UInt64, kept: Bool) {
        chunkStart = start
        chunkEnd = start + UInt64(count)
        keptChunk = kept ? base : nil
    }

    /// Where `bytes`, part of the frame just read, sit here; nil when they were not kept.
    @inline(__always)
    public func position(of bytes: UnsafeRawBufferPointer) -> UInt64? {
        guard let base = keptChunk, let first = bytes.baseAddress, first >= base,
              UInt64(first - base + bytes.count) <= chunkEnd - chunkStart else { return nil }
        return chunkStart + UInt64(first - base)
    }

    /// Whether `position..<position + count` was kept and is still here.
    /// (Positions come only from `position(of:)`, so only from kept chunks.)
    public func holds(position: UInt64, count: Int) -> Bool {
        position >= released.load(ordering: .relaxed) && position + UInt64(count) <= chunkEnd
    }

    /// Whether `bytes` equal the bytes kept from `position` on (which `holds`).
    public func equals(_ bytes: UnsafeRawBufferPointer, at position: UInt64) -> Bool {
        ringBytesEqual(bytes, storage: storage, capacity: capacity, position: position)
    }

    /// Copies the bytes at `position..<position + count` (which `holds`) to `destination`.
    public func copy(from position: UInt64, count: Int, to destination: UnsafeMutableRawPointer) {
        _ = forEachRingPiece(position: position, count: count, capacity: capacity) { ringOffset, offset, n in
            (destination + offset).copyMemory(from: storage + ringOffset, byteCount: n)
            return true
        }
    }

    /// Lets the producer overwrite every position below `position`: the consumer no longer needs them.
    public func release(upTo position: UInt64) {
        if position > released.load(ordering: .relaxed) { released.store(position, ordering: .releasing) }
    }

    /// Whether the chunks read from now on are kept (the default) or only given positions.
    public func setKeeping(_ keep: Bool) { keeping.store(keep, ordering: .relaxed) }
    public var isKeeping: Bool { keeping.load(ordering: .relaxed) }
}
