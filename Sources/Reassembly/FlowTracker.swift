import Capture
import Wire

/// The flow table and TCP reassembler: frames in, stream events out to `Consumer`.
///
/// Connections live in a slot array found through a `FlowTable`; a
/// one-entry cache catches runs of packets of the same flow. Three LRU lists
/// (half-open, open, closed) make idle expiry and eviction O(1) per packet;
/// their links live in an array by slot, not in the connections, so moving a
/// connection to the front touches no other connection's memory. Time is
/// capture time, never the wall clock.
public final class FlowTracker<Consumer: StreamConsumer> {
    public let config: ReassemblyConfig
    public let consumer: Consumer
    public internal(set) var stats = TrackerStats()

    var table = FlowTable()
    var slots: ContiguousArray<TCPConnection?> = []
    /// The same connections unretained, for the per-packet lookup: `slots` owns them,
    /// and reading a strong reference out of it cost a retain and a release per packet.
    var unretainedSlots: ContiguousArray<Unmanaged<TCPConnection>?> = []
    var freeSlots: [Int32] = []
    /// The LRU links of each slot.
    var links: ContiguousArray<LRULink> = []
    /// LRU heads and tails per class: 0 half-open, 1 open, 2 closed, 3 closed cleanly.
    /// Head = most recent.
    var lruHead: (Int32, Int32, Int32, Int32) = (-1, -1, -1, -1)
    var lruTail: (Int32, Int32, Int32, Int32) = (-1, -1, -1, -1)
    /// Cleanly closed connections already finished, to recognise their late packets.
    var closedFlows: ClosedFlows
    var cachedKey: FlowKey?
    var cachedSlot: Int32 = -1
    var packet = DecodedPacket()
    /// Where the payload delivered by every connection is kept, to compare retransmissions with.
    var kept: KeptBytes
    /// The capture's history, when the reader keeps one (`kept` refers to it unretained).
    let history: CaptureHistory?
    /// Latest capture time seen (frames can go slightly backwards across interfaces).
    public internal(set) var now = CaptureTime.zero
    var nextSweep = CaptureTime.zero
    var nextID = 0
    /// The connection (its `id`) the last ingested frame belonged to, or -1:
    /// for callers that keep per-connection evidence of the raw frames.
    public internal(set) var lastConnectionID = -1

    /// With `history` (`CaptureReader.keepHistory()`), delivered bytes are found there
    /// instead of being copied.
    public init(config: ReassemblyConfig = ReassemblyConfig(), consumer: Consumer, history: CaptureHistory? = nil) {
        self.config = config
        self.consumer = consumer
        let checks = config.overlapCheckWindow > 0
        if !checks { history?.setKeeping(false) }
        self.history = checks ? history : nil
        kept = KeptBytes(logBytes: checks ? config.overlapLogBytes : 0, history: self.history)
        closedFlows = ClosedFlows(capacity: config.maxFlows)
    }

    /// Decodes one frame and processes it.
    @inline(__always)
    public func ingest(_ frame: Frame) {
        stats.frames += 1
        stats.bytes += frame.bytes.count
        lastConnectionID = -1
        if frame.time > now { now = frame.time }
        switch PacketDecoder.decode(frame.bytes, linkType: frame.linkType, into: &packet) {
        case .ip:
            stats.ipPackets += 1
            switch packet.transport {
            case .tcp:
                stats.tcpPackets += 1
                processTCP(frame)
            case .udp: stats.udpPackets += 1
            case .icmp, .icmpv6:
                stats.icmpPackets += 1
                if packet.icmp.isError { processICMPError(frame) }
            case .fragment: stats.fragments += 1
            case .other: stats.otherIPPackets += 1
            }
        case .notIP:
            stats.nonIPFrames += 1
        case .malformed(let anomaly):
            stats.malformed[Int(anomaly.rawValue)] += 1
        }
        if now >= nextSweep { sweep() }
        // Epochs are released as the reader moves on, also while nothing is delivered,
        // so the history keeps room for the chunks read ahead.
        kept.history?._withUnsafeGuaranteedRef { history in
            if history.chunkStart >= kept.nextEpochAt { releaseEpochs(history) }
        }
    }

