#!/usr/bin/env python3
"""ground_truth.py - write Captures/synth/ground-truth.json for the synthesized captures.

The scenario of each capture, and so what rdpdiag must conclude, is written
down here in EXPECTED (DESIGN.md's vocabulary), including the judgement every
RST must get.  Key frames are not typed in: the TCP/X.224/TLS facts are read
back from each capture with tshark (the same reader as
Captures/record/tools/ground_truth.py), and the RDP-level frames tshark 4.0
cannot name (licensing, Set Error Info, stages inside TLS) come from the
generator's own report of what it wrote:

    swift run rdpdiag-capture-synth Captures | python3 Captures/synth/ground_truth.py
    swift run rdpdiag-capture-synth Captures | python3 Captures/synth/ground_truth.py --check
"""
import argparse
import json
import os
import sys
from collections import OrderedDict

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "record", "tools"))
import ground_truth as recorded  # noqa: E402

recorded.CAPTURES = os.path.normpath(os.path.join(HERE, ".."))
OUT = os.path.join(HERE, "ground-truth.json")
MADE_BY = "Captures/synth (swift run rdpdiag-capture-synth Captures)"
MID = ("SPAN port on the link between the client site's router and the edge router (synthesized): client "
       "packets TTL 127 (128 - the site router), server packets TTL 127 (128 - the edge router; the server "
       "sits across a 20 ms layer-2 WAN circuit behind it); server RTT from the capture point ~20 ms, client "
       "RTT ~0.6 ms. Ethernet.")
ON_CLIENT = ("Wireshark on the Windows client itself (synthesized): the client's packets TTL 128 (not yet "
             "decremented), the server's TTL 127 (one router: the client's VPN gateway; the rest of the 20 ms "
             "path is tunnel), server RTT ~20 ms. Ethernet.")
OK_TLS = ("Healthy RDP over TLS 1.2 (ECDHE-RSA-AES256-GCM-SHA384) to the active phase; stages after "
          "tls_established are inferred from record sizes (AES-GCM: record = plaintext + 24): MCS Connect "
          "Initial, Connect Response, Erect Domain + Attach User (12/8 B), joins 12/15 B x6, Client Info, "
          "licensing 'valid client' (34 B plaintext, 58 B record), Demand Active, Confirm Active + "
          "Synchronize/Control/Font List, then large server fast-path records. The user closes mstsc after ~2 s: "
          "client DPUm, close_notify, FIN; the server's FIN. The end is not a failure. It also gives the server's "
          "baseline: TTL 127 and an IP ID counting up by one per packet.")


def conn(cause, side, reached, notes, **extra):
    d = OrderedDict(cause=cause, side=side, reached=reached, notes=notes)
    d.update(extra)
    return d


def rst(frame, judgement, signals, why):
    return OrderedDict(frame=frame, judgement=judgement, signals=signals, why=why)


TLS_STAGES = ["mcs_connect_initial", "mcs_connect_response", "client_info", "license_valid_client",
              "demand_active", "confirm_active"]

