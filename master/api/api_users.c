/*
 * Users managed through the API (admin only, docs/API.md): list, create,
 * change role, grants or password, delete. Every field is checked before
 * anything changes; a change of role or password ends the user's
 * sessions, a deletion also revokes their tokens, and any change ends
 * their event streams (they reconnect with the new permissions).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "api/api_internal.h"
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

/* A user being created, while its password is hashed (authw.h). */
struct create_wait {
	struct api_wait		 w;		/* first */
	char			 name[USER_NAME_MAX + 1];
	char			 by[USER_NAME_MAX + 1];
	enum user_role		 role;
	struct user_grant	 g[USER_MAX_GRANTS];
	int			 ng;
	int			 gen;		/* pw was generated: show it */
	char			 pw[PASSWORD_MAX + 1];	/* only then */
	struct pw_hash		 h;
};

/* The hash is made: add the user, unless someone took the name since. */
static void
create_apply(struct api_call *c, struct api_wait *w, const uint8_t *key)
{
	struct create_wait	*cw = (struct create_wait *)w;
	struct user		*u;
	char			 err[96];
	int			 st;

	memcpy(cw->h.key, key, sizeof(cw->h.key));
	if (users_add_hashed(c->api->users, cw->name, cw->role, &cw->h,
	    ev_wall_ms(), err, sizeof(err)) == -1) {
		st = strcmp(err, "user exists") == 0 ? 409 : 400;
		api_refuse(c, st, st == 409 ? "conflict" : "bad_request", err);
		return;
	}
	u = users_find(c->api->users, cw->name);
	set_grants(u, cw->g, cw->ng < 0 ? 0 : cw->ng);
	if (users_save(c->api->users) == -1) {
		users_delete(c->api->users, cw->name);
		api_refuse(c, 500, "internal", "cannot save the users");
		return;
	}
	log_info("api: %s created %s %s", cw->by, users_role_name(cw->role),
	    cw->name);
	answer_user(c, u, cw->gen ? cw->pw : NULL, 201);
}

/* Everything is checked before the hash is queued; the user is added
 * when it comes back (create_apply). */
static void
user_create(struct api_call *c)
{
	static const char *const f[] = { "name", "role", "password", "grants",
	    NULL };
	struct create_wait	*cw = NULL;
	char			 pw[PASSWORD_MAX + 1], err[96];
	int			 gen, st;

	if (api_body(c, f) == -1 ||
	    (cw = api_wait_new(c, sizeof(*cw), create_apply)) == NULL)
		return;
	if (json_get_str(&c->doc, 0, "name", 1, cw->name,
	    sizeof(cw->name)) == -1 || (gen = json_get_str(&c->doc, 0,
	    "password", 0, pw, sizeof(pw))) == -1) {
		api_refuse(c, 400, "bad_request", c->doc.err);
		goto done;
	}
	if (parse_common(c, &cw->role, cw->g, &cw->ng) == -1)
		goto done;
	if (cw->role == ROLE_NONE) {
		api_refuse(c, 400, "bad_request", "field \"role\": missing");
		goto done;
	}
	if ((cw->gen = gen == 0) && users_gen_password(pw, sizeof(pw)) == -1) {
		api_refuse(c, 500, "internal", "no randomness");
		goto done;
	}
	if (users_add_ok(c->api->users, cw->name, cw->role, err,
	    sizeof(err)) == -1 || users_password_ok(pw, err, sizeof(err)) ==
	    -1) {
		st = strcmp(err, "user exists") == 0 ? 409 : 400;
		api_refuse(c, st, st == 409 ? "conflict" : "bad_request", err);
		goto done;
	}
	if (users_new_salt(c->api->users, &cw->h) == -1) {
		api_refuse(c, 500, "internal", "no randomness");
		goto done;
	}
	snprintf(cw->by, sizeof(cw->by), "%s", c->user->name);
	if (cw->gen)
		snprintf(cw->pw, sizeof(cw->pw), "%s", pw);
	if (api_hash_wait(c, &cw->w, pw, &cw->h) == 0)
		cw = NULL;	/* the worker's now */
done:
	api_wait_free(cw);
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
	if (logout && sessions_logout_user(c->api->sessions, name) > 0)
		api_sessions_changed(c->api, c->now);
	if (c->api->user_changed != NULL)
		c->api->user_changed(c->api->user_changed_arg, name, NULL);
}

