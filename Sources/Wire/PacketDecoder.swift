import Capture

/// Zero-copy decoding of link, IP and transport headers.
///
/// One bounds check per header, then unaligned loads: this runs for every
/// frame of a capture. Malformed or cut headers give `.malformed(code)`,
/// never a trap.
public enum PacketDecoder {
    /// Deepest stack of 802.1Q/802.1ad tags followed; more is reported as `vlan_too_deep`.
    public static let maxVLANs = 4
    /// IPv6 extension headers followed before giving up (RFC 8200 expects few).
    public static let maxIPv6Extensions = 8

    @inline(__always) static func be16(_ b: UnsafeRawBufferPointer, _ i: Int) -> UInt16 {
        UInt16(bigEndian: b.loadUnaligned(fromByteOffset: i, as: UInt16.self))
    }

    @inline(__always) static func be32(_ b: UnsafeRawBufferPointer, _ i: Int) -> UInt32 {
        UInt32(bigEndian: b.loadUnaligned(fromByteOffset: i, as: UInt32.self))
    }

    /// Decodes `bytes` captured with `linkType` into `packet`.
    @inlinable
    public static func decode(_ bytes: UnsafeRawBufferPointer, linkType: LinkType, into packet: inout DecodedPacket) -> DecodeStatus {
        packet.vlanCount = 0
        packet.cookedPacketType = nil
        packet.cookedInterface = nil
        switch linkType.rawValue {
        case 1: return decodeEthernet(bytes, into: &packet)
        case 113: return decodeSLL(bytes, into: &packet)
        case 276: return decodeSLL2(bytes, into: &packet)
        case 12, 14, 101: return decodeIP(bytes, at: 0, version: nil, into: &packet)
        case 228: return decodeIP(bytes, at: 0, version: 4, into: &packet)
        case 229: return decodeIP(bytes, at: 0, version: 6, into: &packet)
        case 0: return decodeNull(bytes, networkOrder: false, into: &packet)
        case 108: return decodeNull(bytes, networkOrder: true, into: &packet)
        default: return .notIP
        }
    }

    // MARK: link layers

    /// Ethernet II with any stack of 802.1Q (0x8100), 802.1ad (0x88A8) or
    /// pre-standard QinQ (0x9100) tags.
    @usableFromInline
    static func decodeEthernet(_ b: UnsafeRawBufferPointer, into packet: inout DecodedPacket) -> DecodeStatus {
        guard b.count >= 14 else { return .malformed(.linkHeaderTruncated) }
        return decodeEtherType(be16(b, 12), b, at: 14, into: &packet)
    }

    @usableFromInline
    static func decodeEtherType(_ first: UInt16, _ b: UnsafeRawBufferPointer, at start: Int, into packet: inout DecodedPacket) -> DecodeStatus {
        var etherType = first
        var offset = start
        while etherType == 0x8100 || etherType == 0x88A8 || etherType == 0x9100 {
            guard packet.vlanCount < maxVLANs else { return .malformed(.vlanTooDeep) }
            guard b.count >= offset + 4 else { return .malformed(.linkHeaderTruncated) }
            let vid = be16(b, offset) & 0x0FFF
            if packet.vlanCount == 0 { packet.outerVLAN = vid } else { packet.innerVLAN = vid }
            packet.vlanCount += 1
            etherType = be16(b, offset + 2)
            offset += 4
        }
        switch etherType {
        case 0x0800: return decodeIP(b, at: offset, version: 4, into: &packet)
        case 0x86DD: return decodeIP(b, at: offset, version: 6, into: &packet)
        default: return .notIP
        }
    }

    /// Linux cooked capture v1: 16-byte header, protocol at offset 14.
    @usableFromInline
    static func decodeSLL(_ b: UnsafeRawBufferPointer, into packet: inout DecodedPacket) -> DecodeStatus {
        guard b.count >= 16 else { return .malformed(.linkHeaderTruncated) }
        packet.cookedPacketType = UInt8(truncatingIfNeeded: be16(b, 0))
        return decodeEtherType(be16(b, 14), b, at: 16, into: &packet)
    }

    /// Linux cooked capture v2 (`tcpdump -i any` since libpcap 1.10): 20-byte header, protocol first.
    @usableFromInline
    static func decodeSLL2(_ b: UnsafeRawBufferPointer, into packet: inout DecodedPacket) -> DecodeStatus {
        guard b.count >= 20 else { return .malformed(.linkHeaderTruncated) }
        packet.cookedInterface = be32(b, 4)
        packet.cookedPacketType = b[10]
        return decodeEtherType(be16(b, 0), b, at: 20, into: &packet)
    }

