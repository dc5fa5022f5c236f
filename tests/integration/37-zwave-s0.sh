#!/usr/bin/env bash
# Z-Wave S0 and Door Lock against our stick simulator (hd-zwsim -l: an S0
# door lock, node 6, that takes Door Lock only encapsulated, included by
# another controller with the network key the slave is given, and that
# ignores Scheme Get and Network Key Set outside its inclusion, as a real
# lock does): the slave adopts it (its secure classes asked under the key,
# nothing under the all-zero key), locks and unlocks it through master
# commands confirmed by its encapsulated reports, and answers the lock's
# nonce requests within the 1 s it waits. A clear-text Door Lock report, a
# tampered MAC and a replayed frame are refused and logged; a restart
# keeps the key and does not ask again. A lock included with another key
# is not adopted and never gets ours, at any start. (Secure inclusion
# itself: 74-zwave-inclusion.sh.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zwlib.sh"

zw_tm
K=$work/state-slave-house/zwave.key

# 1. simulator with the lock (it has the key the slave is given), test
# master, slave
zwsim -l
mkdir -m 700 "$work/state-slave-house"
(umask 077 && openssl rand -hex 16 >"$K")
zw key 6 "$(cat "$K")"
check "the lock has the network key from its first controller" \
	wait_log "$Z" 'zwsim: node 6: included elsewhere, has a network key' 5
zw_start

# 2. adoption: the lock answers under our key, no secure inclusion
check "the lock is asked its secure classes under our key" \
	wait_log "$S" 'zwave: node 6: lists S0, no key on record: asking its secure classes under our network key' 20
check "the lock is adopted" \
	wait_log "$S" 'zwave: node 6: adopted: it answers under our network key' 15
check "the key is granted with one secure class" \
	wait_log "$S" 'zwave: node 6: S0 key granted, 1 secure command classes: 62$' 15
check "the slave kept the key it was given" \
	test "$(count_log "$S" 'new network key')" -eq 0
check "no secure inclusion ran" \
	test "$(count_log "$S" 'secure inclusion')" -eq 0
check "no Scheme Get and no Network Key Set reached the lock" \
	test "$(count_log "$Z" 'node 6 gets 98 04|secure 98 06|scheme get outside')" -eq 0
check "the lock is announced with a writable locked value" \
	wait_log "$T" '^device zw:6:0 DEV_LOCK .*locked:bool:rw' 10
check "its state is read over S0: unlocked" \
	wait_log "$T" '^report zw:6:0 locked false ' 15
# Each command below is a SET and a confirming GET, two reports: counted
# from here, so that a step starts only once the last GET is answered.
g0=$(count_log "$Z" 'node 6: secure 62 02')
r0=$(count_log "$T" '^report zw:6:0 locked ')

# 3. lock and unlock, confirmed by the lock's encapsulated report
send 'cmd 31 zw:6:0 locked true'
check "cmd 31: lock confirmed" wait_log "$T" '^result 31 OK true$' 15
check "cmd 31: the lock took a secure Door Lock SET" \
	grep -q 'zwsim: node 6: secure 62 01' "$Z"
check "cmd 31: the lock is secured" grep -q 'node 6: door lock secured' "$Z"
check "cmd 31: reported locked" grep -q '^report zw:6:0 locked true ' "$T"
# settle N: the confirming GET of the last command answered too (its
# report is the Nth of the lock), so the next step starts from quiet.
settle() {
	wait_count "$Z" 'node 6: secure 62 02' "$1" 10 &&
		wait_count "$T" '^report zw:6:0 locked ' "$2" 10
}
send 'cmd 32 zw:6:0 locked false'
check "cmd 32: unlock confirmed" wait_log "$T" '^result 32 OK false$' 15
check "cmd 31 and 32: their confirming GETs answered too" \
	settle $((g0 + 2)) $((r0 + 4))
check "cmd 32: the lock is unsecured" \
	wait_log "$Z" 'node 6: door lock unsecured' 5
