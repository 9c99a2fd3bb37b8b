import ArgumentParser
import CMimalloc
import Capture
import Dissect
import Diagnosis
import Reassembly
import Report

#if canImport(Glibc)
import Glibc
import Synchronization
#endif

@main
struct RDPDiag: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rdpdiag",
        abstract: "Explain every RDP connection in a packet capture: how far it got, how it ended, and why.",
        discussion: """
        Exit status: 0 analysed and no RDP connection failed; 1 analysed and at least one \
        failed; 2 bad arguments or unreadable input (the message goes to stderr).
        """,
        version: "0.1.0",
        subcommands: [Analyze.self, LiveCommand.self, CheckCommand.self, ExplainCommand.self]
    )

    /// Runs the command line with the exit statuses of DESIGN.md: usage errors exit 2, not 64.
    static func runMain() {
        keepMimallocLinked()
        HugePages.enable()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let exit as ExitCode {
            Glibc.exit(exit.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Glibc.exit(0)
            }
            writeErr("rdpdiag: \(fullMessage(for: error))\n")
            if message(for: error).contains("Usage") == false {
                writeErr("Run 'rdpdiag --help' for usage.\n")
            }
            Glibc.exit(2)
        }
    }

    static func main() { runMain() }

    /// The process allocates and frees a few hundred small objects per connection, on
    /// two threads (reassembling and finishing), and most are freed on the thread that
    /// did not allocate them. glibc's allocator serialises those frees on the allocating
    /// arena's lock and faults fresh pages in as the heap grows and shrinks; mimalloc,
    /// linked into this executable, replaces malloc for the whole process and keeps
    /// per-thread free lists. Calling into it here also keeps the linker from dropping
    /// the library as unused (the replacement happens by symbol interposition).
    static func keepMimallocLinked() {
        _ = mi_version()
    }
}

/// Output formats of `analyze`.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, jsonl
}

struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Analyse capture files: a verdict for every RDP connection.",
        discussion: """
        Reads pcap and pcapng files (or '-' for standard input) through libpcap. With several \
        files, frames are numbered across them in the order given, as in 'mergecap -a' output; \
        the JSON report lists each file's frame range. Link types: Ethernet (with 802.1Q/802.1ad \
        VLAN tags), Linux cooked SLL and SLL2 ('tcpdump -i any'), raw IP, BSD loopback.

        RDP connections are found by port (3389 and every --port) and by content (a TPKT + \
        X.224 Connection Request as the client's first bytes), so RDP on any port is found. \
        Each gets the stage it reached, its handshake, findings with frame numbers, and a \
        verdict: cause, side (network, server, client), confidence, summary and remedy.

        Connections are reported as they finish (in capture time), so memory stays flat on \
        large captures; ids count in that order. Exit status: 0 no RDP connection failed, \
        1 at least one failed, 2 bad arguments or unreadable input.

        Examples:
          rdpdiag analyze gateway.pcapng
          rdpdiag analyze --only-failed --port 3390 a.pcap b.pcap
          rdpdiag analyze --format json capture.pcap > report.json
          tcpdump -r big.pcap -w - 'tcp' | rdpdiag analyze --format jsonl -
        """
    )

    @Argument(help: ArgumentHelp("Capture files to read, in order ('-' reads standard input).", valueName: "file"))
    var files: [String]

    @Option(name: .customLong("port"), help: ArgumentHelp("Also treat this TCP port as RDP (repeatable).", valueName: "port"))
    var ports: [UInt16] = []

    @Flag(name: .customLong("all"), help: "Also list every TCP connection that is not RDP.")
    var listAll = false

    @Flag(name: .customLong("only-failed"), help: "Report only the RDP connections that failed.")
    var onlyFailed = false

    @Option(help: "Output format: text, json (one document) or jsonl (one connection per line, then a summary line).")
    var format: OutputFormat = .text

    @Option(help: ArgumentHelp("Only read packets matching this BPF capture filter (tcpdump syntax).", valueName: "expression"))
    var filter: String?

    @Option(help: ArgumentHelp("Payload bytes reassembled per direction of a connection before only headers are tracked.", valueName: "bytes"))
    var depth: Int = 256 * 1024

    @Option(help: ArgumentHelp("Most TCP connections tracked at once; beyond it the longest idle one is finished early and reported.", valueName: "n"))
    var maxFlows: Int = 200_000

    @Option(name: .customLong("keylog"), help: ArgumentHelp("TLS key log (NSS format: SSLKEYLOGFILE, FreeRDP /tls-secrets-file) to decrypt with (repeatable).", valueName: "file"))
    var keylogs: [String] = []

    @Flag(name: .customLong("no-progress"), help: "Never print progress on standard error (it is shown only on a terminal).")
    var noProgress = false

    @Flag(name: .customLong("no-color"), help: "No colour in text output (also when NO_COLOR is set; colour is used only on a terminal).")
    var noColor = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one capture file (or '-' for standard input)") }
        if files.filter({ $0 == "-" }).count > 1 { throw ValidationError("standard input ('-') can be read only once") }
        if depth < 0 { throw ValidationError("--depth must be 0 or more") }
        if maxFlows < 1 { throw ValidationError("--max-flows must be at least 1") }
        if ports.contains(0) { throw ValidationError("--port must be between 1 and 65535") }
    }

    func run() throws {
        let reader: CaptureReader
        do {
            reader = try CaptureReader(paths: files, filter: filter)
        } catch {
            writeErr("rdpdiag: \(error)\n")
            throw ExitCode(2)
        }
        var keyLog: TLSKeyLog?
        if !keylogs.isEmpty {
            do {
                keyLog = try TLSKeyLog(paths: keylogs)
            } catch {
                writeErr("rdpdiag: \(error)\n")
                throw ExitCode(2)
            }
            if let log = keyLog, log.issueCount > 0 {
                writeErr("rdpdiag: warning: \(log.issueCount) malformed key log line(s), e.g. \(log.issues.first.map { "\($0)" } ?? "")\n")
            }
        }
        var config = ReassemblyConfig()
        config.payloadDepth = depth
        config.maxFlows = maxFlows
        config.serverPorts = Array(Set([3389] + ports)).sorted()
        var options = ReportWriter.Options(format: ReportWriter.Format(rawValue: format.rawValue) ?? .text)
        options.onlyFailed = onlyFailed
        options.listAll = listAll
        options.color = !noColor && isatty(1) != 0 && getenv("NO_COLOR") == nil
        let progress = Progress(enabled: !noProgress && isatty(2) != 0)
        let writer = ReportWriter(options: options, batchingTo: { bytes in
            progress.clear()
            write(bytes, fd: 1)
        })
        writer.begin()
        // Reports are gathered and written in pieces, and whenever the thread that
        // completes connections has caught up, so a slowly fed capture still shows each
        // connection as it finishes.
        let result = Analysis.run(reader: reader, config: config, listAll: listAll, keyLog: keyLog, keep: false,
                                  progress: progress.update, onConnection: writer.connection, onIdle: writer.flush)
        progress.finish()
        writer.end(result)
        for input in result.inputs where input.stoppedEarly != nil && format != .text {
            writeErr("rdpdiag: warning: \(displayName(input.path)) stopped early after frame \(input.lastFrame ?? 0): \(input.stoppedEarly ?? "")\n")
        }
        if result.counts.failed > 0 { throw ExitCode(1) }
    }
}

/// Progress on standard error for long reads: frames, megabytes and rate, overwritten in place.
/// The progress line on stderr. `update` comes from the reading thread and
/// `clear` from the thread that writes reports, hence the lock.
final class Progress: Sendable {
    let enabled: Bool
    let start = monotonicSeconds()
    private let shown = Mutex(false)

    init(enabled: Bool) { self.enabled = enabled }

    func update(frames: Int, bytes: Int) {
        guard enabled else { return }
        let elapsed = max(monotonicSeconds() - start, 0.001)
        let mb = Double(bytes) / 1_048_576
        shown.withLock { shown in
            writeErr("\rrdpdiag: \(frames) frames, \(Int(mb)) MiB read (\(Int(mb / elapsed)) MiB/s)   ")
            shown = true
        }
    }

    func finish() { clear() }

    /// Erases the progress line before other output.
    func clear() {
        guard enabled else { return }
        shown.withLock { shown in
            if shown {
                writeErr("\r\u{1B}[K")
                shown = false
            }
        }
    }
}

func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Writes all of `text` to a file descriptor (POSIX write; no stdio globals).
func write(_ text: String, fd: Int32) {
    var text = text
    text.withUTF8 { write(UnsafeRawBufferPointer($0), fd: fd) }
}

/// Writes all of `bytes` to a file descriptor.
func write(_ bytes: UnsafeRawBufferPointer, fd: Int32) {
    guard let base = bytes.baseAddress else { return }
    var offset = 0
    while offset < bytes.count {
        let n = Glibc.write(fd, base + offset, bytes.count - offset)
        if n <= 0 {
            if n < 0 && errno == EINTR { continue }
            return
        }
        offset += n
    }
}

func writeOut(_ text: String) { write(text, fd: 1) }
func writeErr(_ text: String) { write(text, fd: 2) }
