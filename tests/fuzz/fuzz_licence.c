/*
 * libFuzzer harness for licence loading (master/licence/licence.c): raw bytes as
 * a licence file, verified against a fixed test vendor root and
 * installation binding at a fixed time (when the seeds in
 * corpus/licence were made by tests/integration/gen-test-licences.sh, so
 * the good seed stays good); and the same bytes as the DER value of the
 * licence extension. A licence that verifies must carry sane terms.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <openssl/pem.h>

#include "licence/licence.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The seeds' test root ("Test Vendor Root"); no key exists anywhere. */
static const char root_pem[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBvDCCAWGgAwIBAgIUXBqTBhsn7/uiIqMeC86wcl5IUzgwCgYIKoZIzj0EAwIw\n"
	"OjEdMBsGA1UECgwUaG9tZWRhZW1vbiBsaWNlbnNpbmcxGTAXBgNVBAMMEFRlc3Qg\n"
	"VmVuZG9yIFJvb3QwHhcNMjYxMTI2MTIxNzUyWhcNNDYxMTIxMTIxNzUyWjA6MR0w\n"
	"GwYDVQQKDBRob21lZGFlbW9uIGxpY2Vuc2luZzEZMBcGA1UEAwwQVGVzdCBWZW5k\n"
	"b3IgUm9vdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABBz7LC4fhNA+keEv6aXA\n"
	"vmHMXuI1kfMncyGve/sZA3VwYicOoLX5qwQ2zwjo2slwRqhedO7VWuFPUVa+7LDl\n"
	"m/GjRTBDMBIGA1UdEwEB/wQIMAYBAf8CAQEwDgYDVR0PAQH/BAQDAgEGMB0GA1Ud\n"
	"DgQWBBR373KB35RkeWtAO0aRDp05Qbl/ZzAKBggqhkjOPQQDAgNJADBGAiEAqkF8\n"
	"JbUJ/33XSnP7YxknE5Z9jL5CeLnmoX0p2Xs9mhsCIQCdOAJOPJAEnCUynUkE3f6t\n"
	"iEsjGU935R/mm6d/dcRSgg==\n"
	"-----END CERTIFICATE-----\n"
	;
/* hd-license fingerprint of the seeds' installation CA. */
static const char binding_hex[] =
    "7cb5fed3e92b49406497b27d0c6d436fdc8305585a6ddef52bda856580f79473";
#define SEED_TIME	1795695482LL	/* when the seeds were made */

static X509	*root;
static uint8_t	 binding[LICENCE_BINDING_LEN];

static void
setup(void)
{
	BIO	*b = BIO_new_mem_buf(root_pem, (int)sizeof(root_pem) - 1);
	size_t	 i;
	unsigned v;

	if (b == NULL || (root = PEM_read_bio_X509(b, NULL, NULL, NULL)) ==
	    NULL)
		abort();
	BIO_free(b);
	for (i = 0; i < LICENCE_BINDING_LEN; i++) {
		if (sscanf(binding_hex + 2 * i, "%2x", &v) != 1)
			abort();
		binding[i] = (uint8_t)v;
	}
}

static void
check_terms(const struct licence_terms *t)
{
	if (t->customer[0] == '\0' ||
	    strlen(t->customer) > LICENCE_CUSTOMER_MAX ||
	    t->max_slaves < 0 || t->max_slaves > CLUSTER_MAX_PEERS ||
	    t->max_zwave_nodes < 0 ||
	    t->max_zwave_nodes > LICENCE_MAX_ZWAVE_NODES ||
	    (t->features & ~(unsigned)LICENCE_F_ALL) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct licence_terms	t;
	enum licence_verdict	v;
	char			why[192];

	if (root == NULL)
		setup();
	memset(&t, 0, sizeof(t));
	if (licence_parse_ext(data, size, &t, why, sizeof(why)) == 0)
		check_terms(&t);
	v = licence_verify(data, size, root, binding, NULL, SEED_TIME, &t, why,
	    sizeof(why));
	if (v != LICENCE_BAD) {
		check_terms(&t);
		if (memcmp(t.binding, binding, LICENCE_BINDING_LEN) != 0)
			abort();
		X509_CRL_free(licence_newest_crl(data, size, NULL));
	}
	return 0;
}
