import Capture
import Foundation
import Testing
import TestSupport

/// A directory of its own for one test, removed when the test is done
/// (tests run in parallel, so no two share a file name).
final class TempDirectory {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/rdpdiag-capture-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let p = file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }
}

func readBytes(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

/// A frame copied out of the reader (its bytes are only borrowed until the next read).
struct ReadFrame: Equatable {
    var number: Int
    var time: CaptureTime
    var linkType: LinkType
    var originalLength: Int
    var bytes: [UInt8]
}

func readAll(_ reader: CaptureReader) -> [ReadFrame] {
    var out: [ReadFrame] = []
    while let f = reader.next() {
        out.append(ReadFrame(number: f.number, time: f.time, linkType: f.linkType, originalLength: f.originalLength, bytes: Array(f.bytes)))
    }
    return out
}

/// A written frame: what `PcapWriter` was given.
struct WrittenFrame {
    var time: CaptureTime
    var bytes: [UInt8]
    var originalLength: Int
}

func writePcap(_ path: String, linkType: LinkType = .ethernet, nanosecond: Bool = true, _ frames: [WrittenFrame]) throws {
    let writer = try PcapWriter(path: path, linkType: linkType, nanosecond: nanosecond)
    for f in frames { writer.write(time: f.time, bytes: f.bytes, originalLength: f.originalLength) }
    writer.close()
}

/// Five Ethernet frames of an RDP connection start (handshake, request, reply),
/// at times with odd nanoseconds so that rounding to microseconds would show.
/// The last is cut to a 60-byte snap length on a 1000-byte original.
func fiveFrames(start: Int64 = 1_700_000_000) -> [WrittenFrame] {
    var c = Conversation.ipv4()
    c.time = CaptureTime(seconds: start, nanoseconds: 123_456_789)
    c.gap = 1_000_000_007
    c.handshake()
    c.send(.client, [3, 0, 0, 19] + [UInt8](repeating: 0x0E, count: 15))
    c.send(.server, [UInt8](repeating: 0x42, count: 946))
    return c.frames.enumerated().map { i, f in
        i == 4 ? WrittenFrame(time: f.time, bytes: Array(f.bytes.prefix(60)), originalLength: f.bytes.count)
            : WrittenFrame(time: f.time, bytes: f.bytes, originalLength: f.bytes.count)
    }
}

/// A minimal pcapng file (pcapng draft, IETF opsawg-pcapng §4.1 SHB, §4.2 IDB
/// with if_tsresol = 9, §4.3 EPB per frame), little-endian, written by hand.
func pcapng(linkType: UInt16 = 1, _ frames: [WrittenFrame]) -> [UInt8] {
    var out: [UInt8] = []
    func u16(_ v: UInt16) { out += [UInt8(v & 0xFF), UInt8(v >> 8)] }
    func u32(_ v: UInt32) { for i in 0..<4 { out.append(UInt8(v >> (8 * UInt32(i)) & 0xFF)) } }
    // Section Header Block: type, length 28, byte-order magic, version 1.0, section length -1 (unknown).
    u32(0x0A0D_0D0A); u32(28); u32(0x1A2B_3C4D); u16(1); u16(0)
    u32(0xFFFF_FFFF); u32(0xFFFF_FFFF); u32(28)
    // Interface Description Block: link type, snap length, if_tsresol (code 9) = 9 (nanoseconds), opt_endofopt.
    u32(1); u32(32); u16(linkType); u16(0); u32(262_144)
    u16(9); u16(1); out += [9, 0, 0, 0]
    u16(0); u16(0)
    u32(32)
    for f in frames {
        // Enhanced Packet Block: interface 0, 64-bit timestamp in the interface's units, lengths, data padded to 4.
        let padded = (f.bytes.count + 3) & ~3
        let length = UInt32(32 + padded)
        let ts = UInt64(f.time.nanoseconds)
        u32(6); u32(length); u32(0); u32(UInt32(ts >> 32)); u32(UInt32(ts & 0xFFFF_FFFF))
        u32(UInt32(f.bytes.count)); u32(UInt32(f.originalLength))
        out += f.bytes + [UInt8](repeating: 0, count: padded - f.bytes.count)
        u32(length)
    }
    return out
}

/// Byte offsets where each pcap record starts, and the file's length: the
/// classic format is a 24-byte file header, then 16-byte record headers each
/// followed by the captured bytes.
func pcapRecordBoundaries(_ frames: [WrittenFrame]) -> [Int] {
    var offsets = [24]
    for f in frames { offsets.append(offsets[offsets.count - 1] + 16 + f.bytes.count) }
    return offsets
}
