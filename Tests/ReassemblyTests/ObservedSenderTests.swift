import Reassembly
import TestSupport
import Testing

/// The per-sender facts the tracker keeps for the reset judge while a
/// connection's packets are observed: TTL/IP ID profile, largest payload,
/// and what a sender sent after its own RST.
@Suite struct ObservedSenderTests {
    func run(_ c: Conversation, stopAtFrame: Int? = nil) -> TCPConnection {
        let recorder = Recorder()
        recorder.stopObservingAtFrame = stopAtFrame
        return track(c, recorder: recorder).0.finished[0]
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
        #expect(client.largestPayload == 9)
        #expect(server.profile.ttls.map(\.ttl) == [57] && server.profile.packets == 2)
        #expect(!server.sentReset && server.afterOwnReset == 0 && server.firstAfterOwnReset == nil)
        #expect(server.largestPayload == 3)
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
        #expect(client.profile.packets == 2 && client.largestPayload == 0)
        #expect(server.profile.packets == 1 && server.sentReset && server.largestPayload == 0)
        conn.restartObservations()
        #expect(conn.serverToClient.observed.profile.packets == 0 && !conn.serverToClient.observed.sentReset)
        #expect(conn.clientToServer.observed.profile.packets == 0)
    }
}
