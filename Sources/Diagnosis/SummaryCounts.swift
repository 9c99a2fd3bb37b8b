import Wire

/// Running counts for the closing summary: connections by cause and side,
/// failed ones, and the servers that failed most. Kept as connections are
/// reported, so a run never holds every connection in memory.
public struct SummaryCounts: Sendable {
    /// Distinct failing servers remembered (the rest are still counted in `failed`).
    public static let serverCapacity = 100_000

    public var connections = 0
    public var rdp = 0
    public var failed = 0
    // Keyed by the values themselves, named only for the closing summary: hashing an
    // enum's String raw value, or formatting the server's address, per connection cost more.
    private var causes: [Cause: Int] = [:]
    private var sides: [Side: Int] = [:]
    private var servers: [Endpoint: Int] = [:]

    public init() {}

    public init(_ connections: [ConnectionSummary]) {
        for c in connections { add(c) }
    }

    public mutating func add(_ c: ConnectionSummary) {
        connections += 1
        guard c.isRDP else { return }
        rdp += 1
        guard let v = c.verdict else { return }
        causes[v.cause, default: 0] += 1
        sides[v.side, default: 0] += 1
        if v.failed {
            failed += 1
            if let index = servers.index(forKey: c.server) {
                servers.values[index] += 1
            } else if servers.count < Self.serverCapacity {
                servers[c.server] = 1
            }
        }
    }

    /// Most first, then by name.
    static func sorted<Key>(_ d: [Key: Int], name: (Key) -> String) -> [(key: String, count: Int)] {
        d.map { (name($0.key), $0.value) }.sorted { ($1.count, $0.key) < ($0.count, $1.key) }
    }

    public var byCause: [(key: String, count: Int)] { Self.sorted(causes, name: \.rawValue) }
    public var bySide: [(key: String, count: Int)] { Self.sorted(sides, name: \.rawValue) }
    public var topFailingServers: [(key: String, count: Int)] { Array(Self.sorted(servers, name: \.description).prefix(10)) }
}
