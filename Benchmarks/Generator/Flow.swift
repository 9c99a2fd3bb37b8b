import Capture
import TestSupport
import Wire

/// The two ends of a TCP flow (the client sent the SYN).
enum Peer: Int {
    case client = 0, server = 1
    var other: Peer { self == .client ? .server : .client }
}

/// A host as the generator models it: its address, and the IP-level habits that an
/// analyzer judging resets looks at (initial TTL minus hops, IP ID behaviour, TCP options).
struct Host {
    var address: IPAddress
    var mac: UInt64
    /// TTL as seen at the capture point (initial TTL minus hops).
    var ttl: UInt8
    /// Windows counts one IP ID per host across all flows; Linux counts per socket.
    var windows: Bool
    var ipID: UInt16
    /// Linux stacks use TCP timestamps; Windows does not by default.
    var timestamps: Bool { !windows }
}

/// Bytes that one side hands to TCP in one go: a length, with literal pieces (protocol
/// headers, handshake messages) laid over pseudo-random filler (encrypted or opaque data).
final class Write {
    struct Piece {
        let offset: Int
        let bytes: [UInt8]
    }

    let length: Int
    let pieces: [Piece]
    /// Stream offset (from the ISN + 1) of the first byte; set when the write is expanded.
    var start: UInt64 = 0

    init(length: Int, pieces: [Piece]) {
        self.length = length
        self.pieces = pieces
    }
}

struct WriteBuilder {
    private(set) var length = 0
    private var pieces: [Write.Piece] = []

    mutating func literal(_ bytes: [UInt8]) {
        pieces.append(Write.Piece(offset: length, bytes: bytes))
        length += bytes.count
    }

    mutating func filler(_ count: Int) { length += count }

    /// A TLS record header (type, TLS 1.2) and `body` bytes of filler.
    mutating func tlsRecord(type: UInt8, body: Int) {
        literal([type, 3, 3, UInt8(truncatingIfNeeded: body >> 8), UInt8(truncatingIfNeeded: body)])
        filler(body)
    }

    /// Application data of `plaintext` bytes in AES-GCM records: each record carries an
    /// 8-byte explicit nonce and a 16-byte tag (24 bytes of overhead) and at most 16 KiB.
    mutating func applicationData(plaintext: Int) {
        var left = plaintext
        repeat {
            let chunk = min(left, 16_384)
            tlsRecord(type: 0x17, body: chunk + 24)
            left -= chunk
        } while left > 0
    }

    func build() -> Write { Write(length: length, pieces: pieces) }
}

enum ConnectMode {
    /// Three-way handshake, after `lostSYNs` SYNs that went unanswered.
    case normal(lostSYNs: Int)
    /// SYNs with exponential backoff and no reply (firewall drop, host down).
    case unanswered(attempts: Int)
    /// Each SYN answered by RST/ACK (nothing listening); Windows clients retry.
    case refused(attempts: Int)
    /// SYN answered by SYN/ACK, never acknowledged (scanner, client gone).
    case halfOpen
}

/// One step of a flow's script. Scripts are built when a flow starts; each action is
/// expanded into packets only when the flow reaches it, so long flows stay small.
enum Action {
    case connect(ConnectMode)
    /// `think`: application time on top of the network delay (user, crypto, disk).
    case write(Peer, Write, think: Int64)
    /// FIN from `first`, FIN/ACK from the other side, last ACK.
    case close(first: Peer, think: Int64)
    case reset(Peer, think: Int64)
    /// The last write of `Peer` is retransmitted with backoff and nothing else happens.
    case stall(Peer, retries: Int)
    /// An in-path device resets both sides after the ClientHello; the server's real
    /// reply (`serverReply`) races the reset, and the client's stack answers it with RST.
    case forgedResets(serverReply: Write, injectorTTL: UInt8)
    /// `receiver` advertises a zero window for `duration`; the sender probes.
    case zeroWindow(receiver: Peer, duration: Int64)
    case pause(Int64)
    /// A UDP datagram (DNS); the flow's ports are reused, TCP state is untouched.
    case datagram(Peer, [UInt8], think: Int64)
}

