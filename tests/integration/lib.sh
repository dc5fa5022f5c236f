# Shared helpers for integration tests. Each test prints one line per
# check, "ok - ..." or "not ok - ...", which tests/run.sh counts.
# BUILD selects the tree (build or build-san); every process a test
# starts is killed on exit; every wait is bounded.

set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-build}
bin=$top/$BUILD
tname=$(basename "$0" .sh)

# Each test runs in a network namespace of its own, with only lo (up, so
# 127.0.0.0/8 and ::1): nothing but its own daemons can hold a port there,
# so free_port hands out ports in turn, certainly free, and tests can run
# side by side. Where unshare -n is refused (not root), the old way, said
# by a skip line. npm packages a test needs are installed before it enters
# the namespace, which has no route to the registry (tests/run.sh does it
# once for all and sets HD_NPM_TRIED).
if [ -z "${HD_NETNS:-}" ]; then
	if [ -z "${HD_NPM_TRIED:-}" ]; then
		grep -q 'zwave-js/mock.sh' "$0" &&
			"$top/tests/integration/zwave-js/install.sh" >/dev/null 2>&1
		grep -q 'browser/install.sh' "$0" &&
			"$top/tests/browser/install.sh" >/dev/null 2>&1
	fi
	if unshare -n true 2>/dev/null; then
		export HD_NETNS=own HD_NPM_OFFLINE=1
		exec unshare -n -- "$BASH" -c \
		    'ip link set lo up && exec "$BASH" "$@"' _ "$0" "$@"
	fi
	HD_NETNS=shared
	echo "skip - $tname: no network namespace of its own" \
	    "(unshare -n needs root): its ports are only probably free"
fi
work=$(mktemp -d "/tmp/hd-$tname.XXXXXX")
failures=0
pids=()

cleanup() {
	local p
	stop_all
	# Whatever did not stop on SIGTERM (a leak check that hangs under a
	# tracer, say) must not outlive the test and eat the CPU.
	for p in "${pids[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	if [ "$failures" -eq 0 ] && [ -z "${KEEP:-}" ]; then
		rm -rf "$work"
	else
		echo "# logs kept in $work"
	fi
}
trap cleanup EXIT

ok() { echo "ok - $tname: $*"; }
not_ok() { echo "not ok - $tname: $*"; failures=$((failures + 1)); }
check() {	# check DESC CMD...
	local d=$1; shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}
