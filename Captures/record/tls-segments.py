#!/usr/bin/env python3
"""Prints the TCP payload segments of tls12_gcm.pcap and tls13.pcap (in the
current directory) as the Swift arrays of TLSRecordedFixtures.swift. Minimal
pcap reader: classic pcap, Ethernet (Linux lo) or raw, IPv4, TCP."""
import struct

def segments(path, server_port):
    data = open(path, 'rb').read()
    assert struct.unpack('<I', data[:4])[0] == 0xa1b2c3d4, 'little-endian classic pcap expected'
    link = struct.unpack('<I', data[20:24])[0]
    offset, frame = 24, 0
    while offset < len(data):
        _, _, incl, _ = struct.unpack('<IIII', data[offset:offset + 16])
        packet = data[offset + 16:offset + 16 + incl]
        offset += 16 + incl
        frame += 1
        ip = packet[14:] if link == 1 else packet
        ihl = (ip[0] & 0xF) * 4
        total = struct.unpack('>H', ip[2:4])[0]
        tcp = ip[ihl:total]
        dport = struct.unpack('>H', tcp[2:4])[0]
        payload = tcp[(tcp[12] >> 4) * 4:]
        if payload:
            yield frame, dport == server_port, payload

print("struct RecordedSegment { let frame: Int; let fromClient: Bool; let hex: String }\n")
for name, path, port in [("tls12GCMRecording", "tls12_gcm.pcap", 44321), ("tls13ChaChaRecording", "tls13.pcap", 44322)]:
    print("let %s: [RecordedSegment] = [" % name)
    for frame, from_client, payload in segments(path, port):
        h = payload.hex()
        print('    RecordedSegment(frame: %d, fromClient: %s, hex: """' % (frame, 'true' if from_client else 'false'))
        for i in range(0, len(h), 96):
            print('        ' + h[i:i + 96])
        print('        """),')
    print("]\n")
