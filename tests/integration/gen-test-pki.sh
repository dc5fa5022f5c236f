#!/bin/bash
# gen-test-pki.sh OUTDIR - build a throwaway test PKI for the integration tests.
#
#   OUTDIR/good/      CA "Test": master, standby, slave-house, slave-barn,
#                     slave-extra, slave-revoked (revoked, listed in crl.pem),
#                     slave-expired (2020-01-01..2020-02-01),
#                     slave-notyet (2040-01-01..2041-01-01), web-as-slave (web),
#                     client-as-slave (client), rsa-slave (slave EKU, RSA-2048 key)
#   OUTDIR/foreign/   unrelated CA "Foreign": slave-house, master
#   OUTDIR/fakeroot/  CA with the same subject (and subject key identifier) as
#                     good/ca.crt but another key: slave-house, master
#   OUTDIR/nocert/    README only (the client connects without a certificate)
#
# Each certificate is NAME.crt with its key NAME.key; each CA dir has ca.crt,
# ca.key and crl.pem.  Existing good/ foreign/ fakeroot/ nocert/ under OUTDIR
# are replaced.  Prints one summary line on success.  With HD_TEST_PKI
# naming a PKI this script made, copies that instead (tests/run.sh).

# "test && test || die" is meant:
# shellcheck disable=SC2015

set -eu
export LC_ALL=C
umask 077

me=${0##*/}
die() { printf '%s: %s\n' "$me" "$*" >&2; exit 1; }

[ $# -eq 1 ] && [ -n "$1" ] || die "usage: $me OUTDIR"
OUT=$1

# tests/run.sh makes the PKI once and names it in HD_TEST_PKI: each test
# then gets its own copy of it, for a fraction of the cost of making one.
if [ -n "${HD_TEST_PKI:-}" ] && [ -f "$HD_TEST_PKI/good/crl.pem" ] &&
    [ "$HD_TEST_PKI" != "$OUT" ]; then
    mkdir -p -- "$OUT"
    for d in good foreign fakeroot nocert; do
        rm -rf -- "${OUT:?}/$d"
        cp -a -- "$HD_TEST_PKI/$d" "$OUT/$d"
    done
    echo "gen-test-pki: $OUT copied from $HD_TEST_PKI"
    exit 0
fi

HD_PKI=$(dirname "$0")/../../pki/hd-pki
[ -f "$HD_PKI" ] || die "cannot find hd-pki at $HD_PKI"

# Same arc as pki/hd-pki and docs/PKI.md; R.2 = slave.
OID_SLAVE=2.25.301785549677273497587788916755539482760.1.2

pki() { bash "$HD_PKI" "$@" >/dev/null; }

mkdir -p -- "$OUT"
for d in good foreign fakeroot nocert; do
    rm -rf -- "${OUT:?}/$d"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gen-test-pki.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT

quiet() {  # run quietly, show output on failure
    if ! "$@" >"$tmp/log" 2>&1; then
        cat "$tmp/log" >&2
        die "failed: $*"
    fi
}

# --- good ---------------------------------------------------------------------
G=$OUT/good
pki init "$G" --name Test
pki issue "$G" master master
pki issue "$G" standby standby
for n in slave-house slave-barn slave-extra slave-revoked; do
    pki issue "$G" slave "$n"
done
pki revoke "$G" slave-revoked
pki issue "$G" slave slave-expired --not-before 20200101000000Z --not-after 20200201000000Z
pki issue "$G" slave slave-notyet --not-before 20400101000000Z --not-after 20410101000000Z
pki issue "$G" web web-as-slave
pki issue "$G" client client-as-slave

# rsa-slave: signed by the good CA with slave roles, but an RSA-2048 key
# (made by hand: hd-pki only makes P-256 keys, and the daemons only accept those).
cat >"$tmp/rsa-ext.cnf" <<EOF
[ ext ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = clientAuth, $OID_SLAVE
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
EOF
quiet openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$G/rsa-slave.key"
quiet openssl req -new -config "$G/openssl.cnf" -key "$G/rsa-slave.key" \
    -subj "/O=homedaemon/CN=rsa-slave" -out "$tmp/rsa-slave.csr"
quiet openssl x509 -req -in "$tmp/rsa-slave.csr" -CA "$G/ca.crt" -CAkey "$G/ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" -days 825 -sha256 \
    -extfile "$tmp/rsa-ext.cnf" -extensions ext -out "$G/rsa-slave.crt"
chmod 0644 "$G/rsa-slave.crt"

# --- foreign ------------------------------------------------------------------
F=$OUT/foreign
pki init "$F" --name Foreign
pki issue "$F" slave slave-house
pki issue "$F" master master

# --- fakeroot -----------------------------------------------------------------
# A CA database from hd-pki, whose ca.crt is then replaced by one with the
# subject copied from good/ca.crt and the same subject key identifier, so that
# its leaves name the good CA both by issuer DN and by authority key id: only
# the signature check can tell them apart.
K=$OUT/fakeroot
pki init "$K" --name Fake
subject=$(openssl x509 -in "$G/ca.crt" -noout -subject -nameopt compat)
subject=${subject#subject=}
skid=$(openssl x509 -in "$G/ca.crt" -noout -ext subjectKeyIdentifier | sed -n '2s/[ :]//gp')
[ -n "$subject" ] && [ -n "$skid" ] || die "cannot read subject/SKID of $G/ca.crt"
cat >"$tmp/fake-ca.cnf" <<EOF
[ req ]
distinguished_name = dn
string_mask        = utf8only
utf8               = yes
[ dn ]
[ ext ]
basicConstraints       = critical, CA:TRUE, pathlen:0
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = $skid
authorityKeyIdentifier = keyid:always
EOF
quiet openssl req -new -x509 -config "$tmp/fake-ca.cnf" -utf8 -key "$K/ca.key" \
    -subj "$subject" -sha256 -days 3650 -extensions ext -out "$K/ca.crt"
chmod 0644 "$K/ca.crt"
[ "$(openssl x509 -in "$K/ca.crt" -noout -subject -nameopt RFC2253)" = \
  "$(openssl x509 -in "$G/ca.crt" -noout -subject -nameopt RFC2253)" ] &&
[ "$(openssl x509 -in "$K/ca.crt" -noout -subject_hash)" = \
  "$(openssl x509 -in "$G/ca.crt" -noout -subject_hash)" ] ||
    die "fakeroot CA subject differs from the good CA's"
pki crl "$K"
pki issue "$K" slave slave-house
pki issue "$K" master master

# --- nocert -------------------------------------------------------------------
mkdir -p "$OUT/nocert"
echo "No certificate here: the test client connects without presenting one." >"$OUT/nocert/README"

# --- sanity -------------------------------------------------------------------
n=0
for d in good foreign fakeroot; do
    for c in "$OUT/$d"/*.crt; do
        [ "${c##*/}" = ca.crt ] && continue
        [ -s "$c" ] && [ -s "${c%.crt}.key" ] || die "missing ${c%.crt}.key"
        n=$((n + 1))
    done
done
openssl crl -in "$G/crl.pem" -noout -text | grep -qi "$(openssl x509 -in "$G/slave-revoked.crt" -noout -serial | sed 's/^serial=//')" ||
    die "good/crl.pem does not list slave-revoked"

echo "gen-test-pki: $n certificates in $OUT (good foreign fakeroot nocert)"
