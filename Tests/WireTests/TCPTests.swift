import Capture
import Testing
import TestSupport
import Wire

/// The hand-written IPv4 packet with its TCP options replaced by `options`
/// (a multiple of 4 bytes) and the data offset and total length adjusted.
func ipv4TCP(options: [UInt8], payload: [UInt8] = []) -> [UInt8] {
    precondition(options.count % 4 == 0 && options.count <= 40)
    var packet = Array(handIPv4TCP[0..<40]) + options + payload
    let total = packet.count
    packet[2] = UInt8(total >> 8)
    packet[3] = UInt8(total & 0xFF)
    packet[32] = UInt8((20 + options.count) / 4) << 4
    return packet
}

struct OptionCase: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: [UInt8]
    var mss: UInt16 = 0
    var windowScale: UInt8? = nil
    var sackPermitted = false
    var sackBlocks: UInt8 = 0
    var timestamps: (UInt32, UInt32)? = nil
    /// Option kinds present, as the `kinds` bitmask names them.
    var kinds: [UInt32] = []
    var malformed = false
    var testDescription: String { name }
}

/// Option bytes hand-written from RFC 9293 §3.2 (EOL, NOP, MSS), RFC 7323
/// (window scale, timestamps) and RFC 2018 (SACK).
let optionCases: [OptionCase] = [
    OptionCase(name: "Linux SYN: MSS, SACK-perm, timestamps, NOP, WS",
               bytes: hex(["020405b4", "0402", "080a000003e800000000", "01", "030307"]),
               mss: 1460, windowScale: 7, sackPermitted: true, timestamps: (1000, 0), kinds: [2, 3, 4, 8]),
    OptionCase(name: "Windows SYN: MSS, NOP, WS, NOP NOP, SACK-perm",
               bytes: hex(["020405b4", "01030308", "0101", "0402"]),
               mss: 1460, windowScale: 8, sackPermitted: true, kinds: [2, 3, 4]),
    OptionCase(name: "NOP NOP timestamps (established Linux segment)",
               bytes: hex(["0101", "080a0000ffff12345678"]),
               timestamps: (0xFFFF, 0x1234_5678), kinds: [8]),
    OptionCase(name: "SACK with two blocks",
               bytes: hex(["0101", "0512", "000003e8000007d0", "00000bb800000fa0"]),
               sackBlocks: 2, kinds: [5]),
    OptionCase(name: "timestamps and SACK with three blocks (40 bytes, the most)",
               bytes: hex(["0101", "080a0000000100000002", "0101", "051a", "0000000100000002", "0000000300000004", "0000000500000006"]),
               sackBlocks: 3, timestamps: (1, 2), kinds: [5, 8]),
    OptionCase(name: "EOL ends the list: a later MSS is ignored", bytes: hex(["00000000", "020405b4"])),
    OptionCase(name: "MSS then EOL and garbage after it", bytes: hex(["020405b4", "00ff0000"]), mss: 1460, kinds: [2]),
    OptionCase(name: "only NOPs", bytes: hex(["01010101"])),
    OptionCase(name: "MPTCP (kind 30) is recorded in kinds", bytes: hex(["1e04 0000"]), kinds: [30]),
    OptionCase(name: "experimental kind 253 is beyond the bitmask", bytes: hex(["fd04 0000"])),
    OptionCase(name: "MSS with a wrong length is present but not read", bytes: hex(["0203 05 00"]), kinds: [2]),
    OptionCase(name: "length 0 is malformed", bytes: hex(["0200 05b4"]), malformed: true),
    OptionCase(name: "length 1 is malformed", bytes: hex(["0801 0000"]), malformed: true),
    OptionCase(name: "length past the header is malformed", bytes: hex(["080a 0000"]), malformed: true),
    OptionCase(name: "kind in the last byte without a length is malformed", bytes: hex(["010101 02"]), malformed: true),
    OptionCase(name: "options before a malformed one are kept", bytes: hex(["020405b4", "05ff0000"]),
               mss: 1460, kinds: [2], malformed: true),
]

