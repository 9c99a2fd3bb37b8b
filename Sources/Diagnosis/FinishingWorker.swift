import Capture

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A thread of its own for the work that follows a connection's end: the
/// summary, the diagnosis and the report. Decoding, reassembly and dissection
/// stay on the calling thread (and libpcap's reading of files on a third, see
/// `ReadAhead`); on a capture with many short connections the calling thread's
/// share and this one's plus the read's cost about the same, so an offline run
/// keeps two cores busy.
///
/// Jobs run one at a time and in the order they were submitted, so the output
/// (and everything that depends on earlier connections, such as the host
/// profiles the reset judge compares with) is the same as when run inline.
/// The queue is bounded: when the worker falls behind, `submit` waits, so
/// memory stays bounded however fast the reader is.
///
/// A job is a value that one function, given at the start, runs: a closure per
/// connection would be an allocation per connection on the submitting thread.
///
/// Jobs that have run go back to the submitting thread to be released there
/// (`retired`). A finished connection's objects (its dissector, the parsed
/// handshake, the buffers) were allocated on the submitting thread: freed on the
/// worker, each is a cross-thread free the allocator must hand back and the
/// submitting thread must collect, and the worker, which shares its core with
/// the read-ahead, pays for the teardown. Freed where they were made, they cost
/// less and the memory comes back warm for the next connection's objects.
final class FinishingWorker<Job>: @unchecked Sendable {
    /// Jobs are handed over in batches, so the worker is woken once per batch, not per connection.
    static var batchSize: Int { 32 }
    /// At most this many batches wait (plus the one running and the one being filled); a
    /// batch holds finished connections with their dissected handshakes (a few KiB each),
    /// so about 512 connections are in flight at most.
    static var maxQueuedBatches: Int { 16 }

    /// A finished connection waits at most about this long (wall clock) in a batch that is
    /// not full while the worker has nothing else to do; then the worker takes the batch as
    /// it is. A capture read from a pipe may be fed slowly (`tcpdump -w - | rdpdiag analyze -`),
    /// and its connections are reported within this delay of finishing. Capture time would
    /// not do: it stands still while the writer sends nothing.
    static var openBatchDelay: Int64 { 100_000_000 }

    /// `produced`: a batch waits to be run; `consumed`: the queue has room again.
    private let lock = HandoffLock()
    // Guarded by `lock`.
    private var queued: [[Job]] = []
    private var closed = false
    /// The batch being filled: the submitting thread appends to it (without waking the
    /// worker), and the worker takes it once it has waited `openBatchDelay` with nothing queued.
    private var batch: [Job] = []
    /// Batches that have run, waiting to be released by the submitting thread.
    private var retired: [[Job]] = []
    private var thread: pthread_t?
    /// Run on the worker's thread each time it has caught up with the submitted jobs,
    /// before it waits for more (the report writer flushes what it holds there).
    let whenIdle: (() -> Void)?
    /// What each job is run with, on the worker's thread.
    private let run: (Job) -> Void
    /// Asks for the memory that running or releasing a job will read, one level of its
    /// objects per stage (0 ..< `stages`); see `runLoop()` and `release(_:)`.
    private let prepare: ((UnsafePointer<Job>, Int) -> Void)?
    private let stages: Int

    init(whenIdle: (() -> Void)? = nil, stages: Int = 0, prepare: ((UnsafePointer<Job>, Int) -> Void)? = nil,
         run: @escaping (Job) -> Void) {
        self.whenIdle = whenIdle
        self.run = run
        self.prepare = prepare
        self.stages = stages
        batch.reserveCapacity(Self.batchSize)
    }

    /// Starts the thread; false when the system refused one (the caller then runs jobs inline).
    func start() -> Bool {
        guard let handle = startThread({ [self] in runLoop() }) else { return false }
        thread = handle
        return true
    }

    /// Queues a job (called from the submitting thread only). The lock is not contended
    /// while the worker runs a batch, which it does without holding it.
    func submit(_ job: Job) {
        var done: [[Job]] = []
        lock.withLock {
            batch.append(job)
            if batch.count >= Self.batchSize {
                queueOpenBatch()
                swap(&done, &retired)
            }
        }
        // Released here, outside the lock (not at the swap, where its last use could let it go).
        release(&done)
    }

