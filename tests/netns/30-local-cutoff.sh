#!/usr/bin/env bash
# Local rules across a real cut (docs/SCHEDULER.md#local-rules): the
# master and slave-barn in namespaces of their own, the link between them
# cut by the switch (not a stopped master). The master fires "early" just
# before the cut; cut off, the barn runs "frost" (a time of day) by its
# own rules, is killed and restarted while still cut off and runs "dusk"
# (the sunset of site barn, whose longitude is chosen so that its sunset
# falls inside the test); "frost" and "never" have conditions on the
# barn's own temperature, one true, one false; healed, it reports both in order and says its
# replay is complete. The master's log, its API's event objects and the
# stream show each local firing once, marked local, in order; "early"
# ran once, on the master, and never on the slave; the slave's journal
# holds one local command per local firing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cluster.sh"
export TZ=UTC

check "namespaces and the switch" net_up master slave-barn || finish
gen_pki
G=$work/pki/good
"$top/pki/hd-pki" issue "$G" web web >/dev/null
port=$(free_port)
wport=$(free_port)
E=$work/barn.events
M=$work/master.log
B=$work/slave-barn.log
J=$work/slave-barn.journal
A=https://127.0.0.1:$wport/api/v1
hms() { date -u -d "@$1" +%H:%M:%S; }

# 1. Site barn's place: latitude 10, the longitude whose next sunset is
# `target` (to the second), found with hd-master --next itself: sunset
# moves 240 s earlier per degree east; a few rounds correct the equation
# of time's drift between days.
target=$(($(date +%s) + 45))
echo 'event dusk { site barn when sunset do set slave-barn/sim:lamp.on = on }' >"$E"
nmaster_conf master "$port" "$G" master "events $E" "site-place barn 10 0" \
    "web-listen 127.0.0.1:$wport" "web-cert $G/web.crt" "web-key $G/web.key"
sunset_at() {	# sunset_at LON: the first sunset after now there, epoch s
	sed -i "s/^site-place barn .*/site-place barn 10 $1/" "$work/master.conf"
	"$bin/hd-master" -f "$work/master.conf" --next 1 |
	    awk '/^dusk: / { print $5 " " $6 " UTC" }' |
	    xargs -r -I{} date -u -d {} +%s
}
lon=0
for ((i = 0; i < 6; i++)); do
	sun=$(sunset_at "$lon")
	[ -n "$sun" ] || break
	[ "$sun" -eq "$target" ] && break
	lon=$(awk -v l="$lon" -v d="$((sun - target))" 'BEGIN {
		d = d % 86400; if (d > 43200) d -= 86400; if (d <= -43200) d += 86400
		l += d / 240; if (l > 180) l -= 360; if (l < -180) l += 360
		printf "%.4f", l }')
done
sun=$(sunset_at "$lon")
echo "# site barn at 10 N $lon E: sunset $(hms "${sun:-0}") UTC (target $(hms "$target"))"
check "a longitude whose sunset falls in the test (within 1 s)" \
    test -n "$sun" -a "${sun:-0}" -ge $((target - 1)) -a "${sun:-0}" -le $((target + 1))

# 2. The master and the barn, the admin logged in, the stream open.
admin_pw
nstart hd-master master
check "the master serves its API" \
    wait_log "$M" 'web process [0-9]+ serving' 15 || finish
nslave_conf slave-barn barn master "$port" "$G" "local-after 1000"
nstart hd-slave slave-barn
check "the barn registers" \
    wait_log "$B" 'registered with master master ' 15 || finish
check "the admin is logged in" admin_login
ip netns exec "$(nsof master)" curl -s -N --cacert "$G/ca.crt" \
    --max-time 240 "${auth[@]}" "$A/stream" >"$work/stream" 2>/dev/null &
pids+=($!)
disown $!
check "the stream is open" wait_log "$work/stream" '^event: hello' 10

# The rest of the events, relative to now; the reload sends the rule set.
now=$(date +%s)
early=$((now + 4))
frost=$((now + 12))
cat >>"$E" <<EOT
event early { when at $(hms $early) do set slave-barn/sim:lamp.on = on }
event frost { when at $(hms $frost) if slave-barn/sim:temp.temperature > -50
	do set slave-barn/sim:lamp.on = off }
event never { when at $(hms $frost) if slave-barn/sim:temp.temperature < -50
	do set slave-barn/sim:lamp.on = on }
event chatter { when every 2 s do notify "tick" }
EOT
kill -HUP "$(pid_of master)"
check "the barn keeps its 4 local events" wait_log "$B" \
    'local rules: version [0-9a-f]{16}, 4 events, kept in local.rules' 10
check "... in time: the restart can come before the sunset" \
    test "$now" -le $((sun - 16))

# 3. The master fires "early"; right after its command, the cut.
check "the master fires early" \
    wait_log "$M" 'event early: command [0-9]+ to slave-barn' 15
check "... and the barn executes it" \
    wait_log "$J" '^exec .*origin=master .*value=b:true' 5
check "cut the barn off from the master (both ways)" \
    link_cut master slave-barn
check "the barn notices" wait_log "$B" 'lost master master' 10
check "cut off for local-after, the barn runs its rules" wait_log "$B" \
    'local rules: no master for [0-9]+ ms: running 4 local events' 10
