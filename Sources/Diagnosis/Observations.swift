import Capture
import Reassembly
import Wire

/// One RST as seen on the wire, with what the reset judge needs.
public struct ResetPacket: Sendable {
    public var frame: Int
    public var time: CaptureTime
    public var direction: Direction
    public var sequence: UInt32
    /// Position of the RST's sequence number in its sender's stream, and the
    /// sender's next expected byte when it arrived (equal for an exact in-window RST).
    public var streamOffset: Int64
    public var expectedOffset: UInt64
    /// What the other side had acknowledged of the sender's stream by then.
    public var peerAckedOffset: UInt64
    public var hasACK: Bool
    public var ttl: UInt8
    public var ipID: UInt32
    public var isIPv6: Bool
    public var payloadLength: Int
    public var optionKinds: UInt32
    /// The last packet from the other side before this RST (what provoked it), if any.
    public var provokedByFrame: Int?
    public var provokedByTime: CaptureTime?
}

/// An ICMP error that quoted a packet of the connection.
public struct ICMPObservation: Sendable {
    public var frame: Int
    public var time: CaptureTime
    public var version: UInt8
    public var type: UInt8
    public var code: UInt8
    public var mtu: UInt32
    public var reporter: IPAddress
    /// The direction of the quoted packet (the one the error is about).
    public var direction: Direction
}

/// A segment sent more than once.
public struct Retransmission: Sendable {
    public var offset: Int64
    public var length: Int
    public var ipLength: Int
    public var count: Int
    public var firstFrame: Int
    public var lastFrame: Int
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
    public var isIPv4 = true
    // The TTLs are kept inline, not in an array: `add` runs for every packet, and
    // nearly every packet has the first TTL seen, which is checked first.
    private var ttl0: UInt8 = 0, ttl1: UInt8 = 0, ttl2: UInt8 = 0, ttl3: UInt8 = 0
    private var count0 = 0, count1 = 0, count2 = 0, count3 = 0
    private var distinctTTLs = 0

    public init() {}

    mutating func add(ttl: UInt8, ipID: UInt32, isIPv6: Bool) {
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
    mutating func merge(_ other: TTLProfile) {
        packets += other.packets
        isIPv4 = other.isIPv4
        for i in 0..<other.distinctTTLs {
            let (ttl, n) = other.ttlAt(i)
            count(ttl: ttl, times: n)
        }
        ipIDZero += other.ipIDZero
        ipIDSmallStep += other.ipIDSmallStep
        ipIDOther += other.ipIDOther
        if other.lastIPID != nil { lastIPID = other.lastIPID }
    }

    public var hasTTL: Bool { distinctTTLs > 0 }
    public func contains(ttl: UInt8) -> Bool { (0..<distinctTTLs).contains { ttlAt($0).ttl == ttl } }
    /// IP IDs count up (Windows, older Linux): most steps small and positive.
    public var countsUp: Bool { ipIDSmallStep >= 3 && ipIDSmallStep * 10 >= (ipIDSmallStep + ipIDOther) * 7 }
    /// IP IDs always zero (Linux with DF on a connected socket).
    public var alwaysZero: Bool { ipIDZero >= 3 && ipIDZero == packets }
}

/// Packet-level facts of one RDP connection that the diagnosis needs beyond
/// the reassembled streams: resets, ICMP errors, retransmitted segments,
/// activity after a reset, and each sender's TTL/IP ID profile.
/// A value kept inside the connection's state, so the per-packet update needs no retain.
struct Observations {
    static let maxResets = 16
    static let maxRetransmissions = 64
    static let maxICMP = 16

    var resets: [ResetPacket] = []
    var icmp: [ICMPObservation] = []
    /// Per direction: retransmitted segments by stream offset.
    var retransmissions = PerDirection<[Retransmission]>([], [])
    /// Per direction: the sender's profile over packets that are not RSTs.
    var profiles = PerDirection(TTLProfile(), TTLProfile())
    /// Per direction: packets (not RSTs) the side sent after its own first RST, and the first such frame.
    var afterOwnReset = PerDirection(0, 0)
    var firstAfterOwnReset = PerDirection<Int?>(nil, nil)
    /// Per direction: the latest packet (what a RST from the other side answers).
    var lastPacket = PerDirection<(frame: Int, time: CaptureTime)?>(nil, nil)
    /// Per direction: largest payload and the largest IP datagram sent.
    var largestPayload = PerDirection(0, 0)
    var largestIPLength = PerDirection(0, 0)

