import CPrefetch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads capture files through libpcap on a thread of its own, ahead of the
/// analysis, and hands the records over in chunks.
///
/// libpcap's part of a read (the system call, stdio's copy and its own) is
/// about a third of what analysing a capture of many short connections costs
/// on one core; done here, it runs beside the reassembler instead of before it.
/// The consumer sees exactly what calling each file's `next()` in turn would
/// give: every frame in order, then how that input ended, then the next input.
///
/// Records are copied into a small pool of chunks: each is filled in the
/// capture history's ring when there is room (`CaptureHistory`), in memory of
/// its own otherwise. The producer fills one, publishes it and waits only when
/// every chunk is full; a consumer with nothing to read waits for the next one.
/// Chunks are published full, so this is for regular files only: a pipe fed
/// slowly (a live `tcpdump -w -`) would see its frames held back until a chunk
/// fills, and is read inline instead.
/// Chunks are large because each hand-over can cost a switch between threads.
@usableFromInline
final class ReadAhead: @unchecked Sendable {
    /// The pool: a few chunks, so the records the consumer reads are recent enough to still be in cache.
    static let chunkCount = 4
    static let chunkBytes = 2 << 20
    /// A record in a chunk: kind (0 frame, 1 end of input), captured length, time (ns),
    /// original length, and where in the chunk the frame `lookAhead` frames later
    /// starts (0 when it is not in this chunk); then the bytes.
    @usableFromInline static let recordHeaderBytes = 24
    /// How many frames ahead the consumer asks for the headers it will read.
    ///
    /// The read-ahead thread wrote the chunk, so the consumer's first touch of each
    /// record waits for lines from another core's cache or from memory. How long
    /// depends on the machine's state more than on rdpdiag: profiled on a shared
    /// virtual machine, the wait for the record and packet headers was one part in
    /// thirteen of the reassembling thread's time in its fast runs and one in six in
    /// its slow ones, where the single-threaded libpcap floor hardly changed. Asked
    /// for this many frames (a few microseconds of analysis) before they are read,
    /// the lines are there when they are needed. A power of two.
    @usableFromInline static let lookAhead = 8
    /// A producer that found every chunk full waits until this many are free again, so it
    /// is woken once per few megabytes rather than once per chunk (each wake-up is a switch).
    static let refillAt = 2

    @usableFromInline
    struct Chunk {
        /// Where it is being filled: in the history's ring, or `own`.
        @usableFromInline var storage: UnsafeMutableRawPointer
        var capacity: Int
        @usableFromInline var used = 0
        /// Where its bytes start in `history`, and whether they are kept there.
        var historyStart: UInt64 = 0
        var inHistory = false
        /// Its own memory, for when the history has no room (mapped, and touched only then).
        var own: UnsafeMutableRawPointer
        var ownCapacity: Int

        init(own: UnsafeMutableRawPointer, capacity: Int) {
            storage = own
            self.capacity = capacity
            self.own = own
            ownCapacity = capacity
        }

        /// Fills its own memory from now on (it holds nothing yet).
        mutating func useOwn() {
            storage = own
            capacity = ownCapacity
            inHistory = false
        }
    }

    private let files: [PcapFileReader]
    /// Where chunks are filled when there is room; every chunk gets its positions.
    private let history: CaptureHistory?
    /// `produced`: a chunk is ready to read; `consumed`: chunks are free to fill.
    private let lock = HandoffLock()
    private var thread: pthread_t?
    // Guarded by `lock`.
    private var ready: [Chunk] = []
    private var free: [Chunk] = []
    private var producerDone = false
    private var producerWaiting = false
    private var cancelled = false
    /// How each input ended, written before the chunk with its end marker is published.
    private var endings: [ReadOutcome]

    // Only the consumer touches these.
    @usableFromInline private(set) var reading: Chunk?
    @usableFromInline var readOffset = 0
    private var inputEnded = 0

    /// Starts reading `files` in order on a new thread; nil when the system refused a thread.
    /// (Tests give small chunks, to cross chunk boundaries and grow chunks often.)
    init?(files: [PcapFileReader], chunkBytes: Int = ReadAhead.chunkBytes, history: CaptureHistory? = nil) {
        self.files = files
        self.history = history
        endings = Array(repeating: .end, count: files.count)
        for _ in 0..<Self.chunkCount {
            free.append(Chunk(own: PlainPages.allocate(byteCount: chunkBytes), capacity: chunkBytes))
        }
        // The thread holds its own reference until it returns.
        guard let handle = startThread({ [self] in produce() }) else { return nil }
        thread = handle
    }

