#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "atomicfile.h"
#include "hdlimits.h"
#include "log.h"
#include "tls.h"

static int	why_idx = -1, whylen_idx = -1, role_idx = -1;

static const struct {
	int		 role;
	const char	*oid;
	const char	*name;
} roles[] = {
	{ ROLE_MASTER, ROLE_OID_ARC ".1", "master" },
	{ ROLE_SLAVE, ROLE_OID_ARC ".2", "slave" },
	{ ROLE_WEB, ROLE_OID_ARC ".3", "web" },
	{ ROLE_CLIENT, ROLE_OID_ARC ".4", "client" },
};

const char *
tls_role_name(int role)
{
	size_t i;

	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (roles[i].role == role)
			return roles[i].name;
	return "none";
}

const char *
tls_errstr(char *buf, size_t len)
{
	unsigned long e = ERR_get_error();

	buf[0] = '\0';
	if (e != 0)
		ERR_error_string_n(e, buf, len);
	ERR_clear_error();
	return buf;
}

int
tls_cert_roles(X509 *x)
{
	EXTENDED_KEY_USAGE	*eku;
	char			 oid[128];
	int			 i, r = 0;
	size_t			 j;

	if ((eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL)) == NULL)
		return 0;
	for (i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
		if (OBJ_obj2txt(oid, sizeof(oid), sk_ASN1_OBJECT_value(eku, i),
		    1) <= 0)
			continue;
		for (j = 0; j < sizeof(roles) / sizeof(roles[0]); j++)
			if (strcmp(oid, roles[j].oid) == 0)
				r |= roles[j].role;
	}
	EXTENDED_KEY_USAGE_free(eku);
	return r;
}

static int
node_id_valid(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > NODE_ID_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || (s[i] == '-' && i > 0)))
			return 0;
	return 1;
}

int
tls_node_id_ok(const char *s)
{
	return node_id_valid(s);
}

int
tls_cert_node_id(X509 *x, char *id, size_t len)
{
	X509_NAME	*name = X509_get_subject_name(x);
	char		 cn[NODE_ID_MAX + 2];
	int		 n;

	if (name == NULL || len < sizeof(cn) - 1)
		return -1;
	/* Exactly one CN: a certificate with two would be ambiguous. */
	if (X509_NAME_get_index_by_NID(name, NID_commonName, -1) < 0 ||
	    X509_NAME_get_index_by_NID(name, NID_commonName,
	    X509_NAME_get_index_by_NID(name, NID_commonName, -1)) >= 0)
		return -1;
	n = X509_NAME_get_text_by_NID(name, NID_commonName, cn, sizeof(cn));
	if (n <= 0 || (size_t)n != strlen(cn) || !node_id_valid(cn))
		return -1;
	snprintf(id, len, "%s", cn);
	return 0;
}

int
tls_key_ok(X509 *x)
{
	EVP_PKEY	*pk = X509_get0_pubkey(x);
	char		 grp[64];
	size_t		 n;

	if (pk == NULL || EVP_PKEY_get_base_id(pk) != EVP_PKEY_EC)
		return 0;
	if (!EVP_PKEY_get_group_name(pk, grp, sizeof(grp), &n))
		return 0;
	return strcmp(grp, "prime256v1") == 0;
}

int
tls_check_leaf(X509 *x, int want_role, char *why, size_t len)
{
	char id[NODE_ID_MAX + 1];

	if (tls_cert_node_id(x, id, sizeof(id)) == -1) {
		snprintf(why, len, "certificate CN is not a valid node id");
		return -1;
	}
	if (!tls_key_ok(x)) {
		snprintf(why, len, "certificate of %s: key is not ECDSA P-256",
		    id);
		return -1;
	}
	if ((tls_cert_roles(x) & want_role) == 0) {
		snprintf(why, len, "certificate of %s lacks the %s role", id,
		    tls_role_name(want_role));
		return -1;
	}
	return 0;
}

void
tls_set_why(SSL *ssl, char *why, size_t len)
{
	SSL_set_ex_data(ssl, why_idx, why);
	SSL_set_ex_data(ssl, whylen_idx, (void *)len);
	why[0] = '\0';
}

static void
set_why(SSL *ssl, const char *fmt, const char *a, const char *b)
{
	char	*why = SSL_get_ex_data(ssl, why_idx);
	size_t	 len = (size_t)SSL_get_ex_data(ssl, whylen_idx);

	if (why != NULL && len > 0 && why[0] == '\0')
		snprintf(why, len, fmt, a, b);
}

/*
 * Runs for each certificate of the peer's chain, leaf last. OpenSSL has
 * already checked signature, chain to our CA, validity and revocation;
 * we add the leaf's role, key type and node id, and note why we refuse.
 */
