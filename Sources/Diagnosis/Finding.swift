/// A value in a finding's detail.
public enum FindingValue: Sendable, Equatable {
    case int(Int)
    case string(String)
    case bool(Bool)
    case strings([String])
}

/// Something the diagnosis noticed, with the frames that show it. Findings
/// that did not end the connection are warnings or notes; the one that did
/// is also the verdict.
public struct Finding: Sendable, Equatable {
    public enum Severity: String, Sendable {
        case error, warning, info
    }

    /// Stable snake_case kind (e.g. `tls_alert`, `rst`, `certificate_expired`).
    public var kind: String
    public var severity: Severity
    public var frames: [Int]
    public var evidence: Evidence
    public var summary: String
    public var detail: [(String, FindingValue)]

    public init(_ kind: String, _ severity: Severity, frames: [Int], evidence: Evidence = .observed,
                summary: String, detail: [(String, FindingValue)] = []) {
        self.kind = kind
        self.severity = severity
        self.frames = frames
        self.evidence = evidence
        self.summary = summary
        self.detail = detail
    }

    public static func == (a: Finding, b: Finding) -> Bool {
        a.kind == b.kind && a.frames == b.frames && a.summary == b.summary && a.severity == b.severity
    }
}
