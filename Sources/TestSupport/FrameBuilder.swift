import Capture
import Wire

/// TCP options to put in a built segment.
public struct BuiltTCPOptions: Sendable {
    public var mss: UInt16?
    public var windowScale: UInt8?
    public var sackPermitted = false
    public var timestamps: (value: UInt32, echo: UInt32)?
    public var sackBlocks: [(UInt32, UInt32)] = []

    public init(mss: UInt16? = nil, windowScale: UInt8? = nil, sackPermitted: Bool = false,
                timestamps: (value: UInt32, echo: UInt32)? = nil, sackBlocks: [(UInt32, UInt32)] = []) {
        self.mss = mss
        self.windowScale = windowScale
        self.sackPermitted = sackPermitted
        self.timestamps = timestamps
        self.sackBlocks = sackBlocks
    }

    /// What Linux sends on a SYN: MSS, SACK permitted, timestamps, window scale.
    public static func linuxSYN(mss: UInt16 = 1460, tsval: UInt32 = 1000) -> BuiltTCPOptions {
        BuiltTCPOptions(mss: mss, windowScale: 7, sackPermitted: true, timestamps: (tsval, 0))
    }

    /// What Windows sends on a SYN: MSS, window scale, SACK permitted (no timestamps).
    public static func windowsSYN(mss: UInt16 = 1460) -> BuiltTCPOptions {
        BuiltTCPOptions(mss: mss, windowScale: 8, sackPermitted: true)
    }

    /// Encoded option bytes, NOP-padded to a multiple of 4.
    public var encoded: [UInt8] {
        var o: [UInt8] = []
        if let mss { o += [2, 4, UInt8(mss >> 8), UInt8(mss & 0xFF)] }
        if sackPermitted { o += [4, 2] }
        if let ts = timestamps { o += [8, 10] + be32(ts.value) + be32(ts.echo) }
        if let windowScale { o += [1, 3, 3, windowScale] }
        if !sackBlocks.isEmpty {
            o += [1, 1, 5, UInt8(2 + 8 * sackBlocks.count)]
            for (l, r) in sackBlocks { o += be32(l) + be32(r) }
        }
        while o.count % 4 != 0 { o.append(1) }
        return o
    }
}

@inline(__always) func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }
@inline(__always) func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

/// The IP-level fields of a built packet.
public struct IPFields: Sendable {
    public var ttl: UInt8
    public var identification: UInt16
    public var dontFragment: Bool

    public init(ttl: UInt8 = 64, identification: UInt16 = 0, dontFragment: Bool = true) {
        self.ttl = ttl
        self.identification = identification
        self.dontFragment = dontFragment
    }
}

/// Builds link, IP, TCP, UDP and ICMP headers into byte arrays, with correct
/// lengths and checksums, so that tests and the benchmark generator write
/// captures that libpcap, tshark and rdpdiag read like real ones.
public enum FrameBuilder {
    // MARK: transport

    public static func tcpSegment(source: Endpoint, destination: Endpoint, sequence: UInt32, acknowledgment: UInt32,
                                  flags: TCPFlags, window: UInt16 = 64240, options: BuiltTCPOptions = BuiltTCPOptions(),
                                  payload: [UInt8] = []) -> [UInt8] {
        let opts = options.encoded
        let headerLength = 20 + opts.count
        var s: [UInt8] = []
        s.reserveCapacity(headerLength + payload.count)
        s += be16(source.port) + be16(destination.port) + be32(sequence) + be32(acknowledgment)
        s.append(UInt8(headerLength / 4) << 4 | UInt8(flags.rawValue >> 8 & 1))
        s.append(UInt8(flags.rawValue & 0xFF))
        s += be16(window) + [0, 0] + [0, 0]
        s += opts
        s += payload
        let sum = transportChecksum(s, source: source.address, destination: destination.address, protocolNumber: 6)
        s[16] = UInt8(sum >> 8)
        s[17] = UInt8(sum & 0xFF)
        return s
    }

    public static func udpDatagram(source: Endpoint, destination: Endpoint, payload: [UInt8]) -> [UInt8] {
        var s = be16(source.port) + be16(destination.port) + be16(UInt16(8 + payload.count)) + [0, 0] + payload
        let sum = transportChecksum(s, source: source.address, destination: destination.address, protocolNumber: 17)
        s[6] = UInt8(sum >> 8)
        s[7] = UInt8(sum & 0xFF)
        return s
    }

