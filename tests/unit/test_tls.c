/*
 * Unit tests for shared/tls.c: certificate roles and checks, context
 * set-up, and real TLS 1.3 handshakes over a socketpair against a
 * throwaway PKI made by tests/integration/gen-test-pki.sh at run time.
 * Run from the repository root.
 */

#include <sys/socket.h>
#include <sys/stat.h>

#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "check.h"
#include "hdlimits.h"
#include "tls.h"

#define GEN_PKI		"tests/integration/gen-test-pki.sh"
#define WHYLEN		192	/* as struct conn's why[] */

static char	pkidir[256];

/* "good/master.crt" -> "<pkidir>/good/master.crt", from a small ring. */
static const char *
P(const char *rel)
{
	static char	ring[16][512];
	static int	next;
	char		*p = ring[next++ % 16];

	if (rel == NULL)
		return NULL;
	snprintf(p, sizeof(ring[0]), "%.255s/%.200s", pkidir, rel);
	return p;
}

static X509 *
load_cert(const char *rel)
{
	FILE	*f;
	X509	*x = NULL;

	if ((f = fopen(P(rel), "r")) == NULL)
		return NULL;
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	return x;
}

/* tls_files for DIR/NAME.crt + .key, trusting DIR's CA (or `ca`). */
static struct tls_files
files(const char *ca, const char *cert, const char *key, const char *crl)
{
	struct tls_files f;

	f.ca = P(ca);
	f.cert = P(cert);
	f.key = P(key);
	f.crl = P(crl);
	return f;
}

/* --- certificate inspection ----------------------------------------- */

static void
test_roles(void)
{
	static const struct {
		const char	*crt;
		int		 roles;
	} want[] = {
		{ "good/master.crt", ROLE_MASTER },
		{ "good/standby.crt", ROLE_MASTER | ROLE_SLAVE },
		{ "good/slave-house.crt", ROLE_SLAVE },
		{ "good/slave-barn.crt", ROLE_SLAVE },
		{ "good/web-as-slave.crt", ROLE_WEB },
		{ "good/client-as-slave.crt", ROLE_CLIENT },
		{ "good/rsa-slave.crt", ROLE_SLAVE },
		{ "good/ca.crt", 0 },
		{ "foreign/master.crt", ROLE_MASTER },
	};
	size_t	 i;
	X509	*x;
	int	 r;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if ((x = load_cert(want[i].crt)) == NULL) {
			CHECK(0, "load %s", want[i].crt);
			continue;
		}
		r = tls_cert_roles(x);
		CHECK(r == want[i].roles, "tls_cert_roles(%s) = 0x%x (got 0x%x)",
		    want[i].crt, want[i].roles, r);
		X509_free(x);
	}

	CHECK(strcmp(tls_role_name(ROLE_MASTER), "master") == 0 &&
	    strcmp(tls_role_name(ROLE_SLAVE), "slave") == 0 &&
	    strcmp(tls_role_name(ROLE_WEB), "web") == 0 &&
	    strcmp(tls_role_name(ROLE_CLIENT), "client") == 0,
	    "tls_role_name for each role");
	CHECK(strcmp(tls_role_name(0), "none") == 0,
	    "tls_role_name(0) is \"none\"");
}

static void
test_leaf(void)
{
	X509	*slave = load_cert("good/slave-house.crt");
	X509	*master = load_cert("good/master.crt");
	X509	*rsa = load_cert("good/rsa-slave.crt");
	X509	*web = load_cert("good/web-as-slave.crt");
	X509	*ca = load_cert("good/ca.crt");
	char	 why[160], id[NODE_ID_MAX + 1], small[8];

	if (!CHECK(slave && master && rsa && web && ca, "load certificates"))
		goto out;

	CHECK(tls_cert_node_id(slave, id, sizeof(id)) == 0 &&
	    strcmp(id, "slave-house") == 0, "tls_cert_node_id(slave-house)");
	CHECK(tls_cert_node_id(master, id, sizeof(id)) == 0 &&
	    strcmp(id, "master") == 0, "tls_cert_node_id(master)");
	CHECK(tls_cert_node_id(rsa, id, sizeof(id)) == 0 &&
	    strcmp(id, "rsa-slave") == 0, "tls_cert_node_id(rsa-slave)");
	memset(small, 'z', sizeof(small));
	CHECK(tls_cert_node_id(slave, small, sizeof(small)) == -1 &&
	    small[0] == 'z', "tls_cert_node_id refuses a buffer shorter than "
	    "NODE_ID_MAX+1 and leaves it alone");
	CHECK(tls_cert_node_id(ca, id, sizeof(id)) == -1,
	    "the CA's CN is not a valid node id");

	CHECK(tls_key_ok(slave) && tls_key_ok(master),
	    "tls_key_ok: P-256 keys accepted");
	CHECK(!tls_key_ok(rsa), "tls_key_ok: RSA key refused");

	why[0] = '\0';
	CHECK(tls_check_leaf(slave, ROLE_SLAVE, why, sizeof(why)) == 0,
	    "tls_check_leaf(slave-house, slave) passes");
	CHECK(tls_check_leaf(master, ROLE_MASTER, why, sizeof(why)) == 0,
	    "tls_check_leaf(master, master) passes");
	why[0] = '\0';
	CHECK(tls_check_leaf(slave, ROLE_MASTER, why, sizeof(why)) == -1 &&
	    strstr(why, "slave-house") != NULL &&
	    strstr(why, "lacks the master role") != NULL,
	    "tls_check_leaf(slave-house, master) refused: %s", why);
	why[0] = '\0';
	CHECK(tls_check_leaf(web, ROLE_SLAVE, why, sizeof(why)) == -1 &&
	    strstr(why, "lacks the slave role") != NULL,
	    "tls_check_leaf(web-as-slave, slave) refused: %s", why);
	why[0] = '\0';
	CHECK(tls_check_leaf(rsa, ROLE_SLAVE, why, sizeof(why)) == -1 &&
	    strstr(why, "P-256") != NULL,
	    "tls_check_leaf(rsa-slave, slave) refused: %s", why);
	why[0] = '\0';
	CHECK(tls_check_leaf(ca, ROLE_SLAVE, why, sizeof(why)) == -1 &&
	    strstr(why, "node id") != NULL,
	    "tls_check_leaf(CA certificate) refused: %s", why);
out:
	X509_free(slave);
	X509_free(master);
	X509_free(rsa);
	X509_free(web);
	X509_free(ca);
}

