import Reassembly

/// One record as framed, before its content is looked at.
public struct TLSRecordEvent: Hashable, Sendable {
    public var direction: Direction
    public var header: TLSRecordHeader
    /// Frame where the record's first header byte arrived, and where its last byte did.
    public var frames: TLSFrames
    /// The fragment is protected (application_data, or anything after this
    /// direction's ChangeCipherSpec in TLS ≤ 1.2).
    public var encrypted: Bool
}

/// What a protected record is, as far as can be told without keys.
public enum TLSEncryptedKind: String, Hashable, Sendable {
    case applicationData = "application_data"
    /// Outer type alert after ChangeCipherSpec (TLS ≤ 1.2): an "encrypted alert".
    /// (TLS 1.3 alerts hide inside application_data; a record whose plaintext
    /// is at most 2 bytes there is very likely one.)
    case alert
    /// The first protected handshake record after ChangeCipherSpec: Finished.
    case finished
    /// Later protected handshake records (renegotiation).
    case handshake
    case changeCipherSpec = "change_cipher_spec"
    case heartbeat
}

/// A protected record: who sent it, where, and how long its plaintext was.
///
/// A connection's timeline keeps dozens of these, so they are stored in 25
/// bytes: a record's length field is 16 bits, and so is every size derived
/// from it.
public struct TLSEncryptedRecord: Hashable, Sendable {
    public var direction: Direction
    public var kind: TLSEncryptedKind
    private var storedLength: UInt16
    private var plaintextMinimum: UInt16 = 0
    private var plaintextMaximum: UInt16 = 0
    public var frames: TLSFrames
    private var plaintextForm = PlaintextForm.unknown

    /// Which `TLSPlaintextSize` the two stored bounds make (one byte).
    private enum PlaintextForm: UInt8, Hashable, Sendable {
        case unknown, exact, range, atMost
    }

    init(direction: Direction, kind: TLSEncryptedKind, frames: TLSFrames, recordLength: Int, plaintext: TLSPlaintextSize?) {
        self.direction = direction
        self.kind = kind
        self.frames = frames
        storedLength = UInt16(clamping: recordLength)
        self.plaintext = plaintext
    }

    /// Fragment length (the record on the wire is 5 bytes longer).
    public var recordLength: Int {
        get { Int(storedLength) }
        set { storedLength = UInt16(clamping: newValue) }
    }

    /// Implied by the negotiated version and suite; nil while they are unknown
    /// (no ServerHello seen) or when the length does not fit the suite.
    public var plaintext: TLSPlaintextSize? {
        get {
            switch plaintextForm {
            case .exact: return .exact(Int(plaintextMaximum))
            case .range: return .range(min: Int(plaintextMinimum), max: Int(plaintextMaximum))
            case .atMost: return .atMost(Int(plaintextMaximum))
            case .unknown: return nil
            }
        }
        set {
            switch newValue {
            case nil: (plaintextForm, plaintextMinimum, plaintextMaximum) = (.unknown, 0, 0)
            case let .exact(n)?: (plaintextForm, plaintextMinimum, plaintextMaximum) = (.exact, UInt16(clamping: n), UInt16(clamping: n))
            case let .range(lower, upper)?: (plaintextForm, plaintextMinimum, plaintextMaximum) = (.range, UInt16(clamping: lower), UInt16(clamping: upper))
            case let .atMost(n)?: (plaintextForm, plaintextMinimum, plaintextMaximum) = (.atMost, 0, UInt16(clamping: n))
            }
        }
    }
}

/// What a `TLSStreamParser` reports, in stream order.
public enum TLSEvent: Equatable, Sendable {
    /// Every record, first (then what it held, below).
    case record(TLSRecordEvent)
    /// A handshake message read in the clear; frames span the records it came in.
    /// The message is a reference: on the connection dissector's path events are
    /// handed over as they are read, and the timeline keeps the same message.
    case handshake(TLSHandshakeMessage, frames: TLSFrames)
    case changeCipherSpec(frames: TLSFrames)
    /// A plaintext alert.
    case alert(TLSAlert, frames: TLSFrames)
    case encrypted(TLSEncryptedRecord)
    /// A plaintext heartbeat record (RFC 6520); only its length.
    case heartbeat(length: Int, frames: TLSFrames)
    /// A stable snake_case code; `frame` is where it was noticed.
    case anomaly(DissectError, frame: Int)
}

