#ifndef HD_USERS_H
#define HD_USERS_H

/*
 * The API's users (users.c) and their sessions (sessions.c). Both live in
 * the master's engine, never in the web process: it only ever sees the
 * session cookie and asks the master.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/queue.h>

#include "hdlimits.h"
#include "lib/webapi.h"

/*
 * Password hashing: scrypt (RFC 7914) through OpenSSL, a fresh random
 * salt per hash. N = 2^13, r = 8, p = 1 needs 128 * N * r = 8 MiB and
 * takes ~30 ms on the x86 test machine, ~0.3 s on a Raspberry Pi 2
 * (about ten times slower): within the 0.1-0.5 s aimed at (docs/API.md).
 * Each hash stores its parameters, so these can be raised later.
 */
#define SCRYPT_N		(1 << 13)
#define SCRYPT_R		8
#define SCRYPT_P		1
#define SCRYPT_SALT_LEN		16
#define SCRYPT_KEY_LEN		32
#define USER_PASSWORD_GEN	20	/* characters of a generated password */
#define USERS_FILE		"users"	/* under the state-dir */
#define SESSIONS_FILE		"sessions"	/* beside it */

struct scrypt_params {
	uint64_t	n;
	uint32_t	r, p;
};

/* The production parameters above; tests pass cheaper ones. */
extern const struct scrypt_params users_scrypt_production;

enum user_role {
	ROLE_NONE = 0,
	UROLE_ADMIN = 1,	/* everything, and manages users */
	UROLE_USER = 2,		/* sees and controls what it is granted */
	UROLE_VIEWER = 3,	/* sees what it is granted, controls nothing */
};

enum user_access {
	ACCESS_VIEW = 1,
	ACCESS_CONTROL = 2,	/* implies view */
};

struct pw_hash {
	uint8_t			 salt[SCRYPT_SALT_LEN];
	uint8_t			 key[SCRYPT_KEY_LEN];
	struct scrypt_params	 params;
};

struct user_grant {
	char			 site[SITE_NAME_MAX + 1];	/* "*": any */
	char			 device[DEVICE_ID_MAX + 1];	/* "": all */
	enum user_access	 access;
};

struct user {
	TAILQ_ENTRY(user)	 entry;
	char			 name[USER_NAME_MAX + 1];
	enum user_role		 role;
	struct pw_hash		 pw;
	struct user_grant	 grants[USER_MAX_GRANTS];
	int			 ngrants;
	uint64_t		 created_ms;
};

struct users;

/* users.c. `params` NULL means users_scrypt_production. Returned users stay
 * valid until users_delete() of that user or users_free(). */
struct users	*users_new(const char *path, const struct scrypt_params *);
void		 users_free(struct users *);
/* 0 (an absent file is an empty table), -1 if unreadable or invalid. */
int		 users_load(struct users *);
int		 users_save(const struct users *);
int		 users_count(const struct users *);
struct user	*users_find(struct users *, const char *name);
/* Iterate: users_next(u, NULL) is the first, NULL after the last. */
struct user	*users_next(struct users *, struct user *);
/* -1 with a reason in err: bad name or password, exists, table full. */
int		 users_add(struct users *, const char *name, enum user_role,
		    const char *password, uint64_t now, char *err, size_t);
int		 users_delete(struct users *, const char *name);
int		 users_set_password(struct users *, struct user *,
		    const char *password, char *err, size_t);
int		 users_grant(struct user *, const char *site,
		    const char *device, enum user_access);
int		 users_may(const struct user *, const char *site,
		    const char *device, enum user_access);
/* The user if `password` is theirs, else NULL. Costs one scrypt hash
 * whether or not the user exists. */
struct user	*users_login(struct users *, const char *name,
		    const char *password);
int		 users_name_ok(const char *);
const char	*users_role_name(enum user_role);
/* A random password of USER_PASSWORD_GEN characters (size > that). */
int		 users_gen_password(char *buf, size_t size);
/*
 * For hashing elsewhere (the auth worker, authw.h): scrypt itself; the
 * hash a login for `name` checks against (a dummy one for an unknown
 * name, so it costs the same); a fresh salt with the table's parameters
 * for a new password; a key compared in constant time; the checks of
 * users_add() and users_set_password() without the hashing, and
 * users_add() with a hash made already. 0 (1 for users_key_ok: equal)
 * or -1 with a reason in err.
 */
int		 users_scrypt(const char *password, const uint8_t *salt,
		    const struct scrypt_params *, uint8_t *key);
const struct pw_hash *users_login_hash(struct users *, const char *name);
int		 users_new_salt(const struct users *, struct pw_hash *);
int		 users_key_ok(const struct pw_hash *, const uint8_t *key);
int		 users_password_ok(const char *, char *err, size_t);
int		 users_add_ok(struct users *, const char *name, enum user_role,
		    char *err, size_t);
int		 users_add_hashed(struct users *, const char *name,
		    enum user_role, const struct pw_hash *, uint64_t now,
		    char *err, size_t);
/* hd-master -U: create admin `name` in state_dir with a generated
 * password, printed once to `out`. 0, or -1 with a message logged. */
int		 users_create_admin(const char *state_dir, const char *name,
		    FILE *out);

/*
 * sessions.c: a login gets a 256-bit random token (sent as a cookie) and
 * a CSRF token bound to it (sent back in a header on every state-changing
 * request). Only the SHA-256 of the session token is kept, so a memory
 * dump does not hand out live sessions. Sessions end when idle for
 * SESSION_IDLE_MS, SESSION_LIFETIME_MS after login, on logout, or on
 * logout everywhere; the table is bounded (SESSION_MAX, and
 * SESSION_MAX_PER_USER), the oldest session giving way. Times are
 * monotonic ms from the caller (tests use a fake clock).
 */
