import Capture
import Diagnosis
import Reassembly
import Wire

/// The JSON shape of DESIGN.md "Output contract": capture, connections, summary.
public enum JSONReport {
    public static func capture(_ result: AnalysisResult) -> JSON {
        var linkTypes: [String] = []
        for input in result.inputs where !linkTypes.contains(input.linkType.name) { linkTypes.append(input.linkType.name) }
        let first = result.inputs.compactMap(\.firstTime).min()
        let last = result.inputs.compactMap(\.lastTime).max()
        let s = result.stats
        var malformed: [(String, JSON)] = []
        for anomaly in DecodeAnomaly.allCases where s.malformed[Int(anomaly.rawValue)] > 0 {
            malformed.append((anomaly.description, .int(s.malformed[Int(anomaly.rawValue)])))
        }
        return .object([
            ("files", .array(result.inputs.map(file))),
            ("frames", .int(s.frames)),
            ("link_types", .array(linkTypes.map(JSON.string))),
            ("first", first.map { .string(TimeFormat.rfc3339($0)) } ?? .null),
            ("last", last.map { .string(TimeFormat.rfc3339($0)) } ?? .null),
            ("packets", .object([
                ("ip", .int(s.ipPackets)), ("tcp", .int(s.tcpPackets)), ("udp", .int(s.udpPackets)),
                ("icmp", .int(s.icmpPackets)), ("other_ip", .int(s.otherIPPackets)), ("non_ip", .int(s.nonIPFrames)),
                ("ip_fragments", .int(s.fragments)), ("malformed", .object(malformed)),
            ])),
            ("tcp_connections", .int(s.connections)),
            ("capture_duplicates", .int(s.captureDuplicates)),
            ("evicted_connections", .int(s.evictedConnections)),
            ("late_packets_after_close", .int(s.lateAfterClose)),
            ("peak_open_connections", .int(s.peakFlows)),
        ])
    }

    static func file(_ input: InputSummary) -> JSON {
        var fields: [(String, JSON)] = [
            ("path", .string(input.path)),
            ("link_type", .string(input.linkType.name)),
            ("frames", .int(input.frames)),
            ("first_frame", .optional(input.firstFrame)),
            ("last_frame", .optional(input.lastFrame)),
            ("complete", .bool(input.stoppedEarly == nil)),
        ]
        if let reason = input.stoppedEarly {
            fields.append(("stopped_early", .string(reason)))
            fields.append(("stopped_at_byte", input.stoppedAtByte.map { .int($0) } ?? .null))
        }
        return .object(fields)
    }

    /// One connection. Its `id` is its number among the capture's TCP connections in
    /// order of first packet, from 0 — Wireshark's `tcp.stream` in most cases.
    public static func connection(_ c: ConnectionSummary) -> JSON {
        .object(base(c) + HandshakeJSON.sections(c))
    }

    static func base(_ c: ConnectionSummary) -> [(String, JSON)] {
        [
            ("id", .int(c.trackerID)),
            ("client", .string(c.client.description)),
            ("server", .string(c.server.description)),
            ("first_frame", .int(c.firstFrame)),
            ("last_frame", .int(c.lastFrame)),
            ("start", .string(TimeFormat.rfc3339(c.start))),
            ("end", .string(TimeFormat.rfc3339(c.end))),
            ("duration_s", .double(Double(c.duration) / 1e9)),
            ("rdp", .bool(c.isRDP)),
            ("rdp_detected_by", .optional(c.rdpDetectedBy)),
            ("reached", .optional(c.reached?.rawValue)),
            ("stages", .array(c.stages.map { s in
                .object([("stage", .string(s.stage.rawValue)), ("frame", .int(s.frame)),
                         ("time", .string(TimeFormat.rfc3339(s.time))), ("evidence", .string(s.evidence.rawValue))])
            })),
            ("tcp", tcp(c)),
            ("verdict", verdict(c)),
            ("decryption", c.decryption.map { d in
                .object([("decrypted", .bool(d.decrypted)), ("secrets_found", d.secretsFound.map { .bool($0) } ?? .null),
                         ("secret_kind", .optional(d.secretsKind?.rawValue)),
                         ("client_records", .object([("decrypted", .int(d.client.decrypted)), ("failed", .int(d.client.failed))])),
                         ("server_records", .object([("decrypted", .int(d.server.decrypted)), ("failed", .int(d.server.failed))]))])
            } ?? .null),
            ("findings", .array(c.findings.map(finding))),
            ("inferred_pdus", .array(c.inferredPDUs.map { p in
                .object([("kind", .string(p.kind.rawValue)), ("frame", .int(p.frame)), ("from", .string(p.direction.sender)),
                         ("plaintext_bytes", .int(p.plaintext)), ("confidence", .string(p.confidence.rawValue))])
            })),
            ("resets", .array(c.resets.map { r in
                .object([("frame", .int(r.reset.frame)), ("from", .string(r.reset.direction.sender)),
                         ("judgement", .string(r.judgement.rawValue)), ("signals", .array(r.signals.map { .string($0.rawValue) })),
                         ("ttl", .int(Int(r.reset.ttl))), ("ip_id", .int(Int(r.reset.ipID))), ("notes", .array(r.notes.map(JSON.string)))])
            })),
            ("anomalies", .array(c.anomalies.map { .object([("code", .string($0.code)), ("frame", .int($0.frame))]) })),
            ("wireshark_filter", .string(c.wiresharkFilter)),
        ]
    }