/// One packet to send, with its delay after the flow's previous packet.
struct Spec {
    enum Kind: UInt8 { case plain, syn, forged, udp }

    var peer: Peer
    var kind: Kind = .plain
    var flags: UInt8
    var sequence: UInt32
    var acknowledgment: UInt32
    var window: UInt16
    var write: Write? = nil
    var offset = 0
    var length = 0
    var delay: Int64
    var ttl: UInt8 = 0
    var ipID: UInt16 = 0
    var datagram: [UInt8] = []
}

enum TCPFlag {
    static let fin: UInt8 = 0x01, syn: UInt8 = 0x02, rst: UInt8 = 0x04, psh: UInt8 = 0x08, ack: UInt8 = 0x10
}

/// What a flow counts as in the summary and in the gateway mix's byte budget.
enum Category: Int {
    case rdp = 0, otherTCP = 1, udp = 2
}

/// Network timing of one flow, seen from a capture point near the client.
struct Timing {
    var rtt: Int64
    /// Serialisation time per byte (link speed).
    var nanosecondsPerByte: Int64
    var clientThink: ClosedRange<Int64>
    var serverThink: ClosedRange<Int64>
    var retransmission: Double = 0
    var reorder: Double = 0
}

final class Flow {
    let category: Category
    let client: Int
    let server: Int
    let clientPort: UInt16
    let serverPort: UInt16
    let mss: Int
    let timing: Timing
    var rng: Xoshiro256

    private var isn: (UInt32, UInt32)
    private var nextSequence: (UInt32, UInt32)
    private var streamOffset: (UInt64, UInt64) = (0, 0)
    private let fillerKey: (UInt64, UInt64)
    private var window: (UInt16, UInt16)
    private var flowIPID: (UInt16, UInt16)
    private var timestamps: Bool
    private var tsBase: (UInt32, UInt32)
    private var lastTS: (UInt32, UInt32) = (0, 0)
    private var lastWrite: (Write?, Write?) = (nil, nil)
    private var lastWriteSequence: (UInt32, UInt32) = (0, 0)
    private var lastPeer: Peer?
    /// Delay of a `pause` action, added to the next packet.
    private var carriedDelay: Int64 = 0

    private let actions: [Action]
    private var actionIndex = 0
    private var specs: [Spec] = []
    private var specIndex = 0

    /// The packet to send next and when (set by the scheduler).
    var pending: Spec?
    var nextTime: Int64 = 0
    /// Packets still to be left out: the capture started after this flow did.
    var silent = 0

    init(category: Category, client: Int, server: Int, clientPort: UInt16, serverPort: UInt16, mss: Int,
         timing: Timing, timestamps: Bool, actions: [Action], rng: inout Xoshiro256) {
        self.category = category
        self.client = client
        self.server = server
        self.clientPort = clientPort
        self.serverPort = serverPort
        self.mss = mss
        self.timing = timing
        self.actions = actions
        self.timestamps = timestamps
        self.rng = Xoshiro256(seed: rng.next())
        let a = UInt32(truncatingIfNeeded: self.rng.next()), b = UInt32(truncatingIfNeeded: self.rng.next())
        isn = (a, b)
        nextSequence = (a, b)
        fillerKey = (self.rng.next(), self.rng.next())
        window = (UInt16(self.rng.int(256...1026)), UInt16(self.rng.int(256...1026)))  // scaled by 2^8
        flowIPID = (UInt16(truncatingIfNeeded: self.rng.next()), UInt16(truncatingIfNeeded: self.rng.next()))
        tsBase = (UInt32(truncatingIfNeeded: self.rng.next()), UInt32(truncatingIfNeeded: self.rng.next()))
    }

    // MARK: per-side state

    @inline(__always) private func seq(_ p: Peer) -> UInt32 { p == .client ? nextSequence.0 : nextSequence.1 }
    @inline(__always) private func advance(_ p: Peer, _ n: Int) {
        if p == .client { nextSequence.0 &+= UInt32(truncatingIfNeeded: n) } else { nextSequence.1 &+= UInt32(truncatingIfNeeded: n) }
    }
    @inline(__always) private func win(_ p: Peer) -> UInt16 { p == .client ? window.0 : window.1 }

