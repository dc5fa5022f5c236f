/*
 * The production trust anchor and clock for licences: the vendor root
 * compiled in from VENDOR_ROOT at build time (master/licence/mkroot.sh), and the
 * system clock. Nothing here reads a file or the environment, so no
 * configuration can swap the root; test builds link
 * tests/tools/licence_root_test.c in place of this file.
 */

#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "licence/licence.h"

extern const unsigned char	licence_vendor_root[];
extern const size_t		licence_vendor_root_len;

X509 *
licence_root(void)
{
	static X509	*root;
	BIO		*b;

	if (root != NULL)
		return root;
	if ((b = BIO_new_mem_buf(licence_vendor_root,
	    (int)licence_vendor_root_len)) == NULL)
		return NULL;
	root = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	ERR_clear_error();
	return root;
}

int64_t
licence_now(void)
{
	return (int64_t)time(NULL);
}
