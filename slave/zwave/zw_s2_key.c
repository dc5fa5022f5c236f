/*
 * The installation's S2 network keys: STATE_DIR/zwave-s2.key beside S0's
 * zwave.key, kept the same way (mode 0600, written atomically, refused if
 * others may read it, hex text so a standby can be given a copy). Three
 * lines of 32 hex digits: S2 Unauthenticated, Authenticated, Access
 * Control. The spec wants every class's key distinct: a file with two
 * equal keys is refused rather than silently letting one class's frames
 * pass for another's.
 */

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "atomicfile.h"
#include "log.h"
#include "zwave/zw_s2.h"

#define LINE_LEN	(2 * ZW_S2_KEY_LEN + 1)	/* hex digits, newline */

static int
keys_parse(const uint8_t *b, size_t n,
    uint8_t keys[ZW_S2_NETKEYS][ZW_S2_KEY_LEN])
{
	unsigned int	v;
	size_t		i, k;
	char		hex[3] = { 0 };

	if (n != ZW_S2_NETKEYS * LINE_LEN)
		return -1;
	for (k = 0; k < ZW_S2_NETKEYS; k++, b += LINE_LEN) {
		if (b[LINE_LEN - 1] != '\n')
			return -1;
		for (i = 0; i < ZW_S2_KEY_LEN; i++) {
			memcpy(hex, b + 2 * i, 2);
			if (strspn(hex, "0123456789abcdefABCDEF") != 2 ||
			    sscanf(hex, "%2x", &v) != 1)
				return -1;
			keys[k][i] = (uint8_t)v;
		}
	}
	return 0;
}

static int
keys_distinct(uint8_t keys[ZW_S2_NETKEYS][ZW_S2_KEY_LEN])
{
	size_t a, b;

	for (a = 0; a < ZW_S2_NETKEYS; a++)
		for (b = a + 1; b < ZW_S2_NETKEYS; b++)
			if (CRYPTO_memcmp(keys[a], keys[b], ZW_S2_KEY_LEN) == 0)
				return 0;
	return 1;
}

static int
keys_create(const char *path, uint8_t keys[ZW_S2_NETKEYS][ZW_S2_KEY_LEN])
{
	char	text[ZW_S2_NETKEYS * LINE_LEN + 1];
	size_t	i, k;
	int	r;

	if (RAND_bytes(&keys[0][0], ZW_S2_NETKEYS * ZW_S2_KEY_LEN) != 1 ||
	    !keys_distinct(keys)) {
		log_warnx("zwave: no randomness for the S2 network keys");
		return -1;
	}
	for (k = 0; k < ZW_S2_NETKEYS; k++) {
		for (i = 0; i < ZW_S2_KEY_LEN; i++)
			snprintf(text + k * LINE_LEN + 2 * i, 3, "%02x",
			    keys[k][i]);
		text[k * LINE_LEN + LINE_LEN - 1] = '\n';
	}
	r = atomic_write(path, text, ZW_S2_NETKEYS * LINE_LEN, 0600);
	OPENSSL_cleanse(text, sizeof(text));
	if (r == -1) {
		log_warn("zwave: %s", path);
		return -1;
	}
	log_info("zwave: new S2 network keys in %s", path);
	return 0;
}

int
zw_s2_keys_load(const char *path, uint8_t keys[ZW_S2_NETKEYS][ZW_S2_KEY_LEN])
{
	struct stat	 st;
	uint8_t		*b = NULL;
	size_t		 n = 0;
	int		 r;

	if (stat(path, &st) == -1) {
		if (errno == ENOENT)
			return keys_create(path, keys);
		log_warn("zwave: %s", path);
		return -1;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		log_warnx("zwave: %s: readable by others: refused (mode 0600, "
		    "and make new keys if they were exposed)", path);
		return -1;
	}
	if (atomic_read(path, ZW_S2_KEY_FILE_MAX, &b, &n) == -1) {
		log_warn("zwave: %s", path);
		return -1;
	}
	if ((r = keys_parse(b, n, keys)) == -1)
		log_warnx("zwave: %s: not three lines of 32 hex digits", path);
	else if (!keys_distinct(keys)) {
		log_warnx("zwave: %s: two classes share a key: refused", path);
		r = -1;
	}
	if (r == -1)
		OPENSSL_cleanse(keys, ZW_S2_NETKEYS * ZW_S2_KEY_LEN);
	OPENSSL_cleanse(b, n);
	free(b);
	return r;
}
