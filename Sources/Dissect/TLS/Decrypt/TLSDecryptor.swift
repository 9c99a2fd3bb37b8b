import Reassembly
import Wire

/// The kind of secret a connection was decrypted with, for reports. Never the secret.
public enum TLSSecretsKind: String, Hashable, Sendable {
    /// CLIENT_RANDOM: the TLS ≤ 1.2 master secret.
    case tls12MasterSecret = "tls12_master_secret"
    /// *_HANDSHAKE_TRAFFIC_SECRET and *_TRAFFIC_SECRET_0 of TLS 1.3.
    case tls13TrafficSecrets = "tls13_traffic_secrets"
}

/// What became of one protected record.
public enum TLSDecryptResult: Hashable, Sendable {
    /// The record authenticated; its real content type and content.
    case plaintext(TLSContentType, [UInt8])
    case failed(reason: TLSDecryptFailure)
    /// The key log has nothing for this connection's client random (or no
    /// ClientHello was seen).
    case noSecrets
}

/// What a `TLSDecryptor` reports per direction, in stream order.
public enum TLSDecryptedEvent: Equatable, Sendable {
    /// Decrypted application data: the next piece of this direction's inner
    /// stream (feed it to the next dissector as if it had come over TCP).
    /// `frames` are the frames of the record that carried it.
    case applicationData([UInt8], frames: TLSFrames)
    /// A handshake message read from decrypted records (TLS 1.3
    /// EncryptedExtensions, Certificate, ..., Finished; TLS 1.2 Finished).
    case handshake(TLSHandshakeMessage, frames: TLSFrames)
    /// A decrypted alert (in TLS 1.3 every alert after the ServerHello is one).
    case alert(TLSAlert, frames: TLSFrames)
    /// The first record of this direction that did not decrypt (later
    /// failures are only counted, see `TLSDecryptionCounts`).
    case failure(TLSDecryptFailure, frames: TLSFrames)
    /// A decrypted handshake message that did not read.
    case anomaly(DissectError, frame: Int)
}

/// Record counts of one direction.
public struct TLSDecryptionCounts: Hashable, Sendable {
    public var decrypted = 0
    public var failed = 0
    public var firstFailure: TLSDecryptFailure?
    public init() {}
}

/// How decryption of a connection went, for reports (no secret in it).
public struct TLSDecryptionSummary: Hashable, Sendable {
    /// nil before a protected record with a known ClientHello was seen;
    /// false when the key log has nothing for the connection.
    public var secretsFound: Bool?
    public var secretsKind: TLSSecretsKind?
    public var client = TLSDecryptionCounts()
    public var server = TLSDecryptionCounts()
    /// At least one record was decrypted.
    public var decrypted: Bool { client.decrypted + server.decrypted > 0 }
    public init() {}
}

/// Decrypts the protected records of one TLS connection with secrets from a
/// key log [NSS key log format], for TLS 1.0–1.2 (master secret) and TLS 1.3
/// (traffic secrets).
///
/// Feed it every protected record of both directions in stream order — most
/// simply with `attach(to:)`, which hooks it into the connection's
/// `TLSStreamParser`s. Secrets are found by the ClientHello's random, keys are
/// derived once the ServerHello fixed version and suite. Sequence numbers are
/// kept per direction and key epoch and count every record, also those that
/// fail, so one damaged record does not spoil the next.
///
/// TLS 1.3 key epochs [RFC 8446 §7.3, §4.4.4]: each direction starts with its
/// handshake traffic keys and moves to its application traffic keys after
/// the record that completes its Finished; a KeyUpdate [§4.6.3] moves to the
/// next application secret. Should a Finished be missed, a record that fails
/// under the handshake keys is tried under the application keys.
public final class TLSDecryptor {
    public let keyLog: TLSKeyLog
    public let session: TLSSession
    public private(set) var summary = TLSDecryptionSummary()

    private enum Setup {
        case pending
        case noSecrets
        case failed(TLSDecryptFailure)
        case ready
    }

    private enum Epoch { case tls12, handshake, application }

