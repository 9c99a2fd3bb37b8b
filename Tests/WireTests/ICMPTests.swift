import Capture
import Testing
import TestSupport
import Wire

/// ICMP "fragmentation needed" (RFC 792, next-hop MTU per RFC 1191 §4) from a
/// router 192.0.2.254 to 10.0.0.1, quoting the IP header and first 8 TCP bytes
/// of `handIPv4TCP`. Hand-written; checksums are zero (the decoder does not check them).
let handFragmentationNeeded = hex([
    // IPv4
    "45 00 0038",         // +0  IHL 5, total length 56 = 20 + 8 ICMP + 28 quoted
    "0000 0000",          // +4  ID 0, no flags
    "fe 01 0000",         // +8  TTL 254, ICMP, checksum
    "c00002fe 0a000001",  // +12 192.0.2.254 → 10.0.0.1
    // ICMP
    "03 04",              // +20 type 3 destination unreachable, code 4 fragmentation needed and DF set
    "0000",               // +22 checksum
    "0000 0578",          // +24 unused, next-hop MTU 1400
    // quoted datagram: handIPv4TCP bytes 0..<28
    "4500002c12344000 8006d495 0a000001 0a000002",  // +28 quoted IPv4 header 10.0.0.1 → 10.0.0.2
    "c350 0d3d 11223344",                           // +48 quoted TCP ports 50000 → 3389, sequence
])

func icmp4(type: UInt8, code: UInt8, mtu: UInt32 = 0, quoting offending: [UInt8]) -> [UInt8] {
    FrameBuilder.icmpError(from: IPAddress("192.0.2.254")!, quoting: offending, type: type, code: code, mtu: mtu)
}

func icmp6(type: UInt8, code: UInt8, mtu: UInt32 = 0, quoting offending: [UInt8]) -> [UInt8] {
    FrameBuilder.icmpError(from: IPAddress("2001:db8:ffff::1")!, quoting: offending, type: type, code: code, mtu: mtu)
}

let offending4 = FrameBuilder.ipv4(source: client4.address, destination: server4.address, protocolNumber: 6,
                                   payload: FrameBuilder.tcpSegment(source: client4, destination: server4, sequence: 0x0A0B_0C0D,
                                                                    acknowledgment: 0, flags: .syn, options: .windowsSYN()))
let offending6 = FrameBuilder.ipv6(source: client6.address, destination: server6.address, nextHeader: 6,
                                   payload: FrameBuilder.tcpSegment(source: client6, destination: server6, sequence: 0xF0E0_D0C0,
                                                                    acknowledgment: 0, flags: .syn, options: .linuxSYN()))

@Suite struct ICMPTests {
    @Test func handWrittenFragmentationNeeded() throws {
        let (status, p) = decode(hex(["020000000001 020000000003 0800"]) + handFragmentationNeeded, .ethernet)
        try #require(status == .ip)
        #expect(p.transport == .icmp)
        #expect(p.icmp.version == 4 && p.icmp.type == 3 && p.icmp.code == 4)
        #expect(p.icmp.isError)
        #expect(p.icmp.mtu == 1400)
        let q = try #require(p.icmp.quoted)
        #expect(q.source.description == "10.0.0.1" && q.destination.description == "10.0.0.2")
        #expect(q.protocolNumber == 6)
        #expect(q.hasPorts && q.sourcePort == 50000 && q.destinationPort == 3389)
        #expect(q.hasSequence && q.sequence == 0x1122_3344)
        #expect(p.payloadOffset == 14 + 28 && p.payloadLength == 28)
    }

    @Test func adminProhibitedQuotesTheFlow() throws {
        let packet = icmp4(type: 3, code: 13, quoting: offending4)
        let (status, p) = decode(FrameBuilder.sll(packet), .linuxSLL)
        try #require(status == .ip)
        #expect(p.ip.source.description == "192.0.2.254" && p.ip.destination.description == "10.0.0.1")
        #expect(p.transport == .icmp && p.icmp.type == 3 && p.icmp.code == 13 && p.icmp.isError)
        #expect(p.icmp.mtu == 0)
        let q = try #require(p.icmp.quoted)
        #expect(q.source == client4.address && q.destination == server4.address)
        #expect(q.sourcePort == 50000 && q.destinationPort == 3389)
        #expect(q.hasSequence && q.sequence == 0x0A0B_0C0D)
    }

