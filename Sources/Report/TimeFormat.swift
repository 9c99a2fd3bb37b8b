import Capture

/// Capture time as text, in UTC, without Foundation.
public enum TimeFormat {
    /// RFC 3339 with microseconds: 2024-05-01T12:00:00.123456Z.
    public static func rfc3339(_ t: CaptureTime) -> String {
        let (date, clock, micros) = parts(t)
        return "\(date)T\(clock).\(pad(micros, 6))Z"
    }

    /// For text reports: 2024-05-01 12:00:00.123 (UTC, milliseconds).
    public static func short(_ t: CaptureTime) -> String {
        let (date, clock, micros) = parts(t)
        return "\(date) \(clock).\(pad(micros / 1000, 3))"
    }

    /// A duration in nanoseconds as "850 µs", "12.3 ms", "4.21 s", "3m05s".
    public static func duration(_ ns: Int64) -> String {
        let a = abs(ns)
        if a < 1_000_000 { return "\(a / 1000) µs" }
        if a < 1_000_000_000 { return fixed(Double(a) / 1e6, 1) + " ms" }
        if a < 60 * 1_000_000_000 { return fixed(Double(a) / 1e9, 2) + " s" }
        let s = a / 1_000_000_000
        if s < 3600 { return "\(s / 60)m\(pad(Int(s % 60), 2))s" }
        return "\(s / 3600)h\(pad(Int(s / 60 % 60), 2))m"
    }

    static func fixed(_ v: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let n = Int64((v * scale).rounded())
        let whole = n / Int64(scale), frac = n % Int64(scale)
        return digits == 0 ? String(whole) : "\(whole).\(pad(Int(frac), digits))"
    }

    static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    static func parts(_ t: CaptureTime) -> (String, String, Int) {
        let c = t.civil
        let date = "\(zeroPadded(c.year, 4))-\(zeroPadded(c.month, 2))-\(zeroPadded(c.day, 2))"
        let clock = "\(zeroPadded(c.hour, 2)):\(zeroPadded(c.minute, 2)):\(zeroPadded(c.second, 2))"
        return (date, clock, Int(c.nanosecond / 1000))
    }
}
