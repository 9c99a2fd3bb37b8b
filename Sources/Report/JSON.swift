/// A JSON value with ordered object keys, so reports keep the field order of
/// DESIGN.md and golden files diff cleanly. Not `indirect`: the arrays already
/// hold nested values out of line, and boxing would cost an allocation for
/// every number and string of a report.
public enum JSON: Sendable, Equatable {
    case object([(String, JSON)])
    case array([JSON])
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case null

    public static func == (a: JSON, b: JSON) -> Bool { a.serialized() == b.serialized() }

    public static func int(_ v: Int) -> JSON { .int(Int64(v)) }
    public static func optional(_ v: Int?) -> JSON { v.map { .int(Int64($0)) } ?? .null }
    public static func optional(_ v: String?) -> JSON { v.map { .string($0) } ?? .null }

    /// Compact (one line) or indented text.
    public func serialized(pretty: Bool = false) -> String {
        var out = OutputBuffer()
        write(to: &out, pretty: pretty, indent: 0)
        return out.string
    }

    func write(to out: inout OutputBuffer, pretty: Bool, indent: Int) {
        switch self {
        case .null: out.append("null")
        case .bool(let b): out.append(b ? "true" : "false")
        case .int(let i): out.append(i)
        case .double(let d):
            if !d.isFinite {
                out.append("null")
            } else if d == d.rounded() && abs(d) < 1e15 {
                out.append(Int64(d))
            } else {
                out.append(String(d))
            }
        case .string(let s): JSON.escape(s, into: &out)
        case .array(let items):
            if items.isEmpty { out.append("[]"); return }
            out.append(byte: UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(byte: UInt8(ascii: ",")) }
                if pretty { JSON.newline(indent: indent + 1, into: &out) }
                item.write(to: &out, pretty: pretty, indent: indent + 1)
            }
            if pretty { JSON.newline(indent: indent, into: &out) }
            out.append(byte: UInt8(ascii: "]"))
        case .object(let fields):
            if fields.isEmpty { out.append("{}"); return }
            out.append(byte: UInt8(ascii: "{"))
            for (i, (key, value)) in fields.enumerated() {
                if i > 0 { out.append(byte: UInt8(ascii: ",")) }
                if pretty { JSON.newline(indent: indent + 1, into: &out) }
                JSON.escape(key, into: &out)
                out.append(pretty ? ": " : ":")
                value.write(to: &out, pretty: pretty, indent: indent + 1)
            }
            if pretty { JSON.newline(indent: indent, into: &out) }
            out.append(byte: UInt8(ascii: "}"))
        }
    }

    /// A line break and two spaces per level.
    static func newline(indent: Int, into out: inout OutputBuffer) {
        out.append(byte: UInt8(ascii: "\n"))
        out.appendSpaces(2 * indent)
    }

    /// `s` as a JSON string. Works on UTF-8 bytes: every byte that needs an escape
    /// is ASCII, and the bytes of other characters are copied as they are, so the
    /// runs between escapes go over in one copy each.
    static func escape(_ s: String, into out: inout OutputBuffer) {
        out.append(byte: UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            var runStart = 0
            for (i, byte) in bytes.enumerated() where byte < 0x20 || byte == 0x7F || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                out.append(bytes: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
                switch byte {
                case UInt8(ascii: "\""): out.append("\\\"")
                case UInt8(ascii: "\\"): out.append("\\\\")
                case UInt8(ascii: "\n"): out.append("\\n")
                case UInt8(ascii: "\r"): out.append("\\r")
                case UInt8(ascii: "\t"): out.append("\\t")
                default:
                    // Other control characters as \u00XX, lower-case hex.
                    let hexDigits: StaticString = "0123456789abcdef"
                    out.append("\\u00")
                    out.append(byte: hexDigits.utf8Start[Int(byte >> 4)])
                    out.append(byte: hexDigits.utf8Start[Int(byte & 0xF)])
                }
                runStart = i + 1
            }
            out.append(bytes: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
        out.append(byte: UInt8(ascii: "\""))
    }
}
