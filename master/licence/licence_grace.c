/*
 * Where the grace period without a licence starts (docs/LICENSING.md,
 * "Grace without a licence"). The installation CA's notBefore alone is
 * not enough: the owner holds ca.key and can re-sign the CA certificate
 * with the same key and a fresh date, which keeps every node certificate
 * and the licence binding valid. So the first date seen for a CA key is
 * kept in <state-dir>/licence.grace, bound to that key, and the grace
 * counts from the earlier of it and the certificate's notBefore:
 * re-signing the same key cannot move it later.
 *
 * The record is one line, "1 <binding, 64 hex> <Unix seconds>\n",
 * written crash-safe (atomic_write). What it cannot prevent: the owner
 * deleting or editing the file as well as re-signing the CA. Nothing
 * offline can; that case falls back to the notBefore of the CA
 * certificate in use, as before.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "licence/licence.h"
#include "log.h"
#include "version.h"

#define GRACE_VERSION	('0' + STATE_GRACE_FORMAT)	/* statefmt.h */
#define GRACE_SECS_MAX	19	/* digits of an int64_t */

static int
hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Parse a record from a cursor, every byte checked; 0 or -1. */
static int
grace_parse(const uint8_t *p, size_t len, uint8_t binding[LICENCE_BINDING_LEN],
    int64_t *since)
{
	size_t	i, n;
	int	hi, lo;

	if (len < 2 + 2 * LICENCE_BINDING_LEN + 3 || p[0] != GRACE_VERSION ||
	    p[1] != ' ' || p[len - 1] != '\n')
		return -1;
	p += 2;
	len -= 3;			/* version, space, final newline */
	for (i = 0; i < LICENCE_BINDING_LEN; i++) {
		if ((hi = hexval(p[2 * i])) < 0 ||
		    (lo = hexval(p[2 * i + 1])) < 0)
			return -1;
		binding[i] = (uint8_t)(hi << 4 | lo);
	}
	p += 2 * LICENCE_BINDING_LEN;
	len -= 2 * LICENCE_BINDING_LEN;
	if (len < 2 || len - 1 > GRACE_SECS_MAX || p[0] != ' ')
		return -1;
	for (*since = 0, n = 1; n < len; n++) {
		if (p[n] < '0' || p[n] > '9' ||
		    *since > (INT64_MAX - 9) / 10)
			return -1;
		*since = *since * 10 + (p[n] - '0');
	}
	return 0;
}

/* Read the record; 0, or -1 (absent: *absent set, else damaged), or -2:
 * a record of a newer format (logged), which is left as it is. */
static int
grace_load(const char *path, uint8_t binding[LICENCE_BINDING_LEN],
    int64_t *since, int *absent)
{
	uint8_t	*buf;
	size_t	 len;
	int	 r;

	*absent = 0;
	if (atomic_read(path, LICENCE_GRACE_MAX_FILE, &buf, &len) == -1) {
		if (errno == ENOENT)
			*absent = 1;
		else
			log_warn("licence: %s", path);
		return -1;
	}
	/* "N " with N above ours: a later version's record. */
	if (len >= 2 && buf[0] > GRACE_VERSION && buf[0] <= '9' &&
	    buf[1] == ' ') {
		log_warnx("licence: %s: format %c is newer than this version "
		    "(%s) reads (%c): refused, left as it is; the grace period "
		    "counts from the installation CA's date", path, buf[0],
		    HD_VERSION, GRACE_VERSION);
		free(buf);
		return -2;
	}
	r = grace_parse(buf, len, binding, since);
	free(buf);
	if (r == -1)
		log_warnx("licence: %s is damaged; the grace period counts "
		    "from the installation CA's date", path);
	return r;
}

static void
grace_save(const char *path, const uint8_t binding[LICENCE_BINDING_LEN],
    int64_t since)
{
	char	line[LICENCE_GRACE_MAX_FILE];
	size_t	n, i;

	n = (size_t)snprintf(line, sizeof(line), "%c ", GRACE_VERSION);
	for (i = 0; i < LICENCE_BINDING_LEN; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%02x",
		    binding[i]);
	n += (size_t)snprintf(line + n, sizeof(line) - n, " %" PRId64 "\n",
	    since);
	if (n >= sizeof(line) || atomic_write(path, line, n, 0600) == -1)
		log_warn("licence: cannot write %s (the grace period still "
		    "counts from the installation CA's date)", path);
}

int64_t
licence_grace_start(const char *path,
    const uint8_t binding[LICENCE_BINDING_LEN], int64_t ca_not_before)
{
	uint8_t	kept[LICENCE_BINDING_LEN];
	int64_t	since;
	int	absent, r;

	if ((r = grace_load(path, kept, &since, &absent)) == -2)
		return ca_not_before;
	if (r == -1)
		since = ca_not_before;
	else if (memcmp(kept, binding, LICENCE_BINDING_LEN) != 0) {
		log_info("licence: the installation CA has a new key; its "
		    "grace period counts from its date");
		since = ca_not_before;
	} else if (since <= ca_not_before)
		return since;		/* kept, nothing to write */
	else
		since = ca_not_before;	/* re-signed with an earlier date */
	grace_save(path, binding, since);
	return since;
}
