import Diagnosis
import Dissect
import Reassembly

/// Key fields of each handshake message, as one line of text and as JSON.
public enum HandshakeDescription {
    static func hex(_ v: UInt32, width: Int = 1) -> String {
        let s = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, width - s.count)) + s
    }

    static func protocols(_ mask: UInt32) -> String {
        let names = RDPSecurityProtocol.names(mask: mask)
        return names.isEmpty ? "PROTOCOL_RDP" : names.joined(separator: "|")
    }

    /// One line of key fields for a text timeline.
    public static func details(_ message: HandshakeMessage) -> String {
        switch message {
        case .x224Request(let cr):
            var parts: [String] = []
            switch cr.token {
            case .cookie(let id)?: parts.append("cookie mstshash=\(id)")
            case .routingToken(let token)?: parts.append("routing token \(token.endpoint ?? token.text)")
            case .other(let text)?: parts.append("token \"\(text)\"")
            case nil: break
            }
            if let neg = cr.negotiationRequest {
                parts.append("requested \(protocols(neg.requestedProtocols))")
                if !neg.flagNames.isEmpty { parts.append(neg.flagNames.joined(separator: ",")) }
            } else {
                parts.append("no RDP_NEG_REQ (Standard RDP Security only)")
            }
            if let c = cr.correlationInfo { parts.append("correlation \(c.correlationIdHex)") }
            return parts.joined(separator: "; ")
        case .x224Confirm(let cc):
            switch cc.negotiation {
            case .response(let r): return "selected \(r.selectedProtocolName ?? hex(r.selectedProtocol))" + (r.flagNames.isEmpty ? "" : "; " + r.flagNames.joined(separator: ","))
            case .failure(let f): return "\(f.failureName ?? "failure") (\(hex(f.failureCode))): \(f.failureMeaning ?? "")"
            case .legacy: return "no RDP_NEG_RSP: Standard RDP Security"
            }
        case .x224Disconnect(let dr):
            return "reason \(dr.reasonName ?? String(dr.reason))"
        case .mcsConnectInitial(let ci):
            var parts: [String] = []
            if let core = ci.conference.core {
                parts.append("client \"\(core.clientName)\" build \(core.clientBuild)")
                parts.append("\(core.desktopWidth)x\(core.desktopHeight)")
                if let p = core.serverSelectedProtocol { parts.append("serverSelectedProtocol \(protocols(p))") }
            }
            if let sec = ci.conference.security { parts.append("encryption \(sec.encryptionMethodNames.joined(separator: "|"))") }
            if let net = ci.conference.network { parts.append("channels \(net.channels.map(\.name).joined(separator: ","))") }
            return parts.joined(separator: "; ")
        case .mcsConnectResponse(let cr):
            var parts = ["result \(cr.resultName ?? String(cr.result))"]
            if let sec = cr.conference?.security {
                parts.append("encryption \(sec.encryptionMethodName ?? hex(sec.encryptionMethod)), level \(sec.encryptionLevelName ?? hex(sec.encryptionLevel))")
                if let cert = sec.certificate {
                    switch cert.body {
                    case .proprietary: parts.append("proprietary server certificate")
                    case .x509Chain(let chain, _): parts.append("X.509 chain of \(chain.count)")
                    case .unknown: parts.append("server certificate of unknown type")
                    }
                }
            }
            return parts.joined(separator: "; ")
        case .mcsDomain(let pdu):
            switch pdu {
            case .disconnectProviderUltimatum(let reason): return "reason \(MCSCodes.reasonName(reason) ?? String(reason))"
            case .attachUserConfirm(let result, let initiator): return "result \(result)" + (initiator.map { ", user channel \($0)" } ?? "")
            case .channelJoinRequest(_, let channel): return "channel \(channel)"
            case .channelJoinConfirm(let result, _, let requested, _): return "result \(result), channel \(requested)"
            default: return ""
            }
        case .securityExchange(let x): return "encrypted client random \(x.encryptedClientRandomLength) bytes"
        case .clientInfo(let info): return "user \(info.domain.isEmpty ? "" : info.domain + "\\")\(info.userName)"
        case .licensing(let pdu):
            switch pdu.message {
            case .licenseRequest(let r): return "product \(r.productId) (\(r.companyName))" + (r.scopes.isEmpty ? "" : "; scopes \(r.scopes.joined(separator: ","))")
            case .newLicenseRequest(let r): return "user \(r.clientUserName), machine \(r.clientMachineName)"
            case .errorAlert(let e):
                return "\(e.errorCodeName ?? hex(e.errorCode)) / \(e.stateTransitionName ?? hex(e.stateTransition))"
                    + (e.isValidClient ? " (no license needed: valid client)" : "")
            default: return ""
            }
        case .shareControl(let pdu):
            switch pdu.body {
            case .data(let header, let errorInfo?):
                _ = header
                return "errorInfo \(errorInfo.name ?? "") (\(hex(errorInfo.errorInfo, width: 8)))" + (errorInfo.meaning.map { ": " + $0 } ?? "")
            case .demandActive(let d): return "\(d.capabilitySets.count) capability sets"
            default: return ""
            }
        case .encryptedRDP(let channel, let length): return "channel \(channel), \(length) bytes"
        case .fastPath(let length, let encrypted): return "\(length) bytes" + (encrypted ? ", encrypted" : "")
        case .tlsHandshake(let m): return tlsDetails(m)
        case .tlsChangeCipherSpec: return ""
        case .tlsAlert(let a): return a.isFatal ? "fatal" : "warning"
        case .tlsEncrypted(let r):
            return "record \(r.recordLength) bytes" + (r.plaintext.map { ", plaintext \($0)" } ?? "")
        case .earlyUserAuthorization(let r): return "0x\(String(r.result, radix: 16))" + (r.isAccessDenied ? ": access denied" : "")
        case .tlsDecryptFailure(let reason): return reason
        case .credSSP(let t):
            var parts = ["version \(t.version)"]
            if t.negoTokenCount > 0 { parts.append("\(t.negoTokenCount) negoToken(s)") }
            if let e = t.errorCode { parts.append("errorCode \(t.errorCodeName ?? hex(e, width: 8))") }
            return parts.joined(separator: "; ")
        }
    }

    static func tlsDetails(_ m: TLSHandshakeMessage) -> String {
        switch m.body {
        case .clientHello(let h):
            var parts = ["offers " + (h.supportedVersions.isEmpty ? [h.legacyVersion] : h.supportedVersions).map(\.description).joined(separator: ",")]
            parts.append("\(h.cipherSuites.count) suites")
            if let sni = h.serverName { parts.append("SNI \(sni)") }
            return parts.joined(separator: "; ")
        case .serverHello(let h):
            return (h.isHelloRetryRequest ? "HelloRetryRequest; " : "") + "\(h.negotiatedVersion) \(h.cipherSuite)"
        case .certificate(let c):
            return "\(c.certificates.count) certificate(s)"
        default:
            return ""
        }
    }
}
