import Diagnosis
import Dissect
import Reassembly

/// Key fields of each handshake message, as one line of text and as JSON.
public enum HandshakeDescription {
    static func hex(_ v: UInt32, width: Int = 1) -> String {
        var out = OutputBuffer(capacity: 10)
        appendHex(v, width: width, to: &out)
        return out.string
    }

    /// "0x" and lower-case hex digits, zero-padded to `width` digits.
    static func appendHex(_ v: UInt32, width: Int = 1, to out: inout OutputBuffer) {
        let digits = String(v, radix: 16)
        out.append("0x")
        out.append(repeating: UInt8(ascii: "0"), count: width - digits.utf8.count)
        out.append(digits)
    }

    static func appendProtocols(_ mask: UInt32, to out: inout OutputBuffer) {
        let names = RDPSecurityProtocol.names(mask: mask)
        if names.isEmpty { out.append("PROTOCOL_RDP") } else { appendJoined(names, "|", to: &out) }
    }

    static func appendJoined(_ items: [String], _ separator: String, to out: inout OutputBuffer) {
        for (i, item) in items.enumerated() {
            if i > 0 { out.append(separator) }
            out.append(item)
        }
    }

    /// One line of key fields for a text timeline.
    public static func details(_ message: HandshakeMessage) -> String {
        var out = OutputBuffer()
        appendDetails(message, to: &out)
        return out.string
    }