    @Test(arguments: [576, 1280, 1400, 65535] as [UInt32])
    func fragmentationNeededCarriesTheMTU(mtu: UInt32) throws {
        let (status, p) = decode(icmp4(type: 3, code: 4, mtu: mtu, quoting: offending4), .rawFile)
        try #require(status == .ip)
        #expect(p.icmp.mtu == mtu)
        #expect(p.icmp.quoted?.sequence == 0x0A0B_0C0D)
    }

    @Test(arguments: [1280, 1400, 9000, 0x0001_0000] as [UInt32])
    func ipv6PacketTooBig(mtu: UInt32) throws {
        let (status, p) = decode(FrameBuilder.ethernet(icmp6(type: 2, code: 0, mtu: mtu, quoting: offending6)), .ethernet)
        try #require(status == .ip)
        #expect(p.transport == .icmpv6)
        #expect(p.icmp.version == 6 && p.icmp.type == 2 && p.icmp.isError)
        #expect(p.icmp.mtu == mtu)
        let q = try #require(p.icmp.quoted)
        #expect(q.source == client6.address && q.destination == server6.address)
        #expect(q.protocolNumber == 6)
        #expect(q.sourcePort == 50000 && q.destinationPort == 3389)
        #expect(q.hasSequence && q.sequence == 0xF0E0_D0C0)
    }

    @Test func ipv6AdminProhibited() throws {
        let (status, p) = decode(icmp6(type: 1, code: 1, quoting: offending6), .ipv6)
        try #require(status == .ip)
        #expect(p.icmp.type == 1 && p.icmp.code == 1 && p.icmp.isError && p.icmp.mtu == 0)
        let q = try #require(p.icmp.quoted)
        #expect(q.destination == server6.address && q.destinationPort == 3389 && q.sequence == 0xF0E0_D0C0)
    }

    @Test func ipv6QuoteWithAFragmentHeader() throws {
        let segment = FrameBuilder.tcpSegment(source: client6, destination: server6, sequence: 5, acknowledgment: 0, flags: .syn)
        let offending = ipv6(extensions: Ext.fragment(next: 6, offset: 0, more: true, id: 1), first: 44, transport: segment)
        let (status, p) = decode(icmp6(type: 1, code: 4, quoting: offending), .ipv6)
        try #require(status == .ip)
        let q = try #require(p.icmp.quoted)
        #expect(q.protocolNumber == 6 && q.destinationPort == 3389 && q.sequence == 5)
    }

    @Test(arguments: [(4, 8 as UInt8), (4, 0), (6, 128), (6, 129)] as [(Int, UInt8)])
    func echoIsNotAnError(version: Int, type: UInt8) throws {
        // Echo request/reply: 8 bytes of header then data that must not be read as a quote.
        let body: [UInt8] = [type, 0, 0, 0, 0x12, 0x34, 0, 1] + Array(offending4.prefix(28))
        let packet = version == 4
            ? FrameBuilder.ip(source: client4.address, destination: server4.address, protocolNumber: 1, transport: body)
            : FrameBuilder.ip(source: client6.address, destination: server6.address, protocolNumber: 58, transport: body)
        let (status, p) = decode(packet, .rawFile)
        try #require(status == .ip)
        #expect(p.transport == (version == 4 ? .icmp : .icmpv6))
        #expect(p.icmp.type == type)
        #expect(!p.icmp.isError)
        #expect(p.icmp.quoted == nil)
        #expect(p.icmp.mtu == 0)
    }

