#!/usr/bin/env bash
# make bench: what a standby costs and how far it trails (issue 15). The
# failover pair as the takeover bench runs it (tests/netns/cluster.sh
# ha_elect_up: a master, a standby in its synchronous set, two voting
# simulated slaves, each in a network namespace of its own), then:
#   1. idle for BENCH_STANDBY_SECONDS (30): PSS and CPU per minute of the
#      master's and the standby's daemon (the main process, where the
#      replication lives; their web processes are the same either way);
#   2. under load for STANDBY_LOAD_SECONDS (20): slave-house's simulated
#      devices report every 100 ms (simulate-interval's floor) and a
#      bounded loop sends lamp commands through the master's API; the
#      standby's lag as the master reports it (GET /api/v1/cluster,
#      standby.lag, the Standby card's figure) sampled every 100 ms, and
#      STANDBY_PROBES (10) times, from outside, the time from a state
#      change on the master (an API token made: the tokens file) until
#      the standby's state-dir holds the same file;
#   3. STANDBY_PROBES commands one at a time, load over: from the API
#      call until the slave's journal says it executed it (the master
#      sends a command only once the standby holds it);
#   4. the standby stopped and the master and slaves restarted without
#      `master` and `slave` lines (no standby, so no election either: no
#      vote links, no HA_TICK_MS ticks), 3 and 1 again: what the
#      synchronous standby adds to a command, and what the standby and
#      the election together cost the master.
# Prints medians, worsts and ratios. Needs root (namespaces); says so
# otherwise. Everything is torn down by the EXIT trap.
idle_s=${BENCH_STANDBY_SECONDS:-30}
load_s=${STANDBY_LOAD_SECONDS:-20}
probes=${STANDBY_PROBES:-10}
cd "$(dirname "$0")/../.."
if [ "$(id -u)" -ne 0 ]; then
	echo "standby: not available (needs root for network namespaces)"
	exit 0
fi
# tests/netns/lib.sh prints the set-up checks; the bench keeps them in a
# log and prints only its figures.
log=/tmp/hd-bench-standby.$$.log
exec 5>&1
exec >"$log" 2>&1
. tests/netns/lib.sh
. tests/netns/cluster.sh
trap 'cleanup; net_down; rm -f "$log"' EXIT
say() { echo "$*" >&5; }
ms_now() { echo $((${EPOCHREALTIME/./} / 1000)); }
median() { sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "-"}'; }
worst() { sort -n | tail -1; }
give_up() {
	say "standby: not available ($*; log kept: $log)"
	trap 'cleanup; net_down' EXIT
	exit 0
}

