/*
 * libFuzzer harness for the backup file (master/backup_file.c), which
 * hd-master --restore reads from a file that travelled on a USB stick:
 * the bytes as they are (the SHA-256 check stops nearly all), and the
 * bytes with their correct SHA-256 appended, so that the entries behind
 * the check are reached. What parses must keep to the limits and
 * rebuild, entry by entry, into the very same bytes.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "backup.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_parsed(const uint8_t *buf, size_t len, const struct backup *b)
{
	uint8_t	*re = NULL;
	size_t	 rl = 0;
	int	 i;

	for (i = 0; i < b->n; i++) {
		if (b->e[i].len > backup_limit(b->e[i].name) ||
		    b->e[i].data < buf || b->e[i].data + b->e[i].len > buf + len)
			abort();
		if (backup_add(&re, &rl, b->e[i].name, b->e[i].data,
		    b->e[i].len) == -1)
			abort();
	}
	if (rl == 0) {		/* no entry: the magic alone */
		if ((re = malloc(4)) == NULL)
			return;
		memcpy(re, BACKUP_MAGIC, 4);
		rl = 4;
	}
	if (backup_seal(&re, &rl) == -1 || rl != len ||
	    memcmp(re, buf, len) != 0)
		abort();
	free(re);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct backup	 b;
	const char	*why;
	uint8_t		*buf;

	if (backup_parse(data, size, &b, &why) == 0)
		check_parsed(data, size, &b);
	if (size > BACKUP_MAX_FILE - SHA256_DIGEST_LENGTH ||
	    (buf = malloc(size + SHA256_DIGEST_LENGTH)) == NULL)
		return 0;
	memcpy(buf, data, size);
	SHA256(data, size, buf + size);
	if (backup_parse(buf, size + SHA256_DIGEST_LENGTH, &b, &why) == 0)
		check_parsed(buf, size + SHA256_DIGEST_LENGTH, &b);
	free(buf);
	return 0;
}
