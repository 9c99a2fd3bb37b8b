@testable import Capture
import Foundation
import Testing

/// Large in-order buffers are mapped apart from the heap, and not on huge pages.
@Suite struct PlainPagesTests {
    /// The VmFlags line of the mapping of /proc/self/smaps that holds `address`.
    static func flags(of address: UnsafeRawPointer) throws -> String? {
        // Read to the end: /proc files have no size to go by.
        let file = try #require(FileHandle(forReadingAtPath: "/proc/self/smaps"))
        let smaps = String(decoding: file.readDataToEndOfFile(), as: UTF8.self)
        let target = UInt(bitPattern: address)
        var inside = false
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 1)
            if let range = fields.first, range.contains("-"), !range.hasSuffix(":") {
                let bounds = range.split(separator: "-")
                if bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16) {
                    inside = start <= target && target < end
                    continue
                }
            }
            if inside && line.hasPrefix("VmFlags:") { return String(line) }
        }
        return nil
    }

    @Test func aBufferIsWritableAndNotOnHugePages() throws {
        let size = 8 << 20
        let buffer = PlainPages.allocate(byteCount: size)
        defer { PlainPages.deallocate(buffer, byteCount: size) }
        buffer.initializeMemory(as: UInt8.self, repeating: 0xA5, count: size)
        #expect(buffer.load(fromByteOffset: size - 1, as: UInt8.self) == 0xA5)
        // "nh": the kernel was told not to back it with transparent huge pages.
        let flags = try #require(try Self.flags(of: buffer))
        #expect(flags.split(separator: " ").contains("nh"), "\(flags)")
    }

    @Test func theCaptureHistoryIsMappedThatWay() throws {
        let history = CaptureHistory(capacity: 4 << 20)
        let flags = try #require(try Self.flags(of: history.storage))
        #expect(flags.split(separator: " ").contains("nh"), "\(flags)")
    }
}
