import Capture
import Testing
import TestSupport
import Wire

/// What a fixture frame must decode to.
struct ExpectedTCP: Sendable {
    var source: String
    var destination: String
    var sourcePort: UInt16
    var destinationPort: UInt16
    var sequence: UInt32
    var acknowledgment: UInt32
    var flags: TCPFlags
    var ttl: UInt8
    var ipID: UInt32
    var dontFragment: Bool
    var ipHeaderOffset: Int
    var payloadOffset: Int
    var payloadLength: Int
    var vlans: [UInt16] = []
}

struct LinkFixture: Sendable, CustomTestStringConvertible {
    var name: String
    var linkType: LinkType
    var bytes: [UInt8]
    var expected: ExpectedTCP
    var testDescription: String { name }
}

/// The hand-written IPv4 packet's fields, seen behind a link header of `link` bytes.
func handIPv4Expected(link: Int, vlans: [UInt16] = []) -> ExpectedTCP {
    ExpectedTCP(source: "10.0.0.1", destination: "10.0.0.2", sourcePort: 50000, destinationPort: 3389,
                sequence: 0x1122_3344, acknowledgment: 0x5566_7788, flags: [.psh, .ack], ttl: 128, ipID: 0x1234,
                dontFragment: true, ipHeaderOffset: link, payloadOffset: link + 40, payloadLength: 4, vlans: vlans)
}

/// The hand-written IPv6 packet's fields; IPv6 has no IP ID and is never fragmented by routers.
func handIPv6Expected(link: Int) -> ExpectedTCP {
    ExpectedTCP(source: "2001:db8::1", destination: "2001:db8::2", sourcePort: 50000, destinationPort: 3389,
                sequence: 0xA0B0_C0D0, acknowledgment: 0x0102_0304, flags: [.fin, .ack], ttl: 57, ipID: 0,
                dontFragment: true, ipHeaderOffset: link, payloadOffset: link + 60, payloadLength: 4)
}

/// The same loopback SYN (127.0.0.1:58432 → 127.0.0.1:18080) as three link
/// types saw it: recorded on Linux with `tcpdump -i lo` (Ethernet),
/// `tcpdump -i any` (SLL2) and `tcpdump -i any -y LINUX_SLL` during
/// `curl http://127.0.0.1:18080/` against `python3 -m http.server`; frame 1 of each.
let loopbackSYN = hex([
    "4500003c946e4000 4006a84b 7f000001 7f000001",  // IPv4: total 60, ID 0x946e (37998), DF, TTL 64, TCP, 127.0.0.1 → 127.0.0.1
    "e440 46a0",                                    // TCP +0 ports 58432 → 18080
    "d8625c26 00000000",                            // +4 seq 3630324774, ack 0
    "a0 02 ffd7 fe30 0000",                         // +12 data offset 10 (40 bytes), SYN; window 65495; checksum (offloaded); urgent
    "0204ffd7",                                     // +20 MSS 65495
    "0402",                                         // +24 SACK permitted
    "080a58a536eb00000000",                         // +26 timestamps val 1487222507 ecr 0
    "01 03030a",                                    // +36 NOP, window scale 10
])

func loopbackSYNExpected(_ link: Int) -> ExpectedTCP {
    ExpectedTCP(source: "127.0.0.1", destination: "127.0.0.1", sourcePort: 58432, destinationPort: 18080,
                sequence: 3_630_324_774, acknowledgment: 0, flags: .syn, ttl: 64, ipID: 37998, dontFragment: true,
                ipHeaderOffset: link, payloadOffset: link + 60, payloadLength: 0)
}

