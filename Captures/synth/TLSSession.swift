import TestSupport

/// Record sequence numbers of a TLS 1.2 AES-256-GCM session, per direction. The
/// Finished is record 0 after ChangeCipherSpec, so application data starts at 1.
final class TLSChannel {
    var clientSequence: UInt64 = 1
    var serverSequence: UInt64 = 1

    /// Each PDU in its own record (Schannel writes one record per RDP PDU send).
    func records(_ side: Side, _ plaintexts: [[UInt8]], _ capture: SynthCapture) -> [UInt8] {
        var out: [UInt8] = []
        for p in plaintexts {
            if side == .client {
                out += TLSBuilder.applicationData(plaintextLength: p.count, sequence: &clientSequence, random: &capture.random)
            } else {
                out += TLSBuilder.applicationData(plaintextLength: p.count, sequence: &serverSequence, random: &capture.random)
            }
        }
        return out
    }
}

extension TCPFlow {
    /// CR asking for SSL|HYBRID, CC selecting PROTOCOL_SSL (server set to the "SSL" security
    /// layer, NLA not required), and the ClientHello; returns the ClientHello's frame.
    @discardableResult
    func x224AndClientHello(_ path: Path, cookie: String) -> Int {
        capture.wait(110)
        send(.client, RDPBuilder.x224ConnectionRequest(cookie: cookie, requestedProtocols: 0x3))
        capture.mark("x224_cr")
        capture.wait(path.toServer + 280)
        send(.server, RDPBuilder.x224ConnectionConfirm(.response(flags: 0x1F, selectedProtocol: 0x1)))
        capture.mark("x224_cc")
        capture.wait(path.toClient + 450)
        let hello = TLSBuilder.clientHello(random: capture.random.bytes(32), serverName: "RDS01.corp.example.com")
        send(.client, TLSBuilder.record(type: 22, hello))
        capture.mark("tls_client_hello")
        return capture.lastFrame
    }

    /// ServerHello (ECDHE-RSA-AES256-GCM-SHA384) + Certificate + ServerKeyExchange (x25519,
    /// rsa_pkcs1_sha256) + ServerHelloDone in one record, one server round trip plus the
    /// RSA signature's time after the ClientHello.
    func serverHelloFlight(_ path: Path) {
        capture.wait(path.toServer + 1_450)
        let flight = TLSBuilder.serverHello(random: capture.random.bytes(32), sessionId: capture.random.bytes(32))
            + TLSBuilder.certificate([ServerCertificateDER.rds01])
            + TLSBuilder.serverKeyExchangeECDHE(publicPoint: capture.random.bytes(32), signature: capture.random.bytes(256))
            + TLSBuilder.serverHelloDone()
        send(.server, TLSBuilder.record(type: 22, flight))
        capture.mark("tls_server_hello")
    }

    /// The client's ClientKeyExchange + ChangeCipherSpec + Finished in one segment.
    @discardableResult
    func clientFinishedFlight(_ path: Path) -> Int {
        capture.wait(path.toClient + 850)
        let flight = TLSBuilder.record(type: 22, TLSBuilder.clientKeyExchangeECDHE(publicPoint: capture.random.bytes(32)))
            + TLSBuilder.changeCipherSpec() + TLSBuilder.encryptedFinished(random: &capture.random)
        send(.client, flight)
        capture.mark("tls_client_finished")
        return capture.lastFrame
    }

    /// The server's ChangeCipherSpec + Finished.
    func serverFinishedFlight() {
        send(.server, TLSBuilder.changeCipherSpec() + TLSBuilder.encryptedFinished(random: &capture.random))
        capture.mark("tls_server_finished")
    }

