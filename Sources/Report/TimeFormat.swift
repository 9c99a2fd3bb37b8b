import Capture

/// Capture time as text, in UTC, without Foundation.
///
/// The `append` forms write straight into a report's buffer; the `String` forms
/// are for callers that need a value (JSON fields, tests).
public enum TimeFormat {
    /// RFC 3339 with microseconds: 2024-05-01T12:00:00.123456Z.
    public static func rfc3339(_ t: CaptureTime) -> String {
        var out = OutputBuffer(capacity: 27)
        appendRFC3339(t, to: &out)
        return out.string
    }

    /// For text reports: 2024-05-01 12:00:00.123 (UTC, milliseconds).
    public static func short(_ t: CaptureTime) -> String {
        var out = OutputBuffer(capacity: 23)
        appendShort(t, to: &out)
        return out.string
    }

    /// A duration in nanoseconds as "850 µs", "12.3 ms", "4.21 s", "3m05s".
    public static func duration(_ ns: Int64) -> String {
        var out = OutputBuffer(capacity: 16)
        appendDuration(ns, to: &out)
        return out.string
    }

    static func appendRFC3339(_ t: CaptureTime, to out: inout OutputBuffer) {
        let c = t.civil
        appendDateAndClock(c, separator: UInt8(ascii: "T"), to: &out)
        out.append(byte: UInt8(ascii: "."))
        out.append(c.nanosecond / 1000, zeroPaddedTo: 6)
        out.append(byte: UInt8(ascii: "Z"))
    }

    static func appendShort(_ t: CaptureTime, to out: inout OutputBuffer) {
        let c = t.civil
        appendDateAndClock(c, separator: UInt8(ascii: " "), to: &out)
        out.append(byte: UInt8(ascii: "."))
        out.append(c.nanosecond / 1000 / 1000, zeroPaddedTo: 3)
    }

    static func appendDuration(_ ns: Int64, to out: inout OutputBuffer) {
        let a = ns.magnitude  // (abs would trap on Int64.min: a hostile capture's span)
        if a < 1_000_000 {
            out.append(a / 1000)
            out.append(" µs")
        } else if a < 1_000_000_000 {
            appendFixed(Double(a) / 1e6, 1, to: &out)
            out.append(" ms")
        } else if a < 60 * 1_000_000_000 {
            appendFixed(Double(a) / 1e9, 2, to: &out)
            out.append(" s")
        } else {
            let s = a / 1_000_000_000
            if s < 3600 {
                out.append(s / 60)
                out.append(byte: UInt8(ascii: "m"))
                out.append(s % 60, zeroPaddedTo: 2)
                out.append(byte: UInt8(ascii: "s"))
            } else {
                out.append(s / 3600)
                out.append(byte: UInt8(ascii: "h"))
                out.append(s / 60 % 60, zeroPaddedTo: 2)
                out.append(byte: UInt8(ascii: "m"))
            }
        }
    }

    /// `v` rounded to `digits` decimals (at most 18), always showing them all.
    static func appendFixed(_ v: Double, _ digits: Int, to out: inout OutputBuffer) {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let n = Int64((v * scale).rounded())
        let whole = n / Int64(scale), frac = n % Int64(scale)
        out.append(whole)
        if digits > 0 {
            out.append(byte: UInt8(ascii: "."))
            out.append(frac, zeroPaddedTo: digits)
        }
    }

    /// 2024-05-01, the separator, then 12:00:00.
    private static func appendDateAndClock(_ c: CivilTime, separator: UInt8, to out: inout OutputBuffer) {
        out.append(c.year, zeroPaddedTo: 4)
        out.append(byte: UInt8(ascii: "-"))
        out.append(c.month, zeroPaddedTo: 2)
        out.append(byte: UInt8(ascii: "-"))
        out.append(c.day, zeroPaddedTo: 2)
        out.append(byte: separator)
        out.append(c.hour, zeroPaddedTo: 2)
        out.append(byte: UInt8(ascii: ":"))
        out.append(c.minute, zeroPaddedTo: 2)
        out.append(byte: UInt8(ascii: ":"))
        out.append(c.second, zeroPaddedTo: 2)
    }
}
