import Capture
import Testing
import Wire

/// Bytes from hex text; spaces and line breaks between digits are ignored.
/// Test-only: a bad literal is a bug in the test, so it stops the test run.
func hex(_ lines: [String]) -> [UInt8] {
    var out: [UInt8] = []
    var high: UInt8?
    for c in lines.joined().unicodeScalars where c != " " && c != "\n" {
        guard let v = UInt8(String(c), radix: 16) else { fatalError("bad hex digit '\(c)' in a test literal") }
        if let h = high {
            out.append(h << 4 | v)
            high = nil
        } else {
            high = v
        }
    }
    precondition(high == nil, "odd number of hex digits in a test literal")
    return out
}

/// Decodes `bytes` from an allocation of exactly their size, so that a read
/// one byte past the end lands outside the buffer (debug builds check every
/// `UnsafeRawBufferPointer` access against its bounds).
func decode(_ bytes: [UInt8], _ linkType: LinkType) -> (DecodeStatus, DecodedPacket) {
    var packet = DecodedPacket()
    let exact = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
    defer { exact.deallocate() }
    bytes.withUnsafeBytes { src in
        if !src.isEmpty { exact.copyMemory(from: src) }
    }
    let status = PacketDecoder.decode(UnsafeRawBufferPointer(exact), linkType: linkType, into: &packet)
    return (status, packet)
}

/// Offsets reported by a decode must stay inside the frame, whatever the status:
/// consumers slice the frame with them.
func expectOffsetsInBounds(_ status: DecodeStatus, _ p: DecodedPacket, count: Int,
                           sourceLocation: SourceLocation = #_sourceLocation) {
    guard status == .ip else { return }
    #expect(p.payloadOffset >= 0 && p.payloadOffset <= count, "payload offset \(p.payloadOffset) outside \(count) bytes", sourceLocation: sourceLocation)
    #expect(p.payloadLength >= 0 && p.payloadOffset + p.payloadLength <= count,
            "payload \(p.payloadOffset)+\(p.payloadLength) outside \(count) bytes", sourceLocation: sourceLocation)
    #expect(p.payloadLength <= p.payloadWireLength, sourceLocation: sourceLocation)
    #expect(p.ip.headerOffset + p.ip.headerLength <= count, sourceLocation: sourceLocation)
}

/// SplitMix64 (Steele, Lea, Flood 2014): a tiny seeded generator, so a failing
/// mutation run can be repeated exactly.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The link types the decoder supports, plus one it does not.
let allLinkTypes: [LinkType] = LinkType.supported + [LinkType(rawValue: 147)]

// MARK: - shared hand-written packets

/// Hand-written from RFC 791 §3.1 and RFC 9293 §3.1 (checksums computed once
/// with a script and pasted); the payload is the first 4 bytes of a TPKT header
/// (T.123 §8): 10.0.0.1:50000 → 10.0.0.2:3389, PSH|ACK, 4 payload bytes.
let handIPv4TCP = hex([
    // IPv4 (RFC 791 §3.1)
    "45",           // +0  version 4, IHL 5 (20 bytes)
    "00",           // +1  TOS
    "002c",         // +2  total length 44 = 20 IP + 20 TCP + 4 payload
    "1234",         // +4  identification 0x1234
    "4000",         // +6  flags DF, fragment offset 0
    "80",           // +8  TTL 128
    "06",           // +9  protocol TCP
    "d495",         // +10 header checksum
    "0a000001",     // +12 source 10.0.0.1
    "0a000002",     // +16 destination 10.0.0.2
    // TCP (RFC 9293 §3.1)
    "c350",         // +20 source port 50000
    "0d3d",         // +22 destination port 3389
    "11223344",     // +24 sequence number
    "55667788",     // +28 acknowledgment number
    "50",           // +32 data offset 5 (20 bytes), reserved
    "18",           // +33 flags PSH|ACK
    "faf0",         // +34 window 64240
    "bbe7",         // +36 checksum
    "0000",         // +38 urgent pointer
    "0300000b",     // +40 payload: TPKT version 3, length 11 (first 4 bytes)
])

/// Hand-written from RFC 8200 §3 and RFC 9293 §3.1: [2001:db8::1]:50000 →
/// [2001:db8::2]:3389, FIN|ACK, hop limit 57, 4 payload bytes.
let handIPv6TCP = hex([
    // IPv6 (RFC 8200 §3)
    "60000000",                          // +0  version 6, traffic class 0, flow label 0
    "0018",                              // +4  payload length 24 = 20 TCP + 4 payload
    "06",                                // +6  next header TCP
    "39",                                // +7  hop limit 57
    "20010db8000000000000000000000001",  // +8  source 2001:db8::1
    "20010db8000000000000000000000002",  // +24 destination 2001:db8::2
    // TCP (RFC 9293 §3.1)
    "c350",                              // +40 source port 50000
    "0d3d",                              // +42 destination port 3389
    "a0b0c0d0",                          // +44 sequence number
    "01020304",                          // +48 acknowledgment number
    "50",                                // +52 data offset 5
    "11",                                // +53 flags FIN|ACK
    "0200",                              // +54 window 512
    "193b",                              // +56 checksum
    "0000",                              // +58 urgent pointer
    "0300000b",                          // +60 payload
])
