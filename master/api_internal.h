#ifndef HD_API_INTERNAL_H
#define HD_API_INTERNAL_H

/* What api.c and api_session.c share; modules use api.h only. */

#include "api.h"
#include "authw.h"
#include "tokens.h"

struct api_entry {
	struct api_route	 r;
	void			*ctx;
};

struct api {
	struct users		*users;
	struct sessions		*sessions;
	struct throttle		*throttle;
	struct tokens		*tokens;	/* apps' API tokens */
	void			(*user_changed)(void *, const char *,
				    const char *);
	void			*user_changed_arg;
	const char		*(*token_gate)(void *);	/* api_token_gate() */
	void			*token_gate_arg;
	const char		*(*cert_gate)(void *, const char *);
	void			*cert_gate_arg;
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

/* api_users.c, api_tokens.c */
int	api_users_routes(struct api *);
int	api_tokens_routes(struct api *);

/* api_later.c: hash `pw` with h's salt and parameters. Without an auth
 * worker at once: 1 and the key in `key`. Else queued: 0, the call is
 * deferred (into l) and fn(arg, ...) comes later. -1 after a refusal
 * (503 when the queue is full or the worker down). */
int	api_hash(struct api_call *, struct api_later *, const char *pw,
	    const struct pw_hash *, authw_fn *, void *, uint8_t *key);
/* The refusal for a hash that came back without a key. */
void	api_hash_failed(struct api_call *, enum authw_status);

/* api_session.c */
int	api_session_routes(struct api *);
/* The caller's session from the cookie, or NULL (nothing written). */
struct session *api_session_of(struct api *, const Hd__ApiRequest *,
	    uint64_t now);

#endif
