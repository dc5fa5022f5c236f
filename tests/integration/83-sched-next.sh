#!/usr/bin/env bash
# hd-master -f CONF --next N [--at ISO-TIME] (docs/SCHEDULER.md#checking-
# the-schedule): with a fixed zone (Europe/Oslo) and place (Tromso,
# 69.6 N) and fixed instants, the exact lines for every event: sunsets
# after local midnight at the end of the midnight sun counted to the solar
# day before ('sunset on sun' fires Monday 00:13), sunrises after the
# polar day, a time in the spring-forward gap moved to its end, 'every' on
# elapsed time with a day filter, a leap-day date, and the events that
# fire on no date (value triggers only, disabled) said so; a sun trigger
# without a place; bad arguments and a broken file refused; a holiday
# house on Cape Cod with its own place and zone (site-place, docs/
# SCHEDULER.md#sites), whose summer time starts and ends on other
# Sundays than Oslo's, and a site-place with an unknown zone refused.
. "$(dirname "$0")/lib.sh"

E=$work/e.events
cat >"$E" <<'EOT'
event evening { when sunset do notify "x" }
event sunday-evening { when sunset on sun do notify "y" }
event night-check { when at 02:30 or at 07:00 on weekdays do notify "z" }
event polar-morning { when sunrise + 10 min do notify "r" }
event saturday { when every 6 h on sat do notify "s" }
event motion { when a/b.c changes do notify "m" }
event off { when at 08:00 disabled do notify "o" }
event leap { when at 12:00 dates 02-29 to 02-29 do notify "l" }
EOT
# No key or certificate is read: only the config and the events file.
cat >"$work/m.conf" <<EOT
listen 127.0.0.1:1
ca $work/ca.crt
cert $work/c.crt
key $work/c.key
state-dir $work/state
events $E
latitude 69.6492
longitude 18.9553
EOT

next() { TZ=Europe/Oslo "$bin/hd-master" -f "$work/m.conf" --next "$@"; }

# 1. late July 2026, from Saturday noon local time
cat >"$work/july.want" <<'EOT'
# next 3 firings after 2026-07-25 12:00:00 +02:00  2026-07-25 10:00:00 UTC
evening: 2026-07-26 00:37:06 +02:00  2026-07-25 22:37:06 UTC  sunset
evening: 2026-07-27 00:13:15 +02:00  2026-07-26 22:13:15 UTC  sunset
evening: 2026-07-27 23:59:06 +02:00  2026-07-27 21:59:06 UTC  sunset
sunday-evening: 2026-07-27 00:13:15 +02:00  2026-07-26 22:13:15 UTC  sunset
sunday-evening: 2026-08-02 23:06:04 +02:00  2026-08-02 21:06:04 UTC  sunset
sunday-evening: 2026-08-09 22:21:51 +02:00  2026-08-09 20:21:51 UTC  sunset
night-check: 2026-07-26 02:30:00 +02:00  2026-07-26 00:30:00 UTC  at 02:30:00
night-check: 2026-07-27 02:30:00 +02:00  2026-07-27 00:30:00 UTC  at 02:30:00
night-check: 2026-07-27 07:00:00 +02:00  2026-07-27 05:00:00 UTC  at 07:00:00
polar-morning: 2026-07-26 01:15:13 +02:00  2026-07-25 23:15:13 UTC  sunrise + 10 min
polar-morning: 2026-07-27 01:39:04 +02:00  2026-07-26 23:39:04 UTC  sunrise + 10 min
polar-morning: 2026-07-28 01:53:13 +02:00  2026-07-27 23:53:13 UTC  sunrise + 10 min
saturday: 2026-07-25 14:00:00 +02:00  2026-07-25 12:00:00 UTC  every 21600 s
saturday: 2026-07-25 20:00:00 +02:00  2026-07-25 18:00:00 UTC  every 21600 s
saturday: 2026-08-01 02:00:00 +02:00  2026-08-01 00:00:00 UTC  every 21600 s
motion: fires on no date: no time trigger (it fires on values, slaves, start-up or run)
off: disabled in the file: fires on no date
leap: 2028-02-29 12:00:00 +01:00  2028-02-29 11:00:00 UTC  at 12:00:00
leap: 2032-02-29 12:00:00 +01:00  2032-02-29 11:00:00 UTC  at 12:00:00
leap: 2036-02-29 12:00:00 +01:00  2036-02-29 11:00:00 UTC  at 12:00:00
EOT
next 3 --at 2026-07-25T12:00 >"$work/july.log" 2>&1
check "--next 3 at the end of the midnight sun: the exact lines" \
	diff -u "$work/july.want" "$work/july.log"