    private struct DirectionState {
        var epoch: Epoch = .tls12
        var opener: TLSRecordOpener?
        var sequence: UInt64 = 0
        /// TLS 1.3 secrets still to use.
        var handshakeSecret: [UInt8]?
        var applicationSecret: [UInt8]?
        /// Set after a record whose content ends the epoch (Finished, KeyUpdate).
        var switchToApplication = false
        var keyUpdatePending = false
        var stopped: TLSDecryptFailure?
        var events: [TLSDecryptedEvent] = []
    }

    private var setup = Setup.pending
    private var parameters: TLSDecryptParameters?
    private var client = DirectionState()
    private var server = DirectionState()
    /// Parsers of decrypted handshake content, one per direction, with their
    /// own session: decrypted messages must not disturb the clear handshake.
    private let innerSession = TLSSession()
    private lazy var innerClient = TLSStreamParser(direction: .clientToServer, session: innerSession)
    private lazy var innerServer = TLSStreamParser(direction: .serverToClient, session: innerSession)

    public init(keyLog: TLSKeyLog, session: TLSSession) {
        self.keyLog = keyLog
        self.session = session
    }

    /// How the secrets of this connection were found, once they were.
    public var secretsKind: TLSSecretsKind? { summary.secretsKind }

    /// Hooks this decryptor into both parsers of a connection (which must
    /// share its session): every protected record they frame is decrypted.
    /// The parsers keep the decryptor alive; it holds no reference back to
    /// them, so there is no cycle.
    public func attach(to connection: TLSConnection) {
        for parser in [connection.client, connection.server] {
            parser.protectedRecordSink = { header, fragment, direction, frames in
                self.decrypt(header, fragment: fragment, direction: direction, frames: frames)
            }
        }
    }

    /// Events of one direction since the last call, and forgets them.
    public func takeEvents(_ direction: Direction) -> [TLSDecryptedEvent] {
        var events: [TLSDecryptedEvent] = []
        withState(direction) { swap(&events, &$0.events) }
        return events
    }

    /// Decrypts one protected record of `direction` (its fragment, without
    /// the 5-byte header) and appends what it held to that direction's events.
    @discardableResult
    public func decrypt(
        _ header: TLSRecordHeader, fragment: UnsafeRawBufferPointer, direction: Direction, frames: TLSFrames
    ) -> TLSDecryptResult {
        prepare()
        switch setup {
        case .pending:
            // No ServerHello yet (0-RTT data, or a capture fed out of order).
            return fail(.noKeys, direction, frames)
        case .noSecrets:
            return .noSecrets
        case let .failed(reason):
            return fail(reason, direction, frames)
        case .ready:
            break
        }
        var state = takeState(direction)
        defer { putState(state, direction) }
        if let stopped = state.stopped { return fail(stopped, direction, frames, state: &state) }

        if state.switchToApplication {
            state.switchToApplication = false
            enterApplicationEpoch(&state)
        } else if state.keyUpdatePending {
            state.keyUpdatePending = false
            if let secret = state.applicationSecret, let p = parameters {
                state.applicationSecret = TLSKeySchedule.nextTrafficSecret(p.prfHash, secret: secret)
            }
            enterApplicationEpoch(&state)
        }

        var result = open(header, fragment, &state)
        if case let .failure(reason) = result, reason == .badRecordMAC || reason == .noKeys,
           state.epoch == .handshake, state.applicationSecret != nil {
            // The Finished was lost (a gap), or there is no handshake secret:
            // see whether the application keys open it.
            var trial = state
            enterApplicationEpoch(&trial)
            let retried = open(header, fragment, &trial)
            if case .success = retried {
                state = trial
                result = retried
            }
        }
        switch result {
        case let .failure(reason):
            return fail(reason, direction, frames, state: &state)
        case let .success(record):
            count(direction) { $0.decrypted += 1 }
            deliver(record, direction, frames, &state)
            return .plaintext(record.contentType, record.plaintext)
        }
    }

    // MARK: keys

