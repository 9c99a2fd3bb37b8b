import Diagnosis

/// Counts for the closing summary: connections by cause and side, failed ones, top failing servers.
public struct SummaryCounts: Sendable {
    public var rdp = 0
    public var failed = 0
    public var byCause: [(key: String, count: Int)] = []
    public var bySide: [(key: String, count: Int)] = []
    public var topFailingServers: [(key: String, count: Int)] = []

    public init(_ connections: [ConnectionSummary]) {
        var causes: [String: Int] = [:], sides: [String: Int] = [:], servers: [String: Int] = [:]
        for c in connections where c.isRDP {
            rdp += 1
            guard let v = c.verdict else { continue }
            causes[v.cause.rawValue, default: 0] += 1
            sides[v.side.rawValue, default: 0] += 1
            if v.failed {
                failed += 1
                servers[c.server.description, default: 0] += 1
            }
        }
        func sorted(_ d: [String: Int]) -> [(key: String, count: Int)] {
            d.map { ($0.key, $0.value) }.sorted { ($1.count, $0.key) < ($0.count, $1.key) }
        }
        byCause = sorted(causes)
        bySide = sorted(sides)
        topFailingServers = Array(sorted(servers).prefix(10))
    }
}
