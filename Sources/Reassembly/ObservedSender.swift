import Capture

/// What the reset judge needs to know of one sender of an RDP connection, kept
/// by the flow tracker in the direction's state while the connection's packets
/// are observed (`TCPConnection.observeSegments`, and every RST): its TTL/IP ID
/// profile, its largest payload, and what it sent after its own RST.
///
/// It lives here rather than with the judge because it is updated for every
/// packet of a handshake: in the direction's state it sits beside the fields the
/// tracker touches anyway, where a separate object would be one more cache miss
/// per packet.
public struct ObservedSender: Sendable {
    /// TTL and IP ID behaviour over the sender's packets that are not RSTs.
    public internal(set) var profile = TTLProfile()
    /// Largest payload observed.
    public internal(set) var largestPayload = 0
    /// Packets (not RSTs) sent after the sender's own first observed RST, and the first of them.
    public internal(set) var afterOwnReset = 0
    public internal(set) var firstAfterOwnReset: Int?
    /// Whether an RST from this sender was observed.
    public internal(set) var sentReset = false

    public init() {}

    @inline(__always)
    mutating func record(frame: Int, time: CaptureTime, isReset: Bool, ttl: UInt8, ipID: UInt32, isIPv6: Bool, payloadLength: Int) {
        if isReset {
            sentReset = true
        } else {
            profile.add(ttl: ttl, ipID: ipID, isIPv6: isIPv6, frame: frame, time: time)
            if sentReset {
                afterOwnReset += 1
                if firstAfterOwnReset == nil { firstAfterOwnReset = frame }
            }
        }
        if payloadLength > largestPayload { largestPayload = payloadLength }
    }
}

/// A sender's TTLs and IPv4 ID behaviour over its non-RST packets.
public struct TTLProfile: Sendable {
    /// Up to four distinct TTL values with their counts, in the order first seen.
    public var ttls: [(ttl: UInt8, count: Int)] { (0..<distinctTTLs).map { ttlAt($0) } }
    public var packets = 0
    public var ipIDZero = 0
    public var ipIDSmallStep = 0
    public var ipIDOther = 0
    public var lastIPID: UInt32?
    /// The frame that carried `lastIPID` and its time: frames are numbered in capture
    /// order, so the judge can tell whether a RST came before or after it, and how long.
    public var lastIPIDFrame = 0
    public var lastIPIDTime = CaptureTime.zero
    public var isIPv4 = true
    // The TTLs are kept inline, not in an array: `add` runs for every packet, and
    // nearly every packet has the first TTL seen, which is checked first.
    private var ttl0: UInt8 = 0, ttl1: UInt8 = 0, ttl2: UInt8 = 0, ttl3: UInt8 = 0
    private var count0 = 0, count1 = 0, count2 = 0, count3 = 0
    private var distinctTTLs = 0

    public init() {}

    @inline(__always)
    public mutating func add(ttl: UInt8, ipID: UInt32, isIPv6: Bool, frame: Int, time: CaptureTime) {
        packets += 1
        isIPv4 = !isIPv6
        if distinctTTLs > 0 && ttl0 == ttl { count0 += 1 } else { count(ttl: ttl, times: 1) }
        guard !isIPv6 else { return }
        if ipID == 0 {
            ipIDZero += 1
        } else if let last = lastIPID, last != 0, (ipID &- last) & 0xFFFF >= 1, (ipID &- last) & 0xFFFF <= 1024 {
            ipIDSmallStep += 1
        } else {
            ipIDOther += 1
        }
        lastIPID = ipID
        lastIPIDFrame = frame
        lastIPIDTime = time
    }

    private func ttlAt(_ i: Int) -> (ttl: UInt8, count: Int) {
        switch i {
        case 0: return (ttl0, count0)
        case 1: return (ttl1, count1)
        case 2: return (ttl2, count2)
        default: return (ttl3, count3)
        }
    }

    /// Adds `times` packets with `ttl`; a fifth distinct value is not kept.
    private mutating func count(ttl: UInt8, times: Int) {
        if distinctTTLs > 0 && ttl0 == ttl { count0 += times; return }
        if distinctTTLs > 1 && ttl1 == ttl { count1 += times; return }
        if distinctTTLs > 2 && ttl2 == ttl { count2 += times; return }
        if distinctTTLs > 3 && ttl3 == ttl { count3 += times; return }
        switch distinctTTLs {
        case 0: (ttl0, count0) = (ttl, times)
        case 1: (ttl1, count1) = (ttl, times)
        case 2: (ttl2, count2) = (ttl, times)
        case 3: (ttl3, count3) = (ttl, times)
        default: return
        }
        distinctTTLs += 1
    }

    /// Adds another connection's view of the same host.
    public mutating func merge(_ other: TTLProfile) {
        packets += other.packets
        isIPv4 = other.isIPv4
        for i in 0..<other.distinctTTLs {
            let (ttl, n) = other.ttlAt(i)
            count(ttl: ttl, times: n)
        }
        ipIDZero += other.ipIDZero
        ipIDSmallStep += other.ipIDSmallStep
        ipIDOther += other.ipIDOther
        // The latest in capture order, whatever order the connections finished in.
        if other.lastIPID != nil && (lastIPID == nil || other.lastIPIDFrame >= lastIPIDFrame) {
            lastIPID = other.lastIPID
            lastIPIDFrame = other.lastIPIDFrame
            lastIPIDTime = other.lastIPIDTime
        }
    }

    public var hasTTL: Bool { distinctTTLs > 0 }
    public func contains(ttl: UInt8) -> Bool { (0..<distinctTTLs).contains { ttlAt($0).ttl == ttl } }
    /// IP IDs count up (Windows, older Linux): most steps small and positive.
    public var countsUp: Bool { ipIDSmallStep >= 3 && ipIDSmallStep * 10 >= (ipIDSmallStep + ipIDOther) * 7 }
    /// IP IDs always zero (Linux with DF on a connected socket).
    public var alwaysZero: Bool { ipIDZero >= 3 && ipIDZero == packets }
}
