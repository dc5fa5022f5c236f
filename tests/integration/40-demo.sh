#!/usr/bin/env bash
# `make demo` as a newcomer runs it: the script makes its PKI and configs,
# and a master and two slaves find each other over mutual TLS.
. "$(dirname "$0")/lib.sh"

port=$(free_port)
out=$(cd "$top" && HD_DEMO_PORT=$port DEMO_SECONDS=3 BUILD=$BUILD \
	timeout 30 deploy/demo.sh 2>&1)
echo "$out" >"$work/demo.log"
check "demo: House registers" grep -q 'slave slave-house (site "House".*online' <<<"$out"
check "demo: Barn registers" grep -q 'slave slave-barn (site "Barn".*online' <<<"$out"
if [ -s /proc/net/if_inet6 ]; then
	check "demo: listens on IPv6 too" grep -q "listening on \[::1\]:$port" <<<"$out"
fi
check "demo: slaves announce their simulated ADC and GPIO devices too" \
	grep -q 'slave slave-house announced 8 devices' <<<"$out"
check "demo: the simulated ADC is read" \
	grep -q 'adc chip adc0: ADS1115 on bus 1 address 0x48 (simulated)' <<<"$out"
check "demo: stops cleanly" grep -q 'master master stopped' <<<"$out"
check "demo: CA key is private" \
	test "$(stat -c %a "$top/run/pki/ca.key")" = 600
finish
