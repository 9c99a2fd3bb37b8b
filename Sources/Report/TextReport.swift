import Capture
import Diagnosis
import Reassembly
import Wire

/// The human-readable report: a block per failed RDP connection (verdict,
/// evidence, remedy, timeline, findings), a line per healthy one, then the
/// capture's facts and a summary by side and cause.
public enum TextReport {
    /// ANSI SGR sequences; each coloured piece ends with `reset`.
    enum Style: String {
        case red = "\u{1B}[31m", green = "\u{1B}[32m", yellow = "\u{1B}[33m", bold = "\u{1B}[1m"
        static let reset = "\u{1B}[0m"
    }

    struct Palette {
        let on: Bool
        func red(_ s: String) -> String { styled(s, .red) }
        func green(_ s: String) -> String { styled(s, .green) }
        func yellow(_ s: String) -> String { styled(s, .yellow) }
        private func styled(_ s: String, _ style: Style) -> String { on ? style.rawValue + s + Style.reset : s }

        /// Appends `text` in `style` without building a coloured copy of it.
        func append(_ text: String, _ style: Style, to out: inout OutputBuffer) {
            open(style, &out)
            out.append(text)
            close(&out)
        }

        func open(_ style: Style, _ out: inout OutputBuffer) {
            if on { out.append(style.rawValue) }
        }

        func close(_ out: inout OutputBuffer) {
            if on { out.append(Style.reset) }
        }
    }

    /// Renders text blocks into `out`. The report writer keeps one renderer for
    /// the whole run, so its buffers grow to the largest block once and are reused.
    struct Renderer {
        let palette: Palette
        var out = OutputBuffer(capacity: 4096)
        /// One paragraph (remedy, a finding) assembled before it is wrapped into `out`.
        private var paragraph = OutputBuffer(capacity: 1024)

        init(color: Bool) {
            palette = Palette(on: color)
        }

        /// The block (or line) of one connection.
        mutating func connection(_ c: ConnectionSummary, id: Int) {
            let p = palette
            guard c.isRDP, let v = c.verdict else {
                out.append("TCP   #")
                out.append(id)
                appendEndpoints(c)
                out.append("  ")
                TimeFormat.appendShort(c.start, to: &out)
                out.append("  ")
                TimeFormat.appendDuration(c.duration, to: &out)
                out.append("  ")
                TextReport.appendEnding(c, to: &out)
                appendFrames(c)
                out.append("\n")
                return
            }
            let reached = c.reached?.rawValue ?? "nothing"
            if !v.failed {
                p.append("OK  ", .green, to: &out)
                out.append("  #")
                out.append(id)
                appendEndpoints(c)
                out.append("  reached ")
                out.append(reached)
                out.append("  ")
                TimeFormat.appendShort(c.start, to: &out)
                out.append("  ")
                TimeFormat.appendDuration(c.duration, to: &out)
                appendFrames(c)
                if let version = c.tls?.version {
                    out.append("  ")
                    out.append(version)
                }
                appendWarnings(c.findings)
                out.append("\n")
                return
            }
            out.append("\n")
            p.open(.red, &out)
            p.append("FAIL", .bold, to: &out)
            p.close(&out)
            out.append("  #")
            out.append(id)
            appendEndpoints(c)
            out.append("  ")
            TimeFormat.appendShort(c.start, to: &out)
            out.append(" UTC")
            appendFrames(c)
            out.append("\n      ")
            p.append(v.cause.rawValue, .bold, to: &out)
            out.append("  side ")
            out.append(v.side.rawValue)
            out.append(", confidence ")
            out.append(v.confidence.rawValue)
            out.append(", reached ")
            out.append(reached)
            out.append("\n")

            paragraph.removeAll()
            paragraph.append(v.summary)
            wrapParagraph(indent: 6)
            if !v.evidenceFrames.isEmpty {
                out.append("      evidence: ")
                TextReport.appendFrameList(v.evidenceFrames, to: &out)
                out.append("\n")
            }
            paragraph.removeAll()
            paragraph.append("remedy: ")
            paragraph.append(v.remedy)
            wrapParagraph(indent: 6)
            if let consistent = v.consistentWith {
                paragraph.removeAll()
                TextReport.appendSentence(consistent, to: &paragraph)
                wrapParagraph(indent: 6)
            }
            out.append("      wireshark: ")
            out.append(c.wiresharkFilter)
            out.append("\n")
            TimelineText.render(c, into: &out)
            appendFindings(c.findings)
            out.append("\n")
        }

        /// "  10.0.0.1:50000 -> 10.0.0.2:3389", with the two spaces before it.
        private mutating func appendEndpoints(_ c: ConnectionSummary) {
            out.append("  ")
            TextReport.appendEndpoint(c.client, to: &out)
            out.append(" -> ")
            TextReport.appendEndpoint(c.server, to: &out)
        }

        /// "  frames 12-40", with the two spaces before it.
        private mutating func appendFrames(_ c: ConnectionSummary) {
            out.append("  frames ")
            out.append(c.firstFrame)
            out.append("-")
            out.append(c.lastFrame)
        }