/* h: the new password's hash, or NULL to keep the password. */
static int
patch_apply(struct api_call *c, struct user *u, enum user_role r,
    const struct user_grant *g, int ng, const struct pw_hash *h)
{
	struct user	 saved = *u;

	if (h != NULL)
		u->pw = *h;
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
		OPENSSL_cleanse(&saved.pw, sizeof(saved.pw));
		return -1;
	}
	OPENSSL_cleanse(&saved.pw, sizeof(saved.pw));
	return 0;
}

/* A change of a user, while its new password is hashed. */
struct patch_wait {
	struct api_wait		 w;		/* first */
	char			 name[USER_NAME_MAX + 1];
	char			 by[USER_NAME_MAX + 1];
	enum user_role		 role;
	struct user_grant	 g[USER_MAX_GRANTS];
	int			 ng;
	struct pw_hash		 h;
};

/* The change, the user found again by name: it may be gone since. */
static void
patch_finish(struct api_call *c, struct api_wait *w, const uint8_t *key)
{
	struct patch_wait	*pw = (struct patch_wait *)w;
	struct user		*u = users_find(c->api->users, pw->name);

	if (u == NULL) {
		api_refuse(c, 404, "not_found", "no such user");
		return;
	}
	if (key != NULL)
		memcpy(pw->h.key, key, sizeof(pw->h.key));
	if (patch_apply(c, u, pw->role, pw->g, pw->ng, key != NULL ?
	    &pw->h : NULL) == -1)
		return;
	log_info("api: %s changed user %s", pw->by, u->name);
	changed(c, u->name, key != NULL || pw->role != ROLE_NONE);
	/* The caller's own session may be gone now (its password). */
	answer_user(c, u, NULL, 200);
}

