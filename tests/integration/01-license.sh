#!/bin/bash
# 01-license.sh - tests of pki/hd-license, the vendor licensing tool.
# Prints "ok - ..." / "not ok - ..." per check; exits 1 if any failed.

# Checks run small "bash -c '...' _ ARGS" snippets:
# shellcheck disable=SC2016

set -u
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
LIC=$here/../../pki/hd-license
PKI=$here/../../pki/hd-pki
ARC=2.25.301785549677273497587788916755539482760.2

T=$(mktemp -d "${TMPDIR:-/tmp}/hd-license-test.XXXXXX") || { echo "not ok - mktemp"; exit 1; }
trap 'rm -rf -- "$T"' EXIT

failed=0
ok() { echo "ok - 01-license: $*"; }
nok() { failed=$((failed + 1)); echo "not ok - 01-license: $*"; }
check() { local d=$1; shift; if "$@" >/dev/null 2>&1; then ok "$d"; else nok "$d"; fi; }
check_fails() { local d=$1; shift; if "$@" >/dev/null 2>&1; then nok "$d"; else ok "$d"; fi; }
has_text() { openssl x509 -in "$1" -noout -text 2>/dev/null | grep -Eq -- "$2"; }
mode() { stat -c %a "$1"; }

# --- help -------------------------------------------------------------------
check "help exits 0" "$LIC" help
check "help names every command" bash -c '
    out=$("$1" help); for w in init fingerprint issue revoke crl show; do
    grep -q "$w" <<<"$out" || exit 1; done' _ "$LIC"
check_fails "unknown command fails" "$LIC" frobnicate

# --- init -------------------------------------------------------------------
V=$T/vendor
check "init creates a vendor PKI" "$LIC" init "$V" --name Acme
check "vendor dir is 0700" test "$(mode "$V")" = 700
check "root.key and licence-ca.key are 0600" \
	bash -c '[ "$(stat -c %a "$1/root.key")" = 600 ] && [ "$(stat -c %a "$1/licence-ca.key")" = 600 ]' _ "$V"
check "root: CA, pathlen 1, self-signed" bash -c '
    openssl x509 -in "$1/root.crt" -noout -text | grep -q "CA:TRUE, pathlen:1" &&
    openssl verify -CAfile "$1/root.crt" "$1/root.crt"' _ "$V"
check "root is named after the vendor" has_text "$V/root.crt" 'Subject: O ?= ?homedaemon licensing, CN ?= ?Acme Vendor Root'
check "licence CA: CA, pathlen 0, signed by the root" bash -c '
    openssl x509 -in "$1/licence-ca.crt" -noout -text | grep -q "CA:TRUE, pathlen:0" &&
    openssl verify -CAfile "$1/root.crt" "$1/licence-ca.crt"' _ "$V"
check "an empty licence CRL exists" openssl crl -in "$V/crl.pem" -noout
check_fails "init refuses to overwrite a vendor PKI" "$LIC" init "$V"
check_fails "init refuses --ca-days beyond --days" "$LIC" init "$T/v2" --days 10 --ca-days 20

# --- fingerprint --------------------------------------------------------------
"$PKI" init "$T/inst" --name Home >/dev/null
"$PKI" init "$T/other" --name Other >/dev/null
fp=$("$LIC" fingerprint "$T/inst/ca.crt")
want=$(openssl x509 -in "$T/inst/ca.crt" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum | cut -c1-64)
check "fingerprint is the SHA-256 of the CA's public key" test "$fp" = "$want"
check_fails "fingerprint of a non-certificate fails" "$LIC" fingerprint "$V/index.txt"

# --- issue --------------------------------------------------------------------
base=(--customer "Smith & Sons" --installation "$T/inst/ca.crt" --slaves 4 --zwave-nodes 120)
check "issue a licence" "$LIC" issue "$V" "${base[@]}" --features app-api,secure-zwave --out "$T/lic.pem"
check "the licence file is licence + licence CA + CRL" bash -c '
    [ "$(grep -c "BEGIN CERTIFICATE" "$1")" = 2 ] && [ "$(grep -c "BEGIN X509 CRL" "$1")" = 1 ]' _ "$T/lic.pem"
check "the licence chains to the root" openssl verify -CAfile "$V/root.crt" -untrusted "$V/licence-ca.crt" \
	-ignore_critical "$T/lic.pem"
check "licence EKU, critical" bash -c 'openssl x509 -in "$1" -noout -text | grep -A1 "Extended Key Usage: critical" | grep -q "$2.1"' _ "$T/lic.pem" "$ARC"
check "licence extension, critical" has_text "$T/lic.pem" "$ARC.2: critical"
check "not a CA" has_text "$T/lic.pem" 'CA:FALSE'
check "term defaults to 365 days" bash -c '
    nb=$(date -d "$(openssl x509 -in "$1" -noout -startdate | cut -d= -f2)" +%s)
    na=$(date -d "$(openssl x509 -in "$1" -noout -enddate | cut -d= -f2)" +%s)
    [ $((na - nb)) -eq $((365 * 86400)) ]' _ "$T/lic.pem"
