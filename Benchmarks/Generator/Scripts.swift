/// Flow scripts: what each kind of connection says, in order, and how it ends.
/// Sizes of encrypted RDP PDUs are plaintext sizes seen in mstsc/Windows Server
/// captures (MS-RDPBCGR connection sequence), carried in AES-GCM records.
enum Scripts {
    static let microsecond: Int64 = 1_000
    static let millisecond: Int64 = 1_000_000
    static let second: Int64 = 1_000_000_000

    /// How an RDP connection in the capture ends.
    enum RDPOutcome: CaseIterable {
        case ok, clientReset, serverReset, serverClosedAfterClientHello, negotiationFailure, clientAlert, serverAlert
        case noAnswer, portClosed, stalled, abandoned, forgedReset

        /// Mix for the many-connection files: mostly successes, a spread of failures.
        static let weights: [Double] = [72, 5, 4, 2, 3, 2, 1, 3, 3, 2, 1, 2]
    }

    struct Server {
        var certificate: [UInt8]
        /// RSA modulus length in bytes (signature and encrypted pre-master secret size).
        var rsaLength: Int
        var ecdhe: Bool
    }

    static let users = ["user", "administrator", "j.smith", "CORP\\svc-backup", "m.garcia", "helpdesk", "a.nguyen", "user1234",
                        "ops", "k.ivanova", "scanner", "test"]