    /// Releases retired jobs one at a time, asking ahead for the memory each release reads.
    ///
    /// A finished connection is a tree of a score of objects, last touched by the worker
    /// on the other CPU and long gone from this one's caches; released as an array, each
    /// object waited for its lines in turn, once the reference to it had been read. Here,
    /// `stages` jobs before a job is released, its own objects are asked for, and at each
    /// later job one level further in, so its whole tree has arrived by its turn.
    private func release(_ batches: inout [[Job]]) {
        guard let prepare, stages > 0 else {
            batches = []
            return
        }
        while var jobs = batches.popLast() {
            let count = jobs.count
            // Step `k` releases the `k`-th job from the end. Jobs are handed over by address:
            // a copy would retain them, a write to the very lines being asked for.
            for step in -stages..<count {
                jobs.withUnsafeBufferPointer { waiting in
                    stagesDue(at: step, of: count) { j, stage in prepare(waiting.baseAddress! + (count - 1 - j), stage) }
                }
                if step >= 0 { _ = jobs.popLast() }
            }
        }
    }

    /// The stages to ask for at `step` (`-stages ..< count`) of a pass over `count` jobs that
    /// handles the `step`-th job: stage `s` of job `j` at step `j - stages + s`, so its first
    /// stage `stages` steps before its turn and its last one step before.
    @inline(__always)
    private func stagesDue(at step: Int, of count: Int, _ body: (_ job: Int, _ stage: Int) -> Void) {
        for stage in 0..<stages {
            let j = step + stages - stage
            if j >= 0 && j < count { body(j, stage) }
        }
    }

    /// Runs every job submitted so far and stops the thread; returns when all are done.
    func finish() {
        lock.withLock {
            queueOpenBatch()
            closed = true
            lock.signal(.produced)
        }
        if let thread { pthread_join(thread, nil) }
        thread = nil
        lock.withLock { retired = [] }
    }

    /// Moves the open batch to the queue, waiting for room (with the lock held).
    private func queueOpenBatch() {
        while queued.count >= Self.maxQueuedBatches { lock.wait(for: .consumed) }
        // While this waited, the worker may have taken the open batch itself.
        guard !batch.isEmpty else { return }
        queued.append(batch)
        batch = []
        batch.reserveCapacity(Self.batchSize)
        lock.signal(.produced)
    }

    /// The next jobs to run, in submission order, or nil when closed and all are done.
    /// `done` (the jobs that just ran) is retired first; when the submitting thread has not
    /// come back for them in a while (a live capture gone quiet), the retired batches are
    /// moved to `overflow`, for the worker to release itself.
    private func nextJobs(retiring done: inout [Job], overflow: inout [[Job]]) -> [Job]? {
        lock.lock()
        defer { lock.unlock() }
        if !done.isEmpty {
            if retired.count >= Self.maxQueuedBatches { swap(&overflow, &retired) }
            retired.append(done)
            done = []
        }
        var waitedForOpenBatch = false
        var caughtUp = false
        while true {
            if !queued.isEmpty {
                // One batch at a time, so that what waits plus what runs stays within the bound.
                let jobs = queued.removeFirst()
                lock.signal(.consumed)
                return jobs
            }
            // Nothing queued: the open batch holds the newest jobs, so taking it keeps the order.
            if !batch.isEmpty && (closed || waitedForOpenBatch) {
                let jobs = batch
                batch = []
                return jobs
            }
            if closed { return nil }
            if let whenIdle, !caughtUp {
                // Once per wait for work: everything handed over so far has run.
                caughtUp = true
                lock.unlock()
                whenIdle()
                lock.lock()
                continue
            }
            // Woken by a full batch, or after the delay to take a partial one.
            if !lock.wait(for: .produced, nanoseconds: Self.openBatchDelay) { waitedForOpenBatch = true }
        }
    }

    private func runLoop() {
        var done: [Job] = []
        while true {
            var overflow: [[Job]] = []
            let next = nextJobs(retiring: &done, overflow: &overflow)
            // Released here, outside the lock.
            withExtendedLifetime(overflow) {}
            guard let jobs = next else { break }
            if let prepare, stages > 0 {
                // The jobs' objects were last written on the submitting thread's CPU: they are
                // asked for ahead as in `release` (`stagesDue`). (In profiles of a capture of
                // many short connections, this thread's time fell by a tenth.)
                let count = jobs.count
                jobs.withUnsafeBufferPointer { waiting in
                    for step in -stages..<count {
                        stagesDue(at: step, of: count) { j, stage in prepare(waiting.baseAddress! + j, stage) }
                        if step >= 0 { run(waiting[step]) }
                    }
                }
            } else {
                for job in jobs { run(job) }
            }
            done = jobs
        }
        whenIdle?()
    }
}
