#!/bin/bash
# gen-test-licences.sh OUTDIR - throwaway vendor PKIs, installation CAs and
# licences for the licence tests (tests/unit/test_licence.c,
# tests/integration/40-licence.sh).  Never use these anywhere else.
#
#   OUTDIR/vendor/     vendor PKI "Test" (root.crt is the test root)
#   OUTDIR/fake/       another vendor PKI with the very same names, other keys
#   OUTDIR/inst/       our installation CA (hd-pki), with master, slave-a..c
#   OUTDIR/other/      another installation's CA
#   OUTDIR/*.pem       licences, all for inst/ unless said otherwise:
#     valid       now-1d .. now+400d, 2 slaves, 50 nodes, secure-zwave,app-api
#     renewal     now-1d .. now+800d, 3 slaves, 100 nodes, every feature
#     expiring    now-1d .. now+10d
#     recent      expired 5 days ago (in grace)
#     expired     2020-01-01 .. 2021-01-01 (past grace)
#     notyet      now+10d .. now+400d
#     one         1 slave, no features
#     foreign     issued by fake/ (look-alike vendor)
#     instca      signed by the installation CA instead of the vendor
#     otherca     signed by a CA under the vendor root that is no licence CA
#     noeku       an installation certificate (slave-a.crt) offered as licence
#     wrong       bound to other/ instead of inst/
#     revoked     revoked; the bundle carries the CRL that says so
#     revoked-old the same licence with the CRL from before the revocation
#     after       a good licence issued after that revocation (its CRL says so)
#     bitflip     valid.pem with one bit of the signature flipped
#     truncated   the first half of valid.pem
#     garbage     2000 bytes of noise (the same every run)
#   OUTDIR/vendor/crl.pem   the CRL listing "revoked"
#
# With HD_TEST_LICENCES naming an OUTDIR this script made, copies that
# instead (tests/run.sh makes one per run).

set -eu
export LC_ALL=C
umask 077

