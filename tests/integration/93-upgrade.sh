#!/usr/bin/env bash
# Upgrades without a dark house (issue 19, item 5): the previous release
# (HD_PREV_REV, default the tag v0.1.0, built by prev-build.sh from git
# archive) and this tree work together both ways round: an old slave
# registers with a new master and reports values, and a new slave with
# an old master; a command goes end to end each way. Both say the same
# link protocol (WIRE_PROTOCOL in shared/hdlimits.h): a change of it
# needs a master that speaks both, and this test will say so. A clone
# made without tags still has the release's commit (V010, the commit the
# tag v0.1.0 names), so the test runs there too; a skip line only when
# neither is in the repository (a shallow clone).
# State files: what the old master wrote (no format number) is read by
# the new one, whose API answers the same (the old session, the users);
# the old master on the new one's files (a downgrade) works, since
# format 1 means what v0.1.0's files meant; a file of a newer format
# stops the current daemons with a line naming it, and is left alone.
. "$(dirname "$0")/lib.sh"

V010=11e074850ee0a2074038f158aa7c297ca003e824
rev=${HD_PREV_REV:-v0.1.0}
if [ -z "${HD_PREV_REV:-}" ] &&
    ! git -C "$top" rev-parse -q --verify "v0.1.0^{commit}" >/dev/null; then
	rev=$V010
fi
prev=$("$top/tests/integration/prev-build.sh" "$rev" 2>"$work/prev.err")
case $? in
0) ;;
3) echo "skip - $tname: no revision $rev in this repository (a shallow clone? HD_PREV_REV=commit to try another)"
   trap - EXIT; cleanup; exit 0 ;;
*) not_ok "build $rev: $(tail -3 "$work/prev.err" | tr '\n' ' ')"; finish ;;
esac
ok "$rev built from git archive (no .git) in $prev"
if "$prev/hd-master" -V >"$work/v" 2>&1; then
	check "... and says it is a release build: $(cat "$work/v")" \
		grep -Eq '^hd-master [0-9.]+ \(release [0-9.]+\)$' "$work/v"
fi

web_master
A=$U/api/v1
slave_conf slave-house House "$port" "$G"
# The admin is made by the new master: the old one reads its users file.
admin_pw
# run WHICH-MASTER WHICH-SLAVE: the pair up, a value and a command.
run() {
	local mb=$1 sb=$2 n=$3 what=$4
	"$mb/hd-master" -v -f "$work/master.conf" >>"$M" 2>&1 &
	pids+=($!); disown $!; local mp=$!
	check "$what: the master listens" \
		wait_count "$M" "listening on 127.0.0.1:$port" "$n" 10
	"$sb/hd-slave" -v -f "$work/slave-house.conf" >>"$work/slave.log" 2>&1 &
	pids+=($!); disown $!; local sp=$!
	check "$what: the slave registers" \
		wait_count "$M" 'slave slave-house .*online' "$n" 15
	check "$what: the web process serves" \
		wait_count "$M" 'web process [0-9]+ serving' "$n" 10
	admin_session
	check "$what: the admin logs in (users file of the new master)" \
		test -n "$csrf"
	check "$what: a value of the slave arrives" eval \
		'for i in $(seq 50); do call GET devices/slave-house/sim:temp "" "${auth[@]}" | grep -q "\"key\":\"temperature\".*\"value\":[0-9.-]" && break; sleep 0.2; done; [ $i -lt 50 ]'
	local v=true
	check "$what: the lamp is off before the command (a new slave)" eval \
		'call GET devices/slave-house/sim:lamp "" "${auth[@]}" | grep -q "\"key\":\"on\".*\"value\":false"'
	out=$(post devices/slave-house/sim:lamp/values/on "{\"value\":$v}" "${auth[@]}")
	check "$what: a command is accepted: ${out%%$'\n'*}" grep -Eq '^20[02]' <<<"$out"
	check "$what: ... and carried out (the lamp reports $v)" eval \
		'for i in $(seq 50); do call GET devices/slave-house/sim:lamp "" "${auth[@]}" | grep -q "\"key\":\"on\".*\"value\":$v" && break; sleep 0.2; done; [ $i -lt 50 ]'
	${5:-:}
	kill -TERM "$sp" "$mp"
	for i in $(seq 50); do
		kill -0 "$mp" 2>/dev/null || kill -0 "$sp" 2>/dev/null || break
		sleep 0.1
	done
}
# State files (docs/OPERATIONS.md, "State files and their formats"):
# the old master writes its files without a format number (a user made
# there: users; its login: sessions; master.state at start), and what
# the API answers from them must be the same on the new master.
S1=$work/state-master
old_state() {
	out=$(post users '{"name":"olduser","role":"viewer","grants":[{"site":"*","access":"view"}]}' "${auth[@]}")
	check "old master: a user is made: ${out%%$'\n'*}" grep -q '^201' <<<"$out"
	olduser_pw=$(grep -Eo '"password":"[a-z0-9]{20}"' <<<"$out" | cut -d'"' -f4)
	call GET users "" "${auth[@]}" >"$work/users.old"
	old_auth=("${auth[@]}")
}
new_state() {
	local f
	for f in master.state users sessions; do
		check "new master: $f of the old one read as format 1" \
			grep -q "$S1/$f: format 0 read as format 1" "$M"
	done
	check "new master: the old master's session still works, and the users answer the same" \
		eval 'call GET users "" "${old_auth[@]}" | cmp -s - "$work/users.old"'
	out=$(post login "{\"name\":\"olduser\",\"password\":\"$olduser_pw\"}")
	check "new master: the user made by the old one logs in" grep -q '^200' <<<"$out"
	call GET users "" "${auth[@]}" >"$work/users.new"
}
run "$prev" "$bin" 1 "old master ($rev), new slave" old_state
run "$bin" "$prev" 2 "new master, old slave ($rev)" new_state
check "no protocol refusal either way" eval '! grep -q "PROTOCOL\|protocol" "$M"'

