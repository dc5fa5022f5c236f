#!/usr/bin/env bash
# make deps: install what building, the demo and the tests need, from
# Debian's packages. As root it runs apt-get itself; otherwise it prints
# the exact command and stops.
set -eu
pkgs="build-essential pkg-config libssl-dev openssl libprotobuf-c-dev
protobuf-c-compiler clang libclang-rt-14-dev python3 iproute2 curl
gzip testssl.sh nginx-light wrk chromium lintian udev"
# ARCH=armhf or arm64 (make deps ARCH=..., make test-cross; make test
# runs armhf): Debian's cross compiler, the libraries of that
# architecture (multiarch) and qemu-user to run what they build.
# binfmt_misc lets the tests exec those binaries (tests/cross-binfmt.sh).
# The cross C library's headers are only a Recommends of the compiler,
# which --no-install-recommends leaves out: named here.
foreign=""
case "${ARCH:-}" in
"") ;;
armhf)	foreign=armhf
	pkgs="$pkgs gcc-arm-linux-gnueabihf libc6-dev-armhf-cross libssl-dev:armhf
libprotobuf-c-dev:armhf qemu-user qemu-user-binfmt" ;;
arm64)	foreign=arm64
	pkgs="$pkgs gcc-aarch64-linux-gnu libc6-dev-arm64-cross libssl-dev:arm64
libprotobuf-c-dev:arm64 qemu-user qemu-user-binfmt" ;;
*)	echo "deps: ARCH=$ARCH: armhf or arm64" >&2; exit 2 ;;
esac
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
# Node and npm may come from elsewhere than Debian (NodeSource's nodejs
# carries its own npm and conflicts with Debian's): only if missing.
command -v node >/dev/null && command -v npm >/dev/null ||
	missing="$missing nodejs npm"
# The dashboard's browser tests also need playwright-core from npm, kept
# outside the repository (tests/browser/install.sh).
# Without it (no registry) those tests skip; nothing else needs it.
pw_install() {
	"$(dirname "$0")/../tests/browser/install.sh" ||
		echo "deps: the dashboard's browser tests will be skipped"
}
[ -z "$missing" ] && { pw_install; exit 0; }
if [ "$(id -u)" -ne 0 ]; then
	echo "Missing packages:$missing"
	echo "Install them with:"
	echo "  sudo apt-get update && sudo apt-get install -y$missing"
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
if [ -n "$foreign" ] && ! dpkg --print-foreign-architectures | grep -qx "$foreign"; then
	dpkg --add-architecture "$foreign"
fi
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
pw_install
