#!/usr/bin/env python3
"""Write the seed corpus of fuzz_zw_transport (run once; the seeds are
committed). Transport Service segments made here independently of
slave/zwave/zw_transport.c: CRC-CCITT from 0x1D0F (as zwave-js's
CRC16_CCITT). Each seed is a run of frames, each a length byte and the
frame, from one node."""
import os

def crc16(b, crc=0x1D0F):
    for x in b:
        for bit in range(7, -1, -1):
            flag = ((x >> bit) & 1) != ((crc >> 15) & 1)
            crc = (crc << 1) & 0xFFFF
            if flag:
                crc ^= 0x1021
    return crc

def seg(d, session, off, n, ext=b""):
    size = len(d)
    if off == 0:
        h = bytes([0x55, 0xC0 | (size >> 8) & 7, size & 0xFF,
                   session << 4 | (8 if ext else 0)])
    else:
        h = bytes([0x55, 0xE0 | (size >> 8) & 7, size & 0xFF,
                   session << 4 | (8 if ext else 0) | (off >> 8) & 7,
                   off & 0xFF])
    if ext:
        h += bytes([len(ext)]) + ext
    f = h + d[off:off + n]
    c = crc16(f)
    return f + bytes([c >> 8, c & 0xFF])

def run(*frames):
    return b"".join(bytes([len(f)]) + f for f in frames)

multi = bytes([0x8F, 0x01, 0x02, 0x03, 0x80, 0x03, 0x50, 0x03, 0x25, 0x03,
               0xFF])
long = bytes([0x71, 0x05]) + bytes(range(60))
seeds = {
    "in-order": run(seg(multi, 2, 0, 4), seg(multi, 2, 4, 4),
                    seg(multi, 2, 8, 4)),
    "hole": run(seg(multi, 2, 0, 4), seg(multi, 2, 8, 4),
                seg(multi, 2, 4, 4)),
    "long": run(seg(long, 5, 0, 39), seg(long, 5, 39, 39)),
    "ext": run(seg(multi, 1, 0, 11, ext=b"\x01\x02")),
    "other-session": run(seg(multi, 2, 0, 4), seg(multi, 3, 4, 4)),
    "controls": run(bytes([0x55, 0xC8, 0x20, 0x04]), bytes([0x55, 0xE8, 0x20]),
                    bytes([0x55, 0xF0, 0x02])),
    "bad-crc": run(seg(multi, 2, 0, 11)[:-1] + b"\x00"),
}
d = os.path.join(os.path.dirname(__file__), "corpus", "zw_transport")
os.makedirs(d, exist_ok=True)
for k, v in seeds.items():
    open(os.path.join(d, k), "wb").write(v)
