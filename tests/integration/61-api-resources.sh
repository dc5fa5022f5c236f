#!/usr/bin/env bash
# The resource API through real HTTPS against a real master and two real
# slaves with simulated devices: users made through the admin API, what
# each role and grant may see and do, CSRF, app tokens, a command reaching
# the simulated lamp and its result and value change arriving on the
# event stream, refusals (offline, read-only, wrong type), value history.
. "$(dirname "$0")/lib.sh"

web_master
A=$U/api/v1
slave_conf slave-house House "$port" "$G"
slave_conf slave-barn Barn "$port" "$G"
out=$("$bin/hd-master" -f "$work/master.conf" -U admin 2>&1)
pw=$(sed -n 's/.*password (shown only now): //p' <<<"$out")
start hd-master master
start hd-slave slave-house
start hd-slave slave-barn
check "web process starts" wait_log "$M" 'web process [0-9]+ serving' 10
check "both slaves announce" wait_count "$M" 'slave slave-[a-z]+ announced' 2 15

hcurl() { curl -s --cacert "$G/ca.crt" --max-time 10 "$@"; }

# 1. Users through the admin API
login admin "$pw"; AS=$S AC=$C
bobpw=$(mk bob user '[{"site":"House","device":"","access":"control"}]')
vicpw=$(mk vic viewer '[{"site":"House","access":"control"}]')
barbpw=$(mk barb user '[{"site":"Barn","access":"control"}]')
dorapw=$(mk dora user '[{"site":"House","device":"sim:lamp","access":"control"}]')
check "admin creates users; each gets a generated password" \
	test "${#bobpw}" = 20 -a "${#vicpw}" = 20 -a "${#barbpw}" = 20 -a "${#dorapw}" = 20
out=$(call POST users '{"name":"bob","role":"user"}' -H "$AS" -H "$AC")
check "an existing name: 409" grep -q '^409' <<<"$out"
out=$(call POST users '{"name":"eve","role":"root"}' -H "$AS" -H "$AC")
check "a bad role: 400 and nothing made" grep -q '^400' <<<"$out"
out=$(call POST users '{"name":"eve","role":"user","grants":[{"site":"House","access":"all"}]}' -H "$AS" -H "$AC")
check "a bad grant: 400" grep -q '"reason":"a grant has' <<<"$out"
out=$(call GET users "" -H "$AS")
check "the list has five users, no eve" \
	test "$(grep -o '"name":' <<<"$out" | wc -l)" = 5 -a -z "$(grep -o eve <<<"$out")"
out=$(call POST users '{"name":"eve","role":"user"}' -H "$AS")
check "creating a user without the CSRF token: 403" grep -q '^403' <<<"$out"
check "the users file is still 0600" test "$(stat -c %a "$work/state-master/users")" = 600

# 2. What each one sees
login bob "$bobpw"; BS=$S BC=$C
login vic "$vicpw"; VS=$S VC=$C
login barb "$barbpw"; RS=$S RC=$C
login dora "$dorapw"; DS=$S DC=$C
out=$(call GET devices "" -H "$RS")
check "barb sees the Barn's devices" grep -q '"site":"Barn"' <<<"$out"
check "barb never sees the House's" test -z "$(grep -o '"site":"House"' <<<"$out")"
out=$(call GET sites "" -H "$RS")
check "barb's sites: Barn only" grep -q '^{"sites":\[{"name":"Barn",' <(tail -1 <<<"$out")
out=$(call GET devices/slave-house/sim:lamp "" -H "$RS")
check "a House device for barb: 404, as if it did not exist" grep -q '^404' <<<"$out"
out=$(call GET devices "" -H "$DS")
check "dora, granted one device, sees only it" \
	test "$(grep -o '"id":"sim:[a-z]*"' <<<"$out" | tr '\n' ' ')" = '"id":"sim:lamp" '
out=$(call GET nodes "" -H "$VS")
check "vic sees the House's node, online, with its version" \
	grep -Eq '"id":"slave-house","site":"House","role":"slave","capabilities":\[[a-z_",]*"simulated"\],"online":true,"version":"[0-9.]+"' <<<"$out"
check "... and not the Barn's" test -z "$(grep -o slave-barn <<<"$out")"
check "a node's health: last seen and round trip" \
	grep -Eq '"last_seen_ms":[1-9][0-9]+,"rtt_ms":[0-9]+,"devices":3' <<<"$out"
out=$(call GET devices "" -H "$AS")
check "admin sees both sites' devices" \
	test -n "$(grep -o '"site":"Barn"' <<<"$out")" -a -n "$(grep -o '"site":"House"' <<<"$out")"
