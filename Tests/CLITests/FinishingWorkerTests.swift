import Capture
@testable import Diagnosis
import Foundation
import Reassembly
import Testing

/// The finishing worker moves summaries, diagnoses and reports to a second
/// thread; nothing about the results may change with it.
@Suite struct FinishingWorkerTests {
    /// More jobs than the queue holds, so the submitter has to wait for the worker
    /// at times: every job runs, once, in submission order.
    @Test func runsEveryJobInOrder() {
        let worker = FinishingWorker<() -> Void> { $0() }
        #expect(worker.start())
        let total = FinishingWorker<() -> Void>.batchSize * FinishingWorker<() -> Void>.maxQueuedBatches * 8 + 7
        let log = Log()
        for n in 0..<total {
            worker.submit { log.values.append(n) }
        }
        worker.finish()
        #expect(log.values == Array(0..<total))
    }

    /// A batch that is not full is run after `openBatchDelay` without more submissions
    /// (a capture fed slowly through a pipe): groups of a few jobs, each run before the
    /// next group is submitted, all in order.
    @Test func aBatchThatIsNotFullRunsAfterTheDelay() {
        let worker = FinishingWorker<() -> Void> { $0() }
        #expect(worker.start())
        let log = Log()
        let ran = DispatchSemaphore(value: 0)
        var groupsRunEarly = 0
        for group in 0..<4 {
            for n in 0..<5 {
                let value = group * 5 + n
                worker.submit {
                    log.values.append(value)
                    if n == 4 { ran.signal() }
                }
            }
            // Bounded: 100 ms is the delay; 5 s leaves room for a busy machine.
            if ran.wait(timeout: .now() + 5) == .success { groupsRunEarly += 1 }
        }
        worker.finish()
        #expect(groupsRunEarly == 4)
        #expect(log.values == Array(0..<20))
    }

    @Test func finishWithNothingSubmittedReturns() {
        let worker = FinishingWorker<() -> Void> { $0() }
        #expect(worker.start())
        worker.finish()
    }

    /// Every capture of the corpus in one run (so host profiles carry over from
    /// connection to connection): the worker gives the same connections, in the
    /// same finish order, with the same verdicts and findings as running inline.
    @Test func sameResultsAsInline() throws {
        let directory = packageRoot.appendingPathComponent("Captures").path
        let captures = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted()
            .map { directory + "/" + $0 }
        #expect(captures.count > 20)

        var streamed: [String] = []
        let viaWorker = Analysis.run(reader: try CaptureReader(paths: captures), onConnection: { streamed.append(Self.describe($0)) })

        let analyzer = ConnectionAnalyzer()
        analyzer.keepSummaries = true
        let tracker = FlowTracker(config: ReassemblyConfig(), consumer: analyzer)
        let reader = try CaptureReader(paths: captures)
        while let frame = reader.next() { tracker.ingest(frame) }
        tracker.finishAll()
        let inline = analyzer.summaries.map(Self.describe)

        #expect(streamed.count > 40)
        #expect(streamed == inline)
        #expect(viaWorker.connections.count == inline.count)
        #expect(viaWorker.counts.failed == analyzer.counts.failed)
    }

    static func describe(_ c: ConnectionSummary) -> String {
        let verdict = c.verdict.map { "\($0.cause) \($0.side) \($0.confidence)" } ?? "-"
        let findings = c.findings.map { "\($0.kind)@\($0.frames)" }.joined(separator: ",")
        let resets = c.resets.map { "\($0.reset.frame):\($0.judgement)\($0.signals)" }.joined(separator: ",")
        return "\(c.trackerID) \(c.client)->\(c.server) \(c.reached?.rawValue ?? "-") \(verdict) [\(findings)] [\(resets)]"
    }

    /// Written only by the worker thread until `finish()` returns.
    final class Log: @unchecked Sendable {
        var values: [Int] = []
    }
}
