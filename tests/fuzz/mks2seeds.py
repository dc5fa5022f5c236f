#!/usr/bin/env python3
"""Write the seed corpus of fuzz_zw_s2 (run once; the seeds are committed).

S2 computed here with Python's cryptography package (AES, CMAC, AES-CCM)
and the spec's derivations written out again, independently of
slave/zwave/zw_s2_*.c, for the harness's fixed state: keys 0x11.., 0x22..,
0x33.. (Unauthenticated, Authenticated, Access Control), home C0FFEE01, us
node 1, the peer node 6, our REI B0..BF, the peer's SEI A0..AF, the MPAN
C0..CF of group 5. Each seed: scene byte, granted classes, the frame."""
import os
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESCCM
from cryptography.hazmat.primitives.cmac import CMAC

HOME = 0xC0FFEE01
REI = bytes(range(0xB0, 0xC0))
SEI = bytes(range(0xA0, 0xB0))
MPAN = bytes(range(0xC0, 0xD0))
UNAUTH, AUTH, ACCESS = 1, 2, 4


def aes(k, b):
    e = Cipher(algorithms.AES(k), modes.ECB()).encryptor()
    return e.update(b) + e.finalize()


def cmac(k, m):
    c = CMAC(algorithms.AES(k))
    c.update(m)
    return c.finalize()


def expand(k, c, steps):
    t, out = b"", []
    for i in range(1, steps + 1):
        t = cmac(k, t + bytes([c]) * 15 + bytes([i]))
        out.append(t)
    return out


def netkeys(pnk):
    t = expand(pnk, 0x55, 4)
    return {"ccm": t[0], "ps": t[1] + t[2], "mpan": t[3]}


KEYS = [netkeys(bytes([0x11 * (c + 1)]) * 16) for c in range(3)]


class Drbg:
    def __init__(self, ent, ps):
        self.k, self.v = bytes(16), bytes(16)
        self.update(bytes(a ^ b for a, b in zip(ent, ps)))

    def inc(self):
        self.v = ((int.from_bytes(self.v, "big") + 1) % (1 << 128)).to_bytes(16, "big")

    def update(self, data):
        t = b""
        for _ in range(2):
            self.inc()
            t += aes(self.k, self.v)
        if data:
            t = bytes(a ^ b for a, b in zip(t, data))
        self.k, self.v = t[:16], t[16:]

    def nonce(self):
        self.inc()
        out = aes(self.k, self.v)
        self.update(None)
        return out[:13]


def span(cls):
    prk = cmac(bytes([0x26]) * 16, SEI + REI)
    c = bytes([0x88]) * 15
    t1 = cmac(prk, c + b"\x00" + c + b"\x01")
    t2 = cmac(prk, t1 + c + b"\x02")
    return Drbg(t1 + t2, KEYS[cls]["ps"])


def encap(cls, nonce, seq, flags, clear, plain, dst=1):
    total = 4 + len(clear) + len(plain) + 8
    aad = bytes([6, dst]) + HOME.to_bytes(4, "big") + total.to_bytes(2, "big")
    aad += bytes([seq, flags]) + clear
    ct = AESCCM(KEYS[cls]["ccm"], tag_length=8).encrypt(nonce, plain, aad)
    return b"\x9f\x03" + bytes([seq, flags]) + clear + ct


LOCK = b"\x62\x01\xff"
SPANX = bytes([18, 0x41]) + SEI
seeds = {}
# Scene 0: the SPAN-making frame, under each class granted alone.
for cls, g in ((0, UNAUTH), (1, AUTH), (2, ACCESS)):
    seeds["span-%d" % cls] = bytes([0, g]) + encap(cls, span(cls).nonce(), 1, 1, SPANX, LOCK)
seeds["span-mos-mgrp"] = bytes([0, ACCESS]) + encap(
    2, span(2).nonce(), 2, 1, bytes([18, 0xC1]) + SEI + bytes([2, 0x84, 3, 0x43, 5]), LOCK)
seeds["span-unknown-ext"] = bytes([0, ACCESS]) + encap(
    2, span(2).nonce(), 3, 1, bytes([18, 0xC1]) + SEI + bytes([4, 0x3E, 1, 2]), LOCK)
seeds["span-mpan"] = bytes([0, ACCESS]) + encap(
    2, span(2).nonce(), 4, 3, SPANX, bytes([19, 0x42, 5]) + MPAN + LOCK)
seeds["lower-class"] = bytes([0, AUTH | ACCESS]) + encap(1, span(1).nonce(), 5, 1, SPANX, LOCK)
# Scene 1: on the SPAN, the first nonce and the third (one lost).
seeds["on-span"] = bytes([1, ACCESS]) + encap(2, span(2).nonce(), 6, 0, b"", LOCK)
d = span(2)
d.nonce(), d.nonce()
seeds["on-span-lost"] = bytes([1, ACCESS]) + encap(2, d.nonce(), 7, 0, b"", LOCK)
seeds["on-span-empty"] = bytes([1, ACCESS]) + encap(2, span(2).nonce(), 8, 0, b"", b"")
# Scene 2: a multicast to group 5.
seeds["multicast"] = bytes([2, ACCESS]) + encap(
    2, aes(KEYS[2]["mpan"], MPAN)[:13], 9, 1, bytes([3, 0x43, 5]), LOCK, dst=5)
# Scene 3: Nonce Reports.
seeds["report-sos"] = bytes([3, ACCESS]) + b"\x9f\x02\x01\x01" + SEI
seeds["report-mos"] = bytes([3, ACCESS]) + b"\x9f\x02\x01\x02"
seeds["short"] = bytes([0, ACCESS]) + b"\x9f\x03\x01"

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "zw_s2")
os.makedirs(out, exist_ok=True)
for name, b in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(b)
print(len(seeds), "seeds in", out)