out=$(call GET devices/slave-house/sim:temp "" -H "$BS")
check "a device has typed values with unit and flags" \
	grep -Eq '"key":"temperature","type":"double","unit":"°C","writable":false,.*"value":[0-9.]+,"time_ms":[1-9][0-9]*,"stale":false,"fault":false,"low_battery":false' <<<"$out"
check "a viewer's device says control false" \
	grep -q '"control":false' <(call GET devices/slave-house/sim:lamp "" -H "$VS")
out=$(call GET devices "" -H "Cookie: __Host-hd_session=$(printf '%064d' 0)")
check "no session: 401" grep -q '^401' <<<"$out"

# 3. The stream: admin's, vic's and barb's, from now on
stream() {	# stream NAME [curl args]: curl -N in the background into NAME.sse
	curl -s -N --cacert "$G/ca.crt" --max-time 120 "${@:2}" "$A/stream" >"$work/$1.sse" 2>/dev/null &
	pids+=($!); disown $!
	printf -v "sse_$1" '%s' "$!"
}
stream admin -H "$AS"
stream vic -H "$VS"
stream barb -H "$RS"
stream dora -H "$DS"
check "a stream starts with hello" wait_log "$work/vic.sse" '^event: hello' 10
check "hello names the user and role" grep -q '^data: {"user":"vic","role":"viewer"' "$work/vic.sse"

# 4. Commands
out=$(call POST devices/slave-house/sim:lamp/values/on '{"value":true}' -H "$VS" -H "$VC")
check "a viewer cannot command: 403" grep -q '^403' <<<"$out"
out=$(call POST devices/slave-house/sim:lamp/values/on '{"value":true}' -H "$BS")
check "a command without the CSRF token: 403" grep -q '^403' <<<"$out"
out=$(call POST devices/slave-house/sim:lamp/values/on '{"value":true}' -H "$RS" -H "$RC")
check "barb cannot command the House (404: not even seen)" grep -q '^404' <<<"$out"
out=$(call POST devices/slave-house/sim:lamp/values/on '{"value":1}' -H "$BS" -H "$BC")
check "a wrong type: 400 bad_value" grep -q '"error":"bad_value"' <<<"$out"
out=$(call POST devices/slave-house/sim:temp/values/temperature '{"value":20}' -H "$BS" -H "$BC")
check "a read-only value: 400 read_only" grep -q '"error":"read_only"' <<<"$out"
out=$(call POST devices/slave-house/sim:lamp/values/on '{"value":true,"colour":"red"}' -H "$BS" -H "$BC")
check "an unknown field: 400 naming it" grep -q 'unknown field \\"colour\\"' <<<"$out"
out=$(call POST devices/slave-house/sim:lamp/values/on '{"value":true' -H "$BS" -H "$BC")
check "bad JSON: 400" grep -q '^400' <<<"$out"
out=$(call POST devices/slave-house/sim:lamp/values/dim '{"value":true}' -H "$BS" -H "$BC")
check "an unknown value: 404" grep -q '^404' <<<"$out"
check "none of these reached the slave" test "$(count_log "$M" 'api: .*: command ')" = 0
out=$(call POST devices/slave-house/sim:lamp/values/on '{"value":true}' -H "$BS" -H "$BC")
check "bob switches the lamp on: 202 with an id" grep -Eq '^\{"id":[0-9]+,"status":"pending"\}$' <(tail -1 <<<"$out")
id=$(tail -1 <<<"$out" | grep -Eo '[0-9]+' | head -1)
check "the slave confirms it" wait_log "$M" "command $id OK" 10
out=$(call GET commands/$id "" -H "$BS")
check "GET the command: ok, by bob, with the confirmed value" \
	grep -q "\"id\":$id,\"node\":\"slave-house\",\"device\":\"sim:lamp\",\"key\":\"on\",\"by\":\"bob\",\"status\":\"ok\",\"result\":\"ok\",\"detail\":\"\",\"value\":true" <<<"$out"
check "the lamp's value is true now" \
	grep -q '"key":"on","type":"bool","unit":"","writable":true,"min":0,"max":0,"value":true' <(call GET devices/slave-house/sim:lamp "" -H "$BS")
check "the command result arrives on vic's stream" \
	wait_log "$work/vic.sse" "^data: \\{\"id\":$id,.*\"status\":\"ok\"" 10
check "the lamp's change arrives on vic's stream" \
	wait_log "$work/vic.sse" '^data: \{"node":"slave-house","site":"House","device":"sim:lamp","key":"on","value":true' 10
check "and on admin's" wait_log "$work/admin.sse" '"device":"sim:lamp","key":"on","value":true' 10
check "each event has an id and a name" grep -Eq '^id: [0-9]+$' "$work/vic.sse"
check "barb's stream has Barn events" wait_log "$work/barb.sse" '"site":"Barn"' 10
check "... and no House event" test -z "$(grep -o '"site":"House"' "$work/barb.sse")"
check "vic's stream has no Barn event" test -z "$(grep -o '"site":"Barn"' "$work/vic.sse")"
check "dora's stream has the lamp's change" \
	wait_log "$work/dora.sse" '"device":"sim:lamp","key":"on","value":true' 10
