import CMimalloc

#if canImport(Glibc)
import Glibc
#endif

/// Backs the heap with 2 MiB pages where the kernel offers transparent huge pages.
///
/// Hundreds of open connections keep their state in thousands of small objects
/// spread over tens of megabytes, and nearly every packet touches a few of them:
/// with 4 KiB pages the packet path waits on address translation (a page walk,
/// nested under a hypervisor) about as often as on the cache. mimalloc uses huge
/// pages for the segments it maps once `mi_option_large_os_pages` is on; the
/// option is read from the environment before `main`, though, by which time the
/// main thread already holds its first segment, where most of the reader's state
/// then lives. That mapping is advised here too.
enum HugePages {
    static func enable() {
        // MIMALLOC_LARGE_OS_PAGES, when set, decides (mimalloc read it at start-up).
        guard getenv("MIMALLOC_LARGE_OS_PAGES") == nil else { return }
        mi_option_set_enabled(mi_option_large_os_pages, true)
        #if os(Linux)
        guard let probe = malloc(64) else { return }
        defer { free(probe) }
        if let (start, end) = mapping(containing: UInt(bitPattern: probe)) {
            _ = madvise(UnsafeMutableRawPointer(bitPattern: start), Int(end - start), MADV_HUGEPAGE)
        }
        #endif
    }

    /// The bounds of the mapping that holds `address`, from /proc/self/maps.
    static func mapping(containing address: UInt) -> (UInt, UInt)? {
        guard let file = fopen("/proc/self/maps", "r") else { return nil }
        defer { fclose(file) }
        // Room for a whole line (a path is at most PATH_MAX), so none is read in two pieces.
        var line = [CChar](repeating: 0, count: 4352)
        while fgets(&line, Int32(line.count), file) != nil {
            // "start-end perms offset dev inode [path]"
            let text = line.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            guard let range = text.split(separator: " ", maxSplits: 1).first else { continue }
            let bounds = range.split(separator: "-")
            guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16) else { continue }
            if start <= address && address < end { return (start, end) }
        }
        return nil
    }
}
