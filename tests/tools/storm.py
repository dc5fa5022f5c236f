#!/usr/bin/env python3
"""A bounded probe storm against a TCP port on loopback: COUNT connections
spread evenly over SECONDS, each from its own 127.x.y.z source address,
mixed classes (telnet, RDP, garbage, plain HTTP, SSLv2, silent,
connect-and-close). Silent ones are held open until the end. Prints
"sent N held M".

  storm.py HOST PORT COUNT SECONDS [--hold N] [--base K]

--hold N: first open N more silent connections and hold them too, then
print "ready" (flushed) before the storm proper begins, so a measurement
can start once they are all held.
--base K: the first address is the K-th (default 0); storms that must not
add to one another's ban scores take bases far apart.

Connection i is opened at start + i * SECONDS / COUNT (or at once when
late), so the rate is COUNT / SECONDS for the whole time, not faster.
"""
import socket
import sys
import time

PAYLOADS = [
    b"\xff\xfb\x01\xff\xfb\x03",
    b"\x03\x00\x00\x13\x0e\xe0\x00\x00\x00\x00\x00",
    bytes(range(1, 40)),
    b"GET /wp-login.php HTTP/1.1\r\nHost: x\r\n\r\n",
    b"\x80\x2e\x01\x00\x02\x00\x15\x00\x00\x00\x10",
    None,           # silent: hold it open
    b"",            # connect and close
]


def source(k):
    """The k-th source address: 127.100.0.1 on, 250 a /24, no repeats
    within 6,250,000."""
    return "127.%d.%d.%d" % (100 + (k // 62500) % 100, (k // 250) % 250,
                             1 + k % 250)


def connect(host, port, k):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(1.0)
    try:
        s.bind((source(k), 0))
        s.connect((host, port))
    except OSError:
        s.close()
        return None
    return s


def main():
    args = sys.argv[1:]
    hold, base = None, 0
    while len(args) > 4:
        opt, val = args[-2], int(args[-1])
        if opt == "--hold":
            hold = val
        elif opt == "--base":
            base = val
        else:
            sys.exit("storm.py: unknown option %s" % opt)
        args = args[:-2]
    host, port = args[0], int(args[1])
    count, secs = int(args[2]), float(args[3])
    held, sent = [], 0
    if hold is not None:
        for i in range(hold):
            s = connect(host, port, base + count + i)
            if s is not None:
                held.append(s)
        print("ready", flush=True)
    start = time.monotonic()
    end = start + secs
    for i in range(count):
        due = start + i * secs / count
        now = time.monotonic()
        if now > end:
            break
        if due > now:
            time.sleep(due - now)
        s = connect(host, port, base + i)
        if s is None:
            continue
        p = PAYLOADS[i % len(PAYLOADS)]
        try:
            if p is None:
                held.append(s)
                s = None
            elif p:
                s.sendall(p)
        except OSError:
            pass
        if s is not None:
            s.close()
        sent += 1
    # Hold until the end, as the measurement beside it lasts that long.
    left = end - time.monotonic()
    if left > 0:
        time.sleep(left)
    n = len(held)
    for s in held:
        s.close()
    print("sent %d held %d" % (sent, n))


main()
