/// What is known about one input after (or while) reading it.
public struct InputSummary: Sendable {
    public var path: String
    public var linkType: LinkType
    /// Frame numbers (run-wide) of this input's first and last frame; nil when it held none.
    public var firstFrame: Int?
    public var lastFrame: Int?
    public var frames: Int = 0
    public var bytes: Int = 0
    public var firstTime: CaptureTime?
    public var lastTime: CaptureTime?
    /// Set when the input ended inside a record or on a read error: what libpcap
    /// said, and where reading stopped. Every complete frame before it was read.
    public var stoppedEarly: String?
    public var stoppedAtByte: Int64?

    public init(path: String, linkType: LinkType) {
        self.path = path
        self.linkType = linkType
    }
}

/// Counts of the frames read from one input, kept apart from `InputSummary` (which holds
/// strings) so that counting a frame is a few stores the caller can inline.
@usableFromInline
struct FrameCounts {
    @usableFromInline var frames = 0
    @usableFromInline var bytes = 0
    @usableFromInline var firstFrame = 0
    @usableFromInline var firstTime = CaptureTime(nanoseconds: 0)
    @usableFromInline var lastTime = CaptureTime(nanoseconds: 0)

    @usableFromInline init() {}

    @inlinable @inline(__always)
    mutating func add(frame: Int, time: CaptureTime, bytes: Int) {
        if frames == 0 {
            firstFrame = frame
            firstTime = time
        }
        frames += 1
        self.bytes += bytes
        lastTime = time
    }

    /// Puts these counts in the summary of their input, which has none yet (an input's
    /// frames are numbered consecutively).
    func apply(to summary: inout InputSummary) {
        guard frames > 0 else { return }
        summary.firstFrame = firstFrame
        summary.firstTime = firstTime
        summary.lastFrame = firstFrame + frames - 1
        summary.lastTime = lastTime
        summary.frames = frames
        summary.bytes = bytes
    }
}

/// Frames held in memory, for tests that need neither libpcap nor files.
public final class MemoryInput {
    public let name: String
    public let linkType: LinkType
    private let storage: UnsafeMutableRawBufferPointer
    private var records: [(time: CaptureTime, offset: Int, count: Int, originalLength: Int)] = []
    private var cursor = 0

    public init(name: String = "<memory>", linkType: LinkType, frames: [(time: CaptureTime, bytes: [UInt8])]) {
        self.name = name
        self.linkType = linkType
        let total = frames.reduce(0) { $0 + $1.bytes.count }
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(total, 1), alignment: 8)
        var offset = 0
        for frame in frames {
            frame.bytes.withUnsafeBytes { src in
                if src.count > 0 { UnsafeMutableRawBufferPointer(rebasing: storage[offset..<offset + src.count]).copyMemory(from: src) }
            }
            records.append((frame.time, offset, frame.bytes.count, frame.bytes.count))
            offset += frame.bytes.count
        }
    }

    deinit { storage.deallocate() }

    func next() -> ReadOutcome {
        guard cursor < records.count else { return .end }
        let r = records[cursor]
        cursor += 1
        return .frame(time: r.time, originalLength: r.originalLength,
                      bytes: UnsafeRawBufferPointer(rebasing: storage[r.offset..<r.offset + r.count]))
    }
}

/// Reads several inputs in the order given, numbering frames across them.
///
/// Every input is opened up front, so a bad path or a non-capture fails the run
/// before any output is written.
public final class CaptureReader {
    enum Input {
        case pcap(PcapFileReader)
        case memory(MemoryInput)
    }

    private var inputs: [Input]
    private var current = 0 {
        didSet {
            fold(into: oldValue)
            currentFile = Self.file(of: inputs, at: current)
            currentLinkType = Self.linkType(of: stored, at: current)
        }
    }
    /// The current input's file reader, unretained (`inputs` holds it): taking it out of
    /// the array on every frame cost a retain and a release.
    private var currentFile: Unmanaged<PcapFileReader>?
    @usableFromInline var frameNumber = 0
    @usableFromInline var currentLinkType: LinkType
    /// What is known of each input, but the current one's frame counts: those are in `counts` until it ends.
    private var stored: [InputSummary]
    public var summaries: [InputSummary] {
        var all = stored
        if current < all.count { counts.apply(to: &all[current]) }
        return all
    }
    /// The current input's frames so far.
    @usableFromInline var counts = FrameCounts()
    /// Files are to be read on a second thread (`ReadAhead`), started at the first frame asked for.
    private var readsAhead: Bool
    private var readAhead: ReadAhead? {
        didSet { borrowedReadAhead = readAhead.map { Unmanaged.passUnretained($0) } }
    }
    /// The same, unretained, for the per-frame path (as `currentFile`).
    @usableFromInline var borrowedReadAhead: Unmanaged<ReadAhead>?
    /// Size of the read-ahead's chunks (tests make it small).
    var readAheadChunkBytes = ReadAhead.chunkBytes
    /// The bytes recently read, kept by the read-ahead thread (see `keepHistory`).
    public private(set) var history: CaptureHistory?
    /// Whether a read-ahead thread is reading the files.
    var isReadingAhead: Bool { readAhead != nil }