static int
verify_cb(int ok, X509_STORE_CTX *xs)
{
	SSL			*ssl = X509_STORE_CTX_get_ex_data(xs,
				    SSL_get_ex_data_X509_STORE_CTX_idx());
	int			 peer_role = (int)(intptr_t)SSL_CTX_get_ex_data(
				    SSL_get_SSL_CTX(ssl), role_idx);
	X509			*x = X509_STORE_CTX_get_current_cert(xs);
	int			 err = X509_STORE_CTX_get_error(xs);
	char			 subj[128] = "?", why[160];

	if (x != NULL)
		X509_NAME_oneline(X509_get_subject_name(x), subj, sizeof(subj));
	if (!ok) {
		/* A stale CRL still names what is revoked: warn, go on. */
		if (tls_verify_result_ok(err)) {
			log_warnx("CRL: %s; renew it (hd-pki crl)",
			    X509_verify_cert_error_string(err));
			return 1;
		}
		set_why(ssl, "certificate %s: %s", subj,
		    X509_verify_cert_error_string(err));
		return 0;
	}
	if (X509_STORE_CTX_get_error_depth(xs) != 0)
		return 1;
	if (tls_check_leaf(x, peer_role, why, sizeof(why)) == -1) {
		X509_STORE_CTX_set_error(xs, X509_V_ERR_APPLICATION_VERIFICATION);
		set_why(ssl, "%s%s", why, "");
		return 0;
	}
	return 1;
}

/*
 * Verification results we live with. A CRL past its next update (or,
 * with a wrong clock, not yet valid) still lists what is revoked, and a
 * house must not go dark because nobody renewed it: warn and accept.
 */
int
tls_verify_result_ok(long r)
{
	return r == X509_V_OK || r == X509_V_ERR_CRL_HAS_EXPIRED ||
	    r == X509_V_ERR_CRL_NOT_YET_VALID;
}

/* Like verify_cb's first half: live with an out-of-date CRL, so the
 * revocation list in it is still checked. */
static int
reverify_cb(int ok, X509_STORE_CTX *xs)
{
	return ok || tls_verify_result_ok(X509_STORE_CTX_get_error(xs));
}

/*
 * Check an established peer again against the context's current store
 * (after SIGHUP brought a new CRL): 0 if still good, else -1 with why.
 */
int
tls_reverify(SSL_CTX *ctx, SSL *ssl, char *why, size_t len)
{
	X509_STORE_CTX	*xs;
	X509		*leaf = SSL_get0_peer_certificate(ssl);
	int		 r = -1;
	long		 err;

	if (leaf == NULL || (xs = X509_STORE_CTX_new()) == NULL) {
		snprintf(why, len, "no peer certificate");
		return -1;
	}
	if (X509_STORE_CTX_init(xs, SSL_CTX_get_cert_store(ctx), leaf,
	    SSL_get_peer_cert_chain(ssl)) == 1) {
		X509_STORE_CTX_set_verify_cb(xs, reverify_cb);
		X509_verify_cert(xs);
		err = X509_STORE_CTX_get_error(xs);
		if (tls_verify_result_ok(err))
			r = 0;
		else
			snprintf(why, len, "certificate no longer valid: %s",
			    X509_verify_cert_error_string(err));
	} else
		snprintf(why, len, "cannot re-verify the certificate");
	X509_STORE_CTX_free(xs);
	return r;
}

/*
 * A PEM file into `st`, as OpenSSL's file loaders do: a CA file gives its
 * certificates and CRLs (`crls` 0: certificates counted), a CRL file
 * only its CRLs (1). How many, or -1. The file is read whole first, and
 * only if it is a regular file (atomic_read_follow()): on SIGHUP this
 * runs in the master's loop, and OpenSSL's loaders would wait for ever
 * on a FIFO.
 */
static int
store_add_pem(X509_STORE *st, const char *path, size_t max, int crls)
{
	STACK_OF(X509_INFO)	*infos = NULL;
	X509_INFO		*xi;
	uint8_t			*buf;
	size_t			 len;
	BIO			*b;
	int			 i, n = 0;

	if (atomic_read_follow(path, max, &buf, &len) == -1)
		return -1;
	if (len <= INT_MAX && (b = BIO_new_mem_buf(buf, (int)len)) != NULL) {
		infos = PEM_X509_INFO_read_bio(b, NULL, NULL, NULL);
		BIO_free(b);
	}
	free(buf);
	if (infos == NULL)
		return -1;
	for (i = 0; i < sk_X509_INFO_num(infos); i++) {
		xi = sk_X509_INFO_value(infos, i);
		if (!crls && xi->x509 != NULL &&
		    X509_STORE_add_cert(st, xi->x509) == 1)
			n++;
		if (xi->crl != NULL && X509_STORE_add_crl(st, xi->crl) == 1 &&
		    crls)
			n++;
	}
	sk_X509_INFO_pop_free(infos, X509_INFO_free);
	return n;
}

