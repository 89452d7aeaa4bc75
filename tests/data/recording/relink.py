#!/usr/bin/python3
"""Rewrites the link layer of a classic pcap recorded on Linux lo (Ethernet with zero MACs).

  relink.py null in.pcap out.pcap   -> DLT_NULL (0): 4-byte address family in little-endian host order,
                                        as Npcap's loopback adapter writes it (AF_INET 2, AF_INET6 24)
  relink.py raw  in.pcap out.pcap   -> LINKTYPE_RAW (101): the IP packet alone
  relink.py vlan in.pcap out.pcap   -> Ethernet with an 802.1ad tag (VID 100) and an 802.1Q tag (VID 10)

Packets, timestamps and original lengths are kept (original length adjusted by the header size change).
"""
import struct, sys

mode, src, dst = sys.argv[1:4]
data = open(src, "rb").read()
magic = data[:4]
endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
hdr = bytearray(data[:24])
struct.pack_into(endian + "I", hdr, 20, {"null": 0, "raw": 101, "vlan": 1}[mode])
out = [bytes(hdr)]
off = 24
while off + 16 <= len(data):
    sec, frac, incl, orig = struct.unpack_from(endian + "IIII", data, off)
    frame = data[off + 16: off + 16 + incl]
    off += 16 + incl
    ethertype = struct.unpack_from(">H", frame, 12)[0]
    payload = frame[14:]
    if mode == "null":
        af = 2 if ethertype == 0x0800 else 24
        new = struct.pack("<I", af) + payload
    elif mode == "vlan":
        new = frame[:12] + struct.pack(">HHHH", 0x88A8, 100, 0x8100, 10) + frame[12:]
    else:
        new = payload
    delta = len(new) - len(frame)
    out.append(struct.pack(endian + "IIII", sec, frac, incl + delta, orig + delta) + new)
open(dst, "wb").write(b"".join(out))
