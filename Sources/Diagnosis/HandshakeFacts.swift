import Capture
import Dissect
import Reassembly

/// TLS parameters of a connection, as negotiated in the clear.
public struct TLSFacts: Sendable {
    public var clientHelloFrame: Int?
    public var offeredVersions: [String]
    public var offeredCipherSuites: Int
    public var serverName: String?
    public var alpn: [String]
    /// Our JA4-style client fingerprint (see Dissect/TLS/TLSClientFingerprint.swift).
    public var clientFingerprint: String?
    public var version: String?
    public var cipherSuite: String?
    public var serverHelloFrame: Int?
    public var helloRetryRequest: Bool
}

extension TLSFacts {
    init?(_ session: TLSSession, timeline: [HandshakeEvent], caches: SummaryCaches) {
        var clientHelloFrame: Int?, serverHelloFrame: Int?
        // By index (see TimelineAccess.swift).
        for i in timeline.indices {
            if case let .tlsHandshake(m) = timeline[i].message {
                if m.type == .clientHello && clientHelloFrame == nil { clientHelloFrame = timeline[i].frame }
                if m.type == .serverHello && serverHelloFrame == nil { serverHelloFrame = timeline[i].frame }
            }
        }
        self.init(
            clientHelloFrame: clientHelloFrame,
            offeredVersions: [],
            offeredCipherSuites: 0,
            serverName: nil,
            alpn: [],
            clientFingerprint: nil,
            version: session.negotiatedVersion?.description,
            cipherSuite: session.cipherSuite?.description,
            serverHelloFrame: serverHelloFrame,
            helloRetryRequest: session.helloRetryRequest != nil)
        // The ClientHello is read from the session once, here: every other read (a nil
        // check, `hello?.`, `hello.map`) copied it again, and it holds a dozen arrays.
        if let hello = session.clientHello {
            offeredVersions = (hello.supportedVersions.isEmpty ? [hello.legacyVersion] : hello.supportedVersions).map(\.description)
            offeredCipherSuites = hello.cipherSuiteCount
            serverName = hello.serverName
            alpn = hello.alpnNames
            clientFingerprint = caches.fingerprint(hello)
        } else if session.serverHello == nil {
            return nil
        }
    }
}

/// Stages that the timeline shows directly (DESIGN.md "Stages"). Stages after
/// tls_established inside TLS are inferred later (issue 5); here only what the
/// clear text proves is marked.
enum ObservedStages {
    /// Appends to `stages` the first record of each stage the timeline shows that
    /// `stages` does not hold yet (in timeline order; the caller sorts).
    static func add(from timeline: [HandshakeEvent], tls13: Bool, to stages: inout [StageRecord]) {
        // One bit per stage order (a dictionary keyed by a String-backed enum hashes the string).
        var marked: UInt16 = 0
        for record in stages { marked |= 1 << record.stage.order }
        var licensingSeen = false
        var clientFinished: Int?
        var serverFinished: Int?
        // By index, deciding first and marking after (see TimelineAccess.swift).
        for i in timeline.indices {
            var stage: Stage?
            var evidence = Evidence.observed
            var at = i
            if let r = timeline[i].message.protectedRecord {
                if tls13 {
                    // TLS 1.3 hides the rest of the handshake in application_data records: the
                    // client's first protected record is its Finished, the end of the handshake.
                    if timeline[i].direction == .clientToServer && r.kind == .applicationData { (stage, evidence) = (.tlsEstablished, .inferred) }
                } else if r.kind == .finished {
                    if timeline[i].direction == .clientToServer {
                        if clientFinished == nil { clientFinished = i }
                    } else if serverFinished == nil {
                        serverFinished = i
                    }
                    if let a = clientFinished, let b = serverFinished {
                        stage = .tlsEstablished
                        at = timeline[a].frame > timeline[b].frame ? a : b
                    }
                } else if r.kind == .applicationData {
                    (stage, evidence) = (.tlsEstablished, .inferred)
                }
            } else {
                switch timeline[i].message {
                case .x224Request: stage = .x224Request
                case .x224Confirm: stage = .x224Confirm
                case .tlsHandshake(let m):
                    if m.type == .clientHello { stage = .tlsClientHello }
                    if m.type == .serverHello { stage = .tlsServerHello }
                case .mcsConnectInitial, .mcsConnectResponse: stage = .mcsConnect
                case .credSSP, .earlyUserAuthorization: stage = .nla
                case .licensing:
                    licensingSeen = true
                    stage = .licensing
                case .shareControl(let pdu):
                    switch pdu.body {
                    case .demandActive, .confirmActive: stage = .active
                    default: break
                    }
                case .fastPath:
                    stage = .active
                case .encryptedRDP:
                    // Under Standard RDP Security, encrypted traffic on the I/O channel after
                    // licensing is the capability exchange and beyond.
                    if licensingSeen { (stage, evidence) = (.active, .inferred) }
                default:
                    break
                }
            }
            if let stage, marked & (1 << stage.order) == 0 {
                marked |= 1 << stage.order
                stages.append(StageRecord(stage: stage, frame: timeline[at].frame, time: timeline[at].time, evidence: evidence))
            }
        }
    }
}
