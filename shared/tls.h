#ifndef HD_TLS_H
#define HD_TLS_H

/*
 * TLS contexts for the cluster link: TLS 1.3 only, ECDSA P-256 keys,
 * mutual authentication against the installation CA (plus its CRL), and
 * a role check on the peer's certificate inside the handshake, so that a
 * wrong certificate is refused before a single protobuf byte is read.
 *
 * Roles are extended key usages under our private arc (docs/PKI.md).
 * The node id is the certificate's common name.
 */

#include <stddef.h>

#include <openssl/ssl.h>

#define ROLE_OID_ARC	"2.25.301785549677273497587788916755539482760.1"

enum hd_role {
	ROLE_MASTER = 0x1,
	ROLE_SLAVE = 0x2,
	ROLE_WEB = 0x4,
	ROLE_CLIENT = 0x8,
};

struct tls_files {
	const char	*ca;		/* installation CA certificate */
	const char	*cert;		/* our certificate */
	const char	*key;		/* our private key */
	const char	*crl;		/* CRL, or NULL */
};

/*
 * Build a context. `own_role`: the role our certificate must carry;
 * `peer_role`: the role the peer's certificate must carry. Returns NULL
 * with a reason in `err` on any problem (fatal at start-up).
 */
SSL_CTX		*tls_ctx_new(const struct tls_files *, int server, int own_role,
		    int peer_role, char *err, size_t errlen);
/* Attach the buffer where the verify callback writes why it refused. */
void		 tls_set_why(SSL *, char *why, size_t len);
/* Roles (ROLE_* bits) named by a certificate's extended key usage. */
int		 tls_cert_roles(X509 *);
/* Is `s` a valid node id (what a certificate's CN must be)? */
int		 tls_node_id_ok(const char *s);
/* Copy the CN into `id` if it is a valid node id; -1 otherwise. */
int		 tls_cert_node_id(X509 *, char *id, size_t len);
/* Is the public key ECDSA on P-256? */
int		 tls_key_ok(X509 *);
/* Check a leaf for `want_role`: 0, or -1 with a reason in `why`. */
int		 tls_check_leaf(X509 *, int want_role, char *why, size_t len);
/* Take the oldest OpenSSL error as text ("" when there is none). */
const char	*tls_errstr(char *buf, size_t len);
const char	*tls_role_name(int role);
/* A verify result we accept (OK, or only the CRL is out of date). */
int		 tls_verify_result_ok(long);
/* Check a connected peer against the current CA/CRL: 0, or -1 + why. */
int		 tls_reverify(SSL_CTX *, SSL *, char *why, size_t len);
/* Re-read the CA and CRL into a running context (SIGHUP). */
int		 tls_reload(SSL_CTX *, const struct tls_files *, char *err,
		    size_t errlen);

#endif
