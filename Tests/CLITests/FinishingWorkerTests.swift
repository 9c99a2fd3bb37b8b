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

    /// Jobs that have run are released by the submitting thread (where a finished
    /// connection's objects were allocated), on its next full batch or in `finish()`.
    @Test func jobsAreReleasedOnTheSubmittingThread() {
        let releases = Releases()
        let worker = FinishingWorker<Tracked> { _ in }
        #expect(worker.start())
        let submitter = pthread_self()
        // Fewer batches than the worker keeps for the submitter, so none is released on the worker.
        let total = FinishingWorker<Tracked>.batchSize * (FinishingWorker<Tracked>.maxQueuedBatches / 2) + 5
        for n in 0..<total { worker.submit(Tracked(n, releases)) }
        worker.finish()
        let released = releases.snapshot()
        #expect(released.map(\.value).sorted() == Array(0..<total))
        #expect(released.allSatisfy { pthread_equal($0.thread, submitter) != 0 })
    }

    /// A submitter that stops coming back (a live capture gone quiet) does not keep jobs
    /// that have run without bound: past `maxQueuedBatches` waiting batches, the worker
    /// releases them itself. Each job here runs alone, after the open-batch delay.
    @Test func retiredJobsStayBoundedWithoutTheSubmitter() {
        let releases = Releases()
        let ran = DispatchSemaphore(value: 0)
        let worker = FinishingWorker<Tracked> { _ in ran.signal() }
        #expect(worker.start())
        let bound = FinishingWorker<Tracked>.maxQueuedBatches
        let total = bound + 3
        for n in 0..<total {
            worker.submit(Tracked(n, releases))
            // Bounded: 100 ms is the delay; 5 s leaves room for a busy machine.
            #expect(ran.wait(timeout: .now() + 5) == .success)
        }
        // The last job has run but may not be retired yet: at most `bound` batches plus it wait.
        let early = releases.snapshot().count
        #expect(early >= total - bound - 1)
        worker.finish()
        #expect(releases.snapshot().map(\.value).sorted() == Array(0..<total))
    }

    /// Before the worker runs a job, and before the submitting thread releases it, `prepare`
    /// is called for it once per stage, in stage order, by address (a hint only: each job
    /// runs once and is released once, as without it). Jobs still held at `finish()` are
    /// released without it.
    ///
    /// Each batch is run before the next is submitted, so every batch comes back to the
    /// submitter at a later submission (none waits long enough for the worker to release
    /// it), except the last two or so, which `finish()` releases.
    @Test func eachJobIsPreparedInStagesBeforeItRunsAndBeforeItIsReleased() {
        let releases = Releases()
        let stages = 3
        let prepared = PreparedStages()
        let runs = Log()
        let batchSize = FinishingWorker<Tracked>.batchSize
        let ran = DispatchSemaphore(value: 0)
        let worker = FinishingWorker<Tracked>(stages: stages, prepare: { job, stage in
            prepared.add(job.pointee.value, stage, ranSoFar: job.pointee.runs, releasedSoFar: releases.snapshot().count)
        }) { job in
            job.runs += 1
            runs.values.append(job.value)
            if job.value % batchSize == batchSize - 1 { ran.signal() }
        }
        #expect(worker.start())
        let total = batchSize * 20 + 5
        for n in 0..<total {
            worker.submit(Tracked(n, releases))
            // Bounded: a full batch is taken at once; 5 s leaves room for a busy machine.
            if n % batchSize == batchSize - 1 { #expect(ran.wait(timeout: .now() + 5) == .success) }
        }
        worker.finish()

        #expect(runs.values == Array(0..<total))
        let released = releases.snapshot().map(\.value)
        #expect(released.sorted() == Array(0..<total))
        let calls = prepared.snapshot()
        // Before running: every job, every stage in order, while it had not run.
        let beforeRun = Dictionary(grouping: calls.filter { $0.ranSoFar == 0 }, by: \.value)
        #expect(beforeRun.count == total)
        for (value, jobCalls) in beforeRun {
            #expect(jobCalls.map(\.stage) == Array(0..<stages), "job \(value)")
        }
        // Before releasing: all but the jobs `finish()` released, every stage in order, while alive.
        let beforeRelease = Dictionary(grouping: calls.filter { $0.ranSoFar == 1 }, by: \.value)
        #expect(beforeRelease.count >= total - 3 * batchSize)
        for (value, jobCalls) in beforeRelease {
            #expect(jobCalls.map(\.stage) == Array(0..<stages), "job \(value)")
            let releasedAt = released.firstIndex(of: value) ?? -1
            #expect(jobCalls.allSatisfy { $0.releasedSoFar <= releasedAt }, "job \(value)")
        }
        // No other calls (a job prepared after it was released, or twice before running).
        let grouped: Int = beforeRun.values.reduce(0) { $0 + $1.count } + beforeRelease.values.reduce(0) { $0 + $1.count }
        #expect(calls.count == grouped)
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

    /// A job that notes which thread released it, and how often it ran.
    final class Tracked: @unchecked Sendable {
        let value: Int
        let releases: Releases
        /// Written by the worker when it runs the job.
        var runs = 0
        init(_ value: Int, _ releases: Releases) {
            self.value = value
            self.releases = releases
        }
        deinit { releases.add(value, pthread_self()) }
    }

    final class PreparedStages: @unchecked Sendable {
        private let lock = NSLock()
        private var calls: [(value: Int, stage: Int, ranSoFar: Int, releasedSoFar: Int)] = []
        func add(_ value: Int, _ stage: Int, ranSoFar: Int, releasedSoFar: Int) {
            lock.withLock { calls.append((value, stage, ranSoFar, releasedSoFar)) }
        }
        func snapshot() -> [(value: Int, stage: Int, ranSoFar: Int, releasedSoFar: Int)] { lock.withLock { calls } }
    }

    final class Releases: @unchecked Sendable {
        private let lock = NSLock()
        private var released: [(value: Int, thread: pthread_t)] = []
        func add(_ value: Int, _ thread: pthread_t) { lock.withLock { released.append((value, thread)) } }
        func snapshot() -> [(value: Int, thread: pthread_t)] { lock.withLock { released } }
    }
}
