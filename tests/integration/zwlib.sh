# Start-up shared by the Z-Wave integration tests, sourced after lib.sh
# (and after zwave-js/mock.sh when the stick is zwave-js's mock server):
#
#	zw_web [web_master args]	a real master with its web process
#	zw_tm				or hd-testmaster (commands by `send`)
#	zwsim [-7|-l] / mock.sh		the stick (lib.sh, zwave-js/mock.sh)
#	zw_start [slave conf lines]	the master, the slave on the stick,
#					both checked up
#	zw_interviewed			hd-zwsim's four nodes interviewed
#	zw_api				an admin session on the API (zw_web)
#
# Each step checks what it waits for, with the same bounds the tests had.

# zw_web [web_master args]: a test PKI and master.conf with the HTTPS
# engine (web_master: G, port, wport, M, U), the slave's log in S, and
# the admin's password in pw.
zw_web() {
	zw_master=web
	web_master "$@"
	S=$work/slave-house.log
	trap '' PIPE
	admin_pw
}

# zw_tm: a test PKI (P) for hd-testmaster on $port, its output in T.
zw_tm() {
	zw_master=tm
	gen_pki
	port=$(free_port)
	P=$work/pki/good
	S=$work/slave-house.log
	T=$work/tm.out
	trap '' PIPE
}

# zw_port: the slave's stick: the mock's tcp:// address once mock.sh set
# zport, else hd-zwsim's pty.
zw_port() {
	if [ -n "${zport:-}" ]; then
		echo "tcp://127.0.0.1:$zport"
	else
		cat "$work/pty"
	fi
}

# zw_start [lines]: the master (zw_web's, or hd-testmaster on fd 4 for
# send), then slave-house on the stick with these extra config lines,
# until the master has it online.
zw_start() {
	local pki=${G:-} online=${M:-} re='slave slave-house .*online' t=15
	if [ "$zw_master" = tm ]; then
		mkfifo "$work/tm.in"
		"$bin/hd-testmaster" -a "127.0.0.1:$port" -c "$P/master.crt" \
			-k "$P/master.key" -C "$P/ca.crt" -r "$P/crl.pem" -H 500 -u \
			<"$work/tm.in" >"$T" 2>"$work/tm.log" &
		pids+=($!)
		disown $!
		exec 4>"$work/tm.in"
		check "test master listens" wait_log "$T" '^listening ' 5
		pki=$P online=$T re='^online slave-house ' t=10
	else
		start hd-master master
		check "web process starts" \
			wait_log "$M" 'web process [0-9]+ serving' 10
	fi
	slave_conf slave-house House "$port" "$pki" "simulate no" \
		"zwave port $(zw_port)" "$@"
	start hd-slave slave-house
	check "slave online" wait_log "$online" "$re" "$t"
}
# send LINE: a line to hd-testmaster (zw_tm).
send() { printf '%s\n' "$*" >&4; }

zw_interviewed() {
	check "the four simulated nodes are interviewed" \
		wait_count "$S" 'zwave: node [2-5]: [0-9]+ command classes' 4 30
}

# zw_api: the admin logged in on the API at A (sess, csrf, auth); get
# PATH with the session; json EXPR on stdin's JSON (j).
zw_api() {
	A=$U/api/v1
	admin_session
	check "admin logged in" test -n "$sess" -a -n "$csrf"
}
hcurl() { curl -s --cacert "$G/ca.crt" --max-time 10 "$@"; }
get() { hcurl -H "Cookie: $sess" "$A/$1"; }
json() { python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }

# Node maintenance through the API: maint BODY posts a step; last EXPR
# reads the maintenance state (j); wait_last STATE SECONDS until the last
# step has this state.
maint() { post zwave/slave-house/maintenance "$1" "${auth[@]}"; }
last() { get zwave/slave-house/maintenance | json "$1"; }
wait_last() {
	local i=0
	while [ "$i" -lt $(($2 * 10)) ]; do
		[ "$(last 'j["last"]["state"] if j["last"] else ""')" = "$1" ] &&
			return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
