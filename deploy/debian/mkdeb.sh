#!/usr/bin/env bash
# mkdeb.sh BUILD DEB-ARCH VERSION OUTDIR [STRIP]: the three Debian
# packages of homedaemon from a built tree (make deb; docs/OPERATIONS.md,
# "Debian packages"). dpkg-deb, not dpkg-buildpackage: the top-level
# layout is fixed (no debian/ folder there), and the Makefile already
# builds each architecture in its own tree with its own compiler; this
# only lays out and checks what it built.
#
#   homedaemon-master  /usr/sbin/hd-master, its unit, man page, example
#                      /etc/homedaemon/master.conf (conffile)
#   homedaemon-slave   /usr/sbin/hd-slave, the same
#   homedaemon-tools   /usr/bin/hd-pki (the installation CA) and
#                      /usr/bin/hd-license (a CA's licence fingerprint)
set -eu
[ $# -ge 4 ] || { echo "usage: mkdeb.sh BUILD DEB-ARCH VERSION OUTDIR [STRIP]" >&2; exit 2; }
build=$1 arch=$2 version=$3 out=$4 strip=${5:-strip}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
stage=$(mktemp -d /tmp/hd-mkdeb.XXXXXX)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$out"
maint="The homedaemon developers <homedaemon@example.invalid>"

# The changelog's first entry must name the version being built: a
# version other than the release's (a test's upgrade) gets its own.
changelog() {
	local date
	date=$(date -R -d @"${SOURCE_DATE_EPOCH:-1796644800}")
	if ! head -n 1 "$here/changelog" | grep -qF "($version)"; then
		printf 'homedaemon (%s) unstable; urgency=medium\n\n' "$version"
		printf '  * Built from %s.\n\n -- %s  %s\n\n' \
		    "$(cat "$top/$build/build-id" 2>/dev/null || echo "a tree")" \
		    "$maint" "$date"
	fi
	cat "$here/changelog"
}

# common PKG: what every package has: copyright, changelog
common() {
	local d=$stage/$1/usr/share/doc/$1
	install -d "$d"
	install -m 0644 "$here/copyright" "$d/copyright"
	changelog | gzip -9n >"$d/changelog.gz"
	chmod 0644 "$d/changelog.gz"
}

# daemon PKG NAME: a daemon's binary (stripped), unit, man page and conf
daemon() {
	local p=$1 n=$2 r=$stage/$1 role=${2#hd-}
	install -D -m 0755 "$top/$build/$n" "$r/usr/sbin/$n"
	"$strip" --remove-section=.comment --remove-section=.note \
	    --strip-unneeded "$r/usr/sbin/$n"
	install -D -m 0644 "$top/deploy/$n.service" \
	    "$r/lib/systemd/system/$n.service"
	# The slave's device nodes for its groups (plain Debian has no
	# such rules; Raspberry Pi OS does).
	if [ -f "$top/deploy/60-homedaemon-$role.rules" ]; then
		install -D -m 0644 "$top/deploy/60-homedaemon-$role.rules" \
		    "$r/lib/udev/rules.d/60-homedaemon-$role.rules"
	fi
	install -d "$r/usr/share/man/man8"
	gzip -9n <"$top/docs/$n.8" >"$r/usr/share/man/man8/$n.8.gz"
	chmod 0644 "$r/usr/share/man/man8/$n.8.gz"
	install -D -m 0644 "$top/deploy/$role.conf.example" \
	    "$r/etc/homedaemon/$role.conf"
	echo "/etc/homedaemon/$role.conf" >"$stage/$p.conffiles"
	install -D -m 0644 "$here/$p.lintian-overrides" \
	    "$r/usr/share/lintian/overrides/$p"
	# The overrides of one architecture's code (a compiler's string
	# layout, say): only where the binary has what they are about.
	if [ -f "$here/$p.lintian-overrides-binary" ] &&
	    grep -qaF "$(sed -n 's/^# when: //p' "$here/$p.lintian-overrides-binary")" \
	    "$r/usr/sbin/$n"; then
		grep -v '^# when: ' "$here/$p.lintian-overrides-binary" \
		    >>"$r/usr/share/lintian/overrides/$p"
	fi
	for s in postinst prerm postrm; do
		install -D -m 0755 "$here/$role.$s" "$r/DEBIAN/$s"
	done
	install -m 0644 "$stage/$p.conffiles" "$r/DEBIAN/conffiles"
	common "$p"
}

tools() {
	local r=$stage/homedaemon-tools t
	for t in hd-pki hd-license; do
		install -D -m 0755 "$top/pki/$t" "$r/usr/bin/$t"
	done
	install -d "$r/usr/share/man/man1"
	for t in hd-pki hd-license; do
		gzip -9n <"$top/docs/$t.1" >"$r/usr/share/man/man1/$t.1.gz"
		chmod 0644 "$r/usr/share/man/man1/$t.1.gz"
	done
	common homedaemon-tools
}

# shlibs PKG: the Depends of the package's ELF files, from the shlibs of
# the libraries they link (multiarch: the ARCH's libssl3 and
# libprotobuf-c1 must be installed, as `make deps ARCH=` does).
shlibs() {
	local r=$stage/$1 d
	mkdir -p "$stage/$1.sh/debian"
	: >"$stage/$1.sh/debian/control"
	d=$(cd "$stage/$1.sh" && dpkg-shlibdeps -O -e "$r"/usr/sbin/hd-* \
	    2>"$stage/$1.shlibs.err") || {
		cat "$stage/$1.shlibs.err" >&2
		return 1
	}
	echo "${d#shlibs:Depends=}"
}

# control PKG DEPENDS SECTION SHORT LONG
control() {
	local p=$1 r=$stage/$1
	{
		echo "Package: $p"
		echo "Source: homedaemon"
		echo "Version: $version"
		echo "Architecture: $5"
		echo "Maintainer: $maint"
		echo "Installed-Size: $(du -sk --exclude=DEBIAN "$r" | cut -f1)"
		echo "Depends: $2"
		echo "Section: $3"
		echo "Priority: optional"
		echo "Homepage: https://example.invalid/homedaemon"
		echo "Description: $4"
		sed 's/^/ /' "$here/$p.description"
	} >"$r/DEBIAN/control"
}

md5() {
	(cd "$stage/$1" && find . -path ./DEBIAN -prune -o -type f -print |
	    sed 's|^\./||' | LC_ALL=C sort | xargs md5sum) >"$stage/$1/DEBIAN/md5sums"
	chmod 0644 "$stage/$1/DEBIAN/md5sums"
}

daemon homedaemon-master hd-master
daemon homedaemon-slave hd-slave
tools
mkdir -p "$stage/homedaemon-tools/DEBIAN"
sys="adduser, init-system-helpers (>= 1.52)"
dm=$(shlibs homedaemon-master)
ds=$(shlibs homedaemon-slave)
control homedaemon-master "$dm, $sys" net \
    "home-automation cluster master" "$arch"
control homedaemon-slave "$ds, $sys" net \
    "home-automation cluster slave (one per Raspberry Pi)" "$arch"
control homedaemon-tools "openssl" admin \
    "home-automation cluster: PKI and licence tools" all
for p in homedaemon-master homedaemon-slave homedaemon-tools; do
	md5 "$p"
	a=$arch
	[ "$p" = homedaemon-tools ] && a=all
	dpkg-deb --root-owner-group -Zxz --build "$stage/$p" \
	    "$out/${p}_${version}_$a.deb" >/dev/null
	echo "$out/${p}_${version}_$a.deb"
done