/* --- contexts --------------------------------------------------------- */

static void
test_ctx(void)
{
	struct tls_files	 f;
	SSL_CTX			*ctx;
	char			 err[256], ebuf[256];

	f = files("good/ca.crt", "good/master.crt", "good/master.key",
	    "good/crl.pem");
	ctx = tls_ctx_new(&f, 1, ROLE_MASTER, ROLE_SLAVE, err, sizeof(err));
	CHECK(ctx != NULL && err[0] == '\0',
	    "tls_ctx_new: master server (own master, peer slave)");
	if (ctx != NULL)
		CHECK(SSL_CTX_get_min_proto_version(ctx) == TLS1_3_VERSION,
		    "the context is TLS 1.3 only");
	SSL_CTX_free(ctx);

	f = files("good/ca.crt", "good/standby.crt", "good/standby.key",
	    NULL);
	ctx = tls_ctx_new(&f, 1, ROLE_MASTER, ROLE_SLAVE, err, sizeof(err));
	CHECK(ctx != NULL, "tls_ctx_new: standby certificate as master");
	SSL_CTX_free(ctx);
	ctx = tls_ctx_new(&f, 0, ROLE_SLAVE, ROLE_MASTER, err, sizeof(err));
	CHECK(ctx != NULL, "tls_ctx_new: standby certificate as slave");
	SSL_CTX_free(ctx);

	f = files("good/ca.crt", "good/slave-house.crt", "good/slave-house.key",
	    NULL);
	ctx = tls_ctx_new(&f, 0, ROLE_SLAVE, ROLE_MASTER, err, sizeof(err));
	CHECK(ctx != NULL, "tls_ctx_new: slave client");
	SSL_CTX_free(ctx);

	ctx = tls_ctx_new(&f, 1, ROLE_MASTER, ROLE_SLAVE, err, sizeof(err));
	CHECK(ctx == NULL && strstr(err, "lacks the master role") != NULL,
	    "tls_ctx_new: slave certificate configured as master refused: %s",
	    err);
	SSL_CTX_free(ctx);

	f = files("good/ca.crt", "good/master.crt", "good/slave-house.key",
	    NULL);
	err[0] = '\0';
	ctx = tls_ctx_new(&f, 1, ROLE_MASTER, ROLE_SLAVE, err, sizeof(err));
	CHECK(ctx == NULL && strstr(err, "does not match") != NULL,
	    "tls_ctx_new: key of another certificate refused: %s", err);
	SSL_CTX_free(ctx);

	f = files("good/ca.crt", "good/rsa-slave.crt", "good/rsa-slave.key",
	    NULL);
	ctx = tls_ctx_new(&f, 0, ROLE_SLAVE, ROLE_MASTER, err, sizeof(err));
	CHECK(ctx == NULL && strstr(err, "P-256") != NULL,
	    "tls_ctx_new: own RSA certificate refused: %s", err);
	SSL_CTX_free(ctx);

	f = files("good/ca.crt", "good/nope.crt", "good/master.key", NULL);
	ctx = tls_ctx_new(&f, 1, ROLE_MASTER, ROLE_SLAVE, err, sizeof(err));
	CHECK(ctx == NULL && strstr(err, "cannot load certificate") != NULL,
	    "tls_ctx_new: missing certificate file: %s", err);
	SSL_CTX_free(ctx);

	f = files("good/nope-ca.crt", "good/master.crt", "good/master.key",
	    NULL);
	ctx = tls_ctx_new(&f, 1, ROLE_MASTER, ROLE_SLAVE, err, sizeof(err));
	CHECK(ctx == NULL && strstr(err, "cannot load CA") != NULL,
	    "tls_ctx_new: missing CA file: %s", err);
	SSL_CTX_free(ctx);

	f = files("good/ca.crt", "good/master.crt", "good/master.key",
	    "good/nope-crl.pem");
	ctx = tls_ctx_new(&f, 1, ROLE_MASTER, ROLE_SLAVE, err, sizeof(err));
	CHECK(ctx == NULL && strstr(err, "cannot load CRL") != NULL,
	    "tls_ctx_new: missing CRL file: %s", err);
	SSL_CTX_free(ctx);

	f = files("good/ca.crt", "good/master.crt", "good/master.key",
	    "good/master.crt");
	ctx = tls_ctx_new(&f, 1, ROLE_MASTER, ROLE_SLAVE, err, sizeof(err));
	CHECK(ctx == NULL && strstr(err, "cannot load CRL") != NULL,
	    "tls_ctx_new: a certificate as CRL file is refused: %s", err);
	SSL_CTX_free(ctx);

	/* A FIFO as the CA or CRL: OpenSSL's own loaders would wait for a
	 * writer (in the master's loop, on SIGHUP); refused at once. */
	f = files("good/ca.crt", "good/master.crt", "good/master.key", NULL);
	ctx = tls_ctx_new(&f, 1, ROLE_MASTER, ROLE_SLAVE, err, sizeof(err));
	alarm(10);
	f.crl = P("good/fifo-crl.pem");
	CHECK(ctx != NULL && mkfifo(f.crl, 0600) == 0 && tls_reload(ctx, &f,
	    err, sizeof(err)) == -1 && strstr(err, "not a regular file") !=
	    NULL, "tls_reload: a FIFO as the CRL is refused at once: %s", err);
	f.crl = NULL;
	f.ca = P("good/fifo-crl.pem");
	CHECK(ctx != NULL && tls_reload(ctx, &f, err, sizeof(err)) == -1 &&
	    strstr(err, "cannot load CA") != NULL, "tls_reload: a FIFO as the "
	    "CA too: %s", err);
	f.ca = P("good/ca.crt");
	f.cert = P("good/fifo-crl.pem");
	SSL_CTX_free(tls_ctx_new(&f, 1, ROLE_MASTER, ROLE_SLAVE, err,
	    sizeof(err)));
	CHECK(strstr(err, "cannot load certificate") != NULL &&
	    strstr(err, "not a regular file") != NULL, "tls_ctx_new: a FIFO "
	    "as the own certificate is refused at once: %s", err);
	f.cert = P("good/master.crt");
	f.key = P("good/fifo-crl.pem");
	SSL_CTX_free(tls_ctx_new(&f, 1, ROLE_MASTER, ROLE_SLAVE, err,
	    sizeof(err)));
	CHECK(strstr(err, "cannot load key") != NULL &&
	    strstr(err, "not a regular file") != NULL, "tls_ctx_new: a FIFO "
	    "as the key too: %s", err);
	f.key = P("good/master.key");
	alarm(0);
	unlink(P("good/fifo-crl.pem"));
	f.ca = P("good/ca.crt");
	f.crl = P("good/crl.pem");
	err[0] = '\0';
	CHECK(ctx != NULL && tls_reload(ctx, &f, err, sizeof(err)) == 0,
	    "tls_reload: the CA and a good CRL still load (%s)", err);
	SSL_CTX_free(ctx);

	/* tls_errstr: "" when the queue is empty, a text otherwise */
	ERR_clear_error();
	CHECK(strcmp(tls_errstr(ebuf, sizeof(ebuf)), "") == 0,
	    "tls_errstr with no error is \"\"");
	ERR_put_error(ERR_LIB_SSL, 0, SSL_R_NO_CERTIFICATE_ASSIGNED,
	    __FILE__, __LINE__);
	CHECK(strlen(tls_errstr(ebuf, sizeof(ebuf))) > 0 &&
	    ERR_peek_error() == 0, "tls_errstr takes the error text and "
	    "clears the queue");
}

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

static void
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
static void
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

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int
main(void)
{
	char	 cmd[512];
	int	 r;

	signal(SIGPIPE, SIG_IGN);
	snprintf(pkidir, sizeof(pkidir), "%.200s/hd-test-tls.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (!CHECK(mkdtemp(pkidir) != NULL, "make a temporary directory"))
		return check_done();
	if (!CHECK(access(GEN_PKI, X_OK) == 0, "%s found (run from the "
	    "repository root)", GEN_PKI))
		goto out;
	snprintf(cmd, sizeof(cmd), "%s '%s' >/dev/null", GEN_PKI, pkidir);
	fflush(stdout);
	r = system(cmd);
	if (!CHECK(r == 0, "generate a test PKI with %s", GEN_PKI))
		goto out;

	test_roles();
	test_leaf();
	test_ctx();
	test_handshakes();
	test_reverify();
out:
	CHECK(nftw(pkidir, rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0,
	    "remove the temporary directory");
	return check_done();
}
