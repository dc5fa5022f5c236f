#ifndef HD_WEBAPI_H
#define HD_WEBAPI_H

/*
 * The contract between hd-master and its web process, beside
 * proto/web.proto: the constants both sides check, and what the web
 * process (and the auth worker, which drops to the same user and chroot)
 * is given at start-up. The web process includes this and lib/, never the
 * master's model (master.h, api/, auth/): it sees users, sessions and
 * devices only as the messages of web.proto (docs/ARCHITECTURE.md).
 */

#include "hdlimits.h"

#define API_PREFIX		"/api/v1/"
#define API_COOKIE		"__Host-hd_session"
#define API_TOKEN_MAX		128		/* a Bearer token's characters */
#define API_KEY_LEN		16		/* hex digits naming a caller */
#define SESSION_TOKEN_LEN	32			/* bytes, 256 bits */
#define SESSION_TOKEN_HEX	(2 * SESSION_TOKEN_LEN)	/* as text */

/*
 * The web process's configuration, filled by the master from its own
 * (master.c) before the fork; the strings are the master's, valid for
 * the life of the process. state_dir/web-root is the chroot of both
 * children, user their uid ("nobody" if NULL).
 */
struct web_conf {
	const char	*listen[WEB_MAX_LISTEN];
	int		 nlisten;
	const char	*cert, *key;		/* the web certificate */
	const char	*ca, *crl;		/* for app client certificates */
	const char	*state_dir;
	const char	*user;
	long		 handshake_ms;		/* first byte + TLS */
	long		 request_ms;		/* a head, a body */
	const char	*allow[BAN_MAX_ALLOW];	/* never banned */
	int		 nallow;
	long		 ban_v6_prefix;		/* IPv6 counted per /N */
	/* master-web URLs: the dashboard may ask each origin (CSP
	 * connect-src), which may read GET /api/v1/master (CORS) */
	const char	*mweb[HA_MAX_MASTERS];
	int		 nmweb;
};

#endif
