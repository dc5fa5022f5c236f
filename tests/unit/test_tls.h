#ifndef HD_TEST_TLS_H
#define HD_TEST_TLS_H

/* What the two files of test_tls share (test_tls.c, test_tls_hs.c). */

#include "tls.h"

#define WHYLEN		192	/* as struct conn's why[] */

/* test_tls.c: "good/master.crt" -> "<pkidir>/good/master.crt" (from a
 * ring of 16: valid for the next 15 calls); NULL for NULL. */
const char	*P(const char *rel);
/* tls_files with each path through P(). */
struct tls_files files(const char *ca, const char *cert, const char *key,
		    const char *crl);

/* test_tls_hs.c */
void		 test_handshakes(void);
void		 test_reverify(void);

#endif
