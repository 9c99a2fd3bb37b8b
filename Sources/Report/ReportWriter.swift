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
    /// Where the report's bytes go.
    private let sink: (UnsafeRawBufferPointer) -> Void
    /// Rendered blocks are handed to `sink` once this many bytes have gathered (1: each
    /// block at once), and at `flush()`.
    private let pieceBytes: Int
    /// A write system call per connection cost more than rendering a healthy
    /// connection's line; 64 KiB holds a few hundred connections.
    static let batchBytes = 1 << 16
    private var shown = 0
    private var firstInDocument = true
    /// Renders text blocks; its buffers are reused from one connection to the next.
    private var text: TextReport.Renderer
    /// Holds each JSON connection while it is serialized, reused likewise.
    private var json = OutputBuffer(capacity: 16384)

    /// Hands each connection's report to `write` as soon as it is rendered.
    public convenience init(options: Options, write: @escaping (String) -> Void) {
        self.init(options: options, pieceBytes: 1) { write(String(decoding: $0, as: UTF8.self)) }
    }

    /// Collects rendered reports and hands them to `writeBytes` about `batchBytes` at a
    /// time, and whenever `flush()` is called (the caller flushes when no finished
    /// connection is waiting, so a slowly fed capture still reports each connection
    /// promptly). `begin` and `end` go out in order through the same sink.
    public convenience init(options: Options, batchingTo writeBytes: @escaping (UnsafeRawBufferPointer) -> Void) {
        self.init(options: options, pieceBytes: Self.batchBytes, sink: writeBytes)
    }

    private init(options: Options, pieceBytes: Int, sink: @escaping (UnsafeRawBufferPointer) -> Void) {
        self.options = options
        self.pieceBytes = pieceBytes
        self.sink = sink
        text = TextReport.Renderer(color: options.color)
    }

    private func write(_ text: String) {
        var text = text
        text.withUTF8 { sink(UnsafeRawBufferPointer($0)) }
    }

    /// Hands over the rendered blocks not yet written.
    public func flush() {
        switch options.format {
        case .text:
            guard text.out.count > 0 else { return }
            text.out.drain(into: sink)
        case .json, .jsonl:
            guard json.count > 0 else { return }
            json.drain(into: sink)
        }
    }

    /// After a block was added to a buffer of `count` bytes: writes what gathered once it
    /// is a piece. (Given the count, not the buffer: a buffer passed in is a second reference
    /// to its storage while `flush` empties it, which then allocates new storage.)
    private func emit(count: Int) {
        if count >= pieceBytes { flush() }
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
        // Each block is added after those not yet written; `emit` writes them once they are a piece.
        switch options.format {
        case .jsonl:
            JSONReport.connection(c).write(to: &json, pretty: false, indent: 0)
            json.append(byte: UInt8(ascii: "\n"))
            emit(count: json.count)
        case .json:
            json.append(firstInDocument ? "\n" : ",\n")
            JSONReport.connection(c).write(to: &json, pretty: true, indent: 0)
            firstInDocument = false
            emit(count: json.count)
        case .text:
            text.connection(c, id: id)
            emit(count: text.out.count)
        }
    }

    public func end(_ result: AnalysisResult) {
        flush()
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
