#!/usr/bin/env python3
"""ground_truth.py - write Captures/record/ground-truth.json from the captures.

What was injected, and so what rdpdiag must conclude, is known only to the
person who ran the scenario: it is written down here, per capture, in
EXPECTED (scenario, how it was made, and per connection cause / side /
reached / notes, in DESIGN.md's vocabulary).  The key frames are not typed
in by hand: they are read back from each capture with tshark (and its .keys
file where there is one), so after re-recording a scenario the frame
numbers in ground-truth.json are refreshed by running this script again:

    python3 Captures/record/tools/ground_truth.py            # write the JSON
    python3 Captures/record/tools/ground_truth.py --check    # only compare
    python3 Captures/record/tools/ground_truth.py --captures /tmp/out   # check a fresh recording

--check fails when a capture is missing, when its number of RDP connections
differs from what EXPECTED lists, or when an expected ending packet (RST,
FIN, alert, ICMP, negotiation failure) is not there.

Frame numbers are 1-based as Wireshark shows them.  "from" is client or
server as seen in the TCP tuple (a forged RST "from" the server says so; its
TTL / IP ID tell it apart).
"""
import argparse
import json
import os
import subprocess
import sys
from collections import OrderedDict

HERE = os.path.dirname(os.path.abspath(__file__))
CAPTURES = os.path.normpath(os.path.join(HERE, "..", ".."))
OUT = os.path.normpath(os.path.join(HERE, "..", "ground-truth.json"))

GW = "rdc-gw tcpdump on g1 (the gateway's uplink towards fw and server), Ethernet"


def conn(cause, side, reached, notes="", **extra):
    d = OrderedDict(cause=cause, side=side, reached=reached)
    if notes:
        d["notes"] = notes
    d.update(extra)
    return d


OK_XRDP = conn("ok", "none", "active",
               "Client killed by the rig (SIGKILL) ~4 s after start, well after the active phase: its "
               "kernel sends FIN; xrdp then answers with a fatal TLS alert decode_error (or, with "
               "Standard RDP Security, its own FIN) and the client kernel RSTs. The end is not the "
               "verdict: the connection reached active.")

