# Sourced by the zwave-js interoperability tests after lib.sh: the npm
# zwave-js package in a cache outside the repository (HD_NPM_CACHE; lib.sh
# runs install.sh before the test enters its network namespace), or a
# skip line and exit when it could not be installed; then start its mock
# server on 127.0.0.1:$zport with our network (network.cjs, or the file in
# zjs_network), mDNS stubbed out (no-mdns.cjs) and each TCP read split
# into its Serial API messages as a real stick's byte stream would be
# (split-reads.cjs: the stock mock takes a read for one message and exits
# when a loaded machine merges our ACK and the next frame). Sets zport
# and J (the mock's log).

cache=${HD_NPM_CACHE:-/var/cache/homedaemon-npm}
mock=$cache/node_modules/.bin/mock-server
here=$top/tests/integration/zwave-js
if ! "$here/install.sh" >"$work/npm.log" 2>&1 || ! command -v node >/dev/null; then
	echo "skip - $tname: zwave-js mock server not installable ($(tail -1 "$work/npm.log"))"
	exit 0
fi
zport=$(free_port)
J=$work/mock.log
node -r "$here/no-mdns.cjs" -r "$here/split-reads.cjs" "$mock" -i 127.0.0.1 -p "$zport" \
	-c "${zjs_network:-$here/network.cjs}" >>"$J" 2>&1 &
pids+=($!)
disown $!
check "mock server listens on 127.0.0.1" \
	wait_log "$J" "listening on tcp://127.0.0.1:$zport" 15
