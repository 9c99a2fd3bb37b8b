import Capture
import Foundation
import TestSupport
import Testing

/// The hot path must not allocate per in-order segment (STYLE.md §6). Counted
/// from outside with valgrind's heap summary on the release binary (debug
/// builds box values in unspecialised generic code): the same connection with
/// three times the segments must cost (almost) no more allocations. The
/// README's test command builds the release binary first.
@Suite struct AllocationTests {
    static let valgrind = ["/usr/bin/valgrind", "/usr/local/bin/valgrind"].first { FileManager.default.isExecutableFile(atPath: $0) }

    func allocations(segments: Int, payload: Int, dir: URL) throws -> Int {
        var c = Conversation.ipv4()
        c.handshake()
        for i in 0..<segments {
            c.send(.client, [UInt8](repeating: UInt8(truncatingIfNeeded: i), count: payload))
            if i % 2 == 1 { c.ack(.server) }
        }
        c.fin(.client)
        c.fin(.server)
        let path = dir.appendingPathComponent("inorder-\(segments).pcap").path
        try c.write(to: path)
        let binary = try strippedBinary(in: dir)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.valgrind))
        // valgrind writes its report to a file: reading a pipe with Foundation's FileHandle
        // traps when a signal meant for another test's child interrupts the read (EINTR).
        let log = dir.appendingPathComponent("valgrind-\(segments)-\(payload).log").path
        process.arguments = ["--tool=memcheck", "--leak-check=no", "--log-file=\(log)", binary, "analyze", "--no-progress", path]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        // "total heap usage: 12,345 allocs, 12,300 frees, 1,234,567 bytes allocated"
        guard let range = text.range(of: "total heap usage: ") else { throw CLIError.missingBinary("valgrind output: \(text.suffix(400))") }
        let digits = text[range.upperBound...].prefix { $0.isNumber || $0 == "," }.filter(\.isNumber)
        return try #require(Int(digits))
    }

    static let releaseBinary = packageRoot.appendingPathComponent(".build/release/rdpdiag").path

    /// valgrind 3.19 cannot read the DWARF of a large Swift binary; a copy without debug info runs fine.
    func strippedBinary(in dir: URL) throws -> String {
        let copy = dir.appendingPathComponent("rdpdiag-stripped").path
        if FileManager.default.fileExists(atPath: copy) { return copy }
        guard FileManager.default.isExecutableFile(atPath: Self.releaseBinary) else {
            throw CLIError.missingBinary("\(Self.releaseBinary): build it first with 'swift build -c release --product rdpdiag'")
        }
        try FileManager.default.copyItem(atPath: Self.releaseBinary, toPath: copy)
        let strip = Process()
        strip.executableURL = URL(fileURLWithPath: "/usr/bin/strip")
        strip.arguments = ["--strip-debug", copy]
        try strip.run()
        strip.waitUntilExit()
        return copy
    }

    @Test(.enabled(if: valgrind != nil, "valgrind is not installed (apt-get install valgrind)"))
    func inOrderSegmentsDoNotAllocate() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Within the payload depth (delivered to the consumer) and beyond it (headers only).
        for payload in [100, 1400] {
            let small = try allocations(segments: 1000, payload: payload, dir: dir)
            let large = try allocations(segments: 3000, payload: payload, dir: dir)
            // 2000 more segments (3000 more packets with the ACKs) may cost a handful of
            // allocations (buffers growing), never one per packet.
            #expect(large - small < 50, "payload \(payload): \(small) allocations for 1000 segments, \(large) for 3000")
        }
    }
}
