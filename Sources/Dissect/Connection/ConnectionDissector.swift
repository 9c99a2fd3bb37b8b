import Capture
import Reassembly
import Wire

/// Dissects both directions of one RDP connection, in stream order, into a
/// timeline of handshake messages.
///
/// Each direction starts with TPKT/X.224. The Connection Confirm decides what
/// follows: a TLS-based protocol (SSL, CredSSP, RDSTLS...) switches both
/// directions to the TLS record parser; Standard RDP Security keeps reading
/// TPKT (MCS, security exchange, licensing, share control) and fast-path PDUs.
/// A PDU split across segments is kept in a bounded per-direction buffer.
public final class ConnectionDissector {
    /// Largest partial PDU kept per direction. A TPKT is at most 64 KiB; TLS
    /// keeps its own bounded buffers.
    public static let bufferCapacity = 65_540
    /// Protected TLS records kept in the timeline per direction; later ones are only counted.
    /// The connection sequence up to Demand Active takes about 20 per direction.
    public static let encryptedRecordsKept = 32
    /// Fast-path / encrypted RDP PDUs kept per direction before stopping (the handshake is over by then).
    public static let rdpDataPDUsKept = 48

    enum Mode: Equatable {
        case tpkt
        case tls
        /// Decrypted inner stream, before MCS: CredSSP TSRequests (and the Early User Authorization Result).
        case credSSP
        case stopped
    }

    /// One direction's stream. What a segment reads comes first (stored properties
    /// are laid out in the order declared; see the dissector's own).
    final class Side {
        /// The decrypted stream inside TLS (never switches to TLS itself).
        let inner: Bool
        init(inner: Bool = false) { self.inner = inner }
        var mode = Mode.tpkt
        /// This side's TLS parser was at a record boundary after its last feed
        /// (`TLSStreamParser.isAtRecordBoundary`): application-data records are
        /// read here (`readApplicationData`) until another kind of record comes.
        var tlsAtRecordBoundary = false
        var bytes = 0
        var encryptedRecords = 0
        var dataPDUs = 0
        /// An application-data record read here whose body is still arriving: bytes
        /// still to come, its fragment length, and the frame its header came in.
        var skipRemaining = 0
        var skipLength = 0
        var skipFirstFrame = 0
        var tail: [UInt8] = []
    }

    // Stored properties are laid out in the order declared: what every segment reads
    // comes first, in the object's first 128 bytes, where it was spread over more than 200
    // (with hundreds of connections open, each line a segment touches is likely a miss).

    let clientSide = Side()
    let serverSide = Side()
    /// Whether whole application-data records are read here rather than by the parser
    /// (`readApplicationData`); tests turn it off to compare the two.
    var readsApplicationDataItself = true
    /// The session's record parameters as of the last TLS parser feed (only a parser
    /// feed changes them), for the records read here without a parser.
    private var recordParameters: TLSRecordParameters?
    /// The security protocol the Connection Confirm selected (nil until then, or after a failure).
    public private(set) var selectedProtocol: UInt32?
    public private(set) var timeline: [HandshakeEvent] = []
    /// `tls`'s objects without a reference count, for the per-segment path (`tls`
    /// holds them and is never replaced once set). nil until TLS starts.
    private var borrowedTLS: BorrowedTLS?
    public private(set) var decryptor: TLSDecryptor?
    /// The decrypted streams inside TLS (client→server, server→client), made when a
    /// key log has this connection's secrets.
    var innerSides: [Side] = []

    /// Where `timeline`'s storage is, as a plain address: to ask for it before a release
    /// without touching its reference count (`prefetchObjects`; reading `timeline`
    /// there retains the array). 0 while there is none.
    private var timelineStorage: UInt = 0
    /// The TLS connection, once a TLS-based protocol was selected (or TLS seen).
    public private(set) var tls: TLSConnection? {
        didSet { borrowedTLS = tls.map(BorrowedTLS.init) }
    }
    private var parsedMessages = ParsedMessages()
    /// Parse problems: stable snake_case codes with their frame and direction.
    public private(set) var anomalies: [(code: String, frame: Int, direction: Direction, detail: String?)] = []
    let keyLog: TLSKeyLog?

    struct BorrowedTLS {
        let session: Unmanaged<TLSSession>
        let client: Unmanaged<TLSStreamParser>
        let server: Unmanaged<TLSStreamParser>
        init(_ tls: TLSConnection) {
            session = Unmanaged.passUnretained(tls.session)
            client = Unmanaged.passUnretained(tls.client)
            server = Unmanaged.passUnretained(tls.server)
        }
    }

