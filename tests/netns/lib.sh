# The proving ground of docs/FAILOVER.md ("How it is tested"): real
# hd-master and hd-slave processes, with real TLS, each in a network
# namespace of its own, joined by tests/netns/wire.py (a switch in user
# space that can cut a link between two nodes, in one direction or both,
# or add delay, jitter, loss, duplication and reordering to it). Sourced
# by tests/netns/NN-*.sh after tests/integration/lib.sh's helpers (check,
# finish, gen_pki, master_conf, slave_conf, wait_log, ...).
#
# Everything is torn down by the EXIT trap, failure or not: the daemons,
# the switch (its TAP devices go with it) and the namespaces, all named
# hdnt-PID-*; a run that crashed before its trap leaves some behind, and
# the next run removes those whose PID is gone. Every wait is bounded.

set -u
ntop=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ntname=$(basename "$0" .sh)
if [ "$(id -u)" -ne 0 ] || ! ip netns list >/dev/null 2>&1 ||
    [ ! -c /dev/net/tun ]; then
	echo "skip - $ntname: needs root, ip netns and /dev/net/tun"
	exit 0
fi
# Our own namespaces stand in for integration/lib.sh's "unshare -n": its
# free_port then counts ports from 20000 in turn.
export HD_NETNS=own
. "$ntop/tests/integration/lib.sh"

NS_PREFIX=hdnt
nsp=$NS_PREFIX-$$
nodes=()		# in order; node i has address 10.99.0.(i+1)
wire_n=0		# control lines sent to the switch
NET=10.99.0

