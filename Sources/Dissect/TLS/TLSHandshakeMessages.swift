import Wire

/// Certificate message. TLS ≤ 1.2 [RFC 5246 §7.4.2]: `certificate_list<0..2^24-1>`
/// of `ASN.1Cert<1..2^24-1>`. TLS 1.3 [RFC 8446 §4.4.2] adds a request context
/// and per-entry extensions (seen in the clear only after decryption).
public struct TLSCertificateMessage: Hashable, Sendable {
    /// DER certificates, sender's own first.
    public var certificates: [[UInt8]]

    /// No parser trusts a chain longer than this; real chains have 2–4.
    public static let maximumCertificates = 32

    public static func parse(body: ByteCursor, tls13: Bool) throws(DissectError) -> TLSCertificateMessage {
        let truncated = "tls_certificate_truncated"
        var c = body
        if tls13 { _ = try c.vector8(truncated) }
        var list = try c.vector24(truncated)
        try c.expectEnd("tls_certificate_trailing_bytes")
        var certs: [[UInt8]] = []
        while !list.isAtEnd {
            guard certs.count < maximumCertificates else {
                throw DissectError("tls_certificate_chain_too_long", offset: list.offset)
            }
            let der = try list.vector24(truncated)
            guard der.remaining > 0 else { throw DissectError("tls_certificate_empty", offset: der.offset) }
            certs.append(Array(der.unread))
            if tls13 { _ = try list.vector16(truncated) }
        }
        return TLSCertificateMessage(certificates: certs)
    }
}

/// ServerKeyExchange, read as far as the suite's key exchange says.
public struct TLSServerKeyExchange: Hashable, Sendable {
    /// ECDHE: the named curve [RFC 8422 §5.4]. nil for other kinds.
    public var namedGroup: TLSNamedGroup?
    /// DHE: size of the prime p in bits [RFC 5246 §7.4.3] (weak below 2048).
    public var dhPrimeBits: Int?
    /// TLS 1.2 signature scheme of the parameters' signature.
    public var signatureAlgorithm: TLSSignatureScheme?
    public var length: Int

    /// [RFC 8422 §5.4 ServerECDHParams; RFC 5246 §7.4.3 ServerDHParams]:
    /// ```
    /// ECDHE: curve_type u8 (3 = named_curve) | namedcurve u16 | point<1..2^8-1> | signature
    /// DHE:   dh_p<1..2^16-1> | dh_g<1..2^16-1> | dh_Ys<1..2^16-1> | signature
    /// signature (TLS 1.2): algorithm u16 | signature<0..2^16-1>; (TLS 1.0/1.1): signature<0..2^16-1>
    /// ```
    /// With an unknown key exchange the body is reported by length only.
    public static func parse(body: ByteCursor, keyExchange: TLSKeyExchange?, version: TLSVersion?) throws(DissectError)
        -> TLSServerKeyExchange
    {
        let truncated = "tls_server_key_exchange_truncated"
        var c = body
        var ske = TLSServerKeyExchange(namedGroup: nil, dhPrimeBits: nil, signatureAlgorithm: nil, length: body.remaining)
        switch keyExchange {
        case .ecdhe:
            let curveType = try required(c.u8(), truncated, at: c.offset)
            guard curveType == 3 else {
                throw DissectError("tls_server_key_exchange_curve_type", offset: c.offset - 1, detail: "curve_type \(curveType)")
            }
            ske.namedGroup = TLSNamedGroup(rawValue: try required(c.u16be(), truncated, at: c.offset))
            _ = try c.vector8(truncated)
        case .dhe:
            let p = try c.vector16(truncated)
            var leading = p
            while leading.peek() == 0 { leading.skip(1) }
            let top = leading.peek().map { 8 - $0.leadingZeroBitCount } ?? 0
            ske.dhPrimeBits = leading.remaining == 0 ? 0 : (leading.remaining - 1) * 8 + top
            _ = try c.vector16(truncated)
            _ = try c.vector16(truncated)
        default:
            return ske
        }
        if let version, version >= .tls12 {
            ske.signatureAlgorithm = TLSSignatureScheme(rawValue: try required(c.u16be(), truncated, at: c.offset))
        }
        _ = try c.vector16(truncated)
        try c.expectEnd("tls_server_key_exchange_trailing_bytes")
        return ske
    }
}

/// CertificateRequest [RFC 5246 §7.4.4] (TLS 1.3's is encrypted):
/// `certificate_types<1..2^8-1> | supported_signature_algorithms<2..2^16-2> (1.2 only)
/// | certificate_authorities<0..2^16-1>` of `DistinguishedName<1..2^16-1>`.
/// A server asking for a client certificate matters for RDP (failure 0x6).
public struct TLSCertificateRequest: Hashable, Sendable {
    public var certificateTypes: [UInt8]
    public var signatureAlgorithms: [TLSSignatureScheme]
    public var certificateAuthorityCount: Int

    public static func parse(body: ByteCursor, version: TLSVersion?) throws(DissectError) -> TLSCertificateRequest {
        let truncated = "tls_certificate_request_truncated"
        var c = body
        let types = try c.vector8(truncated)
        var algorithms: [UInt16] = []
        if let version, version >= .tls12 { algorithms = try c.u16List(truncated) }
        var cas = try c.vector16(truncated)
        try c.expectEnd("tls_certificate_request_trailing_bytes")
        var count = 0
        while !cas.isAtEnd {
            _ = try cas.vector16(truncated)
            count += 1
        }
        return TLSCertificateRequest(
            certificateTypes: Array(types.unread),
            signatureAlgorithms: algorithms.map(TLSSignatureScheme.init(rawValue:)),
            certificateAuthorityCount: count
        )
    }
}

/// NewSessionTicket, TLS 1.2 form [RFC 5077 §3.3]:
/// `ticket_lifetime_hint u32 | ticket<0..2^16-1>`.
public struct TLSNewSessionTicket: Hashable, Sendable {
    public var lifetimeHint: UInt32
    public var ticketLength: Int

    public static func parse(body: ByteCursor) throws(DissectError) -> TLSNewSessionTicket {
        let truncated = "tls_new_session_ticket_truncated"
        var c = body
        let hint = try required(c.u32be(), truncated, at: c.offset)
        let ticket = try c.vector16(truncated)
        try c.expectEnd("tls_new_session_ticket_trailing_bytes")
        return TLSNewSessionTicket(lifetimeHint: hint, ticketLength: ticket.remaining)
    }
}

/// ClientKeyExchange [RFC 5246 §7.4.7; RFC 8422 §5.7]: the encrypted
/// premaster secret (RSA, `<0..2^16-1>`), the DH public value
/// (`<1..2^16-1>`) or the EC point (`<1..2^8-1>`). Only its size is kept.
public struct TLSClientKeyExchange: Hashable, Sendable {
    public var exchangeLength: Int

    public static func parse(body: ByteCursor, keyExchange: TLSKeyExchange?) throws(DissectError) -> TLSClientKeyExchange {
        let truncated = "tls_client_key_exchange_truncated"
        var c = body
        let inner: ByteCursor
        switch keyExchange {
        case .ecdhe: inner = try c.vector8(truncated)
        case .rsa, .dhe: inner = try c.vector16(truncated)
        default: return TLSClientKeyExchange(exchangeLength: body.remaining)
        }
        try c.expectEnd("tls_client_key_exchange_trailing_bytes")
        return TLSClientKeyExchange(exchangeLength: inner.remaining)
    }
}
