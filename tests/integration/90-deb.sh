#!/usr/bin/env bash
# The Debian packages (issue 19, item 3; deploy/debian/mkdeb.sh) installed,
# upgraded, removed and purged on this machine with dpkg through apt-get
# (which waits for dpkg's lock; every dependency is installed already,
# and the test's network namespace reaches no mirror): files, accounts,
# modes, conffiles kept over an upgrade, what purge removes (configuration,
# state) and keeps (the accounts, the operator's keys in
# /etc/homedaemon/pki). Lintian on the same packages.
#
# It changes the real system, so it runs only as root on a machine where
# nothing of homedaemon is installed (no package, account, group or
# folder of ours: an installation there is not the test's to touch),
# one run at a time, and undoes everything at exit: packages purged,
# the accounts and the groups it created deleted. The sanitizer tree is
# not packaged: there it is a skip line.
. "$(dirname "$0")/lib.sh"

skip_all() { echo "skip - $tname: $*"; trap - EXIT; cleanup; exit 0; }
[ "$BUILD" = build ] || skip_all "packages are made of build/ only"
[ "$(id -u)" -eq 0 ] || skip_all "installing packages needs root"
for t in dpkg-deb apt-get adduser dpkg-shlibdeps; do
	command -v "$t" >/dev/null || skip_all "no $t on this machine"
done
exec 9>/run/lock/homedaemon-90-deb.lock
flock -w 600 9 || skip_all "another run holds the lock for 10 minutes"
pkgs="homedaemon-master homedaemon-slave homedaemon-tools"
for p in $pkgs; do
	dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qv '^not-installed$' &&
		skip_all "$p is on this machine: not the test's to touch"
done
for u in hd-master hd-slave; do
	getent passwd "$u" >/dev/null && skip_all "account $u exists: not the test's"
done
getent group homedaemon >/dev/null && skip_all "group homedaemon exists: not the test's"
for d in /etc/homedaemon /var/lib/homedaemon; do
	[ -e "$d" ] && skip_all "$d exists: not the test's to touch"
done
# Groups the slave package creates when missing (dialout is Debian's).
made_groups=""
for g in i2c gpio; do
	getent group "$g" >/dev/null || made_groups="$made_groups $g"
done

apt() {
	echo "# $(date +%T) apt-get $1" >>"$work/apt.log"
	DEBIAN_FRONTEND=noninteractive apt-get -y -q \
	    -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confold \
	    "$@" >>"$work/apt.log" 2>&1
}
deb_cleanup() {
	local g
	apt purge $pkgs
	for u in hd-master hd-slave; do
		getent passwd "$u" >/dev/null && deluser --quiet --system "$u"
	done
	getent group homedaemon >/dev/null && delgroup --quiet --system homedaemon
	for g in $made_groups; do
		getent group "$g" >/dev/null && delgroup --quiet --system "$g"
	done
	rm -rf /etc/homedaemon /var/lib/homedaemon
}
trap 'deb_cleanup; cleanup' EXIT

version=$(sed -n 's/^#define HD_VERSION[[:space:]]*"\(.*\)"/\1/p' \
	"$top/shared/version.h")
arch=$(dpkg --print-architecture)
mk() { "$top/deploy/debian/mkdeb.sh" "$BUILD" "$arch" "$1" "$work/$1"; }
check "mkdeb.sh builds the three packages of $version" quiet mk "$version"
check "... and of $version+t2, to upgrade to" quiet mk "$version+t2"
d1=$work/$version d2=$work/$version+t2
check "version $version+t2 sorts after $version" \
	dpkg --compare-versions "$version+t2" gt "$version"

