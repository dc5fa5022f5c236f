/*
 * S2's primitives, all through OpenSSL 3's EVP interfaces (no other
 * crypto library, no hand-made AES): one AES block, CMAC, CCM with S2's
 * parameters, the CTR_DRBG built on the AES block, and X25519.
 *
 * The CTR_DRBG is the one place written out here: OpenSSL's own
 * (EVP_RAND "CTR-DRBG") draws its entropy from a parent source and cannot
 * be instantiated from given bytes, which is what a SPAN is: both ends
 * seed the same generator from the same MEI and must step in lockstep.
 */

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "zwave/zw_s2.h"

int
zw_s2_aes(const uint8_t key[ZW_S2_KEY_LEN], const uint8_t in[16],
    uint8_t out[16])
{
	EVP_CIPHER_CTX	*c;
	int		 n, r = -1;

	if ((c = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	if (EVP_EncryptInit_ex(c, EVP_aes_128_ecb(), NULL, key, NULL) == 1 &&
	    EVP_CIPHER_CTX_set_padding(c, 0) == 1 &&
	    EVP_EncryptUpdate(c, out, &n, in, 16) == 1 && n == 16)
		r = 0;
	EVP_CIPHER_CTX_free(c);
	return r;
}

int
zw_s2_cmac(const uint8_t key[ZW_S2_KEY_LEN], const uint8_t *m, size_t n,
    uint8_t mac[ZW_S2_BLOCK])
{
	static char	 cipher[] = "AES-128-CBC";
	OSSL_PARAM	 params[2];
	EVP_MAC		*alg;
	EVP_MAC_CTX	*c = NULL;
	size_t		 outn = 0;
	int		 r = -1;

	if ((alg = EVP_MAC_fetch(NULL, "CMAC", NULL)) == NULL)
		return -1;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER,
	    cipher, 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((c = EVP_MAC_CTX_new(alg)) != NULL &&
	    EVP_MAC_init(c, key, ZW_S2_KEY_LEN, params) == 1 &&
	    EVP_MAC_update(c, m, n) == 1 &&
	    EVP_MAC_final(c, mac, &outn, ZW_S2_BLOCK) == 1 &&
	    outn == ZW_S2_BLOCK)
		r = 0;
	EVP_MAC_CTX_free(c);
	EVP_MAC_free(alg);
	return r;
}

/* A CCM context keyed, with the nonce and the lengths set and the AAD fed:
 * what sealing and opening share. */
static EVP_CIPHER_CTX *
ccm_start(int enc, const uint8_t *key, const uint8_t *nonce,
    const uint8_t *aad, size_t aadn, size_t n, const uint8_t *tag)
{
	EVP_CIPHER_CTX	*c;
	int		 outn;

	if (n > INT32_MAX || aadn > INT32_MAX ||
	    (c = EVP_CIPHER_CTX_new()) == NULL)
		return NULL;
	if (EVP_CipherInit_ex(c, EVP_aes_128_ccm(), NULL, NULL, NULL, enc) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IVLEN, ZW_S2_NONCE_LEN,
	    NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, ZW_S2_TAG_LEN,
	    enc ? NULL : (void *)(uintptr_t)tag) != 1 ||
	    EVP_CipherInit_ex(c, NULL, NULL, key, nonce, enc) != 1 ||
	    EVP_CipherUpdate(c, NULL, &outn, NULL, (int)n) != 1 ||
	    (aadn > 0 && EVP_CipherUpdate(c, NULL, &outn, aad, (int)aadn) != 1)) {
		EVP_CIPHER_CTX_free(c);
		return NULL;
	}
	return c;
}

int
zw_s2_ccm_seal(const uint8_t key[ZW_S2_KEY_LEN],
    const uint8_t nonce[ZW_S2_NONCE_LEN], const uint8_t *aad, size_t aadn,
    const uint8_t *pt, size_t n, uint8_t *ct, uint8_t tag[ZW_S2_TAG_LEN])
{
	EVP_CIPHER_CTX	*c;
	int		 outn, r = -1;

	if ((c = ccm_start(1, key, nonce, aad, aadn, n, NULL)) == NULL)
		return -1;
	if (EVP_EncryptUpdate(c, ct, &outn, pt, (int)n) == 1 &&
	    (size_t)outn == n &&
	    EVP_EncryptFinal_ex(c, ct + n, &outn) == 1 &&
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, ZW_S2_TAG_LEN,
	    tag) == 1)
		r = 0;
	EVP_CIPHER_CTX_free(c);
	return r;
}

