import Capture
import Reassembly
import TestSupport
import Testing
import Wire

/// The per-sender facts the tracker keeps for the reset judge while a
/// connection's packets are observed: TTL/IP ID profile, latest packet,
/// largest payload, and what a sender sent after its own RST.
@Suite struct ObservedSenderTests {
    /// Stops observing every segment once `stopAtFrame` was handled (as the
    /// analyzer does past the handshake); RSTs are still observed.
    final class StopObserving: StreamConsumer {
        let stopAtFrame: Int
        var finished: [TCPConnection] = []
        init(stopAtFrame: Int) { self.stopAtFrame = stopAtFrame }
        func opened(_ connection: TCPConnection) {}
        func data(_ connection: TCPConnection, _ direction: Direction, _ bytes: UnsafeRawBufferPointer,
                  offset: UInt64, frame: Int, time: CaptureTime) -> PayloadDecision {
            if frame >= stopAtFrame { connection.observeSegments = false }
            return .keep
        }
        func gap(_ connection: TCPConnection, _ direction: Direction, offset: UInt64, length: UInt64, frame: Int) {}
        func ended(_ connection: TCPConnection, _ direction: Direction, frame: Int, time: CaptureTime) {}
        func segment(_ connection: TCPConnection, _ segment: SegmentEvent) {}
        func anomaly(_ connection: TCPConnection, _ anomaly: StreamAnomaly, frame: Int) {}
        func icmpError(_ connection: TCPConnection, _ message: ICMPMessage, direction: Direction,
                       reporter: IPAddress, ttl: UInt8, frame: Int, time: CaptureTime) {}
        func finished(_ connection: TCPConnection) { finished.append(connection) }
    }

    func run(_ c: Conversation, stopAtFrame: Int = .max) -> TCPConnection {
        let consumer = StopObserving(stopAtFrame: stopAtFrame)
        let tracker = FlowTracker(config: ReassemblyConfig(), consumer: consumer)
        let reader = CaptureReader(memory: [c.memoryInput()])
        while let frame = reader.next() { tracker.ingest(frame) }
        tracker.finishAll()
        return consumer.finished[0]
    }

    @Test func profilesEachSenderAndCountsWhatFollowsItsOwnReset() {
        var c = Conversation.ipv4()
        c.clientTTL = 128
        c.serverTTL = 57
        c.handshake()                          // 1 SYN, 2 SYN-ACK, 3 ACK
        c.send(.client, bytes("hello"))        // 4
        c.send(.server, bytes("ok!"))          // 5
        c.rst(.client, ttl: 40, ipID: 0)       // 6
        c.send(.client, bytes("more data"))    // 7: the client goes on after its own RST
        let conn = run(c)
        let client = conn.clientToServer.observed, server = conn.serverToClient.observed
        // RSTs are not part of the profile: only TTL 128 is seen from the client.
        #expect(client.profile.ttls.map(\.ttl) == [128] && client.profile.packets == 4)
        #expect(client.profile.countsUp && client.profile.ipIDSmallStep == 3)
        #expect(client.sentReset && client.afterOwnReset == 1 && client.firstAfterOwnReset == 7)
        #expect(client.lastFrame == 7 && client.largestPayload == 9)
        #expect(server.profile.ttls.map(\.ttl) == [57] && server.profile.packets == 2)
        #expect(!server.sentReset && server.afterOwnReset == 0 && server.firstAfterOwnReset == nil)
        #expect(server.lastFrame == 5 && server.largestPayload == 3)
    }

    @Test func onlyResetsAreObservedOnceObservingStopped() {
        var c = Conversation.ipv4()
        c.handshake()                          // 1-3
        c.send(.client, bytes("hello"))        // 4: observing stops after this packet's payload
        c.send(.server, bytes("welcome"))      // 5: not observed
        c.rst(.server)                         // 6: observed, a RST
        let conn = run(c, stopAtFrame: 4)
        let client = conn.clientToServer.observed, server = conn.serverToClient.observed
        // The packet whose payload stopped observing is not observed either.
        #expect(client.profile.packets == 2 && client.lastFrame == 3 && client.largestPayload == 0)
        #expect(server.profile.packets == 1 && server.sentReset && server.lastFrame == 6)
        conn.restartObservations()
        #expect(conn.serverToClient.observed.lastFrame == nil && !conn.serverToClient.observed.sentReset)
        #expect(conn.clientToServer.observed.profile.packets == 0)
    }
}