# Per capture: scenario, made (script + scenario), vantage, connections, notes.
EXPECTED = OrderedDict([
    ("xrdp-tls-success", dict(
        scenario="Successful RDP over TLS 1.3 (xrdp security_layer=tls, xfreerdp /sec:tls /cert:ignore).",
        connections=[OK_XRDP])),
    ("xrdp-tls12-trusted-cert-success", dict(
        scenario="Successful RDP over TLS 1.2 (certificate in the clear), certificate from a CA the client "
                 "trusts, valid dates, name matches: accepted without /cert:ignore and without a prompt.",
        connections=[OK_XRDP])),
    ("xrdp-rdp-security-fips-success", dict(
        scenario="Successful RDP with Standard RDP Security (no TLS): xrdp security_layer=rdp crypt_level=fips, "
                 "xfreerdp /sec:rdp. MCS Connect Initial/Response (GCC), Security Exchange, Client Info and "
                 "licensing travel in the clear (RDP-level FIPS encryption of the payloads).",
        connections=[conn("ok", "none", "active",
                          "FreeRDP /sec:rdp sends an X.224 CR with a cookie and NO RDP_NEG_REQ; xrdp's CC has no "
                          "RDP_NEG_RSP either (legacy form = Standard RDP Security). ServerData shows encryption "
                          "method FIPS. Licensing: xrdp answers the client's New License Request with a licensing "
                          "Error Alert carrying STATUS_VALID_CLIENT (the normal 'no license needed' message). "
                          "Client killed after ~4 s: client FIN, server FIN.")])),
    ("xrdp-tls-success-ipv6", dict(
        scenario="xrdp-tls-success over IPv6 (fd77:1::2 -> fd77:3::2).",
        connections=[OK_XRDP])),
    ("xrdp-tls-success-sll2", dict(
        scenario="xrdp-tls-success captured with tcpdump -i any (Linux cooked capture v2).",
        vantage="rdc-gw tcpdump -i any: LINKTYPE_LINUX_SLL2. On a router -i any sees every packet twice: "
                "arriving on one interface (sll.pkttype 0, TTL as received) and leaving on the other "
                "(sll.pkttype 4 outgoing, TTL one lower). Wireshark flags the copies as retransmissions / dup ACKs.",
        connections=[conn("ok", "none", "active",
                          "One TCP connection; every packet appears twice (in on g0/g1, out on the other). "
                          "An analyzer must not count the copies as retransmissions or as a second flow.")])),
    ("xrdp-tls-success-vlan", dict(
        scenario="xrdp-tls-success captured on an 802.1Q trunk (VLAN 100).",
        vantage="rdc-gw tcpdump on the trunk port gt (filter 'vlan and tcp'): every frame carries one 802.1Q "
                "tag, VID 100. Tags are added/removed by tools/vlan_tagger.py (the kernel has no 8021q module).",
        connections=[OK_XRDP])),
    ("xrdp-tls-success-qinq", dict(
        scenario="xrdp-tls-success captured on a QinQ trunk: 802.1ad S-tag VID 200 outside 802.1Q C-tag VID 100.",
        vantage="rdc-gw tcpdump on the trunk port gt (filter 'vlan and vlan and tcp'): TPID 0x88a8 VID 200, "
                "then TPID 0x8100 VID 100. Largest frames are 1522 bytes.",
        connections=[OK_XRDP])),
    ("shadow-nla-success", dict(
        scenario="Successful RDP with NLA (CredSSP/NTLM): freerdp-shadow-cli /sec:nla with a SAM file, "
                 "xfreerdp /sec:nla with the right password.",
        connections=[conn("ok", "none", "active",
                          "requestedProtocols 0x3, selected HYBRID (0x2). TLS 1.3, then TSRequests with "
                          "NTLMSSP NEGOTIATE / CHALLENGE / AUTHENTICATE, then the pubKeyAuth and credentials "
                          "TSRequests, then MCS. FreeRDP's server does all channel joins at once (no 100 ms "
                          "spacing as against xrdp). Decrypt with the .keys file to see the CredSSP stage.")])),
    ("xrdp-cert-expired-client-ignores", dict(
        scenario="Server certificate (from the trusted rig CA) expired on 2024-01-31; TLS 1.2 so it is visible; "
                 "client /cert:ignore continues.",
        connections=[conn("ok", "none", "active",
                          "The expired certificate (notBefore 2024-01-01, notAfter 2024-01-31, capture taken "
                          "later) must be a warning finding, not the verdict.")])),
    ("xrdp-neg-failure-ssl-required", dict(
        scenario="Security-layer mismatch: xrdp security_layer=tls; the client (tools/negclient.py) offers only "
                 "Standard RDP Security (RDP_NEG_REQ requestedProtocols=0).",
        connections=[conn("negotiation_failure", "server", "x224_confirm",
                          "xrdp sends RDP_NEG_FAILURE failureCode 0x1 SSL_REQUIRED_BY_SERVER, then an MCS "
                          "Disconnect Provider Ultimatum (03 00 00 09 02 f0 80 21 80) and FIN. Windows sends the "
                          "failure and closes; the DPUm is xrdp's own addition.")])),
    ("xrdp-neg-rdp-only-server-vs-tls-client", dict(
        scenario="Security-layer mismatch the xrdp way: xrdp security_layer=rdp (Standard RDP Security only), "
                 "xfreerdp /sec:tls offers only PROTOCOL_SSL.",
        connections=[conn("negotiation_failure", "server", "x224_confirm",
                          "xrdp does NOT send RDP_NEG_FAILURE SSL_NOT_ALLOWED_BY_SERVER as Windows would: it "
                          "answers RDP_NEG_RSP with selectedProtocol 0 (PROTOCOL_RDP), a protocol the client "
                          "never offered (requestedProtocols 0x1). FreeRDP then closes at once (client FIN ~0.1 ms "
                          "after the CC), server FIN follows. The fault is the server's configuration; a literal "
                          "reading of the close alone would say client_closed at x224_confirm.",
                          alternative=dict(cause="client_closed", side="client"))])),
    ("xrdp-neg-nla-client-vs-tls-server", dict(
        scenario="Security-layer mismatch: xfreerdp /sec:nla (requires NLA; it offers TLS|HYBRID = 0x3) against "
                 "xrdp, which cannot do CredSSP and selects TLS.",
        connections=[conn("client_closed", "client", "x224_confirm",
                          "No RDP_NEG_FAILURE: xrdp legitimately selects PROTOCOL_SSL (offered by the client), "
                          "but FreeRDP in /sec:nla mode refuses anything but NLA and sends FIN right after the CC. "
                          "xrdp then writes a cleartext TLS alert record (15 03 03 00 02 02 32 = fatal "
                          "decode_error) although no TLS handshake ever started, and the client kernel answers it "
                          "with RST. mstsc with NLA required would likewise close after the CC.",
                          alternative=dict(cause="negotiation_failure", side="server"))])),
    ("xrdp-tls13-server-vs-tls12-client", dict(
        scenario="TLS version mismatch: xrdp ssl_protocols=TLSv1.3 vs xfreerdp +enforce-tlsv1_2 (max TLS 1.2).",
        connections=[conn("tls_rejected_by_server", "server", "tls_client_hello",
                          "Server answers the ClientHello with a fatal protocol_version (70) alert. The client "
                          "sends FIN; xrdp then sends, in the clear, an MCS Disconnect Provider Ultimatum "
                          "(03 00 00 09 02 f0 80 21 80) on the dead TLS stream (Wireshark: 'Ignored Unknown "
                          "Record'), and the client kernel answers with RST.")])),
    ("xrdp-tls-cipher-mismatch", dict(
        scenario="TLS cipher mismatch: xrdp TLS 1.2 only with tls_ciphers=AES256-GCM-SHA384 vs xfreerdp "
                 "/tls-ciphers:ECDHE-RSA-AES128-GCM-SHA256.",
        connections=[conn("tls_rejected_by_server", "server", "tls_client_hello",
                          "Server answers the ClientHello with a fatal handshake_failure (40) alert; then the same "
                          "client FIN / cleartext DPUm / client RST tail as the version mismatch.")])),
    ("xrdp-cert-expired-client-refuses", dict(
        scenario="Server certificate (trusted rig CA, name matches) expired on 2024-01-31; TLS 1.2; client without "
                 "/cert:ignore and without a terminal refuses it.",
        connections=[conn("certificate_expired", "server", "tls_established",
                          "FreeRDP completes the TLS handshake (it verifies the certificate afterwards), logs "
                          "'certificate has expired (10)', its prompt reads EOF, and it closes with a close_notify "
                          "WARNING alert + FIN, not with a certificate_expired alert as a strict TLS client "
                          "would. xrdp answers close_notify; the client kernel RSTs. The certificate's notAfter "
                          "(2024-01-31) is before the capture time: the cause is the server's certificate.",
                          alternative=dict(cause="certificate_rejected_by_client", side="client"))])),
    ("xrdp-self-signed-cert-rejected-by-client", dict(
        scenario="Self-signed server certificate (valid dates) that the client does not trust; no /cert:ignore, "
                 "no terminal: the client refuses it. TLS 1.2.",
        connections=[conn("certificate_rejected_by_client", "client", "tls_established",
                          "Handshake completes; ~20 ms later the client sends close_notify (warning) + FIN, no "
                          "bad_certificate/unknown_ca alert. mstsc would show a certificate warning dialog "
                          "instead; a user clicking 'No' looks the same on the wire.")])),
    ("port-closed-server-rst", dict(
        scenario="Nothing listens on 3389 in rdc-server.",
        connections=[conn("port_closed", "server", "syn",
                          "Server kernel answers the SYN with RST+ACK: TTL 63 at the gw (64 - the fw hop), "
                          "IP ID 0, genuine."),
                     conn("port_closed", "server", "syn", "FreeRDP retries once at once: same again.")])),
    ("fw-drop-no-answer", dict(
        scenario="fw hop drops everything to tcp/3389 (iptables DROP).",
        connections=[conn("no_answer", "network", "syn",
                          "8 SYNs of the same ISN: 0, 1, 2, 3, 4, 5, 7, 11 s (this kernel's linear SYN timeouts "
                          "first). The client is SIGKILLed at 12 s: no FIN/RST is sent from SYN_SENT.")])),
    ("fw-icmp-admin-prohibited", dict(
        scenario="fw hop rejects the SYN with ICMP destination unreachable code 13 (communication "
                 "administratively prohibited).",
        connections=[conn("icmp_unreachable", "network", "syn",
                          "ICMP from the fw (10.77.2.2, TTL 64) quoting the SYN; Linux treats it as a soft error "
                          "and resends the SYN once (1 s) before FreeRDP gives up."),
                     conn("icmp_unreachable", "network", "syn", "FreeRDP's retry: same pattern.")])),
    ("fw-reject-tcp-reset-at-syn", dict(
        scenario="Baseline connection, then the fw hop starts rejecting tcp/3389 with REJECT --reject-with "
                 "tcp-reset: the fw forges the RST in the server's name.",
        connections=[OK_XRDP,
                     conn("forged_reset", "network", "syn",
                          "RST+ACK answering the SYN with TTL 64 at the gw while the server's own packets "
                          "(connection #1) arrive with TTL 63: the fw is one hop closer. IP ID 0 (the server's "
                          "SYN-ACK also has ID 0, so IP ID is no signal here; its data packets count up). "
                          "Without connection #1 there would be no TTL baseline for this host."),
                     conn("forged_reset", "network", "syn", "FreeRDP's immediate retry: same forged RST.")])),
    ("fw-forged-reset-after-client-hello", dict(
        scenario="In-path IPS/antivirus: tools/rst_injector.py in rdc-fw forges a burst of 3 RST+ACKs toward "
                 "the client, in the server's name, as soon as the client's TLS ClientHello passes. The real "
                 "server (RSA-4096, a few ms slower) answers afterwards: the race.",
        connections=[OK_XRDP,
                     conn("forged_reset", "network", "tls_server_hello",
                          "reached: the real ServerHello is on the wire at the gw (after the forged RSTs) although "
                          "the client never takes it (DESIGN: a stage is reached when its first message is seen); "
                          "an analyzer that stops dissecting at the reset says tls_client_hello. "
                          "Forged RSTs: TTL 64 (server's packets: 63), IP ID 0 (server's data packets count up), "
                          "no TCP options, window 0, sequence numbers stepped by 1460 (S, S+1460, S+2920). ~7 ms "
                          "later the real ServerHello flight (TTL 63, 2 segments, Wireshark calls the first a "
                          "retransmission because the forged RST used its sequence number) arrives after 'its' "
                          "RST: race signal. The client's kernel, whose socket is gone, answers each with RST.",
                          reached_alternative="tls_client_hello")])),
    ("fw-forged-reset-after-server-hello", dict(
        scenario="In-path IPS/antivirus: tools/rst_injector.py in rdc-fw forges 2 RST+ACKs toward the client, "
                 "in the server's name, when the server's TLS ServerHello flight passes.",
        connections=[OK_XRDP,
                     conn("forged_reset", "network", "tls_server_hello",
                          "The real ServerHello flight (TTL 63) arrives first; then two forged RSTs with TTL 64, "
                          "IP ID 0, no options, seq stepped by the flight length (the first is stale, the "
                          "second equals the client's rcv_nxt and kills the socket). Strong signal: TTL (and "
                          "IP ID). In the committed recording: ServerHello 190 (TTL 63), forged RST 191 "
                          "(seq = the flight's start: stale), client ACK 192, forged RST 193 (seq = flight end = "
                          "client's rcv_nxt: accepted); no server data follows, so no race signal (in other runs "
                          "the client's Finished got out first and the server's NewSessionTickets followed the "
                          "forged RST).")])),
    ("path-mtu-blackhole", dict(
        scenario="PMTU black hole: gw's client-side link has MTU 1200 (client interface 1500, MSS 1460), the gw's "
                 "ICMP fragmentation-needed is dropped; the server's full-size ServerHello flight never arrives.",
        connections=[conn("path_mtu_blackhole", "network", "tls_server_hello",
                          "reached: the ServerHello is seen at the gw (DESIGN's rule) but never reaches the "
                          "client, so from the client's side it stopped at tls_client_hello. Server (RSA-4096 cert, so the flight is 1448 + 659 bytes) sends a full 1448-byte "
                          "segment that is retransmitted unacked with backoff (0.2, 0.4, 0.8, 1.7, 3.5 s...); the "
                          "small 659-byte segment gets through (client dup ACK with SACK, ack stays at the CC). "
                          "At ~5 s a TCP keepalive from the client (FreeRDP enables keepalives) is answered. "
                          "Client killed at 10 s: its FIN is small and passes. The ServerHello itself is only seen "
                          "at the gw, never by the client.", reached_alternative="tls_client_hello")])),
    ("xrdp-killed-after-client-hello", dict(
        scenario="Server process dies mid-TLS-handshake: xrdp frozen (SIGSTOP) when its CC leaves and SIGKILLed "
                 "when the ClientHello arrives (tools/signal_on.py).",
        connections=[conn("server_closed_after_client_hello", "server", "tls_client_hello",
                          "No ServerHello; the server kernel sends RST+ACK (the ClientHello was unread) ~1 ms "
                          "after the ClientHello, TTL 63 and IP ID continuing the server's sequence: genuine. "
                          "Windows with an unusable MachineKeys key typically FINs or RSTs the same way.")])),
    ("client-killed-after-server-hello", dict(
        scenario="Client process dies mid-TLS-handshake: xfreerdp frozen (SIGSTOP) when its ClientHello leaves "
                 "and SIGKILLed when the ServerHello arrives (tools/signal_on.py).",
        connections=[conn("client_reset", "client", "tls_server_hello",
                          "Client kernel sends RST+ACK (ServerHello flight unread). No .keys file: the client "
                          "never processed the ServerHello.")])),
    ("client-killed-during-mcs", dict(
        scenario="Client process killed (kill -9) 0.4 s after start, during the MCS phase.",
        connections=[conn("client_reset", "client", "mcs_connect",
                          "TLS done, MCS Connect Initial/Response seen; the client kernel sends RST+ACK (unread "
                          "data). Where in the MCS phase the kill lands varies from run to run. Stages "
                          "after tls_established are inferred from record sizes, observed with the .keys file.")])),
    ("shadow-nla-wrong-password", dict(
        scenario="NLA with a wrong password: freerdp-shadow-cli /sec:nla with a SAM file; xfreerdp /sec:nla "
                 "/p:WrongPassword.",
        connections=[conn("nla_failed", "server", "nla",
                          "After the client's NTLMSSP AUTHENTICATE TSRequest the FreeRDP server sends a TLS "
                          "close_notify and FIN at once: no TSRequest with errorCode (a Windows server with "
                          "CredSSP v3+ sends errorCode STATUS_LOGON_FAILURE 0xC000006D first). The client "
                          "answers with close_notify; the server kernel RSTs it."),
                     conn("nla_failed", "server", "nla", "FreeRDP retries once: same again.")])),
    ("xrdp-no-certificate-neg-failure", dict(
        scenario="xrdp security_layer=tls whose certificate and key files do not exist; xfreerdp /sec:tls.",
        connections=[conn("negotiation_failure", "server", "x224_confirm",
                          "xrdp answers RDP_NEG_FAILURE failureCode 0x3 SSL_CERT_NOT_ON_SERVER (~150 ms after the "
                          "request), the code a Windows server without a usable certificate sends. The client "
                          "FINs, xrdp sends its cleartext MCS Disconnect Provider Ultimatum, the client kernel "
                          "RSTs.")])),
    ("xrdp-unusable-key-closes-after-client-hello", dict(
        scenario="xrdp security_layer=tls with a valid certificate but a corrupt private-key PEM (the analogue "
                 "of unreadable MachineKeys): negotiation succeeds, TLS setup fails on the ClientHello.",
        connections=[conn("server_closed_after_client_hello", "server", "tls_client_hello",
                          "No ServerHello and no TLS alert: ~26 ms after the ClientHello xrdp writes a cleartext "
                          "MCS Disconnect Provider Ultimatum (03 00 00 09 02 f0 80 21 80, 9 bytes) and closes "
                          "with RST+ACK (genuine: TTL 63, the server's IP ID sequence). Windows with broken "
                          "MachineKeys typically just RSTs/FINs after the ClientHello.")])),
    ("xrdp-tls10-server-rejected-by-client", dict(
        scenario="xrdp allows only TLS 1.0 (ssl_protocols=TLSv1, @SECLEVEL=0); xfreerdp's OpenSSL 3 accepts "
                 "nothing below TLS 1.2.",
        connections=[conn("tls_rejected_by_client", "client", "tls_server_hello",
                          "Server sends a TLS 1.0 ServerHello/Certificate/ServerKeyExchange/Done; the client "
                          "answers with a fatal alert internal_error (80), not protocol_version as one might "
                          "expect (OpenSSL 3 client behaviour), then FIN. xrdp then sends its cleartext MCS DPUm "
                          "and the client kernel RSTs. The cause is still that the server offers only an "
                          "obsolete TLS version: the client's alert is the evidence.")])),
])


