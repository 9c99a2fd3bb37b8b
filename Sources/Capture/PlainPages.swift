#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Memory for the large buffers that are written and read in order (the
/// read-ahead's chunks, the capture history, the reassembler's log of delivered
/// bytes), mapped on their own in ordinary pages instead of taken from the heap.
///
/// The heap sits on 2 MiB pages where the kernel offers them, for the
/// connections' objects, which are reached at random. Buffers walked in order
/// gain little from large pages, and on a virtual machine that hands freed
/// memory back to its host, a fresh 2 MiB page costs far more to fault in than
/// small ones do: touching 100 MiB after 3 s idle took 0.21 s on 2 MiB pages
/// and 0.04 s on 4 KiB pages (see Benchmarks/README.md).
public enum PlainPages {
    /// The system's page size (4 KiB on x86-64; 16 or 64 KiB on some arm64 kernels).
    public static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    public static func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        let size = max(byteCount, 1)
        guard let mapped = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              mapped != MAP_FAILED else {
            fatalError("rdpdiag: out of memory (mapping \(size) bytes failed)")
        }
        #if os(Linux)
        _ = madvise(mapped, size, MADV_NOHUGEPAGE)
        #endif
        return mapped
    }

    public static func deallocate(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        munmap(pointer, max(byteCount, 1))
    }
}
