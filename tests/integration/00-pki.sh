#!/bin/bash
# 00-pki.sh - tests of pki/hd-pki and tests/integration/gen-test-pki.sh.
# Prints "ok - ..." / "not ok - ..." per check; exits 1 if any failed.

# Checks run helper functions and small "bash -c '...' _ ARGS" snippets:
# shellcheck disable=SC2016,SC2317

set -u
export LC_ALL=C
unset HD_TEST_PKI	# this tests the generator itself, not a copy

here=$(cd "$(dirname "$0")" && pwd)
HD_PKI=$here/../../pki/hd-pki
GEN=$here/gen-test-pki.sh

R=2.25.301785549677273497587788916755539482760.1

T=$(mktemp -d "${TMPDIR:-/tmp}/hd-pki-test.XXXXXX") || { echo "not ok - mktemp"; exit 1; }
trap 'rm -rf -- "$T"' EXIT

failed=0
count=0
ok() { count=$((count + 1)); echo "ok - $*"; }
nok() { count=$((count + 1)); failed=$((failed + 1)); echo "not ok - $*"; }
# check DESCRIPTION COMMAND...: ok if the command succeeds
check() { local d=$1; shift; if "$@" >/dev/null 2>&1; then ok "$d"; else nok "$d"; fi; }
# check_fails DESCRIPTION COMMAND...: ok if the command fails
check_fails() { local d=$1; shift; if "$@" >/dev/null 2>&1; then nok "$d"; else ok "$d"; fi; }

mode() { stat -c %a "$1" 2>/dev/null; }
is_mode() { [ "$(mode "$1")" = "$2" ]; }

# EKU of a certificate as sorted, comma separated short names / OIDs.
eku() {
    openssl x509 -in "$1" -noout -ext extendedKeyUsage 2>/dev/null | sed -n '2,$p' |
        tr ',' '\n' | sed -e 's/^ *//' -e 's/ *$//' \
            -e 's/^TLS Web Server Authentication$/serverAuth/' \
            -e 's/^TLS Web Client Authentication$/clientAuth/' |
        grep -v '^$' | sort | paste -sd, -
}
sorted() { printf '%s\n' "$@" | sort | paste -sd, -; }

is_p256() {
    openssl pkey -in "$1" -noout -text 2>/dev/null | grep -q 'ASN1 OID: prime256v1'
}
cert_matches_key() {
    [ "$(openssl x509 -in "$1" -noout -pubkey 2>/dev/null)" = "$(openssl pkey -in "$2" -pubout 2>/dev/null)" ] &&
        [ -n "$(openssl pkey -in "$2" -pubout 2>/dev/null)" ]
}
verify() { openssl verify -CAfile "$1" "$2"; }
verify_crl() { openssl verify -crl_check -CAfile "$1" -CRLfile "$2" "$3"; }
has_text() { openssl x509 -in "$1" -noout -text 2>/dev/null | grep -Eq -- "$2"; }
epoch() { date -u -d "$1" +%s; }

# --- help / usage ---------------------------------------------------------------
check "hd-pki is executable" test -x "$HD_PKI"
check "hd-pki help exits 0" "$HD_PKI" help
out=$("$HD_PKI" help 2>/dev/null)
check "help mentions every command" bash -c '
    for w in init issue revoke crl show; do grep -q "$w" <<<"$1" || exit 1; done' _ "$out"
check_fails "unknown command exits non-zero" "$HD_PKI" frobnicate
err=$("$HD_PKI" frobnicate 2>&1 >/dev/null)
check "unknown command explains itself on stderr" test -n "$err"
check_fails "no arguments exits non-zero" "$HD_PKI"

# --- init -----------------------------------------------------------------------
CA=$T/ca
initout=$("$HD_PKI" init "$CA" --name Home 2>"$T/init.err")
rc=$?
check "init succeeds" test $rc -eq 0
check "init is quiet on stderr" test ! -s "$T/init.err"
check "init prints at most one line" test "$(printf '%s' "$initout" | grep -c '')" -le 1
check "CA dir is mode 0700" is_mode "$CA" 700
check "ca.key is mode 0600" is_mode "$CA/ca.key" 600
for f in ca.crt index.txt serial crlnumber openssl.cnf crl.pem; do
    check "init creates $f" test -f "$CA/$f"
