import Capture
import Reassembly
import Testing

/// The sender profile the reset judge compares RSTs with: TTLs in the order
/// first seen with their counts (at most four kept), and IP ID behaviour.
@Suite struct TTLProfileTests {
    @Test func keepsFourTTLsInFirstSeenOrderWithCounts() {
        var p = TTLProfile()
        for ttl: UInt8 in [64, 64, 128, 64, 255, 128, 1, 2, 2, 64] { p.add(ttl: ttl, ipID: 0, isIPv6: false, frame: 1, time: .zero) }
        #expect(p.ttls.map(\.ttl) == [64, 128, 255, 1])
        #expect(p.ttls.map(\.count) == [4, 2, 1, 1])
        #expect(p.packets == 10 && p.ipIDZero == 10 && p.alwaysZero)
        #expect(p.contains(ttl: 255) && !p.contains(ttl: 2) && p.hasTTL)
        #expect(!TTLProfile().hasTTL && TTLProfile().ttls.isEmpty)
    }

    @Test func mergeAddsCountsAndKeepsTheFirstFour() {
        var a = TTLProfile()
        for ttl: UInt8 in [60, 60, 61] { a.add(ttl: ttl, ipID: 100, isIPv6: false, frame: 1, time: .zero) }
        var b = TTLProfile()
        for ttl: UInt8 in [61, 62, 63, 64] { b.add(ttl: ttl, ipID: 0, isIPv6: true, frame: 1, time: .zero) }
        a.merge(b)
        #expect(a.ttls.map(\.ttl) == [60, 61, 62, 63])
        #expect(a.ttls.map(\.count) == [2, 2, 1, 1])
        #expect(a.packets == 7 && !a.isIPv4)
    }

    @Test func countingUpIPIDs() {
        var p = TTLProfile()
        for id: UInt32 in [1000, 1001, 1003, 1004, 1010] { p.add(ttl: 128, ipID: id, isIPv6: false, frame: Int(id), time: .zero) }
        #expect(p.countsUp && !p.alwaysZero && p.ipIDSmallStep == 4 && p.ipIDOther == 1)
        #expect(p.lastIPID == 1010 && p.lastIPIDFrame == 1010)
    }

    /// Connections of a host finish in any order (a short one closed cleanly leaves
    /// before an earlier one that was reset): the merged profile's last IP ID is the
    /// one latest in capture order, whichever connection merged last.
    @Test func mergeKeepsTheLatestIPIDInCaptureOrder() {
        var early = TTLProfile(), late = TTLProfile()
        for (i, id) in [UInt32(500), 501, 502].enumerated() { early.add(ttl: 128, ipID: id, isIPv6: false, frame: 10 + i, time: .zero) }
        for (i, id) in [UInt32(530), 531].enumerated() { late.add(ttl: 128, ipID: id, isIPv6: false, frame: 40 + i, time: .zero) }
        var lateFirst = TTLProfile()
        lateFirst.merge(late)
        lateFirst.merge(early)
        var earlyFirst = TTLProfile()
        earlyFirst.merge(early)
        earlyFirst.merge(late)
        #expect(lateFirst.lastIPID == 531 && lateFirst.lastIPIDFrame == 41)
        #expect(earlyFirst.lastIPID == 531 && earlyFirst.lastIPIDFrame == 41)
        #expect(lateFirst.packets == 5 && lateFirst.ipIDSmallStep == 3)
    }
}