    /// Opens every file in `paths`. With `readAhead` (the default) and only regular files,
    /// libpcap reads them on a thread of its own while the caller works on the frames
    /// already read; the frames and summaries are the same either way. Standard input and
    /// other pipes are read inline, so their frames are never held back.
    public init(paths: [String], filter: String? = nil, readAhead: Bool = true) throws(CaptureError) {
        var opened: [Input] = []
        var summaries: [InputSummary] = []
        for path in paths {
            let reader = try PcapFileReader(path: path, filter: filter)
            opened.append(.pcap(reader))
            summaries.append(InputSummary(path: path, linkType: reader.linkType))
        }
        self.inputs = opened
        self.stored = summaries
        currentLinkType = Self.linkType(of: summaries, at: 0)
        readsAhead = readAhead && !opened.isEmpty && opened.allSatisfy {
            if case let .pcap(reader) = $0 { return reader.isRegularFile }
            return false
        }
        currentFile = Self.file(of: opened, at: 0)
    }

    /// Asks the read-ahead thread to keep the bytes it reads in a history of `capacity`
    /// bytes, for the reassembler to compare retransmissions with. Only before the first
    /// frame is read, and only when the files are read ahead; nil otherwise.
    public func keepHistory(capacity: Int = CaptureHistory.defaultCapacity) -> CaptureHistory? {
        guard readsAhead, readAhead == nil, frameNumber == 0 else { return nil }
        if history == nil { history = CaptureHistory(capacity: capacity) }
        return history
    }

    deinit { readAhead?.stop() }

    private static func file(of inputs: [Input], at index: Int) -> Unmanaged<PcapFileReader>? {
        guard index < inputs.count, case let .pcap(reader) = inputs[index] else { return nil }
        return Unmanaged.passUnretained(reader)
    }

    /// The link type of input `index` (any, past the last input: no frame comes from there).
    private static func linkType(of summaries: [InputSummary], at index: Int) -> LinkType {
        index < summaries.count ? summaries[index].linkType : LinkType(rawValue: 0)
    }

    public init(memory: [MemoryInput]) {
        inputs = memory.map { .memory($0) }
        stored = memory.map { InputSummary(path: $0.name, linkType: $0.linkType) }
        currentLinkType = Self.linkType(of: stored, at: 0)
        readsAhead = false
    }

    /// Hands every file to a read-ahead thread; false (read inline) when none could be started.
    private func startReadingAhead() -> Bool {
        readsAhead = false
        let files = inputs.compactMap { input -> PcapFileReader? in
            if case let .pcap(reader) = input { return reader }
            return nil
        }
        readAhead = ReadAhead(files: files, chunkBytes: readAheadChunkBytes, history: history)
        return readAhead != nil
    }

    /// Index of the input the last frame came from.
    public var currentInput: Int { current }

    /// The next frame of the run, or nil when every input is exhausted.
    ///
    /// Inlinable for the common case, a frame already read ahead: built in the caller,
    /// the frame stays in registers. (Returned from a call, it went through memory,
    /// stored field by field and loaded back in 16-byte pieces, which the processor
    /// cannot forward from the stores: the reassembling thread stalled on that load
    /// for every frame.)
    @inlinable @inline(__always)
    public func next() -> Frame? {
        if let readAhead = borrowedReadAhead,
           let record = readAhead._withUnsafeGuaranteedRef({ $0.nextFrame() }) {
            frameNumber += 1
            counts.add(frame: frameNumber, time: record.time, bytes: record.bytes.count)
            return Frame(number: frameNumber, time: record.time, linkType: currentLinkType,
                         originalLength: record.originalLength, bytes: record.bytes)
        }
        return nextOtherwise()
    }

    /// `next()` for everything but a frame already read ahead: other inputs, ends of inputs, new chunks.
    @usableFromInline
    func nextOtherwise() -> Frame? {
        while current < inputs.count {
            let outcome: ReadOutcome
            let linkType: LinkType
            if let readAhead = borrowedReadAhead {
                outcome = readAhead._withUnsafeGuaranteedRef { $0.next() }
                linkType = currentLinkType
            } else if let file = currentFile {
                if readsAhead && startReadingAhead() { continue }
                (outcome, linkType) = file._withUnsafeGuaranteedRef { ($0.next(), $0.linkType) }
            } else if case let .memory(memory) = inputs[current] {
                outcome = memory.next()
                linkType = memory.linkType
            } else {
                current += 1
                continue
            }
            switch outcome {
            case let .frame(time, originalLength, bytes):
                frameNumber += 1
                counts.add(frame: frameNumber, time: time, bytes: bytes.count)
                return Frame(number: frameNumber, time: time, linkType: linkType,
                             originalLength: originalLength, bytes: bytes)
            case .end:
                current += 1
            case let .truncated(reason, offset):
                stored[current].stoppedEarly = reason
                stored[current].stoppedAtByte = offset
                current += 1
            case let .failed(reason):
                stored[current].stoppedEarly = reason
                current += 1
            }
        }
        return nil
    }

    /// Moves the counts of the input that just ended into its summary.
    private func fold(into input: Int) {
        if input < stored.count { counts.apply(to: &stored[input]) }
        counts = FrameCounts()
    }

    public var framesRead: Int { frameNumber }
}
