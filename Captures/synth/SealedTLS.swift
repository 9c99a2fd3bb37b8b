import TestSupport

// Really encrypted TLS sessions (captures 7-9): the handshake in the clear
// with plausible bytes, then every protected record sealed with keys derived
// from secrets the generator chooses and writes to NAME.keys (NSS key log),
// so rdpdiag --keylog decrypts them. Signatures, Finished verify_data and
// key shares are pseudo-random: the decryptor takes its keys from the key
// log and checks none of them.

/// Both directions' record sealers of one connection and the key log lines that open them.
final class SealedChannel {
    var client: TLSRecordSealer
    var server: TLSRecordSealer
    /// Set for TLS 1.3: the application traffic sealers the handshake sealers hand over to.
    var clientApplication: TLSRecordSealer?
    var serverApplication: TLSRecordSealer?
    let keyLog: String

    init(client: TLSRecordSealer, server: TLSRecordSealer, keyLog: String) {
        self.client = client
        self.server = server
        self.keyLog = keyLog
    }

    /// One record per PDU (Schannel writes one record per RDP PDU send).
    func seal(_ side: Side, type: UInt8 = 23, _ contents: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        for c in contents {
            if side == .client { out += client.seal(type: type, c) } else { out += server.seal(type: type, c) }
        }
        return out
    }

    /// TLS 1.3: the side's Finished went out; its next records use the application traffic keys.
    func switchToApplication(_ side: Side) {
        if side == .client, let a = clientApplication { client = a; clientApplication = nil }
        if side == .server, let a = serverApplication { server = a; serverApplication = nil }
    }
}

func hexDigits(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0xF)]) }
    return String(decoding: out, as: UTF8.self)
}

extension TCPFlow {
    /// The X.224 Connection Request (cookie, RDP_NEG_REQ) and Confirm (RDP_NEG_RSP).
    func x224(_ path: Path, cookie: String, requested: UInt32, selected: UInt32) {
        capture.wait(110)
        send(.client, RDPBuilder.x224ConnectionRequest(cookie: cookie, requestedProtocols: requested))
        capture.mark("x224_cr")
        capture.wait(path.toServer + 280)
        send(.server, RDPBuilder.x224ConnectionConfirm(.response(flags: 0x1F, selectedProtocol: selected)))
        capture.mark("x224_cc")
    }

    /// A TLS 1.2 handshake with ECDHE-RSA-AES256-GCM-SHA384 (Schannel's first choice for an RSA
    /// certificate): ClientHello; ServerHello + Certificate + ServerKeyExchange + ServerHelloDone;
    /// ClientKeyExchange + ChangeCipherSpec + Finished; ChangeCipherSpec + Finished. The Finished
    /// messages are sealed (sequence 0 of each direction) with the key block of `masterSecret`.
    func sealedTLS12Handshake(_ path: Path, masterSecret: [UInt8]) -> SealedChannel {
        capture.wait(path.toClient + 450)
        let clientRandom = capture.random.bytes(32)
        send(.client, TLSBuilder.record(type: 22, TLSBuilder.clientHello(random: clientRandom, serverName: "RDS01.corp.example.com")))
        capture.mark("tls_client_hello")

        capture.wait(path.toServer + 1_450)
        let serverRandom = capture.random.bytes(32)
        let flight = TLSBuilder.serverHello(random: serverRandom, sessionId: capture.random.bytes(32), cipherSuite: 0xC030)
            + TLSBuilder.certificate([ServerCertificateDER.rds01])
            + TLSBuilder.serverKeyExchangeECDHE(publicPoint: capture.random.bytes(32), signature: capture.random.bytes(256))
            + TLSBuilder.serverHelloDone()
        send(.server, TLSBuilder.record(type: 22, flight))
        capture.mark("tls_server_hello")

        let sealers = TLSRecordSealer.tls12(masterSecret: masterSecret, clientRandom: clientRandom, serverRandom: serverRandom,
                                            prf: .sha384, keyLength: 32)
        let channel = SealedChannel(client: sealers.client, server: sealers.server,
                                    keyLog: "CLIENT_RANDOM \(hexDigits(clientRandom)) \(hexDigits(masterSecret))\n")
        capture.wait(path.toClient + 850)
        send(.client, TLSBuilder.record(type: 22, TLSBuilder.clientKeyExchangeECDHE(publicPoint: capture.random.bytes(32)))
            + TLSBuilder.changeCipherSpec()
            + channel.seal(.client, type: 22, [TLSBuilder.finished(verifyData: capture.random.bytes(12))]))
        capture.mark("tls_client_finished")
        capture.wait(path.toServer + 350)
        send(.server, TLSBuilder.changeCipherSpec() + channel.seal(.server, type: 22, [TLSBuilder.finished(verifyData: capture.random.bytes(12))]))
        capture.mark("tls_server_finished")
        return channel
    }

