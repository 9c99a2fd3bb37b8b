import CPcap

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

    public func flush() {
        if let dumper { pcap_dump_flush(dumper) }
    }

    /// Flushes and closes the file; further writes are ignored.
    public func close() {
        guard let dumper else { return }
        pcap_dump_close(dumper)
        pcap_close(dead)
        self.dumper = nil
    }
}