    /// Looks the secrets up and derives keys, once the ServerHello is known.
    private func prepare() {
        guard case .pending = setup else { return }
        guard let hello = session.clientHello else {
            setup = .noSecrets
            summary.secretsFound = false
            return
        }
        guard let secrets = keyLog.secrets(clientRandom: hello.random) else {
            setup = .noSecrets
            summary.secretsFound = false
            return
        }
        summary.secretsFound = true
        guard let serverHello = session.serverHello, let version = session.negotiatedVersion,
              let suite = session.cipherSuite
        else { return }
        guard let p = TLSDecryptParameters(suite: suite), p.isTLS13 == (version >= .tls13) else {
            setup = .failed(.unsupportedCipherSuite)
            return
        }
        parameters = p
        innerSession.negotiatedVersion = version
        innerSession.cipherSuite = suite
        if p.isTLS13 {
            client.handshakeSecret = secrets.clientHandshakeTrafficSecret?.bytes
            client.applicationSecret = secrets.clientTrafficSecret0?.bytes
            server.handshakeSecret = secrets.serverHandshakeTrafficSecret?.bytes
            server.applicationSecret = secrets.serverTrafficSecret0?.bytes
            guard client.handshakeSecret ?? client.applicationSecret ?? server.handshakeSecret ?? server.applicationSecret != nil
            else {
                setup = .failed(.noKeys)
                return
            }
            summary.secretsKind = .tls13TrafficSecrets
            for d in [Direction.clientToServer, .serverToClient] {
                // Without a handshake secret the handshake records fail
                // (no_keys) and the first one that opens under the
                // application keys starts that epoch (see `decrypt`).
                withState(d) { enterHandshakeEpoch(&$0) }
            }
        } else {
            guard let master = secrets.masterSecret else {
                setup = .failed(.noKeys)
                return
            }
            guard version >= .tls10 else {
                setup = .failed(.unsupportedCipherSuite)
                return
            }
            summary.secretsKind = .tls12MasterSecret
            let keys = TLSKeySchedule.keyBlock(
                masterSecret: master.bytes, serverRandom: serverHello.random, clientRandom: hello.random,
                version: version, parameters: p
            )
            // RFC 7366 §2: encrypt-then-MAC applies when the ServerHello echoes it (type 22) for a CBC suite.
            let etm = serverHello.extensions.contains { $0.type.rawValue == 22 }
            let layout: TLSRecordOpener.Layout = p.cipher == .aesCBC
                ? .cbc(encryptThenMAC: etm, explicitIV: version >= .tls11) : .aead12
            client.opener = TLSRecordOpener(cipher: p.cipher, layout: layout, key: keys.client.key, iv: keys.client.iv,
                                            mac: p.mac, macKey: keys.client.macKey)
            server.opener = TLSRecordOpener(cipher: p.cipher, layout: layout, key: keys.server.key, iv: keys.server.iv,
                                            mac: p.mac, macKey: keys.server.macKey)
        }
        setup = .ready
    }

    private func enterHandshakeEpoch(_ state: inout DirectionState) {
        state.epoch = .handshake
        state.sequence = 0
        state.opener = opener13(state.handshakeSecret)
    }

    private func enterApplicationEpoch(_ state: inout DirectionState) {
        state.epoch = .application
        state.sequence = 0
        state.opener = opener13(state.applicationSecret)
    }

    private func opener13(_ secret: [UInt8]?) -> TLSRecordOpener? {
        guard let secret, let p = parameters else { return nil }
        let keys = TLSKeySchedule.trafficKeys(p.prfHash, secret: secret, keyLength: p.keyLength)
        return TLSRecordOpener(cipher: p.cipher, layout: .aead13, key: keys.key, iv: keys.iv)
    }

    /// Opens a record under the current keys; the sequence number counts it either way.
    private func open(_ header: TLSRecordHeader, _ fragment: UnsafeRawBufferPointer, _ state: inout DirectionState)
        -> Result<TLSOpenedRecord, TLSDecryptFailure>
    {
        guard state.opener != nil else {
            state.sequence &+= 1
            return .failure(.noKeys)
        }
        let seq = state.sequence
        state.sequence &+= 1
        // `opener` is a value with state (the TLS 1.0 CBC chain): mutate it in place.
        return state.opener?.open(header, fragment: fragment, sequence: seq) ?? .failure(.noKeys)
    }

