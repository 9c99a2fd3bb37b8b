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
    /// Up to four distinct TTL values with their counts.
    public var ttls: [(ttl: UInt8, count: Int)] = []
    public var packets = 0
    public var ipIDZero = 0
    public var ipIDSmallStep = 0
    public var ipIDOther = 0
    public var lastIPID: UInt32?
    public var isIPv4 = true

    public init() {}

    mutating func add(ttl: UInt8, ipID: UInt32, isIPv6: Bool) {
        packets += 1
        isIPv4 = !isIPv6
        if let i = ttls.firstIndex(where: { $0.ttl == ttl }) { ttls[i].count += 1 } else if ttls.count < 4 { ttls.append((ttl, 1)) }
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

    /// Adds another connection's view of the same host.
    mutating func merge(_ other: TTLProfile) {
        packets += other.packets
        isIPv4 = other.isIPv4
        for (ttl, count) in other.ttls {
            if let i = ttls.firstIndex(where: { $0.ttl == ttl }) { ttls[i].count += count } else if ttls.count < 4 { ttls.append((ttl, count)) }
        }
        ipIDZero += other.ipIDZero
        ipIDSmallStep += other.ipIDSmallStep
        ipIDOther += other.ipIDOther
        if other.lastIPID != nil { lastIPID = other.lastIPID }
    }

    public var hasTTL: Bool { !ttls.isEmpty }
    public func contains(ttl: UInt8) -> Bool { ttls.contains { $0.ttl == ttl } }
    /// IP IDs count up (Windows, older Linux): most steps small and positive.
    public var countsUp: Bool { ipIDSmallStep >= 3 && ipIDSmallStep * 10 >= (ipIDSmallStep + ipIDOther) * 7 }
    /// IP IDs always zero (Linux with DF on a connected socket).
    public var alwaysZero: Bool { ipIDZero >= 3 && ipIDZero == packets }
}

/// Packet-level facts of one RDP connection that the diagnosis needs beyond
/// the reassembled streams: resets, ICMP errors, retransmitted segments,
/// activity after a reset, and each sender's TTL/IP ID profile.
final class Observations {
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

    func record(_ e: SegmentEvent, connection: TCPConnection) {
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

    func record(icmp message: ICMPMessage, direction: Direction, reporter: IPAddress, frame: Int, time: CaptureTime) {
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
