#!/usr/bin/env python3
"""A bounded probe storm against a TCP port on loopback: COUNT connections
in at most SECONDS, from many 127.x.y.z source addresses, mixed classes
(telnet, RDP, garbage, plain HTTP, SSLv2, silent, connect-and-close).
Silent ones are held open until the end. Prints "sent N held M".

  storm.py HOST PORT COUNT SECONDS
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


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    count, secs = int(sys.argv[3]), float(sys.argv[4])
    held, sent = [], 0
    end = time.time() + secs
    for i in range(count):
        if time.time() > end:
            break
        src = "127.%d.%d.%d" % (100 + i % 50, (i // 50) % 250, 1 + i % 7)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(1.0)
        try:
            s.bind((src, 0))
            s.connect((host, port))
            p = PAYLOADS[i % len(PAYLOADS)]
            if p is None:
                held.append(s)
            else:
                if p:
                    s.sendall(p)
                s.close()
            sent += 1
        except OSError:
            s.close()
        # spread the storm over the time given
        time.sleep(max(0.0, secs / count / 2))
    n = len(held)
    for s in held:
        s.close()
    print("sent %d held %d" % (sent, n))


main()
