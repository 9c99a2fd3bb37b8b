import Capture
import Reassembly
import TestSupport
import Testing
import Wire

/// ISNs that put the 32-bit wrap at different places in a short conversation
/// (Suricata's stream tests use the same set).
let isns: [UInt32] = [0, 1, UInt32.max, UInt32.max - 10]

@Suite struct InOrderTests {
    @Test(arguments: isns)
    func inOrderConversationIsDeliveredWithFrames(isn: UInt32) {
        var c = Conversation.ipv4(clientISN: isn, serverISN: isn &+ 77)
        c.handshake()                       // frames 1-3
        c.send(.client, bytes("hello "))    // 4
        c.send(.client, bytes("world"))     // 5
        c.send(.server, bytes("HELLO"))     // 6
        c.fin(.client)                      // 7
        c.fin(.server)                      // 8
        c.ack(.client)                      // 9
        let (r, stats) = track(c)
        #expect(r.stream(0, .clientToServer) == "hello world")
        #expect(r.stream(0, .serverToClient) == "HELLO")
        #expect(r.chunks.map(\.frame) == [4, 5, 6])
        #expect(r.chunks.map(\.offset) == [0, 6, 0])
        #expect(r.endings.map(\.frame) == [7, 8])
        #expect(r.gaps.isEmpty)
        #expect(r.anomalies.isEmpty)
        #expect(stats.connections == 1)
        let conn = r.finished[0]
        #expect(conn.synFrame == 1 && conn.synAckFrame == 2 && conn.establishedFrame == 3)
        #expect(conn.client.port == 50_000 && conn.server.port == 3389)
        #expect(conn.clientToServer.firstFINFrame == 7 && conn.serverToClient.firstFINFrame == 8)
        #expect(conn.clientToServer.retransmissions == 0 && conn.clientToServer.outOfOrder == 0)
        #expect(conn.isRDPByPort)
        #expect(r.segments.map(\.event.kind) == [.control, .control, .control, .inOrder, .inOrder, .inOrder, .control, .control, .control])
    }

    @Test func ipv6ConversationIsTracked() {
        var c = Conversation.ipv6()
        c.handshake()
        c.send(.client, bytes("abc"))
        c.rst(.server)
        let (r, _) = track(c)
        #expect(r.stream(0, .clientToServer) == "abc")
        let conn = r.finished[0]
        #expect(conn.client.address.isIPv6)
        #expect(conn.server.description == "[2001:db8::2]:3389")
        #expect(conn.serverToClient.firstRSTFrame == 5)
    }
}

@Suite struct DisorderTests {
    @Test(arguments: isns)
    func reorderedSegmentsAreBufferedThenDelivered(isn: UInt32) {
        var c = Conversation.ipv4(clientISN: isn)
        c.handshake()
        let base = c.clientSeq
        c.segment(.client, sequence: base &+ 5, flags: [.ack, .psh], payload: bytes("world"))   // 4: ahead
        c.segment(.client, sequence: base, flags: [.ack, .psh], payload: bytes("hello"))        // 5: fills the hole
        c.advance(.client, by: 10)
        c.fin(.client)
        let (r, _) = track(c)
        #expect(r.stream(0, .clientToServer) == "helloworld")
        #expect(r.chunks.map(\.frame) == [5, 4])
        let conn = r.finished[0]
        #expect(conn.clientToServer.outOfOrder == 1)
        #expect(conn.clientToServer.retransmissions == 0)
        #expect(r.segments[3].event.kind == .outOfOrder && r.segments[4].event.kind == .inOrder)
    }

    @Test(arguments: isns)
    func duplicateIsCountedNotDelivered(isn: UInt32) {
        var c = Conversation.ipv4(clientISN: isn)
        c.handshake()
        let base = c.clientSeq
        c.send(.client, bytes("abcdef"))
        c.segment(.client, sequence: base, flags: [.ack, .psh], payload: bytes("abcdef"))
        c.send(.client, bytes("gh"))
        let (r, _) = track(c)
        #expect(r.stream(0, .clientToServer) == "abcdefgh")
        #expect(r.finished[0].clientToServer.retransmissions == 1)
        #expect(!r.anomalies(of: 0).contains(.overlapDifferentData))
        #expect(r.segments[4].event.kind == .retransmission)
    }

