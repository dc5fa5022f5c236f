#!/usr/bin/env bash
# make bench: a slave cut off from its master, idle for BENCH_LOCAL_SECONDS
# (30), once with the local rules the example's events give it (deploy/
# examples/home.events: slave-barn's local share of the 153 events) and
# once with none. Prints the slave's PSS, private dirty and heap memory and
# its CPU time per minute in each case, and the difference: what running
# local rules costs a slave (docs/SCHEDULER.md#local-rules).
set -eu
cd "$(dirname "$0")/../.."
top=$PWD
bin=$top/${BUILD:-build}
secs=${BENCH_LOCAL_SECONDS:-30}
work=$(mktemp -d /tmp/hd-bench-local.XXXXXX)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null; rm -rf "$work"' EXIT

pki/hd-pki init "$work/pki" --name Bench >/dev/null
pki/hd-pki issue "$work/pki" master master >/dev/null
pki/hd-pki issue "$work/pki" slave slave-barn >/dev/null
cp deploy/examples/*.events "$work/"
: >"$work/none.events"

# wait_for FILE REGEX: up to 20 s.
wait_for() {
	local i
	for i in $(seq 200); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "bench: no \"$2\" in $1"; cat "$1"; exit 1
}
cpu_ns() { awk '{print $1}' "/proc/$1/schedstat"; }
mem() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/smaps_rollup"; }
heap() { awk '/\[heap\]/ {h=1; next} /^[0-9a-f]+-/ {h=0} h && /^Pss:/ {print $2}' "/proc/$1/smaps"; }

# run NAME EVENTS-FILE: prints "NAME pss dirty heap cpu_ms_per_min nevents"
run() {
	local name=$1 ev=$2 port mpid spid t0 n
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	rm -rf "$work/state-master" "$work/state-slave-barn"
	cat >"$work/master.conf" <<CONF
listen 127.0.0.1:$port
ca pki/ca.crt
cert pki/master.crt
key pki/master.key
crl pki/crl.pem
state-dir state-master
events $ev
latitude 52.52
longitude 13.405
CONF
	cat >"$work/slave-barn.conf" <<CONF
site barn
master 127.0.0.1:$port
ca pki/ca.crt
cert pki/slave-barn.crt
key pki/slave-barn.key
crl pki/crl.pem
state-dir state-slave-barn
simulate yes
local-after 1000
CONF
	(cd "$work" && exec "$bin/hd-master" -v -f master.conf 2>"$name-master.log") &
	mpid=$!
	pids+=("$mpid")
	(cd "$work" && exec "$bin/hd-slave" -v -f slave-barn.conf 2>"$name-slave.log") &
	spid=$!
	pids+=("$spid")
	wait_for "$work/$name-slave.log" 'local rules: version [0-9a-f]+, [0-9]+ events?, kept'
	n=$(grep -Eo 'version [0-9a-f]+, [0-9]+ event' "$work/$name-slave.log" | awk '{print $3}')
	kill -TERM "$mpid"
	wait "$mpid" 2>/dev/null || true
	wait_for "$work/$name-slave.log" 'local rules: (no master for [0-9]+ ms: running|no master .* and no local rules)'
	sleep 2
	t0=$(cpu_ns "$spid")
	sleep "$secs"
	printf '%s %d %d %d %s %s\n' "$name" "$(mem "$spid" Pss)" \
	    "$(mem "$spid" Private_Dirty)" "$(heap "$spid")" \
	    "$(awk -v a="$t0" -v b="$(cpu_ns "$spid")" -v s="$secs" \
	    'BEGIN {printf "%.2f", (b - a) / 1e6 * 60 / s}')" "$n"
	kill -TERM "$spid"
	wait "$spid" 2>/dev/null || true
	pids=()
}

a=$(run example "$work/home.events")
b=$(run none "$work/none.events")
printf '%-26s %8s %14s %8s %14s\n' "slave-barn cut off" "PSS kB" "priv dirty kB" "heap kB" "CPU ms/minute"
for l in "$a" "$b"; do
	set -- $l
	printf '%-26s %8d %14d %8d %14s\n' "$1 ($6 local events)" "$2" "$3" "$4" "$5"
done
set -- $a; pa=$2 da=$3 ha=$4 ca=$5
set -- $b
awk -v p=$((pa - $2)) -v d=$((da - $3)) -v h=$((ha - $4)) -v c1="$ca" -v c2="$5" \
    'BEGIN {printf "local rules cost: PSS %+d kB, private dirty %+d kB, heap %+d kB, CPU %.2f vs %.2f ms per minute idle (%.4f%% vs %.4f%% of one core)\n", p, d, h, c1, c2, c1 / 600, c2 / 600}'