    /// Protected TLS records seen per direction (client→server, server→client), including those not kept in the timeline.
    public var encryptedRecordCount: [Int] { [clientSide.encryptedRecords, serverSide.encryptedRecords] }

    public init(keyLog: TLSKeyLog? = nil) {
        self.keyLog = keyLog
    }

    /// Asks for the memory that summarising or releasing this dissector will read, a level at a time
    /// (`stage` 1: the dissector; 2: its sides, its TLS session and parsers, and the timeline;
    /// 3: the first parsed handshake messages), as `TCPConnection.prefetchObjects(stage:)` does.
    public func prefetchObjects(stage: Int) {
        switch stage {
        case 1:
            prefetchLines(of: self, count: 3)
        case 2:
            prefetchLines(of: clientSide, count: 2)
            prefetchLines(of: serverSide, count: 2)
            prefetchLines(at: timelineStorage, count: 2)
            if let tls = borrowedTLS {
                prefetchLines(of: tls.session, count: 6)
                prefetchLines(of: tls.client, count: 3)
                prefetchLines(of: tls.server, count: 3)
            }
        case 3:
            parsedMessages.prefetch(lines: 3)
        default:
            break
        }
    }

    @inline(__always) func side(_ d: Direction) -> Side { d == .clientToServer ? clientSide : serverSide }

    /// True while more payload could still change what is known.
    public var wantsMore: Bool {
        let a = clientSide, b = serverSide
        if a.mode == .stopped && b.mode == .stopped { return false }
        // Past the handshake in both directions: nothing more to learn (with a key log,
        // the decrypted connection sequence is followed a little further).
        let kept = decryptor == nil ? Self.encryptedRecordsKept : 4 * Self.encryptedRecordsKept
        if a.encryptedRecords >= kept && b.encryptedRecords >= kept { return false }
        if a.dataPDUs >= Self.rdpDataPDUsKept && b.dataPDUs >= Self.rdpDataPDUsKept { return false }
        return true
    }

    /// Feeds in-order bytes of one direction. Returns whether this direction still wants payload.
    @discardableResult
    public func feed(_ direction: Direction, _ bytes: UnsafeRawBufferPointer, frame: Int, time: CaptureTime) -> Bool {
        // The side is passed straight from its `let`: as an argument it is borrowed,
        // where a local chosen by `direction` would be retained on every segment.
        direction == .clientToServer
            ? feed(direction, clientSide, bytes, frame: frame, time: time)
            : feed(direction, serverSide, bytes, frame: frame, time: time)
    }

    func feed(_ direction: Direction, _ s: Side, _ bytes: UnsafeRawBufferPointer, frame: Int, time: CaptureTime) -> Bool {
        s.bytes += bytes.count
        switch s.mode {
        case .stopped:
            return false
        case .tls:
            feedTLS(direction, s, bytes, frame: frame, time: time)
        case .tpkt, .credSSP:
            feedTPKT(direction, s, bytes, frame: frame, time: time)
        }
        return s.mode != .stopped
    }

    /// Bytes the capture never held: the stream cannot be followed past them.
    public func gap(_ direction: Direction, length: UInt64, frame: Int) {
        let s = side(direction)
        guard s.mode != .stopped else { return }
        anomaly("stream_gap", frame: frame, direction, detail: "\(length) bytes missing; dissection of this direction stops")
        stop(s)
        s.tail = []
    }

    // MARK: TPKT / fast-path

    func feedTPKT(_ direction: Direction, _ s: Side, _ bytes: UnsafeRawBufferPointer, frame: Int, time: CaptureTime) {
        if s.tail.isEmpty {
            let used = parsePDUs(direction, s, bytes, frame: frame, time: time)
            if s.mode == .tls {
                // The rest of this segment already belongs to TLS.
                feedTLS(direction, s, UnsafeRawBufferPointer(rebasing: bytes[used...]), frame: frame, time: time)
            } else if s.mode == .tpkt && used < bytes.count {
                keep(direction, s, UnsafeRawBufferPointer(rebasing: bytes[used...]), frame: frame)
            }
            return
        }
        keep(direction, s, bytes, frame: frame)
        guard s.mode == .tpkt else { return }
        // Parse from the buffer, then drop what was used in place (no new array per segment).
        var used = 0
        var switchedToTLS = false
        s.tail.withUnsafeBytes { raw in
            used = parsePDUs(direction, s, raw, frame: frame, time: time)
            if s.mode == .tls {
                switchedToTLS = true
                feedTLS(direction, s, UnsafeRawBufferPointer(rebasing: raw[used...]), frame: frame, time: time)
            }
        }
        if switchedToTLS || s.mode == .stopped {
            s.tail = []
        } else if used > 0 {
            s.tail.removeFirst(used)
        }
    }

