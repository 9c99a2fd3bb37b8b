import Capture
import Diagnosis
import Report
import TestSupport
import Testing

/// The late repeats of cleanly closed connections are counted, and the report says so.
@Suite struct LateAfterCloseReportTests {
    @Test func theCaptureSectionCountsThem() throws {
        var c = Conversation.ipv4()
        c.handshake()
        c.send(.client, RDPBuilder.x224ConnectionRequest(cookie: "mstshash=a", requestedProtocols: 0))
        c.fin(.client)
        c.fin(.server)
        c.ack(.client)
        let serverFIN = c.serverSeq &- 1
        var tick = Conversation.ipv4(clientPort: 50_009)
        tick.time = c.time.adding(nanoseconds: 2 * CaptureTime.second)
        tick.syn()
        c.time = c.time.adding(nanoseconds: 3 * CaptureTime.second)
        c.segment(.server, sequence: serverFIN, flags: [.fin, .ack])
        let result = Analysis.run(reader: CaptureReader(memory: [Conversation.interleaved([c, tick])]))
        #expect(result.stats.lateAfterClose == 1)
        #expect(result.connections.count == 2)
        #expect(JSONReport.capture(result).serialized().contains("\"late_packets_after_close\":1"))
        let text = TextReport.closing(result, listAll: false, shown: 0, color: false)
        #expect(text.contains("note: 1 packet repeating the last ones of cleanly closed connections already reported"))
    }
}

/// A cooked capture's second copies are counted once, and the note says how many, in the right number.
@Suite struct CaptureDuplicatesReportTests {
    /// `copies` packets of one connection seen again on a second interface.
    func closingText(copies: Int) -> (stats: Int, text: String) {
        var c = Conversation.ipv4(linkType: .linuxSLL2)
        c.handshake()
        c.send(.client, RDPBuilder.x224ConnectionRequest(cookie: "mstshash=a", requestedProtocols: 0))
        var frames: [(time: CaptureTime, bytes: [UInt8])] = []
        for (index, frame) in c.frames.enumerated() {
            frames.append(frame)
            guard index < copies else { continue }
            var copy = frame.bytes
            copy[7] = 3 // SLL2 interface index 2 -> 3
            copy[10] = 4 // outgoing
            frames.append((frame.time.adding(nanoseconds: 20_000), copy))
        }
        let result = Analysis.run(reader: CaptureReader(memory: [MemoryInput(linkType: .linuxSLL2, frames: frames)]))
        return (result.stats.captureDuplicates, TextReport.closing(result, listAll: false, shown: 0, color: false))
    }

    @Test func oneCopyIsOnePacket() {
        let (count, text) = closingText(copies: 1)
        #expect(count == 1)
        #expect(text.contains("note: 1 packet was seen twice (on two interfaces of a cooked '-i any' capture) and counted once"))
    }

    @Test func severalCopiesArePackets() {
        let (count, text) = closingText(copies: 3)
        #expect(count == 3)
        #expect(text.contains("note: 3 packets were seen twice (on two interfaces of a cooked '-i any' capture) and counted once"))
    }
}
