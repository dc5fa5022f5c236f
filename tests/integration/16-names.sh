#!/usr/bin/env bash
# What an operator sees (issue 19, item 7): -V prints the version and the
# build; the web process and the auth worker, exec'd through
# /proc/self/exe (which the kernel would name "exe"), are named
# "hd-master: web" and "hd-master: auth" in top (/proc/PID/comm) and in
# ps -ef (/proc/PID/cmdline).
. "$(dirname "$0")/lib.sh"

version=$(sed -n 's/^#define HD_VERSION[[:space:]]*"\(.*\)"/\1/p' \
	"$top/shared/version.h")
for d in hd-master hd-slave; do
	out=$("$bin/$d" -V 2>&1)
	check "$d -V exits 0" test $? -eq 0
	check "$d -V says \"$d $version (build)\": $out" grep -Eqx \
		"$d $(sed 's/\./\\./g' <<<"$version") \((git [0-9a-z.-]+|release [0-9.]+)\)" <<<"$out"
	check "$d -V says the build of $BUILD/build-id" \
		test "$out" = "$d $version ($(cat "$bin/build-id"))"
done

web_master
start hd-master master
check "the web process starts" wait_log "$M" 'web process [0-9]+ serving' 10
check "the auth worker starts" wait_log "$M" 'auth worker [0-9]+ started' 10
wpid=$(web_pid)
apid=$(grep -Eo 'auth worker [0-9]+ started' "$M" | tail -1 | awk '{print $3}')
mpid=$(pid_of master)
# cmdline: NUL-separated arguments; ps -ef joins them with spaces.
args() { tr '\0' ' ' <"/proc/$1/cmdline"; }
check "the web process's comm is \"hd-master: web\"" \
	test "$(cat "/proc/$wpid/comm")" = "hd-master: web"
check "... ps -ef shows it as hd-master: web -C FD -f CONF" \
	grep -Eq "^hd-master: web -C [0-9]+ -f $work/master.conf" <<<"$(args "$wpid")"
check "... and ps -o comm as well" \
	test "$(ps -o comm= -p "$wpid")" = "hd-master: web"
check "the auth worker's comm is \"hd-master: auth\"" \
	test "$(cat "/proc/$apid/comm")" = "hd-master: auth"
check "... ps -ef shows it as hd-master: auth -A FD -f CONF" \
	grep -Eq "^hd-master: auth -A [0-9]+ -f $work/master.conf" <<<"$(args "$apid")"
check "the master keeps its own name and arguments" eval \
	'test "$(cat /proc/$mpid/comm)" = hd-master && grep -q -- "-f $work/master.conf" <<<"$(args "$mpid")"'
finish
