#!/usr/bin/env bash
# A stuck command cancelled, and the standby agreeing after a takeover
# (docs/FAILOVER.md, "Stuck and late commands"). The election with three
# voting slaves (so that one cut off leaves the master its majority).
# slave-shed is cut off from the master (not from sb); two commands to
# it are accepted (202) while the master still counts it online, and go
# nowhere. The admin cancels the first (DELETE /api/v1/commands/{id}:
# 200 once sb holds the cancel); the second is left. The master is
# SIGKILLed, sb elected; the cut heals and slave-shed registers with sb.
# Then:
#  - sb's API shows the first cancelled (its log agrees), and sb never
#    sends it: slave-shed's journal has no exec of it;
#  - the second, not cancelled, is sent again by sb and executed once
#    (the proof that a resend would be seen);
#  - a cancel of a command with its result is refused (409 settled), a
#    user's cancel is refused (403);
#  - the checker: no command twice, one master a term.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cluster.sh"

HA_SLAVES="slave-house slave-barn slave-shed"
ha_elect_up || finish
S=$work/slave-shed.log
burst 1 slave-house slave-shed
check "a command to each of house and shed accepted" \
	test "$(wc -l <"$work/accepted")" -eq 2
check "... and executed" api_settle 30

# The cut: what the master sends slave-shed now goes nowhere. Both
# commands leave while the master still counts it online (its timeout
# is 2 s), so they are accepted and stuck.
check "the master's links to slave-shed cut (sb's stay)" \
	link_cut master slave-shed
: >"$work/accepted"
api_cmd slave-shed sim:lamp on false
api_cmd slave-shed sim:lamp on true
check "two commands to the cut-off slave-shed accepted (202)" \
	test "$(wc -l <"$work/accepted")" -eq 2
c1=$(sed -n 1p "$work/accepted" | cut -d' ' -f1)
c2=$(sed -n 2p "$work/accepted" | cut -d' ' -f1)
echo "# stuck: $c1 (to be cancelled), $c2 (left)"
check "the master counts slave-shed offline" \
	wait_log "$M" 'slave slave-shed \(site .*\) offline' 15
check "slave-shed lost the master (its connection is gone: nothing in \
flight reaches it after the heal)" wait_log "$S" 'lost master master' 15
check "... and neither command reached it" eval \
	"! grep -Eq '^exec id=($c1|$c2) ' '$work/slave-shed.journal'"

# The admin's cancel; a user's is refused.
status() { hcurl -o "$work/cancel.json" -w '%{http_code}' "$@"; }
check "the master's API: the first ended offline (the log: no result)" \
	eval "hcurl \"\${auth[@]}\" \"\$A/commands/$c1\" |
	    grep -q '\"result\":\"offline\"'"
code=$(status -X DELETE "${auth[@]}" "$A/commands/$c1")
check "DELETE /api/v1/commands/$c1 by the admin: 200 cancelled" eval \
	"[ '$code' = 200 ] && grep -q '\"status\":\"cancelled\"' '$work/cancel.json'"
check "... the master logs it" \
	wait_log "$M" "failover: command $c1 cancelled by admin" 5
code=$(status -X DELETE "${auth[@]}" "$A/commands/$c1")
check "a second cancel: 409 settled" eval \
	"[ '$code' = 409 ] && grep -q settled '$work/cancel.json'"
done_id=$(head -1 "$work/accepted.jsonl" | grep -Eo '"id":[0-9]+' | cut -d: -f2)
code=$(status -X DELETE "${auth[@]}" "$A/commands/$done_id")
check "a cancel of a command with its result: 409 settled" eval \
	"[ '$code' = 409 ]"
# sb must hold the cancel before the kill: the 200 waited for it.
check "sb's commands.log holds the cancel" eval \
	"grep -aq 'cancelled by admin' '$work/state-sb/commands.log'"

check "kill -9 the master" nkill master
check "sb is elected master of term 3" wait_log "$SB" \
	'failover: sb is master of term 3 \(elected' 20
check "the cut heals" link_heal master slave-shed
check "slave-shed registers with sb in term 3" wait_log "$S" \
	'registered with master sb \(.*\), term 3' 20

# From here on, sb's API (the session made on the old master).
NSAPI=sb A=$SA
check "sb's API: $c1 cancelled, as the old master's log said" eval \
	"hcurl \"\${auth[@]}\" \"\$A/commands/$c1\" | grep -q '\"status\":\"cancelled\"'"
check "sb sends $c2 again (no result in its log)" \
	wait_log "$SB" "failover: command $c2 to slave-shed sent again" 10
check "... and slave-shed executes it" \
	wait_log "$work/slave-shed.journal" "^exec id=$c2 " 10
# A new command after the registration: on the same link after any
# resend, so once it is executed a resend of $c1 would have been too.
: >"$work/accepted"
api_cmd slave-shed sim:lamp on false
check "sb accepts a new command to slave-shed" \
	test "$(wc -l <"$work/accepted")" -eq 1
c3=$(cut -d' ' -f1 "$work/accepted")
check "... executed" wait_log "$work/slave-shed.journal" "^exec id=$c3 " 10
check "the cancelled $c1 was never sent again nor executed" eval \
	"! grep -q 'command $c1 to slave-shed sent again' '$SB' &&
	 ! grep -Eq '^exec id=$c1 ' '$work/slave-shed.journal'"
echo "$c2 slave-shed sim:lamp on" >>"$work/accepted"
check "... $c2 and $c3 settle ok on sb" api_settle 20
check "checker: none executed twice, one master a term" \
	check_journals
check "one master of term 2, one of term 3" test \
	"$(masters_of_term 2)$(masters_of_term 3)" = 11
finish
