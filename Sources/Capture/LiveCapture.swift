// Live capture: one libpcap handle per interface, read without blocking.
//
// Design note
// -----------
// `rdpdiag live` must run the same flow tracker as `analyze` and still expire
// idle connections when no packet arrives. So the capture never blocks for
// long: every handle is put in non-blocking mode and `next(timeoutMilliseconds:)`
// either returns a frame at once or waits in poll(2) on all handles' selectable
// descriptors (plus an optional wake descriptor, the signal self-pipe) for at
// most the given time and returns `.timeout`. Under constant traffic it also
// returns `.timeout` every `tickIntervalMilliseconds` (clock read every 64
// frames), so the caller's loop needs no clock of its own:
//
//     capture.wakeDescriptor = signals.wakeDescriptor
//     loop: while true {
//         switch capture.next(timeoutMilliseconds: 100) {
//         case .frame(let frame, _):
//             tracker.ingest(frame)                      // same code path as analyze
//             // evidence: pool.record(frame, connection: id) via a tracker hook
//         case .timeout:
//             let events = signals.take()
//             if events.stop { break loop }
//             if events.reopen { try? output.reopen() }
//             // Live timestamps are CLOCK_REALTIME: idle connections expire by the clock.
//             tracker.advance(to: LiveCapture.currentTime())
//             if statsDue { counters.interfaces = capture.stats(); print summary; write metrics }
//         case .failed(let error, _):
//             report; stop when no interface is alive
//         }
//     }
//     tracker.finishAll(reason: .endOfCapture)        // flush every open connection
//     final summary, exit 0
//
// - Immediate mode (default): packets are handed over as they arrive, so the
//   reports follow the wire closely. On Linux it makes libpcap use TPACKET_V2,
//   whose fixed-size ring slots hold far fewer packets per MiB than V3: see
//   `LiveCaptureOptions.immediate` before choosing `--buffer-mb`.
// - Nanosecond timestamps when the platform offers them, else microseconds;
//   frames carry `CaptureTime` either way.
// - Several interfaces: handles are read round-robin with a small burst per
//   handle, so a busy interface cannot starve a quiet one. Frames of different
//   interfaces are not merged by time; the flow tracker tolerates slightly
//   out-of-order times. Capturing on both sides of a router sees each packet
//   twice (once per interface): pick the interfaces so each packet is seen once.
// - Kernel counters (`pcap_stats`) are 32-bit and cumulative in libpcap;
//   `stats()` widens them to 64 bits across wraps, so call it at least once per
//   2^32 packets (every stats interval does).
// - Frame bytes are borrowed from libpcap until the next call to `next`, the
//   same contract as `CaptureReader`.
import CPcap

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How live handles are opened.
public struct LiveCaptureOptions: Sendable {
    /// Bytes kept of each packet. The default keeps whole packets even with
    /// GRO/TSO offloads (up to 64 KiB segments), as tcpdump does.
    public var snapLength = 262_144
    /// Kernel ring size per handle (`--buffer-mb`).
    public var bufferBytes = 32 * 1024 * 1024
    /// Promiscuous mode is not needed on a gateway (routed packets are its own);
    /// it is off unless asked for, and needs CAP_NET_ADMIN.
    public var promiscuous = false
    /// libpcap's read timeout; irrelevant in immediate mode, set for platforms
    /// that ignore immediate mode.
    public var readTimeoutMilliseconds: Int32 = 100
    /// Deliver packets as they arrive. On Linux, libpcap then uses TPACKET_V2,
    /// whose ring has fixed-size slots sized for the largest packet (64 KiB and
    /// more when the interface has GRO/TSO offloads): a 32 MiB ring then holds
    /// only a few hundred packets, so size `bufferBytes` for bursts (watch the
    /// kernel drop counter). Without it libpcap uses TPACKET_V3 (variable-size
    /// slots in blocks, far denser) and delivers a block when it fills or after
    /// `readTimeoutMilliseconds`: reports then lag by up to that timeout, which
    /// `rdpdiag live` can afford (it reports connections when they end).
    public var immediate = true
    /// BPF filter (tcpdump syntax), installed on every handle; nil captures all.
    public var filter: String?

    public init(snapLength: Int = 262_144, bufferBytes: Int = 32 * 1024 * 1024, promiscuous: Bool = false,
                filter: String? = nil) {
        self.snapLength = snapLength
        self.bufferBytes = bufferBytes
        self.promiscuous = promiscuous
        self.filter = filter
    }
}

