import Capture
import Foundation
import Testing

@Suite struct LiveMetricsTests {
    @Test func exposition() {
        var m = MetricsExposition()
        m.counter("rdpdiag_connections_total", help: "RDP connections reported.", value: 12)
        m.counter("rdpdiag_failures_total", help: "Failed connections.", labels: [("side", "server"), ("cause", "port_closed")], value: 2)
        m.gauge("rdpdiag_open_flows", help: "Flows.", value: 5)
        // Same family again, later: grouped under the first HELP/TYPE.
        m.counter("rdpdiag_failures_total", help: "ignored", labels: [("side", "network"), ("cause", "no_answer")], value: 1)
        m.gauge("rdpdiag_ratio", help: "A fraction.", value: 0.25)
        m.declare(.counter, "rdpdiag_empty_total", help: "No samples yet.")
        #expect(m.text == """
        # HELP rdpdiag_connections_total RDP connections reported.
        # TYPE rdpdiag_connections_total counter
        rdpdiag_connections_total 12
        # HELP rdpdiag_failures_total Failed connections.
        # TYPE rdpdiag_failures_total counter
        rdpdiag_failures_total{side="server",cause="port_closed"} 2
        rdpdiag_failures_total{side="network",cause="no_answer"} 1
        # HELP rdpdiag_open_flows Flows.
        # TYPE rdpdiag_open_flows gauge
        rdpdiag_open_flows 5
        # HELP rdpdiag_ratio A fraction.
        # TYPE rdpdiag_ratio gauge
        rdpdiag_ratio 0.25
        # HELP rdpdiag_empty_total No samples yet.
        # TYPE rdpdiag_empty_total counter

        """)
    }

    @Test func escapingAndNames() {
        var m = MetricsExposition()
        m.gauge("bad-name.with spaces", help: "back\\slash and\nnewline", labels: [("inter-face", "eth\"0\"\\\n")], value: 1)
        m.gauge("1st", help: "h", value: .infinity)
        m.gauge("nan", help: "h", value: .nan)
        m.gauge("neg", help: "h", value: -.infinity)
        m.counter("big", help: "h", value: UInt64.max)
        let lines = m.text.split(separator: "\n").map(String.init)
        #expect(lines[0] == "# HELP bad_name_with_spaces back\\\\slash and\\nnewline")
        #expect(lines[1] == "# TYPE bad_name_with_spaces gauge")
        #expect(lines[2] == "bad_name_with_spaces{inter_face=\"eth\\\"0\\\"\\\\\\n\"} 1")
        #expect(lines.contains("_st +Inf"))
        #expect(lines.contains("nan NaN"))
        #expect(lines.contains("neg -Inf"))
        #expect(lines.contains("big 1.8446744073709552e+19"))
    }

    @Test func atomicReplacement() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/rdpdiag.prom"
        try AtomicFile.write("first 1\n", to: path)
        let firstInode = try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int
        try AtomicFile.write("second 2\n", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "second 2\n")
        // A new file renamed over the old one (readers holding the old one keep a whole copy).
        let secondInode = try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int
        #expect(firstInode != secondInode)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["rdpdiag.prom"])
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o644)
    }

    @Test func atomicWriteFailureLeavesTheOldFile() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // The target is a directory: rename fails, the temp file is removed.
        let path = directory + "/target"
        try FileManager.default.createDirectory(atPath: path + "/inside", withIntermediateDirectories: true)
        #expect(throws: CaptureError.self) { try AtomicFile.write("x 1\n", to: path) }
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: directory)) == ["target"])
        #expect(throws: CaptureError.self) { try AtomicFile.write("x 1\n", to: directory + "/missing/dir/file") }
    }

    @Test func residentMemory() throws {
        let rss = try #require(ProcessMemory.residentBytes())
        #expect(rss > 1 << 20 && rss < 1 << 40)
    }
}
