import CPcap

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What one read from a capture file gave.
public enum ReadOutcome {
    /// A frame; its bytes are borrowed until the next read.
    case frame(time: CaptureTime, originalLength: Int, bytes: UnsafeRawBufferPointer)
    /// The file ended cleanly.
    case end
    /// The file ended inside a record: everything before it was delivered.
    case truncated(reason: String, byteOffset: Int64?)
    /// libpcap reported another read error.
    case failed(reason: String)
}

/// An offline capture (pcap or pcapng, or "-" for standard input) read through
/// libpcap with nanosecond timestamps.
public final class PcapFileReader {
    public let path: String
    public let linkType: LinkType
    /// A regular file (not a pipe, FIFO or terminal): reading it never waits for a writer.
    public let isRegularFile: Bool
    static let readBufferSize = 1 << 20
    private let readBuffer: UnsafeMutableRawPointer
    private let handle: OpaquePointer

    /// Opens `path` and, if given, installs a BPF `filter`.
    /// Fails with a message that names the file and the problem.
    public init(path: String, filter: String? = nil) throws(CaptureError) {
        self.path = path
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        // The file is opened here, not by libpcap, to give it a 1 MiB stdio buffer before
        // the first read: with the default 4 KiB one, reading a large capture costs a
        // system call every few packets.
        let file: UnsafeMutablePointer<FILE>? = path == "-" ? fdopen(0, "rb") : fopen(path, "rb")
        guard let file else {
            throw .cannotOpen(file: path, reason: String(cString: strerror(errno)))
        }
        var status = stat()
        let isRegularFile = fstat(fileno(file), &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
        // glibc ignores the size unless the buffer is given; it must outlive the FILE.
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: PcapFileReader.readBufferSize, alignment: 16)
        setvbuf(file, buffer.assumingMemoryBound(to: CChar.self), _IOFBF, PcapFileReader.readBufferSize)
        #if os(Linux)
        // Only one thread (the caller's, or `ReadAhead`'s) uses this FILE: no lock per
        // fread. (glibc takes stdio locks once a process has a second thread, as `analyze`
        // does: two atomic operations for every packet libpcap reads.)
        _ = __fsetlocking(file, Int32(FSETLOCKING_BYCALLER))
        #endif
        guard let handle = pcap_fopen_offline_with_tstamp_precision(file, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errbuf) else {
            // On failure the FILE is still ours to close.
            fclose(file)
            buffer.deallocate()
            // (Through the pointer: the array overload of `String(cString:)` is deprecated.)
            let reason = errbuf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw PcapFileReader.classifyOpenError(path: path, reason: reason)
        }
        // Check everything before the last stored property is set: a class
        // initializer that throws once `self` is fully initialized runs
        // `deinit`, which would close the handle a second time.
        let linkType = LinkType(rawValue: pcap_datalink(handle))
        guard linkType.isSupported else {
            pcap_close(handle)
            buffer.deallocate()
            throw .unsupportedLinkType(file: path, linkType: linkType.rawValue)
        }
        if let filter, !filter.isEmpty {
            do throws(CaptureError) {
                try PcapFileReader.install(filter: filter, on: handle)
            } catch {
                pcap_close(handle)
                buffer.deallocate()
                throw error
            }
        }
        self.readBuffer = buffer
        self.isRegularFile = isRegularFile
        self.linkType = linkType
        self.handle = handle
    }

    deinit {
        pcap_close(handle)  // closes the FILE, which used the buffer
        readBuffer.deallocate()
    }

    /// Reads the next record.
    @inline(__always)
    public func next() -> ReadOutcome {
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        let rc = pcap_next_ex(handle, &header, &data)
        if rc == 1, let header, let data {
            let h = header.pointee
            // With PCAP_TSTAMP_PRECISION_NANO libpcap stores nanoseconds in tv_usec.
            let time = CaptureTime(seconds: Int64(h.ts.tv_sec), nanoseconds: Int64(h.ts.tv_usec))
            return .frame(time: time, originalLength: Int(h.len),
                          bytes: UnsafeRawBufferPointer(start: data, count: Int(h.caplen)))
        }
        if rc == -2 || rc == 0 { return .end }
        let reason = String(cString: pcap_geterr(handle))
        if reason.contains("truncated") {
            return .truncated(reason: reason, byteOffset: currentOffset())
        }
        return .failed(reason: reason)
    }

    /// Byte offset of libpcap's position in the file, where known (not for pipes).
    private func currentOffset() -> Int64? {
        guard let file = pcap_file(handle) else { return nil }
        let offset = ftello(file)
        return offset >= 0 ? Int64(offset) : nil
    }

    static func install(filter: String, on handle: OpaquePointer) throws(CaptureError) {
        var program = bpf_program()
        if pcap_compile(handle, &program, filter, 1, PCAP_NETMASK_UNKNOWN) != 0 {
            throw .badFilter(filter: filter, reason: String(cString: pcap_geterr(handle)))
        }
        defer { pcap_freecode(&program) }
        if pcap_setfilter(handle, &program) != 0 {
            throw .badFilter(filter: filter, reason: String(cString: pcap_geterr(handle)))
        }
    }

    /// libpcap says "unknown file format" or "truncated dump file" for inputs
    /// that are not captures; anything else (no such file, permission) is an open error.
    static func classifyOpenError(path: String, reason: String) -> CaptureError {
        let lower = reason.lowercased()
        if lower.contains("unknown file format") || lower.contains("bad dump file format")
            || lower.contains("truncated") || lower.contains("not a") || lower.contains("unsupported")
            || lower.contains("invalid") || lower.contains("bigger than") {
            return .notACapture(file: path, reason: reason)
        }
        // libpcap prefixes the path to strerror text ("x.pcap: No such file or directory").
        var text = reason
        if text.hasPrefix(path + ": ") { text.removeFirst(path.count + 2) }
        return .cannotOpen(file: path, reason: text)
    }

    /// Builds a one-line description of the libpcap version in use.
    public static var libraryVersion: String { String(cString: pcap_lib_version()) }
}
