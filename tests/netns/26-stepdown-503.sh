#!/usr/bin/env bash
# The 202 a master owes when it steps down (docs/API.md, docs/FAILOVER.md
# "A command in flight at the moment of a crash"). The master is cut off
# from both slaves and hears nothing from sb (sb still hears it), and a
# command is sent at once: logged, streamed to sb, which holds it but
# whose acknowledgement never arrives, so its 202 waits; the master's
# lease runs out (HA_LEASE_MS) and it steps down. The client must get
# 503 naming the command's id (not a dropped connection), and the id
# must be usable: sb, elected, knows it and it is executed exactly once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cluster.sh"

ha_elect_up || finish
check "the master cut off from both slaves" eval \
	'link_cut master slave-house && link_cut master slave-barn'
check "... and from sb's answers (sb still hears it)" \
	link_cut sb master oneway
out=$(hcurl -o - -w '\n%{http_code}' -H 'Content-Type: application/json' \
    "${auth[@]}" --data-binary '{"value":true}' \
    "$A/devices/slave-house/sim:lamp/values/on")
code=$(tail -n 1 <<<"$out")
echo "# the answer: $(head -n 1 <<<"$out" | head -c 400) ($code)"
id=$(grep -Eo '"id":[0-9]+' <<<"$out" | head -1 | cut -d: -f2)
check "the master logged the command, waiting for the standby" \
	grep -q "command ${id:-none} to slave-house .*(waiting for the standby)" "$M"
check "it stepped down" grep -q 'failover: master steps down from term 2' "$M"
got_503() { [ "$code" = 503 ] && [ -n "$id" ] && grep -q 'not master' <<<"$out"; }
check "the client got 503 with the command's id, not a dropped connection" \
	got_503
check "the master logs the 503" grep -q "api: command $id: this master steps down or stops before the standby held it" "$M"

check "sb is elected master of term 3" wait_log "$SB" \
	'failover: sb is master of term 3 \(elected' 20
for s in slave-house slave-barn; do
	check "$s registers with sb" wait_log "$work/$s.log" \
	    'registered with master sb \(.*\), term 3' 20
done
NSAPI=sb A=$SA
echo "$id slave-house sim:lamp on" >"$work/accepted"
check "sb knows command $id and it settles there (executed)" api_settle 20
check "... ok" grep -q '"status":"ok"' "$work/accepted.jsonl"
check "the links heal" eval 'link_heal master slave-house &&
	link_heal master slave-barn && link_heal sb master'
check "the old master comes back as a standby following sb" \
	wait_log "$M" 'standby: following master sb' 30
check "checker: executed exactly once, one master a term" \
	check_journals --no-missed
finish