    /// Moves capture time forward without a packet (live capture's periodic tick), expiring idle flows.
    public func advance(to time: CaptureTime) {
        if time > now { now = time }
        sweep()
    }

    /// Finishes every connection still in the table (end of the capture), oldest first.
    public func finishAll(reason: FinishReason = .endOfCapture) {
        let open = slots.compactMap { $0 }.sorted { $0.id < $1.id }
        for connection in open { finish(connection, reason: reason) }
    }

    /// Stops payload delivery in both directions of `connection` (e.g. not RDP).
    public func stopPayload(_ connection: TCPConnection) {
        stopPayload(connection.clientToServer)
        stopPayload(connection.serverToClient)
    }

    /// Connections currently in the table.
    public var flowCount: Int { table.count }

    // MARK: lookup

    @inline(__always)
    func lookup(_ key: FlowKey) -> Int32 {
        if cachedSlot >= 0, let cachedKey, cachedKey == key { return cachedSlot }
        let slot = table.find(key)
        guard slot >= 0 else { return -1 }
        cachedKey = key
        cachedSlot = slot
        return slot
    }

    func processTCP(_ frame: Frame) {
        let tcp = packet.tcp
        let source = Endpoint(address: packet.ip.source, port: tcp.sourcePort)
        let destination = Endpoint(address: packet.ip.destination, port: tcp.destinationPort)
        let key = FlowKey(source, destination)
        let isSYN = tcp.flags.contains(.syn) && !tcp.flags.contains(.ack)
        let slot = lookup(key)
        if slot >= 0, let existing = unretainedSlots[Int(slot)] {
            // The table holds the connection until `finish`, which nothing below calls for it.
            let replaced = existing._withUnsafeGuaranteedRef { connection in
                if isSYN && startsNewConnection(connection, source: source, sequence: tcp.sequence) { return true }
                segment(connection, source: source, frame)
                return false
            }
            guard replaced else { return }
            stats.portReuses += 1
            finish(existing.takeUnretainedValue(), reason: .portReused)
        } else if !closedFlows.isEmpty && closedFlows.absorbs(key, source: source, sequence: tcp.sequence,
                                                              length: packet.payloadWireLength, flags: tcp.flags, now: now) {
            stats.lateAfterClose += 1
            return
        }
        segment(create(key: key, source: source, destination: destination, frame: frame), source: source, frame)
    }

    @inline(__always)
    func segment(_ connection: TCPConnection, source: Endpoint, _ frame: Frame) {
        let direction: Direction = source.port == connection.client.port && source.address == connection.client.address
            ? .clientToServer : .serverToClient
        handleSegment(connection, direction, frame)
        lastConnectionID = connection.id
        touch(connection)
    }

    /// A SYN with a new ISN on a known address/port pair starts a new
    /// connection when the old one is closed, or when the client side opens
    /// again (the old one died without a FIN/RST we saw).
    func startsNewConnection(_ connection: TCPConnection, source: Endpoint, sequence: UInt32) -> Bool {
        let fromClient = source.port == connection.client.port && source.address == connection.client.address
        let state = fromClient ? connection.clientToServer : connection.serverToClient
        if state.sawSYN { return sequence != state.isn && (fromClient || connection.isClosed) }
        // No SYN from this side yet: only a closed connection (or data seen without a SYN) is replaced.
        return connection.isClosed || (fromClient && connection.missingSYN)
    }

