#!/usr/bin/env bash
# netem's faults on the link between the master and a slave while
# commands go to it: delay with jitter, loss, duplicated and reordered
# frames, both ways (tests/netns/wire.py). TCP and TLS must hide all of
# it or drop the link with a logged reason; the journals must show each
# accepted command executed at most once, its result reaching the API.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cluster.sh"

cluster_up slave-house slave-barn || finish
check "impair the house's link: delay 60±40 ms, 8 % loss, 10 % duplicated, 20 % reordered" \
	link_impair master slave-house delay=60 jitter=40 loss=0.08 dup=0.1 reorder=0.2
# 40 commands at 10 a second, each slave; bounded by the count.
for ((i = 0; i < 40; i++)); do
	api_cmd slave-house sim:lamp on "$(bool "$i")"
	api_cmd slave-barn sim:lamp on "$(bool "$i")"
	sleep 0.1
done
for f in dropped dup held; do
	check "the switch did its part: frames $f" \
		test "$(wire_stat master slave-house "$f")" -gt 0
done
check "the faults end" wire clear master slave-house
check "... both ways" wire clear slave-house master
# Back to a clean link: the house is (or comes back) online.
for ((i = 0; i < 40; i++)); do
	api_cmd slave-house sim:lamp on "$(bool "$i")"
	tail -n 1 "$work/accepted" | grep -q ' slave-house ' && break
	sleep 0.25
done
check "the house takes commands after the faults" \
	eval 'tail -n 1 "$work/accepted" | grep -q " slave-house "'
check "every accepted command settles (ok or reported missed)" api_settle 40
check "checker: no command twice or lost, terms, one master per term" \
	check_journals --all-known
check "most of the house's commands ran through the faults" \
	test "$(grep -c '^exec .*origin=master' "$work/slave-house.journal")" -ge 20
echo "# the house's link dropped $(count_log "$work/slave-house.log" 'lost master') times"
finish
