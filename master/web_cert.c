/*
 * Client certificates for apps (docs/SECURITY.md): the web listener asks
 * for a certificate from the installation CA but does not require one,
 * so a browser without one sees nothing different. A certificate that
 * verifies against the CA and its CRL, carries the `client` role and an
 * ECDSA P-256 key names its user by its CN; the web process passes that
 * CN and the serial to the master in ApiRequest, and the master decides
 * (master/api.c). Anything else presented is ignored for the call (the
 * caller may still use a session or a token) and logged.
 *
 * The handshake never fails over a client certificate: the verify
 * callback accepts everything and the result is read per call, because a
 * refused handshake would lock a user with a stale certificate out of
 * the password login too.
 */

#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "log.h"
#include "tls.h"
#include "web.h"

static int
accept_any(int ok, X509_STORE_CTX *xs)
{
	(void)ok;
	(void)xs;
	return 1;	/* judged per call by web_cert_fill() */
}

int
web_tls_clients(SSL_CTX *ctx, const char *ca, const char *crl)
{
	STACK_OF(X509_NAME)	*names;
	X509_STORE		*st = SSL_CTX_get_cert_store(ctx);
	X509_LOOKUP		*lk;

	if (ca == NULL)
		return 0;
	if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1 ||
	    (names = SSL_load_client_CA_file(ca)) == NULL)
		return -1;
	/* Only the installation CA is offered: a browser shows no
	 * certificate chooser unless it holds one from it. */
	SSL_CTX_set_client_CA_list(ctx, names);
	if (crl != NULL) {
		if ((lk = X509_STORE_add_lookup(st, X509_LOOKUP_file())) ==
		    NULL || X509_load_crl_file(lk, crl, X509_FILETYPE_PEM) <= 0)
			return -1;
		X509_STORE_set_flags(st, X509_V_FLAG_CRL_CHECK);
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, accept_any);
	SSL_CTX_set_verify_depth(ctx, WEB_CLIENT_CHAIN_MAX);
	return 0;
}

static void
serial_hex(X509 *x, char *out, size_t size)
{
	const ASN1_INTEGER	*sn = X509_get0_serialNumber(x);
	int			 i;

	out[0] = '\0';
	for (i = 0; i < sn->length && (size_t)(2 * i + 2) < size; i++)
		snprintf(out + 2 * i, 3, "%02X", sn->data[i]);
}

/* The CN if the certificate may name a user; else NULL after a log. */
static const char *
judge(SSL *ssl, X509 *x, const char *conn, char *cn, size_t size)
{
	long	 r = SSL_get_verify_result(ssl);
	int	 n;

	n = X509_NAME_get_text_by_NID(X509_get_subject_name(x),
	    NID_commonName, cn, (int)size);
	if (n <= 0 || (size_t)n >= size - 1 || strlen(cn) != (size_t)n) {
		log_info("%s: client certificate ignored: no usable CN", conn);
		return NULL;
	}
	if (!tls_verify_result_ok(r)) {
		log_info("%s: client certificate of \"%s\" ignored: %s", conn,
		    cn, X509_verify_cert_error_string(r));
		return NULL;
	}
	/* A serial cut short could miss the master's CRL check. */
	if (X509_get0_serialNumber(x)->length > CLIENT_SERIAL_MAX / 2) {
		log_info("%s: client certificate of \"%s\" ignored: serial "
		    "longer than 20 bytes", conn, cn);
		return NULL;
	}
	if ((tls_cert_roles(x) & ROLE_CLIENT) == 0 || !tls_key_ok(x)) {
		log_info("%s: client certificate of \"%s\" ignored: no client "
		    "role or not a P-256 key", conn, cn);
		return NULL;
	}
	return cn;
}

void
web_cert_fill(SSL *ssl, const char *conn, Hd__ApiRequest *r)
{
	static char	 cn[USER_NAME_MAX + 2];
	static char	 serial[CLIENT_SERIAL_MAX + 1];
	X509		*x;

	if (ssl == NULL || (x = SSL_get_peer_certificate(ssl)) == NULL)
		return;
	if (judge(ssl, x, conn, cn, sizeof(cn)) != NULL) {
		serial_hex(x, serial, sizeof(serial));
		r->client_cn = cn;
		r->client_serial = serial;
	}
	X509_free(x);
}