        /// "  2 warnings: kind, kind" after a healthy connection's line, when it has any.
        private mutating func appendWarnings(_ findings: [Finding]) {
            var count = 0
            for f in findings where f.severity == .warning { count += 1 }
            guard count > 0 else { return }
            out.append("  ")
            palette.open(.yellow, &out)
            out.append(count)
            out.append(count == 1 ? " warning: " : " warnings: ")
            palette.close(&out)
            var first = true
            for f in findings where f.severity == .warning {
                if !first { out.append(", ") }
                out.append(f.kind)
                first = false
            }
        }

        /// Errors and warnings, and every judged reset (info included: a genuine
        /// reset next to a forged one is part of the story).
        private mutating func appendFindings(_ findings: [Finding]) {
            func notable(_ f: Finding) -> Bool { f.severity != .info || f.kind == "rst" }
            guard findings.contains(where: notable) else { return }
            out.append("      findings:\n")
            for f in findings where notable(f) {
                paragraph.removeAll()
                paragraph.append("- ")
                switch f.severity {
                case .error: palette.append(f.severity.rawValue, .red, to: &paragraph)
                case .warning: palette.append(f.severity.rawValue, .yellow, to: &paragraph)
                case .info: paragraph.append(f.severity.rawValue)
                }
                paragraph.append(" ")
                paragraph.append(f.kind)
                if !f.frames.isEmpty {
                    paragraph.append(" (")
                    TextReport.appendFrameList(f.frames, to: &paragraph)
                    paragraph.append(")")
                }
                if f.evidence == .inferred { paragraph.append(" [inferred]") }
                paragraph.append(": ")
                paragraph.append(f.summary)
                wrapParagraph(indent: 8, hanging: 2)
            }
        }

        private mutating func wrapParagraph(indent: Int, hanging: Int = 0) {
            paragraph.bytes.withUnsafeBufferPointer { text in
                TextReport.wrap(text, indent: indent, hanging: hanging, into: &out)
            }
        }
    }

    public static func connection(_ c: ConnectionSummary, id: Int, color: Bool) -> String {
        var renderer = Renderer(color: color)
        renderer.connection(c, id: id)
        return renderer.out.string
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
            let n = s.captureDuplicates
            out += "note: \(n) packet\(n == 1 ? " was" : "s were") seen twice (on two interfaces of a cooked '-i any' capture) and counted once\n"
        }
        if s.lateAfterClose > 0 {
            out += "note: \(s.lateAfterClose) packet\(s.lateAfterClose == 1 ? "" : "s") repeating the last ones of cleanly closed connections already reported (a FIN sent again) counted, not tracked\n"
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

    static func appendEnding(_ c: ConnectionSummary, to out: inout OutputBuffer) {
        switch c.ending {
        case let .fin(first, frame):
            out.append("FIN ")
            out.append(first.sender)
            out.append(" first (#")
            out.append(frame)
            out.append(")")
        case let .halfClosed(by, frame):
            out.append("FIN ")
            out.append(by.sender)
            out.append(" only (#")
            out.append(frame)
            out.append(")")
        case let .reset(from, frame):
            out.append("RST ")
            out.append(from.sender)
            out.append(" (#")
            out.append(frame)
            out.append(")")
        case .open:
            out.append(c.finishReason == "idle" ? "idle" : "open")
        }
    }

    /// "frame 12" or "frames 12, 14, 20".
    static func appendFrameList(_ frames: [Int], to out: inout OutputBuffer) {
        out.append(frames.count == 1 ? "frame " : "frames ")
        for (i, frame) in frames.enumerated() {
            if i > 0 { out.append(", ") }
            out.append(frame)
        }
    }

    /// "10.0.0.1:3389" or "[2001:db8::1]:3389", as `Endpoint.description` writes it.
    static func appendEndpoint(_ e: Endpoint, to out: inout OutputBuffer) {
        if e.address.isIPv6 {
            // Rare in reports, and RFC 5952 compression is the Wire module's to get right.
            out.append("[")
            out.append(e.address.description)
            out.append("]:")
        } else {
            let v = UInt32(truncatingIfNeeded: e.address.low)
            out.append(v >> 24)
            out.append(".")
            out.append(v >> 16 & 0xFF)
            out.append(".")
            out.append(v >> 8 & 0xFF)
            out.append(".")
            out.append(v & 0xFF)
            out.append(":")
        }
        out.append(e.port)
    }

    /// `text` as a sentence: first letter in upper case, a full stop at the end.
    static func appendSentence(_ text: String, to out: inout OutputBuffer) {
        var text = text
        let simple = text.withUTF8 { bytes in
            guard let first = bytes.first, first < 0x80, spacesAreGraphemes(bytes) else { return false }
            // An ASCII first letter is a whole Character here, so upper-casing the
            // byte is what `uppercased()` of the first Character gives.
            out.append(byte: first >= UInt8(ascii: "a") && first <= UInt8(ascii: "z") ? first - 0x20 : first)
            out.append(bytes: UnsafeBufferPointer(rebasing: bytes.dropFirst()))
            if bytes.last != UInt8(ascii: ".") { out.append(byte: UInt8(ascii: ".")) }
            return true
        }
        if !simple {
            let sentence = text.prefix(1).uppercased() + text.dropFirst()
            out.append(sentence.hasSuffix(".") ? sentence : sentence + ".")
        }
    }
}