me=${0##*/}
die() { printf '%s: %s\n' "$me" "$*" >&2; exit 1; }
[ $# -eq 1 ] && [ -n "$1" ] || die "usage: $me OUTDIR"
O=$1
# tests/run.sh makes these once and names them in HD_TEST_LICENCES: each
# test then gets its own copy (their dates are days apart: a run is not).
if [ -n "${HD_TEST_LICENCES:-}" ] && [ -f "$HD_TEST_LICENCES/garbage.pem" ] &&
    [ "$HD_TEST_LICENCES" != "$O" ]; then
    rm -rf -- "$O"
    cp -a -- "$HD_TEST_LICENCES" "$O"
    echo "test licences in $O, copied from $HD_TEST_LICENCES"
    exit 0
fi
here=$(cd "$(dirname "$0")" && pwd)
LIC=$here/../../pki/hd-license
PKI=$here/../../pki/hd-pki

lic() { bash "$LIC" "$@" >/dev/null; }
pki() { bash "$PKI" "$@" >/dev/null; }
# Every date from one instant, so that two of them made a second apart
# cannot stretch a licence by that second (valid.pem is exactly 401 days).
now=$(date -u +%s)
day() { date -u -d "@$((now + $1 * 86400))" +%Y%m%d%H%M%SZ; }

rm -rf -- "$O"
mkdir -p -- "$O"
lic init "$O/vendor" --name Test
lic init "$O/fake" --name Test
pki init "$O/inst" --name Test
pki init "$O/other" --name Other
for n in master slave-a slave-b slave-c; do
	role=slave
	[ "$n" = master ] && role=master
	pki issue "$O/inst" "$role" "$n"
done

V=$O/vendor
I=$O/inst/ca.crt
issue() {	# issue NAME [options]
	local n=$1; shift
	lic issue "$V" --customer "Test Home" --installation "$I" \
	    --slaves 2 --zwave-nodes 50 --features secure-zwave,app-api \
	    --out "$O/$n.pem" "$@"
}
issue valid --not-before "$(day -1)" --not-after "$(day 400)"
lic issue "$V" --customer "Test Home" --installation "$I" --slaves 3 \
    --zwave-nodes 100 --features secure-zwave,standby,app-api \
    --not-before "$(day -1)" --not-after "$(day 800)" \
    --out "$O/renewal.pem"
issue expiring --not-before "$(day -1)" --not-after "$(day 10)"
issue recent --not-before "$(day -100)" --not-after "$(day -5)"
issue expired --not-before 20200101000000Z --not-after 20210101000000Z
issue notyet --not-before "$(day 10)" --not-after "$(day 400)"
lic issue "$V" --customer "Test Home" --installation "$I" --slaves 1 \
    --zwave-nodes 0 --features none --out "$O/one.pem"
lic issue "$O/fake" --customer "Test Home" --installation "$I" --slaves 2 \
    --zwave-nodes 50 --out "$O/foreign.pem"
lic issue "$V" --customer "Test Home" --installation "$O/other/ca.crt" \
    --slaves 2 --zwave-nodes 50 --out "$O/wrong.pem"

# The same extension, but signed by the installation CA.
fp=$(bash "$LIC" fingerprint "$I")
cat >"$O/instca.cnf" <<EOF
[ ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, 2.25.301785549677273497587788916755539482760.2.1
2.25.301785549677273497587788916755539482760.2.2 = critical, ASN1:SEQUENCE:lic
[ lic ]
version = INTEGER:1
customer = UTF8:Test Home
installation = FORMAT:HEX,OCTETSTRING:$fp
slaves = INTEGER:64
zwave = INTEGER:232
features = UTF8:secure-zwave,standby,app-api
EOF
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$O/instca.key" -subj "/O=homedaemon licence/CN=Test Home" \
    -out "$O/instca.csr" 2>/dev/null
openssl x509 -req -in "$O/instca.csr" -CA "$I" -CAkey "$O/inst/ca.key" \
    -set_serial 77 -days 400 -extfile "$O/instca.cnf" -extensions ext \
    -out "$O/instca.pem" 2>/dev/null
cat "$I" >>"$O/instca.pem"

# The same, from a CA under the vendor root that is not a licence CA.
printf '[ otherca ]\nbasicConstraints = critical, CA:TRUE, pathlen:0\nkeyUsage = critical, keyCertSign, cRLSign\n' >>"$O/instca.cnf"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$O/otherca.key" -subj "/O=homedaemon licensing/CN=Test Firmware CA" \
    -out "$O/otherca.csr" 2>/dev/null
openssl x509 -req -in "$O/otherca.csr" -CA "$V/root.crt" -CAkey "$V/root.key" \
    -set_serial 78 -days 400 -extfile "$O/instca.cnf" -extensions otherca \
    -out "$O/otherca.crt" 2>/dev/null
openssl x509 -req -in "$O/instca.csr" -CA "$O/otherca.crt" -CAkey "$O/otherca.key" \
    -set_serial 79 -days 400 -extfile "$O/instca.cnf" -extensions ext \
    -out "$O/otherca.pem" 2>/dev/null
cat "$O/otherca.crt" >>"$O/otherca.pem"
cp "$O/inst/slave-a.crt" "$O/noeku.pem"

issue revoked
cp "$O/revoked.pem" "$O/revoked-old.pem"
lic revoke "$V" "$O/revoked.pem"
openssl x509 -in "$O/revoked-old.pem" >"$O/revoked.pem"
cat "$V/licence-ca.crt" "$V/crl.pem" >>"$O/revoked.pem"
issue after	# carries the CRL that revokes "revoked"

# One bit of the signature (the certificate's last byte) flipped.
openssl x509 -in "$O/valid.pem" -outform DER -out "$O/valid.der"
python3 - "$O/valid.der" <<'EOF'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
b[-1] ^= 0x01
open(p, 'wb').write(bytes(b))
EOF
openssl x509 -inform DER -in "$O/valid.der" -out "$O/bitflip.pem" 2>/dev/null ||
	{ printf -- '-----BEGIN CERTIFICATE-----\n%s\n-----END CERTIFICATE-----\n' \
	    "$(base64 -w 64 "$O/valid.der")" >"$O/bitflip.pem"; }
cat "$V/licence-ca.crt" >>"$O/bitflip.pem"
head -c "$(( $(stat -c %s "$O/valid.pem") / 2 ))" "$O/valid.pem" >"$O/truncated.pem"
# Fixed pseudo-random bytes: the same garbage every run.
python3 -c 'import random, sys
sys.stdout.buffer.write(random.Random(13).randbytes(2000))' >"$O/garbage.pem"
rm -f "$O"/*.csr "$O"/*.cnf "$O"/*.der "$O/instca.key" "$O/otherca.key" \
    "$O/otherca.crt"
echo "test licences in $O"
