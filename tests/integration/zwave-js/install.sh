#!/usr/bin/env bash
# Install the npm zwave-js package (for its mock server) once into a cache
# outside the repository, HD_NPM_CACHE (/var/cache/homedaemon-npm), shared
# with the browser tests. Exits 0 when it is there, 1 saying why not.
# With HD_NPM_OFFLINE set (inside a test's network namespace, which has no
# route to the registry) it only checks.
set -u
cache=${HD_NPM_CACHE:-/var/cache/homedaemon-npm}
mock=$cache/node_modules/.bin/mock-server
[ -x "$mock" ] && exit 0
if [ -n "${HD_NPM_OFFLINE:-}" ]; then
	echo "zwave-js: not in $cache (npm cannot reach the registry from here)"
	exit 1
fi
if ! command -v npm >/dev/null || ! mkdir -p "$cache" 2>/dev/null; then
	echo "zwave-js: npm missing or $cache not writable"
	exit 1
fi
if ! (cd "$cache" && timeout 180 npm install --no-audit --no-fund \
    --loglevel=error zwave-js@15) >&2; then
	echo "zwave-js: npm could not install zwave-js@15"
	exit 1
fi
[ -x "$mock" ] || { echo "zwave-js: npm installed no mock-server"; exit 1; }
