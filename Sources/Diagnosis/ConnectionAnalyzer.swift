import Capture
import Dissect
import Reassembly
import Wire

/// The flow tracker's consumer: recognises RDP connections (by port or by
/// content), stops payload delivery for everything else, and turns each
/// finished connection into a `ConnectionSummary`.
public final class ConnectionAnalyzer: StreamConsumer {
    /// Report every TCP connection, not only RDP ones.
    public let listAll: Bool
    /// Finished connections in the order they finished, when `keepSummaries` is set.
    public private(set) var summaries: [ConnectionSummary] = []
    public var keepSummaries = false
    /// Called for each reported connection as it finishes: reports stream out, so a
    /// run holds only the connections still open.
    public var onFinished: ((ConnectionSummary) -> Void)?
    /// Called on the thread that completes connections whenever it has caught up with
    /// the finished ones (after each one when they are completed inline).
    public var onIdle: (() -> Void)?
    /// Called with the id of every connection that leaves the table, reported or not
    /// (live capture drops its evidence buffers there).
    public var onAnyFinished: ((Int) -> Void)?
    public private(set) var counts = SummaryCounts()
    let caches = SummaryCaches()
    let hosts = HostProfiles()
    /// Where finished connections are completed when not inline (`completeOnWorker`).
    private var worker: FinishingWorker<FinishedConnection>?

    /// Per-connection state kept in `TCPConnection.attachment`.
    final class State {
        /// How RDP was recognised, once it was.
        var detectedBy: String?
        var decided = false
        /// The client's first bytes when they arrive in very small pieces.
        var head: [UInt8] = []
        /// The RDP/TLS dissector, for RDP connections.
        var dissector: ConnectionDissector? {
            didSet { borrowedDissector = dissector.map { Unmanaged.passUnretained($0) } }
        }
        /// The same dissector without a reference count, for the per-segment path.
        private(set) var borrowedDissector: Unmanaged<ConnectionDissector>?
        /// Packet-level facts for the diagnosis, for RDP connections.
        var observations: Observations?

        /// Asks for what summarising or releasing this state reads, a level at a time (see `FinishedConnection`).
        func prefetchObjects(stage: Int) {
            if stage == 0 {
                prefetchLines(of: self, count: 6)
            } else {
                if stage == 1 { prefetchLines(of: head, count: 1) }
                borrowedDissector?._withUnsafeGuaranteedRef { $0.prefetchObjects(stage: stage) }
            }
        }
    }

    /// TLS secrets to decrypt with (`--keylog`), if any.
    public let keyLog: TLSKeyLog?

    public init(listAll: Bool = false, keyLog: TLSKeyLog? = nil) {
        self.listAll = listAll
        self.keyLog = keyLog
    }

    @inline(__always)
    func state(_ c: TCPConnection) -> State {
        // Every connection gets its state in `opened`, before any other event.
        unsafeDowncast(c.attachment.unsafelyUnwrapped, to: State.self)
    }

    public func opened(_ connection: TCPConnection) {
        let s = State()
        if connection.isRDPByPort {
            s.detectedBy = "port"
            s.decided = true
            s.dissector = ConnectionDissector(keyLog: keyLog)
            s.observations = Observations()
        }
        connection.attachment = s
    }

    public func data(_ connection: TCPConnection, _ direction: Direction, _ bytes: UnsafeRawBufferPointer,
                     offset: UInt64, frame: Int, time: CaptureTime) -> PayloadDecision {
        // Every segment of an RDP connection takes this path: only a trivial field of the
        // state is read, so neither the state nor the dissector is retained.
        if let dissector = state(connection).borrowedDissector {
            return feed(dissector, connection, direction, bytes, frame: frame, time: time)
        }
        return decide(connection, direction, bytes, frame: frame, time: time)
    }