    /// BSD loopback: a 4-byte address family, in the capturing host's byte
    /// order (NULL) or network order (LOOP). AF_INET is 2 everywhere; AF_INET6
    /// is 24, 28 or 30 depending on the BSD, 10 on Linux.
    @usableFromInline
    static func decodeNull(_ b: UnsafeRawBufferPointer, networkOrder: Bool, into packet: inout DecodedPacket) -> DecodeStatus {
        guard b.count >= 4 else { return .malformed(.linkHeaderTruncated) }
        var family = be32(b, 0)
        if !networkOrder && family > 0xFFFF { family = family.byteSwapped }
        switch family {
        case 2: return decodeIP(b, at: 4, version: 4, into: &packet)
        case 10, 24, 28, 30: return decodeIP(b, at: 4, version: 6, into: &packet)
        default: return .notIP
        }
    }

    // MARK: IP

    @usableFromInline
    static func decodeIP(_ b: UnsafeRawBufferPointer, at offset: Int, version expected: UInt8?, into packet: inout DecodedPacket) -> DecodeStatus {
        guard b.count > offset else {
            return .malformed(expected == 6 ? .ipv6HeaderTruncated : .ipv4HeaderTruncated)
        }
        let version = b[offset] >> 4
        if let expected, expected != version { return .malformed(.ipVersionMismatch) }
        switch version {
        case 4: return decodeIPv4(b, at: offset, into: &packet)
        case 6: return decodeIPv6(b, at: offset, into: &packet)
        default: return expected == nil ? .notIP : .malformed(.ipVersionMismatch)
        }
    }

    /// IPv4 (RFC 791). Total length 0 (TSO on the capturing host) or larger
    /// than the frame is accepted; smaller than the frame means link padding,
    /// which is cut off.
    @usableFromInline
    static func decodeIPv4(_ b: UnsafeRawBufferPointer, at o: Int, into packet: inout DecodedPacket) -> DecodeStatus {
        guard b.count >= o + 20 else { return .malformed(.ipv4HeaderTruncated) }
        let ihl = Int(b[o] & 0x0F) * 4
        guard ihl >= 20 else { return .malformed(.ipv4BadHeaderLength) }
        guard b.count >= o + ihl else { return .malformed(.ipv4HeaderTruncated) }
        var total = Int(be16(b, o + 2))
        if total == 0 { total = b.count - o }
        guard total >= ihl else { return .malformed(.ipv4BadTotalLength) }
        let fragment = be16(b, o + 6)
        packet.ip.version = 4
        packet.ip.trafficClass = b[o + 1]
        packet.ip.identification = UInt32(be16(b, o + 4))
        packet.ip.dontFragment = fragment & 0x4000 != 0
        packet.ip.fragmentOffset = Int(fragment & 0x1FFF) * 8
        packet.ip.isFragment = fragment & 0x2000 != 0 || packet.ip.fragmentOffset != 0
        packet.ip.ttl = b[o + 8]
        packet.ip.protocolNumber = b[o + 9]
        packet.ip.source = IPAddress.load(ipv4: b, at: o + 12)
        packet.ip.destination = IPAddress.load(ipv4: b, at: o + 16)
        packet.ip.headerOffset = o
        packet.ip.headerLength = ihl
        packet.ip.totalLength = total
        let end = min(b.count, o + total)
        if packet.ip.fragmentOffset != 0 {
            packet.transport = .fragment
            setPayload(&packet, start: o + ihl, end: end, wireEnd: o + total)
            return .ip
        }
        return decodeTransport(b, protocolNumber: packet.ip.protocolNumber, at: o + ihl, end: end, wireEnd: o + total, into: &packet)
    }

