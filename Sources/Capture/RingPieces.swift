#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Calls `body` for each piece of `position..<position + count` in a ring of `capacity`
/// bytes (a power of two): at most two pieces, split where the ring ends. `body` gets the
/// piece's offset in the ring, its offset from `position` and its length, and returns false
/// to stop; the result is false when it stopped. The rings here (the capture history, the
/// log of delivered bytes) all copy and compare through it.
@inlinable @inline(__always)
public func forEachRingPiece(position: UInt64, count: Int, capacity: Int,
                             _ body: (_ ringOffset: Int, _ offset: Int, _ length: Int) -> Bool) -> Bool {
    var ringOffset = Int(position & UInt64(capacity - 1)), done = 0
    while done < count {
        let n = min(count - done, capacity - ringOffset)
        guard body(ringOffset, done, n) else { return false }
        done += n
        ringOffset = 0
    }
    return true
}

/// Whether `bytes` equal the bytes of a ring (`capacity` bytes at `storage`) from stream
/// position `position` on, compared with `memcmp` a piece at a time, not byte by byte.
/// (The caller knows the ring still holds those positions.)
public func ringBytesEqual(_ bytes: UnsafeRawBufferPointer, storage: UnsafeRawPointer, capacity: Int,
                           position: UInt64) -> Bool {
    guard let source = bytes.baseAddress else { return true }
    return forEachRingPiece(position: position, count: bytes.count, capacity: capacity) { ringOffset, offset, n in
        memcmp(storage + ringOffset, source + offset, n) == 0
    }
}
