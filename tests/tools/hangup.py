#!/usr/bin/env python3
"""Connect from SRC to HOST:PORT, send a TLS ClientHello, read the
server's first flight (its certificate), then close the socket without
an alert: what a browser that does not trust the certificate does.
Usage: hangup.py SRC HOST PORT COUNT. Exit 0 if every connection got a
server flight, 1 otherwise."""
import socket
import ssl
import sys

src, host, port, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
ok = 0
for _ in range(count):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out, server_side=False)
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    s = socket.create_connection((host, port), timeout=5, source_address=(src, 0))
    s.sendall(out.read())
    flight = s.recv(65536)	# ServerHello and the encrypted certificate
    if len(flight) > 0 and flight[0] == 0x16:
        ok += 1
    s.close()			# no alert, no close_notify
sys.exit(0 if ok == count else 1)
