#!/usr/bin/env bash
# make bench, HTTPS part: the master's web engine and nginx (Debian's,
# same certificate, same small JSON answer with the same security headers,
# one worker) side by side on
# loopback, measured with wrk: keep-alive requests/s, new handshakes/s,
# p99 latency, the server's CPU time per request, and keep-alive
# requests/s again under a probe storm: BENCH_STORM_RATE (300) mixed
# probes a second, BENCH_STORM_HOLD (500) silent connections held. Servers are pinned to CPU 0
# and the load generators to CPU 1, so "one core" means one core. Prints
# each figure and the ratios (master / nginx, storm / calm).
set -eu
cd "$(dirname "$0")/../.."
top=$PWD
bin=$top/${BUILD:-build}
secs=${BENCH_HTTPS_SECONDS:-5}
work=$(mktemp -d /tmp/hd-bench-https.XXXXXX)
pids=()
cleanup() {
	kill "${pids[@]}" 2>/dev/null || true
	[ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

pki/hd-pki init "$work/pki" --name Bench >/dev/null
pki/hd-pki issue "$work/pki" master master >/dev/null
pki/hd-pki issue "$work/pki" web web >/dev/null
mport=$(freeport)
nport=$(freeport)
cat >"$work/master.conf" <<CONF
listen 127.0.0.1:$(freeport)
ca pki/ca.crt
cert pki/master.crt
key pki/master.key
state-dir state
web-listen 127.0.0.1:$mport
web-cert pki/web.crt
web-key pki/web.key
allow 127.0.0.1
CONF
# Its own session, as nginx (which daemonizes) has: with the scheduler's
# autogroups, sharing the session of this script and its wrk would give
# the engine half the CPU share nginx gets whenever the machine is busy.
taskset -c 0 setsid "$bin/hd-master" -f "$work/master.conf" 2>"$work/master.log" &
pids+=($!)
mkdir -p "$work/nginx"
nginx_headers=""
[ -n "${BENCH_NGINX_BARE:-}" ] || nginx_headers='add_header Cache-Control "no-store" always;
			add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;
			add_header Content-Security-Policy "default-src '"'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"'" always;
			add_header X-Content-Type-Options "nosniff" always;
			add_header X-Frame-Options "DENY" always;
			add_header Referrer-Policy "no-referrer" always;'
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	ssl_protocols TLSv1.2 TLSv1.3;
	ssl_session_cache shared:S:1m;
	client_body_temp_path $work/nginx;
	proxy_temp_path $work/nginx;
	fastcgi_temp_path $work/nginx;
	uwsgi_temp_path $work/nginx;
	scgi_temp_path $work/nginx;
	server {
		listen 127.0.0.1:$nport ssl;
		ssl_certificate $work/pki/web.crt;
		ssl_certificate_key $work/pki/web.key;
		location = /api/v1/health {
			default_type application/json;
			# The engine's headers, so both answers are the same bytes
			# on the wire (BENCH_NGINX_BARE=1: without them).
			$nginx_headers
			return 200 '{"status":"ok","version":"0.1.0","uptime_s":1}\n';
		}
	}
}
CONF
taskset -c 0 nginx -c "$work/nginx.conf" -e "$work/nginx/error.log"
sleep 1

# CPU ticks (user + system) the processes PID... have used so far.
ticks() {
	local p n=0
	for p; do n=$((n + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
	echo "$n"
}
tck=$(getconf CLK_TCK)
# The web process serves, not the master; it is the spawner's child.
mweb=$(grep -Eo 'web process [0-9]+ serving' "$work/master.log" | tail -1 | awk '{print $3}')
nweb=$(pgrep -P "$(cat "$work/nginx.pid")" | head -1)
[ -n "$mweb" ] && [ -n "$nweb" ] || { echo "https.sh: a server is not up" >&2; exit 1; }
# CPU is counted for the serving process and the one that hears of its
# probes: the master (scores, statistics, bans on disk), nginx's master.
mcpu="$mweb ${pids[0]}"
ncpu="$nweb $(cat "$work/nginx.pid")"

# measure "PID..." URL [wrk args] -> "requests/s p99_ms cpu_us_per_request".
# Requests per second depend on what else the machine runs; the server's
# CPU time per request much less, so both are shown.
measure() {
	local pid=$1 url=$2 t0 out; shift 2
	t0=$(ticks $pid)
	out=$(taskset -c 1 wrk -t1 -c16 -d"${secs}s" --latency "$@" "$url" 2>&1)
	awk -v t="$(( $(ticks $pid) - t0 ))" -v hz="$tck" '
	    /requests in/ {n=$1}
	    /Requests\/sec/ {r=$2}
	    / 99%/ {v=$2; if (v ~ /ms/) {sub("ms","",v)} else if (v ~ /us/) {sub("us","",v); v=v/1000} else if (v ~ /s/) {sub("s","",v); v=v*1000}; p=v}
	    END {printf "%.0f %.2f %.1f", r, p, (n > 0 ? t / hz * 1e6 / n : 0)}' <<<"$out"
}
# best A B: of two "requests/s p99_ms cpu_us" results, the better of each
# figure (more requests, less latency, less CPU).
best() {
	awk -v a="$1" -v b="$2" 'BEGIN {split(a, x, " "); split(b, y, " ");
	    if (x[1] == "") {print b; exit} if (y[1] == "") {print a; exit}
	    printf "%s %s %s", (x[1] > y[1] ? x[1] : y[1]), (x[2] < y[2] ? x[2] : y[2]),
	    (x[3] < y[3] ? x[3] : y[3])}'
}
rate=${BENCH_STORM_RATE:-300}
hold=${BENCH_STORM_HOLD:-500}
nstorm=0
# storm PORT: a probe storm for the length of one measurement, its held
# connections open before the measurement starts (storm.py says "ready").
# In a session of its own: with the scheduler's autogroups, sharing wrk's
# would take CPU from wrk rather than from the server under test. Each
# storm from fresh addresses, so no run bans what an earlier one sent
# (nginx bans nothing: both get the same storm).
storm() {
	local i
	nstorm=$((nstorm + 1))
	rm -f "$work/storm.out"
	taskset -c 1 setsid python3 tests/tools/storm.py 127.0.0.1 "$1" \
	    $((rate * secs)) "$secs" --hold "$hold" \
	    --base $((nstorm * 100000)) >"$work/storm.out" &
	storm_pid=$!
	for i in $(seq 200); do		# 20 s at most
		grep -q ready "$work/storm.out" 2>/dev/null && return 0
		kill -0 "$storm_pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "https.sh: the storm did not get ready" >&2
	exit 1
}
M=https://127.0.0.1:$mport/api/v1/health
N=https://127.0.0.1:$nport/api/v1/health
# Each figure is the best of BENCH_HTTPS_RUNS (3) runs, the two servers
# taking turns, so a burst of other work on this shared machine hits
# both alike and a single unlucky run does not decide a ratio.
runs=${BENCH_HTTPS_RUNS:-3}
mk="" nk="" mh="" nh="" ms="" ns=""
for i in $(seq "$runs"); do
	mk=$(best "$mk" "$(measure "$mcpu" "$M")")
	nk=$(best "$nk" "$(measure "$ncpu" "$N")")
	mh=$(best "$mh" "$(measure "$mcpu" "$M" -H 'Connection: close')")
	nh=$(best "$nh" "$(measure "$ncpu" "$N" -H 'Connection: close')")
	storm "$mport"
	ms=$(best "$ms" "$(measure "$mcpu" "$M")")
	wait "$storm_pid" || true
	storm "$nport"
	ns=$(best "$ns" "$(measure "$ncpu" "$N")")
	wait "$storm_pid" || true
done
read -r m_ka m_p99 m_cpu <<<"$mk"
read -r n_ka n_p99 n_cpu <<<"$nk"
read -r m_hs _ m_hcpu <<<"$mh"
read -r n_hs _ n_hcpu <<<"$nh"
read -r m_storm _ m_scpu <<<"$ms"
read -r n_storm _ n_scpu <<<"$ns"

printf '%-34s %12s %12s %8s\n' "HTTPS, small JSON, one core (best of $runs)" master nginx ratio
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'; }
printf '%-34s %12s %12s %8s\n' "keep-alive requests/s" "$m_ka" "$n_ka" "$(ratio "$m_ka" "$n_ka")"
printf '%-34s %12s %12s %8s\n' "new TLS handshakes/s" "$m_hs" "$n_hs" "$(ratio "$m_hs" "$n_hs")"
printf '%-34s %12s %12s %8s\n' "CPU us per keep-alive request" "$m_cpu" "$n_cpu" "$(ratio "$n_cpu" "$m_cpu")"
printf '%-34s %12s %12s %8s\n' "CPU us per new-connection request" "$m_hcpu" "$n_hcpu" "$(ratio "$n_hcpu" "$m_hcpu")"
printf '%-34s %12s %12s %8s\n' "p99 latency ms (keep-alive)" "$m_p99" "$n_p99" "$(ratio "$m_p99" "$n_p99")"
printf '%-34s %12s %12s %8s\n' "keep-alive req/s under probe storm" "$m_storm" "$n_storm" "$(ratio "$m_storm" "$n_storm")"
printf '%-34s %12s %12s\n' "storm / calm (target >= 0.95)" "$(ratio "$m_storm" "$m_ka")" "$(ratio "$n_storm" "$n_ka")"
printf '%-34s %12s %12s %8s\n' "CPU us per request under storm" "$m_scpu" "$n_scpu" "$(ratio "$n_scpu" "$m_scpu")"
printf '%-34s %12s %12s\n' "storm / calm by CPU per request" "$(ratio "$m_cpu" "$m_scpu")" "$(ratio "$n_cpu" "$n_scpu")"
echo "(ratio column: master / nginx, targets >= 1.00 for throughput; CPU rows"
echo " are nginx / master, so >= 1.00 means the master uses less, and they are"
echo " steadier than requests/s on a busy machine; p99 is master / nginx,"
echo " target <= 1.00. Storm: $rate probes/s, $hold held. \"By CPU\": what"
echo " storm / calm would be if the server had the core to itself, steadier"
echo " on a shared machine; CPU counts the serving process and its master.)"
