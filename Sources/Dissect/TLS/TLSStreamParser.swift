import Reassembly
import Wire

/// Reads one direction of a TLS connection from in-order bytes delivered in
/// chunks of any size, and reports records, handshake messages, alerts and
/// protected records as `TLSEvent`s.
///
/// Record layer [RFC 8446 §5.1, RFC 5246 §6.2]: complete records are read in
/// place from the chunk; only an incomplete record's bytes are copied, into a
/// buffer that cannot exceed one maximal record (5 + 2^14 + 2048 bytes).
/// Handshake layer [RFC 8446 §4, RFC 5246 §7.4]: messages may span records,
/// and several may share one; only an incomplete message is buffered, up to
/// `TLSHandshakeMessage.maximumLength`.
///
/// A bad content type, an impossible record length or an oversized handshake
/// message means the stream is not (or no longer) TLS that we can follow: an
/// anomaly is reported and this direction stops (`stoppedBy`).
public final class TLSStreamParser {
    public let direction: Direction
    public let session: TLSSession
    /// Events since the last `takeEvents()`. Drain them after each `feed`.
    public private(set) var events: [TLSEvent] = []
    /// Set when the parser gave up on this direction.
    public private(set) var stoppedBy: DissectError?
    /// TLS ≤ 1.2: this direction sent ChangeCipherSpec, so what follows is protected.
    public private(set) var isEncrypting = false
    /// Called with every protected record (header, fragment, direction, frames),
    /// after its `.record`/`.encrypted` events were appended; a `TLSDecryptor`
    /// attaches here. The fragment is borrowed for the call only. nil (the
    /// default) costs one check per protected record and nothing else.
    public var protectedRecordSink: ((TLSRecordHeader, UnsafeRawBufferPointer, Direction, TLSFrames) -> Void)?
    /// Whether every record also gets a `.record` event. A consumer that only wants
    /// what records hold (the connection dissector) turns it off: one event less per record.
    public var reportsRecords = true

    public static let recordBufferCapacity = TLSRecordHeader.size + TLSRecordHeader.maximumFragmentLength
    public static let handshakeBufferCapacity = TLSHandshakeMessage.headerSize + TLSHandshakeMessage.maximumLength

    private var recordBuffer: [UInt8] = []
    /// `!recordBuffer.isEmpty`, kept in the parser itself: checked for every segment,
    /// it then needs no look at the array's storage (a cache miss on a cold connection).
    private var hasBufferedRecord = false
    private var recordFirstFrame = 0
    /// A protected record whose body is still arriving while nobody reads its
    /// bytes (no decryptor attached): the body is counted off, never copied.
    private var skippedHeader = TLSRecordHeader(contentType: .applicationData, legacyVersion: .tls12, length: 0)
    private var skippedBodyRemaining = 0
    private var skippedFirstFrame = 0
    private var handshakeBuffer: [UInt8] = []
    private var handshakeFirstFrame = 0
    /// Protected handshake records since the last ChangeCipherSpec; the first is Finished.
    private var protectedHandshakeRecords = 0

    public init(direction: Direction, session: TLSSession = TLSSession()) {
        self.direction = direction
        self.session = session
    }

    public var isStopped: Bool { stoppedBy != nil }

    /// Between two records with nothing held back, not stopped, and no decryptor
    /// attached: the next bytes start a record, and a whole application-data record
    /// would only become one `.encrypted` event with no change to this parser. The
    /// connection dissector then reads such records itself (`ConnectionDissector.readApplicationData`).
    public var isAtRecordBoundary: Bool {
        !hasBufferedRecord && skippedBodyRemaining == 0 && handshakeBuffer.isEmpty && stoppedBy == nil
            && protectedRecordSink == nil
    }

    /// Returns the pending events and forgets them.
    public func takeEvents() -> [TLSEvent] {
        defer { events.removeAll(keepingCapacity: true) }
        return events
    }

    /// Feeds the next in-order bytes of this direction; `frame` is the capture
    /// frame they came in. The bytes are only borrowed for this call. The events
    /// wait in `events` until `takeEvents()`.
    public func feed(bytes: UnsafeRawBufferPointer, frame: Int) {
        feed(bytes: bytes, frame: frame) { events.append($0) }
    }

