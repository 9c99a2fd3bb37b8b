import Capture
import Testing
import TestSupport
import Wire

let client4 = Endpoint(address: IPAddress("10.0.0.1")!, port: 50000)
let server4 = Endpoint(address: IPAddress("10.0.0.2")!, port: 3389)
let client6 = Endpoint(address: IPAddress("2001:db8::1")!, port: 50000)
let server6 = Endpoint(address: IPAddress("2001:db8::2")!, port: 3389)

func tcp(_ from: Endpoint, _ to: Endpoint, payload: [UInt8] = [], flags: TCPFlags = [.psh, .ack]) -> [UInt8] {
    FrameBuilder.tcpSegment(source: from, destination: to, sequence: 1000, acknowledgment: 2000, flags: flags, payload: payload)
}

// MARK: - IPv4

@Suite struct IPv4Tests {
    @Test func headerOptionsMoveTheTransportHeader() throws {
        // IHL 6: a 4-byte Router Alert option (RFC 2113) before the TCP header.
        let header = hex([
            "46 00 0030",  // +0 version 4, IHL 6 (24 bytes); total length 48 = 24 + 20 TCP + 4
            "0001 0000",   // +4 ID 1, no flags
            "40 06 0000",  // +8 TTL 64, TCP, checksum (not checked)
            "0a000001 0a000002",  // +12 addresses
            "94040000",    // +20 option: Router Alert, length 4, value 0
        ])
        let packet = header + Array(handIPv4TCP[20...])
        let (status, p) = decode(packet, .rawFile)
        try #require(status == .ip)
        #expect(p.ip.headerLength == 24)
        #expect(p.transport == .tcp)
        #expect(p.tcp.sourcePort == 50000 && p.tcp.sequence == 0x1122_3344)
        #expect(p.payloadOffset == 44 && p.payloadLength == 4)
        // IHL 15 (60 bytes) is the largest header; the transport starts after all of it (total length 80).
        let longest = hex(["4f00 0050 0001 0000 4006 0000 0a000001 0a000002"]) + [UInt8](repeating: 1, count: 40)
            + Array(handIPv4TCP[20..<40])
        let (status2, p2) = decode(longest, .rawFile)
        try #require(status2 == .ip)
        #expect(p2.ip.headerLength == 60 && p2.transport == .tcp && p2.payloadOffset == 80 && p2.payloadLength == 0)
    }

    @Test func firstFragmentDecodesTCPAndIsFlagged() throws {
        let segment = tcp(client4, server4, payload: [UInt8](repeating: 0xAB, count: 64))
        let packet = FrameBuilder.ipv4(source: client4.address, destination: server4.address, protocolNumber: 6,
                                       fields: IPFields(identification: 77, dontFragment: false), moreFragments: true,
                                       payload: Array(segment.prefix(48)))
        let (status, p) = decode(packet, .rawFile)
        try #require(status == .ip)
        #expect(p.ip.isFragment && p.ip.fragmentOffset == 0 && !p.ip.dontFragment)
        #expect(p.ip.identification == 77)
        #expect(p.transport == .tcp)
        #expect(p.tcp.sequence == 1000)
        #expect(p.payloadLength == 28)
    }

    @Test func laterFragmentHasNoTransportHeader() throws {
        let data = [UInt8](repeating: 0xCD, count: 24)
        for more in [true, false] {
            let packet = FrameBuilder.ipv4(source: client4.address, destination: server4.address, protocolNumber: 6,
                                           fields: IPFields(identification: 77, dontFragment: false), fragmentOffset: 1480,
                                           moreFragments: more, payload: data)
            let (status, p) = decode(packet, .rawFile)
            try #require(status == .ip)
            #expect(p.transport == .fragment)
            #expect(p.ip.isFragment && p.ip.fragmentOffset == 1480)
            #expect(p.ip.protocolNumber == 6)
            #expect(p.payloadOffset == 20 && p.payloadLength == 24)
        }
    }

