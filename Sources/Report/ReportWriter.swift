import Capture
import Diagnosis

/// Writes a report as connections finish: text, one JSON document, or JSON
/// Lines. Only the running counts are kept, so memory does not grow with the
/// number of connections in the capture.
public final class ReportWriter {
    public enum Format: String, Sendable, CaseIterable {
        case text, json, jsonl
    }

    public struct Options: Sendable {
        public var format: Format
        public var onlyFailed = false
        public var listAll = false
        public var color = false
        public init(format: Format) { self.format = format }
    }

    let options: Options
    let write: (String) -> Void
    private var shown = 0
    private var firstInDocument = true
    /// Renders text blocks; its buffers are reused from one connection to the next.
    private var text: TextReport.Renderer
    /// Holds each JSON connection while it is serialized, reused likewise.
    private var json = OutputBuffer(capacity: 16384)

    public init(options: Options, write: @escaping (String) -> Void) {
        self.options = options
        self.write = write
        text = TextReport.Renderer(color: options.color)
    }

    /// Whether this connection belongs in the output.
    func shows(_ c: ConnectionSummary) -> Bool {
        if options.onlyFailed { return c.isRDP && c.verdict?.failed == true }
        return c.isRDP || options.listAll
    }

    public func begin() {
        if options.format == .json { write("{\n\"connections\": [") }
    }

    public func connection(_ c: ConnectionSummary) {
        guard shows(c) else { return }
        let id = c.trackerID
        shown += 1
        // One write per connection, as one string made from the buffer.
        switch options.format {
        case .jsonl:
            json.removeAll()
            JSONReport.connection(c).write(to: &json, pretty: false, indent: 0)
            json.append(byte: UInt8(ascii: "\n"))
            write(json.string)
        case .json:
            json.removeAll()
            json.append(firstInDocument ? "\n" : ",\n")
            JSONReport.connection(c).write(to: &json, pretty: true, indent: 0)
            firstInDocument = false
            write(json.string)
        case .text:
            text.out.removeAll()
            text.connection(c, id: id)
            write(text.out.string)
        }
    }

    public func end(_ result: AnalysisResult) {
        switch options.format {
        case .jsonl:
            write(JSON.object([("summary", JSONReport.summary(result)), ("capture", JSONReport.capture(result))]).serialized() + "\n")
        case .json:
            write((firstInDocument ? "]," : "\n],") + "\n\"capture\": " + JSONReport.capture(result).serialized(pretty: true)
                  + ",\n\"summary\": " + JSONReport.summary(result).serialized(pretty: true) + "\n}\n")
        case .text:
            write(TextReport.closing(result, listAll: options.listAll, shown: shown, color: options.color))
        }
    }
}
