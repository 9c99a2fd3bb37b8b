/// Report output built as UTF-8 bytes in one growing array.
///
/// A block assembled from short `String`s (interpolations, `+`, `joined`)
/// allocates each piece, copies it into the next and frees it. Appending bytes
/// to one array that the writer keeps between connections costs a copy per
/// piece, and no allocation once the array has grown to the largest block.
struct OutputBuffer {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    var count: Int { bytes.count }

    /// Empties the buffer and keeps its storage for the next block.
    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
    }

    /// Hands the bytes to `sink`, read in place, then empties the buffer and keeps its
    /// storage (which stays this buffer's alone only while no copy of the buffer is alive).
    mutating func drain(into sink: (UnsafeRawBufferPointer) -> Void) {
        bytes.withUnsafeBytes { sink($0) }
        removeAll()
    }

    /// The bytes as a `String` (one copy; the bytes are always whole UTF-8).
    var string: String { String(decoding: bytes, as: UTF8.self) }

    mutating func append(_ text: String) {
        // The string's own UTF-8 storage, read in place: `withUTF8` needs a `var` copy,
        // which retains and releases the storage of every heap string appended.
        if text.utf8.withContiguousStorageIfAvailable({ bytes.append(contentsOf: $0) }) != nil { return }
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ text: Substring) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    mutating func append(byte: UInt8) {
        bytes.append(byte)
    }

    mutating func append(bytes other: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: other)
    }

    mutating func appendSpaces(_ count: Int) {
        append(repeating: UInt8(ascii: " "), count: count)
    }

    /// `count` copies of `byte`; nothing when `count` is zero or less.
    mutating func append(repeating byte: UInt8, count: Int) {
        if count > 0 { bytes.append(contentsOf: repeatElement(byte, count: count)) }
    }

    mutating func removeLast(_ count: Int) {
        bytes.removeLast(count)
    }

    /// A decimal number, as `String(value)` writes it.
    mutating func append<T: BinaryInteger>(_ value: T) {
        append(value, padding: 0, with: 0)
    }

    /// A decimal number with zeros in front up to `width` characters, like the
    /// Capture module's `zeroPadded` (a minus sign counts in the width and the
    /// zeros go before it, as there).
    mutating func append<T: BinaryInteger>(_ value: T, zeroPaddedTo width: Int) {
        append(value, padding: width, with: UInt8(ascii: "0"))
    }

    /// A decimal number right-aligned in `width` columns.
    mutating func append<T: BinaryInteger>(_ value: T, spacePaddedTo width: Int) {
        append(value, padding: width, with: UInt8(ascii: " "))
    }

    private mutating func append<T: BinaryInteger>(_ value: T, padding width: Int, with pad: UInt8) {
        // 39 digits hold any 128-bit magnitude; the sign goes in front of them.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 40) { digits in
            var position = digits.count
            var rest = value.magnitude
            repeat {
                position -= 1
                digits[position] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
            } while rest != 0
            if value < 0 {
                position -= 1
                digits[position] = UInt8(ascii: "-")
            }
            append(repeating: pad, count: width - (digits.count - position))
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[position...]))
        }
    }
}
