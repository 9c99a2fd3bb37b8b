/// Payload shapes: real protocol framing (TPKT/X.224 per MS-RDPBCGR, TLS 1.2 records and
/// handshake messages per RFC 5246, HTTP/1.1, DNS) around pseudo-random filler where the
/// real bytes would be random or encrypted.
enum Content {
    // MARK: RDP (MS-RDPBCGR)

    static let protocolSSL: UInt32 = 0x1, protocolHybrid: UInt32 = 0x2, protocolHybridEx: UInt32 = 0x8

    /// 2.2.1.1 Client X.224 Connection Request PDU: TPKT, x224Crq, routing cookie
    /// "Cookie: mstshash=USER\r\n", RDP_NEG_REQ (2.2.1.1.1). 40–60 bytes.
    static func x224ConnectionRequest(user: String, requestedProtocols: UInt32) -> Write {
        let cookie = Array("Cookie: mstshash=\(user)\r\n".utf8)
        let negotiation: [UInt8] = [0x01, 0x00, 0x08, 0x00] + le32(requestedProtocols)
        let total = 4 + 7 + cookie.count + negotiation.count
        // The length indicator counts the X.224 header after itself, variable part included.
        let x224: [UInt8] = [UInt8(total - 5), 0xE0, 0, 0, 0, 0, 0]
        var b = WriteBuilder()
        b.literal(tpkt(total) + x224 + cookie + negotiation)
        return b.build()
    }

    /// 2.2.1.2 Server X.224 Connection Confirm PDU with RDP_NEG_RSP (2.2.1.2.1): 19 bytes.
    /// Flags 0x1F: extended client data, GFX, restricted admin, redirected authentication.
    static func x224ConnectionConfirm(selectedProtocol: UInt32) -> Write {
        var b = WriteBuilder()
        b.literal(tpkt(19) + [0x0E, 0xD0, 0, 0, 0x12, 0x34, 0x00] + [0x02, 0x1F, 0x08, 0x00] + le32(selectedProtocol))
        return b.build()
    }

    /// 2.2.1.2.2 RDP_NEG_FAILURE, e.g. 0x5 HYBRID_REQUIRED_BY_SERVER, 0x2 SSL_NOT_ALLOWED_BY_SERVER.
    static func x224NegotiationFailure(code: UInt32) -> Write {
        var b = WriteBuilder()
        b.literal(tpkt(19) + [0x0E, 0xD0, 0, 0, 0x12, 0x34, 0x00] + [0x03, 0x00, 0x08, 0x00] + le32(code))
        return b.build()
    }

    static func tpkt(_ length: Int) -> [UInt8] { [3, 0, UInt8(length >> 8), UInt8(length & 0xFF)] }

    // MARK: TLS 1.2 handshake (RFC 5246)

    /// 7.4.1.2 ClientHello in one record, 200–300 bytes: SChannel-like suites and extensions,
    /// optional SNI and ALPN, padding (RFC 7685) to a random size.
    static func clientHello(rng: inout Xoshiro256, serverName: String?, alpn: [String] = [], sessionID: Bool) -> Write {
        var extensions: [UInt8] = []
        if let serverName {
            let name = Array(serverName.utf8)
            extensions += [0x00, 0x00] + be16(name.count + 5) + be16(name.count + 3) + [0x00] + be16(name.count) + name
        }
        extensions += [0x00, 0x05, 0x00, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00]  // status_request
        extensions += [0x00, 0x0A, 0x00, 0x08, 0x00, 0x06, 0x00, 0x1D, 0x00, 0x17, 0x00, 0x18]  // supported_groups
        extensions += [0x00, 0x0B, 0x00, 0x02, 0x01, 0x00]  // ec_point_formats
        extensions += [0x00, 0x0D, 0x00, 0x1A, 0x00, 0x18, 0x08, 0x04, 0x08, 0x05, 0x08, 0x06, 0x04, 0x01, 0x05, 0x01,
                       0x02, 0x01, 0x04, 0x03, 0x05, 0x03, 0x02, 0x03, 0x02, 0x02, 0x06, 0x01, 0x06, 0x03]  // signature_algorithms
        if !alpn.isEmpty {
            var list: [UInt8] = []
            for p in alpn { list += [UInt8(p.utf8.count)] + Array(p.utf8) }
            extensions += [0x00, 0x10] + be16(list.count + 2) + be16(list.count) + list
        }
        extensions += [0x00, 0x17, 0x00, 0x00]  // extended_master_secret
        extensions += [0xFF, 0x01, 0x00, 0x01, 0x00]  // renegotiation_info
        extensions += [0x00, 0x23, 0x00, 0x00]  // session_ticket
        let suites: [UInt16] = [0xC02C, 0xC02B, 0xC030, 0xC02F, 0xC024, 0xC023, 0xC028, 0xC027, 0xC00A, 0xC009,
                                0xC014, 0xC013, 0x009D, 0x009C, 0x003D, 0x003C, 0x0035, 0x002F, 0x000A]
        let fixed = 4 + 2 + 32 + 1 + (sessionID ? 32 : 0) + 2 + suites.count * 2 + 2 + 2 + extensions.count
        let target = rng.int(200...300) - 5
        if target - fixed >= 4 {
            extensions += [0x00, 0x15] + be16(target - fixed - 4) + [UInt8](repeating: 0, count: target - fixed - 4)
        }
        let bodyLength = fixed - 4 + (target - fixed >= 4 ? target - fixed : 0)
        var b = WriteBuilder()
        b.literal([0x16, 0x03, 0x01] + be16(bodyLength + 4) + [0x01] + be24(bodyLength) + [0x03, 0x03])
        b.filler(32)  // random
        if sessionID {
            b.literal([32])
            b.filler(32)
        } else {
            b.literal([0])
        }
        b.literal(be16(suites.count * 2) + suites.flatMap { be16(Int($0)) } + [0x01, 0x00] + be16(extensions.count) + extensions)
        return b.build()
    }

