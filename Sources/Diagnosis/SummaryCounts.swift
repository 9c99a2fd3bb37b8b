/// Running counts for the closing summary: connections by cause and side,
/// failed ones, and the servers that failed most. Kept as connections are
/// reported, so a run never holds every connection in memory.
public struct SummaryCounts: Sendable {
    /// Distinct failing servers remembered (the rest are still counted in `failed`).
    public static let serverCapacity = 100_000

    public var connections = 0
    public var rdp = 0
    public var failed = 0
    private var causes: [String: Int] = [:]
    private var sides: [String: Int] = [:]
    private var servers: [String: Int] = [:]

    public init() {}

    public init(_ connections: [ConnectionSummary]) {
        for c in connections { add(c) }
    }

    public mutating func add(_ c: ConnectionSummary) {
        connections += 1
        guard c.isRDP else { return }
        rdp += 1
        guard let v = c.verdict else { return }
        causes[v.cause.rawValue, default: 0] += 1
        sides[v.side.rawValue, default: 0] += 1
        if v.failed {
            failed += 1
            let key = c.server.description
            if servers[key] != nil || servers.count < Self.serverCapacity { servers[key, default: 0] += 1 }
        }
    }

    static func sorted(_ d: [String: Int]) -> [(key: String, count: Int)] {
        d.map { ($0.key, $0.value) }.sorted { ($1.count, $0.key) < ($0.count, $1.key) }
    }

    public var byCause: [(key: String, count: Int)] { Self.sorted(causes) }
    public var bySide: [(key: String, count: Int)] { Self.sorted(sides) }
    public var topFailingServers: [(key: String, count: Int)] { Array(Self.sorted(servers).prefix(10)) }
}
