#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A mutex with the two condition variables a bounded hand-over between two
/// threads needs: the consumer waits for something `produced`, the producer for
/// something `consumed` (room). Used by the read-ahead of capture files and by
/// the worker that finishes connections.
public final class HandoffLock: @unchecked Sendable {
    public enum Condition: Int {
        case produced = 0
        case consumed = 1
    }

    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let conditions: UnsafeMutablePointer<pthread_cond_t>

    public init() {
        mutex = .allocate(capacity: 1)
        conditions = .allocate(capacity: 2)
        pthread_mutex_init(mutex, nil)
        // Timed waits count on the monotonic clock, so a change of the system time does not stretch them.
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(conditions, &attributes)
        pthread_cond_init(conditions + 1, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(conditions + 1)
        pthread_cond_destroy(conditions)
        pthread_mutex_destroy(mutex)
        conditions.deallocate()
        mutex.deallocate()
    }

    @inline(__always) public func lock() { pthread_mutex_lock(mutex) }
    @inline(__always) public func unlock() { pthread_mutex_unlock(mutex) }

    /// Waits (holding the lock on return) until `condition` is signalled; callers re-check in a loop.
    public func wait(for condition: Condition) {
        pthread_cond_wait(conditions + condition.rawValue, mutex)
    }

    /// Waits (holding the lock on return) until `condition` is signalled or `nanoseconds`
    /// have passed; false when the time ran out. Callers re-check in a loop.
    public func wait(for condition: Condition, nanoseconds: Int64) -> Bool {
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let total = Int64(deadline.tv_nsec) + nanoseconds
        deadline.tv_sec += Int(total / 1_000_000_000)
        deadline.tv_nsec = Int(total % 1_000_000_000)
        return pthread_cond_timedwait(conditions + condition.rawValue, mutex, &deadline) != ETIMEDOUT
    }

    public func signal(_ condition: Condition) {
        pthread_cond_signal(conditions + condition.rawValue)
    }

    /// Runs `body` with the lock held.
    @inline(__always)
    public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}

/// Runs `body` on a new thread, which holds what `body` captures until it
/// returns; nil when the system refused a thread. Join the handle.
public func startThread(_ body: @escaping @Sendable () -> Void) -> pthread_t? {
    final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let context = Unmanaged.passRetained(Box(body)).toOpaque()
    var handle = pthread_t()
    let status = pthread_create(&handle, nil, { raw in
        guard let raw else { return nil }
        Unmanaged<Box>.fromOpaque(raw).takeRetainedValue().body()
        return nil
    }, context)
    guard status == 0 else {
        Unmanaged<Box>.fromOpaque(context).release()
        return nil
    }
    return handle
}
