import Capture
import Diagnosis
import Foundation
import Reassembly
import TestSupport
import Wire
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `rdpdiag live` on a veth pair between two network namespaces made by the
/// test: captures of the corpus are replayed into one end with tcpreplay and
/// the JSON Lines that `live` writes must give the verdicts `analyze` gives.
/// Needs root (namespaces, packet capture) and tcpreplay; CI runs as root.
@Suite(.serialized) struct LiveIntegrationTests {
    static let tcpreplay = ["/usr/bin/tcpreplay", "/usr/sbin/tcpreplay"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let canRun = getuid() == 0 && tcpreplay != nil

    /// Runs a shell script bounded in time; returns its status. Foundation's Process
    /// starts children with most signals blocked, which would keep `timeout` and
    /// `kill -TERM` from working: python3 clears the mask before running the script.
    @discardableResult
    func sh(_ script: String, timeout: Int = 120) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execvp(sys.argv[1], sys.argv[1:])",
                       "timeout", "-k", "5", String(timeout), "/bin/bash", "-c", script]
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }

    @Test(.enabled(if: canRun, "needs root and tcpreplay (apt-get install tcpreplay)"), .timeLimit(.minutes(3)))
    func replayedCapturesGetTheVerdictsOfAnalyze() throws {
        let names = ["xrdp-neg-failure-ssl-required.pcap", "fw-reject-tcp-reset-at-syn.pcap", "port-closed-server-rst.pcap",
                     "xrdp-tls-cipher-mismatch.pcap"]
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("live.jsonl").path
        let err = dir.appendingPathComponent("live.err").path
        let binary = packageRoot.appendingPathComponent(".build/debug/rdpdiag").path
        let tag = "rdl\(getpid() % 100000)"
        let replays = names.map { "ip netns exec \(tag)a \(Self.tcpreplay!) -q -i va \(corpus($0)) >/dev/null 2>&1" }.joined(separator: "\n")
        let status = try sh("""
        set -u
        cleanup() { [ -n "${PID:-}" ] && kill $PID 2>/dev/null; ip netns del \(tag)a 2>/dev/null; ip netns del \(tag)b 2>/dev/null; }
        trap cleanup EXIT
        ip netns add \(tag)a && ip netns add \(tag)b || exit 10
        ip link add va netns \(tag)a type veth peer name vb netns \(tag)b || exit 11
        ip -n \(tag)a link set va up && ip -n \(tag)b link set vb up || exit 12
        ip netns exec \(tag)b timeout 90 \(binary) live --interface vb --format jsonl --stats-interval 1 --idle-timeout 5 > \(out) 2> \(err) &
        PID=$!
        sleep 1
        \(replays)
        sleep 1
        # Stop rdpdiag itself (the child of the timeout wrapper), as a supervisor would.
        pkill -TERM -P $PID
        wait $PID
        code=$?
        PID=
        exit $code
        """)
        let stderr = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
        #expect(status == 0, "live exited \(status): \(stderr)")
        #expect(stderr.contains("SIGTERM: flushed open connections"))
        #expect(stderr.contains("rdpdiag: live "), "a periodic summary was printed")
        let lines = ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").split(separator: "\n")
        var live: [String: String] = [:]
        for line in lines {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let client = object["client"] as? String, let verdict = object["verdict"] as? [String: Any] else { continue }
            live[client] = "\(verdict["cause"] ?? "")/\(object["reached"] ?? "")"
        }
        var expected: [String: String] = [:]
        for name in names {
            for c in try analyse(name).connections where c.isRDP {
                expected[c.client.description] = "\(c.verdict?.cause.rawValue ?? "")/\(c.reached?.rawValue ?? "")"
            }
        }
        #expect(expected.count == 7)
        #expect(live == expected, "live \(live), analyze \(expected)")
    }

    @Test(.enabled(if: getuid() == 0, "needs root (capture permissions)"))
    func missingInterfaceIsAClearError() throws {
        let run = try runRDPDiag(["live", "--interface", "nosuchif0", "--stats-interval", "0"])
        #expect(run.status == 2)
        #expect(run.err.contains("nosuchif0"))
    }

    @Test func badArguments() throws {
        #expect(try runRDPDiag(["live"]).status == 2)
        #expect(try runRDPDiag(["live", "--interface", "lo", "--format", "json"]).status == 2)
    }
}

/// Hundreds of thousands of short connections through the live engine (fed in
/// process, as `live` feeds the tracker): memory must level off under the caps.
@Suite struct ChurnTests {
    @Test(.timeLimit(.minutes(5)))
    func memoryLevelsOffUnderChurn() {
        var config = ReassemblyConfig()
        config.maxFlows = 20_000
        config.idleTimeout = 120 * CaptureTime.second
        config.halfOpenTimeout = 30 * CaptureTime.second
        let analyzer = ConnectionAnalyzer()
        var reported = 0
        analyzer.onFinished = { _ in reported += 1 }
        let tracker = FlowTracker(config: config, consumer: analyzer)
        let total = 300_000
        var samples: [Int] = []
        var time = CaptureTime(seconds: 1_700_000_000, nanoseconds: 0)
        let cr: [UInt8] = [0x03, 0x00, 0x00, 0x13, 0x0E, 0xE0, 0, 0, 0, 0, 0, 0x01, 0x00, 0x08, 0x00, 0x03, 0, 0, 0]
        for i in 0..<total {
            // Every connection a new client port and address; a third are left half-open (SYN flood).
            let a = UInt32(0x0A00_0000 + i / 60_000), port = UInt16(1024 + i % 60_000)
            var c = Conversation(client: Endpoint(address: IPAddress(ipv4: a), port: port),
                                 server: Endpoint(address: IPAddress("10.200.0.1")!, port: 3389), start: time)
            c.gap = 100_000
            if i % 3 == 0 {
                c.syn()
            } else {
                c.handshake()
                c.send(.client, cr)
                c.rst(.server)
            }
            let input = c.memoryInput()
            let reader = CaptureReader(memory: [input])
            while let frame = reader.next() { tracker.ingest(frame) }
            time = time.adding(nanoseconds: 1_000_000) // 1000 connections per second of capture time
            if i % 25_000 == 24_999 { samples.append(ProcessMemory.residentBytes() ?? 0) }
        }
        tracker.finishAll()
        #expect(reported == total)
        #expect(tracker.stats.peakFlows <= config.maxFlows)
        let mib = samples.map { $0 / 1_048_576 }
        print("churn RSS MiB every 25k connections: \(mib)")
        // After the table fills (half-open ones live 30 s = 30k connections), RSS stops
        // growing: the last sample is within 24 MiB of the lowest since. (Not max - min:
        // tests running beside this one in the process move RSS both ways, and a drop
        // when they free their memory is no growth; a leak ends high.)
        let settled = Array(mib.dropFirst(4))
        #expect((settled.last ?? 0) - (settled.min() ?? 0) <= 24, "RSS samples \(mib) MiB")
    }
}