# Per capture: scenario, vantage, and per connection the verdict, the marks of the
# generator that are its key frames, and the judgement of each RST (by frame mark).
EXPECTED = OrderedDict([
    ("synth-win-licensing-no-license-server", dict(
        scenario="Windows RD Session Host whose licensing grace period is over and that finds no RD license "
                 "server: Standard RDP Security (RDP_NEG_REQ asks for PROTOCOL_RDP only; RDP_NEG_RSP selects it), "
                 "128-bit RC4 at ENCRYPTION_LEVEL_CLIENT_COMPATIBLE with a proprietary certificate, Security "
                 "Exchange and encrypted Client Info; the server's LICENSE_REQUEST, the client's "
                 "NEW_LICENSE_REQUEST (in the clear), then the server's licensing ERROR_ALERT "
                 "ERR_NO_LICENSE_SERVER (0x06) / ST_TOTAL_ABORT (0x01), MCS Disconnect Provider Ultimatum and FIN.",
        vantage=MID,
        connections=[conn(
            "licensing_failed", "server", "licensing",
            "The licensing Error Alert from the server (MS-RDPELE 2.2.2.8) ends the connection: ERR_NO_LICENSE_SERVER "
            "with ST_TOTAL_ABORT, then DPUm (rn-user-requested) and the server's FIN (genuine: TTL 127, next IP ID). "
            "No Set Error Info PDU precedes it here (under 128-bit RC4 it would be encrypted anyway). Consistent with "
            "mstsc's 'no Remote Desktop License Servers available to provide a license' (extended reason 0x101 "
            "LicenseNoLicenseServer), not 0x904. Wireshark 4.0 misreads the clear licensing PDUs (it assumes an 8-byte "
            "signature after every security header once encryption is on; MS-RDPBCGR 2.2.1.12 says a basic header "
            "when SEC_ENCRYPT is clear, as here) and labels them Unknown / License Request; rdpdiag's parser reads them.",
            marks=["x224_cr", "x224_cc", "mcs_connect_initial", "mcs_connect_response", "security_exchange",
                   "client_info", "license_request", "new_license_request", "license_error_alert", "dpum"],
            licensing_error=OrderedDict(mark="license_error_alert", dwErrorCode="0x00000006 ERR_NO_LICENSE_SERVER",
                                        dwStateTransition="0x00000001 ST_TOTAL_ABORT"),
            encryption="ENCRYPTION_METHOD_128BIT / ENCRYPTION_LEVEL_CLIENT_COMPATIBLE")])),
    ("synth-win-set-error-info-denied", dict(
        scenario="Windows server that denies the session after licensing: Standard RDP Security at encryption "
                 "method/level NONE (the CR has no RDP_NEG_REQ, the CC is the legacy form; SC_SECURITY has no random "
                 "and no certificate, so no Security Exchange and no security header after the connection phase), "
                 "Client Info in the clear, licensing ends normally (ERROR_ALERT STATUS_VALID_CLIENT 0x07 / "
                 "ST_NO_TRANSITION 0x02), then instead of the Demand Active a Set Error Info PDU (pduType2 0x2F) with "
                 "ERRINFO_SERVER_DENIED_CONNECTION (0x00000007), DPUm and FIN.",
        vantage=MID,
        connections=[conn(
            "server_denied_connection", "server", "licensing",
            "The server denied the connection before the capability exchange: reached stays licensing (the Valid "
            "Client message is the last stage seen; there is no Demand Active). The licensing STATUS_VALID_CLIENT is "
            "also 7 but is the normal 'no license needed' message, not the cause. With the errorInfo delivered "
            "in-band mstsc shows its text ('the remote computer denied the connection', extended reason 7 "
            "ServerDeniedConnection) rather than a bare 0x904 socket-closed. Windows servers offer no 'None' "
            "encryption level in their policy (lowest is Low); level NONE is the spec's and keeps this PDU readable "
            "without keys.",
            marks=["x224_cr", "x224_cc", "mcs_connect_initial", "mcs_connect_response", "client_info",
                   "license_valid_client", "set_error_info", "dpum"],
            set_error_info=OrderedDict(mark="set_error_info", errorInfo="0x00000007 ERRINFO_SERVER_DENIED_CONNECTION"),
            encryption="ENCRYPTION_METHOD_NONE / ENCRYPTION_LEVEL_NONE")])),
    ("synth-win-forged-reset-ips", dict(
        scenario="Inline IPS (a Linux box, initial TTL 64, bridged behind the client's VPN gateway) kills the RDP "
                 "TLS handshake: 200 us after the client's ClientKeyExchange/ChangeCipherSpec/Finished it forges a "
                 "RST+ACK to the client in the server's name (exact sequence number, window 0, no options, TTL 63, "
                 "IP ID 0). The real server is 20 ms away: its ChangeCipherSpec + Finished arrive ~20 ms after the "
                 "client's flight (race), and the client's kernel, whose socket the forged RST tore down, answers "
                 "them with a RST.",
        vantage=ON_CLIENT,
        connections=[conn(
            "forged_reset", "network", "tls_established",
            "reached: by DESIGN's rule (a stage is reached when its first message, from either side, is seen) and "
            "Captures/record's precedent (fw-forged-reset-after-client-hello counts the real ServerHello that "
            "arrived after the forged RST): both Finished messages are on the wire (client f8, server f10), so "
            "tls_established, although the client had already dropped the connection when the server's arrived; an "
            "analyzer that stops at the reset says tls_server_hello. The verdict is what matters: the RST claiming "
            "to be the server's does not fit the server (TTL 63 vs 127; IP ID 0 vs its counter at 0x6B23/0x6B24; "
            "200 us after the client's flight while SYN -> SYN-ACK took 20 ms; the server keeps sending after it).",
            reached_alternative="tls_server_hello",
            marks=["x224_cr", "x224_cc", "tls_client_hello", "tls_server_hello", "tls_client_finished",
                   "forged_rst", "tls_server_finished", "client_rst"],
            rst_judgements={"forged_rst": ("forged", ["ttl", "ip_id", "timing", "race"],
                                           "TTL 63 (server 127), IP ID 0 (server counts up: 0x6B23 before, 0x6B24 "
                                           "after), 0.2 ms after the client's flight with a 20 ms server RTT, and "
                                           "the server's Finished (same sequence number) follows ~20 ms later"),
                            "client_rst": ("genuine", [],
                                           "the client's own kernel (TTL 128 on the client, next IP ID) answering the "
                                           "server's Finished on a connection it no longer has: seq = that "
                                           "segment's ACK, no ACK flag")})])),
    ("synth-win-genuine-reset-server", dict(
        scenario="Control case for synth-win-forged-reset-ips (same vantage and server): the Windows server "
                 "itself aborts the connection right after the ClientHello (e.g. Schannel cannot use its "
                 "certificate's private key): RST+ACK one server RTT after the ClientHello, TTL 127, the next IP ID "
                 "of the server's counter.",
        vantage=ON_CLIENT,
        connections=[conn(
            "server_closed_after_client_hello", "server", "tls_client_hello",
            "No ServerHello, no TLS alert: the server's RST answers the ClientHello. It fits the server in every "
            "respect: TTL 127 like its SYN-ACK and CC, IP ID 0x6B23 right after 0x6B22 (CC), 20.3 ms after the "
            "ClientHello with a 20 ms SYN -> SYN-ACK RTT, window 0 and no options like any Windows RST.",
            marks=["x224_cr", "x224_cc", "tls_client_hello", "server_rst"],
            rst_judgements={"server_rst": ("genuine", [],
                                           "TTL, IP ID and timing all fit the server")})])),
    ("synth-win-rst-at-syn-firewall", dict(
        scenario="A healthy RDP-over-TLS session to a Windows server (baseline: TTL 127, IP ID counting up), then "
                 "~6 s later a new connection whose SYN a firewall appliance answers in the server's name: RST+ACK "
                 "300 us after the SYN, TTL 254 (initial 255, one router before the capture point: the firewall is "
                 "a transparent cluster just behind the edge router), IP ID 0, no DF, window 0.",
        vantage=MID,
        connections=[
            conn("ok", "none", "active", OK_TLS, marks=["x224_cr", "x224_cc", "tls_client_hello", "tls_server_hello",
                                                        "tls_client_finished", "tls_server_finished"] + TLS_STAGES,
                 reached_alternative="tls_established (an analyzer that does not infer stages inside TLS)"),
            conn("forged_reset", "network", "syn",
                 "The RST answering the SYN cannot be the server's: TTL 254 where the server's packets have 127 "
                 "(connection #0), IP ID 0 where the server counts up (its next would be 0x6B46), and 0.3 ms after "
                 "the SYN while the server's SYN-ACK took 20 ms. Without connection #0 only the timing against "
                 "other hosts and the TTL's initial value (255: network gear, not Windows) would be left.",
                 marks=["blocked_syn", "firewall_rst"],
                 rst_judgements={"firewall_rst": ("forged", ["ttl", "ip_id", "timing"],
                                                  "TTL 254 (server 127), IP ID 0 (server counts), 0.3 ms after the SYN "
                                                  "with a 20 ms server RTT; also no DF (weak)")})])),
    ("synth-win-port-closed", dict(
        scenario="A healthy RDP-over-TLS session, then the Remote Desktop Services service is stopped: 28 s later "
                 "mstsc's SYN is answered by the server's own RST+ACK (TTL 127, the next IP IDs of the same counter, "
                 "one server RTT later); it tries twice more on new ports (0.5 s apart), same answer.",
        vantage=MID,
        connections=[
            conn("ok", "none", "active", OK_TLS, marks=["x224_cr", "x224_cc", "tls_client_hello", "tls_server_hello",
                                                        "tls_client_finished", "tls_server_finished"] + TLS_STAGES,
                 reached_alternative="tls_established (an analyzer that does not infer stages inside TLS)"),
        ] + [conn("port_closed", "server", "syn",
                  f"Attempt {i}: nothing listens on 3389. The RST+ACK fits the server: TTL 127, IP ID continuing "
                  f"its counter from connection #0 (no other traffic from it in between), ~20.1 ms after the SYN "
                  f"(server RTT 20 ms), window 0, no options.",
                  marks=[f"closed_syn_{i}", f"server_rst_{i}"],
                  rst_judgements={f"server_rst_{i}": ("genuine", [], "TTL, IP ID and timing fit the server")})
             for i in (1, 2, 3)])),
    ("synth-win-tls12-licensing-no-license-server", dict(
        keys="Captures/synth-win-tls12-licensing-no-license-server.keys",
        scenario="The licensing failure of synth-win-licensing-no-license-server inside really encrypted TLS 1.2: mstsc "
                 "asks for PROTOCOL_SSL|PROTOCOL_HYBRID, the server (security layer SSL, NLA not required) selects "
                 "PROTOCOL_SSL; TLS 1.2 ECDHE-RSA-AES256-GCM-SHA384 (ClientHello, ServerHello + Certificate + "
                 "ServerKeyExchange + ServerHelloDone in the clear, ClientKeyExchange, ChangeCipherSpec, encrypted "
                 "Finished both ways); inside TLS the whole connection sequence (MCS Connect Initial/Response, Erect "
                 "Domain, Attach User, six Channel Joins, Client Info with SEC_INFO_PKT), the server's LICENSE_REQUEST, "
                 "the client's NEW_LICENSE_REQUEST, then licensing ERROR_ALERT ERR_NO_LICENSE_SERVER (0x06) / "
                 "ST_TOTAL_ABORT (0x01), MCS Disconnect Provider Ultimatum and the server's FIN. Every record is "
                 "sealed with keys from the master secret in the key log (CLIENT_RANDOM line; key block by the TLS 1.2 "
                 "PRF with SHA-384).",
        vantage=MID,
        connections=[conn(
            "licensing_failed", "server", "licensing",
            "With the key log the licensing Error Alert is read (frame of license_error_alert): ERR_NO_LICENSE_SERVER "
            "with ST_TOTAL_ABORT, and every stage after tls_established is observed. Without it, the alert is a 34-byte "
            "record (the size of a licensing 'valid client' message too: both are an Error Alert with an empty blob), "
            "followed by a 9-byte record (DPUm) and the server's FIN, with no Demand Active: the server closed right "
            "after the licensing exchange, so the cause is still licensing_failed, with medium confidence and "
            "without the code.",
            marks=["x224_cr", "x224_cc", "tls_client_hello", "tls_server_hello", "tls_client_finished",
                   "tls_server_finished", "mcs_connect_initial", "mcs_connect_response", "client_info",
                   "license_request", "new_license_request", "dpum"],
            encrypted_marks=["license_error_alert"],
            licensing_error=OrderedDict(mark="license_error_alert", dwErrorCode="0x00000006 ERR_NO_LICENSE_SERVER",
                                        dwStateTransition="0x00000001 ST_TOTAL_ABORT", encrypted=True),
            without_keys=OrderedDict(cause="licensing_failed", side="server", reached="licensing", confidence="medium",
                                     why="server FIN right after the inferred licensing exchange, no Demand Active"),
            encryption="TLS 1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384; RDP ENCRYPTION_METHOD_NONE / ENCRYPTION_LEVEL_NONE")])),
    ("synth-win-tls13-set-error-info-denied", dict(
        keys="Captures/synth-win-tls13-set-error-info-denied.keys",
        scenario="The denial of synth-win-set-error-info-denied inside really encrypted TLS 1.3 (TLS_AES_128_GCM_SHA256): "
                 "ClientHello and ServerHello (+ middlebox-compatibility ChangeCipherSpec) in the clear; the server's "
                 "EncryptedExtensions, Certificate, CertificateVerify and Finished in one record under the server "
                 "handshake traffic secret; the client's ChangeCipherSpec and Finished (client handshake traffic "
                 "secret); then under the application traffic secrets the connection sequence, licensing 'valid "
                 "client' (STATUS_VALID_CLIENT / ST_NO_TRANSITION), a Set Error Info PDU with "
                 "ERRINFO_SERVER_DENIED_CONNECTION (0x00000007) instead of the Demand Active, DPUm and the server's FIN. "
                 "Key log: CLIENT/SERVER_HANDSHAKE_TRAFFIC_SECRET and CLIENT/SERVER_TRAFFIC_SECRET_0; keys and IVs by "
                 "HKDF-Expand-Label (RFC 8446 7.3), one-byte inner content type, no padding.",
        vantage=MID,
        connections=[conn(
            "server_denied_connection", "server", "licensing",
            "The ground truth is what the key log shows: the Set Error Info PDU ERRINFO_SERVER_DENIED_CONNECTION after "
            "licensing ended normally; reached stays licensing (no Demand Active). Without the key log the 36-byte "
            "record is only 'a Set Error Info PDU of unknown code' (inferred_set_error_info), and rdpdiag, which "
            "takes no errorInfo from an inferred PDU, concludes licensing_failed / server / licensing (medium: the "
            "server closed right after the licensing exchange). That is the right side and stage but the wrong "
            "cause: the 34-byte record before it has the size of 'valid client', i.e. licensing succeeded; "
            "server_error_info (code unknown) would be the honest no-keys answer. The expected file keeps the truth "
            "and marks the connection pending.",
            marks=["x224_cr", "x224_cc", "tls_client_hello", "tls_server_hello", "tls_client_finished",
                   "mcs_connect_initial", "mcs_connect_response", "client_info", "license_valid_client", "dpum"],
            encrypted_marks=["set_error_info"],
            set_error_info=OrderedDict(mark="set_error_info", errorInfo="0x00000007 ERRINFO_SERVER_DENIED_CONNECTION",
                                       encrypted=True),
            without_keys=OrderedDict(cause="licensing_failed", side="server", reached="licensing", confidence="medium",
                                     why="the inferred 36-byte Set Error Info carries no code without keys; the verdict "
                                         "falls through to 'server closed right after the licensing exchange'"),
            expected_pending="without the key log rdpdiag says licensing_failed (server FIN right after licensing); "
                             "the truth (key log) is server_denied_connection: the 34-byte record is 'valid client' "
                             "and the 36-byte one a Set Error Info PDU (code 0x7 only with keys)",
            encryption="TLS 1.3 TLS_AES_128_GCM_SHA256; RDP ENCRYPTION_METHOD_NONE / ENCRYPTION_LEVEL_NONE")])),
    ("synth-win-tls12-nla-logon-failure", dict(
        keys="Captures/synth-win-tls12-nla-logon-failure.keys",
        scenario="NLA with a wrong password against a Windows server that requires NLA: mstsc asks for "
                 "PROTOCOL_SSL|PROTOCOL_HYBRID, the server selects PROTOCOL_HYBRID; TLS 1.2 "
                 "ECDHE-RSA-AES256-GCM-SHA384 as in synth-win-tls12-licensing-no-license-server; inside TLS the CredSSP "
                 "exchange (MS-CSSP 3.1.5): TSRequest v6 with an NTLM NEGOTIATE, the server's TSRequest with the NTLM "
                 "CHALLENGE, the client's TSRequest with NTLM AUTHENTICATE (NTLMv2), pubKeyAuth and clientNonce, then "
                 "the server's TSRequest with errorCode STATUS_LOGON_FAILURE (0xC000006D), an encrypted close_notify "
                 "alert and the server's FIN.",
        vantage=MID,
        connections=[conn(
            "nla_failed", "server", "nla",
            "With the key log the server's last TSRequest is read: errorCode STATUS_LOGON_FAILURE (MS-CSSP 2.2.1, "
            "version >= 3), the cause by name. Without it the server closes (encrypted alert, FIN) during CredSSP, "
            "before any MCS Connect Initial: nla_failed with medium confidence, no code. Consistent with mstsc's "
            "'The logon attempt failed'.",
            marks=["x224_cr", "x224_cc", "tls_client_hello", "tls_server_hello", "tls_client_finished",
                   "tls_server_finished", "credssp_negotiate", "credssp_challenge", "credssp_authenticate"],
            encrypted_marks=["credssp_error"],
            nla_error=OrderedDict(mark="credssp_error", errorCode="0xC000006D STATUS_LOGON_FAILURE", tsrequest_version=6,
                                  encrypted=True),
            without_keys=OrderedDict(cause="nla_failed", side="server", reached="nla", confidence="medium",
                                     why="the server closes during CredSSP (HYBRID selected, no MCS Connect Initial)"),
            encryption="TLS 1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384")])),
])


