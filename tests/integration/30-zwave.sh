#!/usr/bin/env bash
# Z-Wave end to end: a real master and a real slave whose `zwave port` is
# our stick simulator (hd-zwsim) on a pty, opened as a serial device. The
# start-up sequence runs through injected NAKs, CANs and garbage; the
# nodes are announced to the master; a restart registers them from the
# node table without asking the stick again; a jammed stick is detected,
# reported as a fault, reopened and recovers.
. "$(dirname "$0")/lib.sh"

gen_pki
port=$(free_port)
P=$work/pki/good
M=$work/master.log
S=$work/slave-house.log

# 1. the simulator, its control fifo held open on fd 3
zwsim
pty=$(cat "$work/pty")
zw() { echo "$*" >&3; sleep 0.2; }

master_conf master "$port" "$P" master
slave_conf slave-house House "$port" "$P" "simulate no" \
	"zwave port $pty" "zwave ping-interval 1000"

# 2. configuration
check "hd-slave -n accepts the zwave lines" \
	quiet "$bin/hd-slave" -n -f "$work/slave-house.conf"
for bad in "zwave port ttyACM0" "zwave port tcp://stick.lan:5555" \
    "zwave port" "zwave ping-interval 5" "zwave colour blue"; do
	grep -v '^zwave' "$work/slave-house.conf" >"$work/bad.conf"
	echo "$bad" >>"$work/bad.conf"
	n=$(wc -l <"$work/bad.conf")
	out=$("$bin/hd-slave" -n -f "$work/bad.conf" 2>&1)
	check "hd-slave -n refuses \"$bad\" with file:line" \
		grep -q "bad.conf:$n: zwave" <<<"$out"
done

# 3. start-up through NAKs, a CAN and garbage
zw nak 1
zw can 1
zw garbage 3
start hd-master master
wait_log "$M" "listening on 127.0.0.1:$port" 5
start hd-slave slave-house
check "session retransmits NAKed and CANed frames" \
	wait_count "$Z" 'refused 0x07 with (NAK|CAN)' 2 10
check "controller start-up completes despite garbage" \
	wait_log "$S" 'zwave: controller ready, 4 devices' 15
check "home id and own node id read" \
	grep -q 'home id c0ffee01, controller is node 1' "$S"
check "four nodes registered as zw:N:0" \
	test "$(count_log "$S" 'registered as zw:[2-5]:0')" -eq 4
check "the master receives the four Z-Wave devices" \
	wait_log "$M" 'slave slave-house announced 4 devices' 10
check "protocol info asked once per node" \
	test "$(count_log "$Z" 'request 0x41 node')" -eq 4
check "node table written" test -s "$work/state-slave-house/zwave.nodes"
check "each node interviewed once" \
	wait_count "$S" 'zwave: node [2-5]: [0-9]+ command classes' 4 15

# 4. restart: the node table spares the interview
kill -TERM "$(pid_of slave-house)"
wait_log "$S" 'slave slave-house stopped' 5
start hd-slave slave-house
check "restarted slave reads its node table" \
	wait_count "$S" 'node table .*: home id c0ffee01, 4 nodes' 1 10
check "restarted controller ready" \
	wait_count "$S" 'zwave: controller ready, 4 devices' 2 15
check "no node asked again after the restart" \
	test "$(count_log "$Z" 'request 0x41 node')" -eq 4
check "no node interviewed again after the restart" \
	test "$(count_log "$Z" 'request 0x60 node')" -eq 4
check "the master gets the devices again" \
	wait_count "$M" 'slave slave-house announced 4 devices' 2 10

# 5. a jammed stick: detected, reported, reopened, recovered
zw silent
check "a silent stick is detected" \
	wait_log "$S" 'the stick stopped answering; reopening' 20
check "the master gets a zwave fault" \
	wait_log "$M" 'slave-house: zwave fault raised' 5
zw talk
check "the stick is reopened and answers again" \
	wait_count "$S" 'zwave: controller ready' 3 15
check "the master sees the fault cleared" \
	wait_log "$M" 'slave-house: zwave fault cleared' 5
check "slave still running" kill -0 "$(pid_of slave-house)"
exec 3>&-
finish
