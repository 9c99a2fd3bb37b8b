import Capture
import Foundation
import Testing
import Wire

#if canImport(Glibc)
import Glibc
#endif

let runningAsRoot = geteuid() == 0
let haveIPTool = FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") || FileManager.default.isExecutableFile(atPath: "/sbin/ip")
let haveBash = FileManager.default.isExecutableFile(atPath: "/bin/bash")

/// Starts `arguments[0]` (a path) with `arguments`, output discarded; returns its pid or nil.
/// posix_spawn + waitpid, not Foundation's Process, whose waitUntilExit can hang in test threads.
func spawn(_ arguments: [String]) -> pid_t? {
    var pid: pid_t = 0
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { for p in argv { free(p) } }
    let rc = posix_spawn(&pid, arguments[0], &actions, nil, &argv, environ)
    return rc == 0 ? pid : nil
}

/// Waits for a child we started; its exit status, or -1.
@discardableResult
func reap(_ pid: pid_t) -> Int32 {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
        if errno != EINTR { return -1 }
    }
    // WIFEXITED / WEXITSTATUS by hand (macros are not imported).
    return status & 0x7F == 0 ? (status >> 8) & 0xFF : -1
}

/// Runs `command` through /bin/sh, bounded by timeout(1); returns the exit status.
@discardableResult
func shell(_ command: String, seconds: Int = 10) -> Int32 {
    guard let pid = spawn(["/usr/bin/timeout", String(seconds), "/bin/sh", "-c", command]) else { return -1 }
    return reap(pid)
}

/// TCP flags of a frame, or nil when it is not TCP.
func tcpFlags(_ frame: Frame) -> TCPFlags? {
    var packet = DecodedPacket()
    guard PacketDecoder.decode(frame.bytes, linkType: frame.linkType, into: &packet) == .ip,
          case .tcp = packet.transport else { return nil }
    return packet.tcp.flags
}

/// A loopback port that nothing listens on: bound (so no one else takes it) but not listening,
/// so a SYN to it is answered with a RST.
final class ClosedPort {
    let socket: Int32
    let port: UInt16

    init?() {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard bound == 0, named == 0 else { close(fd); return nil }
        socket = fd
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit { close(socket) }

    /// Connects to the port once; refused at once by the kernel's RST.
    func connectOnce() -> Int32 {
        let s = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(s) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        address.sin_port = port.bigEndian
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return rc == 0 ? 0 : errno
    }
}

@Suite struct LiveCaptureTests {
    @Test func missingInterfaceIsNamed() {
        do {
            _ = try LiveCapture(interfaces: ["nosuchif0"])
            Issue.record("opened an interface that does not exist")
        } catch {
            switch error {
            case let .noSuchInterface(interface, available):
                #expect(interface == "nosuchif0")
                #expect(error.description.hasPrefix("interface nosuchif0: no such interface"))
                if runningAsRoot { #expect(available.contains("lo")) }
            case .permissionDenied where !runningAsRoot:
                // Without CAP_NET_RAW libpcap fails on the socket before it looks the name up.
                #expect(error.description.contains("CAP_NET_RAW"))
            default:
                Issue.record("unexpected error: \(error)")
            }
        }
    }

    @Test func activationErrorsAreClear() {
        let denied = LiveCapture.activationError(interface: "eth0", status: -8, message: "socket: Operation not permitted")
        guard case .permissionDenied(let interface, let hint) = denied else {
            Issue.record("not permissionDenied: \(denied)")
            return
        }
        #expect(interface == "eth0")
        #expect(hint.contains("CAP_NET_RAW") && hint.contains("CAP_NET_ADMIN") && hint.contains("setcap"))
        #expect(hint.contains("Operation not permitted"))
        // Older libpcap: the generic PCAP_ERROR with errno text.
        if case .permissionDenied = LiveCapture.activationError(interface: "eth0", status: -1, message: "socket: Operation not permitted") {
        } else { Issue.record("generic EPERM not mapped") }
        #expect(LiveCapture.activationError(interface: "eth1", status: -9, message: "") == .interfaceDown(interface: "eth1"))
        #expect(LiveCapture.activationError(interface: "eth1", status: -9, message: "").description.contains("ip link set eth1 up"))
        // Promiscuous mode refused: same capability advice.
        if case .permissionDenied = LiveCapture.activationError(interface: "eth0", status: -11, message: "") {
        } else { Issue.record("promiscuous permission not mapped") }
        let other = LiveCapture.activationError(interface: "wlan0", status: -6, message: "")
        guard case .activateFailed(_, let reason) = other else {
            Issue.record("not activateFailed: \(other)")
            return
        }
        #expect(!reason.isEmpty)
    }

    @Test func anyMustBeAlone() {
        #expect(throws: CaptureError.self) { _ = try LiveCapture(interfaces: ["any", "lo"]) }
        #expect(throws: CaptureError.self) { _ = try LiveCapture(interfaces: []) }
    }

    @Test(.enabled(if: runningAsRoot, "live capture needs CAP_NET_RAW (run the tests as root)"))
    func badFilterFailsBeforeCapture() throws {
        var options = LiveCaptureOptions()
        options.filter = "tcp port ((("
        #expect {
            _ = try LiveCapture(interfaces: ["lo"], options: options)
        } throws: { error in
            if case .badFilter? = error as? CaptureError { return true }
            return false
        }
    }

