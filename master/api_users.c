/*
 * Users managed through the API (admin only, docs/API.md): list, create,
 * change role, grants or password, delete. Every field is checked before
 * anything changes; a change of role or password ends the user's
 * sessions, a deletion also revokes their tokens, and any change ends
 * their event streams (they reconnect with the new permissions).
 */

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "api_internal.h"
#include "ev.h"
#include "log.h"

static void
write_user(struct jw *w, const struct user *u)
{
	int i;

	jw_key(w, "name");
	jw_str(w, u->name);
	jw_key(w, "role");
	jw_str(w, users_role_name(u->role));
	jw_key(w, "created_ms");
	jw_uint(w, u->created_ms);
	jw_key(w, "grants");
	jw_open(w, '[');
	for (i = 0; i < u->ngrants; i++) {
		jw_open(w, '{');
		jw_key(w, "site");
		jw_str(w, u->grants[i].site);
		jw_key(w, "device");
		jw_str(w, u->grants[i].device);
		jw_key(w, "access");
		jw_str(w, u->grants[i].access == ACCESS_CONTROL ? "control" :
		    "view");
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

/* Pages like the devices (api.h): 64 users of 32 grants pass 60 KiB. */
static void
users_list(struct api_call *c)
{
	struct user	*u = NULL;
	struct jw	 before;
	long		 off, k = 0, next = -1;

	if ((off = api_offset(c)) == -1)
		return;
	jw_open(&c->w, '{');
	jw_key(&c->w, "users");
	jw_open(&c->w, '[');
	while ((u = users_next(c->api->users, u)) != NULL && next == -1) {
		if (k++ < off)
			continue;
		before = c->w;
		jw_open(&c->w, '{');
		write_user(&c->w, u);
		jw_close(&c->w, '}');
		if (!api_list_fits(c, &before))
			next = k - 1;
	}
	api_list_end(c, next);
	api_reply(c, 200);
}

static enum user_role
role_of(const char *s)
{
	if (strcmp(s, "admin") == 0)
		return UROLE_ADMIN;
	if (strcmp(s, "user") == 0)
		return UROLE_USER;
	if (strcmp(s, "viewer") == 0)
		return UROLE_VIEWER;
	return ROLE_NONE;
}

/* The body's "grants" (absent: *n = -1) into g; -1 after a 400. */
static int
parse_grants(struct api_call *c, struct user_grant *g, int *n)
{
	static const char *const gf[] = { "site", "device", "access", NULL };
	struct json_doc	*d = &c->doc;
	int		 t = json_find(d, 0, "grants"), e, i;
	char		 acc[16];

	*n = -1;
	if (t == -1)
		return 0;
	if (d->tok[t].type != JSON_ARRAY || d->tok[t].size > USER_MAX_GRANTS) {
		api_refuse(c, 400, "bad_request", "field \"grants\": expected "
		    "an array of at most 32 grants");
		return -1;
	}
	for (i = 0, e = t + 1; i < (int)d->tok[t].size; i++,
	    e = (int)d->tok[e].next) {
		memset(&g[i], 0, sizeof(g[i]));
		if (json_only(d, e, gf) == -1 ||
		    json_get_str(d, e, "site", 1, g[i].site,
		    sizeof(g[i].site)) == -1 ||
		    json_get_str(d, e, "device", 0, g[i].device,
		    sizeof(g[i].device)) == -1 ||
		    json_get_str(d, e, "access", 1, acc, sizeof(acc)) == -1) {
			api_refuse(c, 400, "bad_request", d->err);
			return -1;
		}
		if (g[i].site[0] == '\0' || (strcmp(acc, "view") != 0 &&
		    strcmp(acc, "control") != 0)) {
			api_refuse(c, 400, "bad_request", "a grant has a site "
			    "and access \"view\" or \"control\"");
			return -1;
		}
		g[i].access = acc[0] == 'c' ? ACCESS_CONTROL : ACCESS_VIEW;
	}
	*n = i;
	return 0;
}

static void
set_grants(struct user *u, const struct user_grant *g, int n)
{
	int i;

	u->ngrants = 0;
	for (i = 0; i < n; i++)
		users_grant(u, g[i].site, g[i].device, g[i].access);
}

/* Role (absent: ROLE_NONE in *r) and grants, checked; -1 after a 400. */
static int
parse_common(struct api_call *c, enum user_role *r, struct user_grant *g,
    int *ng)
{
	char role[16];

	*r = ROLE_NONE;
	switch (json_get_str(&c->doc, 0, "role", 0, role, sizeof(role))) {
	case -1:
		api_refuse(c, 400, "bad_request", c->doc.err);
		return -1;
	case 1:
		if ((*r = role_of(role)) == ROLE_NONE) {
			api_refuse(c, 400, "bad_request", "role: admin, user "
			    "or viewer");
			return -1;
		}
	}
	return parse_grants(c, g, ng);
}

static void
answer_user(struct api_call *c, const struct user *u, const char *pw,
    int status)
{
	jw_open(&c->w, '{');
	write_user(&c->w, u);
	if (pw != NULL) {
		jw_key(&c->w, "password");
		jw_str(&c->w, pw);
	}
	jw_close(&c->w, '}');
	api_reply(c, status);
}

static void
user_create(struct api_call *c)
{
	static const char *const f[] = { "name", "role", "password", "grants",
	    NULL };
	struct user_grant	 g[USER_MAX_GRANTS];
	struct user		*u;
	enum user_role		 r;
	char			 name[USER_NAME_MAX + 1], pw[PASSWORD_MAX + 1];
	char			 err[96];
	int			 ng, gen, st;

	if (api_body(c, f) == -1)
		return;
	if (json_get_str(&c->doc, 0, "name", 1, name, sizeof(name)) == -1 ||
	    (gen = json_get_str(&c->doc, 0, "password", 0, pw,
	    sizeof(pw))) == -1) {
		api_refuse(c, 400, "bad_request", c->doc.err);
		return;
	}
	if (parse_common(c, &r, g, &ng) == -1)
		goto done;
	if (r == ROLE_NONE) {
		api_refuse(c, 400, "bad_request", "field \"role\": missing");
		goto done;
	}
	if ((gen = gen == 0) && users_gen_password(pw, sizeof(pw)) == -1) {
		api_refuse(c, 500, "internal", "no randomness");
		goto done;
	}
	if (users_add(c->api->users, name, r, pw, ev_wall_ms(), err,
	    sizeof(err)) == -1) {
		st = strcmp(err, "user exists") == 0 ? 409 : 400;
		api_refuse(c, st, st == 409 ? "conflict" : "bad_request", err);
		goto done;
	}
	u = users_find(c->api->users, name);
	set_grants(u, g, ng < 0 ? 0 : ng);
	if (users_save(c->api->users) == -1) {
		users_delete(c->api->users, name);
		api_refuse(c, 500, "internal", "cannot save the users");
		goto done;
	}
	log_info("api: %s created %s %s", c->user->name,
	    users_role_name(r), name);
	answer_user(c, u, gen ? pw : NULL, 201);
done:
	OPENSSL_cleanse(pw, sizeof(pw));
}

/* The user named in the path, else NULL after a 404. */
static struct user *
target(struct api_call *c)
{
	struct user *u = users_find(c->api->users, c->arg[0]);

	if (u == NULL)
		api_refuse(c, 404, "not_found", "no such user");
	return u;
}

static void
changed(struct api_call *c, const char *name, int logout)
{
	if (logout)
		sessions_logout_user(c->api->sessions, name);
	if (c->api->user_changed != NULL)
		c->api->user_changed(c->api->user_changed_arg, name, NULL);
}

static int
patch_apply(struct api_call *c, struct user *u, enum user_role r,
    const struct user_grant *g, int ng, const char *pw)
{
	struct user	 saved = *u;
	char		 err[96];

	if (pw[0] != '\0' && users_set_password(c->api->users, u, pw, err,
	    sizeof(err)) == -1) {
		api_refuse(c, 400, "bad_request", err);
		return -1;
	}
	if (r != ROLE_NONE)
		u->role = r;
	if (ng >= 0)
		set_grants(u, g, ng);
	if (users_save(c->api->users) == -1) {
		u->role = saved.role;
		u->pw = saved.pw;
		memcpy(u->grants, saved.grants, sizeof(u->grants));
		u->ngrants = saved.ngrants;
		api_refuse(c, 500, "internal", "cannot save the users");
		return -1;
	}
	OPENSSL_cleanse(&saved.pw, sizeof(saved.pw));
	return 0;
}

static void
user_patch(struct api_call *c)
{
	static const char *const f[] = { "role", "password", "grants", NULL };
	struct user_grant	 g[USER_MAX_GRANTS];
	struct user		*u;
	enum user_role		 r;
	char			 pw[PASSWORD_MAX + 1] = "";
	int			 ng;

	if ((u = target(c)) == NULL || api_body(c, f) == -1)
		return;
	if (json_get_str(&c->doc, 0, "password", 0, pw, sizeof(pw)) == -1) {
		api_refuse(c, 400, "bad_request", c->doc.err);
		return;
	}
	if (parse_common(c, &r, g, &ng) == -1)
		goto done;
	if (u == c->user && r != ROLE_NONE && r != UROLE_ADMIN) {
		api_refuse(c, 409, "conflict", "an admin cannot demote itself");
		goto done;
	}
	if (patch_apply(c, u, r, g, ng, pw) == -1)
		goto done;
	log_info("api: %s changed user %s", c->user->name, u->name);
	changed(c, u->name, pw[0] != '\0' || r != ROLE_NONE);
	/* The caller's own session may be gone now (its password). */
	answer_user(c, u, NULL, 200);
done:
	OPENSSL_cleanse(pw, sizeof(pw));
}

static void
user_delete(struct api_call *c)
{
	struct user	*u;
	char		 name[USER_NAME_MAX + 1];

	if ((u = target(c)) == NULL)
		return;
	if (u == c->user) {
		api_refuse(c, 409, "conflict", "an admin cannot delete itself");
		return;
	}
	snprintf(name, sizeof(name), "%s", u->name);
	users_delete(c->api->users, name);
	if (users_save(c->api->users) == -1)
		log_warnx("api: %s deleted, but the users file was not "
		    "written", name);
	tokens_revoke_user(c->api->tokens, name);
	changed(c, name, 1);
	log_info("api: %s deleted user %s", c->user->name, name);
	jw_open(&c->w, '{');
	jw_key(&c->w, "deleted");
	jw_str(&c->w, name);
	jw_close(&c->w, '}');
	api_reply(c, 200);
}

/*
 * Anyone's own password: the old one is checked like a login (throttled,
 * a failure feeds the ban score), then every session of the user ends,
 * this one too: the client logs in again with the new password.
 */
static void
own_password(struct api_call *c)
{
	static const char *const f[] = { "old", "new", NULL };
	struct api	*a = c->api;
	struct user	*u;
	char		 old[PASSWORD_MAX + 1], pw[PASSWORD_MAX + 1];
	char		 name[USER_NAME_MAX + 1];
	uint64_t	 wait;

	if (api_body(c, f) == -1)
		return;
	snprintf(name, sizeof(name), "%s", c->user->name);
	if (json_get_str(&c->doc, 0, "old", 1, old, sizeof(old)) == -1 ||
	    json_get_str(&c->doc, 0, "new", 1, pw, sizeof(pw)) == -1) {
		api_refuse(c, 400, "bad_request", c->doc.err);
		goto done;
	}
	if ((wait = throttle_wait(a->throttle, name, c->req->addr.data,
	    c->now)) > 0) {
		c->resp->retry_after_s = (uint32_t)((wait + 999) / 1000);
		api_refuse(c, 429, "throttled", "too many failed logins");
		goto done;
	}
	if ((u = users_login(a->users, name, old)) == NULL) {
		throttle_fail(a->throttle, name, c->req->addr.data, c->now);
		c->login_failed = 1;
		api_refuse(c, 403, "forbidden", "wrong password");
		goto done;
	}
	if (patch_apply(c, u, ROLE_NONE, NULL, -1, pw) == -1)
		goto done;
	log_info("api: %s changed their password", name);
	changed(c, name, 1);
	c->session = NULL;
	jw_open(&c->w, '{');
	jw_key(&c->w, "changed");
	jw_bool(&c->w, 1);
	jw_close(&c->w, '}');
	api_reply(c, 200);
done:
	OPENSSL_cleanse(old, sizeof(old));
	OPENSSL_cleanse(pw, sizeof(pw));
}

static const struct api_route user_routes[] = {
	{ "GET", "/api/v1/users", API_ADMIN, users_list },
	{ "POST", "/api/v1/users", API_ADMIN, user_create },
	{ "PATCH", "/api/v1/users/*", API_ADMIN, user_patch },
	{ "DELETE", "/api/v1/users/*", API_ADMIN, user_delete },
	{ "POST", "/api/v1/password", API_VIEWER, own_password },
};

int
api_users_routes(struct api *a)
{
	return api_add_routes(a, user_routes,
	    (int)(sizeof(user_routes) / sizeof(user_routes[0])), a);
}
