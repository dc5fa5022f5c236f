#!/usr/bin/env bash
# The event stream's fan-out cost (docs/API.md): a master and a slave
# with a quiet simulation, then the same flood of API commands (each a
# value event and a command event) with 0 and with BENCH_STREAMS (40)
# admin streams open, from 4 per address. Prints the CPU time the web
# process and the master used for each, and the web process's memory.
#   env BUILD=build tests/bench/stream.sh
. "$(dirname "$0")/../integration/lib.sh"

nstreams=${BENCH_STREAMS:-40}
ncmds=${BENCH_COMMANDS:-500}
web_master
A=$U/api/v1
slave_conf slave-house House "$port" "$G" "simulate-interval 3600000"
out=$("$bin/hd-master" -f "$work/master.conf" -U admin 2>&1)
pw=$(sed -n 's/.*password (shown only now): //p' <<<"$out")
start hd-master master
start hd-slave slave-house
wait_log "$M" 'web process [0-9]+ serving' 10
wait_log "$M" 'slave slave-house announced' 15
hcurl() { curl -s --cacert "$G/ca.crt" --max-time 10 "$@"; }
out=$(hcurl -D "$work/head" -H 'Content-Type: application/json' \
	--data-binary "{\"name\":\"admin\",\"password\":\"$pw\"}" "$A/login")
S="Cookie: $(tr -d '\r' <"$work/head" | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p')"
C="X-CSRF-Token: $(grep -Eo '"csrf":"[0-9a-f]{64}"' <<<"$out" | cut -d'"' -f4)"
tok=$(hcurl -H "$S" -H "$C" -H 'Content-Type: application/json' \
	--data-binary '{"name":"bench"}' "$A/tokens" | grep -Eo 'hdt_[0-9a-f]{64}')
wpid=$(web_pid)
mpid=$(pid_of master)
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }	# clock ticks
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }	# kB
cat >"$work/flood.py" <<PY
import http.client, json, ssl, sys
ctx = ssl.create_default_context(cafile="$G/ca.crt")
new = lambda: http.client.HTTPSConnection("127.0.0.1", $wport, context=ctx,
                                          timeout=10)
c = new()
hdr = {"Authorization": "Bearer $tok", "Content-Type": "application/json"}
n = 0
for i in range(int(sys.argv[1])):
    try:
        c.request("POST", "/api/v1/devices/slave-house/sim:lamp/values/on",
                  json.dumps({"value": i % 2 == 0}), hdr)
        r = c.getresponse(); r.read(); n += r.status == 202
    except (OSError, http.client.HTTPException):
        c.close(); c = new()	# HTTP_MAX_REQUESTS per connection
print(n)
PY
tck=$(getconf CLK_TCK)
echo "# idle: web RSS $(rss "$wpid") kB, master RSS $(rss "$mpid") kB"
for ns in 0 "$nstreams"; do
	for i in $(seq 1 "$ns"); do
		curl -s -N --cacert "$G/ca.crt" --max-time 300 \
			--interface "127.0.0.$(( (i - 1) / 4 + 10 ))" \
			-H "Authorization: Bearer $tok" "$A/stream" \
			>"$work/st$ns.$i" 2>/dev/null &
		pids+=($!); disown $!
	done
	[ "$ns" -gt 0 ] && wait_count "$M" 'stream of admin started' "$ns" 20
	w0=$(cpu "$wpid"); m0=$(cpu "$mpid")
	n=$(python3 "$work/flood.py" "$ncmds")
	sleep 2
	w1=$(cpu "$wpid"); m1=$(cpu "$mpid")
	echo "# $ns streams: $n commands (~$((2 * n)) events): web process" \
	    "$(( (w1 - w0) * 1000 / tck )) ms CPU, master" \
	    "$(( (m1 - m0) * 1000 / tck )) ms CPU, web RSS $(rss "$wpid") kB"
	if [ "$ns" -gt 0 ]; then
		echo "# one stream received $(grep -c '^id:' "$work/st$ns.1")" \
		    "events, $(wc -c <"$work/st$ns.1") bytes"
	fi
done
finish
