import CPcap

extension LiveCapture {
    /// The capture filter of `rdpdiag live` when `--filter` is not given: TCP on
    /// the RDP ports (3389 and every `--port`), or all TCP with `--any-port` (RDP
    /// is then found by content), plus the ICMP and ICMPv6 errors that can
    /// quote an RDP connection (unreachable, time exceeded, packet too big).
    ///
    /// Limitations, from how BPF sees packets:
    /// - `icmp6` only matches ICMPv6 directly after the fixed IPv6 header, and
    ///   `ip6[40]` is its type byte there. An ICMPv6 error behind an extension
    ///   header (rare: routers send them without) is not captured.
    /// - `tcp port N` likewise misses IPv6 TCP behind extension headers.
    /// - With `vlan`, the expression is repeated after `vlan` so 802.1Q-tagged
    ///   frames match too where the kernel leaves tags in the packet; Linux
    ///   normally strips them (and libpcap matches either way), so it is off by default.
    public static func defaultFilter(ports: [UInt16], anyPort: Bool = false, vlan: Bool = false) -> String {
        var unique: [UInt16] = [3389]
        for port in ports.sorted() where port != 0 && !unique.contains(port) { unique.append(port) }
        var terms: [String] = anyPort ? ["tcp"] : unique.map { "tcp port \($0)" }
        terms.append("icmp[icmptype] == icmp-unreach")
        terms.append("icmp[icmptype] == icmp-timxceed")
        // ICMPv6 types 1 destination unreachable, 2 packet too big, 3 time exceeded.
        terms.append("(icmp6 and (ip6[40] == 1 or ip6[40] == 2 or ip6[40] == 3))")
        let expression = terms.joined(separator: " or ")
        return vlan ? "(\(expression)) or (vlan and (\(expression)))" : expression
    }
}

/// A compiled BPF filter, for checking `--filter` before any interface is
/// opened and for running a filter over frames in memory (tests).
public final class CaptureFilter {
    public let expression: String
    public let linkType: LinkType
    private let dead: OpaquePointer
    private var program = bpf_program()

    /// Compiles `expression` for `linkType` on a dead handle; fails with libpcap's message.
    public init(_ expression: String, linkType: LinkType = .ethernet, snapLength: Int = 262_144) throws(CaptureError) {
        self.expression = expression
        self.linkType = linkType
        guard let dead = pcap_open_dead(linkType.rawValue, Int32(clamping: snapLength)) else {
            throw .badFilter(filter: expression, reason: "libpcap could not create a handle for link type \(linkType.name)")
        }
        if pcap_compile(dead, &program, expression, 1, PCAP_NETMASK_UNKNOWN) != 0 {
            let reason = String(cString: pcap_geterr(dead))
            pcap_close(dead)
            throw .badFilter(filter: expression, reason: reason)
        }
        self.dead = dead
    }

    deinit {
        pcap_freecode(&program)
        pcap_close(dead)
    }

    /// Whether the filter accepts a frame of this filter's link type.
    public func matches(_ bytes: UnsafeRawBufferPointer, originalLength: Int? = nil) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        var header = pcap_pkthdr()
        header.caplen = UInt32(bytes.count)
        header.len = UInt32(originalLength ?? bytes.count)
        return pcap_offline_filter(&program, &header, base.assumingMemoryBound(to: UInt8.self)) != 0
    }

    public func matches(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes { matches($0) } }
}
