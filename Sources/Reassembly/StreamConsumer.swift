import Capture
import Wire

/// How a segment's payload related to what the stream had already delivered.
public enum SegmentKind: UInt8, Sendable {
    /// No payload (pure ACK, SYN, FIN or RST without data).
    case control
    /// Delivered in order.
    case inOrder
    /// Its bytes were all delivered before (a retransmission).
    case retransmission
    /// Part old, part new.
    case partialRetransmission
    /// Ahead of the next expected byte: buffered until the hole fills or is given up.
    case outOfOrder
    /// A keep-alive probe (one byte or none, just below the next expected sequence).
    case keepAlive
    /// A SYN (or SYN-ACK) repeated with the same ISN.
    case synRetransmission
    /// Far outside any plausible window.
    case implausible

    /// Bytes sent before, all or some of them.
    @inlinable public var isRetransmission: Bool { self == .retransmission || self == .partialRetransmission }
}

/// The per-packet facts of one TCP segment that the diagnosis needs (DESIGN.md
/// "Reassembly"): flags, sequence position, and the sender's IP fingerprint.
public struct SegmentEvent: Sendable {
    public var frame: Int
    public var time: CaptureTime
    public var direction: Direction
    public var flags: TCPFlags
    public var sequence: UInt32
    public var acknowledgment: UInt32
    /// Stream offset of the first payload byte (relative to ISN+1; may be negative for garbage).
    public var streamOffset: Int64
    /// Payload bytes on the wire.
    public var payloadLength: Int
    public var window: UInt16
    public var ttl: UInt8
    public var ipID: UInt32
    public var dontFragment: Bool
    public var isIPv6: Bool
    public var options: TCPOptions
    public var kind: SegmentKind
    /// Length of the IP datagram (to compare with the path MTU).
    public var ipLength: Int
}

/// What the consumer wants after seeing some payload.
public enum PayloadDecision: Sendable {
    /// Keep delivering this direction's payload (up to the depth limit).
    case keep
    /// Stop delivering this direction's payload; headers are still tracked.
    case stop
    /// Stop delivering payload in both directions (e.g. the flow is not RDP).
    case stopConnection
}

/// Receives the reassembler's output. The tracker is generic over its
/// consumer, so these calls are direct (specialised), not dynamic dispatch.
///
/// Bytes handed to `data` are borrowed for that call only.
public protocol StreamConsumer: AnyObject {
    func opened(_ connection: TCPConnection)
    /// In-order payload of one direction, with the frame it arrived in.
    func data(_ connection: TCPConnection, _ direction: Direction, _ bytes: UnsafeRawBufferPointer,
              offset: UInt64, frame: Int, time: CaptureTime) -> PayloadDecision
    /// Bytes that were acknowledged (or skipped) but never captured.
    func gap(_ connection: TCPConnection, _ direction: Direction, offset: UInt64, length: UInt64, frame: Int)
    /// The direction's FIN was reached in stream order.
    func ended(_ connection: TCPConnection, _ direction: Direction, frame: Int, time: CaptureTime)
    /// Every TCP packet of the connection (when `observeSegments`), after its payload was handled.
    func segment(_ connection: TCPConnection, _ segment: SegmentEvent)
    func anomaly(_ connection: TCPConnection, _ anomaly: StreamAnomaly, frame: Int)
    /// An ICMP/ICMPv6 error quoting a packet of this connection; `direction` is the quoted packet's.
    func icmpError(_ connection: TCPConnection, _ message: ICMPMessage, direction: Direction,
                   reporter: IPAddress, ttl: UInt8, frame: Int, time: CaptureTime)
    /// The connection left the table (see `finishReason`); the consumer reports it now.
    func finished(_ connection: TCPConnection)
}

/// Run-wide counters of the tracker.
public struct TrackerStats: Sendable {
    public var frames = 0
    public var bytes = 0
    public var ipPackets = 0
    public var tcpPackets = 0
    public var udpPackets = 0
    public var icmpPackets = 0
    public var otherIPPackets = 0
    public var nonIPFrames = 0
    public var fragments = 0
    public var malformed = [Int](repeating: 0, count: DecodeAnomaly.allCases.count)
    public var connections = 0
    public var evictedConnections = 0
    public var portReuses = 0
    /// Packets that repeated the last ones of a connection already finished after it
    /// closed cleanly (a FIN sent again, its answer), counted instead of tracked.
    public var lateAfterClose = 0
    /// Second copies of packets in cooked (`-i any`) captures, skipped.
    public var captureDuplicates = 0
    public var icmpErrorsMatched = 0
    public var icmpErrorsUnmatched = 0
    public var pendingBudgetHits = 0
    public var peakFlows = 0
    public var currentFlows = 0
    public var pendingBytes = 0

    public init() {}

    public var malformedTotal: Int { malformed.reduce(0, +) }
}
