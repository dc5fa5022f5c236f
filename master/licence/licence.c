/*
 * Licence verification: a PEM bundle is parsed with bounds, its first
 * certificate verified against the vendor root (chain, signature, time,
 * licence CRLs), then its EKU, installation binding and the terms in our
 * extension are checked (docs/LICENSING.md). Nothing here keeps state.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "atomicfile.h"
#include "licence/licence.h"

static const struct {
	const char	*name;
	unsigned	 bit;
} features[] = {
	{ "secure-zwave", LICENCE_F_SECURE_ZWAVE },
	{ "standby", LICENCE_F_STANDBY },
	{ "app-api", LICENCE_F_APP_API },
};
#define NFEATURES	(sizeof(features) / sizeof(features[0]))

#define FAIL(msg)	do { snprintf(why, len, "%s", (msg)); return -1; } while (0)

int
licence_feature_bit(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < NFEATURES; i++)
		if (strlen(features[i].name) == len &&
		    memcmp(features[i].name, name, len) == 0)
			return (int)features[i].bit;
	return 0;
}

const char *
licence_feature_names(unsigned mask, char *buf, size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < NFEATURES && n < len; i++)
		if (mask & features[i].bit)
			n += (size_t)snprintf(buf + n, len - n, "%s%s",
			    n > 0 ? "," : "", features[i].name);
	return buf;
}

/* A DER cursor: every read checks the bytes left first. */
struct der {
	const uint8_t	*p;
	size_t		 left;
};

/*
 * Read one element with tag `tag`: definite, minimal length of at most
 * two length bytes (nothing in a licence is 64 KiB). On success `val`
 * covers its contents and the cursor moves past it.
 */
static int
der_get(struct der *d, uint8_t tag, struct der *val)
{
	size_t	n, nlen = 0, i;

	if (d->left < 2 || d->p[0] != tag)
		return -1;
	n = d->p[1];
	if (n & 0x80) {
		nlen = n & 0x7f;
		if (nlen == 0 || nlen > 2 || d->left < 2 + nlen)
			return -1;
		for (n = 0, i = 0; i < nlen; i++)
			n = n << 8 | d->p[2 + i];
		if (n < 0x80 || (nlen == 2 && n < 0x100))
			return -1;	/* not minimal */
	}
	if (d->left - 2 - nlen < n)
		return -1;
	val->p = d->p + 2 + nlen;
	val->left = n;
	d->p += 2 + nlen + n;
	d->left -= 2 + nlen + n;
	return 0;
}

/* A non-negative, minimally encoded INTEGER in 0..max. */
static int
der_int(struct der *d, long max, long *out)
{
	struct der	v;
	long		n = 0;
	size_t		i;

	if (der_get(d, V_ASN1_INTEGER, &v) == -1 || v.left == 0 ||
	    v.left > 4 || (v.p[0] & 0x80) ||
	    (v.left > 1 && v.p[0] == 0 && !(v.p[1] & 0x80)))
		return -1;
	for (i = 0; i < v.left; i++)
		n = n << 8 | v.p[i];
	if (n > max)
		return -1;
	*out = n;
	return 0;
}

/* No control characters (UTF-8 beyond ASCII passes through). */
static int
text_ok(const struct der *v)
{
	size_t i;

	for (i = 0; i < v->left; i++)
		if (v->p[i] < 0x20 || v->p[i] == 0x7f)
			return 0;
	return 1;
}

/* "a,b,c": known names set bits, unknown ones are counted (a newer
 * vendor tool may grant features this build does not have). */
static int
parse_features(const struct der *v, struct licence_terms *t)
{
	size_t	i = 0, j;
	int	bit;

	t->features = 0;
	t->unknown_features = 0;
	while (i < v->left) {
		for (j = i; j < v->left && v->p[j] != ','; j++)
			;
		if (j == i || j + 1 == v->left)
			return -1;	/* empty name, or a trailing comma */
		if ((bit = licence_feature_bit((const char *)v->p + i,
		    j - i)) != 0)
			t->features |= (unsigned)bit;
		else
			t->unknown_features++;
		i = j + 1;
	}
	return 0;
}

