/// The last `capacity` bytes delivered in one direction, kept only while that
/// direction's payload is still wanted, so that a retransmission can be
/// compared with the copy that was delivered first.
///
/// A non-copyable value stored in its `DirectionState`: one allocation (the
/// ring) per direction, and no reference to retain for every delivered segment.
struct RecentBytes: ~Copyable {
    private let storage: UnsafeMutableRawBufferPointer
    let capacity: Int
    /// Stream offset one past the last byte stored.
    private(set) var endOffset: UInt64 = 0
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = capacity
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 8)
    }

    deinit { storage.deallocate() }

    /// Appends bytes delivered at `offset` (which must equal `endOffset` unless the stream skipped a gap).
    mutating func append(_ bytes: UnsafeRawBufferPointer, at offset: UInt64) {
        if offset != endOffset { count = 0 }
        var source = bytes
        if source.count > capacity { source = UnsafeRawBufferPointer(rebasing: source[(source.count - capacity)...]) }
        var position = Int((offset + UInt64(bytes.count - source.count)) % UInt64(capacity))
        var remaining = source
        while !remaining.isEmpty {
            let n = min(remaining.count, capacity - position)
            UnsafeMutableRawBufferPointer(rebasing: storage[position..<position + n]).copyMemory(from: UnsafeRawBufferPointer(rebasing: remaining[0..<n]))
            remaining = UnsafeRawBufferPointer(rebasing: remaining[n...])
            position = (position + n) % capacity
        }
        endOffset = offset + UInt64(bytes.count)
        count = min(capacity, count + bytes.count)
    }

    /// Compares `bytes` claimed to sit at `offset` with what was delivered
    /// there: true if equal, false if different, nil when not (or not all) kept.
    func matches(_ bytes: UnsafeRawBufferPointer, at offset: UInt64) -> Bool? {
        let start = endOffset - UInt64(count)
        guard offset >= start, offset + UInt64(bytes.count) <= endOffset else { return nil }
        for i in 0..<bytes.count {
            let position = Int((offset + UInt64(i)) % UInt64(capacity))
            if storage[position] != bytes[i] { return false }
        }
        return true
    }
}
