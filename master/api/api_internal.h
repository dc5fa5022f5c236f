#ifndef HD_API_INTERNAL_H
#define HD_API_INTERNAL_H

/* What api.c and api_session.c share; modules use api.h only. */

#include "api/api.h"
#include "auth/authw.h"
#include "auth/tokens.h"

/* The session cookie's attributes (docs/API.md, "Sessions"). */
#define API_COOKIE_ATTRS	"; Path=/; Secure; HttpOnly; SameSite=Strict"

struct api_entry {
	struct api_route	 r;
	void			*ctx;
};

struct api {
	struct users		*users;
	struct sessions		*sessions;
	char			 upath[PATH_MAX];	/* USERS_FILE */
	char			 tpath[PATH_MAX];	/* TOKENS_FILE */
	char			 spath[PATH_MAX];	/* SESSIONS_FILE */
	const struct scrypt_params *sp;	/* for a reload of the users */
	struct throttle		*throttle;
	struct tokens		*tokens;	/* apps' API tokens */
	void			(*user_changed)(void *, const char *,
				    const char *);
	void			*user_changed_arg;
	const char		*(*token_gate)(void *);	/* api_token_gate() */
	void			*token_gate_arg;
	const char		*(*cert_gate)(void *, const char *);
	void			*cert_gate_arg;
	int			(*master_gate)(void *, struct api_master *);
	void			*master_gate_arg;
	struct api_master	 mweb[HA_MAX_MASTERS];	/* api_set_master_web() */
	int			 nmweb;
	struct authw		*auth;		/* api_set_auth(), or NULL */
	api_sink_fn		*sink;		/* deferred answers go here */
	void			*sink_arg;
	uint64_t		 link;		/* the web process's generation */
	struct api_entry	 routes[API_MAX_ROUTES];
	int			 nroutes;
	char			 out[API_MAX_RESPONSE];
	char			 cookie[128];
	struct json_tok		 tok[JSON_MAX_TOKENS];
};

/* api.c: the sessions changed (a login, a logout): save them, so a
 * standby has them (docs/FAILOVER.md); a failure is logged. */
void	api_sessions_changed(struct api *, uint64_t now);

/* api_users.c, api_tokens.c */
int	api_users_routes(struct api *);
int	api_tokens_routes(struct api *);

/* api_later.c: the refusal for a hash that came back without a key. */
void	api_hash_failed(struct api_call *, enum authw_status);

/*
 * A call waiting for a hash: the first member of a handler's own record
 * (what its answer needs), made by api_wait_new(). When the key is
 * there, at once or from the worker, `apply` answers the call; it may
 * hash again with the same record (a password change: the old one's,
 * then the new one's).
 */
struct api_wait {
	struct api_later	 later;
	struct api		*a;
	void			(*apply)(struct api_call *, struct api_wait *,
				    const uint8_t *key);
	size_t			 size;	/* the whole record's, cleansed at free */
};
/* A zeroed record of `size` bytes; NULL after a 500. */
void	*api_wait_new(struct api_call *, size_t size,
	    void (*apply)(struct api_call *, struct api_wait *,
	    const uint8_t *));
void	 api_wait_free(void *);
/* Hash `pw` for the record: 0 if it now waits for the worker (its
 * record is the worker's to free); -1 if apply ran at once or the call
 * was refused (the record is still the caller's). */
int	 api_hash_wait(struct api_call *, struct api_wait *, const char *pw,
	    const struct pw_hash *);

/* api_session.c */
int	api_session_routes(struct api *);
/* api_handover.c: GET master, the hand-over's two calls. */
int	api_handover_routes(struct api *);
/* Who this node is if master (0), or the standby's answer (1). */
int	api_whoami(struct api *, struct api_master *);
void	api_not_master_open(struct api_call *, const char *why,
	    const struct api_master *);
/* The caller's session from the cookie, or NULL (nothing written). */
struct session *api_session_of(struct api *, const Hd__ApiRequest *,
	    uint64_t now);

#endif