    /// Feeds the next in-order bytes and hands each event to `emit` as it is
    /// read, in stream order: no event is stored (the connection dissector's path).
    public func feed(bytes: UnsafeRawBufferPointer, frame: Int, emit: (TLSEvent) -> Void) {
        var input = ByteCursor(bytes)
        while !input.isAtEnd, stoppedBy == nil {
            if skippedBodyRemaining > 0 {
                skipProtectedBody(&input, frame: frame, emit: emit)
            } else if !hasBufferedRecord {
                readInPlace(&input, frame: frame, emit: emit)
            } else {
                completeBuffered(&input, frame: frame, emit: emit)
            }
        }
    }

    // MARK: record framing

    private func readInPlace(_ input: inout ByteCursor, frame: Int, emit: (TLSEvent) -> Void) {
        switch TLSRecordHeader.parse(input.unread) {
        case let .parsed(header, consumed):
            guard var record = input.sub(length: consumed), record.skip(TLSRecordHeader.size) else { return }
            process(header, fragment: record.unread, frames: TLSFrames(first: frame, last: frame), emit: emit)
        case .needMore:
            if startSkipping(input.unread, firstFrame: frame) {
                input.skip(input.remaining)
                return
            }
            recordBuffer.append(contentsOf: input.unread)
            hasBufferedRecord = true
            recordFirstFrame = frame
            input.skip(input.remaining)
        case let .malformed(error):
            stop(error, frame: frame, emit: emit)
        }
    }

    /// Starts counting off the body of an incomplete record instead of buffering it,
    /// when the record is protected and no decryptor wants its bytes. `head` holds
    /// the record's first bytes, all that has arrived of it.
    private func startSkipping(_ head: UnsafeRawBufferPointer, firstFrame: Int) -> Bool {
        guard protectedRecordSink == nil, case let .parsed(header, _) = TLSRecordHeader.parseHeader(head),
              header.contentType == .applicationData || isEncrypting else { return false }
        let recordSize = TLSRecordHeader.size + header.length
        guard head.count < recordSize else { return false }
        skippedHeader = header
        skippedBodyRemaining = recordSize - head.count
        skippedFirstFrame = firstFrame
        return true
    }

    private func skipProtectedBody(_ input: inout ByteCursor, frame: Int, emit: (TLSEvent) -> Void) {
        let take = min(skippedBodyRemaining, input.remaining)
        input.skip(take)
        skippedBodyRemaining -= take
        if skippedBodyRemaining == 0 {
            process(skippedHeader, fragment: UnsafeRawBufferPointer(start: nil, count: 0),
                    frames: TLSFrames(first: skippedFirstFrame, last: frame), emit: emit)
        }
    }

    /// Adds to the buffered record only the bytes it still lacks.
    private func completeBuffered(_ input: inout ByteCursor, frame: Int, emit: (TLSEvent) -> Void) {
        let status = recordBuffer.withUnsafeBytes { TLSRecordHeader.parse($0) }
        guard case let .needMore(minimum) = status, minimum > recordBuffer.count else {
            if case let .malformed(error) = status { stop(error, frame: frame, emit: emit) }
            return
        }
        // The header completed only now (it was split): the body may still be skipped.
        let skipping = recordBuffer.withUnsafeBytes {
            startSkipping($0, firstFrame: recordFirstFrame)
        }
        if skipping {
            recordBuffer.removeAll(keepingCapacity: true)
            hasBufferedRecord = false
            return
        }
        let take = min(minimum - recordBuffer.count, input.remaining)
        guard let piece = input.bytes(take) else { return }
        recordBuffer.append(contentsOf: piece)
        guard recordBuffer.count <= Self.recordBufferCapacity else {
            stop(DissectError("tls_record_buffer_overflow", offset: 0), frame: frame, emit: emit)
            return
        }
        let first = recordFirstFrame
        let done: Bool = recordBuffer.withUnsafeBytes { raw in
            switch TLSRecordHeader.parse(raw) {
            case let .parsed(header, consumed):
                var c = ByteCursor(raw)
                guard var record = c.sub(length: consumed), record.skip(TLSRecordHeader.size) else { return true }
                process(header, fragment: record.unread, frames: TLSFrames(first: first, last: frame), emit: emit)
                return true
            case .needMore:
                return false
            case let .malformed(error):
                stop(error, frame: frame, emit: emit)
                return true
            }
        }
        // Keep a small buffer for the next split record; give a large one back (open
        // connections must stay cheap).
        if done {
            recordBuffer.removeAll(keepingCapacity: recordBuffer.capacity <= 4096)
            hasBufferedRecord = false
        }
    }

