#!/usr/bin/env bash
# The management interview and what it enables, end to end against
# hd-zwsim: nodes included through the API (real HTTPS) are asked for
# their class versions, Z-Wave Plus Info, lifeline, wake-up interval and
# Multi Channel endpoints; then hd-testmaster takes the master's place to
# send commands: an endpoint's switch through Multi Channel, confirmed by
# a Supervision Report (failed by a FAIL one; WORKING, then the final
# SUCCESS status updates were asked for, confirms it), and a sleeping node's
# command held until its wake-up notification, then No More Information.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zwlib.sh"

zw_web
T=$work/tm.out
mkfifo "$work/tm.in"
zwsim
zw_start "zwave wakeup-interval 600"
check "hd-slave -n accepts zwave wakeup-interval" \
	quiet "$bin/hd-slave" -n -f "$work/slave-house.conf"
for bad in "zwave wakeup-interval 10" "zwave wakeup-interval 16777216" \
    "zwave wakeup-interval"; do
	cp "$work/slave-house.conf" "$work/bad.conf"
	echo "$bad" >>"$work/bad.conf"
	n=$(wc -l <"$work/bad.conf")
	out=$("$bin/hd-slave" -n -f "$work/bad.conf" 2>&1)
	check "hd-slave -n refuses \"$bad\" with file:line" \
		grep -q "bad.conf:$n: zwave" <<<"$out"
done
check "the simulated nodes are interviewed" \
	wait_count "$S" 'zwave: node [2-5]: (interview complete|[0-9]+ command classes, [0-9]+ values)' 4 40
check "node 2's class versions are asked" \
	wait_log "$Z" 'node 2 gets 86 13' 10

zw_api
include() { post zwave/slave-house/inclusion '{"action":"include"}' "${auth[@]}" >/dev/null; }

# 1. a double switch: two endpoints, Supervision, Z-Wave Plus, lifeline
zw join 8 10 25 86 5e 85 60 6c
zw endpoints 8 2
zw supervise 8 ff
include
check "node 8 included" wait_log "$M" 'zwave include: done, node 8' 15
check "its Z-Wave Plus Info" wait_log "$S" 'node 8: Z-Wave Plus v2, role 5' 15
check "its lifeline is set to the controller" \
	wait_log "$Z" 'node 8 gets 85 01' 10
check "both endpoints are discovered" \
	wait_log "$S" 'node 8: endpoint 2: generic class 0x10' 15
check "the interview completes with lifeline and endpoints" \
	wait_log "$S" 'node 8: interview complete, lifeline set, endpoints known' 15
check "the master hears it" wait_log "$M" 'zwave include: interviewed, node 8' 10

# 2. a sleeping switch
zw join 9 10 25 84 86
zw sleepy 9
include
check "node 9 included" wait_log "$M" 'zwave include: done, node 9' 15
check "its wake-up interval is pointed at the controller" \
	wait_log "$Z" 'node 9 gets 84 04' 15
check "at the configured 600 s" \
	wait_log "$S" 'node 9: wake-up every 600 s, notifying us' 5
check "interviewed, then told to sleep" \
	wait_log "$Z" 'zwsim: node 9 back to sleep' 15

# 3. hd-testmaster takes over the cluster port for commands
kill -TERM "$(pid_of master)"
wait_log "$M" 'master .* stopped' 10
"$bin/hd-testmaster" -a "127.0.0.1:$port" -c "$G/master.crt" \
	-k "$G/master.key" -C "$G/ca.crt" -r "$G/crl.pem" -H 500 -u \
	<"$work/tm.in" >"$T" 2>"$work/tm.log" &
pids+=($!)
disown $!
exec 4>"$work/tm.in"
check "test master online with the slave" wait_log "$T" '^online slave-house ' 20
check "node 8's endpoint values are announced" \
	wait_log "$T" '^device zw:8:0 DEV_SWITCH .*on\.1:bool:rw.*on\.2:bool:rw' 10
send 'cmd 31 zw:8:0 on.2 true'
check "on.2: confirmed by the Supervision Report" \
	wait_log "$T" '^result 31 OK true$' 10
check "it went Multi Channel encapsulated to endpoint 2, supervised" \
	grep -q 'node 8 gets 60 0d' "$Z"
zw supervise 8 02
send 'cmd 32 zw:8:0 on.1 true'
check "Supervision FAIL: FAILED" wait_log "$T" '^result 32 FAILED' 10
zw supervise 8 01
send 'cmd 34 zw:8:0 on.1 false'
check "Supervision WORKING, status updates asked for: the final SUCCESS confirms it" \
	wait_log "$T" '^result 34 OK false$' 10
n=$(count_log "$Z" 'node 9 gets 25 01')
send 'cmd 33 zw:9:0 on true'
check "a sleeping node's command is answered QUEUED (not final)" \
	wait_log "$T" '^result 33 QUEUED' 10
check "and held: nothing sent, no final result" \
	test "$(count_log "$Z" 'node 9 gets 25 01')" -eq "$n" -a "$(count_log "$T" '^result 33 ')" -eq 1
zw wake 9
check "at its wake-up it goes and is confirmed" \
	wait_log "$T" '^result 33 OK true$' 10
check "then No More Information" \
	wait_count "$Z" 'zwsim: node 9 back to sleep' 2 10
check "slave still running" kill -0 "$(pid_of slave-house)"
exec 3>&- 4>&-
finish
