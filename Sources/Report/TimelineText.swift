import Capture
import Diagnosis
import Dissect
import Reassembly

/// The per-connection handshake timeline of the text report: TCP opening
/// and closing packets merged with the dissected messages, runs of TLS
/// application data folded into one line.
enum TimelineText {
    struct Line {
        var frame: Int
        var order: Int
        var direction: Direction?
        var message: String
        var details: String
    }

    static func render(_ c: ConnectionSummary) -> String {
        var out = "      timeline:\n"
        var lines: [Line] = []
        var order = 0
        func add(_ frame: Int?, _ direction: Direction?, _ message: String, _ details: String = "") {
            guard let frame else { return }
            lines.append(Line(frame: frame, order: order, direction: direction, message: message, details: details))
            order += 1
        }
        let syn = c.stages.first { $0.stage == .syn }
        add(syn?.frame, .clientToServer, "SYN", c.clientToServer.synCount > 1 ? "sent \(c.clientToServer.synCount) times" : "")
        if let established = c.stages.first(where: { $0.stage == .tcpEstablished }), established.evidence == .observed {
            add(established.frame, .clientToServer, "ACK", "TCP established")
        }
        for event in c.handshake {
            add(event.frame, event.direction, event.message.name, HandshakeDescription.details(event.message))
        }
        add(c.clientToServer.finFrame, .clientToServer, "FIN")
        add(c.serverToClient.finFrame, .serverToClient, "FIN")
        add(c.clientToServer.rstFrame, .clientToServer, "RST", c.clientToServer.rstCount > 1 ? "\(c.clientToServer.rstCount) resets" : "")
        add(c.serverToClient.rstFrame, .serverToClient, "RST", c.serverToClient.rstCount > 1 ? "\(c.serverToClient.rstCount) resets" : "")
        for a in c.dissectAnomalies { add(a.frame, a.direction, "anomaly \(a.code)", a.detail ?? "") }
        for stage in c.stages where stage.evidence == .inferred && stage.stage > .tlsEstablished {
            add(stage.frame, nil, "~ \(stage.stage.rawValue) (inferred from record sizes)")
        }
        lines.sort { ($0.frame, $0.order) < ($1.frame, $1.order) }
        lines = fold(lines)
        let width = String(lines.map(\.frame).max() ?? 0).count
        for line in lines {
            let frame = String(repeating: " ", count: width - String(line.frame).count) + String(line.frame)
            let dir = line.direction.map { $0 == .clientToServer ? "C>S" : "S>C" } ?? "   "
            out += "        \(frame)  \(dir)  \(line.message)" + (line.details.isEmpty ? "" : "  [\(line.details)]") + "\n"
        }
        if let cert = c.certificates.first {
            out += "        certificate: \(cert.subject ?? "?"), issuer \(cert.issuer ?? "?")"
            if let from = cert.notValidBeforeText, let to = cert.notValidAfterText { out += ", valid \(from) to \(to)" }
            out += ", SHA-1 \(cert.sha1Thumbprint)"
            if let error = cert.error { out += " (\(error.code))" }
            out += "\n"
        }
        return out
    }

    /// Messages that come in long runs after the handshake; folded when consecutive in one direction.
    static let foldable: Set<String> = ["TLS application data", "Encrypted RDP data", "Fast-path PDU"]

    /// Folds consecutive lines of a foldable kind in one direction into one.
    static func fold(_ lines: [Line]) -> [Line] {
        var out: [Line] = []
        var run: [Line] = []
        func flush() {
            guard let first = run.first else { return }
            if run.count == 1 { out.append(first) } else {
                var folded = first
                folded.message = "\(first.message) x\(run.count)"
                folded.details = "frames \(first.frame)-\(run[run.count - 1].frame)"
                out.append(folded)
            }
            run = []
        }
        for line in lines {
            if foldable.contains(line.message) {
                if let last = run.last, last.direction != line.direction || last.message != line.message { flush() }
                run.append(line)
            } else {
                flush()
                out.append(line)
            }
        }
        flush()
        return out
    }
}