    static func tcp(_ c: ConnectionSummary) -> JSON {
        func side(_ d: DirectionSummary) -> JSON {
            .object([
                ("packets", .int(d.packets)), ("payload_bytes", .int(Int64(d.payloadBytes))),
                ("retransmissions", .int(d.retransmissions)), ("out_of_order", .int(d.outOfOrder)),
                ("gaps", .int(d.gaps)), ("gap_bytes", .int(Int64(d.gapBytes))),
                ("overlaps_different_data", .int(d.overlapsDiffering)), ("zero_windows", .int(d.zeroWindows)),
                ("syns", .int(d.synCount)), ("mss", d.announcedMSS > 0 ? .int(d.announcedMSS) : .null),
                ("largest_segment", .int(d.largestSegment)), ("ttl", .int(Int(d.ttl))),
                ("fin_frame", .optional(d.finFrame)), ("rst_frame", .optional(d.rstFrame)), ("rsts", .int(d.rstCount)),
                ("capture_duplicates", .int(d.captureDuplicates)),
            ])
        }
        return .object([
            ("ended", .string(c.ending.label)),
            ("ended_frame", .optional(c.ending.frame)),
            ("finish_reason", .string(c.finishReason)),
            ("missing_syn", .bool(c.missingSYN)),
            ("handshake_rtt_server_ms", c.serverRTT.map { .double(Double($0) / 1e6) } ?? .null),
            ("handshake_rtt_client_ms", c.clientRTT.map { .double(Double($0) / 1e6) } ?? .null),
            ("client_to_server", side(c.clientToServer)),
            ("server_to_client", side(c.serverToClient)),
        ])
    }

    static func verdict(_ c: ConnectionSummary) -> JSON {
        guard let v = c.verdict else { return .null }
        return .object([
            ("cause", .string(v.cause.rawValue)), ("side", .string(v.side.rawValue)), ("confidence", .string(v.confidence.rawValue)),
            ("summary", .string(v.summary)), ("remedy", .string(v.remedy)), ("consistent_with", .optional(v.consistentWith)),
            ("evidence_frames", .array(v.evidenceFrames.map { .int($0) })),
        ])
    }

    static func finding(_ f: Finding) -> JSON {
        .object([
            ("kind", .string(f.kind)), ("severity", .string(f.severity.rawValue)), ("frames", .array(f.frames.map { .int($0) })),
            ("evidence", .string(f.evidence.rawValue)), ("summary", .string(f.summary)),
            ("detail", .object(f.detail.map { key, value in
                switch value {
                case .int(let i): return (key, .int(i))
                case .string(let s): return (key, .string(s))
                case .bool(let b): return (key, .bool(b))
                case .strings(let l): return (key, .array(l.map(JSON.string)))
                }
            })),
        ])
    }

    public static func summary(_ result: AnalysisResult) -> JSON {
        let counts = result.counts
        return .object([
            ("connections", .int(counts.connections)),
            ("rdp_connections", .int(counts.rdp)),
            ("failed", .int(counts.failed)),
            ("by_cause", .object(counts.byCause.map { ($0.key, .int($0.count)) })),
            ("by_side", .object(counts.bySide.map { ($0.key, .int($0.count)) })),
            ("top_failing_servers", .array(counts.topFailingServers.map { .object([("server", .string($0.key)), ("failed", .int($0.count))]) })),
        ])
    }
}
