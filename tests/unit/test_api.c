/* Unit tests for master/api/api.c: the master's answers to forwarded API
 * calls (login, logout, logout everywhere, session), with cheap scrypt
 * parameters and a fake clock. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "check.h"
#include "../../master/api/api.h"

#define T0	(100000ULL)

static const struct scrypt_params cheap = { 16, 1, 1 };
static const uint8_t	addr[16] = { [10] = 0xff, [11] = 0xff, 10, 0, 0, 1 };
static char		session[SESSION_TOKEN_HEX + 1], csrf[SESSION_TOKEN_HEX + 1];
static char		body[API_MAX_RESPONSE + 1];
static int		failed;		/* api_handle()'s answer */

/* The calls these tests make, by method and path. */
enum { API_LOGIN, API_LOGOUT, API_LOGOUT_ALL, API_SESSION };
static const char *const ops[][2] = {
	{ "POST", "/api/v1/login" }, { "POST", "/api/v1/logout" },
	{ "POST", "/api/v1/logout-all" }, { "GET", "/api/v1/session" },
};
static const char *query = "", *bearer = "";

/* One call; the answer's body lands in `body`. */
static int
call_at(struct api *a, const char *method, const char *path,
    const char *json, const char *sess, const char *tok, uint64_t now,
    Hd__ApiResponse *resp)
{
	Hd__ApiRequest req = HD__API_REQUEST__INIT;

	hd__api_response__init(resp);
	req.id = 7;
	req.method = (char *)(uintptr_t)method;
	req.path = (char *)(uintptr_t)path;
	req.query = (char *)(uintptr_t)query;
	req.token = (char *)(uintptr_t)bearer;
	req.addr.data = (uint8_t *)(uintptr_t)addr;
	req.addr.len = sizeof(addr);
	req.session = (char *)(uintptr_t)sess;
	req.csrf = (char *)(uintptr_t)tok;
	req.body.data = (uint8_t *)(uintptr_t)json;
	req.body.len = strlen(json);
	failed = api_handle(a, &req, resp, now);
	snprintf(body, sizeof(body), "%.*s", (int)resp->body.len,
	    (const char *)resp->body.data);
	return (int)resp->status;
}

static int
call(struct api *a, unsigned op, const char *json, const char *sess,
    const char *tok, uint64_t now, Hd__ApiResponse *resp)
{
	return call_at(a, ops[op][0], ops[op][1], json, sess, tok, now, resp);
}

/* Pull the session token and CSRF token out of a login answer. */
static void
take_login(const Hd__ApiResponse *resp)
{
	const char *p;

	session[0] = csrf[0] = '\0';
	if ((p = strchr(resp->set_cookie, '=')) != NULL)
		snprintf(session, sizeof(session), "%.*s", SESSION_TOKEN_HEX,
		    p + 1);
	if ((p = strstr(body, "\"csrf\":\"")) != NULL)
		snprintf(csrf, sizeof(csrf), "%.*s", SESSION_TOKEN_HEX, p + 8);
}

