/*
 * Z-Wave S0 ("Security 0", command class 0x98): pure code, no I/O, the
 * time passed in. AES-128 through OpenSSL's EVP interface.
 *
 *	Kenc  = AES-ECB(K, 0xAA x 16)	Kauth = AES-ECB(K, 0x55 x 16)
 *	IV    = sender nonce (8) || receiver nonce (8)
 *	ciphertext = AES-OFB(Kenc, IV, sequence byte || command)
 *	MAC   = first 8 bytes of the last block of AES-CBC(Kauth, IV 0,
 *	        zero-padded IV || 0x81 || src || dst || len || ciphertext)
 *	frame = 0x98 0x81 || sender nonce || ciphertext || receiver nonce
 *	        id (its first byte) || MAC
 *
 * The receiver nonce is one we handed out in a Nonce Report: each is for
 * one peer, used once, and expires. The sequence byte splits a command
 * too long for one frame in two (sequenced, second half, a counter both
 * share); each half has its own nonce and MAC, and zw_s0_join puts them
 * together. The table is bounded: when it is full
 * the oldest nonce goes, which at worst makes a slow node ask again.
 */

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "zwave/zw_sec.h"

#define AES_BLOCK	16
/* The largest MAC input: IV, four header bytes, sequence byte + command. */
#define AUTH_MAX	(2 * ZW_S0_HALF_NONCE + 4 + 1 + ZW_S0_MAX_CMD + \
			    AES_BLOCK)

