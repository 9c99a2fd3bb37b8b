import Capture

/// Run-wide counters of `rdpdiag live`, rendered as the periodic summary line
/// on standard error and as Prometheus metrics (`--metrics-file`).
///
/// The loop fills it: `record(...)` for each reported connection, and before
/// each summary the figures that are read, not counted (packets from the flow
/// tracker, kernel counters from `LiveCapture.stats()`, flows in the table, RSS).
/// Memory stays bounded: the maps are keyed by side and cause ids, a fixed set.
struct LiveCounters {
    var startTime: CaptureTime
    /// Connections reported so far, and the failed ones.
    var connections = 0
    var failed = 0
    /// Failures by side, then cause (`server` → `port_closed` → 2).
    var failures: [String: [String: Int]] = [:]
    /// Frames and bytes seen by the flow tracker.
    var packets = 0
    var bytes = 0
    /// Connections in the flow table now.
    var openFlows = 0
    var interfaces: [LiveInterfaceStats] = []
    var residentBytes: Int?
    var evidenceFiles = 0
    var evidenceFailures = 0
    var evidenceBytesHeld = 0
    var outputErrors = 0

    init(startTime: CaptureTime) { self.startTime = startTime }

    /// Counts one reported connection; `failed` as the verdict says (side not `none`).
    mutating func record(side: String, cause: String, failed isFailure: Bool) {
        connections += 1
        guard isFailure else { return }
        failed += 1
        failures[side, default: [:]][cause, default: 0] += 1
    }

    var kernelReceived: UInt64 { interfaces.reduce(0) { $0 + $1.received } }
    var kernelDropped: UInt64 { interfaces.reduce(0) { $0 + $1.dropped } }
    var interfaceDropped: UInt64 { interfaces.reduce(0) { $0 + $1.interfaceDropped } }

    /// One line for standard error:
    /// `rdpdiag: live 600s: 12 connections, 3 failed (server: port_closed 2; network: no_answer 1); ...`
    func summaryLine(now: CaptureTime, final: Bool = false) -> String {
        let elapsed = max(now.nanoseconds(since: startTime) / CaptureTime.second, 0)
        var line = "rdpdiag: \(final ? "final" : "live") \(elapsed)s: \(connections) connections, \(failed) failed"
        if !failures.isEmpty {
            let sides = failures.keys.sorted().map { side in
                let causes = (failures[side] ?? [:]).sorted { ($1.value, $0.key) < ($0.value, $1.key) }
                return "\(side): " + causes.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            }
            line += " (" + sides.joined(separator: "; ") + ")"
        }
        line += "; \(packets) packets; kernel \(kernelReceived) received, \(kernelDropped) dropped"
        if interfaceDropped > 0 { line += ", \(interfaceDropped) dropped by interface" }
        line += "; \(openFlows) flows open"
        if let residentBytes { line += "; RSS \(LiveCounters.mebibytes(residentBytes))" }
        if evidenceFiles > 0 || evidenceFailures > 0 {
            line += "; evidence \(evidenceFiles) files"
            if evidenceFailures > 0 { line += ", \(evidenceFailures) not written" }
        }
        if outputErrors > 0 { line += "; \(outputErrors) output write errors" }
        return line
    }

    static func mebibytes(_ bytes: Int) -> String {
        let tenths = (bytes * 10 + 524_288) / 1_048_576
        return "\(tenths / 10).\(tenths % 10) MiB"
    }

    /// The counters as Prometheus metrics.
    func metrics(now: CaptureTime) -> MetricsExposition {
        var m = MetricsExposition()
        m.gauge("rdpdiag_start_time_seconds", help: "When this rdpdiag live process started (Unix time).",
                value: Double(startTime.nanoseconds) / 1e9)
        m.gauge("rdpdiag_last_update_seconds", help: "When these metrics were written (Unix time).",
                value: Double(now.nanoseconds) / 1e9)
        m.counter("rdpdiag_connections_total", help: "RDP connections reported.", value: connections)
        m.counter("rdpdiag_connections_failed_total", help: "RDP connections reported as failed.", value: failed)
        m.declare(.counter, "rdpdiag_failures_total", help: "Failed RDP connections by side and cause.")
        for side in failures.keys.sorted() {
            for (cause, count) in (failures[side] ?? [:]).sorted(by: { $0.key < $1.key }) {
                m.counter("rdpdiag_failures_total", help: "", labels: [("side", side), ("cause", cause)], value: count)
            }
        }
        m.counter("rdpdiag_packets_total", help: "Frames processed.", value: packets)
        m.counter("rdpdiag_bytes_total", help: "Bytes of frames processed.", value: bytes)
        m.gauge("rdpdiag_open_flows", help: "TCP connections in the flow table.", value: openFlows)
        for interface in interfaces {
            let labels = [("interface", interface.interface)]
            m.counter("rdpdiag_kernel_received_total", help: "Packets received by the kernel filter (pcap_stats ps_recv).",
                      labels: labels, value: interface.received)
            m.counter("rdpdiag_kernel_dropped_total", help: "Packets dropped for lack of buffer space (pcap_stats ps_drop).",
                      labels: labels, value: interface.dropped)
            m.counter("rdpdiag_interface_dropped_total", help: "Packets dropped by the interface (pcap_stats ps_ifdrop).",
                      labels: labels, value: interface.interfaceDropped)
        }
        if let residentBytes {
            m.gauge("rdpdiag_resident_memory_bytes", help: "Resident set size of the process.", value: residentBytes)
        }
        m.counter("rdpdiag_evidence_files_total", help: "Evidence pcaps written.", value: evidenceFiles)
        m.counter("rdpdiag_evidence_failures_total", help: "Evidence pcaps that could not be written.", value: evidenceFailures)
        m.gauge("rdpdiag_evidence_buffered_bytes", help: "Frame bytes held for evidence of open connections.",
                value: evidenceBytesHeld)
        m.counter("rdpdiag_output_errors_total", help: "Report lines that could not be written.", value: outputErrors)
        return m
    }
}
