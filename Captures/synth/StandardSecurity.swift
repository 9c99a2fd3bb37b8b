import TestSupport

// Captures 1 and 2: Standard RDP Security, so MCS/GCC, the security exchange
// and licensing are in the clear, and a Windows server's licensing error or
// Set Error Info PDU can be read without keys.

/// MCS ids a Windows server hands out with four static channels: its own user
/// id 1002, the I/O channel 1003, the static channels 1004-1007, and the
/// client's user channel next (1008).
enum Channels {
    static let server = 1002
    static let io = 1003
    static let statics = [1004, 1005, 1006, 1007]
    static let user = 1008
}

extension TCPFlow {
    /// SYN, SYN-ACK one server round trip later, the client's ACK.
    func handshake(_ path: Path) {
        syn()
        capture.mark("syn")
        capture.wait(path.toServer)
        synAck()
        capture.mark("syn_ack")
        capture.wait(path.toClient + 30)
        ack(.client)
    }

    /// An MCS PDU from the client (Send Data Request etc.) in X.224 Data + TPKT.
    @discardableResult
    func clientMCS(_ mcs: [UInt8]) -> [Int] { send(.client, RDPBuilder.x224Data(mcs)) }

    @discardableResult
    func serverMCS(_ mcs: [UInt8]) -> [Int] { send(.server, RDPBuilder.x224Data(mcs)) }

    /// Erect Domain, Attach User, and one Channel Join round trip per channel (user channel,
    /// I/O channel, static channels) as mstsc does them, one request in flight at a time.
    func domainAndChannels(_ path: Path) {
        capture.wait(path.toClient + 900)
        clientMCS(RDPBuilder.erectDomainRequest())
        capture.wait(40)
        clientMCS(RDPBuilder.attachUserRequest())
        capture.wait(path.toServer + 250)
        serverMCS(RDPBuilder.attachUserConfirm(initiator: Channels.user))
        for channel in [Channels.user, Channels.io] + Channels.statics {
            capture.wait(path.toClient + 150)
            clientMCS(RDPBuilder.channelJoinRequest(initiator: Channels.user, channel: channel))
            capture.wait(path.toServer + 120)
            serverMCS(RDPBuilder.channelJoinConfirm(initiator: Channels.user, channel: channel))
        }
    }
}

/// Client data blocks of an mstsc Connect Initial.
func clientDataBlocks(selectedProtocol: UInt32, encryptionMethods: UInt32 = 0x1B) -> [[UInt8]] {
    var core = RDPBuilder.ClientCore()
    core.serverSelectedProtocol = selectedProtocol
    return [core.encoded, RDPBuilder.clientCluster(), RDPBuilder.clientSecurity(encryptionMethods: encryptionMethods),
            RDPBuilder.clientNetwork(RDPBuilder.Channel.mstscDefault)]
}

/// A proprietary server certificate with a 2048-bit RSA key (modulus little-endian, top bit set).
func proprietaryCertificate(_ capture: SynthCapture) -> [UInt8] {
    var modulus = capture.random.bytes(256)
    modulus[255] |= 0x80
    modulus[0] |= 0x01
    return RDPBuilder.proprietaryCertificate(modulus: modulus, signature: capture.random.bytes(64))
}

