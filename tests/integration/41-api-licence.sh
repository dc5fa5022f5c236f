#!/usr/bin/env bash
# App tokens and the licence (docs/LICENSING.md): a new token needs the
# licence's app-api feature; without it (a licence without the feature,
# or limited mode) POST /api/v1/tokens gets 403 licence_limited, while
# tokens made before keep working and can still be revoked. Uses
# hd-master-testroot and its simulated licence clock (see 40-licence.sh).
. "$(dirname "$0")/lib.sh"

L=$work/lic
"$top/tests/integration/gen-test-licences.sh" "$L" >/dev/null ||
	{ not_ok "generate test licences"; finish; }
I=$L/inst
"$top/pki/hd-pki" issue "$I" web web >/dev/null
export HD_LICENCE_ROOT=$L/vendor/root.crt
export HD_LICENCE_CLOCK=$work/clock
echo 0 >"$HD_LICENCE_CLOCK"
day=86400
port=$(free_port)
wport=$(free_port)
lic=$work/licence.pem
cp "$L/one.pem" "$lic"		# valid, but no features
master_conf master "$port" "$I" master "licence $lic" \
	"web-listen 127.0.0.1:$wport" "web-cert $I/web.crt" "web-key $I/web.key"
M=$work/master.log
U=https://127.0.0.1:$wport/api/v1
hcurl() { curl -s --cacert "$I/ca.crt" --max-time 10 "$@"; }
hup() { kill -HUP "$(pid_of master)"; }
clock() { echo $(($1 * day)) >"$HD_LICENCE_CLOCK"; hup; }
post() {	# post METHOD PATH BODY [curl args]: the status, then the body
	local m=$1 p=$2 b=$3; shift 3
	hcurl -o "$work/body" -w '%{http_code}\n' -X "$m" \
		-H 'Content-Type: application/json' --data-binary "$b" "$@" "$U/$p"
	cat "$work/body"
}
status() { hcurl -o /dev/null -w '%{http_code}' "$@"; }

out=$("$bin/hd-master-testroot" -f "$work/master.conf" -U admin 2>&1)
pw=$(sed -n 's/.*password (shown only now): //p' <<<"$out")
start hd-master-testroot master
check "the licence is valid at start-up" wait_log "$M" 'licence: valid for "Test Home"' 5
check "web process starts" wait_log "$M" 'web process [0-9]+ serving' 10
out=$(post POST login "{\"name\":\"admin\",\"password\":\"$pw\"}" -D "$work/head")
csrf=$(grep -Eo '"csrf":"[0-9a-f]{64}"' <<<"$out" | cut -d'"' -f4)
sess=$(tr -d '\r' <"$work/head" | sed -n 's/^[Ss]et-[Cc]ookie: //p')
sess=${sess%%;*}
auth=(-H "Cookie: $sess" -H "X-CSRF-Token: $csrf")
check "logged in as admin" test -n "$csrf"

# 1. A valid licence without app-api
out=$(post POST tokens '{"name":"tablet"}' "${auth[@]}")
check "no app-api in the licence: a new token gets 403" grep -q '^403' <<<"$out"
check "... code licence_limited, with the reason" \
	grep -q '"error":"licence_limited","reason":"the licence does not include app-api' <<<"$out"
check "... and it is logged" wait_log "$M" 'api: admin may not make a token: the licence does not include app-api' 5
check "no token was made" grep -q '"tokens":\[\]' <<<"$(hcurl -H "Cookie: $sess" "$U/tokens")"

# 2. A licence with app-api: tokens can be made
cp "$L/valid.pem" "$lic"
hup
check "SIGHUP reads the licence with app-api" \
	wait_log "$M" 'licence: valid for "Test Home" .*, 400 days left' 5
out=$(post POST tokens '{"name":"tablet"}' "${auth[@]}")
tok=$(grep -Eo 'hdt_[0-9a-f]{64}' <<<"$out")
check "app-api: a token is made (201)" grep -q '^201' <<<"$out"
tok2=$(post POST tokens '{"name":"phone"}' "${auth[@]}" | grep -Eo 'hdt_[0-9a-f]{64}')
id2=$(hcurl -H "Cookie: $sess" "$U/tokens" | grep -Eo '"id":"[0-9a-f]{16}","name":"phone"' | cut -d'"' -f4)
check "... and a second one" test -n "$tok2" -a -n "$id2"
check "the token works" test "$(status -H "Authorization: Bearer $tok" "$U/sites")" = 200

# 3. Limited mode: no new token, the old ones work and can be revoked
clock 440
check "grace over: limited mode" \
	wait_log "$M" 'licence: limited mode \(expired, grace period over\)' 5
out=$(post POST tokens '{"name":"laptop"}' "${auth[@]}")
check "limited mode: a new token gets 403 licence_limited" \
	grep -q '"error":"licence_limited","reason":"no valid licence (limited mode)' <<<"$out"
out=$(post POST tokens '{"name":"laptop"}' -H "Authorization: Bearer $tok")
check "... also when a token asks" grep -q '"error":"licence_limited"' <<<"$out"
check "limited mode: an existing token keeps working" \
	test "$(status -H "Authorization: Bearer $tok" "$U/sites")" = 200
check "... on the stream too" grep -q '^event: hello' \
	<<<"$(curl -s -N --cacert "$I/ca.crt" --max-time 2 -H "Authorization: Bearer $tok" "$U/stream")"
check "limited mode: a token can still be revoked" \
	grep -q '^200' <<<"$(post DELETE "tokens/$id2" '' "${auth[@]}")"
check "... and then it is refused" \
	test "$(status -H "Authorization: Bearer $tok2" "$U/sites")" = 401

# 4. The clock right again: tokens can be made again
clock 0
check "valid again" wait_log "$M" 'licence: valid for "Test Home" .*, 400 days left' 5
out=$(post POST tokens '{"name":"laptop"}' "${auth[@]}")
check "a good licence again: a token is made" grep -q '^201' <<<"$out"
finish