    /// Before a dissector exists: is this connection RDP? Bytes are held back while undecided.
    func decide(_ connection: TCPConnection, _ direction: Direction, _ bytes: UnsafeRawBufferPointer,
                frame: Int, time: CaptureTime) -> PayloadDecision {
        let s = state(connection)
        if !s.decided {
            // An RDP client speaks first; a server speaking first means another protocol.
            guard direction == .clientToServer else { return reject(connection, s) }
            let verdict: RDPDetector.Verdict
            if s.head.isEmpty {
                verdict = RDPDetector.classifyClientStart(bytes)
                if verdict == .undecided { s.head = Array(bytes) }
            } else {
                s.head.append(contentsOf: bytes.prefix(16))
                verdict = s.head.withUnsafeBytes { RDPDetector.classifyClientStart($0) }
            }
            switch verdict {
            case .rdp:
                s.decided = true
                s.detectedBy = "content"
                connection.isRDPByContent = true
                let dissector = ConnectionDissector(keyLog: keyLog)
                s.dissector = dissector
                s.observations = Observations()
                // Bytes held back while deciding go first.
                if s.head.count > bytes.count {
                    let earlier = s.head.count - bytes.count
                    _ = s.head.withUnsafeBytes { dissector.feed(direction, UnsafeRawBufferPointer(rebasing: $0[..<earlier]), frame: frame, time: time) }
                }
                s.head = []
            case .notRDP:
                return reject(connection, s)
            case .undecided:
                return .keep
            }
        }
        guard let dissector = s.borrowedDissector else { return .keep }
        return feed(dissector, connection, direction, bytes, frame: frame, time: time)
    }

    /// Borrowed, not retained: the state holds the dissector and nothing replaces
    /// it during the call.
    @inline(__always)
    func feed(_ dissector: Unmanaged<ConnectionDissector>, _ connection: TCPConnection, _ direction: Direction,
              _ bytes: UnsafeRawBufferPointer, frame: Int, time: CaptureTime) -> PayloadDecision {
        dissector._withUnsafeGuaranteedRef { dissector in
            let wanted = dissector.feed(direction, bytes, frame: frame, time: time)
            if !dissector.wantsMore {
                // Past the handshake: only RSTs (and what follows one) still matter.
                connection.observeSegments = false
                return .stopConnection
            }
            return wanted ? .keep : .stop
        }
    }

    func reject(_ connection: TCPConnection, _ s: State) -> PayloadDecision {
        s.decided = true
        s.head = []
        if !listAll { connection.observeSegments = false }
        return .stopConnection
    }

    public func gap(_ connection: TCPConnection, _ direction: Direction, offset: UInt64, length: UInt64, frame: Int) {
        state(connection).dissector?.gap(direction, length: length, frame: frame)
    }
    public func ended(_ connection: TCPConnection, _ direction: Direction, frame: Int, time: CaptureTime) {}
    public func segment(_ connection: TCPConnection, _ segment: SegmentEvent) {
        // The tracker keeps each sender's profile itself (`ObservedSender`); only RSTs and
        // retransmitted segments are left to record here, so most packets never reach the state.
        guard segment.flags.contains(.rst) || segment.kind.isRetransmission else { return }
        // Borrowed: the connection holds its state for as long as it is in the table.
        Unmanaged.passUnretained(state(connection))._withUnsafeGuaranteedRef { s in
            guard s.observations != nil else { return }
            s.observations?.record(segment, connection: connection)
            // After a RST, watch every packet again: the claimed sender going on is the race signal.
            if segment.flags.contains(.rst) { connection.observeSegments = true }
        }
    }
    public func anomaly(_ connection: TCPConnection, _ anomaly: StreamAnomaly, frame: Int) {}
    public func icmpError(_ connection: TCPConnection, _ message: ICMPMessage, direction: Direction,
                          reporter: IPAddress, ttl: UInt8, frame: Int, time: CaptureTime) {
        state(connection).observations?.record(icmp: message, direction: direction, reporter: reporter, frame: frame, time: time)
    }

    public func finished(_ connection: TCPConnection) {
        let s = state(connection)
        connection.attachment = nil
        defer { onAnyFinished?(connection.id) }
        guard s.detectedBy != nil || listAll else { return }
        // The tracker is done with the connection and its dissector: what follows
        // only reads them, so it may run on the finishing worker.
        if let worker {
            worker.submit(FinishedConnection(connection: connection, state: s))
        } else {
            complete(connection, s)
            onIdle?()
        }
    }

    /// Summary, diagnosis and report of one finished connection.
    func complete(_ connection: TCPConnection, _ s: State) {
        var summary = ConnectionSummary(connection, rdpDetectedBy: s.detectedBy)
        if let dissector = s.dissector { summary.addHandshake(dissector, caches: caches) }
        if summary.isRDP {
            // (Every RDP connection got its observations when it was found to be RDP.)
            var observations = s.observations ?? Observations()
            observations.adopt(connection)
            Diagnose.run(&summary, observations: observations, hosts: hosts)
            // What this connection showed of each host helps judge later RSTs from it.
            hosts.merge(connection.client.address, observations.senders[0].profile)
            hosts.merge(connection.server.address, observations.senders[1].profile)
        }
        counts.add(summary)
        if keepSummaries { summaries.append(summary) }
        onFinished?(summary)
    }