    @Test func currentTimeIsNow() {
        let now = LiveCapture.currentTime()
        #expect(abs(now.seconds - Int64(time(nil))) <= 2)
    }

    /// Opens `lo` in this process, connects to a closed port and checks that the
    /// SYN and the kernel's RST come out of `LiveCapture`, with a sane time.
    @Test(.enabled(if: runningAsRoot, "live capture needs CAP_NET_RAW (run the tests as root)"),
          .timeLimit(.minutes(1)))
    func loopbackDeliversSYNAndRST() throws {
        let closed = try #require(ClosedPort())
        var options = LiveCaptureOptions()
        options.filter = "tcp port \(closed.port)"
        options.bufferBytes = 1 << 20
        let capture = try LiveCapture(interfaces: ["lo"], options: options)
        #expect(capture.interfaces.map(\.name) == ["lo"])
        #expect(capture.interfaces[0].linkType.isSupported)
        #expect(capture.interfaces[0].nanosecondTimestamps)
        let before = LiveCapture.currentTime()
        // An empty ring: a short wait gives .timeout.
        if case .frame = capture.next(timeoutMilliseconds: 10) { Issue.record("frame before any traffic") }
        #expect(closed.connectOnce() == ECONNREFUSED)

        var sawSYN = false, sawRST = false, frames = 0
        let deadline = before.adding(nanoseconds: 5 * CaptureTime.second)
        while !(sawSYN && sawRST) && LiveCapture.currentTime() < deadline {
            switch capture.next(timeoutMilliseconds: 100) {
            case let .frame(frame, interface):
                frames += 1
                #expect(interface == 0)
                #expect(frame.number == frames)
                #expect(frame.time >= before.adding(nanoseconds: -CaptureTime.second))
                #expect(frame.time <= LiveCapture.currentTime().adding(nanoseconds: CaptureTime.second))
                if let flags = tcpFlags(frame) {
                    if flags.contains(.syn) && !flags.contains(.ack) { sawSYN = true }
                    if flags.contains(.rst) { sawRST = true }
                }
            case .timeout: continue
            case let .failed(error, _): Issue.record("capture failed: \(error)"); return
            }
        }
        #expect(sawSYN)
        #expect(sawRST)
        let stats = capture.stats()
        #expect(stats.count == 1 && stats[0].interface == "lo")
        #expect(stats[0].received >= 2)
        #expect(stats[0].dropped == 0)
    }

    /// Two interfaces at once: `lo` and the host end of a veth pair whose other
    /// end is in a network namespace created here. The namespace end has
    /// 10.199.0.2/30 and a static neighbour for 10.199.0.1, so its SYNs leave
    /// through the veth; the host end has no address and forwarding off, so
    /// nothing goes further (no reply: the SYN is only captured).
    @Test(.enabled(if: runningAsRoot && haveIPTool && haveBash, "needs root, ip(8) and bash to build a namespace"),
          .timeLimit(.minutes(1)))
    func twoInterfacesWithANamespace() throws {
        let tag = getpid() % 100_000
        let namespace = "rdpdiag-test-\(getpid())"
        let host = "rdt\(tag)h", peer = "rdt\(tag)p"
        defer {
            shell("ip netns del \(namespace)")
            shell("ip link del \(host)")
        }
        try #require(shell("ip netns add \(namespace)") == 0)
        try #require(shell("ip link add \(host) type veth peer name \(peer) netns \(namespace)") == 0)
        try #require(shell("sysctl -qw net.ipv4.conf.\(host).forwarding=0 && sysctl -qw net.ipv6.conf.\(host).disable_ipv6=1 && ip link set \(host) up") == 0)
        let mac = try String(contentsOfFile: "/sys/class/net/\(host)/address", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let inside = "ip netns exec \(namespace)"
        try #require(shell("\(inside) ip addr add 10.199.0.2/30 dev \(peer) && \(inside) ip link set \(peer) up"
            + " && \(inside) ip neigh replace 10.199.0.1 lladdr \(mac) dev \(peer) nud permanent") == 0)