    // MARK: IP

    /// An IP packet (v4 or v6 by the addresses) around a transport payload.
    public static func ip(source: IPAddress, destination: IPAddress, protocolNumber: UInt8, fields: IPFields = IPFields(),
                          transport: [UInt8]) -> [UInt8] {
        source.isIPv6 ? ipv6(source: source, destination: destination, nextHeader: protocolNumber, hopLimit: fields.ttl, payload: transport)
            : ipv4(source: source, destination: destination, protocolNumber: protocolNumber, fields: fields, payload: transport)
    }

    public static func ipv4(source: IPAddress, destination: IPAddress, protocolNumber: UInt8, fields: IPFields = IPFields(),
                            fragmentOffset: Int = 0, moreFragments: Bool = false, payload: [UInt8]) -> [UInt8] {
        var h: [UInt8] = [0x45, 0]
        h += be16(UInt16(truncatingIfNeeded: 20 + payload.count))
        h += be16(fields.identification)
        var frag = UInt16(fragmentOffset / 8)
        if fields.dontFragment { frag |= 0x4000 }
        if moreFragments { frag |= 0x2000 }
        h += be16(frag)
        h += [fields.ttl, protocolNumber, 0, 0]
        h += be32(UInt32(truncatingIfNeeded: source.low)) + be32(UInt32(truncatingIfNeeded: destination.low))
        let sum = onesComplement(h, initial: 0)
        h[10] = UInt8(sum >> 8)
        h[11] = UInt8(sum & 0xFF)
        return h + payload
    }

    public static func ipv6(source: IPAddress, destination: IPAddress, nextHeader: UInt8, hopLimit: UInt8 = 64,
                            extensionHeaders: [UInt8] = [], payload: [UInt8]) -> [UInt8] {
        var h: [UInt8] = [0x60, 0, 0, 0]
        h += be16(UInt16(truncatingIfNeeded: extensionHeaders.count + payload.count))
        h += [nextHeader, hopLimit]
        h += address16(source) + address16(destination)
        return h + extensionHeaders + payload
    }

    static func address16(_ a: IPAddress) -> [UInt8] {
        be32(UInt32(a.high >> 32)) + be32(UInt32(a.high & 0xFFFF_FFFF)) + be32(UInt32(a.low >> 32)) + be32(UInt32(a.low & 0xFFFF_FFFF))
    }

    // MARK: ICMP

    /// An ICMP (v4) or ICMPv6 error quoting `offending` (an IP packet), sent by `from` to the offending packet's source.
    public static func icmpError(from router: IPAddress, quoting offending: [UInt8], type: UInt8, code: UInt8,
                                 mtu: UInt32 = 0, fields: IPFields = IPFields()) -> [UInt8] {
        let isV6 = router.isIPv6
        let quoteLength = isV6 ? min(offending.count, 1232) : min(offending.count, 28)
        var body: [UInt8] = [type, code, 0, 0]
        if isV6 {
            body += be32(type == 2 ? mtu : 0)
        } else {
            body += [0, 0] + be16(type == 3 && code == 4 ? UInt16(mtu) : 0)
        }
        body += offending[0..<quoteLength]
        // The offending packet's source gets the error.
        let destination: IPAddress = isV6
            ? IPAddress.load6(offending, at: 8)
            : IPAddress(ipv4: UInt32(offending[12]) << 24 | UInt32(offending[13]) << 16 | UInt32(offending[14]) << 8 | UInt32(offending[15]))
        let sum = isV6 ? transportChecksum(body, source: router, destination: destination, protocolNumber: 58)
            : onesComplement(body, initial: 0)
        body[2] = UInt8(sum >> 8)
        body[3] = UInt8(sum & 0xFF)
        return ip(source: router, destination: destination, protocolNumber: isV6 ? 58 : 1, fields: fields, transport: body)
    }

    // MARK: link layers