quiet() { "$@" >/dev/null 2>&1; }
# Stop every daemon with SIGTERM (so sanitizer builds run their leak
# check), then fail the test if any log holds a sanitizer report.
stop_all() {
	local p i
	for p in "${pids[@]}"; do
		kill -CONT "$p" 2>/dev/null
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${pids[@]}"; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ "$i" -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
	done
}
finish() {
	local bad
	stop_all
	bad=$(grep -lE 'Sanitizer|runtime error:' "$work"/*.log 2>/dev/null)
	if [ -n "$bad" ]; then
		not_ok "sanitizer reports in: $(echo $bad | xargs -n1 basename | tr '\n' ' ')"
	else
		ok "no sanitizer report in any daemon log"
	fi
	[ "$failures" -eq 0 ]
	exit $?
}

# free_port: a port for 127.0.0.1 and ::1. In the test's own namespace,
# the next of PORT_FIRST.. (below the kernel's ephemeral range, so no
# client socket takes it either); the count lives in a file because
# callers run this in $(...). Without a namespace, one the kernel picked
# and released: another program may take it meanwhile.
PORT_FIRST=20000
free_port() {
	local n
	if [ "$HD_NETNS" = own ]; then
		n=$(cat "$work/.ports" 2>/dev/null || echo 0)
		echo $((n + 1)) >"$work/.ports"
		echo $((PORT_FIRST + n))
		return
	fi
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_log FILE REGEX [SECONDS]: poll until the log matches.
wait_log() {
	local f=$1 re=$2 t=${3:-10} i=0
	while [ "$i" -lt $((t * 10)) ]; do
		grep -Eq -- "$re" "$f" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# wait_count FILE REGEX N [SECONDS]: until at least N lines match.
wait_count() {
	local f=$1 re=$2 n=$3 t=${4:-10} i=0
	while [ "$i" -lt $((t * 10)) ]; do
		[ "$(count_log "$f" "$re")" -ge "$n" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# other_hex TOKEN: TOKEN with its first hex digit replaced by the next
# one (f wraps to 0): certainly wrong, same length and alphabet.
other_hex() {
	local d=$((16#${1:0:1}))
	printf '%x%s\n' $(((d + 1) % 16)) "${1:1}"
}

# count_log FILE REGEX
count_log() { grep -Ec -- "$2" "$1" 2>/dev/null || true; }

gen_pki() { "$top/tests/integration/gen-test-pki.sh" "$work/pki" >/dev/null; }

# master_conf NAME PORT PKIDIR CERTNAME [extra lines]
master_conf() {
	local name=$1 port=$2 p=$3 c=$4; shift 4
	{
		echo "listen 127.0.0.1:$port"
		echo "ca $p/ca.crt"
		echo "cert $p/$c.crt"
		echo "key $p/$c.key"
		[ -f "$p/crl.pem" ] && echo "crl $p/crl.pem"
		echo "state-dir $work/state-$name"
		echo "heartbeat 500"
		echo "timeout 2000"
		for l in "$@"; do echo "$l"; done
	} >"$work/$name.conf"
}

# web_master [extra lines]: a test PKI with a web certificate, and a
# master.conf with the HTTPS engine on $wport (cluster link on $port).
# Sets G (the good PKI), port, wport, M (the master log), U (base URL).
web_master() {
	gen_pki
	G=$work/pki/good
	"$top/pki/hd-pki" issue "$G" web web >/dev/null
	port=$(free_port)
	wport=$(free_port)
	master_conf master "$port" "$G" master "web-listen 127.0.0.1:$wport" \
		"web-cert $G/web.crt" "web-key $G/web.key" "$@"
	M=$work/master.log
	U=https://127.0.0.1:$wport
}
# web_pid: the newest web process the master reported.
web_pid() { grep -Eo 'web process [0-9]+ serving' "$M" | tail -1 | awk '{print $3}'; }
hcurl() { curl -s --cacert "$G/ca.crt" --max-time 5 "$@"; }
# The JSON API through the web process (after web_master, with A set to
# $U/api/v1). A test may define its own versions after sourcing this.
# call METHOD PATH [BODY] [curl args]: prints the status, then the body.
call() {
	local m=$1 p=$2 b=${3:-}; shift 2; [ $# -gt 0 ] && shift
	if [ -n "$b" ]; then
		hcurl -o "$work/body" -w '%{http_code}\n' -X "$m" \
			-H 'Content-Type: application/json' --data-binary "$b" "$@" "$A/$p"
	else
		hcurl -o "$work/body" -w '%{http_code}\n' -X "$m" "$@" "$A/$p"
	fi
	cat "$work/body"
}
# login NAME PASSWORD: sets S (cookie header) and C (CSRF header).
login() {
	local out
	out=$(hcurl -D "$work/head" -H 'Content-Type: application/json' \
		--data-binary "{\"name\":\"$1\",\"password\":\"$2\"}" "$A/login")
	S="Cookie: $(tr -d '\r' <"$work/head" | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p')"
	C="X-CSRF-Token: $(grep -Eo '"csrf":"[0-9a-f]{64}"' <<<"$out" | cut -d'"' -f4)"
}
# mk NAME ROLE GRANTS: an admin (headers AS, AC) makes a user; prints the
# generated password.
mk() {
	call POST users "{\"name\":\"$1\",\"role\":\"$2\",\"grants\":$3}" -H "$AS" -H "$AC" |
		grep -Eo '"password":"[a-z0-9]{20}"' | cut -d'"' -f4
}

# slave_conf NAME SITE PORT PKIDIR [extra lines]
slave_conf() {
	local name=$1 site=$2 port=$3 p=$4; shift 4
	{
		echo "site \"$site\""
		echo "master 127.0.0.1:$port"
		echo "ca $p/ca.crt"
		echo "cert $p/$name.crt"
		echo "key $p/$name.key"
		[ -f "$p/crl.pem" ] && echo "crl $p/crl.pem"
		echo "state-dir $work/state-$name"
		echo "simulate yes"
		echo "simulate-interval 300"
		echo "heartbeat 500"
		echo "timeout 2000"
		for l in "$@"; do echo "$l"; done
	} >"$work/$name.conf"
}

# start DAEMON NAME: run $bin/DAEMON -f $work/NAME.conf, log to NAME.log;
# the pid lands in pid_NAME.
start() {
	local d=$1 n=$2
	"$bin/$d" -v -f "$work/$n.conf" >>"$work/$n.log" 2>&1 &
	pids+=($!)
	disown $!	# no "Killed" chatter; cleanup() still kills it
	printf -v "pid_${n//-/_}" '%s' "$!"
}
pid_of() { local v="pid_${1//-/_}"; echo "${!v}"; }

rawpeer() { "$bin/hd-rawpeer" "$@"; }

# zwsim [hd-zwsim options]: the stick simulator on a pty ($work/pty, the
# slave's "zwave port"), its log in Z, its control fifo held open on fd 3:
# zw LINE tells it something (see tests/tools/zwsim.c).
zwsim() {
	Z=$work/zwsim.log
	mkfifo "$work/zwctl"
	"$bin/hd-zwsim" "$@" -p "$work/pty" <"$work/zwctl" >>"$Z" 2>&1 &
	pids+=($!)
	disown $!
	exec 3>"$work/zwctl"
	check "simulator presents a pty" wait_log "$Z" 'zwsim: ready' 10
}
zw() { echo "$*" >&3; }
# admin_pw [DAEMON]: make the admin with DAEMON -U (hd-master); its
# generated password in pw.
admin_pw() {
	local out
	out=$("$bin/${1:-hd-master}" -f "$work/master.conf" -U admin 2>&1)
	pw=$(sed -n 's/.*password (shown only now): //p' <<<"$out")
}
# post PATH BODY [curl args]: the status, then the body (A: the API).
post() {
	local p=$1 b=$2; shift 2
	hcurl -o "$work/body" -w '%{http_code}\n' -H 'Content-Type: application/json' \
		--data-binary "$b" "$@" "$A/$p"
	cat "$work/body"
}
# admin_session: log the admin in (pw); sess, csrf, and auth (the curl
# arguments of both).
admin_session() {
	post login "{\"name\":\"admin\",\"password\":\"$pw\"}" -D "$work/head" >"$work/login"
	sess=$(tr -d '\r' <"$work/head" | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p')
	csrf=$(grep -Eo '"csrf":"[0-9a-f]{64}"' "$work/login" | cut -d'"' -f4)
	auth=(-H "Cookie: $sess" -H "X-CSRF-Token: $csrf")
}
