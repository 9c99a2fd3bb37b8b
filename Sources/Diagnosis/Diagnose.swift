import Capture
import Dissect
import Reassembly

/// Turns a finished connection's facts into findings and a verdict.
enum Diagnose {
    static func run(_ c: inout ConnectionSummary, observations: Observations, hosts: HostProfiles) {
        // Stages inside TLS, inferred from record sizes when the clear text shows nothing further.
        let tls13 = c.tls?.version == "TLS 1.3"
        let inference = EncryptedPhaseInference.infer(c.handshake, selectedProtocol: c.selectedProtocol, tls13: tls13,
                                                      established: c.stages.first { $0.stage == .tlsEstablished })
        for stage in inference.stages where !c.stages.contains(where: { $0.stage == stage.stage }) {
            c.stages.append(stage)
        }
        c.stages.sort { $0.stage < $1.stage }
        c.inferredPDUs = inference.pdus
        let resets = ResetJudge.judge(observations.resets, observations: observations, connection: c, hosts: hosts)
        c.resets = resets
        let facts = DiagnosisFacts(c: c, resets: resets, icmp: observations.icmp, retransmissions: observations.retransmissions,
                                   largestPayload: PerDirection(observations.senders[0].largestPayload, observations.senders[1].largestPayload),
                                   inferred: inference.pdus)
        let verdict = VerdictRules.verdict(facts)
        c.verdict = verdict
        c.findings = Findings.collect(facts, verdict: verdict)
    }
}