    func keep(_ direction: Direction, _ s: Side, _ bytes: UnsafeRawBufferPointer, frame: Int) {
        if s.tail.count + bytes.count > Self.bufferCapacity {
            anomaly("pdu_buffer_exceeded", frame: frame, direction, detail: "a PDU longer than \(Self.bufferCapacity) bytes")
            stop(s)
            s.tail = []
            return
        }
        s.tail.append(contentsOf: bytes)
    }

    /// Parses whole PDUs from `bytes`; returns how many bytes were used.
    func parsePDUs(_ direction: Direction, _ s: Side, _ bytes: UnsafeRawBufferPointer, frame: Int, time: CaptureTime) -> Int {
        var cursor = ByteCursor(bytes)
        while !cursor.isAtEnd && (s.mode == .tpkt || s.mode == .credSSP) {
            if s.mode == .credSSP {
                if cursor.peek() == 0x03 {
                    s.mode = .tpkt
                    continue
                }
                guard parseCredSSP(direction, s, &cursor, frame: frame, time: time) else { return cursor.offset }
                continue
            }
            // After a TLS-based protocol was selected the server's next bytes, and the
            // client's, are TLS records.
            if !s.inner, let first = cursor.peek(), selectedProtocol.map({ $0 != 0 }) == true, first >= 0x14 && first <= 0x18 {
                s.mode = .tls
                break
            }
            switch RDPFraming.frame(cursor) {
            case .needMore:
                return cursor.offset
            case let .malformed(error):
                if !s.inner && cursor.peek() == 0x16 && selectedProtocol == nil && tls == nil {
                    // TLS without an X.224 exchange seen (capture began after it).
                    startTLS()
                    s.mode = .tls
                    return cursor.offset
                }
                anomaly(error.code, frame: frame, direction, detail: error.detail)
                stop(s)
                return cursor.offset
            case let .parsed(pdu, consumed):
                guard var whole = cursor.sub(length: consumed) else { return cursor.offset }
                switch pdu.kind {
                case .slowPath:
                    whole.skip(pdu.headerLength)
                    slowPath(direction, s, whole, frame: frame, time: time)
                case .fastPath:
                    let encrypted = (whole.peek() ?? 0) & 0x80 != 0
                    s.dataPDUs += 1
                    if s.dataPDUs <= Self.rdpDataPDUsKept {
                        record(direction, .fastPath(length: pdu.length, encrypted: encrypted), frame: frame, time: time)
                    }
                }
            }
        }
        return cursor.offset
    }

    /// One TPKT payload: X.224, then (for Data TPDUs) MCS.
    func slowPath(_ direction: Direction, _ s: Side, _ payload: ByteCursor, frame: Int, time: CaptureTime) {
        switch X224TPDU.parse(payload) {
        case let .malformed(e):
            anomaly(e.code, frame: frame, direction, detail: e.detail)
        case .needMore:
            anomaly("x224_truncated", frame: frame, direction, detail: nil)
        case let .parsed(tpdu, consumed):
            switch tpdu {
            case .connectionRequest(let cr):
                record(direction, .x224Request(cr), frame: frame, time: time)
            case .connectionConfirm(let cc):
                record(direction, .x224Confirm(cc), frame: frame, time: time)
                selectedProtocol = cc.selectedProtocol
                if let selected = cc.selectedProtocol, selected != 0 { startTLS() }
            case .disconnectRequest(let dr):
                record(direction, .x224Disconnect(dr), frame: frame, time: time)
            case .data:
                var mcs = payload
                mcs.skip(consumed)
                self.mcs(direction, s, mcs, frame: frame, time: time)
            case .other:
                break
            }
        }
    }

