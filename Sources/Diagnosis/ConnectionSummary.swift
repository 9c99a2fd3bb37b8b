import Capture
import Dissect
import Reassembly
import Wire

/// How a TCP connection ended, as far as the capture shows.
public enum TCPEnding: Sendable, Equatable {
    /// Both sides sent FIN; `first` is the side that closed first.
    case fin(first: Direction, frame: Int)
    /// Only one side sent FIN before the capture ended.
    case halfClosed(by: Direction, frame: Int)
    /// A RST; `from` is the side it claims to come from.
    case reset(from: Direction, frame: Int)
    /// Still open when the capture (or the idle timeout) ended it.
    case open

    public var label: String {
        switch self {
        case let .fin(first, _): return "fin_by_\(first.sender)"
        case let .halfClosed(by, _): return "half_closed_by_\(by.sender)"
        case let .reset(from, _): return "rst_by_\(from.sender)"
        case .open: return "open"
        }
    }

    public var frame: Int? {
        switch self {
        case let .fin(_, f), let .halfClosed(_, f), let .reset(_, f): return f
        case .open: return nil
        }
    }
}

/// Per-direction figures of a finished connection.
public struct DirectionSummary: Sendable {
    public var packets: Int
    public var payloadBytes: UInt64
    public var retransmissions: Int
    public var outOfOrder: Int
    public var gaps: Int
    public var gapBytes: UInt64
    public var overlapsDiffering: Int
    public var zeroWindows: Int
    public var synCount: Int
    public var largestSegment: Int
    public var announcedMSS: Int
    public var finFrame: Int?
    public var rstFrame: Int?
    public var rstCount: Int
    public var ttl: UInt8
    public var ttlStable: Bool
    /// Second copies skipped in a cooked (`-i any`) capture.
    public var captureDuplicates: Int

    init(_ s: DirectionState) {
        packets = s.packets
        payloadBytes = s.payloadBytes
        retransmissions = s.retransmissions
        outOfOrder = s.outOfOrder
        gaps = s.gaps
        gapBytes = s.gapBytes
        overlapsDiffering = s.overlapsDiffering
        zeroWindows = s.zeroWindows
        synCount = s.synCount
        largestSegment = s.largestSegment
        announcedMSS = Int(s.announcedMSS)
        finFrame = s.firstFINFrame
        rstFrame = s.firstRSTFrame
        rstCount = s.rstCount
        ttl = s.profile.firstTTL
        ttlStable = s.profile.minTTL == s.profile.maxTTL
        captureDuplicates = s.captureDuplicates
    }
}

/// One stage of a connection reached, with its first frame.
public struct StageRecord: Sendable, Equatable {
    public var stage: Stage
    public var frame: Int
    public var time: CaptureTime
    public var evidence: Evidence

    public init(stage: Stage, frame: Int, time: CaptureTime, evidence: Evidence = .observed) {
        self.stage = stage
        self.frame = frame
        self.time = time
        self.evidence = evidence
    }
}

/// Whether a fact was seen on the wire or deduced from sizes and order.
public enum Evidence: String, Sendable {
    case observed, inferred
}

/// The stages of an RDP connection, in order (DESIGN.md "Stages").
public enum Stage: String, Sendable, CaseIterable, Comparable {
    case syn
    case tcpEstablished = "tcp_established"
    case x224Request = "x224_request"
    case x224Confirm = "x224_confirm"
    case tlsClientHello = "tls_client_hello"
    case tlsServerHello = "tls_server_hello"
    case tlsEstablished = "tls_established"
    case nla
    case mcsConnect = "mcs_connect"
    case licensing
    case active

    /// Position in the connection sequence. (`allCases` builds a new array on every
    /// use, and stages are compared many times per connection.)
    var order: Int {
        switch self {
        case .syn: return 0
        case .tcpEstablished: return 1
        case .x224Request: return 2
        case .x224Confirm: return 3
        case .tlsClientHello: return 4
        case .tlsServerHello: return 5
        case .tlsEstablished: return 6
        case .nla: return 7
        case .mcsConnect: return 8
        case .licensing: return 9
        case .active: return 10
        }
    }
    public static func < (a: Stage, b: Stage) -> Bool { a.order < b.order }