    @Test func totalLengthZeroTakesTheCapturedLength() throws {
        // TSO/GSO on the capturing host: the stack hands a 64 KB super-segment with total length 0 to the capture.
        var packet = FrameBuilder.ipv4(source: client4.address, destination: server4.address, protocolNumber: 6,
                                       payload: tcp(client4, server4, payload: [UInt8](repeating: 7, count: 3000)))
        packet[2] = 0
        packet[3] = 0
        let frame = FrameBuilder.ethernet(packet)
        let (status, p) = decode(frame, .ethernet)
        try #require(status == .ip)
        #expect(p.ip.totalLength == 3040)
        #expect(p.payloadOffset == 54 && p.payloadLength == 3000 && p.payloadWireLength == 3000)
    }

    @Test func ethernetPaddingIsCutByTotalLength() throws {
        // A bare ACK is 54 bytes of Ethernet; the wire pads it to 60 (hand-written pad bytes, not zeros, on purpose).
        let ip = FrameBuilder.ipv4(source: client4.address, destination: server4.address, protocolNumber: 6,
                                   payload: tcp(client4, server4, flags: .ack))
        let frame = hex(["020000000002 020000000001 0800"]) + ip + hex(["deadbeefcafe"])
        #expect(frame.count == 60)
        let (status, p) = decode(frame, .ethernet)
        try #require(status == .ip)
        #expect(p.ip.totalLength == 40)
        #expect(p.payloadOffset == 54 && p.payloadLength == 0 && p.payloadWireLength == 0)
        // Two payload bytes plus four of padding.
        let ip2 = FrameBuilder.ipv4(source: client4.address, destination: server4.address, protocolNumber: 6,
                                    payload: tcp(client4, server4, payload: [0x41, 0x42]))
        let frame2 = FrameBuilder.ethernet(ip2)
        #expect(frame2.count == 60)
        let (status2, p2) = decode(frame2, .ethernet)
        try #require(status2 == .ip)
        #expect(p2.payloadLength == 2 && p2.payloadWireLength == 2)
    }

    @Test func snapLengthCutsThePayload() throws {
        let ip = FrameBuilder.ipv4(source: client4.address, destination: server4.address, protocolNumber: 6,
                                   payload: tcp(client4, server4, payload: [UInt8](repeating: 9, count: 100)))
        let frame = Array(FrameBuilder.ethernet(ip).prefix(14 + 40 + 30))
        let (status, p) = decode(frame, .ethernet)
        try #require(status == .ip)
        #expect(p.ip.totalLength == 140)
        #expect(p.payloadLength == 30)
        #expect(p.payloadWireLength == 100)
        #expect(p.payloadLength < p.payloadWireLength)
    }

    @Test(arguments: [
        // version/IHL byte, expected: IHL < 5 can never hold the fixed header.
        (0x40, DecodeAnomaly.ipv4BadHeaderLength), (0x41, .ipv4BadHeaderLength), (0x44, .ipv4BadHeaderLength),
        // IHL 11 (44 bytes) fills this 44-byte packet and leaves no room for TCP;
        // IHL 12..15 (48..60 bytes) runs past it: the header is not all there.
        (0x4B, .tcpHeaderTruncated), (0x4C, .ipv4HeaderTruncated), (0x4F, .ipv4HeaderTruncated),
    ] as [(UInt8, DecodeAnomaly)])
    func badHeaderLength(versionIHL: UInt8, expected: DecodeAnomaly) {
        var packet = handIPv4TCP
        packet[0] = versionIHL
        #expect(decode(packet, .rawFile).0 == .malformed(expected))
    }

    @Test func totalLengthSmallerThanHeader() {
        var packet = handIPv4TCP
        packet[2] = 0
        packet[3] = 19
        #expect(decode(packet, .rawFile).0 == .malformed(.ipv4BadTotalLength))
    }

    @Test(arguments: [0, 1, 10, 19])
    func headerBeyondCaptureIsTruncated(captured: Int) {
        let frame = hex(["020000000002 020000000001 0800"]) + Array(handIPv4TCP.prefix(captured))
        let expected: DecodeAnomaly = .ipv4HeaderTruncated
        #expect(decode(frame, .ethernet).0 == .malformed(expected))
        if captured > 0 {
            #expect(decode(Array(handIPv4TCP.prefix(captured)), .rawFile).0 == .malformed(expected))
        }
    }
}