    /// A TLS 1.3 handshake with TLS_AES_128_GCM_SHA256: ClientHello; ServerHello + the
    /// middlebox-compatibility ChangeCipherSpec [RFC 8446 §D.4] in the clear, then
    /// EncryptedExtensions, Certificate, CertificateVerify and Finished sealed under the server
    /// handshake traffic secret; the client's ChangeCipherSpec and Finished (client handshake
    /// traffic secret). The four secrets are `secrets` (client/server handshake, client/server
    /// application traffic secret 0).
    func sealedTLS13Handshake(_ path: Path, secrets: [[UInt8]]) -> SealedChannel {
        capture.wait(path.toClient + 450)
        let clientRandom = capture.random.bytes(32)
        let sessionId = capture.random.bytes(32)
        send(.client, TLSBuilder.record(type: 22, version: 0x0301,
                                        TLSBuilder.clientHello13(random: clientRandom, sessionId: sessionId,
                                                                 serverName: "RDS01.corp.example.com", keyShare: capture.random.bytes(32))))
        capture.mark("tls_client_hello")

        func sealer(_ secret: [UInt8]) -> TLSRecordSealer { .tls13(trafficSecret: secret, hash: .sha256, keyLength: 16) }
        let channel = SealedChannel(client: sealer(secrets[0]), server: sealer(secrets[1]), keyLog: [
            "CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0",
        ].enumerated().map { "\($0.element) \(hexDigits(clientRandom)) \(hexDigits(secrets[$0.offset]))\n" }.joined())
        channel.clientApplication = sealer(secrets[2])
        channel.serverApplication = sealer(secrets[3])

        capture.wait(path.toServer + 1_450)
        let hello = TLSBuilder.serverHello13(random: capture.random.bytes(32), sessionId: sessionId, cipherSuite: 0x1301,
                                             keyShare: capture.random.bytes(32))
        let encrypted = TLSBuilder.encryptedExtensions() + TLSBuilder.certificate13([ServerCertificateDER.rds01])
            + TLSBuilder.certificateVerify(signature: capture.random.bytes(256)) + TLSBuilder.finished(verifyData: capture.random.bytes(32))
        send(.server, TLSBuilder.record(type: 22, hello) + TLSBuilder.changeCipherSpec() + channel.seal(.server, type: 22, [encrypted]))
        capture.mark("tls_server_hello")
        channel.switchToApplication(.server)

        capture.wait(path.toClient + 600)
        send(.client, TLSBuilder.changeCipherSpec() + channel.seal(.client, type: 22, [TLSBuilder.finished(verifyData: capture.random.bytes(32))]))
        capture.mark("tls_client_finished")
        channel.switchToApplication(.client)
        return channel
    }
}

/// The RDP connection sequence inside a sealed TLS channel [MS-RDPBCGR 1.3.1.1], under
/// PROTOCOL_SSL: no RDP encryption (SC_SECURITY method and level 0), so only the Client Info
/// (SEC_INFO_PKT) and licensing PDUs (SEC_LICENSE_PKT) carry a basic security header.
struct SealedRDP {
    let flow: TCPFlow
    let tls: SealedChannel
    let path: Path
    var capture: SynthCapture { flow.capture }

    func client(_ pdus: [[UInt8]], after wait: Double) {
        capture.wait(wait)
        flow.send(.client, tls.seal(.client, pdus))
    }

    func server(_ pdus: [[UInt8]], after wait: Double) {
        capture.wait(wait)
        flow.send(.server, tls.seal(.server, pdus))
    }

    static func mcs(_ pdu: [UInt8]) -> [UInt8] { RDPBuilder.x224Data(pdu) }

    static func toServer(_ data: [UInt8]) -> [UInt8] {
        mcs(RDPBuilder.sendData(indication: false, initiator: Channels.user, channel: Channels.io, data))
    }

    static func toClient(_ data: [UInt8]) -> [UInt8] {
        mcs(RDPBuilder.sendData(indication: true, initiator: Channels.server, channel: Channels.io, data))
    }

    /// MCS Connect Initial / Response, Erect Domain, Attach User, the channel joins and the
    /// Client Info, mstsc's way (one request in flight at a time).
    func connectionSequence(selectedProtocol: UInt32, requestedProtocols: UInt32, userName: String, clientName: String,
                            clientAddress: String) {
        var core = RDPBuilder.ClientCore()
        core.serverSelectedProtocol = selectedProtocol
        core.clientName = clientName
        let blocks = [core.encoded, RDPBuilder.clientCluster(), RDPBuilder.clientSecurity(),
                      RDPBuilder.clientNetwork(RDPBuilder.Channel.mstscDefault)]
        client([Self.mcs(RDPBuilder.mcsConnectInitial(gccUserData: RDPBuilder.gccConferenceCreateRequest(blocks: blocks)))],
               after: path.toClient + 1_300)
        capture.mark("mcs_connect_initial")
        let serverBlocks = [RDPBuilder.serverCore(clientRequestedProtocols: requestedProtocols),
                            RDPBuilder.serverSecurity(encryptionMethod: 0, encryptionLevel: 0),
                            RDPBuilder.serverNetwork(channelIds: Channels.statics)]
        server([Self.mcs(RDPBuilder.mcsConnectResponse(gccUserData: RDPBuilder.gccConferenceCreateResponse(blocks: serverBlocks)))],
               after: path.toServer + 1_900)
        capture.mark("mcs_connect_response")
        client([Self.mcs(RDPBuilder.erectDomainRequest()), Self.mcs(RDPBuilder.attachUserRequest())], after: path.toClient + 800)
        server([Self.mcs(RDPBuilder.attachUserConfirm(initiator: Channels.user))], after: path.toServer + 200)
        for channel in [Channels.user, Channels.io] + Channels.statics {
            client([Self.mcs(RDPBuilder.channelJoinRequest(initiator: Channels.user, channel: channel))], after: path.toClient + 140)
            server([Self.mcs(RDPBuilder.channelJoinConfirm(initiator: Channels.user, channel: channel))], after: path.toServer + 110)
        }
        var info = RDPBuilder.ClientInfo()
        info.userName = userName
        info.clientAddress = clientAddress
        client([Self.toServer(RDPBuilder.clientInfo(info))], after: path.toClient + 1_000)
        capture.mark("client_info")
    }
}
