#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A connection endpoint as numbers, for evidence file names. Taking numbers
/// rather than text guarantees that nothing but digits, hex and separators can
/// reach a file name (the integrator maps `Wire.Endpoint` with its address's
/// `high`/`low` words).
public struct EvidenceEndpoint: Sendable, Equatable {
    public var isIPv6: Bool
    /// IPv4: the address in `low` (host order). IPv6: the 128-bit address as two words.
    public var high: UInt64
    public var low: UInt64
    public var port: UInt16

    public init(ipv4: UInt32, port: UInt16) {
        isIPv6 = false
        high = 0
        low = UInt64(ipv4)
        self.port = port
    }

    public init(ipv6High high: UInt64, low: UInt64, port: UInt16) {
        isIPv6 = true
        self.high = high
        self.low = low
        self.port = port
    }

    /// `10.0.0.1-50000`, or for IPv6 the RFC 5952 text with `:` written as `.`
    /// and no brackets (`2001.db8..2-3389`): colons are not allowed in file
    /// names on Windows shares and confuse scp and tar.
    public var fileNameComponent: String {
        var text = ""
        if isIPv6 {
            text = ipv6Text(high: high, low: low).map { $0 == ":" ? "." : $0 }.reduce(into: "") { $0.append($1) }
        } else {
            let v = UInt32(truncatingIfNeeded: low)
            text = "\(v >> 24).\(v >> 16 & 0xFF).\(v >> 8 & 0xFF).\(v & 0xFF)"
        }
        return text + "-\(port)"
    }
}

/// RFC 5952 text of an IPv6 address: lowercase hex, longest run (two or more)
/// of zero groups as "::", first such run on ties.
func ipv6Text(high: UInt64, low: UInt64) -> String {
    var groups: [UInt16] = []
    for shift in stride(from: 48, through: 0, by: -16) { groups.append(UInt16(truncatingIfNeeded: high >> UInt64(shift))) }
    for shift in stride(from: 48, through: 0, by: -16) { groups.append(UInt16(truncatingIfNeeded: low >> UInt64(shift))) }
    var bestStart = -1, bestLength = 0, runStart = -1
    for i in 0...8 {
        if i < 8 && groups[i] == 0 {
            if runStart < 0 { runStart = i }
        } else if runStart >= 0 {
            if i - runStart > bestLength { bestStart = runStart; bestLength = i - runStart }
            runStart = -1
        }
    }
    if bestLength < 2 { bestStart = -1 }
    var text = ""
    var i = 0
    while i < 8 {
        if i == bestStart {
            text += "::"
            i += bestLength
            continue
        }
        if !text.isEmpty && !text.hasSuffix(":") { text += ":" }
        text += String(groups[i], radix: 16)
        i += 1
    }
    return text
}

/// One evidence file that was written.
public struct EvidenceFile: Sendable, Equatable {
    /// Name inside the evidence directory, and the full path.
    public var name: String
    public var path: String
    public var frames: Int
    public var bytes: Int64
    public var linkType: LinkType
    /// Frames of the connection not in the file (the middle, or over a budget).
    public var omittedFrames: Int
}

/// Writes evidence pcaps of failed connections into one directory, under a cap
/// on the number of files and their total size (oldest removed first).
///
/// Safety:
/// - File names are built from the connection's start time and its endpoints
///   (numbers only): nothing read from packet payloads reaches a name.
/// - Files are created with `openat(dir, name, O_CREAT | O_EXCL | O_NOFOLLOW)`
///   relative to a descriptor of the directory, and names contain no `/`, so a
///   symlink planted in the directory is never followed (the create fails and
///   the next suffix is tried); removal uses `unlinkat`, which removes a link,
///   never its target. Only files whose names have this store's shape are ever
///   removed; anything else in the directory is left alone (and not counted).
/// - Files are created mode 0600 (they hold handshake payload).
///
/// A connection whose frames came from interfaces of different link types
/// (capturing on several interfaces) gets one file per link type: the first
/// link type's file has the plain name, the others append `_<LINKTYPE>`
/// (libpcap writes only single-link-type pcap files, not pcapng).
///
/// Write failures (disk full, permissions) come back as errors for the caller
/// to report; the half-written file is removed and the store keeps working.
public final class EvidenceStore {
    public let directory: String
    public let maxFiles: Int
    public let maxBytes: Int64
    private let directoryDescriptor: Int32
    /// Files of this store in the directory, oldest first.
    private var files: [(name: String, bytes: Int64)] = []
    public private(set) var totalBytes: Int64 = 0
    public private(set) var filesWritten = 0
    public private(set) var filesRemoved = 0
    public private(set) var writeFailures = 0