    deinit {
        for chunk in free + ready { PlainPages.deallocate(chunk.own, byteCount: chunk.ownCapacity) }
        if let reading { PlainPages.deallocate(reading.own, byteCount: reading.ownCapacity) }
    }

    /// Stops the producer, wherever it is (the consumer may be done early), and waits
    /// for its thread to end: it stops at its next record, and a record of a regular
    /// file never keeps it waiting long. No thread outlives the reader, so none is left
    /// reading a FILE that `exit` flushes.
    func stop() {
        lock.withLock {
            cancelled = true
            lock.signal(.consumed)
        }
        if let thread { pthread_join(thread, nil) }
        thread = nil
    }

    // MARK: consumer

    /// The next record of the current input, as `PcapFileReader.next()` would give it;
    /// after an input's end, the next call reads the following input. Bytes stay valid
    /// until the next call.
    @inline(__always)
    func next() -> ReadOutcome {
        if let frame = nextFrame() {
            return .frame(time: frame.time, originalLength: frame.originalLength, bytes: frame.bytes)
        }
        if let chunk = reading, readOffset < chunk.used {
            // An input's end marker.
            readOffset += Self.recordHeaderBytes
            inputEnded += 1
            return lock.withLock { endings[inputEnded - 1] }
        }
        return nextChunk()
    }

    /// The next record when it is a frame in the chunk being read; nil otherwise (the end
    /// of an input, or the end of the chunk), leaving that to `next()`.
    @inlinable @inline(__always)
    func nextFrame() -> (time: CaptureTime, originalLength: Int, bytes: UnsafeRawBufferPointer)? {
        guard let chunk = reading, readOffset < chunk.used else { return nil }
        let record = chunk.storage + readOffset
        guard record.load(as: UInt32.self) == 0 else { return nil }
        let length = Int(record.load(fromByteOffset: 4, as: UInt32.self))
        readOffset += Self.recordHeaderBytes + Self.padded(length)
        let ahead = Int(record.load(fromByteOffset: 20, as: UInt32.self))
        if ahead != 0 {
            // Its record header and the link, IP and TCP headers after it: 128 bytes over at most three lines.
            rdpdiag_prefetch_for_read(chunk.storage + ahead)
            rdpdiag_prefetch_for_read(chunk.storage + ahead + 64)
            rdpdiag_prefetch_for_read(chunk.storage + ahead + 128)
        }
        return (CaptureTime(nanoseconds: record.load(fromByteOffset: 8, as: Int64.self)),
                Int(record.load(fromByteOffset: 16, as: UInt32.self)),
                UnsafeRawBufferPointer(start: record + Self.recordHeaderBytes, count: length))
    }

    /// Gives the finished chunk back and waits for the next one.
    private func nextChunk() -> ReadOutcome {
        lock.lock()
        if let chunk = reading {
            free.append(chunk)
            // The producer, once it has filled every chunk, waits for half of them: fewer wake-ups.
            if producerWaiting && free.count >= Self.refillAt { lock.signal(.consumed) }
            reading = nil
        }
        while ready.isEmpty && !producerDone { lock.wait(for: .produced) }
        if ready.isEmpty {
            lock.unlock()
            // Every input has given its end marker: more calls only repeat the last ending.
            return .end
        }
        let chunk = ready.removeFirst()
        reading = chunk
        readOffset = 0
        lock.unlock()
        history?.enter(base: chunk.storage, count: chunk.used, start: chunk.historyStart, kept: chunk.inHistory)
        return next()
    }

    // MARK: producer