    public static let clientMAC: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01]
    public static let serverMAC: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02]

    /// Ethernet II; `vlans` are 802.1Q tags outermost first, `qinq` makes the outer tag 802.1ad.
    public static func ethernet(_ ipPacket: [UInt8], vlans: [UInt16] = [], qinq: Bool = false,
                                source: [UInt8] = clientMAC, destination: [UInt8] = serverMAC) -> [UInt8] {
        var f = destination + source
        for (i, vid) in vlans.enumerated() {
            f += be16(i == 0 && qinq ? 0x88A8 : 0x8100) + be16(vid)
        }
        f += be16(etherType(ipPacket))
        f += ipPacket
        // Ethernet pads to 60 bytes without the FCS; the IP total length tells the decoder where IP ends.
        while f.count < 60 { f.append(0) }
        return f
    }

    public static func sll(_ ipPacket: [UInt8], packetType: UInt16 = 0) -> [UInt8] {
        be16(packetType) + be16(1) + be16(6) + clientMAC + [0, 0] + be16(etherType(ipPacket)) + ipPacket
    }

    public static func sll2(_ ipPacket: [UInt8], interfaceIndex: UInt32 = 2, packetType: UInt8 = 0) -> [UInt8] {
        be16(etherType(ipPacket)) + [0, 0] + be32(interfaceIndex) + be16(1) + [packetType, 6] + clientMAC + [0, 0] + ipPacket
    }

    /// BSD loopback (DLT_NULL) in little-endian host order, AF_INET 2 / AF_INET6 30 (macOS).
    public static func null(_ ipPacket: [UInt8]) -> [UInt8] {
        let family: UInt32 = ipPacket.first.map { $0 >> 4 == 6 } == true ? 30 : 2
        return [UInt8(family & 0xFF), UInt8(family >> 8 & 0xFF), 0, 0] + ipPacket
    }

    /// Wraps an IP packet for `linkType`.
    public static func frame(_ ipPacket: [UInt8], linkType: LinkType) -> [UInt8] {
        switch linkType.rawValue {
        case 1: return ethernet(ipPacket)
        case 113: return sll(ipPacket)
        case 276: return sll2(ipPacket)
        case 0: return null(ipPacket)
        case 108: return [0, 0, 0, ipPacket.first.map { $0 >> 4 == 6 } == true ? 24 : 2] + ipPacket
        default: return ipPacket
        }
    }

    static func etherType(_ ipPacket: [UInt8]) -> UInt16 {
        ipPacket.first.map { $0 >> 4 == 6 } == true ? 0x86DD : 0x0800
    }

    // MARK: checksums

    static func onesComplement(_ bytes: [UInt8], initial: UInt32) -> UInt16 {
        var sum = initial
        var i = 0
        while i + 1 < bytes.count {
            sum += UInt32(bytes[i]) << 8 | UInt32(bytes[i + 1])
            i += 2
        }
        if i < bytes.count { sum += UInt32(bytes[i]) << 8 }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        return ~UInt16(sum)
    }

    static func transportChecksum(_ segment: [UInt8], source: IPAddress, destination: IPAddress, protocolNumber: UInt8) -> UInt16 {
        var pseudo: UInt32 = 0
        func add(_ words: [UInt8]) {
            var i = 0
            while i + 1 < words.count { pseudo += UInt32(words[i]) << 8 | UInt32(words[i + 1]); i += 2 }
        }
        if source.isIPv6 {
            add(address16(source))
            add(address16(destination))
            add(be32(UInt32(segment.count)))
            add([0, 0, 0, protocolNumber])
        } else {
            add(be32(UInt32(truncatingIfNeeded: source.low)))
            add(be32(UInt32(truncatingIfNeeded: destination.low)))
            add([0, protocolNumber])
            add(be16(UInt16(truncatingIfNeeded: segment.count)))
        }
        return onesComplement(segment, initial: pseudo)
    }
}

extension IPAddress {
    static func load6(_ bytes: [UInt8], at offset: Int) -> IPAddress {
        var hi: UInt64 = 0, lo: UInt64 = 0
        for i in 0..<8 { hi = hi << 8 | UInt64(bytes[offset + i]) }
        for i in 8..<16 { lo = lo << 8 | UInt64(bytes[offset + i]) }
        return IPAddress(ipv6High: hi, low: lo)
    }
}
