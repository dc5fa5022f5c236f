#!/usr/bin/env bash
# Ban scoring a web page cannot trigger (docs/SECURITY.md, "Probe
# detection and banning"), with no allow-list:
# 1. a page on another origin (127.0.0.2) makes a real browser
#    (tests/browser/crosssite.mjs) request 50 scanner paths and
#    encoded-slash paths from the master: counted, not scored; the
#    visitor (whose browser has been to the dashboard, and trusts its
#    certificate) is not banned and logs in to the dashboard;
# 2. the same requests without a browser's signature (curl from
#    127.0.0.3) are scored and ban after five;
# 3. refused certificates weigh BAN_CERT_REJECT_WEIGHT at the master too
#    (127.0.0.5: five of them ban nothing, in either table);
# 4. a ban the master decides (four probes and one failed login from
#    127.0.0.4) reaches the web process at once, and is on disk.
. "$(dirname "$0")/lib.sh"

web_master
# ban-ipv6-prefix: 32..128, checked when the configuration is read.
cp "$work/master.conf" "$work/bad.conf"
echo "ban-ipv6-prefix 31" >>"$work/bad.conf"
check "ban-ipv6-prefix 31 is refused" \
	bash -c '! "$1" -f "$2" -U x >"$3" 2>&1 && grep -q "ban-ipv6-prefix" "$3"' \
	_ "$bin/hd-master" "$work/bad.conf" "$work/bad.log"
echo "ban-ipv6-prefix 56" >>"$work/master.conf"
admin_pw
check "an admin to log in with" test "${#pw}" -eq 20
start hd-master master
check "web process starts" wait_log "$M" 'web process [0-9]+ serving' 10
A=$U/api/v1
admin_session
check "the admin is logged in" test -n "$csrf"