int
licence_parse_ext(const uint8_t *der, size_t derlen, struct licence_terms *t,
    char *why, size_t len)
{
	struct der	d = { der, derlen }, seq, v;
	long		n;

	if (der_get(&d, V_ASN1_SEQUENCE | V_ASN1_CONSTRUCTED, &seq) == -1 ||
	    d.left != 0)
		FAIL("licence extension is not one DER SEQUENCE");
	if (der_int(&seq, 1000, &n) == -1)
		FAIL("licence extension: bad version");
	if (n != LICENCE_EXT_VERSION)
		FAIL("licence format version not supported by this build");
	if (der_get(&seq, V_ASN1_UTF8STRING, &v) == -1 || v.left == 0 ||
	    v.left > LICENCE_CUSTOMER_MAX || !text_ok(&v))
		FAIL("licence extension: bad customer");
	memcpy(t->customer, v.p, v.left);
	t->customer[v.left] = '\0';
	if (der_get(&seq, V_ASN1_OCTET_STRING, &v) == -1 ||
	    v.left != LICENCE_BINDING_LEN)
		FAIL("licence extension: bad installation binding");
	memcpy(t->binding, v.p, LICENCE_BINDING_LEN);
	if (der_int(&seq, CLUSTER_MAX_PEERS, &n) == -1)
		FAIL("licence extension: bad number of slaves");
	t->max_slaves = (int)n;
	if (der_int(&seq, LICENCE_MAX_ZWAVE_NODES, &n) == -1)
		FAIL("licence extension: bad number of Z-Wave nodes");
	t->max_zwave_nodes = (int)n;
	if (der_get(&seq, V_ASN1_UTF8STRING, &v) == -1 ||
	    v.left > LICENCE_FEATURES_MAX || !text_ok(&v) ||
	    parse_features(&v, t) == -1)
		FAIL("licence extension: bad feature list");
	if (seq.left != 0)
		FAIL("licence extension: unexpected trailing fields");
	return 0;
}

int
licence_binding(X509 *x, uint8_t out[LICENCE_BINDING_LEN])
{
	unsigned char	*der = NULL;
	unsigned int	 n = 0;
	int		 dlen, r = -1;

	if ((dlen = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der)) <= 0)
		return -1;
	if (EVP_Digest(der, (size_t)dlen, out, &n, EVP_sha256(), NULL) == 1 &&
	    n == LICENCE_BINDING_LEN)
		r = 0;
	OPENSSL_free(der);
	return r;
}

static int
asn1_epoch(const ASN1_TIME *a, int64_t *out)
{
	struct tm tm;

	if (a == NULL || ASN1_TIME_to_tm(a, &tm) != 1)
		return -1;
	*out = (int64_t)timegm(&tm);
	return 0;
}

BIO *
licence_file_bio(const char *path, size_t max)
{
	uint8_t	*buf;
	size_t	 len;
	BIO	*b;

	if (atomic_read_follow(path, max, &buf, &len) == -1)
		return NULL;
	if ((b = BIO_new(BIO_s_mem())) != NULL && len > 0 &&
	    BIO_write(b, buf, (int)len) != (int)len) {
		BIO_free(b);
		b = NULL;
	}
	free(buf);
	if (b == NULL)
		errno = ENOMEM;
	return b;
}

int
licence_binding_file(const char *path, uint8_t out[LICENCE_BINDING_LEN],
    int64_t *not_before, char *why, size_t len)
{
	BIO	*b;
	X509	*x;
	int	 r = -1;

	if ((b = licence_file_bio(path, LICENCE_CA_MAX_FILE)) == NULL) {
		snprintf(why, len, "cannot read %s: %s", path,
		    errno == EINVAL ? "not a regular file" : errno == EFBIG ?
		    "too large" : strerror(errno));
		return -1;
	}
	x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	if (x == NULL || licence_binding(x, out) == -1 ||
	    asn1_epoch(X509_get0_notBefore(x), not_before) == -1)
		snprintf(why, len, "%s: not a PEM certificate", path);
	else
		r = 0;
	X509_free(x);
	ERR_clear_error();
	return r;
}

/* The bundle's pieces: certificates in order, CRLs; nothing else. */
struct bundle {
	X509			*leaf;
	STACK_OF(X509)		*chain;
	STACK_OF(X509_CRL)	*crls;
};

