#ifndef HD_API_H
#define HD_API_H

/*
 * The master's side of the JSON API: the web process forwards every call
 * under /api/v1/ it does not answer itself as an ApiRequest
 * (proto/web.proto), and this module routes it by method and path,
 * checks who calls (session cookie + CSRF token, or an API token) against
 * the route's least role, and hands it to the route's handler. Users,
 * sessions and throttling never leave the master.
 *
 * Modules add their own routes (api_add_routes) from their own files, so
 * the API grows without one big table. Times are monotonic ms.
 */

#include <stdint.h>

#include "lib/json.h"
#include "lib/webapi.h"
#include "auth/users.h"
#include "web.pb-c.h"

#define API_MAX_RESPONSE	(60 * 1024)	/* one JSON answer; < WIRE_MAX_FRAME */
#define API_MAX_ROUTES		128
#define API_MAX_ARGS		4		/* '*' segments in one pattern */
#define API_ARG_MAX		127		/* bytes of one such segment */
#define API_METHOD_MAX		8
/* API_PREFIX, API_COOKIE, API_TOKEN_MAX, API_KEY_LEN: lib/webapi.h */

/* Who may call a route: anyone, or a caller of at least this role. */
enum api_auth {
	API_PUBLIC = 0,		/* no caller needed (login) */
	API_VIEWER,		/* any authenticated caller */
	API_USER,		/* user or admin */
	API_ADMIN,
};

struct api;
struct authw;
struct session;
struct api_later;

/* One call being answered. The handler writes its JSON answer with `w`
 * (already opened on the response buffer) and calls api_reply(), or
 * calls api_refuse(). */
struct api_call {
	struct api		*api;
	void			*ctx;		/* the route's, from api_add_routes */
	const Hd__ApiRequest	*req;
	Hd__ApiResponse		*resp;
	const struct user	*user;		/* NULL on API_PUBLIC routes */
	struct session		*session;	/* NULL for token callers */
	const char		*arg[API_MAX_ARGS];	/* '*' segments, in order */
	int			 narg;
	uint64_t		 now;
	int			 login_failed;	/* set: feeds the ban score */
	int			 by_cert;	/* a client certificate's caller */
	/* The session (its hashed id) or token (its id) that calls, to
	 * end that caller's streams later; "" on public routes. */
	char			 key[API_KEY_LEN + 1];
	struct jw		 w;
	struct json_doc		 doc;		/* api_body() */
	int			 deferred;	/* api_defer() was called */
	const struct api_later	*later;		/* set by api_resume() */
};

struct api_route {
	const char	*method;	/* "GET", "POST", "PUT", "DELETE", "PATCH" */
	const char	*pattern;	/* "/api/v1/devices/ * /command": '*' is one
					 * non-empty segment (written without blanks) */
	enum api_auth	 auth;
	void		(*fn)(struct api_call *);
};

/* The users in `users_path` (absent: none yet). NULL if unreadable. */
struct api	*api_new(const char *users_path, const struct scrypt_params *);
void		 api_free(struct api *);
/* Taking over as master: load the users, tokens and sessions the state
 * sync wrote (docs/FAILOVER.md). 0, or -1 if one failed (logged; that
 * one keeps what was loaded before). `now`: monotonic ms. */
int		 api_reload_state(struct api *, uint64_t now);
/* Add n routes whose handlers get `ctx` in call->ctx. -1 if full. HEAD is
 * answered by GET routes. */
int		 api_add_routes(struct api *, const struct api_route *, int n,
		    void *ctx);
/* Fill `resp` for `req`; resp's body points into the api, valid until
 * the next call. Returns 1 for a failed login (it feeds the address's
 * ban score), or API_DEFERRED when `resp` is not filled: the answer
 * goes to the sink later (api_set_sink). */
int		 api_handle(struct api *, const Hd__ApiRequest *,
		    Hd__ApiResponse *, uint64_t now);

/* For handlers: finish the answer written with call->w. */
void		 api_reply(struct api_call *, int status);
/* {"error":code,"reason":why}; why may be NULL. */
void		 api_refuse(struct api_call *, int status, const char *code,
		    const char *why);
/* Parse the body as one JSON object with only `fields` (NULL-ended) into
 * call->doc. -1 after a 400 refusal saying why. An empty body is {}. */
int		 api_body(struct api_call *, const char *const *fields);
/* The value of `name` in the query string, percent-decoded, or -1 if
 * absent (or too long for `out`). */
int		 api_query(const struct api_call *, const char *name, char *out,
		    size_t size);
