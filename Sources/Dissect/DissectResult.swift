/// A parse failure: a stable snake_case `code` (it reaches reports as an
/// anomaly), the byte offset where it was found, and optional detail text.
/// Equality compares the code only, so tests match on what went wrong.
public struct DissectError: Error, Sendable, CustomStringConvertible {
    public var code: String
    public var offset: Int
    public var detail: String?

    public init(_ code: String, offset: Int, detail: String? = nil) {
        self.code = code
        self.offset = offset
        self.detail = detail
    }

    public var description: String {
        detail.map { "\(code) at offset \(offset): \($0)" } ?? "\(code) at offset \(offset)"
    }
}

extension DissectError: Equatable {
    public static func == (a: DissectError, b: DissectError) -> Bool { a.code == b.code }
}

/// The three outcomes of a stream parser: a value and the bytes it used, a
/// request for at least `minimum` bytes in total, or a malformed PDU.
public enum DissectResult<Value> {
    case parsed(Value, consumed: Int)
    case needMore(minimum: Int)
    case malformed(DissectError)

    public var value: Value? {
        if case let .parsed(v, _) = self { return v }
        return nil
    }
}

extension DissectResult: Equatable where Value: Equatable {}
extension DissectResult: Sendable where Value: Sendable {}
