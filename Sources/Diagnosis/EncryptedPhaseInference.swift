import Capture
import Dissect
import Reassembly

/// A PDU recognised inside TLS without the keys, from its direction, its place
/// in the sequence and the plaintext size the record implies.
public struct InferredPDU: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case credSSP = "credssp"
        case earlyUserAuthorizationResult = "early_user_authorization_result"
        case mcsConnectInitial = "mcs_connect_initial"
        case mcsConnectResponse = "mcs_connect_response"
        case channelJoin = "channel_join"
        case clientInfo = "client_info"
        case licensingValidClient = "licensing_valid_client"
        case licensing = "licensing"
        case demandActive = "demand_active"
        case setErrorInfo = "set_error_info"
        case disconnectProviderUltimatum = "disconnect_provider_ultimatum"

        /// The raw value with spaces for underscores, for sentences. Spelled out: building
        /// it from the raw value a Character at a time cost more than the rest of a finding.
        var words: String {
            switch self {
            case .credSSP: return "credssp"
            case .earlyUserAuthorizationResult: return "early user authorization result"
            case .mcsConnectInitial: return "mcs connect initial"
            case .mcsConnectResponse: return "mcs connect response"
            case .channelJoin: return "channel join"
            case .clientInfo: return "client info"
            case .licensingValidClient: return "licensing valid client"
            case .licensing: return "licensing"
            case .demandActive: return "demand active"
            case .setErrorInfo: return "set error info"
            case .disconnectProviderUltimatum: return "disconnect provider ultimatum"
            }
        }
    }

    public var kind: Kind
    public var frame: Int
    public var direction: Direction
    public var plaintext: Int
    public var confidence: Confidence
}

/// Infers `nla`, `mcs_connect`, `licensing` and `active` inside TLS from the
/// order, direction and plaintext size of application-data records.
///
/// The sizes come from the PDU layouts [MS-RDPBCGR], each TPKT (4) + X.224
/// Data (3) + MCS Send Data header (7 for short user data) around its body:
/// licensing "valid client" error alert = 14 + security header 4 + preamble 4
/// + code 4 + state transition 4 + empty blob 4 = 34 bytes; Set Error Info =
/// 14 + share control header 6 + share data header 12 + errorInfo 4 = 36;
/// Disconnect Provider Ultimatum = TPKT + X.224 + 2 bytes PER = 9; Channel
/// Join Request = 12 and Confirm = 15; Attach User Request 8, Confirm 11;
/// Erect Domain 12; the HYBRID_EX Early User Authorization Result is a bare
/// 4-byte value [MS-RDPBCGR 2.2.10.2]. The order follows the connection
/// sequence [MS-RDPBCGR 1.3.1.1]: CredSSP (with NLA) → MCS Connect Initial →
/// Connect Response → domain/attach/joins → Client Info → licensing → Demand Active.
enum EncryptedPhaseInference {
    struct Record {
        var frame: Int
        var time: CaptureTime
        var direction: Direction
        var plaintext: Int
    }

    struct Result {
        var stages: [StageRecord] = []
        var pdus: [InferredPDU] = []
    }

    static let validClientSize = 34
    static let setErrorInfoSize = 36
    static let disconnectUltimatumSize = 9
    static let earlyUserAuthorizationSize = 4

