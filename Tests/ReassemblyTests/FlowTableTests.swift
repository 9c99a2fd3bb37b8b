@testable import Reassembly
import TestSupport
import Testing
import Wire

/// The flow table's index against a `Dictionary` oracle: random inserts and
/// removals from a small key pool (so probe runs form, wrap past the end of
/// the bucket array and are cut by removals), through several growths.
@Suite struct FlowTableTests {
    static func key(_ n: Int) -> FlowKey {
        let client = Endpoint(address: IPAddress(ipv4: 0x0A00_0000 | UInt32(n)), port: UInt16(40_000 + n % 7))
        let server = n % 5 == 0
            ? Endpoint(address: IPAddress(ipv6High: 0x2001_0DB8 << 32, low: UInt64(n % 3)), port: 3389)
            : Endpoint(address: IPAddress(ipv4: 0xC0A8_0001), port: 3389)
        return FlowKey(client, server)
    }

    @Test(arguments: [UInt64(1), 2, 3, 4])
    func randomOperationsMatchADictionary(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var table = FlowTable(minimumCapacity: 1)
        var oracle: [FlowKey: Int32] = [:]
        var freeSlots: [Int32] = []
        var nextSlot: Int32 = 0
        for step in 0..<20_000 {
            // The pool grows over the run, so the table grows too.
            let k = Self.key(Int.random(in: 0..<(50 + step / 20), using: &rng))
            if let slot = oracle[k] {
                #expect(table.find(k) == slot)
                if Bool.random(using: &rng) {
                    table.remove(k)
                    oracle[k] = nil
                    freeSlots.append(slot)
                    #expect(table.find(k) == -1)
                }
            } else {
                #expect(table.find(k) == -1)
                let slot = freeSlots.popLast() ?? { defer { nextSlot += 1 }; return nextSlot }()
                table.insert(k, slot: slot)
                oracle[k] = slot
            }
            #expect(table.count == oracle.count)
        }
        for (k, slot) in oracle { #expect(table.find(k) == slot) }
        // Removing a key that is not there changes nothing.
        table.remove(Self.key(1_000_000))
        #expect(table.count == oracle.count)
    }

    @Test func bothDirectionsFindTheSameSlot() {
        var table = FlowTable()
        let a = Endpoint(address: IPAddress(ipv4: 0x0A00_0001), port: 50_000)
        let b = Endpoint(address: IPAddress(ipv4: 0x0A00_0002), port: 3389)
        table.insert(FlowKey(a, b), slot: 7)
        #expect(table.find(FlowKey(b, a)) == 7)
        // Same numbers, other family: another flow.
        let a6 = Endpoint(address: IPAddress(ipv6High: 0, low: 0x0A00_0001), port: 50_000)
        let b6 = Endpoint(address: IPAddress(ipv6High: 0, low: 0x0A00_0002), port: 3389)
        #expect(table.find(FlowKey(a6, b6)) == -1)
    }

    /// The key gives back its endpoints in canonical order (lower address, then port),
    /// with their family, whichever direction it was built from.
    @Test func theKeyKeepsItsEndpoints() {
        let client = Endpoint(address: IPAddress(ipv4: 0xC0A8_0A05), port: 51_234)
        let server = Endpoint(address: IPAddress(ipv4: 0x0A00_0002), port: 3389)
        for key in [FlowKey(client, server), FlowKey(server, client)] {
            #expect(key.lowAddress == server.address && key.lowPort == 3389)
            #expect(key.highAddress == client.address && key.highPort == 51_234)
            #expect(!key.lowAddress.isIPv6 && !key.highAddress.isIPv6)
        }
        // Same address on both sides: the port decides.
        let a = Endpoint(address: IPAddress(ipv6High: 0x2001_0DB8_0000_0001, low: 7), port: 3389)
        let b = Endpoint(address: a.address, port: 65_535)
        let key = FlowKey(b, a)
        #expect(key == FlowKey(a, b))
        #expect(key.lowPort == 3389 && key.highPort == 65_535)
        #expect(key.lowAddress == a.address && key.highAddress.isIPv6)
        #expect(key.lowAddress.description == "2001:db8:0:1::7")
    }
}
