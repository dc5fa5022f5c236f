#!/usr/bin/env python3
"""Clients that tried to stall the web process (tests/integration/52-web-stall.sh).

    stall.py MODE HOST PORT CAFILE

MODE:
  partial   handshake, then the 5-byte header of an application-data
            record and one byte of its body; hold the socket
  dribble   the handshake and a GET /api/v1/health written one byte per
            TCP segment (TCP_NODELAY, a pause between bytes); the answer
            must come: exit 0 when it is a 200
  pipeline  an API request, then 64 KiB of pipelined health requests in
            the same burst; read every answer: exit 0 when all came
  leave     the same burst, then close at once without reading
  noread    pipelined asset requests, never read a byte of the answers;
            hold the socket
A holding mode prints "held" once in place and holds until killed or
HOLD_S seconds pass. Every wait is bounded (TIMEOUT_S).
"""

import socket
import ssl
import sys
import time

HOLD_S = 60
TIMEOUT_S = 30
PIPE_BYTES = 64 * 1024
HEALTH = b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Pad: %s\r\n\r\n"


def tls_pair(host, port, cafile):
    """A TCP socket and an SSLObject over memory BIOs: we decide what
    goes on the wire and when."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cafile)
    ctx.check_hostname = False
    s = socket.create_connection((host, port), timeout=TIMEOUT_S)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    return s, ctx.wrap_bio(inc, out), inc, out


def send_out(s, out, dribble):
    data = out.read()
    if not dribble:
        s.sendall(data)
        return
    for i in range(len(data)):
        s.sendall(data[i:i + 1])
        time.sleep(0.002)	# its own segment: NODELAY, a gap


def handshake(s, o, inc, out, dribble=False):
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            o.do_handshake()
            send_out(s, out, dribble)
            return
        except ssl.SSLWantReadError:
            send_out(s, out, dribble)
            d = s.recv(65536)
            if not d:
                raise SystemExit("closed in the handshake")
            inc.write(d)
    raise SystemExit("handshake timed out")


def read_answers(s, o, inc, want):
    """Read until `want` complete responses (each with Content-Length)
    came; returns their status codes."""
    buf = b""
    codes = []
    deadline = time.monotonic() + TIMEOUT_S
    while len(codes) < want and time.monotonic() < deadline:
        try:
            buf += o.read(65536)
        except ssl.SSLWantReadError:
            d = s.recv(65536)
            if not d:
                break
            inc.write(d)
            continue
        while True:
            e = buf.find(b"\r\n\r\n")
            if e < 0:
                break
            head = buf[:e].decode("latin-1")
            n = 0
            for line in head.split("\r\n")[1:]:
                k, _, v = line.partition(":")
                if k.strip().lower() == "content-length":
                    n = int(v)
            if len(buf) < e + 4 + n:
                break
            codes.append(int(head.split(" ")[1]))
            buf = buf[e + 4 + n:]
    return codes


def hold():
    print("held", flush=True)
    time.sleep(HOLD_S)


def burst():
    """An API call, then health requests to 64 KiB, in one buffer."""
    api = b"GET /api/v1/devices HTTP/1.1\r\nHost: x\r\n\r\n"
    one = HEALTH % (b"p" * 40)
    n = PIPE_BYTES // len(one) + 1
    return api + one * n, 1 + n


def main():
    mode, host, port, ca = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
        sys.argv[4]
    s, o, inc, out = tls_pair(host, port, ca)
    handshake(s, o, inc, out, dribble=(mode == "dribble"))
    if mode == "partial":
        s.sendall(b"\x17\x03\x03\x00\x40" + b"x")
        hold()
    elif mode == "dribble":
        o.write(HEALTH % b"d")
        send_out(s, out, True)
        codes = read_answers(s, o, inc, 1)
        print("answers", codes, flush=True)
        return 0 if codes == [200] else 1
    elif mode in ("pipeline", "leave"):
        data, n = burst()
        o.write(data)
        send_out(s, out, False)
        if mode == "leave":
            s.close()
            print("left", flush=True)
            return 0
        codes = read_answers(s, o, inc, n)
        print("answers %d of %d, health 200: %d" % (len(codes), n,
              codes[1:].count(200)), flush=True)
        return 0 if len(codes) == n and codes[1:].count(200) == n - 1 else 1
    elif mode == "noread":
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        o.write(b"GET /hd-devices.js HTTP/1.1\r\nHost: x\r\n\r\n" * 500)
        send_out(s, out, False)
        hold()
    else:
        raise SystemExit("unknown mode " + mode)
    return 0


if __name__ == "__main__":
    sys.exit(main())
