import Diagnosis
import Dissect
import Reassembly

/// The JSON sections of issue 3: negotiation, mcs, tls, certificate, licensing,
/// credssp, error_info, and the whole handshake timeline, with frame numbers everywhere.
enum HandshakeJSON {
    static func sections(_ c: ConnectionSummary) -> [(String, JSON)] {
        guard c.isRDP else { return [] }
        var negotiation: [(String, JSON)] = []
        var mcs: [(String, JSON)] = []
        var licensing: [JSON] = []
        var credssp: [JSON] = []
        var errorInfo: [JSON] = []
        var alerts: [JSON] = []
        // By index, protected records first: `for e in c.handshake` copied every event
        // (see Diagnosis/TimelineAccess.swift).
        let handshake = c.handshake
        for i in handshake.indices {
            if let r = handshake[i].message.protectedRecord {
                if r.kind == .alert {
                    alerts.append(.object([("frame", .int(handshake[i].frame)), ("from", .string(handshake[i].direction.sender)),
                                           ("encrypted", .bool(true)), ("record_length", .int(r.recordLength))]))
                }
                continue
            }
            let e = handshake[i]
            let from = JSON.string(e.direction.sender)
            switch e.message {
            case .x224Request(let cr) where !negotiation.contains { $0.0 == "request" }:
                var f: [(String, JSON)] = [("frame", .int(e.frame))]
                switch cr.token {
                case .cookie(let id)?: f.append(("cookie", .string(id)))
                case .routingToken(let t)?: f.append(("routing_token", .string(t.text))); f.append(("routing_target", .optional(t.endpoint)))
                case .other(let text)?: f.append(("token", .string(text)))
                case nil: break
                }
                if let n = cr.negotiationRequest {
                    f.append(("requested_protocols", .array(RDPSecurityProtocol.names(mask: n.requestedProtocols).map(JSON.string))))
                    f.append(("requested_protocols_value", .int(Int(n.requestedProtocols))))
                    f.append(("flags", .array(n.flagNames.map(JSON.string))))
                } else {
                    f.append(("requested_protocols", .null))
                }
                if let ci = cr.correlationInfo { f.append(("correlation_id", .string(ci.correlationIdHex))) }
                negotiation.append(("request", .object(f)))
            case .x224Confirm(let cc) where !negotiation.contains { $0.0 == "confirm" }:
                var f: [(String, JSON)] = [("frame", .int(e.frame))]
                switch cc.negotiation {
                case .response(let r):
                    f.append(("selected_protocol", .optional(r.selectedProtocolName)))
                    f.append(("selected_protocol_value", .int(Int(r.selectedProtocol))))
                    f.append(("flags", .array(r.flagNames.map(JSON.string))))
                case .failure(let fail):
                    f.append(("failure", .object([("code", .int(Int(fail.failureCode))), ("name", .optional(fail.failureName)),
                                                  ("meaning", .optional(fail.failureMeaning))])))
                case .legacy:
                    f.append(("selected_protocol", .string("PROTOCOL_RDP")))
                    f.append(("legacy", .bool(true)))
                }
                negotiation.append(("confirm", .object(f)))
            case .mcsConnectInitial(let ci):
                var f: [(String, JSON)] = [("frame", .int(e.frame))]
                if let core = ci.conference.core {
                    f += [("client_name", .string(core.clientName)), ("client_build", .int(Int(core.clientBuild))),
                          ("desktop", .string("\(core.desktopWidth)x\(core.desktopHeight)")),
                          ("keyboard_layout", .int(Int(core.keyboardLayout))),
                          ("early_capabilities", .array(core.earlyCapabilityNames.map(JSON.string))),
                          ("supports_error_info_pdu", .bool(core.supportsErrorInfoPDU)),
                          ("server_selected_protocol", core.serverSelectedProtocol.map { .int(Int($0)) } ?? .null)]
                }
                if let sec = ci.conference.security { f.append(("encryption_methods", .array(sec.encryptionMethodNames.map(JSON.string)))) }
                if let net = ci.conference.network { f.append(("channels", .array(net.channels.map { .string($0.name) }))) }
                mcs.append(("connect_initial", .object(f)))
            case .mcsConnectResponse(let cr):
                var f: [(String, JSON)] = [("frame", .int(e.frame)), ("result", .string(cr.resultName ?? String(cr.result)))]
                if let sec = cr.conference?.security {
                    f.append(("encryption_method", .string(sec.encryptionMethodName ?? String(sec.encryptionMethod))))
                    f.append(("encryption_level", .string(sec.encryptionLevelName ?? String(sec.encryptionLevel))))
                    if let cert = sec.certificate {
                        let kind: String
                        switch cert.body {
                        case .proprietary: kind = "proprietary"
                        case .x509Chain: kind = "x509"
                        case .unknown: kind = "unknown"
                        }
                        f.append(("server_certificate", .string(kind)))
                    }
                }
                mcs.append(("connect_response", .object(f)))
            case .mcsDomain(.disconnectProviderUltimatum(let reason)):
                mcs.append(("disconnect_provider_ultimatum", .object([("frame", .int(e.frame)), ("from", from),
                                                                        ("reason", .string(MCSCodes.reasonName(reason) ?? String(reason)))])))
            case .licensing(let pdu):
                var f: [(String, JSON)] = [("frame", .int(e.frame)), ("from", from),
                                           ("message", .string(pdu.preamble.messageTypeName ?? String(pdu.preamble.messageType)))]
                if case let .errorAlert(err) = pdu.message {
                    f += [("error_code", .int(Int(err.errorCode))), ("error_name", .optional(err.errorCodeName)),
                          ("state_transition", .optional(err.stateTransitionName)), ("valid_client", .bool(err.isValidClient))]
                }
                licensing.append(.object(f))
            case .credSSP(let t):
                credssp.append(.object([("frame", .int(e.frame)), ("from", from), ("version", .int(Int(t.version))),
                                        ("nego_tokens", .int(t.negoTokenCount)),
                                        ("error_code", t.errorCode.map { .int(Int($0)) } ?? .null),
                                        ("error_name", .optional(t.errorCodeName))]))
            case .shareControl(let pdu):
                if case let .data(_, info?) = pdu.body {
                    errorInfo.append(.object([("frame", .int(e.frame)), ("code", .int(Int(info.errorInfo))),
                                              ("name", .optional(info.name)), ("meaning", .optional(info.meaning))]))
                }
            case .tlsAlert(let a):
                alerts.append(.object([("frame", .int(e.frame)), ("from", from), ("level", .string("\(a.level)")),
                                       ("description", .string("\(a.alertDescription)")), ("encrypted", .bool(false))]))
            default:
                break
            }
        }
        var tls: JSON = .null
        if let t = c.tls {
            tls = .object([
                ("client_hello_frame", .optional(t.clientHelloFrame)),
                ("offered_versions", .array(t.offeredVersions.map(JSON.string))),
                ("offered_cipher_suites", .int(t.offeredCipherSuites)),
                ("server_name", .optional(t.serverName)),
                ("alpn", .array(t.alpn.map(JSON.string))),
                ("client_fingerprint", .optional(t.clientFingerprint)),
                ("server_hello_frame", .optional(t.serverHelloFrame)),
                ("version", .optional(t.version)),
                ("cipher_suite", .optional(t.cipherSuite)),
                ("hello_retry_request", .bool(t.helloRetryRequest)),
                ("alerts", .array(alerts)),
                ("encrypted_records", .object([("client_to_server", .int(c.encryptedRecords.0)),
                                               ("server_to_client", .int(c.encryptedRecords.1))])),
            ])
        }
        return [
            ("negotiation", negotiation.isEmpty ? .null : .object(negotiation)),
            ("mcs", mcs.isEmpty ? .null : .object(mcs)),
            ("tls", tls),
            ("certificate", c.certificates.isEmpty ? .null : .array(c.certificates.map(certificate))),
            ("licensing", .array(licensing)),
            ("credssp", .array(credssp)),
            ("error_info", .array(errorInfo)),
            ("handshake", .array(timeline(c.handshake))),
            ("dissect_anomalies", .array(c.dissectAnomalies.map { a in
                .object([("code", .string(a.code)), ("frame", .int(a.frame)), ("from", .string(a.direction.sender)),
                         ("detail", .optional(a.detail))])
            })),
        ]
    }

