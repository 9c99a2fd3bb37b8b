import Capture
@testable import Diagnosis
import Dissect
import Foundation
import Reassembly
import Testing
import Wire

/// The analyzer finds a connection's dissector for each segment through
/// `TCPConnection.attachmentShortcut` rather than through its state: the shortcut
/// must be that very dissector from the first segment it sees to the end.
@Suite struct AttachmentShortcutTests {
    /// Stands between the tracker and the analyzer and checks the shortcut at every call.
    final class Checker: StreamConsumer {
        let analyzer = ConnectionAnalyzer()
        var dataChecked = 0
        var finishedChecked = 0
        var problems: [String] = []

        init() { analyzer.keepSummaries = true }

        func expectShortcutIsDissector(_ c: TCPConnection, _ when: String) {
            let dissector = analyzer.state(c).dissector.map { Unmanaged.passUnretained($0).toOpaque() }
            if c.attachmentShortcut != dissector { problems.append("connection \(c.id) \(when)") }
        }

        func opened(_ c: TCPConnection) {
            analyzer.opened(c)
            expectShortcutIsDissector(c, "after opened")
        }
        func data(_ c: TCPConnection, _ d: Direction, _ bytes: UnsafeRawBufferPointer, offset: UInt64,
                  frame: Int, time: CaptureTime) -> PayloadDecision {
            expectShortcutIsDissector(c, "before data in frame \(frame)")
            let decision = analyzer.data(c, d, bytes, offset: offset, frame: frame, time: time)
            expectShortcutIsDissector(c, "after data in frame \(frame)")
            dataChecked += 1
            return decision
        }
        func gap(_ c: TCPConnection, _ d: Direction, offset: UInt64, length: UInt64, frame: Int) {
            analyzer.gap(c, d, offset: offset, length: length, frame: frame)
        }
        func ended(_ c: TCPConnection, _ d: Direction, frame: Int, time: CaptureTime) {
            analyzer.ended(c, d, frame: frame, time: time)
        }
        func segment(_ c: TCPConnection, _ s: SegmentEvent) { analyzer.segment(c, s) }
        func anomaly(_ c: TCPConnection, _ a: StreamAnomaly, frame: Int) { analyzer.anomaly(c, a, frame: frame) }
        func icmpError(_ c: TCPConnection, _ m: ICMPMessage, direction: Direction, reporter: IPAddress, ttl: UInt8,
                       frame: Int, time: CaptureTime) {
            analyzer.icmpError(c, m, direction: direction, reporter: reporter, ttl: ttl, frame: frame, time: time)
        }
        func finished(_ c: TCPConnection) {
            analyzer.finished(c)
            // The state is let go here; a shortcut left behind would point at a freed dissector.
            if c.attachmentShortcut != nil { problems.append("connection \(c.id) kept its shortcut after finishing") }
            finishedChecked += 1
        }
    }

    /// RDP by port (3389), and by content (no port configured): the dissector is made at
    /// the connection's start in the one case and once its first bytes are read in the other.
    @Test(arguments: [[UInt16(3389)], []])
    func shortcutIsTheDissectorThroughout(serverPorts: [UInt16]) throws {
        let capture = packageRoot.appendingPathComponent("Captures/shadow-nla-success.pcap").path
        let checker = Checker()
        var config = ReassemblyConfig()
        config.serverPorts = serverPorts
        let tracker = FlowTracker(config: config, consumer: checker)
        let reader = try CaptureReader(paths: [capture])
        while let frame = reader.next() { tracker.ingest(frame) }
        tracker.finishAll()

        #expect(checker.problems.count == 0, "first: \(checker.problems.prefix(5))")
        #expect(checker.dataChecked > 10)
        #expect(checker.finishedChecked >= 1)
        let rdp = checker.analyzer.summaries.filter(\.isRDP)
        #expect(rdp.count >= 1)
        #expect(rdp.allSatisfy { $0.rdpDetectedBy == (serverPorts.isEmpty ? "content" : "port") })
        // The dissector was fed through the shortcut: the handshake reached TLS.
        #expect(rdp.contains { $0.tls != nil })
    }
}
