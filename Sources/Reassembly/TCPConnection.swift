import Capture
import Wire

/// A byte range held out of order, with the frame it came from. `bytes` is
/// empty when the payload is no longer wanted: then only the range is kept,
/// so sequence accounting stays exact.
public struct PendingSegment {
    public var offset: UInt64
    public var length: Int
    public var bytes: [UInt8]
    public var frame: Int
}

/// What identifies one packet on the wire, to recognise the same packet seen
/// again on another interface of the capturing host (TTL and link fields differ).
struct PacketSignature: Equatable {
    var sequence: UInt32 = 0
    var acknowledgment: UInt32 = 0
    var flags: UInt16 = 0
    var window: UInt16 = 0
    var payloadLength = -1
    var ipID: UInt32 = 0
    var interface: UInt32 = 0
    var packetType: UInt8 = 0
    var time: Int64 = 0
}

/// The TTL (hop limit) a sender's packets arrive with: first, lowest and highest.
/// (The reset judge keeps its own, fuller profile while the handshake lasts.)
public struct SenderProfile: Sendable {
    public var firstTTL: UInt8 = 0
    public var minTTL: UInt8 = 255
    public var maxTTL: UInt8 = 0

    @inlinable
    mutating func observe(ttl: UInt8) {
        if maxTTL == 0 && minTTL == 255 { firstTTL = ttl }
        if ttl < minTTL { minTTL = ttl }
        if ttl > maxTTL { maxTTL = ttl }
    }
}

/// One direction of a TCP connection: sequence state, out-of-order buffer,
/// counters and the sender's profile.
public final class DirectionState {
    // Stored properties are laid out in the order they are declared. Those that every
    // segment reads or writes come first, packed into the object's first 176 bytes
    // (two or three cache lines, as objects are 16-byte aligned): with hundreds of
    // connections open, each line a packet touches is likely a miss, and every packet
    // also reads its peer direction's sequence and closing state. The counters only
    // reports read follow.

    // Sequence state. Offsets are UInt64 relative to ISN+1; the 32-bit wrap is
    // handled once, at ingress, by taking the signed distance to `nextSequence`.
    public internal(set) var hasISN = false
    public internal(set) var sawSYN = false
    public internal(set) var finDelivered = false
    /// Payload still handed to the consumer (false after the depth or the consumer's stop).
    public internal(set) var wantsPayload = true
    public internal(set) var profile = SenderProfile()
    public internal(set) var isn: UInt32 = 0
    /// Sequence number and stream offset of the next byte expected.
    public internal(set) var nextSequence: UInt32 = 0
    public internal(set) var nextOffset: UInt64 = 0
    /// Highest offset the peer acknowledged (for gaps: acked but never seen).
    public internal(set) var ackedOffset: UInt64 = 0
    var pending: [PendingSegment] = []
    public internal(set) var packets = 0
    /// Payload bytes on the wire (including retransmissions).
    public internal(set) var payloadBytes: UInt64 = 0
    /// Largest segment payload sent (see also `announcedMSS`).
    public internal(set) var largestSegment = 0
    public internal(set) var lastFrame = 0
    public internal(set) var lastTime = CaptureTime.zero
    public internal(set) var deliveredBytes: UInt64 = 0
    /// The last epoch of the capture history this direction's bytes were listed for (`KeptBytes`).
    var historyEpoch = UInt64.max
    public internal(set) var finOffset: UInt64?
    // Closing (with `rstCount` and `firstRSTTime` below): read for every packet, by `isClosed`.
    public internal(set) var firstFINFrame: Int?
    public internal(set) var firstRSTFrame: Int?
    public internal(set) var firstFrame: Int?
    var recent: RecentBytes?
    public internal(set) var pendingBytes = 0

    // Counters, for reports.
    public internal(set) var retransmissions = 0
    public internal(set) var outOfOrder = 0
    public internal(set) var gaps = 0
    public internal(set) var gapBytes: UInt64 = 0
    public internal(set) var overlapsDiffering = 0
    public internal(set) var zeroWindows = 0
    public internal(set) var synCount = 0
    public internal(set) var keepAlives = 0
    public internal(set) var rstCount = 0
    public internal(set) var firstRSTTime: CaptureTime?

    // Timing and the sender's SYN.
    public internal(set) var firstTime: CaptureTime?
    /// The MSS the sender announced in its SYN.
    public internal(set) var announcedMSS: UInt16 = 0
    public internal(set) var windowScale: UInt8?

    /// What the reset judge needs of this sender, over the packets observed.
    public internal(set) var observed = ObservedSender()

    /// The second copy of a packet that a cooked (`-i any`) capture saw on two
    /// interfaces: skipped, counted here.
    public internal(set) var captureDuplicates = 0
    var lastSignature = PacketSignature()

    init() {}

    /// Stream offset of a sequence number, relative to what is expected next
    /// (wrap-safe: the signed 32-bit distance).
    @inline(__always)
    func offset(of sequence: UInt32) -> Int64 {
        Int64(nextOffset) + Int64(Int32(bitPattern: sequence &- nextSequence))
    }
}

