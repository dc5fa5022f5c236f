#!/usr/bin/env python3
"""Every instant of a scheduled event executed exactly once, or reported
missed, never twice (docs/FAILOVER.md#scheduled-firings).

    check-firings.py --event NAME --period-ms MS --device DEV
                     [--order N:SLAVE]... [--delayed SLAVE]
                     [--log MASTER.log]... JOURNAL...

The event fires `every MS` and its k-th command (--order k:SLAVE) sets
DEV to on on SLAVE; with --delayed SLAVE, a 'wait' follows and then DEV
is set off on SLAVE. JOURNAL: the slaves' action journals, named
SLAVE.journal. --log: the masters' logs, where the missed-event policy
reports the instants it skipped ("due A to B").

The ids are recomputed here, independently of the C code
(shared/sched/sched_exec.c, sched_cmd_id_of): SCHED_CMD_ID_BASE | the low
48 bits of FNV-1a 64 over the event's name and its NUL, the due instant
(8 bytes, little-endian), the step and the command's order (4 bytes
each). Checked:
  1. every "on" command of the event on SLAVE carries the id of order k
     at some instant of the period (else it is a firing made twice under
     another id, or an id not derived from the instant);
  2. from the first instant executed to the last, each instant is
     executed exactly once on each SLAVE of --order, or (on none of them)
     reported missed in a master's log; never twice;
  3. --delayed: as many "off" commands as "on" ones on that SLAVE, each
     id in the firings' space and executed once (the delayed actions ran
     once per firing).
Findings on stdout; the exit status is 0 only if every check holds.
"""
import argparse
import os
import re
import sys

BASE = 0xfffc << 48
LOCAL_BASE = 0xfffd << 48
MASK = (1 << 48) - 1
FNV_OFF = 14695981039346656037
FNV_PRIME = 1099511628211


def fnv(h, data):
    for b in data:
        h = ((h ^ b) * FNV_PRIME) & 0xffffffffffffffff
    return h


def cmd_id(event, due, step, order):
    h = fnv(FNV_OFF, event.encode() + b"\0")
    h = fnv(h, due.to_bytes(8, "little", signed=True))
    h = fnv(h, step.to_bytes(4, "little") + order.to_bytes(4, "little"))
    return BASE | (h & MASK)


def execs(path, device):
    """The exec lines for `device` (id, value, wall_ms) from the master."""
    out = []
    with open(path, encoding="ascii", errors="replace") as f:
        for line in f:
            w = line.split()
            if not w or w[0] != "exec":
                continue
            d = dict(kv.partition("=")[::2] for kv in w[1:])
            if d.get("origin") == "master" and d.get("dev") == device:
                out.append((int(d["id"]), d.get("value"), int(d["wall_ms"])))
    return out


def missed(logs, event):
    """Instants the masters said they skipped: (first, last) ranges."""
    rx = re.compile(r"sched: event " + re.escape(event) +
                    r" .*(?:skipped|missed).*due (\d+) to (\d+)\)")
    out = []
    for p in logs:
        with open(p, encoding="utf-8", errors="replace") as f:
            for line in f:
                m = rx.search(line)
                if m:
                    out.append((int(m.group(1)), int(m.group(2))))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--event", required=True)
    ap.add_argument("--period-ms", type=int, required=True)
    ap.add_argument("--device", required=True)
    ap.add_argument("--order", action="append", default=[])
    ap.add_argument("--delayed")
    ap.add_argument("--log", action="append", default=[])
    ap.add_argument("journals", nargs="+")
    a = ap.parse_args()
    per = a.period_ms
    orders = {}
    for o in a.order:
        k, _, s = o.partition(":")
        orders[s] = int(k)
    ex = {os.path.basename(p)[:-len(".journal")]: execs(p, a.device)
          for p in a.journals}
    bad = []
    walls = [w for v in ex.values() for _, _, w in v]
    if not walls:
        print("no command of the event executed at all")
        return 1
    lo = (min(walls) - 3600 * 1000) // per * per
    hi = (max(walls) // per + 1) * per
    count = {s: {} for s in orders}
    for s, k in orders.items():
        ids = {cmd_id(a.event, t, 0, k): t for t in range(lo, hi + 1, per)}
        for i, v, _ in ex.get(s, []):
            if v != "b:true":
                continue
            if i not in ids:
                bad.append(f"{s}: command {i} of {a.event} is no firing's "
                           f"(order {k}) id: fired under another id")
                continue
            count[s][ids[i]] = count[s].get(ids[i], 0) + 1
    done = sorted({t for c in count.values() for t in c})
    gaps = missed(a.log, a.event)
    nmiss = nboth = nonce = 0
    for t in range(done[0], done[-1] + 1, per) if done else []:
        n = [count[s].get(t, 0) for s in orders]
        rep = any(f <= t <= l for f, l in gaps)
        if any(x > 1 for x in n):
            bad.append(f"instant {t}: executed {n} times on {list(orders)}")
        elif all(x == 1 for x in n):
            nonce += 1
            nboth += rep
        elif all(x == 0 for x in n) and rep:
            nmiss += 1
        else:
            bad.append(f"instant {t}: executed {n} times on {list(orders)}"
                       f"{'' if rep else ', not reported missed'}")
    if a.delayed:
        on = [i for i, v, _ in ex.get(a.delayed, []) if v == "b:true"]
        off = [i for i, v, _ in ex.get(a.delayed, []) if v == "b:false"]
        if len(off) != len(on):
            bad.append(f"{a.delayed}: {len(on)} firings but {len(off)} "
                       "delayed actions executed")
        if len(set(off)) != len(off) or any(not BASE <= i < LOCAL_BASE
                                            for i in off):
            bad.append(f"{a.delayed}: a delayed action's id twice or "
                       "outside the firings' space")
    for b in bad:
        print(b)
    span = (done[-1] - done[0]) // per + 1 if done else 0
    print(f"{a.event}: {span} instants from {done[0] if done else '-'}: "
          f"{nonce} executed once on each slave, {nmiss} reported "
          f"missed, {nboth} executed and also reported missed; "
          f"{len(bad)} finding(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
