import Capture
import Dissect
import Reassembly

/// The verdict rules, in one table, tried in order: the first that matches
/// names the cause that ended the connection. Each rule follows from the
/// protocols (who sends what, when) and from how TCP stacks behave; none is
/// tuned to a particular capture.
enum VerdictRules {
    struct Rule: Sendable {
        let cause: Cause
        let match: @Sendable (DiagnosisFacts) -> Verdict?
    }

    static func verdict(_ f: DiagnosisFacts) -> Verdict {
        for rule in rules {
            if let v = rule.match(f) { return v }
        }
        return make(.incompleteCapture, .low, "The capture shows no outcome for this connection.", f.c.firstFrame)
    }

    static func make(_ cause: Cause, _ confidence: Confidence, _ summary: String, _ frames: Int?...) -> Verdict {
        Verdict(cause: cause, confidence: confidence, summary: summary, remedy: CauseGuide.remedy(for: cause),
                consistentWith: CauseGuide.consistentWith(for: cause), evidenceFrames: frames.compactMap { $0 })
    }

    static func at(_ f: DiagnosisFacts) -> String { f.reached.map { " at \($0.rawValue)" } ?? "" }

    static let rules: [Rule] = [
        // The server refused the security protocol in the X.224 exchange.
        Rule(cause: .negotiationFailure) { f in
            if let n = f.negotiationFailure {
                let name = n.failure.failureName ?? "code \(n.failure.failureCode)"
                return make(.negotiationFailure, .high,
                            "The server answered the X.224 Connection Request with RDP_NEG_FAILURE \(name) (frame \(n.frame)): \(n.failure.failureMeaning ?? "").",
                            n.frame)
            }
            if let u = f.selectedUnofferedProtocol, !f.reached(.tlsClientHello) && !f.reached(.mcsConnect) {
                let selected = RDPSecurityProtocol.name(u.selected) ?? "0x\(String(u.selected, radix: 16))"
                let offered = RDPSecurityProtocol.names(mask: u.requested).joined(separator: "|")
                return make(.negotiationFailure, .medium,
                            "The server selected \(selected) in its Connection Confirm (frame \(u.frame)), a security protocol the client did not offer (\(offered)); the connection ended there. A Windows server would have answered RDP_NEG_FAILURE.",
                            u.frame, f.firstClose?.frame)
            }
            return nil
        },
        // Nothing came back for the SYNs.
        Rule(cause: .noAnswer) { f in
            let syns = f.c.clientToServer.synCount
            guard syns > 0, f.c.serverToClient.packets == 0, f.icmp.isEmpty, f.c.synAckFrameless else { return nil }
            return make(.noAnswer, syns >= 2 ? .high : .medium,
                        "The client sent \(syns) SYN\(syns == 1 ? "" : "s") (frame \(f.c.firstFrame)\(syns > 1 ? " to \(f.c.lastFrame)" : "")) and nothing came back: no SYN-ACK, no RST, no ICMP error.",
                        f.c.firstFrame)
        },
        // A router or firewall said the destination cannot be reached.
        Rule(cause: .icmpUnreachable) { f in
            guard let u = f.unreachable, !f.reached(.x224Request) else { return nil }
            return make(.icmpUnreachable, .high,
                        "\(ICMPNames.describe(u)) from \(u.reporter) (frame \(u.frame)) quoting this connection's \(u.direction == .clientToServer ? "SYN" : "packet").",
                        u.frame)
        },
        // The SYN was answered by a RST.
        Rule(cause: .portClosed) { f in
            guard let r = f.synAnsweredByReset else { return nil }
            if r.judgement == .forged {
                return make(.forgedReset, .high,
                            "The SYN was answered by a RST (frame \(r.reset.frame)) that did not come from the server: \(r.notes.joined(separator: "; ")). A firewall or other in-path device rejected the connection.",
                            r.reset.frame)
            }
            let confidence: Confidence = r.judgement == .genuine ? .high : .medium
            return make(.portClosed, confidence,
                        "The server answered the SYN with a RST (frame \(r.reset.frame)): nothing listens on port \(f.c.server.port)\(r.judgement == .genuine ? "" : " (the RST could not be compared with other packets of the server)").",
                        r.reset.frame)
        },
        // TLS refused by the server with an alert.
        Rule(cause: .tlsRejectedByServer) { f in
            guard let a = f.plaintextAlert(from: .serverToClient), !f.reached(.tlsEstablished) else { return nil }
            // An alert sent after the client had already closed answers the close; it did not end the connection.
            if let close = f.firstClose, close.direction == .clientToServer, close.frame < a.frame { return nil }
            return make(.tlsRejectedByServer, .high,
                        "The server ended the TLS handshake with a \(a.alert.level) \(a.alert.alertDescription) alert (frame \(a.frame))\(f.c.tls?.offeredVersions.isEmpty == false ? " after a ClientHello offering \(f.c.tls?.offeredVersions.joined(separator: ", ") ?? "")" : "").",
                        a.frame, f.c.tls?.clientHelloFrame)
        },
        // TLS refused by the client with an alert: certificate or version/cipher.
        Rule(cause: .tlsRejectedByClient) { f in
            guard let a = f.plaintextAlert(from: .clientToServer), !f.reached(.tlsEstablished) || a.frame < (f.stage(.tlsEstablished)?.frame ?? 0) else { return nil }
            if let close = f.firstClose, close.direction == .serverToClient, close.frame < a.frame { return nil }
            let certificateAlerts: Set<UInt8> = [42, 43, 44, 45, 46, 48, 116]
            if certificateAlerts.contains(a.alert.alertDescription.rawValue) {
                return make(.certificateRejectedByClient, .high,
                            "The client rejected the server's certificate with a \(a.alert.alertDescription) alert (frame \(a.frame)).",
                            a.frame, f.serverHelloFrame)
            }
            return make(.tlsRejectedByClient, .high,
                        "The client ended the TLS handshake with a \(a.alert.level) \(a.alert.alertDescription) alert (frame \(a.frame))\(f.c.tls?.version.map { " after the server chose \($0) \(f.c.tls?.cipherSuite ?? "")" } ?? "").",
                        a.frame, f.serverHelloFrame)
        },
        // A RST that did not come from the endpoint it claims.
        Rule(cause: .forgedReset) { f in
            guard let r = f.forgedReset else { return nil }
            let sideName = r.reset.direction == .serverToClient ? "server" : "client"
            return make(.forgedReset, .high,
                        "A RST claiming to come from the \(sideName) (frame \(r.reset.frame)\(at(f))) was injected by a device in the path: \(r.notes.joined(separator: "; ")).",
                        r.reset.frame)
        },
        // The server said why, in a Set Error Info PDU.
        Rule(cause: .serverDeniedConnection) { f in
            guard let e = f.errorInfo else { return nil }
            let code = e.info.errorInfo
            let name = e.info.name ?? "0x\(String(code, radix: 16))"
            if code == 7 {
                return make(.serverDeniedConnection, .high, "The server sent Set Error Info \(name) (frame \(e.frame)): it denied the connection.", e.frame)
            }
            if code >= 0x100 && code <= 0x10A {
                return make(.licensingFailed, .high, "The server sent Set Error Info \(name) (frame \(e.frame)): \(e.info.meaning ?? "a licensing error").", e.frame)
            }
            return make(.serverErrorInfo, .high, "The server sent Set Error Info \(name) (frame \(e.frame)): \(e.info.meaning ?? "").", e.frame)
        },
        // Licensing ended with an error.
        Rule(cause: .licensingFailed) { f in
            if let l = f.licensingError {
                return make(.licensingFailed, .high,
                            "The server's licensing Error Alert \(l.error.errorCodeName ?? "0x\(String(l.error.errorCode, radix: 16))") / \(l.error.stateTransitionName ?? "") (frame \(l.frame)) ended licensing\(l.error.errorCodeMeaning.map { ": \($0)" } ?? "").",
                            l.frame)
            }
            return nil
        },
        // The certificate was outside its validity when the connection was made, and the connection died on it.
        Rule(cause: .certificateExpired) { f in
            guard let validity = f.certificateValidity(), validity != .valid, let cert = f.certificate,
                  f.reached(.tlsServerHello), !f.reached(.mcsConnect), let close = f.firstClose, close.direction == .clientToServer else { return nil }
            let cause: Cause = validity == .notYetValid ? .certificateNotYetValid : .certificateExpired
            let when = validity == .notYetValid ? "is not valid before \(cert.notValidBeforeText ?? "?")" : "expired \(cert.notValidAfterText ?? "?")"
            return make(cause, .high,
                        "The server's certificate (\(cert.subject ?? "?"), SHA-1 \(cert.sha1Thumbprint)) \(when), before this capture; the client closed (\(close.how), frame \(close.frame)) right after receiving it.",
                        f.serverHelloFrame, close.frame)
        },
        // NLA (CredSSP) refused, as the decrypted TSRequest or Early User Authorization Result says.
        Rule(cause: .nlaFailed) { f in
            // By index: only the server's decrypted NLA messages are looked at (see TimelineAccess.swift).
            let handshake = f.c.handshake
            for i in handshake.indices where handshake[i].direction == .serverToClient && handshake[i].message.isNLAResult {
                let e = handshake[i]
                if case let .credSSP(request) = e.message, let code = request.errorCode {
                    let name = request.errorCodeName ?? "0x\(String(code, radix: 16))"
                    return make(.nlaFailed, .high,
                                "The server refused Network Level Authentication: its CredSSP TSRequest (frame \(e.frame), decrypted) carries errorCode \(name)\(request.errorCodeMeaning.map { ": \($0)" } ?? "").",
                                e.frame)
                }
                if case let .earlyUserAuthorization(result) = e.message, result.isAccessDenied {
                    return make(.nlaFailed, .high,
                                "The server's Early User Authorization Result (frame \(e.frame), decrypted) is ACCESS_DENIED: the user authenticated but may not log on to this server.",
                                e.frame)
                }
            }
            return nil
        },
        // NLA (CredSSP) ended by the server.
        Rule(cause: .nlaFailed) { f in
            guard let selected = f.c.selectedProtocol, selected & (RDPSecurityProtocol.hybrid | RDPSecurityProtocol.hybridEx) != 0,
                  f.reached(.nla) || f.reached(.tlsEstablished), !f.reached(.mcsConnect),
                  let close = f.firstClose, close.direction == .serverToClient else { return nil }
            let denied = f.inferred.first { $0.kind == .earlyUserAuthorizationResult }
            return make(.nlaFailed, .medium,
                        "The server closed the connection (\(close.how), frame \(close.frame)) during Network Level Authentication (CredSSP)\(denied.map { ", right after the Early User Authorization Result (frame \($0.frame))" } ?? ""): the credentials or the account were refused.",
                        close.frame)
        },
        // The server closed after the ClientHello, without a ServerHello.
        Rule(cause: .serverClosedAfterClientHello) { f in
            guard f.reached(.tlsClientHello), !f.reached(.tlsServerHello), let close = f.firstClose,
                  close.direction == .serverToClient else { return nil }
            return make(.serverClosedAfterClientHello, .high,
                        "The server closed the connection (\(close.how), frame \(close.frame)) after the ClientHello (frame \(f.stage(.tlsClientHello)?.frame ?? 0)) without answering it: its TLS certificate key is unusable (e.g. MachineKeys permissions) or security software on the server cut the handshake.",
                        f.stage(.tlsClientHello)?.frame, close.frame)
        },
        // A full-size segment never got through while smaller ones did.
        Rule(cause: .pathMTUBlackhole) { f in
            guard let b = f.blackHole, !f.reached(.active) else { return nil }
            let peer = b.direction == .serverToClient ? f.c.clientToServer.announcedMSS : f.c.serverToClient.announcedMSS
            return make(.pathMTUBlackhole, .high,
                        "A full-size \(b.largest)-byte segment from the \(b.direction.sender) (IP datagram \(b.segment.ipLength) bytes, frames \(b.segment.firstFrame) to \(b.segment.lastFrame)) was sent \(b.segment.count + 1) times and never acknowledged, while smaller packets got through\(peer > 0 ? "; the \(b.direction.reversed.sender) announced MSS \(peer)" : ""). Packets of that size are dropped on the path and the ICMP 'fragmentation needed' messages do not arrive.",
                        b.segment.firstFrame, b.segment.lastFrame)
        },
        // The client closed right after the TLS handshake: it did not accept the certificate.
        Rule(cause: .certificateRejectedByClient) { f in
            guard f.reached(.tlsServerHello), !f.reached(.mcsConnect), f.c.selectedProtocol.map({ $0 != 0 }) == true,
                  let close = f.firstClose, close.direction == .clientToServer, close.how != "RST",
                  f.applicationRecords(from: .clientToServer) <= (f.c.tls?.version == "TLS 1.3" ? 1 : 0) else { return nil }
            var reason = "the client closed (\(close.how), frame \(close.frame)) right after the TLS handshake without sending any RDP data"
            if let cert = f.certificate {
                reason += cert.isSelfIssued ? "; the server's certificate (\(cert.subject ?? "?")) is self-signed" : "; the server's certificate is \(cert.subject ?? "?") issued by \(cert.issuer ?? "?")"
            }
            return make(.certificateRejectedByClient, f.certificate == nil ? .low : .medium,
                        reason.prefix(1).uppercased() + reason.dropFirst() + ": the client (or its user) did not accept the server certificate.",
                        f.serverHelloFrame, close.frame)
        },
        // Inside TLS without keys: a record the size of a Set Error Info PDU before the
        // Demand Active, then the server closed. Its code needs the key log.
        Rule(cause: .serverErrorInfo) { f in
            guard !f.reached(.active), let p = f.inferred.first(where: { $0.kind == .setErrorInfo && $0.direction == .serverToClient }),
                  let close = f.firstClose, close.direction == .serverToClient, close.frame >= p.frame else { return nil }
            return make(.serverErrorInfo, .medium,
                        "The server sent a \(p.plaintext)-byte record the size of a Set Error Info PDU (frame \(p.frame)), before any Demand Active, and closed (\(close.how), frame \(close.frame)): it refused the session with an error code that is encrypted. Run again with the TLS key log (--keylog) to read the code (0x7 would be ERRINFO_SERVER_DENIED_CONNECTION).",
                        p.frame, close.frame)
        },
        // The server closed right after the licensing exchange.
        Rule(cause: .licensingFailed) { f in
            guard f.reached(.licensing), !f.reached(.active), let close = f.firstClose, close.direction == .serverToClient else { return nil }
            return make(.licensingFailed, .medium,
                        "The server closed the connection (\(close.how), frame \(close.frame)) right after the licensing exchange (frame \(f.stage(.licensing)?.frame ?? 0)).",
                        f.stage(.licensing)?.frame, close.frame)
        },
        // It worked.
        Rule(cause: .ok) { f in
            guard f.reached(.active) else { return nil }
            let stage = f.stage(.active)
            return make(.ok, stage?.evidence == .observed ? .high : .medium,
                        "The connection reached the active phase (frame \(stage?.frame ?? 0)\(stage?.evidence == .inferred ? ", inferred from TLS record sizes" : "")).",
                        stage?.frame)
        },
        // The handshake stopped mid-way, retransmitting, and nobody closed.
        Rule(cause: .stalled) { f in
            guard f.endedOpen, f.retransmissionsTotal > 0, f.c.synAckFrameless == false else { return nil }
            return make(.stalled, .medium,
                        "The handshake stopped\(at(f)) with \(f.retransmissionsTotal) retransmission(s) and neither side closed until frame \(f.c.lastFrame).",
                        f.c.lastFrame)
        },
        // Someone closed at a named stage.
        Rule(cause: .serverReset) { f in
            guard let close = f.firstClose else { return nil }
            let server = close.direction == .serverToClient
            let reset = close.how == "RST"
            let cause: Cause = server ? (reset ? .serverReset : .serverClosed) : (reset ? .clientReset : .clientClosed)
            let who = server ? "server" : "client"
            let how = reset ? "reset the connection" : (close.how == "FIN" ? "closed the connection" : "closed TLS")
            var note = ""
            if reset, let r = f.resets.first(where: { $0.reset.frame == close.frame }), r.judgement == .undetermined {
                note = r.signals == [.timing]
                    ? " (it came sooner than the measured round trip allows, but its TTL and IP ID fit the \(who)'s packets)"
                    : " (the RST could not be compared with the \(who)'s other packets)"
            }
            return make(cause, reset && !note.isEmpty ? .medium : .high,
                        "The \(who) \(how) (\(close.how), frame \(close.frame))\(at(f))\(note).", close.frame)
        },
    ]
}