static void
test_login(struct api *a)
{
	Hd__ApiResponse	r;
	char		s1[sizeof(session)], c1[sizeof(csrf)];

	CHECK(call(a, API_LOGIN, "{\"name\":\"alice\",\"password\":"
	    "\"correct horse\"}", "", "", T0, &r) == 200 && r.id == 7,
	    "login: 200, the request's id");
	take_login(&r);
	CHECK(strlen(session) == SESSION_TOKEN_HEX && strstr(r.set_cookie,
	    "; Path=/; Secure; HttpOnly; SameSite=Strict") != NULL &&
	    strncmp(r.set_cookie, API_COOKIE "=", strlen(API_COOKIE) + 1) ==
	    0, "the cookie: %s", r.set_cookie);
	CHECK(strstr(body, "\"user\":\"alice\",\"role\":\"user\"") != NULL &&
	    strlen(csrf) == SESSION_TOKEN_HEX, "the body: %s", body);
	CHECK(call(a, API_SESSION, "", session, "", T0, &r) == 200 &&
	    strstr(body, csrf) != NULL, "session: the same CSRF token");
	CHECK(call(a, API_LOGOUT, "{}", session, "", T0, &r) == 403,
	    "logout without CSRF: 403");
	CHECK(call(a, API_LOGOUT, "{}", session, session, T0, &r) == 403,
	    "logout with the session token as CSRF: 403");
	CHECK(call(a, API_SESSION, "", session, "", T0, &r) == 200,
	    "a refused logout leaves the session");
	CHECK(call(a, API_LOGOUT, "{}", session, csrf, T0, &r) == 200 &&
	    strstr(r.set_cookie, "Max-Age=0") != NULL, "logout: 200, cookie "
	    "cleared");
	CHECK(call(a, API_SESSION, "", session, "", T0, &r) == 401,
	    "then the session is gone");
	call(a, API_LOGIN, "{\"name\":\"alice\",\"password\":\"correct horse\"}",
	    "", "", T0, &r);
	take_login(&r);
	memcpy(s1, session, sizeof(s1));
	memcpy(c1, csrf, sizeof(c1));
	call(a, API_LOGIN, "{\"name\":\"alice\",\"password\":\"correct horse\"}",
	    "", "", T0, &r);
	take_login(&r);
	CHECK(call(a, API_LOGOUT_ALL, "{}", s1, c1, T0, &r) == 200 &&
	    strstr(body, "\"ended\":2") != NULL, "logout everywhere: %s",
	    body);
	CHECK(call(a, API_SESSION, "", session, "", T0, &r) == 401,
	    "the other session is gone too");
	CHECK(call(a, API_SESSION, "", "", "", T0, &r) == 401,
	    "no cookie: 401");
}

static void
test_refusals(struct api *a)
{
	Hd__ApiResponse r;

	CHECK(call(a, API_LOGIN, "{\"name\":\"alice\"}", "", "", T0, &r) ==
	    400 && strstr(body, "missing field \\\"password\\\"") != NULL,
	    "missing field: %s", body);
	CHECK(call(a, API_LOGIN, "{\"name\":\"alice\",\"password\":\"x\","
	    "\"x\":1}", "", "", T0, &r) == 400 && strstr(body,
	    "unknown field") != NULL, "unknown field: %s", body);
	CHECK(call(a, API_LOGIN, "[]", "", "", T0, &r) == 400,
	    "not an object: 400");
	CHECK(call(a, API_LOGIN, "", "", "", T0, &r) == 400 && failed == 0,
	    "empty body: 400, not a failed login");
	CHECK(call_at(a, "POST", "/api/v1/nope", "{}", "", "", T0, &r) == 404,
	    "unknown path: 404");
}

static void
test_throttle(struct api *a)
{
	Hd__ApiResponse	r;
	const char	*bad = "{\"name\":\"bob\",\"password\":\"nope nope nope\"}";
	int		i, st = 0;

	for (i = 0; i < THROTTLE_FREE; i++)
		st = call(a, API_LOGIN, bad, "", "", T0 + 1000, &r);
	CHECK(st == 401 && strstr(body, "wrong name or password") != NULL,
	    "an unknown user: 401, the same words");
	CHECK(failed == 1, "a failed login is reported (for the ban score)");
	CHECK(call(a, API_LOGIN, bad, "", "", T0 + 1000, &r) == 429 &&
	    r.retry_after_s == THROTTLE_BASE_MS / 1000,
	    "throttled: 429, Retry-After %u", r.retry_after_s);
	CHECK(failed == 0, "a throttled attempt is not a failed login");
	CHECK(call(a, API_LOGIN, "{\"name\":\"alice\",\"password\":"
	    "\"correct horse\"}", "", "", T0 + 1000, &r) == 429,
	    "the address is throttled for every account");
	CHECK(call(a, API_LOGIN, "{\"name\":\"alice\",\"password\":"
	    "\"correct horse\"}", "", "", T0 + 1000 + THROTTLE_BASE_MS,
	    &r) == 200, "after the wait, the right password works");
}