# A downgrade: the old master on the files the new one wrote (format 1).
# Format 1 means what v0.1.0's files meant, so it reads them (protobuf
# skips the field it does not know) and writes them back without it.
old_again() {
	check "downgrade: the old master answers the users as the new one did" \
		eval 'call GET users "" "${auth[@]}" | cmp -s - "$work/users.new"'
}
check "downgrade: the new master wrote format 1 (field 100, the last)" \
	eval '[ "$(tail -c 3 "$S1/master.state" | od -An -tx1 | tr -d " ")" = a00601 ]'
run "$prev" "$bin" 3 "downgrade: old master ($rev) on new files, new slave" old_again

# The link protocol (docs/OPERATIONS.md, "Upgrades"): this master takes
# a Hello of WIRE_PROTOCOL_MIN to WIRE_PROTOCOL, and refuses the one
# after (a newer slave's, until a master that knows it) and the one
# before, naming them (PROTOCOL).
proto_def() { sed -n "s/^#define $1[[:space:]]*\([0-9]*\).*/\1/p" "$top/shared/hdlimits.h"; }
lo=$(proto_def WIRE_PROTOCOL_MIN) hi=$(proto_def WIRE_PROTOCOL)
"$bin/hd-master" -v -f "$work/master.conf" >>"$M" 2>&1 &
pids+=($!); disown $!; mp=$!
check "protocol: the new master listens" \
	wait_count "$M" "listening on 127.0.0.1:$port" 4 10
peer() {
	rawpeer -a "127.0.0.1:$port" -m hello -c "$G/slave-house.crt" \
		-k "$G/slave-house.key" -C "$G/ca.crt" -p "$1" 2>&1
}
for p in $(seq "$lo" "$hi"); do
	out=$(peer "$p")
	check "protocol $p (of $lo..$hi) is welcomed: $out" grep -q '^welcome' <<<"$out"
done
for p in $((lo - 1)) $((hi + 1)); do
	out=$(peer "$p")
	check "protocol $p is refused: $out" \
		grep -q "^refused: protocol $p not supported (we speak $lo to $hi)" <<<"$out"
done
kill -TERM "$mp"
for i in $(seq 50); do kill -0 "$mp" 2>/dev/null || break; sleep 0.1; done

# A file of a format newer than this version reads is refused at start,
# naming the file and both numbers, and left as it is.
printf '\x08\x07\xa0\x06\x02' >"$S1/master.state"	# term 7, format 2
cp "$S1/master.state" "$work/newer.state"
timeout 20 "$bin/hd-master" -v -f "$work/master.conf" >"$work/newer.log" 2>&1
rc=$?
check "newer master.state: the master does not start (status $rc)" \
	test "$rc" -ne 0 -a "$rc" -ne 124
check "... the log names the file and both formats" \
	grep -q "$S1/master.state: format 2 is newer than this version (.*) reads (1): refused" "$work/newer.log"
check "... and the file is left as it was" cmp -s "$S1/master.state" "$work/newer.state"
S2=$work/state-slave-house
printf '\x08\x07\xa0\x06\x02' >"$S2/slave.state"
timeout 20 "$bin/hd-slave" -v -f "$work/slave-house.conf" >"$work/newer-slave.log" 2>&1
rc=$?
check "newer slave.state: the slave does not start (status $rc), names it" \
	eval '[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && grep -q "$S2/slave.state: format 2 is newer than this version (.*) reads (1): refused" "$work/newer-slave.log"'
check "... and leaves it as it was" cmp -s "$S2/slave.state" "$work/newer.state"
finish
