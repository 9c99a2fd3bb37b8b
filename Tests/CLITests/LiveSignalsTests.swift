import Capture
import Foundation
@testable import rdpdiag
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Signal handling and the output sink of `rdpdiag live`. The signal test
/// installs process-wide handlers, so it runs alone in its suite and puts the
/// default actions back at the end.
@Suite(.serialized) struct LiveSignalsTests {
    @Test func signalsArriveThroughThePipe() throws {
        let signals = try LiveSignals()
        defer { signals.uninstall() }
        // Only one set of handlers per process.
        #expect(throws: CaptureError.self) { _ = try LiveSignals() }
        #expect(signals.take().isEmpty)

        // Signals go to the process (kill, not raise: test threads are libdispatch
        // workers, which block signals, so a thread-directed one would stay pending).
        // The handler runs on some other thread; wait for its byte.
        func send(_ signal: Int32) -> LiveSignalEvents {
            kill(getpid(), signal)
            var ready = pollfd(fd: signals.wakeDescriptor, events: Int16(POLLIN), revents: 0)
            #expect(poll(&ready, 1, 5_000) == 1, "no wake-up for \(LiveSignals.name(signal))")
            return signals.take()
        }
        #expect(send(SIGHUP) == LiveSignalEvents(stop: false, reopen: true, stopSignal: nil))
        #expect(signals.take().isEmpty)
        var idle = pollfd(fd: signals.wakeDescriptor, events: Int16(POLLIN), revents: 0)
        #expect(poll(&idle, 1, 0) == 0)
        // SIGHUP keeps its handler.
        #expect(send(SIGHUP).reopen)

        // SIGTERM asks to stop and keeps its handler (supervisors and `timeout` may send it twice).
        let stop = send(SIGTERM)
        #expect(stop.stop && stop.stopSignal == SIGTERM && !stop.reopen)
        var current = sigaction()
        sigaction(SIGTERM, nil, &current)
        #expect(current.__sigaction_handler.sa_handler != nil)
        #expect(send(SIGTERM).stop)
        sigaction(SIGHUP, nil, &current)
        #expect(current.__sigaction_handler.sa_handler != nil)
        #expect(LiveSignals.name(SIGTERM) == "SIGTERM")
    }

    @Test func outputReopensAfterRotation() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rdpdiag-live-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/rdpdiag.jsonl"
        let output = try LiveOutput(path: path)
        #expect(output.writeLine("{\"id\":0}"))
        #expect(output.writeLine("{\"id\":1}\n"))
        // Each line is in the file as soon as it is written (no buffer to flush).
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "{\"id\":0}\n{\"id\":1}\n")

        // logrotate: rename, then SIGHUP → reopen.
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        #expect(output.writeLine("{\"id\":2}"))  // still the old file until the reopen
        try output.reopen()
        #expect(output.writeLine("{\"id\":3}"))
        #expect(try String(contentsOfFile: path + ".1", encoding: .utf8) == "{\"id\":0}\n{\"id\":1}\n{\"id\":2}\n")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "{\"id\":3}\n")
        #expect(output.linesWritten == 4 && output.writeErrors == 0)

        // Appends, never truncates, an existing file (a restart keeps earlier lines).
        let again = try LiveOutput(path: path)
        again.writeLine("{\"id\":4}")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "{\"id\":3}\n{\"id\":4}\n")
    }

    @Test func outputErrors() throws {
        #expect(throws: CaptureError.self) { _ = try LiveOutput(path: "/nonexistent-dir-rdpdiag/out.jsonl") }
        // A reopen that fails keeps the old file.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rdpdiag-live-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/sub/out.jsonl"
        try FileManager.default.createDirectory(atPath: directory + "/sub", withIntermediateDirectories: true)
        let output = try LiveOutput(path: path)
        try FileManager.default.moveItem(atPath: directory + "/sub", toPath: directory + "/moved")
        #expect(throws: CaptureError.self) { try output.reopen() }
        #expect(output.writeLine("still here"))
        #expect(try String(contentsOfFile: directory + "/moved/out.jsonl", encoding: .utf8) == "still here\n")
        // Standard output needs no reopen.
        let stdout = try LiveOutput(path: "-")
        #expect(stdout.path == nil)
        try stdout.reopen()
    }

    @Test func writeErrorIsCountedNotFatal() throws {
        // /dev/full fails every write with ENOSPC.
        try #require(FileManager.default.fileExists(atPath: "/dev/full"))
        let output = try LiveOutput(path: "/dev/full")
        #expect(!output.writeLine("lost"))
        #expect(output.writeErrors == 1)
        #expect(output.lastError?.contains("No space left") == true)
    }
}

@Suite struct LiveCountersTests {
    static let start = CaptureTime(seconds: 1_795_601_700, nanoseconds: 0)

    func sample() -> LiveCounters {
        var c = LiveCounters(startTime: Self.start)
        c.record(side: "none", cause: "ok", failed: false)
        c.record(side: "server", cause: "port_closed", failed: true)
        c.record(side: "server", cause: "port_closed", failed: true)
        c.record(side: "server", cause: "nla_failed", failed: true)
        c.record(side: "network", cause: "no_answer", failed: true)
        c.packets = 1234
        c.bytes = 99_000
        c.openFlows = 7
        var eth0 = LiveInterfaceStats(interface: "eth0")
        eth0.received = 1300
        eth0.dropped = 5
        var eth1 = LiveInterfaceStats(interface: "eth1")
        eth1.received = 10
        c.interfaces = [eth0, eth1]
        c.residentBytes = 25 * 1_048_576 + 400_000
        return c
    }

    @Test func summaryLine() {
        let line = sample().summaryLine(now: Self.start.adding(nanoseconds: 600 * CaptureTime.second))
        #expect(line == "rdpdiag: live 600s: 5 connections, 4 failed (network: no_answer 1; server: port_closed 2, nla_failed 1);"
            + " 1234 packets; kernel 1310 received, 5 dropped; 7 flows open; RSS 25.4 MiB")
        var c = sample()
        c.evidenceFiles = 3
        c.evidenceFailures = 1
        c.outputErrors = 2
        #expect(c.summaryLine(now: Self.start, final: true).hasPrefix("rdpdiag: final 0s: 5 connections"))
        #expect(c.summaryLine(now: Self.start).hasSuffix("; evidence 3 files, 1 not written; 2 output write errors"))
    }

    @Test func metrics() {
        let text = sample().metrics(now: Self.start.adding(nanoseconds: 60 * CaptureTime.second)).text
        let lines = Set(text.split(separator: "\n").map(String.init))
        for expected in [
            "rdpdiag_connections_total 5",
            "rdpdiag_connections_failed_total 4",
            "rdpdiag_failures_total{side=\"server\",cause=\"port_closed\"} 2",
            "rdpdiag_failures_total{side=\"network\",cause=\"no_answer\"} 1",
            "rdpdiag_packets_total 1234",
            "rdpdiag_open_flows 7",
            "rdpdiag_kernel_dropped_total{interface=\"eth0\"} 5",
            "rdpdiag_kernel_received_total{interface=\"eth1\"} 10",
            "rdpdiag_resident_memory_bytes 26614400",
            "rdpdiag_start_time_seconds 1795601700",
            "rdpdiag_last_update_seconds 1795601760",
            "# TYPE rdpdiag_failures_total counter",
        ] {
            #expect(lines.contains(expected), "missing: \(expected)")
        }
        // One HELP/TYPE per family.
        #expect(text.components(separatedBy: "# TYPE rdpdiag_kernel_dropped_total").count == 2)
    }
}
