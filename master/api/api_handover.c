/*
 * The dashboard's hand-over between masters' web addresses after a
 * takeover (docs/SECURITY.md, "Hand-over"; docs/FAILOVER.md, "The people
 * using it"). The masters are different hosts: a cookie for one is
 * never sent to the other. So, while logged in, the dashboard holds a
 * credential bound to its (replicated) session; when its master is gone
 * it finds the new one (GET /api/v1/master on each master-web address)
 * and exchanges the credential there for a session cookie.
 *
 *   GET  /api/v1/master             public: who is master, its term
 *   POST /api/v1/handover           a session: a new credential
 *   POST /api/v1/handover/exchange  public: a credential for a cookie
 */

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "api/api_internal.h"
#include "ev.h"
#include "log.h"

/* "master", "term" and "url" of this node, the master. */
static void
put_self(struct api_call *c, const struct api_master *me)
{
	jw_key(&c->w, "master");
	jw_str(&c->w, me->node);
	jw_key(&c->w, "term");
	jw_uint(&c->w, me->term);
	jw_key(&c->w, "url");
	jw_str(&c->w, me->url);
}

/*
 * Public, so that a dashboard whose master died can ask every address it
 * knows without a cookie (the web process lets the other master-web
 * origins read the answer: CORS). A standby never gets here: it answers
 * every call 503 naming the master it follows (api.c).
 */
static void
master_info(struct api_call *c)
{
	struct api_master me;

	api_whoami(c->api, &me);
	jw_open(&c->w, '{');
	put_self(c, &me);
	jw_close(&c->w, '}');
	api_reply(c, 200);
}

/*
 * A new credential for the caller's session, the master-web addresses,
 * and when to ask again. Saved at once: the standbys must hold it. Past
 * HANDOVER_SLOTS in HANDOVER_MIN_MS (many tabs, or a loop) the answer
 * has no credential, only the addresses and when to ask again: the tab
 * still follows a takeover, and finds the cookie another tab's exchange
 * set there.
 */
static void
mint(struct api_call *c)
{
	struct api	*a = c->api;
	struct api_master me;
	char		 cred[SESSION_TOKEN_HEX + 1];
	uint64_t	 wall = ev_wall_ms(), wait;
	int		 i;

	if (c->session == NULL) {
		api_refuse(c, 400, "bad_request", "not a session: a token or "
		    "certificate works on every master as it is");
		return;
	}
	if (a->nmweb < 2) {
		api_refuse(c, 404, "not_found", "no other master-web address "
		    "is configured");
		return;
	}
	api_whoami(a, &me);
	if ((wait = sessions_handover_wait(c->session, wall)) == 0) {
		if (sessions_handover_mint(c->session, me.term, wall,
		    cred) == -1) {
			api_refuse(c, 500, "internal", "no randomness");
			return;
		}
		api_sessions_changed(a, c->now);
	}
	jw_open(&c->w, '{');
	jw_key(&c->w, "credential");
	if (wait == 0)
		jw_str(&c->w, cred);
	else
		jw_null(&c->w);
	jw_key(&c->w, "expires_ms");
	if (wait == 0)
		jw_uint(&c->w, wall + HANDOVER_TTL_MS);
	else
		jw_null(&c->w);
	jw_key(&c->w, "refresh_ms");
	jw_uint(&c->w, wait == 0 ? HANDOVER_REFRESH_MS : wait);
	put_self(c, &me);
	jw_key(&c->w, "masters");
	jw_open(&c->w, '[');
	for (i = 0; i < a->nmweb; i++) {
		jw_open(&c->w, '{');
		jw_key(&c->w, "node");
		jw_str(&c->w, a->mweb[i].node);
		jw_key(&c->w, "url");
		jw_str(&c->w, a->mweb[i].url);
		jw_close(&c->w, '}');
	}
	jw_close(&c->w, ']');
	jw_close(&c->w, '}');
	api_reply(c, 200);
	OPENSSL_cleanse(cred, sizeof(cred));
}

/*
 * The credential for a session cookie: the same session, with a new
 * token (docs/SECURITY.md). Like a login it has no session yet, and
 * relies on the JSON body and the Origin check of the web process;
 * failures count against the address's login throttle, not its ban
 * score (a second tab's credential, used up by the first, fails too).
 */
static void
exchange(struct api_call *c)
{
	static const char *const fields[] = { "credential", NULL };
	struct api		*a = c->api;
	struct api_master	 me;
	struct session		*s;
	const struct user	*u;
	const uint8_t		*addr = c->req->addr.data;
	char			 cred[SESSION_TOKEN_HEX + 2];
	char			 tok[SESSION_TOKEN_HEX + 1];
	char			 csrf[SESSION_TOKEN_HEX + 1];
	const char		*why = "";
	uint64_t		 wait;

	if (api_body(c, fields) == -1)
		return;
	if (json_get_str(&c->doc, 0, "credential", 1, cred,
	    sizeof(cred)) == -1) {
		api_refuse(c, 400, "bad_request", c->doc.err);
		return;
	}
	if ((wait = throttle_wait(a->throttle, NULL, addr, c->now)) > 0) {
		c->resp->retry_after_s = (uint32_t)((wait + 999) / 1000);
		api_refuse(c, 429, "throttled", "too many failed attempts");
		goto done;
	}
	api_whoami(a, &me);
	if ((s = sessions_handover_take(a->sessions, cred, me.term, c->now,
	    ev_wall_ms(), tok, &why)) == NULL ||
	    (u = users_find(a->users, s->user)) == NULL) {
		log_info("api: a hand-over refused: %s", s == NULL ? why :
		    "its user is gone");
		throttle_fail(a->throttle, NULL, addr, c->now);
		api_refuse(c, 401, "unauthorized", "no such hand-over");
		goto done;
	}
	api_sessions_changed(a, c->now);
	log_info("api: %s handed over to %s (term %llu)", u->name, me.node,
	    (unsigned long long)me.term);
	snprintf(a->cookie, sizeof(a->cookie), API_COOKIE "=%s"
	    API_COOKIE_ATTRS, tok);
	c->resp->set_cookie = a->cookie;
	sessions_csrf_hex(s, csrf);
	jw_open(&c->w, '{');
	jw_key(&c->w, "user");
	jw_str(&c->w, u->name);
	jw_key(&c->w, "role");
	jw_str(&c->w, users_role_name(u->role));
	jw_key(&c->w, "csrf");
	jw_str(&c->w, csrf);
	put_self(c, &me);
	jw_close(&c->w, '}');
	api_reply(c, 200);
done:
	OPENSSL_cleanse(tok, sizeof(tok));
	OPENSSL_cleanse(cred, sizeof(cred));
}

static const struct api_route handover_routes[] = {
	{ "GET", "/api/v1/master", API_PUBLIC, master_info },
	{ "POST", "/api/v1/handover", API_VIEWER, mint },
	{ "POST", "/api/v1/handover/exchange", API_PUBLIC, exchange },
};

int
api_handover_routes(struct api *a)
{
	return api_add_routes(a, handover_routes,
	    (int)(sizeof(handover_routes) / sizeof(handover_routes[0])), a);
}
