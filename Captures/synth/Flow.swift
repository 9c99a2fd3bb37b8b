#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Capture
import TestSupport
import Wire

/// A host as the capture point sees it: address, MAC of the link it reaches
/// the capture point through, TTL on arrival, and its IPv4 identification
/// counter. Windows counts one global ID up per packet sent, so the counter
/// lives with the host and carries over from one connection to the next.
final class Host {
    let address: IPAddress
    let mac: [UInt8]
    /// TTL of this host's packets at the capture point (initial TTL minus routers crossed).
    let ttl: UInt8
    /// The IP ID of the next packet this host sends.
    var ipID: UInt16

    init(_ address: String, mac: [UInt8], ttl: UInt8, firstIPID: UInt16) {
        self.address = IPAddress(address)!
        self.mac = mac
        self.ttl = ttl
        self.ipID = firstIPID
    }

    func takeIPID() -> UInt16 {
        defer { ipID &+= 1 }
        return ipID
    }
}

/// One capture file being written: frames in time order, a clock the scenario
/// advances explicitly, and named key frames for the ground truth.
final class SynthCapture {
    let name: String
    private(set) var frames: [(time: CaptureTime, bytes: [UInt8])] = []
    private(set) var marks: [(label: String, frame: Int)] = []
    /// Capture time of the next frame, in nanoseconds since the epoch.
    var now: Int64
    var random: SplitMix64
    /// NSS key log of the capture's TLS secrets (NAME.keys), for captures that really encrypt.
    var keyLog: String?

    init(name: String, start: CaptureTime, seed: UInt64) {
        self.name = name
        self.now = start.nanoseconds
        self.random = SplitMix64(seed: seed)
    }

    /// Moves the clock forward by `microseconds`.
    func wait(_ microseconds: Double) { now += Int64(microseconds * 1000) }

    /// The 1-based number of the last frame written, as Wireshark shows it.
    var lastFrame: Int { frames.count }

    func mark(_ label: String, _ frame: Int? = nil) { marks.append((label, frame ?? lastFrame)) }

    func append(ipPacket: [UInt8], from: [UInt8], to: [UInt8]) {
        frames.append((CaptureTime(nanoseconds: now), FrameBuilder.ethernet(ipPacket, source: from, destination: to)))
    }

    func write(to path: String) throws {
        let writer = try PcapWriter(path: path, linkType: .ethernet, nanosecond: false)
        for f in frames { writer.write(time: f.time, bytes: f.bytes) }
        writer.close()
    }

    /// Writes the key log, if the capture has one, to `path`.
    func writeKeyLog(to path: String) throws {
        guard let keyLog else { return }
        guard let file = fopen(path, "w") else { throw KeyLogWriteError(path: path) }
        defer { fclose(file) }
        let bytes = Array(keyLog.utf8)
        guard fwrite(bytes, 1, bytes.count, file) == bytes.count else { throw KeyLogWriteError(path: path) }
    }
}

struct KeyLogWriteError: Error, CustomStringConvertible {
    var path: String
    var description: String { "cannot write \(path)" }
}

/// One TCP connection between a client and a server host, with each side's
/// next sequence number. Segments are written at the capture's clock; a
/// payload longer than the MSS goes out as back-to-back full segments, PSH
/// on the last (as Windows sends a large write).
final class TCPFlow {
    let capture: SynthCapture
    let client: Host
    let server: Host
    let clientEndpoint: Endpoint
    let serverEndpoint: Endpoint
    var clientNext: UInt32
    var serverNext: UInt32
    let clientISN: UInt32
    let serverISN: UInt32
    /// Windows' window after the handshake, in units of the negotiated scale (8): ~256 KiB / ~512 KiB.
    var clientWindow: UInt16 = 1026
    var serverWindow: UInt16 = 2052
    let mss = 1460
    /// Gap between back-to-back segments of one write (1500 bytes at ~1 Gbit/s).
    let serialization = 12.0

    init(_ capture: SynthCapture, client: Host, clientPort: UInt16, server: Host, serverPort: UInt16 = 3389,
         clientISN: UInt32, serverISN: UInt32) {
        self.capture = capture
        self.client = client
        self.server = server
        clientEndpoint = Endpoint(address: client.address, port: clientPort)
        serverEndpoint = Endpoint(address: server.address, port: serverPort)
        self.clientISN = clientISN
        self.serverISN = serverISN
        clientNext = clientISN
        serverNext = serverISN
    }

