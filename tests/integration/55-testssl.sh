#!/usr/bin/env bash
# The web engine's TLS as an independent scanner sees it: testssl.sh
# (Debian package) finds no vulnerability, only TLS 1.2/1.3 and only
# strong (AEAD, forward-secret) ciphers.
. "$(dirname "$0")/lib.sh"

if [ "$BUILD" = build-san ]; then
	echo "skip - $tname: TLS settings are the same in every build; scanned once"
	finish
fi
if ! command -v testssl >/dev/null; then
	not_ok "testssl not installed (make deps installs testssl.sh)"
	finish
fi
web_master "allow 127.0.0.1"
start hd-master master
wait_log "$M" 'web process [0-9]+ serving' 5
# BREACH is checked on the API (never compressed); static files are gzip'd
# but hold no secrets. The scan runs hundreds of handshakes: on a loaded
# 2-core machine it took over 300 s, so the bound (for a hang) is wide.
timeout 900 testssl --quiet --color 0 --warnings off -p -U -s -f \
	--jsonfile "$work/testssl.json" "https://127.0.0.1:$wport/api/v1/health" \
	>"$work/testssl.txt" 2>&1
check "testssl ran" test -s "$work/testssl.json"
finding() {	# finding ID -> "SEVERITY finding"
	python3 -c 'import json,sys
for e in json.load(open(sys.argv[1])):
    if e["id"] == sys.argv[2]: print(e["severity"], e["finding"])' \
		"$work/testssl.json" "$1"
}
bad=$(python3 -c 'import json,sys
ids = ("heartbleed CCS ticketbleed ROBOT secure_client_renego CRIME_TLS "
       "BREACH POODLE_SSL fallback_SCSV SWEET32 FREAK DROWN LOGJAM BEAST "
       "LUCKY13 RC4").split()
for e in json.load(open(sys.argv[1])):
    if e["id"] in ids and e["severity"] not in ("OK", "INFO"):
        print(e["id"], e["severity"], e["finding"])' "$work/testssl.json")
check "no vulnerability reported${bad:+: $bad}" test -z "$bad"
for p in SSLv2 SSLv3 TLS1 TLS1_1; do
	check "$p not offered" grep -q 'not offered' <<<"$(finding "$p")"
done
for p in TLS1_2 TLS1_3; do
	check "$p offered" grep -q '^OK offered' <<<"$(finding "$p")"
done
for c in NULL aNULL EXPORT LOW 3DES_IDEA AVERAGE; do
	check "no $c ciphers" grep -q 'not offered' <<<"$(finding "cipherlist_$c")"
done
check "strong AEAD ciphers offered" grep -q '^OK offered' <<<"$(finding cipherlist_STRONG)"
check "forward secrecy" grep -q "^OK" <<<"$(finding PFS)"
finish
