/*
 * Unit tests for shared/tls.c: certificate roles and checks, context
 * set-up, and real TLS 1.3 handshakes over a socketpair against a
 * throwaway PKI made by tests/integration/gen-test-pki.sh at run time.
 * Run from the repository root. The handshakes are in test_tls_hs.c,
 * linked into the same program.
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

#define CHECK_PARTS	/* with test_tls_hs.c */
#include "check.h"
#include "hdlimits.h"
#include "tls.h"
#include "test_tls.h"

#define GEN_PKI		"tests/integration/gen-test-pki.sh"

static char	pkidir[256];

/* "good/master.crt" -> "<pkidir>/good/master.crt", from a small ring. */
const char *
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
struct tls_files
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
