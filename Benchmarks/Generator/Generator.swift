import Wire

/// The three benchmark captures.
enum CaptureKind: String, CaseIterable {
    /// Tens of thousands of short RDP connections, hundreds open at once, with failures.
    case rdpHeavy = "rdp-heavy"
    /// ~95% of bytes in HTTPS/HTTP/DNS and odd TCP, ~5% RDP, interleaved.
    case gatewayMix = "gateway-mix"
    /// A few hundred long RDP-over-TLS connections carrying megabytes each.
    case bulk
}

struct GeneratorSummary {
    var kind: CaptureKind
    var packets = 0
    var bytes = 0
    /// TCP connections started (SYN seen or in progress at the capture start), by category.
    var rdpConnections = 0
    var otherTCPConnections = 0
    var udpFlows = 0
    /// File bytes per category (RDP, other TCP, UDP), frames and pcap record headers included.
    var categoryBytes = [0, 0, 0]
    var firstTime: Int64 = 0
    var lastTime: Int64 = 0

    var connections: Int { rdpConnections + otherTCPConnections }

    var line: String {
        let rdpShare = bytes > 0 ? Double(categoryBytes[0]) * 100 / Double(bytes) : 0
        let seconds = Double(lastTime - firstTime) / 1e9
        return "\(kind.rawValue): \(packets) packets, \(bytes) bytes, \(connections) connections "
            + "(\(rdpConnections) RDP, \(otherTCPConnections) other TCP, \(udpFlows) UDP flows; "
            + "RDP \(Int(rdpShare.rounded()))% of bytes; \(Int(seconds.rounded())) s of capture time)"
    }
}

/// Writes a capture of `kind` to `path`, stopping once the file holds `targetBytes`.
/// Everything derives from `seed`: the same seed and size give the same file.
func generateCapture(kind: CaptureKind, targetBytes: Int, seed: UInt64, path: String) throws -> GeneratorSummary {
    let output = try Output(path: path)
    var world = World(kind: kind, seed: seed)
    var summary = GeneratorSummary(kind: kind)
    let start: Int64 = 1_796_115_600 * 1_000_000_000  // 2026-12-01T09:00:00Z, inside the certificates' validity
    summary.firstTime = start

    var flows: [Flow?] = []
    var freeSlots: [Int] = []
    var heap = TimeHeap()

    func spawn(at time: Int64, initial: Bool) {
        guard let flow = world.makeFlow(initial: initial, written: summary.categoryBytes) else { return }
        switch flow.category {
        case .rdp: summary.rdpConnections += 1
        case .otherTCP: summary.otherTCPConnections += 1
        case .udp: summary.udpFlows += 1
        }
        guard let first = flow.nextSpec() else { return }
        flow.pending = first
        flow.nextTime = time
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            flows[slot] = flow
        } else {
            slot = flows.count
            flows.append(flow)
        }
        heap.push(time: time, slot: slot)
    }

    // The capture starts with flows already under way (some mid-stream), spread over a second.
    for _ in 0..<world.concurrency {
        spawn(at: start + world.rng.int64(0...1_000_000_000), initial: true)
    }
    while output.fileBytes < targetBytes, let (time, slot) = heap.pop() {
        guard let flow = flows[slot], let spec = flow.pending else { continue }
        let written = flow.emit(spec, time: time, hosts: &world.hosts, output: output)
        summary.categoryBytes[flow.category.rawValue] += written
        if let next = flow.nextSpec() {
            flow.pending = next
            flow.nextTime = time + max(1, next.delay)
            heap.push(time: flow.nextTime, slot: slot)
        } else {
            flows[slot] = nil
            freeSlots.append(slot)
            spawn(at: time + world.rng.int64(world.arrivalGap), initial: false)
        }
    }
    output.close()
    summary.packets = output.packets
    summary.bytes = output.fileBytes
    summary.lastTime = output.lastTime
    return summary
}

/// Hosts, addresses and the mix of flows for one capture kind.
struct World {
    let kind: CaptureKind
    var rng: Xoshiro256
    var hosts: [Host] = []
    private var clients: [Int] = []
    private var clients6: [Int] = []
    private var rdpServers: [Int] = []
    private var rdpServers6: [Int] = []
    private var webServers: [Int] = []
    private var dnsServers: [Int] = []
    private var serverProfiles: [Int: Scripts.Server] = [:]
    /// Next ephemeral port per host (Windows and Linux both count up).
    private var nextPort: [UInt16] = []
    /// Planned bytes by category, to hold the gateway mix at ~5% RDP.
    private var planned = [0, 0, 0]

    let concurrency: Int
    let arrivalGap: ClosedRange<Int64>

