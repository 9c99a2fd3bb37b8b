import Capture
import Diagnosis
import Dissect
import Foundation

/// How well the stages and PDUs inferred from TLS record sizes (no key log)
/// agree with what decryption shows (with the capture's `NAME.keys`).
public enum InferenceReport {
    public struct Comparison: Sendable {
        public var capture: String
        public var connection: Int
        /// Stage → (inferred frame, decrypted frame); nil where one side has none.
        public var stages: [(stage: Stage, inferred: Int?, truth: Int?)]
        public var pdus: [(kind: String, inferred: Int?, truth: Int?)]

        public var stageAgreements: Int { stages.filter { $0.inferred != nil && $0.inferred == $0.truth }.count }
        public var pduAgreements: Int { pdus.filter { $0.inferred != nil && $0.inferred == $0.truth }.count }
    }

    static let stagesCompared: [Stage] = [.nla, .mcsConnect, .licensing, .active]

    /// The PDUs decryption shows, named like `InferredPDU.Kind`, with their frames.
    static func truthPDUs(_ c: ConnectionSummary) -> [(String, Int)] {
        var out: [(String, Int)] = []
        for e in c.handshake {
            switch e.message {
            case .mcsConnectInitial: out.append((InferredPDU.Kind.mcsConnectInitial.rawValue, e.frame))
            case .earlyUserAuthorization: out.append((InferredPDU.Kind.earlyUserAuthorizationResult.rawValue, e.frame))
            case .licensing(let pdu):
                if case let .errorAlert(err) = pdu.message, err.isValidClient {
                    out.append((InferredPDU.Kind.licensingValidClient.rawValue, e.frame))
                }
            case .shareControl(let pdu):
                if case .demandActive = pdu.body { out.append((InferredPDU.Kind.demandActive.rawValue, e.frame)) }
                if case .data(_, _?) = pdu.body { out.append((InferredPDU.Kind.setErrorInfo.rawValue, e.frame)) }
            default: break
            }
        }
        return out
    }

    public static func compare(capture: String, keys: String) throws -> [Comparison] {
        let plain = Analysis.run(reader: try CaptureReader(paths: [capture])).connections.filter(\.isRDP)
        let keyLog = try TLSKeyLog(paths: [keys])
        let decrypted = Analysis.run(reader: try CaptureReader(paths: [capture]), keyLog: keyLog).connections.filter(\.isRDP)
        var out: [Comparison] = []
        for truth in decrypted where truth.decryption?.decrypted == true {
            guard let guess = plain.first(where: { $0.trackerID == truth.trackerID }) else { continue }
            var stages: [(Stage, Int?, Int?)] = []
            for stage in stagesCompared {
                let inferred = guess.stages.first { $0.stage == stage && $0.evidence == .inferred }?.frame
                let observed = truth.stages.first { $0.stage == stage && $0.evidence == .observed }?.frame
                if inferred != nil || observed != nil { stages.append((stage, inferred, observed)) }
            }
            var pdus: [(String, Int?, Int?)] = []
            let truths = truthPDUs(truth)
            let kinds = Set(truths.map(\.0)).union(guess.inferredPDUs.map(\.kind.rawValue)).intersection([
                InferredPDU.Kind.mcsConnectInitial.rawValue, InferredPDU.Kind.earlyUserAuthorizationResult.rawValue,
                InferredPDU.Kind.licensingValidClient.rawValue, InferredPDU.Kind.demandActive.rawValue,
                InferredPDU.Kind.setErrorInfo.rawValue,
            ])
            for kind in kinds.sorted() {
                let inferred = guess.inferredPDUs.first { $0.kind.rawValue == kind }?.frame
                let observed = truths.first { $0.0 == kind }?.1
                pdus.append((kind, inferred, observed))
            }
            out.append(Comparison(capture: (capture as NSString).lastPathComponent, connection: truth.trackerID, stages: stages, pdus: pdus))
        }
        return out
    }

    /// Every capture in the directories that has a NAME.keys beside it.
    public static func run(directories: [String]) throws -> [Comparison] {
        var out: [Comparison] = []
        for dir in directories {
            for name in try FileManager.default.contentsOfDirectory(atPath: dir).sorted() where name.hasSuffix(".keys") {
                let base = (dir as NSString).appendingPathComponent(String(name.dropLast(5)))
                let capture = FileManager.default.fileExists(atPath: base + ".pcapng") ? base + ".pcapng" : base + ".pcap"
                guard FileManager.default.fileExists(atPath: capture) else { continue }
                out += try compare(capture: capture, keys: base + ".keys")
            }
        }
        return out
    }

    public static func render(_ comparisons: [Comparison]) -> String {
        var out = ""
        var agree = 0, total = 0, pduAgree = 0, pduTotal = 0
        for c in comparisons {
            total += c.stages.count
            agree += c.stageAgreements
            pduTotal += c.pdus.count
            pduAgree += c.pduAgreements
            let stages = c.stages.map { s in
                let mark = s.inferred != nil && s.inferred == s.truth ? "=" : "≠"
                return "\(s.stage.rawValue) \(s.inferred.map(String.init) ?? "-")\(mark)\(s.truth.map(String.init) ?? "-")"
            }
            let pdus = c.pdus.map { p in
                "\(p.kind) \(p.inferred.map(String.init) ?? "-")\(p.inferred != nil && p.inferred == p.truth ? "=" : "≠")\(p.truth.map(String.init) ?? "-")"
            }
            out += "\(c.capture) #\(c.connection): stages \(c.stageAgreements)/\(c.stages.count) [\(stages.joined(separator: ", "))]; "
            out += "pdus \(c.pduAgreements)/\(c.pdus.count) [\(pdus.joined(separator: ", "))]\n"
        }
        func pct(_ a: Int, _ b: Int) -> String { b == 0 ? "n/a" : "\(a * 100 / b)%" }
        out += "inference agreement with decrypted truth: stages \(agree)/\(total) (\(pct(agree, total))), PDUs \(pduAgree)/\(pduTotal) (\(pct(pduAgree, pduTotal))) over \(comparisons.count) decrypted connection(s)\n"
        return out
    }
}
