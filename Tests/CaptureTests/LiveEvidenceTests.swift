import Capture
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A frame whose bytes say which frame it is: [n, n, n, ...] of `size` bytes.
func numberedFrame(_ n: Int, size: Int = 100, linkType: LinkType = .ethernet) -> EvidenceFrame {
    EvidenceFrame(number: n, time: CaptureTime(seconds: 1_700_000_000 + Int64(n), nanoseconds: 0), linkType: linkType,
                  originalLength: size, bytes: [UInt8](repeating: UInt8(truncatingIfNeeded: n), count: size))
}

extension EvidenceBuffer {
    func append(_ f: EvidenceFrame) {
        f.bytes.withUnsafeBytes { append(number: f.number, time: f.time, linkType: f.linkType, originalLength: f.originalLength, bytes: $0) }
    }
}

func makeTemporaryDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("rdpdiag-live-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Suite struct EvidenceBufferTests {
    @Test func keepsFirstAndLastFrames() {
        let buffer = EvidenceBuffer(limits: EvidenceLimits(headFrames: 4, tailFrames: 3, maxBytes: 1 << 20))
        for n in 1...20 { buffer.append(numberedFrame(n)) }
        #expect(buffer.frames.map(\.number) == [1, 2, 3, 4, 18, 19, 20])
        #expect(buffer.framesSeen == 20)
        #expect(buffer.omittedFrames == 13)
        #expect(buffer.byteCount == 700)
        // Bytes are the frame's own (the ring reuses storage correctly).
        for frame in buffer.frames { #expect(frame.bytes == [UInt8](repeating: UInt8(frame.number), count: 100)) }
    }

    @Test func fewFramesAreAllKeptInOrder() {
        let buffer = EvidenceBuffer(limits: EvidenceLimits(headFrames: 4, tailFrames: 3))
        for n in 1...6 { buffer.append(numberedFrame(n)) }
        #expect(buffer.frames.map(\.number) == [1, 2, 3, 4, 5, 6])
        #expect(buffer.omittedFrames == 0)
    }

    @Test func byteCapCutsAndEvicts() {
        // 1000 bytes: the head may use 500, the tail the rest.
        let buffer = EvidenceBuffer(limits: EvidenceLimits(headFrames: 10, tailFrames: 10, maxBytes: 1000))
        for n in 1...3 { buffer.append(numberedFrame(n, size: 200)) }
        // Third frame cut to 100 bytes (500 - 400), original length kept.
        let head = buffer.frames
        #expect(head.map(\.bytes.count) == [200, 200, 100])
        #expect(head[2].originalLength == 200)
        #expect(buffer.truncatedFrames == 1)
        // Tail budget 500: at most two 200-byte frames plus a cut one never exceeds it.
        for n in 4...30 { buffer.append(numberedFrame(n, size: 200)) }
        #expect(buffer.byteCount <= 1000)
        #expect(buffer.frames.suffix(2).map(\.number) == [29, 30])
        #expect(buffer.frames.prefix(3).map(\.number) == [1, 2, 3])
        // A single frame larger than the whole tail budget is cut to it.
        buffer.append(numberedFrame(31, size: 5000))
        #expect(buffer.frames.last?.bytes.count == 500)
        #expect(buffer.frames.last?.originalLength == 5000)
        #expect(buffer.byteCount <= 1000)
    }

    @Test func ringOrderSurvivesByteEvictionsWhileGrowing() {
        // Frames of varying size make the ring evict by bytes before it has all its slots.
        let buffer = EvidenceBuffer(limits: EvidenceLimits(headFrames: 1, tailFrames: 8, maxBytes: 2000))
        var sizes: [Int] = []
        var rng = SplitMix(seed: 7)
        for n in 1...200 {
            let size = 1 + Int(rng.next() % 400)
            sizes.append(size)
            buffer.append(numberedFrame(n, size: size))
            let numbers = buffer.frames.map(\.number)
            #expect(numbers == numbers.sorted(), "out of order after frame \(n)")
            #expect(numbers.last == n)
            #expect(buffer.byteCount <= 2000)
            #expect(buffer.frames.count <= 9)
        }
    }

    @Test func linkTypesInOrderOfAppearance() {
        let buffer = EvidenceBuffer(limits: EvidenceLimits(headFrames: 2, tailFrames: 2))
        buffer.append(numberedFrame(1, linkType: .linuxSLL))
        buffer.append(numberedFrame(2, linkType: .ethernet))
        buffer.append(numberedFrame(3, linkType: .linuxSLL))
        #expect(buffer.linkTypes == [.linuxSLL, .ethernet])
    }

    @Test func poolEnforcesItsBudget() {
        let pool = EvidencePool(limits: EvidenceLimits(headFrames: 4, tailFrames: 4, maxBytes: 10_000), maxTotalBytes: 1000)
        let bytes = [UInt8](repeating: 7, count: 300)
        bytes.withUnsafeBytes { raw in
            for n in 1...3 {
                pool.record(Frame(number: n, time: .zero, linkType: .ethernet, originalLength: 300, bytes: raw), connection: 1)
            }
            // Over the budget: counted, not stored.
            pool.record(Frame(number: 4, time: .zero, linkType: .ethernet, originalLength: 300, bytes: raw), connection: 2)
        }
        #expect(pool.totalBytes == 900)
        #expect(pool.framesSkipped == 1)
        #expect(pool.count == 2)
        let second = pool.take(2)
        #expect(second?.skippedFrames == 1 && second?.frames.isEmpty == true)
        let first = pool.take(1)
        #expect(first?.frames.count == 3)
        #expect(pool.totalBytes == 0 && pool.count == 0)
        pool.discard(99)
    }
}

/// Deterministic numbers for the ring test.
struct SplitMix {
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

@Suite struct EvidenceStoreTests {
    static let client = EvidenceEndpoint(ipv4: 0x0A00_0001, port: 50_000)
    static let server = EvidenceEndpoint(ipv4: 0x0A00_0002, port: 3389)
    /// 2026-11-25T10:15:00.123456789Z
    static let start = CaptureTime(seconds: 1_795_601_700, nanoseconds: 123_456_789)

    @Test func utcStamps() {
        #expect(utcStamp(Self.start) == "20261125T101500.123Z")
        #expect(utcStamp(.zero) == "19700101T000000.000Z")
        #expect(utcStamp(CaptureTime(seconds: 951_782_400, nanoseconds: 999_999_999)) == "20000229T000000.999Z")
        #expect(utcStamp(CaptureTime(seconds: -1, nanoseconds: 0)) == "19691231T235959.000Z")
    }

    @Test func namesFromTimeAndEndpointsOnly() {
        #expect(EvidenceStore.baseName(start: Self.start, client: Self.client, server: Self.server)
            == "20261125T101500.123Z_10.0.0.1-50000_10.0.0.2-3389")
        let v6Client = EvidenceEndpoint(ipv6High: 0x2001_0DB8_0000_0000, low: 0x0000_0000_0000_0001, port: 50_001)
        let v6Server = EvidenceEndpoint(ipv6High: 0xFE80_0000_0000_0000, low: 0x0211_22FF_FE33_4455, port: 3389)
        let name = EvidenceStore.baseName(start: Self.start, client: v6Client, server: v6Server)
        #expect(name == "20261125T101500.123Z_2001.db8..1-50001_fe80..211.22ff.fe33.4455-3389")
        #expect(!name.contains(":") && !name.contains("[") && !name.contains("/"))
        #expect(EvidenceEndpoint(ipv6High: 0, low: 1, port: 1).fileNameComponent == "..1-1")
        #expect(EvidenceEndpoint(ipv6High: 0x2001_0DB8_0000_0001, low: 0x0000_0000_0001_0000, port: 2).fileNameComponent
            == "2001.db8.0.1..1.0-2")
    }

    @Test func writesReadableFilesWhoseNamesIgnorePayload() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try EvidenceStore(directory: directory, maxFiles: 10, maxBytes: 1 << 20)
        let buffer = EvidenceBuffer(limits: EvidenceLimits(headFrames: 2, tailFrames: 2))
        // Payload that would be dangerous in a name.
        let hostile = Array("../../etc/passwd\n$(reboot)".utf8)
        for n in 1...5 {
            hostile.withUnsafeBytes {
                buffer.append(number: n, time: Self.start.adding(nanoseconds: Int64(n) * 1_000), linkType: .ethernet,
                              originalLength: hostile.count + 10, bytes: $0)
            }
        }
        let files = try store.write(buffer, start: Self.start, client: Self.client, server: Self.server).get()
        #expect(files.map(\.name) == ["20261125T101500.123Z_10.0.0.1-50000_10.0.0.2-3389.pcap"])
        #expect(files[0].frames == 4 && files[0].omittedFrames == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == [files[0].name])
        let attributes = try FileManager.default.attributesOfItem(atPath: files[0].path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect((attributes[.size] as? Int).map(Int64.init) == files[0].bytes)

        let reader = try CaptureReader(paths: [files[0].path])
        var read: [(CaptureTime, [UInt8], Int)] = []
        while let frame = reader.next() { read.append((frame.time, Array(frame.bytes), frame.originalLength)) }
        let kept = buffer.frames
        #expect(read.count == kept.count)
        for (got, want) in zip(read, kept) {
            #expect(got.0 == want.time && got.1 == want.bytes && got.2 == want.originalLength)
        }
        #expect(reader.summaries[0].linkType == .ethernet)
        // Same connection again: a suffix, not an overwrite.
        let again = try store.write(buffer, start: Self.start, client: Self.client, server: Self.server).get()
        #expect(again.map(\.name) == ["20261125T101500.123Z_10.0.0.1-50000_10.0.0.2-3389_2.pcap"])
    }

    @Test func oneFilePerLinkType() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try EvidenceStore(directory: directory)
        let buffer = EvidenceBuffer()
        buffer.append(numberedFrame(1, linkType: .linuxSLL))
        buffer.append(numberedFrame(2, linkType: .ethernet))
        buffer.append(numberedFrame(3, linkType: .linuxSLL))
        let files = try store.write(buffer, start: Self.start, client: Self.client, server: Self.server).get()
        #expect(files.map(\.name) == ["20261125T101500.123Z_10.0.0.1-50000_10.0.0.2-3389.pcap",
                                      "20261125T101500.123Z_10.0.0.1-50000_10.0.0.2-3389_ETHERNET.pcap"])
        #expect(files.map(\.frames) == [2, 1])
        #expect(try CaptureReader(paths: [files[0].path]).summaries[0].linkType == .linuxSLL)
        #expect(try CaptureReader(paths: [files[1].path]).summaries[0].linkType == .ethernet)
    }

    @Test func capsRemoveOldestFirst() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A stranger's file is never counted or removed.
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: directory + "/notes.txt"))
        let store = try EvidenceStore(directory: directory, maxFiles: 3, maxBytes: 1 << 20)
        var names: [String] = []
        for n in 0..<5 {
            let buffer = EvidenceBuffer()
            buffer.append(numberedFrame(n + 1))
            let start = Self.start.adding(nanoseconds: Int64(n) * CaptureTime.second)
            names += try store.write(buffer, start: start, client: Self.client, server: Self.server).get().map(\.name)
        }
        #expect(store.fileNames == Array(names.suffix(3)))
        #expect(store.filesRemoved == 2 && store.filesWritten == 5)
        let onDisk = Set(try FileManager.default.contentsOfDirectory(atPath: directory))
        #expect(onDisk == Set(names.suffix(3) + ["notes.txt"]))

        // Size cap: each file is 24 + 16 + 100 = 140 bytes; 300 bytes hold two.
        let small = try EvidenceStore(directory: directory, maxFiles: 100, maxBytes: 300)
        #expect(small.fileCount == 3)  // found from the earlier store, over the size cap until the next write
        let buffer = EvidenceBuffer()
        buffer.append(numberedFrame(9))
        let later = Self.start.adding(nanoseconds: 60 * CaptureTime.second)
        let written = try small.write(buffer, start: later, client: Self.client, server: Self.server).get()
        #expect(small.fileNames == [names[4], written[0].name])
        #expect(small.totalBytes == 280)
        #expect(FileManager.default.fileExists(atPath: directory + "/notes.txt"))

        // A connection bigger than the whole cap is refused, not written.
        let big = EvidenceBuffer()
        big.append(numberedFrame(10, size: 1000))
        guard case .failure(let error) = small.write(big, start: later, client: Self.client, server: Self.server) else {
            Issue.record("oversized evidence written")
            return
        }
        #expect(error.description.contains("size cap"))
        #expect(small.writeFailures == 1)
    }

    @Test func plantedSymlinkIsNotFollowed() throws {
        let directory = try makeTemporaryDirectory()
        let outside = try makeTemporaryDirectory()
        defer {
            try? FileManager.default.removeItem(atPath: directory)
            try? FileManager.default.removeItem(atPath: outside)
        }
        let target = outside + "/precious"
        try Data("precious".utf8).write(to: URL(fileURLWithPath: target))
        let name = EvidenceStore.baseName(start: Self.start, client: Self.client, server: Self.server) + ".pcap"
        try FileManager.default.createSymbolicLink(atPath: directory + "/" + name, withDestinationPath: target)

        let store = try EvidenceStore(directory: directory, maxFiles: 1, maxBytes: 1 << 20)
        #expect(store.fileCount == 0)  // a symlink is not one of ours
        let buffer = EvidenceBuffer()
        buffer.append(numberedFrame(1))
        let files = try store.write(buffer, start: Self.start, client: Self.client, server: Self.server).get()
        #expect(files[0].name.hasSuffix("_2.pcap"))
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "precious")
        // Writing more (cap 1) removes our file, never the link's target.
        _ = store.write(buffer, start: Self.start.adding(nanoseconds: CaptureTime.second), client: Self.client, server: Self.server)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "precious")
        #expect(store.fileCount == 1)
    }

    @Test(.enabled(if: geteuid() != 0, "root ignores directory permissions"))
    func writeFailureIsReportedNotFatal() throws {
        let directory = try makeTemporaryDirectory()
        defer {
            chmod(directory, 0o755)
            try? FileManager.default.removeItem(atPath: directory)
        }
        let store = try EvidenceStore(directory: directory)
        chmod(directory, 0o500)
        let buffer = EvidenceBuffer()
        buffer.append(numberedFrame(1))
        guard case .failure = store.write(buffer, start: Self.start, client: Self.client, server: Self.server) else {
            Issue.record("write into a read-only directory succeeded")
            return
        }
        #expect(store.writeFailures == 1)
    }

    @Test func emptyEvidenceIsRefused() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try EvidenceStore(directory: directory)
        guard case .failure = store.write(EvidenceBuffer(), start: Self.start, client: Self.client, server: Self.server) else {
            Issue.record("empty evidence written")
            return
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
    }

    /// A full file system (a 16 KiB tmpfs mounted here): the failure is
    /// reported, the partial file removed, and the store keeps working.
    @Test(.enabled(if: runningAsRoot, "mounting a small tmpfs needs root"), .timeLimit(.minutes(1)))
    func fullDiskIsReportedAndCleanedUp() throws {
        let directory = try makeTemporaryDirectory()
        defer {
            shell("umount \(directory)")
            try? FileManager.default.removeItem(atPath: directory)
        }
        guard shell("mount -t tmpfs -o size=16k tmpfs \(directory)") == 0 else {
            // No mount permission in this container: nothing to check.
            return
        }
        let store = try EvidenceStore(directory: directory, maxFiles: 10, maxBytes: 1 << 20)
        let big = EvidenceBuffer(limits: EvidenceLimits(headFrames: 32, tailFrames: 32, maxBytes: 256 * 1024))
        for n in 1...40 { big.append(numberedFrame(n, size: 1500)) }
        guard case .failure(let error) = store.write(big, start: Self.start, client: Self.client, server: Self.server) else {
            Issue.record("60 KB written into a 16 KiB file system")
            return
        }
        #expect(error.description.contains("cannot write"))
        #expect(store.writeFailures == 1 && store.fileCount == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
        let small = EvidenceBuffer()
        small.append(numberedFrame(1))
        #expect((try? store.write(small, start: Self.start, client: Self.client, server: Self.server).get())?.count == 1)
    }
}
