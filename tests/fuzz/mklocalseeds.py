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