done
check "ca.key is EC prime256v1" is_p256 "$CA/ca.key"
check "ca.crt matches ca.key" cert_matches_key "$CA/ca.crt" "$CA/ca.key"
check "ca.crt is self-signed and verifies" verify "$CA/ca.crt" "$CA/ca.crt"
subj=$(openssl x509 -in "$CA/ca.crt" -noout -subject -nameopt RFC2253)
check "CA subject is CN=Home Installation CA,O=homedaemon" test "$subj" = "subject=CN=Home Installation CA,O=homedaemon"
check "CA basicConstraints CA:TRUE critical" bash -c '
    o=$(openssl x509 -in "$1" -noout -ext basicConstraints); grep -q critical <<<"$o" && grep -q "CA:TRUE" <<<"$o"' _ "$CA/ca.crt"
check "CA keyUsage keyCertSign,cRLSign critical" bash -c '
    o=$(openssl x509 -in "$1" -noout -ext keyUsage); grep -q critical <<<"$o" && grep -q "Certificate Sign, CRL Sign" <<<"$o"' _ "$CA/ca.crt"
ca_days=$(( ($(epoch "$(openssl x509 -in "$CA/ca.crt" -noout -enddate | cut -d= -f2)") - $(date -u +%s)) / 86400 ))
check "CA valid for 3650 days by default" test "$ca_days" -ge 3648 -a "$ca_days" -le 3650
check "initial CRL verifies against the CA" openssl crl -in "$CA/crl.pem" -CAfile "$CA/ca.crt" -noout
check "initial CRL is empty" bash -c 'openssl crl -in "$1" -noout -text | grep -q "No Revoked Certificates"' _ "$CA/crl.pem"
crl_days=$(( ($(epoch "$(openssl crl -in "$CA/crl.pem" -noout -nextupdate | cut -d= -f2)") - $(date -u +%s)) / 86400 ))
check "CRL nextUpdate is in 30 days" test "$crl_days" -ge 29 -a "$crl_days" -le 30
check "crl.pem is world-readable (0644)" is_mode "$CA/crl.pem" 644
check_fails "init refuses an existing CA" "$HD_PKI" init "$CA" --name Home
check "refused init left ca.crt intact" test "$(openssl x509 -in "$CA/ca.crt" -noout -subject -nameopt RFC2253)" = "$subj"
check "init --days and --crl-days" "$HD_PKI" init "$T/ca2" --name Other --days 100 --crl-days 7
d=$(( ($(epoch "$(openssl x509 -in "$T/ca2/ca.crt" -noout -enddate | cut -d= -f2)") - $(date -u +%s)) / 86400 ))
check "init --days 100 gives ~100 days" test "$d" -ge 98 -a "$d" -le 100
d=$(( ($(epoch "$(openssl crl -in "$T/ca2/crl.pem" -noout -nextupdate | cut -d= -f2)") - $(date -u +%s)) / 86400 ))
check "init --crl-days 7 gives a 7-day CRL" test "$d" -ge 6 -a "$d" -le 7
check_fails "init rejects --days abc" "$HD_PKI" init "$T/ca3" --days abc
check_fails "init without DIR fails" "$HD_PKI" init

# --- issue: each role -----------------------------------------------------------
declare -A want
want[master]=$(sorted serverAuth clientAuth "$R.1")
want[slave]=$(sorted clientAuth "$R.2")
want[standby]=$(sorted serverAuth clientAuth "$R.1" "$R.2")
want[web]=$(sorted serverAuth "$R.3")
want[client]=$(sorted clientAuth "$R.4")
declare -A showrole=([master]=master [slave]=slave [standby]=standby [web]=web [client]=client)

