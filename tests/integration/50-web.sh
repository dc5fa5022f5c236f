#!/usr/bin/env bash
# The master's HTTPS engine: a real master forks its web process, which
# serves TLS on loopback, classifies and logs every probe once, bans
# repeat offenders before any TLS work, spares the allow-list, survives
# being killed, and keeps its bans across restarts.
. "$(dirname "$0")/lib.sh"

v6=()
web_master "web-handshake-timeout 1500" "web-request-timeout 1500" \
	"allow 127.0.0.1" "allow 127.0.0.9"
if grep -q '^0\{31\}1 ' /proc/net/if_inet6 2>/dev/null; then
	v6=("web-listen [::1]:$wport")
	echo "${v6[0]}" >>"$work/master.conf"
fi
start hd-master master
check "web process starts and reports ready" \
	wait_log "$M" 'web process [0-9]+ serving on [12] listeners?' 5
probe() { python3 "$top/tests/tools/probe.py" 127.0.0.1 "$wport" "$@"; }
nprobes() { count_log "$M" "probe class=$1 addr=$2:"; }

# 1. Serving
out=$(hcurl -D - "$U/api/v1/health")
check "health answers JSON" grep -q '"status":"ok"' <<<"$out"
for h in "Strict-Transport-Security: max-age" "Content-Security-Policy: default-src 'self'" \
    "X-Content-Type-Options: nosniff" "X-Frame-Options: DENY" "Referrer-Policy: no-referrer"; do
	check "security header: ${h%%:*}" grep -qi "^$h" <<<"$out"
done
etag=$(hcurl -D - -o /dev/null "$U/" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')
check "the page has an ETag ($etag)" test -n "$etag"
check "If-None-Match gives 304" test "$(hcurl -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$U/")" = 304
check "gzip variant when accepted" \
	grep -qi '^content-encoding: gzip' <<<"$(hcurl -D - -o /dev/null -H 'Accept-Encoding: gzip' "$U/")"
check "404 for an unknown path" test "$(hcurl -o /dev/null -w '%{http_code}' "$U/nope")" = 404
check "405 for POST on health" test "$(hcurl -o /dev/null -w '%{http_code}' -X POST "$U/api/v1/health")" = 405
check "501 for an unknown method" test "$(hcurl -o /dev/null -w '%{http_code}' -X BREW "$U/")" = 501
out=$(hcurl -v -o /dev/null -o /dev/null "$U/api/v1/health" "$U/style.css" 2>&1)
check "keep-alive: two requests on one connection" grep -q 'Re-using existing connection' <<<"$out"
check "TLS 1.3 negotiated with ALPN http/1.1" \
	grep -q 'ALPN: server accepted http/1.1' <<<"$out"
out=$(openssl s_client -connect "127.0.0.1:$wport" -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256 \
	</dev/null 2>&1)
check "TLS 1.2 with ECDHE+AEAD works" grep -q 'Cipher is ECDHE-ECDSA-AES128-GCM-SHA256' <<<"$out"

# 2. Probes: each class once, one log line each.
check "plain HTTP gets a cleartext 400" \
	grep -q 'answered: HTTP/1.1 400' <<<"$(probe 127.0.0.2 http)"
check "plain HTTP logged once" test "$(nprobes plain-http 127.0.0.2)" -eq 1
for m in telnet:3:not-tls rdp:4:not-tls sslv2:5:sslv2 garbage:6:not-tls; do
	IFS=: read -r mode n cls <<<"$m"
	check "$mode probe is closed" grep -q closed <<<"$(probe "127.0.0.$n" "$mode")"
	check "$mode probe logged once as $cls" wait_count "$M" "probe class=$cls addr=127.0.0.$n:" 1 2
done
check "telnet detail" grep -q 'addr=127.0.0.3:[0-9]* detail="telnet negotiation" first="\\xff\\xfb' "$M"
check "silent connection closed after the handshake timeout" \
	grep -q closed <<<"$(probe 127.0.0.7 silent 5)"