@Suite struct TCPTests {
    @Test(arguments: optionCases)
    func options(_ c: OptionCase) throws {
        let packet = ipv4TCP(options: c.bytes, payload: [0xEE])
        let (status, p) = decode(packet, .rawFile)
        try #require(status == .ip)
        let o = p.tcp.options
        #expect(p.tcp.headerLength == 20 + c.bytes.count)
        #expect(o.mss == c.mss)
        #expect(o.windowScale == c.windowScale)
        #expect(o.sackPermitted == c.sackPermitted)
        #expect(o.sackBlocks == c.sackBlocks)
        #expect(o.hasTimestamps == (c.timestamps != nil))
        if let (value, echo) = c.timestamps {
            #expect(o.timestampValue == value && o.timestampEcho == echo)
        }
        #expect(o.kinds == c.kinds.reduce(0) { $0 | 1 << $1 })
        #expect(o.malformed == c.malformed)
        // Bad options never cost the segment: the payload is still found.
        #expect(p.payloadOffset == 40 + c.bytes.count && p.payloadLength == 1)
    }

    @Test func noOptionsLeavesDefaults() throws {
        let (status, p) = decode(handIPv4TCP, .rawFile)
        try #require(status == .ip)
        #expect(p.tcp.options == TCPOptions())
    }

    @Test func optionsDoNotLeakIntoTheNextPacket() throws {
        // The decoder reuses one DecodedPacket across frames.
        var packet = DecodedPacket()
        let syn = ipv4TCP(options: hex(["020405b4", "0402", "080a000003e800000000", "01", "030307"]))
        let plain = handIPv4TCP
        syn.withUnsafeBytes { _ = PacketDecoder.decode($0, linkType: .rawFile, into: &packet) }
        #expect(packet.tcp.options.mss == 1460)
        plain.withUnsafeBytes { _ = PacketDecoder.decode($0, linkType: .rawFile, into: &packet) }
        #expect(packet.tcp.options == TCPOptions())
    }

    @Test(arguments: [0, 1, 4] as [UInt8])
    func dataOffsetBelowFiveIsBad(dataOffset: UInt8) {
        var packet = handIPv4TCP
        packet[32] = dataOffset << 4
        #expect(decode(packet, .rawFile).0 == .malformed(.tcpBadDataOffset))
    }

    @Test func dataOffsetPastTheDatagramIsBad() {
        // Data offset 15 (60 bytes) but the IP datagram holds only 24 bytes of TCP.
        var packet = handIPv4TCP
        packet[32] = 0xF0
        #expect(decode(packet, .rawFile).0 == .malformed(.tcpBadDataOffset))
    }

    @Test func headerCutByTheCaptureIsTruncated() {
        // The IP header says 44 bytes; the capture kept 40 + 19 = fewer than the 20-byte TCP header.
        for captured in [20, 21, 39] {
            #expect(decode(Array(handIPv4TCP.prefix(captured)), .rawFile).0 == .malformed(.tcpHeaderTruncated))
        }
        // Options declared (data offset 8) but the capture stops after 4 of the 12 option bytes.
        let withOptions = ipv4TCP(options: hex(["0101080a0000000100000002"]))
        #expect(decode(Array(withOptions.prefix(44)), .rawFile).0 == .malformed(.tcpHeaderTruncated))
    }

    @Test func allFlags() throws {
        var packet = handIPv4TCP
        packet[32] = 0x51  // data offset 5, NS
        packet[33] = 0xFF  // CWR ECE URG ACK PSH RST SYN FIN
        let (status, p) = decode(packet, .rawFile)
        try #require(status == .ip)
        #expect(p.tcp.flags.rawValue == 0x1FF)
        #expect(p.tcp.flags.letters == "SFRPUEW.")
        // The three reserved bits next to NS are not flags.
        packet[32] = 0x5E
        packet[33] = 0x12
        let (status2, p2) = decode(packet, .rawFile)
        try #require(status2 == .ip)
        #expect(p2.tcp.flags == [.syn, .ack])
        #expect(p2.tcp.flags.letters == "S.")
    }
}
