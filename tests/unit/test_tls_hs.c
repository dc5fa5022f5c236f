/*
 * Unit tests for shared/tls.c, part of test_tls (test_tls.c has main()
 * and the test PKI): real TLS 1.3 handshakes over a socketpair, refused
 * clients, and established peers checked again after a CRL reload.
 */

#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#define CHECK_PART	/* of test_tls */
#include "check.h"
#include "hdlimits.h"
#include "tls.h"
#include "test_tls.h"

/* --- handshakes ------------------------------------------------------- */

struct hs {
	int	 srv, cli;		/* 1 done, -1 failed, 0 stuck */
	long	 srv_verify;
	char	 srv_why[WHYLEN], cli_why[WHYLEN];
	char	 peer_id[NODE_ID_MAX + 1];	/* server's view of the CN */
	int	 data_ok;
};

static void
hs_step(SSL *ssl, int *state)
{
	int r, e;

	ERR_clear_error();
	if ((r = SSL_do_handshake(ssl)) == 1) {
		*state = 1;
		return;
	}
	e = SSL_get_error(ssl, r);
	if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
		*state = -1;
	ERR_clear_error();
}

/* Exchange a few bytes once both sides are done. */
static int
exchange(SSL *c, SSL *s)
{
	char	buf[16];
	int	i, r = -1;

	if (SSL_write(c, "ping", 4) != 4)
		return 0;
	for (i = 0; i < 20 && r <= 0; i++)
		r = SSL_read(s, buf, sizeof(buf));
	if (r != 4 || memcmp(buf, "ping", 4) != 0)
		return 0;
	if (SSL_write(s, "pong", 4) != 4)
		return 0;
	for (i = 0, r = -1; i < 20 && r <= 0; i++)
		r = SSL_read(c, buf, sizeof(buf));
	return r == 4 && memcmp(buf, "pong", 4) == 0;
}

/* Pump a handshake between a fresh server and client SSL over a
 * non-blocking socketpair, alternately, in a bounded loop. With `keep`,
 * the server's SSL is handed back (sockets closed) instead of freed. */
static void
handshake_keep(SSL_CTX *sctx, SSL_CTX *cctx, struct hs *h, SSL **keep)
{
	SSL	*s = NULL, *c = NULL;
	X509	*peer;
	int	 sv[2], i;

	memset(h, 0, sizeof(*h));
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    sv) == -1)
		return;
	if ((s = SSL_new(sctx)) == NULL || (c = SSL_new(cctx)) == NULL ||
	    SSL_set_fd(s, sv[0]) != 1 || SSL_set_fd(c, sv[1]) != 1)
		goto out;
	tls_set_why(s, h->srv_why, sizeof(h->srv_why));
	tls_set_why(c, h->cli_why, sizeof(h->cli_why));
	SSL_set_accept_state(s);
	SSL_set_connect_state(c);
	for (i = 0; i < 200 && (h->srv == 0 || h->cli == 0); i++) {
		if (h->cli == 0)
			hs_step(c, &h->cli);
		if (h->srv == 0)
			hs_step(s, &h->srv);
	}
	h->srv_verify = SSL_get_verify_result(s);
	if (h->srv == 1 && (peer = SSL_get0_peer_certificate(s)) != NULL &&
	    tls_cert_node_id(peer, h->peer_id, sizeof(h->peer_id)) == -1)
		h->peer_id[0] = '\0';
	if (h->srv == 1 && h->cli == 1)
		h->data_ok = exchange(c, s);
out:
	if (keep != NULL) {
		*keep = s;
		s = NULL;
	}
	SSL_free(s);
	SSL_free(c);
	close(sv[0]);
	close(sv[1]);
	ERR_clear_error();
}

static void
handshake(SSL_CTX *sctx, SSL_CTX *cctx, struct hs *h)
{
	handshake_keep(sctx, cctx, h, NULL);
}

/* A plain TLS 1.3 client that trusts the good CA and presents `name`'s
 * certificate (none if NULL), with none of tls.c's own checks. */
static SSL_CTX *
raw_client(const char *dir, const char *name)
{
	SSL_CTX	*ctx;
	char	 crt[64], key[64];

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		return NULL;
	SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
	if (name != NULL) {
		snprintf(crt, sizeof(crt), "%s/%s.crt", dir, name);
		snprintf(key, sizeof(key), "%s/%s.key", dir, name);
		if (SSL_CTX_use_certificate_chain_file(ctx, P(crt)) != 1 ||
		    SSL_CTX_use_PrivateKey_file(ctx, P(key),
		    SSL_FILETYPE_PEM) != 1) {
			SSL_CTX_free(ctx);
			return NULL;
		}
	}
	if (SSL_CTX_load_verify_locations(ctx, P("good/ca.crt"), NULL) != 1) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	return ctx;
}