int
zw_s2_ccm_open(const uint8_t key[ZW_S2_KEY_LEN],
    const uint8_t nonce[ZW_S2_NONCE_LEN], const uint8_t *aad, size_t aadn,
    const uint8_t *ct, size_t n, const uint8_t tag[ZW_S2_TAG_LEN],
    uint8_t *pt)
{
	EVP_CIPHER_CTX	*c;
	int		 outn, r = -1;

	if ((c = ccm_start(0, key, nonce, aad, aadn, n, tag)) == NULL)
		return -1;
	/* CCM checks the tag in this one update: a mismatch fails it. */
	if (EVP_DecryptUpdate(c, pt, &outn, ct, (int)n) == 1 &&
	    (size_t)outn == n)
		r = 0;
	else
		OPENSSL_cleanse(pt, n);
	EVP_CIPHER_CTX_free(c);
	return r;
}

static void
block_inc(uint8_t v[ZW_S2_BLOCK])
{
	int i;

	for (i = ZW_S2_BLOCK - 1; i >= 0; i--)
		if (++v[i] != 0)
			break;
}

/* CTR_DRBG_Update: a fresh key and V from the old key, XOR `data`. */
static int
drbg_update(struct zw_s2_drbg *d, const uint8_t data[ZW_S2_SEED_LEN])
{
	uint8_t	temp[ZW_S2_SEED_LEN];
	size_t	i;
	int	r = 0;

	for (i = 0; i < ZW_S2_SEED_LEN && r == 0; i += ZW_S2_BLOCK) {
		block_inc(d->v);
		r = zw_s2_aes(d->key, d->v, temp + i);
	}
	if (r == 0) {
		for (i = 0; data != NULL && i < ZW_S2_SEED_LEN; i++)
			temp[i] ^= data[i];
		memcpy(d->key, temp, ZW_S2_KEY_LEN);
		memcpy(d->v, temp + ZW_S2_KEY_LEN, ZW_S2_BLOCK);
	}
	OPENSSL_cleanse(temp, sizeof(temp));
	return r;
}

int
zw_s2_drbg_init(struct zw_s2_drbg *d, const uint8_t ent[ZW_S2_SEED_LEN],
    const uint8_t ps[ZW_S2_PS_LEN])
{
	uint8_t	seed[ZW_S2_SEED_LEN];
	size_t	i;
	int	r;

	for (i = 0; i < ZW_S2_SEED_LEN; i++)
		seed[i] = ent[i] ^ (ps != NULL ? ps[i] : 0);
	memset(d, 0, sizeof(*d));
	r = drbg_update(d, seed);
	OPENSSL_cleanse(seed, sizeof(seed));
	return r;
}

int
zw_s2_drbg_generate(struct zw_s2_drbg *d, uint8_t *out, size_t n)
{
	uint8_t	block[ZW_S2_BLOCK];
	size_t	i, k;

	for (i = 0; i < n; i += k) {
		block_inc(d->v);
		if (zw_s2_aes(d->key, d->v, block) == -1)
			return -1;
		k = n - i < ZW_S2_BLOCK ? n - i : ZW_S2_BLOCK;
		memcpy(out + i, block, k);
	}
	OPENSSL_cleanse(block, sizeof(block));
	return drbg_update(d, NULL);
}

void
zw_s2_drbg_clear(struct zw_s2_drbg *d)
{
	OPENSSL_cleanse(d, sizeof(*d));
}

int
zw_s2_x25519_public(const uint8_t priv[ZW_S2_X25519_LEN],
    uint8_t pub[ZW_S2_X25519_LEN])
{
	EVP_PKEY	*k;
	size_t		 n = ZW_S2_X25519_LEN;
	int		 r = -1;

	k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv,
	    ZW_S2_X25519_LEN);
	if (k != NULL && EVP_PKEY_get_raw_public_key(k, pub, &n) == 1 &&
	    n == ZW_S2_X25519_LEN)
		r = 0;
	EVP_PKEY_free(k);
	return r;
}

int
zw_s2_x25519_shared(const uint8_t priv[ZW_S2_X25519_LEN],
    const uint8_t peer[ZW_S2_X25519_LEN], uint8_t secret[ZW_S2_X25519_LEN])
{
	EVP_PKEY	*k, *p;
	EVP_PKEY_CTX	*c = NULL;
	size_t		 n = ZW_S2_X25519_LEN;
	int		 r = -1;

	k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv,
	    ZW_S2_X25519_LEN);
	p = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer,
	    ZW_S2_X25519_LEN);
	/* OpenSSL refuses an all-zero result (a small-order peer key). */
	if (k != NULL && p != NULL &&
	    (c = EVP_PKEY_CTX_new(k, NULL)) != NULL &&
	    EVP_PKEY_derive_init(c) == 1 &&
	    EVP_PKEY_derive_set_peer(c, p) == 1 &&
	    EVP_PKEY_derive(c, secret, &n) == 1 && n == ZW_S2_X25519_LEN)
		r = 0;
	EVP_PKEY_CTX_free(c);
	EVP_PKEY_free(p);
	EVP_PKEY_free(k);
	return r;
}