    /// An RDP-over-TLS connection (TLS only, or CredSSP/NLA), ending as `outcome`. `activeBytes`
    /// is what the server sends once the session is up (graphics), `bulk` selects long transfers.
    static func rdp(rng: inout Xoshiro256, outcome: RDPOutcome, server: Server, activeBytes: Int, bulk: Bool) -> [Action] {
        switch outcome {
        case .noAnswer: return [.connect(.unanswered(attempts: rng.int(2...4)))]
        case .portClosed: return [.connect(.refused(attempts: rng.int(1...3)))]
        default: break
        }
        var steps: [Action] = [.connect(.normal(lostSYNs: rng.chance(0.02) ? 1 : 0))]
        let requested: UInt32 = [0x3, 0xB, 0x1][rng.pick([60, 25, 15])]
        let selected: UInt32 = requested & 0x8 != 0 && rng.chance(0.7) ? Content.protocolHybridEx
            : requested & 0x2 != 0 ? Content.protocolHybrid : Content.protocolSSL
        let user = rng.element(users)
        func ms(_ r: ClosedRange<Int64>) -> Int64 { rng.int64(r) * microsecond }
        func write(_ p: Peer, _ w: Write, _ think: ClosedRange<Int64> = 0...500) -> Action {
            .write(p, w, think: rng.int64(think) * microsecond)
        }
        func records(_ p: Peer, _ sizes: [Int], _ think: ClosedRange<Int64> = 0...500) -> Action {
            write(p, Content.records(sizes), think)
        }

        steps.append(write(.client, Content.x224ConnectionRequest(user: user, requestedProtocols: requested), 200...3_000))
        if outcome == .negotiationFailure {
            steps.append(write(.server, Content.x224NegotiationFailure(code: rng.element([0x5, 0x2, 0x1]))))
            steps.append(.close(first: .server, think: ms(0...2_000)))
            return steps
        }
        steps.append(write(.server, Content.x224ConnectionConfirm(selectedProtocol: selected)))
        steps.append(write(.client, Content.clientHello(rng: &rng, serverName: rng.chance(0.6) ? "rds\(rng.int(1...40)).corp.example.com" : nil,
                                                        sessionID: rng.chance(0.5)), 300...2_000))
        let serverFlight = Content.serverFlight(certificate: server.certificate, ecdhe: server.ecdhe,
                                                signatureLength: server.rsaLength, separateRecords: rng.chance(0.3))
        switch outcome {
        case .serverClosedAfterClientHello:
            steps.append(.close(first: .server, think: ms(1_000...20_000)))
            return steps
        case .serverAlert:
            steps.append(write(.server, Content.alert(rng.element([40, 70])), 200...2_000))
            steps.append(.close(first: .server, think: ms(0...1_000)))
            return steps
        case .forgedReset:
            steps.append(.forgedResets(serverReply: serverFlight, injectorTTL: UInt8(rng.element([58, 61, 247, 250]))))
            return steps
        default:
            break
        }
        steps.append(write(.server, serverFlight, 500...8_000))
        if outcome == .clientAlert {
            // The user (or policy) refused the certificate: the alert comes after a prompt.
            steps.append(write(.client, Content.alert(rng.element([42, 48, 45])), 1_000...4_000_000))
            steps.append(rng.chance(0.5) ? .close(first: .client, think: 0) : .reset(.client, think: 0))
            return steps
        }
        steps.append(write(.client, Content.clientKeyExchange(ecdhe: server.ecdhe, rsaLength: server.rsaLength), 500...4_000))
        steps.append(write(.server, Content.serverFinished(), 200...2_000))
        if selected != Content.protocolSSL {
            // CredSSP (MS-CSSP) with NTLM: negotiate, challenge, authenticate + pubKeyAuth, pubKeyAuth, credentials.
            steps.append(records(.client, [rng.int(50...70)]))
            steps.append(records(.server, [rng.int(220...320)], 500...3_000))
            steps.append(records(.client, [rng.int(500...750)], 500...20_000))
            steps.append(records(.server, [rng.int(60...90)], 1_000...20_000))
            steps.append(records(.client, [rng.int(100...320)]))
            if selected == Content.protocolHybridEx {
                steps.append(records(.server, [4], 2_000...50_000))  // Early User Authorization Result
            }
        }
        // MCS Connect Initial / Response (GCC conference create), Erect Domain + Attach User,
        // Attach User Confirm, one Channel Join Request/Confirm pair per channel.
        steps.append(records(.client, [rng.int(380...520)]))
        steps.append(records(.server, [rng.int(100...160)], 1_000...10_000))
        steps.append(records(.client, [12, 8]))
        steps.append(records(.server, [11]))
        for _ in 0..<rng.int(2...7) {
            steps.append(records(.client, [12]))
            steps.append(records(.server, [15]))
        }
        steps.append(records(.client, [rng.int(300...800)]))  // Client Info PDU
        if rng.chance(0.9) {
            steps.append(records(.server, [34], 5_000...200_000))  // licensing: STATUS_VALID_CLIENT
        } else {
            // Full licensing exchange with a license server: request, new license request,
            // platform challenge, challenge response, new license.
            steps.append(records(.server, [rng.int(1_200...2_200)], 5_000...200_000))
            steps.append(records(.client, [rng.int(300...1_300)]))
            steps.append(records(.server, [rng.int(40...60)], 2_000...50_000))
            steps.append(records(.client, [rng.int(50...70)]))
            steps.append(records(.server, [rng.int(1_800...2_600)], 2_000...100_000))
        }
        steps.append(records(.server, [rng.int(300...600)], 1_000...300_000))  // Demand Active
        steps.append(records(.client, [rng.int(450...620), 37, 41, 41, 41]))  // Confirm Active, sync, control x2, font list
        steps.append(records(.server, [37, 41, 45, 41], 1_000...10_000))  // sync, cooperate, granted, font map
        let handshake = steps.count

        switch outcome {
        case .clientReset:
            let k = rng.int(1...handshake - 1)
            return Array(steps[0...k]) + [.reset(.client, think: ms(0...3_000_000))]
        case .serverReset:
            let k = rng.int(1...handshake - 1)
            return Array(steps[0...k]) + [.reset(.server, think: ms(0...200_000))]
        case .stalled:
            let k = rng.int(1...handshake - 1)
            guard case let .write(p, _, _) = steps[k] else { return Array(steps[0...k]) }
            return Array(steps[0...k]) + [.stall(p, retries: rng.int(2...5))]
        case .abandoned:
            return Array(steps[0...rng.int(1...handshake - 1)])
        default:
            break
        }

        // Active session: graphics updates from the server, input from the client.
        if bulk {
            var sent = 0
            var writes = 0
            while sent < activeBytes {
                // 64 KiB writes of full 16 KiB records (bitmap/file transfer), input now and then.
                let plaintext = min(65_536, max(1, activeBytes - sent))
                var b = WriteBuilder()
                b.applicationData(plaintext: plaintext)
                steps.append(.write(.server, b.build(), think: writes % 16 == 0 ? ms(0...20_000) : 0))
                sent += plaintext
                writes += 1
                if writes % 24 == 0 {
                    steps.append(records(.client, [rng.int(10...40)], 1_000...30_000))
                }
            }
        } else {
            var sent = 0
            while sent < activeBytes {
                let count = rng.int(1...5)
                var sizes: [Int] = []
                for _ in 0..<count { sizes.append(rng.logUniform(40...14_000)) }
                steps.append(records(.server, sizes, 5_000...150_000))
                sent += sizes.reduce(0, +)
                if rng.chance(0.6) {
                    steps.append(records(.client, Array(repeating: rng.int(10...40), count: rng.int(1...3)), 5_000...300_000))
                }
            }
        }
        // Disconnect: MCS Disconnect Provider Ultimatum and close_notify, then FIN or RST.
        var bye = WriteBuilder()
        bye.applicationData(plaintext: 11)
        bye.tlsRecord(type: 0x15, body: 26)  // close_notify: 2 bytes + 24 of AES-GCM overhead
        steps.append(.write(.client, bye.build(), think: ms(10_000...2_000_000)))
        steps.append(rng.chance(0.65) ? .close(first: .client, think: 0) : .reset(.client, think: ms(0...1_000)))
        return steps
    }

