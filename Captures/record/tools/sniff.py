"""sniff.py - tiny AF_PACKET sniffer shared by the rig's tools (IPv4/IPv6 + TCP).

No scapy: frames are read from a raw AF_PACKET socket bound to one interface
and parsed just far enough to know addresses, ports, sequence numbers, flags
and the TCP payload.
"""
import select
import socket
import struct
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


class Seg:
    __slots__ = ("family", "src", "dst", "sport", "dport", "seq", "ack", "flags",
                 "payload", "ttl", "outgoing")

    def __str__(self):
        return (f"{self.src}:{self.sport} -> {self.dst}:{self.dport} seq={self.seq} "
                f"ack={self.ack} flags=0x{self.flags:02x} len={len(self.payload)} ttl={self.ttl}")


def open_sniffer(iface: str) -> socket.socket:
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((iface, 0))
    return s


def parse(frame: bytes, outgoing: bool):
    """Parse an Ethernet frame; return a Seg for TCP over IPv4/IPv6, else None."""
    if len(frame) < 14:
        return None
    etype = struct.unpack("!H", frame[12:14])[0]
    off = 14
    while etype in (0x8100, 0x88A8) and len(frame) >= off + 4:
        etype = struct.unpack("!H", frame[off + 2:off + 4])[0]
        off += 4
    seg = Seg()
    seg.outgoing = outgoing
    if etype == 0x0800:
        ip = frame[off:]
        if len(ip) < 20 or ip[9] != 6:
            return None
        ihl = (ip[0] & 0x0F) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        seg.family = socket.AF_INET
        seg.ttl = ip[8]
        seg.src = socket.inet_ntop(socket.AF_INET, ip[12:16])
        seg.dst = socket.inet_ntop(socket.AF_INET, ip[16:20])
        tcp = ip[ihl:total]
    elif etype == 0x86DD:
        ip = frame[off:]
        if len(ip) < 40 or ip[6] != 6:       # no extension headers expected here
            return None
        plen = struct.unpack("!H", ip[4:6])[0]
        seg.family = socket.AF_INET6
        seg.ttl = ip[7]
        seg.src = socket.inet_ntop(socket.AF_INET6, ip[8:24])
        seg.dst = socket.inet_ntop(socket.AF_INET6, ip[24:40])
        tcp = ip[40:40 + plen]
    else:
        return None
    if len(tcp) < 20:
        return None
    seg.sport, seg.dport, seg.seq, seg.ack = struct.unpack("!HHII", tcp[0:12])
    doff = (tcp[12] >> 4) * 4
    seg.flags = tcp[13]
    seg.payload = bytes(tcp[doff:])
    return seg


def segments(sock: socket.socket, deadline: float):
    """Yield parsed TCP segments until the monotonic deadline."""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        r, _, _ = select.select([sock], [], [], min(left, 0.5))
        if not r:
            continue
        frame, addr = sock.recvfrom(65535)
        seg = parse(frame, addr[2] == PACKET_OUTGOING)
        if seg is not None:
            yield seg


# --- classification of RDP handshake payloads -----------------------------

def is_x224_cc(p: bytes) -> bool:
    return len(p) >= 6 and p[0] == 3 and p[1] == 0 and (p[5] & 0xF0) == 0xD0


def is_tls_handshake(p: bytes, hs_type: int) -> bool:
    return len(p) >= 6 and p[0] == 0x16 and p[1] == 3 and p[5] == hs_type


def is_client_hello(p: bytes) -> bool:
    return is_tls_handshake(p, 1)


def is_server_hello(p: bytes) -> bool:
    return is_tls_handshake(p, 2)
