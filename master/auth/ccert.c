/*
 * The master's own check of an app's client certificate (ccert.h). The
 * web process faces the network; if it were taken over, a CN it merely
 * named would let it act as any user, admin included. So it passes the
 * DER chain it was shown and the master verifies it from scratch.
 */

#include <stdio.h>
#include <string.h>

#include <openssl/x509v3.h>

#include "auth/ccert.h"
#include "tls.h"

/* Stop at the first error, except a stale CRL (warn but accept, as on
 * the cluster link: docs/SECURITY.md, "Stale CRL policy"). */
static int
verify_cb(int ok, X509_STORE_CTX *xs)
{
	return ok || tls_verify_result_ok(X509_STORE_CTX_get_error(xs));
}

static STACK_OF(X509) *
decode(const ProtobufCBinaryData *chain, size_t n)
{
	STACK_OF(X509)	*sk;
	const uint8_t	*p;
	X509		*x;
	size_t		 i;

	if ((sk = sk_X509_new_null()) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		p = chain[i].data;
		if (chain[i].len == 0 || chain[i].len > CLIENT_CERT_DER_MAX ||
		    (x = d2i_X509(NULL, &p, (long)chain[i].len)) == NULL)
			goto bad;
		if (p != chain[i].data + chain[i].len ||
		    sk_X509_push(sk, x) == 0) {	/* trailing bytes */
			X509_free(x);
			goto bad;
		}
	}
	return sk;
bad:
	sk_X509_pop_free(sk, X509_free);
	return NULL;
}

/* The chain against the store; X509_V_OK or the first error. */
static long
chain_ok(X509_STORE *store, STACK_OF(X509) *sk)
{
	X509_STORE_CTX	*xs;
	long		 err = X509_V_ERR_UNSPECIFIED;

	if ((xs = X509_STORE_CTX_new()) == NULL)
		return err;
	if (X509_STORE_CTX_init(xs, store, sk_X509_value(sk, 0), sk) == 1) {
		X509_STORE_CTX_set_verify_cb(xs, verify_cb);
		X509_STORE_CTX_set_depth(xs, WEB_CLIENT_CHAIN_MAX);
		X509_STORE_CTX_set_purpose(xs, X509_PURPOSE_SSL_CLIENT);
		X509_verify_cert(xs);
		err = X509_STORE_CTX_get_error(xs);
		if (tls_verify_result_ok(err))
			err = X509_V_OK;
	}
	X509_STORE_CTX_free(xs);
	return err;
}

/* Exactly one CN, a C string of at most USER_NAME_MAX bytes. */
static int
leaf_cn(X509 *x, char *cn)
{
	X509_NAME	*nm = X509_get_subject_name(x);
	int		 i, n;

	if ((i = X509_NAME_get_index_by_NID(nm, NID_commonName, -1)) < 0 ||
	    X509_NAME_get_index_by_NID(nm, NID_commonName, i) >= 0)
		return -1;
	n = X509_NAME_get_text_by_NID(nm, NID_commonName, cn,
	    USER_NAME_MAX + 1);
	return n <= 0 || n > USER_NAME_MAX || strlen(cn) != (size_t)n ?
	    -1 : 0;
}

static int
leaf_serial(X509 *x, char *out)
{
	const ASN1_INTEGER	*sn = X509_get0_serialNumber(x);
	int			 i;

	if (sn->length <= 0 || sn->length > CLIENT_SERIAL_MAX / 2)
		return -1;
	for (i = 0; i < sn->length; i++)
		snprintf(out + 2 * i, 3, "%02X", sn->data[i]);
	return 0;
}

/* clientAuth and the `client` role, both in an EKU extension. */
static int
leaf_eku(X509 *x)
{
	return (X509_get_extension_flags(x) & EXFLAG_XKUSAGE) != 0 &&
	    (X509_get_extended_key_usage(x) & XKU_SSL_CLIENT) != 0 &&
	    (tls_cert_roles(x) & ROLE_CLIENT) != 0;
}

enum ccert_status
ccert_verify(X509_STORE *store, const ProtobufCBinaryData *chain, size_t n,
    char *cn, char *serial, char *why, size_t whylen)
{
	STACK_OF(X509)		*sk;
	X509			*leaf;
	enum ccert_status	 st = CCERT_BAD;
	long			 err;

	cn[0] = serial[0] = '\0';
	if (n == 0)
		return CCERT_NONE;
	if (n > CLIENT_CHAIN_MAX || (sk = decode(chain, n)) == NULL) {
		snprintf(why, whylen, "undecodable or too long a chain");
		return CCERT_BAD;
	}
	leaf = sk_X509_value(sk, 0);
	if (leaf_cn(leaf, cn) == -1 || leaf_serial(leaf, serial) == -1)
		snprintf(why, whylen, "no single usable CN or serial");
	else if (!leaf_eku(leaf))
		snprintf(why, whylen, "no clientAuth and client role EKU");
	else if (!tls_key_ok(leaf))
		snprintf(why, whylen, "not an ECDSA P-256 key");
	else if ((err = chain_ok(store, sk)) == X509_V_ERR_CERT_REVOKED) {
		snprintf(why, whylen, "certificate revoked");
		st = CCERT_REVOKED;
	} else if (err != X509_V_OK)
		snprintf(why, whylen, "%s",
		    X509_verify_cert_error_string(err));
	else
		st = CCERT_OK;
	if (st == CCERT_BAD)
		cn[0] = serial[0] = '\0';
	sk_X509_pop_free(sk, X509_free);
	return st;
}