    private func stop(_ error: DissectError, frame: Int, emit: (TLSEvent) -> Void) {
        stoppedBy = error
        emit(.anomaly(error, frame: frame))
        recordBuffer = []
        hasBufferedRecord = false
        handshakeBuffer = []
    }

    private func anomaly(_ code: String, frame: Int, detail: String? = nil, emit: (TLSEvent) -> Void) {
        emit(.anomaly(DissectError(code, offset: 0, detail: detail), frame: frame))
    }

    // MARK: records

    private func process(_ header: TLSRecordHeader, fragment: UnsafeRawBufferPointer, frames: TLSFrames, emit: (TLSEvent) -> Void) {
        let type = header.contentType
        let encrypted = type == .applicationData || isEncrypting
        if reportsRecords {
            emit(.record(TLSRecordEvent(direction: direction, header: header, frames: frames, encrypted: encrypted)))
        }
        if !encrypted, header.length > TLSRecordHeader.maximumPlaintextLength {
            anomaly("tls_plaintext_record_overflow", frame: frames.last, detail: "length \(header.length)", emit: emit)
        }
        if !handshakeBuffer.isEmpty, type != .handshake {
            // RFC 8446 §5.1: handshake messages MUST NOT be interleaved with other record types.
            anomaly("tls_handshake_interleaved", frame: frames.last, detail: "\(type) inside a handshake message", emit: emit)
        }
        if encrypted {
            processProtected(header, frames: frames, emit: emit)
            protectedRecordSink?(header, fragment, direction, frames)
            return
        }
        switch type {
        case .changeCipherSpec:
            // RFC 5246 §7.1: one byte of value 1.
            if fragment.count != 1 || fragment.first != 1 {
                anomaly("tls_change_cipher_spec_invalid", frame: frames.last, emit: emit)
            }
            emit(.changeCipherSpec(frames: frames))
            // TLS 1.3 sends a dummy CCS for middlebox compatibility (RFC 8446
            // §D.4), which changes nothing; in TLS ≤ 1.2 protection starts here.
            if let version = session.expectedVersion, version >= .tls13 { return }
            isEncrypting = true
            protectedHandshakeRecords = 0
        case .alert:
            switch TLSAlert.parseRecord(fragment) {
            case let .parsed(alerts, _):
                for alert in alerts { emit(.alert(alert, frames: frames)) }
            case let .malformed(error):
                emit(.anomaly(error, frame: frames.last))
            case .needMore:
                break
            }
        case .handshake:
            if fragment.isEmpty {
                // RFC 8446 §5.1: zero-length handshake fragments MUST NOT be sent.
                anomaly("tls_handshake_record_empty", frame: frames.last, emit: emit)
                return
            }
            reassemble(fragment, frames: frames, emit: emit)
        case .heartbeat:
            emit(.heartbeat(length: header.length, frames: frames))
        default:
            break
        }
    }

    private func processProtected(_ header: TLSRecordHeader, frames: TLSFrames, emit: (TLSEvent) -> Void) {
        let kind: TLSEncryptedKind
        switch header.contentType {
        case .applicationData: kind = .applicationData
        case .alert: kind = .alert
        case .heartbeat: kind = .heartbeat
        case .changeCipherSpec:
            // A renegotiation's CCS, itself protected: the next handshake record is Finished again.
            kind = .changeCipherSpec
            protectedHandshakeRecords = 0
        default:
            kind = protectedHandshakeRecords == 0 ? .finished : .handshake
            protectedHandshakeRecords += 1
        }
        emit(.encrypted(TLSEncryptedRecord(
            direction: direction, kind: kind, frames: frames, recordLength: header.length,
            plaintext: session.plaintextSize(fragmentLength: header.length)
        )))
    }

    // MARK: handshake messages

    /// Reads handshake messages from a decrypted handshake record's content,
    /// as if it had come in a plaintext handshake record (a `TLSDecryptor`
    /// feeds its own parser instance here, so decrypted messages never mix
    /// with the clear-text handshake buffer of the capture's parser).
    func feedDecryptedHandshake(_ content: UnsafeRawBufferPointer, frames: TLSFrames) {
        guard stoppedBy == nil, !content.isEmpty else { return }
        reassemble(content, frames: frames) { events.append($0) }
    }