    static func infer(_ timeline: [HandshakeEvent], selectedProtocol: UInt32?, tls13: Bool,
                      established: StageRecord?) -> Result {
        var result = Result()
        guard let established, let selected = selectedProtocol, selected != 0 else { return result }
        // Application data after the handshake. In TLS 1.3 the server's first protected
        // records are its encrypted handshake, and the client's first is its Finished.
        var records: [Record] = []
        records.reserveCapacity(timeline.count)
        var skippedClientFinished = false
        // By index and through `protectedRecord`, so no event is copied (see TimelineAccess.swift).
        for i in timeline.indices where timeline[i].frame >= established.frame {
            guard let r = timeline[i].message.protectedRecord, r.kind == .applicationData, let size = r.plaintext?.maximum else { continue }
            let direction = timeline[i].direction
            if tls13 {
                if direction == .clientToServer && !skippedClientFinished { skippedClientFinished = true; continue }
                if direction == .serverToClient && !skippedClientFinished { continue }
            }
            records.append(Record(frame: timeline[i].frame, time: timeline[i].time, direction: direction, plaintext: size))
        }
        // RDP clients speak first inside TLS (CredSSP or MCS Connect Initial); server records
        // before that are TLS's own (TLS 1.3 NewSessionTicket messages).
        if let firstClient = records.firstIndex(where: { $0.direction == .clientToServer }) {
            records.removeFirst(firstClient)
        }
        guard !records.isEmpty else { return result }
        let nla = selected & (RDPSecurityProtocol.hybrid | RDPSecurityProtocol.hybridEx) != 0
        let hybridEx = selected & RDPSecurityProtocol.hybridEx != 0
        result.pdus.reserveCapacity(records.count)
        result.stages.reserveCapacity(4)
        var index = 0
        func pdu(_ kind: InferredPDU.Kind, _ r: Record, _ confidence: Confidence) {
            result.pdus.append(InferredPDU(kind: kind, frame: r.frame, direction: r.direction, plaintext: r.plaintext, confidence: confidence))
        }
        func stage(_ s: Stage, _ r: Record) {
            if !result.stages.contains(where: { $0.stage == s }) {
                result.stages.append(StageRecord(stage: s, frame: r.frame, time: r.time, evidence: .inferred))
            }
        }

        // CredSSP comes first with NLA; it ends when the client sends MCS Connect Initial.
        if nla {
            stage(.nla, records[0])
            var serverRecords = 0
            var previous: Direction?
            var found = false
            while index < records.count {
                let r = records[index]
                if r.direction == .serverToClient {
                    serverRecords += 1
                    if hybridEx && r.plaintext == earlyUserAuthorizationSize {
                        pdu(.earlyUserAuthorizationResult, r, .high)
                        index += 1
                        found = true
                        break
                    }
                    pdu(.credSSP, r, .medium)
                } else {
                    // Without HYBRID_EX the client's last TSRequest (credentials) gets no
                    // answer: two client records in a row after the server's challenge and
                    // public-key echo mean the second one is MCS Connect Initial.
                    if !hybridEx && previous == .clientToServer && serverRecords >= 2 {
                        found = true
                        break
                    }
                    pdu(.credSSP, r, .medium)
                }
                previous = r.direction
                index += 1
            }
            if !found { return result }
        }

        // MCS Connect Initial: the client's next record.
        guard let ci = records[index...].first(where: { $0.direction == .clientToServer }) else { return result }
        pdu(.mcsConnectInitial, ci, nla ? .medium : .high)
        stage(.mcsConnect, ci)
        // Lazy: only walked, never kept (a filtered copy was an allocation per connection).
        let rest = records.lazy.filter { $0.frame >= ci.frame && $0 != ci }
        var lastJoin: Record?
        var validClient: Record?
        var shortServerRecords: [Record] = []
        for r in rest {
            switch (r.direction, r.plaintext) {
            case (.clientToServer, 12), (.serverToClient, 15):
                pdu(.channelJoin, r, .medium)
                lastJoin = r
            case (.serverToClient, validClientSize):
                if validClient == nil {
                    validClient = r
                    pdu(.licensingValidClient, r, .high)
                }
            case (.serverToClient, setErrorInfoSize):
                shortServerRecords.append(r)
            case (.serverToClient, disconnectUltimatumSize):
                pdu(.disconnectProviderUltimatum, r, .high)
            default:
                break
            }
        }
        // Client Info: the client's first larger record after the channel joins; the
        // server's next record starts licensing (a License Request, or at once "valid client").
        var licensing: Record?
        if let join = lastJoin,
           let info = rest.first(where: { $0.direction == .clientToServer && $0.frame > join.frame && $0.plaintext >= 100 }) {
            pdu(.clientInfo, info, .medium)
            licensing = rest.first(where: { $0.direction == .serverToClient && $0.frame > info.frame })
            if let l = licensing, l != validClient { pdu(.licensing, l, .medium) }
        }
        if let l = licensing ?? validClient { stage(.licensing, l) }
        // Demand Active: the server's first large record after licensing.
        let licensed = validClient?.frame ?? licensing?.frame
        var demandFrame: Int?
        if let licensed,
           let demand = rest.first(where: { $0.direction == .serverToClient && $0.frame > licensed && $0.plaintext >= 200 }) {
            pdu(.demandActive, demand, .medium)
            stage(.active, demand)
            demandFrame = demand.frame
        }
        // 36 bytes is a Set Error Info PDU, but also a Synchronize PDU (after Demand Active):
        // only one before Demand Active, or among the server's last records, is taken as errorInfo.
        var lastServer: (Int?, Int?) = (nil, nil)
        for r in rest where r.direction == .serverToClient { lastServer = (lastServer.1, r.frame) }
        for r in shortServerRecords where demandFrame.map({ r.frame < $0 }) ?? true || r.frame == lastServer.0 || r.frame == lastServer.1 {
            pdu(.setErrorInfo, r, .medium)
        }
        result.stages.sort { $0.stage < $1.stage }
        return result
    }
}

extension EncryptedPhaseInference.Record: Equatable {}
