import Capture

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
    /// delivered payload (judged over each epoch read). Below it, copying the few
    /// delivered bytes to the log costs the reassembling thread less than keeping
    /// costs the read-ahead thread, which is then the one that bounds the run (long
    /// transfers, gateways with little RDP): kept, every chunk is filled in the
    /// history's ring, memory no cache holds, instead of in one of a few chunks that
    /// stay cached. (Keeping always took its time from 110 to 180 ms per GB of such
    /// captures, and their whole run from 0.15 to 0.22 s.)
    static let keepingShare: UInt64 = 4

    /// A direction that put bytes in an epoch (the slot and id find its connection
    /// again, unless it has finished since).
    struct ListedDirection {
        var slot: Int32
        var id: Int
        var direction: Direction
    }

    var log: DeliveredBytesLog
    /// Bytes delivered so far by all connections, wherever kept.
    var delivered: UInt64 = 0
    /// Strongly held by the tracker, which owns this.
    let history: Unmanaged<CaptureHistory>?
    /// An epoch is `1 << epochShift` bytes: the history's capacity is a power of two, so
    /// a position's epoch is a shift, not a division, on every delivered segment.
    let epochShift: UInt64
    var epochBytes: UInt64 { 1 << epochShift }
    /// Epochs below this were released; `listed[i]` is for epoch `firstEpoch + i`.
    var firstEpoch: UInt64 = 0
    var listed: [[ListedDirection]] = []
    /// The history's read position at which the next epoch starts (the one being read
    /// starts `epochBytes` before), and `delivered` when the one being read was entered.
    var nextEpochAt: UInt64
    var deliveredAtReadEpoch: UInt64 = 0

    init(logBytes: Int, history: CaptureHistory?) {
        log = DeliveredBytesLog(capacity: logBytes)
        self.history = history.map { Unmanaged.passUnretained($0) }
        epochShift = UInt64((history.map { UInt64($0.capacity) / Self.epochsInHistory } ?? 1).trailingZeroBitCount)
        nextEpochAt = 1 << epochShift
    }

    /// The epoch that history position `position` falls in.
    @inline(__always)
    func epoch(of position: UInt64) -> UInt64 { position >> epochShift }

    /// Lists a direction that put bytes in `epoch` (one not yet released).
    mutating func list(slot: Int32, id: Int, _ direction: Direction, epoch: UInt64) {
        let index = Int(epoch - firstEpoch)
        while listed.count <= index { listed.append([]) }
        listed[index].append(ListedDirection(slot: slot, id: id, direction: direction))
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
            return history._withUnsafeGuaranteedRef { $0.equals(bytes, at: position & ~Self.inHistory) }
        }
        return log.equals(bytes, at: position)
    }
}
