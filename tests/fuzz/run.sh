#!/usr/bin/env bash
# Run every libFuzzer harness for SECONDS each over its seed corpus.
# New inputs go to a scratch folder, not into git. Prints ok/not ok lines.
#   tests/fuzz/run.sh BUILD-DIR SECONDS
set -u
dir=${1:-build-fuzz}
secs=${2:-20}
cd "$(dirname "$0")/../.."
fail=0
for f in "$dir"/fuzz_*; do
	[ -x "$f" ] || continue
	name=$(basename "$f")
	corpus=tests/fuzz/corpus/${name#fuzz_}
	dict=tests/fuzz/${name#fuzz_}.dict
	dictarg=()
	[ -f "$dict" ] && dictarg=(-dict="$dict")
	scratch=$(mktemp -d)
	log=$scratch/log
	if "$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$scratch/" "${dictarg[@]}" \
	    "$scratch" "$corpus" >"$log" 2>&1; then
		runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" |
		    grep -Eo '[0-9]+$')
		echo "ok - fuzz: $name: ${runs:-?} inputs in ${secs} s, no crash"
		rm -rf "$scratch"
	else
		echo "not ok - fuzz: $name failed; log and crash input in $scratch"
		grep -E 'ERROR|SUMMARY|==[0-9]+==' "$log" | head -20
		fail=1
	fi
done
exit $fail
