#!/usr/bin/env bash
# Install playwright-core (the pinned version below, which speaks the
# DevTools protocol of Debian's chromium) once into a cache outside the
# repository, HD_NPM_CACHE (/var/cache/homedaemon-npm), shared with the
# zwave-js tests. Only the library: no browser is downloaded, the tests
# drive /usr/bin/chromium. Exits 0 when it is there, 1 saying why not.
# With HD_NPM_OFFLINE set (inside a test's network namespace) it only
# checks.
set -u
PLAYWRIGHT_VERSION=1.65.1
cache=${HD_NPM_CACHE:-/var/cache/homedaemon-npm}
have=$(node -p "require('$cache/node_modules/playwright-core/package.json').version" 2>/dev/null)
[ "$have" = "$PLAYWRIGHT_VERSION" ] && exit 0
# Inside a test's network namespace the registry is out of reach.
if [ -n "${HD_NPM_OFFLINE:-}" ]; then
	echo "browser tests: playwright-core@$PLAYWRIGHT_VERSION not in $cache"
	exit 1
fi
if ! command -v npm >/dev/null || ! mkdir -p "$cache" 2>/dev/null; then
	echo "browser tests: npm missing or $cache not writable"
	exit 1
fi
# No browser download: the library alone.
if ! (cd "$cache" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 timeout 180 \
    npm install --no-audit --no-fund --loglevel=error \
    "playwright-core@$PLAYWRIGHT_VERSION") >&2; then
	echo "browser tests: npm could not install playwright-core@$PLAYWRIGHT_VERSION"
	exit 1
fi