    /// Opens (creating it if missing, mode 0750) `directory` and accounts for
    /// evidence files already in it from earlier runs, so the caps hold across restarts.
    public init(directory: String, maxFiles: Int = 1000, maxBytes: Int64 = 1 << 30) throws(CaptureError) {
        self.directory = directory
        self.maxFiles = max(maxFiles, 1)
        self.maxBytes = max(maxBytes, 0)
        if mkdir(directory, 0o750) != 0 && errno != EEXIST {
            throw .cannotWrite(file: directory, reason: String(cString: strerror(errno)))
        }
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw .cannotWrite(file: directory, reason: String(cString: strerror(errno)))
        }
        directoryDescriptor = descriptor
        files = EvidenceStore.scan(descriptor)
        totalBytes = files.reduce(0) { $0 + $1.bytes }
    }

    deinit { _ = close(directoryDescriptor) }

    /// Evidence files currently accounted for.
    public var fileCount: Int { files.count }

    /// Names of this store's files, oldest first.
    public var fileNames: [String] { files.map(\.name) }

    /// `20261125T101500.123Z_10.0.0.1-50000_10.0.0.2-3389` (without extension).
    public static func baseName(start: CaptureTime, client: EvidenceEndpoint, server: EvidenceEndpoint) -> String {
        "\(utcStamp(start))_\(client.fileNameComponent)_\(server.fileNameComponent)"
    }

    /// Writes the connection's held frames, one file per link type. Returns the
    /// files written; on failure nothing of the failed file is left behind.
    public func write(_ buffer: EvidenceBuffer, start: CaptureTime, client: EvidenceEndpoint,
                      server: EvidenceEndpoint) -> Result<[EvidenceFile], CaptureError> {
        let frames = buffer.frames
        let base = EvidenceStore.baseName(start: start, client: client, server: server)
        if frames.isEmpty {
            writeFailures += 1
            return .failure(.cannotWrite(file: path(base + ".pcap"), reason: "no frames were kept for this connection"))
        }
        var written: [EvidenceFile] = []
        for (index, linkType) in buffer.linkTypes.enumerated() {
            let group = frames.filter { $0.linkType == linkType }
            let stem = index == 0 ? base : "\(base)_\(linkType.name)"
            switch writeFile(stem: stem, frames: group, linkType: linkType,
                             omitted: buffer.omittedFrames + frames.count - group.count) {
            case .success(let file): written.append(file)
            case .failure(let error):
                writeFailures += 1
                return .failure(error)
            }
        }
        return .success(written)
    }

    private func writeFile(stem: String, frames: [EvidenceFrame], linkType: LinkType,
                           omitted: Int) -> Result<EvidenceFile, CaptureError> {
        // pcap file header 24 bytes, record header 16.
        let size = Int64(24 + frames.reduce(0) { $0 + 16 + $1.bytes.count })
        guard size <= maxBytes else {
            return .failure(.cannotWrite(file: path(stem + ".pcap"),
                                         reason: "\(size) bytes is over the evidence size cap of \(maxBytes)"))
        }
        while !files.isEmpty && (files.count + 1 > maxFiles || totalBytes + size > maxBytes) { removeOldest() }

        var name = stem + ".pcap"
        var descriptor: Int32 = -1
        for attempt in 0..<100 {
            if attempt > 0 { name = "\(stem)_\(attempt + 1).pcap" }
            descriptor = openat(directoryDescriptor, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if descriptor >= 0 || errno != EEXIST { break }
        }
        guard descriptor >= 0 else {
            return .failure(.cannotWrite(file: path(name), reason: String(cString: strerror(errno))))
        }
        let writer: PcapWriter
        do {
            writer = try PcapWriter(descriptor: descriptor, path: path(name), linkType: linkType)
        } catch {
            _ = unlinkat(directoryDescriptor, name, 0)
            return .failure(error)
        }
        for frame in frames {
            frame.bytes.withUnsafeBytes { bytes in
                writer.write(time: frame.time, bytes: bytes, originalLength: frame.originalLength)
            }
        }
        let ok = writer.flush()
        writer.close()
        guard ok else {
            _ = unlinkat(directoryDescriptor, name, 0)
            return .failure(.cannotWrite(file: path(name), reason: "write error (disk full?)"))
        }
        files.append((name, size))
        totalBytes += size
        filesWritten += 1
        return .success(EvidenceFile(name: name, path: path(name), frames: frames.count, bytes: size,
                                     linkType: linkType, omittedFrames: omitted))
    }

    private func removeOldest() {
        let oldest = files.removeFirst()
        totalBytes -= oldest.bytes
        // Already gone (removed by hand) is fine: it no longer takes space.
        if unlinkat(directoryDescriptor, oldest.name, 0) == 0 { filesRemoved += 1 }
    }

    private func path(_ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// Whether `name` has the shape of a file this store writes:
    /// `YYYYMMDDTHHMMSS.mmmZ_..._....pcap` made of `[0-9A-Za-z._-]` only.
    static func isEvidenceName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard bytes.count > 26, name.hasSuffix(".pcap"), bytes[8] == UInt8(ascii: "T"), bytes[19] == UInt8(ascii: "Z"),
              bytes[0..<8].allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return false }
        return bytes.allSatisfy { b in
            (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122)
                || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
        }
    }

    /// Evidence files already in the directory (regular files only), oldest first.
    static func scan(_ descriptor: Int32) -> [(name: String, bytes: Int64)] {
        let copy = dup(descriptor)
        guard copy >= 0, let dir = fdopendir(copy) else {
            if copy >= 0 { _ = close(copy) }
            return []
        }
        defer { closedir(dir) }
        rewinddir(dir)
        var found: [(name: String, bytes: Int64, mtime: Int64)] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            guard isEvidenceName(name) else { continue }
            var info = stat()
            guard fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0,
                  info.st_mode & S_IFMT == S_IFREG else { continue }
            found.append((name, Int64(info.st_size), Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)))
        }
        found.sort { ($0.mtime, $0.name) < ($1.mtime, $1.name) }
        return found.map { ($0.name, $0.bytes) }
    }
}

/// `20261125T101500.123Z`: UTC, millisecond precision, no characters that need quoting.
public func utcStamp(_ time: CaptureTime) -> String {
    let t = time.civil
    return zeroPadded(t.year, 4) + zeroPadded(t.month, 2) + zeroPadded(t.day, 2) + "T" + zeroPadded(t.hour, 2)
        + zeroPadded(t.minute, 2) + zeroPadded(t.second, 2) + "." + zeroPadded(t.nanosecond / 1_000_000, 3) + "Z"
}