    /// A complete, healthy RDP-over-TLS session to the active phase, then the user
    /// disconnects: the PDUs are built for real and sent as TLS records of their size.
    func healthyTLSSession(_ path: Path, cookie: String) {
        handshake(path)
        x224AndClientHello(path, cookie: cookie)
        serverHelloFlight(path)
        clientFinishedFlight(path)
        capture.wait(path.toServer + 350)
        serverFinishedFlight()

        let tls = TLSChannel()
        func client(_ pdus: [[UInt8]], after wait: Double) {
            capture.wait(wait)
            send(.client, tls.records(.client, pdus, capture))
        }
        func server(_ pdus: [[UInt8]], after wait: Double) {
            capture.wait(wait)
            send(.server, tls.records(.server, pdus, capture))
        }
        func mcs(_ pdu: [UInt8]) -> [UInt8] { RDPBuilder.x224Data(pdu) }
        func toServer(_ data: [UInt8]) -> [UInt8] {
            mcs(RDPBuilder.sendData(indication: false, initiator: Channels.user, channel: Channels.io, data))
        }
        func toClient(_ data: [UInt8]) -> [UInt8] {
            mcs(RDPBuilder.sendData(indication: true, initiator: Channels.server, channel: Channels.io, data))
        }

        // MCS Connect Initial / Response (TLS: SC_SECURITY method and level 0).
        let gccRequest = RDPBuilder.gccConferenceCreateRequest(blocks: clientDataBlocks(selectedProtocol: 0x1))
        client([mcs(RDPBuilder.mcsConnectInitial(gccUserData: gccRequest))], after: path.toClient + 1_300)
        capture.mark("mcs_connect_initial")
        let serverBlocks = [RDPBuilder.serverCore(clientRequestedProtocols: 0x3),
                            RDPBuilder.serverSecurity(encryptionMethod: 0, encryptionLevel: 0),
                            RDPBuilder.serverNetwork(channelIds: Channels.statics)]
        server([mcs(RDPBuilder.mcsConnectResponse(gccUserData: RDPBuilder.gccConferenceCreateResponse(blocks: serverBlocks)))],
               after: path.toServer + 1_900)
        capture.mark("mcs_connect_response")
        client([mcs(RDPBuilder.erectDomainRequest()), mcs(RDPBuilder.attachUserRequest())], after: path.toClient + 800)
        server([mcs(RDPBuilder.attachUserConfirm(initiator: Channels.user))], after: path.toServer + 200)
        for channel in [Channels.user, Channels.io] + Channels.statics {
            client([mcs(RDPBuilder.channelJoinRequest(initiator: Channels.user, channel: channel))], after: path.toClient + 140)
            server([mcs(RDPBuilder.channelJoinConfirm(initiator: Channels.user, channel: channel))], after: path.toServer + 110)
        }
        var info = RDPBuilder.ClientInfo()
        info.userName = cookie
        client([toServer(RDPBuilder.clientInfo(info))], after: path.toClient + 1_000)
        capture.mark("client_info")
        // Licensing "valid client" (34 bytes of plaintext), then the Demand Active.
        server([toClient(RDPBuilder.licensingPDU(RDPBuilder.licenseValidClient()))], after: path.toServer + 2_400)
        capture.mark("license_valid_client")
        server([toClient(RDPBuilder.demandActive())], after: 6_500)
        capture.mark("demand_active")
        // Confirm Active, Synchronize, Control (cooperate, request control), Font List.
        let confirm = RDPBuilder.shareControl(type: 0x3, source: Channels.user,
                                              RDPBuilder.le32(RDPBuilder.windowsShareId) + capture.random.bytes(480))
        let sync = RDPBuilder.shareData(pduType2: 0x1F, source: Channels.user, RDPBuilder.le16(1) + RDPBuilder.le16(Channels.server))
        let cooperate = RDPBuilder.shareData(pduType2: 0x14, source: Channels.user, RDPBuilder.le16(4) + [0, 0, 0, 0, 0, 0])
        let requestControl = RDPBuilder.shareData(pduType2: 0x14, source: Channels.user, RDPBuilder.le16(1) + [0, 0, 0, 0, 0, 0])
        let fontList = RDPBuilder.shareData(pduType2: 0x27, source: Channels.user, RDPBuilder.le16(0) + RDPBuilder.le16(0) + RDPBuilder.le16(3) + RDPBuilder.le16(50))
        client([toServer(confirm), toServer(sync), toServer(cooperate), toServer(requestControl), toServer(fontList)],
               after: path.toClient + 2_200)
        capture.mark("confirm_active")
        // Server Synchronize, Control (cooperate, granted), Font Map, then the first screen
        // as fast-path updates (large records; the client ACKs every second segment).
        let sSync = RDPBuilder.shareData(pduType2: 0x1F, source: Channels.server, RDPBuilder.le16(1) + RDPBuilder.le16(Channels.user))
        let sCooperate = RDPBuilder.shareData(pduType2: 0x14, source: Channels.server, RDPBuilder.le16(4) + [0, 0, 0, 0, 0, 0])
        let sGranted = RDPBuilder.shareData(pduType2: 0x14, source: Channels.server, RDPBuilder.le16(2) + RDPBuilder.le16(Channels.user) + [0xEA, 0x03, 0, 0])
        let fontMap = RDPBuilder.shareData(pduType2: 0x28, source: Channels.server, RDPBuilder.le16(0) + RDPBuilder.le16(0) + RDPBuilder.le16(3) + RDPBuilder.le16(4))
        server([toClient(sSync), toClient(sCooperate), toClient(sGranted), toClient(fontMap)], after: path.toServer + 900)
        for size in [3_812, 7_640, 12_018, 2_406] {
            // Fast-path output: the plaintext is opaque here (it is only ever seen encrypted).
            capture.wait(3_500)
            sendAcked(.server, tls.records(.server, [capture.random.bytes(size)], capture), ackDelay: path.toClient)
        }
        capture.mark("server_graphics")
        // Some input (fast-path, ~20 bytes), then the user closes the window: DPUm, close_notify, FIN.
        for _ in 0..<3 {
            client([capture.random.bytes(19)], after: 180_000)
        }
        capture.wait(path.toServer)
        ack(.server)
        client([mcs(RDPBuilder.disconnectProviderUltimatum(reason: 3))], after: 1_600_000)
        capture.wait(120)
        send(.client, TLSBuilder.gcmRecord(type: 21, sequence: tls.clientSequence, plaintextLength: 2, random: &capture.random))
        tls.clientSequence += 1
        capture.wait(60)
        fin(.client)
        capture.mark("client_fin")
        capture.wait(path.toServer + 400)
        fin(.server)
        capture.mark("server_fin")
        capture.wait(path.toClient)
        ack(.client)
    }
}