/* A module's routes: '*' arguments, roles, methods, query strings. */
static char seen[64];

static void
echo_arg(struct api_call *c)
{
	char v[32];

	snprintf(seen, sizeof(seen), "%s|%s", c->arg[0],
	    c->narg > 1 ? c->arg[1] : "");
	jw_open(&c->w, '{');
	jw_key(&c->w, "q");
	jw_str(&c->w, api_query(c, "q", v, sizeof(v)) == 0 ? v : "-");
	jw_close(&c->w, '}');
	api_reply(c, 200);
}

static void
test_routes(struct api *a)
{
	static const struct api_route r[] = {
		{ "GET", "/api/v1/things/*", API_VIEWER, echo_arg },
		{ "POST", "/api/v1/things/*/do/*", API_ADMIN, echo_arg },
	};
	Hd__ApiResponse rr;

	CHECK(api_add_routes(a, r, 2, NULL) == 0, "a module adds routes");
	CHECK(call_at(a, "GET", "/api/v1/nothing", "", "", "", T0, &rr) == 404,
	    "an unknown path: 404");
	CHECK(call_at(a, "GET", "/api/v1/things/x", "", "", "", T0, &rr) == 401,
	    "no session: 401 before the handler runs");
	call(a, API_LOGIN, "{\"name\":\"alice\",\"password\":\"correct horse\"}",
	    "", "", T0, &rr);
	take_login(&rr);
	query = "a=1&q=hello%20w+x";
	seen[0] = '\0';
	CHECK(call_at(a, "GET", "/api/v1/things/lamp", "", session, "", T0,
	    &rr) == 200 && strcmp(seen, "lamp|") == 0, "'*' matches a segment");
	CHECK(strstr(body, "\"q\":\"hello w x\"") != NULL,
	    "query values are decoded");
	query = "";
	CHECK(call_at(a, "HEAD", "/api/v1/things/lamp", "", session, "", T0,
	    &rr) == 200, "HEAD takes the GET route");
	CHECK(call_at(a, "GET", "/api/v1/things/", "", session, "", T0,
	    &rr) == 404, "'*' needs a non-empty segment");
	CHECK(call_at(a, "GET", "/api/v1/things/a/b", "", session, "", T0,
	    &rr) == 404, "'*' is one segment only");
	CHECK(call_at(a, "DELETE", "/api/v1/things/a", "", session, csrf, T0,
	    &rr) == 405, "a known path with another method: 405");
	CHECK(call_at(a, "POST", "/api/v1/things/a/do/b", "{}", session, csrf,
	    T0, &rr) == 403 && strstr(body, "role") != NULL,
	    "a user calling an admin route: 403");
	bearer = "abc";
	CHECK(call_at(a, "GET", "/api/v1/session", "", "", "", T0,
	    &rr) == 401 && strstr(body, "token") != NULL,
	    "an unknown API token: 401");
	bearer = "";
}

/* The master gate: a standby answers every call 503, naming the master. */
static struct api_master gate_says;
static int		 gate_standby;

static int
gate(void *arg, struct api_master *am)
{
	(void)arg;
	*am = gate_says;
	return gate_standby;
}

