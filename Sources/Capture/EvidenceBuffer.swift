/// One frame kept as evidence: an owned copy of (a prefix of) its bytes.
public struct EvidenceFrame: Sendable, Equatable {
    /// Frame number in the run (live: counted since the capture started), for logs.
    public var number: Int
    public var time: CaptureTime
    public var linkType: LinkType
    /// Length on the wire; larger than `bytes.count` when the frame was cut to fit the budget.
    public var originalLength: Int
    public var bytes: [UInt8]

    public init(number: Int, time: CaptureTime, linkType: LinkType, originalLength: Int, bytes: [UInt8]) {
        self.number = number
        self.time = time
        self.linkType = linkType
        self.originalLength = originalLength
        self.bytes = bytes
    }
}

/// How much of one connection is kept for its evidence file.
///
/// A failure shows in the handshake (the first packets) or right before the
/// end (the last ones): the middle of a long session is not needed, so the
/// buffer is a fixed head plus a ring, and memory per connection is bounded.
public struct EvidenceLimits: Sendable, Equatable {
    /// The first frames of the connection, kept for good.
    public var headFrames: Int
    /// The most recent frames after the head.
    public var tailFrames: Int
    /// Bytes of frame data kept per connection. The head may use half of it;
    /// the tail gets the rest. A frame larger than what is left is cut (its
    /// original length is kept, so Wireshark marks it as cut).
    public var maxBytes: Int

    public init(headFrames: Int = 32, tailFrames: Int = 32, maxBytes: Int = 256 * 1024) {
        self.headFrames = max(headFrames, 0)
        self.tailFrames = max(tailFrames, 0)
        self.maxBytes = max(maxBytes, 0)
    }
}

/// The bounded packet buffer of one connection: its first frames and a ring
/// of its last ones.
public final class EvidenceBuffer {
    public let limits: EvidenceLimits
    /// The first frames, in arrival order.
    public private(set) var head: [EvidenceFrame] = []
    private var ring: [EvidenceFrame] = []
    private var ringStart = 0
    private var ringCount = 0
    private var headBytes = 0
    private var ringBytes = 0
    private var headClosed = false
    /// Frames offered to the buffer (kept or not).
    public private(set) var framesSeen = 0
    /// Frames cut to fit the byte budget.
    public private(set) var truncatedFrames = 0
    /// Frames not offered because a global budget was exhausted (see `EvidencePool`).
    public private(set) var skippedFrames = 0

    public init(limits: EvidenceLimits = EvidenceLimits()) {
        self.limits = limits
    }

    /// Bytes of frame data held now.
    public var byteCount: Int { headBytes + ringBytes }

    /// Frames seen but not held (the middle of the connection, plus skipped ones).
    public var omittedFrames: Int { framesSeen - head.count - ringCount }

    /// Every held frame in arrival order: head, then tail.
    public var frames: [EvidenceFrame] {
        var result = head
        result.reserveCapacity(head.count + ringCount)
        for i in 0..<ringCount { result.append(ring[(ringStart + i) % ring.count]) }
        return result
    }

    /// Copies (a prefix of) `frame` into the buffer.
    public func append(_ frame: Frame) {
        append(number: frame.number, time: frame.time, linkType: frame.linkType,
               originalLength: frame.originalLength, bytes: frame.bytes)
    }