    static let count = allCases.count

    /// The furthest stage among `records` (without building an array of them).
    static func furthest(in records: [StageRecord]) -> Stage? {
        var furthest: Stage?
        for record in records where furthest.map({ record.stage > $0 }) ?? true { furthest = record.stage }
        return furthest
    }
}

/// Everything a report says about one connection, as plain values.
public struct ConnectionSummary: Sendable {
    public var trackerID: Int
    public var client: Endpoint
    public var server: Endpoint
    public var firstFrame: Int
    public var lastFrame: Int
    public var start: CaptureTime
    public var end: CaptureTime
    public var isRDP: Bool
    /// "port", "content" or nil for non-RDP connections.
    public var rdpDetectedBy: String?
    public var clientToServer: DirectionSummary
    public var serverToClient: DirectionSummary
    public var ending: TCPEnding
    public var finishReason: String
    public var missingSYN: Bool
    public var clientGuessed: Bool
    public var stages: [StageRecord]
    public var anomalies: [(code: String, frame: Int)]
    /// Wireshark display filter selecting this connection, as `TCPConnection.wiresharkFilter`
    /// writes it. Made when a report asks: the text report prints it for failed
    /// connections only, and formatting the addresses was 4% of the finishing work.
    public var wiresharkFilter: String {
        let ip = client.address.isIPv6 ? "ipv6" : "ip"
        return "\(ip).addr==\(client.address) && \(ip).addr==\(server.address) && tcp.port==\(client.port) && tcp.port==\(server.port)"
    }
    /// Handshake round-trip times seen from the capture point (nanoseconds), when measured.
    public var serverRTT: Int64?
    public var clientRTT: Int64?
    /// How much of each direction the other side acknowledged by the end.
    public var clientToServerAcked: UInt64
    public var serverToClientAcked: UInt64
    /// The dissected handshake, in stream order per direction (sorted by frame).
    public var handshake: [HandshakeEvent] = []
    /// Parse problems of the dissector (malformed or truncated PDUs, gaps).
    public var dissectAnomalies: [(code: String, frame: Int, direction: Direction, detail: String?)] = []
    public var selectedProtocol: UInt32?
    public var tls: TLSFacts?
    /// The server's certificate chain, server certificate first (TLS or Standard RDP Security X.509).
    public var certificates: [X509CertificateSummary] = []
    /// The diagnosis: verdict, findings, judged resets and PDUs recognised inside TLS by size.
    public var verdict: Verdict?
    /// Whether the TLS was decrypted with a key log, with which kind of secret, and record counts (never a secret).
    public var decryption: TLSDecryptionSummary?
    public var findings: [Finding] = []
    public var resets: [ResetVerdict] = []
    public var inferredPDUs: [InferredPDU] = []
    /// Protected TLS records per direction (client→server, server→client), including any not kept.
    public var encryptedRecords = (0, 0)

    public var reached: Stage? { Stage.furthest(in: stages) }
    public var duration: Int64 { end.nanoseconds(since: start) }

    public func direction(_ d: Direction) -> DirectionSummary { d == .clientToServer ? clientToServer : serverToClient }

