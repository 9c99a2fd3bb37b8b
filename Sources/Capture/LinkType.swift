/// A libpcap link-layer header type (LINKTYPE_* / DLT_* values as libpcap reports them).
public struct LinkType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// BSD loopback: a 4-byte address family in the capturing host's byte order.
    public static let null = LinkType(rawValue: 0)
    public static let ethernet = LinkType(rawValue: 1)
    /// Raw IP as libpcap reports it on Linux (DLT_RAW is 12 on most BSDs, 14 on OpenBSD).
    public static let raw = LinkType(rawValue: 12)
    public static let rawOpenBSD = LinkType(rawValue: 14)
    /// OpenBSD loopback: address family in network byte order.
    public static let loop = LinkType(rawValue: 108)
    /// LINKTYPE_RAW as stored in files.
    public static let rawFile = LinkType(rawValue: 101)
    public static let linuxSLL = LinkType(rawValue: 113)
    public static let ipv4 = LinkType(rawValue: 228)
    public static let ipv6 = LinkType(rawValue: 229)
    public static let linuxSLL2 = LinkType(rawValue: 276)

    /// The link types the decoder understands.
    public static let supported: [LinkType] = [.null, .ethernet, .raw, .rawOpenBSD, .loop, .rawFile, .linuxSLL, .ipv4, .ipv6, .linuxSLL2]

    public var isSupported: Bool { LinkType.supported.contains(self) }

    /// The name libpcap and Wireshark use (LINKTYPE_ without the prefix).
    public var name: String {
        switch rawValue {
        case 0: return "NULL"
        case 1: return "ETHERNET"
        case 12, 14, 101: return "RAW"
        case 108: return "LOOP"
        case 113: return "LINUX_SLL"
        case 228: return "IPV4"
        case 229: return "IPV6"
        case 276: return "LINUX_SLL2"
        default: return "LINKTYPE_\(rawValue)"
        }
    }

    public var description: String { name }
}