# Nanoseconds on a CPU, from the scheduler; PSS from smaps_rollup.
cpu_ns() { awk '{print $1}' "/proc/$1/schedstat"; }
mem() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/smaps_rollup"; }
# idle NAME PID...: after idle_s seconds, "NAME PSS-kB CPU-ms/min
# anonymous-kB" per pid into $work/idle. PSS splits shared pages among
# the processes mapping them (fewer processes, more each); anonymous
# pages (private, written: heap, stacks, .data) are the process's own,
# the fair comparison between two set-ups.
idle() {
	local tag=$1 p i=0
	shift
	local -a c0=()
	for p; do c0+=("$(cpu_ns "$p")"); done
	sleep "$idle_s"
	for p; do
		[ -r "/proc/$p/smaps_rollup" ] || give_up "$tag: pid $p is gone"
		awk -v n="$tag.$i" -v k="$(mem "$p" Pss)" -v a="${c0[$i]}" \
		    -v b="$(cpu_ns "$p")" -v s="$idle_s" \
		    -v an="$(mem "$p" Anonymous)" \
		    'BEGIN {printf "%s %d %.1f %d\n", n, k, (b - a) / 1e6 * 60 / s, an}' \
		    >>"$work/idle"
		i=$((i + 1))
	done
}
fig() { awk -v k="$1" -v f="$2" '$1 == k {print $f}' "$work/idle"; }
# cmd_latency FILE: STANDBY_PROBES lamp commands to slave-house, one at a
# time; each one's ms from the API call to its exec line in the slave's
# journal (the journal's wall clock) into FILE.
cmd_latency() {
	local f=$1 i k n0 t0 w
	: >"$f"
	for ((i = 0; i < probes; i++)); do
		n0=$(count_log "$work/slave-house.journal" '^exec ')
		t0=$(ms_now)
		api_cmd slave-house sim:lamp on "$(bool "$i")"
		for ((k = 0; k < 500; k++)); do
			[ "$(count_log "$work/slave-house.journal" '^exec ')" -gt "$n0" ] &&
				break
			sleep 0.01
		done
		[ "$k" -lt 500 ] || give_up "command $i not executed within 5 s"
		w=$(grep '^exec ' "$work/slave-house.journal" | tail -1 |
		    grep -Eo 'wall_ms=[0-9]+' | cut -d= -f2)
		echo $((w - t0)) >>"$f"
	done
}
# restart_slave SITE-NODE: after its conf was changed; until the master
# says it is online again.
restart_slave() {
	local n
	n=$(count_log "$M" "slave $1 \\(site .*online")
	nkill "$1" || give_up "$1 did not stop"
	nstart hd-slave "$1"
	wait_count "$M" "slave $1 \\(site .*online" $((n + 1)) 20 ||
		give_up "$1 did not register again"
}

{ ha_elect_up && [ "$failures" -eq 0 ]; } ||
	give_up "the master and its standby did not come up"
# 1. Idle, the standby in the synchronous set.
idle with "$pid_master" "$pid_sb"

# 2. Load. slave-house again, now reporting every 100 ms.
sed -i 's/^simulate-interval .*/simulate-interval 100/' "$work/slave-house.conf"
restart_slave slave-house
: >"$work/accepted"
: >"$work/refused"
: >"$work/lag"
t_end=$(($(ms_now) + load_s * 1000))
# The commands and the lag samples: bounded loops in the background.
(
	i=0
	while [ "$(ms_now)" -lt "$t_end" ]; do
		api_cmd slave-house sim:lamp on "$(bool "$i")"
		i=$((i + 1))
	done
) &
cmdpid=$!
(
	while [ "$(ms_now)" -lt "$t_end" ]; do
		hcurl "${auth[@]}" "$A/cluster" |
		    grep -Eo '"lag":\{[^}]*\}' >>"$work/lag"
		sleep 0.1
	done
) &
lagpid=$!
# A state change, spread over the load: a token made, then the
# standby's copy of the tokens file polled every 10 ms (5 s at most).
: >"$work/t_sync"
for ((p = 1; p <= probes; p++)); do
	t0=$(ms_now)
	out=$(post tokens "{\"name\":\"bench $p\"}" "${auth[@]}")
	id=$(grep -Eo '"id":"[0-9a-f]+"' <<<"$out" | cut -d'"' -f4)
	[ -n "$id" ] || give_up "no token made: $out"
	for ((k = 0; k < 500; k++)); do
		cmp -s "$work/state-master/tokens" "$work/state-sb/tokens" &&
			break
		sleep 0.01
	done
	[ "$k" -lt 500 ] || give_up "the standby did not get the tokens file in 5 s"
	echo $(($(ms_now) - t0)) >>"$work/t_sync"
	hcurl "${auth[@]}" -X DELETE -o /dev/null "$A/tokens/$id"
	# Spread over the load period, not all at its start.
	[ "$(ms_now)" -lt "$t_end" ] && sleep "$(awk -v s="$load_s" -v n="$probes" \
	    'BEGIN {printf "%.2f", s / n / 2}')"