    /// ServerHello, Certificate, ServerKeyExchange (ECDHE only) and ServerHelloDone, in one
    /// record (SChannel, OpenSSL) or one record each; 1.2–2.2 KB, so one or two segments.
    static func serverFlight(certificate: [UInt8], ecdhe: Bool, signatureLength: Int, separateRecords: Bool,
                             alpn: String? = nil) -> Write {
        var b = WriteBuilder()
        var extensions: [UInt8] = [0xFF, 0x01, 0x00, 0x01, 0x00, 0x00, 0x17, 0x00, 0x00]
        if ecdhe { extensions += [0x00, 0x0B, 0x00, 0x02, 0x01, 0x00] }
        if let alpn {
            let name = Array(alpn.utf8)
            extensions += [0x00, 0x10] + be16(name.count + 3) + be16(name.count + 1) + [UInt8(name.count)] + name
        }
        let helloBody = 2 + 32 + 1 + 32 + 2 + 1 + 2 + extensions.count
        let certificateBody = 3 + 3 + certificate.count
        let keyExchangeBody = ecdhe ? 4 + 65 + 2 + 2 + signatureLength : 0
        let messages = [4 + helloBody, 4 + certificateBody] + (ecdhe ? [4 + keyExchangeBody] : []) + [4]
        func header(_ length: Int) {
            b.literal([0x16, 0x03, 0x03] + be16(length))
        }
        if !separateRecords { header(messages.reduce(0, +)) }
        // ServerHello
        if separateRecords { header(messages[0]) }
        b.literal([0x02] + be24(helloBody) + [0x03, 0x03])
        b.filler(32)
        b.literal([32])
        b.filler(32)
        b.literal((ecdhe ? [0xC0, 0x30] : [0x00, 0x9D]) + [0x00] + be16(extensions.count) + extensions)
        // Certificate
        if separateRecords { header(messages[1]) }
        b.literal([0x0B] + be24(certificateBody) + be24(certificate.count + 3) + be24(certificate.count) + certificate)
        // ServerKeyExchange: named curve secp256r1, uncompressed point, rsa_pkcs1_sha256 signature.
        if ecdhe {
            if separateRecords { header(messages[2]) }
            b.literal([0x0C] + be24(keyExchangeBody) + [0x03, 0x00, 0x17, 0x41, 0x04])
            b.filler(64)
            b.literal([0x04, 0x01] + be16(signatureLength))
            b.filler(signatureLength)
        }
        if separateRecords { header(4) }
        b.literal([0x0E, 0x00, 0x00, 0x00])
        return b.build()
    }

