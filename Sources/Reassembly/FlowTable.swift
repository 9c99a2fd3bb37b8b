/// The flow table's index: which connection slot a `FlowKey` lives in.
///
/// Every packet looks its flow up here, so this is an open-addressing table
/// with linear probing rather than a `Dictionary`: a bucket is 8 bytes (the
/// low 32 bits of the key's hash and the slot), the keys themselves sit in an
/// array indexed by slot, and hashing is one multiply-xor finaliser instead of
/// SipHash. The finaliser is seeded per process. At most half the buckets are
/// used; removal shifts the following run back, so no tombstones build up.
struct FlowTable {
    private struct Bucket {
        /// The low 32 bits of the key's hash (they also pick the home bucket).
        var hash: UInt32
        /// The connection slot, or -1 when the bucket is empty.
        var slot: Int32
        static let empty = Bucket(hash: 0, slot: -1)
    }

    private var buckets: ContiguousArray<Bucket>
    private var mask: Int
    /// The key stored for each slot (valid while the slot is in the table).
    private var keys: ContiguousArray<FlowKey> = []
    private let seed: UInt64
    private(set) var count = 0

    init(minimumCapacity: Int = 1024) {
        var size = 16
        while size < 2 * minimumCapacity { size <<= 1 }
        buckets = ContiguousArray(repeating: .empty, count: size)
        mask = size - 1
        seed = UInt64.random(in: .min ... .max)
    }

    @inline(__always)
    private func hash(_ key: FlowKey) -> UInt32 {
        // murmur3's 64-bit finaliser over the key's mixed words, seeded.
        var h = key.mixedWord ^ seed
        h ^= h >> 33
        h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h &*= 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return UInt32(truncatingIfNeeded: h)
    }

    /// The slot of `key`, or -1.
    @inline(__always)
    func find(_ key: FlowKey) -> Int32 {
        let h = hash(key)
        var i = Int(h) & mask
        while true {
            let bucket = buckets[i]
            if bucket.slot < 0 { return -1 }
            if bucket.hash == h && keys[Int(bucket.slot)] == key { return bucket.slot }
            i = (i + 1) & mask
        }
    }

    /// Adds `key` (which must not be in the table) at `slot`.
    mutating func insert(_ key: FlowKey, slot: Int32) {
        if 2 * (count + 1) > buckets.count { grow() }
        let index = Int(slot)
        if index >= keys.count {
            keys.append(contentsOf: repeatElement(key, count: index + 1 - keys.count))
        }
        keys[index] = key
        place(Bucket(hash: hash(key), slot: slot))
        count += 1
    }

    /// Removes `key` if present.
    mutating func remove(_ key: FlowKey) {
        let h = hash(key)
        var i = Int(h) & mask
        while true {
            let bucket = buckets[i]
            if bucket.slot < 0 { return }
            if bucket.hash == h && keys[Int(bucket.slot)] == key { break }
            i = (i + 1) & mask
        }
        count -= 1
        // Backward shift: move up every later entry of the run whose home bucket
        // is not between the hole and itself, so probes never meet a false end.
        var hole = i
        var j = (i + 1) & mask
        while buckets[j].slot >= 0 {
            let home = Int(buckets[j].hash) & mask
            if (j - home) & mask >= (j - hole) & mask {
                buckets[hole] = buckets[j]
                hole = j
            }
            j = (j + 1) & mask
        }
        buckets[hole] = .empty
    }

    private mutating func place(_ bucket: Bucket) {
        var i = Int(bucket.hash) & mask
        while buckets[i].slot >= 0 { i = (i + 1) & mask }
        buckets[i] = bucket
    }

    private mutating func grow() {
        let old = buckets
        buckets = ContiguousArray(repeating: .empty, count: old.count * 2)
        mask = buckets.count - 1
        for bucket in old where bucket.slot >= 0 { place(bucket) }
    }
}