    @Test(arguments: isns)
    func overlapWithDifferentBytesIsReportedAndFirstCopyWins(isn: UInt32) {
        var c = Conversation.ipv4(clientISN: isn)
        c.handshake()
        let base = c.clientSeq
        c.send(.client, bytes("abcdef"))                                                       // 4
        c.segment(.client, sequence: base &+ 3, flags: [.ack, .psh], payload: bytes("XYZghi"))  // 5: "def" rewritten as "XYZ"
        let (r, _) = track(c)
        #expect(r.stream(0, .clientToServer) == "abcdefghi")
        #expect(r.anomalies.contains { $0.anomaly == .overlapDifferentData && $0.frame == 5 })
        #expect(r.finished[0].clientToServer.overlapsDiffering == 1)
        #expect(r.segments[4].event.kind == .partialRetransmission)
    }

    @Test func overlapWhoseFirstCopyLeftTheSharedLogIsNotJudged() {
        var c = Conversation.ipv4()
        c.handshake()
        let base = c.clientSeq
        c.send(.client, bytes("abcdef"))                                                        // 4
        c.send(.client, [UInt8](repeating: 0x41, count: 100))                                   // 5: pushes "abcdef" out of a 64-byte log
        c.segment(.client, sequence: base &+ 3, flags: [.ack, .psh], payload: bytes("XYZ"))     // 6
        var config = ReassemblyConfig()
        config.overlapLogBytes = 64
        let (r, _) = track(c, config: config)
        #expect(r.finished[0].clientToServer.retransmissions == 1)
        #expect(r.finished[0].clientToServer.overlapsDiffering == 0)
        // With the default log the same rewrite is caught.
        let (full, _) = track(c)
        #expect(full.anomalies.contains { $0.anomaly == .overlapDifferentData && $0.frame == 6 })
    }

    @Test func overlapWithSameBytesIsNotReported() {
        var c = Conversation.ipv4()
        c.handshake()
        let base = c.clientSeq
        c.send(.client, bytes("abcdef"))
        c.segment(.client, sequence: base &+ 3, flags: [.ack, .psh], payload: bytes("defghi"))
        let (r, _) = track(c)
        #expect(r.stream(0, .clientToServer) == "abcdefghi")
        #expect(r.finished[0].clientToServer.overlapsDiffering == 0)
    }
}

@Suite struct GapTests {
    @Test(arguments: isns)
    func bytesAcknowledgedButNeverSeenBecomeAGap(isn: UInt32) {
        var c = Conversation.ipv4(clientISN: isn)
        c.handshake()
        c.send(.client, bytes("aaaa"))   // 4
        c.advance(.client, by: 3)        // lost before the capture point
        c.send(.client, bytes("cc"))     // 5: ahead of a hole, buffered
        c.ack(.server)                   // 6: acknowledges everything: the hole will not be filled
        c.send(.client, bytes("dd"))     // 7
        let (r, _) = track(c)
        #expect(r.stream(0, .clientToServer) == "aaaa~~~ccdd")
        #expect(r.gaps.count == 1)
        #expect(r.gaps[0].offset == 4 && r.gaps[0].length == 3 && r.gaps[0].frame == 6)
        #expect(r.finished[0].clientToServer.gapBytes == 3)
        #expect(r.anomalies.contains { $0.anomaly == .gap })
    }

    @Test func holeStillOpenAtTheEndIsReleasedAsAGap() {
        var c = Conversation.ipv4()
        c.handshake()
        c.send(.client, bytes("ab"))
        c.advance(.client, by: 2)
        c.send(.client, bytes("ef"))
        let (r, _) = track(c)
        #expect(r.stream(0, .clientToServer) == "ab~~ef")
    }

    @Test func snapLengthCutPayloadIsAGap() {
        var c = Conversation.ipv4()
        c.handshake()
        c.send(.client, bytes("0123456789"))
        // Cut the last frame's capture 4 bytes short (as a snap length would), keeping its wire length.
        var frames = c.frames
        let last = frames.removeLast()
        let input = MemoryInput(linkType: .ethernet, frames: frames + [(last.time, Array(last.bytes.dropLast(4)))])
        let recorder = Recorder()
        let tracker = FlowTracker(consumer: recorder)
        let reader = CaptureReader(memory: [input])
        while let frame = reader.next() { tracker.ingest(frame) }
        tracker.finishAll()
        #expect(recorder.stream(0, .clientToServer) == "012345~~~~")
        #expect(recorder.anomalies(of: 0).contains(.truncatedPayload))
    }
}

@Suite struct LifecycleTests {
    @Test func missingSYNStartsTheStreamAtTheFirstSegmentAndGuessesTheClientByPort() {
        var c = Conversation.ipv4()
        c.send(.server, bytes("from server"))   // server speaks first in the capture
        c.send(.client, bytes("from client"))
        let (r, _) = track(c)
        let conn = r.finished[0]
        #expect(conn.missingSYN && conn.clientGuessed)
        #expect(conn.client.port == 50_000 && conn.server.port == 3389)
        #expect(r.stream(0, .serverToClient) == "from server")
        #expect(r.stream(0, .clientToServer) == "from client")
        #expect(r.anomalies(of: 0) == [.missingSYN])
    }