static void
test_not_master(struct api *a)
{
	Hd__ApiResponse	r;

	api_master_gate(a, gate, NULL);
	gate_standby = 0;
	CHECK(call(a, API_SESSION, "", "", "", T0, &r) == 401,
	    "the master answers as before");
	gate_standby = 1;
	snprintf(gate_says.node, sizeof(gate_says.node), "m1");
	snprintf(gate_says.url, sizeof(gate_says.url), "https://m1:8443/");
	CHECK(call(a, API_LOGIN, "{\"name\":\"alice\",\"password\":"
	    "\"correct horse\"}", "", "", T0, &r) == 503 && strcmp(body,
	    "{\"error\":\"not master\",\"reason\":\"this node is a "
	    "standby; ask the master\",\"master\":\"m1\",\"url\":"
	    "\"https://m1:8443/\"}") == 0 && failed == 0,
	    "a standby: 503 naming the master and its address, not a "
	    "failed login");
	CHECK(call_at(a, "GET", "/api/v1/nowhere", "", "", "", T0, &r) ==
	    503, "... for every path, before routing");
	memset(&gate_says, 0, sizeof(gate_says));
	CHECK(call(a, API_SESSION, "", "", "", T0, &r) == 503 &&
	    strstr(body, "no master is elected yet") != NULL &&
	    strstr(body, "\"master\":\"\",\"url\":\"\"") != NULL,
	    "no master elected: said, with empty names");
	api_master_gate(a, NULL, NULL);
	CHECK(call(a, API_SESSION, "", "", "", T0, &r) == 401,
	    "no gate: as before");
}

/* A credential out of a mint's answer, into out (65 bytes). */
static void
take_cred(char *out)
{
	const char *p = strstr(body, "\"credential\":\"");

	out[0] = '\0';
	if (p != NULL)
		snprintf(out, SESSION_TOKEN_HEX + 1, "%s", p + 14);
}

static int
exchange(struct api *a, const char *cred, uint64_t now, Hd__ApiResponse *r)
{
	char json[128];

	snprintf(json, sizeof(json), "{\"credential\":\"%s\"}", cred);
	return call_at(a, "POST", "/api/v1/handover/exchange", json, "", "",
	    now, r);
}

/*
 * The hand-over (api_handover.c): who is master, a credential minted
 * for a session, refused while its term lasts, good once after a
 * takeover (from the file a standby would load), a new token; refused
 * after a logout, and to a token caller.
 */