def tshark(path, fields, keys=None, decode_tls=False, dfilter=None):
    cmd = ["tshark", "-r", path, "-T", "fields", "-E", "separator=\t", "-E", "occurrence=f"]
    if keys:
        cmd += ["-o", f"tls.keylog_file:{keys}"]
    if decode_tls:
        cmd += ["-d", "tcp.port==3389,tls"]
    if dfilter:
        cmd += ["-Y", dfilter]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines():
        vals = line.split("\t")
        vals += [""] * (len(fields) - len(vals))
        rows.append(dict(zip(fields, vals)))
    return rows


BASE = ["frame.number", "frame.time_relative", "tcp.stream", "ip.src", "ipv6.src", "ip.ttl", "ipv6.hlim",
        "ip.id", "tcp.srcport", "tcp.dstport", "tcp.flags.syn", "tcp.flags.ack", "tcp.flags.fin",
        "tcp.flags.reset", "tcp.len", "cotp.type", "rdp.neg_type", "rdp.negReq.requestedProtocols",
        "rdp.negReq.selectedProtocol", "rdp.negFailure.failureCode", "icmp.type", "icmp.code",
        "icmpv6.type", "icmpv6.code", "tcp.analysis.retransmission", "sll.pkttype"]
TLSF = ["frame.number", "tls.handshake.type", "tls.alert_message.level", "tls.alert_message.desc",
        "tls.record.content_type"]

