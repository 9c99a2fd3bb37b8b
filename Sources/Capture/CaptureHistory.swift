import CPrefetch
import Synchronization

/// The capture's recent bytes, kept by the read-ahead thread: every chunk it
/// hands over is also copied here, so the reassembler can compare a
/// retransmission with the first copy of its bytes without copying each
/// delivered byte itself.
///
/// That per-byte copy had been a sixth of the reassembling thread's time on
/// captures of many short connections: it read payload nothing else reads and
/// wrote it to memory no cache held. Here one thread that has time to spare
/// streams whole chunks past the caches, and the reassembler only notes where
/// delivered bytes sit.
///
/// Positions count every byte of every chunk handed over, from 0. A chunk
/// that finds no room (the reassembler has not released enough) is not kept,
/// and its bytes have no position here; whoever needs them copies them.
///
/// Threads: `store` is the read-ahead thread's, and it never waits here;
/// everything else is the consumer's (the thread that reads the frames and
/// reassembles). They share only `released`, which the consumer raises once
/// it is done with what lies below, and which the producer reads before it
/// overwrites anything, and `keeping`. A chunk's bytes are stored before the chunk is handed
/// over (under the read-ahead's lock), so the consumer finds them there.
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

    /// Gives `count` bytes their positions and copies them in when there is room.
    /// Returns where they start, and whether they were kept.
    func store(_ bytes: UnsafeRawPointer, count: Int) -> (start: UInt64, kept: Bool) {
        let start = produced
        produced += UInt64(count)
        guard keeping.load(ordering: .relaxed) else { return (start, false) }
        let free = released.load(ordering: .acquiring)
        guard start + UInt64(count) - free <= UInt64(capacity) else { return (start, false) }
        _ = forEachRingPiece(position: start, count: count, capacity: capacity) { ringOffset, offset, n in
            rdpdiag_copy_streaming(storage + ringOffset, bytes + offset, n)
            return true
        }
        return (start, true)
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
