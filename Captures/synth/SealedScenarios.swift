import TestSupport

// Captures 7-9: the Windows-only failures of captures 1 and 2, and an NLA
// logon failure with a TSRequest errorCode, inside really encrypted TLS, each
// with its key log (NAME.keys). Without the keys rdpdiag can only infer the
// stages from record sizes; with them it reads every PDU.

/// Fixed secrets: 48- or 32-byte values from their own generator, independent of the
/// capture's pseudo-random bytes, so the key log never depends on the order of the scenario.
enum FixedSecrets {
    static func bytes(_ seed: UInt64, _ count: Int) -> [UInt8] {
        var r = SplitMix64(seed: seed)
        return r.bytes(count)
    }

    static let licensingMaster = bytes(0x4B45_5953_0007, 48)
    static let deniedTLS13 = (0..<4).map { bytes(0x4B45_5953_0800 + UInt64($0), 32) }
    static let nlaMaster = bytes(0x4B45_5953_0009, 48)
}

/// 7. The licensing failure of capture 1 inside TLS 1.2: mstsc asks for SSL|HYBRID, the server
/// (security layer "SSL", NLA not required) selects PROTOCOL_SSL; after the connection
/// sequence the server's LICENSE_REQUEST, the client's NEW_LICENSE_REQUEST, then licensing
/// ERROR_ALERT ERR_NO_LICENSE_SERVER / ST_TOTAL_ABORT, DPUm and the server's FIN.
func tls12LicensingNoLicenseServer() -> SynthCapture {
    let cap = SynthCapture(name: "synth-win-tls12-licensing-no-license-server",
                           start: Clock.at(hour: 11, minute: 5, second: 12, microsecond: 340_000), seed: 0x5EED_0007)
    let path = Path.midPath
    let client = Site.windows("192.168.10.57", routers: 1, firstIPID: 0x3C02, mac: Site.clientSideMAC)
    let server = Site.windows(Site.serverAddress, routers: 1, firstIPID: 0x7014, mac: Site.serverSideMAC)
    let flow = TCPFlow(cap, client: client, clientPort: 51602, server: server, clientISN: 0x61D0_3A27, serverISN: 0xE40B_9C51)

    flow.handshake(path)
    flow.x224(path, cookie: "jsmith", requested: 0x3, selected: 0x1)
    let tls = flow.sealedTLS12Handshake(path, masterSecret: FixedSecrets.licensingMaster)
    cap.keyLog = tls.keyLog
    let rdp = SealedRDP(flow: flow, tls: tls, path: path)
    rdp.connectionSequence(selectedProtocol: 0x1, requestedProtocols: 0x3, userName: "jsmith", clientName: "WS-CLIENT07",
                           clientAddress: "192.168.10.57")

    // Licensing: the server's certificate in the License Request is its proprietary one
    // (there is no SC_SECURITY certificate under TLS).
    let request = RDPBuilder.serverLicenseRequest(serverRandom: cap.random.bytes(32), certificate: proprietaryCertificate(cap))
    rdp.server([SealedRDP.toClient(RDPBuilder.licensingPDU(request))], after: path.toServer + 3_200)
    cap.mark("license_request")
    let newLicense = RDPBuilder.clientNewLicenseRequest(clientRandom: cap.random.bytes(32), encryptedPreMasterSecret: cap.random.bytes(256),
                                                        userName: "jsmith", machineName: "WS-CLIENT07")
    rdp.client([SealedRDP.toServer(RDPBuilder.licensingPDU(newLicense))], after: path.toClient + 1_150)
    cap.mark("new_license_request")
    // The server looks for a license server (none answers); its delayed ACK (200 ms) goes first.
    cap.wait(path.toServer + 200_000)
    flow.ack(.server)
    let alert = RDPBuilder.licenseErrorAlert(errorCode: 0x06, stateTransition: 0x01)  // ERR_NO_LICENSE_SERVER, ST_TOTAL_ABORT
    rdp.server([SealedRDP.toClient(RDPBuilder.licensingPDU(alert))], after: 148_000)
    cap.mark("license_error_alert")
    rdp.server([SealedRDP.mcs(RDPBuilder.disconnectProviderUltimatum(reason: 3))], after: 180)
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

/// 8. The denial of capture 2 inside TLS 1.3 (TLS_AES_128_GCM_SHA256): the connection sequence,
/// licensing ends normally ("valid client"), then instead of the Demand Active the Set Error
/// Info PDU ERRINFO_SERVER_DENIED_CONNECTION (0x7), DPUm and the server's FIN.
func tls13SetErrorInfoDenied() -> SynthCapture {
    let cap = SynthCapture(name: "synth-win-tls13-set-error-info-denied",
                           start: Clock.at(hour: 11, minute: 22, second: 48, microsecond: 610_000), seed: 0x5EED_0008)
    let path = Path.midPath
    let client = Site.windows("192.168.10.61", routers: 1, firstIPID: 0x1F3A, mac: Site.clientSideMAC)
    let server = Site.windows(Site.serverAddress, routers: 1, firstIPID: 0x7129, mac: Site.serverSideMAC)
    let flow = TCPFlow(cap, client: client, clientPort: 50911, server: server, clientISN: 0x0A9E_47C3, serverISN: 0x5B31_D08E)

    flow.handshake(path)
    flow.x224(path, cookie: "akowalski", requested: 0x3, selected: 0x1)
    let tls = flow.sealedTLS13Handshake(path, secrets: FixedSecrets.deniedTLS13)
    cap.keyLog = tls.keyLog
    let rdp = SealedRDP(flow: flow, tls: tls, path: path)
    rdp.connectionSequence(selectedProtocol: 0x1, requestedProtocols: 0x3, userName: "akowalski", clientName: "WS-CLIENT11",
                           clientAddress: "192.168.10.61")
    rdp.server([SealedRDP.toClient(RDPBuilder.licensingPDU(RDPBuilder.licenseValidClient()))], after: path.toServer + 2_600)
    cap.mark("license_valid_client")
    // Under TLS the Set Error Info PDU has no security header: a bare share data PDU.
    rdp.server([SealedRDP.toClient(RDPBuilder.setErrorInfo(0x0000_0007))], after: 4_300)
    cap.mark("set_error_info")
    rdp.server([SealedRDP.mcs(RDPBuilder.disconnectProviderUltimatum(reason: 3))], after: 210)
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

/// 9. NLA with a wrong password: the server (NLA required) selects PROTOCOL_HYBRID; inside
/// TLS 1.2 the CredSSP exchange [MS-CSSP 3.1.5]: TSRequest v6 with NTLM NEGOTIATE, the
/// server's CHALLENGE, the client's AUTHENTICATE + pubKeyAuth + clientNonce; the domain
/// controller refuses the logon and the server answers with a TSRequest whose errorCode is
/// STATUS_LOGON_FAILURE (0xC000006D), then close_notify and FIN.
func tls12NLALogonFailure() -> SynthCapture {
    let cap = SynthCapture(name: "synth-win-tls12-nla-logon-failure",
                           start: Clock.at(hour: 11, minute: 40, second: 3, microsecond: 75_000), seed: 0x5EED_0009)
    let path = Path.midPath
    let client = Site.windows("192.168.10.73", routers: 1, firstIPID: 0x26B8, mac: Site.clientSideMAC)
    let server = Site.windows(Site.serverAddress, routers: 1, firstIPID: 0x7302, mac: Site.serverSideMAC)
    let flow = TCPFlow(cap, client: client, clientPort: 52218, server: server, clientISN: 0x3E77_1B09, serverISN: 0xA1C4_6F35)

    flow.handshake(path)
    flow.x224(path, cookie: "pnovak", requested: 0x3, selected: 0x2)
    let tls = flow.sealedTLS12Handshake(path, masterSecret: FixedSecrets.nlaMaster)
    cap.keyLog = tls.keyLog
    let rdp = SealedRDP(flow: flow, tls: tls, path: path)

    // 2026-11-26T11:40:03Z as a FILETIME (100 ns since 1601-01-01).
    let filetime = UInt64(Clock.day + 11 * 3600 + 40 * 60 + 3 + 11_644_473_600) * 10_000_000
    rdp.client([CredSSPBuilder.tsRequest(negoToken: CredSSPBuilder.ntlmNegotiate())], after: path.toClient + 900)
    cap.mark("credssp_negotiate")
    let challenge = CredSSPBuilder.ntlmChallenge(serverChallenge: cap.random.bytes(8), timestamp: filetime)
    rdp.server([CredSSPBuilder.tsRequest(negoToken: challenge)], after: path.toServer + 1_200)
    cap.mark("credssp_challenge")
    // The AUTHENTICATE with the pubKeyAuth (v5+: the SHA-256 binding hash sealed by NTLM: an
    // NTLMSSP_MESSAGE_SIGNATURE [MS-NLMP 2.2.2.9.1] of version 1, checksum and SeqNum 0, then
    // the 32 encrypted bytes) and the 32-byte clientNonce it was computed with.
    let authenticate = CredSSPBuilder.ntlmAuthenticate(
        ntProof: cap.random.bytes(16), clientChallenge: cap.random.bytes(8), timestamp: filetime,
        serverTargetInfo: CredSSPBuilder.targetInfo(ofChallenge: challenge), domain: "CORP", user: "pnovak",
        workstation: "WS-CLIENT19", sessionKey: cap.random.bytes(16), mic: cap.random.bytes(16))
    rdp.client([CredSSPBuilder.tsRequest(negoToken: authenticate, pubKeyAuth: RDPBuilder.le32(1) + cap.random.bytes(8) + RDPBuilder.le32(0) + cap.random.bytes(32), clientNonce: cap.random.bytes(32))],
               after: path.toClient + 1_700)
    cap.mark("credssp_authenticate")
    // The server asks its domain controller (a few ms), which refuses the password.
    rdp.server([CredSSPBuilder.tsRequest(errorCode: 0xC000_006D)], after: path.toServer + 6_800)
    cap.mark("credssp_error")
    // close_notify (warning), then FIN; mstsc closes its side in turn.
    cap.wait(160)
    flow.send(.server, tls.seal(.server, type: 21, [TLSBuilder.alert(level: 1, description: 0)]))
    cap.mark("server_close_notify")
    cap.wait(40)
    flow.fin(.server)
    cap.mark("server_fin")
    cap.wait(path.toClient)
    flow.ack(.client)
    cap.wait(2_700)
    flow.fin(.client)
    cap.mark("client_fin")
    cap.wait(path.toServer)
    flow.ack(.server)
    return cap
}