check "silent logged once" wait_count "$M" 'probe class=silent addr=127.0.0.7:.*nothing sent in time' 1 2
probe 127.0.0.8 connect-close >/dev/null
check "connect-and-close logged as silent" \
	wait_log "$M" 'probe class=silent addr=127.0.0.8:.*closed without a byte' 3
openssl s_client -connect "127.0.0.1:$wport" -tls1_1 </dev/null >/dev/null 2>&1
check "TLS 1.1 refused and logged as bad-tls" \
	wait_log "$M" 'probe class=bad-tls addr=127.0.0.1:.*(unsupported protocol|version)' 3
check "missing Host: 400" test "$(hcurl -o /dev/null -w '%{http_code}' -H 'Host:' "$U/")" = 400
check "bad request logged" wait_log "$M" 'probe class=bad-request addr=127.0.0.1:.*missing Host' 3
check "scanner path: 404" test "$(hcurl -o /dev/null -w '%{http_code}' "$U/.env")" = 404
check "scanner logged" wait_log "$M" 'probe class=scanner addr=127.0.0.1:.*dotenv' 3

# 3. Bans: five probes ban; a banned address is cut before TLS, quietly.
for i in 1 2 3 4 5; do probe 127.0.0.20 telnet >/dev/null; done
check "five probes earn a ban" wait_log "$M" 'ban 127.0.0.20:[0-9]+ for 600 s' 3
before=$(count_log "$M" 'addr=127.0.0.20:')
check "a banned address gets no answer" grep -q closed <<<"$(probe 127.0.0.20 http)"
check "and costs no log line" test "$(count_log "$M" 'addr=127.0.0.20:')" -eq "$before"
for i in $(seq 10); do probe 127.0.0.9 telnet >/dev/null; done
check "allow-listed address is never banned" test "$(count_log "$M" 'ban 127.0.0.9:')" -eq 0
check "the legitimate client is still served" grep -q '"ok"' <<<"$(hcurl "$U/api/v1/health")"
out=$(hcurl "$U/metrics")
check "metrics count probes" grep -q 'hd_web_probes_total{class="not-tls"} 1[0-9]' <<<"$out"
check "metrics count banned drops" grep -q 'hd_web_banned_drops_total [1-9]' <<<"$out"
check "metrics need an admin from elsewhere (56-web-security)" \
	test "$(hcurl --interface 127.0.0.30 -o /dev/null -w '%{http_code}' "$U/metrics")" = 401

# 4. The web process: unprivileged, chrooted, restarted when killed.
wpid=$(web_pid)
check "web process runs as nobody" \
	test "$(awk '/^Uid:/ {print $2}' "/proc/$wpid/status")" = "$(id -u nobody)"
check "web process is chrooted to its empty web-root" \
	test "$(readlink "/proc/$wpid/root")" = "$work/state-master/web-root"
if [ "$BUILD" = build-san ]; then
	echo "skip - $tname: seccomp (not installed in sanitizer builds)"
else
	check "web process runs under a seccomp filter" \
		test "$(awk '/^Seccomp:/ {print $2}' "/proc/$wpid/status")" = 2
fi
check "web process holds no cluster key" \
	test "$(ls -l "/proc/$wpid/fd" | grep -c 'pki')" -eq 0
kill -KILL "$wpid"
check "master restarts a killed web process" \
	wait_count "$M" 'web process [0-9]+ serving' 2 5
check "served again" grep -q '"ok"' <<<"$(hcurl "$U/api/v1/health")"
check "bans survive a web process restart" grep -q closed <<<"$(probe 127.0.0.20 http)"

# 5. Bans survive a master restart.
kill -TERM "$(pid_of master)"
wait_log "$M" 'master master stopped' 5
start hd-master master
check "master restarts with its bans" wait_log "$M" '1 ban in force' 5
wait_count "$M" 'web process [0-9]+ serving' 3 5
check "still banned after the restart" grep -q closed <<<"$(probe 127.0.0.20 http)"
check "others still served" grep -q '"ok"' <<<"$(hcurl "$U/api/v1/health")"