out=$("$LIC" show "$T/lic.pem")
check "show: customer" grep -q '^customer: *Smith & Sons$' <<<"$out"
check "show: installation binding" grep -q "^installation: *$fp\$" <<<"$out"
check "show: limits" bash -c 'grep -q "^slaves: *4$" <<<"$1" && grep -q "^z-wave nodes: *120$" <<<"$1"' _ "$out"
check "show: features in canonical order" grep -q '^features: *secure-zwave,app-api$' <<<"$out"
check "show: status" grep -q '^status: *valid for 36[45] more days' <<<"$out"
check "issue by --fingerprint gives the same binding" bash -c '
    "$1" issue "$2" --customer X --fingerprint "$3" --slaves 1 --zwave-nodes 1 --out "$4" &&
    "$1" show "$4" | grep -q "^installation: *$5$"' _ "$LIC" "$V" "${fp^^}" "$T/fp.pem" "$fp"
check "explicit term" bash -c '
    "$1" issue "$2" --customer X --fingerprint "$3" --slaves 1 --zwave-nodes 1 \
        --not-before 20300101000000Z --not-after 20310101000000Z --out "$4" &&
    "$1" show "$4" | grep -q "^not after: *Jan  1 00:00:00 2031 GMT$" &&
    "$1" show "$4" | grep -q "not yet valid"' _ "$LIC" "$V" "$fp" "$T/future.pem"
check_fails "issue refuses to overwrite" "$LIC" issue "$V" "${base[@]}" --out "$T/lic.pem"
check "... unless --force" "$LIC" issue "$V" "${base[@]}" --out "$T/lic.pem" --force
check_fails "no installation binding: refused" "$LIC" issue "$V" --customer X --slaves 1 --zwave-nodes 1 --out "$T/x.pem"
check_fails "a short fingerprint: refused" "$LIC" issue "$V" --customer X --fingerprint abc --slaves 1 --zwave-nodes 1 --out "$T/x.pem"
check_fails "65 slaves: refused" "$LIC" issue "$V" --customer X --fingerprint "$fp" --slaves 65 --zwave-nodes 1 --out "$T/x.pem"
check_fails "233 Z-Wave nodes: refused" "$LIC" issue "$V" --customer X --fingerprint "$fp" --slaves 1 --zwave-nodes 233 --out "$T/x.pem"
check_fails "an unknown feature: refused" "$LIC" issue "$V" --customer X --fingerprint "$fp" --slaves 1 --zwave-nodes 1 --features teleport --out "$T/x.pem"
check_fails "a customer with a '\$': refused" "$LIC" issue "$V" --customer 'X$Y' --fingerprint "$fp" --slaves 1 --zwave-nodes 1 --out "$T/x.pem"
check_fails "a customer of 65 characters: refused" "$LIC" issue "$V" --customer "$(printf 'a%.0s' {1..65})" --fingerprint "$fp" --slaves 1 --zwave-nodes 1 --out "$T/x.pem"
check_fails "--not-before after --not-after: refused" "$LIC" issue "$V" --customer X --fingerprint "$fp" --slaves 1 --zwave-nodes 1 --not-before 20310101000000Z --not-after 20300101000000Z --out "$T/x.pem"
check "nothing was written by the refusals" test ! -e "$T/x.pem"

# --- revoke / crl -------------------------------------------------------------
check "revoke a licence" "$LIC" revoke "$V" "$T/fp.pem" --reason superseded
serial=$(openssl x509 -in "$T/fp.pem" -noout -serial | cut -d= -f2)
check "the CRL lists it" bash -c 'openssl crl -in "$1" -noout -text | grep -q "Serial Number: $2"' _ "$V/crl.pem" "$serial"
check "the CRL verifies under the licence CA" openssl crl -in "$V/crl.pem" -CAfile "$V/licence-ca.crt" -noout
check_fails "revoking twice: refused" "$LIC" revoke "$V" "$T/fp.pem"
"$LIC" init "$T/v3" >/dev/null
"$LIC" issue "$T/v3" --customer X --fingerprint "$fp" --slaves 1 --zwave-nodes 1 --out "$T/v3.pem" >/dev/null
check_fails "revoking another vendor's licence: refused" "$LIC" revoke "$V" "$T/v3.pem"
check "a new licence carries the newer CRL" bash -c '
    "$1" issue "$2" --customer Y --fingerprint "$3" --slaves 1 --zwave-nodes 1 --out "$4" &&
    openssl crl -in "$4" -noout -text | grep -q "Serial Number: $5"' _ "$LIC" "$V" "$fp" "$T/y.pem" "$serial"
check "crl regenerates" "$LIC" crl "$V" --crl-days 10
check_fails "show of a non-licence fails" "$LIC" show "$T/inst/ca.crt"

[ "$failed" -eq 0 ]