    mutating func addHandshake(_ dissector: ConnectionDissector, caches: SummaryCaches) {
        handshake = dissector.timeline
        // Compares frames by index: zipping the array with itself copies every event twice.
        if handshake.indices.dropFirst().contains(where: { handshake[$0 - 1].frame > handshake[$0].frame }) {
            handshake = handshake.enumerated().sorted { ($0.element.frame, $0.offset) < ($1.element.frame, $1.offset) }.map(\.element)
        }
        dissectAnomalies = dissector.anomalies
        selectedProtocol = dissector.selectedProtocol
        encryptedRecords = (dissector.encryptedRecordCount[0], dissector.encryptedRecordCount[1])
        decryption = dissector.decryptor?.summary
        if let session = dissector.tls?.session {
            tls = TLSFacts(session, timeline: handshake, caches: caches)
            if let chain = session.serverCertificates, !chain.isEmpty { certificates = caches.summaries(of: chain) }
        }
        if certificates.isEmpty {
            for i in handshake.indices {
                if case let .mcsConnectResponse(response) = handshake[i].message,
                   case let .x509Chain(chain, _)? = response.conference?.security?.certificate?.body {
                    // Standard RDP Security sends the chain root first; reports put the server's first.
                    certificates = caches.summaries(of: chain.reversed())
                }
            }
        }
        let tls13 = dissector.tls?.session.negotiatedVersion.map { $0 >= .tls13 } ?? false
        ObservedStages.add(from: handshake, tls13: tls13, to: &stages)
        stages.sort { $0.stage < $1.stage }
    }
}

extension ConnectionSummary {
    init(_ c: TCPConnection, rdpDetectedBy: String?) {
        trackerID = c.id
        client = c.client
        server = c.server
        firstFrame = c.firstFrame
        lastFrame = c.lastFrame
        start = c.firstTime
        end = c.lastTime
        isRDP = rdpDetectedBy != nil
        self.rdpDetectedBy = rdpDetectedBy
        clientToServer = DirectionSummary(c.clientToServer)
        serverToClient = DirectionSummary(c.serverToClient)
        ending = ConnectionSummary.ending(of: c)
        finishReason = c.finishReason?.rawValue ?? "end_of_capture"
        missingSYN = c.missingSYN
        clientGuessed = c.clientGuessed
        anomalies = c.anomalies.map { ($0.anomaly.description, $0.frame) }
        var stages: [StageRecord] = []
        // Room for every stage: the handshake and the inference add theirs later.
        stages.reserveCapacity(Stage.count)
        if let f = c.synFrame, let t = c.synTime { stages.append(StageRecord(stage: .syn, frame: f, time: t)) }
        if let f = c.establishedFrame, let t = c.establishedTime {
            stages.append(StageRecord(stage: .tcpEstablished, frame: f, time: t))
        } else if c.missingSYN, c.clientToServer.payloadBytes + c.serverToClient.payloadBytes > 0 {
            // Data flowed, so the connection was established before the capture began.
            stages.append(StageRecord(stage: .tcpEstablished, frame: c.firstFrame, time: c.firstTime, evidence: .inferred))
        }
        self.stages = stages
        clientToServerAcked = c.clientToServer.ackedOffset
        serverToClientAcked = c.serverToClient.ackedOffset
        if let syn = c.lastSYNTime ?? c.synTime, let synAck = c.synAckTime { serverRTT = synAck.nanoseconds(since: syn) }
        if let synAck = c.synAckTime, let est = c.establishedTime { clientRTT = est.nanoseconds(since: synAck) }
    }

    static func ending(of c: TCPConnection) -> TCPEnding {
        let c2s = c.clientToServer, s2c = c.serverToClient
        let rst = earliest(c2s.firstRSTFrame, s2c.firstRSTFrame)
        let fin = earliest(c2s.firstFINFrame, s2c.firstFINFrame)
        if let rst, fin == nil || !c.bothFINs || rst.1 < (fin?.1 ?? .max) {
            return .reset(from: rst.0, frame: rst.1)
        }
        if let fin {
            return c.bothFINs ? .fin(first: fin.0, frame: fin.1) : .halfClosed(by: fin.0, frame: fin.1)
        }
        return .open
    }

    /// The direction with the earlier frame (the client's on a tie), without building arrays.
    static func earliest(_ clientToServer: Int?, _ serverToClient: Int?) -> (Direction, Int)? {
        if let c = clientToServer, serverToClient.map({ c <= $0 }) ?? true { return (.clientToServer, c) }
        return serverToClient.map { (.serverToClient, $0) }
    }
}
