#!/usr/bin/env bash
# ADC channels and GPIO lines on a real slave talking to a real master:
# the Linux backends run against the kernel emulation preloaded from
# libhdemul.so (ADS1115 behind /dev/i2c-1, GPIO uAPI v2 behind
# /dev/gpiochip0), the simulated backends beside them. Checks what the
# master sees, what the slave logs and what the emulator recorded.
. "$(dirname "$0")/lib.sh"

gen_pki
port=$(free_port)
P=$work/pki/good
M=$work/master.log
S=$work/slave-house.log
E=$work/emul.log
C=$work/emul.ctl
emul=$bin/libhdemul.so
master_conf master "$port" "$P" master
hw=(
	"adc-chip ads1 type ads1115 bus 1 address 0x48 backend linux"
	"adc-chip ghost type ads1115 bus 1 address 0x4a backend linux"
	"adc-chip simads type ads1015 bus 1 address 0x49 backend sim"
	"adc-channel tank chip ads1 input a0 gain 4.096 rate 860 interval 100 scale 50 unit % smooth median 3 deadband 0.5 alarm-high 80 hysteresis 5 room Cellar"
	"adc-channel power chip ads1 input a2-a3 gain 0.256 rate 128 interval 200 table \"0:0,0.1:50,0.2:200\" unit W"
	"adc-channel lost chip ghost input a1 interval 200"
	"adc-channel simv chip simads input a1 rate 1600 interval 200 sim \"1.0,1.1\""
	"gpio-chip main device /dev/gpiochip0 backend linux"
	"gpio-chip fake backend sim"
	"gpio-output pump chip main line 17 active-low drive open-drain safe off"
	"gpio-output up chip main line 22 safe off interlock down"
	"gpio-output down chip main line 23 safe off"
	"gpio-output fan chip main line 18 bias pull-down safe on"
	"gpio-input door chip main line 4 debounce 30 bias pull-up active-low"
	"gpio-input taken chip main line 5 debounce 0"
	"gpio-output lamp chip fake line 3"
	"safe-state-after 1000"
)
slave_conf slave-house House "$port" "$P" "${hw[@]}"
cat >"$C" <<CTL
ads1115 1 0x48
adc 1 0x48 a0 0.5 0.5 0.5 0.5 1.8 1.8 1.8 1.8 1.8 1.8
adc 1 0x48 a2-a3 0.05
gpiochip 0 54 pinctrl-bcm2835
gpio-used 0 5 w1-gpio
gpio-level 0 4 1
CTL

# 1. config checks: good, then each mistake refused with file:line
check "hd-slave -n accepts the hardware config" \
	quiet "$bin/hd-slave" -n -f "$work/slave-house.conf"
n=$(($(wc -l <"$work/slave-house.conf") + 1))
bad_conf() {	# bad_conf DESC REGEX LINE...
	local d=$1 re=$2 out; shift 2
	cp "$work/slave-house.conf" "$work/bad.conf"
	printf '%s\n' "$@" >>"$work/bad.conf"
	out=$("$bin/hd-slave" -n -f "$work/bad.conf" 2>&1)
	check "hd-slave -n refuses $d" grep -Eq "bad.conf:$n: .*$re" <<<"$out"
}
bad_conf "an unknown chip" 'unknown chip "nochip"' \
	"adc-channel x chip nochip input a0"
bad_conf "a channel out of range" 'input "a4" out of range' \
	"adc-channel x chip ads1 input a4"
bad_conf "a gain the PGA does not have" 'gain "3.3"' \
	"adc-channel x chip ads1 input a0 gain 3.3"
bad_conf "a rate the ADS1015 does not offer" 'rate 8 not offered' \
	"adc-channel x chip simads input a0 rate 8"
bad_conf "a bad number" 'scale "1,5" is not a number' \
	"adc-channel x chip ads1 input a0 scale 1,5"
bad_conf "a falling calibration table" 'table volts must rise' \
	"adc-channel x chip ads1 input a0 table \"1:0,0.5:10\""
bad_conf "an address an ADS1x15 cannot have" 'address 0x50' \
	"adc-chip y type ads1115 bus 1 address 0x50 backend linux"
bad_conf "a duplicate line" 'duplicate line: main line 17 is already "pump"' \
	"gpio-input x chip main line 17"
bad_conf "an unknown interlock partner" 'partner "nobody"' \
	"gpio-output x chip main line 30 interlock nobody"
bad_conf "an interlocked pair both safe on" 'both "safe on"' \
	"gpio-output x chip main line 30 safe on interlock y" \
	"gpio-output y chip main line 31 safe on"
bad_conf "a pulse-less unknown option" 'unknown option "colour"' \
	"gpio-output x chip main line 30 colour red"

