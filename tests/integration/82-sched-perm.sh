#!/usr/bin/env bash
# Who sees which scheduler event (docs/SCHEDULER.md#who-sees-what), with a
# real master and two real slaves (sites House and Barn): a user granted
# the House lists only the House's events and those naming no device, gets
# a 404 for the others, and its event stream carries the firings of
# those only, while an admin lists and receives everything.
. "$(dirname "$0")/lib.sh"

web_master "events $work/two.events"
A=$U/api/v1
E=$work/two.events
cat >"$E" <<'EOT'
mode house { home away }
event house-blink { when every 1 s do set slave-house/sim:lamp.on = on }
event barn-blink { when every 1 s do set slave-barn/sim:lamp.on = on }
event clock { when every 1 s do notify "clock" }
# reads the Barn, drives the House: the House alone does not cover it
event bridge {
	when every 1 s
	if slave-barn/sim:lamp.on == on or house is home
	do set slave-house/sim:lamp.on = on
}
# a node that never connected: its site is unknown
event ghost { when online slave-ghost do notify "ghost" }
EOT
slave_conf slave-house House "$port" "$G"
slave_conf slave-barn Barn "$port" "$G"
out=$("$bin/hd-master" -f "$work/master.conf" -U admin 2>&1)
pw=$(sed -n 's/.*password (shown only now): //p' <<<"$out")
start hd-master master
start hd-slave slave-house
start hd-slave slave-barn
check "web process starts" wait_log "$M" 'web process [0-9]+ serving' 20
check "both slaves announce" wait_count "$M" 'slave slave-[a-z]+ announced' 2 30

hcurl() { curl -s --cacert "$G/ca.crt" --max-time 10 "$@"; }
# names: the event names of a GET events answer, in order, blank separated
names() { grep -Eo '\{"name":"[a-z-]+"' | cut -d'"' -f4 | tr '\n' ' '; }

login admin "$pw"; AS=$S AC=$C
bobpw=$(mk bob user '[{"site":"House","device":"","access":"control"}]')
norapw=$(mk nora viewer '[]')
check "users made: bob granted the House, nora nothing" \
	test "${#bobpw}" = 20 -a "${#norapw}" = 20

# 1. The list
out=$(call GET events "" -H "$AS")
check "admin: all five events" grep -q '"total":5,' <<<"$out"
check "admin: in file order" \
	test "$(names <<<"$out")" = "house-blink barn-blink clock bridge ghost "
login bob "$bobpw"; BS=$S BC=$C
out=$(call GET events "" -H "$BS")
check "bob: 200" grep -q '^200' <<<"$out"
check "bob: the House's event and the deviceless one only" \
	test "$(names <<<"$out")" = "house-blink clock "
check "bob: total counts what he sees" grep -q '"total":2,' <<<"$out"
out=$(call GET events/house-blink "" -H "$BS")
check "bob gets his event by name" grep -q '^200' <<<"$out"
out=$(call GET events/barn-blink "" -H "$BS")
check "bob: the Barn's event is a 404" grep -q '^404' <<<"$out"
check "... the same as an event that does not exist" \
	test "$(tail -n1 <<<"$out")" = "$(call GET events/nothing-here "" -H "$BS" | tail -n1)"
check "bob: the event reading the Barn is a 404 too" \
	grep -q '^404' <<<"$(call GET events/bridge "" -H "$BS")"
check "admin gets the Barn's event" \
	grep -q '^200' <<<"$(call GET events/barn-blink "" -H "$AS")"
check "bob: from beyond what he sees is a 400" \
	grep -q '^400' <<<"$(call GET 'events?from=3' "" -H "$BS")"
login nora "$norapw"; NS=$S
check "nora (no grant): only the deviceless event" \
	test "$(call GET events "" -H "$NS" | names)" = "clock "
check "modes stay installation-wide" \
	grep -q '"name":"house","value":"home"' <<<"$(call GET modes "" -H "$NS")"

# 2. The stream: both open, then the admin's sees the Barn fire twice more.
stream() {	# stream COOKIE FILE: at most 40 s
	curl -s -N --cacert "$G/ca.crt" --max-time 40 -H "$1" "$A/stream" >"$2" 2>/dev/null &
	pids+=($!)
}
stream "$AS" "$work/admin.sse"
stream "$BS" "$work/bob.sse"
check "both streams open" \
	eval 'wait_log "$work/admin.sse" "^event: hello" 20 && wait_log "$work/bob.sse" "^event: hello" 20'
n=$(count_log "$work/admin.sse" '"event":"barn-blink"')
check "admin's stream: the Barn's firings" \
	wait_count "$work/admin.sse" '"event":"barn-blink"' $((n + 2)) 20
check "admin's stream: the mixed event's firings" \
	wait_count "$work/admin.sse" '"event":"bridge"' 1 10
check "bob's stream: his site's firings" \
	wait_log "$work/bob.sse" '"event":"house-blink"' 10
check "bob's stream: the deviceless event's firings" \
	wait_log "$work/bob.sse" '"event":"clock"' 10
check "bob's stream: nothing of the Barn's event" \
	test "$(count_log "$work/bob.sse" '"event":"barn-blink"')" = 0
check "bob's stream: nothing of the event reading the Barn" \
	test "$(count_log "$work/bob.sse" '"event":"bridge"')" = 0
check "bob's stream still gets the House's values" \
	wait_log "$work/bob.sse" '^event: value' 10
out=$(call PUT modes '{"mode":"house","value":"away"}' -H "$BS" -H "$BC")
check "bob sets a mode" grep -q '^200' <<<"$out"
check "the mode change reaches bob's stream" \
	wait_log "$work/bob.sse" '"mode":"house","value":"away"' 10
finish