    // MARK: gateway traffic

    static let webNames = ["www.example.com", "cdn.example.net", "login.example.org", "update.example.com", "api.example.io",
                           "static.example.net", "mail.example.com", "files.example.org", "telemetry.example.com",
                           "images.example.net", "video.example.com", "docs.example.org"]

    /// HTTPS: TLS 1.2 handshake with SNI and ALPN, requests and responses of log-uniform size
    /// (a few hundred bytes to megabytes), sometimes a zero window, an RST, or no close at all.
    static func https(rng: inout Xoshiro256, server: Server, oddities: Bool) -> [Action] {
        let name = rng.element(webNames)
        var steps: [Action] = [.connect(.normal(lostSYNs: rng.chance(0.01) ? 1 : 0))]
        steps.append(.write(.client, Content.clientHello(rng: &rng, serverName: name, alpn: ["h2", "http/1.1"], sessionID: true),
                            think: rng.int64(100...1_000) * microsecond))
        steps.append(.write(.server, Content.serverFlight(certificate: server.certificate, ecdhe: true, signatureLength: server.rsaLength,
                                                          separateRecords: rng.chance(0.5), alpn: "h2"),
                            think: rng.int64(200...3_000) * microsecond))
        steps.append(.write(.client, Content.clientKeyExchange(ecdhe: true, rsaLength: 0), think: rng.int64(200...2_000) * microsecond))
        steps.append(.write(.server, Content.serverFinished(), think: rng.int64(100...1_000) * microsecond))
        let exchanges = rng.int(1...6)
        for _ in 0..<exchanges {
            steps.append(.write(.client, Content.records([rng.int(80...900)]), think: rng.int64(1...300) * millisecond))
            appendChunked(&steps, peer: .server, total: responseSize(&rng), rng: &rng, tls: true,
                          zeroWindow: oddities && rng.chance(0.15))
        }
        appendEnding(&steps, rng: &rng, oddities: oddities)
        return steps
    }

