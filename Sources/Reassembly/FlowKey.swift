import Wire

/// A connection's address and port pair, in a canonical order (lower endpoint
/// first) so both directions of a flow find the same entry.
public struct FlowKey: Hashable, Sendable {
    public var lowAddress: IPAddress
    public var highAddress: IPAddress
    public var lowPort: UInt16
    public var highPort: UInt16

    @inlinable
    public init(_ a: Endpoint, _ b: Endpoint) {
        if FlowKey.ordered(a, b) {
            lowAddress = a.address; lowPort = a.port
            highAddress = b.address; highPort = b.port
        } else {
            lowAddress = b.address; lowPort = b.port
            highAddress = a.address; highPort = a.port
        }
    }

    /// True when `a` sorts before or equal to `b` (address words, then port).
    @inlinable
    static func ordered(_ a: Endpoint, _ b: Endpoint) -> Bool {
        if a.address.high != b.address.high { return a.address.high < b.address.high }
        if a.address.low != b.address.low { return a.address.low < b.address.low }
        return a.port <= b.port
    }

    @inlinable
    public static func == (x: FlowKey, y: FlowKey) -> Bool {
        x.lowPort == y.lowPort && x.highPort == y.highPort
            && x.lowAddress.low == y.lowAddress.low && x.highAddress.low == y.highAddress.low
            && x.lowAddress.high == y.lowAddress.high && x.highAddress.high == y.highAddress.high
            && x.lowAddress.isIPv6 == y.lowAddress.isIPv6
    }

    /// The key's fields folded into one word, for hashing: cheaper than feeding
    /// every field, and a flow table only needs a good spread (its hash is
    /// still seeded per process).
    @inlinable
    public var mixedWord: UInt64 {
        var h = lowAddress.low &* 0x9E37_79B9_7F4A_7C15
        h ^= highAddress.low &* 0xC2B2_AE3D_27D4_EB4F
        h ^= (lowAddress.high ^ highAddress.high.rotateLeft(17)) &* 0x1656_67B1_9E37_79F9
        h ^= UInt64(lowPort) << 16 | UInt64(highPort) | (lowAddress.isIPv6 ? 1 << 40 : 0)
        return h
    }

    @inlinable
    public func hash(into hasher: inout Hasher) {
        hasher.combine(mixedWord)
    }
}

extension UInt64 {
    /// (Masking shifts, and always inlined: with smart shifts it stayed a call on every packet's hash.)
    @inlinable @inline(__always)
    func rotateLeft(_ n: UInt64) -> UInt64 { self &<< n | self &>> (64 &- n) }
}
