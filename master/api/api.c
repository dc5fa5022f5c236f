/*
 * The master's answers to API calls forwarded by the web process: routing
 * by method and path, authentication and roles, and the helpers handlers
 * share (docs/API.md). Every answer is JSON; every refusal says why and
 * changes nothing.
 */

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "lib/http.h"
#include "ev.h"
#include "log.h"
#include "memtune.h"

/* Is `name` one of the users? (Their throttle entries stay.) */
static int
is_user(void *arg, const char *name)
{
	return users_find(arg, name) != NULL;
}

struct api *
api_new(const char *users_path, const struct scrypt_params *sp)
{
	struct api *a;

	const char	*slash;

	if ((a = mem_table(sizeof(*a))) == NULL)
		return NULL;
	/* The tokens and sessions live beside the users. */
	slash = strrchr(users_path, '/');
	snprintf(a->upath, sizeof(a->upath), "%s", users_path);
	snprintf(a->tpath, sizeof(a->tpath), "%.*s%s", slash != NULL ?
	    (int)(slash - users_path + 1) : 0, users_path, TOKENS_FILE);
	snprintf(a->spath, sizeof(a->spath), "%.*s%s", slash != NULL ?
	    (int)(slash - users_path + 1) : 0, users_path, SESSIONS_FILE);
	a->sp = sp;
	if ((a->users = users_new(users_path, sp)) == NULL ||
	    users_load(a->users) == -1 ||
	    (a->sessions = sessions_new()) == NULL ||
	    sessions_load(a->sessions, a->spath, ev_clock_ms(),
	    ev_wall_ms()) == -1 ||
	    (a->throttle = throttle_new()) == NULL ||
	    (a->tokens = tokens_new(a->tpath)) == NULL ||
	    api_session_routes(a) == -1 || api_handover_routes(a) == -1 ||
	    api_users_routes(a) == -1 ||
	    api_tokens_routes(a) == -1) {
		api_free(a);
		return NULL;
	}
	throttle_set_users(a->throttle, is_user, a->users);
	return a;
}

void
api_sessions_changed(struct api *a, uint64_t now)
{
	if (sessions_save(a->sessions, a->spath, now, ev_wall_ms()) == -1)
		log_warn("api: %s", a->spath);
}

/*
 * A standby that takes over: the users, tokens and sessions its state
 * sync wrote while it stood by replace what it loaded at start. Each is
 * loaded whole before it replaces the table in use, so a bad file
 * leaves the old one (logged).
 */
int
api_reload_state(struct api *a, uint64_t now)
{
	struct users	*u;
	struct tokens	*tk;
	int		 r = 0;

	if ((u = users_new(a->upath, a->sp)) == NULL ||
	    users_load(u) == -1) {
		log_warnx("api: the users replicated cannot be loaded");
		users_free(u);
		r = -1;
	} else {
		users_free(a->users);
		a->users = u;
		throttle_set_users(a->throttle, is_user, a->users);
	}
	if ((tk = tokens_new(a->tpath)) == NULL) {
		log_warnx("api: the tokens replicated cannot be loaded");
		r = -1;
	} else {
		/* Not tokens_free(): its save would put back the old table. */
		tokens_discard(a->tokens);
		a->tokens = tk;
	}
	if (sessions_load(a->sessions, a->spath, now, ev_wall_ms()) == -1) {
		log_warnx("api: the sessions replicated cannot be loaded");
		r = -1;
	}
	return r;
}

void
api_set_v6_prefix(struct api *a, int bits)
{
	throttle_set_v6_prefix(a->throttle, bits);
}

void
api_free(struct api *a)
{
	if (a == NULL)
		return;
	users_free(a->users);
	sessions_free(a->sessions);
	throttle_free(a->throttle);
	tokens_free(a->tokens);
	mem_table_free(a, sizeof(*a));
}

struct users *
api_users(struct api *a)
{
	return a->users;
}

void
api_on_user_change(struct api *a,
    void (*fn)(void *, const char *, const char *), void *arg)
{
	a->user_changed = fn;
	a->user_changed_arg = arg;
}

