import Capture
import Diagnosis
import Dissect
import Foundation
import Reassembly

/// `rdpdiag check`: runs every capture that has a `NAME.expected.json` next to
/// it and compares the report with what must hold (a partial match: fields not
/// named are not compared).
///
/// Matching rules: an object matches when each of its keys matches the actual
/// value's; an array of objects matches when each expected element matches
/// some actual element; an array of scalars when each expected value is
/// present; `{"one_of": [...]}` matches any of the listed values; other values
/// must be equal. A connection with `"pending": "why"` is reported as pending,
/// never as passed.
public enum RegressionCheck {
    public enum Outcome: Equatable, Sendable {
        case passed
        case failed([String])
        case pending([String])
    }

    public struct CaseResult: Sendable {
        public var name: String
        public var expectedFile: String
        public var capture: String
        public var connections: Int
        public var outcome: Outcome
    }

    /// Every `*.expected.json` under the directories (not recursive), sorted.
    public static func expectedFiles(in directories: [String]) throws -> [String] {
        var out: [String] = []
        for dir in directories {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), !isDir.boolValue, dir.hasSuffix(".expected.json") {
                out.append(dir)
                continue
            }
            let names = try FileManager.default.contentsOfDirectory(atPath: dir)
            out += names.filter { $0.hasSuffix(".expected.json") }.sorted().map { (dir as NSString).appendingPathComponent($0) }
        }
        return out
    }

    /// The capture an expected file describes: its `capture` field, else NAME.pcap or NAME.pcapng beside it.
    static func capturePath(for expectedFile: String, expected: [String: Any]) -> String {
        let dir = (expectedFile as NSString).deletingLastPathComponent
        if let name = expected["capture"] as? String { return (dir as NSString).appendingPathComponent(name) }
        let base = String(expectedFile.dropLast(".expected.json".count))
        let pcapng = base + ".pcapng"
        return FileManager.default.fileExists(atPath: pcapng) ? pcapng : base + ".pcap"
    }

    static func load(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw CheckError.invalid(path, "not a JSON object")
        }
        return object
    }

    public enum CheckError: Error, CustomStringConvertible {
        case invalid(String, String)
        public var description: String {
            switch self {
            case let .invalid(path, why): return "\(path): \(why)"
            }
        }
    }

    /// The key log beside a capture (NAME.keys), if there is one.
    public static func keyLog(for capture: String) throws -> TLSKeyLog? {
        let base = capture.hasSuffix(".pcapng") ? String(capture.dropLast(7)) : (capture.hasSuffix(".pcap") ? String(capture.dropLast(5)) : capture)
        guard FileManager.default.fileExists(atPath: base + ".keys") else { return nil }
        return try TLSKeyLog(paths: [base + ".keys"])
    }

    /// The report's connections as JSON objects (the same as `analyze --format json`),
    /// decrypted with NAME.keys when it exists (`useKeys`): expected files hold the
    /// truth, and the secrets let rdpdiag see it. How the inference fares without
    /// them is measured by `check --inference-report`.
    public static func analyse(_ capture: String, useKeys: Bool = true, config: ReassemblyConfig = ReassemblyConfig()) throws -> [[String: Any]] {
        let keyLog = useKeys ? try keyLog(for: capture) : nil
        let result = Analysis.run(reader: try CaptureReader(paths: [capture]), config: config, keyLog: keyLog)
        return try result.connections.filter(\.isRDP).map { c in
            let text = JSONReport.connection(c).serialized()
            guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return [:] }
            return object
        }
    }

    public static func run(expectedFile: String, useKeys: Bool = true) -> CaseResult {
        let name = String((expectedFile as NSString).lastPathComponent.dropLast(".expected.json".count))
        do {
            let expected = try load(expectedFile)
            let capture = capturePath(for: expectedFile, expected: expected)
            let actual = try analyse(capture, useKeys: useKeys)
            var problems: [String] = []
            var pending: [String] = []
            if let count = expected["connection_count"] as? Int, count != actual.count {
                problems.append("expected \(count) RDP connections, got \(actual.count)")
            }
            for (index, item) in ((expected["connections"] as? [Any]) ?? []).enumerated() {
                guard let e = item as? [String: Any] else { continue }
                let id = e["id"] as? Int ?? index
                if let why = e["pending"] as? String {
                    pending.append("#\(id): \(why)")
                    continue
                }
                guard let match = actual.first(where: { ($0["id"] as? Int) == id }) else {
                    let ids = actual.compactMap { $0["id"] as? Int }.map(String.init).joined(separator: ", ")
                    problems.append("#\(id): no RDP connection with this id (the capture has \(ids.isEmpty ? "none" : ids))")
                    continue
                }
                var fields = e
                fields["id"] = nil
                problems += differences(fields, match, path: "#\(id)")
            }
            let outcome: Outcome = !problems.isEmpty ? .failed(problems) : (!pending.isEmpty ? .pending(pending) : .passed)
            return CaseResult(name: name, expectedFile: expectedFile, capture: capture, connections: actual.count, outcome: outcome)
        } catch {
            return CaseResult(name: name, expectedFile: expectedFile, capture: "", connections: 0, outcome: .failed(["\(error)"]))
        }
    }

    /// Where `actual` does not hold what `expected` says, as readable lines.
    public static func differences(_ expected: Any, _ actual: Any?, path: String) -> [String] {
        if let e = expected as? [String: Any] {
            if let choices = e["one_of"] as? [Any], e.count == 1 {
                return choices.contains(where: { differences($0, actual, path: path).isEmpty })
                    ? [] : ["\(path): expected one of \(render(choices)), got \(render(actual))"]
            }
            guard let a = actual as? [String: Any] else { return ["\(path): expected an object, got \(render(actual))"] }
            return e.keys.sorted().flatMap { key in differences(e[key] as Any, a[key], path: "\(path).\(key)") }
        }
        if let e = expected as? [Any] {
            guard let a = actual as? [Any] else { return ["\(path): expected a list, got \(render(actual))"] }
            var out: [String] = []
            for item in e where !a.contains(where: { differences(item, $0, path: path).isEmpty }) {
                out.append("\(path): no \(render(item)) among \(a.count) item(s)")
            }
            return out
        }
        if let e = expected as? String, e == "meta" { return [] }
        return equal(expected, actual) ? [] : ["\(path): expected \(render(expected)), got \(render(actual))"]
    }

    static func equal(_ a: Any, _ b: Any?) -> Bool {
        switch (a, b) {
        case let (x as String, y as String): return x == y
        case let (x as NSNumber, y as NSNumber): return x == y
        case (_ as NSNull, nil), (_ as NSNull, _ as NSNull): return true
        default: return false
        }
    }

    static func render(_ value: Any?) -> String {
        guard let value, !(value is NSNull) else { return "null" }
        if let s = value as? String { return "\"\(s)\"" }
        if JSONSerialization.isValidJSONObject(value), let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) {
            let text = String(decoding: data, as: UTF8.self)
            return text.count > 160 ? String(text.prefix(157)) + "..." : text
        }
        return "\(value)"
    }

    /// Rewrites the values already named in an expected file from the current
    /// output (for a reviewed change), or writes a new one with the verdict, the
    /// stage reached and the error findings.
    public static func update(expectedFile: String, capture explicitCapture: String? = nil) throws -> String {
        let existing = (try? load(expectedFile)) ?? [:]
        let capture = explicitCapture ?? capturePath(for: expectedFile, expected: existing)
        let actual = try analyse(capture)
        var out = existing
        out["capture"] = (capture as NSString).lastPathComponent
        out["connection_count"] = actual.count
        var connections: [[String: Any]] = []
        let old = (existing["connections"] as? [[String: Any]]) ?? []
        for a in actual {
            let id = a["id"] as? Int ?? 0
            if let e = old.first(where: { ($0["id"] as? Int) == id }) {
                var refreshed = refresh(e, from: a) as? [String: Any] ?? e
                refreshed["id"] = id
                refreshed["pending"] = nil
                connections.append(refreshed)
            } else {
                var fresh: [String: Any] = ["id": id]
                if let v = a["verdict"] as? [String: Any] { fresh["verdict"] = ["cause": v["cause"] ?? NSNull(), "side": v["side"] ?? NSNull()] }
                fresh["reached"] = a["reached"] ?? NSNull()
                let findings = ((a["findings"] as? [[String: Any]]) ?? []).filter { ($0["severity"] as? String) == "error" }
                if !findings.isEmpty { fresh["findings"] = findings.map { ["kind": $0["kind"] ?? "", "frames": $0["frames"] ?? []] } }
                connections.append(fresh)
            }
        }
        out["connections"] = connections
        let data = try JSONSerialization.data(withJSONObject: out, options: [.prettyPrinted, .sortedKeys])
        try (String(decoding: data, as: UTF8.self) + "\n").write(toFile: expectedFile, atomically: true, encoding: .utf8)
        return expectedFile
    }

    /// The expected value's shape filled with the actual values.
    static func refresh(_ expected: Any, from actual: Any?) -> Any {
        if let e = expected as? [String: Any] {
            if e["one_of"] != nil && e.count == 1 { return actual ?? NSNull() }
            guard let a = actual as? [String: Any] else { return actual ?? NSNull() }
            var out: [String: Any] = [:]
            for (key, value) in e { out[key] = ["scenario", "made_by", "source_of_truth", "capture"].contains(key) ? value : refresh(value, from: a[key]) }
            return out
        }
        if let e = expected as? [Any], let a = actual as? [Any] {
            // Lists of objects keep their entries, re-read from the actual item with the same frame (or kind).
            return e.map { item -> Any in
                guard let obj = item as? [String: Any] else { return item }
                let match = a.first { candidate in
                    guard let c = candidate as? [String: Any] else { return false }
                    if let f = obj["frame"] { return equal(f, c["frame"]) }
                    if let k = obj["kind"], let fr = obj["frames"] { return equal(k, c["kind"]) && differences(fr, c["frames"], path: "").isEmpty }
                    return false
                }
                return refresh(obj, from: match)
            }
        }
        return actual ?? NSNull()
    }
}
