import Capture
import Diagnosis
import Foundation
import Report
import TestSupport
import Testing
import Wire

/// The package's root, from this file's path (Tests/CLITests/...).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Runs the built `rdpdiag` binary; returns exit status, stdout and stderr.
/// Standard input and output go through files, not pipes: Foundation's FileHandle
/// traps when a read or write is interrupted (EINTR) by a signal meant for the child
/// of another test running in parallel.
func runRDPDiag(_ arguments: [String], stdin: Data? = nil) throws -> (status: Int32, out: String, err: String) {
    let binary = packageRoot.appendingPathComponent(".build/debug/rdpdiag")
    guard FileManager.default.isExecutableFile(atPath: binary.path) else {
        throw CLIError.missingBinary(binary.path)
    }
    let dir = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let inPath = dir.appendingPathComponent("stdin").path
    let outPath = dir.appendingPathComponent("stdout").path
    let errPath = dir.appendingPathComponent("stderr").path
    FileManager.default.createFile(atPath: inPath, contents: stdin ?? Data())
    FileManager.default.createFile(atPath: outPath, contents: nil)
    FileManager.default.createFile(atPath: errPath, contents: nil)
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    process.standardInput = FileHandle(forReadingAtPath: inPath)
    process.standardOutput = FileHandle(forWritingAtPath: outPath)
    process.standardError = FileHandle(forWritingAtPath: errPath)
    try process.run()
    process.waitUntilExit()
    let out = (try? Data(contentsOf: URL(fileURLWithPath: outPath))) ?? Data()
    let err = (try? Data(contentsOf: URL(fileURLWithPath: errPath))) ?? Data()
    return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
}

enum CLIError: Error { case missingBinary(String) }

func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("rdpdiag-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// An RDP connection on a non-RDP port (found by content), a plain HTTP-like
/// connection, and an RDP connection on 3389 reset by the server.
func sampleCapture(at path: String) throws {
    var rdpOnOddPort = Conversation.ipv4(clientPort: 50_000, serverPort: 8443)
    rdpOnOddPort.handshake()
    let cr: [UInt8] = [0x03, 0x00, 0x00, 0x13, 0x0E, 0xE0, 0, 0, 0, 0, 0, 0x01, 0x00, 0x08, 0x00, 0x03, 0, 0, 0]
    rdpOnOddPort.send(.client, cr)
    rdpOnOddPort.fin(.client)
    rdpOnOddPort.fin(.server)

    var web = Conversation.ipv4(clientPort: 50_001, serverPort: 80)
    web.time = rdpOnOddPort.time
    web.handshake()
    web.send(.client, Array("GET / HTTP/1.1\r\n\r\n".utf8))
    web.send(.server, Array("HTTP/1.1 200 OK\r\n\r\n".utf8))

    var reset = Conversation.ipv4(clientPort: 50_002)
    reset.time = web.time
    reset.syn()
    reset.segment(.server, sequence: 0, acknowledgment: reset.clientSeq &+ 1, flags: [.rst, .ack])

    let writer = try PcapWriter(path: path, linkType: .ethernet)
    for frame in rdpOnOddPort.frames + web.frames + reset.frames { writer.write(time: frame.time, bytes: frame.bytes) }
    writer.close()
}

@Suite struct AnalysisTests {
    @Test func findsRDPByPortAndByContentAndSkipsOtherFlows() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("sample.pcap").path
        try sampleCapture(at: path)
        let result = Analysis.run(reader: try CaptureReader(paths: [path]))
        #expect(result.stats.connections == 3)
        #expect(result.connections.count == 2)
        let byContent = result.connections[0]
        #expect(byContent.server.port == 8443 && byContent.rdpDetectedBy == "content")
        #expect(byContent.ending == .fin(first: .clientToServer, frame: 5))
        #expect(byContent.stages.map(\.stage) == [.syn, .tcpEstablished, .x224Request])
        #expect(byContent.stages.map(\.frame) == [1, 3, 4])
        #expect(byContent.verdict?.cause == .clientClosed && byContent.verdict?.evidenceFrames == [5])
        let refused = result.connections[1]
        #expect(refused.rdpDetectedBy == "port")
        #expect(refused.ending == .reset(from: .serverToClient, frame: 13))
        #expect(refused.reached == .syn)
        #expect(refused.verdict?.cause == .portClosed && refused.verdict?.side == .server)
        #expect(refused.firstFrame == 12 && refused.lastFrame == 13)

        let all = Analysis.run(reader: try CaptureReader(paths: [path]), listAll: true)
        #expect(all.connections.count == 3)
        #expect(all.connections[1].rdpDetectedBy == nil && all.connections[1].server.port == 80)
        #expect(all.connections[1].serverToClient.payloadBytes == 19)
    }

    @Test func jsonHasTheDesignShape() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("sample.pcap").path
        try sampleCapture(at: path)
        // The document exactly as `analyze --format json` streams it.
        var text = ""
        let writer = ReportWriter(options: ReportWriter.Options(format: .json)) { text += $0 }
        writer.begin()
        let result = Analysis.run(reader: try CaptureReader(paths: [path]), keep: false, onConnection: writer.connection)
        writer.end(result)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let capture = try #require(object["capture"] as? [String: Any])
        #expect(capture["frames"] as? Int == 13)
        #expect(capture["link_types"] as? [String] == ["ETHERNET"])
        #expect((capture["first"] as? String)?.hasSuffix("Z") == true)
        let connections = try #require(object["connections"] as? [[String: Any]])
        #expect(connections.count == 2)
        let first = connections[0]
        for key in ["id", "client", "server", "first_frame", "last_frame", "start", "end", "reached", "stages",
                    "findings", "resets", "wireshark_filter"] {
            #expect(first[key] != nil, "missing \(key)")
        }
        #expect(first["client"] as? String == "10.0.0.1:50000")
        #expect(first["server"] as? String == "10.0.0.2:8443")
        #expect(first["reached"] as? String == "x224_request")
        let verdict = try #require(first["verdict"] as? [String: Any])
        for key in ["cause", "side", "confidence", "summary", "remedy"] { #expect(verdict[key] != nil, "verdict lacks \(key)") }
        #expect(first["wireshark_filter"] as? String == "ip.addr==10.0.0.1 && ip.addr==10.0.0.2 && tcp.port==50000 && tcp.port==8443")
        let start = try #require(first["start"] as? String)
        #expect(start == "2023-11-14T22:13:20.000000Z")
        let summary = try #require(object["summary"] as? [String: Any])
        #expect(summary["connections"] as? Int == 2)
        #expect(summary["failed"] as? Int == 2)
        #expect((summary["by_side"] as? [String: Int])?["server"] == 1)
    }

    @Test func rfc3339KeepsMicroseconds() {
        #expect(TimeFormat.rfc3339(CaptureTime(seconds: 0, nanoseconds: 1_500)) == "1970-01-01T00:00:00.000001Z")
        #expect(TimeFormat.rfc3339(CaptureTime(seconds: 951_782_400, nanoseconds: 999_999_999)) == "2000-02-29T00:00:00.999999Z")
        #expect(TimeFormat.rfc3339(CaptureTime(seconds: 4_102_444_799, nanoseconds: 0)) == "2099-12-31T23:59:59.000000Z")
    }
}

