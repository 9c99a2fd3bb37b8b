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
    /// With `init(options:batchingTo:)`: where rendered bytes go, in pieces of about
    /// `batchBytes` or at `flush()`; the output itself is the same.
    private let writeBytes: ((UnsafeRawBufferPointer) -> Void)?
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
    public init(options: Options, write: @escaping (String) -> Void) {
        self.options = options
        self.write = write
        writeBytes = nil
        text = TextReport.Renderer(color: options.color)
    }

    /// Collects rendered reports and hands them to `writeBytes` about `batchBytes` at a
    /// time, and whenever `flush()` is called (the caller flushes when no finished
    /// connection is waiting, so a slowly fed capture still reports each connection
    /// promptly). Everything else (`begin`, `end`) goes out in order through the same sink.
    public init(options: Options, batchingTo writeBytes: @escaping (UnsafeRawBufferPointer) -> Void) {
        self.options = options
        self.writeBytes = writeBytes
        write = { text in
            var text = text
            text.withUTF8 { writeBytes(UnsafeRawBufferPointer($0)) }
        }
        text = TextReport.Renderer(color: options.color)
    }

    /// Hands over what the batching writer holds (nothing to do otherwise).
    public func flush() {
        guard let writeBytes else { return }
        switch options.format {
        case .text:
            guard text.out.count > 0 else { return }
            text.out.bytes.withUnsafeBytes { writeBytes($0) }
            text.out.removeAll()
        case .json, .jsonl:
            guard json.count > 0 else { return }
            json.bytes.withUnsafeBytes { writeBytes($0) }
            json.removeAll()
        }
    }

    /// Writes what `buffer` holds (the block just rendered): at once, or, batching, once
    /// enough has gathered.
    private func emit(_ buffer: borrowing OutputBuffer) {
        if batching {
            if buffer.count >= Self.batchBytes { flush() }
        } else {
            write(buffer.string)
        }
    }

    /// Whether this connection belongs in the output.
    func shows(_ c: ConnectionSummary) -> Bool {
        if options.onlyFailed { return c.isRDP && c.verdict?.failed == true }
        return c.isRDP || options.listAll
    }

    public func begin() {
        if options.format == .json { write("{\n\"connections\": [") }
    }

    /// Whether each block starts in an empty buffer (one write per connection) or is
    /// added after the ones not yet handed over (batching).
    private var batching: Bool { writeBytes != nil }

    public func connection(_ c: ConnectionSummary) {
        guard shows(c) else { return }
        let id = c.trackerID
        shown += 1
        // One write per connection, as one string made from the buffer; or, batching,
        // blocks gathered in the same buffer until it holds enough.
        switch options.format {
        case .jsonl:
            if !batching { json.removeAll() }
            JSONReport.connection(c).write(to: &json, pretty: false, indent: 0)
            json.append(byte: UInt8(ascii: "\n"))
            emit(json)
        case .json:
            if !batching { json.removeAll() }
            json.append(firstInDocument ? "\n" : ",\n")
            JSONReport.connection(c).write(to: &json, pretty: true, indent: 0)
            firstInDocument = false
            emit(json)
        case .text:
            if !batching { text.out.removeAll() }
            text.connection(c, id: id)
            emit(text.out)
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
