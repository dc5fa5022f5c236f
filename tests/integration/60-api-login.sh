#!/usr/bin/env bash
# The API's first calls, through real HTTPS: the first admin made with
# hd-master -U, login and logout forwarded by the web process to the
# master, the session cookie's attributes, CSRF refusal, JSON refusals
# with a reason, and login throttling.
. "$(dirname "$0")/lib.sh"

gen_pki
G=$work/pki/good
"$top/pki/hd-pki" issue "$G" web web >/dev/null
port=$(free_port)
wport=$(free_port)
master_conf master "$port" "$G" master \
	"web-listen 127.0.0.1:$wport" "web-cert $G/web.crt" "web-key $G/web.key"
M=$work/master.log
U=https://127.0.0.1:$wport/api/v1

# 1. The first admin
out=$("$bin/hd-master" -f "$work/master.conf" -U admin 2>&1)
pw=$(sed -n 's/.*password (shown only now): //p' <<<"$out")
check "hd-master -U prints a generated password once" test "${#pw}" -eq 20
check "the users file is mode 0600" \
	test "$(stat -c %a "$work/state-master/users")" = 600
fails() { ! "$@" >/dev/null 2>&1; }
check "a second -U for the same name fails" \
	fails "$bin/hd-master" -f "$work/master.conf" -U admin

start hd-master master
check "web process starts" wait_log "$M" 'web process [0-9]+ serving' 5
hcurl() { curl -s --cacert "$G/ca.crt" --max-time 10 "$@"; }
post() {	# post PATH BODY [curl args]: prints the status, then the body
	local p=$1 b=$2; shift 2
	hcurl -o "$work/body" -w '%{http_code}\n' -H 'Content-Type: application/json' \
		--data-binary "$b" "$@" "$U/$p"
	cat "$work/body"
}

# 2. Refusals that change nothing
out=$(post login '{"name":"admin","password":"x",}')
check "bad JSON: 400 with a reason" grep -q '^400' <<<"$out"
check "the reason says where" grep -q '"reason":"at byte' <<<"$out"
out=$(post login "{\"name\":\"admin\",\"password\":\"$pw\",\"admin\":true}")
check "unknown field: 400 naming it" grep -q 'unknown field \\"admin\\"' <<<"$out"
out=$(post login '{"name":"admin","password":5}')
check "wrong type: 400" grep -q 'field \\"password\\": expected a string' <<<"$out"
check "not JSON: 415" test "$(hcurl -o /dev/null -w '%{http_code}' \
	--data-binary 'name=admin' "$U/login")" = 415
check "GET on login: 405" test "$(hcurl -o /dev/null -w '%{http_code}' "$U/login")" = 405

# 3. Login and logout
out=$(post login "{\"name\":\"admin\",\"password\":\"$pw\"}" -D "$work/head")
check "login: 200" grep -q '^200' <<<"$out"
check "login answers the role and a CSRF token" \
	grep -Eq '"role":"admin","csrf":"[0-9a-f]{64}"' <<<"$out"
csrf=$(grep -Eo '"csrf":"[0-9a-f]{64}"' <<<"$out" | cut -d'"' -f4)
cookie=$(tr -d '\r' <"$work/head" | sed -n 's/^[Ss]et-[Cc]ookie: //p')
check "the cookie is __Host-, Secure, HttpOnly, SameSite=Strict, Path=/" \
	grep -Eq '^__Host-hd_session=[0-9a-f]{64}; Path=/; Secure; HttpOnly; SameSite=Strict$' <<<"$cookie"
check "the master logs the login" wait_log "$M" 'api: admin logged in' 2
sess=${cookie%%;*}
out=$(post logout '{}' -H "Cookie: $sess")
check "logout without the CSRF token: 403" grep -q '^403' <<<"$out"
wrong=$(other_hex "$csrf")
check "the wrong CSRF token differs from the real one" \
	test "${#wrong}" -eq 64 -a "$wrong" != "$csrf"
