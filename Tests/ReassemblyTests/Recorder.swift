import Capture
import Reassembly
import TestSupport
import Wire

/// A consumer that writes down everything the tracker tells it, and rebuilds
/// each direction's stream with gaps drawn as "~" (one per missing byte).
final class Recorder: StreamConsumer {
    struct Chunk: Equatable {
        var connection: Int
        var direction: Direction
        var offset: UInt64
        var bytes: [UInt8]
        var frame: Int
    }

    var opened: [Int] = []
    var chunks: [Chunk] = []
    var gaps: [(connection: Int, direction: Direction, offset: UInt64, length: UInt64, frame: Int)] = []
    var endings: [(connection: Int, direction: Direction, frame: Int)] = []
    var segments: [(connection: Int, event: SegmentEvent)] = []
    var anomalies: [(connection: Int, anomaly: StreamAnomaly, frame: Int)] = []
    var icmp: [(connection: Int, message: ICMPMessage, direction: Direction, frame: Int)] = []
    var finished: [TCPConnection] = []
    /// Stop payload after this many bytes per direction (nil: never).
    var stopAfter: Int?
    /// Stop observing every segment once payload from this frame on arrived (as the
    /// analyzer does past the handshake); RSTs are still observed.
    var stopObservingAtFrame: Int?
    /// Take the connection for RDP, as the analyzer does on a Connection Request,
    /// once payload from this frame on arrived.
    var rdpByContentAtFrame: Int?

    func opened(_ connection: TCPConnection) { opened.append(connection.id) }

    func data(_ connection: TCPConnection, _ direction: Direction, _ bytes: UnsafeRawBufferPointer,
              offset: UInt64, frame: Int, time: CaptureTime) -> PayloadDecision {
        chunks.append(Chunk(connection: connection.id, direction: direction, offset: offset, bytes: Array(bytes), frame: frame))
        if let stopObservingAtFrame, frame >= stopObservingAtFrame { connection.observeSegments = false }
        if let rdpByContentAtFrame, frame >= rdpByContentAtFrame { connection.isRDPByContent = true }
        if let stopAfter, offset + UInt64(bytes.count) >= UInt64(stopAfter) { return .stop }
        return .keep
    }

    func gap(_ connection: TCPConnection, _ direction: Direction, offset: UInt64, length: UInt64, frame: Int) {
        gaps.append((connection.id, direction, offset, length, frame))
    }

    func ended(_ connection: TCPConnection, _ direction: Direction, frame: Int, time: CaptureTime) {
        endings.append((connection.id, direction, frame))
    }

    func segment(_ connection: TCPConnection, _ segment: SegmentEvent) { segments.append((connection.id, segment)) }

    func anomaly(_ connection: TCPConnection, _ anomaly: StreamAnomaly, frame: Int) {
        anomalies.append((connection.id, anomaly, frame))
    }

    func icmpError(_ connection: TCPConnection, _ message: ICMPMessage, direction: Direction,
                   reporter: IPAddress, ttl: UInt8, frame: Int, time: CaptureTime) {
        icmp.append((connection.id, message, direction, frame))
    }

    func finished(_ connection: TCPConnection) { finished.append(connection) }

    /// The stream of one direction as delivered, gaps drawn as "~" per byte.
    func stream(_ connection: Int = 0, _ direction: Direction) -> String {
        var events: [(UInt64, [UInt8])] = chunks.filter { $0.connection == connection && $0.direction == direction }
            .map { ($0.offset, $0.bytes) }
        events += gaps.filter { $0.connection == connection && $0.direction == direction }
            .map { ($0.offset, [UInt8](repeating: UInt8(ascii: "~"), count: Int($0.length))) }
        events.sort { $0.0 < $1.0 }
        var out: [UInt8] = []
        for (offset, bytes) in events {
            // Deliveries must be contiguous and never overlap.
            guard offset == UInt64(out.count) else { return "<discontinuity at \(offset), have \(out.count)>" }
            out += bytes
        }
        return String(decoding: out, as: UTF8.self)
    }

    func anomalies(of connection: Int = 0) -> [StreamAnomaly] {
        anomalies.filter { $0.connection == connection }.map(\.anomaly)
    }
}

/// Runs a conversation's frames through a tracker and finishes it.
func track(_ conversation: Conversation, config: ReassemblyConfig = ReassemblyConfig(),
           recorder: Recorder = Recorder()) -> (Recorder, TrackerStats) {
    track(conversation.memoryInput(), config: config, recorder: recorder)
}

/// Tracks every frame of `input`, calling `afterEachFrame` once each is ingested, then
/// finishes what is left.
func track(_ input: MemoryInput, config: ReassemblyConfig = ReassemblyConfig(), recorder: Recorder = Recorder(),
           afterEachFrame: (Recorder) -> Void = { _ in }) -> (Recorder, TrackerStats) {
    let reader = CaptureReader(memory: [input])
    let tracker = FlowTracker(config: config, consumer: recorder)
    while let frame = reader.next() {
        tracker.ingest(frame)
        afterEachFrame(recorder)
    }
    tracker.finishAll()
    return (recorder, tracker.stats)
}

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }
