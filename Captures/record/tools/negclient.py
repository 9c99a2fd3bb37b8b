#!/usr/bin/env python3
"""negclient.py - a minimal RDP client for the negotiation step only.

Sends one X.224 Connection Request (TPKT + CR TPDU) carrying a cookie and an
RDP_NEG_REQ with the given requestedProtocols, prints the server's Connection
Confirm (RDP_NEG_RSP or RDP_NEG_FAILURE, see MS-RDPBCGR 2.2.1.1.1/2.2.1.2),
then waits (bounded) for the server to close and closes its own side.

Used where xfreerdp cannot send the request we want: `xfreerdp /sec:rdp`
sends a CR without any RDP_NEG_REQ, while a client that offers only
PROTOCOL_RDP (0) in an RDP_NEG_REQ is what a TLS-only server must answer with
RDP_NEG_FAILURE SSL_REQUIRED_BY_SERVER.

usage: negclient.py HOST [--port 3389] [--protocols 0] [--cookie rdcuser]
"""
import argparse
import socket
import struct
import sys

FAILURES = {1: "SSL_REQUIRED_BY_SERVER", 2: "SSL_NOT_ALLOWED_BY_SERVER",
            3: "SSL_CERT_NOT_ON_SERVER", 4: "INCONSISTENT_FLAGS",
            5: "HYBRID_REQUIRED_BY_SERVER", 6: "SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER"}


def connection_request(cookie: str, protocols: int) -> bytes:
    body = b"Cookie: mstshash=" + cookie.encode() + b"\r\n"
    body += struct.pack("<BBHI", 0x01, 0x00, 8, protocols)    # RDP_NEG_REQ
    # X.224 CR: LI, CR code 0xE0, DST-REF 0, SRC-REF 0, class 0
    x224 = bytes([6 + len(body), 0xE0, 0, 0, 0, 0, 0]) + body
    return struct.pack(">BBH", 3, 0, 4 + len(x224)) + x224   # TPKT


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("--port", type=int, default=3389)
    ap.add_argument("--protocols", type=lambda s: int(s, 0), default=0)
    ap.add_argument("--cookie", default="rdcuser")
    ap.add_argument("--wait", type=float, default=3.0,
                    help="seconds to wait for the server to close after the CC")
    a = ap.parse_args()
    s = socket.create_connection((a.host, a.port), timeout=5)
    s.sendall(connection_request(a.cookie, a.protocols))
    data = b""
    try:
        while len(data) < 4 or len(data) < struct.unpack(">H", data[2:4])[0]:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        pass
    print("CC bytes:", data.hex())
    if len(data) >= 19:
        typ, flags, length, value = struct.unpack("<BBHI", data[11:19])
        if typ == 2:
            print(f"RDP_NEG_RSP selectedProtocol=0x{value:x} flags=0x{flags:x}")
        elif typ == 3:
            print(f"RDP_NEG_FAILURE failureCode=0x{value:x} {FAILURES.get(value, '?')}")
    # Wait (bounded) for the server's close, then close our side.
    s.settimeout(a.wait)
    try:
        rest = s.recv(4096)
        print("server closed" if not rest else f"more data: {rest.hex()}")
    except socket.timeout:
        print("server did not close within", a.wait, "s")
    except ConnectionResetError:
        print("server reset the connection")
    s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