    private func think(_ p: Peer) -> Int64 {
        rng.int64(p == .client ? timing.clientThink : timing.serverThink)
    }

    /// Delay before `p` sends in reply to the other side. The capture point is near the
    /// client, so the server's replies appear a round trip later, the client's at once.
    private func respond(_ p: Peer) -> Int64 {
        p == .server ? timing.rtt + think(.server) : think(.client)
    }

    private func ackDelay(_ receiver: Peer) -> Int64 {
        receiver == .server ? timing.rtt + rng.int64(20_000...200_000) : rng.int64(20_000...400_000)
    }

    private func serialisation(_ bytes: Int) -> Int64 {
        Int64(bytes + 54) * timing.nanosecondsPerByte + rng.int64(0...2_000)
    }

    // MARK: expansion

    /// The next packet of the script, or nil when the flow is over.
    func nextSpec() -> Spec? {
        while specIndex == specs.count {
            guard actionIndex < actions.count else { return nil }
            specs.removeAll(keepingCapacity: true)
            specIndex = 0
            expand(actions[actionIndex])
            actionIndex += 1
        }
        var s = specs[specIndex]
        s.delay += carriedDelay
        carriedDelay = 0
        specIndex += 1
        if specIndex == specs.count { specs.removeAll(keepingCapacity: true); specIndex = 0 }
        lastPeer = s.peer
        return s
    }

    private func plain(_ p: Peer, _ flags: UInt8, delay: Int64, sequence: UInt32? = nil) -> Spec {
        Spec(peer: p, flags: flags, sequence: sequence ?? seq(p), acknowledgment: flags & TCPFlag.ack != 0 ? seq(p.other) : 0,
             window: win(p), delay: delay)
    }

    private func expand(_ action: Action) {
        switch action {
        case let .connect(mode):
            expandConnect(mode)
        case let .write(p, w, think):
            expandWrite(p, w, think: think)
        case let .close(first, extra):
            specs.append(plain(first, TCPFlag.fin | TCPFlag.ack, delay: extra + respond(first)))
            advance(first, 1)
            specs.append(plain(first.other, TCPFlag.fin | TCPFlag.ack, delay: respond(first.other)))
            advance(first.other, 1)
            specs.append(plain(first, TCPFlag.ack, delay: respond(first)))
        case let .reset(p, extra):
            specs.append(plain(p, TCPFlag.rst | TCPFlag.ack, delay: extra + respond(p)))
        case let .stall(p, retries):
            guard let w = p == .client ? lastWrite.0 : lastWrite.1 else { return }
            let base = p == .client ? lastWriteSequence.0 : lastWriteSequence.1
            var rto = max(300 * 1_000_000, 3 * timing.rtt)
            for _ in 0..<retries {
                var s = plain(p, TCPFlag.psh | TCPFlag.ack, delay: rto, sequence: base)
                s.write = w
                s.length = min(mss, w.length)
                specs.append(s)
                rto *= 2
            }
        case let .forgedResets(reply, injectorTTL):
            // The injector copies sequence numbers it saw; its TTL and IP ID are its own.
            var toClient = plain(.server, TCPFlag.rst | TCPFlag.ack, delay: rng.int64(200_000...2_000_000))
            toClient.kind = .forged
            toClient.ttl = injectorTTL
            toClient.ipID = rng.chance(0.5) ? 0 : UInt16(truncatingIfNeeded: rng.next())
            specs.append(toClient)
            var toServer = plain(.client, TCPFlag.rst | TCPFlag.ack, delay: rng.int64(1_000...20_000))
            toServer.kind = .forged
            toServer.ttl = injectorTTL
            toServer.ipID = toClient.ipID
            specs.append(toServer)
            // The real server did not see a reset in time and answers the ClientHello.
            expandWrite(.server, reply, think: 0, acknowledged: false)
            // The client's stack no longer knows the connection: RST without ACK.
            specs.append(plain(.client, TCPFlag.rst, delay: rng.int64(20_000...100_000)))
        case let .zeroWindow(receiver, duration):
            var zero = plain(receiver, TCPFlag.ack, delay: ackDelay(receiver))
            zero.window = 0
            specs.append(zero)
            var probeDelay: Int64 = 200_000_000
            var elapsed: Int64 = 0
            while elapsed + probeDelay < duration {
                let sender = receiver.other
                specs.append(plain(sender, TCPFlag.ack, delay: probeDelay, sequence: seq(sender) &- 1))
                var again = plain(receiver, TCPFlag.ack, delay: ackDelay(receiver))
                again.window = 0
                specs.append(again)
                elapsed += probeDelay
                probeDelay *= 2
            }
            specs.append(plain(receiver, TCPFlag.ack, delay: max(1_000_000, duration - elapsed)))
        case let .pause(d):
            carriedDelay += d
        case let .datagram(p, bytes, extra):
            var s = Spec(peer: p, kind: .udp, flags: 0, sequence: 0, acknowledgment: 0, window: 0, delay: extra + respond(p))
            s.datagram = bytes
            specs.append(s)
        }
    }