/// Every notable fact of a connection as a finding; the ones that match the
/// verdict's evidence are errors, the rest warnings or notes.
enum Findings {
    static func collect(_ f: DiagnosisFacts, verdict: Verdict) -> [Finding] {
        var out: [Finding] = []
        // Room for the usual few findings at once, instead of growing 1, 2, 4.
        out.reserveCapacity(8)
        let c = f.c
        // A verdict cites one to three frames: a linear search beats building a Set per connection.
        let decisive = verdict.evidenceFrames
        func severity(_ frame: Int, otherwise: Finding.Severity = .warning) -> Finding.Severity {
            verdict.failed && decisive.contains(frame) ? .error : otherwise
        }
        if c.clientToServer.synCount > 1 {
            out.append(Finding("syn_retransmitted", severity(c.firstFrame, otherwise: .info), frames: [c.firstFrame],
                               summary: "The client sent its SYN \(c.clientToServer.synCount) times.",
                               detail: [("syns", .int(c.clientToServer.synCount))]))
        }
        for i in f.icmp {
            out.append(Finding("icmp_error", severity(i.frame), frames: [i.frame],
                               summary: "\(ICMPNames.describe(i)) from \(i.reporter) about a \(i.direction.sender) packet.",
                               detail: [("type", .int(Int(i.type))), ("code", .int(Int(i.code))), ("reporter", .string(i.reporter.description)),
                                        ("mtu", .int(Int(i.mtu)))]))
        }
        if let n = f.negotiationFailure {
            out.append(Finding("negotiation_failure", .error, frames: [n.frame],
                               summary: "RDP_NEG_FAILURE \(n.failure.failureName ?? String(n.failure.failureCode)): \(n.failure.failureMeaning ?? "")",
                               detail: [("code", .int(Int(n.failure.failureCode))), ("name", .string(n.failure.failureName ?? ""))]))
        }
        // By index, protected records first (see TimelineAccess.swift).
        let handshake = c.handshake
        for i in handshake.indices {
            if let r = handshake[i].message.protectedRecord {
                if r.kind == .alert {
                    out.append(Finding("tls_alert", severity(handshake[i].frame, otherwise: .info), frames: [handshake[i].frame],
                                       summary: "Encrypted TLS alert from the \(handshake[i].direction.sender) (most likely close_notify or a fatal error; the key log would tell).",
                                       detail: [("from", .string(handshake[i].direction.sender)), ("encrypted", .bool(true))]))
                } else if r.kind == .applicationData, case let .atMost(n)? = r.plaintext, n <= 2 {
                    // TLS 1.3 hides alerts in application_data; 2 bytes of plaintext is an alert
                    // (no RDP PDU is that short: TPKT needs 4, fast-path 2 plus a body).
                    out.append(Finding("tls_alert", severity(handshake[i].frame, otherwise: .info), frames: [handshake[i].frame], evidence: .inferred,
                                       summary: "A TLS 1.3 record from the \(handshake[i].direction.sender) with at most 2 bytes of plaintext: an encrypted alert.",
                                       detail: [("from", .string(handshake[i].direction.sender)), ("encrypted", .bool(true))]))
                }
                continue
            }
            let e = handshake[i]
            switch e.message {
            case .tlsAlert(let a):
                out.append(Finding("tls_alert", severity(e.frame, otherwise: a.isFatal ? .warning : .info), frames: [e.frame],
                                   summary: "TLS \(a.level) alert \(a.alertDescription) from the \(e.direction.sender).",
                                   detail: [("from", .string(e.direction.sender)), ("level", .string("\(a.level)")),
                                            ("description", .string("\(a.alertDescription)")), ("encrypted", .bool(false))]))
            case .licensing(let pdu):
                if case let .errorAlert(err) = pdu.message {
                    out.append(Finding("licensing", err.isValidClient ? .info : severity(e.frame, otherwise: .warning), frames: [e.frame],
                                       summary: "Licensing Error Alert \(err.errorCodeName ?? String(err.errorCode)) / \(err.stateTransitionName ?? String(err.stateTransition))\(err.isValidClient ? " (no license needed)" : "").",
                                       detail: [("error_code", .int(Int(err.errorCode))), ("error_name", .string(err.errorCodeName ?? "")),
                                                ("state_transition", .string(err.stateTransitionName ?? ""))]))
                }
            case .shareControl(let pdu):
                if case let .data(_, info?) = pdu.body {
                    out.append(Finding("error_info", severity(e.frame), frames: [e.frame],
                                       summary: "Set Error Info \(info.name ?? String(info.errorInfo)): \(info.meaning ?? "")",
                                       detail: [("code", .int(Int(info.errorInfo))), ("name", .string(info.name ?? ""))]))
                }
            case .mcsDomain(.disconnectProviderUltimatum(let reason)):
                out.append(Finding("disconnect_provider_ultimatum", .info, frames: [e.frame],
                                   summary: "MCS Disconnect Provider Ultimatum from the \(e.direction.sender) (\(MCSCodes.reasonName(reason) ?? String(reason))).",
                                   detail: [("from", .string(e.direction.sender))]))
            default:
                break
            }
        }
        if let u = f.selectedUnofferedProtocol {
            out.append(Finding("protocol_not_offered", severity(u.frame), frames: [u.frame],
                               summary: "The server selected \(RDPSecurityProtocol.name(u.selected) ?? String(u.selected)), which the client did not offer.",
                               detail: [("selected", .int(Int(u.selected))), ("requested", .int(Int(u.requested)))]))
        }
        certificateFindings(f, into: &out, severity: severity)
        for r in f.resets {
            let signals = r.signals.map(\.rawValue)
            out.append(Finding("rst", severity(r.reset.frame, otherwise: r.judgement == .forged ? .warning : .info), frames: [r.reset.frame],
                               summary: "RST from the \(r.reset.direction.sender) judged \(r.judgement.rawValue)\(signals.isEmpty ? "" : " (\(signals.joined(separator: ", ")))"): \(r.notes.joined(separator: "; ")).",
                               detail: [("from", .string(r.reset.direction.sender)), ("judgement", .string(r.judgement.rawValue)),
                                        ("signals", .strings(signals)), ("ttl", .int(Int(r.reset.ttl))), ("ip_id", .int(Int(r.reset.ipID)))]))
        }
        if let b = f.blackHole {
            out.append(Finding("mtu_blackhole", severity(b.segment.firstFrame), frames: [b.segment.firstFrame, b.segment.lastFrame],
                               summary: "\(b.largest)-byte segments from the \(b.direction.sender) retransmitted \(b.segment.count) times without an ACK.",
                               detail: [("segment_bytes", .int(b.largest)), ("ip_bytes", .int(b.segment.ipLength)),
                                        ("retransmissions", .int(b.segment.count))]))
        } else if f.retransmissionsTotal > 0 {
            out.append(Finding("retransmissions", .info, frames: [],
                               summary: "\(c.clientToServer.retransmissions) retransmission(s) from the client, \(c.serverToClient.retransmissions) from the server.",
                               detail: [("client", .int(c.clientToServer.retransmissions)), ("server", .int(c.serverToClient.retransmissions))]))
        }
        for p in f.inferred where Self.reportsInferred(p.kind) {
            out.append(Finding("inferred_\(p.kind.rawValue)", .info, frames: [p.frame], evidence: .inferred,
                               summary: "A \(p.plaintext)-byte record from the \(p.direction.sender) has the size of a \(p.kind.words).",
                               detail: [("plaintext_bytes", .int(p.plaintext)), ("confidence", .string(p.confidence.rawValue))]))
        }
        if c.missingSYN {
            out.append(Finding("capture_started_mid_connection", .info, frames: [c.firstFrame],
                               summary: "The capture began after the connection opened."))
        }
        for a in c.anomalies where a.code != "missing_syn" {
            out.append(Finding("anomaly", .info, frames: [a.frame], summary: a.code, detail: [("code", .string(a.code))]))
        }
        for a in c.dissectAnomalies.prefix(8) {
            out.append(Finding("malformed", .info, frames: [a.frame], summary: "\(a.code)\(a.detail.map { ": \($0)" } ?? "")",
                               detail: [("code", .string(a.code)), ("from", .string(a.direction.sender))]))
        }
        return out
    }

