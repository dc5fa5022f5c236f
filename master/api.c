/*
 * The master's answers to API calls forwarded by the web process: login
 * and logout so far (docs/API.md). Every answer is JSON; every refusal
 * says why and changes nothing.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "api.h"
#include "json.h"
#include "log.h"

#define COOKIE_ATTRS	"; Path=/; Secure; HttpOnly; SameSite=Strict"

struct api {
	struct users		*users;
	struct sessions		*sessions;
	struct throttle		*throttle;
	char			 out[API_MAX_RESPONSE];
	char			 cookie[128];
	struct json_tok		 tok[JSON_MAX_TOKENS];
};

struct api *
api_new(const char *users_path, const struct scrypt_params *sp)
{
	struct api *a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	if ((a->users = users_new(users_path, sp)) == NULL ||
	    users_load(a->users) == -1 ||
	    (a->sessions = sessions_new()) == NULL ||
	    (a->throttle = throttle_new()) == NULL) {
		api_free(a);
		return NULL;
	}
	return a;
}

void
api_free(struct api *a)
{
	if (a == NULL)
		return;
	users_free(a->users);
	sessions_free(a->sessions);
	throttle_free(a->throttle);
	free(a);
}

static void
answer(struct api *a, Hd__ApiResponse *resp, int status, struct jw *w)
{
	long n = jw_end(w);

	if (n < 0) {
		snprintf(a->out, sizeof(a->out), "{\"error\":\"internal\"}");
		n = (long)strlen(a->out);
		status = 500;
	}
	resp->status = (uint32_t)status;
	resp->body.data = (uint8_t *)a->out;
	resp->body.len = (size_t)n;
}

/* {"error":code,"reason":why} */
static void
refuse(struct api *a, Hd__ApiResponse *resp, int status, const char *code,
    const char *why)
{
	struct jw w;

	jw_init(&w, a->out, sizeof(a->out));
	jw_open(&w, '{');
	jw_key(&w, "error");
	jw_str(&w, code);
	if (why != NULL) {
		jw_key(&w, "reason");
		jw_str(&w, why);
	}
	jw_close(&w, '}');
	answer(a, resp, status, &w);
}

/* 200 with who is logged in, their role and the session's CSRF token. */
static void
answer_session(struct api *a, Hd__ApiResponse *resp, const struct user *usr,
    const char *csrf)
{
	struct jw w;

	jw_init(&w, a->out, sizeof(a->out));
	jw_open(&w, '{');
	jw_key(&w, "user");
	jw_str(&w, usr->name);
	jw_key(&w, "role");
	jw_str(&w, users_role_name(usr->role));
	jw_key(&w, "csrf");
	jw_str(&w, csrf);
	jw_close(&w, '}');
	answer(a, resp, 200, &w);
}

static int
login_body(struct api *a, const Hd__ApiRequest *req, struct json_doc *d,
    char *name, size_t nsize, char *pw, size_t pwsize)
{
	static const char *const fields[] = { "name", "password", NULL };

	if (json_parse(d, (const char *)req->body.data, req->body.len, a->tok,
	    JSON_MAX_TOKENS) == -1 || json_only(d, 0, fields) == -1 ||
	    json_get_str(d, 0, "name", 1, name, nsize) == -1 ||
	    json_get_str(d, 0, "password", 1, pw, pwsize) == -1)
		return -1;
	return 0;
}

static void
login_ok(struct api *a, Hd__ApiResponse *resp, const struct user *usr,
    uint64_t now)
{
	char		tok[SESSION_TOKEN_HEX + 1], csrf[SESSION_TOKEN_HEX + 1];

	if (sessions_create(a->sessions, usr->name, now, tok, csrf) == -1) {
		refuse(a, resp, 500, "internal", "no randomness");
		return;
	}
	snprintf(a->cookie, sizeof(a->cookie), API_COOKIE "=%s" COOKIE_ATTRS,
	    tok);
	resp->set_cookie = a->cookie;
	answer_session(a, resp, usr, csrf);
	OPENSSL_cleanse(tok, sizeof(tok));
}

