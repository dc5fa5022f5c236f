#!/usr/bin/env python3
"""What the slaves actually did, against what the API accepted.

    check-journal.py [--accepted FILE] [--no-missed] [--all-known]
                     JOURNAL...

JOURNAL: the slaves' action journals ("journal PATH" in hd-slave.conf,
format in docs/FAILOVER.md#action-journal), one per slave, named
SLAVE.journal. FILE: the accepted API commands, one JSON object per line
as GET /api/v1/commands/{id} shows them once settled.

Checked (docs/FAILOVER.md, "Guarantees"):
  1. no command id was executed twice, on one slave or across slaves;
  2. the term never goes down in a slave's journal;
  3. at most one master acted in each term, over all slaves;
  4. every accepted command was executed exactly once, on its node and
     device, with the result the API reports; or, when the slave never
     got it, the API reports it missed ("offline" or "no_answer"), never
     "ok" ("lost"). --no-missed: none may be missed at all;
  5. every executed command has its "done" line before the slave's
     "stop" (a slave killed with a command in flight writes no stop: a
     "start" or the journal's end follows the exec);
  6. --all-known: every command from the master was accepted by the API
     (the tests run no scheduler, so anything else came from nowhere).
Findings go to stdout; the exit status is 0 only if every check holds.
"""
import argparse
import json
import os
import sys

MISSED = ("offline", "no_answer")


def parse(path):
    """The journal's lines as dicts, in order; bad lines are findings."""
    out, bad = [], []
    with open(path, encoding="ascii", errors="replace") as f:
        for n, line in enumerate(f, 1):
            w = line.split()
            if not w or w[0] not in ("start", "stop", "exec", "done"):
                bad.append(f"{path}:{n}: not a journal line: {line!r}")
                continue
            d = {"kind": w[0], "line": n}
            for kv in w[1:]:
                k, sep, v = kv.partition("=")
                if not sep:
                    bad.append(f"{path}:{n}: field without '=': {kv!r}")
                d[k] = v
            try:
                d["id"] = int(d["id"])
                d["term"] = int(d["term"])
            except (KeyError, ValueError):
                bad.append(f"{path}:{n}: no numeric id or term")
                continue
            out.append(d)
    return out, bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--accepted")
    ap.add_argument("--no-missed", action="store_true")
    ap.add_argument("--all-known", action="store_true")
    ap.add_argument("journals", nargs="+")
    o = ap.parse_args()
    bad = []
    execs = {}          # id -> [(slave, record)]
    dones = {}          # (slave, id) -> record
    masters = {}        # term -> {master}
    for path in o.journals:
        slave = os.path.basename(path).rsplit(".", 1)[0]
        recs, b = parse(path)
        bad += b
        term = 0
        for r in recs:
            if r["term"] < term:
                bad.append(f"{slave}: term went down from {term} to "
                           f"{r['term']} (line {r['line']})")
            term = max(term, r["term"])
            if r.get("origin") != "master" or r["kind"] not in ("exec",
                                                                "done"):
                continue
            if r["kind"] == "exec":
                execs.setdefault(r["id"], []).append((slave, r))
                masters.setdefault(r["term"], set()).add(r["master"])
            else:
                dones[(slave, r["id"])] = r
        # An exec with no done is a command in flight when the slave
        # died: fine if a restart ("start") or the journal's end follows
        # with no "stop" between (a SIGKILL writes nothing), a finding if
        # the slave stopped normally first (it ends what is in flight).
        unfinished = []
        for r in recs:
            if r["kind"] == "start":
                unfinished = []
            elif r["kind"] == "stop":
                for u in unfinished:
                    bad.append(f"{slave}: command {u['id']} started (line "
                               f"{u['line']}) but never ended")
                unfinished = []
            elif r["kind"] == "exec" and r.get("origin") == "master" and \
                    (slave, r["id"]) not in dones:
                unfinished.append(r)
    for i, rs in sorted(execs.items()):
        if len(rs) > 1:
            bad.append(f"command {i} executed {len(rs)} times: " + ", ".join(
                f"{s} line {r['line']}" for s, r in rs))
    for t, ms in sorted(masters.items()):
        if len(ms) > 1:
            bad.append(f"term {t}: {len(ms)} masters acted: "
                       + ", ".join(sorted(ms)))
    accepted, missed = {}, []
    if o.accepted:
        with open(o.accepted, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if line.strip():
                    try:
                        c = json.loads(line)
                        accepted[int(c["id"])] = c
                    except (ValueError, KeyError, TypeError):
                        bad.append(f"{o.accepted}:{n}: not a command "
                                   f"object: {line.strip()[:80]!r}")
    for i, c in sorted(accepted.items()):
        rs = execs.get(i, [])
        if not rs:
            if c.get("result") in MISSED and not o.no_missed:
                missed.append(i)
            else:
                bad.append(f"command {i} accepted, never executed, API "
                           f"says {c.get('status')}/{c.get('result')!r}: "
                           "lost")
            continue
        s, r = rs[0]
        if s != c.get("node") or r.get("dev") != c.get("device") or \
                r.get("key") != c.get("key"):
            bad.append(f"command {i} for {c.get('node')} "
                       f"{c.get('device')}.{c.get('key')} executed on {s} "
                       f"{r.get('dev')}.{r.get('key')}")
        d = dones.get((s, i))
        if d is not None and d.get("status", "").lower() != c.get("result"):
            bad.append(f"command {i}: the slave's result {d.get('status')} "
                       f"never reached the API, which says "
                       f"{c.get('status')}/{c.get('result')!r}")
    unknown = sorted(set(execs) - set(accepted))
    if o.all_known and unknown:
        bad.append(f"{len(unknown)} commands executed that the API never "
                   f"accepted: {unknown[:10]}")
    for b in bad:
        print("FAIL:", b)
    print(f"checker: {len(o.journals)} journals, {len(execs)} commands "
          f"executed, {len(accepted)} accepted, {len(missed)} reported "
          f"missed {missed[:10]}, {len(unknown)} not from the API, terms "
          + (", ".join(f"{t}:{'/'.join(sorted(m))}"
                       for t, m in sorted(masters.items())) or "none")
          + f"; {len(bad)} findings")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