static void
test_handover(struct api *a)
{
	Hd__ApiResponse	r;
	uint64_t	t = T0 + 2 * THROTTLE_FORGET_MS;	/* a clean slate */
	char		c1[SESSION_TOKEN_HEX + 1], c2[sizeof(c1)];
	char		old[sizeof(session)];
	int		i;

	api_master_gate(a, gate, NULL);
	gate_standby = 0;
	memset(&gate_says, 0, sizeof(gate_says));
	snprintf(gate_says.node, sizeof(gate_says.node), "m1");
	snprintf(gate_says.url, sizeof(gate_says.url), "https://m1:8443/");
	gate_says.term = 2;
	call(a, API_LOGIN, "{\"name\":\"alice\",\"password\":"
	    "\"correct horse\"}", "", "", t, &r);
	take_login(&r);
	CHECK(call_at(a, "GET", "/api/v1/master", "", "", "", t, &r) == 200 &&
	    strcmp(body, "{\"master\":\"m1\",\"term\":2,\"url\":"
	    "\"https://m1:8443/\"}") == 0, "GET master, public: %s", body);
	CHECK(call_at(a, "POST", "/api/v1/handover", "{}", session, csrf, t,
	    &r) == 404, "no master-web lines: nothing to hand over to");
	api_set_master_web(a, "m1", "https://m1:8443/");
	api_set_master_web(a, "m2", "https://m2:8443/");
	CHECK(call_at(a, "POST", "/api/v1/handover", "{}", session, "", t,
	    &r) == 403, "a credential needs the CSRF token");
	CHECK(call_at(a, "POST", "/api/v1/handover", "{}", session, csrf, t,
	    &r) == 200 && strstr(body, "\"masters\":[{\"node\":\"m1\","
	    "\"url\":\"https://m1:8443/\"},{\"node\":\"m2\",\"url\":"
	    "\"https://m2:8443/\"}]") != NULL && strstr(body,
	    "\"refresh_ms\":300000") != NULL, "mint: %s", body);
	take_cred(c1);
	CHECK(strlen(c1) == SESSION_TOKEN_HEX && strstr(session, c1) == NULL,
	    "a credential: 64 hex digits, not the session's token");
	for (i = 1; i < HANDOVER_SLOTS; i++)
		CHECK(call_at(a, "POST", "/api/v1/handover", "{}", session,
		    csrf, t, &r) == 200, "another tab's (%d)", i);
	CHECK(call_at(a, "POST", "/api/v1/handover", "{}", session, csrf, t,
	    &r) == 200 && strstr(body, "{\"credential\":null,\"expires_ms\":"
	    "null,\"refresh_ms\":") != NULL && strstr(body, "\"masters\":[")
	    != NULL, "past HANDOVER_SLOTS in HANDOVER_MIN_MS: no credential "
	    "(each is a write of the sessions file), the masters, when to "
	    "ask again: %s", body);
	CHECK(exchange(a, c1, t += 60000, &r) == 401,
	    "refused while the master that made it is master (term 2)");
	/* The takeover: the standby loads the sessions file and is master
	 * of term 3. */
	gate_says.term = 3;
	snprintf(gate_says.node, sizeof(gate_says.node), "m2");
	CHECK(api_reload_state(a, t) == 0, "the sessions file, reloaded");
	CHECK(exchange(a, "00", t, &r) == 400 || r.status == 401,
	    "garbage: refused");
	memcpy(old, session, sizeof(old));
	CHECK(exchange(a, c1, t += 60000, &r) == 200 && strstr(body,
	    "\"user\":\"alice\",\"role\":\"user\",\"csrf\":\"") != NULL &&
	    strstr(body, "\"master\":\"m2\",\"term\":3") != NULL &&
	    strstr(body, csrf) != NULL, "after a takeover: a session: %s",
	    body);
	take_login(&r);
	CHECK(strlen(session) == SESSION_TOKEN_HEX && strcmp(session, old) !=
	    0 && strstr(r.set_cookie, "HttpOnly; SameSite=Strict") != NULL,
	    "... with a new token in the cookie");
	CHECK(call(a, API_SESSION, "", session, "", t, &r) == 200 &&
	    call(a, API_SESSION, "", old, "", t, &r) == 401,
	    "the new token works, the old one no longer");
	CHECK(exchange(a, c1, t += 60000, &r) == 401, "good once");
	CHECK(call_at(a, "POST", "/api/v1/handover", "{}", session, csrf, t,
	    &r) == 200, "a new one on the new master");
	take_cred(c2);
	CHECK(call(a, API_LOGOUT, "{}", session, csrf, t, &r) == 200,
	    "logout");
	gate_says.term = 4;
	CHECK(exchange(a, c2, t += 60000, &r) == 401,
	    "a credential of a logged-out session: refused");
	CHECK(exchange(a, c2, t, &r) == 429,
	    "three failures: the address waits (login throttle)");
	bearer = "hdt_0000000000000000000000000000000000000000000000000000000000000000";
	CHECK(call_at(a, "POST", "/api/v1/handover", "{}", "", "", t, &r) ==
	    401, "an unknown token: 401");
	bearer = "";
	api_master_gate(a, NULL, NULL);
}

int
main(void)
{
	char		 dir[] = "/tmp/hd-test-api.XXXXXX", path[128], err[128];
	struct users	*u;
	struct api	*a;

	if (!CHECK(mkdtemp(dir) != NULL, "temporary folder"))
		return check_done();
	snprintf(path, sizeof(path), "%s/%s", dir, USERS_FILE);
	a = api_new(path, &cheap);
	CHECK(a != NULL, "no users file: an empty table");
	api_free(a);
	u = users_new(path, &cheap);
	users_add(u, "alice", UROLE_USER, "correct horse", 1, err, sizeof(err));
	users_save(u);
	users_free(u);
	a = api_new(path, &cheap);
	if (CHECK(a != NULL, "api_new")) {
		test_login(a);
		test_refusals(a);
		test_routes(a);
		test_throttle(a);
		test_not_master(a);
		test_handover(a);
	}
	api_free(a);
	atomic_write(path, "\xff", 1, 0600);
	CHECK(api_new(path, &cheap) == NULL, "a bad users file: NULL");
	unlink(path);
	rmdir(dir);
	return check_done();
}
