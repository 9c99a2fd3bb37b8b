#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether `bytes` equal the bytes of a ring (`capacity` bytes at `storage`, a power
/// of two) from stream position `position` on: compared with `memcmp` a piece at a
/// time, at most two pieces (before and after the ring's end), not byte by byte.
/// (The caller knows the ring still holds those positions.)
public func ringBytesEqual(_ bytes: UnsafeRawBufferPointer, storage: UnsafeRawPointer, capacity: Int,
                           position: UInt64) -> Bool {
    guard var source = bytes.baseAddress else { return true }
    var offset = Int(position & UInt64(capacity - 1)), left = bytes.count
    while left > 0 {
        let n = min(left, capacity - offset)
        if memcmp(storage + offset, source, n) != 0 { return false }
        source += n
        left -= n
        offset = 0
    }
    return true
}