static void
bundle_free(struct bundle *b)
{
	X509_free(b->leaf);
	sk_X509_pop_free(b->chain, X509_free);
	sk_X509_CRL_pop_free(b->crls, X509_CRL_free);
}

static int
bundle_add(struct bundle *b, X509_INFO *xi, char *why, size_t len)
{
	if (xi->x_pkey != NULL || xi->enc_data != NULL)
		FAIL("licence file holds a private key");
	if (xi->x509 != NULL) {
		if (b->leaf == NULL)
			b->leaf = xi->x509;
		else if (sk_X509_num(b->chain) >= LICENCE_MAX_CERTS - 1 ||
		    !sk_X509_push(b->chain, xi->x509))
			FAIL("licence file: too many certificates");
		xi->x509 = NULL;
	}
	if (xi->crl != NULL) {
		if (sk_X509_CRL_num(b->crls) >= LICENCE_MAX_CRLS ||
		    !sk_X509_CRL_push(b->crls, xi->crl))
			FAIL("licence file: too many CRLs");
		xi->crl = NULL;
	}
	return 0;
}

static int
bundle_read(const void *pem, size_t plen, struct bundle *b, char *why,
    size_t len)
{
	STACK_OF(X509_INFO)	*infos;
	BIO			*bio;
	int			 i, r = 0;

	if (plen == 0 || plen > LICENCE_MAX_FILE)
		FAIL("licence file empty or too large");
	b->chain = sk_X509_new_null();
	b->crls = sk_X509_CRL_new_null();
	if (b->chain == NULL || b->crls == NULL ||
	    (bio = BIO_new_mem_buf(pem, (int)plen)) == NULL)
		FAIL("out of memory");
	infos = PEM_X509_INFO_read_bio(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (infos == NULL)
		FAIL("licence file is not PEM (or a PEM block is damaged)");
	for (i = 0; i < sk_X509_INFO_num(infos) && r == 0; i++)
		r = bundle_add(b, sk_X509_INFO_value(infos, i), why, len);
	sk_X509_INFO_pop_free(infos, X509_INFO_free);
	if (r == 0 && b->leaf == NULL)
		FAIL("licence file holds no certificate");
	return r;
}

/* Does `a` carry a higher CRL number than `b` (or `b` none)? */
static int
crl_newer(X509_CRL *a, X509_CRL *b)
{
	ASN1_INTEGER	*na, *nb;
	int		 r;

	na = X509_CRL_get_ext_d2i(a, NID_crl_number, NULL, NULL);
	nb = b != NULL ? X509_CRL_get_ext_d2i(b, NID_crl_number, NULL, NULL) :
	    NULL;
	r = na != NULL && (nb == NULL || ASN1_INTEGER_cmp(na, nb) > 0);
	ASN1_INTEGER_free(na);
	ASN1_INTEGER_free(nb);
	return r;
}

/* `c` if it is signed by `ca` and newer than `best`, else `best`. */
static X509_CRL *
crl_pick(X509_CRL *best, X509_CRL *c, X509 *ca)
{
	EVP_PKEY *k = X509_get0_pubkey(ca);

	if (k == NULL || X509_NAME_cmp(X509_CRL_get_issuer(c),
	    X509_get_subject_name(ca)) != 0 || X509_CRL_verify(c, k) != 1)
		return best;
	return best == NULL || crl_newer(c, best) ? c : best;
}

X509_CRL *
licence_newest_crl(const void *pem, size_t len, STACK_OF(X509_CRL) *extra)
{
	struct bundle	 b;
	X509		*ca = NULL;
	X509_CRL	*best = NULL;
	char		 why[96];
	int		 i;

	memset(&b, 0, sizeof(b));
	if (bundle_read(pem, len, &b, why, sizeof(why)) == 0)
		for (i = 0; i < sk_X509_num(b.chain) && ca == NULL; i++)
			if (X509_check_issued(sk_X509_value(b.chain, i),
			    b.leaf) == X509_V_OK)
				ca = sk_X509_value(b.chain, i);
	for (i = 0; ca != NULL && i < sk_X509_CRL_num(b.crls); i++)
		best = crl_pick(best, sk_X509_CRL_value(b.crls, i), ca);
	for (i = 0; ca != NULL && extra != NULL &&
	    i < sk_X509_CRL_num(extra); i++)
		best = crl_pick(best, sk_X509_CRL_value(extra, i), ca);
	if (best != NULL)
		X509_CRL_up_ref(best);
	bundle_free(&b);
	ERR_clear_error();
	return best;
}

/* Every critical extension of the leaf is one OpenSSL handles or ours. */
static int
criticals_known(X509 *x)
{
	X509_EXTENSION	*e;
	char		 oid[96];
	int		 i;

	for (i = 0; i < X509_get_ext_count(x); i++) {
		e = X509_get_ext(x, i);
		if (!X509_EXTENSION_get_critical(e) ||
		    X509_supported_extension(e))
			continue;
		if (OBJ_obj2txt(oid, sizeof(oid), X509_EXTENSION_get_object(e),
		    1) <= 0 || strcmp(oid, LICENCE_OID_EXT) != 0)
			return 0;
	}
	return 1;
}

/*
 * OpenSSL does not know our critical extension and says so at the leaf;
 * we parse it ourselves. An expired leaf is noted, not refused, so that
 * the caller can grant the grace period. A stale licence CRL still
 * lists what is revoked.
 */
static int
verify_cb(int ok, X509_STORE_CTX *xs)
{
	int	 err = X509_STORE_CTX_get_error(xs);
	int	 depth = X509_STORE_CTX_get_error_depth(xs);
	int	*expired = X509_STORE_CTX_get_app_data(xs);

	if (ok)
		return 1;
	if (err == X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION && depth == 0 &&
	    criticals_known(X509_STORE_CTX_get_current_cert(xs)))
		return 1;
	if (err == X509_V_ERR_CERT_HAS_EXPIRED && depth == 0) {
		*expired = 1;
		return 1;
	}
	return err == X509_V_ERR_CRL_HAS_EXPIRED ||
	    err == X509_V_ERR_CRL_NOT_YET_VALID;
}

/* The EKU must name the licence purpose: no installation certificate,
 * whoever signed it, can pass as a licence. */
static int
has_licence_eku(X509 *x)
{
	EXTENDED_KEY_USAGE	*eku;
	char			 oid[96];
	int			 i, found = 0;

	if ((eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL)) == NULL)
		return 0;
	for (i = 0; i < sk_ASN1_OBJECT_num(eku); i++)
		if (OBJ_obj2txt(oid, sizeof(oid), sk_ASN1_OBJECT_value(eku, i),
		    1) > 0 && strcmp(oid, LICENCE_OID_EKU) == 0)
			found = 1;
	EXTENDED_KEY_USAGE_free(eku);
	return found;
}

