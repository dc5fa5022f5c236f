#!/usr/bin/env python3
"""Requests on one kept-alive connection (tests/integration/51-web-limits.sh).

    keepalive.py HOST PORT CAFILE N

Sends N health requests one after the other on one TLS connection, each
after the answer to the one before, and prints one line per answer:
"<n> <status> close" or "<n> <status> keep", then "closed after <n>" when
the server closed the connection (or "open after <n>"). Every wait is
bounded by TIMEOUT_S.
"""

import socket
import ssl
import sys

TIMEOUT_S = 10
REQ = b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n"


def answer(s, buf):
    """One response (with Content-Length) from s; returns (head, rest)
    or (None, buf) when the connection closed first."""
    while b"\r\n\r\n" not in buf:
        d = s.recv(65536)
        if not d:
            return None, buf
        buf += d
    e = buf.index(b"\r\n\r\n")
    head = buf[:e].decode("latin-1")
    n = 0
    for line in head.split("\r\n")[1:]:
        k, _, v = line.partition(":")
        if k.strip().lower() == "content-length":
            n = int(v)
    while len(buf) < e + 4 + n:
        d = s.recv(65536)
        if not d:
            return None, buf
        buf += d
    return head, buf[e + 4 + n:]


def main():
    host, port, ca, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], \
        int(sys.argv[4])
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(ca)
    ctx.check_hostname = False
    raw = socket.create_connection((host, port), timeout=TIMEOUT_S)
    s = ctx.wrap_socket(raw)
    buf = b""
    for i in range(1, n + 1):
        try:
            s.sendall(REQ)
            head, buf = answer(s, buf)
        except (OSError, ssl.SSLError):
            head = None
        if head is None:
            print("closed after %d" % (i - 1))
            return 0
        close = "connection: close" in head.lower()
        print("%d %s %s" % (i, head.split(" ")[1], "close" if close
                            else "keep"))
    try:
        d = s.recv(1)
    except (OSError, ssl.SSLError):
        d = b""
    print("closed after %d" % n if not d else "open after %d" % n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
