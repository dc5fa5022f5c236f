/*
 * The Z-Wave QR code string of an S2 / SmartStart device (the digits its
 * label's QR code holds, typed or pasted by the user), parsed from
 * outside bytes: pure code, a cursor that checks the room left before
 * every read.
 *
 *	"90"  version (00 S2, 01 SmartStart)  checksum (5 digits: the first
 *	two bytes of SHA-1 over every digit after it)  requested keys (3)
 *	DSK (8 x 5 digits)  TLV blocks: type*2+critical (2) length (2)
 *	value (length digits)
 *
 * Product Type (0) and Product ID (1) are required and read; the others
 * are skipped unless marked critical, which refuses the code (as
 * zwave-js's parseQRCodeString does). Whitespace is dropped first.
 */

#include <string.h>

#include <openssl/sha.h>

#include "zwave/zw_s2.h"

struct qcur {
	const char	*s;
	size_t		 len, at;
};

/* n decimal digits as a number, at most max; -1 if short or too big. */
static long
num(struct qcur *q, size_t n, long max)
{
	long	v = 0;
	size_t	i;

	if (q->len - q->at < n)
		return -1;
	for (i = 0; i < n; i++)
		v = v * 10 + (q->s[q->at + i] - '0');
	q->at += n;
	return v <= max ? v : -1;
}

static int
tlv_product_type(struct qcur *q, struct zw_s2_qr *r, size_t n)
{
	long cls, icon;

	if (n != 10 || (cls = num(q, 5, 65535)) < 0 ||
	    (icon = num(q, 5, 65535)) < 0)
		return -1;
	r->generic = (uint8_t)(cls >> 8);
	r->specific = (uint8_t)cls;
	r->icon = (uint16_t)icon;
	return 0;
}

static int
tlv_product_id(struct qcur *q, struct zw_s2_qr *r, size_t n)
{
	long	v[4];
	int	i;

	if (n != 20)
		return -1;
	for (i = 0; i < 4; i++)
		if ((v[i] = num(q, 5, 65535)) < 0)
			return -1;
	r->manufacturer = (uint16_t)v[0];
	r->product_type = (uint16_t)v[1];
	r->product_id = (uint16_t)v[2];
	r->app_version = (uint16_t)v[3];
	return 0;
}

/* The TLV blocks up to the end: 0, or -1 (malformed, unknown critical,
 * a required block missing). */
static int
tlvs(struct qcur *q, struct zw_s2_qr *r)
{
	long	tc, n;
	int	have = 0, ok;

	while (q->at < q->len) {
		if ((tc = num(q, 2, 99)) < 0 || (n = num(q, 2, 99)) < 0 ||
		    q->len - q->at < (size_t)n)
			return -1;
		if (tc >> 1 == ZW_QR_TLV_PRODUCT_TYPE) {
			ok = tlv_product_type(q, r, (size_t)n) == 0;
			have |= 1;
		} else if (tc >> 1 == ZW_QR_TLV_PRODUCT_ID) {
			ok = tlv_product_id(q, r, (size_t)n) == 0;
			have |= 2;
		} else {
			ok = !(tc & 1);		/* unknown: critical refuses */
			q->at += (size_t)n;
		}
		if (!ok)
			return -1;
	}
	return have == 3 ? 0 : -1;
}

const char *
zw_s2_qr_parse(const char *in, size_t inlen, struct zw_s2_qr *r)
{
	char		 d[ZW_QR_MAX];
	uint8_t		 md[SHA_DIGEST_LENGTH];
	struct qcur	 q;
	size_t		 i, n = 0;
	long		 v;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < inlen; i++) {
		if (in[i] == ' ' || in[i] == '\t' || in[i] == '\n' ||
		    in[i] == '\r')
			continue;
		if (in[i] < '0' || in[i] > '9')
			return "not a QR code string: only digits";
		if (n == sizeof(d))
			return "too long for a QR code string";
		d[n++] = in[i];
	}
	if (n < ZW_QR_MIN)
		return "too short for a QR code string";
	q.s = d;
	q.len = n;
	q.at = 0;
	if (num(&q, 2, 99) != 90)
		return "a QR code string starts with 90";
	if ((v = num(&q, 2, 99)) < 0 || v > ZW_QR_SMARTSTART)
		return "unknown QR code version";
	r->smartstart = v == ZW_QR_SMARTSTART;
	v = num(&q, 5, 65535);
	if (SHA1((const unsigned char *)d + 9, n - 9, md) == NULL ||
	    v != (md[0] << 8 | md[1]))
		return "wrong checksum (a digit mistyped?)";
	if ((v = num(&q, 3, 255)) < 0)
		return "bad requested keys";
	r->keys = (uint8_t)v;
	for (i = 0; i < 8; i++) {
		if ((v = num(&q, 5, 65535)) < 0)
			return "bad DSK";
		r->dsk[2 * i] = (uint8_t)(v >> 8);
		r->dsk[2 * i + 1] = (uint8_t)v;
	}
	if (tlvs(&q, r) == -1)
		return "bad or missing product information";
	return NULL;
}