/* One AES-128 run of `cipher` over n bytes, no padding; 0 or -1. */
static int
aes(const EVP_CIPHER *cipher, const uint8_t key[ZW_S0_KEY_LEN],
    const uint8_t *iv, const uint8_t *in, size_t n, uint8_t *out)
{
	EVP_CIPHER_CTX	*ctx;
	int		 len, fin, ok;

	if (n > INT32_MAX || (ctx = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	ok = EVP_EncryptInit_ex(ctx, cipher, NULL, key, iv) == 1 &&
	    EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
	    EVP_EncryptUpdate(ctx, out, &len, in, (int)n) == 1 &&
	    EVP_EncryptFinal_ex(ctx, out + len, &fin) == 1 &&
	    (size_t)(len + fin) == n;
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

int
zw_s0_ofb(const uint8_t kenc[ZW_S0_KEY_LEN], const uint8_t iv[AES_BLOCK],
    const uint8_t *in, size_t n, uint8_t *out)
{
	return aes(EVP_aes_128_ofb(), kenc, iv, in, n, out);
}

/* CBC-MAC over the zero-padded data with a zero IV. */
int
zw_s0_mac(const uint8_t kauth[ZW_S0_KEY_LEN], const uint8_t *data, size_t n,
    uint8_t mac[ZW_S0_MAC_LEN])
{
	static const uint8_t zero[AES_BLOCK];
	uint8_t	buf[AUTH_MAX], out[AUTH_MAX];
	size_t	padded = (n + AES_BLOCK - 1) / AES_BLOCK * AES_BLOCK;

	if (n == 0 || padded > sizeof(buf))
		return -1;
	memset(buf, 0, padded);
	memcpy(buf, data, n);
	if (aes(EVP_aes_128_cbc(), kauth, zero, buf, padded, out) == -1)
		return -1;
	memcpy(mac, out + padded - AES_BLOCK, ZW_S0_MAC_LEN);
	return 0;
}

int
zw_s0_init(struct zw_s0 *s, const uint8_t key[ZW_S0_KEY_LEN])
{
	uint8_t	base[ZW_S0_KEY_LEN];

	memset(s, 0, sizeof(*s));
	s->ttl_ms = ZW_S0_NONCE_TTL_MS;
	memset(base, 0xaa, sizeof(base));
	if (aes(EVP_aes_128_ecb(), key, NULL, base, sizeof(base), s->kenc) ==
	    -1)
		return -1;
	memset(base, 0x55, sizeof(base));
	if (aes(EVP_aes_128_ecb(), key, NULL, base, sizeof(base), s->kauth) ==
	    -1)
		return -1;
	s->have_key = 1;
	return 0;
}

void
zw_s0_clear(struct zw_s0 *s)
{
	OPENSSL_cleanse(s, sizeof(*s));
}

/* --- the nonce table ------------------------------------------------- */

static void
expire(struct zw_s0 *s, uint64_t now)
{
	size_t i;

	for (i = 0; i < ZW_S0_NONCES; i++)
		if (s->nonces[i].peer != 0 && s->nonces[i].expires <= now)
			memset(&s->nonces[i], 0, sizeof(s->nonces[i]));
}

int
zw_s0_nonce_count(struct zw_s0 *s, uint64_t now)
{
	size_t	i;
	int	n = 0;

	expire(s, now);
	for (i = 0; i < ZW_S0_NONCES; i++)
		n += s->nonces[i].peer != 0;
	return n;
}

static struct zw_s0_nonce *
find_id(struct zw_s0 *s, uint8_t id)
{
	size_t i;

	for (i = 0; i < ZW_S0_NONCES; i++)
		if (s->nonces[i].peer != 0 && s->nonces[i].n[0] == id)
			return &s->nonces[i];
	return NULL;
}

/* A free slot, or the one that expires first. */
static struct zw_s0_nonce *
slot(struct zw_s0 *s)
{
	struct zw_s0_nonce	*old = &s->nonces[0];
	size_t			 i;

	for (i = 0; i < ZW_S0_NONCES; i++) {
		if (s->nonces[i].peer == 0)
			return &s->nonces[i];
		if (s->nonces[i].expires < old->expires)
			old = &s->nonces[i];
	}
	return old;
}

static int
rand_ossl(uint8_t *b, size_t n)
{
	return n <= INT32_MAX && RAND_bytes(b, (int)n) == 1 ? 0 : -1;
}

/* Ids must be unique among live nonces, or a frame could be checked
 * against the wrong one: draw again until the first byte is free (with
 * at most ZW_S0_NONCES live, a few draws at worst). */
int
zw_s0_nonce_new(struct zw_s0 *s, uint8_t peer, uint64_t now,
    uint8_t out[ZW_S0_HALF_NONCE], zw_s0_rand_fn *rnd)
{
	struct zw_s0_nonce	*e;
	int			 tries;

	if (peer == 0)
		return -1;
	if (rnd == NULL)
		rnd = rand_ossl;
	expire(s, now);
	e = slot(s);
	memset(e, 0, sizeof(*e));
	for (tries = 0; tries < 64; tries++) {
		if (rnd(out, ZW_S0_HALF_NONCE) == -1)
			return -1;
		if (find_id(s, out[0]) == NULL)
			break;
	}
	if (tries == 64)
		return -1;
	e->peer = peer;
	e->expires = now + s->ttl_ms;
	memcpy(e->n, out, ZW_S0_HALF_NONCE);
	return 0;
}

/* --- frames ---------------------------------------------------------- */

static int
frame_mac(const struct zw_s0 *s, const uint8_t *iv, uint8_t sec_cmd,
    uint8_t src, uint8_t dst, const uint8_t *ct, size_t n,
    uint8_t mac[ZW_S0_MAC_LEN])
{
	uint8_t auth[AUTH_MAX];

	if (n > 1 + ZW_S0_MAX_CMD)
		return -1;
	memcpy(auth, iv, 2 * ZW_S0_HALF_NONCE);
	auth[16] = sec_cmd;
	auth[17] = src;
	auth[18] = dst;
	auth[19] = (uint8_t)n;
	memcpy(auth + 20, ct, n);
	return zw_s0_mac(s->kauth, auth, 20 + n, mac);
}

enum zw_sec_result
zw_s0_encap_seq(const struct zw_s0 *s, uint8_t src, uint8_t dst,
    const uint8_t iv8[ZW_S0_HALF_NONCE],
    const uint8_t rnonce[ZW_S0_HALF_NONCE], uint8_t sec_cmd, uint8_t seq,
    const uint8_t *cmd, size_t n, uint8_t *out, size_t outlen, size_t *outn)
{
	uint8_t	iv[2 * ZW_S0_HALF_NONCE], plain[1 + ZW_S0_MAX_CMD];
	uint8_t	*ct = out + 2 + ZW_S0_HALF_NONCE;

	if (!s->have_key)
		return ZW_SEC_NO_KEY;
	if (n == 0 || n > ZW_S0_MAX_CMD || outlen < n + ZW_S0_OVERHEAD ||
	    (sec_cmd != ZW_S0_ENCAP && sec_cmd != ZW_S0_ENCAP_NONCE_GET))
		return ZW_SEC_MALFORMED;
	memcpy(iv, iv8, ZW_S0_HALF_NONCE);
	memcpy(iv + ZW_S0_HALF_NONCE, rnonce, ZW_S0_HALF_NONCE);
	plain[0] = seq;
	memcpy(plain + 1, cmd, n);
	out[0] = ZW_CC_SECURITY;
	out[1] = sec_cmd;
	memcpy(out + 2, iv8, ZW_S0_HALF_NONCE);
	if (zw_s0_ofb(s->kenc, iv, plain, n + 1, ct) == -1)
		return ZW_SEC_CRYPTO;
	ct[n + 1] = rnonce[0];
	if (frame_mac(s, iv, sec_cmd, src, dst, ct, n + 1, ct + n + 2) == -1)
		return ZW_SEC_CRYPTO;
	*outn = n + ZW_S0_OVERHEAD;
	OPENSSL_cleanse(plain, sizeof(plain));
	return ZW_SEC_OK;
}

enum zw_sec_result
zw_s0_encap(const struct zw_s0 *s, uint8_t src, uint8_t dst,
    const uint8_t iv8[ZW_S0_HALF_NONCE],
    const uint8_t rnonce[ZW_S0_HALF_NONCE], uint8_t sec_cmd,
    const uint8_t *cmd, size_t n, uint8_t *out, size_t outlen, size_t *outn)
{
	return zw_s0_encap_seq(s, src, dst, iv8, rnonce, sec_cmd, 0, cmd, n,
	    out, outlen, outn);
}

enum zw_sec_result
zw_s0_decap_seq(struct zw_s0 *s, uint8_t src, uint8_t dst, const uint8_t *f,
    size_t len, uint64_t now, uint8_t *out, size_t outlen, size_t *outn,
    uint8_t *seq)
{
	struct zw_s0_nonce	*e;
	uint8_t			 iv[2 * ZW_S0_HALF_NONCE], mac[ZW_S0_MAC_LEN];
	uint8_t			 plain[1 + ZW_S0_MAX_CMD];
	const uint8_t		*ct = f + 2 + ZW_S0_HALF_NONCE;
	size_t			 n;
	int			 macok;

	if (!s->have_key)
		return ZW_SEC_NO_KEY;
	if (len < ZW_S0_ENCAP_MIN || f[0] != ZW_CC_SECURITY ||
	    (f[1] != ZW_S0_ENCAP && f[1] != ZW_S0_ENCAP_NONCE_GET))
		return ZW_SEC_MALFORMED;
	n = len - (ZW_S0_OVERHEAD - 1);		/* sequence byte + command */
	if (n > 1 + ZW_S0_MAX_CMD || n - 1 > outlen)
		return ZW_SEC_MALFORMED;
	expire(s, now);
	/* Used up now, whatever follows: a replay finds no nonce. */
	if ((e = find_id(s, ct[n])) == NULL)
		return ZW_SEC_NO_NONCE;
	memcpy(iv, f + 2, ZW_S0_HALF_NONCE);
	memcpy(iv + ZW_S0_HALF_NONCE, e->n, ZW_S0_HALF_NONCE);
	macok = e->peer == src;
	memset(e, 0, sizeof(*e));
	if (!macok)
		return ZW_SEC_NO_NONCE;		/* handed out to another node */
	if (frame_mac(s, iv, f[1], src, dst, ct, n, mac) == -1)
		return ZW_SEC_CRYPTO;
	if (CRYPTO_memcmp(mac, ct + n + 1, ZW_S0_MAC_LEN) != 0)
		return ZW_SEC_BAD_MAC;
	if (zw_s0_ofb(s->kenc, iv, ct, n, plain) == -1)
		return ZW_SEC_CRYPTO;
	*seq = plain[0];
	memcpy(out, plain + 1, n - 1);
	*outn = n - 1;
	OPENSSL_cleanse(plain, sizeof(plain));
	return ZW_SEC_OK;
}

/* Whole commands only: a half of a split one is refused. */
enum zw_sec_result
zw_s0_decap(struct zw_s0 *s, uint8_t src, uint8_t dst, const uint8_t *f,
    size_t len, uint64_t now, uint8_t *out, size_t outlen, size_t *outn)
{
	enum zw_sec_result	r;
	uint8_t			seq = 0;

	r = zw_s0_decap_seq(s, src, dst, f, len, now, out, outlen, outn, &seq);
	if (r == ZW_SEC_OK && (seq & ZW_S0_SEQ_SEQUENCED)) {
		OPENSSL_cleanse(out, *outn);
		*outn = 0;
		return ZW_SEC_SEQUENCED;
	}
	return r;
}

/* --- split commands -------------------------------------------------- */

enum zw_sec_result
zw_s0_join(struct zw_s0_split *sp, uint8_t seq, const uint8_t *cmd,
    size_t n, uint64_t now, uint8_t *out, size_t outlen, size_t *outn)
{
	uint8_t	ctr = seq & ZW_S0_SEQ_COUNTER;
	int	ok;

	if (!(seq & ZW_S0_SEQ_SEQUENCED)) {
		/* A whole command between the halves leaves them be. */
		if (n > outlen)
			return ZW_SEC_MALFORMED;
		memcpy(out, cmd, n);
		*outn = n;
		return ZW_SEC_OK;
	}
	if (!(seq & ZW_S0_SEQ_SECOND)) {
		/* A first half: a pending one (lost second) gives way. */
		OPENSSL_cleanse(sp, sizeof(*sp));
		if (n > ZW_S0_MAX_CMD)
			return ZW_SEC_MALFORMED;
		memcpy(sp->cmd, cmd, n);
		sp->n = n;
		sp->counter = ctr;
		sp->at = now;
		return ZW_SEC_PARTIAL;
	}
	ok = sp->n > 0 && sp->counter == ctr && now >= sp->at &&
	    now - sp->at <= ZW_S0_SPLIT_WAIT_MS;
	if (ok && (n > ZW_S0_MAX_CMD - sp->n || sp->n + n > outlen)) {
		OPENSSL_cleanse(sp, sizeof(*sp));
		return ZW_SEC_MALFORMED;
	}
	if (ok) {
		memcpy(out, sp->cmd, sp->n);
		memcpy(out + sp->n, cmd, n);
		*outn = sp->n + n;
	}
	OPENSSL_cleanse(sp, sizeof(*sp));
	return ok ? ZW_SEC_OK : ZW_SEC_SEQUENCED;
}

const char *
zw_sec_result_str(enum zw_sec_result r)
{
	switch (r) {
	case ZW_SEC_OK:
		return "ok";
	case ZW_SEC_MALFORMED:
		return "malformed";
	case ZW_SEC_NO_NONCE:
		return "unknown, expired or replayed nonce";
	case ZW_SEC_BAD_MAC:
		return "bad MAC";
	case ZW_SEC_SEQUENCED:
		return "a half of a split command out of turn (no first half "
		    "pending with its counter, or too late)";
	case ZW_SEC_PARTIAL:
		return "first half of a split command";
	case ZW_SEC_NO_KEY:
		return "no network key";
	case ZW_SEC_CRYPTO:
		return "crypto failure";
	}
	return "?";
}

/* --- S0 as a scheme ------------------------------------------------- */

static enum zw_sec_result
s0_encap(void *st, uint8_t own, uint8_t dst, const uint8_t *nonce,
    uint8_t seq, int more, const uint8_t *cmd, size_t n, uint8_t *out,
    size_t outlen, size_t *outn)
{
	uint8_t iv8[ZW_S0_HALF_NONCE];

	if (rand_ossl(iv8, sizeof(iv8)) == -1)
		return ZW_SEC_CRYPTO;
	return zw_s0_encap_seq(st, own, dst, iv8, nonce, more ?
	    ZW_S0_ENCAP_NONCE_GET : ZW_S0_ENCAP, seq, cmd, n, out, outlen,
	    outn);
}

static enum zw_sec_result
s0_decap(void *st, uint8_t src, uint8_t own, const uint8_t *f, size_t len,
    uint64_t now, uint8_t *out, size_t outlen, size_t *outn, uint8_t *seq)
{
	return zw_s0_decap_seq(st, src, own, f, len, now, out, outlen, outn,
	    seq);
}

/* A Nonce Report: 0x98 0x80 and the nonce. */
static size_t
s0_nonce(void *st, uint8_t peer, uint64_t now, uint8_t *out, size_t outlen)
{
	if (outlen < 2 + ZW_S0_HALF_NONCE ||
	    zw_s0_nonce_new(st, peer, now, out + 2, NULL) == -1)
		return 0;
	out[0] = ZW_CC_SECURITY;
	out[1] = ZW_S0_NONCE_REPORT;
	return 2 + ZW_S0_HALF_NONCE;
}

const struct zw_sec_scheme zw_sec_s0 = {
	"S0", ZW_CC_SECURITY, 1, s0_encap, s0_decap, s0_nonce
};