static int
chain_verify(struct bundle *b, X509 *root, STACK_OF(X509_CRL) *crls,
    int64_t now, int *expired, char *why, size_t len)
{
	X509_STORE	*st;
	X509_STORE_CTX	*xs = NULL;
	STACK_OF(X509)	*chain;
	int		 i, r = -1, ncrl = 0;

	snprintf(why, len, "out of memory");
	if ((st = X509_STORE_new()) == NULL || X509_STORE_add_cert(st,
	    root) != 1 || (xs = X509_STORE_CTX_new()) == NULL)
		goto done;
	for (i = 0; i < sk_X509_CRL_num(b->crls); i++, ncrl++)
		X509_STORE_add_crl(st, sk_X509_CRL_value(b->crls, i));
	for (i = 0; crls != NULL && i < sk_X509_CRL_num(crls); i++, ncrl++)
		X509_STORE_add_crl(st, sk_X509_CRL_value(crls, i));
	if (X509_STORE_CTX_init(xs, st, b->leaf, b->chain) != 1)
		goto done;
	X509_STORE_CTX_set_time(xs, 0, (time_t)now);
	X509_STORE_CTX_set_depth(xs, 2);	/* licence, licence CA, root */
	if (ncrl > 0)
		X509_STORE_CTX_set_flags(xs, X509_V_FLAG_CRL_CHECK);
	X509_STORE_CTX_set_verify_cb(xs, verify_cb);
	X509_STORE_CTX_set_app_data(xs, expired);
	if (X509_verify_cert(xs) != 1) {
		snprintf(why, len, "licence refused: %s",
		    X509_verify_cert_error_string(X509_STORE_CTX_get_error(xs)));
		goto done;
	}
	/* Below the root, licence CAs only: a CA the vendor keeps for
	 * something else cannot issue licences. */
	chain = X509_STORE_CTX_get0_chain(xs);
	for (i = 1; i < sk_X509_num(chain) - 1; i++)
		if (!has_licence_eku(sk_X509_value(chain, i))) {
			snprintf(why, len, "licence refused: issued by a CA "
			    "that is not a licence CA (no licence EKU)");
			goto done;
		}
	r = 0;
done:
	X509_STORE_CTX_free(xs);
	X509_STORE_free(st);
	return r;
}

