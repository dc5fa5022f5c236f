/*
 * The Z-Wave NVM backup file (zwnvm.h): its header written and checked.
 * Pure code; the SHA-256 through OpenSSL's EVP.
 */

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "zwnvm.h"

static const uint8_t magic[8] = { 'h', 'd', 'z', 'w', 'n', 'v', 'm', 0 };

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* SHA-256 of the header's first 64 bytes and the NVM bytes. */
static int
digest(const uint8_t *hdr, const uint8_t *nvm, size_t n, uint8_t out[32])
{
	EVP_MD_CTX	*x;
	unsigned	 len = 0;
	int		 ok;

	if ((x = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestInit_ex(x, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(x, hdr, 64) == 1 &&
	    EVP_DigestUpdate(x, nvm, n) == 1 &&
	    EVP_DigestFinal_ex(x, out, &len) == 1 && len == 32;
	EVP_MD_CTX_free(x);
	return ok ? 0 : -1;
}

int
zwnvm_encode(uint8_t hdr[ZWNVM_HDR_LEN], struct zwnvm_meta *m,
    const uint8_t *nvm, size_t n)
{
	size_t i;

	if (n == 0 || n > ZW_NVM_MAX)
		return -1;
	memset(hdr, 0, ZWNVM_HDR_LEN);
	memcpy(hdr, magic, sizeof(magic));
	m->format = ZWNVM_FORMAT;
	m->size = (uint32_t)n;
	put16(hdr + 8, m->format);
	hdr[10] = m->api;
	hdr[11] = m->chip_type;
	hdr[12] = m->chip_version;
	hdr[13] = m->app_major;
	hdr[14] = m->app_minor;
	hdr[15] = m->own_id;
	for (i = 0; i < ZWNVM_LIB_MAX && m->library[i] != '\0'; i++)
		hdr[16 + i] = (uint8_t)m->library[i];
	put16(hdr + 32, m->manufacturer);
	put16(hdr + 34, m->product_type);
	put16(hdr + 36, m->product_id);
	put32(hdr + 40, m->home_id);
	put32(hdr + 44, m->size);
	put32(hdr + 48, (uint32_t)(m->time_ms >> 32));
	put32(hdr + 52, (uint32_t)m->time_ms);
	if (digest(hdr, nvm, n, m->sha256) == -1)
		return -1;
	memcpy(hdr + 64, m->sha256, 32);
	return 0;
}

static int
zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/* The library string: printable ASCII, then only NULs. */
static int
library(const uint8_t *p, char *out)
{
	size_t i;

	for (i = 0; i < ZWNVM_LIB_MAX && p[i] >= 0x20 && p[i] < 0x7f; i++)
		out[i] = (char)p[i];
	out[i] = '\0';
	return i > 0 && zero(p + i, 16 - i);
}

int
zwnvm_parse(const uint8_t *f, size_t len, struct zwnvm_meta *m,
    const char **why)
{
	uint8_t sha[32];

	memset(m, 0, sizeof(*m));
	if (len < ZWNVM_HDR_LEN || memcmp(f, magic, sizeof(magic)) != 0) {
		*why = "not a Z-Wave controller backup of homedaemon";
		return -1;
	}
	m->format = get16(f + 8);
	if (m->format != ZWNVM_FORMAT) {
		*why = m->format > ZWNVM_FORMAT ? "a backup of a newer "
		    "format than this version reads" : "an unknown format";
		return -1;
	}
	m->api = f[10];
	m->chip_type = f[11];
	m->chip_version = f[12];
	m->app_major = f[13];
	m->app_minor = f[14];
	m->own_id = f[15];
	m->manufacturer = get16(f + 32);
	m->product_type = get16(f + 34);
	m->product_id = get16(f + 36);
	m->home_id = get32(f + 40);
	m->size = get32(f + 44);
	m->time_ms = (uint64_t)get32(f + 48) << 32 | get32(f + 52);
	memcpy(m->sha256, f + 64, 32);
	if ((m->api != ZWNVM_API_OPS && m->api != ZWNVM_API_EXT) ||
	    !library(f + 16, m->library) || !zero(f + 38, 2) ||
	    !zero(f + 56, 8) || m->own_id < 1 || m->own_id > ZW_MAX_NODES) {
		*why = "the backup's header is damaged";
		return -1;
	}
	if (m->size == 0 || m->size > ZW_NVM_MAX ||
	    len - ZWNVM_HDR_LEN != m->size) {
		*why = "the backup's size does not match its header "
		    "(cut short or too long)";
		return -1;
	}
	if (digest(f, f + ZWNVM_HDR_LEN, m->size, sha) == -1 ||
	    memcmp(sha, m->sha256, 32) != 0) {
		*why = "the backup's SHA-256 does not match: it is damaged";
		return -1;
	}
	return 0;
}

void
zwnvm_hex(const uint8_t sha[32], char out[65])
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[sha[i] >> 4];
		out[2 * i + 1] = hex[sha[i] & 15];
	}
	out[64] = '\0';
}

const char *
zwnvm_chip_name(uint8_t chip_type, char *buf, size_t size)
{
	switch (chip_type) {
	case 0x05:
		return "500 series";
	case 0x07:
		return "700 series";
	case 0x08:
		return "800 series";
	default:
		snprintf(buf, size, "chip 0x%02x", chip_type);
		return buf;
	}
}

int
zwnvm_lib_major(const char *lib)
{
	int major;

	if (sscanf(lib, "Z-Wave %d.", &major) != 1 || major < 0)
		return -1;
	return major;
}
