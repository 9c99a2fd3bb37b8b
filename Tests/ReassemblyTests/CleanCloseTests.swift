import Capture
import Reassembly
import TestSupport
import Testing
import Wire

/// A connection both of whose ends closed cleanly is finished about a second after
/// its last packet; one that was reset waits out the closed timeout, to follow an
/// endpoint still talking after a forged RST. Late repeats of a cleanly closed
/// connection's last packets are counted, not taken for a new connection.
@Suite struct CleanCloseTests {
    static let start = CaptureTime(seconds: 1_700_000_000, nanoseconds: 0)

    /// Handshake, a request and its answer, FIN both ways and the last ACK.
    static func cleanlyClosed(port: UInt16 = 50_000, at time: CaptureTime = start) -> Conversation {
        var c = Conversation.ipv4(clientPort: port)
        c.time = time
        c.handshake()
        c.send(.client, bytes("request"))
        c.send(.server, bytes("answer"))
        c.fin(.client)
        c.fin(.server)
        c.ack(.client)
        return c
    }

    /// Feeds `input` and returns the ids finished when each frame had been ingested.
    static func finishedAfterEachFrame(_ input: MemoryInput, config: ReassemblyConfig = ReassemblyConfig())
        -> (recorder: Recorder, stats: TrackerStats, finishedAfter: [[Int]]) {
        var after: [[Int]] = []
        let (recorder, stats) = track(input, config: config) { after.append($0.finished.map(\.id)) }
        return (recorder, stats, after)
    }

    @Test func cleanCloseIsFinishedBeforeAReset() throws {
        let clean = Self.cleanlyClosed(port: 50_000)          // connection 0, frames at +0..8 ms
        var reset = Conversation.ipv4(clientPort: 50_001)      // connection 1
        reset.handshake()
        reset.send(.client, bytes("request"))
        reset.rst(.server)
        var later = Conversation.ipv4(clientPort: 50_002)      // connection 2, 3 s on
        later.time = Self.start.adding(nanoseconds: 3 * CaptureTime.second)
        later.syn()
        later.time = Self.start.adding(nanoseconds: 12 * CaptureTime.second)
        later.syn()
        let (r, stats, after) = Self.finishedAfterEachFrame(Conversation.interleaved([clean, reset, later]))
        #expect(stats.connections == 3)
        let frames = after.count
        // Three seconds on, the clean one is done and the reset one still waits.
        #expect(after[frames - 2] == [0])
        // Past the closed timeout (10 s), the reset one is finished too.
        #expect(after[frames - 1] == [0, 1])
        #expect(r.finished[0].closedCleanly && r.finished[0].finishReason == .idle)
        #expect(!r.finished[1].closedCleanly && r.finished[1].wasReset)
        #expect(r.finished[2].finishReason == .endOfCapture)
    }

    /// A half-closed connection (one FIN) or one whose last FIN was not acknowledged
    /// is not clean: the other end may still send.
    @Test func cleanNeedsBothFINsAcknowledged() {
        var unacked = Conversation.ipv4(clientPort: 50_000)
        unacked.handshake()
        unacked.fin(.client)
        unacked.fin(.server)                                   // the client's last ACK never seen
        var half = Conversation.ipv4(clientPort: 50_001)
        half.handshake()
        half.fin(.client)
        half.ack(.server)
        var later = Conversation.ipv4(clientPort: 50_002)
        later.time = Self.start.adding(nanoseconds: 3 * CaptureTime.second)
        later.syn()
        let (r, _, after) = Self.finishedAfterEachFrame(Conversation.interleaved([unacked, half, later]))
        #expect(after.last == [])
        #expect(r.finished.allSatisfy { !$0.closedCleanly })
        #expect(r.finished.count == 3)
    }

    /// Another connection's SYN at `seconds` after the start, to move capture time on
    /// (the tracker finishes idle connections as time passes, after each packet).
    static func tick(at seconds: Int64, port: UInt16 = 50_009) -> Conversation {
        var c = Conversation.ipv4(clientPort: port)
        c.time = start.adding(nanoseconds: seconds * CaptureTime.second)
        c.syn()
        return c
    }