// MARK: - IPv6

/// IPv6 extension headers, hand-written from RFC 8200 §4.3–4.5 and RFC 4302 §2.
/// Each is followed by the next header number given.
enum Ext {
    /// Hop-by-hop options: 8 bytes, one PadN option.
    static func hopByHop(next: UInt8) -> [UInt8] { [next, 0, 0x01, 0x04, 0, 0, 0, 0] }
    /// Routing header type 4 (segment routing) with segments left 0 and 16 bytes of data: 24 bytes.
    static func routing(next: UInt8) -> [UInt8] { [next, 2, 4, 0, 0, 0, 0, 0] + [UInt8](repeating: 0xEE, count: 16) }
    /// Destination options: 16 bytes, PadN.
    static func destination(next: UInt8) -> [UInt8] { [next, 1, 0x01, 0x0C] + [UInt8](repeating: 0, count: 12) }
    /// Fragment header: offset in bytes (multiple of 8), more-fragments flag, identification.
    static func fragment(next: UInt8, offset: Int, more: Bool, id: UInt32) -> [UInt8] {
        let field = UInt16(offset) | (more ? 1 : 0)
        return [next, 0, UInt8(field >> 8), UInt8(field & 0xFF), UInt8(id >> 24), UInt8(id >> 16 & 0xFF), UInt8(id >> 8 & 0xFF), UInt8(id & 0xFF)]
    }
    /// Authentication header: payload length 4 → (4 + 2) × 4 = 24 bytes (SPI, sequence, 12-byte ICV).
    static func authentication(next: UInt8) -> [UInt8] {
        [next, 4, 0, 0, 0, 0, 0x10, 0x01, 0, 0, 0, 1] + [UInt8](repeating: 0xA5, count: 12)
    }
}

func ipv6(extensions: [UInt8], first: UInt8, transport: [UInt8]) -> [UInt8] {
    FrameBuilder.ipv6(source: client6.address, destination: server6.address, nextHeader: first, hopLimit: 50,
                      extensionHeaders: extensions, payload: transport)
}

struct ExtensionCase: Sendable, CustomTestStringConvertible {
    var name: String
    var first: UInt8
    var headers: [UInt8]
    var testDescription: String { name }
}

let extensionCases: [ExtensionCase] = [
    ExtensionCase(name: "hop-by-hop", first: 0, headers: Ext.hopByHop(next: 6)),
    ExtensionCase(name: "routing", first: 43, headers: Ext.routing(next: 6)),
    ExtensionCase(name: "destination options", first: 60, headers: Ext.destination(next: 6)),
    ExtensionCase(name: "first fragment", first: 44, headers: Ext.fragment(next: 6, offset: 0, more: true, id: 0xCAFE)),
    ExtensionCase(name: "authentication", first: 51, headers: Ext.authentication(next: 6)),
    ExtensionCase(name: "chain hbh→routing→dstopts→fragment→AH", first: 0,
                  headers: Ext.hopByHop(next: 43) + Ext.routing(next: 60) + Ext.destination(next: 44)
                      + Ext.fragment(next: 51, offset: 0, more: true, id: 9) + Ext.authentication(next: 6)),
    ExtensionCase(name: "eight destination options (the limit)", first: 60,
                  headers: (0..<7).flatMap { _ in Ext.destination(next: 60) } + Ext.destination(next: 6)),
]

@Suite struct IPv6Tests {
    @Test(arguments: extensionCases)
    func extensionHeadersAreWalkedToTCP(_ c: ExtensionCase) throws {
        let segment = tcp(client6, server6, payload: [1, 2, 3, 4, 5])
        let packet = ipv6(extensions: c.headers, first: c.first, transport: segment)
        let frame = FrameBuilder.ethernet(packet)
        let (status, p) = decode(frame, .ethernet)
        try #require(status == .ip)
        #expect(p.ip.headerLength == 40 + c.headers.count)
        #expect(p.ip.protocolNumber == 6)
        #expect(p.transport == .tcp)
        #expect(p.tcp.sourcePort == 50000 && p.tcp.destinationPort == 3389 && p.tcp.sequence == 1000)
        #expect(p.payloadOffset == 14 + 40 + c.headers.count + 20 && p.payloadLength == 5)
        #expect(p.ip.ttl == 50)
        #expect(p.ip.isFragment == c.name.contains("fragment"))
    }