/// What one call to `LiveCapture.next` gave.
public enum LiveOutcome {
    /// A frame (bytes borrowed until the next call) and the index of its interface.
    case frame(Frame, interface: Int)
    /// Nothing to read now: the wait expired, a signal interrupted it or the
    /// wake descriptor became readable. Time to tick.
    case timeout
    /// Reading from one interface failed (it went away or down); that handle is
    /// no longer polled. Other interfaces keep working.
    case failed(CaptureError, interface: Int)
}

/// Kernel counters of one interface since it was opened.
public struct LiveInterfaceStats: Sendable, Equatable {
    public var interface: String
    /// Packets that passed the filter (Linux: seen by the packet socket).
    public var received: UInt64 = 0
    /// Dropped because the ring buffer was full: raise `--buffer-mb` if this grows.
    public var dropped: UInt64 = 0
    /// Dropped by the interface or its driver (not every platform reports it).
    public var interfaceDropped: UInt64 = 0

    public init(interface: String) { self.interface = interface }
}

/// Live capture on one or more interfaces (`any` is libpcap's pseudo-interface
/// for all of them, with LINUX_SLL headers).
public final class LiveCapture {
    /// One opened interface.
    public struct Interface: Sendable {
        public var name: String
        public var linkType: LinkType
        /// False when the platform gave microsecond timestamps only.
        public var nanosecondTimestamps: Bool
    }

    public let interfaces: [Interface]
    /// Warnings from `pcap_activate` (e.g. promiscuous mode not supported), one line each.
    public let warnings: [String]
    /// A descriptor whose readability ends the wait in `next` (e.g. the read end
    /// of a signal self-pipe). The capture never reads it; the caller drains it.
    public var wakeDescriptor: Int32 = -1
    /// Frames delivered so far (frame numbers are 1-based across all interfaces).
    public private(set) var framesRead = 0

    private var handles: [OpaquePointer]
    private var descriptors: [Int32]
    private var alive: [Bool]
    private var counters: [LiveInterfaceStats]
    private var lastRaw: [(recv: UInt32, drop: UInt32, ifdrop: UInt32)]
    private var pollSet: [pollfd]
    private var cursor = 0
    private var burst = 0
    /// Frames read from one handle before the next gets a turn.
    private static let burstLimit = 64

    /// Opens and activates every interface, installs `options.filter` on each
    /// and switches them to non-blocking mode. Nothing stays open on failure.
    public init(interfaces names: [String], options: LiveCaptureOptions = LiveCaptureOptions()) throws(CaptureError) {
        var unique: [String] = []
        for name in names where !unique.contains(name) { unique.append(name) }
        guard !unique.isEmpty else {
            throw .activateFailed(interface: "", reason: "no interface given")
        }
        if unique.count > 1 && unique.contains("any") {
            throw .activateFailed(interface: "any", reason: "'any' already captures every interface; give it alone")
        }
        var opened: [(OpaquePointer, Interface, Int32)] = []
        var warnings: [String] = []
        for name in unique {
            do throws(CaptureError) {
                let (handle, interface, descriptor, warning) = try LiveCapture.open(name, options: options)
                opened.append((handle, interface, descriptor))
                if let warning { warnings.append("interface \(name): \(warning)") }
            } catch {
                for (handle, _, _) in opened { pcap_close(handle) }
                throw error
            }
        }
        handles = opened.map(\.0)
        interfaces = opened.map(\.1)
        descriptors = opened.map(\.2)
        alive = Array(repeating: true, count: opened.count)
        counters = unique.map { LiveInterfaceStats(interface: $0) }
        lastRaw = Array(repeating: (0, 0, 0), count: opened.count)
        pollSet = []
        self.warnings = warnings
    }

    deinit {
        for handle in handles { pcap_close(handle) }
    }

    /// Under constant traffic, `next` still returns `.timeout` about this often
    /// (checked every `clockCheckFrames` frames), so the caller's tick runs
    /// whether or not the interfaces are ever idle. 0 disables it.
    public var tickIntervalMilliseconds: Int64 = 100
    private static let clockCheckFrames = 64
    private var framesSinceClockCheck = 0
    private var nextTick: Int64 = 0

    /// The next frame from any interface, or `.timeout` after waiting up to
    /// `timeoutMilliseconds` (0 never waits) for one, or when a tick is due
    /// (`tickIntervalMilliseconds`).
    public func next(timeoutMilliseconds: Int32 = 100) -> LiveOutcome {
        framesSinceClockCheck += 1
        if tickIntervalMilliseconds > 0 && framesSinceClockCheck >= LiveCapture.clockCheckFrames {
            framesSinceClockCheck = 0
            if LiveCapture.monotonicNanoseconds() >= nextTick { return tickNow() }
        }
        if let outcome = readAny() { return outcome }
        if timeoutMilliseconds <= 0 || !wait(timeoutMilliseconds) { return tickNow() }
        return readAny() ?? tickNow()
    }

