#!/usr/bin/env bash
# hd-master --backup / --restore (issue 19, item 6; docs/OPERATIONS.md,
# "Backup and restore"): a master with users, a token, sessions, a
# licence, an events file and its runtime state, a value history and
# the PKI's public parts is backed up (while it runs, and after it
# stopped), restored onto a fresh state-dir and an empty PKI folder on
# "a new Pi", and started there: the API answers the same (users,
# tokens, licence, events, history), the old session cookie still
# works, and no private key is in the backup. A damaged backup, one with
# an unknown entry, and a restore onto a state-dir that has state are
# refused.
. "$(dirname "$0")/lib.sh"

L=$work/lic
"$top/tests/integration/gen-test-licences.sh" "$L" >/dev/null ||
	{ not_ok "generate test licences"; finish; }
I=$L/inst
"$top/pki/hd-pki" issue "$I" web web >/dev/null
export HD_LICENCE_ROOT=$L/vendor/root.crt
G=$I
port=$(free_port)
wport=$(free_port)
cat >"$work/house.events" <<'EV'
mode house { home away }
event porch-light {
	when at 23:59
	do set slave-a/sim:lamp.on = off
}
EV
# conf NAME PKIDIR: a master config for state-dir state-NAME
conf() {
	master_conf "$1" "$port" "$2" master "web-listen 127.0.0.1:$wport" \
		"web-cert $2/web.crt" "web-key $2/web.key" \
		"events $work/$1.events" "heartbeat 250" "timeout 1000"
}
conf old "$I"
cp "$work/house.events" "$work/old.events"
mkdir -p "$work/state-old"
cp "$L/valid.pem" "$work/state-old/licence.pem"
slave_conf slave-a House "$port" "$I"
M=$work/old.log
A=https://127.0.0.1:$wport/api/v1
hcurl() { curl -s --cacert "$G/ca.crt" --max-time 10 "$@"; }
req() {	# req METHOD PATH [BODY]: the body (status in $work/code)
	local b=${3:-}
	hcurl -o "$work/body" -w '%{http_code}' -X "$1" "${auth[@]}" \
		${b:+-H 'Content-Type: application/json' --data-binary "$b"} \
		"$A/$2" >"$work/code"
	cat "$work/body"
}
M_BIN=hd-master-testroot
out=$("$bin/$M_BIN" -f "$work/old.conf" -U admin 2>&1)
pw=$(sed -n 's/.*password (shown only now): //p' <<<"$out")
start "$M_BIN" old
start hd-slave slave-a
check "the old master serves" wait_log "$M" 'web process [0-9]+ serving' 10
check "its slave is online" wait_log "$M" 'slave slave-a .*online' 15
out=$(hcurl -D "$work/head" -H 'Content-Type: application/json' \
	--data-binary "{\"name\":\"admin\",\"password\":\"$pw\"}" "$A/login")
csrf=$(grep -Eo '"csrf":"[0-9a-f]{64}"' <<<"$out" | cut -d'"' -f4)
sess=$(tr -d '\r' <"$work/head" | sed -n 's/^[Ss]et-[Cc]ookie: //p')
sess=${sess%%;*}
auth=(-H "Cookie: $sess" -H "X-CSRF-Token: $csrf")
req POST users '{"name":"bob","role":"user","grants":[]}' >/dev/null
check "a second user" grep -q 201 "$work/code"
tok=$(req POST tokens '{"name":"kitchen tablet"}' | grep -Eo '"token":"[^"]+"' | cut -d'"' -f4)
check "an app token" test -n "$tok"
# A value with history: the simulated slave reports every 300 ms.
dev=$(req GET devices | grep -Eo '"id":"[^"]+"' | head -1 | cut -d'"' -f4)
key=$(req GET "devices/slave-a/$dev" | grep -Eo '"key":"[^"]+"' | head -1 | cut -d'"' -f4)
check "a device and value to keep the history of: $dev/$key" test -n "$key"
wait_hist() { req GET "history/slave-a/$dev/$key?range=hour" | grep -q '"n":[1-9]'; }
check "its history has points" eval 'for i in $(seq 50); do wait_hist && break; sleep 0.2; done; wait_hist'
# The answers are compared up to the minute the backup is taken in (the
# slave, back for the comparison, adds readings after it): wait for the
# next minute, so that at least one whole minute of points is before it.
m0=$(($(date +%s) / 60))
for i in $(seq 70); do [ $(($(date +%s) / 60)) -gt "$m0" ] && break; sleep 1; done
cut=$(($(date +%s) / 60 * 60000))

# 1. A backup while it runs.
check "--backup while the master runs" \
	quiet "$bin/$M_BIN" -f "$work/old.conf" --backup "$work/live.hdb"
