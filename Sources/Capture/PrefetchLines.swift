import CPrefetch

/// Asks the processor for the first `lines` cache lines of `object`, without
/// retaining it: a hint that never faults and never changes memory.
///
/// For memory that is about to be read after a long while, such as a finished
/// connection's objects just before they are released: each release otherwise
/// waits for one cold line after another, as it follows the references inside.
@inlinable @inline(__always)
public func prefetchLines<Object: AnyObject>(of object: Object, count lines: Int) {
    let start = UnsafeRawPointer(Unmanaged.passUnretained(object).toOpaque())
    for line in 0..<lines { rdpdiag_prefetch_for_read(start + 64 * line) }
}

/// The same for an object known only by an unretained reference.
@inlinable @inline(__always)
public func prefetchLines<Object: AnyObject>(of object: Unmanaged<Object>, count lines: Int) {
    let start = UnsafeRawPointer(object.toOpaque())
    for line in 0..<lines { rdpdiag_prefetch_for_read(start + 64 * line) }
}

/// The same at a plain address (nothing when it is 0).
@inlinable @inline(__always)
public func prefetchLines(at address: UInt, count lines: Int) {
    guard let start = UnsafeRawPointer(bitPattern: address) else { return }
    for line in 0..<lines { rdpdiag_prefetch_for_read(start + 64 * line) }
}

/// The same for an array's storage: the object that holds its count, capacity and
/// elements, from its header on.
///
/// An array is one reference to that storage; it is read here as a plain word, so
/// that asking costs no reference count (which would be a write to the very line
/// asked for). Were that layout ever different, the hint would point elsewhere,
/// which is harmless.
@inlinable @inline(__always)
public func prefetchLines<Element>(of array: [Element], count lines: Int) {
    guard MemoryLayout<[Element]>.size == MemoryLayout<UInt>.size else { return }
    let word = unsafeBitCast(array, to: UInt.self)
    guard let start = UnsafeRawPointer(bitPattern: word) else { return }
    for line in 0..<lines { rdpdiag_prefetch_for_read(start + 64 * line) }
}
