import Wire

/// A throwing view over `ByteCursor` for PDUs whose extent is already known
/// (framed by an outer length): running out of bytes there is not "need more",
/// it is a structure that claims more than its frame holds, so every failed
/// read throws `DissectError(truncatedCode)` at the exact offset.
///
/// Parsers use it internally and convert to `DissectResult` at their public
/// entry point (`DissectResult(parsing:)`), so the module keeps one outward
/// API while the field-by-field code stays linear and readable.
@usableFromInline
struct PDUReader {
    @usableFromInline var cursor: ByteCursor
    /// The snake_case code thrown when a read runs past the end.
    @usableFromInline let truncatedCode: String

    @inlinable
    init(_ cursor: ByteCursor, truncated: String) {
        self.cursor = cursor
        self.truncatedCode = truncated
    }

    @inlinable var offset: Int { cursor.offset }
    @inlinable var remaining: Int { cursor.remaining }
    @inlinable var isAtEnd: Bool { cursor.isAtEnd }

    @inlinable
    func truncated() -> DissectError { DissectError(truncatedCode, offset: cursor.offset) }

    @inlinable
    mutating func u8() throws(DissectError) -> UInt8 {
        guard let v = cursor.u8() else { throw truncated() }
        return v
    }

    @inlinable
    mutating func u16le() throws(DissectError) -> UInt16 {
        guard let v = cursor.u16le() else { throw truncated() }
        return v
    }

    @inlinable
    mutating func u16be() throws(DissectError) -> UInt16 {
        guard let v = cursor.u16be() else { throw truncated() }
        return v
    }

    @inlinable
    mutating func u32le() throws(DissectError) -> UInt32 {
        guard let v = cursor.u32le() else { throw truncated() }
        return v
    }

    @inlinable
    mutating func u32be() throws(DissectError) -> UInt32 {
        guard let v = cursor.u32be() else { throw truncated() }
        return v
    }

    @inlinable
    mutating func bytes(_ count: Int) throws(DissectError) -> UnsafeRawBufferPointer {
        guard let v = cursor.bytes(count) else { throw truncated() }
        return v
    }

    @inlinable
    mutating func array(_ count: Int) throws(DissectError) -> [UInt8] {
        guard let v = cursor.array(count) else { throw truncated() }
        return v
    }

    @inlinable
    mutating func skip(_ count: Int) throws(DissectError) {
        guard cursor.skip(count) else { throw truncated() }
    }

    /// A child reader over the next `length` bytes (same truncated code unless given).
    @inlinable
    mutating func sub(_ length: Int, truncated code: String? = nil) throws(DissectError) -> PDUReader {
        guard let child = cursor.sub(length: length) else { throw truncated() }
        return PDUReader(child, truncated: code ?? truncatedCode)
    }

    /// Converts a wire length to `Int` and checks it fits in what is left;
    /// a length running past the frame is reported as truncation here.
    @inlinable
    func length<T: BinaryInteger>(_ value: T) throws(DissectError) -> Int {
        guard let n = Int(exactly: value), n <= cursor.remaining else { throw truncated() }
        return n
    }

    /// Throws `code` unless every byte was consumed: a PDU parsed inside its
    /// declared length must use all of it.
    @inlinable
    func expectEnd(_ code: String) throws(DissectError) {
        guard cursor.isAtEnd else {
            throw DissectError(code, offset: cursor.offset, detail: "\(cursor.remaining) bytes left over")
        }
    }

    @inlinable
    func fail(_ code: String, _ detail: String? = nil) -> DissectError {
        DissectError(code, offset: cursor.offset, detail: detail)
    }
}

extension DissectResult {
    /// Runs a throwing field-by-field parse and maps it to the module's
    /// three outcomes; the body returns the value and the bytes it used.
    @inlinable
    init(parsing body: () throws(DissectError) -> (Value, Int)) {
        do {
            let (value, consumed) = try body()
            self = .parsed(value, consumed: consumed)
        } catch {
            self = .malformed(error)
        }
    }

    /// The same outcome carrying another value type (needMore/malformed pass through).
    @inlinable
    public func mapParsed<U>(_ transform: (Value) -> U) -> DissectResult<U> {
        switch self {
        case let .parsed(v, consumed): return .parsed(transform(v), consumed: consumed)
        case let .needMore(minimum): return .needMore(minimum: minimum)
        case let .malformed(e): return .malformed(e)
        }
    }

    /// The parse error, if this outcome is malformed.
    public var malformedError: DissectError? {
        if case let .malformed(e) = self { return e }
        return nil
    }
}

extension ByteCursor {
    /// A cursor over an absolute byte range of this cursor's base buffer, for
    /// slices a parser reports as ranges (e.g. MCS Send Data user data).
    /// nil when the range lies outside the buffer.
    public func window(_ range: Range<Int>) -> ByteCursor? {
        var c = ByteCursor(base)
        guard range.lowerBound >= 0, c.skip(range.lowerBound) else { return nil }
        return c.sub(length: range.count)
    }
}

/// Text fields of handshake PDUs. They are decoded once per connection, so a
/// `String` here is not a per-packet allocation.
enum RDPText {
    /// UTF-16LE up to the first NUL code unit (or the end); an odd trailing byte is ignored.
    static func utf16le(_ bytes: UnsafeRawBufferPointer) -> String {
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var i = 0
        while i + 1 < bytes.count {
            let unit = UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8
            if unit == 0 { break }
            units.append(unit)
            i += 2
        }
        return String(decoding: units, as: UTF16.self)
    }

    /// 8-bit text (ANSI/ASCII on the wire) up to the first NUL; non-UTF-8 bytes
    /// become U+FFFD rather than failing the parse.
    static func ansi(_ bytes: UnsafeRawBufferPointer) -> String {
        var end = 0
        while end < bytes.count, bytes[end] != 0 { end += 1 }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<end]), as: UTF8.self)
    }

    static func hex<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let digits: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f"]
        var s = ""
        s.reserveCapacity(bytes.count * 2)
        for b in bytes {
            s.append(digits[Int(b >> 4)])
            s.append(digits[Int(b & 0x0F)])
        }
        return s
    }
}

/// Names of the bits set in `value`, in ascending bit order, plus the hex of
/// any bits no table entry covers (so unknown flags stay visible).
func rdpFlagNames<T: FixedWidthInteger & UnsignedInteger>(_ value: T, _ table: [(T, String)]) -> [String] {
    var names: [String] = []
    var covered: T = 0
    for (bit, name) in table where bit != 0 && value & bit == bit {
        names.append(name)
        covered |= bit
    }
    let rest = value & ~covered
    if rest != 0 { names.append("0x" + String(rest, radix: 16)) }
    return names
}