    func create(key: FlowKey, source: Endpoint, destination: Endpoint, frame: Frame) -> TCPConnection {
        if table.count >= config.maxFlows { evictOne() }
        let flags = packet.tcp.flags
        var client = source, server = destination
        var guessed = false
        if flags.contains(.syn) {
            if flags.contains(.ack) { client = destination; server = source }
        } else {
            guessed = true
            let sourceIsServer = config.isServerPort(source.port)
            let destinationIsServer = config.isServerPort(destination.port)
            if sourceIsServer && !destinationIsServer || (!destinationIsServer && source.port < destination.port) {
                client = destination
                server = source
            }
        }
        let connection = TCPConnection(id: nextID, key: key, client: client, server: server, frame: frame.number,
                                       time: frame.time, isRDPByPort: config.isServerPort(server.port))
        connection.clientGuessed = guessed
        nextID += 1
        let slot: Int32
        if let free = freeSlots.popLast() {
            slot = free
            slots[Int(slot)] = connection
            unretainedSlots[Int(slot)] = Unmanaged.passUnretained(connection)
        } else {
            slot = Int32(slots.count)
            slots.append(connection)
            unretainedSlots.append(Unmanaged.passUnretained(connection))
            links.append(LRULink())
        }
        connection.slot = slot
        table.insert(key, slot: slot)
        cachedKey = key
        cachedSlot = slot
        stats.connections += 1
        stats.currentFlows = table.count
        if table.count > stats.peakFlows { stats.peakFlows = table.count }
        pushFront(connection, lruClass: 0)
        consumer.opened(connection)
        if !(flags.contains(.syn) && !flags.contains(.ack)) {
            // The capture began after the client's SYN.
            connection.missingSYN = true
            if connection.note(.missingSYN, frame: frame.number) { consumer.anomaly(connection, .missingSYN, frame: frame.number) }
        }
        return connection
    }

    // MARK: ICMP

    func processICMPError(_ frame: Frame) {
        guard let quoted = packet.icmp.quoted, quoted.protocolNumber == 6, quoted.hasPorts else {
            stats.icmpErrorsUnmatched += 1
            return
        }
        let source = Endpoint(address: quoted.source, port: quoted.sourcePort)
        let destination = Endpoint(address: quoted.destination, port: quoted.destinationPort)
        let slot = lookup(FlowKey(source, destination))
        guard slot >= 0, let connection = slots[Int(slot)] else {
            stats.icmpErrorsUnmatched += 1
            return
        }
        stats.icmpErrorsMatched += 1
        lastConnectionID = connection.id
        let direction: Direction = source == connection.client ? .clientToServer : .serverToClient
        connection.lastTime = max(connection.lastTime, frame.time)
        connection.lastFrame = frame.number
        consumer.icmpError(connection, packet.icmp, direction: direction, reporter: packet.ip.source,
                           ttl: packet.ip.ttl, frame: frame.number, time: frame.time)
        touch(connection)
    }

    // MARK: finishing

    /// Releases what is buffered (with gaps for what never arrived), tells the
    /// consumer, and frees the slot.
    func finish(_ connection: TCPConnection, reason: FinishReason) {
        guard connection.slot >= 0 else { return }
        connection.finishReason = reason
        let frame = connection.lastFrame
        for direction in Direction.allCases {
            let state = connection.state(direction)
            var target = state.ackedOffset
            if let fin = state.finOffset { target = min(target, fin) }
            if target > state.nextOffset || !state.pending.isEmpty {
                releasePending(connection, direction, state, upTo: target, allPending: true, trailing: true, frame: frame)
            }
        }
        unlink(connection)
        if cachedSlot == connection.slot { cachedSlot = -1; cachedKey = nil }
        table.remove(connection.key)
        slots[Int(connection.slot)] = nil
        unretainedSlots[Int(connection.slot)] = nil
        freeSlots.append(connection.slot)
        connection.slot = -1
        stats.currentFlows = table.count
        consumer.finished(connection)
    }

    func evictOne() {
        for lruClass in [3, 2, 0, 1] {
            let tail = tailOf(lruClass)
            if tail >= 0, let victim = slots[Int(tail)] {
                stats.evictedConnections += 1
                if victim.note(.evicted, frame: victim.lastFrame) { consumer.anomaly(victim, .evicted, frame: victim.lastFrame) }
                if lruClass == 3 { rememberClosed(victim) }
                finish(victim, reason: .evicted)
                return
            }
        }
    }

