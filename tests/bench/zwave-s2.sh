#!/usr/bin/env bash
# make bench: command latency to an S2 lock beside an S0 lock, both the
# zwave-js mock's (an independent implementation: its radio answers at
# once, so this is our code's and the mock's), through the real API: the
# S0 lock (node 2) adopted with the slave's zwave.key, the S2 lock
# (node 5) included with S2 Access Control (grant, PIN). Then
# BENCH_ZW_S2_CMDS (20) lock/unlock commands to each, alternately, each
# awaited before the next; latency from the master's log: the API's
# "command N to" line to "slave ...: command N OK". Prints p50 and p99
# per lock and the slave's VmRSS after the inclusion. Figures, not
# pass/fail (a skip line without the mock).
. "$(dirname "$0")/../integration/lib.sh"

n=${BENCH_ZW_S2_CMDS:-20}
web_master
S=$work/slave-house.log
trap '' PIPE
zjs_network=$top/tests/integration/zwave-js/network-s2.cjs
mkdir -m 700 "$work/state-slave-house"
(umask 077 && openssl rand -hex 16 >"$work/state-slave-house/zwave.key")
HD_ZJS_S0_KEY=$(cat "$work/state-slave-house/zwave.key")
export HD_ZJS_S0_KEY
. "$top/tests/integration/zwave-js/mock.sh"
out=$("$bin/hd-master" -f "$work/master.conf" -U admin 2>&1)
pw=$(sed -n 's/.*password (shown only now): //p' <<<"$out")
start hd-master master
check "web process starts" wait_log "$M" 'web process [0-9]+ serving' 10
slave_conf slave-house House "$port" "$G" "simulate no" \
	"zwave port tcp://127.0.0.1:$zport"
start hd-slave slave-house
check "slave online" wait_log "$M" 'slave slave-house .*online' 15
check "the S0 lock adopted" \
	wait_log "$S" 'zwave: node 2: S0 key granted, [0-9]+ secure command classes:.* 62' 30

A=$U/api/v1
hcurl() { curl -s --cacert "$G/ca.crt" --max-time 10 "$@"; }
post() {
	local p=$1 b=$2; shift 2
	hcurl -o "$work/body" -w '%{http_code}\n' -H 'Content-Type: application/json' \
		--data-binary "$b" "$@" "$A/$p"
	cat "$work/body"
}
post login "{\"name\":\"admin\",\"password\":\"$pw\"}" -D "$work/head" >"$work/login"
sess=$(tr -d '\r' <"$work/head" | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p')
csrf=$(grep -Eo '"csrf":"[0-9a-f]{64}"' "$work/login" | cut -d'"' -f4)
auth=(-H "Cookie: $sess" -H "X-CSRF-Token: $csrf")
incl() { post zwave/slave-house/inclusion "$1" "${auth[@]}"; }
incl '{"action":"include","timeout":60}' >/dev/null
check "S2 lock: its request" wait_log "$M" 'zwave include: s2_grant, node 5' 20
incl '{"action":"grant","classes":["s2_access_control"]}' >/dev/null
check "S2 lock: the PIN asked" wait_log "$M" 'zwave include: s2_pin, node 5' 20
pin=$(sed -n 's/.*HD-S2-PIN 5 \([0-9]\{5\}\).*/\1/p' "$J" | tail -1)
incl "{\"action\":\"grant\",\"pin\":\"$pin\"}" >/dev/null
check "S2 lock: Door Lock its S2 class" \
	wait_log "$S" 'zwave: node 5: [0-9]+ S2 command classes:.* 62' 30
sleep 2		# the new node's interview and state poll settle
rss=$(awk '/VmRSS/ { print $2 }' "/proc/$(pid_of slave-house)/status")

setlock() {	# setlock DEVICE true|false: the command's id
	post "devices/slave-house/$1/values/locked" "{\"value\":$2}" \
		"${auth[@]}" | tail -1 | grep -Eo '"id":[0-9]+' | cut -d: -f2
}
v=true
for i in $(seq "$n"); do
	for d in zw:2:0 zw:5:0; do
		id=$(setlock "$d" "$v")
		wait_log "$M" "command $id (OK|FAILED|TIMEOUT|DEVICE_FAULT|BUSY)" 20 ||
			echo "# command $id to $d: no result in 20 s"
	done
	[ "$v" = true ] && v=false || v=true
done
python3 - "$M" <<'PY'
import re, sys, datetime
sent, took, dev = {}, {"zw:2:0": [], "zw:5:0": []}, {}
def t(s):
	return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp() * 1000
for l in open(sys.argv[1]):
	m = re.match(r"(\S+) .*api: \S+ command (\d+) to \S+ (zw:\d:0)\.locked", l)
	if m:
		sent[m[2]] = t(m[1]); dev[m[2]] = m[3]
	m = re.match(r"(\S+) .*: command (\d+) OK", l)
	if m and m[2] in sent:
		took[dev[m[2]]].append(t(m[1]) - sent[m[2]])
for d, name in (("zw:2:0", "S0 lock (node 2)"), ("zw:5:0", "S2 lock (node 5)")):
	x = sorted(took[d])
	if not x:
		print(f"# {name}: no command confirmed"); continue
	p = lambda q: x[min(len(x) - 1, int(q * len(x)))]
	print(f"# {name}: {len(x)} commands OK, p50 {p(0.5):.0f} ms, p99 {p(0.99):.0f} ms")
PY
echo "# slave VmRSS with both locks, after the S2 inclusion: $rss kB"
finish
