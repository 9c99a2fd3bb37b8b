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
        var source = bytes
        // Only the last `capacity` bytes could survive anyway.
        if source.count > capacity { source = UnsafeRawBufferPointer(rebasing: source[(source.count - capacity)...]) }
        var position = Int((start + UInt64(bytes.count - source.count)) & UInt64(capacity - 1))
        while !source.isEmpty {
            let n = min(source.count, capacity - position)
            UnsafeMutableRawBufferPointer(rebasing: storage[position..<position + n])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: source[0..<n]))
            source = UnsafeRawBufferPointer(rebasing: source[n...])
            position = 0
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
        let mask = UInt64(capacity - 1)
        for i in 0..<bytes.count where storage[Int((position + UInt64(i)) & mask)] != bytes[i] {
            return false
        }
        return true
    }
}

/// Where delivered bytes were kept: in the capture's history (the read-ahead
/// thread's copy of everything read, `CaptureHistory`) when the frame's chunk was
/// kept there, else copied to the tracker's own `DeliveredBytesLog`. A position
/// says which: the history's positions carry `inHistory`.
///
/// The history forgets old bytes as the tracker releases them, an eighth of it at a
/// time (an epoch). Before an epoch goes, the bytes in it that a retransmission could
/// still be compared with are copied to the log: those of the directions that put
/// bytes there, still want payload, and delivered within the last log's worth of
/// everyone's deliveries (as the log alone would still hold them), within their
/// window. Every direction that put bytes in an epoch is listed for that. So a
/// retransmission is compared whenever the log alone would have compared it, and
/// also while its first copy is still in the history.
struct KeptBytes: ~Copyable {
    static let inHistory: UInt64 = 1 << 63
    static let epochsInHistory: UInt64 = 8
    /// Epochs kept behind the one being read; the rest of the history is room for
    /// the chunks read ahead (and for the one the reader moved to before the tracker
    /// noticed).
    static let epochsKeptBehind: UInt64 = 4
    /// The history is kept while at least 1 / `keepingShare` of what is read is
    /// delivered payload (judged over each epoch read). Below it, copying the few delivered bytes here costs the reassembling
    /// thread less than streaming every chunk costs the read-ahead thread, which is
    /// then the one that bounds the run (long transfers, gateways with little RDP).
    static let keepingShare: UInt64 = 4

    struct Lister {
        var slot: Int32
        var id: Int
        var direction: Direction
    }

    var log: DeliveredBytesLog
    /// Bytes delivered so far by all connections, wherever kept.
    var delivered: UInt64 = 0
    /// Strongly held by the tracker, which owns this.
    let history: Unmanaged<CaptureHistory>?
    let epochBytes: UInt64
    /// Epochs below this were released; `listers[i]` is for epoch `firstEpoch + i`.
    var firstEpoch: UInt64 = 0
    var listers: [[Lister]] = []
    /// The history's read position at which the next epoch starts.
    var nextEpochAt: UInt64
    /// The epoch being read, and `delivered` when it was entered.
    var readEpoch: UInt64 = 0
    var deliveredAtReadEpoch: UInt64 = 0

    init(logBytes: Int, history: CaptureHistory?) {
        log = DeliveredBytesLog(capacity: logBytes)
        self.history = history.map { Unmanaged.passUnretained($0) }
        epochBytes = UInt64(history?.capacity ?? 0) / Self.epochsInHistory
        nextEpochAt = epochBytes
    }

    /// Whether the bytes at `position..<position + count` are still kept.
    func holds(position: UInt64, count: Int) -> Bool {
        if position & Self.inHistory != 0 {
            return history?._withUnsafeGuaranteedRef { $0.holds(position: position & ~Self.inHistory, count: count) } ?? false
        }
        return log.holds(position: position, count: count)
    }

    /// Compares `bytes` with the kept bytes from `position` (which `holds`).
    func equals(_ bytes: UnsafeRawBufferPointer, at position: UInt64) -> Bool {
        if position & Self.inHistory != 0, let history {
            let start = position & ~Self.inHistory
            return history._withUnsafeGuaranteedRef { history in
                for i in 0..<bytes.count where history.byte(at: start + UInt64(i)) != bytes[i] { return false }
                return true
            }
        }
        return log.equals(bytes, at: position)
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
    func matches(_ bytes: UnsafeRawBufferPointer, at offset: UInt64, in log: borrowing KeptBytes) -> Bool? {
        guard count > 0, !bytes.isEmpty else { return nil }
        let end = offset + UInt64(bytes.count)
        let oldest = (newest - count + 1 + Self.maximumPieces) % Self.maximumPieces
        let windowStart = endOffset - min(endOffset, UInt64(window))
        guard offset >= max(pieces[oldest].offset, windowStart), end <= endOffset else { return nil }
        // Newest first, so each piece ends where the one before in this walk started.
        // Every piece the range touches must still be in the log before any is compared.
        var i = newest, pieceEnd = endOffset
        for _ in 0..<count where pieceEnd > offset {
            let piece = pieces[i]
            if piece.offset < end, !log.holds(position: piece.position, count: Int(pieceEnd - piece.offset)) { return nil }
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
                if !log.equals(part, at: piece.position + (from - piece.offset)) { return false }
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
