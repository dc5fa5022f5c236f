#!/usr/bin/env bash
# "run" from the API exactly once across a takeover (docs/FAILOVER.md#
# run-from-the-api). Election configured (cluster.sh's ha_elect_up), both
# masters with the same events file: RUNS events r0..r(RUNS-1), each
# setting slave-house's lamp on, fired by nothing but the API (their
# trigger is a relay nobody switches; each names both slaves' devices, so
# none is left to a slave's local rules). Three clients run them, each
# event once, with its own key (k-N), the answer awaited; a client that
# gets no 200 (the master killed under it, or sb still a standby) tries
# the other master with the same key, bounded. The master is SIGKILLed
# while they run. Then:
#  - every run got its 200, from one master or the other;
#  - sb answers every key the old master answered as a repeat, firing
#    nothing (the keys reached sb with the firings' records);
#  - from slave-house's journal and the masters' logs of which command
#    each event sent: each event's commands were executed exactly once
#    (one id per event executed, none twice), so no run was lost and
#    none fired twice;
#  - the journal checker's rules (no id twice, one master per term).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cluster.sh"

RUNS=30
events_conf() {	# ha_elect_up's HA_EXTRA_NODE: each node the same file
	local i
	for ((i = 0; i < RUNS; i++)); do
		printf 'event r%d {\n\twhen slave-barn/gpio:pump.on changes to on\n\tdo set slave-house/sim:lamp.on = on\n}\n' "$i"
	done >"$work/$1.events"
	echo "events $work/$1.events" >>"$work/$1.conf"
}
HA_EXTRA_NODE=events_conf
ha_elect_up || finish
: >"$work/accepted.jsonl"	# no API commands: the checker's list
check "the admin's session reached sb" sessions_synced

# run_once N: POST run of rN with key k-N, at the master, then at sb,
# until a 200 (bounded: 60 tries, 5 s each at most). Each 200 lands in
# $work/runs as "N NODE BODY"; a try that got none in $work/retries.
run_once() {
	local n=$1 i node url code
	for ((i = 0; i < 60; i++)); do
		if ((i % 2)); then node=sb url=$SA; else node=master url=$MA; fi
		echo "$node" >"$work/inflight-$n"
		code=$(NSAPI=$node hcurl -o "$work/run-$n.body" \
		    -w '%{http_code}' -H 'Content-Type: application/json' \
		    "${auth[@]}" --data-binary "{\"key\":\"k-$n\"}" \
		    "$url/events/r$n/run")
		rm -f "$work/inflight-$n"
		if [ "$code" = 200 ]; then
			echo "$n $node $(tr -d '\n' <"$work/run-$n.body" |
			    grep -o '"run":{[^}]*}')" >>"$work/runs"
			return 0
		fi
		echo "$n $node $code" >>"$work/retries"
		[ "$code" = 503 ] || [ "$code" = 000 ] || return 1
		sleep 0.2
	done
	return 1
}
client() {	# client FIRST: runs FIRST, FIRST+3, ...
	local n
	for ((n = $1; n < RUNS; n += 3)); do
		run_once "$n" || echo "$n" >>"$work/failed"
	done
}
MA=$A
: >"$work/runs"
# The copy to sb slowed (60 ms each way): a run's answer waits that long
# for sb, so that the kill can land while one waits.
check "the link from the master to sb slowed (60 ms each way)" \
	link_impair master sb delay=60
cpids=()
for c in 0 1 2; do client "$c" & cpids+=($!); done
# waiting: a run the master fired whose answer the client still awaits.
waiting() {
	local f n
	for f in "$work"/inflight-*; do
		[ -e "$f" ] && [ "$(cat "$f" 2>/dev/null)" = master ] || continue
		n=${f##*-}
		grep -q "runs event r$n with key k-$n\$" "$M" && { kn=$n; return 0; }
	done
	return 1
}
# The kill once a third of the runs were answered, while one waits
# (bounded).
for ((i = 0; i < 1000; i++)); do
	[ "$(wc -l <"$work/runs")" -ge $((RUNS / 3)) ] && waiting && break
	sleep 0.01
done
check "a third of the runs answered, one fired and awaiting its answer" \
	test "$(wc -l <"$work/runs")" -ge $((RUNS / 3)) -a -n "${kn:-}"
check "kill -9 the master while the clients run" nkill master
check "sb is elected master of term 3" wait_log "$SB" \
	'failover: sb is master of term 3 \(elected' 20
for p in "${cpids[@]}"; do wait "$p"; done	# each bounded: 60 x 5 s
echo "# $(grep -c ' master ' "$work/runs") runs answered by the old" \
    "master, $(grep -c ' sb ' "$work/runs") by sb, $(wc -l \
    <"$work/retries" 2>/dev/null || echo 0) tries without a 200"
echo "# old master: $(grep ' master ' "$work/runs" | grep -c \
    '"replicated":true') of its 200s held by sb; sb: $(grep ' sb ' \
    "$work/runs" | grep -c '"repeat":true') repeats (runs whose answer was" \
    "lost with the master)"
echo "# r${kn:-?} was waiting for its answer at the kill: then $(grep \
    "^${kn:-x} " "$work/runs" | head -c 120)"
check "every run got its 200" eval \
    '[ ! -s "$work/failed" ] && [ "$(cut -d" " -f1 "$work/runs" |
	sort -u | wc -l)" -eq "$RUNS" ]'
check "... the old master's said whether sb held the record" eval \
    '! grep " master " "$work/runs" | grep -qv "\"replicated\":"'

# Each key the old master answered, run again at sb: a repeat.
repeats_ok() {
	local n body
	for n in $(grep ' master ' "$work/runs" | cut -d' ' -f1); do
		body=$(NSAPI=sb hcurl -H 'Content-Type: application/json' \
		    "${auth[@]}" --data-binary "{\"key\":\"k-$n\"}" \
		    "$SA/events/r$n/run")
		grep -q '"repeat":true' <<<"$body" || {
			echo "# r$n at sb: $(head -c 300 <<<"$body")"
			return 1
		}
	done
}
check "sb answers each key the old master answered as a repeat" repeats_ok

# Every command each event sent (either master's log), and slave-house's
# executions of them: exactly one per event.
once_each() {
	local n ids ex bad=0
	for ((n = 0; n < RUNS; n++)); do
		ids=$(cat "$M" "$SB" | grep -Eo "sched: event r$n: command [0-9]+ " |
		    awk '{print $5}' | sort -u)
		ex=0
		for id in $ids; do
			ex=$((ex + $(grep -c "^exec id=$id " \
			    "$work/slave-house.journal")))
		done
		if [ "$ex" -ne 1 ]; then
			echo "# r$n: commands $(echo $ids), executed $ex times"
			bad=$((bad + 1))
		fi
	done
	[ "$bad" -eq 0 ]
}
wait_execs() {	# every event's command executed (bounded)
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(grep -c '^exec .* dev=sim:lamp key=on' \
		    "$work/slave-house.journal")" -ge "$RUNS" ] && return 0
		sleep 0.1
	done
	return 1
}
check "slave-house executed a command per run" wait_execs
check "each run's command executed exactly once: none lost, none twice" \
	once_each
check "checker: no id twice, one master a term" check_journals
check "one master of term 2, one of term 3" test \
	"$(masters_of_term 2)$(masters_of_term 3)" = 11
finish
