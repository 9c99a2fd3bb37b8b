import Capture
import Diagnosis
import Dissect
import Reassembly

/// The per-connection handshake timeline of the text report: TCP opening
/// and closing packets merged with the dissected messages, runs of TLS
/// application data folded into one line.
enum TimelineText {
    /// One line of the timeline. It holds what the line stands for, not its
    /// text: lines are sorted and folded first, and most lines of a long
    /// connection are application data folded away, so text is only made for
    /// the lines printed (and a line without strings is cheap to sort).
    struct Line {
        var frame: Int
        /// The order lines were added in; breaks ties between lines of one frame.
        var order: Int
        var direction: Direction?
        var source: Source
    }

    enum Source {
        case syn(count: Int)
        case established
        /// An index into the connection's `handshake`.
        case event(Int)
        case fin
        case rst(count: Int)
        /// An index into the connection's `dissectAnomalies`.
        case anomaly(Int)
        case inferred(Stage)
    }

    static func render(_ c: ConnectionSummary, into out: inout OutputBuffer) {
        out.append("      timeline:\n")
        var lines: [Line] = []
        lines.reserveCapacity(c.handshake.count + 8)
        func add(_ frame: Int?, _ direction: Direction?, _ source: Source) {
            guard let frame else { return }
            lines.append(Line(frame: frame, order: lines.count, direction: direction, source: source))
        }
        let syn = c.stages.first { $0.stage == .syn }
        add(syn?.frame, .clientToServer, .syn(count: c.clientToServer.synCount))
        if let established = c.stages.first(where: { $0.stage == .tcpEstablished }), established.evidence == .observed {
            add(established.frame, .clientToServer, .established)
        }
        for i in c.handshake.indices {
            add(c.handshake[i].frame, c.handshake[i].direction, .event(i))
        }
        add(c.clientToServer.finFrame, .clientToServer, .fin)
        add(c.serverToClient.finFrame, .serverToClient, .fin)
        add(c.clientToServer.rstFrame, .clientToServer, .rst(count: c.clientToServer.rstCount))
        add(c.serverToClient.rstFrame, .serverToClient, .rst(count: c.serverToClient.rstCount))
        for (i, a) in c.dissectAnomalies.enumerated() { add(a.frame, a.direction, .anomaly(i)) }
        for stage in c.stages where stage.evidence == .inferred && stage.stage > .tlsEstablished {
            add(stage.frame, nil, .inferred(stage.stage))
        }
        lines.sort { ($0.frame, $0.order) < ($1.frame, $1.order) }
        let width = decimalLength(lines.last?.frame ?? 0)
        var i = 0
        while i < lines.count {
            let runEnd = foldedRunEnd(lines, from: i, events: c.handshake)
            appendPrefix(lines[i], width: width, to: &out)
            if runEnd - i > 1 {
                appendFolded(lines[i..<runEnd], c, to: &out)
            } else {
                appendMessage(lines[i], c, to: &out)
            }
            i = runEnd
        }
        if let cert = c.certificates.first {
            out.append("        certificate: ")
            out.append(cert.subject ?? "?")
            out.append(", issuer ")
            out.append(cert.issuer ?? "?")
            if let from = cert.notValidBeforeText, let to = cert.notValidAfterText {
                out.append(", valid ")
                out.append(from)
                out.append(" to ")
                out.append(to)
            }
            out.append(", SHA-1 ")
            out.append(cert.sha1Thumbprint)
            if let error = cert.error {
                out.append(" (")
                out.append(error.code)
                out.append(")")
            }
            out.append("\n")
        }
    }

    /// Messages that come in long runs after the handshake; folded when
    /// consecutive in one direction (text and JSON timelines alike).
    enum Foldable {
        case tlsApplicationData, encryptedRDP, fastPath
    }

    /// The event is read in place: passing `events[index].message` to a function
    /// copies the event first (see Diagnosis/TimelineAccess.swift).
    static func foldable(_ events: [HandshakeEvent], _ index: Int) -> Foldable? {
        if let record = events[index].message.protectedRecord { return record.kind == .applicationData ? .tlsApplicationData : nil }
        switch events[index].message {
        case .encryptedRDP: return .encryptedRDP
        case .fastPath: return .fastPath
        default: return nil
        }
    }

    /// The end of the run of lines that fold into the line at `start`: consecutive
    /// messages of one foldable kind in one direction (just `start` otherwise).
    static func foldedRunEnd(_ lines: [Line], from start: Int, events: [HandshakeEvent]) -> Int {
        func kind(_ line: Line) -> Foldable? {
            if case .event(let index) = line.source { return foldable(events, index) }
            return nil
        }
        var end = start + 1
        guard let first = kind(lines[start]) else { return end }
        while end < lines.count && lines[end].direction == lines[start].direction && kind(lines[end]) == first {
            end += 1
        }
        return end
    }

    /// "        839  C>S  ": the frame right-aligned, then the direction.
    static func appendPrefix(_ line: Line, width: Int, to out: inout OutputBuffer) {
        out.appendSpaces(8)
        out.append(line.frame, spacePaddedTo: width)
        switch line.direction {
        case .clientToServer?: out.append("  C>S  ")
        case .serverToClient?: out.append("  S>C  ")
        case nil: out.append("       ")
        }
    }

    /// "TLS application data x12  [frames 900-980]".
    static func appendFolded(_ run: ArraySlice<Line>, _ c: ConnectionSummary, to out: inout OutputBuffer) {
        guard let first = run.first, let last = run.last, case .event(let index) = first.source else { return }
        out.append(c.handshake[index].message.name)
        out.append(" x")
        out.append(run.count)
        out.append("  [frames ")
        out.append(first.frame)
        out.append("-")
        out.append(last.frame)
        out.append("]\n")
    }

    /// The message, then its key fields in brackets when it has any.
    static func appendMessage(_ line: Line, _ c: ConnectionSummary, to out: inout OutputBuffer) {
        switch line.source {
        case .syn(let count):
            out.append("SYN")
            if count > 1 {
                out.append("  [sent ")
                out.append(count)
                out.append(" times]")
            }
        case .established:
            out.append("ACK  [TCP established]")
        case .event(let index):
            let message = c.handshake[index].message
            out.append(message.name)
            // Brackets only around fields there are: taken back if none were written.
            let opened = out.count
            out.append("  [")
            HandshakeDescription.appendDetails(message, to: &out)
            if out.count == opened + 3 { out.removeLast(3) } else { out.append("]") }
        case .fin:
            out.append("FIN")
        case .rst(let count):
            out.append("RST")
            if count > 1 {
                out.append("  [")
                out.append(count)
                out.append(" resets]")
            }
        case .anomaly(let index):
            let anomaly = c.dissectAnomalies[index]
            out.append("anomaly ")
            out.append(anomaly.code)
            appendDetails(anomaly.detail ?? "", to: &out)
        case .inferred(let stage):
            out.append("~ ")
            out.append(stage.rawValue)
            out.append(" (inferred from record sizes)")
        }
        out.append("\n")
    }

    static func appendDetails(_ details: String, to out: inout OutputBuffer) {
        guard !details.isEmpty else { return }
        out.append("  [")
        out.append(details)
        out.append("]")
    }

    /// The number of characters `String(value)` has.
    static func decimalLength(_ value: Int) -> Int {
        var length = value < 0 ? 2 : 1
        var rest = value.magnitude
        while rest >= 10 {
            rest /= 10
            length += 1
        }
        return length
    }
}
