#!/usr/bin/env bash
# Exactly once across a takeover (docs/FAILOVER.md, "A command in flight
# at the moment of a crash"): with the election configured, three
# commanders send API commands to the master at once, and the master is
# SIGKILLed while they run, so that commands are in flight at every
# stage (logged, held by sb, sent, executed, answered). The link from the
# master to slave-house is slowed (250 ms each way), and the kill comes
# when a command to slave-house was answered 202 but its result is not
# back: sb must send it again, and the slave's memo answers it. sb is
# elected master of term 3. Then, from sb's API and the slaves' journals:
#  - every command the old master answered 202 is known to sb's API
#    (GET /api/v1/commands/{id}, its list comes from the replicated log)
#    and settles there;
#  - every command a slave executed is known to sb's API (nothing acted
#    on outside the log), each executed exactly once: none missed, none
#    twice (check-journal.py --no-missed --all-known over the 202s and
#    the executed ones);
#  - commands sb accepts after the takeover are executed too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cluster.sh"

ha_elect_up || finish
burst 2 slave-house slave-barn
check "the first burst is accepted (4 commands)" \
	test "$(wc -l <"$work/accepted")" -eq 4

# commander N SLAVE: 25 commands, one after the other (each waits for its
# answer: a refused one, after the kill, fails fast or in curl's 5 s).
commander() {
	local i
	for ((i = 0; i < 25; i++)); do
		api_cmd "$2" sim:lamp on "$(bool "$((i + $1))")"
	done
}
check "the master's link to slave-house slowed (250 ms each way)" \
	link_impair master slave-house delay=250
cpids=()
commander 0 slave-house & cpids+=($!)
commander 1 slave-barn & cpids+=($!)
commander 2 slave-house & cpids+=($!)
# The kill once the commanders are well under way, at a moment when the
# last command accepted for slave-house has no result at the master yet
# (its answer takes 500 ms or more; bounded).
unanswered() {
	local id
	id=$(grep ' slave-house ' "$work/accepted" | tail -1 | cut -d' ' -f1)
	[ "$(wc -l <"$work/accepted")" -ge 12 ] && [ -n "$id" ] &&
	    ! grep -q "slave slave-house: command $id " "$M"
}
for ((i = 0; i < 500; i++)); do
	unanswered && break
	sleep 0.02
done
check "the commanders are under way, a command to slave-house unanswered" \
	unanswered
check "kill -9 the master while they run" nkill master
before=$(wc -l <"$work/accepted")
check "sb is elected master of term 3" wait_log "$SB" \
	'failover: sb is master of term 3 \(elected' 15
for p in "${cpids[@]}"; do wait "$p"; done	# each bounded: 25 x 5 s
for s in slave-house slave-barn; do
	check "$s registers with sb in term 3" wait_log "$work/$s.log" \
	    'registered with master sb \(.*\), term 3' 15
done
echo "# $before commands answered 202 by the old master (of $(cat \
    "$work/accepted" "$work/refused" 2>/dev/null | wc -l) sent)"

# From here on, sb's API (the session made on the old master).
NSAPI=sb A=$SA
check "sb answers for every command the old master accepted" \
	api_settle 30
check "... none reported missed (offline, no_answer)" eval \
	'! grep -Eq "\"result\":\"(offline|no_answer)\"" "$work/accepted.jsonl"'

# Commands executed whose 202 never reached the client (in flight at the
# kill): they must be in sb's log too. Added to the checker's list.
unknown=0
for id in $(grep -ho '^exec id=[0-9]*' "$work"/*.journal | cut -d= -f2 |
    sort -u); do
	grep -q "^$id " "$work/accepted" && continue
	hcurl "${auth[@]}" "$A/commands/$id" >"$work/cmd.json"
	if grep -Eq '"status":"(ok|failed)"' "$work/cmd.json"; then
		cat "$work/cmd.json" >>"$work/accepted.jsonl"
		echo >>"$work/accepted.jsonl"
		echo "# command $id: executed, its 202 lost with the master"
	else
		unknown=$((unknown + 1))
		echo "# command $id: executed, unknown to sb: $(head -c 200 \
		    "$work/cmd.json")"
	fi
done
check "every executed command is known to sb's API" test "$unknown" -eq 0
check "checker: each executed exactly once, none missed, one master a term" \
	check_journals --no-missed --all-known
check "sb sent again commands without a result in its log" \
	grep -q 'failover: command [0-9]* to slave-house sent again' "$SB"
check "... the slave answered them from its memo (repeat)" \
	grep -q 'slave slave-house: command [0-9]* .*(repeat)' "$SB"

# sb goes on: its own commands are executed too.
mv "$work/accepted" "$work/accepted-old"
: >"$work/accepted"
burst 2 slave-house slave-barn
check "sb accepts commands (4)" test "$(wc -l <"$work/accepted")" -eq 4
check "... and they settle, executed" api_settle 30
check "checker: still exactly once" check_journals --no-missed
check "... term 2 was the master's, term 3 sb's" \
	grep -q 'terms 2:master, 3:sb;' "$work/checker.out"
check "one master of term 2, one of term 3, none of another" test \
	"$(masters_of_term 2)$(masters_of_term 3)$(cat "$M" "$SB" |
	    grep -c 'is master of term')" = 112
finish
