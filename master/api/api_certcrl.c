/*
 * Revocation of app client certificates in the master (docs/SECURITY.md).
 * The web process verified the certificate against the CRL it read at
 * its start; it is chrooted and cannot read a new one. The master
 * reloads the installation CRL on SIGHUP (master.c, tls_reload()), so it
 * checks the serial the web process passed against the CRLs in its own
 * store at each call: a certificate revoked with `hd-pki revoke` stops
 * working at the next SIGHUP, without restarting anything. An event
 * stream outlives the call that opened it, so the serials of the streams
 * opened with a certificate are kept (at most STREAM_MAX, the newest) and
 * checked again after each reload: a revoked one's streams end at once
 * instead of at their re-authorization (STREAM_MAX_MS).
 */

#include <openssl/bn.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <string.h>

#include "api/api_res.h"
#include "api/api_stream.h"
#include "log.h"

struct certstream {
	char	serial[CLIENT_SERIAL_MAX + 1];
	char	key[API_KEY_LEN + 1];
};

/* The master is one per process: its certificate streams, a ring. */
static struct certstream	certstreams[STREAM_MAX];
static int			ncertstreams, nextcs;

/* Is `serial` (hex) on a CRL of the master's current store? */
static const char *
revoked(void *arg, const char *serial)
{
	struct master		*m = arg;
	STACK_OF(X509_OBJECT)	*objs;
	X509_OBJECT		*o;
	X509_REVOKED		*rev;
	ASN1_INTEGER		*sn = NULL;
	BIGNUM			*bn = NULL;
	const char		*why = NULL;
	int			 i;

	if (m->ctx == NULL || serial == NULL || serial[0] == '\0')
		return NULL;
	if (BN_hex2bn(&bn, serial) == 0 || (sn = BN_to_ASN1_INTEGER(bn,
	    NULL)) == NULL) {
		why = "client certificate with an unreadable serial";
		goto out;
	}
	objs = X509_STORE_get0_objects(SSL_CTX_get_cert_store(m->ctx));
	for (i = 0; i < sk_X509_OBJECT_num(objs); i++) {
		o = sk_X509_OBJECT_value(objs, i);
		if (X509_OBJECT_get_type(o) == X509_LU_CRL &&
		    X509_CRL_get0_by_serial(X509_OBJECT_get0_X509_CRL(o),
		    &rev, sn) == 1) {
			why = "client certificate revoked";
			break;
		}
	}
out:
	ASN1_INTEGER_free(sn);
	BN_free(bn);
	return why;
}

void
api_certcrl_init(struct master *m)
{
	api_cert_gate(m->api, revoked, m);
	ncertstreams = nextcs = 0;
}

void
api_certcrl_stream(const char *serial, const char *key)
{
	struct certstream	*cs;
	int			 i;

	for (i = 0; i < ncertstreams; i++)
		if (strcmp(certstreams[i].key, key) == 0)
			return;
	cs = &certstreams[nextcs];
	nextcs = (nextcs + 1) % STREAM_MAX;
	if (ncertstreams < STREAM_MAX)
		ncertstreams++;
	snprintf(cs->serial, sizeof(cs->serial), "%s", serial);
	snprintf(cs->key, sizeof(cs->key), "%s", key);
}

/* After a CRL reload: end the streams of certificates now revoked. A
 * stream already closed costs a drop message that matches nothing. */
int
api_certcrl_recheck(struct master *m)
{
	int i, n = 0;

	for (i = 0; i < ncertstreams; i++)
		if (certstreams[i].key[0] != '\0' &&
		    revoked(m, certstreams[i].serial) != NULL) {
			log_info("api: client certificate %s revoked: its "
			    "streams end", certstreams[i].serial);
			api_stream_drop(m, NULL, certstreams[i].key);
			certstreams[i].key[0] = '\0';
			n++;
		}
	return n;
}
