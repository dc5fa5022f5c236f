#!/usr/bin/env bash
# The whole test suite, as `make test` runs it (after building build/,
# build-san/ and build-fuzz/). Every test program prints one line per
# check: "ok - ...", "not ok - ..." or "skip - ...". This script counts
# them and ends with the summary line "N passed, M failed, K skipped".
# A program that exits non-zero without printing a "not ok" line counts
# as one failure. FUZZ_SMOKE sets the seconds per fuzz harness (4: every
# seed is replayed, then new inputs for the rest; make fuzz runs 300).
# CROSS=armhf adds the armhf tree's tests under qemu-user (make test);
# --cross runs only those (make test-cross).
#
# TEST_JOBS programs (3) run at a time, each with its own log: the
# integration tests mostly wait on timers and sockets, and each has a
# network namespace of its own (tests/integration/lib.sh), so none can
# take another's ports. Results are printed in the order of the list
# below, each once it and those before it are done, with its seconds;
# the slowest are listed at the end, before the summary line.
set -u
cd "$(dirname "$0")/.."
passed=0 failed=0 skipped=0
logdir=$(mktemp -d /tmp/hd-tests.XXXXXX)
jobs=${TEST_JOBS:-3}
labels=() cmds=() times=()

# secs_since T0: seconds elapsed since EPOCHREALTIME was T0, to 0.1 s.
secs_since() {
	local now=${EPOCHREALTIME/./} t0=${1/./}
	local d=$(((now - t0) / 100000))
	echo "$((d / 10)).$((d % 10))"
}

add() {	# add LABEL CMD...: one more program to run
	labels+=("$1")
	shift
	cmds+=("$(printf '%q ' "$@")")
}

logof() { echo "$logdir/$(echo "${labels[$1]}" | tr -c 'A-Za-z0-9_.-' _).log"; }

# launch I: program I in the background; its status and seconds land in
# LOG.done once it has ended (renamed into place: never half written).
launch() {
	local log
	log=$(logof "$1")
	(
		t0=$EPOCHREALTIME
		eval "${cmds[$1]}" </dev/null >"$log" 2>&1
		echo "$? $(secs_since "$t0")" >"$log.tmp"
		mv "$log.tmp" "$log.done"
	) &
}

# report I: program I's lines, counted as the serial runner did.
report() {
	local label=${labels[$1]} log rc el p f s
	log=$(logof "$1")
	read -r rc el <"$log.done"
	times+=("$el $label")
	echo "# $label"
	grep -E '^(not ok|skip) - ' "$log"
	p=$(grep -c '^ok - ' "$log")
	f=$(grep -c '^not ok - ' "$log")
	s=$(grep -c '^skip - ' "$log")
	echo "#   $p passed, $f failed, $s skipped in $el s"
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $label exited with status $rc; log: $log"
		tail -n 20 "$log"
		f=1
	fi
	[ "$f" -gt 0 ] && echo "#   full log: $log"
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
}

start=$EPOCHREALTIME
# Set-up shared by every test, done once before any starts: npm packages
# (before any test enters its network namespace, where the registry is out
# of reach), one test PKI and one set of test licences, which the
# generators then copy for each test that asks (they take seconds each).
unset HD_TEST_PKI HD_TEST_LICENCES
tests/integration/zwave-js/install.sh >"$logdir/npm.log" 2>&1
tests/browser/install.sh >>"$logdir/npm.log" 2>&1
export HD_NPM_TRIED=1
tests/integration/gen-test-pki.sh "$logdir/pki" >"$logdir/pki.log" 2>&1 &
pki=$!
tests/integration/gen-test-licences.sh "$logdir/lic" >"$logdir/lic.log" 2>&1 &&
	export HD_TEST_LICENCES=$logdir/lic
wait "$pki" && export HD_TEST_PKI=$logdir/pki