/// 1. Standard RDP Security at 128-bit RC4 / CLIENT_COMPATIBLE; the server's licensing
/// ends with ERR_NO_LICENSE_SERVER + ST_TOTAL_ABORT (no RD license server reachable once
/// the grace period is over), then DPUm and the server's FIN.
func licensingNoLicenseServer() -> SynthCapture {
    let cap = SynthCapture(name: "synth-win-licensing-no-license-server", start: Clock.at(hour: 9, minute: 14, second: 5, microsecond: 100_000),
                           seed: 0x5EED_0001)
    let path = Path.midPath
    let client = Site.windows("192.168.10.57", routers: 1, firstIPID: Site.clientFirstIPID, mac: Site.clientSideMAC)
    let server = Site.windows(Site.serverAddress, routers: 1, firstIPID: Site.serverFirstIPID, mac: Site.serverSideMAC)
    let flow = TCPFlow(cap, client: client, clientPort: 51234, server: server, clientISN: 0x8C2A_11F3, serverISN: 0x1D4E_7A02)

    flow.handshake(path)
    cap.wait(120)
    flow.send(.client, RDPBuilder.x224ConnectionRequest(cookie: "jsmith", requestedProtocols: 0))
    cap.mark("x224_cr")
    cap.wait(path.toServer + 310)
    flow.send(.server, RDPBuilder.x224ConnectionConfirm(.response(flags: 0x1F, selectedProtocol: 0)))
    cap.mark("x224_cc")

    cap.wait(path.toClient + 700)
    let gccRequest = RDPBuilder.gccConferenceCreateRequest(blocks: clientDataBlocks(selectedProtocol: 0))
    flow.clientMCS(RDPBuilder.mcsConnectInitial(gccUserData: gccRequest))
    cap.mark("mcs_connect_initial")
    cap.wait(path.toServer + 2_100)
    let certificate = proprietaryCertificate(cap)
    let serverBlocks = [
        RDPBuilder.serverCore(clientRequestedProtocols: 0),
        // ENCRYPTION_METHOD_128BIT (0x2), ENCRYPTION_LEVEL_CLIENT_COMPATIBLE (2).
        RDPBuilder.serverSecurity(encryptionMethod: 0x02, encryptionLevel: 2, serverRandom: cap.random.bytes(32), certificate: certificate),
        RDPBuilder.serverNetwork(channelIds: Channels.statics),
    ]
    flow.serverMCS(RDPBuilder.mcsConnectResponse(gccUserData: RDPBuilder.gccConferenceCreateResponse(blocks: serverBlocks)))
    cap.mark("mcs_connect_response")

    flow.domainAndChannels(path)

    // Security Exchange (client random under the server's 2048-bit key) and the encrypted Client Info.
    cap.wait(path.toClient + 1_400)
    flow.clientMCS(RDPBuilder.sendData(indication: false, initiator: Channels.user, channel: Channels.io,
                                       RDPBuilder.securityExchange(encryptedRandom: cap.random.bytes(256))))
    cap.mark("security_exchange")
    cap.wait(60)
    let info = RDPBuilder.ClientInfo().encoded
    flow.clientMCS(RDPBuilder.sendData(indication: false, initiator: Channels.user, channel: Channels.io,
                                       RDPBuilder.encrypted(flags: 0x0040, signature: cap.random.bytes(8), ciphertext: cap.random.bytes(info.count))))
    cap.mark("client_info")

    // Licensing, in the clear.
    cap.wait(path.toServer + 3_200)
    let request = RDPBuilder.serverLicenseRequest(serverRandom: cap.random.bytes(32), certificate: certificate)
    flow.serverMCS(RDPBuilder.sendData(indication: true, initiator: Channels.server, channel: Channels.io, RDPBuilder.licensingPDU(request)))
    cap.mark("license_request")
    cap.wait(path.toClient + 1_150)
    let newLicense = RDPBuilder.clientNewLicenseRequest(clientRandom: cap.random.bytes(32), encryptedPreMasterSecret: cap.random.bytes(256),
                                                        userName: "jsmith", machineName: "WS-CLIENT07")
    flow.clientMCS(RDPBuilder.sendData(indication: false, initiator: Channels.user, channel: Channels.io, RDPBuilder.licensingPDU(newLicense)))
    cap.mark("new_license_request")
    // The server looks for a license server (none answers); its delayed ACK (200 ms) goes first.
    cap.wait(path.toServer / 2 + 200_000 + path.toServer / 2)
    flow.ack(.server)
    cap.wait(148_000)
    let alert = RDPBuilder.licenseErrorAlert(errorCode: 0x06, stateTransition: 0x01)  // ERR_NO_LICENSE_SERVER, ST_TOTAL_ABORT
    flow.serverMCS(RDPBuilder.sendData(indication: true, initiator: Channels.server, channel: Channels.io, RDPBuilder.licensingPDU(alert)))
    cap.mark("license_error_alert")
    cap.wait(180)
    flow.serverMCS(RDPBuilder.disconnectProviderUltimatum(reason: 3))
    cap.mark("dpum")
    cap.wait(90)
    flow.fin(.server)
    cap.mark("server_fin")
    cap.wait(path.toClient)
    flow.ack(.client)
    cap.wait(4_800)
    flow.fin(.client)
    cap.mark("client_fin")
    cap.wait(path.toServer)
    flow.ack(.server)
    return cap
}

