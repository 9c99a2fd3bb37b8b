#!/usr/bin/env python3
"""Write Captures/NAME.expected.json from the ground truth of each capture.

The ground truth is what was injected when a capture was made (recorded:
Captures/record/ground-truth.json; synthesized: Captures/synth/ground-truth.json).
Expected files are derived from it, never from rdpdiag's output:

- verdict cause and side, and the stage reached (DESIGN.md's rule);
- every RST with the side it claims to come from and how it must be judged:
  "forged" when it was injected (its TTL is not the claimed sender's TTL at the
  capture point, or the synthesized ground truth says so), otherwise genuine,
  which rdpdiag may also report as "undetermined" but never as "forged";
- the key evidence frames as findings: RDP_NEG_FAILURE, TLS alerts, ICMP
  errors, licensing error alerts, Set Error Info.

Usage: python3 Captures/tools/expected_from_ground_truth.py [--check]
(--check only reports which expected files would change.)
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CAPTURES = os.path.dirname(HERE)
SOURCES = [os.path.join(CAPTURES, "record", "ground-truth.json"), os.path.join(CAPTURES, "synth", "ground-truth.json")]


def resets(conn, capture_ttls):
    out = []
    ttl = dict(capture_ttls)
    ttl.update({k: v for k, v in conn.get("ttl_at_capture_point", {}).items() if v})
    key = conn.get("key_frames", {})
    rsts = list(key.get("rsts", []))
    for name in ("forged_rst", "firewall_rst", "server_rst", "client_rst"):
        if isinstance(key.get(name), dict):
            rsts.append(key[name])
    seen = set()
    for r in rsts:
        if not isinstance(r, dict) or "frame" not in r or r["frame"] in seen:
            continue
        seen.add(r["frame"])
        side = r.get("from")
        judgement = r.get("expected_judgement")
        if judgement is None:
            own = ttl.get(side, [])
            judgement = "forged" if own and r.get("ttl") not in own else "genuine"
        entry = {"frame": r["frame"], "from": side}
        entry["judgement"] = "forged" if judgement == "forged" else {"one_of": ["genuine", "undetermined"]}
        out.append(entry)
    return out


def findings(conn):
    key = conn.get("key_frames", {})
    out = []
    failed = conn["cause"] != "ok"
    neg = key.get("neg_failure")
    if isinstance(neg, dict) and "frame" in neg:
        out.append({"kind": "negotiation_failure", "frames": [neg["frame"]]})
    elif isinstance(neg, int):
        out.append({"kind": "negotiation_failure", "frames": [neg]})
    # TLS alerts are evidence of a failure; a working session's closing alert comes after
    # rdpdiag has stopped reading payload (past the handshake), by design.
    for a in (key.get("tls_alerts", []) or []) if failed else []:
        if isinstance(a, dict) and not a.get("encrypted", False) and "frame" in a:
            out.append({"kind": "tls_alert", "frames": [a["frame"]]})
    for i in key.get("icmp_errors", []) or []:
        frame = i.get("frame") if isinstance(i, dict) else i
        if frame:
            out.append({"kind": "icmp_error", "frames": [frame]})
    # Licensing errors and Set Error Info inside TLS are read only with the key log,
    # and the expected files describe a run without keys.
    lic = key.get("license_error_alert")
    if lic and not (isinstance(lic, dict) and lic.get("encrypted", False)):
        out.append({"kind": "licensing", "frames": [lic if isinstance(lic, int) else lic["frame"]]})
    sei = key.get("set_error_info")
    if sei and not (isinstance(sei, dict) and sei.get("encrypted", False)):
        out.append({"kind": "error_info", "frames": [sei if isinstance(sei, int) else sei["frame"]]})
    return out


def client_text(text):
    """ground truth writes "addr:port"; reports bracket IPv6 addresses: "[addr]:port"."""
    addr, _, port = text.rpartition(":")
    return f"[{addr}]:{port}" if ":" in addr else text


def expected_for(name, cap):
    conns = []
    # Each side's TTLs at the capture point across the capture, for connections
    # where that side sent nothing but the RST.
    capture_ttls = {}
    for conn in cap["connections"]:
        for side, values in conn.get("ttl_at_capture_point", {}).items():
            capture_ttls.setdefault(side, [])
            capture_ttls[side] += [v for v in values if v not in capture_ttls[side]]
    for conn in cap["connections"]:
        # ids are rdpdiag's (and Wireshark's tcp.stream): TCP connections in order of first packet.
        e = {"id": conn.get("tcp_stream", conn["id"]), "verdict": {"cause": conn["cause"], "side": conn["side"]}, "reached": conn["reached"]}
        if "client" in conn:
            e["client"] = client_text(conn["client"])
        r = resets(conn, capture_ttls)
        if r:
            e["resets"] = r
        f = findings(conn)
        if f:
            e["findings"] = f
        # The ground truth says a run without keys cannot reach it yet (synth/ground-truth.json).
        if conn.get("expected_pending"):
            e["pending"] = conn["expected_pending"]
        conns.append(e)
    return {
        "capture": os.path.basename(cap["file"]),
        "scenario": cap.get("scenario", ""),
        "made_by": cap.get("made_by", ""),
        "source_of_truth": "ground truth of the recording/synthesis (Captures/tools/expected_from_ground_truth.py)",
        "connection_count": len(conns),
        "connections": conns,
    }


def main():
    check = "--check" in sys.argv
    changed = 0
    for source in SOURCES:
        if not os.path.exists(source):
            continue
        for name, cap in sorted(json.load(open(source))["captures"].items()):
            path = os.path.join(CAPTURES, name + ".expected.json")
            text = json.dumps(expected_for(name, cap), indent=2) + "\n"
            old = open(path).read() if os.path.exists(path) else None
            if old != text:
                changed += 1
                print(("would change " if check else "wrote ") + os.path.relpath(path))
                if not check:
                    open(path, "w").write(text)
    print(f"{changed} expected file(s) {'differ' if check else 'written'}")
    return 1 if check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