    /// Moves the completion of finished connections to a second thread (offline
    /// analysis); `counts`, `summaries` and `onFinished` then belong to that
    /// thread until `drain()` returns.
    func completeOnWorker() {
        let worker = FinishingWorker<FinishedConnection>(
            whenIdle: onIdle, stages: FinishedConnection.prefetchStages,
            prepare: { job, stage in FinishedConnection.prefetch(job, stage: stage) }
        ) { [unowned self] in
            self.complete($0.connection, $0.state)
        }
        if worker.start() { self.worker = worker }
    }

    /// Waits until every finished connection is completed.
    func drain() {
        worker?.finish()
        worker = nil
    }
}

/// A finished connection on its way to the worker; after `finished` nothing
/// else touches it.
private struct FinishedConnection: @unchecked Sendable {
    let connection: TCPConnection
    let state: ConnectionAnalyzer.State
    /// The same two objects without a reference count, for `prefetch`. Called on the
    /// job in place, a method of the job copied it: a retain and a release of each
    /// object at every stage, the first of them on lines that had not arrived yet.
    private let unretained: (connection: Unmanaged<TCPConnection>, state: Unmanaged<ConnectionAnalyzer.State>)

    init(connection: TCPConnection, state: ConnectionAnalyzer.State) {
        self.connection = connection
        self.state = state
        unretained = (Unmanaged.passUnretained(connection), Unmanaged.passUnretained(state))
    }

    /// Stages of `FinishingWorker.prepare`: 0 for the connection's own objects, then one
    /// level of references further at each stage.
    static let prefetchStages = 4

    /// Reads only the job's unretained references (the job keeps both objects alive).
    static func prefetch(_ job: UnsafePointer<FinishedConnection>, stage: Int) {
        let objects = job.pointee.unretained
        objects.connection._withUnsafeGuaranteedRef { $0.prefetchObjects(stage: stage) }
        objects.state._withUnsafeGuaranteedRef { $0.prefetchObjects(stage: stage) }
    }
}

/// The result of analysing a set of inputs.
public struct AnalysisResult: Sendable {
    public var inputs: [InputSummary]
    public var stats: TrackerStats
    /// Reported connections in the order they finished (only when kept; streamed otherwise).
    public var connections: [ConnectionSummary]
    public var counts: SummaryCounts
}

/// Runs capture → decode → reassembly → analysis over every frame of `reader`.
public enum Analysis {
    /// Analyses every frame; each finished connection goes to `onConnection` as
    /// soon as it finishes, called in finish order from the finishing worker's
    /// thread (not the caller's) while reading goes on. With `keep` (tests, small captures) they are also
    /// returned, ordered by first frame.
    public static func run(reader: CaptureReader, config: ReassemblyConfig = ReassemblyConfig(), listAll: Bool = false,
                           keyLog: TLSKeyLog? = nil, keep: Bool = true, progress: ((_ frames: Int, _ bytes: Int) -> Void)? = nil,
                           onConnection: ((ConnectionSummary) -> Void)? = nil,
                           onIdle: (() -> Void)? = nil) -> AnalysisResult {
        let analyzer = ConnectionAnalyzer(listAll: listAll, keyLog: keyLog)
        analyzer.keepSummaries = keep
        analyzer.onFinished = onConnection
        analyzer.onIdle = onIdle
        analyzer.completeOnWorker()
        let history = config.overlapCheckWindow > 0 ? reader.keepHistory() : nil
        let tracker = FlowTracker(config: config, consumer: analyzer, history: history)
        var countdown = 1 << 20
        while let frame = reader.next() {
            tracker.ingest(frame)
            countdown -= 1
            if countdown == 0 {
                countdown = 1 << 20
                progress?(tracker.stats.frames, tracker.stats.bytes)
            }
        }
        tracker.finishAll()
        analyzer.drain()
        let connections = analyzer.summaries.sorted { ($0.firstFrame, $0.trackerID) < ($1.firstFrame, $1.trackerID) }
        return AnalysisResult(inputs: reader.summaries, stats: tracker.stats, connections: connections, counts: analyzer.counts)
    }
}
