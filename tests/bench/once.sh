#!/usr/bin/env bash
# make bench: what the replicated command log costs a command
# (docs/FAILOVER.md, "Commands through the log"). A master, a standby and
# two slaves with the election configured (tests/netns/cluster.sh
# ha_elect_up), each in a network namespace of its own. ONCE_CMDS (200)
# API commands one after the other, each timed by curl from the master's
# namespace (POST to its 202: TLS set-up included, the same in both
# cases), first with sb in the synchronous set (the 202 waits until sb
# holds the record), then after sb is killed and the master goes on alone
# ("standby lost"). Prints the median and p90 of each and the difference
# of the medians. Needs root (namespaces); says so otherwise.
n=${ONCE_CMDS:-200}
cd "$(dirname "$0")/../.."
if [ "$(id -u)" -ne 0 ]; then
	echo "once: not available (needs root for network namespaces)"
	exit 0
fi
exec 5>&1
exec >"/tmp/hd-bench-once.$$.log" 2>&1
. tests/netns/lib.sh
. tests/netns/cluster.sh
trap 'cleanup; net_down; rm -f "/tmp/hd-bench-once.$$.log"' EXIT
say() { echo "$*" >&5; }
pct() { sort -n | awk -v p="$1" '{a[NR]=$1} END {if (NR) print a[int((NR-1)*p)+1]; else print "-"}'; }

# timed N: N commands to slave-house's lamp, each one's ms on a line.
timed() {
	local i t
	for ((i = 0; i < $1; i++)); do
		t=$(hcurl -o /dev/null -w '%{http_code} %{time_total}' \
		    -H 'Content-Type: application/json' "${auth[@]}" \
		    --data-binary "{\"value\":$(bool "$i")}" \
		    "$A/devices/slave-house/sim:lamp/values/on")
		[ "${t%% *}" = 202 ] && awk '{printf "%d\n", $2 * 1000 + 0.5}' \
		    <<<"$t"
	done
}

if ! ha_elect_up; then
	say "once: not available (the cluster did not come up)"
	exit 0
fi
burst 2 slave-house	# the master has the slave's devices
timed "$n" >"$work/sync.ms"
nkill sb
if ! wait_log "$M" 'standby sb out of the synchronous set' 15; then
	say "once: not available (the master did not go on alone)"
	exit 0
fi
timed "$n" >"$work/alone.ms"
s50=$(pct 0.5 <"$work/sync.ms") s90=$(pct 0.9 <"$work/sync.ms")
a50=$(pct 0.5 <"$work/alone.ms") a90=$(pct 0.9 <"$work/alone.ms")
say "once: $(wc -l <"$work/sync.ms") commands with a synchronous standby: median ${s50} ms, p90 ${s90} ms"
say "once: $(wc -l <"$work/alone.ms") commands without (standby lost): median ${a50} ms, p90 ${a90} ms"
say "once: added by the standby: $((s50 - a50)) ms (median)"
