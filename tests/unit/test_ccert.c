/*
 * The master's own check of an app's client certificate (master/auth/ccert.c)
 * against a throwaway PKI (tests/integration/gen-test-pki.sh, then
 * pki/hd-pki and openssl for the rest): a good chain names its user;
 * a forged CN from another CA, a revoked certificate, a certificate of
 * another role or without clientAuth, an RSA key, bytes that are not one
 * DER certificate and a chain past CLIENT_CHAIN_MAX are all refused.
 */

#include <sys/stat.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "check.h"
#include "hdlimits.h"
#include "../../master/auth/ccert.h"

#define GEN_PKI		"tests/integration/gen-test-pki.sh"
#define OID_CLIENT	"2.25.301785549677273497587788916755539482760.1.4"

static char		 pkidir[256];
static X509_STORE	*store;
static uint8_t		 der[CLIENT_CHAIN_MAX + 2][CLIENT_CERT_DER_MAX * 2];
static ProtobufCBinaryData chain[CLIENT_CHAIN_MAX + 2];
static char		 cn[USER_NAME_MAX + 1], serial[CLIENT_SERIAL_MAX + 1];
static char		 why[128];

/* The rest of the PKI: clients of both CAs, one revoked, one with an
 * RSA key, one with the client role but no clientAuth. */
static int
more_pki(void)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "set -e; P='%s'; G=$P/good; "
	    "pki() { bash pki/hd-pki \"$@\" >/dev/null 2>&1; }; "
	    "pki issue $G client alice; pki issue $G client carol; "
	    "pki revoke $G carol; pki issue $P/foreign client admin; "
	    "for k in rsa noauth; do "
	    "if [ $k = rsa ]; then openssl genpkey -algorithm RSA "
	    "-pkeyopt rsa_keygen_bits:2048 -out $G/$k.key 2>/dev/null; "
	    "eku='clientAuth, %s'; else openssl genpkey -algorithm EC "
	    "-pkeyopt ec_paramgen_curve:P-256 -out $G/$k.key; "
	    "eku='serverAuth, %s'; fi; "
	    "openssl req -new -key $G/$k.key -subj /O=homedaemon/CN=$k "
	    "-out $P/$k.csr; echo \"extendedKeyUsage = $eku\" >$P/$k.ext; "
	    "openssl x509 -req -in $P/$k.csr -CA $G/ca.crt -CAkey $G/ca.key "
	    "-set_serial 0x$(openssl rand -hex 8) -days 30 -sha256 "
	    "-extfile $P/$k.ext -out $G/$k.crt 2>/dev/null; done",
	    pkidir, OID_CLIENT, OID_CLIENT);
	fflush(stdout);
	return system(cmd) == 0 ? 0 : -1;
}

static X509_STORE *
make_store(void)
{
	X509_STORE	*st;
	X509_LOOKUP	*lk;
	char		 path[512];

	if ((st = X509_STORE_new()) == NULL)
		return NULL;
	snprintf(path, sizeof(path), "%s/good/ca.crt", pkidir);
	if (X509_STORE_load_file(st, path) != 1)
		return NULL;
	snprintf(path, sizeof(path), "%s/good/crl.pem", pkidir);
	if ((lk = X509_STORE_add_lookup(st, X509_LOOKUP_file())) == NULL ||
	    X509_load_crl_file(lk, path, X509_FILETYPE_PEM) <= 0)
		return NULL;
	X509_STORE_set_flags(st, X509_V_FLAG_CRL_CHECK);
	return st;
}

/* Certificate DIR/NAME.crt as DER into slot i. */
static int
load(int i, const char *dir, const char *name)
{
	char	 path[512];
	FILE	*f;
	X509	*x;
	uint8_t	*p = der[i];
	int	 n;

	snprintf(path, sizeof(path), "%s/%s/%s.crt", pkidir, dir, name);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (x == NULL || (n = i2d_X509(x, NULL)) <= 0 ||
	    n > (int)sizeof(der[i]) || i2d_X509(x, &p) != n) {
		X509_free(x);
		return -1;
	}
	X509_free(x);
	chain[i].data = der[i];
	chain[i].len = (size_t)n;
	return 0;
}

