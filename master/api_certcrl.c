/*
 * Revocation of app client certificates in the master (docs/SECURITY.md).
 * The web process verified the certificate against the CRL it read at
 * its start; it is chrooted and cannot read a new one. The master
 * reloads the installation CRL on SIGHUP (master.c, tls_reload()), so it
 * checks the serial the web process passed against the CRLs in its own
 * store at each call: a certificate revoked with `hd-pki revoke` stops
 * working at the next SIGHUP, without restarting anything.
 */

#include <openssl/bn.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "api_res.h"
#include "log.h"

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
}
