import Wire

/// A connection's address and port pair, in a canonical order (lower endpoint
/// first) so both directions of a flow find the same entry.
public struct FlowKey: Hashable, Sendable {
    // Whole words only. With the addresses' one-byte family flags and the
    // two-byte ports as fields of their own, each packet's key was built by
    // narrow stores and then copied by words, and every such copy waited for
    // the stores to retire (a failed store-to-load forward) on the hot path.
    @usableFromInline var lowHigh: UInt64
    @usableFromInline var lowLow: UInt64
    @usableFromInline var highHigh: UInt64
    @usableFromInline var highLow: UInt64
    /// The low endpoint's port, the high one's shifted by 16, and bit 32 when the
    /// low endpoint is IPv6 (both endpoints of a packet's flow have the same family).
    @usableFromInline var portsAndFamily: UInt64

    @inlinable
    public init(_ a: Endpoint, _ b: Endpoint) {
        let (low, high) = FlowKey.ordered(a, b) ? (a, b) : (b, a)
        lowHigh = low.address.high
        lowLow = low.address.low
        highHigh = high.address.high
        highLow = high.address.low
        portsAndFamily = UInt64(low.port) | UInt64(high.port) << 16 | (low.address.isIPv6 ? 1 << 32 : 0)
    }

    public var lowAddress: IPAddress { address(high: lowHigh, low: lowLow) }
    public var highAddress: IPAddress { address(high: highHigh, low: highLow) }
    public var lowPort: UInt16 { UInt16(truncatingIfNeeded: portsAndFamily) }
    public var highPort: UInt16 { UInt16(truncatingIfNeeded: portsAndFamily >> 16) }

    private func address(high: UInt64, low: UInt64) -> IPAddress {
        portsAndFamily >> 32 != 0 ? IPAddress(ipv6High: high, low: low) : IPAddress(ipv4: UInt32(truncatingIfNeeded: low))
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
        x.portsAndFamily == y.portsAndFamily && x.lowLow == y.lowLow && x.highLow == y.highLow
            && x.lowHigh == y.lowHigh && x.highHigh == y.highHigh
    }

    /// The key's fields folded into one word, for hashing: cheaper than feeding
    /// every field, and a flow table only needs a good spread (its hash is
    /// still seeded per process).
    @inlinable
    public var mixedWord: UInt64 {
        var h = lowLow &* 0x9E37_79B9_7F4A_7C15
        h ^= highLow &* 0xC2B2_AE3D_27D4_EB4F
        h ^= (lowHigh ^ highHigh.rotateLeft(17)) &* 0x1656_67B1_9E37_79F9
        h ^= portsAndFamily
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
