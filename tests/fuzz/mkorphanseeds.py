#!/usr/bin/env python3
"""Write the seed corpus of fuzz_sched_orphans (run once; the seeds are
committed) and a SchedOrphans envelope for fuzz_wire. Encoded by hand
(pbenc.py). The first byte picks the input: 0 an Envelope (the report,
its ack, one with a wrong firing id), 1 two sched.state files (a 4-byte
length, ours, then theirs)."""
import os
import struct

from pbenc import field, s

T0 = 1796665000000


def fid(event, due):
    """sched_firing_id(): FNV-1a over the name, its NUL, the instant."""
    h = 14695981039346656037
    for b in event.encode() + b"\x00" + struct.pack("<q", due):
        h = ((h ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


def orphan(event, at, commands=1, ident=None):
    return (s(1, event) + field(2, 0, at) +
            field(3, 0, fid(event, at) if ident is None else ident) +
            field(4, 0, commands) + field(5, 0, at + 5000))


def env(body):
    return field(1, 0, 3) + field(3, 0, 3) + field(34, 2, body)


report = field(1, 2, orphan("gone", T0)) + field(1, 2, orphan("door", T0 + 7))
ack = report + field(2, 0, 1)
badid = field(1, 2, orphan("gone", T0, ident=12345))


def state(events):
    return b"".join(field(1, 2, s(1, n) + field(4, 0, at)) for n, at in events)


ours = state([("gone", T0 + 9000), ("morning", T0)]) + \
    field(6, 2, s(1, "slave-barn") + s(2, "gone") + field(3, 0, 1025))
theirs = state([("gone", T0), ("morning", T0)])
seeds = {
    "report": b"\x00" + env(report),
    "ack": b"\x00" + env(ack),
    "bad-id": b"\x00" + env(badid),
    "states": b"\x01" + struct.pack(">I", len(ours)) + ours + theirs,
    "states-same": b"\x01" + struct.pack(">I", len(theirs)) + theirs + theirs,
}
here = os.path.dirname(__file__)
d = os.path.join(here, "corpus", "sched_orphans")
os.makedirs(d, exist_ok=True)
for k, v in seeds.items():
    open(os.path.join(d, k), "wb").write(v)
# fuzz_wire: link 0 (the cluster's Envelope), one frame.
w = env(report)
open(os.path.join(here, "corpus", "wire", "sched-orphans"), "wb").write(
    b"\x00" + struct.pack(">I", len(w)) + w)
