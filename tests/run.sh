#!/usr/bin/env bash
# The whole test suite, as `make test` runs it (after building build/,
# build-san/ and build-fuzz/). Every test program prints one line per
# check: "ok - ...", "not ok - ..." or "skip - ...". This script counts
# them and ends with the summary line "N passed, M failed, K skipped".
# A program that exits non-zero without printing a "not ok" line counts
# as one failure. FUZZ_SMOKE sets the seconds per fuzz harness (8).
# Each program's seconds follow its counts; the slowest are listed last.
set -u
cd "$(dirname "$0")/.."
passed=0 failed=0 skipped=0
logdir=$(mktemp -d /tmp/hd-tests.XXXXXX)

times=()

# secs_since T0: seconds elapsed since EPOCHREALTIME was T0, to 0.1 s.
secs_since() {
	local now=${EPOCHREALTIME/./} t0=${1/./}
	local d=$(((now - t0) / 100000))
	echo "$((d / 10)).$((d % 10))"
}

run() {	# run LABEL CMD...
	local label=$1 log rc p f s t0 el
	shift
	log=$logdir/$(echo "$label" | tr -c 'A-Za-z0-9_.-' _).log
	echo "# $label"
	t0=$EPOCHREALTIME
	"$@" >"$log" 2>&1
	rc=$?
	el=$(secs_since "$t0")
	times+=("$el $label")
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
# npm packages some tests use, once, before any test enters its network
# namespace (tests/integration/lib.sh), where the registry is out of reach.
tests/integration/zwave-js/install.sh >"$logdir/npm.log" 2>&1
tests/browser/install.sh >>"$logdir/npm.log" 2>&1
export HD_NPM_TRIED=1

for tree in build build-san; do
	for t in "$tree"/tests/test_*; do
		[ -x "$t" ] && run "unit $tree $(basename "$t")" "$t"
	done
done
run "integration 00-pki" tests/integration/00-pki.sh
run "integration 01-license" tests/integration/01-license.sh
for tree in build build-san; do
	for t in tests/integration/[1-9]*.sh; do
		run "integration $tree $(basename "$t" .sh)" \
			env BUILD="$tree" "$t"
	done
done
run "fuzz smoke" tests/fuzz/run.sh build-fuzz "${FUZZ_SMOKE:-8}"

echo "# the slowest, in seconds:"
printf '%s\n' "${times[@]}" | sort -rn | head -n 15 | sed 's/^/#   /'
echo "# all in $(secs_since "$start") s"
[ "$failed" -eq 0 ] && rm -rf "$logdir"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
