import Foundation

// NSS key log files [NSS "Key Log Format", as written by SSLKEYLOGFILE in
// NSS, OpenSSL (SSL_CTX_set_keylog_callback), BoringSSL, GnuTLS]:
//
//     <label> SP <client_random: 64 hex digits> SP <secret: hex>
//
// one per line; `#` starts a comment line; blank lines are ignored. The
// client random is the 32-byte ClientHello.random and is how a capture's
// connection finds its secrets. This file only reads the format; what the
// secrets are used for is in TLSKeySchedule.swift.
//
// Key log files are read once, never per packet, so Foundation reads them.

/// Secret bytes from a key log. Its `description` never shows the bytes, so a
/// secret cannot leak into a report, a log line or a test failure message.
/// (`dump` and debuggers see no children either.)
public struct TLSSecret: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The raw bytes, for key derivation only.
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var count: Int { bytes.count }
    public var description: String { "<secret: \(bytes.count) bytes, redacted>" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// The labels of the key log format.
public enum TLSKeyLogLabel: String, Hashable, Sendable, CaseIterable {
    /// TLS ≤ 1.2: the 48-byte master secret [RFC 5246 §8.1].
    case clientRandom = "CLIENT_RANDOM"
    /// TLS 1.3 [RFC 8446 §7.1]: client_/server_handshake_traffic_secret.
    case clientHandshakeTrafficSecret = "CLIENT_HANDSHAKE_TRAFFIC_SECRET"
    case serverHandshakeTrafficSecret = "SERVER_HANDSHAKE_TRAFFIC_SECRET"
    /// TLS 1.3: client_/server_application_traffic_secret_0.
    case clientTrafficSecret0 = "CLIENT_TRAFFIC_SECRET_0"
    case serverTrafficSecret0 = "SERVER_TRAFFIC_SECRET_0"
    /// Accepted and not used: exporters and 0-RTT are not decrypted.
    case exporterSecret = "EXPORTER_SECRET"
    case earlyExporterSecret = "EARLY_EXPORTER_SECRET"
    case clientEarlyTrafficSecret = "CLIENT_EARLY_TRAFFIC_SECRET"

    /// Secret lengths a line with this label may carry: the master secret is
    /// always 48 bytes; TLS 1.3 secrets are one hash long (SHA-256 or SHA-384).
    var allowedSecretLengths: [Int] { self == .clientRandom ? [48] : [32, 48] }
}

/// What a key log knows about one connection (one client random).
public struct TLSKeyLogSecrets: Hashable, Sendable {
    public var masterSecret: TLSSecret?
    public var clientHandshakeTrafficSecret: TLSSecret?
    public var serverHandshakeTrafficSecret: TLSSecret?
    public var clientTrafficSecret0: TLSSecret?
    public var serverTrafficSecret0: TLSSecret?

    public init() {}

    /// Whether anything that decrypts records is here.
    public var isEmpty: Bool {
        masterSecret == nil && clientHandshakeTrafficSecret == nil && serverHandshakeTrafficSecret == nil
            && clientTrafficSecret0 == nil && serverTrafficSecret0 == nil
    }

    subscript(label: TLSKeyLogLabel) -> TLSSecret? {
        get {
            switch label {
            case .clientRandom: return masterSecret
            case .clientHandshakeTrafficSecret: return clientHandshakeTrafficSecret
            case .serverHandshakeTrafficSecret: return serverHandshakeTrafficSecret
            case .clientTrafficSecret0: return clientTrafficSecret0
            case .serverTrafficSecret0: return serverTrafficSecret0
            case .exporterSecret, .earlyExporterSecret, .clientEarlyTrafficSecret: return nil
            }
        }
        set {
            switch label {
            case .clientRandom: masterSecret = newValue
            case .clientHandshakeTrafficSecret: clientHandshakeTrafficSecret = newValue
            case .serverHandshakeTrafficSecret: serverHandshakeTrafficSecret = newValue
            case .clientTrafficSecret0: clientTrafficSecret0 = newValue
            case .serverTrafficSecret0: serverTrafficSecret0 = newValue
            case .exporterSecret, .earlyExporterSecret, .clientEarlyTrafficSecret: break
            }
        }
    }
}

/// A line that was not used, with where it was. Never carries the line's text
/// (it may hold a secret).
public struct TLSKeyLogIssue: Hashable, Sendable, CustomStringConvertible {
    /// The file path (or the name given to `add(text:source:)`).
    public var source: String
    /// 1-based line number.
    public var line: Int
    /// A stable snake_case code: `field_count_invalid`, `label_unknown`,
    /// `client_random_invalid`, `secret_not_hex`, `secret_length_invalid`,
    /// `secret_conflicting` (same label and client random, different secret;
    /// the first one is kept).
    public var code: String

    public var description: String { "\(source):\(line): \(code)" }
}

/// An unreadable key log file.
public struct TLSKeyLogError: Error, Hashable, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "cannot read TLS key log \(path): \(reason)" }
}

/// Secrets from one or more key log files, found by ClientHello.random.
///
/// Malformed lines never fail a load: each is counted, and the first
/// `maximumIssuesKept` are kept with their line numbers for the report.
public struct TLSKeyLog: Sendable, CustomStringConvertible {
    private var byClientRandom: [[UInt8]: TLSKeyLogSecrets] = [:]
    /// The first issues found, in file and line order.
    public private(set) var issues: [TLSKeyLogIssue] = []
    /// All malformed lines, also those beyond `issues`.
    public private(set) var issueCount = 0
    /// Lines that were used (a secret stored, or an accepted unused label).
    public private(set) var acceptedLines = 0
    /// Files (or texts) read.
    public private(set) var sources: [String] = []

    /// A file of garbage must not become a million-entry report.
    public static let maximumIssuesKept = 100

    public init() {}

    /// Reads and merges the files in order.
    public init(paths: [String]) throws(TLSKeyLogError) {
        for path in paths { try load(path: path) }
    }

    /// Number of connections (client randoms) with at least one usable secret.
    public var count: Int { byClientRandom.count }
    public var isEmpty: Bool { byClientRandom.isEmpty }

    public var description: String {
        "TLSKeyLog(\(count) client randoms, \(acceptedLines) lines, \(issueCount) malformed, sources \(sources))"
    }

    /// The secrets for a ClientHello.random, or nil when the log has none.
    public func secrets(clientRandom: [UInt8]) -> TLSKeyLogSecrets? {
        byClientRandom[clientRandom]
    }

    /// Reads a file and merges its lines in.
    public mutating func load(path: String) throws(TLSKeyLogError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw TLSKeyLogError(path: path, reason: Self.reason(error))
        }
        add(text: String(decoding: data, as: UTF8.self), source: path)
    }

    /// Merges another log: its secrets (the ones here win on conflict) and issues.
    public mutating func merge(_ other: TLSKeyLog) {
        for (random, theirs) in other.byClientRandom {
            var mine = byClientRandom[random] ?? TLSKeyLogSecrets()
            for label in TLSKeyLogLabel.allCases where mine[label] == nil {
                mine[label] = theirs[label]
            }
            byClientRandom[random] = mine
        }
        for issue in other.issues where issues.count < Self.maximumIssuesKept { issues.append(issue) }
        issueCount += other.issueCount
        acceptedLines += other.acceptedLines
        sources += other.sources
    }

    /// Reads key log lines from text (LF or CRLF line ends).
    public mutating func add(text: String, source: String = "<memory>") {
        sources.append(source)
        var number = 0
        for raw in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            var line = raw[...]
            while let last = line.last, last == UInt8(ascii: "\r") || last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") {
                line = line.dropLast()
            }
            while let first = line.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
                line = line.dropFirst()
            }
            if line.isEmpty || line.first == UInt8(ascii: "#") { continue }
            if let code = addLine(line) {
                issueCount += 1
                if issues.count < Self.maximumIssuesKept {
                    issues.append(TLSKeyLogIssue(source: source, line: number, code: code))
                }
            } else {
                acceptedLines += 1
            }
        }
    }

    /// Stores one non-blank, non-comment line; returns an issue code when it cannot.
    private mutating func addLine(_ line: Substring.UTF8View) -> String? {
        let fields = line.split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
        guard fields.count == 3 else { return "field_count_invalid" }
        guard let label = TLSKeyLogLabel(rawValue: String(decoding: fields[0], as: UTF8.self)) else {
            return "label_unknown"
        }
        guard fields[1].count == 64, let random = tlsKeyLogHex(fields[1]) else { return "client_random_invalid" }
        guard let secretBytes = tlsKeyLogHex(fields[2]) else { return "secret_not_hex" }
        guard label.allowedSecretLengths.contains(secretBytes.count) else { return "secret_length_invalid" }
        let secret = TLSSecret(secretBytes)
        var entry = byClientRandom[random] ?? TLSKeyLogSecrets()
        switch label {
        case .exporterSecret, .earlyExporterSecret, .clientEarlyTrafficSecret:
            return nil
        default:
            if let existing = entry[label] {
                return existing == secret ? nil : "secret_conflicting"
            }
        }
        entry[label] = secret
        byClientRandom[random] = entry
        return nil
    }

    private static func reason(_ error: any Error) -> String {
        error.localizedDescription
    }
}

/// Bytes from an even number of hex digits (either case); nil otherwise.
func tlsKeyLogHex<S: Collection>(_ digits: S) -> [UInt8]? where S.Element == UInt8 {
    guard !digits.isEmpty, digits.count % 2 == 0 else { return nil }
    var out: [UInt8] = []
    out.reserveCapacity(digits.count / 2)
    var high: UInt8?
    for d in digits {
        let v: UInt8
        switch d {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): v = d - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): v = d - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): v = d - UInt8(ascii: "A") + 10
        default: return nil
        }
        if let h = high {
            out.append(h << 4 | v)
            high = nil
        } else {
            high = v
        }
    }
    return out
}
