/*
 * Client certificates for apps (docs/SECURITY.md): the web listener asks
 * for a certificate from the installation CA but does not require one,
 * so a browser without one sees nothing different. A certificate that
 * verifies against the CA and its CRL, carries the `client` role and an
 * ECDSA P-256 key is passed on to the master as its DER chain in
 * ApiRequest.client_chain; the master verifies it again itself and
 * takes the user's name from it (master/auth/ccert.c), so this check only
 * spares the master what is plainly wrong and logs it. Anything else
 * presented is ignored for the call (the caller may still use a session
 * or a token) and logged.
 *
 * The handshake never fails over a client certificate: a refused
 * handshake would lock a user with a stale certificate out of the
 * password login too. So the verify callback lets the handshake go on,
 * but records the first error of the whole chain (SSL_get_verify_result()
 * keeps only the last one, which a later callback may have cleared), and
 * a certificate with any recorded error is refused for every call.
 */

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "log.h"
#include "tls.h"
#include "web/web.h"

static int	err_idx = -1;	/* SSL ex_data: the first error, or 0 */

/* The chain passed with the call being sent (web_cert_fill()). */
static uint8_t			chain_buf[CLIENT_CHAIN_MAX][CLIENT_CERT_DER_MAX];
static ProtobufCBinaryData	chain_bin[CLIENT_CHAIN_MAX];

/* Any error but a stale CRL (lived with, as on the cluster link) is
 * kept, the first one of the chain winning. */
static int
record_errors(int ok, X509_STORE_CTX *xs)
{
	SSL	*ssl = X509_STORE_CTX_get_ex_data(xs,
		    SSL_get_ex_data_X509_STORE_CTX_idx());
	int	 err = X509_STORE_CTX_get_error(xs);

	if (!ok && !tls_verify_result_ok(err) && ssl != NULL &&
	    SSL_get_ex_data(ssl, err_idx) == NULL)
		SSL_set_ex_data(ssl, err_idx, (void *)(intptr_t)(err != 0 ?
		    err : X509_V_ERR_UNSPECIFIED));
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
	if (err_idx == -1 &&
	    (err_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL)) == -1)
		return -1;
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
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, record_errors);
	SSL_CTX_set_verify_depth(ctx, WEB_CLIENT_CHAIN_MAX);
	return 0;
}

/* The first error of the chain, or the final result if none was
 * recorded; 0 (X509_V_OK) if neither says anything is wrong. */
static long
chain_error(SSL *ssl)
{
	long r = (long)(intptr_t)SSL_get_ex_data(ssl, err_idx);

	if (r == 0 && !tls_verify_result_ok(SSL_get_verify_result(ssl)))
		r = SSL_get_verify_result(ssl);
	return r;
}

/* 1 if the certificate may name a user; else 0 after a log line. */
static int
judge(SSL *ssl, X509 *x, const char *conn)
{
	char	 cn[USER_NAME_MAX + 2];
	long	 r = chain_error(ssl);
	int	 n;

	n = X509_NAME_get_text_by_NID(X509_get_subject_name(x),
	    NID_commonName, cn, (int)sizeof(cn));
	if (n <= 0 || (size_t)n >= sizeof(cn) - 1 || strlen(cn) != (size_t)n) {
		log_info("%s: client certificate ignored: no usable CN", conn);
		return 0;
	}
	if (r != X509_V_OK) {
		log_info("%s: client certificate of \"%s\" ignored: %s", conn,
		    cn, X509_verify_cert_error_string(r));
		return 0;
	}
	/* A serial cut short could miss the master's CRL check. */
	if (X509_get0_serialNumber(x)->length > CLIENT_SERIAL_MAX / 2) {
		log_info("%s: client certificate of \"%s\" ignored: serial "
		    "longer than 20 bytes", conn, cn);
		return 0;
	}
	if ((tls_cert_roles(x) & ROLE_CLIENT) == 0 || !tls_key_ok(x)) {
		log_info("%s: client certificate of \"%s\" ignored: no client "
		    "role or not a P-256 key", conn, cn);
		return 0;
	}
	return 1;
}

/* One certificate's DER into `out` (CLIENT_CERT_DER_MAX bytes). */
static int
der(X509 *x, uint8_t *out, ProtobufCBinaryData *b)
{
	uint8_t	*p = out;
	int	 n = i2d_X509(x, NULL);

	if (n <= 0 || n > CLIENT_CERT_DER_MAX || i2d_X509(x, &p) != n)
		return -1;
	b->data = out;
	b->len = (size_t)n;
	return 0;
}

/* The leaf, then the intermediates as the app sent them (on a server,
 * SSL_get_peer_cert_chain() leaves the leaf out). */
static size_t
chain_der(SSL *ssl, X509 *leaf, const char *conn)
{
	STACK_OF(X509)	*sk = SSL_get_peer_cert_chain(ssl);
	size_t		 n = 0;
	int		 i;

	if (der(leaf, chain_buf[n], &chain_bin[n]) == -1)
		goto refused;
	n++;
	for (i = 0; sk != NULL && i < sk_X509_num(sk); i++) {
		if (X509_cmp(sk_X509_value(sk, i), leaf) == 0)
			continue;
		if (n == CLIENT_CHAIN_MAX || der(sk_X509_value(sk, i),
		    chain_buf[n], &chain_bin[n]) == -1)
			goto refused;
		n++;
	}
	return n;
refused:
	log_info("%s: client certificate ignored: a chain of more than %d "
	    "certificates or of one over %d bytes", conn, CLIENT_CHAIN_MAX,
	    CLIENT_CERT_DER_MAX);
	return 0;
}

/* Static storage: valid until the next call, after the request is sent. */
void
web_cert_fill(SSL *ssl, const char *conn, Hd__ApiRequest *r)
{
	X509	*x;
	size_t	 n;

	if (ssl == NULL || (x = SSL_get_peer_certificate(ssl)) == NULL)
		return;
	if (judge(ssl, x, conn) && (n = chain_der(ssl, x, conn)) > 0) {
		r->n_client_chain = n;
		r->client_chain = chain_bin;
	}
	X509_free(x);
}