    /// Appends the key fields of `message` (nothing for a message without any);
    /// groups of fields are separated by "; ".
    static func appendDetails(_ message: HandshakeMessage, to out: inout OutputBuffer) {
        var firstPart = true
        /// Starts the next group of fields.
        func part() {
            if !firstPart { out.append("; ") }
            firstPart = false
        }
        switch message {
        case .x224Request(let cr):
            switch cr.token {
            case .cookie(let id)?:
                part()
                out.append("cookie mstshash=")
                out.append(id)
            case .routingToken(let token)?:
                part()
                out.append("routing token ")
                out.append(token.endpoint ?? token.text)
            case .other(let text)?:
                part()
                out.append("token \"")
                out.append(text)
                out.append("\"")
            case nil: break
            }
            if let neg = cr.negotiationRequest {
                part()
                out.append("requested ")
                appendProtocols(neg.requestedProtocols, to: &out)
                let flags = neg.flagNames
                if !flags.isEmpty {
                    part()
                    appendJoined(flags, ",", to: &out)
                }
            } else {
                part()
                out.append("no RDP_NEG_REQ (Standard RDP Security only)")
            }
            if let c = cr.correlationInfo {
                part()
                out.append("correlation ")
                out.append(c.correlationIdHex)
            }
        case .x224Confirm(let cc):
            switch cc.negotiation {
            case .response(let r):
                out.append("selected ")
                if let name = r.selectedProtocolName { out.append(name) } else { appendHex(r.selectedProtocol, to: &out) }
                let flags = r.flagNames
                if !flags.isEmpty {
                    out.append("; ")
                    appendJoined(flags, ",", to: &out)
                }
            case .failure(let f):
                out.append(f.failureName ?? "failure")
                out.append(" (")
                appendHex(f.failureCode, to: &out)
                out.append("): ")
                out.append(f.failureMeaning ?? "")
            case .legacy:
                out.append("no RDP_NEG_RSP: Standard RDP Security")
            }
        case .x224Disconnect(let dr):
            out.append("reason ")
            if let name = dr.reasonName { out.append(name) } else { out.append(dr.reason) }
        case .mcsConnectInitial(let ci):
            if let core = ci.conference.core {
                part()
                out.append("client \"")
                out.append(core.clientName)
                out.append("\" build ")
                out.append(core.clientBuild)
                part()
                out.append(core.desktopWidth)
                out.append("x")
                out.append(core.desktopHeight)
                if let p = core.serverSelectedProtocol {
                    part()
                    out.append("serverSelectedProtocol ")
                    appendProtocols(p, to: &out)
                }
            }
            if let sec = ci.conference.security {
                part()
                out.append("encryption ")
                appendJoined(sec.encryptionMethodNames, "|", to: &out)
            }
            if let net = ci.conference.network {
                part()
                out.append("channels ")
                for (i, channel) in net.channels.enumerated() {
                    if i > 0 { out.append(",") }
                    out.append(channel.name)
                }
            }
        case .mcsConnectResponse(let cr):
            part()
            out.append("result ")
            if let name = cr.resultName { out.append(name) } else { out.append(cr.result) }
            if let sec = cr.conference?.security {
                part()
                out.append("encryption ")
                if let name = sec.encryptionMethodName { out.append(name) } else { appendHex(sec.encryptionMethod, to: &out) }
                out.append(", level ")
                if let name = sec.encryptionLevelName { out.append(name) } else { appendHex(sec.encryptionLevel, to: &out) }
                if let cert = sec.certificate {
                    part()
                    switch cert.body {
                    case .proprietary: out.append("proprietary server certificate")
                    case .x509Chain(let chain, _):
                        out.append("X.509 chain of ")
                        out.append(chain.count)
                    case .unknown: out.append("server certificate of unknown type")
                    }
                }
            }
        case .mcsDomain(let pdu):
            switch pdu {
            case .disconnectProviderUltimatum(let reason):
                out.append("reason ")
                if let name = MCSCodes.reasonName(reason) { out.append(name) } else { out.append(reason) }
            case .attachUserConfirm(let result, let initiator):
                out.append("result ")
                out.append(result)
                if let initiator {
                    out.append(", user channel ")
                    out.append(initiator)
                }
            case .channelJoinRequest(_, let channel):
                out.append("channel ")
                out.append(channel)
            case .channelJoinConfirm(let result, _, let requested, _):
                out.append("result ")
                out.append(result)
                out.append(", channel ")
                out.append(requested)
            default: break
            }
        case .securityExchange(let x):
            out.append("encrypted client random ")
            out.append(x.encryptedClientRandomLength)
            out.append(" bytes")
        case .clientInfo(let info):
            out.append("user ")
            if !info.domain.isEmpty {
                out.append(info.domain)
                out.append("\\")
            }
            out.append(info.userName)
        case .licensing(let pdu):
            switch pdu.message {
            case .licenseRequest(let r):
                out.append("product ")
                out.append(r.productId)
                out.append(" (")
                out.append(r.companyName)
                out.append(")")
                if !r.scopes.isEmpty {
                    out.append("; scopes ")
                    appendJoined(r.scopes, ",", to: &out)
                }
            case .newLicenseRequest(let r):
                out.append("user ")
                out.append(r.clientUserName)
                out.append(", machine ")
                out.append(r.clientMachineName)
            case .errorAlert(let e):
                if let name = e.errorCodeName { out.append(name) } else { appendHex(e.errorCode, to: &out) }
                out.append(" / ")
                if let name = e.stateTransitionName { out.append(name) } else { appendHex(e.stateTransition, to: &out) }
                if e.isValidClient { out.append(" (no license needed: valid client)") }
            default: break
            }
        case .shareControl(let pdu):
            switch pdu.body {
            case .data(_, let errorInfo?):
                out.append("errorInfo ")
                out.append(errorInfo.name ?? "")
                out.append(" (")
                appendHex(errorInfo.errorInfo, width: 8, to: &out)
                out.append(")")
                if let meaning = errorInfo.meaning {
                    out.append(": ")
                    out.append(meaning)
                }
            case .demandActive(let d):
                out.append(d.capabilitySets.count)
                out.append(" capability sets")
            default: break
            }
        case .encryptedRDP(let channel, let length):
            out.append("channel ")
            out.append(channel)
            out.append(", ")
            out.append(length)
            out.append(" bytes")
        case .fastPath(let length, let encrypted):
            out.append(length)
            out.append(encrypted ? " bytes, encrypted" : " bytes")
        case .tlsHandshake(let m):
            appendTLSDetails(m, to: &out)
        case .tlsChangeCipherSpec:
            break
        case .tlsAlert(let a):
            out.append(a.isFatal ? "fatal" : "warning")
        case .tlsEncrypted(let r):
            out.append("record ")
            out.append(r.recordLength)
            out.append(" bytes")
            if let plaintext = r.plaintext {
                out.append(", plaintext ")
                out.append("\(plaintext)")
            }
        case .earlyUserAuthorization(let r):
            out.append("0x")
            out.append(String(r.result, radix: 16))
            if r.isAccessDenied { out.append(": access denied") }
        case .tlsDecryptFailure(let reason):
            out.append(reason)
        case .credSSP(let t):
            part()
            out.append("version ")
            out.append(t.version)
            if t.negoTokenCount > 0 {
                part()
                out.append(t.negoTokenCount)
                out.append(" negoToken(s)")
            }
            if let e = t.errorCode {
                part()
                out.append("errorCode ")
                if let name = t.errorCodeName { out.append(name) } else { appendHex(e, width: 8, to: &out) }
            }
        }
    }

    static func appendTLSDetails(_ m: TLSHandshakeMessage, to out: inout OutputBuffer) {
        switch m.body {
        case .clientHello(let h):
            out.append("offers ")
            let versions = h.supportedVersions
            if versions.isEmpty {
                out.append(h.legacyVersion.description)
            } else {
                for (i, version) in versions.enumerated() {
                    if i > 0 { out.append(",") }
                    out.append(version.description)
                }
            }
            out.append("; ")
            out.append(h.cipherSuiteCount)
            out.append(" suites")
            if let sni = h.serverName {
                out.append("; SNI ")
                out.append(sni)
            }
        case .serverHello(let h):
            if h.isHelloRetryRequest { out.append("HelloRetryRequest; ") }
            out.append("\(h.negotiatedVersion) \(h.cipherSuite)")
        case .certificate(let c):
            out.append(c.certificates.count)
            out.append(" certificate(s)")
        default:
            break
        }
    }
}
