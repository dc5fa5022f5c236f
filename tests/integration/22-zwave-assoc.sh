#!/usr/bin/env bash
# Z-Wave association groups through the API over real HTTPS, against an
# hd-zwsim node with Association (group 1 the lifeline, one node; groups
# 2 and 3, four nodes each): a group read with its nodes and maximum,
# a node added and removed (each confirmed by a Get that shows it), a
# full group's refusal reported as failed in words, a group the node has
# not (its number of groups from a Groupings Report), the refusals
# before anything is sent, and a sleeping node's change held for its
# wake-up.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zwlib.sh"

zw_web

zwsim
zw_start
zw_interviewed
zw_api
group() { last '(j["last"]["group"], j["last"]["max"], j["last"]["nodes"])'; }

zw join 7 10 25 85 59 86 72
check "node 7 (Association) waits to join" \
	wait_log "$Z" 'zwsim: control: join 7 ' 5
post zwave/slave-house/inclusion '{"action":"include","timeout":30}' \
	"${auth[@]}" >/dev/null
check "node 7 included and interviewed" \
	wait_log "$M" "zwave include: interviewed, node 7" 20

# 1. read groups
maint '{"op":"assoc_get","node":7,"group":1}' >/dev/null
check "group 1 read" wait_last done 10
check "... the lifeline: us, at most one node" \
	test "$(group)" = "(1, 1, [1])"
check "... of the node's 3 groups (Groupings Report)" \
	test "$(last 'j["last"]["groups"]')" = 3
check "Groupings Get, Get, then the group's name went to the node" \
	test "$(grep -oE 'node 7 gets (85 0[25]|59 01)' "$Z" | tail -3 |
	tr '\n' ,)" = "node 7 gets 85 05,node 7 gets 85 02,node 7 gets 59 01,"
check "... its name (Association Group Info)" \
	test "$(last 'j["last"]["name"]')" = Lifeline
maint '{"op":"assoc_get","node":7,"group":2}' >/dev/null
check "group 2 read" wait_last done 10
check "... empty, at most four" test "$(group)" = "(2, 4, [])"
check "... named" test "$(last 'j["last"]["name"]')" = "Basic Set"
check "... saying so" test "$(last 'j["last"]["reason"]')" = \
	"0 of at most 4 nodes"

# 2. add and remove
maint '{"op":"assoc_set","node":7,"group":2,"target":3}' >/dev/null
check "node 3 added to group 2" wait_last done 10
check "... confirmed by the group's report" \
	test "$(last '(j["last"]["reason"], j["last"]["nodes"])')" = \
	"('node 3 added', [3])"
check "the node took it" grep -q 'zwsim: node 7: group 2: has 3$' "$Z"
check "Set then Get went to the node" \
	test "$(grep -oE 'node 7 gets 85 0[12]' "$Z" | tail -2 | tr '\n' ,)" = \
	"node 7 gets 85 01,node 7 gets 85 02,"
for t in 4 5 6; do
	maint "{\"op\":\"assoc_set\",\"node\":7,\"group\":2,\"target\":$t}" \
		>/dev/null
	check "node $t added to group 2" wait_last done 10
done
check "group 2 now full" test "$(group)" = "(2, 4, [3, 4, 5, 6])"
maint '{"op":"assoc_set","node":7,"group":2,"target":8}' >/dev/null
check "a fifth node: failed" wait_last failed 10
check "... saying why" test "$(last 'j["last"]["reason"]')" = \
	"the node did not add node 8: the group is full"
maint '{"op":"assoc_remove","node":7,"group":2,"target":4}' >/dev/null
check "node 4 removed from group 2" wait_last done 10
check "... confirmed" test "$(last '(j["last"]["reason"], j["last"]["nodes"])')" = \
	"('node 4 removed', [3, 5, 6])"
n=$(count_log "$Z" 'node 7 gets 85 0[124]')
maint '{"op":"assoc_set","node":7,"group":9,"target":3}' >/dev/null
check "a group the node has not: refused" wait_last refused 10
check "... saying so" test "$(last 'j["last"]["reason"]')" = \
	"the node has 3 association groups"
check "... and no Set or Get went to the node" \
	test "$(count_log "$Z" 'node 7 gets 85 0[124]')" -eq "$n"

# 3. refusals
maint '{"op":"assoc_get","node":2,"group":1}' >/dev/null
check "a node without Association: refused" wait_last refused 10
check "... saying so" test "$(last 'j["last"]["reason"]')" = \
	"the node has no Association class"
n=$(count_log "$Z" 'node 7 gets 85 ')
check "assoc_get without group: 400" \
	grep -q '^400' <<<"$(maint '{"op":"assoc_get","node":7}')"
check "group 0: 400" \
	grep -q '^400' <<<"$(maint '{"op":"assoc_get","node":7,"group":0}')"
check "assoc_set without target: 400" \
	grep -q '^400' <<<"$(maint '{"op":"assoc_set","node":7,"group":2}')"
check "target 233: 400" grep -q '^400' \
	<<<"$(maint '{"op":"assoc_remove","node":7,"group":2,"target":233}')"
check "... nothing sent to the node" \
	test "$(count_log "$Z" 'node 7 gets 85 ')" -eq "$n"

# 4. a sleeping node: the change waits for its wake-up
zw join 13 10 25 85 84 86 72
zw sleepy 13
check "node 13 (sleeping, Association) waits to join" \
	wait_log "$Z" 'zwsim: control: sleepy 13' 5
post zwave/slave-house/inclusion '{"action":"include","timeout":30}' \
	"${auth[@]}" >/dev/null
check "node 13 included and interviewed" \
	wait_log "$M" "zwave include: interviewed, node 13" 20
check "... then sent to sleep" wait_log "$Z" 'zwsim: node 13 back to sleep' 20
n=$(count_log "$Z" 'node 13 gets 85 ')
maint '{"op":"assoc_set","node":13,"group":3,"target":7}' >/dev/null
check "a group change for the sleeping node: queued" wait_last queued 10
check "... nothing sent to it while it sleeps" \
	test "$(count_log "$Z" 'node 13 gets 85 ')" -eq "$n"
zw wake 13
check "at its wake-up: done" wait_last done 20
check "... confirmed" test "$(last '(j["last"]["reason"], j["last"]["group"], j["last"]["nodes"])')" = \
	"('node 7 added', 3, [7])"
check "the node took it" grep -q 'zwsim: node 13: group 3: has 7$' "$Z"
check "then No More Information" \
	wait_count "$Z" 'zwsim: node 13 back to sleep' 2 10
check "slave still running" kill -0 "$(pid_of slave-house)"
exec 3>&-
finish
