import Wire

/// What a handshake message body says, as far as we read it.
public enum TLSHandshakeBody: Equatable, Sendable {
    case clientHello(TLSClientHello)
    /// A ServerHello or HelloRetryRequest (`isHelloRetryRequest`).
    case serverHello(TLSServerHello)
    case certificate(TLSCertificateMessage)
    case serverKeyExchange(TLSServerKeyExchange)
    case certificateRequest(TLSCertificateRequest)
    case serverHelloDone
    case clientKeyExchange(TLSClientKeyExchange)
    case newSessionTicket(TLSNewSessionTicket)
    case helloRequest
    /// Any other type (EncryptedExtensions, CertificateVerify, Finished seen
    /// in the clear, KeyUpdate, unassigned): type and length only.
    case other
}

/// One handshake message: `msg_type u8 | length u24 | body` [RFC 8446 §4, RFC 5246 §7.4].
///
/// A class, read-only once parsed: a message goes from the parser through the
/// connection dissector's event path into the timeline, and a reference is
/// handed along where a value (its body an enum of large structs) was copied
/// field by field at each step and boxed again for the timeline.
public final class TLSHandshakeMessage: Equatable, Sendable {
    public let type: TLSHandshakeType
    /// Body length (without the 4-byte header).
    public let length: Int
    public let body: TLSHandshakeBody

    public init(type: TLSHandshakeType, length: Int, body: TLSHandshakeBody) {
        self.type = type
        self.length = length
        self.body = body
    }

    public static func == (a: TLSHandshakeMessage, b: TLSHandshakeMessage) -> Bool {
        a === b || (a.type == b.type && a.length == b.length && a.body == b.body)
    }

    public static let headerSize = 4
    /// The one ServerHelloDone there is (an empty body; the message is read-only).
    static let serverHelloDone = TLSHandshakeMessage(type: .serverHelloDone, length: 0, body: .serverHelloDone)
    /// A message longer than this is refused: a real certificate chain is a
    /// few KiB, a ClientHello with post-quantum shares under 2 KiB, and the
    /// reassembly buffer must stay bounded.
    public static let maximumLength = 65_536

    /// What earlier messages tell about how later ones read.
    public struct Context: Hashable, Sendable {
        /// The negotiated version, once a ServerHello was seen.
        public var version: TLSVersion?
        /// The selected suite (decides ServerKeyExchange / ClientKeyExchange layout).
        public var cipherSuite: TLSCipherSuite?
        public init(version: TLSVersion? = nil, cipherSuite: TLSCipherSuite? = nil) {
            self.version = version
            self.cipherSuite = cipherSuite
        }
    }

    /// Reads one handshake message from the start of `bytes` (which may hold
    /// more). `.needMore` until the header and its whole declared body are
    /// there; `.malformed` when the declared length is over the cap, or the
    /// body does not read within its length.
    public static func parse(_ bytes: UnsafeRawBufferPointer, context: Context = Context()) -> DissectResult<TLSHandshakeMessage> {
        var c = ByteCursor(bytes)
        guard let type = c.u8(), let length24 = c.u24be() else { return .needMore(minimum: headerSize) }
        let length = Int(length24)
        guard length <= maximumLength else {
            return .malformed(DissectError("tls_handshake_message_too_long", offset: 1, detail: "length \(length)"))
        }
        guard let body = c.sub(length: length) else { return .needMore(minimum: headerSize + length) }
        let t = TLSHandshakeType(rawValue: type)
        do {
            let parsed = try parseBody(type: t, body: body, context: context)
            // Nearly every TLS 1.2 handshake has one, always the same: shared, not allocated each time.
            if case .serverHelloDone = parsed { return .parsed(serverHelloDone, consumed: headerSize) }
            return .parsed(TLSHandshakeMessage(type: t, length: length, body: parsed), consumed: headerSize + length)
        } catch {
            return .malformed(error)
        }
    }

    static func parseBody(type: TLSHandshakeType, body: ByteCursor, context: Context) throws(DissectError) -> TLSHandshakeBody {
        let kx = context.cipherSuite?.info?.keyExchange
        switch type {
        case .clientHello:
            return .clientHello(try TLSClientHello.parse(body: body))
        case .serverHello:
            return .serverHello(try TLSServerHello.parse(body: body))
        case .certificate:
            return .certificate(try TLSCertificateMessage.parse(body: body, tls13: context.version == .tls13))
        case .serverKeyExchange:
            return .serverKeyExchange(try TLSServerKeyExchange.parse(body: body, keyExchange: kx, version: context.version))
        case .certificateRequest where context.version != .tls13:
            return .certificateRequest(try TLSCertificateRequest.parse(body: body, version: context.version))
        case .serverHelloDone:
            // RFC 5246 §7.4.5: `struct { } ServerHelloDone;`
            try body.expectEnd("tls_server_hello_done_not_empty")
            return .serverHelloDone
        case .helloRequest:
            try body.expectEnd("tls_hello_request_not_empty")
            return .helloRequest
        case .clientKeyExchange:
            return .clientKeyExchange(try TLSClientKeyExchange.parse(body: body, keyExchange: kx))
        case .newSessionTicket where context.version != .tls13:
            return .newSessionTicket(try TLSNewSessionTicket.parse(body: body))
        default:
            return .other
        }
    }
}