void
api_caller_key(const struct session *s, char *key)
{
	int i;

	/* The session's id is already a hash of its token: its first
	 * bytes name it without revealing anything. */
	for (i = 0; i < API_KEY_LEN / 2; i++)
		snprintf(key + 2 * i, 3, "%02x", s->id[i]);
}

/* A certificate caller's key: the last API_KEY_LEN digits of its serial
 * (random bits, lower-case), "0"-padded on the left. */
static void
api_cert_key(const char *serial, char *key)
{
	size_t	n = serial != NULL ? strlen(serial) : 0, i;

	for (i = 0; i < API_KEY_LEN; i++) {
		key[i] = i + n < API_KEY_LEN ? '0' :
		    serial[n - API_KEY_LEN + i];
		if (key[i] >= 'A' && key[i] <= 'F')
			key[i] = (char)(key[i] - 'A' + 'a');
	}
	key[API_KEY_LEN] = '\0';
}

void
api_cert_gate(struct api *a, const char *(*gate)(void *, const char *),
    void *arg)
{
	a->cert_gate = gate;
	a->cert_gate_arg = arg;
}

void
api_master_gate(struct api *a, int (*gate)(void *, struct api_master *),
    void *arg)
{
	a->master_gate = gate;
	a->master_gate_arg = arg;
}

int
api_whoami(struct api *a, struct api_master *am)
{
	memset(am, 0, sizeof(*am));
	return a->master_gate != NULL &&
	    a->master_gate(a->master_gate_arg, am) != 0;
}

int
api_set_master_web(struct api *a, const char *node, const char *url)
{
	if (a->nmweb == HA_MAX_MASTERS)
		return -1;
	snprintf(a->mweb[a->nmweb].node, sizeof(a->mweb[0].node), "%s", node);
	snprintf(a->mweb[a->nmweb].url, sizeof(a->mweb[0].url), "%s", url);
	a->nmweb++;
	return 0;
}

/* A "not master" 503's body, opened: the error, why, and the master to
 * ask; the caller adds what the call was about and closes it. */
void
api_not_master_open(struct api_call *c, const char *why,
    const struct api_master *am)
{
	jw_open(&c->w, '{');
	jw_key(&c->w, "error");
	jw_str(&c->w, "not master");
	jw_key(&c->w, "reason");
	jw_str(&c->w, why);
	jw_key(&c->w, "master");
	jw_str(&c->w, am->node);
	jw_key(&c->w, "url");
	jw_str(&c->w, am->url);
}

/* A standby's answer to every call: who the master is, and where. */
static int
not_master(struct api_call *c)
{
	struct api	*a = c->api;
	struct api_master am;

	if (!api_whoami(a, &am))
		return 0;
	jw_init(&c->w, a->out, sizeof(a->out));
	api_not_master_open(c, am.node[0] ? "this node is a standby; ask the "
	    "master" : "this node is a standby; no master is elected yet",
	    &am);
	jw_close(&c->w, '}');
	api_reply(c, 503);
	return 1;
}

int
api_add_routes(struct api *a, const struct api_route *r, int n, void *ctx)
{
	int i;

	if (n < 0 || a->nroutes + n > API_MAX_ROUTES)
		return -1;
	for (i = 0; i < n; i++) {
		a->routes[a->nroutes].r = r[i];
		a->routes[a->nroutes++].ctx = ctx;
	}
	return 0;
}

void
api_reply(struct api_call *c, int status)
{
	long n = jw_end(&c->w);

	if (n < 0) {
		/* The answer did not fit: say so rather than cut JSON. */
		log_warnx("api: %s %s: answer over %d bytes", c->req->method,
		    c->req->path, API_MAX_RESPONSE);
		n = snprintf(c->api->out, sizeof(c->api->out),
		    "{\"error\":\"internal\",\"reason\":\"answer too large\"}");
		status = 500;
	}
	c->resp->status = (uint32_t)status;
	c->resp->body.data = (uint8_t *)c->api->out;
	c->resp->body.len = (size_t)n;
}

