import TestSupport

// Captures 3-6: resets from a Windows server's stack (TTL 127 at the capture
// point, one global IP ID counting up) and resets forged in its name by
// in-path devices (their own TTL, IP ID 0, too early for the server's RTT).

/// 3. Wireshark on the client. TLS 1.2 to the server; an inline IPS (a Linux box,
/// initial TTL 64, bridged one router away from the client) forges a RST+ACK to the
/// client 200 µs after the client's key exchange / Finished, while the real server is
/// 20 ms away; the server's real ChangeCipherSpec + Finished still arrive 20 ms after the
/// client's flight, and the client's kernel, whose socket is gone, answers them with RST.
func forgedResetByIPS() -> SynthCapture {
    let cap = SynthCapture(name: "synth-win-forged-reset-ips", start: Clock.at(hour: 10, minute: 2, second: 17, microsecond: 480_000),
                           seed: 0x5EED_0003)
    let path = Path.onClient
    // Captured on the client: its own packets leave with TTL 128; the server's cross one router.
    let client = Site.windows("10.1.40.23", routers: 0, firstIPID: 0x51A7, mac: FrameBuilder.clientMAC)
    let server = Site.windows(Site.serverAddress, routers: 1, firstIPID: Site.serverFirstIPID, mac: Site.serverSideMAC)
    let flow = TCPFlow(cap, client: client, clientPort: 62011, server: server, clientISN: 0x2B7C_90E4, serverISN: 0x9A01_3D77)

    flow.handshake(path)
    flow.x224AndClientHello(path, cookie: "mlee")
    flow.serverHelloFlight(path)
    flow.clientFinishedFlight(path)
    // The forged reset: exact sequence number (the IPS saw the server's last byte), ACK of
    // everything the client sent, window 0, no options, TTL 63, IP ID 0 (Linux style), DF.
    cap.wait(200)
    flow.segment(.server, flags: [.rst, .ack], window: 0, ttl: 63, ipID: 0)
    cap.mark("forged_rst")
    // The real server, one RTT after the client's flight: race.
    cap.wait(path.toServer - 200 + 310)
    flow.serverFinishedFlight()
    // The client's kernel: no connection any more, RST with seq = the segment's ACK, no ACK flag.
    cap.wait(path.toClient)
    flow.segment(.client, flags: .rst, window: 0)
    cap.mark("client_rst")
    return cap
}

/// 4. The control case for 3, same vantage and server: the real server resets right
/// after the ClientHello (Windows aborts the connection: e.g. Schannel cannot use its
/// certificate's private key), one server RTT later, with TTL 127 and its next IP ID.
func genuineResetByServer() -> SynthCapture {
    let cap = SynthCapture(name: "synth-win-genuine-reset-server", start: Clock.at(hour: 10, minute: 20, second: 3, microsecond: 730_000),
                           seed: 0x5EED_0004)
    let path = Path.onClient
    let client = Site.windows("10.1.40.23", routers: 0, firstIPID: 0x5B02, mac: FrameBuilder.clientMAC)
    let server = Site.windows(Site.serverAddress, routers: 1, firstIPID: Site.serverFirstIPID, mac: Site.serverSideMAC)
    let flow = TCPFlow(cap, client: client, clientPort: 62140, server: server, clientISN: 0x7E55_0A31, serverISN: 0x0C9D_44E0)

    flow.handshake(path)
    flow.x224AndClientHello(path, cookie: "mlee")
    cap.wait(path.toServer + 320)
    flow.rst(.server)
    cap.mark("server_rst")
    return cap
}

/// 5. A healthy session to the active phase (baseline: the server's TTL 127 and IP ID
/// run), then a second connection whose SYN a firewall appliance (initial TTL 255, one
/// router before the capture point) answers with RST+ACK 300 µs later: TTL 254, IP ID 0,
/// no DF.
func resetAtSYNByFirewall() -> SynthCapture {
    let cap = SynthCapture(name: "synth-win-rst-at-syn-firewall", start: Clock.at(hour: 11, minute: 5, second: 30, microsecond: 20_000),
                           seed: 0x5EED_0005)
    let path = Path.midPath
    let client = Site.windows("192.168.10.57", routers: 1, firstIPID: 0x4410, mac: Site.clientSideMAC)
    let server = Site.windows(Site.serverAddress, routers: 1, firstIPID: Site.serverFirstIPID, mac: Site.serverSideMAC)

    let first = TCPFlow(cap, client: client, clientPort: 52740, server: server, clientISN: 0x11A3_5F20, serverISN: 0xC40B_2291)
    first.healthyTLSSession(path, cookie: "jsmith")

    // A few seconds later the firewall policy blocks tcp/3389 for this client.
    cap.wait(6_200_000)
    let second = TCPFlow(cap, client: client, clientPort: 52761, server: server, clientISN: 0x6F0E_8B42, serverISN: 0)
    second.syn()
    cap.mark("blocked_syn")
    cap.wait(300)
    second.segment(.server, flags: [.rst, .ack], seq: 0, ack: second.clientISN &+ 1, window: 0, ttl: 254, ipID: 0, dontFragment: false)
    cap.mark("firewall_rst")
    return cap
}

/// 6. A healthy session, then the RDP service is stopped: the next connection's SYN gets
/// the server's own RST+ACK (TTL 127, the next IP IDs of the same counter, one server RTT
/// later); mstsc tries twice more on new ports, with the same answer.
func portClosed() -> SynthCapture {
    let cap = SynthCapture(name: "synth-win-port-closed", start: Clock.at(hour: 11, minute: 48, second: 12, microsecond: 600_000),
                           seed: 0x5EED_0006)
    let path = Path.midPath
    let client = Site.windows("192.168.10.57", routers: 1, firstIPID: 0x7C31, mac: Site.clientSideMAC)
    let server = Site.windows(Site.serverAddress, routers: 1, firstIPID: Site.serverFirstIPID, mac: Site.serverSideMAC)

    let first = TCPFlow(cap, client: client, clientPort: 53310, server: server, clientISN: 0x3D29_7C05, serverISN: 0x8811_6AF3)
    first.healthyTLSSession(path, cookie: "jsmith")

    // The service is stopped (Remote Desktop Services restarted by an admin); 28 s later:
    cap.wait(28_000_000)
    let attempts: [(UInt16, UInt32)] = [(53344, 0xA140_33D9), (53345, 0x1F6B_C802), (53347, 0x5530_E17A)]
    for (i, (port, isn)) in attempts.enumerated() {
        if i > 0 { cap.wait(500_000) }
        let flow = TCPFlow(cap, client: client, clientPort: port, server: server, clientISN: isn, serverISN: 0)
        flow.syn()
        cap.mark("closed_syn_\(i + 1)")
        cap.wait(path.toServer + 90)
        // Windows' RST for a closed port: seq 0, ACK of the SYN, window 0, no options.
        flow.segment(.server, flags: [.rst, .ack], seq: 0, ack: isn &+ 1, window: 0)
        cap.mark("server_rst_\(i + 1)")
    }
    return cap
}
