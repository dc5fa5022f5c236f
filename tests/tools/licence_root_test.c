/*
 * Test-only replacement for master/licence/licence_root.c, linked into
 * hd-master-testroot (never installed): the vendor root comes from the
 * file named by HD_LICENCE_ROOT, and the licence clock is the system
 * clock shifted by the number of seconds in the file named by
 * HD_LICENCE_CLOCK (re-read on every call, so a test can move time and
 * send SIGHUP). The production binary has neither hook.
 */

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "../../master/licence/licence.h"

X509 *
licence_root(void)
{
	static X509	*root;
	const char	*path = getenv("HD_LICENCE_ROOT");
	FILE		*f;

	if (root != NULL || path == NULL || (f = fopen(path, "r")) == NULL)
		return root;
	root = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	ERR_clear_error();
	return root;
}

int64_t
licence_now(void)
{
	const char	*path = getenv("HD_LICENCE_CLOCK");
	FILE		*f;
	long long	 shift = 0;

	if (path != NULL && (f = fopen(path, "r")) != NULL) {
		if (fscanf(f, "%lld", &shift) != 1)
			shift = 0;
		fclose(f);
	}
	return (int64_t)time(NULL) + (int64_t)shift;
}