    init(kind: CaptureKind, seed: UInt64) {
        self.kind = kind
        rng = Xoshiro256(seed: seed ^ 0x5244_5044_4941_4721)  // "RDPDIAG!"
        let clientCount: Int, rdpCount: Int
        switch kind {
        case .rdpHeavy:
            clientCount = 2_500; rdpCount = 60
            concurrency = 400; arrivalGap = 0...20_000_000
        case .gatewayMix:
            clientCount = 3_000; rdpCount = 30
            concurrency = 800; arrivalGap = 0...10_000_000
        case .bulk:
            clientCount = 200; rdpCount = 16
            concurrency = 48; arrivalGap = 0...500_000_000
        }
        for i in 0..<clientCount {
            let v6 = i % 10 == 9
            let windows = rng.chance(kind == .gatewayMix ? 0.7 : 0.8)
            let address = v6 ? IPAddress(ipv6High: 0x2001_0DB8_0001_0000, low: UInt64(i + 1))
                : IPAddress(ipv4: 0x0A01_0000 | UInt32(i / 250) << 8 | UInt32(i % 250 + 2))
            let index = addHost(address, windows: windows, ttl: windows ? 128 : 64)
            if v6 { clients6.append(index) } else { clients.append(index) }
        }
        for i in 0..<rdpCount {
            let v6 = i % 10 == 9
            let windows = !rng.chance(0.1)  // a few xrdp servers
            let address = v6 ? IPAddress(ipv6High: 0x2001_0DB8_0020_0000, low: UInt64(i + 1))
                : IPAddress(ipv4: 0x0A14_0000 | UInt32(i + 10))
            let hops = UInt8(rng.int(1...8))
            let index = addHost(address, windows: windows, ttl: (windows ? 128 : 64) - hops)
            if v6 { rdpServers6.append(index) } else { rdpServers.append(index) }
            let bits = rng.pick([50, 30, 20])
            serverProfiles[index] = Scripts.Server(certificate: Certificates.der[bits], rsaLength: [256, 384, 512][bits],
                                                   ecdhe: rng.chance(0.7))
        }
        if kind == .gatewayMix {
            let firstOctets: [UInt32] = [13, 20, 23, 34, 35, 52, 104, 142, 151, 185, 199]
            for i in 0..<4_000 {
                let v6 = i % 8 == 7
                let address = v6 ? IPAddress(ipv6High: 0x2A00_1450_4001_0800 &+ UInt64(i), low: UInt64(rng.int(1...65_535)))
                    : IPAddress(ipv4: rng.element(firstOctets) << 24 | UInt32(truncatingIfNeeded: rng.next() & 0xFF_FFFF))
                let index = addHost(address, windows: false, ttl: 64 - UInt8(rng.int(5...20)))
                webServers.append(index)
                let bits = rng.pick([70, 20, 10])
                serverProfiles[index] = Scripts.Server(certificate: Certificates.der[bits], rsaLength: [256, 384, 512][bits], ecdhe: true)
            }
            for i in 0..<3 {
                dnsServers.append(addHost(IPAddress(ipv4: 0x0A00_0035 + UInt32(i) << 8), windows: true, ttl: 127))
            }
        }
    }

    private mutating func addHost(_ address: IPAddress, windows: Bool, ttl: UInt8) -> Int {
        hosts.append(Host(address: address, mac: 0x0200_0000_0000 | UInt64(hosts.count + 1), ttl: ttl, windows: windows,
                          ipID: UInt16(truncatingIfNeeded: rng.next())))
        nextPort.append(UInt16(rng.int(49_152...65_000)))
        return hosts.count - 1
    }

    private mutating func ephemeralPort(_ host: Int) -> UInt16 {
        let p = nextPort[host]
        nextPort[host] = p >= 65_535 ? 49_152 : p + 1
        return p
    }

    /// Picks a client and a server of the same address family.
    private mutating func pair(_ servers4: [Int], _ servers6: [Int]) -> (Int, Int) {
        if !clients6.isEmpty && !servers6.isEmpty && rng.chance(0.1) {
            return (rng.element(clients6), rng.element(servers6))
        }
        return (rng.element(clients), rng.element(servers4))
    }

    private mutating func timing(rtt: ClosedRange<Int>, retransmission: Double, reorder: Double) -> Timing {
        Timing(rtt: Int64(rng.logUniform(rtt)) * 1_000, nanosecondsPerByte: Int64(rng.logUniform(8...400)),
               clientThink: 50_000...2_000_000, serverThink: 100_000...3_000_000,
               retransmission: retransmission, reorder: reorder)
    }

