#!/usr/bin/env bash
# make bench: the demo cluster (a master and two slaves with simulated
# devices, default 1 s heartbeats) left idle for BENCH_IDLE_SECONDS (30).
# Prints each process's PSS and private dirty memory, CPU time used per
# minute, and the totals against the single-Pi budget.
set -eu
cd "$(dirname "$0")/../.."
top=$PWD
bin=$top/${BUILD:-build}
secs=${BENCH_IDLE_SECONDS:-30}
budget_kb=${BENCH_BUDGET_KB:-4096}	# "a few MB" for master + slave
work=$(mktemp -d /tmp/hd-bench.XXXXXX)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

pki/hd-pki init "$work/pki" --name Bench >/dev/null
pki/hd-pki issue "$work/pki" master master >/dev/null
pki/hd-pki issue "$work/pki" web web >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/master.conf" <<CONF
listen 127.0.0.1:$port
ca pki/ca.crt
cert pki/master.crt
key pki/master.key
crl pki/crl.pem
state-dir state-master
web-listen 127.0.0.1:$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
web-cert pki/web.crt
web-key pki/web.key
CONF
"$bin/hd-master" -f "$work/master.conf" 2>"$work/master.log" &
pids+=($!)
names=(master)
for s in house barn; do
	pki/hd-pki issue "$work/pki" slave "slave-$s" >/dev/null
	cat >"$work/slave-$s.conf" <<CONF
site $s
master 127.0.0.1:$port
ca pki/ca.crt
cert pki/slave-$s.crt
key pki/slave-$s.key
crl pki/crl.pem
state-dir state-slave-$s
simulate yes
CONF
	"$bin/hd-slave" -f "$work/slave-$s.conf" 2>"$work/slave-$s.log" &
	pids+=($!)
	names+=("slave-$s")