    private func expandConnect(_ mode: ConnectMode) {
        func syn(delay: Int64) -> Spec {
            Spec(peer: .client, kind: .syn, flags: TCPFlag.syn, sequence: isn.0, acknowledgment: 0, window: 64240, delay: delay)
        }
        func synAck(delay: Int64) -> Spec {
            Spec(peer: .server, kind: .syn, flags: TCPFlag.syn | TCPFlag.ack, sequence: isn.1, acknowledgment: isn.0 &+ 1,
                 window: 65535, delay: delay)
        }
        switch mode {
        case let .normal(lost):
            var backoff: Int64 = 1_000_000_000
            specs.append(syn(delay: 0))
            for _ in 0..<lost {
                specs.append(syn(delay: backoff))
                backoff *= 2
            }
            specs.append(synAck(delay: timing.rtt + rng.int64(10_000...300_000)))
            advance(.client, 1)
            advance(.server, 1)
            specs.append(plain(.client, TCPFlag.ack, delay: rng.int64(10_000...200_000)))
        case let .unanswered(attempts):
            var backoff: Int64 = 1_000_000_000
            specs.append(syn(delay: 0))
            for _ in 1..<max(1, attempts) {
                specs.append(syn(delay: backoff))
                backoff *= 2
            }
        case let .refused(attempts):
            for i in 0..<max(1, attempts) {
                specs.append(syn(delay: i == 0 ? 0 : rng.int64(400_000_000...600_000_000)))
                specs.append(Spec(peer: .server, flags: TCPFlag.rst | TCPFlag.ack, sequence: 0, acknowledgment: isn.0 &+ 1,
                                  window: 0, delay: timing.rtt + rng.int64(10_000...100_000)))
            }
        case .halfOpen:
            specs.append(syn(delay: 0))
            var backoff: Int64 = 1_000_000_000
            specs.append(synAck(delay: timing.rtt))
            for _ in 0..<2 {
                specs.append(synAck(delay: backoff))
                backoff *= 2
            }
        }
    }