/*
 * Lists that may not fit in one answer: ?offset= (0 when absent; -1
 * after a 400), and, after writing one element, whether the answer still
 * has room to close (else the element is taken back: c->w is restored
 * from `before`, a copy taken before writing it, and 0 is returned; the
 * list then ends with "next": the offset of that element).
 */
long		 api_offset(struct api_call *);
int		 api_list_fits(struct api_call *, const struct jw *before);
/* "next": offset, or null when next < 0; then closes the object. */
void		 api_list_end(struct api_call *, long next);

/*
 * Answers that come later (a password hash by the auth worker, authw.h).
 * A handler fills a struct api_later it keeps (at a fixed address: it
 * points into itself) with api_defer(), and api_handle() returns
 * API_DEFERRED without an answer. Later, api_resume() sets up a call to
 * answer with api_reply() or api_refuse() as usual, and api_finish()
 * hands the answer to the sink: the web process's link, which drops an
 * answer for a web process that has gone since (its `link` changed).
 */
#define API_DEFERRED		2	/* api_handle(): answered later */
#define API_LATER_PATH		128	/* bytes of the path kept for logs */

struct api_later {
	Hd__ApiRequest	 req;		/* id, method, path, addr */
	uint8_t		 addr[16];
	char		 method[API_METHOD_MAX + 1];
	char		 path[API_LATER_PATH + 1];
	char		 key[API_KEY_LEN + 1];
	uint64_t	 link;		/* the web process's, when deferred */
};

typedef void	 api_sink_fn(void *, uint64_t link, const Hd__ApiResponse *,
		    int login_failed, const uint8_t *addr);
void		 api_defer(struct api_call *, struct api_later *);
/* `resp` is the caller's and must live until api_finish(). */
void		 api_resume(struct api *, const struct api_later *,
		    struct api_call *, Hd__ApiResponse *, uint64_t now);
void		 api_finish(struct api_call *);
void		 api_set_sink(struct api *, api_sink_fn *, void *);
/* A new web process: answers deferred before it are dropped. */
void		 api_set_link(struct api *, uint64_t link);
/* The auth worker hashing passwords (NULL: hash in the loop, as tests
 * and tools without a worker do). */
void		 api_set_auth(struct api *, struct authw *);
/* The same "busy" or "unavailable" 503, with Retry-After, when a hash
 * cannot be queued or its worker died. */
void		 api_refuse_busy(struct api_call *, int queue_full);

/* The tables this api owns, for modules that need them. */
struct users	*api_users(struct api *);
/* Login throttles count an IPv6 address for its /bits (ban-ipv6-prefix). */
void		 api_set_v6_prefix(struct api *, int bits);
/*
 * Called when event streams must end (the master tells the web process):
 * those of `user` after a change of its role, grants or password or its
 * deletion (key NULL), or only the one caller's after a logout or a
 * token's revocation (key: that caller's API_KEY_LEN hex digits).
 */
void		 api_on_user_change(struct api *,
		    void (*)(void *, const char *user, const char *key),
		    void *);
/*
 * Asked before an app token is made (the licence's "app-api" feature):
 * NULL lets it be made, else the reason of a 403 "licence_limited".
 * Existing tokens are never asked about: they keep working.
 */
void		 api_token_gate(struct api *, const char *(*)(void *), void *);
/*
 * Asked for each call by client certificate (its serial, hex): NULL lets
 * it through, else the reason of a 401 (api_certcrl.c: revoked).
 */
void		 api_cert_gate(struct api *, const char *(*)(void *,
		    const char *serial), void *);
/*
 * Asked before each call: 0 if this node is the master, else 1 with the
 * master's node id ("" if none is elected) and its web address ("" if
 * the config does not name it). A standby's API then answers every call
 * 503 {"error":"not master","master":...,"url":...} (docs/FAILOVER.md).
 * When it returns 0 the gate may fill in this node's own id, web
 * address and term (GET /api/v1/master, the hand-over: api_handover.c).
 */
struct api_master {
	char		node[64];
	char		url[256];
	uint64_t	term;
};
void		 api_master_gate(struct api *, int (*)(void *,
		    struct api_master *), void *);
/* The master-capable nodes' dashboards (master-web lines), copied: the
 * dashboard learns them to find the master after a takeover
 * (api_handover.c). At most HA_MAX_MASTERS; -1 past it. */
int		 api_set_master_web(struct api *, const char *node,
		    const char *url);
/* Write the tokens' last use to disk if it changed (on a slow cadence). */
void		 api_save_used(struct api *);
/* Write call->key from the session or token the call came with. */
void		 api_caller_key(const struct session *, char *key);

#endif
