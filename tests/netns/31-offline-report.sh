#!/usr/bin/env bash
# An `offline` firing the standby never held is reported, not lost
# (docs/FAILOVER.md#an-old-masters-unreplicated-firings). The election
# with three voting slaves (one cut off leaves the master its majority),
# both masters with the same events file: `gone` fires when slave-shed
# goes offline and sets slave-barn's lamp on.
#   - The link between the master and sb is cut: the master goes on
#     alone (sb out of the synchronous set, the fence allows it alone),
#     so nothing it writes from now on reaches sb.
#   - The master's links to slave-shed are cut: the master declares it
#     offline and fires `gone`; its record is in the master's own
#     sched.state only; its command reaches slave-barn.
#   - The master is SIGKILLed, the cuts heal, the operator forces sb up
#     (the fence refuses it otherwise): sb is master of term 3 and knows
#     nothing of that firing.
#   - The old master restarts, follows sb and, before sb's sched.state
#     replaces its own, finds the firing and reports it: its log names
#     the event, the instant and the firing id; sb logs it and records it
#     (GET /api/v1/events/gone: the result "fired by the old master,
#     unreplicated", a run on "old master"), exactly once; the old master
#     forgets it once sb acknowledged it (no sched.orphans left).
#   - The old master restarts again: nothing is reported again; sb never
#     ran `gone` (its one exec on slave-barn is the old master's).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cluster.sh"

EVENTS='event gone {
	when offline slave-shed
	do set slave-barn/sim:lamp.on = on
}
'
events_conf() {	# ha_elect_up's HA_EXTRA_NODE: each node its own file
	printf '%s' "$EVENTS" >"$work/$1.events"
	echo "events $work/$1.events" >>"$work/$1.conf"
}
HA_EXTRA_NODE=events_conf
HA_SLAVES="slave-house slave-barn slave-shed"
ha_elect_up || finish

# sb started again, with --force-promote (25-force-promote.sh).
force_sb() {
	nkill sb || return 1
	ip netns exec "$(nsof sb)" "$bin/hd-master-testroot" -v \
	    -f "$work/sb.conf" --force-promote >>"$SB" 2>&1 &
	pids+=($!)
	disown $!
	pid_sb=$!
}
# lamp_ons: slave-barn's executed "lamp on" commands.
lamp_ons() { grep -c '^exec .* dev=sim:lamp key=on value=b:true' \
	"$work/slave-barn.journal" 2>/dev/null || true; }
re_found='sched: event gone fired at ([0-9]+) \(firing id ([0-9a-f]{16}), [0-9]+ commands? unanswered\) by this node as master'
re_recorded='sched: event gone fired at [0-9]+ \(firing id [0-9a-f]{16}, .*\) by the old master master, whose record never reached this master'
# gone PID: wait (bounded) until the process has ended.
gone() {
	local i
	for ((i = 0; i < 100; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

check "the session file reached sb" sessions_synced
check "cut the link between the master and sb" link_cut master sb
check "the master goes on without sb" wait_log "$M" \
	'failover: standby sb out of the synchronous set' 15
check "cut the master's links to slave-shed (sb's stay)" \
	link_cut master slave-shed
check "the master declares slave-shed offline and fires gone" wait_log \
	"$M" 'sched: event gone fired \(slave offline\)' 15
check "... its command reaches slave-barn" eval \
	'for ((i = 0; i < 150; i++)); do [ "$(lamp_ons)" -ge 1 ] && break;
	 sleep 0.1; done; [ "$(lamp_ons)" -eq 1 ]'
check "kill -9 the master" nkill master
check "heal the cuts" eval 'link_heal master sb && link_heal master slave-shed'
check "sb restarted with --force-promote" force_sb
check "sb is master of term 3, forced" wait_log "$SB" \
	'failover: sb is master of term 3 \(FORCED' 20
NSAPI=sb A=$SA
check "sb's API: gone never fired here (the record never reached sb)" \
	eval 'hcurl "${auth[@]}" "$A/events/gone" | grep -q "\"last_fired_ms\":null"'

# The old master comes back: it follows sb and reports.
nstart hd-master-testroot master
check "the old master follows sb" wait_log "$M" \
    'standby: following master sb' 30
check "it finds its firing sb lacks: event, instant, firing id" \
	wait_log "$M" "$re_found" 15
at=$(sed -En "s/.*$re_found.*/\\1/p" "$M" | head -1)
fid=$(sed -En "s/.*$re_found.*/\\2/p" "$M" | head -1)
echo "# the old master's firing: at $at, id $fid"
check "sb records it as fired by the old master, unreplicated" \
	wait_log "$SB" "$re_recorded" 15
check "... naming the same instant and id" grep -Eq \
	"sched: event gone fired at $at \\(firing id $fid," "$SB"
check "the old master forgets it once acknowledged" wait_log "$M" \
	'sched: the master recorded 1 unreplicated firing of this node \(0 left\)' 15
check "... no sched.orphans left" test ! -e "$work/state-master/sched.orphans"
ev=$(hcurl "${auth[@]}" "$A/events/gone")
echo "# sb's gone: $(grep -o '"last_result":"[^"]*"' <<<"$ev")"
check "sb's API: gone's result says fired by the old master, unreplicated" \
	grep -q '"fired by the old master, unreplicated' <<<"$ev"
check "sb's API: a run at that instant on the old master" grep -Eq \
	"\"at_ms\":$at,\"due_ms\":$at,\"on\":\"old master\",\"local\":false,\"unreplicated\":true" <<<"$ev"

# Again: a restart reports nothing more.
check "sb's sched.state with the record reaches the old master" wait_log \
	"$M" 'state sync: every state file of the master is applied' 15
p=$(pid_of master)
kill -TERM "$p"
check "the old master stops" gone "$p"
n=$(count_log "$M" 'following master sb')
nstart hd-master-testroot master
check "it restarts and follows sb again" wait_count "$M" \
	'standby: following master sb' $((n + 1)) 30
check "... has sb's state files" wait_count "$M" \
	'state sync: every state file of the master is applied' 2 15
check "nothing found again" test "$(count_log "$M" "$re_found")" -eq 1
check "sb recorded it exactly once" eval \
	'[ "$(count_log "$SB" "$re_recorded")" -eq 1 ] &&
	 ! grep -q "reported again" "$SB"'
check "sb never ran gone: slave-barn's lamp on once, the old master's" \
	test "$(lamp_ons)" -eq 1
check "one master of term 2, one of term 3" test \
	"$(masters_of_term 2)$(masters_of_term 3)" = 11
finish