/// 2. Standard RDP Security at encryption level NONE (no security header after the
/// connection phase), licensing ends normally with STATUS_VALID_CLIENT, then the server
/// sends a Set Error Info PDU with ERRINFO_SERVER_DENIED_CONNECTION (0x7), DPUm and FIN.
func setErrorInfoDenied() -> SynthCapture {
    let cap = SynthCapture(name: "synth-win-set-error-info-denied", start: Clock.at(hour: 9, minute: 31, second: 42, microsecond: 250_000),
                           seed: 0x5EED_0002)
    let path = Path.midPath
    let client = Site.windows("192.168.10.61", routers: 1, firstIPID: 0x1C44, mac: Site.clientSideMAC)
    let server = Site.windows(Site.serverAddress, routers: 1, firstIPID: Site.serverFirstIPID, mac: Site.serverSideMAC)
    let flow = TCPFlow(cap, client: client, clientPort: 50877, server: server, clientISN: 0x43F1_0C9D, serverISN: 0xB702_5E18)

    flow.handshake(path)
    cap.wait(120)
    // "negotiate security layer:i:0": no RDP_NEG_REQ; the server answers with the legacy CC.
    flow.send(.client, RDPBuilder.x224ConnectionRequest(cookie: "akowalski", requestedProtocols: nil))
    cap.mark("x224_cr")
    cap.wait(path.toServer + 290)
    flow.send(.server, RDPBuilder.x224ConnectionConfirm(.legacy))
    cap.mark("x224_cc")

    cap.wait(path.toClient + 650)
    var core = RDPBuilder.ClientCore()
    core.clientName = "WS-CLIENT11"
    let blocks = [core.encoded, RDPBuilder.clientCluster(), RDPBuilder.clientSecurity(),
                  RDPBuilder.clientNetwork(RDPBuilder.Channel.mstscDefault)]
    flow.clientMCS(RDPBuilder.mcsConnectInitial(gccUserData: RDPBuilder.gccConferenceCreateRequest(blocks: blocks)))
    cap.mark("mcs_connect_initial")
    cap.wait(path.toServer + 1_800)
    let serverBlocks = [
        RDPBuilder.serverCore(clientRequestedProtocols: 0),
        // ENCRYPTION_METHOD_NONE, ENCRYPTION_LEVEL_NONE: no random, no certificate.
        RDPBuilder.serverSecurity(encryptionMethod: 0, encryptionLevel: 0),
        RDPBuilder.serverNetwork(channelIds: Channels.statics),
    ]
    flow.serverMCS(RDPBuilder.mcsConnectResponse(gccUserData: RDPBuilder.gccConferenceCreateResponse(blocks: serverBlocks)))
    cap.mark("mcs_connect_response")

    flow.domainAndChannels(path)

    // No Security Exchange without encryption; the Client Info goes in the clear.
    cap.wait(path.toClient + 1_100)
    var info = RDPBuilder.ClientInfo()
    info.userName = "akowalski"
    info.clientAddress = "192.168.10.61"
    flow.clientMCS(RDPBuilder.sendData(indication: false, initiator: Channels.user, channel: Channels.io, RDPBuilder.clientInfo(info)))
    cap.mark("client_info")

    cap.wait(path.toServer + 2_600)
    flow.serverMCS(RDPBuilder.sendData(indication: true, initiator: Channels.server, channel: Channels.io,
                                       RDPBuilder.licensingPDU(RDPBuilder.licenseValidClient())))
    cap.mark("license_valid_client")
    // Instead of the Demand Active, the Set Error Info PDU: a bare share data PDU (level NONE).
    cap.wait(4_300)
    flow.serverMCS(RDPBuilder.sendData(indication: true, initiator: Channels.server, channel: Channels.io,
                                       RDPBuilder.setErrorInfo(0x0000_0007)))
    cap.mark("set_error_info")
    cap.wait(210)
    flow.serverMCS(RDPBuilder.disconnectProviderUltimatum(reason: 3))
    cap.mark("dpum")
    cap.wait(80)
    flow.fin(.server)
    cap.mark("server_fin")
    cap.wait(path.toClient)
    flow.ack(.client)
    cap.wait(3_900)
    flow.fin(.client)
    cap.mark("client_fin")
    cap.wait(path.toServer)
    flow.ack(.server)
    return cap
}
