import Capture
import CPrefetch

/// Payload bytes the tracker delivered while they were wanted, of all
/// connections, in one ring in the order copied: the first copies against which
/// retransmissions are compared. With a capture history (`KeptBytes`) only the
/// bytes it did not keep, and those it is about to let go, come here; without
/// one (standard input, live capture), every delivered byte.
///
/// One shared ring rather than one per direction, because of where the time
/// went: with hundreds of connections open, each per-direction ring was cold
/// when its connection's next segment came, and the copy waited on a cache
/// miss for every 64 bytes. Here the next copy goes where the last one ended,
/// whatever its connection, so the lines it will write are requested one
/// segment ahead (`prefetchAhead`) and are there when it comes.
struct DeliveredBytesLog: ~Copyable {
    private let storage: UnsafeMutableRawBufferPointer
    /// A power of two, so positions map into the ring with a mask.
    let capacity: Int
    /// Bytes appended so far: the position the next byte gets.
    private(set) var written: UInt64 = 0
    /// Positions below this were already requested from memory for writing.
    private var prefetched: UInt64 = 0

    /// How far past the write position lines are requested: a little more than a
    /// full-sized segment.
    static let prefetchAhead: UInt64 = 2048
    static let lineSize: UInt64 = 64

    init(capacity: Int) {
        var size = 64
        while size < capacity { size <<= 1 }
        self.capacity = size
        storage = UnsafeMutableRawBufferPointer(start: PlainPages.allocate(byteCount: size), count: size)
    }

    deinit { PlainPages.deallocate(storage.baseAddress!, byteCount: storage.count) }

    /// Copies `bytes` in; returns the position of their first byte.
    mutating func append(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let start = written
        // Only the last `capacity` bytes could survive anyway.
        let skipped = max(bytes.count - capacity, 0)
        if let source = bytes.baseAddress, let ring = storage.baseAddress {
            _ = forEachRingPiece(position: start + UInt64(skipped), count: bytes.count - skipped,
                                 capacity: capacity) { ringOffset, offset, n in
                (ring + ringOffset).copyMemory(from: source + skipped + offset, byteCount: n)
                return true
            }
        }
        written = start + UInt64(bytes.count)
        requestNextLines()
        return start
    }

    /// Requests the lines the next copies will write, up to `prefetchAhead` past the write position.
    private mutating func requestNextLines() {
        guard let base = storage.baseAddress, capacity > Int(Self.prefetchAhead) else { return }
        let target = written + Self.prefetchAhead
        var line = max(prefetched, written & ~(Self.lineSize - 1))
        while line < target {
            rdpdiag_prefetch_for_write(base + Int(line & UInt64(capacity - 1)))
            line += Self.lineSize
        }
        prefetched = line
    }

    /// Whether the bytes at `position..<position + count` are still in the ring.
    func holds(position: UInt64, count: Int) -> Bool {
        position + UInt64(count) <= written && written - position <= UInt64(capacity)
    }

    /// Compares `bytes` with the ring's bytes from `position` (which `holds`).
    func equals(_ bytes: UnsafeRawBufferPointer, at position: UInt64) -> Bool {
        ringBytesEqual(bytes, storage: UnsafeRawPointer(storage.baseAddress!), capacity: capacity, position: position)
    }
}

/// Where one direction's recently delivered bytes are kept (`KeptBytes`: in the
/// capture history or the log): the last `maximumPieces` pieces of the stream
/// (contiguous: a gap starts over), of which at most the last `window` bytes
/// count, kept only while that direction's payload is wanted.
///
/// A retransmission is compared only when every byte it repeats is still known
/// (within the window, in the pieces kept, still held where they were kept);
/// otherwise the comparison has no answer.
struct RecentBytes: ~Copyable {
    /// Where a piece starts in the stream and where it was kept; it ends where the
    /// next one starts (the newest at `endOffset`).
    struct Piece {
        var offset: UInt64
        var position: UInt64
    }

    /// Pieces beyond this many are forgotten oldest first. A piece grows while the
    /// next bytes are kept right after it (in the log: when nothing else was copied in
    /// between); in the capture history every segment is a piece of its own.
    static let maximumPieces = 32