    func mcs(_ direction: Direction, _ s: Side, _ bytes: ByteCursor, frame: Int, time: CaptureTime) {
        switch MCSPDU.parse(bytes) {
        case let .malformed(e):
            anomaly(e.code, frame: frame, direction, detail: e.detail)
        case .needMore:
            anomaly("mcs_truncated", frame: frame, direction, detail: nil)
        case let .parsed(pdu, _):
            switch pdu {
            case .connectInitial(let ci): record(direction, .mcsConnectInitial(ci), frame: frame, time: time)
            case .connectResponse(let cr): record(direction, .mcsConnectResponse(cr), frame: frame, time: time)
            case .domain(let domain):
                switch domain {
                case .sendDataRequest(let data), .sendDataIndication(let data):
                    sendData(direction, s, bytes, data, frame: frame, time: time)
                default:
                    record(direction, .mcsDomain(domain), frame: frame, time: time)
                }
            }
        }
    }

    /// Send Data user data: with a security header (security exchange, Client
    /// Info, licensing, anything under Standard RDP Security), or a bare share
    /// control PDU.
    func sendData(_ direction: Direction, _ s: Side, _ bytes: ByteCursor, _ data: MCSSendData, frame: Int, time: CaptureTime) {
        guard let userData = bytes.window(data.userData) else {
            anomaly("mcs_user_data_out_of_range", frame: frame, direction, detail: nil)
            return
        }
        if ShareControlHeader.isPlausible(userData) {
            shareControl(direction, userData, frame: frame, time: time)
            return
        }
        switch SecuredPDU.parse(userData) {
        case let .malformed(e):
            anomaly(e.code, frame: frame, direction, detail: e.detail)
        case .needMore:
            anomaly("security_truncated", frame: frame, direction, detail: nil)
        case let .parsed(pdu, _):
            switch pdu {
            case .securityExchange(let x): record(direction, .securityExchange(x), frame: frame, time: time)
            case .clientInfo(_, let info): record(direction, .clientInfo(info), frame: frame, time: time)
            case .licensing(_, let lic): record(direction, .licensing(lic), frame: frame, time: time)
            case .encrypted(_, let length):
                s.dataPDUs += 1
                if s.dataPDUs <= Self.rdpDataPDUsKept {
                    record(direction, .encryptedRDP(channel: data.channelId, length: length), frame: frame, time: time)
                }
            case .other(_, let length):
                // A share control PDU behind a security header (encryption level NONE).
                var rest = userData
                rest.skip(userData.remaining - length)
                if ShareControlHeader.isPlausible(rest) { shareControl(direction, rest, frame: frame, time: time) }
            }
        }
    }

    func shareControl(_ direction: Direction, _ bytes: ByteCursor, frame: Int, time: CaptureTime) {
        var cursor = bytes
        var count = 0
        while !cursor.isAtEnd && count < 16 {
            count += 1
            switch ShareControlPDU.parse(cursor) {
            case let .malformed(e):
                anomaly(e.code, frame: frame, direction, detail: e.detail)
                return
            case .needMore:
                anomaly("share_truncated", frame: frame, direction, detail: nil)
                return
            case let .parsed(pdu, consumed):
                if let pdu { record(direction, .shareControl(pdu), frame: frame, time: time) }
                guard consumed > 0, cursor.skip(consumed) else { return }
            }
        }
    }

    /// One CredSSP message of the decrypted stream: a TSRequest (DER SEQUENCE), or the
    /// 4-byte Early User Authorization Result the server sends under HYBRID_EX.
    /// Returns false when more bytes are needed (or the direction stopped).
    func parseCredSSP(_ direction: Direction, _ s: Side, _ cursor: inout ByteCursor, frame: Int, time: CaptureTime) -> Bool {
        if cursor.peek() == 0x30 {
            switch TSRequest.parse(cursor) {
            case .needMore:
                return false
            case let .malformed(e):
                anomaly(e.code, frame: frame, direction, detail: e.detail)
                stop(s)
                return false
            case let .parsed(request, consumed):
                record(direction, .credSSP(request), frame: frame, time: time)
                cursor.skip(consumed)
                return true
            }
        }
        if direction == .serverToClient, let result = cursor.sub(length: min(4, cursor.remaining)), result.remaining == 4,
           case let .parsed(value, _) = EarlyUserAuthorizationResult.parse(result) {
            record(direction, .earlyUserAuthorization(value), frame: frame, time: time)
            s.mode = .tpkt
            return true
        }
        if cursor.remaining < 4 { return false }
        anomaly("credssp_unexpected_bytes", frame: frame, direction, detail: "first byte 0x" + String(cursor.peek() ?? 0, radix: 16))
        stop(s)
        return false
    }

    // MARK: TLS

