#!/usr/bin/env python3
"""Write the seed corpus of fuzz_sched_state (run once; the seeds are
committed), and a sched.state seed with a missed record for
fuzz_statefmt. SchedState (proto/master.proto) encoded by hand
(pbenc.py): events with their triggers' state and the missed record,
an old file without it, records out of range, delayed actions, modes,
counters, the outbox and the cursors."""
import os

from pbenc import field, s, varint

T0 = 1796665000000

def packed(num, values):
    return field(num, 2, b"".join(varint(v) for v in values))

def missed(count, due, at, why):
    return field(10, 2, field(1, 0, count) + field(2, 0, due) +
                 field(3, 0, at) + s(4, why))

def event(name, dues, extra=b""):
    return field(1, 2, s(1, name) + field(3, 0, 0) + field(4, 0, T0 - 5000) +
                 s(5, "ok") + packed(6, dues) + extra)

def state(body, fmt=1):
    return body + field(4, 0, T0) + (field(100, 0, fmt) if fmt else b"")

why = "skipped while the master was stopped: 2 h late, catch-up none"
rec = missed(3, T0 - 120000, T0 - 60000, why)
mode = field(3, 2, s(1, "house") + s(2, "away"))
var = field(5, 2, s(1, "visits") + field(2, 0, 0) + field(3, 0, 7))
pending = field(2, 2, s(1, "morning") + field(2, 0, 0) + field(3, 0, 2) +
                field(4, 0, T0 + 3600000) + field(6, 0, T0 - 1000))
out = field(6, 2, s(1, "a") + s(2, "strict") + field(3, 0, 77) +
            field(4, 0, 0xfffc000000000001) + s(5, "b") + s(6, "on") +
            field(7, 2, field(1, 0, 1) + field(2, 0, 1)))
cursor = field(7, 2, s(1, "a") + field(2, 0, 99) + field(3, 0, 12))
seeds = {
    "missed": state(event("strict", [T0 - 60000], rec)),
    "old-no-record": state(event("strict", [T0 - 600000]), fmt=0),
    "missed-huge": state(event("strict", [T0 - 60000],
                               missed(1 << 60, T0, 1 << 63, why))),
    "missed-zero": state(event("strict", [T0 - 60000],
                               missed(0, 0, 0, ""))),
    "missed-longwhy": state(event("strict", [T0 - 60000],
                                  missed(5, T0 - 60000, T0, "w" * 1000))),
    "full": state(event("strict", [T0 - 60000], rec) +
                  event("morning", [T0 - 7200000], rec) +
                  event("door", [0]) + pending + mode + var + out + cursor),
    "newer-format": state(event("strict", [T0], rec), fmt=2),
}
here = os.path.dirname(__file__)
d = os.path.join(here, "corpus", "sched_state")
os.makedirs(d, exist_ok=True)
for k, v in seeds.items():
    with open(os.path.join(d, k), "wb") as f:
        f.write(v)
# fuzz_statefmt: the first byte picks the file's name (5: sched.state).
with open(os.path.join(here, "corpus", "statefmt", "sched-missed"), "wb") as f:
    f.write(bytes([5]) + seeds["full"])
