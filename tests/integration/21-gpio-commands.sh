#!/usr/bin/env bash
# GPIO outputs driven through the cluster link by commands, as the master
# will send them: on/off confirmed by reports, a timed pulse that comes
# back by itself, an interlocked pair that is never on together, and the
# safe state applied when the master has been gone for safe-state-after.
# (Simulated GPIO backend; the Linux one is covered by 20-hardware.)
. "$(dirname "$0")/lib.sh"

gen_pki
port=$(free_port)
P=$work/pki/good
slave_conf slave-house House "$port" "$P" \
	"simulate no" \
	"gpio-chip sim device /dev/gpiochip0 backend sim" \
	"gpio-output relay chip sim line 5 safe off" \
	"gpio-output garage chip sim line 6 safe off" \
	"gpio-output up chip sim line 7 safe off interlock down" \
	"gpio-output down chip sim line 8 safe off" \
	"safe-state-after 1000"
S=$work/slave-house.log
fifo=$work/tm.in
mkfifo "$fifo"
trap '' PIPE
T=$work/tm.out
"$bin/hd-testmaster" -a "127.0.0.1:$port" -c "$P/master.crt" \
	-k "$P/master.key" -C "$P/ca.crt" -H 500 <"$fifo" >"$T" \
	2>"$work/tm.log" &
tm_pid=$!
pids+=("$tm_pid")
disown "$tm_pid"
exec 3>"$fifo"
send() { printf '%s\n' "$*" >&3; }
check "test master listens" wait_log "$T" '^listening ' 5
start hd-slave slave-house
check "slave registers" wait_log "$T" '^online slave-house House$' 10
check "outputs are announced as writable" \
	wait_log "$T" '^device gpio:relay .*on:bool:rw' 5

send cmd 11 gpio:relay on true
check "relay on: confirmed" wait_log "$T" '^result 11 OK true' 5
check "relay on: reported" wait_log "$T" '^report gpio:relay on true' 5
send cmd 12 gpio:relay on false
check "relay off: confirmed" wait_log "$T" '^result 12 OK false' 5

send pulse 13 gpio:garage on true 400
check "pulse: started" wait_log "$T" '^result 13 OK' 5
check "pulse: garage on" wait_log "$T" '^report gpio:garage on true' 5
check "pulse: back off by itself" wait_log "$T" '^report gpio:garage on false' 5
send pulse 14 gpio:garage on true 999999999
check "pulse longer than the maximum refused" \
	wait_log "$T" '^result 14 BAD_VALUE' 5

send cmd 15 gpio:up on true
wait_log "$T" '^result 15 OK true' 5
send cmd 16 gpio:down on true
check "interlock: down confirmed" wait_log "$T" '^result 16 OK true' 5
up_off=$(grep -nE '^report gpio:up on false' "$T" | tail -1 | cut -d: -f1)
down_on=$(grep -nE '^report gpio:down on true' "$T" | tail -1 | cut -d: -f1)
check "interlock: up went off before down came on (${up_off:-?} < ${down_on:-?})" \
	test -n "$up_off" -a -n "$down_on" -a "${up_off:-0}" -lt "${down_on:-0}"

send cmd 17 gpio:relay on true
wait_log "$T" '^result 17 OK true' 5
send quit
check "no master for safe-state-after: outputs go to their safe state" \
	wait_log "$S" 'no master for [0-9]+ ms: outputs to their safe state' 8
finish
