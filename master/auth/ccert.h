#ifndef HD_CCERT_H
#define HD_CCERT_H

/*
 * The master verifies an app's client certificate itself
 * (docs/SECURITY.md): the web process passes the DER chain it was shown,
 * and the master checks it against its own store (the installation CA
 * and the CRL it reloads on SIGHUP), the clientAuth and `client` role
 * EKUs and the P-256 key, then takes the CN and serial from it. Nothing
 * the web process says about the certificate is believed.
 */

#include <openssl/x509.h>
#include <protobuf-c/protobuf-c.h>

#include "hdlimits.h"

enum ccert_status {
	CCERT_NONE,	/* no chain: not a certificate call */
	CCERT_OK,	/* cn and serial are the verified leaf's */
	CCERT_REVOKED,	/* on the CRL; cn and serial set, for the
			 * CRL gate's own refusal (api_certcrl.c) */
	CCERT_BAD,	/* anything else; why says what */
};

/* Verify `n` DER certificates (leaf first) against `store`; cn holds at
 * least USER_NAME_MAX + 1 bytes, serial CLIENT_SERIAL_MAX + 1. The
 * caller has checked n <= CLIENT_CHAIN_MAX and each length. */
enum ccert_status ccert_verify(X509_STORE *store,
		    const ProtobufCBinaryData *chain, size_t n, char *cn,
		    char *serial, char *why, size_t whylen);

#endif