    /// The timeline with runs of TLS application data (or encrypted RDP / fast-path
    /// PDUs) in one direction folded into one entry with a count and the last frame.
    static func timeline(_ events: [HandshakeEvent]) -> [JSON] {
        var out: [JSON] = []
        var i = 0
        while i < events.count {
            let e = events[i]
            let name = e.message.name
            var j = i + 1
            if let kind = TimelineText.foldable(events, i) {
                while j < events.count && events[j].direction == e.direction && TimelineText.foldable(events, j) == kind { j += 1 }
            }
            var fields: [(String, JSON)] = [("frame", .int(e.frame)), ("time", .string(TimeFormat.rfc3339(e.time))),
                                            ("from", .string(e.direction.sender)), ("message", .string(name))]
            if j - i > 1 {
                fields += [("count", .int(j - i)), ("last_frame", .int(events[j - 1].frame))]
            } else {
                fields.append(("details", .string(HandshakeDescription.details(e.message))))
            }
            out.append(.object(fields))
            i = j
        }
        return out
    }

    static func certificate(_ s: X509CertificateSummary) -> JSON {
        .object([
            ("position", .int(s.position)),
            ("subject", .optional(s.subject)),
            ("issuer", .optional(s.issuer)),
            ("serial", .optional(s.serialNumber)),
            ("not_before", .optional(s.notValidBeforeText)),
            ("not_after", .optional(s.notValidAfterText)),
            ("self_signed", .bool(s.isSelfIssued)),
            ("key", .optional(s.key?.description)),
            ("signature_algorithm", .optional(s.signatureAlgorithm)),
            ("weak_signature", .bool(s.signatureAlgorithmIsWeak)),
            ("dns_names", .array(s.dnsNames.map(JSON.string))),
            ("ip_addresses", .array(s.ipAddresses.map(JSON.string))),
            ("extended_key_usages", s.extendedKeyUsages.map { .array($0.map(JSON.string)) } ?? .null),
            ("server_authentication", .bool(s.allowsServerAuthentication)),
            ("remote_desktop_authentication", .bool(s.hasRemoteDesktopAuthentication)),
            ("sha1", .string(s.sha1Thumbprint)),
            ("sha256", .string(s.sha256Thumbprint)),
            ("error", .optional(s.error?.code)),
        ])
    }
}