# CROSS=armhf (make test) or arm64: the tree build-ARCH-qemu, run under
# qemu-user through binfmt_misc (tests/cross-binfmt.sh): every unit test
# (make test); --cross (make test-cross): those and every integration
# test that runs under qemu, the cluster smoke tests first. The smoke
# tests left make test for its time budget (docs/OPERATIONS.md, "What
# runs where"): make test-cross runs them.
cross_smoke="10-cluster 13-commands 62-api-stream"
cross_all="$cross_smoke 11-badcerts 12-badframes 20-hardware \
21-gpio-commands 30-zwave 31-zwave-js 32-zwave-nodes 33-zwave-js-nodes"
add_cross() {	# add_cross ARCH INTEGRATION-TESTS
	local tree=build-$1-qemu why t
	if ! why=$(tests/cross-binfmt.sh "$1" 2>&1); then
		add "cross $1" echo "skip - cross $1: $why"
		return
	fi
	for t in "$tree"/tests/test_*; do
		# 2000 schedules take minutes under qemu; 300 still run
		# every machine on 32-bit types (the bug variants as usual).
		case $t in
		*/test_ha_sim) add "unit $tree test_ha_sim -n 300" "$t" -n 300 ;;
		*/test_ha_sim_smalllog) add "unit $tree test_ha_sim_smalllog -n 300" \
		    "$t" -n 300 ;;
		*/test_sched_sim) add "unit $tree test_sched_sim -n 100" \
		    "$t" -n 100 ;;
		*) add "unit $tree $(basename "$t")" "$t" ;;
		esac
	done
	for t in $2; do
		add "integration $tree $t" env BUILD="$tree" \
		    tests/integration/"$t".sh
	done
}
only_cross=0
[ "${1:-}" = --cross ] && only_cross=1
if [ "$only_cross" -eq 0 ]; then
add "integration 00-pki" tests/integration/00-pki.sh
add "integration 01-license" tests/integration/01-license.sh
# For the time budget, some run in one tree only (docs/OPERATIONS.md,
# "What runs where"), each left in the list as a skip line saying where:
# build_only in build/ (what the sanitizer would watch there runs under
# it in unit tests and fuzz harnesses), san_only in build-san/ (the same
# checks, and memory errors too).
build_only="27-zwave-nvm 47-local-rules 91-units 93-upgrade 94-udev"
san_only="92-backup"
once() {	# once TREE TEST: 0 if TEST does not run in TREE
	case $1 in
	build-san) [[ " $build_only " == *" $2 "* ]] ;;
	build) [[ " $san_only " == *" $2 "* ]] ;;
	*) return 1 ;;
	esac
}
for tree in build build-san; do
	for t in tests/integration/[1-9]*.sh; do
		t=$(basename "$t" .sh)
		if once "$tree" "$t"; then
			add "integration $tree $t" echo "skip - integration" \
			    "$tree $t: runs in the other tree only (tests/run.sh)"
			continue
		fi
		add "integration $tree $t" env BUILD="$tree" \
		    tests/integration/"$t".sh
	done
done
# The proving ground in network namespaces (tests/netns/; each test says
# skip when not root): the checker's self-test, every scenario in the
# normal tree, and the cut-off one (reconnect, replay queue) in the
# sanitizer tree too.
add "netns 00-checker" tests/netns/00-checker.sh
for t in tests/netns/[1-9]*.sh; do
	add "netns build $(basename "$t" .sh)" env BUILD=build "$t"
done
add "netns build-san 10-cutoff" env BUILD=build-san tests/netns/10-cutoff.sh
# Every file there is run: one that is not executable (a link cut short)
# fails, rather than leave its checks out unseen.
for tree in build build-san; do
	for t in "$tree"/tests/test_*; do
		add "unit $tree $(basename "$t")" "$t"
	done
done
# The layering of docs/ARCHITECTURE.md, and proof that a breach fails it.
add "check-layers" tests/check-layers.sh
add "check-layers self-test" tests/check-layers.sh -t
add "fuzz smoke" tests/fuzz/run.sh build-fuzz "${FUZZ_SMOKE:-4}"
fi
for arch in ${CROSS:-}; do
	if [ "$only_cross" -eq 1 ]; then
		add_cross "$arch" "$cross_all"
	else
		add_cross "$arch" ""
	fi
done

# The longest start first (the fuzz smoke, all CPU, and the tests that
# took minutes on a loaded 2-core machine), the rest in list order; at
# most $jobs at a time. Each wait is for a program started here; results
# are printed in list order as they come in.
long='fuzz smoke|00-pki|55-testssl|50-web|51-web-limits|34-zwave-inclusion|42-zwave-licence'
n=${#labels[@]}
order=()
for i in "${!labels[@]}"; do
	[[ ${labels[$i]} =~ $long ]] && order+=("$i")
done
for i in "${!labels[@]}"; do
	[[ ${labels[$i]} =~ $long ]] || order+=("$i")
done
next=0 shown=0 running=0
while [ "$shown" -lt "$n" ]; do
	while [ "$running" -lt "$jobs" ] && [ "$next" -lt "$n" ]; do
		launch "${order[$next]}"
		next=$((next + 1))
		running=$((running + 1))
	done
	if [ "$running" -gt 0 ]; then
		wait -n
		running=$((running - 1))
	fi
	while [ "$shown" -lt "$n" ] && [ -f "$(logof "$shown").done" ]; do
		report "$shown"
		shown=$((shown + 1))
	done
	# Nothing left to start or wait for, yet a result missing: a bug here.
	if [ "$running" -eq 0 ] && [ "$next" -ge "$n" ] && [ "$shown" -lt "$n" ]; then
		echo "not ok - run.sh lost the result of ${labels[$shown]}"
		failed=$((failed + 1))
		break
	fi
done

echo "# the slowest, in seconds:"
printf '%s\n' "${times[@]}" | sort -rn | head -n 15 | sed 's/^/#   /'
echo "# all in $(secs_since "$start") s, $jobs at a time; CPU time of the tests:"
times >"$logdir/times"	# in this shell: a pipe would run it in another
tail -n 1 "$logdir/times" | sed 's/^/#   user, system: /'

[ "$failed" -eq 0 ] && rm -rf "$logdir"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
