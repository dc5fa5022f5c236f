#!/usr/bin/env python3
"""Write the seed corpus of fuzz_zw_s0 (run once; the seeds are committed).
S0 computed here with the OpenSSL command line, independently of
slave/zwave/zw_s0.c: key 00..0f, receiver nonce id, id+1, ... id+7 (as the
harness hands out). Each seed is the source node id, then the frame."""
import os, subprocess

K = bytes(range(16))

def aes(mode, key, data, iv=None):
    args = ["openssl", "enc", "-" + mode, "-K", key.hex(), "-nopad"]
    if iv is not None:
        args += ["-iv", iv.hex()]
    return subprocess.run(args, input=data, capture_output=True, check=True).stdout

kenc = aes("aes-128-ecb", K, b"\xaa" * 16)
kauth = aes("aes-128-ecb", K, b"\x55" * 16)

def frame(src, dst, cmd, seq=0, sec=0x81, rid=0xb0, snonce=bytes(range(0xa0, 0xa8))):
    rnonce = bytes((rid + i) & 0xff for i in range(8))
    iv = snonce + rnonce
    plain = bytes([seq]) + cmd
    ct = aes("aes-128-ofb", kenc, plain, iv)[:len(plain)]
    auth = iv + bytes([sec, src, dst, len(ct)]) + ct
    auth += b"\x00" * (-len(auth) % 16)
    mac = aes("aes-128-cbc", kauth, auth, b"\x00" * 16)[-16:-8]
    return bytes([src, 0x98, sec]) + snonce + ct + bytes([rid]) + mac

good = frame(1, 6, b"\x62\x01\xff")
seeds = {
    "lock-set": good,
    "lock-report": frame(6, 6, b"\x62\x03\xff\x00\x01\x00\x00"),
    "nonce-get-encap": frame(2, 6, b"\x98\x07", sec=0xc1, rid=0x33),
    "cmds-report": frame(6, 6, b"\x98\x03\x00\x62\x80\x71\x86\x72\xef\x20"),
    "sequenced": frame(1, 6, b"\x62\x01\xff", seq=0x11),
    "bad-mac": good[:-1] + bytes([good[-1] ^ 1]),
    "short": good[:15],
    "nonce-report": bytes([6, 0x98, 0x80]) + bytes(range(8)),
    "max": frame(1, 6, bytes(range(64))),
    # split commands: a first half (0x10 | counter, asking for a nonce),
    # its second (0x30 | counter), a second of another counter
    "split-first": frame(6, 6, b"\x98\x03\x00" + bytes(range(0x20, 0x39)),
                         seq=0x13, sec=0xc1),
    "split-second": frame(6, 6, bytes(range(0x39, 0x45)) + b"\xef", seq=0x33),
    "split-second-other": frame(6, 6, b"\x62\x03\xff", seq=0x34),
    "split-long-first": frame(6, 6, bytes(range(60)), seq=0x15, sec=0xc1),
}
d = os.path.join(os.path.dirname(__file__), "corpus", "zw_s0")
os.makedirs(d, exist_ok=True)
for k, v in seeds.items():
    open(os.path.join(d, k), "wb").write(v)
