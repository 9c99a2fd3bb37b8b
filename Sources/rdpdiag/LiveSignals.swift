import Capture

#if canImport(Glibc)
import Glibc
#endif

// Signals for `rdpdiag live`, usable from its synchronous capture loop.
//
// The handler only writes the signal number as one byte to a non-blocking
// self-pipe (write(2) is async-signal-safe; no Swift runtime, no locks, no
// shared flag to race on). The loop hands the pipe's read end to
// `LiveCapture.wakeDescriptor`, so a signal ends the poll(2) wait at once, and
// calls `LiveSignals.take()` on every tick to learn what arrived.
//
// SIGINT and SIGTERM ask for a clean stop (flush every open connection, final
// summary, exit 0). After a SIGINT the handler puts its default action back, so
// a second Ctrl-C ends the process at once should the flush hang. SIGTERM keeps
// its handler: supervisors (and `timeout`, which signals both the command and
// its process group) may deliver it twice, and they follow up with SIGKILL
// themselves. SIGHUP asks to reopen `--output` (logrotate), any number of times.

/// Write end of the self-pipe. Set once, before any handler is installed;
/// handlers only read it.
nonisolated(unsafe) private var signalPipeWrite: Int32 = -1

private func handleLiveSignal(_ signal: Int32) {
    let saved = errno
    var byte = UInt8(truncatingIfNeeded: signal)
    // A full pipe (thousands of pending signals) already guarantees a wake-up.
    _ = write(signalPipeWrite, &byte, 1)
    if signal == SIGINT {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = SIG_DFL
        sigemptyset(&action.sa_mask)
        _ = sigaction(signal, &action, nil)
    }
    errno = saved
}

/// What arrived since the last `take()`.
struct LiveSignalEvents: Equatable {
    /// SIGINT or SIGTERM: flush, summarise, exit 0.
    var stop = false
    /// SIGHUP: reopen the output file.
    var reopen = false
    /// The signal that asked to stop (for the final message).
    var stopSignal: Int32?

    var isEmpty: Bool { !stop && !reopen }
}

/// The process's handlers for SIGINT, SIGTERM and SIGHUP (one set per process).
final class LiveSignals {
    /// Read end of the self-pipe: give it to `LiveCapture.wakeDescriptor`.
    let wakeDescriptor: Int32
    private let writeDescriptor: Int32
    private let signals: [Int32]

    nonisolated(unsafe) private static var installed = false

    /// Creates the pipe and installs the handlers. Fails if they are already installed.
    init(signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]) throws(CaptureError) {
        guard !LiveSignals.installed else {
            throw .activateFailed(interface: "", reason: "signal handlers are already installed")
        }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            throw .activateFailed(interface: "", reason: "cannot create the signal pipe: \(String(cString: strerror(errno)))")
        }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        wakeDescriptor = fds[0]
        writeDescriptor = fds[1]
        self.signals = signals
        signalPipeWrite = fds[1]
        // A parent may have started us with these signals blocked (some process
        // launchers do): unblock them, or SIGTERM would never reach the handler.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for signal in signals { sigaddset(&unblock, signal) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        LiveSignals.installed = true
        for signal in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = handleLiveSignal
            sigemptyset(&action.sa_mask)
            // SA_RESTART keeps output writes going; poll(2) still returns on the signal.
            action.sa_flags = SA_RESTART
            _ = sigaction(signal, &action, nil)
        }
    }

    /// Drains the pipe: the signals that arrived since the last call.
    func take() -> LiveSignalEvents {
        var events = LiveSignalEvents()
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(wakeDescriptor, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            for byte in buffer[0..<n] {
                let signal = Int32(byte)
                if signal == SIGHUP {
                    events.reopen = true
                } else if signal == SIGINT || signal == SIGTERM {
                    events.stop = true
                    if events.stopSignal == nil { events.stopSignal = signal }
                }
            }
        }
        return events
    }

    /// Puts the default actions back and closes the pipe (tests; the CLI just exits).
    func uninstall() {
        for signal in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = SIG_DFL
            sigemptyset(&action.sa_mask)
            _ = sigaction(signal, &action, nil)
        }
        signalPipeWrite = -1
        _ = close(wakeDescriptor)
        _ = close(writeDescriptor)
        LiveSignals.installed = false
    }

    /// The signal's name for messages ("SIGTERM").
    static func name(_ signal: Int32) -> String {
        switch signal {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        case SIGHUP: return "SIGHUP"
        default: return "signal \(signal)"
        }
    }
}

/// Where `rdpdiag live` writes its reports: standard output, or `--output FILE`
/// opened for appending and reopened on SIGHUP (after logrotate moved it).
///
/// Every line goes out in one write(2) with no user-space buffer, so each
/// report is on disk (or in the pipe) as soon as it is written, and with
/// O_APPEND lines from a restart never interleave mid-line. A write error is
/// counted and remembered (`lastError`), never fatal: the caller reports it in
/// the next summary.
final class LiveOutput {
    /// nil for standard output.
    let path: String?
    private var descriptor: Int32
    private(set) var linesWritten = 0
    private(set) var writeErrors = 0
    private(set) var lastError: String?

    /// `path` nil or "-" writes to standard output.
    init(path: String?) throws(CaptureError) {
        if let path, path != "-" {
            self.path = path
            descriptor = try LiveOutput.open(path)
        } else {
            self.path = nil
            descriptor = 1
        }
    }

    deinit { if path != nil { _ = close(descriptor) } }

    private static func open(_ path: String) throws(CaptureError) -> Int32 {
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw .cannotWrite(file: path, reason: String(cString: strerror(errno))) }
        return fd
    }

    /// Reopens the file (SIGHUP). The new file is opened before the old one is
    /// closed, so on failure output keeps going to the old one.
    func reopen() throws(CaptureError) {
        guard let path else { return }
        let fresh = try LiveOutput.open(path)
        _ = close(descriptor)
        descriptor = fresh
    }

    /// Writes `line` and a newline.
    @discardableResult
    func writeLine(_ line: String) -> Bool {
        var text = line
        if !text.hasSuffix("\n") { text += "\n" }
        let ok = text.withUTF8 { buffer -> Bool in
            var offset = 0
            while offset < buffer.count, let base = buffer.baseAddress {
                let n = write(descriptor, base + offset, buffer.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    lastError = "\(path ?? "<stdout>"): \(String(cString: strerror(errno)))"
                    return false
                }
                offset += n
            }
            return true
        }
        if ok { linesWritten += 1 } else { writeErrors += 1 }
        return ok
    }
}
