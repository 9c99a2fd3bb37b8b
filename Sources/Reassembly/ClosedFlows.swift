import Capture
import DequeModule
import Wire

/// Connections that closed cleanly and were finished, remembered until the
/// closed-connection timeout would have let them go (`ReassemblyConfig`).
///
/// Both ends of such a connection were done, so what can still arrive of it is a
/// repeat of its last packets: a FIN sent again because the final ACK was lost past
/// the capture point, the ACK or RST answering it, a late duplicate. Such a packet
/// is counted (`TrackerStats.lateAfterClose`) instead of opening a connection that
/// would show nothing but the tail of one already reported. Anything else on the
/// same address/port pair (a SYN, bytes the connection never sent) forgets the entry
/// and is tracked as usual.
struct ClosedFlows {
    struct Entry {
        var client: Endpoint
        /// The sequence number after each side's FIN: nothing sent before it is news.
        var clientEnd: UInt32
        var serverEnd: UInt32
        var until: CaptureTime
    }

    /// How far before a side's end a late packet may start and still count as a
    /// repeat (a packet with an unrelated sequence number is one of 4096 odds).
    static let repeatWindow: Int32 = 1 << 20

    private var entries: [FlowKey: Entry] = [:]
    /// Keys with their time, in the order added (so in expiry order). A key forgotten
    /// and remembered again is listed twice; only the listing with its entry's time counts.
    private var order: Deque<(key: FlowKey, until: CaptureTime)> = []
    /// At most this many entries: past it the oldest is forgotten first.
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
    }

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }

    /// Remembers `connection` (closed cleanly) until `until`.
    mutating func add(_ connection: TCPConnection, until: CaptureTime) {
        let c = connection.clientToServer, s = connection.serverToClient
        guard let clientFIN = c.finOffset, let serverFIN = s.finOffset else { return }
        if entries.count >= capacity { dropOldest() }
        // Offset 0 is the byte after the ISN; the FIN takes one sequence number.
        let entry = Entry(client: connection.client,
                          clientEnd: c.isn &+ 2 &+ UInt32(truncatingIfNeeded: clientFIN),
                          serverEnd: s.isn &+ 2 &+ UInt32(truncatingIfNeeded: serverFIN),
                          until: until)
        entries[connection.key] = entry
        order.append((connection.key, until))
        // Listings of forgotten entries wait for their time; if time stands still (a
        // capture with frozen timestamps), list only the live entries again.
        if order.count > 2 * capacity {
            order = Deque(entries.map { (key: $0.key, until: $0.value.until) }.sorted { $0.until < $1.until })
        }
    }

    /// Listings in `order`, live or stale (bounded by twice the capacity).
    var listed: Int { order.count }

    /// True when a packet with no connection in the table repeats what a remembered
    /// connection had sent; otherwise the entry (if any) is forgotten, since the
    /// pair now carries something new.
    mutating func absorbs(_ key: FlowKey, source: Endpoint, sequence: UInt32, length: Int, flags: TCPFlags,
                          now: CaptureTime) -> Bool {
        guard let entry = entries[key] else { return false }
        if !flags.contains(.syn) && now <= entry.until {
            let end = source == entry.client ? entry.clientEnd : entry.serverEnd
            let packetEnd = sequence &+ UInt32(truncatingIfNeeded: length) &+ (flags.contains(.fin) ? 1 : 0)
            let before = Int32(bitPattern: end &- packetEnd)
            if before >= 0 && before <= Self.repeatWindow { return true }
        }
        entries[key] = nil
        return false
    }

    /// Forgets the entries whose time is up.
    mutating func expire(now: CaptureTime) {
        while let oldest = order.first, oldest.until < now {
            forget(order.removeFirst())
        }
    }

    /// Forgets the oldest entry still remembered.
    private mutating func dropOldest() {
        while !order.isEmpty, !forget(order.removeFirst()) {}
    }

    /// Removes the entry `listed` stands for, unless the key was remembered again since.
    @discardableResult
    private mutating func forget(_ listed: (key: FlowKey, until: CaptureTime)) -> Bool {
        guard let entry = entries[listed.key], entry.until == listed.until else { return false }
        entries[listed.key] = nil
        return true
    }
}
