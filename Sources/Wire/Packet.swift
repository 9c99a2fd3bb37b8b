/// Decoded packet headers: plain values, filled in place by `PacketDecoder`.
/// Offsets index the frame's bytes; nothing here owns or copies packet data.

public enum TransportProtocol: UInt8, Sendable {
    case tcp, udp, icmp, icmpv6
    /// A non-first IP fragment: no transport header in this packet.
    case fragment
    case other
}

public struct IPInfo: Sendable {
    public var version: UInt8 = 0
    public var source = IPAddress(ipv4: 0)
    public var destination = IPAddress(ipv4: 0)
    /// TTL (IPv4) or hop limit (IPv6).
    public var ttl: UInt8 = 0
    /// IPv4 identification; for IPv6, the fragment header's identification if present, else 0.
    public var identification: UInt32 = 0
    public var dontFragment = false
    /// True for any fragment: more-fragments set or a non-zero offset.
    public var isFragment = false
    /// Fragment offset in bytes.
    public var fragmentOffset = 0
    /// The transport protocol number (after IPv6 extension headers).
    public var protocolNumber: UInt8 = 0
    /// Offset of the IP header in the frame, and its length including IPv6 extension headers.
    public var headerOffset = 0
    public var headerLength = 0
    /// Length of the datagram as the IP header states it (IPv6: payload length + 40).
    public var totalLength = 0
    /// DSCP/ECN byte (IPv4 TOS, IPv6 traffic class).
    public var trafficClass: UInt8 = 0

    public init() {}
}

public struct TCPFlags: OptionSet, Sendable, Hashable {
    public var rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let fin = TCPFlags(rawValue: 0x001)
    public static let syn = TCPFlags(rawValue: 0x002)
    public static let rst = TCPFlags(rawValue: 0x004)
    public static let psh = TCPFlags(rawValue: 0x008)
    public static let ack = TCPFlags(rawValue: 0x010)
    public static let urg = TCPFlags(rawValue: 0x020)
    public static let ece = TCPFlags(rawValue: 0x040)
    public static let cwr = TCPFlags(rawValue: 0x080)
    public static let ns = TCPFlags(rawValue: 0x100)

    /// tcpdump-style letters: S, F, R, P, ., U, E, W.
    public var letters: String {
        var s = ""
        if contains(.syn) { s += "S" }
        if contains(.fin) { s += "F" }
        if contains(.rst) { s += "R" }
        if contains(.psh) { s += "P" }
        if contains(.urg) { s += "U" }
        if contains(.ece) { s += "E" }
        if contains(.cwr) { s += "W" }
        if contains(.ack) { s += "." }
        return s
    }
}

/// The TCP options the diagnosis uses (RFC 9293, 7323, 2018).
public struct TCPOptions: Sendable, Equatable {
    /// Maximum segment size; 0 when absent.
    public var mss: UInt16 = 0
    /// Window scale shift; nil when absent.
    public var windowScale: UInt8? = nil
    public var sackPermitted = false
    /// Number of SACK blocks carried.
    public var sackBlocks: UInt8 = 0
    public var hasTimestamps = false
    public var timestampValue: UInt32 = 0
    public var timestampEcho: UInt32 = 0
    /// Bit k set when option kind k (< 32) is present: a sender's option signature.
    public var kinds: UInt32 = 0
    /// An option ran past the header or had an impossible length; parsing stopped there.
    public var malformed = false

    public init() {}
}

public struct TCPHeader: Sendable {
    public var sourcePort: UInt16 = 0
    public var destinationPort: UInt16 = 0
    public var sequence: UInt32 = 0
    public var acknowledgment: UInt32 = 0
    public var flags = TCPFlags()
    public var window: UInt16 = 0
    public var urgentPointer: UInt16 = 0
    /// Header length in bytes (data offset × 4).
    public var headerLength = 0
    public var options = TCPOptions()

    public init() {}
}

public struct UDPHeader: Sendable {
    public var sourcePort: UInt16 = 0
    public var destinationPort: UInt16 = 0
    public var length: UInt16 = 0
    public init() {}
}