    func startTLS() {
        // (Asked for every TLS segment: the borrowed references are on a line read anyway.)
        guard borrowedTLS == nil else { return }
        let connection = TLSConnection()
        // Only what records hold goes into the timeline.
        connection.client.reportsRecords = false
        connection.server.reportsRecords = false
        tls = connection
        if let keyLog, !keyLog.isEmpty {
            innerSides = [Side(inner: true), Side(inner: true)]
            let decryptor = TLSDecryptor(keyLog: keyLog, session: connection.session)
            decryptor.attach(to: connection)
            self.decryptor = decryptor
            // CredSSP comes first inside TLS when NLA was selected.
            let nla = selectedProtocol.map { $0 & (RDPSecurityProtocol.hybrid | RDPSecurityProtocol.hybridEx) != 0 } ?? false
            for inner in innerSides { inner.mode = nla ? .credSSP : .tpkt }
        }
    }

    /// What the decryptor recovered from this direction's records: the inner stream
    /// (CredSSP, then MCS and the rest), decrypted handshake messages and alerts.
    func drainDecrypted(_ direction: Direction, time: CaptureTime) {
        guard let decryptor, innerSides.count == 2 else { return }
        let inner = innerSides[Int(direction.rawValue)]
        for event in decryptor.takeEvents(direction) {
            switch event {
            case let .applicationData(bytes, frames):
                guard inner.mode != .stopped else { continue }
                bytes.withUnsafeBytes { feedTPKT(direction, inner, $0, frame: frames.last, time: time) }
            case let .handshake(message, frames):
                record(direction, .tlsHandshake(message), frame: frames.last, time: time)
            case let .alert(alert, frames):
                record(direction, .tlsAlert(alert), frame: frames.last, time: time)
            case let .failure(reason, frames):
                record(direction, .tlsDecryptFailure(reason.rawValue), frame: frames.last, time: time)
                anomaly("tls_decrypt_failed", frame: frames.last, direction, detail: reason.rawValue)
            case let .anomaly(error, frame):
                anomaly(error.code, frame: frame, direction, detail: error.detail)
            }
        }
    }

    /// `s` is the side of `direction` (an inner side never gets here: it does not switch to TLS).
    func feedTLS(_ direction: Direction, _ s: Side, _ bytes: UnsafeRawBufferPointer, frame: Int, time: CaptureTime) {
        guard !bytes.isEmpty else { return }
        var bytes = bytes
        if s.tlsAtRecordBoundary && readsApplicationDataItself {
            let used = readApplicationData(direction, s, bytes, frame: frame, time: time)
            if used == bytes.count { return }
            bytes = UnsafeRawBufferPointer(rebasing: bytes[used...])
        }
        startTLS()
        guard let tls = borrowedTLS else { return }
        s.mode = .tls
        // The parsers are borrowed: nothing is retained per segment.
        (direction == .clientToServer ? tls.client : tls.server)._withUnsafeGuaranteedRef { parser in
            feedTLS(direction, s, parser, bytes, frame: frame, time: time)
        }
    }

    func feedTLS(_ direction: Direction, _ s: Side, _ parser: TLSStreamParser, _ bytes: UnsafeRawBufferPointer,
                 frame: Int, time: CaptureTime) {
        // Events come straight from the parser as it reads (none is stored). The
        // closure holds the dissector and the side unretained: it is passed down
        // the parser's calls, and each strong capture would cost a retain per segment.
        let dissector = Unmanaged.passUnretained(self), side = Unmanaged.passUnretained(s)
        parser.feed(bytes: bytes, frame: frame) { event in
            dissector._withUnsafeGuaranteedRef { dissector in
                side._withUnsafeGuaranteedRef { s in dissector.take(event, direction, s, frame: frame, time: time) }
            }
        }
        if parser.isStopped { s.mode = .stopped }
        s.tlsAtRecordBoundary = parser.isAtRecordBoundary
        recordParameters = parser.session.recordParameters
        drainDecrypted(direction, time: time)
    }

