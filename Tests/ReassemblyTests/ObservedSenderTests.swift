import Reassembly
import TestSupport
import Testing

/// The per-sender facts the tracker keeps for the reset judge while a
/// connection's packets are observed: TTL/IP ID profile, largest payload,
/// and what a sender sent after its own RST.
@Suite struct ObservedSenderTests {
    func run(_ c: Conversation, stopAtFrame: Int? = nil, rdpAtFrame: Int? = nil) -> TCPConnection {
        let recorder = Recorder()
        recorder.stopObservingAtFrame = stopAtFrame
        recorder.rdpByContentAtFrame = rdpAtFrame
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
    }

    /// Only RDP connections are profiled: one on another port, never found to be RDP
    /// by content, leaves both senders empty, RSTs included.
    @Test func otherConnectionsAreNotProfiled() {
        var c = Conversation.ipv4(serverPort: 8080)
        c.handshake()
        c.send(.client, bytes("GET / HTTP/1.1"))
        c.rst(.server)
        let conn = run(c)
        #expect(!conn.isRDP)
        for sender in [conn.clientToServer.observed, conn.serverToClient.observed] {
            #expect(sender.profile.packets == 0 && !sender.sentReset && sender.largestPayload == 0)
        }
    }

    /// RDP found by content on another port: profiled from the packet that showed it on,
    /// as if watched from there (the handshake and an earlier RST are not in it).
    @Test func rdpFoundByContentIsProfiledFromThere() {
        var c = Conversation.ipv4(serverPort: 4000)
        c.handshake()                          // 1-3
        c.rst(.client, withAck: false)         // 4: before anything showed RDP
        c.send(.client, bytes("\u{3}\u{0}cr"))  // 5: the payload that shows it
        c.send(.server, bytes("cc!"))          // 6
        c.send(.client, bytes("more"))         // 7
        let conn = run(c, rdpAtFrame: 5)
        let client = conn.clientToServer.observed, server = conn.serverToClient.observed
        #expect(conn.isRDP)
        #expect(client.profile.packets == 2 && !client.sentReset && client.afterOwnReset == 0 && client.largestPayload == 4)
        #expect(server.profile.packets == 1 && server.largestPayload == 3)
    }
}
