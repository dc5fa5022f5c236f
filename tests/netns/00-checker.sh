#!/usr/bin/env bash
# tests/netns/check-journal.py against made-up journals: clean ones pass,
# and each kind of breach it exists to find fails it, naming the breach.
# Needs neither root nor namespaces.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tname=$(basename "$0" .sh)
work=$(mktemp -d "/tmp/hd-$tname.XXXXXX")
trap 'rm -rf "$work"' EXIT
failures=0
ok() { echo "ok - $tname: $*"; }
not_ok() { echo "not ok - $tname: $*"; failures=$((failures + 1)); }

# The lines of a good run: two slaves, term 1 then 2 (a new master), one
# command missed while a slave was away, one in flight at a SIGKILL.
H="origin=master"
good_house="start id=0 origin=- term=1 master=m1 mono_ms=1 wall_ms=1
exec id=1 $H term=1 master=m1 mono_ms=2 wall_ms=2 dev=sim:lamp key=on value=b:true
done id=1 $H term=1 master=m1 mono_ms=2 wall_ms=2 dev=sim:lamp status=OK value=b:true
exec id=5 $H term=1 master=m1 mono_ms=3 wall_ms=3 dev=sim:lamp key=on value=b:false
start id=0 origin=- term=1 master=- mono_ms=1 wall_ms=9
exec id=18446181123756130305 origin=safe term=1 master=- mono_ms=2 wall_ms=10 dev=zw:3 key=on value=b:false
done id=18446181123756130305 origin=safe term=1 master=- mono_ms=2 wall_ms=10 dev=zw:3 status=OK value=b:false
exec id=1025 $H term=2 master=m2 mono_ms=4 wall_ms=11 dev=sim:lamp key=on value=b:true
done id=1025 $H term=2 master=m2 mono_ms=4 wall_ms=11 dev=sim:lamp status=OK value=b:true"
good_barn="start id=0 origin=- term=1 master=m1 mono_ms=1 wall_ms=1
exec id=2 $H term=1 master=m1 mono_ms=2 wall_ms=2 dev=sim:lamp key=on value=b:true
done id=2 $H term=1 master=m1 mono_ms=2 wall_ms=2 dev=sim:lamp status=BUSY value=-"
acc() {	# acc ID NODE STATUS RESULT: an accepted command as the API shows it
	echo "{\"id\":$1,\"node\":\"$2\",\"device\":\"sim:lamp\",\"key\":\"on\",\"status\":\"$3\",\"result\":\"$4\"}"
}
good_acc="$(acc 1 slave-house ok ok)
$(acc 2 slave-barn failed busy)
$(acc 3 slave-barn failed offline)
$(acc 5 slave-house failed offline)
$(acc 1025 slave-house ok ok)"

# run NAME HOUSE BARN ACCEPTED [options]: the checker over these; its
# output in $work/NAME.out, its status returned.
run() {
	local n=$1
	printf '%s\n' "$2" >"$work/slave-house.journal"
	printf '%s\n' "$3" >"$work/slave-barn.journal"
	printf '%s\n' "$4" >"$work/acc.jsonl"
	shift 4
	python3 "$top/tests/netns/check-journal.py" --accepted "$work/acc.jsonl" \
	    "$@" "$work/slave-house.journal" "$work/slave-barn.journal" \
	    >"$work/$n.out" 2>&1
}
pass() {	# pass DESC HOUSE BARN ACC [options]
	local d=$1; shift
	if run pass "$@"; then ok "$d"; else not_ok "$d: $(cat "$work/pass.out")"; fi
}
fails() {	# fails DESC REGEX HOUSE BARN ACC [options]
	local d=$1 re=$2; shift 2
	if run fail "$@"; then
		not_ok "$d: passed"
	elif grep -Eq "^FAIL: .*$re" "$work/fail.out"; then
		ok "$d"
	else
		not_ok "$d: $(cat "$work/fail.out")"
	fi
}

pass "a clean run passes (missed, in flight at a kill, safe states)" \
	"$good_house" "$good_barn" "$good_acc"
pass "... and with a normal stop at the end" "$good_house
stop id=0 origin=- term=2 master=m2 mono_ms=5 wall_ms=12" "$good_barn" "$good_acc"
pass "... also with --all-known" "$good_house" "$good_barn" "$good_acc" --all-known
fails "--no-missed: a reported miss fails" "never executed" \
	"$good_house" "$good_barn" "$good_acc" --no-missed
fails "a command executed twice on one slave" "command 1 executed 2 times" \
	"$good_house
exec id=1 $H term=2 master=m2 mono_ms=5 wall_ms=12 dev=sim:lamp key=on value=b:true
done id=1 $H term=2 master=m2 mono_ms=5 wall_ms=12 dev=sim:lamp status=OK value=b:true" \
	"$good_barn" "$good_acc"
fails "a command executed on two slaves" "command 2 executed 2 times" \
	"$good_house
exec id=2 $H term=2 master=m2 mono_ms=5 wall_ms=12 dev=sim:lamp key=on value=b:true
done id=2 $H term=2 master=m2 mono_ms=5 wall_ms=12 dev=sim:lamp status=OK value=b:true" \
	"$good_barn" "$good_acc"
fails "the term going down on a slave" "term went down from 2 to 1" \
	"$good_house
exec id=7 $H term=1 master=m1 mono_ms=5 wall_ms=12 dev=sim:lamp key=on value=b:true
done id=7 $H term=1 master=m1 mono_ms=5 wall_ms=12 dev=sim:lamp status=OK value=b:true" \
	"$good_barn" "$good_acc"
fails "two masters acting in one term" "term 1: 2 masters acted: m1, m3" \
	"$good_house" "$good_barn
exec id=8 $H term=1 master=m3 mono_ms=5 wall_ms=12 dev=sim:lamp key=on value=b:true
done id=8 $H term=1 master=m3 mono_ms=5 wall_ms=12 dev=sim:lamp status=OK value=b:true" \
	"$good_acc"
fails "an accepted command the API calls ok, never executed: lost" \
	"command 9 accepted, never executed.*lost" \
	"$good_house" "$good_barn" "$good_acc
$(acc 9 slave-barn ok ok)"
fails "an accepted command still pending: lost" "command 9 accepted, never executed" \
	"$good_house" "$good_barn" "$good_acc
$(acc 9 slave-barn pending "")"
fails "a result that never reached the API" "command 2: the slave's result BUSY never reached the API" \
	"$good_house" "$good_barn" "$(sed 's/"failed","result":"busy"/"failed","result":"offline"/' <<<"$good_acc")"
fails "a command executed on the wrong slave" "command 2 for slave-house" \
	"$good_house" "$good_barn" "$(sed 's/"id":2,"node":"slave-barn"/"id":2,"node":"slave-house"/' <<<"$good_acc")"
fails "a command started and never ended while the slave ran on" \
	"command 5 started .* but never ended" \
	"$(sed 's/^start id=0 origin=- term=1 master=- /stop id=0 origin=- term=1 master=m1 mono_ms=3 wall_ms=3\n&/' <<<"$good_house")" \
	"$good_barn" "$good_acc"
fails "--all-known: a command the API never accepted" "executed that the API never accepted" \
	"$good_house" "$good_barn" "$(grep -v '"id":1025' <<<"$good_acc")" --all-known
fails "a line that is not a journal line" "not a journal line" \
	"$good_house
garbage" "$good_barn" "$good_acc"
[ "$failures" -eq 0 ]
