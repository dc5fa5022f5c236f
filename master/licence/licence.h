#ifndef HD_LICENCE_H
#define HD_LICENCE_H

/*
 * Licences (docs/LICENSING.md): a certificate from the vendor's licence
 * CA, chained to the vendor root built into hd-master, bound to this
 * installation's CA key, carrying the customer, term, limits and
 * features in an extension under our private arc.
 *
 * Two layers:
 *  - licence.c: pure verification of a PEM bundle against a given root,
 *    binding and time (unit tests and the fuzzer call it directly);
 *  - licence_state.c: the master's licence in force, its status over
 *    time (valid, expiring, grace, limited), the daily re-check, the
 *    slave admission and feature checks other modules call.
 *
 * A licence never turns a device off: without one the master keeps
 * running every slave it ran before, only new slaves and the licensed
 * features are refused (limited mode).
 */

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "hdlimits.h"

/* Our private arc (docs/PKI.md), branch 2 for licences. */
#define LICENCE_OID_ARC		"2.25.301785549677273497587788916755539482760.2"
#define LICENCE_OID_EKU		LICENCE_OID_ARC ".1"	/* licence purpose */
#define LICENCE_OID_EXT		LICENCE_OID_ARC ".2"	/* licence terms */
#define LICENCE_EXT_VERSION	1
#define LICENCE_BINDING_LEN	32	/* SHA-256 of the CA's public key */

#define LICENCE_WARN_DAYS	30	/* "expiring" this long ahead */
#define LICENCE_GRACE_DAYS	30	/* full service after expiry / trial */
#define LICENCE_DAY_S		86400
#define LICENCE_CHECK_MS	(24 * 60 * 60 * 1000)	/* daily re-check */
#define LICENCE_RETRY_MS	(60 * 60 * 1000)	/* file refused: retry */
#define LICENCE_FILE		"licence.pem"	/* default, in state-dir */
#define LICENCE_KNOWN_FILE	"licence.slaves"
#define LICENCE_CRL_FILE	"licence-crl.pem"	/* newest CRL seen */
#define LICENCE_GRACE_FILE	"licence.grace"	/* where grace starts */

enum licence_feature {
	LICENCE_F_SECURE_ZWAVE = 0x1,	/* "secure-zwave": S0/S2 inclusion */
	LICENCE_F_STANDBY = 0x2,	/* "standby": failover standby */
	LICENCE_F_APP_API = 0x4,	/* "app-api": API tokens for apps */
};
#define LICENCE_F_ALL	(LICENCE_F_SECURE_ZWAVE | LICENCE_F_STANDBY | \
			 LICENCE_F_APP_API)

/* What a licence grants, from its certificate. Times are Unix seconds. */
struct licence_terms {
	char		 customer[LICENCE_CUSTOMER_MAX + 1];
	char		 serial[48];		/* hex */
	uint8_t		 binding[LICENCE_BINDING_LEN];
	int64_t		 not_before, not_after;
	int		 max_slaves;
	int		 max_zwave_nodes;
	unsigned	 features;		/* LICENCE_F_* */
	int		 unknown_features;	/* names this build does not know */
};

enum licence_verdict {
	LICENCE_BAD = -1,	/* refused; why says so */
	LICENCE_OK = 0,		/* good now */
	LICENCE_EXPIRED = 1,	/* good, but its term has ended */
};

/* licence.c */
/* Parse the DER value of the licence extension; 0, or -1 with why. */
int		 licence_parse_ext(const uint8_t *, size_t,
		    struct licence_terms *, char *why, size_t);
/* SHA-256 of a certificate's SubjectPublicKeyInfo: the binding. */
int		 licence_binding(X509 *, uint8_t out[LICENCE_BINDING_LEN]);
/* The binding of the CA certificate in a PEM file; 0 or -1 + why. */
int		 licence_binding_file(const char *path,
		    uint8_t out[LICENCE_BINDING_LEN], int64_t *not_before,
		    char *why, size_t);
/*
 * Verify a PEM bundle (licence certificate first, then its CA chain and
 * any licence CRLs) against `root`, the installation `binding`, the
 * CRLs in `crls` (may be NULL) and the time `now`. Fills `t` unless
 * LICENCE_BAD.
 */
enum licence_verdict licence_verify(const void *pem, size_t len, X509 *root,
		    const uint8_t binding[LICENCE_BINDING_LEN],
		    STACK_OF(X509_CRL) *crls, int64_t now,
		    struct licence_terms *t, char *why, size_t);
