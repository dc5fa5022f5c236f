#!/usr/bin/env python3
"""Requests in flight while the web process stops (tests/integration/74-web-drain.sh).

    inflight.py HOST PORT CAFILE N

Opens one kept-alive connection that asks for /api/v1/health once and
then stays idle, then N connections that each send one login (a wrong
password for user drain-I, from 127.0.0.10+I), all before reading any answer. Prints "sent N"
once every byte of the N requests is written, then one line per
connection as its outcome is known:

    answer I STATUS ERROR       a whole response; ERROR is the JSON body's
                                "error" when it is a string, else "-"
    noanswer I reset|eof|timeout
    idle closed|reset|timeout   the idle connection, when the server ends it

and "done" at the end. Every wait is bounded by TIMEOUT_S.
"""

import json
import socket
import ssl
import sys
import threading

TIMEOUT_S = 20


def login(i):
    """A login with a wrong password for user drain-I: each connection
    has a name and a source address of its own (127.0.0.10+I), so the
    login throttle (THROTTLE_FREE per name and per address) lets every
    one of them through to the password check."""
    body = b'{"name":"drain-%d","password":"not the password"}' % i
    return (b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n"
            b"\r\n%s" % (len(body), body))

HEALTH = b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n"
out = threading.Lock()


def say(line):
    with out:
        print(line, flush=True)


def response(s):
    """(status, error) of one response with Content-Length, or raises."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = s.recv(65536)
        if not d:
            raise EOFError
        buf += d
    e = buf.index(b"\r\n\r\n")
    head = buf[:e].decode("latin-1").split("\r\n")
    n = 0
    for line in head[1:]:
        k, _, v = line.partition(":")
        if k.strip().lower() == "content-length":
            n = int(v)
    body = buf[e + 4:]
    while len(body) < n:
        d = s.recv(65536)
        if not d:
            raise EOFError
        body += d
    try:
        err = json.loads(body[:n]).get("error", "-")
    except ValueError:
        err = "-"
    return head[0].split(" ")[1], err if isinstance(err, str) else "-"


def outcome(fn):
    try:
        return fn()
    except (ConnectionResetError, BrokenPipeError):
        return "reset"
    except socket.timeout:
        return "timeout"
    except (EOFError, ssl.SSLEOFError, ssl.SSLZeroReturnError):
        return "eof"
    except ssl.SSLError as e:
        return "reset" if "reset" in str(e).lower() else "eof"


def wait_answer(i, s):
    r = outcome(lambda: response(s))
    if isinstance(r, tuple):
        say("answer %d %s %s" % (i, r[0], r[1]))
    else:
        say("noanswer %d %s" % (i, r))


def wait_idle(s):
    def end():
        d = s.recv(1)
        return "closed" if not d else "data"
    r = outcome(end)
    say("idle %s" % ("closed" if r == "eof" else r))


def connect(ctx, host, port, src=None):
    raw = socket.create_connection((host, port), timeout=TIMEOUT_S,
                                   source_address=(src, 0) if src else None)
    return ctx.wrap_socket(raw)


def main():
    host, port, ca, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], \
        int(sys.argv[4])
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(ca)
    ctx.check_hostname = False
    idle = connect(ctx, host, port)
    idle.sendall(HEALTH)
    st = outcome(lambda: response(idle))
    if not isinstance(st, tuple) or st[0] != "200":
        say("idle failed %s" % (st,))
        return 1
    socks = [connect(ctx, host, port, "127.0.0.%d" % (10 + i))
             for i in range(1, n + 1)]
    for i, s in enumerate(socks):
        s.sendall(login(i + 1))
    say("sent %d" % n)
    threads = [threading.Thread(target=wait_answer, args=(i + 1, s))
               for i, s in enumerate(socks)]
    threads.append(threading.Thread(target=wait_idle, args=(idle,)))
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT_S + 5)
    say("done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
