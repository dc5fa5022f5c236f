#!/usr/bin/env python3
"""The network between the test's namespaces: a learning Ethernet switch in
user space, with netem's faults per direction between two nodes.

Why not a bridge and tc netem: the kernels these tests run on (the CI's
Firecracker VMs among them) may have no sch_netem, prio or tc actions, and
a switch here needs nothing but /dev/net/tun. Each node gets a TAP device,
made here and moved into its namespace as eth0; every frame passes through
this process, which can drop it (a cut, loss), hold it (delay, jitter),
send it twice (duplication) or let it overtake held ones (reordering).
The TAP devices vanish with this process.

    wire.py --seed S --ctl FIFO NODE=NETNS...

Control lines on FIFO, each answered on stdout by "applied N LINE":
    set A B [cut] [delay=MS] [jitter=MS] [loss=P] [dup=P] [reorder=P]
        frames from A to B (one direction), replacing what was set;
    clear A B      frames from A to B pass untouched again;
    stats A B      print "stats A B passed=.. dropped=.. dup=.. held=..";
    quit
Random choices come from one PRNG seeded with S (printed at the start);
timing still comes from the machine, so a seed replays the choices, not
the schedule.
"""
import argparse
import fcntl
import heapq
import os
import random
import select
import struct
import subprocess
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
FRAME_MAX = 65536       # a TAP read is one frame; 1514 with MTU 1500
HELD_MAX = 10000        # frames held for delay at once; past it, dropped
RUN_MAX_S = 3600        # a test that forgot to stop this: it stops itself


def say(*a):
    print(*a, flush=True)


class Rule:
    def __init__(self, words):
        self.cut = False
        self.delay = self.jitter = 0.0
        self.loss = self.dup = self.reorder = 0.0
        for w in words:
            if w == "cut":
                self.cut = True
                continue
            k, _, v = w.partition("=")
            if k in ("delay", "jitter"):
                setattr(self, k, float(v) / 1000)
            elif k in ("loss", "dup", "reorder"):
                p = float(v)
                if not 0 <= p <= 1:
                    raise ValueError(f"{k}={v}: not in 0..1")
                setattr(self, k, p)
            else:
                raise ValueError(f"unknown word {w!r}")


class Wire:
    def __init__(self, nodes, seed):
        self.rng = random.Random(seed)
        self.fd = {}            # node name -> TAP fd
        self.name = {}          # fd -> node name
        self.mac = {}           # MAC -> node name (learned)
        self.rules = {}         # (from, to) -> Rule
        self.stats = {}         # (from, to) -> [passed, dropped, dup, held]
        self.held = []          # heap of (due, seq, to, frame)
        self.seq = 0
        for node, ns in nodes:
            self.add(node, ns)

    def add(self, node, ns):
        tap = f"t-{node}"[:15]
        fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
        fcntl.ioctl(fd, TUNSETIFF,
                    struct.pack("16sH", tap.encode(), IFF_TAP | IFF_NO_PI))
        subprocess.run(["ip", "link", "set", tap, "netns", ns], check=True)
        subprocess.run(["ip", "-n", ns, "link", "set", tap, "name", "eth0"],
                       check=True)
        self.fd[node] = fd
        self.name[fd] = node

    def count(self, a, b, i):
        self.stats.setdefault((a, b), [0, 0, 0, 0])[i] += 1

    def send(self, to, frame):
        try:
            os.write(self.fd[to], frame)
        except OSError:
            pass        # the node's eth0 is down or gone: like a wire

    def deliver(self, a, b, frame, now):
        r = self.rules.get((a, b))
        if r is None:
            self.count(a, b, 0)
            self.send(b, frame)
            return
        if r.cut or self.rng.random() < r.loss:
            self.count(a, b, 1)
            return
        copies = 2 if self.rng.random() < r.dup else 1
        if copies == 2:
            self.count(a, b, 2)
        for _ in range(copies):
            wait = r.delay + self.rng.random() * r.jitter
            if r.reorder and self.rng.random() < r.reorder:
                wait = 0        # overtakes the frames held before it
            if wait <= 0:
                self.count(a, b, 0)
                self.send(b, frame)
            elif len(self.held) < HELD_MAX:
                self.count(a, b, 3)
                self.seq += 1
                heapq.heappush(self.held, (now + wait, self.seq, b, frame))
            else:
                self.count(a, b, 1)

    def frame(self, fd, now):
        try:
            frame = os.read(fd, FRAME_MAX)
        except BlockingIOError:
            return
        if len(frame) < 14:
            return
        a = self.name[fd]
        self.mac[frame[6:12]] = a
        dst = frame[0:6]
        to = self.mac.get(dst) if not dst[0] & 1 else None
        for b in ([to] if to else [n for n in self.fd if n != a]):
            if b != a:
                self.deliver(a, b, frame, now)

    def release(self, now):
        while self.held and self.held[0][0] <= now:
            _, _, b, frame = heapq.heappop(self.held)
            self.send(b, frame)

    def control(self, line, n):
        w = line.split()
        if not w:
            return True
        if w[0] == "quit":
            return False
        try:
            if w[0] == "set" and len(w) >= 3:
                self.check(w[1], w[2])
                self.rules[(w[1], w[2])] = Rule(w[3:])
            elif w[0] == "clear" and len(w) == 3:
                self.check(w[1], w[2])
                self.rules.pop((w[1], w[2]), None)
            elif w[0] == "stats" and len(w) == 3:
                p, d, u, h = self.stats.get((w[1], w[2]), [0, 0, 0, 0])
                say(f"stats {w[1]} {w[2]} passed={p} dropped={d} dup={u} "
                    f"held={h}")
            else:
                raise ValueError("usage")
        except ValueError as e:
            say(f"error {n} {line.strip()}: {e}")
            return True
        say(f"applied {n} {line.strip()}")
        return True

    def check(self, a, b):
        if a not in self.fd or b not in self.fd:
            raise ValueError(f"no node {a if a not in self.fd else b}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ctl", required=True)
    ap.add_argument("nodes", nargs="+")
    o = ap.parse_args()
    w = Wire([n.split("=", 1) for n in o.nodes], o.seed)
    ctl = os.open(o.ctl, os.O_RDONLY | os.O_NONBLOCK)
    # Held open for writing too, so the FIFO never reads EOF between
    # two writers.
    keep = os.open(o.ctl, os.O_WRONLY)
    say(f"wire: ready, seed {o.seed}, nodes {' '.join(w.fd)}")
    buf, n, end = b"", 0, time.monotonic() + RUN_MAX_S
    fds = list(w.fd.values()) + [ctl]
    while time.monotonic() < end:
        now = time.monotonic()
        w.release(now)
        t = max(0, min(1, w.held[0][0] - now)) if w.held else 1
        for fd in select.select(fds, [], [], t)[0]:
            if fd != ctl:
                w.frame(fd, time.monotonic())
                continue
            buf += os.read(ctl, 4096)
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                n += 1
                if not w.control(line.decode(errors="replace"), n):
                    os.close(keep)
                    return 0
    say("wire: stopped itself after", RUN_MAX_S, "s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
