import CPcap

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a pcap file through libpcap's dump API (nanosecond timestamps by
/// default). Used by tests, the benchmark generator and evidence files.
public final class PcapWriter {
    public let path: String
    public let linkType: LinkType
    private let dead: OpaquePointer
    private var dumper: OpaquePointer?

    public init(path: String, linkType: LinkType, snapLength: Int = 262_144, nanosecond: Bool = true) throws(CaptureError) {
        self.path = path
        self.linkType = linkType
        let precision = nanosecond ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO
        // libpcap's dump API takes a DLT_ value: LINKTYPE_RAW (101, the value in
        // files) and OpenBSD's DLT_RAW (14) are written as this platform's DLT_RAW.
        let dlt = linkType == .rawFile || linkType == .rawOpenBSD ? Int32(DLT_RAW) : linkType.rawValue
        guard let dead = pcap_open_dead_with_tstamp_precision(dlt, Int32(snapLength), UInt32(precision)) else {
            throw .cannotWrite(file: path, reason: "libpcap could not create a handle for link type \(linkType.rawValue)")
        }
        self.dead = dead
        guard let dumper = pcap_dump_open(dead, path) else {
            let reason = String(cString: pcap_geterr(dead))
            pcap_close(dead)
            throw .cannotWrite(file: path, reason: reason)
        }
        self.dumper = dumper
        self.nanosecond = nanosecond
    }

    /// Writes to an already open file descriptor, which the writer then owns
    /// (closed by `close()`). Evidence files use it to create the file with
    /// `openat(O_EXCL | O_NOFOLLOW)` inside their directory; `path` only names it in errors.
    public init(descriptor: Int32, path: String, linkType: LinkType, snapLength: Int = 262_144,
                nanosecond: Bool = true) throws(CaptureError) {
        self.path = path
        self.linkType = linkType
        self.nanosecond = nanosecond
        let precision = nanosecond ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO
        guard let dead = pcap_open_dead_with_tstamp_precision(linkType.rawValue, Int32(snapLength), UInt32(precision)) else {
            closeDescriptor(descriptor)
            throw .cannotWrite(file: path, reason: "libpcap could not create a handle for link type \(linkType.rawValue)")
        }
        guard let file = fdopen(descriptor, "wb") else {
            let reason = String(cString: strerror(errno))
            closeDescriptor(descriptor)
            pcap_close(dead)
            throw .cannotWrite(file: path, reason: reason)
        }
        guard let dumper = pcap_dump_fopen(dead, file) else {
            let reason = String(cString: pcap_geterr(dead))
            fclose(file)
            pcap_close(dead)
            throw .cannotWrite(file: path, reason: reason)
        }
        self.dead = dead
        self.dumper = dumper
    }

    private let nanosecond: Bool

    deinit { close() }

    /// Appends one record. `originalLength` defaults to the number of bytes given.
    public func write(time: CaptureTime, bytes: UnsafeRawBufferPointer, originalLength: Int? = nil) {
        guard let dumper, let base = bytes.baseAddress else { return }
        var header = pcap_pkthdr()
        header.ts.tv_sec = Int(time.seconds)
        let fraction = time.subsecondNanoseconds
        header.ts.tv_usec = Int(nanosecond ? fraction : fraction / 1000)
        header.caplen = UInt32(bytes.count)
        header.len = UInt32(originalLength ?? bytes.count)
        pcap_dump(UnsafeMutableRawPointer(dumper).assumingMemoryBound(to: UInt8.self), &header,
                  base.assumingMemoryBound(to: UInt8.self))
    }

    public func write(time: CaptureTime, bytes: [UInt8], originalLength: Int? = nil) {
        bytes.withUnsafeBytes { write(time: time, bytes: $0, originalLength: originalLength) }
    }

    /// Flushes buffered records; false when the file reported a write error
    /// (disk full, I/O error) now or on an earlier write.
    @discardableResult
    public func flush() -> Bool {
        guard let dumper else { return false }
        if pcap_dump_flush(dumper) != 0 { return false }
        if let file = pcap_dump_file(dumper), ferror(file) != 0 { return false }
        return true
    }

    /// Flushes and closes the file; further writes are ignored.
    public func close() {
        guard let dumper else { return }
        pcap_dump_close(dumper)
        pcap_close(dead)
        self.dumper = nil
    }
}

/// `close(2)` under a name the writer's own `close()` does not shadow.
private func closeDescriptor(_ descriptor: Int32) { _ = close(descriptor) }
