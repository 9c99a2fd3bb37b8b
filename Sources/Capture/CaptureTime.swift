/// A capture timestamp: nanoseconds since the Unix epoch.
///
/// Lower modules keep time as an integer so the per-packet path never touches
/// Foundation; `Report` turns it into RFC 3339 text.
public struct CaptureTime: Hashable, Comparable, Sendable {
    public var nanoseconds: Int64

    @inlinable public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    @inlinable public init(seconds: Int64, nanoseconds: Int64) {
        self.nanoseconds = seconds &* 1_000_000_000 &+ nanoseconds
    }

    public static let zero = CaptureTime(nanoseconds: 0)

    /// Nanoseconds in a millisecond and in a second, for timeouts and RTTs.
    public static let millisecond: Int64 = 1_000_000
    public static let second: Int64 = 1_000_000_000

    @inlinable public var seconds: Int64 { nanoseconds / 1_000_000_000 }
    @inlinable public var subsecondNanoseconds: Int64 { nanoseconds % 1_000_000_000 }

    @inlinable public static func < (a: CaptureTime, b: CaptureTime) -> Bool { a.nanoseconds < b.nanoseconds }

    /// Duration from `earlier` to `self`, in nanoseconds (negative if `earlier` is later).
    @inlinable public func nanoseconds(since earlier: CaptureTime) -> Int64 { nanoseconds &- earlier.nanoseconds }

    /// How far apart `self` and `other` are, in nanoseconds: exact, and never trapping,
    /// wherever a capture's (possibly hostile) timestamps put them.
    @inlinable public func distance(to other: CaptureTime) -> UInt64 {
        nanoseconds >= other.nanoseconds ? UInt64(bitPattern: nanoseconds &- other.nanoseconds)
            : UInt64(bitPattern: other.nanoseconds &- nanoseconds)
    }

    @inlinable public func adding(nanoseconds delta: Int64) -> CaptureTime {
        CaptureTime(nanoseconds: nanoseconds &+ delta)
    }
}


/// A capture time broken down in UTC (proleptic Gregorian calendar).
public struct CivilTime: Sendable, Equatable {
    public var year: Int64, month: Int64, day: Int64
    public var hour: Int64, minute: Int64, second: Int64
    public var nanosecond: Int64
}

extension CaptureTime {
    /// The UTC date and time, without Foundation (civil date from days since
    /// 1970-01-01, after H. Hinnant's "chrono-Compatible Low-Level Date Algorithms").
    public var civil: CivilTime {
        var seconds = nanoseconds / CaptureTime.second
        var nanos = nanoseconds % CaptureTime.second
        if nanos < 0 { nanos += CaptureTime.second; seconds -= 1 }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 { secondOfDay += 86_400; days -= 1 }
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return CivilTime(year: year, month: month, day: day, hour: secondOfDay / 3600, minute: secondOfDay / 60 % 60,
                         second: secondOfDay % 60, nanosecond: nanos)
    }
}

/// A number zero-padded to `width` digits.
public func zeroPadded(_ value: Int64, _ width: Int) -> String {
    let s = String(value)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}