check "no Door Lock command went in clear" \
	test "$(count_log "$Z" 'node 6 gets 62 ')" -eq 0
check "every nonce the lock asked for came within its 1 s" \
	test "$(count_log "$Z" 'node 6: nonce after .* too late')" -eq 0
check "nonces were asked for and answered" \
	test "$(count_log "$Z" 'node 6: nonce in [0-9]+ ms')" -ge 4
slowest=$(grep -Eo 'node 6: nonce in [0-9]+ ms' "$Z" | grep -Eo '[0-9]+ ms' |
	sort -n | tail -1)
echo "# slowest nonce answer as the lock saw it: $slowest"

# 4. refusals
locked=$(count_log "$T" '^report zw:6:0 locked true ')
zw clearlock 6 1
check "a clear-text Door Lock report is refused and logged" \
	wait_log "$S" 'zwave: node 6: clear-text command 0x62 0x03 refused' 10
check "and not reported" \
	test "$(count_log "$T" '^report zw:6:0 locked true ')" -eq "$locked"
zw badmac 6
zw lock 6 1
check "a tampered MAC is refused and logged" \
	wait_log "$S" 'zwave: node 6: S0 frame refused: bad MAC' 10
check "and not reported" \
	test "$(count_log "$T" '^report zw:6:0 locked true ')" -eq "$locked"
zw lock 6 1
check "the next secure report is taken" \
	wait_count "$T" '^report zw:6:0 locked true ' $((locked + 1)) 10
zw replay 6
check "a replayed frame is refused and logged" \
	wait_log "$S" 'zwave: node 6: S0 frame refused: unknown, expired or replayed nonce' 10
send 'cmd 33 zw:6:0 locked false'
check "cmd 33: the lock still obeys" wait_log "$T" '^result 33 OK false$' 15
check "cmd 33: its confirming GET answered too" \
	settle $((g0 + 3)) $((r0 + 7))

# The lock asks for a nonce while commands to other nodes are queued: its
# Nonce Report must still go first (the lock gives up after 1 s).
reps=$(count_log "$T" '^report zw:6:0 locked false ')
send 'cmd 51 zw:2:0 on true'
send 'cmd 52 zw:4:0 level 30'
send 'cmd 53 zw:2:0 on false'
zw lock 6 0
check "the lock's report gets through traffic queued for others" \
	wait_count "$T" '^report zw:6:0 locked false ' $((reps + 1)) 10
check "the queued commands complete too" \
	wait_log "$T" '^result 53 (OK|BUSY)' 15
check "every nonce still within the lock's 1 s" \
	test "$(count_log "$Z" 'node 6: nonce after .* too late')" -eq 0

# A burst of Nonce Gets (a confused node, or someone using its id): one
# report at a time per node, the session's queue is not flooded.
before=$(count_log "$Z" 'node 6 gets 98 80')
zw flood 6 20
check "a burst of 20 nonce gets is answered by a few reports, not 20" \
	wait_log "$S" 'node 6: S0 nonce report already queued' 10
gets=$(count_log "$Z" 'node 6: secure 62 02')
send 'cmd 54 zw:6:0 locked true'
check "cmd 54: lock confirmed after the burst" \
	wait_log "$T" '^result 54 OK true$' 15
check "cmd 54: its confirming GET went too" \
	wait_count "$Z" 'node 6: secure 62 02' $((gets + 1)) 10
check "at most 5 nonce reports for the 20 gets (+2 for cmd 54's reports)" \
	test "$(($(count_log "$Z" 'node 6 gets 98 80') - before))" -le 7

# 5. failures of the nonce round trip
acted=$(count_log "$Z" 'node 6: door lock (un)?secured')
zw nononce 6 1
send 'cmd 35 zw:6:0 locked false'
check "cmd 35: a lock that hands out no nonce fails the command" \
	wait_log "$T" '^result 35 FAILED - no S0 nonce from the node' 15
