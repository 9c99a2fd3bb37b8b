import Capture
import Dissect
import Reassembly
import Wire

/// Everything the verdict rules look at, computed once per connection.
struct DiagnosisFacts {
    let c: ConnectionSummary
    let resets: [ResetVerdict]
    let icmp: [ICMPObservation]
    let retransmissions: PerDirection<[Retransmission]>
    let largestPayload: PerDirection<Int>
    let inferred: [InferredPDU]

    var reached: Stage? { c.reached }
    func reached(_ s: Stage) -> Bool { (c.reached ?? .syn) >= s && c.stages.contains { $0.stage >= s } }
    func stage(_ s: Stage) -> StageRecord? { c.stages.first { $0.stage == s } }

    // MARK: handshake messages (found in one pass over the timeline)

    let negotiationFailure: (frame: Int, failure: RDPNegotiationFailure)?
    let request: (frame: Int, cr: X224ConnectionRequest)?
    let confirm: (frame: Int, cc: X224ConnectionConfirm)?
    let licensingError: (frame: Int, error: LicenseErrorMessage)?
    let errorInfo: (frame: Int, info: SetErrorInfoPDU)?
    /// Per direction: the first alert in the clear (fatal, or anything but close_notify),
    /// the first encrypted alert (TLS ≤ 1.2, or a TLS 1.3 record of at most 2 bytes),
    /// and how many protected application records it sent.
    private let plaintextAlerts: PerDirection<(frame: Int, alert: TLSAlert)?>
    private let encryptedAlerts: PerDirection<Int?>
    private let applicationRecordCounts: PerDirection<Int>

    init(c: ConnectionSummary, resets: [ResetVerdict], icmp: [ICMPObservation], retransmissions: PerDirection<[Retransmission]>,
         largestPayload: PerDirection<Int>, inferred: [InferredPDU]) {
        self.c = c
        self.resets = resets
        self.icmp = icmp
        self.retransmissions = retransmissions
        self.largestPayload = largestPayload
        self.inferred = inferred
        var negotiationFailure: (Int, RDPNegotiationFailure)?, request: (Int, X224ConnectionRequest)?
        var confirm: (Int, X224ConnectionConfirm)?, licensingError: (Int, LicenseErrorMessage)?
        var errorInfo: (Int, SetErrorInfoPDU)?
        // Inline per-direction values: two-element arrays would be three allocations per connection.
        var plaintextAlerts = PerDirection<(frame: Int, alert: TLSAlert)?>(nil, nil)
        var encryptedAlerts = PerDirection<Int?>(nil, nil)
        var applicationRecords = PerDirection(0, 0)
        let handshake = c.handshake
        // By index, protected records first (see TimelineAccess.swift).
        for i in handshake.indices {
            let d = Int(handshake[i].direction.rawValue)
            let frame = handshake[i].frame
            if let r = handshake[i].message.protectedRecord {
                if r.kind == .applicationData { applicationRecords[d] += 1 }
                if encryptedAlerts[d] == nil {
                    if r.kind == .alert { encryptedAlerts[d] = frame }
                    if r.kind == .applicationData, case let .atMost(n)? = r.plaintext, n <= 2 { encryptedAlerts[d] = frame }
                }
                continue
            }
            switch handshake[i].message {
            case .x224Request(let cr): if request == nil { request = (frame, cr) }
            case .x224Confirm(let cc):
                if confirm == nil { confirm = (frame, cc) }
                if negotiationFailure == nil, case let .failure(f) = cc.negotiation { negotiationFailure = (frame, f) }
            case .tlsAlert(let a):
                if plaintextAlerts[d] == nil && (a.isFatal || a.alertDescription != .closeNotify) { plaintextAlerts[d] = (frame, a) }
            case .licensing(let pdu):
                if licensingError == nil, case let .errorAlert(err) = pdu.message, !err.isValidClient { licensingError = (frame, err) }
            case .shareControl(let pdu):
                if errorInfo == nil, case let .data(_, info?) = pdu.body, info.errorInfo != 0 { errorInfo = (frame, info) }
            default:
                break
            }
        }
        self.negotiationFailure = negotiationFailure.map { (frame: $0.0, failure: $0.1) }
        self.request = request.map { (frame: $0.0, cr: $0.1) }
        self.confirm = confirm.map { (frame: $0.0, cc: $0.1) }
        self.licensingError = licensingError.map { (frame: $0.0, error: $0.1) }
        self.errorInfo = errorInfo.map { (frame: $0.0, info: $0.1) }
        self.plaintextAlerts = plaintextAlerts
        self.encryptedAlerts = encryptedAlerts
        self.applicationRecordCounts = applicationRecords
        // The earliest candidate; among equal frames the first considered, as `min(by:)` picks.
        var first: (direction: Direction, frame: Int, how: String)?
        func consider(_ direction: Direction, _ frame: Int?, _ how: String) {
            if let frame, first.map({ frame < $0.frame }) ?? true { first = (direction, frame, how) }
        }
        consider(.clientToServer, c.clientToServer.finFrame, "FIN")
        consider(.serverToClient, c.serverToClient.finFrame, "FIN")
        for r in resets where r.judgement != .forged { consider(r.reset.direction, r.reset.frame, "RST") }
        consider(.clientToServer, encryptedAlerts.clientToServer, "TLS alert")
        consider(.serverToClient, encryptedAlerts.serverToClient, "TLS alert")
        firstClose = first
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

    func plaintextAlert(from d: Direction) -> (frame: Int, alert: TLSAlert)? { plaintextAlerts[Int(d.rawValue)] }
    func encryptedAlert(from d: Direction) -> Int? { encryptedAlerts[Int(d.rawValue)] }
    func applicationRecords(from d: Direction) -> Int { applicationRecordCounts[Int(d.rawValue)] }

    var serverHelloFrame: Int? { c.tls?.serverHelloFrame }

    // MARK: closing

    /// The first RST, judged.
    var firstReset: ResetVerdict? { resets.min { $0.reset.frame < $1.reset.frame } }

    /// The first reset that is judged forged on a strong signal.
    var forgedReset: ResetVerdict? {
        resets.filter { $0.judgement == .forged }.min { $0.reset.frame < $1.reset.frame }
    }

    /// Who closed first, how, and where: FIN, RST (not judged forged) or a TLS close_notify.
    let firstClose: (direction: Direction, frame: Int, how: String)?

    var endedOpen: Bool { c.ending == .open }

    var synAnsweredByReset: ResetVerdict? {
        guard c.stages.contains(where: { $0.stage == .syn }), !c.stages.contains(where: { $0.stage == .tcpEstablished }),
              c.serverToClient.synCount == 0 else { return nil }
        return resets.first { $0.reset.direction == .serverToClient }
    }

    var certificate: X509CertificateSummary? { c.certificates.first }

    /// Through the array, not `certificate`: the method reads the summary in place, where
    /// `certificate` copies it (a dozen strings).
    func certificateValidity() -> X509Validity? { c.certificates.isEmpty ? nil : c.certificates[0].validity(at: c.start) }

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