    // MARK: content

    private func deliver(_ record: TLSOpenedRecord, _ direction: Direction, _ frames: TLSFrames, _ state: inout DirectionState) {
        switch record.contentType {
        case .applicationData:
            state.events.append(.applicationData(record.plaintext, frames: frames))
        case .alert:
            switch record.plaintext.withUnsafeBytes({ TLSAlert.parseRecord($0) }) {
            case let .parsed(alerts, _):
                for alert in alerts { state.events.append(.alert(alert, frames: frames)) }
            case let .malformed(error):
                state.events.append(.anomaly(error, frame: frames.last))
            case .needMore:
                break
            }
        case .handshake:
            readHandshake(record.plaintext, direction, frames, &state)
        case .changeCipherSpec where state.epoch == .tls12:
            // A protected ChangeCipherSpec: a renegotiation switches to keys
            // from a new key exchange, which a key log lists under a new client random.
            state.stopped = .renegotiationUnsupported
        default:
            break
        }
    }

    private func readHandshake(_ content: [UInt8], _ direction: Direction, _ frames: TLSFrames, _ state: inout DirectionState) {
        let parser = direction == .clientToServer ? innerClient : innerServer
        content.withUnsafeBytes { parser.feedDecryptedHandshake($0, frames: frames) }
        for event in parser.takeEvents() {
            switch event {
            case let .handshake(message, frames: messageFrames):
                state.events.append(.handshake(message, frames: messageFrames))
                if state.epoch == .handshake, message.type == .finished {
                    state.switchToApplication = true
                } else if state.epoch == .application, message.type == .keyUpdate {
                    state.keyUpdatePending = true
                }
            case let .anomaly(error, frame):
                state.events.append(.anomaly(error, frame: frame))
            default:
                break
            }
        }
        // Certificates read from decrypted records belong to the real session
        // (TLS 1.3 sends them only encrypted).
        if direction == .serverToClient, session.serverCertificates == nil, let chain = innerSession.serverCertificates {
            session.serverCertificates = chain
        }
        if direction == .clientToServer, session.clientCertificates == nil, let chain = innerSession.clientCertificates {
            session.clientCertificates = chain
        }
    }

    // MARK: bookkeeping

    private func fail(_ reason: TLSDecryptFailure, _ direction: Direction, _ frames: TLSFrames) -> TLSDecryptResult {
        var state = takeState(direction)
        defer { putState(state, direction) }
        return fail(reason, direction, frames, state: &state)
    }

    private func fail(_ reason: TLSDecryptFailure, _ direction: Direction, _ frames: TLSFrames, state: inout DirectionState)
        -> TLSDecryptResult
    {
        var first = false
        count(direction) { counts in
            counts.failed += 1
            if counts.firstFailure == nil {
                counts.firstFailure = reason
                first = true
            }
        }
        if first { state.events.append(.failure(reason, frames: frames)) }
        return .failed(reason: reason)
    }

    private func count(_ direction: Direction, _ body: (inout TLSDecryptionCounts) -> Void) {
        if direction == .clientToServer { body(&summary.client) } else { body(&summary.server) }
    }

    private func withState(_ direction: Direction, _ body: (inout DirectionState) -> Void) {
        if direction == .clientToServer { body(&client) } else { body(&server) }
    }

    /// Moves a direction's state out (so it can be mutated without exclusivity
    /// conflicts while other members are used) and back.
    /// The slot is left empty meanwhile, so the state's arrays stay uniquely
    /// referenced and appending to them never copies.
    private func takeState(_ direction: Direction) -> DirectionState {
        var state = DirectionState()
        if direction == .clientToServer { swap(&state, &client) } else { swap(&state, &server) }
        return state
    }

    private func putState(_ state: DirectionState, _ direction: Direction) {
        if direction == .clientToServer { client = state } else { server = state }
    }
}