    @Test func portReuseWithANewISNStartsANewConnection() {
        var c = Conversation.ipv4(clientISN: 100)
        c.handshake()
        c.send(.client, bytes("first"))
        c.fin(.client)
        c.fin(.server)
        c.clientSeq = 900_000
        c.serverSeq = 7_000_000
        c.handshake()                  // same addresses and ports, new ISNs
        c.send(.client, bytes("second"))
        let (r, stats) = track(c)
        #expect(stats.connections == 2 && stats.portReuses == 1)
        #expect(r.finished.count == 2)
        #expect(r.finished[0].finishReason == .portReused)
        #expect(r.stream(0, .clientToServer) == "first")
        #expect(r.stream(1, .clientToServer) == "second")
        #expect(r.finished[1].synFrame == 7)
    }

    @Test func synRetransmissionIsNotANewConnection() {
        var c = Conversation.ipv4()
        c.syn()
        c.syn()
        c.syn()
        let (r, stats) = track(c)
        #expect(stats.connections == 1)
        #expect(r.finished[0].clientToServer.synCount == 3)
        #expect(r.segments.map(\.event.kind) == [.control, .synRetransmission, .synRetransmission])
        #expect(r.finished[0].establishedFrame == nil)
    }

    @Test func simultaneousOpenIsFlagged() {
        var c = Conversation.ipv4()
        c.syn()
        c.segment(.server, sequence: c.serverSeq, acknowledgment: 0, flags: .syn)
        let (r, _) = track(c)
        #expect(r.finished[0].simultaneousOpen)
        #expect(r.anomalies(of: 0).contains(.simultaneousOpen))
    }

    @Test(arguments: [Side.client, Side.server])
    func resetFromEitherSide(side: Side) {
        var c = Conversation.ipv4()
        c.handshake()
        c.send(.client, bytes("x"))
        c.rst(side)
        let (r, _) = track(c)
        let conn = r.finished[0]
        #expect(conn.wasReset)
        #expect((side == .client ? conn.clientToServer : conn.serverToClient).firstRSTFrame == 5)
        #expect((side == .client ? conn.serverToClient : conn.clientToServer).firstRSTFrame == nil)
    }

    @Test func idleConnectionsExpireByCaptureTime() {
        var config = ReassemblyConfig()
        config.idleTimeout = 5 * CaptureTime.second
        var c = Conversation.ipv4()
        c.handshake()
        c.send(.client, bytes("x"))
        let late = c.time.adding(nanoseconds: 60 * CaptureTime.second)
        var other = Conversation.ipv4(clientPort: 50_001)
        other.time = late
        other.syn()
        let input = MemoryInput(linkType: .ethernet, frames: c.frames + other.frames)
        let recorder = Recorder()
        let tracker = FlowTracker(config: config, consumer: recorder)
        let reader = CaptureReader(memory: [input])
        while let frame = reader.next() { tracker.ingest(frame) }
        #expect(recorder.finished.count == 1)
        #expect(recorder.finished.first?.finishReason == .idle)
        tracker.finishAll()
        #expect(recorder.finished.map(\.finishReason) == [.idle, .endOfCapture])
    }
}

@Suite struct LimitTests {
    @Test func depthLimitStopsPayloadButKeepsCounting() {
        var config = ReassemblyConfig()
        config.payloadDepth = 10
        var c = Conversation.ipv4()
        c.handshake()
        c.send(.client, bytes("0123456"))
        c.send(.client, bytes("789abcdef"))
        c.send(.client, bytes("more"))
        c.rst(.client)
        let (r, _) = track(c, config: config)
        #expect(r.stream(0, .clientToServer) == "0123456789")
        #expect(r.anomalies.contains { $0.anomaly == .depthReached && $0.frame == 5 })
        let conn = r.finished[0]
        #expect(conn.clientToServer.payloadBytes == 20)
        #expect(conn.clientToServer.firstRSTFrame == 7)
        #expect(!conn.clientToServer.wantsPayload)
    }

    @Test func consumerStopEndsDelivery() {
        let recorder = Recorder()
        recorder.stopAfter = 3
        var c = Conversation.ipv4()
        c.handshake()
        c.send(.client, bytes("abc"))
        c.send(.client, bytes("def"))
        let (r, _) = track(c, recorder: recorder)
        #expect(r.stream(0, .clientToServer) == "abc")
        #expect(r.finished[0].clientToServer.payloadBytes == 6)
    }

