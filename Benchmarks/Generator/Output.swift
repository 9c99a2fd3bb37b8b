import Capture
import Wire

/// The pcap file being written, and the fast path that lays out Ethernet + IPv4/IPv6 +
/// TCP frames straight into one preallocated buffer.
///
/// Why not `FrameBuilder` for every packet: it concatenates small arrays and sums
/// checksums byte by byte, which is fine for tests but costs a few microseconds per
/// packet; a 1 GB file holds millions. Here a frame is a handful of stores, one
/// pass that fills the payload, and one 8-bytes-at-a-time checksum pass.
/// `FrameBuilder` still builds the rare packets (SYNs with options, DNS datagrams).
final class Output {
    private let writer: PcapWriter
    private let buffer: UnsafeMutableRawPointer
    static let capacity = 70_000

    private(set) var packets = 0
    /// Bytes in the file so far: the 24-byte global header plus 16 + caplen per record.
    private(set) var fileBytes = 24
    private(set) var lastTime: Int64 = 0

    init(path: String) throws {
        writer = try PcapWriter(path: path, linkType: .ethernet)
        buffer = UnsafeMutableRawPointer.allocate(byteCount: Output.capacity, alignment: 16)
    }

    deinit { buffer.deallocate() }

    func close() { writer.close() }

    /// Writes one record; timestamps are forced to increase strictly (a few
    /// nanoseconds of nudge when two flows schedule the same instant).
    @discardableResult
    func emit(time: Int64, bytes: UnsafeRawBufferPointer) -> Int64 {
        let t = time > lastTime ? time : lastTime &+ 1
        lastTime = t
        writer.write(time: CaptureTime(nanoseconds: t), bytes: bytes)
        packets += 1
        fileBytes += 16 + bytes.count
        return t
    }

    @discardableResult
    func emit(time: Int64, bytes: [UInt8]) -> Int64 {
        bytes.withUnsafeBytes { emit(time: time, bytes: $0) }
    }

    /// Builds and writes one TCP frame. `fill` writes exactly `payloadLength` bytes at the pointer.
    @inline(__always) @discardableResult
    func tcp(time: Int64, from: Host, to: Host, sourcePort: UInt16, destinationPort: UInt16, ttl: UInt8, ipID: UInt16,
             sequence: UInt32, acknowledgment: UInt32, flags: UInt8, window: UInt16, timestamps: (UInt32, UInt32)?,
             payloadLength: Int, fill: (UnsafeMutableRawPointer) -> Void) -> Int64 {
        let b = buffer
        let v6 = from.address.isIPv6
        // Ethernet II
        storeMAC(b, 0, to.mac)
        storeMAC(b, 6, from.mac)
        store16(b, 12, v6 ? 0x86DD : 0x0800)
        let ipStart = 14
        let ipHeader = v6 ? 40 : 20
        let tcpStart = ipStart + ipHeader
        let tcpHeader = timestamps == nil ? 20 : 32
        let segmentLength = tcpHeader + payloadLength
        if v6 {
            store32(b, ipStart, 0x6000_0000)
            store16(b, ipStart + 4, UInt16(truncatingIfNeeded: segmentLength))
            b.storeBytes(of: 6, toByteOffset: ipStart + 6, as: UInt8.self)
            b.storeBytes(of: ttl, toByteOffset: ipStart + 7, as: UInt8.self)
            store64(b, ipStart + 8, from.address.high)
            store64(b, ipStart + 16, from.address.low)
            store64(b, ipStart + 24, to.address.high)
            store64(b, ipStart + 32, to.address.low)
        } else {
            store16(b, ipStart, 0x4500)
            store16(b, ipStart + 2, UInt16(truncatingIfNeeded: 20 + segmentLength))
            store16(b, ipStart + 4, ipID)
            store16(b, ipStart + 6, 0x4000)  // DF
            b.storeBytes(of: ttl, toByteOffset: ipStart + 8, as: UInt8.self)
            b.storeBytes(of: 6, toByteOffset: ipStart + 9, as: UInt8.self)
            store16(b, ipStart + 10, 0)
            store32(b, ipStart + 12, UInt32(truncatingIfNeeded: from.address.low))
            store32(b, ipStart + 16, UInt32(truncatingIfNeeded: to.address.low))
            store16(b, ipStart + 10, Output.checksum(b + ipStart, 20, initial: 0))
        }
        // TCP
        store16(b, tcpStart, sourcePort)
        store16(b, tcpStart + 2, destinationPort)
        store32(b, tcpStart + 4, sequence)
        store32(b, tcpStart + 8, acknowledgment)
        b.storeBytes(of: UInt8(tcpHeader / 4) << 4, toByteOffset: tcpStart + 12, as: UInt8.self)
        b.storeBytes(of: flags, toByteOffset: tcpStart + 13, as: UInt8.self)
        store16(b, tcpStart + 14, window)
        store32(b, tcpStart + 16, 0)  // checksum, urgent pointer
        if let (value, echo) = timestamps {
            store32(b, tcpStart + 20, 0x0101_080A)  // NOP, NOP, TS kind 8 length 10
            store32(b, tcpStart + 24, value)
            store32(b, tcpStart + 28, echo)
        }
        if payloadLength > 0 { fill(b + tcpStart + tcpHeader) }
        // Pseudo-header sum (big-endian words), then the segment itself.
        var pseudo: UInt64 = 6 &+ UInt64(segmentLength)
        if v6 {
            pseudo &+= words16(from.address.high) &+ words16(from.address.low)
            pseudo &+= words16(to.address.high) &+ words16(to.address.low)
        } else {
            let s = from.address.low, d = to.address.low
            pseudo &+= (s >> 16 & 0xFFFF) &+ (s & 0xFFFF) &+ (d >> 16 & 0xFFFF) &+ (d & 0xFFFF)
        }
        store16(b, tcpStart + 16, Output.checksum(b + tcpStart, segmentLength, initial: pseudo))
        var frameLength = tcpStart + segmentLength
        // Ethernet pads to 60 bytes without the FCS, as captured on the wire.
        while frameLength < 60 {
            b.storeBytes(of: 0, toByteOffset: frameLength, as: UInt8.self)
            frameLength += 1
        }
        return emit(time: time, bytes: UnsafeRawBufferPointer(start: b, count: frameLength))
    }