        let closed = try #require(ClosedPort())
        var options = LiveCaptureOptions()
        options.filter = "tcp port 3389 or tcp port \(closed.port)"
        options.bufferBytes = 1 << 20
        let capture = try LiveCapture(interfaces: ["lo", host], options: options)
        #expect(capture.interfaces.map(\.name) == ["lo", host])

        // SYNs to 10.199.0.1:3389 from inside the namespace. `ip netns exec` execs bash in the
        // same process (no fork), so killing this pid ends the connect attempt; the test's
        // time limit bounds it otherwise.
        let ip = FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") ? "/usr/sbin/ip" : "/sbin/ip"
        let client = try #require(spawn([ip, "netns", "exec", namespace, "/bin/bash", "-c",
                                         "echo > /dev/tcp/10.199.0.1/3389"]))
        defer {
            kill(client, SIGKILL)
            reap(client)
        }
        #expect(closed.connectOnce() == ECONNREFUSED)

        var perInterface = [0, 0]
        var vethSYN = false, loopbackRST = false
        let deadline = LiveCapture.currentTime().adding(nanoseconds: 6 * CaptureTime.second)
        while !(vethSYN && loopbackRST) && LiveCapture.currentTime() < deadline {
            switch capture.next(timeoutMilliseconds: 100) {
            case let .frame(frame, interface):
                perInterface[interface] += 1
                #expect(frame.linkType == capture.interfaces[interface].linkType)
                guard let flags = tcpFlags(frame) else { continue }
                if interface == 1 && flags.contains(.syn) { vethSYN = true }
                if interface == 0 && flags.contains(.rst) { loopbackRST = true }
            case .timeout: continue
            case let .failed(error, _): Issue.record("capture failed: \(error)"); return
            }
        }
        #expect(vethSYN)
        #expect(loopbackRST)
        let stats = capture.stats()
        #expect(stats.map(\.interface) == ["lo", host])
        #expect(stats[1].received >= 1)
    }

    /// Under constant traffic `next` still returns `.timeout` for the caller's tick.
    @Test(.enabled(if: runningAsRoot, "live capture needs CAP_NET_RAW (run the tests as root)"),
          .timeLimit(.minutes(1)))
    func ticksEvenUnderTraffic() throws {
        let closed = try #require(ClosedPort())
        var options = LiveCaptureOptions()
        options.filter = "tcp port \(closed.port)"
        // Immediate mode's ring has one 64 KiB+ slot per packet on lo (offloads): make room.
        options.bufferBytes = 64 << 20
        let capture = try LiveCapture(interfaces: ["lo"], options: options)
        capture.tickIntervalMilliseconds = 1
        for _ in 0..<100 { _ = closed.connectOnce() }  // 200 frames waiting in the ring
        usleep(20_000)
        var frames = 0, ticksBetweenFrames = 0
        for _ in 0..<190 {
            switch capture.next(timeoutMilliseconds: 0) {
            case .frame: frames += 1
            case .timeout: if frames > 0 { ticksBetweenFrames += 1 }
            case let .failed(error, _): Issue.record("capture failed: \(error)")
            }
        }
        #expect(frames >= 150, "dropped: \(capture.stats()[0].dropped)")
        #expect(ticksBetweenFrames >= 1)
        // Disabled: frames only while the ring has some.
        capture.tickIntervalMilliseconds = 0
        for _ in 0..<50 { _ = closed.connectOnce() }
        usleep(20_000)
        var gotTimeout = false
        for _ in 0..<90 { if case .timeout = capture.next(timeoutMilliseconds: 0) { gotTimeout = true; break } }
        #expect(!gotTimeout)
    }

    /// The wake descriptor ends a long wait at once.
    @Test(.enabled(if: runningAsRoot, "live capture needs CAP_NET_RAW (run the tests as root)"),
          .timeLimit(.minutes(1)))
    func wakeDescriptorEndsTheWait() throws {
        var options = LiveCaptureOptions()
        options.filter = "tcp port 1 and tcp port 2"  // matches nothing
        let capture = try LiveCapture(interfaces: ["lo"], options: options)
        var fds: [Int32] = [-1, -1]
        try #require(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        capture.wakeDescriptor = fds[0]
        var byte: UInt8 = 1
        #expect(write(fds[1], &byte, 1) == 1)
        let start = LiveCapture.currentTime()
        guard case .timeout = capture.next(timeoutMilliseconds: 5_000) else {
            Issue.record("expected .timeout")
            return
        }
        #expect(LiveCapture.currentTime().nanoseconds(since: start) < 2 * CaptureTime.second)
    }
}