done
sleep 3
online=$(grep -c ' online' "$work/master.log" || true)
[ "$online" -eq 2 ] || { echo "bench: slaves did not register"; cat "$work"/*.log; exit 1; }
# The master's children, its web process and its auth worker (scrypt,
# master/auth/authw.c): measured too.
webpid=$(grep -Eo 'web process [0-9]+ serving' "$work/master.log" | awk '{print $3}')
authpid=$(grep -Eo 'auth worker [0-9]+ started' "$work/master.log" | awk '{print $3}')
[ -n "$webpid" ] && [ -n "$authpid" ] || { echo "bench: no web process or auth worker"; exit 1; }
pids=("${pids[0]}" "$webpid" "$authpid" "${pids[@]:1}")
names=(master web auth slave-house slave-barn)
# The spawner (master/spawner/spawner.c): the web process's parent.
pids+=("$(ps -o ppid= -p "$webpid" | tr -d ' ')")
names+=(spawn)

# Nanoseconds on a CPU, from the scheduler: finer than clock ticks.
cpu_ns() { awk '{print $1}' "/proc/$1/schedstat"; }
mem() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/smaps_rollup"; }
declare -A t0
for p in "${pids[@]}"; do t0[$p]=$(cpu_ns "$p"); done
sleep "$secs"

printf '%-12s %9s %14s %10s %16s\n' process "PSS kB" "priv dirty kB" "heap kB" "CPU ms/minute"
tot_pss=0 tot_cpu=0
for i in "${!pids[@]}"; do
	p=${pids[$i]}
	if [ ! -r "/proc/$p/smaps_rollup" ]; then
		# The auth worker exits after AUTH_IDLE_MS unused (authw.c).
		printf '%-12s %9s\n' "${names[$i]}" "0 (let go while idle)"
		continue
	fi
	pss=$(mem "$p" Pss)
	dirty=$(mem "$p" Private_Dirty)
	cpu_ms=$(awk -v a="${t0[$p]}" -v b="$(cpu_ns "$p")" -v s="$secs" \
		'BEGIN {printf "%.1f", (b - a) / 1e6 * 60 / s}')
	heap=$(awk '/\[heap\]/ {h=1; next} /^[0-9a-f]+-/ {h=0} h && /^Pss:/ {print $2}' "/proc/$p/smaps")
	printf '%-12s %9d %14d %10d %16s\n' "${names[$i]}" "$pss" "$dirty" "${heap:-0}" "$cpu_ms"
	tot_pss=$((tot_pss + pss))
	tot_cpu=$(awk -v a="$tot_cpu" -v b="$cpu_ms" 'BEGIN {print a + b}')
done
# Where each process's own memory sits, so the next person knows what to
# cut: the heap, other anonymous mappings (mmap'd tables, big malloc
# blocks), the stack, the shared libraries' pages written at load time
# (relocations, .data, .bss: the dynamic loader's floor), and our own
# binary's. Anonymous pages, not Private_Dirty: a freshly linked binary's
# page-cache pages count as dirty until written back, which is no RAM of
# the process's own.
printf '\nanonymous (private, written) kB by mapping\n%-12s %7s %7s %7s %9s %7s  %s\n' \
    process heap anon stack libraries binary "largest library"
for i in "${!pids[@]}"; do
	[ -r "/proc/${pids[$i]}/smaps" ] || continue
	awk -v name="${names[$i]}" '
	/^[0-9a-f]+-[0-9a-f]+ / {
		path = $6
		if (path == "[heap]") k = "heap"
		else if (path == "[stack]") k = "stack"
		else if (path == "" || path ~ /^\[/) k = "anon"
		else if (path ~ /\.so/) { k = "lib"; n = path; sub(/.*\//, "", n) }
		else k = "bin"
		next
	}
	/^Anonymous:/ {
		kb[k] += $2
		if (k == "lib") lib[n] += $2
	}
	END {
		for (n in lib) if (lib[n] > top) { top = lib[n]; tn = n }
		printf "%-12s %7d %7d %7d %9d %7d  %s %d\n", name, kb["heap"],
		    kb["anon"], kb["stack"], kb["lib"], kb["bin"], tn, top
	}' "/proc/${pids[$i]}/smaps"
done
# A single-Pi install is the master, its web process, its auth worker,
# its spawner and one slave.
pss_of() { [ -r "/proc/$1/smaps_rollup" ] && mem "$1" Pss || echo 0; }
one=$(( $(pss_of "${pids[0]}") + $(pss_of "${pids[1]}") + $(pss_of "${pids[2]}") + $(pss_of "${pids[3]}") + $(pss_of "${pids[5]}") ))
awk -v p="$tot_pss" -v c="$tot_cpu" 'BEGIN {printf "all six: PSS %d kB, CPU %.1f ms per minute idle (%.3f%% of one core)\n", p, c, c / 600}'
awk -v o="$one" -v b="$budget_kb" 'BEGIN {printf "single-Pi install (master + web + auth + spawner + one slave): PSS %d kB = %.2f x the %d kB budget\n", o, o / b, b}'

# The floor: with the cluster stopped, four hd-memfloor processes (the
# libraries, our shared code, one TLS context and the code of one
# handshake each, nothing else), as
# many as were measured above, so that shared pages are split the same
# way; three of them are what a single-Pi install cannot go below (its
# TLS processes: master, web, slave). What the install costs above that
# is ours to cut, the auth worker's own library pages included.
kill "${pids[@]}" 2>/dev/null
wait 2>/dev/null
pids=()		# the exit trap must not kill pids the system reuses
fpids=()
for i in 1 2 3 4; do
	"$bin/hd-memfloor" "$work/pki/ca.crt" "$work/pki/slave-house.crt" \
	    "$work/pki/slave-house.key" "$work/pki/crl.pem" \
	    "$work/pki/master.crt" "$work/pki/master.key" \
	    >"$work/floor$i.out" &
	fpids+=($!)
	pids+=($!)
done
for i in 1 2 3 4; do
	for _ in $(seq 100); do
		grep -q ready "$work/floor$i.out" 2>/dev/null && break
		sleep 0.1
	done
done
fpss=0 fanon=0
for p in "${fpids[@]:0:3}"; do
	fpss=$((fpss + $(mem "$p" Pss)))
	fanon=$((fanon + $(mem "$p" Anonymous)))
done
awk -v f="$fpss" -v a="$fanon" -v o="$one" -v b="$budget_kb" 'BEGIN {
	printf "floor (3 x hd-memfloor: libraries + one TLS context and handshake each): PSS %d kB (%d kB anonymous) = %.2f x the budget; the install is %d kB above it\n", f, a, f / b, o - f }'