/*
 * The newest CRL (highest CRL number) among those in `pem` and `extra`
 * that the CA which issued the licence in `pem` signed; NULL if none.
 * Call it on a licence that verified. The caller frees the result.
 */
X509_CRL	*licence_newest_crl(const void *pem, size_t len,
		    STACK_OF(X509_CRL) *extra);
/* "secure-zwave,app-api" for a LICENCE_F_* mask ("" for none). */
const char	*licence_feature_names(unsigned, char *buf, size_t);
int		 licence_feature_bit(const char *name, size_t len);

/*
 * A PEM file read whole into a memory BIO (caller frees), at most `max`
 * bytes, a regular file only (symlinks followed): a FIFO or device named
 * by the operator fails at once instead of blocking the master. NULL
 * with errno (EINVAL: not a regular file, EFBIG: too large).
 */
BIO		*licence_file_bio(const char *path, size_t max);

/* licence_grace.c */
/*
 * When the grace period without a licence starts for the installation
 * CA whose key hashes to `binding` and whose certificate's notBefore is
 * `ca_not_before`: the earlier of that date and the one kept for the
 * same key in the file `path` (<state-dir>/licence.grace), which is
 * written if absent, damaged, for another key or later. Never fails: a
 * file that cannot be read or written is logged and the CA's date used.
 */
int64_t		 licence_grace_start(const char *path,
		    const uint8_t binding[LICENCE_BINDING_LEN],
		    int64_t ca_not_before);

/* licence_root.c (tests link tests/tools/licence_root_test.c instead) */
/* The vendor root built into this binary (owned by the module). */
X509		*licence_root(void);
/* The wall clock the licence is judged by, Unix seconds. */
int64_t		 licence_now(void);

/* licence_state.c */
enum licence_status {
	LICENCE_VALID,		/* in force */
	LICENCE_EXPIRING,	/* in force, ends within LICENCE_WARN_DAYS */
	LICENCE_GRACE,		/* expired or none yet: full service, warned */
	LICENCE_LIMITED,	/* no new slaves, no licensed features */
};

struct licence;
struct ev_loop;

/* Everything the API shows; a copy, valid as long as the caller keeps it. */
struct licence_view {
	enum licence_status	 status;
	int			 installed;	/* terms below are meaningful */
	struct licence_terms	 terms;
	int64_t			 now;
	int64_t			 days_left;	/* of the term, or of grace */
	int64_t			 grace_until;	/* 0 if not in grace */
	char			 problem[192];	/* why a file was refused, or "" */
	int			 known_slaves;
};

/*
 * A licence for the installation whose CA is `ca_path`, read from
 * `path` (may not exist yet), with extra CRLs from `crl_path` (NULL:
 * none) and the known slaves in `state_dir`. `root` is the vendor
 * root (licence_root() in the daemon). NULL only if the CA cannot be
 * read or is not valid yet at `now` (logged): every licence problem is a
 * status, never a failure. The grace start is kept in `state_dir`
 * (licence_grace_start()).
 */
struct licence	*licence_new(const char *path, const char *crl_path,
		    const char *ca_path, const char *state_dir, X509 *root,
		    int64_t now);
void		 licence_free(struct licence *);
/* Re-read the file (SIGHUP, timer); logs what changed. */
void		 licence_reload(struct licence *, int64_t now);
/* Re-judge the status at `now` without reading anything. */
void		 licence_eval(struct licence *, int64_t now);
/* Arm the re-check timer: daily, and at the next change of status. */
void		 licence_start(struct licence *, struct ev_loop *);
/* Verify `pem` and, if good, write it to the licence file atomically
 * and put it in force. 0, or -1 with why (the old one stays). */
int		 licence_install(struct licence *, const void *pem, size_t len,
		    int64_t now, char *why, size_t);
void		 licence_view(const struct licence *, struct licence_view *);
const char	*licence_status_name(enum licence_status);

/*
 * May slave `id` register now, with `online` other slaves online? 0,
 * or -1 with the reason to send it. Remembers admitted slaves so that
 * limited mode keeps serving them.
 */
int		 licence_admit(struct licence *, const char *id, int online,
		    char *why, size_t);
/* Is a LICENCE_F_* feature allowed now? NULL licence: no. */
int		 licence_allows(const struct licence *, enum licence_feature);
/* Z-Wave nodes allowed now (for inclusion), -1 for no limit. */
int		 licence_zwave_limit(const struct licence *);

#endif
