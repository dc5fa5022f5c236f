#!/usr/bin/env bash
# A sleeping S0 lock whose node information arrives in the middle of its
# key exchange (34-zwave-inclusion.sh failed now and then this way): the
# lock (hd-zwsim's node 6, Wake Up, not listening) holds its Scheme
# Report (`holdscheme 6 1`) so the exchange stands still between two
# steps for as long as the test needs; meanwhile the slave must not start
# the lock's interview, and the node information the lock sends then
# (`nif 6`) must not make the slave take it for asleep: the key exchange's
# next frames were held for a wake-up, the exchange timed out and the lock
# ended up without security. Every step waits on a log line: the timing
# is made, not hoped for.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zwlib.sh"

zw_web

zwsim
zw_start
zw_interviewed
zw_api

# 1. the lock joins; its Scheme Report is held: the exchange stands still
zw join 6 40 98 72 86 84
zw sleepy 6
zw holdscheme 6 1
check "the simulator holds the lock's scheme report from now on" \
	wait_log "$Z" 'zwsim: control: holdscheme 6 1' 5
out=$(post zwave/slave-house/inclusion '{"action":"include","timeout":60}' \
	"${auth[@]}")
check "include the lock: 202" grep -q '^202' <<<"$out"
check "the lock is added as node 6" \
	wait_log "$M" 'zwave include: done, node 6' 20
check "its secure inclusion starts" \
	wait_log "$S" 'zwave: node 6: secure inclusion \(S0\)' 10
check "the lock got the Scheme Get and holds its answer" \
	wait_log "$Z" 'zwsim: node 6: scheme report held' 10

# 2. the stick is idle while the exchange waits: the interview waits too
check "the slave leaves the lock's interview until its key exchange ends" \
	wait_log "$S" 'zwave: node 6: interview after its secure inclusion' 5
check "no RequestNodeInfo to the lock in the middle of its key exchange" \
	test "$(count_log "$Z" 'request 0x60 node 6')" -eq 0

# 3. the lock's own node information now: it is awake, not asleep
zw nif 6
check "its node information is taken (4 classes, Wake Up among them)" \
	wait_log "$S" 'zwave: node 6: 4 command classes' 10
zw holdscheme 6 0
check "the scheme report goes on" \
	wait_log "$Z" 'zwsim: node 6: scheme report released' 5
check "the lock takes the network key" \
	wait_log "$Z" 'node 6: network key received' 8
check "the slave verifies it" \
	wait_log "$S" 'zwave: node 6: network key verified' 8
check "granted S0 with Door Lock secure" \
	wait_log "$S" 'zwave: node 6: S0 key granted, 1 secure command classes: 62' 8
check "nothing of the exchange was held for a wake-up" \
	test "$(count_log "$S" 'node 6: asleep, request held')" -eq 0 -a \
	"$(count_log "$S" 'secure inclusion failed')" -eq 0
check "then its management interview, and the master hears it is complete" \
	wait_log "$M" 'zwave include: interviewed, node 6' 20
check "the management interview came after the key exchange" \
	test "$(grep -n 'node 6: management interview$' "$S" | head -1 | cut -d: -f1)" -gt \
	"$(grep -n 'node 6: S0 key granted' "$S" | head -1 | cut -d: -f1)"
check "its return route to us (the SUC) is assigned once interviewed (AssignSUCReturnRoute)" \
	wait_log "$S" 'zwave: node 6: return route to us assigned' 10
check "... by the stick, before the lock went back to sleep" \
	test "$(grep -nE 'node 6: return route to the SUC|node 6 back to sleep' "$Z" |
	    head -1 | cut -d: -f3-)" = " node 6: return route to the SUC"
check "interviewed, then told to sleep" \
	wait_log "$Z" 'zwsim: node 6 back to sleep' 15
check "no S0 frame refused on either side, nothing sent in clear" \
	test "$(count_log "$S" 'S0 frame refused')" -eq 0 -a \
	"$(count_log "$Z" 'refused|dropped|clear-text door lock')" -eq 0
exec 3>&-
finish
