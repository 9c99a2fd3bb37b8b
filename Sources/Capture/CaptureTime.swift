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

    @inlinable public func adding(nanoseconds delta: Int64) -> CaptureTime {
        CaptureTime(nanoseconds: nanoseconds &+ delta)
    }
}