    /// IPv6 (RFC 8200), walking hop-by-hop, routing, destination options,
    /// fragment and AH headers to the transport header.
    @usableFromInline
    static func decodeIPv6(_ b: UnsafeRawBufferPointer, at o: Int, into packet: inout DecodedPacket) -> DecodeStatus {
        guard b.count >= o + 40 else { return .malformed(.ipv6HeaderTruncated) }
        var payloadLength = Int(be16(b, o + 4))
        // Jumbograms and TSO captures show 0: take what was captured.
        if payloadLength == 0 { payloadLength = b.count - o - 40 }
        let wireEnd = o + 40 + payloadLength
        let end = min(b.count, wireEnd)
        packet.ip.version = 6
        packet.ip.trafficClass = UInt8(truncatingIfNeeded: be16(b, o) >> 4)
        packet.ip.ttl = b[o + 7]
        packet.ip.identification = 0
        packet.ip.dontFragment = true // IPv6 routers never fragment
        packet.ip.isFragment = false
        packet.ip.fragmentOffset = 0
        packet.ip.source = IPAddress.load(ipv6: b, at: o + 8)
        packet.ip.destination = IPAddress.load(ipv6: b, at: o + 24)
        packet.ip.headerOffset = o
        packet.ip.totalLength = 40 + payloadLength
        var next = b[o + 6]
        var offset = o + 40
        var walked = 0
        while true {
            switch next {
            case 0, 43, 60: // hop-by-hop, routing, destination options
                guard end >= offset + 8 else { return .malformed(.ipv6ExtensionTruncated) }
                let length = (Int(b[offset + 1]) + 1) * 8
                guard end >= offset + length else { return .malformed(.ipv6ExtensionTruncated) }
                next = b[offset]
                offset += length
            case 44: // fragment
                guard end >= offset + 8 else { return .malformed(.ipv6ExtensionTruncated) }
                let field = be16(b, offset + 2)
                packet.ip.fragmentOffset = Int(field & 0xFFF8)
                packet.ip.isFragment = true
                packet.ip.identification = be32(b, offset + 4)
                next = b[offset]
                offset += 8
                if packet.ip.fragmentOffset != 0 {
                    packet.ip.protocolNumber = next
                    packet.ip.headerLength = offset - o
                    packet.transport = .fragment
                    setPayload(&packet, start: offset, end: end, wireEnd: wireEnd)
                    return .ip
                }
            case 51: // authentication header: length in 4-byte units, minus 2
                guard end >= offset + 8 else { return .malformed(.ipv6ExtensionTruncated) }
                let length = (Int(b[offset + 1]) + 2) * 4
                guard end >= offset + length else { return .malformed(.ipv6ExtensionTruncated) }
                next = b[offset]
                offset += length
            default:
                packet.ip.protocolNumber = next
                packet.ip.headerLength = offset - o
                return decodeTransport(b, protocolNumber: next, at: offset, end: end, wireEnd: wireEnd, into: &packet)
            }
            walked += 1
            if walked > maxIPv6Extensions { return .malformed(.ipv6TooManyExtensions) }
        }
    }

    @inline(__always)
    static func setPayload(_ packet: inout DecodedPacket, start: Int, end: Int, wireEnd: Int) {
        packet.payloadOffset = start
        packet.payloadLength = max(0, end - start)
        packet.payloadWireLength = max(0, wireEnd - start)
    }

    // MARK: transport

    @usableFromInline
    static func decodeTransport(_ b: UnsafeRawBufferPointer, protocolNumber: UInt8, at o: Int, end: Int, wireEnd: Int, into packet: inout DecodedPacket) -> DecodeStatus {
        switch protocolNumber {
        case 6: return decodeTCP(b, at: o, end: end, wireEnd: wireEnd, into: &packet)
        case 17:
            guard end >= o + 8 else { return .malformed(.udpHeaderTruncated) }
            packet.transport = .udp
            packet.udp.sourcePort = be16(b, o)
            packet.udp.destinationPort = be16(b, o + 2)
            packet.udp.length = be16(b, o + 4)
            setPayload(&packet, start: o + 8, end: end, wireEnd: wireEnd)
            return .ip
        case 1: return decodeICMP(b, at: o, end: end, wireEnd: wireEnd, version: 4, into: &packet)
        case 58: return decodeICMP(b, at: o, end: end, wireEnd: wireEnd, version: 6, into: &packet)
        default:
            packet.transport = .other
            setPayload(&packet, start: o, end: end, wireEnd: wireEnd)
            return .ip
        }
    }

    /// TCP (RFC 9293 §3.1) with its options.
    @usableFromInline
    static func decodeTCP(_ b: UnsafeRawBufferPointer, at o: Int, end: Int, wireEnd: Int, into packet: inout DecodedPacket) -> DecodeStatus {
        guard end >= o + 20 else { return .malformed(.tcpHeaderTruncated) }
        let headerLength = Int(b[o + 12] >> 4) * 4
        guard headerLength >= 20 else { return .malformed(.tcpBadDataOffset) }
        guard wireEnd >= o + headerLength else { return .malformed(.tcpBadDataOffset) }
        guard end >= o + headerLength else { return .malformed(.tcpHeaderTruncated) }
        packet.transport = .tcp
        packet.tcp.sourcePort = be16(b, o)
        packet.tcp.destinationPort = be16(b, o + 2)
        packet.tcp.sequence = be32(b, o + 4)
        packet.tcp.acknowledgment = be32(b, o + 8)
        packet.tcp.flags = TCPFlags(rawValue: be16(b, o + 12) & 0x01FF)
        packet.tcp.window = be16(b, o + 14)
        packet.tcp.urgentPointer = be16(b, o + 18)
        packet.tcp.headerLength = headerLength
        packet.tcp.options = TCPOptions()
        if headerLength > 20 {
            parseTCPOptions(b, from: o + 20, to: o + headerLength, into: &packet.tcp.options)
        }
        setPayload(&packet, start: o + headerLength, end: end, wireEnd: wireEnd)
        return .ip
    }