done
wait "$cmdpid" "$lagpid"
ncmd=$(wc -l <"$work/accepted")
nref=$(wc -l <"$work/refused")
[ "$ncmd" -gt 0 ] || give_up "no command accepted under load"
grep -Eo '"ms":[0-9]+' "$work/lag" | cut -d: -f2 >"$work/lag_ms"
grep -Eo '"files":[0-9]+' "$work/lag" | cut -d: -f2 >"$work/lag_files"
nsamp=$(wc -l <"$work/lag_ms")
[ "$nsamp" -gt 0 ] || give_up "no lag figure from GET /cluster"
nlag=$(awk '$1 > 0' "$work/lag_ms" | wc -l)
say "standby: load for $load_s s: $ncmd commands accepted ($nref refused), slave-house reporting every 100 ms"
say "standby: lag the master reports (standby.lag, $nsamp samples, $nlag not 0): ms median $(median <"$work/lag_ms"), worst $(worst <"$work/lag_ms"); files median $(median <"$work/lag_files"), worst $(worst <"$work/lag_files")"
say "standby: a state change on the master (a token made) until the standby holds the file, $probes times: median $(median <"$work/t_sync") ms, worst $(worst <"$work/t_sync") ms"
# 3. A command's latency with the standby in the synchronous set.
cmd_latency "$work/cmd_with"

# 4. No standby configured: the standby gone, the master and the slaves
# started again without master and slave lines (each slave naming the
# master alone).
nkill sb || give_up "sb did not stop"
nkill master || give_up "the master did not stop"
sed -i -e '/^master /d' -e '/^slave /d' "$work/master.conf"
for s in slave-house slave-barn; do
	sed -i -e '/^master /d' -e 's/^simulate-interval .*/simulate-interval 300/' \
	    "$work/$s.conf"
	echo "master $ip_master:$port" >>"$work/$s.conf"
done
n_web=$(count_log "$M" 'web process [0-9]+ serving')
nstart hd-master-testroot master
wait_count "$M" 'web process [0-9]+ serving' $((n_web + 1)) 15 ||
	give_up "the master alone did not serve"
for s in slave-house slave-barn; do restart_slave "$s"; done
admin_login || give_up "no admin login on the master alone"
cmd_latency "$work/cmd_alone"
idle alone "$pid_master"

say "standby: a command, API call to the slave's exec ($probes, one at a time): with the standby median $(median <"$work/cmd_with") ms, worst $(worst <"$work/cmd_with") ms; without one median $(median <"$work/cmd_alone") ms, worst $(worst <"$work/cmd_alone") ms"
w_pss=$(fig with.0 2) w_cpu=$(fig with.0 3) w_an=$(fig with.0 4)
s_pss=$(fig with.1 2) s_cpu=$(fig with.1 3) s_an=$(fig with.1 4)
a_pss=$(fig alone.0 2) a_cpu=$(fig alone.0 3) a_an=$(fig alone.0 4)
say "standby: idle $idle_s s, the daemons' main process (PSS kB, anonymous kB, CPU ms per minute):"
say "standby:   master with a standby  $w_pss kB  $w_an kB  $w_cpu ms/min"
say "standby:   the standby            $s_pss kB  $s_an kB  $s_cpu ms/min"
say "standby:   master without one     $a_pss kB  $a_an kB  $a_cpu ms/min"
awk -v wa="$w_an" -v wc="$w_cpu" -v sa="$s_an" -v sc="$s_cpu" \
    -v aa="$a_an" -v ac="$a_cpu" 'function r(a, b) { return b > 0 ? a / b : 0 }
	BEGIN {
	printf "standby: the standby is %.2f x the master in anonymous memory, %.2f x in CPU\n", r(sa, wa), r(sc, wc)
	printf "standby: a standby and the election cost the master %+d kB anonymous (%.2f x) and %+.1f ms CPU per minute (%.2f x)\n", wa - aa, r(wa, aa), wc - ac, r(wc, ac)
}' >&5