check "cmd 35: logged" wait_log "$S" 'zwave: node 6: no S0 nonce in 5000 ms' 5
check "cmd 35: nothing went out encapsulated meanwhile" \
	test "$(count_log "$Z" 'node 6: door lock (un)?secured')" -eq "$acted"
zw nononce 6 0
zw deaf 6
send 'cmd 36 zw:6:0 locked true'
check "cmd 36: a lock that does not acknowledge the nonce get is faulted" \
	wait_log "$T" '^result 36 DEVICE_FAULT' 15
check "cmd 36: its fault is raised" \
	wait_log "$T" '^fault zwave zw:6:0 raised' 5
zw hear 6
send 'cmd 37 zw:6:0 locked true'
check "cmd 37: it answers again" wait_log "$T" '^result 37 OK true$' 15
check "cmd 37: its fault is cleared" \
	wait_log "$T" '^fault zwave zw:6:0 cleared' 5

zw early 6 1
send 'cmd 38 zw:6:0 locked false'
check "cmd 38: a nonce that comes before the stick's callback is used" \
	wait_log "$T" '^result 38 OK false$' 15
zw early 6 0

# 6. restart: same key, no second inclusion, the lock still works
sum=$(md5sum <"$K")
kill -TERM "$(pid_of slave-house)"
wait_log "$S" 'slave slave-house stopped' 5
start hd-slave slave-house
check "restarted controller ready" \
	wait_count "$S" 'zwave: controller ready' 2 15
check "the key is kept" test "$(md5sum <"$K")" = "$sum"
check "no new key is made" test "$(count_log "$S" 'new network key')" -eq 0
send 'cmd 34 zw:6:0 locked true'
check "cmd 34: lock confirmed after the restart" \
	wait_log "$T" '^result 34 OK true$' 15
check "not asked again: the node table says it is secure" \
	test "$(count_log "$S" 'no key on record')" -eq 1
kill -TERM "$(pid_of slave-house)"
wait_log "$S" 'slave slave-house stopped' 5

# 7. a key file others can read is refused, by -n too
chmod 644 "$K"
refuses() { ! "$@" >/dev/null 2>&1; }
check "hd-slave -n refuses a world-readable key file" \
	refuses "$bin/hd-slave" -n -f "$work/slave-house.conf"
start hd-slave slave-house
check "a world-readable key file stops the slave with a reason" \
	wait_log "$S" 'zwave.key: readable by others: refused' 10
check "and says so, without a stale errno" \
	wait_log "$S" 'zwave: not started \(the reason is above\)' 5
check "no stale \"File exists\"" \
	test "$(count_log "$S" 'File exists')" -eq 0
chmod 600 "$K"

# 8. a lock included with another key (its controller's, not ours): not
# adopted, and never given our key, at this start or the next
zw key 6 "$(openssl rand -hex 16)"
rm -f "$work/state-slave-house/zwave.nodes"
dropped=$(count_log "$Z" 'node 6: S0 frame dropped: bad MAC')
for n in 1 2; do
	stopped=$(count_log "$S" 'slave slave-house stopped')
	start hd-slave slave-house
	check "start $n: the foreign lock is not adopted" \
		wait_count "$S" 'zwave: node 6: not adopted \(no answer in time\)' "$n" 25
	check "start $n: our question under our key did not decrypt" \
		wait_count "$Z" 'node 6: S0 frame dropped: bad MAC' $((dropped + n)) 5
	kill -TERM "$(pid_of slave-house)"
	wait_count "$S" 'slave slave-house stopped' $((stopped + 1)) 5
done
check "no Scheme Get, no Network Key Set ever reached the lock" \
	test "$(count_log "$Z" 'node 6 gets 98 04|secure 98 06|scheme get outside|network key (received|set refused)')" -eq 0
check "no secure inclusion was ever tried" \
	test "$(count_log "$S" 'secure inclusion')" -eq 0
exec 3>&- 4>&-
finish