    @Test func nineExtensionHeadersAreTooMany() {
        let headers = (0..<8).flatMap { _ in Ext.destination(next: 60) } + Ext.destination(next: 6)
        let packet = ipv6(extensions: headers, first: 60, transport: tcp(client6, server6))
        #expect(decode(packet, .rawFile).0 == .malformed(.ipv6TooManyExtensions))
    }

    @Test func truncatedExtensionHeader() {
        // Declared length 16 bytes, but the packet ends after 8.
        let packet = ipv6(extensions: [6, 1, 1, 4, 0, 0, 0, 0], first: 0, transport: [])
        #expect(decode(packet, .rawFile).0 == .malformed(.ipv6ExtensionTruncated))
        // The capture ends inside the routing header (snap length).
        let cut = Array(ipv6(extensions: Ext.routing(next: 6), first: 43, transport: tcp(client6, server6)).prefix(40 + 12))
        #expect(decode(cut, .rawFile).0 == .malformed(.ipv6ExtensionTruncated))
        // Fewer than 8 bytes left for a fragment header / AH.
        for first: UInt8 in [44, 51] {
            #expect(decode(ipv6(extensions: [6, 0, 0, 0], first: first, transport: []), .rawFile).0 == .malformed(.ipv6ExtensionTruncated))
        }
        // An AH whose length runs past the packet.
        let ah = [6, 200, 0, 0, 0, 0, 0, 0] as [UInt8]
        #expect(decode(ipv6(extensions: ah, first: 51, transport: tcp(client6, server6)), .rawFile).0 == .malformed(.ipv6ExtensionTruncated))
    }

    @Test func extensionLengthIsBoundedByPayloadLength() {
        // The captured frame is longer (trailing bytes), but the payload length ends inside the header.
        var packet = ipv6(extensions: Ext.destination(next: 6), first: 60, transport: tcp(client6, server6))
        packet[4] = 0
        packet[5] = 12
        #expect(decode(packet, .rawFile).0 == .malformed(.ipv6ExtensionTruncated))
    }

    @Test func laterFragment() throws {
        let data = [UInt8](repeating: 0x5A, count: 40)
        let packet = ipv6(extensions: Ext.hopByHop(next: 44) + Ext.fragment(next: 6, offset: 1448, more: false, id: 0x0102_0304),
                          first: 0, transport: data)
        let (status, p) = decode(packet, .rawFile)
        try #require(status == .ip)
        #expect(p.transport == .fragment)
        #expect(p.ip.isFragment && p.ip.fragmentOffset == 1448)
        #expect(p.ip.identification == 0x0102_0304)
        #expect(p.ip.protocolNumber == 6)
        #expect(p.ip.headerLength == 56)
        #expect(p.payloadOffset == 56 && p.payloadLength == 40)
    }

    @Test func headerShorterThan40IsTruncated() {
        for n in [1, 20, 39] {
            #expect(decode(Array(handIPv6TCP.prefix(n)), .ipv6).0 == .malformed(.ipv6HeaderTruncated))
            #expect(decode(Array(handIPv6TCP.prefix(n)), .rawFile).0 == .malformed(.ipv6HeaderTruncated))
        }
        #expect(decode([], .ipv6).0 == .malformed(.ipv6HeaderTruncated))
        // A loopback header with nothing after it names the version it expected.
        #expect(decode(hex(["1e000000"]), .null).0 == .malformed(.ipv6HeaderTruncated))
        #expect(decode(hex(["02000000"]), .null).0 == .malformed(.ipv4HeaderTruncated))
    }

    @Test func payloadLengthZeroTakesTheCapturedLength() throws {
        var packet = handIPv6TCP
        packet[4] = 0
        packet[5] = 0
        let (status, p) = decode(packet, .ipv6)
        try #require(status == .ip)
        #expect(p.payloadLength == 4 && p.ip.totalLength == 64)
    }
}