out=$(post logout '{}' -H "Cookie: $sess" -H "X-CSRF-Token: $wrong")
check "logout with a wrong CSRF token: 403" grep -q '^403' <<<"$out"
out=$(post logout '{}' -H "Cookie: other=1; $sess; x=y" -H "X-CSRF-Token: $csrf" -D "$work/head")
check "logout with it: 200" grep -q '^200' <<<"$out"
check "logout clears the cookie" grep -qi '^set-cookie: __Host-hd_session=;.*Max-Age=0' "$work/head"
out=$(post logout '{}' -H "Cookie: $sess" -H "X-CSRF-Token: $csrf")
check "the session is gone: 401" grep -q '^401' <<<"$out"
out=$(hcurl -o /dev/null -w '%{http_code} %{num_connects}\n' \
	-H 'Content-Type: application/json' --data-binary '{}' "$U/logout" \
	--next --cacert "$G/ca.crt" -o /dev/null -w '%{http_code} %{num_connects}\n' "$U/health")
check "keep-alive goes on after a forwarded call ($(echo $out))" test "$(echo $out)" = "401 1 200 0"

# 4. The session, and logout everywhere
login() {	# login: prints "cookie csrf"
	post login "{\"name\":\"admin\",\"password\":\"$pw\"}" -D "$work/head" >"$work/login"
	echo "$(tr -d '\r' <"$work/head" | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p')" \
	    "$(grep -Eo '"csrf":"[0-9a-f]{64}"' "$work/login" | cut -d'"' -f4)"
}
read -r s1 c1 < <(login)
read -r s2 c2 < <(login)
out=$(hcurl -w '\n%{http_code}' -H "Cookie: $s1" "$U/session")
check "GET session: the user, role and the session's CSRF token" \
	grep -q "\"user\":\"admin\",\"role\":\"admin\",\"csrf\":\"$c1\"" <<<"$out"
check "GET session without a cookie: 401" \
	test "$(hcurl -o /dev/null -w '%{http_code}' "$U/session")" = 401
out=$(post logout-all '{}' -H "Cookie: $s1" -H "X-CSRF-Token: $c1" \
	-H "Origin: https://evil.example")
check "a foreign Origin: 403" grep -q '^403' <<<"$out"
out=$(post logout-all '{}' -H "Cookie: $s1" -H "X-CSRF-Token: $c1" \
	-H "Origin: https://127.0.0.1:$wport")
check "logout everywhere ends both sessions" grep -q '"ended":2' <<<"$out"
check "the other session is gone too" \
	test "$(hcurl -o /dev/null -w '%{http_code}' -H "Cookie: $s2" "$U/session")" = 401

# 5. Throttling: each failure after THROTTLE_FREE doubles the wait. Waits
# are sat out until one is long enough (>= 3 s) that the next request
# surely falls inside it, however slow this machine is.
out=$(post login '{"name":"admin","password":"wrong password"}')
check "wrong password: 401" grep -q '^401' <<<"$out"
got="" ra=0
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	out=$(post login '{"name":"admin","password":"wrong password"}' -D "$work/head")
	grep -q '^429' <<<"$out" || continue
	got=$i
	ra=$(tr -d '\r' <"$work/head" | sed -n 's/^[Rr]etry-[Aa]fter: //p')
	[ "${ra:-0}" -ge 3 ] && break
	sleep "${ra:-1}"
done
check "repeated failures get 429 with Retry-After" test -n "$got" -a "${ra:-0}" -ge 1
check "the wait grows with each failure (now ${ra:-0} s)" test "${ra:-0}" -ge 3
out=$(post login "{\"name\":\"admin\",\"password\":\"$pw\"}")
check "while throttled even the right password waits" grep -q '^429' <<<"$out"
# 6. Failed logins feed the ban score: four probes (scanner paths) and two
# failed logins from another address (for another account: admin is
# throttled by now) cross BAN_THRESHOLD (4.5).
for i in 1 2 3 4; do hcurl --interface 127.0.0.2 -o /dev/null "https://127.0.0.1:$wport/.env"; done
for i in 1 2; do
	post login '{"name":"mallory","password":"wrong password"}' --interface 127.0.0.2 >/dev/null
done
check "the master bans the address" wait_log "$M" 'api: failed logins ban an address' 5
check "the web process refuses it" \
	test "$(hcurl --interface 127.0.0.2 -o /dev/null -w '%{http_code}' "$U/health")" = 000
check "other addresses are served" \
	test "$(hcurl -o /dev/null -w '%{http_code}' "$U/health")" = 200
check "the web process never stopped" test "$(count_log "$M" 'web process [0-9]+ serving')" = 1
finish