    public func append(number: Int, time: CaptureTime, linkType: LinkType, originalLength: Int,
                       bytes: UnsafeRawBufferPointer) {
        framesSeen += 1
        let original = max(originalLength, bytes.count)
        let headBudget = limits.maxBytes / 2
        if !headClosed && head.count < limits.headFrames && headBytes < headBudget {
            let keep = min(bytes.count, headBudget - headBytes)
            if keep < bytes.count { truncatedFrames += 1 }
            head.append(EvidenceFrame(number: number, time: time, linkType: linkType, originalLength: original,
                                      bytes: Array(bytes.prefix(keep))))
            headBytes += keep
            return
        }
        headClosed = true
        guard limits.tailFrames > 0 else { return }
        let tailBudget = limits.maxBytes - headBytes
        let keep = min(bytes.count, tailBudget)
        if keep < bytes.count { truncatedFrames += 1 }
        // Make room: by count, then by bytes, oldest first.
        while ringCount > 0 && (ringCount >= limits.tailFrames || ringBytes + keep > tailBudget) {
            ringBytes -= ring[ringStart].bytes.count
            ring[ringStart].bytes = []
            ringStart = (ringStart + 1) % ring.count
            ringCount -= 1
        }
        if ringCount == 0 { ringStart = 0 }
        let source = UnsafeRawBufferPointer(rebasing: bytes.prefix(keep))
        if ringCount == ring.count {
            // Every slot is in use and the ring may still grow: make it linear, then append.
            if ringStart != 0 {
                ring = Array(ring[ringStart...] + ring[..<ringStart])
                ringStart = 0
            }
            ring.append(EvidenceFrame(number: number, time: time, linkType: linkType, originalLength: original,
                                      bytes: Array(source)))
        } else {
            let slot = (ringStart + ringCount) % ring.count
            var entry = ring[slot]
            // Reuse the slot's storage unless it is much larger than needed.
            if entry.bytes.capacity > 2 * keep + 256 { entry.bytes = [] }
            entry.bytes.removeAll(keepingCapacity: true)
            entry.bytes.append(contentsOf: source)
            entry.number = number
            entry.time = time
            entry.linkType = linkType
            entry.originalLength = original
            ring[slot] = entry
        }
        ringCount += 1
        ringBytes += keep
    }

    /// Counts a frame that was not stored because a shared budget ran out.
    public func noteSkipped() {
        framesSeen += 1
        skippedFrames += 1
    }

    /// Link types of the held frames, in order of first appearance.
    public var linkTypes: [LinkType] {
        var seen: [LinkType] = []
        for frame in head where !seen.contains(frame.linkType) { seen.append(frame.linkType) }
        for i in 0..<ringCount {
            let linkType = ring[(ringStart + i) % ring.count].linkType
            if !seen.contains(linkType) { seen.append(linkType) }
        }
        return seen
    }
}

/// Evidence buffers of the open connections, keyed by the flow tracker's
/// connection id, under one memory budget for the whole table.
///
/// Per-connection limits alone do not bound memory (200 000 flows × 256 KiB
/// is 50 GB), so frames that would take the pool over `maxTotalBytes` are not
/// stored; the buffer counts them (`skippedFrames`) and its file says it is
/// incomplete. Buffers leave the pool with `take` (failed connection: write
/// it) or `discard` (any other finished connection); the caller must do one or
/// the other for every finished connection.
public final class EvidencePool {
    public let limits: EvidenceLimits
    public let maxTotalBytes: Int
    private var buffers: [Int: EvidenceBuffer] = [:]
    /// Bytes held by all buffers.
    public private(set) var totalBytes = 0
    /// Frames not stored because the pool was full.
    public private(set) var framesSkipped = 0

    public init(limits: EvidenceLimits = EvidenceLimits(), maxTotalBytes: Int = 256 * 1024 * 1024) {
        self.limits = limits
        self.maxTotalBytes = max(maxTotalBytes, 0)
    }

    /// Connections with a buffer.
    public var count: Int { buffers.count }

    /// Stores `frame` in the buffer of connection `id` (created on first use).
    public func record(_ frame: Frame, connection id: Int) {
        let buffer: EvidenceBuffer
        if let existing = buffers[id] {
            buffer = existing
        } else {
            buffer = EvidenceBuffer(limits: limits)
            buffers[id] = buffer
        }
        if totalBytes + frame.bytes.count > maxTotalBytes {
            buffer.noteSkipped()
            framesSkipped += 1
            return
        }
        let before = buffer.byteCount
        buffer.append(frame)
        totalBytes += buffer.byteCount - before
    }

    /// Removes and returns the buffer of connection `id`.
    public func take(_ id: Int) -> EvidenceBuffer? {
        guard let buffer = buffers.removeValue(forKey: id) else { return nil }
        totalBytes -= buffer.byteCount
        return buffer
    }

    /// Drops the buffer of connection `id`.
    public func discard(_ id: Int) { _ = take(id) }

    /// Drops every buffer.
    public func removeAll() {
        buffers.removeAll()
        totalBytes = 0
    }
}
