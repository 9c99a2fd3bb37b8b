#!/usr/bin/env python3
"""signal_on.py - stop, then kill, a process at exact points of an RDP handshake.

Sniffs one interface (AF_PACKET) in the namespace it runs in.  When the
--stop-on event is seen it sends SIGSTOP to --pid (the peer then cannot
answer any more, but its kernel still ACKs); when the --kill-on event is seen
it sends SIGKILL.  The kernel then closes the peer's socket: with unread
data in the receive buffer Linux answers with a RST, otherwise with a FIN.
This makes "server died right after the ClientHello" and "client died right
after the ServerHello" reproducible, which a fixed delay cannot be (xrdp
answers a ClientHello within a millisecond).

Events: cc   X.224 Connection Confirm (from port 3389)
        ch   TLS ClientHello (to port 3389)
        sh   TLS ServerHello (from port 3389)

The PID is one the caller started; nothing else is signalled.  Bounded by
--timeout seconds.

usage: signal_on.py --iface s0 --pid PID [--stop-on cc] --kill-on ch [--timeout 20]
"""
import argparse
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sniff  # noqa: E402

EVENTS = {
    "cc": lambda s: s.sport == 3389 and sniff.is_x224_cc(s.payload),
    "ch": lambda s: s.dport == 3389 and sniff.is_client_hello(s.payload),
    "sh": lambda s: s.sport == 3389 and sniff.is_server_hello(s.payload),
}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--stop-on", choices=EVENTS)
    ap.add_argument("--kill-on", choices=EVENTS, required=True)
    ap.add_argument("--timeout", type=float, default=20)
    ap.add_argument("--ready-file", help="touched once the socket is open")
    a = ap.parse_args()
    sock = sniff.open_sniffer(a.iface)
    if a.ready_file:
        open(a.ready_file, "w").close()
    stopped = False
    for seg in sniff.segments(sock, time.monotonic() + a.timeout):
        if a.stop_on and not stopped and EVENTS[a.stop_on](seg):
            os.kill(a.pid, signal.SIGSTOP)
            stopped = True
            print(f"SIGSTOP {a.pid} on {a.stop_on}: {seg}", flush=True)
        if EVENTS[a.kill_on](seg):
            os.kill(a.pid, signal.SIGKILL)
            print(f"SIGKILL {a.pid} on {a.kill_on}: {seg}", flush=True)
            return 0
    print("timeout: event not seen", flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(main())