    /// `acknowledged`: false when the receiver's stack no longer knows the connection (it reset).
    private func expandWrite(_ p: Peer, _ w: Write, think extra: Int64, acknowledged: Bool = true) {
        w.start = p == .client ? streamOffset.0 : streamOffset.1
        let base = seq(p)
        if p == .client { lastWrite.0 = w; lastWriteSequence.0 = base } else { lastWrite.1 = w; lastWriteSequence.1 = base }
        let receiver = p.other
        let first = specs.count
        var offset = 0
        var segments = 0
        var retransmit: (spec: Spec, after: Int)?
        var heldAck: UInt32?
        var previousPeer = specs.last?.peer ?? lastPeer
        while offset < w.length {
            let length = min(mss, w.length - offset)
            let last = offset + length == w.length
            let delay = segments == 0 ? extra + (previousPeer == p ? serialisation(length) : respond(p)) : serialisation(length)
            var s = Spec(peer: p, flags: TCPFlag.ack | (last ? TCPFlag.psh : 0), sequence: base &+ UInt32(truncatingIfNeeded: offset),
                         acknowledgment: seq(receiver), window: win(p), delay: delay)
            s.write = w
            s.offset = offset
            s.length = length
            specs.append(s)
            previousPeer = p
            offset += length
            segments += 1
            if retransmit == nil && timing.retransmission > 0 && rng.chance(timing.retransmission) {
                // Lost after the capture point: the receiver's ACKs stop at this segment (duplicate
                // ACKs) until the retransmission, which comes after a fast-retransmit delay.
                var copy = s
                copy.delay = timing.rtt + rng.int64(100_000...2_000_000)
                retransmit = (copy, 2)
                heldAck = s.sequence
            } else if let r = retransmit {
                if r.after <= 1 {
                    specs.append(r.spec)
                    retransmit = nil
                    heldAck = nil
                } else {
                    retransmit = (r.spec, r.after - 1)
                }
            }
            // Delayed ACK: every second full segment, and (sometimes) after the last one.
            if acknowledged && (segments % 2 == 0 || (last && (segments > 1 || rng.chance(0.3)))) {
                specs.append(Spec(peer: receiver, flags: TCPFlag.ack, sequence: seq(receiver),
                                  acknowledgment: heldAck ?? base &+ UInt32(truncatingIfNeeded: offset), window: win(receiver),
                                  delay: ackDelay(receiver)))
                previousPeer = receiver
            }
        }
        if var r = retransmit?.spec {
            r.delay = max(200_000_000, 2 * timing.rtt)  // the tail segment waits for the RTO
            specs.append(r)
            specs.append(Spec(peer: receiver, flags: TCPFlag.ack, sequence: seq(receiver),
                              acknowledgment: base &+ UInt32(truncatingIfNeeded: w.length), window: win(receiver),
                              delay: ackDelay(receiver)))
        }
        // Reordering: a segment delivered after its successor (swap the payloads, keep the timing).
        if timing.reorder > 0 && specs.count - first >= 2 {
            var i = first
            while i + 1 < specs.count {
                if specs[i].peer == p, specs[i + 1].peer == p, specs[i].length > 0, specs[i + 1].length > 0,
                   specs[i + 1].sequence != specs[i].sequence, rng.chance(timing.reorder) {
                    let d0 = specs[i].delay, d1 = specs[i + 1].delay
                    specs.swapAt(i, i + 1)
                    specs[i].delay = d0
                    specs[i + 1].delay = d1
                    specs[i].flags = TCPFlag.ack | (specs[i].flags & TCPFlag.psh)
                    i += 2
                } else {
                    i += 1
                }
            }
        }
        advance(p, w.length)
        if p == .client { streamOffset.0 += UInt64(w.length) } else { streamOffset.1 += UInt64(w.length) }
    }

    // MARK: emission

