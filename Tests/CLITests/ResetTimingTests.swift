import Capture
@testable import Diagnosis
import Dissect
import TestSupport
import Testing
import Wire

/// The timing signal of the reset judge compares a RST's delay with the
/// handshake round trip. Both ends of that comparison have to be sound.
@Suite struct ResetTimingTests {
    /// A client whose first SYN went unanswered, retransmitted after a second; the
    /// server answers the retransmission 5 ms later, and the client's X.224
    /// Connection Request gets a RST from the server `rstDelay` later.
    static func analyse(rstDelay: Int64, rstTTL: UInt8? = nil) -> ConnectionSummary? {
        var c = Conversation.ipv4()
        let start = c.time
        c.syn()
        c.time = start.adding(nanoseconds: 1_000 * CaptureTime.millisecond)
        c.syn()
        c.time = start.adding(nanoseconds: 1_005 * CaptureTime.millisecond)
        c.synAck()
        c.ack(.client)
        let request = c.time
        c.send(.client, RDPBuilder.x224ConnectionRequest(cookie: "mstshash=a", requestedProtocols: 3))
        c.time = request.adding(nanoseconds: rstDelay)
        c.rst(.server, ttl: rstTTL)
        return Analysis.run(reader: CaptureReader(memory: [c.memoryInput()])).connections.first
    }

    /// Karn: the round trip is measured from the SYN the SYN-ACK answered, not across
    /// the retransmission timeout (which made a genuine RST 2 ms later look forged).
    @Test func roundTripIsMeasuredFromTheLastSYN() throws {
        let c = try #require(Self.analyse(rstDelay: 2 * CaptureTime.millisecond))
        #expect(c.serverRTT == 5 * CaptureTime.millisecond)
        #expect(c.clientToServer.synCount == 2)
    }

    /// A RST from the server's own TTL, sooner than half the round trip: timing alone
    /// does not blame the network.
    @Test func timingAloneIsNotForged() throws {
        let c = try #require(Self.analyse(rstDelay: CaptureTime.millisecond))
        let reset = try #require(c.resets.first)
        #expect(reset.signals == [.timing])
        #expect(reset.judgement == .undetermined)
        #expect(c.verdict?.cause == .serverReset)
        #expect(c.verdict?.summary.contains("TTL and IP ID fit the server") == true)
    }

    /// The same RST with a foreign TTL: timing now backs a strong signal.
    @Test func timingWithAForeignTTLIsForged() throws {
        let c = try #require(Self.analyse(rstDelay: CaptureTime.millisecond, rstTTL: 250))
        let reset = try #require(c.resets.first)
        #expect(Set(reset.signals).isSuperset(of: [.ttl, .timing]))
        #expect(reset.judgement == .forged)
        #expect(c.verdict?.cause == .forgedReset)
    }

    /// Past the handshake only RSTs are observed; a RST there is still timed from the
    /// other side's latest packet, not from the last one observed.
    @Test func aLateResetIsTimedFromTheLatestPacket() throws {
        var c = Conversation.ipv4()
        c.syn()
        c.synAck()
        c.time = c.time.adding(nanoseconds: 20 * CaptureTime.millisecond)  // the client is 20 ms away
        c.ack(.client)
        c.send(.client, RDPBuilder.x224ConnectionRequest(cookie: "mstshash=a", requestedProtocols: 1))
        c.send(.server, RDPBuilder.x224ConnectionConfirm(.response(flags: 0, selectedProtocol: 1)))
        c.send(.client, TLSBuilder.record(type: 22, TLSBuilder.clientHello(random: [UInt8](repeating: 1, count: 32), serverName: "rds")))
        c.send(.server, TLSBuilder.record(type: 22, TLSBuilder.serverHello(random: [UInt8](repeating: 2, count: 32), sessionId: [])
            + TLSBuilder.certificate([]) + TLSBuilder.serverHelloDone()))
        var random = SplitMix64(seed: 7)
        c.send(.client, TLSBuilder.record(type: 22, TLSBuilder.clientKeyExchangeECDHE(publicPoint: [UInt8](repeating: 6, count: 32)))
            + TLSBuilder.changeCipherSpec() + TLSBuilder.encryptedFinished(random: &random))
        c.send(.server, TLSBuilder.changeCipherSpec() + TLSBuilder.encryptedFinished(random: &random))
        // Enough protected records both ways for the dissector to want no more.
        var clientSequence: UInt64 = 1, serverSequence: UInt64 = 1
        for _ in 0..<ConnectionDissector.encryptedRecordsKept {
            c.send(.client, TLSBuilder.applicationData(plaintextLength: 30, sequence: &clientSequence, random: &random))
            c.send(.server, TLSBuilder.applicationData(plaintextLength: 900, sequence: &serverSequence, random: &random))
        }
        // A second later the server sends again (not observed), and a RST claiming to
        // come from the client follows it within a millisecond: too soon for a 20 ms round trip.
        c.time = c.time.adding(nanoseconds: 1_000 * CaptureTime.millisecond)
        c.send(.server, TLSBuilder.applicationData(plaintextLength: 500, sequence: &serverSequence, random: &random))
        let late = c.frames.count
        c.rst(.client)
        let summary = try #require(Analysis.run(reader: CaptureReader(memory: [c.memoryInput()])).connections.first)
        #expect(summary.stages.contains { $0.stage == .tlsEstablished })
        let reset = try #require(summary.resets.first)
        #expect(reset.reset.frame == late + 1)
        #expect(reset.reset.provokedByFrame == late)
        #expect(reset.signals.contains(.timing))
        // Timing alone (the RST carries the client's TTL and IP ID series) blames nobody in the path.
        #expect(reset.judgement == .undetermined)
        #expect(summary.verdict?.cause == .clientReset)
    }
}