static void
user_patch(struct api_call *c)
{
	static const char *const f[] = { "role", "password", "grants", NULL };
	struct patch_wait	*w = NULL;
	struct user		*u;
	char			 pw[PASSWORD_MAX + 1] = "", err[96];

	if ((u = target(c)) == NULL || api_body(c, f) == -1 ||
	    (w = api_wait_new(c, sizeof(*w), patch_finish)) == NULL)
		return;
	if (json_get_str(&c->doc, 0, "password", 0, pw, sizeof(pw)) == -1) {
		api_refuse(c, 400, "bad_request", c->doc.err);
		goto done;
	}
	if (parse_common(c, &w->role, w->g, &w->ng) == -1)
		goto done;
	if (u == c->user && w->role != ROLE_NONE && w->role != UROLE_ADMIN) {
		api_refuse(c, 409, "conflict", "an admin cannot demote itself");
		goto done;
	}
	if (pw[0] != '\0' && users_password_ok(pw, err, sizeof(err)) == -1) {
		api_refuse(c, 400, "bad_request", err);
		goto done;
	}
	snprintf(w->name, sizeof(w->name), "%s", u->name);
	snprintf(w->by, sizeof(w->by), "%s", c->user->name);
	if (pw[0] == '\0')
		patch_finish(c, &w->w, NULL);
	else if (users_new_salt(c->api->users, &w->h) == -1)
		api_refuse(c, 500, "internal", "no randomness");
	else if (api_hash_wait(c, &w->w, pw, &w->h) == 0)
		w = NULL;	/* the worker's now */
done:
	api_wait_free(w);
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

/* Anyone's own password change: two hashes, the old password's, then
 * the new one's, each through the auth worker when there is one. */
struct own_wait {
	struct api_wait		 w;		/* first */
	char			 name[USER_NAME_MAX + 1];
	char			 pw[PASSWORD_MAX + 1];	/* the new one */
	struct pw_hash		 h;			/* ... its hash */
	int			 checked;	/* the old one was right */
};

/* The new password's hash is made: set it, end every session. */
static void
own_set(struct api_call *c, struct own_wait *ow, const uint8_t *key)
{
	struct user *u = users_find(c->api->users, ow->name);

	if (u == NULL) {
		api_refuse(c, 404, "not_found", "no such user");
		return;
	}
	memcpy(ow->h.key, key, sizeof(ow->h.key));
	if (patch_apply(c, u, ROLE_NONE, NULL, -1, &ow->h) == -1)
		return;
	log_info("api: %s changed their password", ow->name);
	changed(c, ow->name, 1);
	c->session = NULL;
	jw_open(&c->w, '{');
	jw_key(&c->w, "changed");
	jw_bool(&c->w, 1);
	jw_close(&c->w, '}');
	api_reply(c, 200);
}

/*
 * One hash is back: the old password's is checked like a login (a
 * failure is throttled and feeds the ban score), then the new one's is
 * queued (or made at once without a worker), then set.
 */
static void
own_step(struct api_call *c, struct api_wait *w, const uint8_t *key)
{
	struct own_wait	*ow = (struct own_wait *)w;
	struct api	*a = c->api;
	struct user	*u;

	if (ow->checked) {
		own_set(c, ow, key);
		return;
	}
	/* The attempt counted as a failure when queued (own_password()). */
	if ((u = users_find(a->users, ow->name)) == NULL ||
	    !users_key_ok(&u->pw, key)) {
		c->login_failed = 1;
		api_refuse(c, 403, "forbidden", "wrong password");
		return;
	}
	ow->checked = 1;
	throttle_ok(a->throttle, ow->name, c->req->addr.data, c->now);
	if (users_new_salt(a->users, &ow->h) == -1) {
		api_refuse(c, 500, "internal", "no randomness");
		return;
	}
	api_hash_wait(c, w, ow->pw, &ow->h);	/* back to own_step, checked */
}

static void
own_password(struct api_call *c)
{
	static const char *const f[] = { "old", "new", NULL };
	struct api		*a = c->api;
	struct own_wait		*ow;
	const struct pw_hash	*h;
	char			 old[PASSWORD_MAX + 1] = "", err[96];
	uint64_t		 wait;

	if (api_body(c, f) == -1 ||
	    (ow = api_wait_new(c, sizeof(*ow), own_step)) == NULL)
		return;
	snprintf(ow->name, sizeof(ow->name), "%s", c->user->name);
	if (json_get_str(&c->doc, 0, "old", 1, old, sizeof(old)) == -1 ||
	    json_get_str(&c->doc, 0, "new", 1, ow->pw, sizeof(ow->pw)) == -1) {
		api_refuse(c, 400, "bad_request", c->doc.err);
		goto done;
	}
	if ((wait = throttle_wait(a->throttle, ow->name, c->req->addr.data,
	    c->now)) > 0) {
		c->resp->retry_after_s = (uint32_t)((wait + 999) / 1000);
		api_refuse(c, 429, "throttled", "too many failed logins");
		goto done;
	}
	if (users_password_ok(ow->pw, err, sizeof(err)) == -1) {
		api_refuse(c, 400, "bad_request", err);
		goto done;
	}
	h = users_login_hash(a->users, ow->name);
	throttle_begin(a->throttle, ow->name, c->req->addr.data, c->now);
	if (api_hash_wait(c, &ow->w, old, h) == 0)
		ow = NULL;	/* the worker's now */
	else if (!ow->checked && !c->login_failed && c->resp->status >= 500)
		throttle_undo(a->throttle, ow->name, c->req->addr.data,
		    c->now);	/* refused before any check */
done:
	api_wait_free(ow);
	OPENSSL_cleanse(old, sizeof(old));
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