    /// Writes `s` at `time`; returns the file bytes written (0 while the flow is silent).
    func emit(_ s: Spec, time: Int64, hosts: inout [Host], output: Output) -> Int {
        let (src, dst) = s.peer == .client ? (client, server) : (server, client)
        let ipID: UInt16
        let ttl: UInt8
        if s.kind == .forged {
            ipID = s.ipID
            ttl = s.ttl
        } else {
            ttl = hosts[src].ttl
            if hosts[src].windows {
                hosts[src].ipID &+= 1
                ipID = hosts[src].ipID
            } else if s.peer == .client {
                flowIPID.0 &+= 1
                ipID = flowIPID.0
            } else {
                flowIPID.1 &+= 1
                ipID = flowIPID.1
            }
        }
        if silent > 0 {
            silent -= 1
            return 0
        }
        let (sourcePort, destinationPort) = s.peer == .client ? (clientPort, serverPort) : (serverPort, clientPort)
        let before = output.fileBytes
        if s.kind == .udp {
            let udp = FrameBuilder.udpDatagram(source: Endpoint(address: hosts[src].address, port: sourcePort),
                                               destination: Endpoint(address: hosts[dst].address, port: destinationPort),
                                               payload: s.datagram)
            let packet = FrameBuilder.ip(source: hosts[src].address, destination: hosts[dst].address, protocolNumber: 17,
                                         fields: IPFields(ttl: ttl, identification: ipID, dontFragment: false), transport: udp)
            output.emit(time: time, bytes: FrameBuilder.ethernet(packet, source: macBytes(hosts[src].mac),
                                                                 destination: macBytes(hosts[dst].mac)))
            return output.fileBytes - before
        }
        if s.kind == .syn {
            emitSYN(s, time: time, from: hosts[src], to: hosts[dst], ttl: ttl, ipID: ipID, output: output)
            return output.fileBytes - before
        }
        var ts: (UInt32, UInt32)?
        if timestamps && s.flags & TCPFlag.rst == 0 {
            let value = (s.peer == .client ? tsBase.0 : tsBase.1) &+ UInt32(truncatingIfNeeded: time / 1_000_000)
            if s.peer == .client { lastTS.0 = value; ts = (value, lastTS.1) } else { lastTS.1 = value; ts = (value, lastTS.0) }
        }
        let key = s.peer == .client ? fillerKey.0 : fillerKey.1
        output.tcp(time: time, from: hosts[src], to: hosts[dst], sourcePort: sourcePort, destinationPort: destinationPort,
                   ttl: ttl, ipID: ipID, sequence: s.sequence, acknowledgment: s.acknowledgment, flags: s.flags,
                   window: s.window, timestamps: ts, payloadLength: s.length) { p in
            guard let w = s.write else { return }
            fillFiller(p, key: key, offset: w.start &+ UInt64(s.offset), count: s.length)
            let lo = s.offset, hi = s.offset + s.length
            for piece in w.pieces {
                let a = max(lo, piece.offset), b = min(hi, piece.offset + piece.bytes.count)
                if a < b {
                    piece.bytes.withUnsafeBytes { src in
                        (p + (a - lo)).copyMemory(from: src.baseAddress! + (a - piece.offset), byteCount: b - a)
                    }
                }
            }
        }
        return output.fileBytes - before
    }

    /// SYN and SYN/ACK carry options, so they go through `FrameBuilder` (rare packets).
    private func emitSYN(_ s: Spec, time: Int64, from: Host, to: Host, ttl: UInt8, ipID: UInt16, output: Output) {
        let fromServer = s.peer == .server
        var options: BuiltTCPOptions
        let tsval = (fromServer ? tsBase.1 : tsBase.0) &+ UInt32(truncatingIfNeeded: time / 1_000_000)
        let synMSS = UInt16(mss)
        if fromServer {
            options = from.windows ? .windowsSYN(mss: synMSS) : .linuxSYN(mss: synMSS, tsval: tsval)
            if timestamps { options.timestamps = (tsval, lastTS.0) } else { options.timestamps = nil }
            lastTS.1 = tsval
        } else {
            options = from.windows ? .windowsSYN(mss: synMSS) : .linuxSYN(mss: synMSS, tsval: tsval)
            lastTS.0 = tsval
        }
        let source = Endpoint(address: from.address, port: fromServer ? serverPort : clientPort)
        let destination = Endpoint(address: to.address, port: fromServer ? clientPort : serverPort)
        let segment = FrameBuilder.tcpSegment(source: source, destination: destination, sequence: s.sequence,
                                              acknowledgment: s.acknowledgment, flags: TCPFlags(rawValue: UInt16(s.flags)),
                                              window: s.window, options: options)
        let packet = FrameBuilder.ip(source: from.address, destination: to.address, protocolNumber: 6,
                                     fields: IPFields(ttl: ttl, identification: ipID, dontFragment: true), transport: segment)
        output.emit(time: time, bytes: FrameBuilder.ethernet(packet, source: macBytes(from.mac), destination: macBytes(to.mac)))
    }
}