@Suite struct CommandLineTests {
    @Test func analyzePrintsTheConnectionList() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("sample.pcap").path
        try sampleCapture(at: path)
        let run = try runRDPDiag(["analyze", path])
        // Both RDP connections failed: the client gave up after its request; port 3389 is closed.
        #expect(run.status == 1, "\(run.err)")
        #expect(run.out.contains("2 RDP connections (of 3 TCP connections): 0 ok, 2 failed"))
        #expect(run.out.contains("FAIL  #0  10.0.0.1:50000 -> 10.0.0.2:8443"))
        #expect(run.out.contains("client_closed  side client"))
        #expect(run.out.contains("port_closed  side server"))
        #expect(run.out.contains("evidence: frame 13"))
        #expect(!run.out.contains(":80 "))
        let all = try runRDPDiag(["analyze", "--all", "--only-failed", path])
        #expect(!all.out.contains("TCP   #"))
        let listed = try runRDPDiag(["analyze", "--all", path])
        #expect(listed.out.contains("TCP   #1  10.0.0.1:50001 -> 10.0.0.2:80"))
    }

    @Test func jsonLinesEndWithASummaryLine() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("sample.pcap").path
        try sampleCapture(at: path)
        let run = try runRDPDiag(["analyze", "--format", "jsonl", path])
        let lines = run.out.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.last?.hasPrefix("{\"summary\":") == true)
        for line in lines { #expect(throws: Never.self) { try JSONSerialization.jsonObject(with: Data(line.utf8)) } }
    }

    @Test func readsStandardInput() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("sample.pcap").path
        try sampleCapture(at: path)
        let run = try runRDPDiag(["analyze", "--format", "json", "-"], stdin: try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(run.status == 1, "\(run.err)")
        #expect(throws: Never.self) { try JSONSerialization.jsonObject(with: Data(run.out.utf8)) }
        #expect(run.out.contains("\"path\": \"-\""))
        #expect(run.out.contains("\"frames\": 13"))
    }

    @Test func missingFileExitsTwoWithTheFileNamed() throws {
        let run = try runRDPDiag(["analyze", "/nonexistent/x.pcap"])
        #expect(run.status == 2)
        #expect(run.out.isEmpty)
        #expect(run.err.contains("/nonexistent/x.pcap") && run.err.contains("No such file"))
    }

    @Test func notACaptureExitsTwo() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("notes.txt").path
        try Data("hello, this is text\n".utf8).write(to: URL(fileURLWithPath: path))
        let run = try runRDPDiag(["analyze", path])
        #expect(run.status == 2)
        #expect(run.err.contains("notes.txt") && run.err.contains("not a pcap or pcapng capture"))
    }

    @Test func badArgumentsExitTwo() throws {
        #expect(try runRDPDiag(["analyze"]).status == 2)
        #expect(try runRDPDiag(["analyze", "--format", "xml", "x.pcap"]).status == 2)
        #expect(try runRDPDiag(["frobnicate"]).status == 2)
        let badFilter = try runRDPDiag(["analyze", "--filter", "tcp port banana", "/dev/null"])
        #expect(badFilter.status == 2)
    }

    @Test func truncatedFileReportsWhereItStopped() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("sample.pcap").path
        try sampleCapture(at: path)
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data.removeLast(10)
        try data.write(to: URL(fileURLWithPath: path))
        let run = try runRDPDiag(["analyze", path])
        #expect(run.status == 1)
        #expect(run.out.contains("12 frames"))
        #expect(run.out.contains("stopped early after frame 12"))
    }

    @Test func helpExplainsOptions() throws {
        let run = try runRDPDiag(["analyze", "--help"])
        #expect(run.status == 0)
        for option in ["--port", "--all", "--only-failed", "--format", "--filter", "--depth", "--max-flows", "--no-color"] {
            #expect(run.out.contains(option), "help lacks \(option)")
        }
    }
}