    private func tickNow() -> LiveOutcome {
        framesSinceClockCheck = 0
        nextTick = LiveCapture.monotonicNanoseconds() &+ tickIntervalMilliseconds &* CaptureTime.millisecond
        return .timeout
    }

    static func monotonicNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * CaptureTime.second + Int64(ts.tv_nsec)
    }

    /// One non-blocking read round over the handles, starting where the last one left off.
    private func readAny() -> LiveOutcome? {
        let count = handles.count
        for step in 0..<count {
            let index = (cursor + step) % count
            guard alive[index] else { continue }
            var header: UnsafeMutablePointer<pcap_pkthdr>?
            var data: UnsafePointer<UInt8>?
            let rc = pcap_next_ex(handles[index], &header, &data)
            if rc == 1, let header, let data {
                if index == cursor {
                    burst += 1
                    if burst >= LiveCapture.burstLimit { burst = 0; cursor = (index + 1) % count }
                } else {
                    burst = 1
                    cursor = index
                }
                let h = header.pointee
                let fraction = Int64(h.ts.tv_usec)
                let time = CaptureTime(seconds: Int64(h.ts.tv_sec),
                                       nanoseconds: interfaces[index].nanosecondTimestamps ? fraction : fraction * 1000)
                framesRead += 1
                let frame = Frame(number: framesRead, time: time, linkType: interfaces[index].linkType,
                                  originalLength: Int(h.len),
                                  bytes: UnsafeRawBufferPointer(start: data, count: Int(h.caplen)))
                return .frame(frame, interface: index)
            }
            if rc < 0 {
                alive[index] = false
                let reason = String(cString: pcap_geterr(handles[index]))
                return .failed(.captureFailed(interface: interfaces[index].name, reason: reason), interface: index)
            }
        }
        return nil
    }

    /// Waits for a readable handle or the wake descriptor; false on timeout, a
    /// signal or a readable wake descriptor (the caller should tick first).
    private func wait(_ timeoutMilliseconds: Int32) -> Bool {
        pollSet.removeAll(keepingCapacity: true)
        for (index, descriptor) in descriptors.enumerated() where alive[index] {
            pollSet.append(pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0))
        }
        if wakeDescriptor >= 0 { pollSet.append(pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0)) }
        if pollSet.isEmpty {
            // Every interface failed: sleep rather than spin, the caller sees the failures.
            var request = timespec(tv_sec: Int(timeoutMilliseconds / 1000), tv_nsec: Int(timeoutMilliseconds % 1000) * 1_000_000)
            _ = nanosleep(&request, nil)
            return false
        }
        let rc = pollSet.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), timeoutMilliseconds) }
        guard rc > 0 else { return false }
        if wakeDescriptor >= 0, let last = pollSet.last, last.revents != 0 { return false }
        return true
    }

    /// Kernel counters per interface, widened to 64 bits.
    public func stats() -> [LiveInterfaceStats] {
        for index in handles.indices where alive[index] {
            var raw = pcap_stat()
            guard pcap_stats(handles[index], &raw) == 0 else { continue }
            // libpcap's counters are u_int and wrap; add the wrapped difference.
            let last = lastRaw[index]
            counters[index].received &+= UInt64(UInt32(truncatingIfNeeded: raw.ps_recv) &- last.recv)
            counters[index].dropped &+= UInt64(UInt32(truncatingIfNeeded: raw.ps_drop) &- last.drop)
            counters[index].interfaceDropped &+= UInt64(UInt32(truncatingIfNeeded: raw.ps_ifdrop) &- last.ifdrop)
            lastRaw[index] = (UInt32(truncatingIfNeeded: raw.ps_recv), UInt32(truncatingIfNeeded: raw.ps_drop),
                              UInt32(truncatingIfNeeded: raw.ps_ifdrop))
        }
        return counters
    }

    /// Whether the interface at `index` is still being read.
    public func isAlive(_ index: Int) -> Bool { alive[index] }

    // MARK: opening

    private static func open(_ name: String, options: LiveCaptureOptions)
        throws(CaptureError) -> (OpaquePointer, Interface, Int32, String?) {
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        guard let handle = pcap_create(name, &errbuf) else {
            throw .activateFailed(interface: name, reason: errorText(errbuf))
        }
        var ok = false
        defer { if !ok { pcap_close(handle) } }
        _ = pcap_set_snaplen(handle, Int32(clamping: options.snapLength))
        _ = pcap_set_promisc(handle, options.promiscuous ? 1 : 0)
        _ = pcap_set_timeout(handle, options.readTimeoutMilliseconds)
        _ = pcap_set_buffer_size(handle, Int32(clamping: options.bufferBytes))
        _ = pcap_set_immediate_mode(handle, options.immediate ? 1 : 0)
        // Unsupported precision fails here (PCAP_ERROR_TSTAMP_PRECISION_NOTSUP), not at activation:
        // then libpcap stays on microseconds, which is what we read back below.
        _ = pcap_set_tstamp_precision(handle, Int32(PCAP_TSTAMP_PRECISION_NANO))
        let status = pcap_activate(handle)
        var warning: String?
        if status < 0 {
            throw activationError(interface: name, status: status, message: String(cString: pcap_geterr(handle)))
        } else if status > 0 {
            let text = String(cString: pcap_geterr(handle))
            warning = text.isEmpty || status != PCAP_WARNING ? String(cString: pcap_statustostr(status)) : text
        }
        let linkType = LinkType(rawValue: pcap_datalink(handle))
        guard linkType.isSupported else {
            throw .unsupportedLinkType(file: "interface \(name)", linkType: linkType.rawValue)
        }
        if let filter = options.filter, !filter.isEmpty {
            try PcapFileReader.install(filter: filter, on: handle)
        }
        if pcap_setnonblock(handle, 1, &errbuf) != 0 {
            throw .activateFailed(interface: name, reason: "cannot switch to non-blocking mode: \(errorText(errbuf))")
        }
        let descriptor = pcap_get_selectable_fd(handle)
        guard descriptor >= 0 else {
            throw .activateFailed(interface: name, reason: "libpcap offers no pollable descriptor on this platform")
        }
        let nano = pcap_get_tstamp_precision(handle) == Int32(PCAP_TSTAMP_PRECISION_NANO)
        ok = true
        return (handle, Interface(name: name, linkType: linkType, nanosecondTimestamps: nano), descriptor, warning)
    }

    /// The hint printed when the process may not capture.
    public static let privilegeHint = "needs CAP_NET_RAW and CAP_NET_ADMIN: run as root or "
        + "`setcap cap_net_raw,cap_net_admin=eip $(which rdpdiag)`"

    /// Maps a negative `pcap_activate` status (and libpcap's message) to a clear error.
    public static func activationError(interface: String, status: Int32, message: String) -> CaptureError {
        let lower = message.lowercased()
        switch status {
        case PCAP_ERROR_NO_SUCH_DEVICE:
            return .noSuchInterface(interface: interface, available: availableInterfaces())
        case PCAP_ERROR_PERM_DENIED, PCAP_ERROR_PROMISC_PERM_DENIED:
            return .permissionDenied(interface: interface, hint: privilegeHint + detail(message))
        case PCAP_ERROR_IFACE_NOT_UP:
            return .interfaceDown(interface: interface)
        default:
            // Older libpcap versions report these as the generic PCAP_ERROR.
            if lower.contains("operation not permitted") || lower.contains("permission denied") {
                return .permissionDenied(interface: interface, hint: privilegeHint + detail(message))
            }
            if lower.contains("no such device") {
                return .noSuchInterface(interface: interface, available: availableInterfaces())
            }
            let reason = message.isEmpty ? String(cString: pcap_statustostr(status)) : message
            return .activateFailed(interface: interface, reason: reason)
        }
    }

    private static func detail(_ message: String) -> String { message.isEmpty ? "" : " (libpcap: \(message))" }

    /// Names of the interfaces libpcap can open (for "no such interface" messages).
    public static func availableInterfaces() -> [String] {
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        var list: UnsafeMutablePointer<pcap_if_t>?
        guard pcap_findalldevs(&list, &errbuf) == 0 else { return [] }
        defer { pcap_freealldevs(list) }
        var names: [String] = []
        var item = list
        while let current = item {
            if let name = current.pointee.name { names.append(String(cString: name)) }
            item = current.pointee.next
        }
        return names
    }

    /// The wall clock as a capture time, for ticks: live timestamps come from the
    /// same clock (CLOCK_REALTIME), so idle timeouts compare like with like.
    public static func currentTime() -> CaptureTime {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return CaptureTime(seconds: Int64(ts.tv_sec), nanoseconds: Int64(ts.tv_nsec))
    }
}

/// libpcap's error buffer as text.
func errorText(_ buffer: [CChar]) -> String {
    buffer.withUnsafeBufferPointer { pointer in
        guard let base = pointer.baseAddress else { return "" }
        return String(cString: base)
    }
}