    private func reassemble(_ fragment: UnsafeRawBufferPointer, frames: TLSFrames, emit: (TLSEvent) -> Void) {
        var offset = 0
        if !handshakeBuffer.isEmpty {
            // Complete the buffered message with just the bytes it lacks.
            while offset < fragment.count {
                guard let need = bytesLackingInBufferedMessage(frame: frames.last, emit: emit) else { return }
                let take = min(need, fragment.count - offset)
                handshakeBuffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: fragment[offset..<offset + take]))
                offset += take
                if bytesLackingInBufferedMessage(frame: frames.last, emit: emit) == 0 {
                    let whole = TLSFrames(first: handshakeFirstFrame, last: frames.last)
                    // Handed over, not copied: the parser keeps no buffer once a message is
                    // whole (the handshake is a few messages; the connection may stay long).
                    let buffered = handshakeBuffer
                    handshakeBuffer = []
                    _ = buffered.withUnsafeBytes { readMessages($0, frames: whole, emit: emit) }
                    break
                }
            }
            guard stoppedBy == nil, handshakeBuffer.isEmpty else { return }
        }
        guard offset < fragment.count else { return }
        let tail = UnsafeRawBufferPointer(rebasing: fragment[offset...])
        let used = readMessages(tail, frames: frames, emit: emit)
        if stoppedBy == nil, used < tail.count {
            handshakeBuffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: tail[used...]))
            handshakeFirstFrame = frames.first
        }
    }

    /// Bytes the buffered message still needs (header first, then body); nil
    /// after stopping on an impossible declared length.
    private func bytesLackingInBufferedMessage(frame: Int, emit: (TLSEvent) -> Void) -> Int? {
        let count = handshakeBuffer.count
        guard count >= TLSHandshakeMessage.headerSize else { return TLSHandshakeMessage.headerSize - count }
        let length = Int(handshakeBuffer[1]) << 16 | Int(handshakeBuffer[2]) << 8 | Int(handshakeBuffer[3])
        guard length <= TLSHandshakeMessage.maximumLength else {
            stop(DissectError("tls_handshake_message_too_long", offset: 1, detail: "length \(length)"), frame: frame, emit: emit)
            return nil
        }
        return TLSHandshakeMessage.headerSize + length - count
    }

    /// Reads the whole messages at the start of `bytes`; returns the bytes used.
    private func readMessages(_ bytes: UnsafeRawBufferPointer, frames: TLSFrames, emit: (TLSEvent) -> Void) -> Int {
        var used = 0
        while used < bytes.count, stoppedBy == nil {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[used...])
            switch TLSHandshakeMessage.parse(rest, context: session.handshakeContext) {
            case let .parsed(message, consumed):
                handle(message, frames: frames, emit: emit)
                used += consumed
            case .needMore:
                return used
            case let .malformed(error):
                if error.code == "tls_handshake_message_too_long" {
                    stop(error, frame: frames.last, emit: emit)
                    return used
                }
                // The framing was sound (the whole body was there), only the
                // body did not read: report it and go on with the next message.
                emit(.anomaly(error, frame: frames.last))
                var header = ByteCursor(rest)
                guard header.skip(1), let length = header.u24be(),
                      rest.count >= TLSHandshakeMessage.headerSize + Int(length)
                else {
                    stop(error, frame: frames.last, emit: emit)
                    return used
                }
                used += TLSHandshakeMessage.headerSize + Int(length)
            }
        }
        return used
    }

    private func handle(_ message: TLSHandshakeMessage, frames: TLSFrames, emit: (TLSEvent) -> Void) {
        emit(.handshake(message, frames: frames))
        switch message.body {
        case let .clientHello(hello):
            session.clientHello = hello
            session.clientHelloCount += 1
            for a in hello.anomalies { emit(.anomaly(a, frame: frames.last)) }
        case let .serverHello(hello):
            if hello.isHelloRetryRequest {
                session.helloRetryRequest = hello
            } else {
                session.serverHello = hello
            }
            session.negotiatedVersion = hello.negotiatedVersion
            session.cipherSuite = hello.cipherSuite
            for a in hello.anomalies { emit(.anomaly(a, frame: frames.last)) }
        case let .certificate(chain):
            if direction == .serverToClient {
                session.serverCertificates = chain.certificates
            } else {
                session.clientCertificates = chain.certificates
            }
        default:
            break
        }
    }
}