    /// Reads the application-data records at the start of `bytes` while this side's
    /// parser is at a record boundary, exactly as the parser would have: each becomes
    /// the `.encrypted` event the parser would emit, and the parser, which such a
    /// record would not change, is not touched. Most segments of an established
    /// connection are nothing else, and with many connections open every object a
    /// segment touches is likely a cache miss. Returns the bytes used; it stops at a
    /// record boundary, at anything but application data, or at a header not yet whole.
    func readApplicationData(_ direction: Direction, _ s: Side, _ bytes: UnsafeRawBufferPointer,
                             frame: Int, time: CaptureTime) -> Int {
        var used = 0
        if s.skipRemaining > 0 {
            used = min(s.skipRemaining, bytes.count)
            s.skipRemaining -= used
            if s.skipRemaining > 0 { return used }
            takeApplicationData(direction, s, length: s.skipLength, frames: TLSFrames(first: s.skipFirstFrame, last: frame), time: time)
        }
        // (The side is in TLS mode: a stopped parser is never at a record boundary.)
        while bytes.count - used >= TLSRecordHeader.size, bytes[used] == TLSContentType.applicationData.rawValue {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[used...])
            guard case let .parsed(header, _) = TLSRecordHeader.parseHeader(rest) else { break }
            let whole = TLSRecordHeader.size + header.length
            guard whole <= rest.count else {
                // Count the body off as it comes, as the parser does for a protected record.
                s.skipRemaining = whole - rest.count
                s.skipLength = header.length
                s.skipFirstFrame = frame
                return bytes.count
            }
            takeApplicationData(direction, s, length: header.length, frames: TLSFrames(first: frame, last: frame), time: time)
            used += whole
        }
        return used
    }

    private func takeApplicationData(_ direction: Direction, _ s: Side, length: Int, frames: TLSFrames, time: CaptureTime) {
        take(.encrypted(TLSEncryptedRecord(
            direction: direction, kind: .applicationData, frames: frames, recordLength: length,
            plaintext: recordParameters?.plaintextSize(fragmentLength: length)
        )), direction, s, frame: frames.last, time: time)
    }

    /// One event of a side's TLS parser into the timeline.
    @inline(__always)
    func take(_ event: TLSEvent, _ direction: Direction, _ s: Side, frame: Int, time: CaptureTime) {
        switch event {
        case .record, .heartbeat:
            break
        case let .handshake(message, _):
            record(direction, .tlsHandshake(message), frame: frame, time: time)
        case .changeCipherSpec:
            record(direction, .tlsChangeCipherSpec, frame: frame, time: time)
        case let .alert(alert, _):
            record(direction, .tlsAlert(alert), frame: frame, time: time)
        case let .encrypted(r):
            s.encryptedRecords += 1
            if s.encryptedRecords <= Self.encryptedRecordsKept || r.kind == .alert {
                record(direction, .tlsEncrypted(r), frame: r.frames.last, time: time)
            }
        case let .anomaly(error, frame):
            anomaly(error.code, frame: frame, direction, detail: error.detail)
        }
    }

    // MARK: bookkeeping

    func record(_ direction: Direction, _ message: HandshakeMessage, frame: Int, time: CaptureTime) {
        // A TLS handshake alone takes about a dozen entries: start there, not at one.
        // A connection that goes on to its protected records keeps up to twice
        // `encryptedRecordsKept` more: grow once to room for them, not by doubling
        // (and not beyond: the timeline lives as long as its connection).
        if timeline.count == timeline.capacity {
            timeline.reserveCapacity(timeline.capacity == 0 ? 16
                : max(2 * timeline.capacity, timeline.count + 2 * Self.encryptedRecordsKept))
            // Only here does the storage change (appends fit until the next reserve).
            timelineStorage = unsafeBitCast(timeline, to: UInt.self)
        }
        if case let .tlsHandshake(parsed) = message {
            parsedMessages.add(UInt(bitPattern: Unmanaged.passUnretained(parsed).toOpaque()))
        }
        timeline.append(HandshakeEvent(frame: frame, time: time, direction: direction, message: message))
    }

    /// The addresses of the first TLS handshake messages in the timeline, for `prefetchObjects`
    /// (read there, they would each cost a reference count on a line not yet arrived).
    struct ParsedMessages {
        private(set) var count = 0
        /// In the dissector itself: an array would be one more allocation per connection.
        private var addresses = InlineArray<6, UInt>(repeating: 0)

        /// Notes `address` while there is room (the first messages are what a summary reads).
        mutating func add(_ address: UInt) {
            guard count < addresses.count else { return }
            addresses[count] = address
            count += 1
        }

        func prefetch(lines: Int) {
            for i in 0..<count { prefetchLines(at: addresses[i], count: lines) }
        }
    }

    func anomaly(_ code: String, frame: Int, _ direction: Direction, detail: String?) {
        if anomalies.count < 64 { anomalies.append((code, frame, direction, detail)) }
    }

    /// Stops a direction. Its buffer is released by the caller once no parse is reading it.
    func stop(_ s: Side) {
        s.mode = .stopped
    }
}