# Namespaces of an earlier run whose process is gone (it crashed past its
# trap): their daemons and the namespaces themselves.
net_leftovers() {
	local n pid p
	for n in $(ip netns list 2>/dev/null | awk '{print $1}' |
	    grep "^$NS_PREFIX-[0-9]*-"); do
		pid=${n#"$NS_PREFIX"-}
		pid=${pid%%-*}
		kill -0 "$pid" 2>/dev/null && continue
		for p in $(ip netns pids "$n" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null
		done
		ip netns del "$n" 2>/dev/null
	done
}

nsof() { echo "$nsp-$1"; }
ipof() { local v="ip_${1//-/_}"; echo "${!v}"; }

# net_up NODE...: a namespace per node and the switch joining them. Sets
# ip_NODE; W is the switch's log.
net_up() {
	local i=0 n args=()
	net_leftovers
	ip netns add "$nsp-hub" || return 1
	for n in "$@"; do
		ip netns add "$(nsof "$n")" || return 1
		ip -n "$(nsof "$n")" link set lo up
		nodes+=("$n")
		args+=("$n=$(nsof "$n")")
	done
	W=$work/wire.log
	mkfifo "$work/wire.ctl"
	ip netns exec "$nsp-hub" python3 "$ntop/tests/netns/wire.py" \
	    --seed "${WIRE_SEED:-$$}" --ctl "$work/wire.ctl" "${args[@]}" \
	    >"$W" 2>&1 &
	pids+=($!)
	disown $!
	wait_log "$W" '^wire: ready' 10 || { cat "$W"; return 1; }
	exec 4>"$work/wire.ctl"
	for n in "$@"; do
		i=$((i + 1))
		ip -n "$(nsof "$n")" addr add "$NET.$i/24" dev eth0 || return 1
		ip -n "$(nsof "$n")" link set eth0 up || return 1
		printf -v "ip_${n//-/_}" '%s' "$NET.$i"
	done
}

# After the daemons (integration/lib.sh's cleanup), the namespaces.
net_down() {
	local n
	for n in hub "${nodes[@]}"; do
		ip netns del "$(nsof "$n")" 2>/dev/null
	done
}
trap 'cleanup; net_down' EXIT

# wire LINE: one control line to the switch, waiting (bounded) until it
# says it applied it.
wire() {
	wire_n=$((wire_n + 1))
	echo "$*" >&4
	wait_log "$W" "^(applied|error) $wire_n " 5 &&
	    ! grep -q "^error $wire_n " "$W"
}
# link_cut A B [oneway]: frames from A to B dropped (and from B to A unless
# oneway); link_heal A B: both ways clear again.
link_cut() {
	wire set "$1" "$2" cut || return 1
	[ "${3:-}" = oneway ] || wire set "$2" "$1" cut
}
link_heal() { wire clear "$1" "$2" && wire clear "$2" "$1"; }
# link_impair A B WORDS...: both directions, e.g. delay=80 jitter=40 loss=0.1
# dup=0.1 reorder=0.2 (wire.py).
link_impair() {
	local a=$1 b=$2; shift 2
	wire set "$a" "$b" "$@" && wire set "$b" "$a" "$@"
}
# wire_stat A B FIELD: a counter of the switch for frames from A to B.
wire_stat() {
	local line
	wire stats "$1" "$2" || return 1
	line=$(grep "^stats $1 $2 " "$W" | tail -1)
	sed -n "s/.* $3=\([0-9]*\).*/\1/p" <<<"$line"
}

# nstart DAEMON NODE: $bin/DAEMON -f $work/NODE.conf in NODE's namespace,
# logging to NODE.log; pid in pid_NODE (ip netns exec execs the daemon).
nstart() {
	local d=$1 n=$2
	ip netns exec "$(nsof "$n")" "$bin/$d" -v -f "$work/$n.conf" \
	    >>"$work/$n.log" 2>&1 &
	pids+=($!)
	disown $!
	printf -v "pid_${n//-/_}" '%s' "$!"
}
# nkill NODE: SIGKILL, then wait (bounded) until it is gone.
nkill() {
	local p i=0
	p=$(pid_of "$1")
	kill -KILL "$p" 2>/dev/null
	while kill -0 "$p" 2>/dev/null && [ "$i" -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	! kill -0 "$p" 2>/dev/null
}

# nmaster_conf NODE PORT PKIDIR CERTNAME [extra lines]: master_conf with
# the cluster link on the node's address and the HTTPS engine on
# 127.0.0.1:$wport inside its namespace.
nmaster_conf() {
	local n=$1 port=$2
	master_conf "$@"
	sed -i "s/^listen 127\.0\.0\.1:/listen $(ipof "$n"):/" "$work/$n.conf"
}
# nslave_conf NODE SITE MASTER-NODE PORT PKIDIR [extra lines]: a slave
# with simulated devices (sim:lamp, and a GPIO relay "pump" that goes off
# after SAFE_AFTER ms without a master) and its journal in NODE.journal.
nslave_conf() {
	local n=$1 site=$2 m=$3 port=$4 p=$5; shift 5
	"$ntop/pki/hd-pki" issue "$p" slave "$n" >/dev/null 2>&1
	slave_conf "$n" "$site" "$port" "$p" "journal $work/$n.journal" \
	    "gpio-chip gpio0 backend sim" \
	    "gpio-output pump chip gpio0 line 17 safe off" \
	    "safe-state-after ${SAFE_AFTER:-1500}" "$@"
	sed -i "s/^master 127\.0\.0\.1:/master $(ipof "$m"):/" "$work/$n.conf"
}

# The API, from inside the master's namespace (hcurl of integration/
# lib.sh, which post and admin_session use). NSAPI: the node serving it.
NSAPI=master
hcurl() {
	ip netns exec "$(nsof "$NSAPI")" curl -s --cacert "$G/ca.crt" \
	    --max-time 5 "$@"
}

# api_cmd NODE DEVICE KEY JSON-VALUE: one command through the API. An
# accepted one (202) is added to $work/accepted (id node device key);
# any other answer to $work/refused with its status.
api_cmd() {
	local out code id
	out=$(hcurl -o - -w '\n%{http_code}' -H 'Content-Type: application/json' \
	    "${auth[@]}" --data-binary "{\"value\":$4}" \
	    "$A/devices/$1/$2/values/$3")
	code=$(tail -n 1 <<<"$out")
	id=$(grep -Eo '"id":[0-9]+' <<<"$out" | head -1 | cut -d: -f2)
	if [ "$code" = 202 ] && [ -n "$id" ]; then
		echo "$id $1 $2 $3" >>"$work/accepted"
	else
		echo "$code $1 $2 $3 $4" >>"$work/refused"
	fi
}

# api_settle SECONDS: wait (bounded) until no accepted command is pending
# or queued, then write each one as GET /api/v1/commands/ID shows it to
# $work/accepted.jsonl (the checker's input). 1 if some stayed pending.
api_settle() {
	local end=$((SECONDS + $1)) id left
	while :; do
		: >"$work/accepted.jsonl"
		left=0
		while read -r id _; do
			hcurl "${auth[@]}" "$A/commands/$id" >"$work/cmd.json"
			cat "$work/cmd.json" >>"$work/accepted.jsonl"
			echo >>"$work/accepted.jsonl"
			grep -Eq '"status":"(ok|failed)"' "$work/cmd.json" ||
			    left=$((left + 1))
		done <"$work/accepted"
		[ "$left" -eq 0 ] && return 0
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.5
	done
}

# check_journals [checker options]: tests/netns/check-journal.py over
# every slave's journal and the accepted commands; its findings in
# $work/checker.out.
check_journals() {
	python3 "$ntop/tests/netns/check-journal.py" \
	    --accepted "$work/accepted.jsonl" "$@" "$work"/*.journal \
	    >"$work/checker.out" 2>&1
	local r=$?
	sed 's/^/# /' "$work/checker.out"
	return $r
}
