#!/usr/bin/env bash
# The web process's limits, as a client meets them: the last answer a
# kept-alive connection gets says Connection: close; a body past
# HTTP_MAX_BODY is refused with 413 at once and a body at the limit
# reaches the master (it fits one frame); a Host port that is not digits
# is a 400.
. "$(dirname "$0")/lib.sh"

ANSWER_S=3	# an answer "at once" comes within this (the master's is 10 s)
# HTTP_MAX_BODY as shared/hdlimits.h defines it.
lim() { sed -n "s/^#define $1[[:space:]]*\(([^)]*)\|[0-9]*\).*/\1/p" "$top/shared/hdlimits.h"; }
body_max=$(( $(lim WIRE_MAX_FRAME) - $(lim WEB_API_FRAME_SLACK) ))
max_req=$(lim HTTP_MAX_REQUESTS)

web_master "allow 127.0.0.1"	# the refusals below are probes: no ban
start hd-master master
check "web process serving" wait_log "$M" 'web process [0-9]+ serving' 10
check "limits read from hdlimits.h (body $body_max, requests $max_req)" \
	test "$body_max" -gt 50000 -a "$max_req" -gt 10

# 1. Keep-alive: HTTP_MAX_REQUESTS answers, the last says close.
python3 "$top/tests/tools/keepalive.py" 127.0.0.1 "$wport" "$G/ca.crt" \
	$((max_req + 1)) >"$work/ka.out" 2>&1
check "answers 1 .. $((max_req - 1)) keep the connection open" \
	test "$(grep -c ' 200 keep$' "$work/ka.out")" -eq $((max_req - 1))
check "answer $max_req says Connection: close" grep -qx "$max_req 200 close" "$work/ka.out"
check "then the connection is closed" grep -qx "closed after $max_req" "$work/ka.out"

# 2. Bodies: past the limit 413 at once, at the limit the master answers.
# post_n BYTES [QUERY [CURL ARGS]]: status and time of a POST of BYTES
# to login.
post_n() {
	local n=$1 q=${2:-}; shift; [ $# -gt 0 ] && shift
	head -c "$n" /dev/zero | tr '\0' ' ' >"$work/big"
	hcurl --max-time "$ANSWER_S" -o /dev/null -w '%{http_code} %{time_total}' \
		-H 'Content-Type: application/json' --data-binary @"$work/big" \
		"$@" "$U/api/v1/login${q:+?$q}"
}
q=$(printf 'q%.0s' $(seq 1900))
for n in $((body_max + 1)) $((64 * 1024 - 1)) $((64 * 1024)); do
	# The refusal closes the connection: a client that sends its body
	# before the answer may see its unread bytes reset it, so this one
	# waits for an answer to its head first (Expect: 100-continue; it
	# would send the body anyway after 2 s, the 413 comes long before).
	r=$(post_n "$n" "" -H 'Expect: 100-continue' --expect100-timeout 2)
	check "a body of $n bytes: 413 at once ($r)" test "${r%% *}" = 413
done
r=$(post_n "$body_max" "$q")
check "a body of $body_max bytes and a 1900-byte query: the master answers ($r)" \
	test "${r%% *}" -ge 400 -a "${r%% *}" -lt 413
check "no frame too large for the link" \
	test "$(count_log "$M" 'too large|link to the master|web process link')" -eq 0

# 3. Host ports.
for h in 'a:b' 'x:80x' 'x:' '127.0.0.1:80:80' 'x:99999' '[::1]x'; do
	check "Host: $h refused with 400" \
		test "$(hcurl -o /dev/null -w '%{http_code}' -H "Host: $h" "$U/api/v1/health")" = 400
done
for h in "127.0.0.1:$wport" 'localhost' '[::1]:443'; do
	check "Host: $h served" \
		test "$(hcurl -o /dev/null -w '%{http_code}' -H "Host: $h" "$U/api/v1/health")" = 200
done
finish
