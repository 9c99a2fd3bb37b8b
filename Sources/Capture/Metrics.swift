#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Prometheus text exposition format (version 0.0.4), as read by
/// node_exporter's textfile collector or any scraper of a static file.
///
/// Families keep the order in which they were first added; samples of one
/// family are written together under a single `# HELP`/`# TYPE`, whatever the
/// order of the calls. Names that are not valid metric or label names have
/// their bad characters replaced by `_` (names come from code, but label
/// values may hold interface names or causes, which are escaped).
public struct MetricsExposition: Sendable {
    public enum Kind: String, Sendable {
        case counter, gauge, untyped
    }

    struct Family: Sendable {
        var name: String
        var help: String
        var kind: Kind
        var samples: [(labels: [(String, String)], value: Double)]
    }

    private var families: [Family] = []

    public init() {}

    /// Adds one sample; `labels` keep their order.
    public mutating func add(_ kind: Kind, _ name: String, help: String, labels: [(String, String)] = [], value: Double) {
        let name = MetricsExposition.sanitize(name, allowColon: true)
        let labels = labels.map { (MetricsExposition.sanitize($0.0, allowColon: false), $0.1) }
        if let index = families.firstIndex(where: { $0.name == name }) {
            families[index].samples.append((labels, value))
        } else {
            families.append(Family(name: name, help: help, kind: kind, samples: [(labels, value)]))
        }
    }

    public mutating func counter(_ name: String, help: String, labels: [(String, String)] = [], value: Int) {
        add(.counter, name, help: help, labels: labels, value: Double(value))
    }

    public mutating func counter(_ name: String, help: String, labels: [(String, String)] = [], value: UInt64) {
        add(.counter, name, help: help, labels: labels, value: Double(value))
    }

    public mutating func gauge(_ name: String, help: String, labels: [(String, String)] = [], value: Double) {
        add(.gauge, name, help: help, labels: labels, value: value)
    }

    public mutating func gauge(_ name: String, help: String, labels: [(String, String)] = [], value: Int) {
        add(.gauge, name, help: help, labels: labels, value: Double(value))
    }

    /// Declares a family without samples yet (e.g. failures by cause before the
    /// first failure), so dashboards see it from the start.
    public mutating func declare(_ kind: Kind, _ name: String, help: String) {
        let name = MetricsExposition.sanitize(name, allowColon: true)
        if !families.contains(where: { $0.name == name }) {
            families.append(Family(name: name, help: help, kind: kind, samples: []))
        }
    }

    /// The exposition text, ending with a newline.
    public var text: String {
        var out = ""
        for family in families {
            out += "# HELP \(family.name) \(MetricsExposition.escapeHelp(family.help))\n"
            out += "# TYPE \(family.name) \(family.kind.rawValue)\n"
            for sample in family.samples {
                out += family.name
                if !sample.labels.isEmpty {
                    out += "{"
                    out += sample.labels.map { "\($0.0)=\"\(MetricsExposition.escapeLabelValue($0.1))\"" }
                        .joined(separator: ",")
                    out += "}"
                }
                out += " " + MetricsExposition.format(sample.value) + "\n"
            }
        }
        return out
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*` for metric names, without `:` for label names.
    static func sanitize(_ name: String, allowColon: Bool) -> String {
        var out = ""
        for (i, scalar) in name.unicodeScalars.enumerated() {
            let v = scalar.value
            let letter = (v >= 65 && v <= 90) || (v >= 97 && v <= 122) || v == 95 || (allowColon && v == 58)
            let digit = v >= 48 && v <= 57
            out.unicodeScalars.append(letter || (digit && i > 0) ? scalar : "_")
        }
        return out.isEmpty ? "_" : out
    }

    /// Label values: backslash, double quote and newline are escaped.
    static func escapeLabelValue(_ value: String) -> String {
        var out = ""
        for c in value.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// HELP text: backslash and newline are escaped.
    static func escapeHelp(_ help: String) -> String {
        var out = ""
        for c in help.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// Integers without a fraction; `+Inf`, `-Inf`, `NaN` as the format spells them.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}

/// Replaces a file atomically: the text goes to a temporary file in the same
/// directory, which is then renamed over `path`, so a reader (a scraper, the
/// textfile collector) sees the old or the new content, never a partial one.
public enum AtomicFile {
    public static func write(_ text: String, to path: String, mode: mode_t = 0o644) throws(CaptureError) {
        // Same directory, so rename(2) never crosses a file system. The pid keeps
        // two instances writing the same file from clobbering each other's temp file.
        let temporary = "\(path).tmp.\(getpid())"
        _ = unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            throw .cannotWrite(file: path, reason: String(cString: strerror(errno)))
        }
        var failure: String?
        var text = text
        text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count, let base = buffer.baseAddress {
                let n = posixWrite(descriptor, base + offset, buffer.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    failure = String(cString: strerror(errno))
                    return
                }
                offset += n
            }
        }
        if close(descriptor) != 0 && failure == nil { failure = String(cString: strerror(errno)) }
        if failure == nil && rename(temporary, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            _ = unlink(temporary)
            throw .cannotWrite(file: path, reason: failure)
        }
    }
}

/// Memory of this process, for the periodic summary and metrics.
public enum ProcessMemory {
    /// Resident set size in bytes (`/proc/self/statm`, second field × page
    /// size); nil where /proc is not available.
    public static func residentBytes() -> Int? {
        let descriptor = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { _ = close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let n = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        let fields = buffer[0..<n].split(separator: UInt8(ascii: " "))
        guard fields.count >= 2, let pages = Int(String(decoding: fields[1], as: UTF8.self)) else { return nil }
        return pages * PlainPages.pageSize
    }
}

/// `write(2)` under a name `AtomicFile.write` does not shadow.
private func posixWrite(_ descriptor: Int32, _ base: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, base, count)
}
