/*
 * Login, logout and the session call (docs/API.md): the API's own routes.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "api/api_internal.h"
#include "auth/authw.h"
#include "log.h"

#define COOKIE_ATTRS	API_COOKIE_ATTRS

struct session *
api_session_of(struct api *a, const Hd__ApiRequest *req, uint64_t now)
{
	return sessions_get(a->sessions, req->session, now);
}

/* 200 with who is logged in, their role and the session's CSRF token. */
static void
answer_session(struct api_call *c, const struct user *usr, const char *csrf)
{
	jw_open(&c->w, '{');
	jw_key(&c->w, "user");
	jw_str(&c->w, usr->name);
	jw_key(&c->w, "role");
	jw_str(&c->w, users_role_name(usr->role));
	jw_key(&c->w, "csrf");
	jw_str(&c->w, csrf);
	jw_close(&c->w, '}');
	api_reply(c, 200);
}

static void
login_ok(struct api_call *c, const struct user *usr)
{
	struct api	*a = c->api;
	char		 tok[SESSION_TOKEN_HEX + 1], csrf[SESSION_TOKEN_HEX + 1];

	if (sessions_create(a->sessions, usr->name, c->now, tok, csrf) == -1) {
		api_refuse(c, 500, "internal", "no randomness");
		return;
	}
	api_sessions_changed(a, c->now);
	snprintf(a->cookie, sizeof(a->cookie), API_COOKIE "=%s" COOKIE_ATTRS,
	    tok);
	c->resp->set_cookie = a->cookie;
	answer_session(c, usr, csrf);
	OPENSSL_cleanse(tok, sizeof(tok));
}

/* The password's verdict: usr NULL for a wrong name or password. */
static void
login_answer(struct api_call *c, const char *name, struct user *usr)
{
	struct api *a = c->api;

	/* The attempt counted as a failure when it was queued (login()). */
	if (usr == NULL) {
		log_info("api: login of \"%s\" failed", users_name_ok(name) ?
		    name : "?");
		api_refuse(c, 401, "unauthorized", "wrong name or password");
		c->login_failed = 1;
	} else {
		throttle_ok(a->throttle, name, c->req->addr.data, c->now);
		log_info("api: %s logged in", usr->name);
		login_ok(c, usr);
	}
}

/*
 * The key is made. It is checked against the user's hash as it is now:
 * a user deleted, or whose password changed, meanwhile does not match.
 */
static void
login_check(struct api_call *c, const char *name, const uint8_t *key)
{
	struct user *usr = users_find(c->api->users, name);

	login_answer(c, name, usr != NULL && users_key_ok(&usr->pw, key) ?
	    usr : NULL);
}

/* A login waiting for the auth worker (authw.h). */
struct login_wait {
	struct api_wait		 w;		/* first */
	char			 name[USER_NAME_MAX + 1];
};

static void
login_apply(struct api_call *c, struct api_wait *w, const uint8_t *key)
{
	login_check(c, ((struct login_wait *)w)->name, key);
}

/* Throttling is checked before the hash is queued, and the attempt
 * counts as a failure from then on: concurrent guesses at one account
 * wait for no verdict. A success takes it back (login_answer()). */
static void
login(struct api_call *c)
{
	static const char *const fields[] = { "name", "password", NULL };
	struct api		*a = c->api;
	struct login_wait	*lw = NULL;
	char			 pw[PASSWORD_MAX + 1];
	uint64_t		 wait;

	if (api_body(c, fields) == -1 ||
	    (lw = api_wait_new(c, sizeof(*lw), login_apply)) == NULL)
		return;
	if (json_get_str(&c->doc, 0, "name", 1, lw->name,
	    sizeof(lw->name)) == -1 ||
	    json_get_str(&c->doc, 0, "password", 1, pw, sizeof(pw)) == -1) {
		api_refuse(c, 400, "bad_request", c->doc.err);
		goto done;
	}
	if ((wait = throttle_wait(a->throttle, lw->name, c->req->addr.data,
	    c->now)) > 0) {
		c->resp->retry_after_s = (uint32_t)((wait + 999) / 1000);
		api_refuse(c, 429, "throttled", "too many failed logins");
		goto done;
	}
	throttle_begin(a->throttle, lw->name, c->req->addr.data, c->now);
	if (api_hash_wait(c, &lw->w, pw, users_login_hash(a->users,
	    lw->name)) == 0)
		lw = NULL;	/* the worker's now */
	else if (c->resp->status >= 500) {
		/* Refused before any check: not an attempt. */
		throttle_undo(a->throttle, lw->name, c->req->addr.data,
		    c->now);
		log_info("api: login of \"%s\" refused: its password cannot "
		    "be checked now (%u)", users_name_ok(lw->name) ? lw->name :
		    "?", c->resp->status);
	}
done:
	api_wait_free(lw);
	OPENSSL_cleanse(pw, sizeof(pw));
}

static void
session_info(struct api_call *c)
{
	char csrf[SESSION_TOKEN_HEX + 1];

	if (c->session == NULL) {
		api_refuse(c, 400, "bad_request", "not a session");
		return;
	}
	sessions_csrf_hex(c->session, csrf);
	answer_session(c, c->user, csrf);
}

static void
logout_common(struct api_call *c, int everywhere)
{
	struct api	*a = c->api;
	char		 user[USER_NAME_MAX + 1];
	int		 n = 1;

	if (c->session == NULL) {
		api_refuse(c, 400, "bad_request", "not a session");
		return;
	}
	snprintf(user, sizeof(user), "%s", c->session->user);
	if (everywhere) {
		n = sessions_logout_user(a->sessions, user);
		log_info("api: %s logged out everywhere (%d session%s)", user,
		    n, n == 1 ? "" : "s");
	} else
		sessions_logout(a->sessions, c->req->session, c->now);
	api_sessions_changed(a, c->now);
	/* The streams this session (or, everywhere, the user) opened end
	 * with it. */
	if (a->user_changed != NULL)
		a->user_changed(a->user_changed_arg, user, everywhere ? NULL :
		    c->key);
	c->session = NULL;
	snprintf(a->cookie, sizeof(a->cookie), API_COOKIE "=" COOKIE_ATTRS
	    "; Max-Age=0");
	c->resp->set_cookie = a->cookie;
	jw_open(&c->w, '{');
	jw_key(&c->w, "ended");
	jw_int(&c->w, n);
	jw_close(&c->w, '}');
	api_reply(c, 200);
}

static void
logout(struct api_call *c)
{
	logout_common(c, 0);
}

static void
logout_all(struct api_call *c)
{
	logout_common(c, 1);
}

static const struct api_route session_routes[] = {
	{ "POST", "/api/v1/login", API_PUBLIC, login },
	{ "POST", "/api/v1/logout", API_VIEWER, logout },
	{ "POST", "/api/v1/logout-all", API_VIEWER, logout_all },
	{ "GET", "/api/v1/session", API_VIEWER, session_info },
};

int
api_session_routes(struct api *a)
{
	return api_add_routes(a, session_routes,
	    (int)(sizeof(session_routes) / sizeof(session_routes[0])), a);
}