/* SESSION_TOKEN_LEN, SESSION_TOKEN_HEX: lib/webapi.h (the web process
 * checks a cookie's length too). */

/* A hand-over credential (sessions_handover_*()): its SHA-256 only. */
struct handover_slot {
	uint8_t		 hash[SESSION_TOKEN_LEN];	/* 0 expires_ms: free */
	uint64_t	 expires_ms;			/* wall clock */
	uint64_t	 term;				/* made in this term */
};

struct session {
	uint8_t		 id[SESSION_TOKEN_LEN];		/* SHA-256 of the token */
	uint8_t		 csrf[SESSION_TOKEN_LEN];
	char		 user[USER_NAME_MAX + 1];
	uint64_t	 created, last;
	int		 used;
	struct handover_slot ho[HANDOVER_SLOTS];
};

struct sessions;

struct sessions	*sessions_new(void);
void		 sessions_free(struct sessions *);
/* A new session for `user`: its token and CSRF token as hex text
 * (SESSION_TOKEN_HEX + 1 bytes each). 0, or -1 without randomness. */
int		 sessions_create(struct sessions *, const char *user,
		    uint64_t now, char *token, char *csrf);
/* The live session of a token (which counts as use), or NULL. The
 * pointer is valid until the next call on the table. */
struct session	*sessions_get(struct sessions *, const char *token,
		    uint64_t now);
/* Is `csrf` (hex text) this session's CSRF token? Constant-time. */
int		 sessions_csrf_ok(const struct session *, const char *csrf);
void		 sessions_csrf_hex(const struct session *, char *out);
int		 sessions_logout(struct sessions *, const char *token,
		    uint64_t now);
/* Ends every session of `user`; returns how many. */
int		 sessions_logout_user(struct sessions *, const char *user);
int		 sessions_count(struct sessions *, uint64_t now);
/*
 * The live sessions to `path` (SESSIONS_FILE, atomic_write), and back:
 * a loaded session keeps its age (the wall time since the save is
 * added, so the absolute lifetime holds across hosts) and counts as used
 * at `now` (the last use is not saved: that would write at every
 * request). sessions_load replaces the table; a missing file leaves it
 * empty. `wall` is the wall clock in ms.
 */
int		 sessions_save(struct sessions *, const char *path,
		    uint64_t now, uint64_t wall);
int		 sessions_load(struct sessions *, const char *path,
		    uint64_t now, uint64_t wall);

/*
 * The hand-over of a session to another master after a takeover
 * (docs/SECURITY.md, "Hand-over"). _mint makes a credential for `s` in
 * `term`, living HANDOVER_TTL_MS of wall clock, into the slot that
 * expires first (the oldest of HANDOVER_SLOTS), and writes it as hex
 * (SESSION_TOKEN_HEX + 1 bytes): 0, or -1 without randomness. The
 * caller saves the table (the standbys must hold it).
 *
 * _take exchanges one: a live session holding it in a slot, unexpired,
 * made in a term below `term` (a takeover happened since: while its
 * master is master a stolen credential is worth nothing). The session
 * gets a new token (written to `token` as hex: the old cookie ends) and
 * loses every credential (each is good once). NULL with *why set
 * (for the log) otherwise.
 */
int		 sessions_handover_mint(struct session *, uint64_t term,
		    uint64_t wall, char *cred);
/* How long before _mint may make another one for `s`: at most
 * HANDOVER_SLOTS in HANDOVER_MIN_MS (each is a write of the sessions
 * file); 0: now. */
uint64_t	 sessions_handover_wait(const struct session *, uint64_t wall);
struct session	*sessions_handover_take(struct sessions *, const char *cred,
		    uint64_t term, uint64_t now, uint64_t wall, char *token,
		    const char **why);

/*
 * Login throttling, per account name and per address (16 bytes, IPv4
 * mapped; an IPv6 address counts for its prefix, throttle_set_v6_prefix()):
 * THROTTLE_FREE failures are free, then each failure doubles the wait
 * from THROTTLE_BASE_MS up to THROTTLE_MAX_MS. A success clears the
 * account's count, not the address's; counts are forgotten after
 * THROTTLE_FORGET_MS without a failure. Each user's name (is_user, from
 * throttle_set_users()) has an entry that is never evicted; other names
 * and addresses are bounded tables, least recently failed entry evicted
 * first.
 */
struct throttle;

struct throttle	*throttle_new(void);
void		 throttle_free(struct throttle *);
/* Count IPv6 addresses per /bits (default BAN_IPV6_PREFIX). */
void		 throttle_set_v6_prefix(struct throttle *, int bits);
/* Which names are users (their entries cannot be evicted). */
void		 throttle_set_users(struct throttle *,
		    int (*is_user)(void *arg, const char *name), void *arg);
/* ms before a login for this name from this address may be tried. */
uint64_t	 throttle_wait(struct throttle *, const char *name,
		    const uint8_t *addr, uint64_t now);
/* A password is about to be checked: it counts as a failure until
 * throttle_ok() (it was right) or throttle_undo() (it was never checked). */
void		 throttle_begin(struct throttle *, const char *name,
		    const uint8_t *addr, uint64_t now);
void		 throttle_undo(struct throttle *, const char *name,
		    const uint8_t *addr, uint64_t now);
void		 throttle_fail(struct throttle *, const char *name,
		    const uint8_t *addr, uint64_t now);
/* The attempt throttle_begin() counted succeeded. */
void		 throttle_ok(struct throttle *, const char *name,
		    const uint8_t *addr, uint64_t now);

#endif
