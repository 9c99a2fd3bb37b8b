import Wire

/// What the first negoToken of a TSRequest looks like: enough to tell NTLM
/// from Kerberos/SPNEGO without parsing either.
public enum NegoTokenKind: Equatable, Sendable {
    /// A raw NTLMSSP message: "NTLMSSP\0" then MessageType 1 (NEGOTIATE),
    /// 2 (CHALLENGE) or 3 (AUTHENTICATE).
    case ntlm(messageType: UInt32)
    /// 0x60 (GSS-API InitialContextToken), 0xA0 (negTokenInit) or 0xA1
    /// (negTokenResp); `ntlmMessageType` when an NTLMSSP message is wrapped inside.
    case spnego(tag: UInt8, ntlmMessageType: UInt32?)
    case unknown(firstByte: UInt8?)

    static let signature: [UInt8] = Array("NTLMSSP\0".utf8)

    static func classify(_ token: UnsafeRawBufferPointer) -> NegoTokenKind {
        if token.starts(with: signature) {
            return ntlmType(token, at: 0).map { .ntlm(messageType: $0) } ?? .unknown(firstByte: token.first)
        }
        guard let first = token.first else { return .unknown(firstByte: nil) }
        guard first == 0x60 || first == 0xA0 || first == 0xA1 else { return .unknown(firstByte: first) }
        var inner: UInt32?
        if token.count >= signature.count {
            for i in 0...(token.count - signature.count)
            where token[i] == 0x4E && token[i..<(i + signature.count)].elementsEqual(signature) {
                inner = ntlmType(token, at: i)
                break
            }
        }
        return .spnego(tag: first, ntlmMessageType: inner)
    }

    static func ntlmType(_ token: UnsafeRawBufferPointer, at i: Int) -> UInt32? {
        var c = ByteCursor(token)
        guard c.skip(i + signature.count) else { return nil }
        return c.u32le()
    }
}

/// TSRequest [MS-CSSP 2.2.1], the DER message of every CredSSP round (inside
/// TLS). Only sizes and presence are kept, plus version and errorCode, which
/// say why NLA failed. The DER walk is written for this fixed shape only:
/// no recursion, at most three levels, and a bounded token count.
public struct TSRequest: Equatable, Sendable {
    public var version: UInt32
    public var negoTokenCount: Int
    public var negoTokensTotalLength: Int
    public var firstNegoToken: NegoTokenKind?
    /// Sizes of the OCTET STRING contents; nil when the field is absent.
    public var authInfoLength: Int?
    public var pubKeyAuthLength: Int?
    /// NTSTATUS (or SEC_E_ HRESULT) from a failed SPNEGO exchange (v3, v4, v6).
    public var errorCode: UInt32?
    public var clientNonceLength: Int?

    public var errorCodeName: String? { errorCode.flatMap(NTStatusCodes.name) }
    public var errorCodeMeaning: String? { errorCode.flatMap(NTStatusCodes.meaning) }

    /// More tokens than any real exchange sends; bounds the work on hostile input.
    static let maxNegoTokens = 16

    /// Stream-level parse from the decrypted TLS application data of one
    /// direction: `.needMore` until the whole outer SEQUENCE is there.
    // [MS-CSSP 2.2.1 TSRequest]
    public static func parse(_ unread: ByteCursor) -> DissectResult<TSRequest> {
        var c = unread
        guard let tag = c.u8() else { return .needMore(minimum: 1) }
        guard tag == 0x30 else {
            return .malformed(DissectError("credssp_not_tsrequest", offset: unread.offset, detail: "tag 0x" + String(tag, radix: 16)))
        }
        guard let first = c.peek() else { return .needMore(minimum: 2) }
        if first & 0x80 != 0 {
            let count = Int(first & 0x7F)
            guard (1...4).contains(count) else {
                return .malformed(DissectError("credssp_length_invalid", offset: c.offset))
            }
            guard c.remaining >= 1 + count else { return .needMore(minimum: 2 + 1 + count) }
        }
        guard let length = c.berLength() else { return .malformed(DissectError("credssp_length_invalid", offset: c.offset)) }
        let header = c.offset - unread.offset
        let (total, overflow) = header.addingReportingOverflow(length)
        guard !overflow else { return .malformed(DissectError("credssp_length_invalid", offset: c.offset)) }
        guard unread.remaining >= total else { return .needMore(minimum: total) }
        return DissectResult { () throws(DissectError) in
            var outer = PDUReader(c, truncated: "credssp_truncated")
            var body = try outer.sub(length)
            return (try read(&body), total)
        }
    }