void
api_refuse(struct api_call *c, int status, const char *code, const char *why)
{
	jw_init(&c->w, c->api->out, sizeof(c->api->out));
	jw_open(&c->w, '{');
	jw_key(&c->w, "error");
	jw_str(&c->w, code);
	if (why != NULL) {
		jw_key(&c->w, "reason");
		jw_str(&c->w, why);
	}
	jw_close(&c->w, '}');
	api_reply(c, status);
	/* A handler's half-written answer is gone; start clean if it goes on. */
	jw_init(&c->w, c->api->out, sizeof(c->api->out));
}

int
api_body(struct api_call *c, const char *const *fields)
{
	const char	*src = (const char *)c->req->body.data;
	size_t		 len = c->req->body.len;

	if (len == 0) {
		src = "{}";
		len = 2;
	}
	if (json_parse(&c->doc, src, len, c->api->tok, JSON_MAX_TOKENS) == -1 ||
	    json_only(&c->doc, 0, fields) == -1) {
		api_refuse(c, 400, "bad_request", c->doc.err);
		return -1;
	}
	return 0;
}

long
api_offset(struct api_call *c)
{
	char	num[16], *end;
	long	off;

	if (api_query(c, "offset", num, sizeof(num)) == -1)
		return 0;
	off = strtol(num, &end, 10);
	if (num[0] < '0' || num[0] > '9' || *end != '\0' || off < 0) {
		api_refuse(c, 400, "bad_request", "offset: a whole number");
		return -1;
	}
	return off;
}

/* Room kept after a list's last element for "],"next":N}". */
#define API_LIST_TAIL	64

int
api_list_fits(struct api_call *c, const struct jw *before)
{
	if (!c->w.overflow && c->w.len + API_LIST_TAIL < c->w.cap)
		return 1;
	c->w = *before;
	return 0;
}

void
api_list_end(struct api_call *c, long next)
{
	jw_close(&c->w, ']');
	jw_key(&c->w, "next");
	if (next >= 0)
		jw_int(&c->w, next);
	else
		jw_null(&c->w);
	jw_close(&c->w, '}');
}

int
api_query(const struct api_call *c, const char *name, char *out, size_t size)
{
	const char	*p = c->req->query, *e;
	size_t		 nlen = strlen(name), o = 0;
	int		 h, l;

	for (; p != NULL && *p != '\0'; p = *e ? e + 1 : e) {
		e = p + strcspn(p, "&");
		if ((size_t)(e - p) < nlen || strncmp(p, name, nlen) != 0 ||
		    (p[nlen] != '=' && p + nlen != e))
			continue;
		for (p += nlen + (p[nlen] == '='); p < e; p++) {
			if (o + 1 >= size)
				return -1;
			if (*p == '%' && e - p >= 3 &&
			    (h = http_hexval(p[1])) >= 0 &&
			    (l = http_hexval(p[2])) >= 0 && (h | l) != 0) {
				out[o++] = (char)(h << 4 | l);
				p += 2;
			} else
				out[o++] = *p == '+' ? ' ' : *p;
		}
		out[o] = '\0';
		return 0;
	}
	return -1;
}

/* Does `path` match `pat` ('*' = one non-empty segment)? Fills args. */
static int
match(const char *pat, const char *path, struct api_call *c)
{
	size_t n;

	c->narg = 0;
	while (*pat != '\0') {
		if (*pat == '*') {
			n = strcspn(path, "/");
			if (n == 0 || n > API_ARG_MAX || c->narg == API_MAX_ARGS)
				return 0;
			c->arg[c->narg++] = path;
			path += n;
			pat++;
			continue;
		}
		if (*pat++ != *path++)
			return 0;
	}
	return *path == '\0';
}

/*
 * Who calls, and may they call this route? -1 after the refusal. A state
 * change by session needs the session's CSRF token; a token caller has
 * no cookie a foreign page could ride on, so needs none.
 */