# 2. Oslo's spring-forward weekend, from an instant in UTC
cat >"$work/march.want" <<'EOT'
# next 2 firings after 2026-03-28 13:00:00 +01:00  2026-03-28 12:00:00 UTC
evening: 2026-03-28 18:33:29 +01:00  2026-03-28 17:33:29 UTC  sunset
evening: 2026-03-29 19:37:30 +02:00  2026-03-29 17:37:30 UTC  sunset
sunday-evening: 2026-03-29 19:37:30 +02:00  2026-03-29 17:37:30 UTC  sunset
sunday-evening: 2026-04-05 20:06:00 +02:00  2026-04-05 18:06:00 UTC  sunset
night-check: 2026-03-29 03:00:00 +02:00  2026-03-29 01:00:00 UTC  at 02:30:00 (moved out of a daylight-saving gap)
night-check: 2026-03-30 02:30:00 +02:00  2026-03-30 00:30:00 UTC  at 02:30:00
polar-morning: 2026-03-29 06:12:46 +02:00  2026-03-29 04:12:46 UTC  sunrise + 10 min
polar-morning: 2026-03-30 06:08:10 +02:00  2026-03-30 04:08:10 UTC  sunrise + 10 min
saturday: 2026-03-28 19:00:00 +01:00  2026-03-28 18:00:00 UTC  every 21600 s
saturday: 2026-04-04 02:00:00 +02:00  2026-04-04 00:00:00 UTC  every 21600 s
motion: fires on no date: no time trigger (it fires on values, slaves, start-up or run)
off: disabled in the file: fires on no date
leap: 2028-02-29 12:00:00 +01:00  2028-02-29 11:00:00 UTC  at 12:00:00
leap: 2032-02-29 12:00:00 +01:00  2032-02-29 11:00:00 UTC  at 12:00:00
EOT
next 2 --at 2026-03-28T12:00Z >"$work/march.log" 2>&1
check "--next 2 over the spring-forward gap: the exact lines" \
	diff -u "$work/march.want" "$work/march.log"
check "--at with an offset is the same instant as in UTC" \
	sh -c "TZ=Europe/Oslo '$bin/hd-master' -f '$work/m.conf' --next 2 \
	    --at 2026-03-28T13:00+01:00 | cmp -s - '$work/march.want'"

# 3. without a place, sun triggers fire on no date
sed -i '/^latitude/d; /^longitude/d' "$work/m.conf"
next 1 --at 2026-07-25T12:00 >"$work/noplace.log" 2>&1
check "without latitude and longitude a sun event fires on no date" \
	grep -qx 'evening: fires on no date: its sun triggers need latitude and longitude in the config' \
	"$work/noplace.log"

# 4. refusals
next 0 >"$work/zero.log" 2>&1
rc=$?
check "--next 0 is refused with the usage (exit 2)" \
	grep -q "usage: hd-master -f config --next N" "$work/zero.log"
check "... exit 2" test "$rc" -eq 2
next 1 --at 2026-02-30T12:00Z >"$work/bad.log" 2>&1
rc=$?
check "--at 2026-02-30 is refused" \
	grep -q -- "--at 2026-02-30T12:00Z: not a time" "$work/bad.log"
check "... exit 2" test "$rc" -eq 2
printf 'event bad {\n\twhen at 7:75 do notify "x"\n}\n' >>"$E"
next 1 >"$work/broken.log" 2>&1
rc=$?
check "a broken events file: its file:line:col errors" \
	grep -q "e.events:10:10: a time of day is HH:MM" "$work/broken.log"
