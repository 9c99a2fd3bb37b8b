import Capture
@testable import Diagnosis
import Dissect
import TestSupport
import Testing
import Wire

/// A RST answering a SYN has no other packet of its connection to be compared with:
/// the judge compares it with the host's packets in the capture's other connections.
/// Connections finish in any order, so what the judge knows of a host can come from
/// packets sent after the RST it judges.
@Suite struct ResetSeriesTests {
    static let start = CaptureTime(seconds: 1_700_000_000, nanoseconds: 0)

    /// A Windows-like server (TTL 128, one IP ID counter) talks on connection A, refuses
    /// connection B's SYN with a RST from the same counter (`rstID`) halfway through, goes
    /// on on A and closes it cleanly. A is finished first (a clean close is done with
    /// sooner than a reset), so B's RST is judged with A's later packets known.
    static func analyse(rstID: UInt16, rstTTL: UInt8 = 128) -> (a: ConnectionSummary, b: ConnectionSummary)? {
        var a = Conversation.ipv4(clientPort: 50_000)
        a.serverTTL = 128
        a.serverIPID = 1000
        a.handshake()                                                      // SYN-ACK: ID 1000
        a.send(.client, RDPBuilder.x224ConnectionRequest(cookie: "mstshash=a", requestedProtocols: 1))
        a.send(.server, RDPBuilder.x224ConnectionConfirm(.response(flags: 0, selectedProtocol: 1)))   // 1001
        a.send(.client, TLSBuilder.record(type: 22, TLSBuilder.clientHello(random: [UInt8](repeating: 1, count: 32), serverName: "rds")))
        a.send(.server, TLSBuilder.record(type: 22, TLSBuilder.serverHello(random: [UInt8](repeating: 2, count: 32), sessionId: [])))  // 1002

        var b = Conversation.ipv4(clientPort: 50_001)
        b.time = a.time
        b.syn()
        b.rst(.server, ttl: rstTTL, ipID: rstID)
        a.serverIPID = 1004                                                // the RST took 1003
        a.time = b.time
        a.send(.server, TLSBuilder.record(type: 22, TLSBuilder.certificate([])))          // 1004
        a.send(.server, TLSBuilder.record(type: 22, TLSBuilder.serverHelloDone()))        // 1005
        a.fin(.client)
        a.fin(.server)                                                     // 1006
        a.ack(.client)

        var tick = Conversation.ipv4(clientPort: 50_009)
        tick.time = start.adding(nanoseconds: 3 * CaptureTime.second)
        tick.syn()
        let result = Analysis.run(reader: CaptureReader(memory: [Conversation.interleaved([a, b, tick])]))
        guard let first = result.connections.first(where: { $0.client.port == 50_000 }),
              let second = result.connections.first(where: { $0.client.port == 50_001 }) else { return nil }
        return (first, second)
    }

    /// The RST's ID sits just before the host's last known one: it fits the series.
    @Test func aRSTBeforeTheHostsLastKnownPacketFitsItsSeries() throws {
        let (a, b) = try #require(Self.analyse(rstID: 1003))
        #expect(a.finishReason == "idle")
        let reset = try #require(b.resets.first)
        #expect(reset.signals.isEmpty)
        #expect(reset.judgement == .genuine)
        // Frames 1-7 are A's handshake so far, 8 B's SYN, 9 the RST.
        #expect(reset.reset.frame == 9)
        #expect(b.reached == .syn)
        #expect(b.verdict?.cause == .portClosed)
        #expect(b.verdict?.confidence == .high)
        #expect(b.verdict?.evidenceFrames == [9])
    }

    /// An ID far from the series, with the host's TTL: the series still tells.
    @Test func anIDOutsideTheSeriesIsStillFlagged() throws {
        let (_, b) = try #require(Self.analyse(rstID: 40_000))
        let reset = try #require(b.resets.first)
        #expect(reset.signals == [.ipID])
        #expect(reset.notes.contains { $0.contains("1006 in frame") && $0.contains("after the RST") })
        #expect(reset.judgement == .undetermined)
    }

    /// A RST with a foreign TTL is forged whatever the order.
    @Test func aForeignTTLIsForged() throws {
        let (_, b) = try #require(Self.analyse(rstID: 1003, rstTTL: 250))
        let reset = try #require(b.resets.first)
        #expect(reset.signals.contains(.ttl))
        #expect(reset.judgement == .forged)
        #expect(b.reached == .syn)
        #expect(b.verdict?.cause == .forgedReset && b.verdict?.evidenceFrames.contains(9) == true)
    }
}
