import ArgumentParser
import Capture
import Diagnosis
import Dissect
import Reassembly
import Report
import Wire

#if canImport(Glibc)
import Glibc
#endif

/// `rdpdiag live`: the same engine as `analyze` on live traffic of a Linux
/// gateway; each connection is reported as it ends or idles out.
struct LiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live",
        abstract: "Diagnose RDP connections on live traffic, reporting each as it ends.",
        discussion: """
        Captures on the interfaces given (libpcap; 'any' for all) with the default filter \\
        'tcp port 3389' (plus every --port) and the ICMP/ICMPv6 errors that explain failures. \\
        Every connection is reported when it ends or after --idle-timeout seconds without a \\
        packet (half-open SYNs after --half-open-timeout): text, or one JSON object per line \\
        with --format jsonl, flushed at once, to standard output or --output FILE (reopened on \\
        SIGHUP for logrotate). A summary goes to standard error every --stats-interval \\
        seconds; SIGINT/SIGTERM flushes every open connection, prints a final summary and \\
        exits 0.

        Needs CAP_NET_RAW and CAP_NET_ADMIN (root, or: setcap cap_net_raw,cap_net_admin=eip \\
        $(command -v rdpdiag)).

        Examples:
          rdpdiag live --interface eth1
          rdpdiag live --interface eth1 --format jsonl --output /var/log/rdpdiag/live.jsonl \\
              --evidence-dir /var/lib/rdpdiag/evidence --metrics-file /var/lib/rdpdiag/rdpdiag.prom
        """
    )

    @Option(name: .customLong("interface"), help: ArgumentHelp("Interface to capture on (repeatable; 'any' for all).", valueName: "name"))
    var interfaces: [String] = []

    @Option(name: .customLong("port"), help: ArgumentHelp("Also treat this TCP port as RDP (repeatable).", valueName: "port"))
    var ports: [UInt16] = []

    @Flag(name: .customLong("any-port"), help: "Capture all TCP and find RDP by content (costs more).")
    var anyPort = false

    @Option(help: ArgumentHelp("BPF filter replacing the default one (tcpdump syntax).", valueName: "expression"))
    var filter: String?

    @Option(help: ArgumentHelp("Bytes kept of each packet.", valueName: "bytes"))
    var snaplen: Int = 262_144

    @Option(name: .customLong("buffer-mb"), help: ArgumentHelp("Kernel capture buffer per interface, MiB (raise it if the summary shows kernel drops).", valueName: "mib"))
    var bufferMB: Int = 64

    @Option(name: .customLong("idle-timeout"), help: ArgumentHelp("Seconds without a packet after which a connection is reported.", valueName: "seconds"))
    var idleTimeout: Int = 120

    @Option(name: .customLong("half-open-timeout"), help: ArgumentHelp("Seconds after which a connection that never got past its SYNs is reported.", valueName: "seconds"))
    var halfOpenTimeout: Int = 30

    @Option(help: "Output format: text or jsonl.")
    var format: OutputFormat = .text

    @Option(help: ArgumentHelp("Append reports to this file instead of standard output (reopened on SIGHUP).", valueName: "file"))
    var output: String?

    @Flag(name: .customLong("only-failed"), help: "Report only the RDP connections that failed.")
    var onlyFailed = false

    @Option(name: .customLong("stats-interval"), help: ArgumentHelp("Seconds between summaries on standard error (0: none).", valueName: "seconds"))
    var statsInterval: Int = 60

    @Option(name: .customLong("evidence-dir"), help: ArgumentHelp("Write a pcap of each failed connection's packets (its first and last ones) here.", valueName: "dir"))
    var evidenceDir: String?

    @Option(name: .customLong("evidence-max-files"), help: ArgumentHelp("Most evidence files kept (oldest removed first).", valueName: "n"))
    var evidenceMaxFiles: Int = 1000

    @Option(name: .customLong("evidence-max-mb"), help: ArgumentHelp("Most MiB of evidence files kept (oldest removed first).", valueName: "mib"))
    var evidenceMaxMB: Int = 1024

    @Option(name: .customLong("metrics-file"), help: ArgumentHelp("Write Prometheus metrics here every stats interval (node_exporter textfile collector).", valueName: "path"))
    var metricsFile: String?

    @Option(name: .customLong("keylog"), help: ArgumentHelp("TLS key log to decrypt with (repeatable; read once at start).", valueName: "file"))
    var keylogs: [String] = []

    @Option(help: ArgumentHelp("Most TCP connections tracked at once.", valueName: "n"))
    var maxFlows: Int = 200_000

    @Flag(name: .customLong("no-color"), help: "No colour in text output.")
    var noColor = false

    func validate() throws {
        if interfaces.isEmpty { throw ValidationError("give at least one --interface (or 'any')") }
        if ports.contains(0) { throw ValidationError("--port must be between 1 and 65535") }
        if format == .json { throw ValidationError("live output is text or jsonl (one line per connection), not one json document") }
        if idleTimeout < 1 || halfOpenTimeout < 1 { throw ValidationError("timeouts must be at least 1 second") }
        if bufferMB < 1 || snaplen < 64 { throw ValidationError("--buffer-mb must be at least 1 and --snaplen at least 64") }
    }

    func run() throws {
        var keyLog: TLSKeyLog?
        if !keylogs.isEmpty {
            do { keyLog = try TLSKeyLog(paths: keylogs) } catch {
                writeErr("rdpdiag: \(error)\n")
                throw ExitCode(2)
            }
        }
        let allPorts = Array(Set([3389] + ports)).sorted()
        var options = LiveCaptureOptions()
        options.snapLength = snaplen
        options.bufferBytes = bufferMB * 1024 * 1024
        options.filter = filter ?? LiveCapture.defaultFilter(ports: allPorts, anyPort: anyPort)
        let capture: LiveCapture, signals: LiveSignals, out: LiveOutput
        var evidence: EvidenceStore?
        do {
            capture = try LiveCapture(interfaces: interfaces, options: options)
            signals = try LiveSignals()
            out = try LiveOutput(path: output)
            if let evidenceDir {
                evidence = try EvidenceStore(directory: evidenceDir, maxFiles: evidenceMaxFiles, maxBytes: Int64(evidenceMaxMB) << 20)
            }
        } catch {
            writeErr("rdpdiag: \(error)\n")
            throw ExitCode(2)
        }
        for warning in capture.warnings { writeErr("rdpdiag: warning: \(warning)\n") }
        capture.wakeDescriptor = signals.wakeDescriptor
        writeErr("rdpdiag: capturing on \(capture.interfaces.map { "\($0.name) (\($0.linkType.name))" }.joined(separator: ", ")), filter '\(options.filter ?? "")'\n")

        var config = ReassemblyConfig()
        config.serverPorts = allPorts
        config.maxFlows = maxFlows
        config.idleTimeout = Int64(idleTimeout) * CaptureTime.second
        config.halfOpenTimeout = Int64(halfOpenTimeout) * CaptureTime.second
        // Report a closed connection within a second of its end: linger only long enough
        // for packets racing a reset (a round trip), and look for idle ones often.
        config.closedTimeout = 500 * CaptureTime.millisecond
        config.sweepInterval = 200 * CaptureTime.millisecond
        let analyzer = ConnectionAnalyzer(listAll: false, keyLog: keyLog)
        let tracker = FlowTracker(config: config, consumer: analyzer)
        let pool = evidence == nil ? nil : EvidencePool(maxTotalBytes: 64 * 1024 * 1024)
        var counters = LiveCounters(startTime: LiveCapture.currentTime())
        let color = !noColor && output == nil && isatty(1) != 0 && getenv("NO_COLOR") == nil

        analyzer.onAnyFinished = { id in
            // Reported connections take their buffer in onFinished (called first); the rest are dropped.
            pool?.discard(id)
        }
        analyzer.onFinished = { c in
            let failed = c.verdict?.failed ?? false
            counters.record(side: c.verdict?.side.rawValue ?? "unknown", cause: c.verdict?.cause.rawValue ?? "unknown", failed: failed)
            if let pool, let store = evidence, let buffer = pool.take(c.trackerID), failed {
                switch store.write(buffer, start: c.start, client: EvidenceEndpoint(c.client), server: EvidenceEndpoint(c.server)) {
                case .success(let files): counters.evidenceFiles += files.count
                case .failure(let error):
                    counters.evidenceFailures += 1
                    writeErr("rdpdiag: evidence: \(error)\n")
                }
            }
            guard !onlyFailed || failed else { return }
            let text = format == .jsonl ? JSONReport.connection(c).serialized() : TextReport.connection(c, id: c.trackerID, color: color)
            if !out.writeLine(text) { counters.outputErrors += 1 }
        }

        var nextStats = LiveCapture.currentTime().adding(nanoseconds: Int64(statsInterval) * CaptureTime.second)
        var stopSignal: Int32?
        loop: while true {
            switch capture.next(timeoutMilliseconds: 100) {
            case .frame(let frame, _):
                tracker.ingest(frame)
                if let pool, tracker.lastConnectionID >= 0 { pool.record(frame, connection: tracker.lastConnectionID) }
            case .timeout:
                let events = signals.take()
                if events.stop {
                    stopSignal = events.stopSignal
                    break loop
                }
                if events.reopen {
                    do { try out.reopen() } catch { writeErr("rdpdiag: cannot reopen output: \(error)\n") }
                }
                let now = LiveCapture.currentTime()
                tracker.advance(to: now)
                if statsInterval > 0 && now >= nextStats {
                    nextStats = now.adding(nanoseconds: Int64(statsInterval) * CaptureTime.second)
                    fill(&counters, tracker: tracker, capture: capture, pool: pool)
                    writeErr(counters.summaryLine(now: now) + "\n")
                    writeMetrics(counters, now: now)
                }
            case .failed(let error, let index):
                writeErr("rdpdiag: \(error)\n")
                if !(0..<capture.interfaces.count).contains(where: capture.isAlive) || !capture.isAlive(index) && capture.interfaces.count == 1 {
                    break loop
                }
            }
        }
        // Flush every open connection, then the final summary.
        tracker.finishAll(reason: .endOfCapture)
        let now = LiveCapture.currentTime()
        fill(&counters, tracker: tracker, capture: capture, pool: pool)
        if let stopSignal { writeErr("rdpdiag: \(LiveSignals.name(stopSignal)): flushed open connections\n") }
        writeErr(counters.summaryLine(now: now, final: true) + "\n")
        writeMetrics(counters, now: now)
        signals.uninstall()
    }

    func fill(_ counters: inout LiveCounters, tracker: FlowTracker<ConnectionAnalyzer>, capture: LiveCapture, pool: EvidencePool?) {
        counters.packets = tracker.stats.frames
        counters.bytes = tracker.stats.bytes
        counters.openFlows = tracker.flowCount
        counters.interfaces = capture.stats()
        counters.residentBytes = ProcessMemory.residentBytes()
        counters.evidenceBytesHeld = pool?.totalBytes ?? 0
    }

    func writeMetrics(_ counters: LiveCounters, now: CaptureTime) {
        guard let metricsFile else { return }
        do { try AtomicFile.write(counters.metrics(now: now).text, to: metricsFile) } catch {
            writeErr("rdpdiag: metrics: \(error)\n")
        }
    }
}

extension EvidenceEndpoint {
    /// The endpoint as numbers only, so nothing from packet contents reaches a file name.
    init(_ e: Endpoint) {
        if e.address.isIPv6 {
            self.init(ipv6High: e.address.high, low: e.address.low, port: e.port)
        } else {
            self.init(ipv4: UInt32(truncatingIfNeeded: e.address.low), port: e.port)
        }
    }
}
