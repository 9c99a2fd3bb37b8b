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
final class FinishingWorker: @unchecked Sendable {
    typealias Job = () -> Void

    /// Jobs handed over in batches, so the lock is taken once per batch, not per connection.
    static let batchSize = 32
    /// At most this many batches wait (plus the one running and the one being filled); a
    /// batch holds finished connections with their dissected handshakes (a few KiB each),
    /// so about 512 connections are in flight at most.
    static let maxQueuedBatches = 16

    /// `produced`: a batch waits to be run; `consumed`: the queue has room again.
    private let lock = HandoffLock()
    // Guarded by `lock`.
    private var queued: [[Job]] = []
    private var closed = false
    // Only the submitting thread touches the open batch.
    private var batch: [Job] = []
    private var thread: pthread_t?
    /// Run on the worker's thread each time it has caught up with the submitted jobs,
    /// before it waits for more (the report writer flushes what it holds there).
    let whenIdle: (() -> Void)?

    init(whenIdle: (() -> Void)? = nil) {
        self.whenIdle = whenIdle
        batch.reserveCapacity(Self.batchSize)
    }

    /// Starts the thread; false when the system refused one (the caller then runs jobs inline).
    func start() -> Bool {
        guard let handle = startThread({ [self] in runLoop() }) else { return false }
        thread = handle
        return true
    }

    /// Queues a job (called from the submitting thread only).
    func submit(_ job: @escaping Job) {
        batch.append(job)
        if batch.count >= Self.batchSize { flush() }
    }

    /// Runs every job submitted so far and stops the thread; returns when all are done.
    func finish() {
        flush()
        lock.withLock {
            closed = true
            lock.signal(.produced)
        }
        if let thread { pthread_join(thread, nil) }
        thread = nil
    }

    private func flush() {
        guard !batch.isEmpty else { return }
        lock.withLock {
            while queued.count >= Self.maxQueuedBatches { lock.wait(for: .consumed) }
            queued.append(batch)
            lock.signal(.produced)
        }
        batch = []
        batch.reserveCapacity(Self.batchSize)
    }

    private func runLoop() {
        while true {
            lock.lock()
            if queued.isEmpty, let whenIdle {
                lock.unlock()
                whenIdle()
                lock.lock()
            }
            while queued.isEmpty && !closed { lock.wait(for: .produced) }
            if queued.isEmpty && closed {
                lock.unlock()
                return
            }
            // One batch at a time, so that what waits plus what runs stays within the bound.
            let jobs = queued.removeFirst()
            lock.signal(.consumed)
            lock.unlock()
            for job in jobs { job() }
        }
    }
}
