#!/usr/bin/env python3
"""Every value-triggered firing executed exactly once, never twice, none
lost (docs/FAILOVER.md#value-triggered-firings).

    check-values.py --event NAME --source SLAVE:DEV --target SLAVE:DEV
                    JOURNAL...

The event is `when SOURCE.on changes to on do set TARGET.on = on`, the
source a simulated lamp the test switches through the API: each time the
source's journal shows it go from off to on (an exec with value b:true
after one with b:false), its report, read at about that `done` line's
wall clock, fires the event once. Its command's id is recomputed here,
independently of the C code: SCHED_CMD_ID_BASE | the low 48 bits of
FNV-1a 64 over the event's name and its NUL, the reading's instant (8
bytes, little-endian), step 0 and order 0 (4 bytes each), for every
instant within WINDOW_MS of that line. Checked:
  1. each opening of the source fired exactly once on the target;
  2. every "on" exec on the target is some opening's firing (a firing
     under another id, or for a re-report, would be a second one);
  3. no id executed twice on the target.
Findings on stdout; the exit status is 0 only if every check holds.
"""
import argparse
import os
import sys

BASE = 0xfffc << 48
MASK = (1 << 48) - 1
FNV_OFF = 14695981039346656037
FNV_PRIME = 1099511628211
WINDOW_MS = (-250, 50)		# the reading, before or at the done line


def fnv(h, data):
    for b in data:
        h = ((h ^ b) * FNV_PRIME) & 0xffffffffffffffff
    return h


def cmd_id(event, due):
    h = fnv(FNV_OFF, event.encode() + b"\0")
    h = fnv(h, due.to_bytes(8, "little", signed=True))
    h = fnv(h, (0).to_bytes(4, "little") + (0).to_bytes(4, "little"))
    return BASE | (h & MASK)


def lines(path, kind, dev):
    out = []
    with open(path, encoding="ascii", errors="replace") as f:
        for line in f:
            w = line.split()
            if not w or w[0] != kind:
                continue
            d = dict(kv.partition("=")[::2] for kv in w[1:])
            if d.get("dev") == dev:
                out.append(d)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--event", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--target", required=True)
    ap.add_argument("journals", nargs="+")
    a = ap.parse_args()
    src, sdev = a.source.split(":", 1)
    dst, ddev = a.target.split(":", 1)
    j = {os.path.basename(p)[:-len(".journal")]: p for p in a.journals}
    # The source's openings: a done with b:true after one with b:false.
    opens, prev = [], None
    for d in lines(j[src], "done", sdev):
        v = d.get("value")
        if d.get("status") != "OK":
            continue
        if v == "b:true" and prev == "b:false":
            opens.append(int(d["wall_ms"]))
        prev = v
    fired = {}
    for t in opens:
        for r in range(t + WINDOW_MS[0], t + WINDOW_MS[1] + 1):
            fired[cmd_id(a.event, r)] = t
    bad, seen, count = [], set(), {t: 0 for t in opens}
    for d in lines(j[dst], "exec", ddev):
        if d.get("value") != "b:true" or d.get("origin") != "master":
            continue
        i = int(d["id"])
        if i in seen:
            bad.append(f"{dst}: id {i} executed twice")
        seen.add(i)
        if i not in fired:
            bad.append(f"{dst}: command {i} is no opening's firing of "
                       f"{a.event}: fired twice, or for a re-report")
            continue
        count[fired[i]] += 1
    for t, n in count.items():
        if n != 1:
            bad.append(f"the opening at {t}: fired {n} times")
    for b in bad:
        print(b)
    print(f"{a.event}: {len(opens)} openings of {a.source}, "
          f"{sum(1 for n in count.values() if n == 1)} fired exactly once "
          f"on {a.target}; {len(bad)} finding(s)")
    return 1 if bad or not opens else 0


if __name__ == "__main__":
    sys.exit(main())