static int
authorize(struct api_call *c, enum api_auth need, int changes)
{
	static const enum user_role least[] = {
		[API_VIEWER] = UROLE_VIEWER, [API_USER] = UROLE_USER,
		[API_ADMIN] = UROLE_ADMIN,
	};
	const struct user	*u;
	const struct api_token	*t;
	const char		*why;

	if (need == API_PUBLIC)
		return 0;
	if (c->req->token[0] != '\0') {
		/* An app: its token stands for its user; no CSRF (no
		 * cookie a foreign page could ride on). */
		if ((t = tokens_check(c->api->tokens, c->req->token,
		    ev_wall_ms())) == NULL ||
		    (u = users_find(c->api->users, t->user)) == NULL) {
			api_refuse(c, 401, "unauthorized", "unknown API token");
			return -1;
		}
		snprintf(c->key, sizeof(c->key), "%s", t->id);
		goto role;
	}
	if (c->req->session[0] == '\0' && c->req->client_cn != NULL &&
	    c->req->client_cn[0] != '\0') {
		/* An app with a client certificate (the master verified its
		 * chain itself: ccert.c, webproc.c): its CN names the user.
		 * Like a token, no CSRF: a foreign page cannot send a JSON
		 * body nor a same Origin. */
		if (!users_name_ok(c->req->client_cn) || (u = users_find(
		    c->api->users, c->req->client_cn)) == NULL) {
			api_refuse(c, 401, "unauthorized", "client "
			    "certificate of an unknown user");
			return -1;
		}
		if (c->api->cert_gate != NULL && (why = c->api->cert_gate(
		    c->api->cert_gate_arg, c->req->client_serial)) != NULL) {
			log_info("api: %s: %s", u->name, why);
			api_refuse(c, 401, "unauthorized", why);
			return -1;
		}
		api_cert_key(c->req->client_serial, c->key);
		c->by_cert = 1;
		goto role;
	}
	if ((c->session = api_session_of(c->api, c->req, c->now)) == NULL ||
	    (u = users_find(c->api->users, c->session->user)) == NULL) {
		api_refuse(c, 401, "unauthorized", "no session");
		return -1;
	}
	api_caller_key(c->session, c->key);
	if (changes && !sessions_csrf_ok(c->session, c->req->csrf)) {
		api_refuse(c, 403, "forbidden", "missing or wrong CSRF token");
		return -1;
	}
role:
	/* Roles are ordered: admin 1 < user 2 < viewer 3. */
	if (u->role > least[need]) {
		api_refuse(c, 403, "forbidden", "your role may not do this");
		return -1;
	}
	c->user = u;
	return 0;
}

/* The route for this call; *wrong_method set when only the method is. */
static const struct api_entry *
route(struct api *a, struct api_call *c, int *wrong_method)
{
	const char	*m = c->req->method;
	int		 i;

	*wrong_method = 0;
	if (strcmp(m, "HEAD") == 0)
		m = "GET";
	for (i = 0; i < a->nroutes; i++) {
		if (!match(a->routes[i].r.pattern, c->req->path, c))
			continue;
		if (strcmp(a->routes[i].r.method, m) == 0)
			return &a->routes[i];
		*wrong_method = 1;
	}
	return NULL;
}

int
api_handle(struct api *a, const Hd__ApiRequest *req, Hd__ApiResponse *resp,
    uint64_t now)
{
	struct api_call		 c;
	const struct api_entry	*e;
	int			 wrong, changes;
	char			 path[HTTP_MAX_TARGET + 1];

	memset(&c, 0, sizeof(c));
	c.api = a;
	c.req = req;
	c.resp = resp;
	c.now = now;
	resp->id = req->id;
	jw_init(&c.w, a->out, sizeof(a->out));
	if (not_master(&c))
		return 0;
	if ((e = route(a, &c, &wrong)) == NULL) {
		if (wrong)
			api_refuse(&c, 405, "method_not_allowed", NULL);
		else
			api_refuse(&c, 404, "not_found", "no such endpoint");
		return 0;
	}
	/* route() leaves args pointing into req->path; cut them apart. */
	snprintf(path, sizeof(path), "%s", req->path);
	match(e->r.pattern, path, &c);
	for (wrong = 0; wrong < c.narg; wrong++)
		((char *)(uintptr_t)c.arg[wrong])[strcspn(c.arg[wrong], "/")] =
		    '\0';
	changes = strcmp(req->method, "GET") != 0 &&
	    strcmp(req->method, "HEAD") != 0;
	c.ctx = e->ctx;
	if (authorize(&c, e->r.auth, changes) == -1)
		return 0;
	e->r.fn(&c);
	if (c.deferred)
		return API_DEFERRED;
	return c.login_failed;
}
