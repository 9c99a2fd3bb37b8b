#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A second thread for the work that follows a connection's end: the summary,
/// the diagnosis and the report. Reading, decoding and reassembly stay on the
/// calling thread; on a capture with many short connections the two halves
/// cost about the same, so an offline run uses both cores.
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

    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let workAvailable: UnsafeMutablePointer<pthread_cond_t>
    private let spaceAvailable: UnsafeMutablePointer<pthread_cond_t>
    // Guarded by `mutex`.
    private var queued: [[Job]] = []
    private var closed = false
    // Only the submitting thread touches the open batch.
    private var batch: [Job] = []
    private var thread: pthread_t?

    init() {
        mutex = .allocate(capacity: 1)
        workAvailable = .allocate(capacity: 1)
        spaceAvailable = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(workAvailable, nil)
        pthread_cond_init(spaceAvailable, nil)
        batch.reserveCapacity(Self.batchSize)
    }

    deinit {
        pthread_cond_destroy(spaceAvailable)
        pthread_cond_destroy(workAvailable)
        pthread_mutex_destroy(mutex)
        spaceAvailable.deallocate()
        workAvailable.deallocate()
        mutex.deallocate()
    }

    /// Starts the thread; false when the system refused one (the caller then runs jobs inline).
    func start() -> Bool {
        let context = Unmanaged.passRetained(self).toOpaque()
        var handle = pthread_t()
        let status = pthread_create(&handle, nil, { raw in
            guard let raw else { return nil }
            let worker = Unmanaged<FinishingWorker>.fromOpaque(raw).takeRetainedValue()
            worker.runLoop()
            return nil
        }, context)
        if status != 0 {
            Unmanaged<FinishingWorker>.fromOpaque(context).release()
            return false
        }
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
        pthread_mutex_lock(mutex)
        closed = true
        pthread_cond_signal(workAvailable)
        pthread_mutex_unlock(mutex)
        if let thread { pthread_join(thread, nil) }
        thread = nil
    }

    private func flush() {
        guard !batch.isEmpty else { return }
        pthread_mutex_lock(mutex)
        while queued.count >= Self.maxQueuedBatches { pthread_cond_wait(spaceAvailable, mutex) }
        queued.append(batch)
        pthread_cond_signal(workAvailable)
        pthread_mutex_unlock(mutex)
        batch = []
        batch.reserveCapacity(Self.batchSize)
    }

    private func runLoop() {
        while true {
            pthread_mutex_lock(mutex)
            while queued.isEmpty && !closed { pthread_cond_wait(workAvailable, mutex) }
            if queued.isEmpty && closed {
                pthread_mutex_unlock(mutex)
                return
            }
            // One batch at a time, so that what waits plus what runs stays within the bound.
            let jobs = queued.removeFirst()
            pthread_cond_signal(spaceAvailable)
            pthread_mutex_unlock(mutex)
            for job in jobs { job() }
        }
    }
}