check "... before frost is due" test "$(date +%s)" -lt "$frost"

# 4. frost on the barn; then the barn killed and restarted, still cut off.
check "frost runs on the barn, on time" wait_log "$B" \
    "local rules: event frost \\(due ${frost}000\\): set sim:lamp.on" 20
check "... its command done" wait_log "$B" 'local rules: command [0-9]+ done' 5
check "its condition on the barn's own temperature was seen true, and \
never's (the same value) false" wait_log "$B" 'event never .*condition false' 5
check "never did not run" test "$(count_log "$B" 'local rules: event never')" -eq 0
check "kill -9 the barn" nkill slave-barn
nstart hd-slave slave-barn
check "restarted, it reads its rules back" \
    wait_count "$B" 'local rules: version [0-9a-f]{16} read from' 1 10
check "... and runs them after local-after from its start" wait_count "$B" \
    'local rules: no master for [0-9]+ ms: running 4 local events' 2 10
check "... before the sunset" test "$(date +%s)" -lt "$sun"
left=$((sun - $(date +%s) + 10))	# seconds to the sunset, and some
check "the master leaves the sunset to the barn (it is offline)" \
    wait_log "$M" "event dusk: left to slave slave-barn's local rules" "$left"
check "the sunset runs on the restarted barn, once" wait_log "$B" \
    "local rules: event dusk \\(due ${sun}[0-9]{3}\\): set sim:lamp.on" 10
check "... not before its instant" test "$(date +%s)" -ge "$sun"
check "the link was really cut (frames dropped)" \
    test "$(wire_stat master slave-barn dropped)" -gt 0

# 5. Healed: both firings reported in order, then the end of the replay.
check "heal the link" link_heal master slave-barn
# Its back-off may have reached RECONNECT_MAX_MS (30 s) + 25 % jitter.
check "the barn registers again" \
    wait_count "$B" 'registered with master master ' 2 40
check "it stops its rules" \
    wait_log "$B" 'local rules: stopped, a master is back' 10
check "it reports both firings, the one before its restart too" \
    wait_log "$B" 'local rules: 2 firings reported to the master' 5
check "the master has the barn's whole replay (LocalSync)" wait_log "$M" \
    'sched: slave slave-barn: local replay complete \(2 firings' 10
line_of() { grep -nE -- "$1" "$M" | head -1 | cut -d: -f1; }
fr=$(line_of "event frost: fired on slave slave-barn by its local rules \\(due ${frost}000")
du=$(line_of "event dusk: fired on slave slave-barn by its local rules \\(due ${sun}")
sy=$(line_of 'local replay complete \(2 firings')
check "the master hears frost, then dusk, then the end of the replay" \
    test -n "$fr" -a -n "$du" -a "${fr:-0}" -lt "${du:-0}" -a "${du:-0}" -lt "${sy:-0}"
for ev in frost dusk; do
	check "$ev: heard once" \
	    test "$(count_log "$M" "event $ev: fired on slave")" -eq 1
	check "$ev: no command of the master's" \
	    test "$(count_log "$M" "event $ev: command [0-9]+ to")" -eq 0
done
check "early: fired once, by the master" \
    test "$(count_log "$M" 'event early: command [0-9]+ to')" -eq 1
check "early: never run by the barn" \
    test "$(count_log "$B" 'local rules: event early')" -eq 0
check "the journal: early once from the master, frost and dusk once each \
locally (off, then on)" test "$(grep -Eo '^exec .*origin=(master|local)' "$J" |
    grep -c origin=master):$(grep '^exec .*origin=local' "$J" |
    grep -Eo 'value=b:[a-z]+' | tr '\n' ' ')" = "1:value=b:false value=b:true "

# 6. The API and the stream: marked local, once each, in order.
hcurl "${auth[@]}" "$A/events/dusk" >"$work/dusk.json"
check "the API: dusk's last result is the barn's, local" \
    grep -q '"last_result":"local: fired"' "$work/dusk.json"
check "the API: dusk's last run was on slave-barn, local" \
    grep -Eq '"runs":\[\{"at_ms":[0-9]+,"due_ms":'"${sun}"'[0-9]{3},"on":"slave-barn","local":true\}' "$work/dusk.json"
hcurl "${auth[@]}" "$A/events/early" >"$work/early.json"
check "the API: early ran on the master" \
    grep -Eq '"runs":\[\{"at_ms":[0-9]+,"due_ms":'"${early}"'000,"on":"master","local":false\}' "$work/early.json"
check "the API: the barn's history is complete (replay done)" \
    grep -q '"local_synced":true' "$work/dusk.json"
wait_log "$work/stream" '"event":"dusk".*"local":true' 5
grep -E '^data: \{"event":"(early|frost|dusk)"' "$work/stream" |
    sed -E 's/^data: \{"event":"([a-z]+)".*"local":(true).*/\1 local/; s/^data: \{"event":"([a-z]+)".*/\1/' \
    >"$work/stream.events"
sed 's/^/# stream: /' "$work/stream.events"
check "the stream: early (master), frost and dusk (local), each once, in order" \
    test "$(tr '\n' ' ' <"$work/stream.events")" = "early frost local dusk local "
finish
