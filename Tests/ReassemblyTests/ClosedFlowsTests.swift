import Capture
@testable import Reassembly
import Testing
import Wire

/// The memory of cleanly closed pairs: what counts as a repeat, and its bounds.
@Suite struct ClosedFlowsTests {
    static let server = Endpoint(address: IPAddress("10.0.0.2")!, port: 3389)

    /// A connection from `port` whose client FIN sat at offset 100 (ISN 1000) and
    /// server FIN at offset 200 (ISN 5000), last seen at `time` seconds.
    static func closed(port: UInt16, time: Int64 = 0) -> TCPConnection {
        let client = Endpoint(address: IPAddress("10.0.0.1")!, port: port)
        let at = CaptureTime(seconds: time, nanoseconds: 0)
        let c = TCPConnection(id: Int(port), key: FlowKey(client, server), client: client, server: server,
                              frame: 1, time: at, isRDPByPort: true)
        c.clientToServer.isn = 1000
        c.clientToServer.finOffset = 100
        c.serverToClient.isn = 5000
        c.serverToClient.finOffset = 200
        return c
    }

    static func time(_ seconds: Int64) -> CaptureTime { CaptureTime(seconds: seconds, nanoseconds: 0) }

    @Test func repeatsUpToTheFINAreAbsorbedAndNewsForgetsThePair() {
        var flows = ClosedFlows(capacity: 8)
        let c = Self.closed(port: 50_000)
        flows.add(c, until: Self.time(10))
        // The server's FIN again: sequence 5000 + 1 + 200, one sequence number long.
        let absorbed1 = flows.absorbs(c.key, source: Self.server, sequence: 5201, length: 0, flags: [.fin, .ack], now: Self.time(3))
        #expect(absorbed1)
        // The client's ACK after its own FIN (sequence 1000 + 1 + 100 + 1).
        let absorbed2 = flows.absorbs(c.key, source: c.client, sequence: 1102, length: 0, flags: .ack, now: Self.time(3))
        #expect(absorbed2)
        // A byte past the client's FIN is news: not absorbed, and the pair is forgotten.
        let absorbed3 = flows.absorbs(c.key, source: c.client, sequence: 1102, length: 1, flags: [.psh, .ack], now: Self.time(3))
        #expect(!absorbed3)
        #expect(flows.isEmpty)
        let absorbed4 = flows.absorbs(c.key, source: Self.server, sequence: 5201, length: 0, flags: [.fin, .ack], now: Self.time(3))
        #expect(!absorbed4)
    }

    @Test func aSYNOrTheEndOfItsTimeForgetsThePair() {
        var flows = ClosedFlows(capacity: 8)
        let a = Self.closed(port: 50_000), b = Self.closed(port: 50_001)
        flows.add(a, until: Self.time(10))
        flows.add(b, until: Self.time(10))
        let absorbed5 = flows.absorbs(a.key, source: a.client, sequence: 1102, length: 0, flags: .syn, now: Self.time(3))
        #expect(!absorbed5)
        let absorbed6 = flows.absorbs(b.key, source: b.client, sequence: 1102, length: 0, flags: .ack, now: Self.time(11))
        #expect(!absorbed6)
        #expect(flows.isEmpty)
    }

    @Test func expiresInOrderAndKeepsToItsCapacity() {
        var flows = ClosedFlows(capacity: 3)
        for port in UInt16(50_000)..<50_005 { flows.add(Self.closed(port: port), until: Self.time(Int64(port - 50_000))) }
        #expect(flows.count == 3)       // the two oldest gave way
        let oldest = Self.closed(port: 50_000), kept = Self.closed(port: 50_004)
        let absorbed7 = flows.absorbs(oldest.key, source: oldest.client, sequence: 1102, length: 0, flags: .ack, now: Self.time(0))
        #expect(!absorbed7)
        flows.expire(now: Self.time(3).adding(nanoseconds: 1))
        #expect(flows.count == 1)
        let absorbed8 = flows.absorbs(kept.key, source: kept.client, sequence: 1102, length: 0, flags: .ack, now: Self.time(4))
        #expect(absorbed8)
    }

    /// Remembered, forgotten (a new SYN on the pair), remembered again, with time
    /// standing still: the listings do not pile up.
    @Test func listingsStayBoundedWhenTimeStandsStill() {
        var flows = ClosedFlows(capacity: 4)
        let c = Self.closed(port: 50_000)
        for _ in 0..<1000 {
            flows.add(c, until: Self.time(10))
            _ = flows.absorbs(c.key, source: c.client, sequence: 7, length: 0, flags: .syn, now: Self.time(0))
        }
        flows.add(c, until: Self.time(10))
        #expect(flows.count == 1)
        #expect(flows.listed <= 8)
        let absorbed9 = flows.absorbs(c.key, source: c.client, sequence: 1102, length: 0, flags: .ack, now: Self.time(0))
        #expect(absorbed9)
    }
}
