#ifndef HD_TEST_AUTHW_H
#define HD_TEST_AUTHW_H

/* What the two files of test_authw share (test_authw.c,
 * test_authw_raw.c). */

#include <stdint.h>

#include "../../master/auth/users.h"

/* test_authw.c */
extern const struct scrypt_params cheap;	/* N=1024, fast */
extern const uint8_t	salt[SCRYPT_SALT_LEN];
/* 1 if `key` is scrypt(pw, salt, sp). */
int		 key_is(const uint8_t *key, const char *pw,
		    const struct scrypt_params *sp);

/* test_authw_raw.c */
void		 test_worker_direct(void);

#endif