static int
find_ext(X509 *x, const char *oid)
{
	ASN1_OBJECT	*obj;
	int		 i, again;

	if ((obj = OBJ_txt2obj(oid, 1)) == NULL)
		return -1;
	i = X509_get_ext_by_OBJ(x, obj, -1);
	again = i >= 0 ? X509_get_ext_by_OBJ(x, obj, i) : -1;
	ASN1_OBJECT_free(obj);
	return again >= 0 ? -1 : i;
}

/* Not a CA, exactly one licence extension, whose terms parse. */
static int
leaf_terms(X509 *x, struct licence_terms *t, char *why, size_t len)
{
	const ASN1_OCTET_STRING	*v;
	BIGNUM			*bn;
	char			*hex = NULL;
	int			 i;

	if (X509_check_ca(x) != 0)
		FAIL("not a licence certificate (it is a CA)");
	if ((i = find_ext(x, LICENCE_OID_EXT)) < 0)
		FAIL("no single licence extension in the certificate");
	v = X509_EXTENSION_get_data(X509_get_ext(x, i));
	if (licence_parse_ext(ASN1_STRING_get0_data(v),
	    (size_t)ASN1_STRING_length(v), t, why, len) == -1)
		return -1;
	bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	if (bn == NULL || (hex = BN_bn2hex(bn)) == NULL) {
		BN_free(bn);
		FAIL("out of memory");
	}
	snprintf(t->serial, sizeof(t->serial), "%s", hex);
	OPENSSL_free(hex);
	BN_free(bn);
	if (asn1_epoch(X509_get0_notBefore(x), &t->not_before) == -1 ||
	    asn1_epoch(X509_get0_notAfter(x), &t->not_after) == -1)
		FAIL("licence dates unreadable");
	return 0;
}

static char *
fmt_day(int64_t t, char *buf, size_t len)
{
	time_t		tt = (time_t)t;
	struct tm	tm;

	if (gmtime_r(&tt, &tm) == NULL)
		snprintf(buf, len, "?");
	else
		strftime(buf, len, "%Y-%m-%d %H:%M UTC", &tm);
	return buf;
}

enum licence_verdict
licence_verify(const void *pem, size_t plen, X509 *root,
    const uint8_t binding[LICENCE_BINDING_LEN], STACK_OF(X509_CRL) *crls,
    int64_t now, struct licence_terms *t, char *why, size_t len)
{
	struct bundle		b;
	enum licence_verdict	r = LICENCE_BAD;
	int			expired = 0;
	char			day[32];

	ERR_clear_error();
	memset(t, 0, sizeof(*t));
	memset(&b, 0, sizeof(b));
	if (root == NULL) {
		snprintf(why, len, "no vendor root");
		return LICENCE_BAD;
	}
	if (bundle_read(pem, plen, &b, why, len) == -1)
		goto done;
	if (!has_licence_eku(b.leaf)) {
		snprintf(why, len, "not a licence certificate (no licence EKU)");
		goto done;
	}
	if (chain_verify(&b, root, crls, now, &expired, why, len) == -1 ||
	    leaf_terms(b.leaf, t, why, len) == -1)
		goto done;
	if (memcmp(t->binding, binding, LICENCE_BINDING_LEN) != 0) {
		snprintf(why, len, "licence is for another installation "
		    "(its CA key differs from ours)");
		goto done;
	}
	r = expired ? LICENCE_EXPIRED : LICENCE_OK;
	if (expired)
		snprintf(why, len, "licence expired on %s",
		    fmt_day(t->not_after, day, sizeof(day)));
	else
		why[0] = '\0';
done:
	bundle_free(&b);
	ERR_clear_error();
	if (r == LICENCE_BAD)
		memset(t, 0, sizeof(*t));
	return r;
}