    /// Keeps a cleanly closed connection's pair in mind for as long as it would have lingered.
    func rememberClosed(_ connection: TCPConnection) {
        closedFlows.add(connection, until: connection.lastTime.adding(nanoseconds: config.closedTimeout))
    }

    /// Finishes connections idle past their class's timeout; runs once per second of capture time.
    func sweep() {
        nextSweep = now.adding(nanoseconds: config.sweepInterval)
        let timeouts = [config.halfOpenTimeout, config.idleTimeout, config.closedTimeout,
                        min(config.closedCleanlyTimeout, config.closedTimeout)]
        for lruClass in 0..<4 {
            while true {
                let tail = tailOf(lruClass)
                guard tail >= 0, let victim = slots[Int(tail)],
                      now.nanoseconds(since: victim.lastTime) > timeouts[lruClass] else { break }
                if lruClass == 3 { rememberClosed(victim) }
                finish(victim, reason: .idle)
            }
        }
        closedFlows.expire(now: now)
    }

    // MARK: LRU lists

    @inline(__always)
    func touch(_ connection: TCPConnection) {
        let lruClass: UInt8 = connection.isClosed ? (connection.closedCleanly ? 3 : 2)
            : (connection.establishedFrame == nil && connection.clientToServer.payloadBytes == 0
                && connection.serverToClient.payloadBytes == 0 && !connection.missingSYN ? 0 : 1)
        if lruClass == links[Int(connection.slot)].lruClass && headOf(Int(lruClass)) == connection.slot { return }
        unlink(connection)
        pushFront(connection, lruClass: lruClass)
    }

    @inline(__always) func headOf(_ c: Int) -> Int32 {
        switch c { case 0: lruHead.0; case 1: lruHead.1; case 2: lruHead.2; default: lruHead.3 }
    }
    @inline(__always) func tailOf(_ c: Int) -> Int32 {
        switch c { case 0: lruTail.0; case 1: lruTail.1; case 2: lruTail.2; default: lruTail.3 }
    }
    @inline(__always) func setHead(_ c: Int, _ v: Int32) {
        switch c { case 0: lruHead.0 = v; case 1: lruHead.1 = v; case 2: lruHead.2 = v; default: lruHead.3 = v }
    }
    @inline(__always) func setTail(_ c: Int, _ v: Int32) {
        switch c { case 0: lruTail.0 = v; case 1: lruTail.1 = v; case 2: lruTail.2 = v; default: lruTail.3 = v }
    }

    func pushFront(_ connection: TCPConnection, lruClass: UInt8) {
        let c = Int(lruClass)
        let slot = connection.slot
        let oldHead = headOf(c)
        links[Int(slot)] = LRULink(previous: -1, next: oldHead, lruClass: lruClass)
        if oldHead >= 0 {
            links[Int(oldHead)].previous = slot
        } else {
            setTail(c, slot)
        }
        setHead(c, slot)
    }

    func unlink(_ connection: TCPConnection) {
        let slot = connection.slot
        let link = links[Int(slot)]
        let c = Int(link.lruClass)
        if link.previous >= 0 {
            links[Int(link.previous)].next = link.next
        } else if headOf(c) == slot {
            setHead(c, link.next)
        }
        if link.next >= 0 {
            links[Int(link.next)].previous = link.previous
        } else if tailOf(c) == slot {
            setTail(c, link.previous)
        }
        links[Int(slot)].previous = -1
        links[Int(slot)].next = -1
    }
}

/// A slot's place in its LRU list (-1: none) and which list (0 half-open, 1 open, 2 closed,
/// 3 closed cleanly).
struct LRULink {
    var previous: Int32 = -1
    var next: Int32 = -1
    var lruClass: UInt8 = 0
}