    // MARK: checksums and stores

    /// RFC 1071 Internet checksum of `count` bytes, plus `initial` (a big-endian-word sum).
    /// Sums little-endian 32-bit halves of 64-bit loads and byte-swaps the folded result:
    /// the one's-complement sum is byte-order independent (RFC 1071 §2(B)).
    @inline(__always)
    static func checksum(_ p: UnsafeRawPointer, _ count: Int, initial: UInt64) -> UInt16 {
        var acc: UInt64 = 0
        var i = 0
        while i + 8 <= count {
            let w = p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            acc &+= (w & 0xFFFF_FFFF) &+ (w >> 32)
            i += 8
        }
        if i < count {
            var tail: UInt64 = 0
            withUnsafeMutableBytes(of: &tail) { $0.baseAddress!.copyMemory(from: p + i, byteCount: count - i) }
            acc &+= (tail & 0xFFFF_FFFF) &+ (tail >> 32)
        }
        acc = fold(acc)
        var sum = UInt64(UInt16(truncatingIfNeeded: acc).byteSwapped)
        sum = fold(sum &+ initial)
        return ~UInt16(truncatingIfNeeded: sum)
    }

    @inline(__always)
    static func fold(_ x: UInt64) -> UInt64 {
        var v = x
        while v > 0xFFFF { v = (v & 0xFFFF) &+ (v >> 16) }
        return v
    }
}

/// Sum of the four big-endian 16-bit words of `w`.
@inline(__always) func words16(_ w: UInt64) -> UInt64 {
    (w >> 48) &+ (w >> 32 & 0xFFFF) &+ (w >> 16 & 0xFFFF) &+ (w & 0xFFFF)
}

@inline(__always) func store16(_ b: UnsafeMutableRawPointer, _ o: Int, _ v: UInt16) {
    b.storeBytes(of: v.bigEndian, toByteOffset: o, as: UInt16.self)
}

@inline(__always) func store32(_ b: UnsafeMutableRawPointer, _ o: Int, _ v: UInt32) {
    b.storeBytes(of: v.bigEndian, toByteOffset: o, as: UInt32.self)
}

@inline(__always) func store64(_ b: UnsafeMutableRawPointer, _ o: Int, _ v: UInt64) {
    b.storeBytes(of: v.bigEndian, toByteOffset: o, as: UInt64.self)
}

/// A MAC address kept in the low 48 bits.
@inline(__always) func storeMAC(_ b: UnsafeMutableRawPointer, _ o: Int, _ mac: UInt64) {
    store16(b, o, UInt16(truncatingIfNeeded: mac >> 32))
    store32(b, o + 2, UInt32(truncatingIfNeeded: mac))
}

func macBytes(_ mac: UInt64) -> [UInt8] {
    (0..<6).map { UInt8(truncatingIfNeeded: mac >> (40 - 8 * UInt64($0))) }
}

/// Writes `count` filler bytes for stream offset `offset` of the stream keyed `key`.
/// The bytes depend only on (key, offset), so a retransmitted or reordered segment
/// carries exactly the bytes of the original without keeping a copy.
@inline(__always)
func fillFiller(_ dst: UnsafeMutableRawPointer, key: UInt64, offset: UInt64, count: Int) {
    var i = 0
    var pos = offset
    while i < count && pos & 7 != 0 {
        let w = splitMix64(key &+ (pos >> 3) &* 0x9E37_79B9_7F4A_7C15)
        dst.storeBytes(of: UInt8(truncatingIfNeeded: w >> ((pos & 7) * 8)), toByteOffset: i, as: UInt8.self)
        i += 1
        pos += 1
    }
    while i + 8 <= count {
        let w = splitMix64(key &+ (pos >> 3) &* 0x9E37_79B9_7F4A_7C15)
        dst.storeBytes(of: w.littleEndian, toByteOffset: i, as: UInt64.self)
        i += 8
        pos += 8
    }
    if i < count {
        let w = splitMix64(key &+ (pos >> 3) &* 0x9E37_79B9_7F4A_7C15)
        while i < count {
            dst.storeBytes(of: UInt8(truncatingIfNeeded: w >> ((pos & 7) * 8)), toByteOffset: i, as: UInt8.self)
            i += 1
            pos += 1
        }
    }
}