/* A refused client: the server must fail; returns the server's reason. */
static void
expect_refused(SSL_CTX *srv, const char *dir, const char *name,
    const char *why_has)
{
	SSL_CTX		*cli = raw_client(dir, name);
	struct hs	 h;
	const char	*label = name != NULL ? name : "(no certificate)";

	if (!CHECK(cli != NULL, "client context for %s/%s", dir, label))
		return;
	handshake(srv, cli, &h);
	CHECK(h.srv == -1, "master refuses %s/%s (server %d, client %d)", dir,
	    label, h.srv, h.cli);
	CHECK(h.data_ok == 0, "no data flows with %s/%s", dir, label);
	if (why_has != NULL)
		CHECK(strstr(h.srv_why, why_has) != NULL,
		    "reason for %s/%s mentions \"%s\": %s", dir, label,
		    why_has, h.srv_why);
	SSL_CTX_free(cli);
}

void
test_handshakes(void)
{
	struct tls_files	 fs, fc;
	SSL_CTX			*srv, *srv_nocrl, *cli, *fake;
	struct hs		 h;
	char			 err[256];

	fs = files("good/ca.crt", "good/master.crt", "good/master.key",
	    "good/crl.pem");
	srv = tls_ctx_new(&fs, 1, ROLE_MASTER, ROLE_SLAVE, err, sizeof(err));
	if (!CHECK(srv != NULL, "master server context%s%s", err[0] ? ": " : "", err))
		return;
	fs.crl = NULL;
	srv_nocrl = tls_ctx_new(&fs, 1, ROLE_MASTER, ROLE_SLAVE, err,
	    sizeof(err));
	CHECK(srv_nocrl != NULL, "master server context without CRL");

	/* The good case, through tls_ctx_new at both ends. */
	fc = files("good/ca.crt", "good/slave-house.crt",
	    "good/slave-house.key", "good/crl.pem");
	cli = tls_ctx_new(&fc, 0, ROLE_SLAVE, ROLE_MASTER, err, sizeof(err));
	if (CHECK(cli != NULL, "slave client context%s%s", err[0] ? ": " : "", err)) {
		handshake(srv, cli, &h);
		CHECK(h.srv == 1 && h.cli == 1,
		    "slave-house <-> master handshake succeeds (%d %d) %s %s",
		    h.srv, h.cli, h.srv_why, h.cli_why);
		CHECK(h.srv_verify == X509_V_OK && h.srv_why[0] == '\0' &&
		    h.cli_why[0] == '\0', "verified, no refusal reason");
		CHECK(strcmp(h.peer_id, "slave-house") == 0,
		    "master sees node id slave-house (%s)", h.peer_id);
		CHECK(h.data_ok, "application data flows both ways");
		SSL_CTX_free(cli);
	}
	fc = files("good/ca.crt", "good/standby.crt", "good/standby.key",
	    NULL);
	cli = tls_ctx_new(&fc, 0, ROLE_SLAVE, ROLE_MASTER, err, sizeof(err));
	if (CHECK(cli != NULL, "standby client context%s%s", err[0] ? ": " : "", err)) {
		handshake(srv, cli, &h);
		CHECK(h.srv == 1 && h.cli == 1 &&
		    strcmp(h.peer_id, "standby") == 0,
		    "standby (master+slave) is accepted as a slave");
		SSL_CTX_free(cli);
	}

	/* A plain client with a good certificate is accepted, so the
	 * refusals below are about the certificates, not the client. */
	if ((cli = raw_client("good", "slave-barn")) != NULL) {
		handshake(srv, cli, &h);
		CHECK(h.srv == 1 && h.data_ok,
		    "plain client with good/slave-barn is accepted");
		SSL_CTX_free(cli);
	}

	expect_refused(srv, "foreign", "slave-house", "certificate");
	expect_refused(srv, "fakeroot", "slave-house", "certificate");
	expect_refused(srv, "good", "slave-expired", "expired");
	expect_refused(srv, "good", "slave-notyet", "not yet valid");
	expect_refused(srv, "good", "slave-revoked", "revoked");
	expect_refused(srv, "good", "web-as-slave", NULL);
	expect_refused(srv, "good", "client-as-slave",
	    "client-as-slave lacks the slave role");
	expect_refused(srv, "good", "master", "master lacks the slave role");
	expect_refused(srv, "good", "rsa-slave", NULL);
	expect_refused(srv, "good", NULL, NULL);

	/* The CRL is what refuses slave-revoked; tls_reload brings it in. */
	if (srv_nocrl != NULL && (cli = raw_client("good", "slave-revoked"))
	    != NULL) {
		handshake(srv_nocrl, cli, &h);
		CHECK(h.srv == 1, "without the CRL, slave-revoked gets in");
		fs.crl = P("good/crl.pem");
		CHECK(tls_reload(srv_nocrl, &fs, err, sizeof(err)) == 0,
		    "tls_reload with the CRL");
		handshake(srv_nocrl, cli, &h);
		CHECK(h.srv == -1 && strstr(h.srv_why, "revoked") != NULL,
		    "after tls_reload, slave-revoked is refused: %s",
		    h.srv_why);
		fs.ca = P("good/missing-ca.crt");
		err[0] = '\0';
		CHECK(tls_reload(srv_nocrl, &fs, err, sizeof(err)) == -1 &&
		    strstr(err, "cannot load CA") != NULL,
		    "tls_reload with a missing CA fails: %s", err);
		handshake(srv_nocrl, cli, &h);
		CHECK(h.srv == -1, "a failed reload keeps the previous store");
		SSL_CTX_free(cli);
	}
	if (srv_nocrl != NULL && (cli = raw_client("good", "slave-house"))
	    != NULL) {
		handshake(srv_nocrl, cli, &h);
		CHECK(h.srv == 1, "good slaves still get in after the reloads");
		SSL_CTX_free(cli);
	}

	/* The slave refuses a "master" that is not one. */
	fc = files("good/ca.crt", "good/slave-house.crt",
	    "good/slave-house.key", "good/crl.pem");
	cli = tls_ctx_new(&fc, 0, ROLE_SLAVE, ROLE_MASTER, err, sizeof(err));
	fs = files("good/ca.crt", "good/slave-barn.crt", "good/slave-barn.key",
	    NULL);
	fake = tls_ctx_new(&fs, 1, ROLE_SLAVE, ROLE_SLAVE, err, sizeof(err));
	if (CHECK(cli != NULL && fake != NULL, "fake master context with a "
	    "slave certificate")) {
		handshake(fake, cli, &h);
		CHECK(h.cli == -1, "slave refuses a master presenting a slave "
		    "certificate (client %d, server %d)", h.cli, h.srv);
		CHECK(h.cli_why[0] != '\0', "with a reason: %s", h.cli_why);
		CHECK(h.srv != 1 || h.data_ok == 0, "no data flows");
	}
	SSL_CTX_free(fake);
	fs = files("good/ca.crt", "good/web-as-slave.crt",
	    "good/web-as-slave.key", NULL);
	fake = tls_ctx_new(&fs, 1, ROLE_WEB, ROLE_SLAVE, err, sizeof(err));
	if (cli != NULL && CHECK(fake != NULL, "fake master context with a "
	    "web certificate")) {
		handshake(fake, cli, &h);
		CHECK(h.cli == -1 && strstr(h.cli_why,
		    "web-as-slave lacks the master role") != NULL,
		    "slave refuses a web certificate as master: %s", h.cli_why);
	}
	SSL_CTX_free(fake);
	fs = files("foreign/ca.crt", "foreign/master.crt", "foreign/master.key",
	    NULL);
	fake = tls_ctx_new(&fs, 1, ROLE_MASTER, ROLE_SLAVE, err, sizeof(err));
	if (cli != NULL && CHECK(fake != NULL, "foreign master context")) {
		handshake(fake, cli, &h);
		CHECK(h.cli == -1 && h.cli_why[0] != '\0',
		    "slave refuses a master of a foreign CA: %s", h.cli_why);
	}
	SSL_CTX_free(fake);
	fs = files("good/ca.crt", "fakeroot/master.crt", "fakeroot/master.key",
	    NULL);
	fake = tls_ctx_new(&fs, 1, ROLE_MASTER, ROLE_SLAVE, err, sizeof(err));
	if (cli != NULL && CHECK(fake != NULL, "fakeroot master context")) {
		handshake(fake, cli, &h);
		CHECK(h.cli == -1 && h.cli_why[0] != '\0',
		    "slave refuses a master signed by a look-alike CA: %s",
		    h.cli_why);
	}
	SSL_CTX_free(fake);
	SSL_CTX_free(cli);

	SSL_CTX_free(srv);
	SSL_CTX_free(srv_nocrl);
}