# status FROM PATH: the HTTP status a client at FROM gets (000: none).
status() {
	hcurl --interface "$1" -o /dev/null -w '%{http_code}' "$U$2"
}
bans() { hcurl "${auth[@]}" "$A/security/bans"; }
# master_saw ADDR N: the master's list of recent probes holds N from ADDR,
# so it has scored them (and decided any ban) before a check of its table.
master_saw() {
	local i=0 n
	while [ "$i" -lt 100 ]; do
		n=$(hcurl "${auth[@]}" "$A/security/recent" |
			grep -o "\"addr\":\"$1\"" | wc -l)
		[ "$n" -ge "$2" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# 2. A scanner (no Sec-Fetch-*, no Origin) is banned after five.
for i in 1 2 3 4 5; do status 127.0.0.3 "/wp-login.php?$i" >/dev/null; done
check "a scanner's fifth scanner path bans it" \
	wait_log "$M" 'ban 127\.0\.0\.3:[0-9]+ for 600 s' 10
check "the banned scanner gets no answer" test "$(status 127.0.0.3 /api/v1/health)" = 000
check "the master's table has the web process's ban" \
	grep -q '"addr":"127.0.0.3"' <<<"$(bans)"
out=$(hcurl -H 'Sec-Fetch-Site: cross-site' -H 'Sec-Fetch-Mode: no-cors' \
	--interface 127.0.0.6 -o /dev/null -w '%{http_code}' "$U/.env")
for i in 1 2 3 4 5 6 7 8 9; do
	hcurl --interface 127.0.0.6 -H "Origin: https://evil.example" \
		-o /dev/null "$U/a%2Fb$i"
done
check "requests with a browser's signature are counted: 404 for the scanner path" \
	test "$out" = 404
check "... and logged as not scored" \
	wait_count "$M" 'addr=127\.0\.0\.6:[0-9]+ .*browser \(not scored\)' 10 10
check "... and never ban" test "$(status 127.0.0.6 /api/v1/health)" = 200

# 3. Five refused certificates (curl without the CA aborts the handshake).
for i in 1 2 3 4 5; do
	curl -s --max-time 5 --interface 127.0.0.5 -o /dev/null "$U/" || true
done
check "five refused certificates are five probes" \
	wait_count "$M" 'probe class=bad-tls addr=127\.0\.0\.5:' 5 10
check "... all five scored by the master" master_saw 127.0.0.5 5
check "... that ban nowhere: the web process serves the address" \
	test "$(status 127.0.0.5 /api/v1/health)" = 200
check "... nor does the master's table hold a ban" \
	bash -c '! grep -q "\"addr\":\"127.0.0.5\"" <<<"$1"' _ "$(bans)"

# 3b. Six clients that read our certificate and hang up without an alert
# (Chromium's way with a certificate it does not trust, speculative
# connections included) weigh as refusals too: 6 x 0.2 bans nothing.
check "six hang-ups after the certificate" \
	python3 "$top/tests/tools/hangup.py" 127.0.0.7 127.0.0.1 "$wport" 6
check "... are six probes" \
	wait_count "$M" 'probe class=bad-tls addr=127\.0\.0\.7:' 6 10
check "... all six scored by the master" master_saw 127.0.0.7 6
check "... that ban nowhere: the web process serves the address" \
	test "$(status 127.0.0.7 /api/v1/health)" = 200
check "... nor does the master's table hold a ban" \
	bash -c '! grep -q "\"addr\":\"127.0.0.7\"" <<<"$1"' _ "$(bans)"

# 4. Four probes (a little under 4.0: at least the milliseconds of the
# curls between them have decayed it) and two failed logins (0.5 each):
# only the master sees both, decides the ban at the second failure, and
# the web process refuses the address at once.
bad_login() {
	hcurl --interface 127.0.0.4 -o /dev/null -w '%{http_code}' \
		-H 'Content-Type: application/json' \
		--data-binary '{"name":"admin","password":"wrong-password-0"}' "$A/login"
}
for i in 1 2 3 4; do status 127.0.0.4 "/.git/config?$i" >/dev/null; done
check "four probes ban nothing yet" test "$(status 127.0.0.4 /api/v1/health)" = 200
check "a failed login" test "$(bad_login)" = 401
check "... bans nothing yet (under 4.5)" test "$(status 127.0.0.4 /api/v1/health)" = 200
check "a second failed login" test "$(bad_login)" = 401
check "the master decides the ban" wait_log "$M" 'failed logins ban an address' 10
check "the web process refuses the address at once" \
	test "$(status 127.0.0.4 /api/v1/health)" = 000
check "the ban is listed" grep -q '"addr":"127.0.0.4"' <<<"$(bans)"

# 1. The browser: a page on another origin.
chromium=${HD_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ] || ! command -v node >/dev/null ||
    ! "$top/tests/browser/install.sh" >"$work/npm.log" 2>&1; then
	echo "skip - $tname: the browser part: no $chromium, node or playwright-core"
	finish
fi
mkdir "$work/evil"
# One request at a time (as a page may do), so that none is shed by the
# per-address connection cap and each of the 60 reaches the master.
cat >"$work/evil/index.html" <<EOT
<!doctype html><title>a page on another origin</title>
<script>
const U = "$U", paths = ["/wp-login.php", "/.env", "/phpmyadmin/",
    "/cgi-bin/x", "/actuator/env", "/x.php"];
const one = (el) => new Promise((done) => {
  el.onload = el.onerror = done;
  setTimeout(done, 10000);
  document.body.appendChild(el);
});
window.onload = async () => {
  for (let i = 0; i < 50; i++) {
    const im = new Image(1, 1);
    im.src = U + paths[i % 6] + "?img=" + i;
    await one(im);
  }
  for (let i = 0; i < 10; i++) {
    const f = document.createElement("iframe");
    f.src = U + "/etc%2Fpasswd" + i;
    await one(f);
  }
  document.title = "done";
};
</script>
EOT
{
	echo '<!doctype html><title>links</title>'
	for i in $(seq 0 4); do
		echo "<a id=\"link$i\" href=\"$U/a%2Fb?link=$i\">link $i</a>"
	done
} >"$work/evil/links.html"
eport=$(free_port)
python3 -u -m http.server --bind 127.0.0.2 --directory "$work/evil" "$eport" \
	>"$work/evil.log" 2>&1 &
pids+=($!)
check "the other origin serves its page" wait_log "$work/evil.log" 'Serving HTTP' 10
spki=$(openssl x509 -in "$G/web.crt" -pubkey -noout | openssl pkey -pubin -outform der |
	openssl dgst -sha256 -binary | base64)
HD_TNAME=$tname HD_SPKI=$spki HD_URL=$U/ HD_USER=admin HD_PASSWORD=$pw \
HD_SHOTS=$work HD_EVIL=http://127.0.0.2:$eport/ HD_MASTER_LOG=$M HD_LINKS=5 \
	timeout 300 node "$top/tests/browser/crosssite.mjs" 2>"$work/browser.log"
rc=$?
[ "$rc" -eq 0 ] || failures=$((failures + 1))
check "the browser run ended by itself (status $rc)" test "$rc" -le 1
check "/metrics counts the unscored probes" grep -Eq \
	'^hd_web_probes_unscored_total ([6-9][0-9]|[1-9][0-9]{2,})$' \
	<<<"$(hcurl "${auth[@]}" "$U/metrics")"
check "the browser's address was never banned" \
	bash -c '! grep -Eq "ban 127\.0\.0\.1:" "$1"' _ "$M"
finish