    private let pieces: UnsafeMutablePointer<Piece>
    let window: Int
    /// Index of the newest piece, and how many are kept.
    private var newest = 0
    private var count = 0
    /// Stream offset one past the last byte recorded.
    private(set) var endOffset: UInt64 = 0
    /// Bytes delivered by all connections (`KeptBytes.delivered`) when this direction last delivered.
    private(set) var lastDelivery: UInt64 = 0

    init(window: Int) {
        self.window = window
        pieces = .allocate(capacity: Self.maximumPieces)
    }

    deinit { pieces.deallocate() }

    private func index(before i: Int) -> Int { i == 0 ? Self.maximumPieces - 1 : i - 1 }

    /// Records that the bytes delivered at stream `offset` went to the log at `position`.
    /// A stream that skipped a gap (`offset != endOffset`) starts over.
    mutating func append(offset: UInt64, length: Int, position: UInt64, delivered: UInt64) {
        guard length > 0 else { return }
        lastDelivery = delivered
        if offset != endOffset { count = 0 }
        if count > 0 {
            let last = pieces[newest]
            // Still contiguous in the log: the newest piece just grows.
            if last.position + (offset - last.offset) == position {
                endOffset = offset + UInt64(length)
                return
            }
            newest = newest == Self.maximumPieces - 1 ? 0 : newest + 1
        }
        pieces[newest] = Piece(offset: offset, position: position)
        count = min(count + 1, Self.maximumPieces)
        endOffset = offset + UInt64(length)
    }

    /// Compares `bytes` claimed to sit at stream `offset` with what was delivered
    /// there: true if equal, false if different, nil when not all of it is still known.
    func matches(_ bytes: UnsafeRawBufferPointer, at offset: UInt64, in kept: borrowing KeptBytes) -> Bool? {
        guard count > 0, !bytes.isEmpty else { return nil }
        let end = offset + UInt64(bytes.count)
        let oldest = (newest - count + 1 + Self.maximumPieces) % Self.maximumPieces
        let windowStart = endOffset - min(endOffset, UInt64(window))
        guard offset >= max(pieces[oldest].offset, windowStart), end <= endOffset else { return nil }
        // Newest first, so each piece ends where the one before in this walk started.
        // Every piece the range touches must still be held before any is compared.
        var i = newest, pieceEnd = endOffset
        for _ in 0..<count where pieceEnd > offset {
            let piece = pieces[i]
            if piece.offset < end, !kept.holds(position: piece.position, count: Int(pieceEnd - piece.offset)) { return nil }
            pieceEnd = piece.offset
            i = index(before: i)
        }
        i = newest
        pieceEnd = endOffset
        for _ in 0..<count where pieceEnd > offset {
            let piece = pieces[i]
            let from = max(offset, piece.offset), to = min(end, pieceEnd)
            if from < to {
                let part = UnsafeRawBufferPointer(rebasing: bytes[Int(from - offset)..<Int(to - offset)])
                if !kept.equals(part, at: piece.position + (from - piece.offset)) { return false }
            }
            pieceEnd = piece.offset
            i = index(before: i)
        }
        return true
    }

    /// Gives the pieces kept in the history below `boundary` (about to be released)
    /// new places: `move` copies a piece's bytes and returns their new position.
    /// Pieces wholly before the window are left, as they are never compared.
    mutating func relocate(historyBelow boundary: UInt64, _ move: (_ position: UInt64, _ count: Int) -> UInt64) {
        let windowStart = endOffset - min(endOffset, UInt64(window))
        var i = newest, pieceEnd = endOffset
        for _ in 0..<count {
            guard pieceEnd > windowStart else { return }
            let piece = pieces[i]
            if piece.position & KeptBytes.inHistory != 0, piece.position & ~KeptBytes.inHistory < boundary {
                pieces[i].position = move(piece.position & ~KeptBytes.inHistory, Int(pieceEnd - piece.offset))
            }
            pieceEnd = piece.offset
            i = index(before: i)
        }
    }
}
