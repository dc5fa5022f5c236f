#!/usr/bin/env bash
# Everything killed at once (SIGKILL: the master, its web process with it,
# every slave) and restarted at once: the cluster comes back by itself,
# the admin's session survives (a state file), new command ids never
# reuse old ones (a reused id would be answered from a slave's memo
# without acting), and the journals across the restart show no command
# twice, none lost, terms never going down, one master per term.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cluster.sh"

cluster_up slave-house slave-barn || finish
burst 3 slave-house slave-barn
check "the first commands settle" api_settle 30
mv "$work/accepted" "$work/accepted.before"
mv "$work/accepted.jsonl" "$work/before.jsonl"
term0=$(grep -Eo 'started, term [0-9]+' "$M" | tail -1 | awk '{print $3}')

web=$(web_pid)
check "kill -9 the master and both slaves" \
	eval 'nkill master & nkill slave-house & nkill slave-barn & wait'
# The web process and auth worker leave with their parent (they watch
# their pipe to it); bounded wait before the new master takes the port.
for ((i = 0; i < 50; i++)); do kill -0 "$web" 2>/dev/null || break; sleep 0.1; done
check "the old web process is gone" eval '! kill -0 "$web" 2>/dev/null'
nstart hd-master master
nstart hd-slave slave-house
nstart hd-slave slave-barn
check "the master starts again" \
	wait_count "$M" 'master master version .* started' 2 15
check "its web process serves" wait_count "$M" 'web process [0-9]+ serving' 2 15
for s in slave-house slave-barn; do
	check "$s registers again" \
		wait_count "$M" "slave $s \(site .*online" 2 20
	check "$s's journal shows the restart" \
		test "$(grep -c '^start ' "$work/$s.journal")" -eq 2
done
check "the admin's session survived the restart" \
	eval 'hcurl -o /dev/null -w "%{http_code}" "${auth[@]}" "$A/cluster" | grep -q 200'
burst 3 slave-house slave-barn
check "every new command settles" api_settle 30
old=$(awk '{print $1}' "$work/accepted.before" | sort -n | tail -1)
new=$(awk '{print $1}' "$work/accepted" | sort -n | head -1)
check "new command ids ($new..) come after the old ones (..$old)" \
	test "${new:-0}" -gt "${old:-0}"
term1=$(grep -Eo 'started, term [0-9]+' "$M" | tail -1 | awk '{print $3}')
check "the master's term did not go down ($term0 -> $term1)" \
	test "${term1:-0}" -ge "${term0:-1}"
cat "$work/before.jsonl" >>"$work/accepted.jsonl"
check "checker: no command twice or lost across the restart" \
	check_journals --all-known --no-missed
finish
