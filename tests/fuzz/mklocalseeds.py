#!/usr/bin/env python3
"""Seeds for fuzz_local_rules: LocalRules messages (proto/cluster.proto)
as a master sends them and the slave keeps them in local.rules; good ones
and each kind of refusal. Run from the top folder:
    python3 tests/fuzz/mklocalseeds.py"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(__file__))
from pbenc import field, s, varint  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "corpus", "local_rules")


def place(site, lat=None, lon=None, zone=""):
    b = s(1, site)
    if lat is not None:
        b += field(2, 0, 1)
        b += varint(3 << 3 | 1) + struct.pack("<d", lat)
        b += varint(4 << 3 | 1) + struct.pack("<d", lon)
    return b + s(5, zone)


def rules(version, text, places=(), handled=0):
    b = field(1, 0, version) + s(2, text)
    for p in places:
        b += field(3, 2, p)
    return b + field(4, 0, handled)


SEEDS = {
    "heat": rules(1, "event heat { when at 06:00 do set barn/heater.on = on }\n"),
    "sun": rules(2, "event lamp { when sunset + 15 min on weekdays "
                 "do set barn/lamp.on = on wait 4 h set barn/lamp.on = off }\n",
                 [place("", 69.65, 18.96, "Europe/Oslo")], 1780293600000),
    "site": rules(3, "event pump { when every 30 min site cabin "
                  "do pulse barn/pump.on for 20 s }\n",
                  [place("cabin", 41.7, -70.0, "America/New_York")]),
    "value": rules(4, "event frost { when barn/temp.c below 3 hysteresis 1 "
                   "do set barn/heater.on = on }\n"),
    "other-node": rules(5, "event x { when at 06:00 do set house/lamp.on = on }\n"),
    "include": rules(6, "include \"x.events\"\n"),
    "bad-place": rules(7, "", [place("", 91.0, 0.0)]),
    "empty": rules(8, ""),
}

os.makedirs(OUT, exist_ok=True)
for name, data in SEEDS.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)

# fuzz_local_files: local.fired and local.pending (LocalFiredFile,
# LocalPendingFile), current, newer, and the first release's raw forms.
FILES = os.path.join(os.path.dirname(__file__), "corpus", "local_files")


def firing(event, due, fired, fid, result="fired"):
    return (s(1, event) + field(2, 0, due) + field(3, 0, fired) +
            field(4, 0, fid) + s(5, result))


def packed(fno, vals):
    b = b"".join(varint(v) for v in vals)
    return field(fno, 2, b)


def raw_pending(event, due, fired, fid):
    return (event.encode().ljust(64, b"\0") +
            struct.pack("<qqQ", due, fired, fid))


ID1, ID2 = 0x8d3c55e0a1b2c3d4, 0x1234567890abcdef
FILE_SEEDS = {
    "fired": field(1, 0, 1) + packed(2, [ID1, ID2]),
    "fired-newer": field(1, 0, 2) + packed(2, [ID1]),
    "fired-raw": struct.pack("<QQ", ID1, ID2),
    "pending": field(1, 0, 1) + field(2, 2, firing(
        "frost", 1780293600000, 1780293600120, ID1)) + field(2, 2, firing(
        "pump", 1780297200000, 1780297200050, ID2)),
    "pending-raw": raw_pending("frost", 1780293600000, 1780293600120, ID1),
    "pending-noid": field(1, 0, 1) + field(2, 2, firing(
        "frost", 1780293600000, 1780293600120, 0)),
}
os.makedirs(FILES, exist_ok=True)
for name, data in FILE_SEEDS.items():
    with open(os.path.join(FILES, name), "wb") as f:
        f.write(data)
