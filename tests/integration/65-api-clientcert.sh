#!/usr/bin/env bash
# Client certificates for apps (docs/SECURITY.md): the web listener asks
# for a certificate without requiring one; a certificate from the
# installation CA with the client role names its user by its CN. Refused
# (ignored for the call, logged): revoked, another CA, a CA look-alike,
# another role, an unknown user. A browser without one is unaffected, and
# a session cookie wins over a certificate.
. "$(dirname "$0")/lib.sh"

web_master
A=$U/api/v1
pki() { "$top/pki/hd-pki" "$@" >/dev/null 2>&1; }
for n in alice vic stranger carol dave; do pki issue "$G" client "$n"; done
pki revoke "$G" carol
pki issue "$work/pki/foreign" client alice --out "$work/foreign"
pki issue "$work/pki/fakeroot" client alice --out "$work/fake"
check "test client certificates made" test -f "$G/vic.key" -a -f "$work/foreign/alice.crt" -a -f "$work/fake/alice.crt"
out=$("$bin/hd-master" -f "$work/master.conf" -U admin 2>&1)
pw=$(sed -n 's/.*password (shown only now): //p' <<<"$out")
start hd-master master
check "web process starts" wait_log "$M" 'web process [0-9]+ serving' 10

hcurl() { curl -s --cacert "$G/ca.crt" --max-time 10 "$@"; }
code() { hcurl -o /dev/null -w '%{http_code}' "$@"; }
as() { local d=$1 n=$2; shift 2; hcurl --cert "$d/$n.crt" --key "$d/$n.key" "$@"; }
ascode() { local d=$1 n=$2; shift 2; code --cert "$d/$n.crt" --key "$d/$n.key" "$@"; }
out=$(hcurl -D "$work/head" -H 'Content-Type: application/json' \
	--data-binary "{\"name\":\"admin\",\"password\":\"$pw\"}" "$A/login")
S="Cookie: $(tr -d '\r' <"$work/head" | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p')"
C="X-CSRF-Token: $(grep -Eo '"csrf":"[0-9a-f]{64}"' <<<"$out" | cut -d'"' -f4)"
check "no certificate: the password login works as before" test -n "$C"
mkuser() {
	hcurl -o /dev/null -H "$S" -H "$C" -H 'Content-Type: application/json' \
		--data-binary "{\"name\":\"$1\",\"role\":\"$2\"}" "$A/users"
}
for u in alice:user vic:viewer carol:user web-as-slave:user dave:user; do mkuser "${u%%:*}" "${u#*:}"; done

# 1. Without a certificate nothing changes
check "no certificate: health 200" test "$(code "$A/health")" = 200
check "no certificate, no session: 401" test "$(code "$A/sites")" = 401
out=$(openssl s_client -connect "127.0.0.1:$wport" -CAfile "$G/ca.crt" </dev/null 2>/dev/null)
check "the server asks for a certificate of the installation CA" \
	grep -A3 'Acceptable client certificate CA names' <<<"$out" | grep -q 'CN *= *Test'

# 2. A good certificate acts as its user, with the user's role
check "alice's certificate: 200" test "$(ascode "$G" alice "$A/sites")" = 200
check "... who she is" grep -q '"name":"from a cert","user":"alice"' <<<"$(as "$G" alice "$A/tokens" -X POST \
	-H 'Content-Type: application/json' --data-binary '{"name":"from a cert"}')"
check "... a state change needs no CSRF token (a JSON body, same origin)" \
	grep -q '"name":"from a cert"' <<<"$(hcurl -H "$S" "$A/tokens")"
check "... not an admin: 403 on users" test "$(ascode "$G" alice "$A/users")" = 403
check "... a foreign Origin is still refused" test "$(ascode "$G" alice -X POST \
	-H 'Origin: https://evil.example' -H 'Content-Type: application/json' \
	--data-binary '{"name":"x"}' "$A/tokens")" = 403
