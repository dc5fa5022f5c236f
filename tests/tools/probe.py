#!/usr/bin/env python3
"""Send one kind of probe to a TCP port from a chosen loopback address and
say what the server did. Used by the web integration tests.

  probe.py HOST PORT SRC MODE [SECONDS]
  MODE: telnet rdp sslv2 garbage http silent connect-close
Prints "closed", "answered: <first line>" or "open" (still open at the end).
"""
import socket
import sys

PAYLOADS = {
    "telnet": b"\xff\xfb\x01\xff\xfb\x03\xff\xfd\x18",
    "rdp": b"\x03\x00\x00\x13\x0e\xe0\x00\x00\x00\x00\x00\x01\x00\x08\x00\x03\x00\x00\x00",
    "sslv2": b"\x80\x2e\x01\x00\x02\x00\x15\x00\x00\x00\x10" + b"\x07\x00\xc0" * 7,
    "garbage": bytes(range(7, 64)),
    "http": b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
}


def main():
    host, port, src, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    secs = float(sys.argv[5]) if len(sys.argv) > 5 else 5.0
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(secs)
    s.bind((src, 0))
    try:
        s.connect((host, port))
    except OSError as e:
        print("refused:", e)
        return
    if mode == "connect-close":
        s.close()
        print("closed")
        return
    if mode in PAYLOADS:
        s.sendall(PAYLOADS[mode])
    try:
        data = s.recv(4096)
    except socket.timeout:
        print("open")
        return
    except ConnectionResetError:
        print("closed")
        return
    if not data:
        print("closed")
    else:
        print("answered:", data.split(b"\r\n")[0].decode(errors="replace"))


main()