let linkFixtures: [LinkFixture] = [
    LinkFixture(
        name: "Ethernet, loopback SYN (tcpdump -i lo, frame 1)", linkType: .ethernet,
        bytes: hex([
            "000000000000",  // 0  destination MAC (Linux loopback uses zeros)
            "000000000000",  // 6  source MAC
            "0800",          // 12 EtherType IPv4
        ]) + loopbackSYN,    // 14 IPv4
        expected: loopbackSYNExpected(14)),
    LinkFixture(
        name: "Linux SLL, loopback SYN (tcpdump -i any -y LINUX_SLL, frame 1)", linkType: .linuxSLL,
        bytes: hex([
            "0000",              // 0  packet type: to us
            "0304",              // 2  ARPHRD_LOOPBACK (772)
            "0006",              // 4  link-layer address length
            "0000000000000000",  // 6  address, padded to 8
            "0800",              // 14 protocol IPv4
        ]) + loopbackSYN,        // 16 IPv4
        expected: loopbackSYNExpected(16)),
    LinkFixture(
        name: "Linux SLL2, loopback SYN (tcpdump -i any, frame 1)", linkType: .linuxSLL2,
        bytes: hex([
            "0800",              // 0  protocol IPv4
            "0000",              // 2  reserved
            "00000001",          // 4  interface index 1 (lo)
            "0304",              // 8  ARPHRD_LOOPBACK
            "00",                // 10 packet type: to us
            "06",                // 11 address length
            "0000000000000000",  // 12 address, padded to 8
        ]) + loopbackSYN,        // 20 IPv4
        expected: loopbackSYNExpected(20)),
    LinkFixture(
        // Frame 4 of `tcpdump -i lo ip6` during `curl 'http://[::1]:18080/'`: the GET request.
        name: "Ethernet IPv6, loopback GET (tcpdump -i lo, frame 4)", linkType: .ethernet,
        bytes: hex([
            "000000000000 000000000000 86dd",    // 0  MACs, 12 EtherType IPv6
            "6009145a",                          // 14 version 6, flow label 0x9145a
            "006b 06 40",                        // 18 payload length 107, next header TCP, hop limit 64
            "00000000000000000000000000000001",  // 22 source ::1
            "00000000000000000000000000000001",  // 38 destination ::1
            "8416 46a0",                         // 54 TCP ports 33814 → 18080
            "c5395094 ac4fb88b",                 // 58 seq 3308867732, ack 2890905739
            "80 18 0040 0073 0000",              // 66 data offset 8 (32 bytes), PSH|ACK, window 64, checksum, urgent
            "0101 080acc2837e666190cee",         // 74 NOP NOP timestamps
            // 86 payload, 75 bytes: "GET / HTTP/1.1\r\nHost: [::1]:18080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"
            "474554202f20485454502f312e310d0a",
            "486f73743a205b3a3a315d3a31383038300d0a",
            "557365722d4167656e743a206375726c2f372e38382e310d0a",
            "4163636570743a202a2f2a0d0a0d0a",
        ]),
        expected: ExpectedTCP(source: "::1", destination: "::1", sourcePort: 33814, destinationPort: 18080,
                              sequence: 3_308_867_732, acknowledgment: 2_890_905_739, flags: [.psh, .ack], ttl: 64, ipID: 0,
                              dontFragment: true, ipHeaderOffset: 14, payloadOffset: 86, payloadLength: 75)),
    LinkFixture(
        name: "Ethernet + 802.1Q VLAN 100 (hand-written, IEEE 802.1Q §9.6)", linkType: .ethernet,
        bytes: hex([
            "020000000002",  // 0  destination MAC
            "020000000001",  // 6  source MAC
            "8100",          // 12 TPID 802.1Q
            "0064",          // 14 TCI: PCP 0, DEI 0, VID 100
            "0800",          // 16 EtherType IPv4
        ]) + handIPv4TCP,    // 18 IPv4
        expected: handIPv4Expected(link: 18, vlans: [100])),
    LinkFixture(
        name: "Ethernet + 802.1ad S-tag 200 + 802.1Q C-tag 100 (hand-written QinQ)", linkType: .ethernet,
        bytes: hex([
            "020000000002 020000000001",  // 0  MACs
            "88a8",                       // 12 TPID 802.1ad (service tag)
            "a0c8",                       // 14 TCI: PCP 5, VID 200
            "8100",                       // 16 TPID 802.1Q (customer tag)
            "1064",                       // 18 TCI: DEI 1, VID 100
            "0800",                       // 20 EtherType IPv4
        ]) + handIPv4TCP,                 // 22 IPv4
        expected: handIPv4Expected(link: 22, vlans: [200, 100])),
    LinkFixture(
        name: "Ethernet + pre-standard QinQ 0x9100 + 802.1Q (hand-written)", linkType: .ethernet,
        bytes: hex([
            "020000000002 020000000001",  // 0  MACs
            "9100 0fff",                  // 12 TPID 0x9100, VID 4095
            "8100 0001",                  // 16 TPID 802.1Q, VID 1
            "0800",                       // 20 EtherType IPv4
        ]) + handIPv4TCP,                 // 22 IPv4
        expected: handIPv4Expected(link: 22, vlans: [4095, 1])),
    LinkFixture(name: "raw IPv4 (LINKTYPE_RAW 101)", linkType: .rawFile, bytes: handIPv4TCP,
                expected: handIPv4Expected(link: 0)),
    LinkFixture(name: "raw IPv4 (DLT_RAW 12)", linkType: .raw, bytes: handIPv4TCP,
                expected: handIPv4Expected(link: 0)),
    LinkFixture(name: "raw IPv4 (LINKTYPE_IPV4 228)", linkType: .ipv4, bytes: handIPv4TCP,
                expected: handIPv4Expected(link: 0)),
    LinkFixture(name: "raw IPv6 (LINKTYPE_RAW 101)", linkType: .rawFile, bytes: handIPv6TCP,
                expected: handIPv6Expected(link: 0)),
    LinkFixture(name: "raw IPv6 (OpenBSD DLT_RAW 14)", linkType: .rawOpenBSD, bytes: handIPv6TCP,
                expected: handIPv6Expected(link: 0)),
    LinkFixture(name: "raw IPv6 (LINKTYPE_IPV6 229)", linkType: .ipv6, bytes: handIPv6TCP,
                expected: handIPv6Expected(link: 0)),
    LinkFixture(
        name: "NULL little-endian AF_INET 2", linkType: .null,
        bytes: hex(["02000000"]) + handIPv4TCP,  // 0 family 2, host order (little-endian); 4 IPv4
        expected: handIPv4Expected(link: 4)),
    LinkFixture(
        name: "NULL big-endian AF_INET 2 (big-endian capturing host)", linkType: .null,
        bytes: hex(["00000002"]) + handIPv4TCP,  // 0 family 2, host order (big-endian); 4 IPv4
        expected: handIPv4Expected(link: 4)),
    LinkFixture(
        name: "NULL little-endian AF_INET6 30 (macOS, FreeBSD)", linkType: .null,
        bytes: hex(["1e000000"]) + handIPv6TCP,  // 0 family 30; 4 IPv6
        expected: handIPv6Expected(link: 4)),
    LinkFixture(
        name: "NULL little-endian AF_INET6 24 (NetBSD, OpenBSD)", linkType: .null,
        bytes: hex(["18000000"]) + handIPv6TCP,  // 0 family 24; 4 IPv6
        expected: handIPv6Expected(link: 4)),
    LinkFixture(
        name: "NULL little-endian AF_INET6 28 (FreeBSD, DragonFly)", linkType: .null,
        bytes: hex(["1c000000"]) + handIPv6TCP,  // 0 family 28; 4 IPv6
        expected: handIPv6Expected(link: 4)),
    LinkFixture(
        name: "NULL little-endian AF_INET6 10 (Linux)", linkType: .null,
        bytes: hex(["0a000000"]) + handIPv6TCP,  // 0 family 10; 4 IPv6
        expected: handIPv6Expected(link: 4)),
    LinkFixture(
        name: "LOOP AF_INET 2 (OpenBSD, network order)", linkType: .loop,
        bytes: hex(["00000002"]) + handIPv4TCP,  // 0 family 2, big-endian; 4 IPv4
        expected: handIPv4Expected(link: 4)),
    LinkFixture(
        name: "LOOP AF_INET6 24 (OpenBSD, network order)", linkType: .loop,
        bytes: hex(["00000018"]) + handIPv6TCP,  // 0 family 24, big-endian; 4 IPv6
        expected: handIPv6Expected(link: 4)),
]

