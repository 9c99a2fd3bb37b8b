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