/// Why a connection left the flow table.
public enum FinishReason: String, Sendable {
    /// Idle past its timeout (capture time).
    case idle
    /// The capture ended with the connection still in the table.
    case endOfCapture = "end_of_capture"
    /// A new SYN with a new ISN reused the address/port pair.
    case portReused = "port_reused"
    /// The flow table was full and this was the longest idle connection.
    case evicted
}

/// One TCP connection: both directions, how it started and ended, and a slot
/// for the consumer's own per-connection state.
public final class TCPConnection {
    // Laid out in the order declared: what every packet reads or writes first, in the
    // object's first 128 bytes (see `DirectionState`); the rest after.
    public let id: Int
    public let clientToServer = DirectionState()
    public let serverToClient = DirectionState()
    public let client: Endpoint
    public internal(set) var lastFrame: Int
    public internal(set) var lastTime: CaptureTime
    public internal(set) var synAckFrame: Int?
    public internal(set) var establishedFrame: Int?
    // Flow-table bookkeeping.
    var slot: Int32 = -1
    /// When false the consumer is told only about RSTs, not every segment (e.g. non-RDP
    /// flows, or RDP past its handshake).
    public var observeSegments = true
    /// RDP by port (3389 or a configured port) when created; the consumer may
    /// set `isRDPByContent` after looking at the payload.
    public let isRDPByPort: Bool
    public var isRDPByContent = false
    public var isRDP: Bool { isRDPByPort || isRDPByContent }
    /// The capture began after the SYN.
    public internal(set) var missingSYN = false
    /// The consumer's per-connection state (e.g. the dissector), owned here so
    /// finding it costs no lookup.
    public var attachment: AnyObject?

    public let key: FlowKey
    public let server: Endpoint
    public internal(set) var firstFrame: Int
    public internal(set) var firstTime: CaptureTime

    /// The handshake as seen: SYN, SYN-ACK (`synAckFrame` above) and the client's ACK
    /// (`establishedFrame`), frames and times.
    public internal(set) var synFrame: Int?
    public internal(set) var synTime: CaptureTime?
    /// The latest client SYN before the SYN-ACK: with a retransmitted SYN, the round trip
    /// is measured from it, not from the first (Karn: a sample spanning a retransmission
    /// timeout says nothing about the path).
    public internal(set) var lastSYNTime: CaptureTime?
    public internal(set) var synAckTime: CaptureTime?
    public internal(set) var establishedTime: CaptureTime?
    public internal(set) var simultaneousOpen = false
    /// The client was chosen by port or port order, not by a SYN.
    public internal(set) var clientGuessed = false

    /// Connection-level anomalies (each once), in the order first seen, with the frame.
    public internal(set) var anomalies: [(anomaly: StreamAnomaly, frame: Int)] = []
    public internal(set) var finishReason: FinishReason?

    init(id: Int, key: FlowKey, client: Endpoint, server: Endpoint, frame: Int, time: CaptureTime, isRDPByPort: Bool) {
        self.id = id
        self.key = key
        self.client = client
        self.server = server
        self.firstFrame = frame
        self.lastFrame = frame
        self.firstTime = time
        self.lastTime = time
        self.isRDPByPort = isRDPByPort
    }

    @inline(__always)
    public func state(_ direction: Direction) -> DirectionState {
        direction == .clientToServer ? clientToServer : serverToClient
    }

    /// Asks for the memory that summarising or releasing this connection will read, a level at a time
    /// (`stage` 0: the connection; 1: its direction states; 2: their buffers), each
    /// stage after the previous one's lines had time to arrive (`prefetchLines`).
    public func prefetchObjects(stage: Int) {
        switch stage {
        case 0:
            prefetchLines(of: self, count: 5)
        case 1:
            prefetchLines(of: clientToServer, count: 9)
            prefetchLines(of: serverToClient, count: 9)
            prefetchLines(of: anomalies, count: 1)
        case 2:
            prefetchLines(of: clientToServer.pending, count: 1)
            prefetchLines(of: serverToClient.pending, count: 1)
        default:
            break
        }
    }

    /// True once either side sent a RST.
    public var wasReset: Bool { clientToServer.firstRSTFrame != nil || serverToClient.firstRSTFrame != nil }
    /// True once both sides' FINs were seen.
    public var bothFINs: Bool { clientToServer.firstFINFrame != nil && serverToClient.firstFINFrame != nil }
    public var isClosed: Bool { wasReset || bothFINs }
    /// Both FINs delivered after every byte before them, each acknowledged, and no RST:
    /// both ends are done. What can still come is a repeat of the last packets (a FIN
    /// sent again because the final ACK was lost past the capture point), not news.
    public var closedCleanly: Bool {
        guard !wasReset, clientToServer.finDelivered, serverToClient.finDelivered,
              let clientFIN = clientToServer.finOffset, let serverFIN = serverToClient.finOffset else { return false }
        return clientToServer.ackedOffset > clientFIN && serverToClient.ackedOffset > serverFIN
    }

    func note(_ anomaly: StreamAnomaly, frame: Int) -> Bool {
        for entry in anomalies where entry.anomaly == anomaly { return false }
        anomalies.append((anomaly, frame))
        return true
    }
}