    /// Writes one segment. `ttl`, `ipID` and `from` (addresses and MAC) default to the
    /// claimed sender's; an in-path device forging a packet passes its own TTL and ID.
    @discardableResult
    func segment(_ side: Side, flags: TCPFlags, seq: UInt32? = nil, ack: UInt32? = nil, payload: [UInt8] = [],
                 window: UInt16? = nil, options: [UInt8] = [], ttl: UInt8? = nil, ipID: UInt16? = nil,
                 dontFragment: Bool = true, sourceMAC: [UInt8]? = nil) -> Int {
        let (host, peer) = side == .client ? (client, server) : (server, client)
        let (src, dst) = side == .client ? (clientEndpoint, serverEndpoint) : (serverEndpoint, clientEndpoint)
        let sequence = seq ?? (side == .client ? clientNext : serverNext)
        let acknowledgment = ack ?? (flags.contains(.ack) ? (side == .client ? serverNext : clientNext) : 0)
        let win = window ?? (side == .client ? clientWindow : serverWindow)
        let tcp = FrameBuilder.tcpSegment(source: src, destination: dst, sequence: sequence, acknowledgment: acknowledgment,
                                          flags: flags, window: win, rawOptions: options, payload: payload)
        let id = ipID ?? host.takeIPID()
        let fields = IPFields(ttl: ttl ?? host.ttl, identification: id, dontFragment: dontFragment)
        let packet = FrameBuilder.ipv4(source: src.address, destination: dst.address, protocolNumber: 6, fields: fields, payload: tcp)
        capture.append(ipPacket: packet, from: sourceMAC ?? host.mac, to: peer.mac)
        return capture.lastFrame
    }

    // MARK: steps

    @discardableResult
    func syn() -> Int {
        segment(.client, flags: .syn, seq: clientISN, ack: 0, window: 64240, options: TCPOptionBytes.windowsSYN())
    }

    @discardableResult
    func synAck() -> Int {
        clientNext = clientISN &+ 1
        let f = segment(.server, flags: [.syn, .ack], seq: serverISN, window: 65535, options: TCPOptionBytes.windowsSYN())
        serverNext = serverISN &+ 1
        return f
    }

    @discardableResult
    func ack(_ side: Side) -> Int { segment(side, flags: .ack) }

    /// Sends `payload` from `side`; returns the frame numbers of its segments.
    @discardableResult
    func send(_ side: Side, _ payload: [UInt8]) -> [Int] {
        var frames: [Int] = []
        var offset = 0
        while offset < payload.count {
            if offset > 0 { capture.wait(serialization) }
            let n = min(mss, payload.count - offset)
            let last = offset + n == payload.count
            frames.append(segment(side, flags: last ? [.psh, .ack] : .ack, payload: Array(payload[offset..<(offset + n)])))
            if side == .client { clientNext &+= UInt32(n) } else { serverNext &+= UInt32(n) }
            offset += n
        }
        return frames
    }

    /// Sends a long `payload` from `side` as back-to-back segments while the peer ACKs every
    /// second segment (and the last) `ackDelay` µs after it passed the capture point;
    /// data and ACKs are written in capture-time order.
    func sendAcked(_ side: Side, _ payload: [UInt8], ackDelay: Double) {
        let peer: Side = side == .client ? .server : .client
        let start = capture.now
        var events: [(time: Int64, data: Range<Int>?, ack: UInt32)] = []
        var offset = 0
        var index = 0
        let base = side == .client ? clientNext : serverNext
        while offset < payload.count {
            let n = min(mss, payload.count - offset)
            let t = start + Int64(Double(index) * serialization * 1000)
            events.append((t, offset..<(offset + n), 0))
            offset += n
            index += 1
            if index % 2 == 0 || offset == payload.count {
                events.append((t + Int64(ackDelay * 1000), nil, base &+ UInt32(offset)))
            }
        }
        // Stable: a data segment and an ACK at the same instant keep their order.
        let ordered = events.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
        for e in ordered {
            capture.now = e.time
            if let range = e.data {
                let last = range.upperBound == payload.count
                segment(side, flags: last ? [.psh, .ack] : .ack, payload: Array(payload[range]))
                if side == .client { clientNext &+= UInt32(range.count) } else { serverNext &+= UInt32(range.count) }
            } else {
                segment(peer, flags: .ack, ack: e.ack)
            }
        }
    }

    @discardableResult
    func fin(_ side: Side) -> Int {
        let f = segment(side, flags: [.fin, .ack])
        if side == .client { clientNext &+= 1 } else { serverNext &+= 1 }
        return f
    }

    /// A RST from the real host's stack: window 0, no options, its own TTL and next IP ID.
    @discardableResult
    func rst(_ side: Side, withAck: Bool = true) -> Int {
        segment(side, flags: withAck ? [.rst, .ack] : .rst, window: 0)
    }
}
