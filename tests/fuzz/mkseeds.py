#!/usr/bin/env python3
"""Write the seed corpora for tests/fuzz (run once; the seeds are committed).
Envelopes are encoded by hand so no protobuf package is needed."""
import os, struct

from pbenc import field, s, varint

def frame(body):
    return struct.pack(">I", len(body)) + body

def env(seq, ack, term, num, body):
    return field(1, 0, seq) + field(2, 0, ack) + field(3, 0, term) + field(num, 2, body)

hello = s(1, "slave-house") + s(2, "0.1.0") + s(3, "House") + field(4, 0, 6) + field(5, 0, 12345) + field(7, 0, 1)
hb = field(1, 0, 1000) + field(2, 0, 900) + field(3, 0, 3)
value = field(3, 1, struct.pack("<d", 21.5))
report = s(1, "sim:temp") + s(2, "temperature") + field(3, 2, value) + field(4, 0, 1700000000000)
vd = s(1, "on") + field(2, 0, 1) + field(4, 0, 1)
dev = s(1, "sim:lamp") + s(2, "Lamp") + field(4, 0, 1) + field(5, 2, vd)
announce = field(1, 2, dev) + field(1, 2, dev)
# A Z-Wave lock whose kind (4) and listening mode (12) are numbers no
# enum has: the master refuses the list (master/cluster/devcheck.c).
badenum = s(1, "zw:6:0") + field(4, 0, 200) + field(6, 0, 1) + field(12, 0, 9) + field(5, 2, vd)
cmd = field(1, 0, 77) + s(2, "sim:lamp") + s(3, "on") + field(4, 2, field(1, 0, 1))
result = field(1, 0, 77) + field(2, 0, 0) + field(4, 2, field(1, 0, 1))
refusal = field(1, 0, 2) + s(2, "hello names node x")

seeds = {
    "hello": frame(env(0, 0, 1, 10, hello)),
    "heartbeat": frame(env(0, 5, 1, 13, hb)),
    "report": frame(env(3, 0, 1, 15, report)),
    "announce": frame(env(2, 0, 1, 14, announce)),
    "announce-bad-enum": frame(env(2, 0, 1, 14, field(1, 2, badenum))),
    "command": frame(env(9, 3, 1, 16, cmd)),
    "result": frame(env(4, 9, 1, 17, result)),
    "refusal": frame(env(0, 0, 1, 12, refusal)),
    "two-frames": frame(env(0, 0, 1, 13, hb)) + frame(env(3, 0, 1, 15, report)),
    "empty": struct.pack(">I", 0),
    "oversize": struct.pack(">I", 0x7FFFFFFF) + b"\x00" * 8,
}
# fuzz_wire's first byte picks the link: 0 the cluster's Envelope, 1 the
# web process's WebMsg, 2 the auth worker's AuthAnswer, 3 its AuthRequest.
seeds = {k: b"\x00" + v for k, v in seeds.items()}
seeds["auth-answer"] = b"\x02" + frame(field(1, 0, 7) + field(2, 0, 1) + field(3, 2, b"k" * 32))
seeds["auth-refused"] = b"\x02" + frame(field(1, 0, 8))
seeds["auth-request"] = b"\x03" + frame(field(1, 0, 7) + field(2, 2, b"secret") +
    field(3, 2, b"s" * 16) + field(4, 0, 16384) + field(5, 0, 8) + field(6, 0, 1))
d = os.path.join(os.path.dirname(__file__), "corpus", "wire")
os.makedirs(d, exist_ok=True)
for k, v in seeds.items():
    open(os.path.join(d, k), "wb").write(v)

cfgs = {
    "master": b"listen 127.0.0.1:7443\nca pki/ca.crt\ncert \"pki/master.crt\"\nkey pki/master.key # private\nheartbeat 1000\n",
    "slave": b"site \"The \\\"Barn\\\"\"\nmaster [::1]:7443\nsimulate yes\ninclude other.conf\n",
    "bad": b"site \"unterminated\nx y\"z\n" + b"w " * 40 + b"\n",
}
d = os.path.join(os.path.dirname(__file__), "corpus", "cfg")
os.makedirs(d, exist_ok=True)
for k, v in cfgs.items():
    open(os.path.join(d, k), "wb").write(v)

def zwframe(t, f, pl=b""):
    body = bytes([len(pl) + 3, t, f]) + pl
    c = 0xFF
    for b in body:
        c ^= b
    return b"\x01" + body + bytes([c])

zw = {
    "get-version": zwframe(0, 0x15),
    "version-res": zwframe(1, 0x15, b"Z-Wave 7.18\x00\x07"),
    "ack-res": b"\x06" + zwframe(1, 0x13, b"\x01"),
    "senddata-cb": zwframe(0, 0x13, b"\x05\x00\x00\x02"),
    "app-command": zwframe(0, 0x04, b"\x00\x02\x03\x25\x03\xff"),
    "garbage-then-frame": b"\xff\x42\x00\x18\x15" + zwframe(0, 0x49, b"\x84\x02\x04\x04\x10\x01\x25\x72"),
    "badsum": zwframe(0, 0x15)[:-1] + b"\x00",
    "badlen": b"\x01\x02\x01\x00\x01\xfe\x01\x01\x03\x00\x15\xe9",
    "stalled": b"\x01\x01\x05\x00\xff\xff\x04\x13\x01\xe8",
    "init-data": zwframe(1, 0x02, b"\x08\x00\x1d" + b"\x07" + b"\x00" * 28 + b"\x05\x00"),
}
d = os.path.join(os.path.dirname(__file__), "corpus", "zw_frame")
os.makedirs(d, exist_ok=True)
for k, v in zw.items():
    open(os.path.join(d, k), "wb").write(v)

# Session: chunks of [len-1 | submit 0x80 | clock 0x60, arg] + bytes.
def chunk(data, submit=None, clock=0):
    hdr = (len(data) - 1) & 31 | (0x80 if submit is not None else 0) | clock
    return bytes([hdr, submit if submit is not None else 0]) + data

sess = {
    "version": chunk(b"\x06", submit=0) + chunk(zwframe(1, 0x15, b"Z-Wave 7\x00\x07")),
    "senddata": chunk(b"\x06", submit=1) + chunk(zwframe(1, 0x13, b"\x01")) +
        chunk(zwframe(0, 0x04, b"\x00\x02\x03\x25\x03\xff")) + chunk(zwframe(0, 0x13, b"\x01\x00")),
    "nak-retry": chunk(b"\x15", submit=2) + chunk(b"\x06", clock=0x60) + chunk(zwframe(1, 0x02, b"\x08\x00")),
    "timeouts": chunk(b"\x00", submit=3, clock=0x60) + chunk(b"\x00", clock=0x60) + chunk(b"\x00", clock=0x60),
}
d = os.path.join(os.path.dirname(__file__), "corpus", "zw_session")
os.makedirs(d, exist_ok=True)
for k, v in sess.items():
    open(os.path.join(d, k), "wb").write(v)
