#!/usr/bin/env bash
# The master <-> web process socketpair: a malformed message is fatal for
# the link, both ways. hd-webchan injects each kind of bad message from
# outside: as the web process to the master's real side (webproc.c),
# which must log why, drop the link and start a new web process; and as
# the master to the real web process, which must log why and exit. A
# well-behaved peer (mode none) is the control: nothing is dropped. Mode
# cn is a taken-over web process naming a client certificate's CN
# itself, which only the master derives (from the chain it verifies).
. "$(dirname "$0")/lib.sh"

web_master
mkdir -p "$work/state-master/web-root"	# the web process's chroot
modes="size empty decode unexpected field cn"
declare -A why=(
	[size]="frame larger than WIRE_MAX_FRAME" [empty]="empty frame"
	[decode]="undecodable frame"
	[unexpected]="malformed message from the web process"
	[field]="malformed message from the web process"
	[cn]="malformed message from the web process"
)
declare -A detail=(
	[unexpected]="web process: a message it never sends"
	[field]="web process: a probe out of range (class 99,"
)
declare -A webwhy=(
	[size]="link to the master: frame larger than WIRE_MAX_FRAME"
	[empty]="link to the master: empty frame"
	[decode]="link to the master: undecodable frame"
	[unexpected]="unexpected message from the master"
	[field]="unexpected message from the master"
	[cn]="unexpected message from the master"
)

# 1. The master's side, fed by a fake web process.
chan_master() {	# MODE: run hd-webchan as the master, its log chan-MODE.log
	HD_WEBCHAN_MODE=$1 HD_WEBCHAN_COUNT=$work/count-$1 \
		"$bin/hd-webchan" master "$work/master.conf" 120 \
		>"$work/chan-$1.log" 2>&1 &
	pids+=($!)
	chan_pid=$!
}
for m in $modes; do
	L=$work/chan-$m.log
	chan_master "$m"
	check "master side, $m: the fake web process sent it" \
		wait_log "$L" "fake web process [0-9]+ sends $m" 10
	check "master side, $m: the link is dropped, and why" \
		wait_log "$L" "web process link: ${why[$m]}; stopping it" 10
	[ -n "${detail[$m]:-}" ] && check "master side, $m: the log names what was wrong" \
		grep -q "${detail[$m]}" "$L"
	check "master side, $m: a new web process is started" \
		wait_count "$L" 'web process [0-9]+ serving on 1 listener' 2 10
	check "master side, $m: only the bad one is dropped" \
		test "$(count_log "$L" 'stopping it')" -eq 1
	kill -TERM "$chan_pid"
done
chan_master none
L=$work/chan-none.log
wait_log "$L" 'web process [0-9]+ serving' 10
sleep 2
check "master side, control: a good web process keeps its link" \
	test "$(count_log "$L" 'stopping it|restarting it')" -eq 0 -a \
	"$(count_log "$L" 'web process [0-9]+ serving')" -eq 1
kill -TERM "$chan_pid"

# 2. The web process, fed by a fake master.
for m in $modes; do
	out=$("$bin/hd-webchan" web "$bin/hd-master" "$work/master.conf" "$m" \
		2>"$work/web-$m.log")
	check "web side, $m: the web process exits ($out)" test "$out" = "exited 1"
	check "web side, $m: and says why" grep -q "hd-web\[fatal\]: ${webwhy[$m]}" "$work/web-$m.log"
done
out=$(HD_WEBCHAN_WAIT=2 "$bin/hd-webchan" web "$bin/hd-master" \
	"$work/master.conf" none 2>"$work/web-none.log")
check "web side, control: a good master's web process keeps running" test "$out" = running
finish