/* A fresh store with the CA and CRL, swapped in for new handshakes. */
static X509_STORE *
make_store(const struct tls_files *f, char *err, size_t errlen)
{
	X509_STORE *st;

	if ((st = X509_STORE_new()) == NULL)
		return NULL;
	if (store_add_pem(st, f->ca, TLS_CA_MAX_FILE, 0) <= 0) {
		snprintf(err, errlen, "cannot load CA %s%s", f->ca,
		    errno == EINVAL ? ": not a regular file" : "");
		X509_STORE_free(st);
		return NULL;
	}
	if (f->crl != NULL) {
		if (store_add_pem(st, f->crl, TLS_CRL_MAX_FILE, 1) <= 0) {
			snprintf(err, errlen, "cannot load CRL %s%s", f->crl,
			    errno == EINVAL ? ": not a regular file" : "");
			X509_STORE_free(st);
			return NULL;
		}
		X509_STORE_set_flags(st, X509_V_FLAG_CRL_CHECK);
	}
	return st;
}

int
tls_reload(SSL_CTX *ctx, const struct tls_files *f, char *err, size_t errlen)
{
	X509_STORE *st;

	ERR_clear_error();
	if ((st = make_store(f, err, errlen)) == NULL)
		return -1;
	SSL_CTX_set_cert_store(ctx, st);
	return 0;
}

/* Refuse a FIFO or device before OpenSSL opens it (and would block). */
static int
regular_file(const char *what, const char *path, char *err, size_t errlen)
{
	size_t	size;
	int	fd;

	if ((fd = atomic_open_regular(path, 0, SIZE_MAX, &size)) != -1) {
		close(fd);
		return 0;
	}
	snprintf(err, errlen, "cannot load %s %s: %s", what, path,
	    errno == EINVAL ? "not a regular file" : strerror(errno));
	return -1;
}

static int
load_own(SSL_CTX *ctx, const struct tls_files *f, int own_role, char *err,
    size_t errlen)
{
	char why[160];

	if (regular_file("certificate", f->cert, err, errlen) == -1 ||
	    regular_file("key", f->key, err, errlen) == -1)
		return -1;
	if (SSL_CTX_use_certificate_chain_file(ctx, f->cert) != 1) {
		snprintf(err, errlen, "cannot load certificate %s", f->cert);
		return -1;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, f->key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		snprintf(err, errlen, "cannot load key %s or it does not "
		    "match %s", f->key, f->cert);
		return -1;
	}
	if (tls_check_leaf(SSL_CTX_get0_certificate(ctx), own_role, why,
	    sizeof(why)) == -1) {
		snprintf(err, errlen, "%s: %s", f->cert, why);
		return -1;
	}
	return 0;
}

static void
init_indexes(void)
{
	if (why_idx != -1)
		return;
	why_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	whylen_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	role_idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

/*
 * TLS 1.3 only: the link is ours at both ends, so nothing older is needed.
 * No tickets or session cache: every connection proves its certificate,
 * so a revoked node cannot resume its way back in.
 */
SSL_CTX *
tls_ctx_new(const struct tls_files *f, int server, int own_role,
    int peer_role, char *err, size_t errlen)
{
	SSL_CTX		*ctx;
	X509_STORE	*st;

	init_indexes();
	ERR_clear_error();
	err[0] = '\0';
	if ((ctx = SSL_CTX_new(server ? TLS_server_method() :
	    TLS_client_method())) == NULL) {
		snprintf(err, errlen, "SSL_CTX_new failed");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS |
	    SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(ctx, 0);
	if (SSL_CTX_set1_groups_list(ctx, "X25519:P-256") != 1 ||
	    SSL_CTX_set1_sigalgs_list(ctx, "ECDSA+SHA256:ECDSA+SHA384") != 1) {
		snprintf(err, errlen, "cannot set TLS groups or sigalgs");
		goto fail;
	}
	if (load_own(ctx, f, own_role, err, errlen) == -1)
		goto fail;
	if ((st = make_store(f, err, errlen)) == NULL)
		goto fail;
	SSL_CTX_set_cert_store(ctx, st);
	SSL_CTX_set_ex_data(ctx, role_idx, (void *)(intptr_t)peer_role);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
	    SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_cb);
	SSL_CTX_set_verify_depth(ctx, 4);
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}