ALERT_DESC = {0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 40: "handshake_failure",
              42: "bad_certificate", 43: "unsupported_certificate", 44: "certificate_revoked",
              45: "certificate_expired", 46: "certificate_unknown", 47: "illegal_parameter", 48: "unknown_ca",
              50: "decode_error", 51: "decrypt_error", 70: "protocol_version", 71: "insufficient_security",
              80: "internal_error", 90: "user_canceled", 109: "missing_extension", 112: "unrecognized_name"}
NEG_FAIL = {1: "SSL_REQUIRED_BY_SERVER", 2: "SSL_NOT_ALLOWED_BY_SERVER", 3: "SSL_CERT_NOT_ON_SERVER",
            4: "INCONSISTENT_FLAGS", 5: "HYBRID_REQUIRED_BY_SERVER", 6: "SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER"}


def num(s):
    if s == "":
        return None
    return int(s, 16) if s.startswith("0x") else int(float(s)) if "." in s else int(s)


def facts(name):
    pcap = os.path.join(CAPTURES, name + ".pcap")
    keys = os.path.join(CAPTURES, name + ".keys")
    keys = keys if os.path.exists(keys) else None
    base = tshark(pcap, BASE)
    tls = {r["frame.number"]: r for r in tshark(pcap, TLSF, keys, decode_tls=True)}
    streams = OrderedDict()
    icmp = []
    for r in base:
        if r["icmp.type"] or r["icmpv6.type"]:
            t = num(r["icmp.type"] or r["icmpv6.type"])
            if (r["icmp.type"] and t in (3, 11)) or (r["icmpv6.type"] and t < 128):
                icmp.append(r)
                continue
        if r["tcp.stream"] == "":
            continue
        streams.setdefault(r["tcp.stream"], []).append(r)
    conns = []
    for sid, rows in streams.items():
        first = rows[0]
        src = lambda r: r["ip.src"] or r["ipv6.src"]  # noqa: E731
        if first["tcp.dstport"] == "3389":
            client = (src(first), first["tcp.srcport"])
        else:
            client = (src(first), first["tcp.srcport"]) if first["tcp.flags.syn"] == "1" and first[
                "tcp.flags.ack"] == "0" else None
        who = lambda r: "client" if (src(r), r["tcp.srcport"]) == client else "server"  # noqa: E731
        ttl = lambda r: num(r["ip.ttl"] or r["ipv6.hlim"])  # noqa: E731
        kf = OrderedDict()
        c = OrderedDict(tcp_stream=int(sid),
                        client=f"{client[0]}:{client[1]}" if client else None,
                        first_frame=num(first["frame.number"]), last_frame=num(rows[-1]["frame.number"]))
        ttls = {"client": set(), "server": set()}
        for r in rows:
            fn = num(r["frame.number"])
            w = who(r)
            if r["sll.pkttype"] == "4":
                continue  # the outgoing copy of an SLL2 -i any capture
            if r["tcp.flags.reset"] != "1" and ttl(r) is not None:
                ttls[w].add(ttl(r))
            if r["tcp.flags.syn"] == "1" and r["tcp.flags.ack"] == "0":
                kf.setdefault("client_syns", []).append(fn)
            if r["tcp.flags.syn"] == "1" and r["tcp.flags.ack"] == "1":
                kf.setdefault("syn_ack", fn)
            ct = r["cotp.type"]
            if ct == "0x0e" and "x224_cr" not in kf:
                kf["x224_cr"] = fn
                if r["rdp.negReq.requestedProtocols"]:
                    kf["requested_protocols"] = r["rdp.negReq.requestedProtocols"]
                elif r["rdp.neg_type"] == "":
                    kf["requested_protocols"] = "none (no RDP_NEG_REQ)"
            if ct == "0x0d" and "x224_cc" not in kf:
                kf["x224_cc"] = fn
                if r["rdp.negFailure.failureCode"]:
                    code = num(r["rdp.negFailure.failureCode"])
                    kf["neg_failure"] = dict(frame=fn, code=code, name=NEG_FAIL.get(code, "?"))
                elif r["rdp.negReq.selectedProtocol"]:
                    kf["selected_protocol"] = r["rdp.negReq.selectedProtocol"]
                else:
                    kf["selected_protocol"] = "none (no RDP_NEG_RSP)"
            t = tls.get(r["frame.number"], {})
            hs = t.get("tls.handshake.type", "")
            if hs == "1" and "tls_client_hello" not in kf:
                kf["tls_client_hello"] = fn
            if hs == "2" and "tls_server_hello" not in kf:
                kf["tls_server_hello"] = fn
            if t.get("tls.alert_message.desc"):
                d = num(t["tls.alert_message.desc"])
                lvl = {"1": "warning", "2": "fatal"}.get(t.get("tls.alert_message.level"), "?")
                kf.setdefault("tls_alerts", []).append(dict(frame=fn, **{"from": w}, level=lvl,
                                                            description=ALERT_DESC.get(d, str(d))))
            if r["tcp.flags.reset"] == "1":
                kf.setdefault("rsts", []).append(dict(frame=fn, **{"from": w}, ttl=ttl(r),
                                                      ip_id=r["ip.id"] or None))
            if r["tcp.flags.fin"] == "1":
                kf.setdefault("fins", []).append(dict(frame=fn, **{"from": w}))
            if r["tcp.analysis.retransmission"] and r["sll.pkttype"] == "":
                kf.setdefault("retransmissions", OrderedDict(client=0, server=0))[w] += 1
        # For each RST: the first frames with payload that the same side sent
        # afterwards (the race signal when the RST was not really theirs).
        for rst in kf.get("rsts", []):
            later = [num(r["frame.number"]) for r in rows
                     if num(r["frame.number"]) > rst["frame"] and who(r) == rst["from"]
                     and r["tcp.len"] not in ("", "0") and r["sll.pkttype"] != "4"]
            if later:
                rst["same_side_data_after"] = later[:4]
        for r in icmp:
            # ICMP errors quoting this flow (tshark gives the inner tcp ports)
            if client and r["tcp.srcport"] == client[1]:
                kf.setdefault("icmp_errors", []).append(dict(
                    frame=num(r["frame.number"]), src=src(r),
                    type=num(r["icmp.type"] or r["icmpv6.type"]), code=num(r["icmp.code"] or r["icmpv6.code"])))
        c["ttl_at_capture_point"] = {k: sorted(v) for k, v in ttls.items()}
        c["key_frames"] = kf
        conns.append(c)
    return conns, keys is not None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--captures", help="read the captures from this directory (e.g. a fresh RIG_OUT "
                                       "recording); implies --check")
    a = ap.parse_args()
    global CAPTURES
    if a.captures:
        CAPTURES = os.path.abspath(a.captures)
        a.check = True
    doc = OrderedDict(
        about="Ground truth of the recorded captures in Captures/: what was injected and therefore what rdpdiag "
              "must conclude (cause/side/reached in DESIGN.md's vocabulary), plus key frames read back from each "
              "capture with tshark by Captures/record/tools/ground_truth.py. Frame numbers are 1-based. TTLs are "
              "as seen at the capture point (g1 in rdc-gw): the client's packets 63 (the gw has decremented them "
              "before they leave on g1), the server's 63 (decremented by the fw hop), packets the fw itself "
              "sends or forges 64. With -i any (SLL2) the client's arrive with 64 on g0. 'alternative' gives "
              "the verdict "
              "a strictly literal reading of the wire would give where the ground truth differs from it.",
        network=OrderedDict(client="10.77.1.2 / fd77:1::2 (rdc-client)", gateway="rdc-gw (capture point)",
                            firewall="rdc-fw 10.77.2.2 (the hop that drops/rejects/forges)",
                            server="10.77.3.2 / fd77:3::2 (rdc-server)"),
        captures=OrderedDict())
    problems = []
    for name, exp in EXPECTED.items():
        pcap = os.path.join(CAPTURES, name + ".pcap")
        if not os.path.exists(pcap):
            problems.append(f"{name}: capture missing")
            continue
        conns, has_keys = facts(name)
        expected = exp["connections"]
        if len(conns) != len(expected):
            problems.append(f"{name}: {len(conns)} connections in the capture, {len(expected)} expected")
        out = []
        for i, c in enumerate(conns):
            e = expected[min(i, len(expected) - 1)]
            merged = OrderedDict(id=i)
            merged.update(e)
            merged.update(c)
            out.append(merged)
            kf = c["key_frames"]
            cause = e["cause"]
            need = {"port_closed": "rsts", "forged_reset": "rsts", "client_reset": "rsts",
                    "server_closed_after_client_hello": "rsts", "icmp_unreachable": "icmp_errors",
                    "negotiation_failure": None, "tls_rejected_by_server": "tls_alerts",
                    "certificate_expired": "tls_alerts", "certificate_rejected_by_client": "tls_alerts",
                    "nla_failed": "fins", "client_closed": "fins"}.get(cause)
            if need and need not in kf:
                problems.append(f"{name} #{i}: {cause} but no {need} found")
        doc["captures"][name] = OrderedDict(
            file=f"Captures/{name}.pcap", keys=f"Captures/{name}.keys" if has_keys else None,
            scenario=exp["scenario"], made_by=f"Captures/record/record.sh {name} (scenarios/{name}.sh)",
            vantage=exp.get("vantage", GW), connections=out)
    for p in problems:
        print("PROBLEM:", p, file=sys.stderr)
    if not a.check:
        with open(OUT, "w") as f:
            json.dump(doc, f, indent=2)
            f.write("\n")
        print(f"wrote {OUT} ({len(doc['captures'])} captures)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
