#!/usr/bin/env bash
# `make demo` as a newcomer runs it: the script makes its PKI and configs,
# and a master and two slaves find each other over mutual TLS.
. "$(dirname "$0")/lib.sh"

port=$(free_port)
wport=$(free_port)
# The demo lives in the tree's run/, one for both builds: the runner may
# start this test for build and build-san at once, so one waits its turn.
mkdir -p "$top/run"
out=$(cd "$top" && HD_DEMO_PORT=$port HD_DEMO_WEB_PORT=$wport DEMO_SECONDS=4 BUILD=$BUILD \
	flock -w 120 "$top/run" timeout 30 deploy/demo.sh 2>&1)
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
check "demo: names its admin (password printed on the first run only)" \
	grep -Eq 'demo: web: (admin admin created; password \(shown only now\): [a-z0-9]{20}|user admin \(password printed by the first run)' <<<"$out"
check "demo: without a licence the master runs in grace, and says so" \
	grep -q 'licence: none installed: grace period' <<<"$out"
check "demo: stops cleanly" grep -q 'master master stopped' <<<"$out"
check "demo: CA key is private" \
	test "$(stat -c %a "$top/run/pki/ca.key")" = 600
finish
