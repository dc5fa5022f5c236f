/*
 * The Z-Wave network key file: 16 random bytes made on the first start,
 * kept in STATE_DIR/zwave.key (mode 0600, 32 hex digits and a newline, so
 * that a standby can be given a copy); a key file others can read is
 * refused.
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
#include "zwave/zw_sec_int.h"

static int
key_parse(const uint8_t *b, size_t n, uint8_t key[ZW_S0_KEY_LEN])
{
	unsigned int	v;
	size_t		i;
	char		hex[3] = { 0 };

	if (n != 2 * ZW_S0_KEY_LEN + 1 || b[2 * ZW_S0_KEY_LEN] != '\n')
		return -1;
	for (i = 0; i < ZW_S0_KEY_LEN; i++) {
		memcpy(hex, b + 2 * i, 2);
		if (strspn(hex, "0123456789abcdefABCDEF") != 2 ||
		    sscanf(hex, "%2x", &v) != 1)
			return -1;
		key[i] = (uint8_t)v;
	}
	return 0;
}

static int
key_create(const char *path, uint8_t key[ZW_S0_KEY_LEN])
{
	char	text[2 * ZW_S0_KEY_LEN + 2];
	size_t	i;
	int	r;

	if (RAND_bytes(key, ZW_S0_KEY_LEN) != 1) {
		log_warnx("zwave: no randomness for a network key");
		return -1;
	}
	for (i = 0; i < ZW_S0_KEY_LEN; i++)
		snprintf(text + 2 * i, 3, "%02x", key[i]);
	text[2 * ZW_S0_KEY_LEN] = '\n';
	r = atomic_write(path, text, 2 * ZW_S0_KEY_LEN + 1, 0600);
	OPENSSL_cleanse(text, sizeof(text));
	if (r == -1) {
		log_warn("zwave: %s", path);
		return -1;
	}
	log_info("zwave: new network key in %s", path);
	return 0;
}

int
zw_sec_key_check(const char *state_dir)
{
	uint8_t		 key[ZW_S0_KEY_LEN];
	struct stat	 st;
	char		*path;
	int		 r;

	if (asprintf(&path, "%s/zwave.key", state_dir) == -1)
		return -1;
	if (stat(path, &st) == -1) {
		r = errno == ENOENT ? 0 : -1;
		if (r == -1)
			log_warn("zwave: %s", path);
	} else
		r = zw_sec_key_load(path, key);
	OPENSSL_cleanse(key, sizeof(key));
	free(path);
	if (r == 0)
		r = zw_s2_key_check(state_dir);
	return r;
}

int
zw_sec_key_load(const char *path, uint8_t key[ZW_S0_KEY_LEN])
{
	struct stat	 st;
	uint8_t		*b = NULL;
	size_t		 n = 0;
	int		 r;

	if (stat(path, &st) == -1)
		return errno == ENOENT ? key_create(path, key) : -1;
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		log_warnx("zwave: %s: readable by others: refused (mode 0600, "
		    "and make a new key if it was exposed)", path);
		return -1;
	}
	if (atomic_read(path, ZW_SEC_KEY_FILE_MAX, &b, &n) == -1) {
		log_warn("zwave: %s", path);
		return -1;
	}
	if ((r = key_parse(b, n, key)) == -1)
		log_warnx("zwave: %s: not 32 hex digits and a newline", path);
	OPENSSL_cleanse(b, n);
	free(b);
	return r;
}

