#!/usr/bin/env python3
"""vlan_tagger.py - a user-space 802.1Q / 802.1ad trunk port.

The recording machine's kernel has no 8021q module (and no tc vlan action),
so VLAN sub-interfaces cannot be made.  Instead the gw-fw link is built as

  rdc-gw: g1 (IP) == gv  <tagger>  gt ==trunk== ft  <tagger>  fv == f0 (IP) :rdc-fw

where "==" are veth pairs.  One tagger per side copies frames between its
access interface (gv / fv, untagged) and the trunk (gt / ft): frames towards
the trunk get the tags inserted after the MAC addresses (802.1Q VID --vid,
and with --outer also an 802.1ad S-tag VID --outer in front of it, i.e.
QinQ); frames from the trunk lose all their tags.  (On receive the kernel
already moves the outermost tag out of the frame into packet metadata;
libpcap puts it back for tcpdump, so a capture on gt shows the tags.)

Bounded by --timeout seconds.

usage: vlan_tagger.py --access gv --trunk gt --vid 100 [--outer 200] [--timeout 120]
"""
import argparse
import os
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sniff  # noqa: E402


def add_tags(frame: bytes, vid: int, outer: int) -> bytes:
    tags = b""
    if outer:
        tags += struct.pack("!HH", 0x88A8, outer & 0x0FFF)
    tags += struct.pack("!HH", 0x8100, vid & 0x0FFF)
    return frame[:12] + tags + frame[12:]


def strip_tags(frame: bytes) -> bytes:
    head, rest = frame[:12], frame[12:]
    while len(rest) >= 4 and struct.unpack("!H", rest[:2])[0] in (0x8100, 0x88A8):
        rest = rest[4:]
    return head + rest


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--access", required=True)
    ap.add_argument("--trunk", required=True)
    ap.add_argument("--vid", type=int, required=True)
    ap.add_argument("--outer", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=120)
    a = ap.parse_args()
    acc = sniff.open_sniffer(a.access)
    trk = sniff.open_sniffer(a.trunk)
    deadline = time.monotonic() + a.timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([acc, trk], [], [], 0.5)
        for s in ready:
            frame, addr = s.recvfrom(65535)
            if addr[2] == sniff.PACKET_OUTGOING:
                continue          # our own transmissions
            if s is acc:
                trk.send(add_tags(frame, a.vid, a.outer))
            else:
                acc.send(strip_tags(frame))
    return 0


if __name__ == "__main__":
    sys.exit(main())