    mutating func record(_ e: SegmentEvent, connection: TCPConnection) {
        let d = Int(e.direction.rawValue)
        if e.flags.contains(.rst) {
            if resets.count < Self.maxResets {
                let state = connection.state(e.direction)
                let other = lastPacket[1 - d]
                resets.append(ResetPacket(
                    frame: e.frame, time: e.time, direction: e.direction, sequence: e.sequence,
                    streamOffset: e.streamOffset, expectedOffset: state.nextOffset, peerAckedOffset: state.ackedOffset,
                    hasACK: e.flags.contains(.ack), ttl: e.ttl, ipID: e.ipID, isIPv6: e.isIPv6,
                    payloadLength: e.payloadLength, optionKinds: e.options.kinds,
                    provokedByFrame: other?.frame, provokedByTime: other?.time))
            }
        } else {
            profiles[d].add(ttl: e.ttl, ipID: e.ipID, isIPv6: e.isIPv6)
            if resets.contains(where: { $0.direction == e.direction }) {
                afterOwnReset[d] += 1
                if firstAfterOwnReset[d] == nil { firstAfterOwnReset[d] = e.frame }
            }
        }
        lastPacket[d] = (e.frame, e.time)
        if e.payloadLength > largestPayload[d] { largestPayload[d] = e.payloadLength }
        if e.ipLength > largestIPLength[d] { largestIPLength[d] = e.ipLength }
        if (e.kind == .retransmission || e.kind == .partialRetransmission) && e.payloadLength > 0 {
            if let i = retransmissions[d].firstIndex(where: { $0.offset == e.streamOffset }) {
                retransmissions[d][i].count += 1
                retransmissions[d][i].lastFrame = e.frame
            } else if retransmissions[d].count < Self.maxRetransmissions {
                retransmissions[d].append(Retransmission(offset: e.streamOffset, length: e.payloadLength, ipLength: e.ipLength,
                                                         count: 1, firstFrame: e.frame, lastFrame: e.frame))
            }
        }
    }

    mutating func record(icmp message: ICMPMessage, direction: Direction, reporter: IPAddress, frame: Int, time: CaptureTime) {
        guard icmp.count < Self.maxICMP else { return }
        icmp.append(ICMPObservation(frame: frame, time: time, version: message.version, type: message.type, code: message.code,
                                    mtu: message.mtu, reporter: reporter, direction: direction))
    }
}

/// A value per direction, indexed 0 (client→server) and 1 (server→client), kept
/// inline: the per-packet bookkeeping above touches these on every segment, and
/// two-element arrays would cost an allocation each and a uniqueness check per write.
struct PerDirection<Value> {
    var clientToServer: Value
    var serverToClient: Value

    init(_ clientToServer: Value, _ serverToClient: Value) {
        self.clientToServer = clientToServer
        self.serverToClient = serverToClient
    }

    subscript(index: Int) -> Value {
        get { index == 0 ? clientToServer : serverToClient }
        _modify {
            if index == 0 { yield &clientToServer } else { yield &serverToClient }
        }
    }

    var array: [Value] { [clientToServer, serverToClient] }
}

/// What the capture shows of each host across its finished RDP connections, so
/// a RST can be compared with the host it claims to come from even when that
/// connection had no other packet from it. Merged once per connection, not
/// per packet. Bounded: cleared when full.
final class HostProfiles {
    static let capacity = 8192
    private var profiles: [IPAddress: TTLProfile] = [:]

    func merge(_ address: IPAddress, _ profile: TTLProfile) {
        guard profile.packets > 0 else { return }
        // One lookup for a known host (a nil check first hashed the address twice and copied its profile).
        if let index = profiles.index(forKey: address) {
            profiles.values[index].merge(profile)
            return
        }
        if profiles.count >= Self.capacity { profiles.removeAll(keepingCapacity: true) }
        var fresh = TTLProfile()
        fresh.merge(profile)
        profiles[address] = fresh
    }

    func profile(_ address: IPAddress) -> TTLProfile? { profiles[address] }
}