/// What both directions of one connection learn together: a ServerHello in
/// one direction decides how the other direction's records are read.
public final class TLSSession {
    /// The latest ClientHello (the second one after a HelloRetryRequest).
    public internal(set) var clientHello: TLSClientHello?
    public internal(set) var clientHelloCount = 0
    public internal(set) var helloRetryRequest: TLSServerHello?
    /// The ServerHello proper (never a HelloRetryRequest).
    public internal(set) var serverHello: TLSServerHello?
    /// From a HelloRetryRequest or ServerHello: selected_version, else legacy_version.
    public internal(set) var negotiatedVersion: TLSVersion?
    public internal(set) var cipherSuite: TLSCipherSuite? {
        didSet { recordProtection = cipherSuite?.info.map { ($0.keyExchange, $0.cipher) } }
    }
    /// The selected suite's key exchange and record cipher, looked up once: every
    /// protected record's plaintext size needs them.
    private var recordProtection: (keyExchange: TLSKeyExchange, cipher: TLSRecordCipher)?
    /// DER chains from Certificate messages in the clear (TLS ≤ 1.2).
    public internal(set) var serverCertificates: [[UInt8]]?
    public internal(set) var clientCertificates: [[UInt8]]?

    public init() {}

    var handshakeContext: TLSHandshakeMessage.Context {
        TLSHandshakeMessage.Context(version: negotiatedVersion, cipherSuite: cipherSuite)
    }

    /// The version records are protected with: what was negotiated, or —
    /// before any ServerHello — what the client offered at most.
    var expectedVersion: TLSVersion? { negotiatedVersion ?? clientHello.map { min($0.highestVersion, .tls13) } }

    /// Plaintext size of a protected fragment under the negotiated parameters.
    public func plaintextSize(fragmentLength: Int) -> TLSPlaintextSize? {
        recordParameters?.plaintextSize(fragmentLength: fragmentLength)
    }

    /// What protected records are read with, once a ServerHello chose them.
    public var recordParameters: TLSRecordParameters? {
        guard let version = negotiatedVersion, let protection = recordProtection else { return nil }
        return TLSRecordParameters(version: version, keyExchange: protection.keyExchange, cipher: protection.cipher)
    }
}

/// The negotiated version and the suite's record protection: all a protected
/// record's plaintext size depends on.
public struct TLSRecordParameters: Sendable {
    public var version: TLSVersion
    public var keyExchange: TLSKeyExchange
    public var cipher: TLSRecordCipher

    public func plaintextSize(fragmentLength: Int) -> TLSPlaintextSize? {
        TLSRecordProtection.plaintextSize(fragmentLength: fragmentLength, version: version,
                                          keyExchange: keyExchange, cipher: cipher)
    }
}

/// Both directions of a connection with their shared session.
///
/// A value: what is shared are its three objects. As a class of its own it was one
/// more allocation per connection, and one more object to reach the parsers through
/// for every TLS segment.
public struct TLSConnection {
    public let session: TLSSession
    public let client: TLSStreamParser
    public let server: TLSStreamParser

    public init() {
        session = TLSSession()
        client = TLSStreamParser(direction: .clientToServer, session: session)
        server = TLSStreamParser(direction: .serverToClient, session: session)
    }

    public func parser(_ direction: Direction) -> TLSStreamParser {
        direction == .clientToServer ? client : server
    }

    public func feed(_ direction: Direction, bytes: UnsafeRawBufferPointer, frame: Int) {
        parser(direction).feed(bytes: bytes, frame: frame)
    }
}