# 6. More of the engine: resumption, slowloris, per-address cap, IPv6.
rs() {	# rs FILE-OPTION... : one request through openssl s_client
	printf 'GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' |
	    timeout 10 openssl s_client -connect "127.0.0.1:$wport" -ign_eof "$@" 2>&1
}
rs -sess_out "$work/sess13" >/dev/null
check "TLS 1.3 session resumption" grep -q '^Reused, TLSv1.3' <<<"$(rs -sess_in "$work/sess13")"
rs -tls1_2 -sess_out "$work/sess12" >/dev/null
check "TLS 1.2 session resumption" grep -q '^Reused, TLSv1.2' <<<"$(rs -tls1_2 -sess_in "$work/sess12")"
out=$(python3 - "$wport" "$G/ca.crt" <<'PY'
import socket, ssl, sys, time
ctx = ssl.create_default_context(cafile=sys.argv[2])
s = socket.socket()
s.bind(("127.0.0.40", 0))
s.settimeout(10)
s.connect(("127.0.0.1", int(sys.argv[1])))
t = ctx.wrap_socket(s, server_hostname="localhost")
t.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
start = time.time()
t.settimeout(0.3)
data = b""
for _ in range(40):              # one header byte every 0.3 s: slowloris
    try:
        data = t.recv(200)       # the server's answer, when it comes
        break
    except socket.timeout:
        pass
    except (ssl.SSLError, OSError):
        break
    try:
        t.sendall(b"X")
    except (ssl.SSLError, OSError):
        pass
print(int(time.time() - start), data.split(b"\r\n")[0].decode(errors="replace"))
PY
)
check "slowloris gets a 408 on time ($out)" grep -Eq '^[1-3] HTTP/1.1 408' <<<"$out"
check "slowloris logged" wait_log "$M" 'probe class=bad-request addr=127.0.0.40:.*request head too slow' 3
out=$(python3 - "$wport" <<'PY'
import socket, sys, time
socks = []
for i in range(17):              # one more than WEB_MAX_PER_ADDR
    s = socket.socket()
    s.bind(("127.0.0.41", 0))
    s.settimeout(0.5)
    s.connect(("127.0.0.1", int(sys.argv[1])))
    socks.append(s)
    time.sleep(0.02)
try:
    closed = socks[0].recv(1) == b""
except socket.timeout:
    closed = False
except OSError:
    closed = True
print("oldest shed" if closed else "oldest kept")
PY
)
check "per-address cap sheds the oldest unfinished connection ($out)" test "$out" = "oldest shed"
out=$(printf 'GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\nGET /style.css HTTP/1.1\r\nHost: x\r\n\r\nGET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' |
    timeout 10 openssl s_client -connect "127.0.0.1:$wport" -quiet -ign_eof 2>/dev/null)
check "pipelining: three requests in one write, three answers in order" \
	test "$(grep -c '^HTTP/1.1 200' <<<"$out")" -eq 3
out=$(printf 'POST /api/v1/health HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\nHost: x\r\n\r\n' |
    timeout 10 openssl s_client -connect "127.0.0.1:$wport" -quiet -ign_eof 2>/dev/null)
check "smuggling shape (CL with TE): 400, connection closed, nothing after" \
	test "$(grep -c '^HTTP/1.1' <<<"$out")" -eq 1 -a "$(grep -c '^HTTP/1.1 400' <<<"$out")" -eq 1
check "smuggling shape logged" \
	wait_log "$M" 'probe class=bad-request addr=127.0.0.1:.*both Transfer-Encoding and Content-Length' 3
if [ "${#v6[@]}" -gt 0 ]; then
	check "IPv6 listener serves" grep -q '"ok"' <<<"$(hcurl -g "https://[::1]:$wport/api/v1/health")"
fi
finish
