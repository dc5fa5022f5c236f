#!/usr/bin/env python3
"""Write the seed corpus of fuzz_zw_nvm (run once; the seeds are committed):
NVM answers of both Serial API functions, capability bitmasks, and backup
files (shared/zwnvm.h), a good one and broken ones."""
import hashlib, os, struct

def backup(nvm, api=0x3d, chip=7, lib=b"Z-Wave 7.18", fmt=1):
    h = bytearray(96)
    h[0:8] = b"hdzwnvm\0"
    struct.pack_into(">HBBBBBB", h, 8, fmt, api, chip, 0, 1, 0, 1)
    h[16:16 + len(lib)] = lib
    struct.pack_into(">HHH", h, 32, 0x86, 1, 0x5a)
    struct.pack_into(">IIQ", h, 40, 0xc0ffee01, len(nvm), 1765000000000)
    h[64:96] = hashlib.sha256(bytes(h[:64]) + nvm).digest()
    return bytes(h) + nvm

def caps(*funcs):
    m = bytearray(32)
    for f in funcs:
        m[(f - 1) // 8] |= 1 << ((f - 1) % 8)
    return bytes([1, 0, 0, 0x86, 0, 1, 0, 0x5a]) + bytes(m)

nvm = bytes((i * 7) & 0xff for i in range(300))
good = backup(nvm)
seeds = {
    "ops-open": b"\x00" + bytes([0, 0, 0x40, 0x00]),
    "ops-read": b"\x00" + bytes([0, 4, 0x12, 0x34, 1, 2, 3, 4]),
    "ops-eof": b"\x00" + bytes([0xff, 2, 0x3f, 0xfe, 9, 9]),
    "ops-short": b"\x00" + bytes([0, 9, 0, 0, 1]),
    "ext-open": b"\x01" + bytes([0, 1, 0, 1, 0x20, 0, 0x0f]),
    "ext-read": b"\x01" + bytes([0, 3, 0, 1, 0, 0, 7, 8, 9]),
    "ext-error": b"\x01" + bytes([3, 0, 0, 0, 0, 0]),
    "caps-ext": b"\x02" + caps(0x2e, 0x3d),
    "caps-ops": b"\x02" + caps(0x2e),
    "caps-none": b"\x02" + caps()[:8],
    "file-good": b"\x03" + good,
    "file-500": b"\x03" + backup(nvm[:100], api=0x2e, chip=5, lib=b"Z-Wave 6.07"),
    "file-cut": b"\x03" + good[:-1],
    "file-sha": b"\x03" + good[:100] + bytes([good[100] ^ 1]) + good[101:],
    "file-newer": b"\x03" + backup(nvm, fmt=2),
    "file-magic": b"\x03" + b"HDZWNVM\0" + good[8:],
}
d = os.path.join(os.path.dirname(__file__), "corpus", "zw_nvm")
os.makedirs(d, exist_ok=True)
for k, v in seeds.items():
    open(os.path.join(d, k), "wb").write(v)