def read_marks(stream):
    """`PATH: N frames; label=frame ...` lines of the generator -> {name: {label: frame}}."""
    marks = {}
    for line in stream:
        if ".pcap:" not in line:
            continue
        path, rest = line.split(":", 1)
        name = os.path.basename(path.strip())[:-len(".pcap")]
        labels = rest.split(";", 1)[1].split() if ";" in rest else []
        marks[name] = OrderedDict((k, int(v)) for k, v in (l.split("=") for l in labels))
    return marks


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true", help="compare with the JSON instead of writing it")
    a = ap.parse_args()
    marks = read_marks(sys.stdin)
    doc = OrderedDict(
        about="Ground truth of the synthesized captures (Captures/synth-*.pcap, written by the generator in "
              "Captures/synth): Windows-only failures no free peer produces. cause/side/reached use DESIGN.md's "
              "vocabulary; rst judgements and signals are what 'Judging a reset' must conclude. TCP/X.224/TLS key "
              "frames are read back with tshark by Captures/synth/ground_truth.py; RDP frames tshark 4.0 cannot "
              "name (licensing, Set Error Info, PDUs inside TLS) come from the generator's report. Frame numbers are "
              "1-based; times in key_frames.rsts are microseconds after the packet that provoked the RST. Captures "
              "with 'keys' are really encrypted; their NAME.keys (NSS key log) decrypts them, tshark's key frames "
              "are read with it, cause/side/reached are what the key log shows, 'without_keys' what the records' "
              "sizes and order allow, and key frames marked 'encrypted' are PDUs only the key log shows.",
        captures=OrderedDict())
    problems = []
    for name, exp in EXPECTED.items():
        if name not in marks:
            problems.append(f"{name}: no generator report on stdin")
            continue
        m = marks[name]
        conns, _ = recorded.facts(name)
        rows = recorded.tshark(os.path.join(recorded.CAPTURES, name + ".pcap"),
                               ["frame.number", "frame.time_epoch", "tcp.stream", "tcp.srcport", "ip.id", "ip.flags.df",
                                "tcp.flags.syn", "tcp.flags.ack", "tcp.window_size_value"])
        by_frame = {int(r["frame.number"]): r for r in rows}
        if len(conns) != len(exp["connections"]):
            problems.append(f"{name}: {len(conns)} connections, {len(exp['connections'])} expected")
        out = []
        for i, (c, e) in enumerate(zip(conns, exp["connections"])):
            merged = OrderedDict(id=i)
            for k, v in e.items():
                if k not in ("marks", "encrypted_marks", "rst_judgements"):
                    merged[k] = v
            merged.update(c)
            kf = merged["key_frames"]
            for label in e.get("marks", []):
                kf.setdefault(label, m[label])
            # PDUs only the key log shows (the expected files describe a run without keys).
            for label in e.get("encrypted_marks", []):
                kf.setdefault(label, OrderedDict(frame=m[label], encrypted=True))
            for key in ("licensing_error", "set_error_info", "nla_error"):
                if key in merged:
                    merged[key]["frame"] = m[merged[key].pop("mark")]
            judgements = {m[label]: v for label, v in e.get("rst_judgements", {}).items()}
            stream = [r for r in rows if r["tcp.stream"] == str(c["tcp_stream"])]
            syn = next((r for r in stream if r["tcp.flags.syn"] == "1" and r["tcp.flags.ack"] == "0"), None)
            synack = next((r for r in stream if r["tcp.flags.syn"] == "1" and r["tcp.flags.ack"] == "1"), None)
            if syn and synack:
                merged["server_rtt_us"] = round((float(synack["frame.time_epoch"]) - float(syn["frame.time_epoch"])) * 1e6)
            for r in kf.get("rsts", []):
                f = r["frame"]
                row = by_frame[f]
                r["ip_id"] = row["ip.id"]
                r["df"] = row["ip.flags.df"] == "1"
                r["window"] = int(row["tcp.window_size_value"])
                # The packet that provoked it: the last one from the other side before it.
                other = [x for x in c_rows(rows, c) if int(x["frame.number"]) < f and x["who"] != r["from"]]
                if other:
                    p = other[-1]
                    r["provoked_by"] = int(p["frame.number"])
                    r["after_us"] = round((float(row["frame.time_epoch"]) - float(p["frame.time_epoch"])) * 1e6)
                if f not in judgements:
                    problems.append(f"{name} #{i}: RST f{f} has no expected judgement")
                    continue
                j, signals, why = judgements.pop(f)
                r["expected_judgement"] = j
                r["signals"] = signals
                r["why"] = why
            for f in judgements:
                problems.append(f"{name} #{i}: expected RST f{f} not found")
            out.append(merged)
        doc["captures"][name] = OrderedDict(file=f"Captures/{name}.pcap", keys=exp.get("keys"), scenario=exp["scenario"],
                                            made_by=MADE_BY, vantage=exp["vantage"], connections=out)
    text = json.dumps(doc, indent=2) + "\n"
    for p in problems:
        print("PROBLEM:", p, file=sys.stderr)
    if a.check:
        with open(OUT) as f:
            if f.read() != text:
                print("PROBLEM: ground-truth.json differs from the captures", file=sys.stderr)
                return 1
        print("ground-truth.json matches the captures")
    else:
        with open(OUT, "w") as f:
            f.write(text)
        print(f"wrote {OUT} ({len(doc['captures'])} captures)")
    return 1 if problems else 0


def c_rows(rows, c):
    """The frames of connection `c`, each tagged with who sent it (by the client's port)."""
    client_port = c["client"].rsplit(":", 1)[1]
    out = []
    for r in rows:
        if r["tcp.stream"] != str(c["tcp_stream"]):
            continue
        r = dict(r)
        r["who"] = "client" if r["tcp.srcport"] == client_port else "server"
        out.append(r)
    return out


if __name__ == "__main__":
    sys.exit(main())
