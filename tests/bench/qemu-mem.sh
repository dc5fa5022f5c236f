#!/usr/bin/env bash
# The single-Pi install's memory from a 32-bit build (issue 19): the
# master (and its web process and spawner) and one slave with simulated
# hardware, the shipped example schedule (~150 events), under qemu-user
# when BUILD is a cross tree (default build-armhf-qemu: `make ARCH=armhf
# QEMU=1 build-armhf-qemu/hd-master build-armhf-qemu/hd-slave
# build-armhf-qemu/hd-memfloor`; BUILD=build gives the same figures
# natively, to compare).
#
# What qemu-user can tell: an ARM process is a qemu process, whose
# /proc/PID/status counts qemu too (its code, heap and translated-code
# cache: 10-20 MB). But a 32-bit guest lives in the process's lowest
# 4 GiB and qemu above it, so the private dirty pages of the mappings
# below 4 GiB (/proc/PID/smaps) are the ARM program's own: its heap,
# data, relocations and stack, as the 32-bit build lays them out, the
# figure the x86 bench calls private dirty. hd-memfloor (the libraries,
# OpenSSL's tables, one TLS context and handshake) gives the floor of
# one process the same way. What it cannot tell: the Pi kernel's own
# cost per process (page tables, kernel stacks), the library code's
# resident pages and their sharing (PSS: qemu reads code it translates,
# a CPU maps what it runs), Raspberry Pi OS's libraries if they differ
# from Debian 12's armhf, and anything about time or CPU.
#
#   tests/bench/qemu-mem.sh [SECONDS]     (default 20 after the slave is online)
set -eu
cd "$(dirname "$0")/../.."
top=$PWD
BUILD=${BUILD:-build-armhf-qemu}
bin=$top/$BUILD
secs=${1:-20}
for b in hd-master hd-slave hd-memfloor; do
	[ -x "$bin/$b" ] || { echo "qemu-mem: no $bin/$b (see the head of $0)"; exit 2; }
done
work=$(mktemp -d /tmp/hd-qemu-mem.XXXXXX)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

pki/hd-pki init "$work/pki" --name QemuMem >/dev/null
pki/hd-pki issue "$work/pki" master master >/dev/null
pki/hd-pki issue "$work/pki" web web >/dev/null
pki/hd-pki issue "$work/pki" slave slave-house >/dev/null
p=$(port)
cat >"$work/master.conf" <<CONF
listen 127.0.0.1:$p
ca pki/ca.crt
cert pki/master.crt
key pki/master.key
crl pki/crl.pem
state-dir state-master
web-listen 127.0.0.1:$(port)
web-cert pki/web.crt
web-key pki/web.key
events $top/deploy/examples/home.events
latitude 47.37
longitude 8.54
CONF
cat >"$work/slave.conf" <<CONF
site House
master 127.0.0.1:$p
ca pki/ca.crt
cert pki/slave-house.crt
key pki/slave-house.key
crl pki/crl.pem
state-dir state-slave
simulate yes
simulate-interval 5000
adc-chip adc0 type ads1115 bus 1 address 0x48 backend sim
adc-channel water chip adc0 input a0 gain 4.096 rate 128 interval 3000 scale 40 unit % smooth median 3 deadband 1 alarm-high 90 hysteresis 5
adc-channel supply chip adc0 input a1 gain 4.096 rate 128 interval 10000 scale 5.7 unit V deadband 0.05
gpio-chip gpio0 backend sim sim-toggle 7000
gpio-output pump chip gpio0 line 17 active-low safe off room Cellar
gpio-output gate chip gpio0 line 27 active-low safe off room Garden
gpio-input button chip gpio0 line 4 debounce 30 bias pull-up active-low
CONF
mkdir -p "$work/state-master" "$work/state-slave"
cd "$work"
"$bin/hd-master" -v -f master.conf 2>master.log &
pids+=($!)
mpid=$!
"$bin/hd-slave" -v -f slave.conf 2>slave.log &
pids+=($!)
spid=$!
"$bin/hd-memfloor" pki/ca.crt pki/slave-house.crt pki/slave-house.key \
    pki/crl.pem pki/master.crt pki/master.key >floor.log 2>&1 &
pids+=($!)
fpid=$!
for i in $(seq 600); do		# 60 s at most: qemu starts slowly
	grep -q 'slave-house.* online' master.log 2>/dev/null && break
	sleep 0.1
done
grep -q 'slave-house.* online' master.log || { echo "qemu-mem: the slave did not register"; tail -5 ./*.log; exit 1; }
events=$(grep -Eo '[0-9]+ events' master.log | head -1)
sleep "$secs"
wpid=$(grep -Eo 'web process [0-9]+ serving' master.log | awk '{print $3}' | tail -1)
xpid=$(ps -o pid= --ppid "$mpid" | while read -r c; do [ "$c" != "$wpid" ] && ps -o pid= --ppid "$c" | grep -qw "$wpid" && echo "$c"; done | head -1)
# pd PID: the private dirty kB of the program itself. Under qemu-user the
# guest's memory is the process's mappings below 4 GiB (a 32-bit guest's
# whole address space; qemu's own code, heap and translation cache lie
# above it), so this is what the ARM process would have dirty on a Pi,
# give or take the kernel's own; natively, every mapping counts.
pd() {
	python3 - "$1" <<'PY'
import os, re, sys
pid = sys.argv[1]
guest = re.search(r'qemu|binfmt', os.readlink(f"/proc/{pid}/exe")) is not None
low = True
total = 0
for line in open(f"/proc/{pid}/smaps"):
    m = re.match(r'^([0-9a-f]+)-[0-9a-f]+ ', line)
    if m:
        low = int(m.group(1), 16) < 1 << 32
    elif line.startswith('Private_Dirty:') and (low or not guest):
        total += int(line.split()[1])
print(total)
PY
}
field() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
printf '%-10s %15s %22s\n' "$BUILD" "private dirty" "whole process VmRSS"
fl=$(pd "$fpid")
: >"$work/sum"
row() {	# row NAME PID [sum]
	[ -n "$2" ] && [ -r "/proc/$2/status" ] || { printf '%-10s (not running)\n' "$1"; return; }
	local d
	d=$(pd "$2")
	printf '%-10s %12s kB %19s kB\n' "$1" "$d" "$(field "$2" VmRSS)"
	[ "${3:-}" != sum ] || echo "$d" >>"$work/sum"
}
row master "$mpid" sum
row web "$wpid" sum
row slave "$spid" sum
row spawner "$xpid"
row floor "$fpid"
t=$(paste -sd+ "$work/sum" | bc)
echo "install (master + web + slave): $t kB private dirty; 3 x the floor: $((3 * fl)) kB; above it: $((t - 3 * fl)) kB"
echo "schedule: ${events:-?} (from the master's log)"
echo "the daemons' own heaps (mallinfo: under qemu, the guest's 32-bit allocator):"
grep -h 'memory after' master.log slave.log | sed 's/^[^ ]* /  /'
