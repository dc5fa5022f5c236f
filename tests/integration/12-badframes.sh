#!/usr/bin/env bash
# Peers that pass the handshake and then misbehave are dropped with a
# logged reason, while a good slave stays connected and the master runs on.
. "$(dirname "$0")/lib.sh"

gen_pki
port=$(free_port)
G=$work/pki/good
master_conf master "$port" "$G" master
slave_conf slave-house House "$port" "$G"
M=$work/master.log
start hd-master master
wait_log "$M" "listening on 127.0.0.1:$port" 5
start hd-slave slave-house
check "good slave online" wait_log "$M" 'slave slave-house .*online' 5

# misbehave MODE DESC LOG-REGEX
misbehave() {
	local mode=$1 d=$2 re=$3 out
	out=$(rawpeer -a "127.0.0.1:$port" -m "$mode" -t 8 \
		-c "$G/slave-barn.crt" -k "$G/slave-barn.key" | tail -n 1)
	check "$d: dropped by the master ($out)" grep -q '^closed by master' <<<"$out"
	check "$d: reason logged" wait_log "$M" "$re" 3
}

misbehave oversize "oversized frame" \
	'slave-barn .*offline: frame larger than WIRE_MAX_FRAME'
misbehave garbage "garbage after hello" \
	'slave-barn .*offline: (frame larger than WIRE_MAX_FRAME|undecodable frame|empty frame)'
misbehave undecodable "undecodable frame" \
	'slave-barn .*offline: undecodable frame'
misbehave nohello "heartbeat before hello" \
	'slave slave-barn \(127.0.0.1:[0-9]+\) refused: first message is not a hello'
misbehave badannounce "device id past DEVICE_ID_MAX" \
	'slave-barn .*offline: device list refused: device id empty, too long'
out=$(rawpeer -a "127.0.0.1:$port" -m strayreport -t 5 \
	-c "$G/slave-barn.crt" -k "$G/slave-barn.key" | tail -n 1)
check "report for an unannounced value: link stays up ($out)" \
	test "$out" = "still connected"
check "report for an unannounced value: logged and ignored" \
	wait_log "$M" 'slave-barn: report for unknown value "no:such"."on" ignored' 3
misbehave http "plain HTTP on the TLS port" \
	'connection from 127.0.0.1:[0-9]+ refused: TLS: .*(http request|wrong version number|record)'

# A connection that never speaks is closed after CLUSTER_HANDSHAKE_MS (5 s).
t0=$(date +%s)
out=$(rawpeer -a "127.0.0.1:$port" -m silent -t 10)
t1=$(date +%s)
check "silent connection closed by the master ($out, $((t1 - t0)) s)" \
	grep -q '^closed by master' <<<"$out"
check "silent connection: reason logged" \
	wait_log "$M" 'refused: TLS handshake not finished in time' 2

check "the good slave never went offline" \
	test "$(count_log "$M" 'slave-house .*offline')" -eq 0
check "the good slave still exchanges heartbeats" \
	test "$(count_log "$work/slave-house.log" 'lost master')" -eq 0
check "master still running" kill -0 "$(pid_of master)"
finish