check "... exit 1" test "$rc" -eq 1
# 5. a holiday house in another zone: New York's spring-forward day
# (8 March, three weeks before Oslo's) and fall-back day (1 November, a
# week after Oslo's); a barn with its own place in the home zone
cat >"$E" <<'EOT'
event holiday-morning { site holiday when at 02:30 or at 07:00 do notify "h" }
event holiday-evening { site "holiday" when sunset do notify "e" }
event holiday-night { site holiday when at 01:30 do notify "n" }
event home-morning { when at 07:00 do notify "m" }
event barn-evening { site barn when sunset do notify "b" }
EOT
cat >>"$work/m.conf" <<'EOT'
latitude 69.6492
longitude 18.9553
site-place holiday 41.67 -70.0 America/New_York
site-place barn 69.7 19.0
EOT
cat >"$work/site-march.want" <<'EOT'
# next 2 firings after 2026-03-07 13:00:00 +01:00  2026-03-07 12:00:00 UTC
holiday-morning: 2026-03-08 03:00:00 -04:00  2026-03-08 07:00:00 UTC  at 02:30:00 (moved out of a daylight-saving gap)
holiday-morning: 2026-03-08 07:00:00 -04:00  2026-03-08 11:00:00 UTC  at 07:00:00
holiday-evening: 2026-03-07 17:37:32 -05:00  2026-03-07 22:37:32 UTC  sunset
holiday-evening: 2026-03-08 18:38:41 -04:00  2026-03-08 22:38:41 UTC  sunset
holiday-night: 2026-03-08 01:30:00 -05:00  2026-03-08 06:30:00 UTC  at 01:30:00
holiday-night: 2026-03-09 01:30:00 -04:00  2026-03-09 05:30:00 UTC  at 01:30:00
home-morning: 2026-03-08 07:00:00 +01:00  2026-03-08 06:00:00 UTC  at 07:00:00
home-morning: 2026-03-09 07:00:00 +01:00  2026-03-09 06:00:00 UTC  at 07:00:00
barn-evening: 2026-03-07 17:09:02 +01:00  2026-03-07 16:09:02 UTC  sunset
barn-evening: 2026-03-08 17:13:07 +01:00  2026-03-08 16:13:07 UTC  sunset
EOT
next 2 --at 2026-03-07T12:00Z >"$work/site-march.log" 2>&1
check "a holiday site in New York's zone: its spring-forward day, its own sunset" \
	diff -u "$work/site-march.want" "$work/site-march.log"
cat >"$work/site-nov.want" <<'EOT'
# next 2 firings after 2026-10-31 13:00:00 +01:00  2026-10-31 12:00:00 UTC
holiday-morning: 2026-11-01 02:30:00 -05:00  2026-11-01 07:30:00 UTC  at 02:30:00
holiday-morning: 2026-11-01 07:00:00 -05:00  2026-11-01 12:00:00 UTC  at 07:00:00
holiday-evening: 2026-10-31 17:35:42 -04:00  2026-10-31 21:35:42 UTC  sunset
holiday-evening: 2026-11-01 16:34:26 -05:00  2026-11-01 21:34:26 UTC  sunset
holiday-night: 2026-11-01 01:30:00 -04:00  2026-11-01 05:30:00 UTC  at 01:30:00
holiday-night: 2026-11-02 01:30:00 -05:00  2026-11-02 06:30:00 UTC  at 01:30:00
home-morning: 2026-11-01 07:00:00 +01:00  2026-11-01 06:00:00 UTC  at 07:00:00
home-morning: 2026-11-02 07:00:00 +01:00  2026-11-02 06:00:00 UTC  at 07:00:00
barn-evening: 2026-10-31 14:47:46 +01:00  2026-10-31 13:47:46 UTC  sunset
barn-evening: 2026-11-01 14:42:55 +01:00  2026-11-01 13:42:55 UTC  sunset
EOT
next 2 --at 2026-10-31T12:00Z >"$work/site-nov.log" 2>&1
check "... its fall-back day: a repeated 01:30 fires at its first occurrence (EDT)" \
	diff -u "$work/site-nov.want" "$work/site-nov.log"
echo "site-place moon 1 2 Mars/Olympus" >>"$work/m.conf"
next 1 >"$work/badzone.log" 2>&1
rc=$?
check "a site-place with an unknown zone is refused with its line" \
	grep -q 'm.conf:[0-9]*: time zone "Mars/Olympus": no such zone in' \
	"$work/badzone.log"
check "... exit 1" test "$rc" -eq 1
finish