if command -v lintian >/dev/null; then
	lintian -I --pedantic "$d1"/*.deb >"$work/lintian.log" 2>&1
	check "lintian: no tag left (overrides explained in the packages)" \
		eval '! grep -Eq "^[EWIPX]: " "$work/lintian.log"'
else
	echo "skip - $tname: lintian is not installed (make deps installs it)"
fi

# 1. install
check "install: apt-get takes the three .debs" \
	apt install "$d1/homedaemon-master_${version}_$arch.deb" \
	    "$d1/homedaemon-slave_${version}_$arch.deb" \
	    "$d1/homedaemon-tools_${version}_all.deb"
st() { stat -c '%U:%G %a' "$1" 2>/dev/null; }
for f in /usr/sbin/hd-master /usr/sbin/hd-slave /usr/bin/hd-pki \
    /usr/bin/hd-license /lib/systemd/system/hd-master.service \
    /lib/systemd/system/hd-slave.service \
    /usr/share/man/man8/hd-master.8.gz /usr/share/man/man8/hd-slave.8.gz \
    /usr/share/man/man1/hd-pki.1.gz \
    /lib/udev/rules.d/60-homedaemon-slave.rules; do
	check "installed: $f" test -f "$f"
done
check "/usr/sbin/hd-master -V says $version" \
	eval '/usr/sbin/hd-master -V | grep -q "^hd-master $version ("'
check "/usr/sbin/hd-slave -V says $version" \
	eval '/usr/sbin/hd-slave -V | grep -q "^hd-slave $version ("'
check "the units start the installed binaries" eval \
	'grep -qx "ExecStart=/usr/sbin/hd-master -f /etc/homedaemon/master.conf" /lib/systemd/system/hd-master.service &&
	 grep -qx "ExecStart=/usr/sbin/hd-slave -f /etc/homedaemon/slave.conf" /lib/systemd/system/hd-slave.service'
for u in hd-master hd-slave; do
	check "system account $u: group homedaemon, no login, no home" eval \
		'IFS=: read -r _ _ uid gid _ home shell <<<"$(getent passwd $u)" &&
		 [ "$uid" -lt 1000 ] && [ "$gid" = "$(getent group homedaemon | cut -d: -f3)" ] &&
		 [ "$home" = /nonexistent ] && [ "$shell" = /usr/sbin/nologin ] && [ ! -e /nonexistent ]'
done
for g in dialout i2c gpio; do
	check "group $g exists (the slave unit's SupplementaryGroups)" \
		quiet getent group "$g"
done
# Its udev rules (not run here: this machine has no udev): the I2C buses
# and GPIO chips, each to a group that exists now, 0660.
rules=/lib/udev/rules.d/60-homedaemon-slave.rules
check "udev rules: i2c-dev nodes to group i2c, gpiochips to gpio, 0660" eval \
	'grep -Eqx "SUBSYSTEM==\"i2c-dev\", KERNEL==\"i2c-\[0-9\]\*\", GROUP=\"i2c\", MODE=\"0660\"" $rules &&
	 grep -Eqx "SUBSYSTEM==\"gpio\", KERNEL==\"gpiochip\[0-9\]\*\", GROUP=\"gpio\", MODE=\"0660\"" $rules &&
	 [ "$(grep -vc "^#" $rules)" -eq 2 ]'
check "... every GROUP it names exists" eval \
	'(for g in $(grep -o "GROUP=\"[a-z0-9_-]*\"" $rules | cut -d\" -f2); do getent group "$g" >/dev/null || exit 1; done)'
check "/etc/homedaemon root:homedaemon 0750" test "$(st /etc/homedaemon)" = "root:homedaemon 750"
check "master.conf, slave.conf root:homedaemon 0640" eval \
	'[ "$(st /etc/homedaemon/master.conf)" = "root:homedaemon 640" ] &&
	 [ "$(st /etc/homedaemon/slave.conf)" = "root:homedaemon 640" ]'
check "they are conffiles" eval \
	'dpkg-query -W -f="\${Conffiles}" homedaemon-master | grep -q /etc/homedaemon/master.conf &&
	 dpkg-query -W -f="\${Conffiles}" homedaemon-slave | grep -q /etc/homedaemon/slave.conf'
check "/var/lib/homedaemon/master hd-master:homedaemon 0700" \
	test "$(st /var/lib/homedaemon/master)" = "hd-master:homedaemon 700"
check "/var/lib/homedaemon/slave hd-slave:homedaemon 0700" \
	test "$(st /var/lib/homedaemon/slave)" = "hd-slave:homedaemon 700"
check "the example configuration names the state folder" \
	grep -qx "state-dir /var/lib/homedaemon/master" /etc/homedaemon/master.conf

# What an operator adds: an edited configuration, keys, state.
echo "# edited by the operator" >>/etc/homedaemon/master.conf
install -d -m 0750 /etc/homedaemon/pki
echo "operator's key" >/etc/homedaemon/pki/master.key
echo "state" >/var/lib/homedaemon/master/users
echo "zwave key" >/var/lib/homedaemon/slave/zwave.key

# 2. upgrade
check "upgrade to $version+t2" \
	apt install "$d2/homedaemon-master_${version}+t2_$arch.deb" \
	    "$d2/homedaemon-slave_${version}+t2_$arch.deb" \
	    "$d2/homedaemon-tools_${version}+t2_all.deb"
check "... dpkg says $version+t2 for the three" eval \
	'[ "$(dpkg-query -W -f="\${Version} " $pkgs)" = "$version+t2 $version+t2 $version+t2 " ]'
check "... the operator's edit of master.conf is kept" \
	grep -qx "# edited by the operator" /etc/homedaemon/master.conf
check "... and the state, the keys, the modes" eval \
	'[ "$(cat /var/lib/homedaemon/master/users)" = state ] &&
	 [ -f /etc/homedaemon/pki/master.key ] &&
	 [ "$(st /var/lib/homedaemon/master)" = "hd-master:homedaemon 700" ] &&
	 [ "$(st /etc/homedaemon/master.conf)" = "root:homedaemon 640" ]'
check "... no .dpkg-new/.dpkg-old left" \
	eval '! ls /etc/homedaemon | grep -q dpkg'

# 3. remove, then purge
check "remove homedaemon-master" apt remove homedaemon-master
check "... the binary and unit are gone" eval \
	'[ ! -e /usr/sbin/hd-master ] && [ ! -e /lib/systemd/system/hd-master.service ]'
check "... configuration and state stay until purge" eval \
	'[ -f /etc/homedaemon/master.conf ] && [ -f /var/lib/homedaemon/master/users ]'
check "purge the three" apt purge $pkgs
check "... dpkg knows none of them" eval \
	'! dpkg-query -W -f="\${db:Status-Status}\n" $pkgs 2>/dev/null | grep -qv "^not-installed$"'
check "... the conffiles are gone" eval \
	'[ ! -e /etc/homedaemon/master.conf ] && [ ! -e /etc/homedaemon/slave.conf ]'
check "... the state folders are gone" eval \
	'[ ! -e /var/lib/homedaemon/master ] && [ ! -e /var/lib/homedaemon/slave ] && [ ! -e /var/lib/homedaemon ]'
check "... the operator's keys in /etc/homedaemon/pki are kept" \
	test -f /etc/homedaemon/pki/master.key
check "... the accounts are kept (policy: files elsewhere may be theirs)" eval \
	'getent passwd hd-master >/dev/null && getent passwd hd-slave >/dev/null'
check "... nothing else of ours in /usr" eval \
	'[ -z "$(ls /usr/sbin/hd-* /usr/bin/hd-pki /usr/bin/hd-license /usr/share/doc/homedaemon-* 2>/dev/null)" ]'
finish
