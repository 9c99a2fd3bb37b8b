import Capture
import Dissect
import Reassembly
import Wire

/// Everything the verdict rules look at, computed once per connection.
struct DiagnosisFacts {
    let c: ConnectionSummary
    let resets: [ResetVerdict]
    let icmp: [ICMPObservation]
    let retransmissions: [[Retransmission]]
    let largestPayload: [Int]
    let inferred: [InferredPDU]

    var reached: Stage? { c.reached }
    func reached(_ s: Stage) -> Bool { (c.reached ?? .syn) >= s && c.stages.contains { $0.stage >= s } }
    func stage(_ s: Stage) -> StageRecord? { c.stages.first { $0.stage == s } }

    // MARK: handshake messages

    var negotiationFailure: (frame: Int, failure: RDPNegotiationFailure)? {
        for e in c.handshake {
            if case let .x224Confirm(cc) = e.message, case let .failure(f) = cc.negotiation { return (e.frame, f) }
        }
        return nil
    }

    var request: (frame: Int, cr: X224ConnectionRequest)? {
        for e in c.handshake { if case let .x224Request(cr) = e.message { return (e.frame, cr) } }
        return nil
    }

    var confirm: (frame: Int, cc: X224ConnectionConfirm)? {
        for e in c.handshake { if case let .x224Confirm(cc) = e.message { return (e.frame, cc) } }
        return nil
    }

    /// The Connection Confirm selected a protocol the client did not offer (a Windows
    /// server answers RDP_NEG_FAILURE instead).
    var selectedUnofferedProtocol: (frame: Int, selected: UInt32, requested: UInt32)? {
        guard let request, let requested = request.cr.negotiationRequest?.requestedProtocols,
              let confirm, case let .response(rsp) = confirm.cc.negotiation else { return nil }
        let selected = rsp.selectedProtocol
        let offered = selected == 0 ? requested == 0 : requested & selected == selected
        return offered ? nil : (confirm.frame, selected, requested)
    }

    /// Plaintext fatal alerts (or any alert before the handshake ends) by side.
    func plaintextAlert(from d: Direction) -> (frame: Int, alert: TLSAlert)? {
        for e in c.handshake where e.direction == d {
            if case let .tlsAlert(a) = e.message, a.isFatal || a.alertDescription != .closeNotify { return (e.frame, a) }
        }
        return nil
    }

    /// An encrypted alert (TLS ≤ 1.2), or a TLS 1.3 record of at most 2 plaintext bytes, from a side.
    func encryptedAlert(from d: Direction) -> Int? {
        for e in c.handshake where e.direction == d {
            if case let .tlsEncrypted(r) = e.message {
                if r.kind == .alert { return e.frame }
                if r.kind == .applicationData, case let .atMost(n)? = r.plaintext, n <= 2 { return e.frame }
            }
        }
        return nil
    }

    /// Protected application records a side sent (client Finished in TLS 1.3 included).
    func applicationRecords(from d: Direction) -> Int {
        c.handshake.filter { e in
            if e.direction == d, case let .tlsEncrypted(r) = e.message, r.kind == .applicationData { return true }
            return false
        }.count
    }

    var licensingError: (frame: Int, error: LicenseErrorMessage)? {
        for e in c.handshake {
            if case let .licensing(pdu) = e.message, case let .errorAlert(err) = pdu.message, !err.isValidClient { return (e.frame, err) }
        }
        return nil
    }

    var errorInfo: (frame: Int, info: SetErrorInfoPDU)? {
        for e in c.handshake {
            if case let .shareControl(pdu) = e.message, case let .data(_, info?) = pdu.body, info.errorInfo != 0 { return (e.frame, info) }
        }
        return nil
    }

    var disconnectUltimatum: (frame: Int, direction: Direction)? {
        for e in c.handshake { if case .mcsDomain(.disconnectProviderUltimatum) = e.message { return (e.frame, e.direction) } }
        if let p = inferred.first(where: { $0.kind == .disconnectProviderUltimatum }) { return (p.frame, p.direction) }
        return nil
    }

    var serverHelloFrame: Int? { c.tls?.serverHelloFrame }

    // MARK: closing

    /// The first RST, judged.
    var firstReset: ResetVerdict? { resets.min { $0.reset.frame < $1.reset.frame } }

    /// The first reset that is judged forged on a strong signal.
    var forgedReset: ResetVerdict? {
        resets.filter { $0.judgement == .forged }.min { $0.reset.frame < $1.reset.frame }
    }

    /// Who closed first, how, and where: FIN, RST (not judged forged) or a TLS close_notify.
    var firstClose: (direction: Direction, frame: Int, how: String)? {
        var candidates: [(Direction, Int, String)] = []
        if let f = c.clientToServer.finFrame { candidates.append((.clientToServer, f, "FIN")) }
        if let f = c.serverToClient.finFrame { candidates.append((.serverToClient, f, "FIN")) }
        for r in resets where r.judgement != .forged { candidates.append((r.reset.direction, r.reset.frame, "RST")) }
        for d in Direction.allCases { if let f = encryptedAlert(from: d) { candidates.append((d, f, "TLS alert")) } }
        return candidates.min { $0.1 < $1.1 }.map { ($0.0, $0.1, $0.2) }
    }

    var endedOpen: Bool { c.ending == .open }

    var synAnsweredByReset: ResetVerdict? {
        guard c.stages.contains(where: { $0.stage == .syn }), !c.stages.contains(where: { $0.stage == .tcpEstablished }),
              c.serverToClient.synCount == 0 else { return nil }
        return resets.first { $0.reset.direction == .serverToClient }
    }

    var certificate: X509CertificateSummary? { c.certificates.first }

    func certificateValidity() -> X509Validity? { certificate?.validity(at: c.start) }

    /// Full-size segments sent again and again and never acknowledged (MTU black hole).
    var blackHole: (direction: Direction, segment: Retransmission, largest: Int)? {
        for d in Direction.allCases {
            let i = Int(d.rawValue)
            let largest = largestPayload[i]
            guard largest >= 576 else { continue }
            let acked = d == .clientToServer ? c.clientToServerAcked : c.serverToClientAcked
            for r in retransmissions[i] where r.length == largest && r.count >= 2 && r.offset >= 0
                && UInt64(r.offset) + UInt64(r.length) > acked {
                return (d, r, largest)
            }
        }
        return nil
    }

    var retransmissionsTotal: Int { c.clientToServer.retransmissions + c.serverToClient.retransmissions }

    /// ICMP destination unreachable (not "fragmentation needed") quoting this connection's packets.
    var unreachable: ICMPObservation? {
        icmp.first { ($0.version == 4 && $0.type == 3 && $0.code != 4) || ($0.version == 6 && $0.type == 1) }
    }
}
