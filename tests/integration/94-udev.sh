#!/usr/bin/env bash
# The slave's udev rules (deploy/60-homedaemon-slave.rules, issue 19
# item 4) through the real udev's parser and rule engine, `udevadm test`
# (systemd 252 has no `udevadm verify`). Everything happens in a mount
# namespace of its own: the rules folders hold only our file, /dev and
# /run are empty tmpfs with the one node the test makes, /etc/group gets
# the groups the package creates; nothing reaches the machine's /dev.
#  1. The file as shipped: read without a complaint, groups known.
#  2. A broken copy (a misspelt key) makes udev complain: the check can fail.
#  3. Its assignments (GROUP, MODE) applied to a node: the test machine
#     has no I2C bus or GPIO chip, so a copy whose match keys name a tty
#     (the node made in the private /dev) stands in for them.
# What only a Pi proves: that the kernel names its nodes as the match
# keys say (SUBSYSTEM i2c-dev / gpio, KERNEL i2c-N / gpiochipN); on a Pi,
# `ls -l /dev/i2c-1 /dev/gpiochip0` shows the groups (docs/OPERATIONS.md).
. "$(dirname "$0")/lib.sh"

skip_all() { echo "skip - $tname: $*"; trap - EXIT; cleanup; exit 0; }
[ "$(id -u)" -eq 0 ] || skip_all "mount namespaces need root"
command -v udevadm >/dev/null || skip_all "no udevadm (apt-get install udev; make deps)"
unshare -m true 2>/dev/null || skip_all "no mount namespace (unshare -m)"
[ -e /sys/class/tty/tty0 ] || skip_all "no /sys/class/tty/tty0 to simulate an event on"
rules=$top/deploy/60-homedaemon-slave.rules
# What the namespaces must leave alone: tty0's node, udev's symlinks and
# database (udevadm test writes both where it runs).
devstate() {
	stat -c '%g %a' /dev/tty0 2>/dev/null
	ls -A /dev/char /run/udev 2>&1
}
dev0=$(devstate)

# run RULES-FILE: udevadm test of an add event of tty0 with only that
# rules file, in a namespace of its own; its output on stdout.
run() {
	unshare -m --propagation private "$BASH" -c '
	set -e
	for d in /etc/udev/rules.d /lib/udev/rules.d /run /dev; do
		mount -t tmpfs -o mode=0755 tmpfs "$d"
	done
	[ ! -d /usr/lib/udev/rules.d ] || [ /usr/lib/udev -ef /lib/udev ] ||
		mount -t tmpfs tmpfs /usr/lib/udev/rules.d
	mknod -m 0666 /dev/null c 1 3
	mknod -m 0600 /dev/tty0 c 4 0
	# The machine may have groups i2c and gpio of its own, at times only
	# (90-deb installs the package, whose postinst makes them, while
	# this test runs): ours replace theirs, else theirs would win.
	grep -Ev "^(i2c|gpio):" /etc/group >"$2/group" || true
	printf "i2c:x:59990:\ngpio:x:59991:\n" >>"$2/group"
	mount --bind "$2/group" /etc/group
	cp "$1" /etc/udev/rules.d/60-homedaemon-slave.rules
	udevadm test --action=add /sys/class/tty/tty0 2>&1
	stat -c "node %g %a" /dev/tty0' _ "$1" "$work"
}
# complaints OUTPUT: udev's lines about our file other than its name.
complaints() { grep -E '60-homedaemon-slave\.rules:[0-9]+ ' <<<"$1"; }

out=$(run "$rules")
check "udev reads the shipped rules file" \
    grep -q 'Reading rules file: /etc/udev/rules.d/60-homedaemon-slave.rules' <<<"$out"
c=$(complaints "$out")
check "... without a complaint, the groups i2c and gpio known${c:+ (said: $c)}" \
    test -z "$c"
check "... and its rules do not touch a tty" grep -q '^node 0 600$' <<<"$out"

sed 's/MODE=/MDOE=/' "$rules" >"$work/bad.rules"
out=$(run "$work/bad.rules")
check "a misspelt key: udev complains about our file (the check can fail)" \
    grep -Eq "60-homedaemon-slave.rules:[0-9]+ Invalid key 'MDOE'" <<<"$out"

# The two rules with their match keys pointed at the tty: the rest, as
# shipped, must give the node group i2c (then gpio) and mode 0660.
for r in 1 2; do
	grep -v '^#' "$rules" | sed -n "${r}p" |
	    sed -E 's/SUBSYSTEM=="[^"]*", KERNEL=="[^"]*"/SUBSYSTEM=="tty", KERNEL=="tty0"/' \
	    >"$work/one.rules"
	g=$([ "$r" = 1 ] && echo 59990 || echo 59991)
	name=$([ "$r" = 1 ] && echo i2c || echo gpio)
	out=$(run "$work/one.rules")
	check "rule $r's assignments on a matching node: group $name, mode 0660" \
	    grep -q "^node $g 660$" <<<"$out"
done
check "the machine's /dev and /run/udev are left alone" \
    test "$(devstate)" = "$dev0"
[ "$failures" -eq 0 ]