    /// A new flow; `written` is the file bytes so far per category (RDP, other TCP, UDP).
    mutating func makeFlow(initial: Bool, written: [Int]) -> Flow? {
        switch kind {
        case .rdpHeavy:
            let outcome = Scripts.RDPOutcome.allCases[rng.pick(Scripts.RDPOutcome.weights)]
            return rdpFlow(outcome: outcome, activeBytes: rng.logUniform(2_000...60_000), bulk: false, initial: initial,
                           retransmission: 0.002, reorder: 0.001)
        case .bulk:
            return rdpFlow(outcome: .ok, activeBytes: rng.int(1_000_000...8_000_000), bulk: true, initial: initial,
                           retransmission: 0.005, reorder: 0.002)
        case .gatewayMix:
            if rng.chance(0.25) {
                let c = rng.element(clients)  // the resolvers are IPv4
                let server = rng.element(dnsServers)
                let flow = Flow(category: .udp, client: c, server: server, clientPort: UInt16(rng.int(1_024...65_535)),
                                serverPort: 53, mss: 1460, timing: timing(rtt: 200...5_000, retransmission: 0, reorder: 0),
                                timestamps: false, actions: Scripts.dns(rng: &rng), rng: &rng)
                return flow
            }
            // Hold RDP near 5% of the bytes, judged on what is written and what is planned
            // (elephant downloads are planned long before they are written).
            let share = max(Double(planned[0]) / Double(max(1, planned.reduce(0, +))),
                            Double(written[0]) / Double(max(1, written.reduce(0, +))))
            if share < 0.05 {
                let outcome = Scripts.RDPOutcome.allCases[rng.pick(Scripts.RDPOutcome.weights)]
                return rdpFlow(outcome: outcome, activeBytes: rng.logUniform(2_000...60_000), bulk: false, initial: initial,
                               retransmission: 0.005, reorder: 0.002)
            }
            let (c, s) = (rng.element(clients), rng.element(webServers))
            let client = hosts[s].address.isIPv6 ? rng.element(clients6) : c
            let oddities = rng.chance(0.2)
            let actions: [Action]
            let port: UInt16
            switch rng.pick([55, 30, 15]) {
            case 0: actions = Scripts.https(rng: &rng, server: serverProfiles[s]!, oddities: oddities); port = 443
            case 1: actions = Scripts.http(rng: &rng, oddities: oddities); port = 80
            default: actions = Scripts.oddConnect(rng: &rng); port = rng.element([443, 80, 22, 445, 8080, 3389])
            }
            planned[1] += Scripts.payloadBytes(actions)
            let flow = Flow(category: .otherTCP, client: client, server: s, clientPort: ephemeralPort(client), serverPort: port,
                            mss: hosts[s].address.isIPv6 ? 1440 : 1460,
                            timing: timing(rtt: 5_000...200_000, retransmission: oddities ? 0.01 : 0.001, reorder: oddities ? 0.005 : 0),
                            timestamps: hosts[client].timestamps && hosts[s].timestamps, actions: actions, rng: &rng)
            if initial && rng.chance(0.1) { flow.silent = rng.int(1...30) }
            return flow
        }
    }

    private mutating func rdpFlow(outcome: Scripts.RDPOutcome, activeBytes: Int, bulk: Bool, initial: Bool,
                                  retransmission: Double, reorder: Double) -> Flow {
        let (c, s) = pair(rdpServers, rdpServers6)
        let actions = Scripts.rdp(rng: &rng, outcome: outcome, server: serverProfiles[s]!, activeBytes: activeBytes, bulk: bulk)
        planned[0] += Scripts.payloadBytes(actions)
        // RDP on another port now and then in the gateway mix (found by content, not by port).
        let port: UInt16 = kind == .gatewayMix && rng.chance(0.1) ? 3390 : 3389
        let v6 = hosts[s].address.isIPv6
        let mss = bulk ? (v6 ? 1440 : 1460) : (rng.chance(0.8) ? (v6 ? 1440 : 1460) : 1360)
        let flow = Flow(category: .rdp, client: c, server: s, clientPort: ephemeralPort(c), serverPort: port, mss: mss,
                        timing: timing(rtt: 1_000...120_000, retransmission: retransmission, reorder: reorder),
                        timestamps: hosts[c].timestamps && hosts[s].timestamps, actions: actions, rng: &rng)
        if initial && rng.chance(0.1) { flow.silent = rng.int(1...(bulk ? 200 : 20)) }
        return flow
    }
}

/// A binary min-heap of (time, flow slot); ties go to the lower slot so order is deterministic.
struct TimeHeap {
    private var items: [(time: Int64, slot: Int)] = []

    private static func less(_ a: (time: Int64, slot: Int), _ b: (time: Int64, slot: Int)) -> Bool {
        a.time != b.time ? a.time < b.time : a.slot < b.slot
    }

    mutating func push(time: Int64, slot: Int) {
        items.append((time, slot))
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard Self.less(items[i], items[parent]) else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> (Int64, Int)? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < items.count && Self.less(items[l], items[m]) { m = l }
                if r < items.count && Self.less(items[r], items[m]) { m = r }
                if m == i { break }
                items.swapAt(i, m)
                i = m
            }
        }
        return (top.time, top.slot)
    }
}