    @Test func flowCapEvictsTheLongestIdleAndReportsIt() {
        var config = ReassemblyConfig()
        config.maxFlows = 2
        var frames: [(time: CaptureTime, bytes: [UInt8])] = []
        var time = CaptureTime(seconds: 1_700_000_000, nanoseconds: 0)
        for port in UInt16(50_000)..<50_003 {
            var c = Conversation.ipv4(clientPort: port)
            c.time = time
            c.handshake()
            frames += c.frames
            time = c.time
        }
        let recorder = Recorder()
        let tracker = FlowTracker(config: config, consumer: recorder)
        let reader = CaptureReader(memory: [MemoryInput(linkType: .ethernet, frames: frames)])
        while let frame = reader.next() { tracker.ingest(frame) }
        #expect(tracker.flowCount == 2)
        #expect(recorder.finished.count == 1)
        #expect(recorder.finished[0].client.port == 50_000)
        #expect(recorder.finished[0].finishReason == .evicted)
        #expect(recorder.anomalies(of: 0) == [.evicted])
        #expect(tracker.stats.evictedConnections == 1)
    }

    @Test func outOfOrderBudgetReleasesWithAGap() {
        var config = ReassemblyConfig()
        config.maxPendingBytesPerFlow = 8
        var c = Conversation.ipv4()
        c.handshake()
        let base = c.clientSeq
        c.segment(.client, sequence: base &+ 2, flags: [.ack, .psh], payload: bytes("cdef"))
        c.segment(.client, sequence: base &+ 6, flags: [.ack, .psh], payload: bytes("ghij"))
        c.segment(.client, sequence: base &+ 10, flags: [.ack, .psh], payload: bytes("klmn"))  // over budget
        let (r, stats) = track(c, config: config)
        #expect(r.stream(0, .clientToServer) == "~~cdefghijklmn")
        #expect(r.anomalies(of: 0).contains(.pendingBudgetExceeded))
        #expect(stats.pendingBudgetHits == 1)
        #expect(stats.pendingBytes == 0)
    }
}

@Suite struct ICMPTests {
    @Test func icmpErrorQuotingTheFlowReachesItsConnection() {
        var c = Conversation.ipv4()
        c.syn()
        let offending = Array(c.frames[0].bytes[14...])
        c.appendIP(FrameBuilder.icmpError(from: IPAddress("10.0.9.1")!, quoting: offending, type: 3, code: 13))
        let (r, stats) = track(c)
        #expect(stats.icmpErrorsMatched == 1)
        #expect(r.icmp.count == 1)
        #expect(r.icmp[0].message.code == 13 && r.icmp[0].direction == .clientToServer && r.icmp[0].frame == 2)
    }
}

@Suite struct CookedCaptureTests {
    /// `tcpdump -i any` on a router: each packet once on the inside interface, once on the outside one.
    @Test func secondCopyOnAnotherInterfaceIsSkipped() {
        var c = Conversation.ipv4(linkType: .linuxSLL2)
        c.handshake()
        c.send(.client, bytes("hello"))
        c.send(.server, bytes("world"))
        c.fin(.client)
        var frames: [(time: CaptureTime, bytes: [UInt8])] = []
        for frame in c.frames {
            frames.append(frame)
            var copy = frame.bytes
            copy[7] = 3 // SLL2 interface index 2 -> 3
            copy[10] = 4 // outgoing
            frames.append((frame.time.adding(nanoseconds: 20_000), copy))
        }
        let recorder = Recorder()
        let tracker = FlowTracker(consumer: recorder)
        let reader = CaptureReader(memory: [MemoryInput(linkType: .linuxSLL2, frames: frames)])
        while let frame = reader.next() { tracker.ingest(frame) }
        tracker.finishAll()
        #expect(tracker.stats.captureDuplicates == 6)
        #expect(recorder.stream(0, .clientToServer) == "hello")
        let conn = recorder.finished[0]
        #expect(conn.clientToServer.retransmissions == 0 && conn.serverToClient.retransmissions == 0)
        #expect(conn.clientToServer.captureDuplicates == 4 && conn.clientToServer.packets == 4)
    }

    @Test func retransmissionOnTheSameInterfaceIsKept() {
        var c = Conversation.ipv4(linkType: .linuxSLL2)
        c.handshake()
        let base = c.clientSeq
        c.send(.client, bytes("hello"))
        c.segment(.client, sequence: base, flags: [.psh, .ack], payload: bytes("hello"), ipID: c.clientIPID &- 1)
        let (r, stats) = track(c)
        #expect(stats.captureDuplicates == 0)
        #expect(r.finished[0].clientToServer.retransmissions == 1)
    }
}