for role in master slave standby web client; do
    n=n-$role
    "$HD_PKI" issue "$CA" "$role" "$n" >/dev/null 2>"$T/issue.err"
    rc=$?
    check "issue $role succeeds" test $rc -eq 0
    check "issue $role is quiet on stderr" test ! -s "$T/issue.err"
    c=$CA/$n.crt k=$CA/$n.key
    check "$role key is mode 0600" is_mode "$k" 600
    check "$role cert is readable (0644)" is_mode "$c" 644
    check "$role key is EC prime256v1" is_p256 "$k"
    check "$role cert matches its key" cert_matches_key "$c" "$k"
    got=$(eku "$c")
    if [ "$got" = "${want[$role]}" ]; then ok "$role EKU is exactly ${want[$role]}"; else nok "$role EKU is exactly ${want[$role]} (got '$got')"; fi
    check "$role subject is CN=$n,O=homedaemon" test "$(openssl x509 -in "$c" -noout -subject -nameopt RFC2253)" = "subject=CN=$n,O=homedaemon"
    check "$role basicConstraints CA:FALSE critical" bash -c '
        o=$(openssl x509 -in "$1" -noout -ext basicConstraints); grep -q critical <<<"$o" && grep -q "CA:FALSE" <<<"$o"' _ "$c"
    check "$role keyUsage digitalSignature only, critical" bash -c '
        o=$(openssl x509 -in "$1" -noout -ext keyUsage); grep -q critical <<<"$o" && [ "$(sed -n "2s/^ *//p" <<<"$o")" = "Digital Signature" ]' _ "$c"
    check "$role has SKI and AKI" bash -c '
        o=$(openssl x509 -in "$1" -noout -ext subjectKeyIdentifier,authorityKeyIdentifier); grep -q "Subject Key Identifier" <<<"$o" && grep -q "Authority Key Identifier" <<<"$o"' _ "$c"
    check "$role signed with ecdsa-with-SHA256" has_text "$c" 'Signature Algorithm: ecdsa-with-SHA256'
    check "$role cert verifies against the CA" verify "$CA/ca.crt" "$c"
    d=$(( ($(epoch "$(openssl x509 -in "$c" -noout -enddate | cut -d= -f2)") - $(date -u +%s)) / 86400 ))
    check "$role valid 825 days by default" test "$d" -ge 823 -a "$d" -le 825
    s=$("$HD_PKI" show "$c" 2>/dev/null)
    check "show prints the $role role" bash -c 'grep -Eiq "^role:.*\b$2\b" <<<"$1"' _ "$s" "${showrole[$role]}"
    check "show prints the CN of $role" bash -c 'grep -q "$2" <<<"$1"' _ "$s" "$n"
done
s=$("$HD_PKI" show "$CA/n-standby.crt")
check "show decodes standby as master and slave" bash -c 'grep -q "^role:.*master, slave" <<<"$1"' _ "$s"
s=$("$HD_PKI" show "$CA/n-slave.crt")
check "show does not call a slave a master" bash -c '! grep -q "^role:.*master" <<<"$1"' _ "$s"
check "show prints issuer, dates and serial" bash -c '
    for w in "^issuer:.*Home Installation CA" "^not before:" "^not after:" "^serial:"; do grep -Eq "$w" <<<"$1" || exit 1; done' _ "$s"
check_fails "show of a missing file fails" "$HD_PKI" show "$T/nope.crt"

check "web default SAN is localhost,127.0.0.1,::1" bash -c '
    o=$(openssl x509 -in "$1" -noout -ext subjectAltName); grep -q "DNS:localhost" <<<"$o" && grep -q "IP Address:127.0.0.1" <<<"$o" && grep -q "IP Address:0:0:0:0:0:0:0:1" <<<"$o"' _ "$CA/n-web.crt"
check "slave has no SAN" bash -c '! openssl x509 -in "$1" -noout -ext subjectAltName 2>/dev/null | grep -q DNS' _ "$CA/n-slave.crt"
check "issue web --san" "$HD_PKI" issue "$CA" web web2 --san DNS:pi.lan,IP:192.168.1.2
check "--san is used instead of the default" bash -c '
    o=$(openssl x509 -in "$1" -noout -ext subjectAltName); grep -q "DNS:pi.lan" <<<"$o" && grep -q "IP Address:192.168.1.2" <<<"$o" && ! grep -q localhost <<<"$o"' _ "$CA/web2.crt"
check_fails "--san with a newline is refused" "$HD_PKI" issue "$CA" web web3 --san "$(printf 'DNS:a\nbasicConstraints=CA:TRUE')"
check_fails "--san with garbage is refused" "$HD_PKI" issue "$CA" web web3 --san 'foo'

check "issue --days 10" "$HD_PKI" issue "$CA" slave short --days 10
d=$(( ($(epoch "$(openssl x509 -in "$CA/short.crt" -noout -enddate | cut -d= -f2)") - $(date -u +%s)) / 86400 ))
check "--days 10 gives 10 days" test "$d" -ge 9 -a "$d" -le 10

check "issue --out" "$HD_PKI" issue "$CA" client alice --out "$T/out"
check "--out puts the cert in OUTDIR" test -f "$T/out/alice.crt"
check "--out puts the key in OUTDIR, mode 0600" is_mode "$T/out/alice.key" 600
check "--out leaves nothing in the CA dir" test ! -e "$CA/alice.crt" -a ! -e "$CA/alice.key"

check_fails "issue refuses to overwrite an existing cert" "$HD_PKI" issue "$CA" slave n-slave
check "issue --force replaces it" "$HD_PKI" issue "$CA" slave n-slave --force
check_fails "issue with an unknown role fails" "$HD_PKI" issue "$CA" admin x1
check_fails "issue with a missing CA fails" "$HD_PKI" issue "$T/noca" slave x1

# --- names ------------------------------------------------------------------------
long63=$(printf 'a%.0s' $(seq 63))
long64=$(printf 'a%.0s' $(seq 64))
for bad in "Slave1" "../x" "" "$long64" "-slave" "slave_1" "slave.1" "a b" "x/y" "$(printf 'a\nb')" "é"; do
    label=$bad
    [ ${#bad} -gt 20 ] && label="${#bad} chars"
    [ -z "$bad" ] && label="(empty)"
    label=${label//$'\n'/\\n}
    "$HD_PKI" issue "$CA" slave "$bad" >/dev/null 2>"$T/bad.err"
    rc=$?
    check "bad name '$label' is refused" test $rc -ne 0
    check "bad name '$label' gets a message" grep -q "name" "$T/bad.err"
done
check "no file was made for a bad name" bash -c '! ls "$1" | grep -Eq "^(Slave1|x|slave_1|-slave)\.(crt|key)$"' _ "$CA"
check "no stray temp files in the CA dir" bash -c '! ls -A "$1" | grep -q "^\."' _ "$CA"
check "63-character name is accepted" "$HD_PKI" issue "$CA" slave "$long63"
check "single-character name is accepted" "$HD_PKI" issue "$CA" slave 7

# --- validity -----------------------------------------------------------------------
check "issue --not-before/--not-after (expired)" "$HD_PKI" issue "$CA" slave old --not-before 20200101000000Z --not-after 20200201000000Z
check "expired notBefore is 2020-01-01" test "$(openssl x509 -in "$CA/old.crt" -noout -startdate)" = "notBefore=Jan  1 00:00:00 2020 GMT"
check "expired notAfter is 2020-02-01" test "$(openssl x509 -in "$CA/old.crt" -noout -enddate)" = "notAfter=Feb  1 00:00:00 2020 GMT"
check "issue not-yet-valid" "$HD_PKI" issue "$CA" slave future --not-before 20400101000000Z --not-after 20410101000000Z
check "--not-before alone counts --days from it" "$HD_PKI" issue "$CA" slave future2 --not-before 20400101000000Z --days 30
check "... notAfter is 2040-01-31" test "$(openssl x509 -in "$CA/future2.crt" -noout -enddate)" = "notAfter=Jan 31 00:00:00 2040 GMT"
check_fails "not-before after not-after is refused" "$HD_PKI" issue "$CA" slave bad1 --not-before 20300101000000Z --not-after 20200101000000Z
check_fails "malformed --not-before is refused" "$HD_PKI" issue "$CA" slave bad2 --not-before 2020-01-01
check_fails "impossible date is refused" "$HD_PKI" issue "$CA" slave bad3 --not-after 20300231000000Z
check "show says expired" bash -c '"$1" show "$2" | grep -q "^status: *expired"' _ "$HD_PKI" "$CA/old.crt"
check "show says not yet valid" bash -c '"$1" show "$2" | grep -q "^status: *not yet valid"' _ "$HD_PKI" "$CA/future.crt"

# --- revoke / crl -----------------------------------------------------------------------
check "issue victim" "$HD_PKI" issue "$CA" slave victim
check "victim verifies with CRL before revocation" verify_crl "$CA/ca.crt" "$CA/crl.pem" "$CA/victim.crt"
n1=$(openssl crl -in "$CA/crl.pem" -noout -crlnumber | cut -d= -f2)
check "revoke victim" "$HD_PKI" revoke "$CA" victim
n2=$(openssl crl -in "$CA/crl.pem" -noout -crlnumber | cut -d= -f2)
check_fails "victim fails verify with CRL after revocation" verify_crl "$CA/ca.crt" "$CA/crl.pem" "$CA/victim.crt"
check "n-slave still passes with CRL" verify_crl "$CA/ca.crt" "$CA/crl.pem" "$CA/n-slave.crt"
check "revoke bumps the CRL number" test "$((n2))" -gt "$((n1))"
check "crl.pem stays 0644 after revoke" is_mode "$CA/crl.pem" 644
check_fails "revoking again fails (nothing valid left)" "$HD_PKI" revoke "$CA" victim
check_fails "revoking an unknown name fails" "$HD_PKI" revoke "$CA" nobody
check_fails "revoke rejects a bad name" "$HD_PKI" revoke "$CA" "../ca"
check "revoke by CN of a cert issued with --out" "$HD_PKI" revoke "$CA" alice
check_fails "alice fails verify with CRL" verify_crl "$CA/ca.crt" "$CA/crl.pem" "$T/out/alice.crt"
check "crl regenerates" "$HD_PKI" crl "$CA"
n3=$(openssl crl -in "$CA/crl.pem" -noout -crlnumber | cut -d= -f2)
check "crl bumps the CRL number" test "$((n3))" -gt "$((n2))"
check_fails "victim still revoked after crl" verify_crl "$CA/ca.crt" "$CA/crl.pem" "$CA/victim.crt"
check "crl --crl-days 90" "$HD_PKI" crl "$CA" --crl-days 90
d=$(( ($(epoch "$(openssl crl -in "$CA/crl.pem" -noout -nextupdate | cut -d= -f2)") - $(date -u +%s)) / 86400 ))
check "... nextUpdate in 90 days" test "$d" -ge 89 -a "$d" -le 90
check_fails "crl on a non-CA dir fails" "$HD_PKI" crl "$T/out"
# Renewal, then revoking only the old certificate by file.
"$HD_PKI" issue "$CA" slave renewme >/dev/null 2>&1
cp "$CA/renewme.crt" "$T/renewme-old.crt"
check "renew with --force" "$HD_PKI" issue "$CA" slave renewme --force
old_serial=$(openssl x509 -in "$T/renewme-old.crt" -noout -serial | cut -d= -f2)
check "old cert is kept in newcerts/" test -f "$CA/newcerts/$old_serial.pem"
check "revoke the old cert by file" "$HD_PKI" revoke "$CA" "$CA/newcerts/$old_serial.pem"
check_fails "old cert fails verify with CRL" verify_crl "$CA/ca.crt" "$CA/crl.pem" "$T/renewme-old.crt"
check "renewed cert still passes with CRL" verify_crl "$CA/ca.crt" "$CA/crl.pem" "$CA/renewme.crt"
check_fails "revoke refuses a cert of another CA" "$HD_PKI" revoke "$CA" "$T/ca2/ca.crt"

# --- gen-test-pki.sh -------------------------------------------------------------------
P=$T/pki
genout=$(bash "$GEN" "$P" 2>"$T/gen.err")
rc=$?
check "gen-test-pki.sh succeeds" test $rc -eq 0
check "gen-test-pki.sh prints one line" test "$(printf '%s\n' "$genout" | grep -c '')" -eq 1
check "gen-test-pki.sh is quiet on stderr" test ! -s "$T/gen.err"
for f in good/ca.crt good/ca.key good/crl.pem foreign/ca.crt fakeroot/ca.crt nocert/README; do
    check "gen-test-pki made $f" test -s "$P/$f"
done
for n in master standby slave-house slave-barn slave-extra slave-revoked slave-expired slave-notyet \
         web-as-slave client-as-slave rsa-slave; do
    check "gen-test-pki made good/$n.crt and .key" test -s "$P/good/$n.crt" -a -s "$P/good/$n.key"
done
for d in foreign fakeroot; do
    for n in slave-house master; do
        check "gen-test-pki made $d/$n.crt and .key" test -s "$P/$d/$n.crt" -a -s "$P/$d/$n.key"
    done
done
check "nocert has no certificate" bash -c '! ls "$1" | grep -q "\.crt$"' _ "$P/nocert"

G=$P/good
for n in master standby slave-house slave-barn slave-extra web-as-slave client-as-slave rsa-slave; do
    check "good/$n verifies with CRL" verify_crl "$G/ca.crt" "$G/crl.pem" "$G/$n.crt"
done
check_fails "good/slave-revoked fails verify with CRL" verify_crl "$G/ca.crt" "$G/crl.pem" "$G/slave-revoked.crt"
check "good/slave-revoked verifies without CRL (only revoked)" verify "$G/ca.crt" "$G/slave-revoked.crt"
check_fails "good/slave-expired fails verify" verify "$G/ca.crt" "$G/slave-expired.crt"
check "good/slave-expired fails because it expired" bash -c 'openssl verify -CAfile "$1" "$2" 2>&1 | grep -q "certificate has expired"' _ "$G/ca.crt" "$G/slave-expired.crt"
check_fails "good/slave-notyet fails verify" verify "$G/ca.crt" "$G/slave-notyet.crt"
check "good/slave-notyet fails because it is not yet valid" bash -c 'openssl verify -CAfile "$1" "$2" 2>&1 | grep -q "not yet valid"' _ "$G/ca.crt" "$G/slave-notyet.crt"
for n in slave-house master; do
    check_fails "foreign/$n fails verify against good CA" verify "$G/ca.crt" "$P/foreign/$n.crt"
    check_fails "fakeroot/$n fails verify against good CA" verify "$G/ca.crt" "$P/fakeroot/$n.crt"
    check "foreign/$n verifies against its own CA" verify "$P/foreign/ca.crt" "$P/foreign/$n.crt"
    check "fakeroot/$n verifies against its own CA" verify "$P/fakeroot/ca.crt" "$P/fakeroot/$n.crt"
done
check "fakeroot/slave-house fails on the signature" bash -c 'openssl verify -CAfile "$1" "$2" 2>&1 | grep -q "signature failure"' _ "$G/ca.crt" "$P/fakeroot/slave-house.crt"
check "fakeroot CA has the good CA's subject" test "$(openssl x509 -in "$P/fakeroot/ca.crt" -noout -subject -nameopt RFC2253)" = "$(openssl x509 -in "$G/ca.crt" -noout -subject -nameopt RFC2253)"
check "fakeroot CA has another key" test "$(openssl x509 -in "$P/fakeroot/ca.crt" -noout -pubkey)" != "$(openssl x509 -in "$G/ca.crt" -noout -pubkey)"
check "foreign certs reuse the good names" test "$(openssl x509 -in "$P/foreign/slave-house.crt" -noout -subject -nameopt RFC2253)" = "subject=CN=slave-house,O=homedaemon"
check "rsa-slave has an RSA-2048 key" bash -c 'openssl x509 -in "$1" -noout -text | grep -q "Public-Key: (2048 bit)" && openssl x509 -in "$1" -noout -text | grep -q rsaEncryption' _ "$G/rsa-slave.crt"
got=$(eku "$G/rsa-slave.crt")
check "rsa-slave has the slave EKU" test "$got" = "${want[slave]}"
check "rsa-slave cert matches its key" cert_matches_key "$G/rsa-slave.crt" "$G/rsa-slave.key"
check "good/standby EKU is standby" test "$(eku "$G/standby.crt")" = "${want[standby]}"
check "good/web-as-slave EKU is web" test "$(eku "$G/web-as-slave.crt")" = "${want[web]}"
check "good/client-as-slave EKU is client" test "$(eku "$G/client-as-slave.crt")" = "${want[client]}"
check "good keys are 0600" bash -c 'for k in "$1"/*.key; do [ "$(stat -c %a "$k")" = 600 ] || exit 1; done' _ "$G"
check "gen-test-pki.sh can run again over the same OUTDIR" bash -c 'bash "$1" "$2" >/dev/null 2>&1' _ "$GEN" "$P"

echo "# $((count - failed))/$count PKI checks passed"
[ "$failed" -eq 0 ] || exit 1
exit 0