@Suite struct LinkFixtureTests {
    @Test(arguments: linkFixtures)
    func decodesFixture(_ fixture: LinkFixture) throws {
        let (status, p) = decode(fixture.bytes, fixture.linkType)
        try #require(status == .ip)
        let e = fixture.expected
        #expect(p.transport == .tcp)
        #expect(p.ip.source.description == e.source)
        #expect(p.ip.destination.description == e.destination)
        #expect(p.ip.ttl == e.ttl)
        #expect(p.ip.identification == e.ipID)
        #expect(p.ip.dontFragment == e.dontFragment)
        #expect(!p.ip.isFragment)
        #expect(p.ip.protocolNumber == 6)
        #expect(p.ip.headerOffset == e.ipHeaderOffset)
        #expect(p.tcp.sourcePort == e.sourcePort)
        #expect(p.tcp.destinationPort == e.destinationPort)
        #expect(p.tcp.sequence == e.sequence)
        #expect(p.tcp.acknowledgment == e.acknowledgment)
        #expect(p.tcp.flags == e.flags)
        #expect(p.payloadOffset == e.payloadOffset)
        #expect(p.payloadLength == e.payloadLength)
        #expect(p.payloadWireLength == e.payloadLength)
        #expect(p.vlanCount == e.vlans.count)
        if let outer = e.vlans.first { #expect(p.outerVLAN == outer) }
        if e.vlans.count > 1, let inner = e.vlans.last { #expect(p.innerVLAN == inner) }
        // The payload really is where the decoder says: the fixtures end with it.
        #expect(p.payloadOffset + p.payloadLength == fixture.bytes.count)
    }

    @Test func loopbackSYNOptions() throws {
        let (status, p) = decode(linkFixtures[0].bytes, .ethernet)
        try #require(status == .ip)
        let o = p.tcp.options
        #expect(p.tcp.headerLength == 40)
        #expect(p.tcp.window == 65495)
        #expect(o.mss == 65495)
        #expect(o.sackPermitted)
        #expect(o.hasTimestamps && o.timestampValue == 1_487_222_507 && o.timestampEcho == 0)
        #expect(o.windowScale == 10)
        #expect(o.kinds == 1 << 2 | 1 << 3 | 1 << 4 | 1 << 8)
        #expect(!o.malformed)
    }

    @Test func ipv6TrafficClassAndFlowLabelHeader() throws {
        // Traffic class 0xb8 (DSCP EF) with flow label 0xfffff: the class must not pick up label bits.
        var bytes = handIPv6TCP
        bytes[0] = 0x6B; bytes[1] = 0x8F; bytes[2] = 0xFF; bytes[3] = 0xFF
        let (status, p) = decode(bytes, .ipv6)
        #expect(status == .ip)
        #expect(p.ip.trafficClass == 0xB8)
    }

    @Test func nonIPEtherTypesAreNotIP() {
        // ARP request (EtherType 0x0806) from a capture's broadcast; and an 802.1Q-tagged LLDP frame.
        let arp = hex(["ffffffffffff 020000000001 0806", "0001 0800 06 04 0001 020000000001 0a000001 000000000000 0a000002"])
        #expect(decode(arp, .ethernet).0 == .notIP)
        let taggedLLDP = hex(["0180c200000e 020000000001 8100 0005 88cc", "0000"])
        let (status, p) = decode(taggedLLDP, .ethernet)
        #expect(status == .notIP)
        #expect(p.vlanCount == 1 && p.outerVLAN == 5)
        // A NULL family that is neither IPv4 nor IPv6 (AF_APPLETALK 16), and an unsupported link type.
        #expect(decode(hex(["10000000"]) + handIPv4TCP, .null).0 == .notIP)
        #expect(decode(handIPv4TCP, LinkType(rawValue: 147)).0 == .notIP)
        // Raw link type with a version nibble that is neither 4 nor 6.
        var v5 = handIPv4TCP
        v5[0] = 0x55
        #expect(decode(v5, .rawFile).0 == .notIP)
    }

    @Test func vlanStackDepth() {
        let tag = hex(["8100 0001"])
        let header = hex(["020000000002 020000000001"])
        // Four tags are followed; a fifth is vlan_too_deep.
        let four = header + tag + tag + tag + tag + hex(["0800"]) + handIPv4TCP
        let (status, p) = decode(four, .ethernet)
        #expect(status == .ip)
        #expect(p.vlanCount == 4)
        let five = header + tag + tag + tag + tag + tag + hex(["0800"]) + handIPv4TCP
        #expect(decode(five, .ethernet).0 == .malformed(.vlanTooDeep))
        // A tag cut in the middle.
        #expect(decode(header + hex(["8100 00"]), .ethernet).0 == .malformed(.linkHeaderTruncated))
    }

    @Test func typedIPLinkTypesRejectTheOtherVersion() {
        #expect(decode(handIPv6TCP, .ipv4).0 == .malformed(.ipVersionMismatch))
        #expect(decode(handIPv4TCP, .ipv6).0 == .malformed(.ipVersionMismatch))
        // EtherType IPv4 carrying an IPv6 header.
        let lying = hex(["020000000002 020000000001 0800"]) + handIPv6TCP
        #expect(decode(lying, .ethernet).0 == .malformed(.ipVersionMismatch))
    }

    @Test(arguments: [
        (LinkType.ethernet, 13), (.linuxSLL, 15), (.linuxSLL2, 19), (.null, 3), (.loop, 3),
    ] as [(LinkType, Int)])
    func shortLinkHeaderIsTruncated(linkType: LinkType, length: Int) {
        let bytes = [UInt8](repeating: 0x08, count: length)
        #expect(decode(bytes, linkType).0 == .malformed(.linkHeaderTruncated))
    }
}

// MARK: - builder round trip

@Suite struct BuilderRoundTripTests {
    static let linkTypes = LinkType.supported

    @Test(arguments: linkTypes, [false, true])
    func builtSegmentDecodesToTheSameFields(linkType: LinkType, ipv6: Bool) throws {
        var conversation = ipv6 ? Conversation.ipv6() : Conversation.ipv4(clientISN: 0xFFFF_FFF0, serverISN: 7)
        conversation.linkType = linkType
        let payload: [UInt8] = Array(0..<37)
        conversation.segment(.client, sequence: 0xFFFF_FFF0, acknowledgment: 0x8000_0001, flags: [.psh, .ack, .ece],
                             payload: payload, window: 1234,
                             options: BuiltTCPOptions(mss: 1200, windowScale: 14, sackPermitted: true,
                                                      timestamps: (0xDEAD_BEEF, 42), sackBlocks: [(100, 200)]),
                             ttl: 113, ipID: 0xBEEF, dontFragment: false)
        let frame = conversation.frames[0].bytes
        let (status, p) = decode(frame, linkType)
        if (linkType == .ipv4 && ipv6) || (linkType == .ipv6 && !ipv6) {
            #expect(status == .malformed(.ipVersionMismatch))
            return
        }
        try #require(status == .ip)
        #expect(p.ip.version == (ipv6 ? 6 : 4))
        #expect(p.ip.source == conversation.client.address)
        #expect(p.ip.destination == conversation.server.address)
        #expect(p.ip.ttl == 113)
        #expect(p.ip.identification == (ipv6 ? 0 : 0xBEEF))
        #expect(p.ip.dontFragment == ipv6)
        #expect(p.transport == .tcp)
        #expect(p.tcp.sourcePort == conversation.client.port)
        #expect(p.tcp.destinationPort == conversation.server.port)
        #expect(p.tcp.sequence == 0xFFFF_FFF0)
        #expect(p.tcp.acknowledgment == 0x8000_0001)
        #expect(p.tcp.flags == [.psh, .ack, .ece])
        #expect(p.tcp.window == 1234)
        let o = p.tcp.options
        #expect(o.mss == 1200 && o.windowScale == 14 && o.sackPermitted && o.sackBlocks == 1)
        #expect(o.hasTimestamps && o.timestampValue == 0xDEAD_BEEF && o.timestampEcho == 42)
        #expect(!o.malformed)
        #expect(p.payloadLength == payload.count)
        #expect(p.payloadWireLength == payload.count)
        #expect(Array(frame[p.payloadOffset..<p.payloadOffset + p.payloadLength]) == payload)
    }

    @Test(arguments: [[], [7], [300, 4000], [1, 2, 3]] as [[UInt16]], [false, true])
    func vlanStacksRoundTrip(vlans: [UInt16], qinq: Bool) throws {
        let tcp = FrameBuilder.tcpSegment(source: Endpoint(address: IPAddress("192.0.2.1")!, port: 1),
                                          destination: Endpoint(address: IPAddress("192.0.2.2")!, port: 2),
                                          sequence: 1, acknowledgment: 0, flags: .syn)
        let ip = FrameBuilder.ipv4(source: IPAddress("192.0.2.1")!, destination: IPAddress("192.0.2.2")!,
                                   protocolNumber: 6, payload: tcp)
        let frame = FrameBuilder.ethernet(ip, vlans: vlans, qinq: qinq)
        if qinq, !vlans.isEmpty { #expect(frame[12] == 0x88 && frame[13] == 0xA8) }
        let (status, p) = decode(frame, .ethernet)
        try #require(status == .ip)
        #expect(p.vlanCount == vlans.count)
        if let first = vlans.first { #expect(p.outerVLAN == first) }
        if vlans.count > 1, let last = vlans.last { #expect(p.innerVLAN == last) }
        #expect(p.payloadOffset == 14 + 4 * vlans.count + 40)
        // Ethernet padding (the frame is padded to 60 bytes) is not payload.
        #expect(p.payloadLength == 0)
    }

    @Test func udpRoundTrip() throws {
        let a = Endpoint(address: IPAddress("2001:db8::53")!, port: 53)
        let b = Endpoint(address: IPAddress("2001:db8::99")!, port: 40000)
        let udp = FrameBuilder.udpDatagram(source: a, destination: b, payload: [1, 2, 3])
        let frame = FrameBuilder.sll2(FrameBuilder.ip(source: a.address, destination: b.address, protocolNumber: 17, transport: udp))
        let (status, p) = decode(frame, .linuxSLL2)
        try #require(status == .ip)
        #expect(p.transport == .udp)
        #expect(p.udp.sourcePort == 53 && p.udp.destinationPort == 40000 && p.udp.length == 11)
        #expect(p.payloadOffset == 20 + 40 + 8 && p.payloadLength == 3)
        // The UDP header cut short.
        #expect(decode(Array(frame.prefix(20 + 40 + 7)), .linuxSLL2).0 == .malformed(.udpHeaderTruncated))
    }
}