    @Test func shortQuotes() throws {
        // RFC 792 asks for the IP header plus 8 bytes; some senders quote less.
        func quoted(_ n: Int) throws -> QuotedPacket? {
            let packet = icmp4(type: 3, code: 1, quoting: Array(offending4.prefix(n)))
            let (status, p) = decode(packet, .rawFile)
            try #require(status == .ip)
            #expect(p.icmp.isError)
            return p.icmp.quoted
        }
        let four = try #require(try quoted(24))
        #expect(four.hasPorts && four.sourcePort == 50000 && four.destinationPort == 3389)
        #expect(!four.hasSequence)
        let two = try #require(try quoted(22))
        #expect(two.source == client4.address && !two.hasPorts && !two.hasSequence)
        #expect(try quoted(19) == nil)
        // The same for ICMPv6: fewer than 40 bytes cannot hold the IPv6 header.
        let packet6 = icmp6(type: 1, code: 3, quoting: Array(offending6.prefix(44)))
        let (status6, p6) = decode(packet6, .rawFile)
        try #require(status6 == .ip)
        let q6 = try #require(p6.icmp.quoted)
        #expect(q6.hasPorts && !q6.hasSequence)
        let (_, short6) = decode(icmp6(type: 1, code: 3, quoting: Array(offending6.prefix(39))), .rawFile)
        #expect(short6.icmp.isError && short6.icmp.quoted == nil)
    }

    @Test func quoteOfTheWrongVersionIsIgnored() throws {
        // An ICMPv4 error quoting an IPv6 header (a broken middlebox) gives no quote.
        let (status, p) = decode(icmp4(type: 3, code: 3, quoting: offending6), .rawFile)
        try #require(status == .ip)
        #expect(p.icmp.isError && p.icmp.quoted == nil)
    }

    @Test func icmpShorterThanItsHeaderIsTruncated() {
        let packet = Array(handFragmentationNeeded.prefix(27))
        #expect(decode(packet, .rawFile).0 == .malformed(.icmpTruncated))
    }
}

@Suite struct ICMPEdgeTests {
    /// A quote of a later IP fragment holds payload bytes where a transport
    /// header would be: they must not be read as ports and a sequence number,
    /// or the error is matched to a flow it has nothing to do with.
    @Test func quoteOfALaterIPv4FragmentHasNoPorts() throws {
        let fragment = FrameBuilder.ipv4(source: client4.address, destination: server4.address, protocolNumber: 6,
                                         fields: IPFields(identification: 9, dontFragment: false), fragmentOffset: 1480,
                                         payload: [0x0D, 0x3D, 0xC3, 0x50, 1, 2, 3, 4])
        let (status, p) = decode(icmp4(type: 11, code: 1, quoting: fragment), .rawFile)
        try #require(status == .ip)
        let q = try #require(p.icmp.quoted)
        #expect(q.source == client4.address && q.destination == server4.address && q.protocolNumber == 6)
        #expect(!q.hasPorts && !q.hasSequence)
    }

    @Test func quoteOfALaterIPv6FragmentHasNoPorts() throws {
        let fragment = ipv6(extensions: Ext.fragment(next: 6, offset: 1448, more: false, id: 1), first: 44,
                            transport: [0x0D, 0x3D, 0xC3, 0x50, 1, 2, 3, 4])
        let (status, p) = decode(icmp6(type: 3, code: 1, quoting: fragment), .ipv6)
        try #require(status == .ip)
        let q = try #require(p.icmp.quoted)
        #expect(q.source == client6.address && q.protocolNumber == 6)
        #expect(!q.hasPorts && !q.hasSequence)
    }

    /// Under a snap length the ICMP message is cut like any other payload:
    /// the wire length still says how much the packet carried.
    @Test func snapLengthCutICMPKeepsItsWireLength() throws {
        let big = FrameBuilder.ipv6(source: client6.address, destination: server6.address, nextHeader: 6,
                                    payload: FrameBuilder.tcpSegment(source: client6, destination: server6, sequence: 1, acknowledgment: 1,
                                                                     flags: .ack, payload: [UInt8](repeating: 0x61, count: 1400)))
        let packet = icmp6(type: 2, code: 0, mtu: 1280, quoting: big)
        let cut = Array(packet.prefix(40 + 8 + 40 + 20))
        let (status, p) = decode(cut, .ipv6)
        try #require(status == .ip)
        #expect(p.icmp.mtu == 1280 && p.icmp.quoted?.sequence == 1)
        #expect(p.payloadOffset == 48 && p.payloadLength == 60)
        #expect(p.payloadWireLength == packet.count - 48)
    }
}
