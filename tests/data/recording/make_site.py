#!/usr/bin/python3
"""Writes the small site the recordings serve: index.html, a PNG logo drawn in code, and a 300 KB data file."""
import os, struct, sys, zlib, random

root = sys.argv[1]
os.makedirs(root, exist_ok=True)

def png(w, h):
    rows = bytearray()
    for y in range(h):
        rows.append(0)
        for x in range(w):
            inside = (x - w / 2) ** 2 + (y - h / 2) ** 2 < (w / 3) ** 2
            rows += bytes((30, 90, 200) if inside else (250, 250, 250))
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b""))

with open(os.path.join(root, "logo.png"), "wb") as f:
    f.write(png(96, 96))
rng = random.Random(2026)
with open(os.path.join(root, "data.bin"), "wb") as f:
    f.write(bytes(rng.getrandbits(8) for _ in range(300_000)))
with open(os.path.join(root, "index.html"), "w") as f:
    f.write("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>lab2</title></head>\n<body>\n"
            "<h1>lab2</h1>\n<img src=\"/static/logo.png\" alt=\"logo\">\n"
            "<p>" + "TCP and HTTP over loopback. " * 300 + "</p>\n"
            "<a href=\"/static/data.bin\">data</a>\n</body></html>\n")
