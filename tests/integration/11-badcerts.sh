#!/usr/bin/env bash
# Every bad certificate is refused at the TLS handshake, logged with the
# peer's address and the reason, and no protobuf from it is read. The
# slave refuses a master from another PKI, and neither daemon starts with
# a certificate of the wrong role.
. "$(dirname "$0")/lib.sh"

gen_pki
port=$(free_port)
G=$work/pki/good
master_conf master "$port" "$G" master
M=$work/master.log
start hd-master master
wait_log "$M" "listening on 127.0.0.1:$port" 5

# bad_peer DESC LOG-REGEX CERT-DIR NAME
bad_peer() {
	local d=$1 re=$2 dir=$3 n=$4 out
	out=$(rawpeer -a "127.0.0.1:$port" -m hello -t 5 \
		-c "$dir/$n.crt" -k "$dir/$n.key")
	check "$d: client sees a refusal ($out)" grep -q '^refused' <<<"$out"
	check "$d: master logs address and reason" \
		wait_log "$M" "connection from 127\.0\.0\.1:[0-9]+ refused: .*$re" 3
}

bad_peer "foreign CA" "unable to get local issuer" "$work/pki/foreign" slave-house
bad_peer "fake root with the real root's subject" "signature failure" \
	"$work/pki/fakeroot" slave-house
bad_peer "expired" "certificate has expired" "$G" slave-expired
bad_peer "not yet valid" "certificate is not yet valid" "$G" slave-notyet
bad_peer "revoked" "certificate revoked" "$G" slave-revoked
bad_peer "web certificate as slave" "(lacks the slave role|unsuitable certificate purpose)" "$G" web-as-slave
bad_peer "client certificate as slave" "lacks the slave role" "$G" client-as-slave
bad_peer "master certificate as slave" "of master lacks the slave role" "$G" master
# An RSA client cannot even sign with the ECDSA-only sigalgs we allow, so
# OpenSSL sends no certificate; were one sent, our key check refuses it.
bad_peer "RSA key" "(not ECDSA P-256|did not return a certificate)" "$G" rsa-slave

out=$(rawpeer -a "127.0.0.1:$port" -m hello -t 5)
check "no certificate: client sees a refusal ($out)" grep -q '^refused' <<<"$out"
check "no certificate: master logs it" \
	wait_log "$M" "connection from 127\.0\.0\.1:[0-9]+ refused: .*(did not return a certificate|no certificate)" 3

out=$(rawpeer -a "127.0.0.1:$port" -m hello -t 5 -n slave-barn \
	-c "$G/slave-house.crt" -k "$G/slave-house.key")
check "hello naming another node is refused ($out)" grep -q 'certificate is slave-house' <<<"$out"
check "node id mismatch is logged" \
	wait_log "$M" 'slave slave-house \(127.0.0.1:[0-9]+\) refused: hello names node "slave-barn"' 3

check "no refused peer ever got online" \
	test "$(count_log "$M" 'online')" -eq 0
check "only the good certificate passed the handshake" \
	test "$(count_log "$M" 'TLS from .* verified')" -eq 1
check "no frame was read from a refused handshake" \
	test "$(count_log "$M" 'frame|first message')" -eq 0
out=$(rawpeer -a "127.0.0.1:$port" -m hello -t 5 \
	-c "$G/slave-extra.crt" -k "$G/slave-extra.key")
check "a good slave is still welcome after all that ($out)" \
	grep -q '^welcome from master' <<<"$out"

# The slave side: a master from another PKI is refused by the slave.
fport=$(free_port)
master_conf fmaster "$fport" "$work/pki/foreign" master
start hd-master fmaster
wait_log "$work/fmaster.log" "listening" 5
slave_conf slave-house House "$fport" "$G"
start hd-slave slave-house
check "slave refuses a master from a foreign CA" \
	wait_log "$work/slave-house.log" "master at 127.0.0.1:$fport: certificate .*(unable to get local issuer|self-signed certificate in certificate chain)" 5
check "and never registers with it" \
	test "$(count_log "$work/slave-house.log" 'registered')" -eq 0

# Wrong own role: the daemons refuse to start.
master_conf wrongrole "$(free_port)" "$G" slave-house
out=$("$bin/hd-master" -n -f "$work/wrongrole.conf" 2>&1)
check "hd-master refuses to run with a slave certificate" \
	grep -q 'lacks the master role' <<<"$out"
slave_conf web-as-slave Web "$port" "$G"
out=$("$bin/hd-slave" -n -f "$work/web-as-slave.conf" 2>&1)
check "hd-slave refuses to run with a web certificate" \
	grep -q 'lacks the slave role' <<<"$out"
# Revoked while connected: SIGHUP reloads the CRL and drops the peer.
slave_conf slave-barn Barn "$port" "$G"
start hd-slave slave-barn
check "slave-barn online" wait_log "$M" 'slave slave-barn .*online' 5
"$top/pki/hd-pki" revoke "$G" slave-barn >/dev/null
kill -HUP "$(pid_of master)"
check "SIGHUP: revoked slave is dropped at once" \
	wait_log "$M" 'slave slave-barn .*offline: certificate no longer valid: certificate revoked' 3
check "revoked slave cannot come back" \
	wait_log "$M" 'refused: certificate /O=homedaemon/CN=slave-barn: certificate revoked' 5

# A stale CRL (past its next update) still revokes, but locks nobody out:
# slave-extra, online, is revoked in a CRL that is already out of date.
slave_conf slave-extra Extra "$port" "$G"
start hd-slave slave-extra
check "slave-extra online" wait_log "$M" 'slave slave-extra .*online' 5
"$top/pki/hd-pki" revoke "$G" slave-extra >/dev/null
# (hd-pki only issues CRLs valid for whole days; openssl makes a short one.)
HD_PKI_DIR=$G openssl ca -batch -config "$G/openssl.cnf" -gencrl -crlsec 1 \
	-out "$G/crl.pem" 2>/dev/null
sleep 1.5
kill -HUP "$(pid_of master)"
check "stale CRL: SIGHUP still drops the revoked slave" \
	wait_log "$M" 'slave slave-extra .*offline: certificate no longer valid: certificate revoked' 3
out=$(rawpeer -a "127.0.0.1:$port" -m hello -t 5 \
	-c "$G/slave-house.crt" -k "$G/slave-house.key" | tail -n 1)
check "stale CRL: a good slave is still welcome ($out)" \
	grep -q '^welcome from master' <<<"$out"
check "stale CRL: the master warns about it" \
	wait_log "$M" 'CRL: CRL has expired; renew it' 3
out=$(rawpeer -a "127.0.0.1:$port" -m hello -t 5 \
	-c "$G/slave-revoked.crt" -k "$G/slave-revoked.key" | tail -n 1)
check "stale CRL: a revoked slave is still refused ($out)" \
	grep -q '^refused' <<<"$out"
check "master still running" kill -0 "$(pid_of master)"
finish
