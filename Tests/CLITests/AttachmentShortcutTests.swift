import Capture
@testable import Diagnosis
@testable import Dissect
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
        let analyzer: ConnectionAnalyzer
        var dataChecked = 0
        var finishedChecked = 0
        /// Checks after which the dissector wanted nothing more.
        var stoppedWanting = 0
        var problems: [String] = []

        init(keyLog: TLSKeyLog? = nil) {
            analyzer = ConnectionAnalyzer(keyLog: keyLog)
            analyzer.keepSummaries = true
        }

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
            expectWantsMoreFromSides(c, "after data in frame \(frame)")
            dataChecked += 1
            return decision
        }
        func gap(_ c: TCPConnection, _ d: Direction, offset: UInt64, length: UInt64, frame: Int) {
            analyzer.gap(c, d, offset: offset, length: length, frame: frame)
            expectWantsMoreFromSides(c, "after a gap in frame \(frame)")
        }

        /// `wantsMore` reads bits the dissector keeps for it; they must say what the
        /// sides themselves say.
        func expectWantsMoreFromSides(_ c: TCPConnection, _ when: String) {
            guard let dissector = analyzer.state(c).dissector else { return }
            let a = dissector.clientSide, b = dissector.serverSide
            let kept = dissector.decryptor == nil
                ? ConnectionDissector.encryptedRecordsKept : 4 * ConnectionDissector.encryptedRecordsKept
            let fromSides = !(a.mode == .stopped && b.mode == .stopped)
                && !(a.encryptedRecords >= kept && b.encryptedRecords >= kept)
                && !(a.dataPDUs >= ConnectionDissector.rdpDataPDUsKept && b.dataPDUs >= ConnectionDissector.rdpDataPDUsKept)
            if dissector.wantsMore != fromSides { problems.append("connection \(c.id) wantsMore \(when)") }
            if !fromSides { stoppedWanting += 1 }
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

    /// Every capture of the corpus, without a key log and with its own where it has one
    /// (the dissector then follows the decrypted sequence further): after every segment
    /// and gap, `wantsMore` agrees with the sides, and the shortcut is the dissector.
    @Test func wantsMoreAgreesWithTheSidesAcrossTheCorpus() throws {
        let directory = packageRoot.appendingPathComponent("Captures").path
        let captures = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted()
        #expect(captures.count > 20)
        var checked = 0, stopped = 0, decrypted = 0
        for name in captures {
            let path = directory + "/" + name
            let keys = path.replacingOccurrences(of: ".pcapng", with: ".keys").replacingOccurrences(of: ".pcap", with: ".keys")
            // With its key log where it has one, and without.
            var keyLogs: [TLSKeyLog?] = [nil]
            if FileManager.default.fileExists(atPath: keys) {
                keyLogs.append(try TLSKeyLog(paths: [keys]))
                decrypted += 1
            }
            for keyLog in keyLogs {
                let checker = Checker(keyLog: keyLog)
                let tracker = FlowTracker(config: ReassemblyConfig(), consumer: checker)
                let reader = try CaptureReader(paths: [path])
                while let frame = reader.next() { tracker.ingest(frame) }
                tracker.finishAll()
                #expect(checker.problems.count == 0, "\(name), key log \(keyLog != nil): \(checker.problems.prefix(5))")
                checked += checker.dataChecked
                stopped += checker.stoppedWanting
            }
        }
        #expect(decrypted >= 5)
        #expect(checked > 1000)
        // Some connections go past what is kept, so the answer changes along the way.
        #expect(stopped > 0)
    }
}