/* 1 if a password was checked and was wrong. */
static int
login(struct api *a, const Hd__ApiRequest *req, Hd__ApiResponse *resp,
    uint64_t now)
{
	struct json_doc	 d;
	struct user	*usr;
	char		 name[USER_NAME_MAX + 1], pw[PASSWORD_MAX + 1];
	uint64_t	 wait;
	int		 failed = 0;

	if (login_body(a, req, &d, name, sizeof(name), pw, sizeof(pw)) == -1) {
		refuse(a, resp, 400, "bad_request", d.err);
		return 0;
	}
	if ((wait = throttle_wait(a->throttle, name, req->addr.data,
	    now)) > 0) {
		resp->retry_after_s = (uint32_t)((wait + 999) / 1000);
		refuse(a, resp, 429, "throttled", "too many failed logins");
	} else if ((usr = users_login(a->users, name, pw)) == NULL) {
		throttle_fail(a->throttle, name, req->addr.data, now);
		log_info("api: login of \"%s\" failed", users_name_ok(name) ?
		    name : "?");
		refuse(a, resp, 401, "unauthorized", "wrong name or password");
		failed = 1;
	} else {
		throttle_ok(a->throttle, name, now);
		log_info("api: %s logged in", usr->name);
		login_ok(a, resp, usr, now);
	}
	OPENSSL_cleanse(pw, sizeof(pw));
	return failed;
}

/* The caller's session, or NULL with the refusal in resp; `csrf`: the
 * call changes state and must carry the session's CSRF token. */
static struct session *
session_of(struct api *a, const Hd__ApiRequest *req, Hd__ApiResponse *resp,
    int csrf, uint64_t now)
{
	struct session *s;

	if ((s = sessions_get(a->sessions, req->session, now)) == NULL ||
	    users_find(a->users, s->user) == NULL) {
		refuse(a, resp, 401, "unauthorized", "no session");
		return NULL;
	}
	if (csrf && !sessions_csrf_ok(s, req->csrf)) {
		refuse(a, resp, 403, "forbidden", "missing or wrong CSRF token");
		return NULL;
	}
	return s;
}

static void
session_info(struct api *a, const Hd__ApiRequest *req,
    Hd__ApiResponse *resp, uint64_t now)
{
	struct session	*s;
	struct user	*usr;
	char		 csrf[SESSION_TOKEN_HEX + 1];

	if ((s = session_of(a, req, resp, 0, now)) == NULL)
		return;
	/* A session can outlive its user (removed since it logged in). */
	if ((usr = users_find(a->users, s->user)) == NULL) {
		refuse(a, resp, 401, "unauthenticated", "no such user");
		return;
	}
	sessions_csrf_hex(s, csrf);
	answer_session(a, resp, usr, csrf);
}

static void
logout(struct api *a, const Hd__ApiRequest *req, Hd__ApiResponse *resp,
    int everywhere, uint64_t now)
{
	struct session	*s;
	struct jw	 w;
	char		 user[USER_NAME_MAX + 1];
	int		 n = 1;

	if ((s = session_of(a, req, resp, 1, now)) == NULL)
		return;
	if (everywhere) {
		snprintf(user, sizeof(user), "%s", s->user);
		n = sessions_logout_user(a->sessions, user);
		log_info("api: %s logged out everywhere (%d session%s)", user,
		    n, n == 1 ? "" : "s");
	} else
		sessions_logout(a->sessions, req->session, now);
	snprintf(a->cookie, sizeof(a->cookie), API_COOKIE "=" COOKIE_ATTRS
	    "; Max-Age=0");
	resp->set_cookie = a->cookie;
	jw_init(&w, a->out, sizeof(a->out));
	jw_open(&w, '{');
	jw_key(&w, "ended");
	jw_int(&w, n);
	jw_close(&w, '}');
	answer(a, resp, 200, &w);
}

int
api_handle(struct api *a, const Hd__ApiRequest *req, Hd__ApiResponse *resp,
    uint64_t now)
{
	resp->id = req->id;
	switch (req->op) {
	case API_LOGIN:
		return login(a, req, resp, now);
	case API_LOGOUT:
	case API_LOGOUT_ALL:
		logout(a, req, resp, req->op == API_LOGOUT_ALL, now);
		break;
	case API_SESSION:
		session_info(a, req, resp, now);
		break;
	default:
		refuse(a, resp, 404, "not_found", NULL);
		break;
	}
	return 0;
}
