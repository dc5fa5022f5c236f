#!/usr/bin/env bash
# `make demo` as a newcomer runs it: the script makes its PKI and configs,
# and a master, its standby and the slaves find each other over mutual
# TLS; it names the master's pid (the one to kill to watch a takeover)
# and the standby's web address.
. "$(dirname "$0")/lib.sh"

port=$(free_port)
wport=$(free_port)
sport=$(free_port)
swport=$(free_port)
# The demo lives in the tree's run/, one for both builds: the runner may
# start this test for build and build-san at once, so one waits its turn.
mkdir -p "$top/run"
# In the background, so that the master's pid can be checked while the
# demo runs; it stops by itself after DEMO_SECONDS (bounded by timeout).
(cd "$top" && HD_DEMO_PORT=$port HD_DEMO_WEB_PORT=$wport \
	HD_DEMO_STANDBY_PORT=$sport HD_DEMO_STANDBY_WEB_PORT=$swport \
	DEMO_SECONDS=6 BUILD=$BUILD \
	flock -w 120 "$top/run" timeout 30 deploy/demo.sh >"$work/demo.out" 2>&1) &
demo=$!
pids+=("$demo")
mnode=
if wait_log "$work/demo.out" '^demo: master pid [0-9]+$' 150; then
	mpid=$(sed -n 's/^demo: master pid \([0-9]*\)$/\1/p' "$work/demo.out")
	check "demo: the master pid it prints is the running master" \
		grep -q "hd-master.*master\.conf" <<<"$(tr '\0' ' ' </proc/"$mpid"/cmdline 2>/dev/null)"
	mnode=$(tr '\0' '\n' </proc/"$mpid"/cmdline 2>/dev/null |
	    sed -n 's|.*/\([a-z]*\)\.conf$|\1|p')
else
	not_ok "demo: prints the master's pid"
fi
for ((i = 0; i < 400; i++)); do kill -0 "$demo" 2>/dev/null || break; sleep 0.1; done
out=$(cat "$work/demo.out")
echo "$out" >"$work/demo.log"
check "demo: House registers" grep -q 'slave slave-house (site "House".*online' <<<"$out"
check "demo: Barn registers" grep -q 'slave slave-barn (site "Barn".*online' <<<"$out"
if grep -q '^0\{31\}1 ' /proc/net/if_inet6 2>/dev/null; then
	check "demo: listens on IPv6 too" grep -q "listening on \[::1\]:$port" <<<"$out"
fi
check "demo: slaves announce their simulated ADC and GPIO devices too" \
	grep -q 'slave slave-house announced 8 devices' <<<"$out"
check "demo: the simulated ADC is read" \
	grep -q 'adc chip adc0: ADS1115 on bus 1 address 0x48 (simulated)' <<<"$out"
check "demo: web process serves" grep -q 'web process [0-9]* serving' <<<"$out"
check "demo: prints the web address" grep -q "https://localhost:$wport/" <<<"$out"
check "demo: prints the standby's web address" \
	grep -q "^demo: standby web: https://localhost:$swport/$" <<<"$out"
check "demo: the master admits the standby" \
	grep -q "\[master\] .*standby standby (127\.0\.0\.1:[0-9]*) admitted" <<<"$out"
check "demo: the standby follows the master" \
	grep -q "\[standby\] .*standby: following master master" <<<"$out"
check "demo: the standby runs as a standby" \
	grep -q "\[standby\] .*standby standby version .* started" <<<"$out"
check "demo: the slaves elect a master (slave lines configured)" grep -Eq \
	'^\[(master|standby)\] .*failover: (master|standby) is master of term [0-9]+ \(elected' <<<"$out"
check "demo: the master pid it prints is the elected node's" grep -Eq \
	"^\[$mnode\] .*failover: $mnode is master of term" <<<"$out"
check "demo: slaves name both master-capable nodes" \
	grep -q "slave slave-house .* started, 2 master addresses" <<<"$out"
check "demo: names its admin (password printed on the first run only)" \
	grep -Eq 'demo: web: (admin admin created; password \(shown only now\): [a-z0-9]{20}|user admin \(password printed by the first run)' <<<"$out"
check "demo: without a licence the master runs in grace, and says so" \
	grep -q 'licence: none installed: grace period' <<<"$out"
check "demo: stops cleanly" grep -q 'master master stopped' <<<"$out"
check "demo: CA key is private" \
	test "$(stat -c %a "$top/run/pki/ca.key")" = 600
finish