    /// The server's FIN sent again 3 s later (the last ACK was lost past the capture
    /// point) and the client's answer: counted, no new connection. A new SYN on the
    /// same pair still opens one.
    @Test func lateRepeatOfTheEndIsCountedNotTracked() throws {
        var c = Self.cleanlyClosed()                           // connection 0, frames 1-8
        let serverFIN = c.serverSeq &- 1
        c.time = Self.start.adding(nanoseconds: 3 * CaptureTime.second)
        c.segment(.server, sequence: serverFIN, flags: [.fin, .ack])
        c.ack(.client)
        c.clientSeq = 700_000
        c.serverSeq = 9_000_000
        c.handshake()                                          // connection 2, frames 12-14
        c.send(.client, bytes("again"))
        let (r, stats, _) = Self.finishedAfterEachFrame(Conversation.interleaved([c, Self.tick(at: 2)]))
        #expect(stats.lateAfterClose == 2)
        #expect(stats.connections == 3 && stats.portReuses == 0)
        #expect(r.finished.map(\.id) == [0, 1, 2])
        #expect(r.finished[0].serverToClient.packets == 3 && r.finished[0].lastFrame == 8)
        #expect(r.stream(0, .clientToServer) == "request")
        #expect(r.stream(2, .clientToServer) == "again")
        #expect(r.finished[2].synFrame == 12 && !r.finished[2].missingSYN)
    }

    /// Bytes the closed connection never sent are news: they start a connection
    /// (picked up without its SYN), and the pair is forgotten.
    @Test func newBytesOnAClosedPairAreTracked() {
        var c = Self.cleanlyClosed()
        c.time = Self.start.adding(nanoseconds: 3 * CaptureTime.second)
        c.send(.client, bytes("unexpected"))
        c.ack(.server)
        let (r, stats, _) = Self.finishedAfterEachFrame(Conversation.interleaved([c, Self.tick(at: 2)]))
        #expect(stats.lateAfterClose == 0)
        #expect(stats.connections == 3)
        #expect(r.finished[2].missingSYN && r.finished[2].firstFrame == 10)
        #expect(r.stream(2, .clientToServer) == "unexpected")
    }

    /// With the flow table full, a cleanly closed connection gives way before an open
    /// one that has been idle longer, and is remembered like one finished in time.
    @Test func aFullTableEvictsCleanClosesFirst() {
        var config = ReassemblyConfig()
        config.maxFlows = 2
        var open = Conversation.ipv4(clientPort: 50_000)
        open.handshake()                                       // connection 0, idle from here
        var clean = Self.cleanlyClosed(port: 50_001, at: Self.start.adding(nanoseconds: 10 * CaptureTime.millisecond))
        var third = Conversation.ipv4(clientPort: 50_002)      // connection 2: the table is full
        third.time = Self.start.adding(nanoseconds: 100 * CaptureTime.millisecond)
        third.syn()
        let serverFIN = clean.serverSeq &- 1
        clean.time = Self.start.adding(nanoseconds: 200 * CaptureTime.millisecond)
        clean.segment(.server, sequence: serverFIN, flags: [.fin, .ack])
        let (r, stats, _) = Self.finishedAfterEachFrame(Conversation.interleaved([open, clean, third]), config: config)
        #expect(stats.evictedConnections == 1)
        #expect(r.finished.first?.id == 1 && r.finished.first?.finishReason == .evicted)
        #expect(stats.lateAfterClose == 1)
        #expect(stats.connections == 3)
    }

    /// Past the closed timeout the pair is forgotten: a late FIN is a connection again,
    /// as it was before clean closes were finished early.
    @Test func rememberedOnlyForTheClosedTimeout() {
        var c = Self.cleanlyClosed()
        let serverFIN = c.serverSeq &- 1
        c.time = Self.start.adding(nanoseconds: 12 * CaptureTime.second)
        c.segment(.server, sequence: serverFIN, flags: [.fin, .ack])
        let (_, stats, _) = Self.finishedAfterEachFrame(Conversation.interleaved([c, Self.tick(at: 2)]))
        #expect(stats.lateAfterClose == 0)
        #expect(stats.connections == 3)
    }
}