check "vic's certificate: a viewer" test "$(ascode "$G" vic "$A/sites")" = 200 -a \
	"$(ascode "$G" vic -X POST -H 'Content-Type: application/json' --data-binary '{"value":true}' \
	"$A/devices/slave-house/sim:lamp/values/on")" = 403
check "a session cookie wins over the certificate" \
	test "$(ascode "$G" alice -H "$S" "$A/users")" = 200
check "the stream with a certificate" grep -q '^event: hello' <<<"$(curl -s -N --cacert "$G/ca.crt" \
	--cert "$G/alice.crt" --key "$G/alice.key" --max-time 2 "$A/stream")"

# 3. Refused certificates: 401, logged with the reason
check "a certificate of no user: 401" test "$(ascode "$G" stranger "$A/sites")" = 401
check "... unknown user said" grep -q 'client certificate of an unknown user' <<<"$(as "$G" stranger "$A/sites")"
check "carol's revoked certificate: 401" test "$(ascode "$G" carol "$A/sites")" = 401
check "... logged as revoked" wait_log "$M" 'client certificate of "carol" ignored: certificate revoked' 5
check "a web certificate (another role) named as a user: 401" \
	test "$(ascode "$G" web-as-slave "$A/sites")" = 401
check "a certificate from another CA: 401" test "$(ascode "$work/foreign" alice "$A/sites")" = 401
check "a certificate from a look-alike CA: 401" test "$(ascode "$work/fake" alice "$A/sites")" = 401
check "... logged" wait_count "$M" 'client certificate of "alice" ignored' 2 5
check "the other role logged" grep -q 'client certificate of "web-as-slave" ignored' "$M"
check "revoked and foreign certificates do not stop the password login" \
	test "$(ascode "$G" carol -H "$S" "$A/sites")" = 200

# 4. Revoked while the master runs: the master's CRL, reloaded on SIGHUP
check "dave's certificate works" test "$(ascode "$G" dave "$A/sites")" = 200
# Streams outlive their call: dave's must end with his certificate.
for u in dave alice; do
	curl -s -N --cacert "$G/ca.crt" --cert "$G/$u.crt" --key "$G/$u.key" \
	    --max-time 60 "$A/stream" >"$work/stream-$u.out" 2>&1 &
	eval "cpid_$u=\$!"
done
for i in $(seq 50); do
	grep -q '^event: hello' "$work/stream-dave.out" &&
	    grep -q '^event: hello' "$work/stream-alice.out" && break
	sleep 0.1
done
check "dave's and alice's certificate streams said hello" \
	sh -c "grep -q '^event: hello' '$work/stream-dave.out' &&
	    grep -q '^event: hello' '$work/stream-alice.out'"
pki revoke "$G" dave
kill -HUP "$(pid_of master)"
check "SIGHUP reloads the CRL" wait_log "$M" 'SIGHUP: CA and CRL reloaded' 5
check "dave's open stream ends at the reload" \
	wait_log "$M" 'client certificate [0-9A-Fa-f]+ revoked: its streams end' 5
for i in $(seq 50); do kill -0 "$cpid_dave" 2>/dev/null || break; sleep 0.1; done
check "... its connection is closed" sh -c "! kill -0 $cpid_dave 2>/dev/null"
check "alice's stream goes on" kill -0 "$cpid_alice"
kill "$cpid_alice" 2>/dev/null
check "dave's revoked certificate: 401 at once" test "$(ascode "$G" dave "$A/sites")" = 401
check "... saying so" grep -q '"reason":"client certificate revoked"' <<<"$(as "$G" dave "$A/sites")"
check "... logged by the master" grep -q 'api: dave: client certificate revoked' "$M"
check "alice's goes on" test "$(ascode "$G" alice "$A/sites")" = 200

# 5. The user deleted: the certificate stops working
hcurl -o /dev/null -X DELETE -H "$S" -H "$C" "$A/users/alice"
check "alice deleted: her certificate gets 401" test "$(ascode "$G" alice "$A/sites")" = 401
finish
