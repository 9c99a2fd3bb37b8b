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

/// Packet-level facts of one RDP connection that the diagnosis needs beyond
/// the reassembled streams: resets, ICMP errors, retransmitted segments,
/// activity after a reset, and each sender's TTL/IP ID profile.
/// A value kept inside the connection's state, so an update needs no retain.
///
/// The per-sender facts that change with every packet are kept by the flow
/// tracker (`ObservedSender`) and taken over by `adopt` when the connection is
/// complete; only RSTs, retransmissions and ICMP errors are recorded here.
struct Observations {
    static let maxResets = 16
    static let maxRetransmissions = 64
    static let maxICMP = 16

    var resets: [ResetPacket] = []
    var icmp: [ICMPObservation] = []
    /// Per direction: retransmitted segments by stream offset.
    var retransmissions = PerDirection<[Retransmission]>([], [])
    /// Per direction: what the flow tracker observed of the sender (TTL/IP ID profile,
    /// largest payload, packets after its own RST), taken over by `adopt`.
    var senders = PerDirection(ObservedSender(), ObservedSender())

    /// Takes over what the flow tracker observed of each sender.
    mutating func adopt(_ connection: TCPConnection) {
        senders = PerDirection(connection.clientToServer.observed, connection.serverToClient.observed)
    }

    /// Records a RST or a retransmitted segment (other segments need nothing here).
    mutating func record(_ e: SegmentEvent, connection: TCPConnection) {
        let d = Int(e.direction.rawValue)
        if e.flags.contains(.rst) {
            if resets.count < Self.maxResets {
                let state = connection.state(e.direction)
                // What provoked it: the other side's latest packet, observed or not (past the
                // handshake only RSTs are observed, and a late RST answers a late packet).
                let other = connection.state(e.direction.reversed)
                let provoked = other.firstFrame == nil ? nil : (frame: other.lastFrame, time: other.lastTime)
                resets.append(ResetPacket(
                    frame: e.frame, time: e.time, direction: e.direction, sequence: e.sequence,
                    streamOffset: e.streamOffset, expectedOffset: state.nextOffset, peerAckedOffset: state.ackedOffset,
                    hasACK: e.flags.contains(.ack), ttl: e.ttl, ipID: e.ipID, isIPv6: e.isIPv6,
                    payloadLength: e.payloadLength, optionKinds: e.options.kinds,
                    provokedByFrame: provoked?.frame, provokedByTime: provoked?.time))
            }
        }
        if e.kind.isRetransmission && e.payloadLength > 0 {
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
