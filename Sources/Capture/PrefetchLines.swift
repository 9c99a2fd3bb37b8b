import CPrefetch

/// Asks the processor for `lines` cache lines from `start` on: a hint that never
/// faults and never changes memory (nothing when `start` is nil).
///
/// For memory that is about to be read after a long while, such as a finished
/// connection's objects just before they are released: each release otherwise
/// waits for one cold line after another, as it follows the references inside.
/// The overloads below reach an object without retaining it: a reference count
/// would be a write to the very line asked for.
@inlinable @inline(__always)
public func prefetchLines(from start: UnsafeRawPointer?, count lines: Int) {
    guard let start else { return }
    for line in 0..<lines { rdpdiag_prefetch_for_read(start + 64 * line) }
}

/// The first `lines` cache lines of `object`.
@inlinable @inline(__always)
public func prefetchLines<Object: AnyObject>(of object: Object, count lines: Int) {
    prefetchLines(from: Unmanaged.passUnretained(object).toOpaque(), count: lines)
}

/// The same for an object known only by an unretained reference.
@inlinable @inline(__always)
public func prefetchLines<Object: AnyObject>(of object: Unmanaged<Object>, count lines: Int) {
    prefetchLines(from: object.toOpaque(), count: lines)
}

/// The same at a plain address (nothing when it is 0).
@inlinable @inline(__always)
public func prefetchLines(at address: UInt, count lines: Int) {
    prefetchLines(from: UnsafeRawPointer(bitPattern: address), count: lines)
}

/// The same for an array's storage: the object that holds its count, capacity and
/// elements, from its header on.
///
/// An array is one reference to that storage; it is read here as a plain word.
/// Were that layout ever different, the hint would point elsewhere, which is harmless.
@inlinable @inline(__always)
public func prefetchLines<Element>(of array: [Element], count lines: Int) {
    guard MemoryLayout<[Element]>.size == MemoryLayout<UInt>.size else { return }
    prefetchLines(at: unsafeBitCast(array, to: UInt.self), count: lines)
}