/*
 * tls_reverify: established peers checked again after a reload (SIGHUP),
 * and tls_verify_result_ok: which verify results are lived with.
 */
void
test_reverify(void)
{
	struct tls_files	 fs;
	SSL_CTX			*srv, *cli_rev, *cli_good;
	SSL			*s_rev = NULL, *s_good = NULL;
	struct hs		 h;
	char			 err[256], why[WHYLEN];

	CHECK(tls_verify_result_ok(X509_V_OK), "verify result OK is ok");
	CHECK(tls_verify_result_ok(X509_V_ERR_CRL_HAS_EXPIRED) &&
	    tls_verify_result_ok(X509_V_ERR_CRL_NOT_YET_VALID),
	    "an out-of-date CRL is lived with");
	CHECK(!tls_verify_result_ok(X509_V_ERR_CERT_REVOKED) &&
	    !tls_verify_result_ok(X509_V_ERR_CERT_HAS_EXPIRED) &&
	    !tls_verify_result_ok(X509_V_ERR_APPLICATION_VERIFICATION) &&
	    !tls_verify_result_ok(X509_V_ERR_UNABLE_TO_GET_CRL),
	    "revoked, expired, wrong role, missing CRL are not");

	fs = files("good/ca.crt", "good/master.crt", "good/master.key", NULL);
	srv = tls_ctx_new(&fs, 1, ROLE_MASTER, ROLE_SLAVE, err, sizeof(err));
	cli_rev = raw_client("good", "slave-revoked");
	cli_good = raw_client("good", "slave-house");
	if (!CHECK(srv != NULL && cli_rev != NULL && cli_good != NULL,
	    "contexts for tls_reverify"))
		goto out;
	handshake_keep(srv, cli_rev, &h, &s_rev);
	CHECK(h.srv == 1 && s_rev != NULL, "slave-revoked connected (no CRL "
	    "yet)");
	handshake_keep(srv, cli_good, &h, &s_good);
	CHECK(h.srv == 1 && s_good != NULL, "slave-house connected");
	if (s_rev == NULL || s_good == NULL)
		goto out;
	CHECK(tls_reverify(srv, s_rev, why, sizeof(why)) == 0,
	    "tls_reverify before the CRL: still good");
	fs.crl = P("good/crl.pem");
	CHECK(tls_reload(srv, &fs, err, sizeof(err)) == 0, "reload with CRL");
	why[0] = '\0';
	CHECK(tls_reverify(srv, s_rev, why, sizeof(why)) == -1 &&
	    strstr(why, "revoked") != NULL,
	    "tls_reverify after the CRL: slave-revoked no longer valid: %s",
	    why);
	CHECK(tls_reverify(srv, s_good, why, sizeof(why)) == 0,
	    "tls_reverify after the CRL: slave-house still good");

	/* A stale CRL (past its next update) still revokes. */
	setenv("HD_PKI_DIR", P("good"), 1);
	snprintf(err, sizeof(err), "openssl ca -batch -config '%s' -gencrl "
	    "-crlsec 1 -out '%s' >/dev/null 2>&1", P("good/openssl.cnf"),
	    P("stale-crl.pem"));
	if (CHECK(system(err) == 0, "make a CRL valid for one second")) {
		sleep(2);
		fs.crl = P("stale-crl.pem");
		CHECK(tls_reload(srv, &fs, err, sizeof(err)) == 0,
		    "reload with the stale CRL");
		CHECK(tls_reverify(srv, s_good, why, sizeof(why)) == 0,
		    "stale CRL: tls_reverify keeps a good peer");
		CHECK(tls_reverify(srv, s_rev, why, sizeof(why)) == -1,
		    "stale CRL: tls_reverify still drops the revoked one");
		handshake(srv, cli_good, &h);
		CHECK(h.srv == 1, "stale CRL: a good slave still gets in");
		handshake(srv, cli_rev, &h);
		CHECK(h.srv == -1 && strstr(h.srv_why, "revoked") != NULL,
		    "stale CRL: a revoked slave is still refused: %s",
		    h.srv_why);
	}
out:
	SSL_free(s_rev);
	SSL_free(s_good);
	SSL_CTX_free(cli_rev);
	SSL_CTX_free(cli_good);
	SSL_CTX_free(srv);
}