# 2. Stop (the history and tokens are saved at a clean stop), back up.
kill -TERM "$(pid_of slave_a)" "$(pid_of old)"
wait_log "$M" 'shutting down' 5
for i in $(seq 50); do kill -0 "$(pid_of old)" 2>/dev/null || break; sleep 0.1; done
check "the old master stopped" eval '! kill -0 "$(pid_of old)" 2>/dev/null'
out=$("$bin/$M_BIN" -f "$work/old.conf" --backup "$work/b.hdb" 2>&1)
check "--backup: $out" test $? -eq 0
check "... mode 0600" test "$(stat -c %a "$work/b.hdb")" = 600
for f in users tokens sessions history master.state licence.pem sched.state \
    backup.info events pki/ca.crt pki/crl.pem pki/master.crt pki/web.crt; do
	check "... holds $f" grep -qaF "$f" "$work/b.hdb"
done
check "... and no private key" eval '! grep -qa "PRIVATE KEY" "$work/b.hdb"'

# The old master's answers (again alone, no slave: the same for both).
# The points before the cut, one a line.
before_cut() { grep -Eo '\{"t_ms":[0-9]+[^}]*\}' | awk -F'[:,]' -v c="$cut" '$2 < c'; }
answers() {	# answers NAME: the API's answers of the running master
	for p in users tokens licence events; do
		echo "== $p"
		# the events file's path is the configuration's, not the state's
		req GET "$p" | sed -E -e 's/"(last_used|now|days_left|next_ms|next)[a-z_]*":[0-9.]+//g' \
		    -e "s|$work/(old\|new).events|EVENTS|g"
		echo
	done
	echo "== history"
	req GET "history/slave-a/$dev/$key?range=hour" | before_cut
}
# up LOG N: the master of LOG serves (the Nth time) and slave-a is online.
up() {
	wait_count "$1" 'web process [0-9]+ serving' "$2" 10 &&
	start hd-slave slave-a && wait_count "$1" 'slave slave-a .*online' "$2" 15
}
stop() {
	kill -TERM "$(pid_of slave_a)" "$(pid_of "$1")"
	for i in $(seq 50); do kill -0 "$(pid_of "$1")" 2>/dev/null || break; sleep 0.1; done
}
start "$M_BIN" old
check "the old master again, its slave online" up "$M" 2
answers old >"$work/answers-old"

# 3. A new Pi: its own state-dir, a PKI folder with only its key.
mkdir -p "$work/new-pki"
cp "$I/master.key" "$I/web.key" "$work/new-pki/"
conf new "$work/new-pki"
echo "crl $work/new-pki/crl.pem" >>"$work/new.conf"
check "--restore refuses a damaged backup" eval \
	'cp "$work/b.hdb" "$work/bad.hdb"; printf "\xff" | dd of="$work/bad.hdb" bs=1 seek=40 conv=notrunc 2>/dev/null;
	 ! "$bin/$M_BIN" -f "$work/new.conf" --restore "$work/bad.hdb" 2>"$work/err" && grep -q "SHA-256 does not match" "$work/err"'
check "... and leaves the state-dir without state" test ! -e "$work/state-new/users"
out=$("$bin/$M_BIN" -f "$work/new.conf" --restore "$work/b.hdb" 2>&1)
check "--restore onto the new state-dir" test $? -eq 0
check "... says what the backup is" grep -q "^version " <<<"$out"
check "... state files 0600" test "$(stat -c %a "$work/state-new/users")" = 600
check "... the CA, CRL and certificates into the empty PKI folder" eval \
	'cmp -s "$I/ca.crt" "$work/new-pki/ca.crt" && cmp -s "$I/crl.pem" "$work/new-pki/crl.pem" &&
	 cmp -s "$I/master.crt" "$work/new-pki/master.crt" && cmp -s "$I/web.crt" "$work/new-pki/web.crt"'
check "... the events file" cmp -s "$work/house.events" "$work/new.events"
check "a second --restore is refused (the state-dir has state)" eval \
	'! "$bin/$M_BIN" -f "$work/new.conf" --restore "$work/b.hdb" 2>"$work/err" && grep -q "restore onto a new" "$work/err"'
stop old
M=$work/new.log
start "$M_BIN" new
check "the restored master starts, the slave online" up "$M" 1
check "... with the licence" wait_log "$M" 'licence: valid for "Test Home"' 5
answers new >"$work/answers-new"
check "the API answers the same: users, tokens, licence, events, history" \
	cmp "$work/answers-old" "$work/answers-new"
check "... (and not nothing)" eval \
	'grep -q "\"bob\"" "$work/answers-new" && grep -q "kitchen tablet" "$work/answers-new" && grep -q "porch-light" "$work/answers-new" && grep -q "\"n\":[1-9]" "$work/answers-new"'
check "the old session cookie works on the restored master" eval \
	'req GET session >/dev/null; grep -q 200 "$work/code"'
check "the app token too" eval \
	'[ "$(hcurl -o /dev/null -w "%{http_code}" -H "Authorization: Bearer $tok" "$A/devices")" = 200 ]'
check "the backup taken while running restores too" eval \
	'conf live "$work/new-pki"; "$bin/$M_BIN" -f "$work/live.conf" --restore "$work/live.hdb" >/dev/null 2>&1 && [ -s "$work/state-live/users" ]'
finish