static enum ccert_status
one(const char *dir, const char *name)
{
	if (load(0, dir, name) == -1)
		return -1;
	return ccert_verify(store, chain, 1, cn, serial, why, sizeof(why));
}

static void
test_verify(void)
{
	int i;

	CHECK(one("good", "alice") == CCERT_OK && strcmp(cn, "alice") == 0 &&
	    strlen(serial) >= 2 && strlen(serial) <= CLIENT_SERIAL_MAX,
	    "a good client certificate names its user, with its serial");
	CHECK(ccert_verify(store, chain, 0, cn, serial, why, sizeof(why)) ==
	    CCERT_NONE && cn[0] == '\0', "no chain: no certificate call");
	CHECK(one("foreign", "admin") == CCERT_BAD && cn[0] == '\0' &&
	    serial[0] == '\0', "a forged CN (\"admin\") from another CA is "
	    "refused, naming nobody");
	printf("# %s\n", why);
	CHECK(one("good", "carol") == CCERT_REVOKED &&
	    strcmp(cn, "carol") == 0, "a revoked certificate is refused as "
	    "revoked (its CN only for the CRL gate's reason)");
	CHECK(one("good", "slave-house") == CCERT_BAD && cn[0] == '\0',
	    "a slave's certificate (clientAuth, no client role) is refused");
	CHECK(one("good", "web-as-slave") == CCERT_BAD,
	    "a web certificate (another role) is refused");
	CHECK(one("good", "noauth") == CCERT_BAD && strstr(why, "EKU") !=
	    NULL, "the client role without clientAuth is refused");
	CHECK(one("good", "rsa") == CCERT_BAD && strstr(why, "P-256") !=
	    NULL, "an RSA key is refused");

	for (i = 0; i < CLIENT_CHAIN_MAX + 1; i++)
		load(i, "good", "alice");
	CHECK(ccert_verify(store, chain, CLIENT_CHAIN_MAX, cn, serial, why,
	    sizeof(why)) == CCERT_OK, "a chain of CLIENT_CHAIN_MAX is taken");
	CHECK(ccert_verify(store, chain, CLIENT_CHAIN_MAX + 1, cn, serial,
	    why, sizeof(why)) == CCERT_BAD && cn[0] == '\0',
	    "a chain past CLIENT_CHAIN_MAX is refused");
	load(0, "good", "alice");
	chain[0].len++;
	CHECK(ccert_verify(store, chain, 1, cn, serial, why, sizeof(why)) ==
	    CCERT_BAD, "a byte after the DER certificate is refused");
	chain[0].len -= 2;
	CHECK(ccert_verify(store, chain, 1, cn, serial, why, sizeof(why)) ==
	    CCERT_BAD, "a certificate cut short is refused");
	chain[0].len = CLIENT_CERT_DER_MAX + 1;
	CHECK(ccert_verify(store, chain, 1, cn, serial, why, sizeof(why)) ==
	    CCERT_BAD, "a certificate over CLIENT_CERT_DER_MAX is refused");
	/* The issuing CA itself, as a "client": no client role, and a CA. */
	CHECK(one("good", "ca") == CCERT_BAD, "the CA's own certificate is "
	    "refused");
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
	char cmd[512];

	snprintf(pkidir, sizeof(pkidir), "%.200s/hd-test-ccert.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (!CHECK(mkdtemp(pkidir) != NULL, "make a temporary directory"))
		return check_done();
	snprintf(cmd, sizeof(cmd), "%s '%s' >/dev/null", GEN_PKI, pkidir);
	fflush(stdout);
	if (CHECK(system(cmd) == 0 && more_pki() == 0, "make a test PKI") &&
	    CHECK((store = make_store()) != NULL, "the installation's store"))
		test_verify();
	X509_STORE_free(store);
	CHECK(nftw(pkidir, rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0,
	    "remove the temporary directory");
	return check_done();
}