    static func read(_ r: inout PDUReader) throws(DissectError) -> TSRequest {
        var request = TSRequest(version: 0, negoTokenCount: 0, negoTokensTotalLength: 0)
        var lastTag: UInt8 = 0x9F
        var sawVersion = false
        while !r.isAtEnd {
            let start = r.offset
            let tag = try r.u8()
            guard tag & 0xE0 == 0xA0, tag > lastTag else {
                throw DissectError("credssp_tag_unexpected", offset: start, detail: "tag 0x" + String(tag, radix: 16))
            }
            lastTag = tag
            var field = try r.sub(try r.berLength(invalid: "credssp_length_invalid"))
            switch tag {
            case 0xA0:
                request.version = try field.cssp(integer: ())
                sawVersion = true
            case 0xA1:
                try readNegoTokens(&field, into: &request)
            case 0xA2: request.authInfoLength = try field.cssp(octetString: ()).remaining
            case 0xA3: request.pubKeyAuthLength = try field.cssp(octetString: ()).remaining
            case 0xA4: request.errorCode = try field.cssp(integer: ())
            case 0xA5: request.clientNonceLength = try field.cssp(octetString: ()).remaining
            default:
                // A context tag from a later MS-CSSP revision: skip it.
                try field.skip(field.remaining)
                continue
            }
            try field.expectEnd("credssp_trailing_bytes")
        }
        guard sawVersion else { throw r.fail("credssp_version_missing") }
        return request
    }

    /// negoTokens: SEQUENCE OF NegoData, NegoData ::= SEQUENCE { negoToken [0] OCTET STRING }.
    static func readNegoTokens(_ field: inout PDUReader, into request: inout TSRequest) throws(DissectError) {
        var list = try field.berElement([0x30], unexpected: "credssp_tag_unexpected", invalid: "credssp_length_invalid")
        while !list.isAtEnd {
            guard request.negoTokenCount < maxNegoTokens else { throw list.fail("credssp_too_many_tokens") }
            var data = try list.berElement([0x30], unexpected: "credssp_tag_unexpected", invalid: "credssp_length_invalid")
            var wrapped = try data.berElement([0xA0], unexpected: "credssp_tag_unexpected", invalid: "credssp_length_invalid")
            try data.expectEnd("credssp_trailing_bytes")
            var token = try wrapped.cssp(octetString: ())
            try wrapped.expectEnd("credssp_trailing_bytes")
            if request.negoTokenCount == 0 { request.firstNegoToken = NegoTokenKind.classify(token.cursor.unread) }
            request.negoTokenCount += 1
            request.negoTokensTotalLength += token.remaining
            try token.skip(token.remaining)
        }
    }
}

extension PDUReader {
    mutating func cssp(octetString: Void) throws(DissectError) -> PDUReader {
        try berElement([0x04], unexpected: "credssp_tag_unexpected", invalid: "credssp_length_invalid")
    }

    /// An INTEGER as its low 32 bits: errorCode NTSTATUS values such as
    /// 0xC000006D arrive either as 5 bytes (00 C0 00 00 6D) or as a negative
    /// 4-byte integer (C0 00 00 6D), depending on the encoder.
    mutating func cssp(integer: Void) throws(DissectError) -> UInt32 {
        var contents = try berElement([0x02], unexpected: "credssp_tag_unexpected", invalid: "credssp_length_invalid")
        let n = contents.remaining
        guard n >= 1, n <= 5 else { throw DissectError("credssp_integer_invalid", offset: contents.offset, detail: "\(n)-byte integer") }
        let first = try contents.u8()
        if n == 5 && first != 0 { throw DissectError("credssp_integer_invalid", offset: contents.offset - 1, detail: "over 32 bits") }
        // Sign-extend short negative encodings to 32 bits.
        var value: UInt32 = first & 0x80 != 0 && n < 5 ? 0xFFFF_FFFF : 0
        value = value << 8 | UInt32(first)
        while !contents.isAtEnd { value = value << 8 | UInt32(try contents.u8()) }
        return value
    }
}

/// The Early User Authorization Result PDU [MS-RDPBCGR 2.2.10.2]: with
/// PROTOCOL_HYBRID_EX, exactly 4 bytes (u32 LE) the server sends after CredSSP.
public struct EarlyUserAuthorizationResult: Equatable, Sendable {
    public static let success: UInt32 = 0x0000_0000
    public static let accessDenied: UInt32 = 0x0000_0005

    public var result: UInt32
    public var name: String? {
        switch result {
        case Self.success: "AUTHZ_SUCCESS"
        case Self.accessDenied: "AUTHZ_ACCESS_DENIED"
        default: nil
        }
    }
    public var isAccessDenied: Bool { result == Self.accessDenied }

    // [MS-RDPBCGR 2.2.10.2]
    public static func parse(_ unread: ByteCursor) -> DissectResult<EarlyUserAuthorizationResult> {
        var c = unread
        guard let value = c.u32le() else { return .needMore(minimum: 4) }
        guard c.isAtEnd else {
            return .malformed(DissectError("euar_length_invalid", offset: c.offset, detail: "\(unread.remaining) bytes, expected 4"))
        }
        return .parsed(EarlyUserAuthorizationResult(result: value), consumed: 4)
    }
}
