import Capture
import Foundation
import Testing
@testable import rdpdiag_bench_gen

/// The benchmark generator (Benchmarks/Generator) writes small captures that read back
/// through `CaptureReader` frame for frame, in time order, the same for the same seed.
@Suite struct BenchmarkGeneratorTests {
    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("rdpdiag-gen-\(getpid())-\(name).pcap").path
    }

    @Test(arguments: CaptureKind.allCases)
    func tinyCaptureReadsBack(kind: CaptureKind) throws {
        let path = Self.temporaryPath(kind.rawValue)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let summary = try generateCapture(kind: kind, targetBytes: 300_000, seed: 3, path: path)
        #expect(summary.bytes >= 300_000)
        #expect(summary.connections > 0)

        let reader = try CaptureReader(paths: [path])
        var frames = 0
        var last = CaptureTime.zero
        var bytes = 24
        while let frame = reader.next() {
            frames += 1
            #expect(frame.time > last)
            last = frame.time
            bytes += 16 + frame.bytes.count
            #expect(frame.bytes.count >= 60)
        }
        #expect(frames == summary.packets)
        #expect(bytes == summary.bytes)
        #expect(reader.summaries[0].stoppedEarly == nil)
    }

    @Test func sameSeedSameFile() throws {
        let a = Self.temporaryPath("a"), b = Self.temporaryPath("b")
        defer {
            try? FileManager.default.removeItem(atPath: a)
            try? FileManager.default.removeItem(atPath: b)
        }
        _ = try generateCapture(kind: .gatewayMix, targetBytes: 200_000, seed: 9, path: a)
        _ = try generateCapture(kind: .gatewayMix, targetBytes: 200_000, seed: 9, path: b)
        #expect(FileManager.default.contents(atPath: a) == FileManager.default.contents(atPath: b))
    }
}
