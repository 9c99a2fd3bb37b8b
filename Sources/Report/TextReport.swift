import Capture
import Diagnosis
import Reassembly
import Wire

/// The human-readable report: a block per failed RDP connection (verdict,
/// evidence, remedy, timeline, findings), a line per healthy one, then the
/// capture's facts and a summary by side and cause.
public enum TextReport {
    struct Palette {
        let on: Bool
        func red(_ s: String) -> String { on ? "\u{1B}[31m\(s)\u{1B}[0m" : s }
        func green(_ s: String) -> String { on ? "\u{1B}[32m\(s)\u{1B}[0m" : s }
        func yellow(_ s: String) -> String { on ? "\u{1B}[33m\(s)\u{1B}[0m" : s }
        func bold(_ s: String) -> String { on ? "\u{1B}[1m\(s)\u{1B}[0m" : s }
        func dim(_ s: String) -> String { on ? "\u{1B}[2m\(s)\u{1B}[0m" : s }
    }

    public static func connection(_ c: ConnectionSummary, id: Int, color: Bool) -> String {
        let p = Palette(on: color)
        let endpoints = "\(c.client) -> \(c.server)"
        let frames = "frames \(c.firstFrame)-\(c.lastFrame)"
        guard c.isRDP, let v = c.verdict else {
            return "TCP   #\(id)  \(endpoints)  \(TimeFormat.short(c.start))  \(TimeFormat.duration(c.duration))  \(ending(c))  \(frames)\n"
        }
        let reached = c.reached?.rawValue ?? "nothing"
        if !v.failed {
            var extra: [String] = []
            if let t = c.tls?.version { extra.append(t) }
            let warnings = c.findings.filter { $0.severity == .warning }
            if !warnings.isEmpty { extra.append(p.yellow("\(warnings.count) warning\(warnings.count == 1 ? "" : "s"): ") + warnings.map(\.kind).joined(separator: ", ")) }
            return p.green("OK  ") + "  #\(id)  \(endpoints)  reached \(reached)  \(TimeFormat.short(c.start))  \(TimeFormat.duration(c.duration))  \(frames)"
                + (extra.isEmpty ? "" : "  " + extra.joined(separator: "  ")) + "\n"
        }
        var out = "\n" + p.red(p.bold("FAIL")) + "  #\(id)  \(endpoints)  \(TimeFormat.short(c.start)) UTC  \(frames)\n"
        out += "      " + p.bold("\(v.cause.rawValue)") + "  side \(v.side.rawValue), confidence \(v.confidence.rawValue), reached \(reached)\n"
        out += wrap(v.summary, indent: "      ")
        if !v.evidenceFrames.isEmpty { out += "      evidence: frame\(v.evidenceFrames.count == 1 ? "" : "s") \(v.evidenceFrames.map(String.init).joined(separator: ", "))\n" }
        out += wrap("remedy: " + v.remedy, indent: "      ")
        if let consistent = v.consistentWith {
            let sentence = consistent.prefix(1).uppercased() + consistent.dropFirst()
            out += wrap(sentence.hasSuffix(".") ? sentence : sentence + ".", indent: "      ")
        }
        out += "      wireshark: \(c.wiresharkFilter)\n"
        out += TimelineText.render(c)
        let notable = c.findings.filter { $0.severity != .info || $0.kind == "rst" }
        if !notable.isEmpty {
            out += "      findings:\n"
            for f in notable {
                let frames = f.frames.isEmpty ? "" : " (frame\(f.frames.count == 1 ? "" : "s") \(f.frames.map(String.init).joined(separator: ", ")))"
                let tag = f.severity == .error ? p.red(f.severity.rawValue) : (f.severity == .warning ? p.yellow(f.severity.rawValue) : f.severity.rawValue)
                out += wrap("- \(tag) \(f.kind)\(frames)\(f.evidence == .inferred ? " [inferred]" : ""): \(f.summary)", indent: "        ", hanging: "  ")
            }
        }
        return out + "\n"
    }

    public static func closing(_ result: AnalysisResult, listAll: Bool, shown: Int, color: Bool) -> String {
        let p = Palette(on: color)
        var out = shown > 0 ? "\n" : ""
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
            out += p.yellow("warning: ") + "\(displayName(input.path)): stopped early \(after)\(at): \(input.stoppedEarly ?? "")\n"
        }
        if s.malformedTotal > 0 {
            let parts = DecodeAnomaly.allCases.filter { s.malformed[Int($0.rawValue)] > 0 }
                .map { "\($0) \(s.malformed[Int($0.rawValue)])" }
            out += p.yellow("warning: ") + "\(s.malformedTotal) malformed frames skipped (\(parts.joined(separator: ", ")))\n"
        }
        if s.captureDuplicates > 0 {
            out += "note: \(s.captureDuplicates) packets seen twice (on two interfaces of a cooked '-i any' capture) were counted once\n"
        }
        if s.evictedConnections > 0 {
            out += p.yellow("warning: ") + "flow table full: \(s.evictedConnections) connections finished early (see --max-flows)\n"
        }
        let c = result.counts
        out += "\(c.rdp) RDP connection\(c.rdp == 1 ? "" : "s") (of \(s.connections) TCP connections): "
        out += (c.rdp - c.failed > 0 ? p.green("\(c.rdp - c.failed) ok") : "0 ok") + ", "
        out += (c.failed > 0 ? p.red("\(c.failed) failed") : "0 failed") + "\n"
        if c.failed > 0 {
            out += "  by side:  " + c.bySide.filter { $0.key != "none" }.map { "\($0.key) \($0.count)" }.joined(separator: ", ") + "\n"
            out += "  by cause: " + c.byCause.filter { $0.key != "ok" }.map { "\($0.key) \($0.count)" }.joined(separator: ", ") + "\n"
            out += "  top failing servers: " + c.topFailingServers.prefix(5).map { "\($0.key) (\($0.count))" }.joined(separator: ", ") + "\n"
        }
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

    /// Wraps text at about 100 columns under an indent (counted in UTF-8 bytes: cheap, and
    /// exact for the ASCII the reports are made of).
    static func wrap(_ text: String, indent: String, hanging: String = "", width: Int = 100) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count + 32)
        var lineLength = 0
        var lineStart = true
        let firstIndent = indent.utf8.count
        let nextIndent = firstIndent + hanging.utf8.count
        out += indent
        lineLength = firstIndent
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            let n = word.utf8.count
            if !lineStart && lineLength + 1 + n > width {
                out += "\n" + indent + hanging
                lineLength = nextIndent
                lineStart = true
            }
            if !lineStart {
                out += " "
                lineLength += 1
            }
            out += word
            lineLength += n
            lineStart = false
        }
        return out + "\n"
    }
}
