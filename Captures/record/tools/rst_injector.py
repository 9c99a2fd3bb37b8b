#!/usr/bin/env python3
"""rst_injector.py - an in-path device (IPS / gateway antivirus) in miniature.

Runs in the rdc-fw namespace.  It sniffs one fw interface (AF_PACKET, so
the packets themselves are forwarded untouched by the kernel: the real
server keeps talking) and, when the trigger passes, forges TCP resets
towards the client "from" the server, the way on-path injectors do:

  --trigger client_hello  (sniff f0, the client side): on the client's TLS
    ClientHello.  The RSTs carry seq = the ClientHello's ack (the server's
    next sequence number) + i * --step, ack = the ClientHello's end.  The
    real ServerHello arrives at the client after the forged reset: the
    race signal (the "sender" keeps sending in-window data after its RST).
  --trigger server_hello  (sniff f1, the server side): on the server's TLS
    ServerHello flight.  The RSTs carry seq = that segment's seq + i * its
    length (--step len), so one of them is exactly the client's rcv_nxt
    whichever arrives first, the forged reset or the real segment.

  * a burst of --count RST+ACK segments with stepped sequence numbers;
  * IP TTL = --ttl (64, the fw's own initial TTL: one hop fewer than the
    server's packets have when they reach the gateway), IP ID = --ip-id
    (0 by default, while the server's Linux stack counts up per flow),
    no TCP options, window 0.

Packets are sent from a raw IPv4 socket (IP_HDRINCL) in this namespace, so
they leave through the fw's routing towards the client.  Like a real IPS it
resets every matching connection (FreeRDP retries once), up to
--max-injections, then exits; bounded by --timeout seconds.

usage: rst_injector.py --iface f0|f1 --trigger client_hello|server_hello
                      [--count 2] [--step len|N] [--ttl 64] [--ip-id 0] [--timeout 20]
"""
import argparse
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sniff  # noqa: E402


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def forge_rst(src: str, dst: str, sport: int, dport: int, seq: int, ack: int,
              ttl: int, ip_id: int) -> bytes:
    flags = 0x14                                    # RST + ACK
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack, 5 << 4, flags, 0, 0, 0)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
    total = 20 + len(tcp)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, ip_id, 0x4000, ttl, 6, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return ip + tcp


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", required=True, help="fw interface to sniff")
    ap.add_argument("--trigger", choices=("client_hello", "server_hello"), default="server_hello")
    ap.add_argument("--count", type=int, default=2)
    ap.add_argument("--step", default="len", help="seq step between RSTs: 'len' or bytes")
    ap.add_argument("--ttl", type=int, default=64)
    ap.add_argument("--ip-id", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=20)
    ap.add_argument("--max-injections", type=int, default=4)
    ap.add_argument("--ready-file")
    a = ap.parse_args()
    sniffer = sniff.open_sniffer(a.iface)
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    raw.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    if a.ready_file:
        open(a.ready_file, "w").close()
    done = 0
    for seg in sniff.segments(sniffer, time.monotonic() + a.timeout):
        if seg.outgoing or seg.family != socket.AF_INET:
            continue
        step = len(seg.payload) if a.step == "len" else int(a.step)
        if a.trigger == "server_hello" and seg.sport == 3389 and sniff.is_server_hello(seg.payload):
            # forge "server -> client", continuing the server's own numbers
            src, dst, sport, dport = seg.src, seg.dst, seg.sport, seg.dport
            seq, ack = seg.seq, seg.ack
        elif a.trigger == "client_hello" and seg.dport == 3389 and sniff.is_client_hello(seg.payload):
            # forge "server -> client" from what the client's segment tells:
            # its ack is the server's next seq, its end is the server's ack
            src, dst, sport, dport = seg.dst, seg.src, seg.dport, seg.sport
            seq, ack = seg.ack, (seg.seq + len(seg.payload)) & 0xFFFFFFFF
        else:
            continue
        for i in range(a.count):
            raw.sendto(forge_rst(src, dst, sport, dport, seq + i * step, ack, a.ttl, a.ip_id), (dst, 0))
        print(f"injected {a.count} RST {src}:{sport} -> {dst}:{dport} seq={seq} step={step} "
              f"after {seg}", flush=True)
        done += 1
        if done >= a.max_injections:
            break
    print(f"{done} injection(s)", flush=True)
    return 0 if done else 1


if __name__ == "__main__":
    sys.exit(main())