extension ConnectionSummary {
    /// No SYN-ACK was seen.
    var synAckFrameless: Bool { serverToClient.synCount == 0 }
}

/// ICMP types and codes by name, for findings and verdicts.
enum ICMPNames {
    static func describe(_ i: ICMPObservation) -> String {
        if i.version == 4 {
            switch (i.type, i.code) {
            case (3, 0): return "ICMP network unreachable"
            case (3, 1): return "ICMP host unreachable"
            case (3, 2): return "ICMP protocol unreachable"
            case (3, 3): return "ICMP port unreachable"
            case (3, 4): return "ICMP fragmentation needed (next-hop MTU \(i.mtu))"
            case (3, 9), (3, 10): return "ICMP destination administratively prohibited (host)"
            case (3, 13): return "ICMP communication administratively prohibited"
            case (11, _): return "ICMP time exceeded"
            default: return "ICMP type \(i.type) code \(i.code)"
            }
        }
        switch (i.type, i.code) {
        case (1, 0): return "ICMPv6 no route to destination"
        case (1, 1): return "ICMPv6 communication administratively prohibited"
        case (1, 3): return "ICMPv6 address unreachable"
        case (1, 4): return "ICMPv6 port unreachable"
        case (1, 6): return "ICMPv6 reject route to destination"
        case (2, _): return "ICMPv6 packet too big (MTU \(i.mtu))"
        case (3, _): return "ICMPv6 time exceeded"
        default: return "ICMPv6 type \(i.type) code \(i.code)"
        }
    }
}