/// The IP and transport header an ICMP error quotes (RFC 792, RFC 4443 §2.4):
/// enough to match the error to the flow that provoked it.
public struct QuotedPacket: Sendable {
    public var source = IPAddress(ipv4: 0)
    public var destination = IPAddress(ipv4: 0)
    public var protocolNumber: UInt8 = 0
    /// Ports are present when at least 4 bytes of the transport header were quoted.
    public var hasPorts = false
    public var sourcePort: UInt16 = 0
    public var destinationPort: UInt16 = 0
    /// TCP sequence number, present when 8 bytes of a TCP header were quoted.
    public var hasSequence = false
    public var sequence: UInt32 = 0
    public init() {}
}

public struct ICMPMessage: Sendable {
    /// 4 for ICMP, 6 for ICMPv6.
    public var version: UInt8 = 4
    public var type: UInt8 = 0
    public var code: UInt8 = 0
    /// True for the error types that quote the offending packet.
    public var isError = false
    /// Next-hop MTU (ICMP fragmentation needed, ICMPv6 packet too big); 0 otherwise.
    public var mtu: UInt32 = 0
    public var quoted: QuotedPacket? = nil
    public init() {}
}

/// Why a frame could not be decoded. Stable snake_case names: they appear in reports.
public enum DecodeAnomaly: UInt8, CaseIterable, Sendable, CustomStringConvertible {
    case linkHeaderTruncated
    case vlanTooDeep
    case ipv4HeaderTruncated
    case ipv4BadHeaderLength
    case ipv4BadTotalLength
    case ipv6HeaderTruncated
    case ipv6ExtensionTruncated
    case ipv6TooManyExtensions
    case ipVersionMismatch
    case tcpHeaderTruncated
    case tcpBadDataOffset
    case udpHeaderTruncated
    case icmpTruncated

    public var description: String {
        switch self {
        case .linkHeaderTruncated: return "link_header_truncated"
        case .vlanTooDeep: return "vlan_too_deep"
        case .ipv4HeaderTruncated: return "ipv4_header_truncated"
        case .ipv4BadHeaderLength: return "ipv4_bad_header_length"
        case .ipv4BadTotalLength: return "ipv4_bad_total_length"
        case .ipv6HeaderTruncated: return "ipv6_header_truncated"
        case .ipv6ExtensionTruncated: return "ipv6_extension_truncated"
        case .ipv6TooManyExtensions: return "ipv6_too_many_extensions"
        case .ipVersionMismatch: return "ip_version_mismatch"
        case .tcpHeaderTruncated: return "tcp_header_truncated"
        case .tcpBadDataOffset: return "tcp_bad_data_offset"
        case .udpHeaderTruncated: return "udp_header_truncated"
        case .icmpTruncated: return "icmp_truncated"
        }
    }
}

/// The outcome of decoding one frame.
public enum DecodeStatus: Sendable, Equatable {
    /// IP with a decoded transport (see `DecodedPacket.transport`).
    case ip
    /// Not IP (ARP, LLDP, ...): skipped, counted.
    case notIP
    case malformed(DecodeAnomaly)
}

/// Everything decoded from one frame. Reused across frames: `PacketDecoder`
/// overwrites the fields each call, so there is no allocation per packet.
public struct DecodedPacket: Sendable {
    public var ip = IPInfo()
    public var transport = TransportProtocol.other
    public var tcp = TCPHeader()
    public var udp = UDPHeader()
    public var icmp = ICMPMessage()
    /// 802.1Q/802.1ad tags seen, outermost first (VLAN IDs), up to `maxVLANs`.
    /// Linux cooked captures (SLL/SLL2): the packet type (0 to us, 4 outgoing, ...)
    /// and, for SLL2, the interface index. On other link types both are nil.
    /// `tcpdump -i any` on a router sees each forwarded packet twice, once per
    /// interface; these tell the two copies apart.
    public var cookedPacketType: UInt8? = nil
    public var cookedInterface: UInt32? = nil
    public var vlanCount = 0
    public var outerVLAN: UInt16 = 0
    public var innerVLAN: UInt16 = 0
    /// Transport payload: offset into the frame, bytes present in the capture,
    /// and bytes the packet carried on the wire (they differ under a snap length).
    public var payloadOffset = 0
    public var payloadLength = 0
    public var payloadWireLength = 0

    public init() {}
}
