/*
 * The backup file's format (backup.h): building one, and reading one
 * back as outside input.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "backup.h"
#include "cluster/statesync.h"
#include "statefmt.h"
#include "version.h"

#define MAGIC_LEN	4
#define HASH_LEN	SHA256_DIGEST_LENGTH

/* Entries that are not state files: their names and limits. */
static const struct {
	const char	*name;
	size_t		 max;
} extra[] = {
	{ "backup.info",	BACKUP_INFO_MAX },
	{ "events",		SCHED_MAX_FILE },
	{ "pki/ca.crt",		BACKUP_PKI_MAX },
	{ "pki/crl.pem",	BACKUP_PKI_MAX },
	{ "pki/master.crt",	BACKUP_PKI_MAX },
	{ "pki/web.crt",	BACKUP_PKI_MAX },
};
#define NEXTRA	((int)(sizeof(extra) / sizeof(extra[0])))

_Static_assert(NEXTRA + SSYNC_MAX_FILES <= BACKUP_MAX_ENTRIES,
    "every entry fits struct backup");

size_t
backup_limit(const char *name)
{
	const struct ssync_file	*f;
	int			 i;

	for (i = 0; i < NEXTRA; i++)
		if (strcmp(extra[i].name, name) == 0)
			return extra[i].max;
	if ((f = ssync_file(ssync_file_index(name))) != NULL)
		return f->max;
	return 0;
}

static int
grow(uint8_t **buf, size_t *len, const void *p, size_t n)
{
	uint8_t	*nb;

	if (n > BACKUP_MAX_FILE - *len)
		return -1;
	if ((nb = realloc(*buf, *len + n)) == NULL)
		return -1;
	memcpy(nb + *len, p, n);
	*buf = nb;
	*len += n;
	return 0;
}

int
backup_add(uint8_t **buf, size_t *len, const char *name,
    const uint8_t *data, size_t dlen)
{
	size_t	nl = strlen(name);
	uint8_t	hd[1 + 255 + 4];

	if (nl == 0 || nl > 255 || dlen > backup_limit(name))
		return -1;
	if (*len == 0 && grow(buf, len, BACKUP_MAGIC, MAGIC_LEN) == -1)
		return -1;
	hd[0] = (uint8_t)nl;
	memcpy(hd + 1, name, nl);
	hd[1 + nl] = (uint8_t)(dlen >> 24);
	hd[2 + nl] = (uint8_t)(dlen >> 16);
	hd[3 + nl] = (uint8_t)(dlen >> 8);
	hd[4 + nl] = (uint8_t)dlen;
	if (grow(buf, len, hd, 5 + nl) == -1)
		return -1;
	return dlen == 0 ? 0 : grow(buf, len, data, dlen);
}

int
backup_seal(uint8_t **buf, size_t *len)
{
	uint8_t	h[HASH_LEN];

	if (*len < MAGIC_LEN)
		return -1;
	SHA256(*buf, *len, h);
	return grow(buf, len, h, HASH_LEN);
}

/* One entry at *off (before `end`, the hash): 0, or -1 with WHY. */
static int
parse_entry(const uint8_t *buf, size_t *off, size_t end,
    struct backup_entry *e, const char **why)
{
	char	name[256];
	size_t	nl, dl, o = *off;

	nl = buf[o++];
	if (nl == 0 || end - o < nl + 4)
		return *why = "an entry cut short", -1;
	memcpy(name, buf + o, nl);
	name[nl] = '\0';
	o += nl;
	if (memchr(name, '\0', nl) != NULL || backup_limit(name) == 0)
		return *why = "an entry of unknown name", -1;
	dl = (size_t)buf[o] << 24 | (size_t)buf[o + 1] << 16 |
	    (size_t)buf[o + 2] << 8 | buf[o + 3];
	o += 4;
	if (dl > backup_limit(name))
		return *why = "an entry larger than its file's limit", -1;
	if (end - o < dl)
		return *why = "an entry's data cut short", -1;
	e->data = buf + o;
	e->len = dl;
	*off = o + dl;
	return 0;
}

/* The entry's name as the static string of the lists (never BUF's). */
static const char *
static_name(const uint8_t *buf, size_t off)
{
	char	name[256];
	size_t	nl = buf[off];
	int	i;

	memcpy(name, buf + off + 1, nl);
	name[nl] = '\0';
	for (i = 0; i < NEXTRA; i++)
		if (strcmp(extra[i].name, name) == 0)
			return extra[i].name;
	return ssync_file(ssync_file_index(name))->name;
}

int
backup_parse(const uint8_t *buf, size_t len, struct backup *b,
    const char **why)
{
	static char	newer[128];
	uint8_t		h[HASH_LEN];
	size_t		off = MAGIC_LEN, end, start;
	uint32_t	fmt = state_magic_format(buf, len, "HDB");
	int		i;

	b->n = 0;
	if (len > BACKUP_MAX_FILE)
		return *why = "larger than BACKUP_MAX_FILE", -1;
	if (fmt > BACKUP_FORMAT) {
		snprintf(newer, sizeof(newer), "format %u is newer than this "
		    "version (%s) reads (%u): restore it with the version that "
		    "made it", fmt, HD_VERSION, BACKUP_FORMAT);
		return *why = newer, -1;
	}
	if (len < MAGIC_LEN + HASH_LEN || fmt != BACKUP_FORMAT)
		return *why = "not a homedaemon backup (HDB1)", -1;
	end = len - HASH_LEN;
	SHA256(buf, end, h);
	if (CRYPTO_memcmp(h, buf + end, HASH_LEN) != 0)
		return *why = "damaged: its SHA-256 does not match", -1;
	while (off < end) {
		if (b->n == BACKUP_MAX_ENTRIES)
			return *why = "more than BACKUP_MAX_ENTRIES entries", -1;
		start = off;
		if (parse_entry(buf, &off, end, &b->e[b->n], why) == -1)
			return -1;
		b->e[b->n].name = static_name(buf, start);
		for (i = 0; i < b->n; i++)
			if (b->e[i].name == b->e[b->n].name)
				return *why = "an entry twice", -1;
		b->n++;
	}
	return 0;
}
