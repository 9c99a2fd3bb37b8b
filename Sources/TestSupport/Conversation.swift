import Capture
import Wire

/// The two sides of a built conversation.
public enum Side: Sendable {
    case client, server
}

/// Writes a TCP conversation packet by packet, keeping each side's sequence
/// numbers, so reassembler tests and the benchmark generator can describe
/// "handshake, 3 segments, one lost, RST from the server" in a few lines.
public struct Conversation {
    public var client: Endpoint
    public var server: Endpoint
    public var linkType: LinkType
    /// Next sequence number each side will send, and what it last acknowledged.
    public var clientSeq: UInt32
    public var serverSeq: UInt32
    public var clientIPID: UInt16 = 0x1000
    public var serverIPID: UInt16 = 0x5000
    public var clientTTL: UInt8 = 64
    public var serverTTL: UInt8 = 64
    /// Linux sends IP ID 0 with DF on connected sockets; Windows counts up.
    public var countIPID = true
    /// Time of the next packet; advanced by `gap` after each one.
    public var time: CaptureTime
    public var gap: Int64 = CaptureTime.millisecond
    public private(set) var frames: [(time: CaptureTime, bytes: [UInt8])] = []

    public init(client: Endpoint, server: Endpoint, clientISN: UInt32 = 1_000, serverISN: UInt32 = 50_000,
                linkType: LinkType = .ethernet, start: CaptureTime = CaptureTime(seconds: 1_700_000_000, nanoseconds: 0)) {
        self.client = client
        self.server = server
        self.clientSeq = clientISN
        self.serverSeq = serverISN
        self.linkType = linkType
        self.time = start
    }

    /// IPv4 client 10.0.0.1:50000 → server 10.0.0.2:3389 (or the given ports).
    public static func ipv4(clientPort: UInt16 = 50_000, serverPort: UInt16 = 3389, clientISN: UInt32 = 1_000,
                            serverISN: UInt32 = 50_000, linkType: LinkType = .ethernet) -> Conversation {
        Conversation(client: Endpoint(address: IPAddress("10.0.0.1")!, port: clientPort),
                     server: Endpoint(address: IPAddress("10.0.0.2")!, port: serverPort),
                     clientISN: clientISN, serverISN: serverISN, linkType: linkType)
    }

    public static func ipv6(clientPort: UInt16 = 50_000, serverPort: UInt16 = 3389) -> Conversation {
        Conversation(client: Endpoint(address: IPAddress("2001:db8::1")!, port: clientPort),
                     server: Endpoint(address: IPAddress("2001:db8::2")!, port: serverPort))
    }

    // MARK: raw segments

    /// Appends one segment from `side` with explicit fields; does not move the sequence counters.
    public mutating func segment(_ side: Side, sequence: UInt32, acknowledgment: UInt32? = nil, flags: TCPFlags,
                                 payload: [UInt8] = [], window: UInt16 = 64240, options: BuiltTCPOptions = BuiltTCPOptions(),
                                 ttl: UInt8? = nil, ipID: UInt16? = nil, dontFragment: Bool = true, at: CaptureTime? = nil) {
        let (from, to) = side == .client ? (client, server) : (server, client)
        let ack = acknowledgment ?? (side == .client ? serverSeq : clientSeq)
        let tcp = FrameBuilder.tcpSegment(source: from, destination: to, sequence: sequence, acknowledgment: ack,
                                          flags: flags, window: window, options: options, payload: payload)
        let id: UInt16
        if let ipID {
            id = ipID
        } else if side == .client {
            id = countIPID ? clientIPID : 0
            clientIPID &+= 1
        } else {
            id = countIPID ? serverIPID : 0
            serverIPID &+= 1
        }
        let fields = IPFields(ttl: ttl ?? (side == .client ? clientTTL : serverTTL), identification: id, dontFragment: dontFragment)
        let packet = FrameBuilder.ip(source: from.address, destination: to.address, protocolNumber: 6, fields: fields, transport: tcp)
        appendIP(packet, at: at)
    }

    /// Appends an already built IP packet (e.g. an ICMP error) wrapped for the link type.
    public mutating func appendIP(_ packet: [UInt8], at: CaptureTime? = nil) {
        if let at { time = at }
        frames.append((time, FrameBuilder.frame(packet, linkType: linkType)))
        time = time.adding(nanoseconds: gap)
    }

    // MARK: conversation steps

    /// SYN, SYN-ACK, ACK with Linux-style options.
    public mutating func handshake(mss: UInt16 = 1460) {
        syn()
        synAck(mss: mss)
        ack(.client)
    }

    public mutating func syn(options: BuiltTCPOptions = .linuxSYN()) {
        segment(.client, sequence: clientSeq, acknowledgment: 0, flags: .syn, options: options)
    }

    public mutating func synAck(mss: UInt16 = 1460, options: BuiltTCPOptions? = nil) {
        clientSeq &+= 1
        segment(.server, sequence: serverSeq, acknowledgment: clientSeq, flags: [.syn, .ack], options: options ?? .linuxSYN(mss: mss, tsval: 2000))
        serverSeq &+= 1
    }

    public mutating func ack(_ side: Side) {
        segment(side, sequence: side == .client ? clientSeq : serverSeq, flags: .ack)
    }

    /// Sends `payload` in one segment from `side` and advances its sequence.
    public mutating func send(_ side: Side, _ payload: [UInt8], flags: TCPFlags = [.psh, .ack]) {
        let seq = side == .client ? clientSeq : serverSeq
        segment(side, sequence: seq, flags: flags, payload: payload)
        advance(side, by: payload.count)
    }

    /// Advances `side`'s sequence without writing a packet (a lost segment).
    public mutating func advance(_ side: Side, by count: Int) {
        if side == .client { clientSeq &+= UInt32(truncatingIfNeeded: count) } else { serverSeq &+= UInt32(truncatingIfNeeded: count) }
    }

    public mutating func fin(_ side: Side) {
        let seq = side == .client ? clientSeq : serverSeq
        segment(side, sequence: seq, flags: [.fin, .ack])
        advance(side, by: 1)
    }

    public mutating func rst(_ side: Side, withAck: Bool = true, ttl: UInt8? = nil, ipID: UInt16? = nil) {
        let seq = side == .client ? clientSeq : serverSeq
        segment(side, sequence: seq, flags: withAck ? [.rst, .ack] : .rst, ttl: ttl, ipID: ipID)
    }

    // MARK: output

    public func memoryInput(name: String = "<memory>") -> MemoryInput {
        MemoryInput(name: name, linkType: linkType, frames: frames)
    }

    /// Conversations (on their own ports) interleaved by time into one input, as a
    /// capture of several connections at once is; frames at the same time keep their order.
    public static func interleaved(_ conversations: [Conversation], name: String = "<memory>") -> MemoryInput {
        let frames = conversations.flatMap(\.frames).enumerated()
            .sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
        return MemoryInput(name: name, linkType: conversations.first?.linkType ?? .ethernet, frames: frames)
    }

    /// Writes the frames to a pcap file through libpcap's dump API.
    public func write(to path: String) throws {
        let writer = try PcapWriter(path: path, linkType: linkType)
        for frame in frames { writer.write(time: frame.time, bytes: frame.bytes) }
        writer.close()
    }
}