# 2. a master and the slave, its Linux backends on the emulation
start hd-master master
wait_log "$M" "listening on 127.0.0.1:$port" 5
ASAN_OPTIONS=verify_asan_link_order=0${ASAN_OPTIONS:+:$ASAN_OPTIONS} \
LD_PRELOAD=$emul HDEMUL_CTL=$C HDEMUL_LOG=$E \
	"$bin/hd-slave" -v -f "$work/slave-house.conf" >>"$S" 2>&1 &
pids+=($!)
disown $!
check "slave registers" wait_log "$M" 'slave slave-house .*online' 10
check "slave announces 3 sim + 4 ADC + 7 GPIO devices" \
	wait_log "$M" 'slave slave-house announced 14 devices' 5
for v in adc:tank.value adc:tank.volts adc:power.value adc:simv.value \
    gpio:pump.on gpio:fan.on gpio:door.state gpio:lamp.on; do
	check "master receives $v" wait_log "$M" "slave-house: $v updated" 10
done

# 3. what went over the (emulated) bus
check "i2c-dev: the chip is addressed with I2C_SLAVE" \
	grep -q 'i2c 1 I2C_SLAVE 0x48' "$E"
check "tank: single-shot a0, 4.096 V, 860 SPS, comparator off (0xc3e3)" \
	grep -q 'i2c 1 0x48 write reg=1 val=0xc3e3' "$E"
check "power: single-shot a2-a3, 0.256 V, 128 SPS (0xbb83)" \
	grep -q 'i2c 1 0x48 write reg=1 val=0xbb83' "$E"
check "the conversion register is never read before the conversion ends" \
	test "$(count_log "$E" 'EARLY|START WHILE CONVERTING|BAD LENGTH')" -eq 0
check "tank rises past alarm-high: alarm raised on the slave" \
	wait_log "$S" 'adc tank: alarm high \(90 %\)' 10
check "and reported to the master" \
	wait_log "$M" 'slave-house: adc:tank.alarm updated' 5
check "a missing chip is a fault of its channel" \
	wait_log "$M" 'adc fault raised on adc:lost: .*no answer at 0x4a' 5
echo "ads1115 1 0x4a" >>"$C"	# plugged in: found by a later retry (6.)

# 4. GPIO requests as the kernel saw them
check "pump: output, active-low, open-drain, off = level high" \
	grep -q 'gpio 0 request 17 output active-low open-drain value=0 level=1 consumer=hd-slave' "$E"
check "fan: safe on at start-up, pull-down bias" \
	grep -q 'gpio 0 request 18 output pull-down value=1 level=1' "$E"
check "door: input, active-low, pull-up, both edges" \
	grep -q 'gpio 0 request 4 input active-low pull-up rising falling' "$E"
check "a line held by another driver is refused as a fault" \
	wait_log "$M" 'gpio fault raised on gpio:taken: .*in use by "w1-gpio"' 5
check "no ioctl the emulation does not know" \
	test "$(count_log "$E" 'UNSUPPORTED|INVALID|REFUSED')" -eq 0

# 5. an edge on the door contact, debounced, reaches the master
before=$(count_log "$M" 'gpio:door.state updated')
echo "gpio-level 0 4 0" >>"$C"
check "the emulated kernel queues a rising edge (active-low)" \
	wait_log "$E" 'gpio 0 event 4 rising' 5
check "the debounced state is read back" \
	wait_log "$E" 'gpio 0 get 4 value=1' 5
check "the slave reports the door closed" wait_log "$S" 'gpio door: on' 5
check "the master gets the new state" \
	wait_count "$M" 'gpio:door.state updated' $((before + 1)) 5

# 6. read errors: fault, stale, back-off, recovery
echo "i2c-fail 1 0x48 1" >>"$C"
check "a NAK mid-run is a fault of each channel on the chip" \
	wait_log "$M" 'adc fault raised on adc:tank' 5
check "... and of the other channel" \
	wait_log "$M" 'adc fault raised on adc:power' 5
check "the slave retries with back-off" \
	wait_log "$S" 'adc chip ads1: .*retrying in 1000 ms' 5
echo "i2c-fail 1 0x48 0" >>"$C"
check "the fault clears once the chip answers again" \
	wait_log "$M" 'adc fault cleared on adc:tank' 10
check "a chip plugged in later is found by the retry" \
	wait_log "$M" 'adc fault cleared on adc:lost' 30

# 7. the master goes away: outputs go to their safe state
kill -TERM "$(pid_of master)"
check "after safe-state-after the slave applies the safe state" \
	wait_log "$S" 'no master for 1000 ms: outputs to their safe state' 10
check "fan (safe on) is driven on, pump (safe off) off" \
	wait_log "$E" 'gpio 0 set 18 value=1' 3
check "... pump off too" grep -q 'gpio 0 set 17 value=0 level=1' "$E"
finish