    /// The inferred PDUs worth a finding of their own.
    static func reportsInferred(_ kind: InferredPDU.Kind) -> Bool {
        switch kind {
        case .setErrorInfo, .disconnectProviderUltimatum, .earlyUserAuthorizationResult, .licensingValidClient: return true
        default: return false
        }
    }

    static func certificateFindings(_ f: DiagnosisFacts, into out: inout [Finding], severity: (Int, Finding.Severity) -> Finding.Severity) {
        guard let cert = f.certificate, let frame = f.serverHelloFrame else { return }
        if let error = cert.error {
            out.append(Finding("certificate_unparseable", .warning, frames: [frame], summary: "The server certificate could not be parsed (\(error.code)).",
                               detail: [("sha1", .string(cert.sha1Thumbprint))]))
            return
        }
        // From `cert`: `f.certificateValidity()` would copy the certificate summary again.
        switch cert.validity(at: f.c.start) {
        case .expired?:
            out.append(Finding("certificate_expired", severity(frame, .warning), frames: [frame],
                               summary: "The server certificate \(cert.subject ?? "") expired \(cert.notValidAfterText ?? "?"), before the capture.",
                               detail: [("not_after", .string(cert.notValidAfterText ?? "")), ("sha1", .string(cert.sha1Thumbprint))]))
        case .notYetValid?:
            out.append(Finding("certificate_not_yet_valid", severity(frame, .warning), frames: [frame],
                               summary: "The server certificate \(cert.subject ?? "") is not valid before \(cert.notValidBeforeText ?? "?").",
                               detail: [("not_before", .string(cert.notValidBeforeText ?? "")), ("sha1", .string(cert.sha1Thumbprint))]))
        default:
            break
        }
        if cert.isSelfIssued {
            out.append(Finding("certificate_self_signed", .info, frames: [frame],
                               summary: "The server certificate is self-signed (\(cert.subject ?? "")): clients that do not trust it warn or refuse.",
                               detail: [("sha1", .string(cert.sha1Thumbprint))]))
        }
        if cert.signatureAlgorithmIsWeak {
            out.append(Finding("certificate_weak_signature", .warning, frames: [frame],
                               summary: "The server certificate is signed with \(cert.signatureAlgorithm ?? "a weak algorithm").", detail: []))
        }
        if case let .rsa(bits)? = cert.key, bits < 2048 {
            out.append(Finding("certificate_weak_key", .warning, frames: [frame], summary: "The server certificate has a \(bits)-bit RSA key.",
                               detail: [("bits", .int(bits))]))
        }
        if cert.extendedKeyUsages != nil && !cert.allowsServerAuthentication {
            out.append(Finding("certificate_no_server_auth", .warning, frames: [frame],
                               summary: "The server certificate's extended key usage allows neither Server Authentication nor Remote Desktop Authentication.", detail: []))
        }
    }
}
