#!/usr/bin/env python3
"""Write the seed corpus of fuzz_statesync (run once; the seeds are
committed). Frames are a 2-byte big-endian length and an Envelope,
encoded by hand (the helpers of mkseeds.py)."""
import hashlib, os, struct

from pbenc import field, s, varint

def frame(num, body):
    env = field(3, 0, 1) + field(num, 2, body)
    return struct.pack(">H", len(env)) + env

def chunk(name, ver, off, size, data, sha=b"", absent=False):
    b = s(1, name) + field(2, 0, ver) + field(3, 0, off) + field(4, 0, size)
    if sha:
        b += field(5, 2, sha)
    b += field(6, 2, data)
    if absent:
        b += field(7, 0, 1)
    return frame(31, b)

def ack(name, ver, off, applied):
    return frame(32, s(1, name) + field(2, 0, ver) + field(3, 0, off) +
                 field(4, 0, 1 if applied else 0))

def hello(*haves):
    return frame(30, b"".join(field(1, 2, s(1, n) + field(2, 2, h)) for n, h in haves))

sha = lambda b: hashlib.sha256(b).digest()
big = bytes((i * 7) & 0xFF for i in range(40000))
seeds = {
    "whole-file": chunk("users", 1, 0, 5, b"hello", sha(b"hello")),
    "two-pieces": chunk("history", 2, 0, 8, b"abcd", sha(b"abcdefgh")) +
                  chunk("history", 2, 4, 8, b"efgh"),
    "absent": chunk("bans", 3, 0, 0, b"", sha(b""), True),
    "bad-hash": chunk("tokens", 1, 0, 3, b"abc", b"\x00" * 32),
    "path": chunk("../users", 1, 0, 5, b"hello", sha(b"hello")),
    "synced": frame(33, field(1, 0, 12)),
    "hello-ack": hello(("users", sha(b"x")), ("history", b"")) +
                 ack("users", 1, 5, True),
    "large": chunk("sched.state", 1, 0, len(big), big[:32768], sha(big)) +
             chunk("sched.state", 1, 32768, len(big), big[32768:]),
}
d = os.path.join(os.path.dirname(__file__), "corpus", "statesync")
os.makedirs(d, exist_ok=True)
for k, v in seeds.items():
    with open(os.path.join(d, k), "wb") as f:
        f.write(v)