    private func produce() {
        var chunk: Chunk? = takeFreeChunk()
        // Where the last `lookAhead` frames of the chunk being filled start, and how many it holds.
        // (Locals: this thread writes them per frame, and in the object they would share lines the consumer reads.)
        var recentStarts = [Int](repeating: 0, count: Self.lookAhead)
        var framesInChunk = 0
        outer: for (index, file) in files.enumerated() {
            while true {
                guard var current = chunk else { break outer }
                let outcome = file.next()
                let length: Int
                if case let .frame(_, _, bytes) = outcome { length = bytes.count } else { length = 0 }
                let needed = Self.recordHeaderBytes + Self.padded(length)
                if current.capacity - current.used < needed {
                    if current.used > 0 {
                        publish(current)
                        framesInChunk = 0
                        guard let fresh = takeFreeChunk() else {
                            chunk = nil
                            break outer
                        }
                        current = fresh
                    }
                    if current.capacity < needed {
                        // A record larger than the chunk (libpcap allows up to 256 KiB and more for
                        // some link types, and a chunk near the ring's end may be small): the chunk
                        // asks the history for room enough, or else is filled in its own memory,
                        // grown to hold it if need be (and keeping that size).
                        place(&current, wanting: max(needed, current.ownCapacity), atLeast: needed)
                        if current.capacity < needed {
                            PlainPages.deallocate(current.own, byteCount: current.ownCapacity)
                            current.own = PlainPages.allocate(byteCount: needed)
                            current.ownCapacity = needed
                            current.useOwn()
                        }
                    }
                }
                let start = current.used
                let record = current.storage + start
                switch outcome {
                case let .frame(time, originalLength, bytes):
                    record.storeBytes(of: 0, as: UInt32.self)
                    record.storeBytes(of: UInt32(length), toByteOffset: 4, as: UInt32.self)
                    record.storeBytes(of: time.nanoseconds, toByteOffset: 8, as: Int64.self)
                    // Both lengths are 32-bit fields in pcap and pcapng.
                    record.storeBytes(of: UInt32(truncatingIfNeeded: originalLength), toByteOffset: 16, as: UInt32.self)
                    record.storeBytes(of: 0 as UInt32, toByteOffset: 20, as: UInt32.self)
                    if length > 0, let source = bytes.baseAddress {
                        (record + Self.recordHeaderBytes).copyMemory(from: source, byteCount: length)
                    }
                    current.used += needed
                    // This frame is the one `lookAhead` frames after the oldest recent one: tell that one where it starts.
                    let slot = framesInChunk & (Self.lookAhead - 1)
                    if framesInChunk >= Self.lookAhead {
                        (current.storage + recentStarts[slot]).storeBytes(of: UInt32(start), toByteOffset: 20, as: UInt32.self)
                    }
                    recentStarts[slot] = start
                    framesInChunk += 1
                    chunk = current
                default:
                    record.storeBytes(of: 1, as: UInt32.self)
                    record.storeBytes(of: 0, toByteOffset: 4, as: UInt32.self)
                    current.used += needed
                    lock.withLock { endings[index] = outcome }
                    chunk = current
                    continue outer
                }
            }
        }
        if let last = chunk, last.used > 0 { finish(last) }
        lock.withLock {
            if let chunk {
                if chunk.used > 0 { ready.append(chunk) } else { free.append(chunk) }
            }
            producerDone = true
            lock.signal(.produced)
        }
    }

    private func publish(_ chunk: Chunk) {
        finish(chunk)
        lock.withLock {
            ready.append(chunk)
            lock.signal(.produced)
        }
    }

    /// Gives the history the length of a filled chunk, outside the lock.
    private func finish(_ chunk: Chunk) {
        history?.finishChunk(start: chunk.historyStart, count: chunk.used)
    }

    /// A free chunk, emptied and placed (in the history when it has room); nil once the
    /// consumer has cancelled.
    private func takeFreeChunk() -> Chunk? {
        lock.lock()
        if free.isEmpty {
            producerWaiting = true
            while free.count < Self.refillAt && !cancelled { lock.wait(for: .consumed) }
            producerWaiting = false
        }
        guard !cancelled else {
            lock.unlock()
            return nil
        }
        var chunk = free.removeLast()
        lock.unlock()
        chunk.used = 0
        place(&chunk, wanting: chunk.ownCapacity)
        return chunk
    }

    /// Where an empty chunk is filled: in the history's ring when it has room for
    /// `least` to `wanted` bytes (its default least otherwise), else in the chunk's own memory.
    private func place(_ chunk: inout Chunk, wanting wanted: Int, atLeast least: Int? = nil) {
        chunk.useOwn()
        guard let history else { return }
        let room = history.reserveChunk(upTo: wanted, atLeast: least)
        chunk.historyStart = room.start
        if let storage = room.storage {
            chunk.storage = storage
            chunk.capacity = room.capacity
            chunk.inHistory = true
        }
    }

    @inlinable @inline(__always)
    static func padded(_ length: Int) -> Int { (length + 7) & ~7 }
}
