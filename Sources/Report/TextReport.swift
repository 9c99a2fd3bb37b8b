import Capture
import Diagnosis
import Reassembly
import Wire

/// The human-readable report: capture facts, one line per connection, notes.
public enum TextReport {
    public static func render(_ result: AnalysisResult, listAll: Bool) -> String {
        var out = ""
        let s = result.stats
        let linkTypes = Array(Set(result.inputs.map(\.linkType.name))).sorted().joined(separator: ", ")
        let first = result.inputs.compactMap(\.firstTime).min()
        let last = result.inputs.compactMap(\.lastTime).max()
        let files = result.inputs.count == 1 ? displayName(result.inputs[0].path) : "\(result.inputs.count) files"
        out += "\(files): \(s.frames) frames (\(linkTypes))"
        if let first, let last {
            out += ", \(TimeFormat.short(first)) to \(TimeFormat.short(last)) UTC (\(TimeFormat.duration(last.nanoseconds(since: first))))"
        }
        out += "\n"
        for input in result.inputs where input.stoppedEarly != nil {
            let at = input.stoppedAtByte.map { " at byte \($0)" } ?? ""
            let after = input.lastFrame.map { "after frame \($0)" } ?? "before its first frame"
            out += "warning: \(displayName(input.path)): stopped early \(after)\(at): \(input.stoppedEarly ?? "")\n"
        }
        if s.malformedTotal > 0 {
            let parts = DecodeAnomaly.allCases.filter { s.malformed[Int($0.rawValue)] > 0 }
                .map { "\($0) \(s.malformed[Int($0.rawValue)])" }
            out += "warning: \(s.malformedTotal) malformed frames skipped (\(parts.joined(separator: ", ")))\n"
        }
        if s.captureDuplicates > 0 {
            out += "note: \(s.captureDuplicates) packets seen twice (on two interfaces of a cooked '-i any' capture) were counted once\n"
        }
        if s.evictedConnections > 0 {
            out += "warning: flow table full: \(s.evictedConnections) connections evicted early (see --max-flows)\n"
        }
        let rdp = result.connections.filter(\.isRDP).count
        out += listAll ? "\(result.connections.count) TCP connections, \(rdp) RDP\n"
                       : "\(rdp) RDP connection\(rdp == 1 ? "" : "s") (of \(s.connections) TCP connections)\n"
        if result.connections.isEmpty { return out }
        out += "\n"
        var rows: [[String]] = [["#", "client", "server", "rdp", "start (UTC)", "duration", "frames c>s/s>c",
                                 "bytes c>s/s>c", "ended", "retrans", "ooo", "gaps"]]
        for (id, c) in result.connections.enumerated() {
            let c2s = c.clientToServer, s2c = c.serverToClient
            rows.append([
                String(id), c.client.description, c.server.description, c.rdpDetectedBy ?? "no",
                TimeFormat.short(c.start), TimeFormat.duration(c.duration),
                "\(c2s.packets)/\(s2c.packets)", "\(bytes(c2s.payloadBytes))/\(bytes(s2c.payloadBytes))",
                ending(c), "\(c2s.retransmissions)/\(s2c.retransmissions)",
                "\(c2s.outOfOrder)/\(s2c.outOfOrder)", "\(c2s.gaps)/\(s2c.gaps)",
            ])
        }
        out += table(rows)
        let handshakes = result.connections.enumerated().filter { $0.element.isRDP }
        if !handshakes.isEmpty {
            out += "\nhandshakes:\n"
            for (id, c) in handshakes { out += TimelineText.render(c, id: id) }
        }
        var notes: [String] = []
        for (id, c) in result.connections.enumerated() where !c.anomalies.isEmpty {
            notes.append("#\(id): " + c.anomalies.map { "\($0.code) (frame \($0.frame))" }.joined(separator: ", "))
        }
        if !notes.isEmpty { out += "\nnotes:\n" + notes.map { "  " + $0 }.joined(separator: "\n") + "\n" }
        return out
    }

    static func ending(_ c: ConnectionSummary) -> String {
        switch c.ending {
        case let .fin(first, frame): return "FIN \(first.sender) first (#\(frame))"
        case let .halfClosed(by, frame): return "FIN \(by.sender) only (#\(frame))"
        case let .reset(from, frame): return "RST \(from.sender) (#\(frame))"
        case .open: return c.finishReason == "idle" ? "idle" : "open"
        }
    }

    static func bytes(_ n: UInt64) -> String {
        if n < 1024 { return "\(n)" }
        if n < 1024 * 1024 { return TimeFormat.fixed(Double(n) / 1024, 1) + "k" }
        if n < 1024 * 1024 * 1024 { return TimeFormat.fixed(Double(n) / 1048576, 1) + "M" }
        return TimeFormat.fixed(Double(n) / 1073741824, 2) + "G"
    }

    static func table(_ rows: [[String]]) -> String {
        var widths = [Int](repeating: 0, count: rows[0].count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        var out = ""
        for row in rows {
            var line = ""
            for (i, cell) in row.enumerated() {
                line += cell + (i == row.count - 1 ? "" : String(repeating: " ", count: widths[i] - cell.count + 2))
            }
            out += line + "\n"
        }
        return out
    }
}
