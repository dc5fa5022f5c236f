/*
 * API tokens through the API (docs/API.md): anyone manages their own,
 * an admin everyone's. The token text is in the creation answer only.
 */

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "api/api_internal.h"
#include "ev.h"
#include "log.h"

static void
write_token(struct jw *w, const struct api_token *t)
{
	jw_key(w, "id");
	jw_str(w, t->id);
	jw_key(w, "name");
	jw_str(w, t->name);
	jw_key(w, "user");
	jw_str(w, t->user);
	jw_key(w, "created_ms");
	jw_uint(w, t->created_ms);
	jw_key(w, "last_used_ms");
	jw_uint(w, t->last_used_ms);
}

static int
is_admin(const struct api_call *c)
{
	return c->user->role == UROLE_ADMIN;
}

static void
tokens_list(struct api_call *c)
{
	const struct api_token	*t;
	struct jw		 before;
	long			 off, k = 0, next = -1;
	int			 i;

	if ((off = api_offset(c)) == -1)
		return;
	jw_open(&c->w, '{');
	jw_key(&c->w, "tokens");
	jw_open(&c->w, '[');
	for (i = 0; (t = tokens_at(c->api->tokens, i)) != NULL &&
	    next == -1; i++) {
		if ((!is_admin(c) && strcmp(t->user, c->user->name) != 0) ||
		    k++ < off)
			continue;
		before = c->w;
		jw_open(&c->w, '{');
		write_token(&c->w, t);
		jw_close(&c->w, '}');
		if (!api_list_fits(c, &before))
			next = k - 1;
	}
	api_list_end(c, next);
	api_reply(c, 200);
}

static void
token_create(struct api_call *c)
{
	static const char *const f[] = { "name", "user", NULL };
	const struct api_token	*t;
	char			 name[API_TOKEN_NAME_MAX + 1];
	char			 user[USER_NAME_MAX + 1];
	char			 text[TOKEN_TEXT_LEN + 1];
	char			 err[96];
	const char		*why;
	int			 has_user;

	if (api_body(c, f) == -1)
		return;
	if (json_get_str(&c->doc, 0, "name", 1, name, sizeof(name)) == -1 ||
	    (has_user = json_get_str(&c->doc, 0, "user", 0, user,
	    sizeof(user))) == -1) {
		api_refuse(c, 400, "bad_request", c->doc.err);
		return;
	}
	if (!has_user)
		snprintf(user, sizeof(user), "%s", c->user->name);
	else if (!is_admin(c) && strcmp(user, c->user->name) != 0) {
		api_refuse(c, 403, "forbidden", "a token for another user "
		    "needs an admin");
		return;
	} else if (users_find(c->api->users, user) == NULL) {
		api_refuse(c, 404, "not_found", "no such user");
		return;
	}
	if (c->api->token_gate != NULL &&
	    (why = c->api->token_gate(c->api->token_gate_arg)) != NULL) {
		log_info("api: %s may not make a token: %s", c->user->name,
		    why);
		api_refuse(c, 403, "licence_limited", why);
		return;
	}
	if ((t = tokens_add(c->api->tokens, user, name, ev_wall_ms(), text,
	    err, sizeof(err))) == NULL) {
		api_refuse(c, strcmp(err, "too many tokens") == 0 ? 409 : 400,
		    strcmp(err, "too many tokens") == 0 ? "conflict" :
		    "bad_request", err);
		return;
	}
	text[TOKEN_TEXT_LEN] = '\0';
	log_info("api: %s made token %s for %s", c->user->name, t->id, user);
	jw_open(&c->w, '{');
	write_token(&c->w, t);
	jw_key(&c->w, "token");
	jw_str(&c->w, text);
	jw_close(&c->w, '}');
	api_reply(c, 201);
	OPENSSL_cleanse(text, sizeof(text));
}

static void
token_revoke(struct api_call *c)
{
	const struct api_token	*t;
	char			 user[USER_NAME_MAX + 1] = "";
	int			 i;

	for (i = 0; (t = tokens_at(c->api->tokens, i)) != NULL; i++)
		if (strcmp(t->id, c->arg[0]) == 0)
			snprintf(user, sizeof(user), "%s", t->user);
	if (tokens_revoke(c->api->tokens, c->arg[0], is_admin(c) ? NULL :
	    c->user->name) == -1) {
		api_refuse(c, 404, "not_found", "no such token");
		return;
	}
	/* Its streams end with it. */
	if (c->api->user_changed != NULL)
		c->api->user_changed(c->api->user_changed_arg, user,
		    c->arg[0]);
	log_info("api: %s revoked token %s", c->user->name, c->arg[0]);
	jw_open(&c->w, '{');
	jw_key(&c->w, "revoked");
	jw_str(&c->w, c->arg[0]);
	jw_close(&c->w, '}');
	api_reply(c, 200);
}

void
api_save_used(struct api *a)
{
	tokens_save_used(a->tokens);
}

void
api_token_gate(struct api *a, const char *(*gate)(void *), void *arg)
{
	a->token_gate = gate;
	a->token_gate_arg = arg;
}

static const struct api_route token_routes[] = {
	{ "GET", "/api/v1/tokens", API_VIEWER, tokens_list },
	{ "POST", "/api/v1/tokens", API_VIEWER, token_create },
	{ "DELETE", "/api/v1/tokens/*", API_VIEWER, token_revoke },
};

int
api_tokens_routes(struct api *a)
{
	return api_add_routes(a, token_routes,
	    (int)(sizeof(token_routes) / sizeof(token_routes[0])), a);
}