check "vic's stream has the temperature's" wait_log "$work/vic.sse" '"device":"sim:temp"' 30
check "dora's has no other device's" \
	test -z "$(grep -Eo '"device":"sim:(temp|door)"' "$work/dora.sse")"
check "barb cannot read bob's command either" grep -q '^404' <(call GET commands/$id "" -H "$RS")

# 5. App tokens
out=$(call POST tokens '{"name":"kitchen tablet"}' -H "$BS" -H "$BC")
check "bob makes a token: 201, shown once" grep -Eq '"token":"hdt_[0-9a-f]{64}"' <<<"$out"
tok=$(grep -Eo 'hdt_[0-9a-f]{64}' <<<"$out")
tid=$(grep -Eo '"id":"[0-9a-f]{16}"' <<<"$out" | cut -d'"' -f4)
check "the token file holds no token" test -z "$(grep -ao "${tok#hdt_}" "$work/state-master/tokens")"
check "the list does not show it again" \
	test -z "$(call GET tokens "" -H "$BS" | grep -o hdt_)"
out=$(call POST devices/slave-house/sim:lamp/values/on '{"value":false}' -H "Authorization: Bearer $tok")
check "the token commands without CSRF: 202" grep -q '^202' <<<"$out"
out=$(call GET devices "" -H "Authorization: Bearer $tok")
check "the token sees what bob sees" test -z "$(grep -o '"site":"Barn"' <<<"$out")" -a -n "$(grep -o '"site":"House"' <<<"$out")"
out=$(call GET devices "" -H "Authorization: Bearer hdt_$(printf '%064d' 1)")
check "an unknown token: 401" grep -q '^401' <<<"$out"
check "vic cannot revoke bob's token (404)" \
	grep -q '^404' <(call DELETE tokens/$tid "" -H "$VS" -H "$VC")
check "vic cannot list it" test -z "$(call GET tokens "" -H "$VS" | grep -o "$tid")"
check "admin lists it" grep -q "$tid" <(call GET tokens "" -H "$AS")
out=$(call DELETE tokens/$tid "" -H "$BS" -H "$BC")
check "bob revokes it" grep -q "\"revoked\":\"$tid\"" <<<"$out"
check "a revoked token: 401" grep -q '^401' <(call GET devices "" -H "Authorization: Bearer $tok")

# 6. Offline slave, history, role changes
kill -TERM "$(pid_of slave-barn)"
check "the Barn goes offline" wait_log "$M" 'slave slave-barn .* offline' 10
check "barb's stream hears it" wait_log "$work/barb.sse" '"node":"slave-barn","site":"Barn","online":false' 10
out=$(call POST devices/slave-barn/sim:lamp/values/on '{"value":true}' -H "$RS" -H "$RC")
check "a command to an offline slave: 503 offline" grep -q '"error":"offline"' <<<"$out"
out=$(call GET "history/slave-house/sim:temp/temperature?range=hour" "" -H "$VS")
check "history: per-minute min/max/avg" \
	grep -Eq '"step_s":60,"points":\[\{"t_ms":[0-9]+000,"min":[0-9.]+,"max":[0-9.]+,"avg":[0-9.]+,"n":[1-9]' <<<"$out"
check "history of a day: 5-minute points" \
	grep -q '"range":"day","step_s":300' <(call GET "history/slave-house/sim:temp/temperature?range=day" "" -H "$VS")
check "history with a bad range: 400" \
	grep -q '^400' <(call GET "history/slave-house/sim:temp/temperature?range=week" "" -H "$VS")
check "history of a House value for barb: 404" \
	grep -q '^404' <(call GET "history/slave-house/sim:temp/temperature" "" -H "$RS")
out=$(call PATCH users/vic '{"role":"user"}' -H "$AS" -H "$AC")
check "admin makes vic a user" grep -q '"name":"vic","role":"user"' <<<"$out"
check "vic's stream ends with the change" wait_log "$M" 'stream of vic ended: its user changed' 10
check "vic's session ended too" grep -q '^401' <(call GET session "" -H "$VS")
out=$(call PATCH users/admin '{"role":"viewer"}' -H "$AS" -H "$AC")
check "an admin cannot demote itself: 409" grep -q '^409' <<<"$out"
check "users is admin only: 403 for bob" grep -q '^403' <(call GET users "" -H "$BS")
out=$(call DELETE users/barb "" -H "$AS" -H "$AC")
check "admin deletes barb" grep -q '"deleted":"barb"' <<<"$out"
check "barb's session is gone" grep -q '^401' <(call GET devices "" -H "$RS")
finish