    /// ClientKeyExchange, ChangeCipherSpec and the encrypted Finished (40 bytes with AES-GCM), in one segment.
    static func clientKeyExchange(ecdhe: Bool, rsaLength: Int) -> Write {
        var b = WriteBuilder()
        if ecdhe {
            b.literal([0x16, 0x03, 0x03, 0x00, 0x46, 0x10, 0x00, 0x00, 0x42, 0x41, 0x04])
            b.filler(64)
        } else {
            b.literal([0x16, 0x03, 0x03] + be16(rsaLength + 6) + [0x10] + be24(rsaLength + 2) + be16(rsaLength))
            b.filler(rsaLength)
        }
        b.literal([0x14, 0x03, 0x03, 0x00, 0x01, 0x01])
        b.tlsRecord(type: 0x16, body: 40)
        return b.build()
    }

    /// The server's ChangeCipherSpec and encrypted Finished.
    static func serverFinished() -> Write {
        var b = WriteBuilder()
        b.literal([0x14, 0x03, 0x03, 0x00, 0x01, 0x01])
        b.tlsRecord(type: 0x16, body: 40)
        return b.build()
    }

    /// A plaintext fatal alert (before ChangeCipherSpec): 42 bad_certificate, 48 unknown_ca,
    /// 45 certificate_expired, 40 handshake_failure, 70 protocol_version.
    static func alert(_ description: UInt8) -> Write {
        var b = WriteBuilder()
        b.literal([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, description])
        return b.build()
    }

    /// One application-data record per plaintext size.
    static func records(_ plaintexts: [Int]) -> Write {
        var b = WriteBuilder()
        for p in plaintexts { b.applicationData(plaintext: p) }
        return b.build()
    }

    // MARK: HTTP/1.1

    static func httpRequest(rng: inout Xoshiro256, host: String) -> Write {
        let paths = ["/", "/index.html", "/api/v1/items", "/static/app.js", "/images/logo.png", "/download/file.bin",
                     "/updates/manifest.xml", "/search"]
        var path = rng.element(paths)
        if rng.chance(0.5) { path += "?id=\(rng.int(1...999_999))" }
        let agent = rng.element(["Mozilla/5.0 (Windows NT 10.0; Win64; x64)", "curl/8.5.0", "Microsoft-CryptoAPI/10.0",
                                 "Windows-Update-Agent/10.0.10011.16384 Client-Protocol/2.50"])
        let text = "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nUser-Agent: \(agent)\r\nAccept: */*\r\n"
            + "Accept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n\r\n"
        var b = WriteBuilder()
        b.literal(Array(text.utf8))
        return b.build()
    }

    /// Header announcing `bodyLength` bytes and the first `firstChunk` of them (the rest follows in more writes).
    static func httpResponse(rng: inout Xoshiro256, bodyLength: Int, firstChunk: Int) -> Write {
        let type = rng.element(["application/octet-stream", "application/x-msdownload", "application/vnd.ms-cab-compressed"])
        let text = "HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: Tue, 01 Dec 2026 10:00:00 GMT\r\nContent-Type: \(type)\r\n"
            + "Content-Length: \(bodyLength)\r\nConnection: keep-alive\r\nCache-Control: max-age=3600\r\n\r\n"
        var b = WriteBuilder()
        b.literal(Array(text.utf8))
        b.filler(firstChunk)
        return b.build()
    }

    // MARK: DNS (RFC 1035)

    static func dnsQuery(id: UInt16, name: String, type: UInt16) -> [UInt8] {
        be16(Int(id)) + [0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00] + dnsName(name) + be16(Int(type)) + [0x00, 0x01]
    }

    /// The query echoed with `answers` records pointing back at the question name.
    static func dnsResponse(id: UInt16, name: String, type: UInt16, answers: Int, rng: inout Xoshiro256) -> [UInt8] {
        var r = be16(Int(id)) + [0x81, 0x80, 0x00, 0x01] + be16(answers) + [0x00, 0x00, 0x00, 0x00]
        r += dnsName(name) + be16(Int(type)) + [0x00, 0x01]
        let dataLength = type == 28 ? 16 : 4
        for _ in 0..<answers {
            r += [0xC0, 0x0C] + be16(Int(type)) + [0x00, 0x01] + be32(UInt32(rng.int(60...86_400))) + be16(dataLength)
            r += rng.bytes(dataLength)
        }
        return r
    }

    static func dnsName(_ name: String) -> [UInt8] {
        var out: [UInt8] = []
        for label in name.split(separator: ".") {
            out.append(UInt8(label.utf8.count))
            out += Array(label.utf8)
        }
        return out + [0]
    }

    // MARK: byte helpers

    static func be16(_ v: Int) -> [UInt8] { [UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)] }
    static func be24(_ v: Int) -> [UInt8] { [UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)] }
    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    static func le32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)] }
}