    @usableFromInline
    static func parseTCPOptions(_ b: UnsafeRawBufferPointer, from start: Int, to end: Int, into options: inout TCPOptions) {
        var i = start
        while i < end {
            let kind = b[i]
            if kind == 0 { break }            // end of option list
            if kind == 1 { i += 1; continue } // no-operation
            guard i + 1 < end else { options.malformed = true; return }
            let length = Int(b[i + 1])
            guard length >= 2, i + length <= end else { options.malformed = true; return }
            if kind < 32 { options.kinds |= 1 << UInt32(kind) }
            switch (kind, length) {
            case (2, 4): options.mss = be16(b, i + 2)
            case (3, 3): options.windowScale = b[i + 2]
            case (4, 2): options.sackPermitted = true
            case (5, _): options.sackBlocks = UInt8(truncatingIfNeeded: (length - 2) / 8)
            case (8, 10):
                options.hasTimestamps = true
                options.timestampValue = be32(b, i + 2)
                options.timestampEcho = be32(b, i + 6)
            default: break
            }
            i += length
        }
    }

    /// ICMP (RFC 792) and ICMPv6 (RFC 4443). Error messages quote the IP header
    /// and at least 8 bytes of the offending packet; those are decoded so the
    /// error can be matched to its flow.
    @usableFromInline
    static func decodeICMP(_ b: UnsafeRawBufferPointer, at o: Int, end: Int, wireEnd: Int, version: UInt8, into packet: inout DecodedPacket) -> DecodeStatus {
        guard end >= o + 8 else { return .malformed(.icmpTruncated) }
        packet.transport = version == 4 ? .icmp : .icmpv6
        var icmp = ICMPMessage()
        icmp.version = version
        icmp.type = b[o]
        icmp.code = b[o + 1]
        if version == 4 {
            switch icmp.type {
            case 3, 4, 5, 11, 12: icmp.isError = true // unreachable, quench, redirect, time exceeded, parameter problem
            default: icmp.isError = false
            }
            if icmp.type == 3 && icmp.code == 4 { icmp.mtu = UInt32(be16(b, o + 6)) }
        } else {
            icmp.isError = icmp.type >= 1 && icmp.type <= 4
            if icmp.type == 2 { icmp.mtu = be32(b, o + 4) }
        }
        if icmp.isError {
            icmp.quoted = decodeQuoted(b, at: o + 8, end: end, version: version)
        }
        packet.icmp = icmp
        setPayload(&packet, start: o + 8, end: end, wireEnd: wireEnd)
        return .ip
    }

    @usableFromInline
    static func decodeQuoted(_ b: UnsafeRawBufferPointer, at o: Int, end: Int, version: UInt8) -> QuotedPacket? {
        var q = QuotedPacket()
        var transport = 0
        // A later fragment carries no transport header: its first bytes are data, not ports.
        var laterFragment = false
        if version == 4 {
            guard end >= o + 20, b[o] >> 4 == 4 else { return nil }
            let ihl = Int(b[o] & 0x0F) * 4
            guard ihl >= 20 else { return nil }
            q.protocolNumber = b[o + 9]
            q.source = IPAddress.load(ipv4: b, at: o + 12)
            q.destination = IPAddress.load(ipv4: b, at: o + 16)
            laterFragment = be16(b, o + 6) & 0x1FFF != 0
            transport = o + ihl
        } else {
            guard end >= o + 40, b[o] >> 4 == 6 else { return nil }
            q.source = IPAddress.load(ipv6: b, at: o + 8)
            q.destination = IPAddress.load(ipv6: b, at: o + 24)
            var next = b[o + 6]
            var offset = o + 40
            var walked = 0
            while (next == 0 || next == 43 || next == 60 || next == 44) && walked < maxIPv6Extensions {
                guard end >= offset + 8 else { break }
                if next == 44 && be16(b, offset + 2) & 0xFFF8 != 0 { laterFragment = true }
                let length = next == 44 ? 8 : (Int(b[offset + 1]) + 1) * 8
                next = b[offset]
                offset += length
                walked += 1
            }
            q.protocolNumber = next
            transport = offset
        }
        if laterFragment { return q }
        if end >= transport + 4 {
            q.hasPorts = true
            q.sourcePort = be16(b, transport)
            q.destinationPort = be16(b, transport + 2)
        }
        if q.protocolNumber == 6 && end >= transport + 8 {
            q.hasSequence = true
            q.sequence = be32(b, transport + 4)
        }
        return q
    }
}
