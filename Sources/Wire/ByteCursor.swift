/// A bounds-checked, non-owning reader over borrowed bytes.
///
/// Every read checks the remaining length first and returns nil when the bytes
/// run out; a failed read leaves `offset` unchanged, so a caller can report
/// "truncated" at the exact place. Nothing here traps on hostile input.
/// The bytes are borrowed: a cursor must not outlive the buffer it reads.
public struct ByteCursor {
    public let base: UnsafeRawBufferPointer
    /// Position of the next read, relative to `base`.
    @inlinable public var offset: Int { _offset }
    @usableFromInline var _offset: Int
    /// One past the last readable byte, relative to `base`.
    public let end: Int

    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer) {
        self.base = bytes
        self._offset = 0
        self.end = bytes.count
    }

    @usableFromInline
    init(base: UnsafeRawBufferPointer, offset: Int, end: Int) {
        self.base = base
        self._offset = offset
        self.end = end
    }

    @inlinable public var remaining: Int { end - _offset }
    @inlinable public var isAtEnd: Bool { _offset >= end }

    // MARK: integers

    @inlinable
    public mutating func u8() -> UInt8? {
        guard _offset < end else { return nil }
        defer { _offset += 1 }
        return base[_offset]
    }

    @inlinable
    public mutating func u16be() -> UInt16? {
        guard remaining >= 2 else { return nil }
        defer { _offset += 2 }
        return UInt16(base[_offset]) << 8 | UInt16(base[_offset + 1])
    }

    @inlinable
    public mutating func u16le() -> UInt16? {
        guard remaining >= 2 else { return nil }
        defer { _offset += 2 }
        return UInt16(base[_offset + 1]) << 8 | UInt16(base[_offset])
    }

    @inlinable
    public mutating func u24be() -> UInt32? {
        guard remaining >= 3 else { return nil }
        defer { _offset += 3 }
        return UInt32(base[_offset]) << 16 | UInt32(base[_offset + 1]) << 8 | UInt32(base[_offset + 2])
    }

    @inlinable
    public mutating func u32be() -> UInt32? {
        guard remaining >= 4 else { return nil }
        defer { _offset += 4 }
        return UInt32(bigEndian: base.loadUnaligned(fromByteOffset: _offset, as: UInt32.self))
    }

    @inlinable
    public mutating func u32le() -> UInt32? {
        guard remaining >= 4 else { return nil }
        defer { _offset += 4 }
        return UInt32(littleEndian: base.loadUnaligned(fromByteOffset: _offset, as: UInt32.self))
    }

    @inlinable
    public mutating func u64be() -> UInt64? {
        guard remaining >= 8 else { return nil }
        defer { _offset += 8 }
        return UInt64(bigEndian: base.loadUnaligned(fromByteOffset: _offset, as: UInt64.self))
    }

    @inlinable
    public mutating func u64le() -> UInt64? {
        guard remaining >= 8 else { return nil }
        defer { _offset += 8 }
        return UInt64(littleEndian: base.loadUnaligned(fromByteOffset: _offset, as: UInt64.self))
    }

    // MARK: slices

    /// The next `count` bytes, borrowed; nil (offset unchanged) if fewer remain or count is negative.
    @inlinable
    public mutating func bytes(_ count: Int) -> UnsafeRawBufferPointer? {
        guard count >= 0, remaining >= count else { return nil }
        defer { _offset += count }
        return UnsafeRawBufferPointer(rebasing: base[_offset..<_offset + count])
    }

    /// Copies the next `count` bytes into an array (for fields a report keeps).
    @inlinable
    public mutating func array(_ count: Int) -> [UInt8]? {
        guard let slice = bytes(count) else { return nil }
        return Array(slice)
    }

    /// Skips `count` bytes; false (offset unchanged) if fewer remain.
    @inlinable
    @discardableResult
    public mutating func skip(_ count: Int) -> Bool {
        guard count >= 0, remaining >= count else { return false }
        _offset += count
        return true
    }

    /// A child cursor over the next `length` bytes; advances past them.
    /// nil (offset unchanged) when fewer remain: parse each PDU inside its declared length.
    @inlinable
    public mutating func sub(length: Int) -> ByteCursor? {
        guard length >= 0, remaining >= length else { return nil }
        let child = ByteCursor(base: base, offset: _offset, end: _offset + length)
        _offset += length
        return child
    }

    /// The rest of the bytes as a child cursor; leaves this cursor at its end.
    @inlinable
    public mutating func rest() -> ByteCursor {
        let child = ByteCursor(base: base, offset: _offset, end: end)
        _offset = end
        return child
    }

    /// The unread bytes, borrowed, without advancing.
    @inlinable
    public var unread: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: base[_offset..<end])
    }

    // MARK: peeking

    /// The byte `ahead` positions past the current _offset, if present.
    @inlinable
    public func peek(_ ahead: Int = 0) -> UInt8? {
        guard ahead >= 0, ahead < remaining else { return nil }
        return base[_offset + ahead]
    }

    @inlinable
    public func peekU16be(_ ahead: Int = 0) -> UInt16? {
        guard ahead >= 0, remaining - ahead >= 2 else { return nil }
        return UInt16(base[_offset + ahead]) << 8 | UInt16(base[_offset + ahead + 1])
    }

    // MARK: encoded lengths

    /// An ASN.1 BER definite length (X.690 §8.1.3): short form, or long form of
    /// at most 4 length bytes. nil (offset unchanged) when truncated, indefinite
    /// (0x80) or too long to be a length in a handshake PDU.
    @inlinable
    public mutating func berLength() -> Int? {
        var copy = self
        guard let first = copy.u8() else { return nil }
        if first & 0x80 == 0 {
            self = copy
            return Int(first)
        }
        let count = Int(first & 0x7F)
        guard count >= 1, count <= 4 else { return nil }
        var value = 0
        for _ in 0..<count {
            guard let b = copy.u8() else { return nil }
            value = value << 8 | Int(b)
        }
        self = copy
        return value
    }

    /// An ALIGNED PER length determinant (X.691 §10.9) as T.125/T.124 use it:
    /// one byte below 0x80, or two bytes with the top bit of the first set.
    @inlinable
    public mutating func perLength() -> Int? {
        var copy = self
        guard let first = copy.u8() else { return nil }
        if first & 0x80 == 0 {
            self = copy
            return Int(first)
        }
        guard let second = copy.u8() else { return nil }
        self = copy
        return Int(first & 0x7F) << 8 | Int(second)
    }
}