    /// HTTP/1.1 on port 80 with keep-alive: request, response header and body (log-uniform size).
    static func http(rng: inout Xoshiro256, oddities: Bool) -> [Action] {
        let host = rng.element(webNames)
        var steps: [Action] = [.connect(.normal(lostSYNs: 0))]
        for _ in 0..<rng.int(1...5) {
            steps.append(.write(.client, Content.httpRequest(rng: &rng, host: host), think: rng.int64(1...500) * millisecond))
            let body = responseSize(&rng)
            let first = min(body, 16_000)
            steps.append(.write(.server, Content.httpResponse(rng: &rng, bodyLength: body, firstChunk: first), think: rng.int64(1...30) * millisecond))
            appendChunked(&steps, peer: .server, total: body - first, rng: &rng, tls: false,
                          zeroWindow: oddities && rng.chance(0.1))
        }
        appendEnding(&steps, rng: &rng, oddities: oddities)
        return steps
    }

    /// Response sizes: mostly small (a few hundred bytes to 80 KB), with rare downloads of
    /// 1–16 MB that carry most of the bytes, as on a real gateway.
    static func responseSize(_ rng: inout Xoshiro256) -> Int {
        rng.chance(0.004) ? rng.logUniform(1_000_000...16_000_000) : rng.logUniform(200...80_000)
    }

    /// Odd TCP: scanners and dead hosts (half-open, unanswered or refused SYNs).
    static func oddConnect(rng: inout Xoshiro256) -> [Action] {
        switch rng.pick([40, 40, 20]) {
        case 0: return [.connect(.halfOpen)]
        case 1: return [.connect(.unanswered(attempts: rng.int(1...3)))]
        default: return [.connect(.refused(attempts: 1))]
        }
    }

    /// DNS over UDP: one to three queries, each answered (A or AAAA, one to four records).
    static func dns(rng: inout Xoshiro256) -> [Action] {
        var steps: [Action] = []
        for _ in 0..<rng.int(1...3) {
            let id = UInt16(truncatingIfNeeded: rng.next())
            let name = rng.element(webNames)
            let type: UInt16 = rng.chance(0.7) ? 1 : 28
            steps.append(.datagram(.client, Content.dnsQuery(id: id, name: name, type: type), think: rng.int64(0...50) * millisecond))
            steps.append(.datagram(.server, Content.dnsResponse(id: id, name: name, type: type, answers: rng.int(1...4), rng: &rng),
                                   think: rng.int64(0...5) * millisecond))
        }
        return steps
    }

    /// Sends `total` bytes from `peer` in writes of up to 64 KiB (TLS records or raw body).
    static func appendChunked(_ steps: inout [Action], peer: Peer, total: Int, rng: inout Xoshiro256, tls: Bool, zeroWindow: Bool) {
        var left = total
        var index = 0
        let stallAt = zeroWindow ? rng.int(0...max(0, total / 65_536)) : -1
        while left > 0 {
            let n = min(left, 65_536)
            var b = WriteBuilder()
            if tls { b.applicationData(plaintext: n) } else { b.filler(n) }
            steps.append(.write(peer, b.build(), think: index == 0 ? rng.int64(0...20) * millisecond : 0))
            if index == stallAt {
                steps.append(.zeroWindow(receiver: peer.other, duration: rng.int64(100...2_000) * millisecond))
            }
            left -= n
            index += 1
        }
    }

    /// FIN from either side (most), an RST mid-stream or at the end, or no close before the capture ends.
    static func appendEnding(_ steps: inout [Action], rng: inout Xoshiro256, oddities: Bool) {
        switch rng.pick([70, oddities ? 12 : 4, oddities ? 8 : 2, 10]) {
        case 0: steps.append(.close(first: rng.chance(0.6) ? .client : .server, think: rng.int64(1...5_000) * millisecond))
        case 1: steps.append(.reset(.client, think: rng.int64(1...2_000) * millisecond))
        case 2: steps.append(.reset(.server, think: rng.int64(1...2_000) * millisecond))
        default: break
        }
    }

    /// Planned payload bytes of a script (for the gateway mix's RDP share).
    static func payloadBytes(_ actions: [Action]) -> Int {
        var n = 0
        for a in actions {
            switch a {
            case let .write(_, w, _): n += w.length + 54 * (w.length / 1_400 + 1)
            case let .datagram(_, b, _): n += b.count + 42
            case .forgedResets(let w, _): n += w.length
            default: n += 120
            }
        }
        return n
    }
}
