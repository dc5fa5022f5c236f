/*
 * Unit tests for the app tokens (tokens.c, api_tokens.c), client
 * certificates against the CRL (api_certcrl.c), user management and
 * passwords through the API, part of test_api_res (test_api_res.c has
 * main(), the master built by hand and the calls).
 */

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK_PART	/* of test_api_res */
#include "check.h"
#include "stub_master.h"
#include "../../master/api/api_res.h"
#include "../../master/auth/tokens.h"
#include "test_api_res.h"

static const char *
no_app_api(void *arg)
{
	(void)arg;
	return "no valid licence (limited mode)";
}

void
test_tokens(void)
{
	char		 path[300], text[TOKEN_TEXT_LEN + 1], err[96], tok[80];
	const char	*p = NULL;
	struct tokens	*tk;
	FILE		*f;
	char		 file[4096];
	size_t		 n;
	int		 i;

	CHECK(post(&bob, "/api/v1/tokens", "{\"name\":\"phone\"}") == 201 &&
	    (p = strstr(body, "\"token\":\"hdt_")) != NULL,
	    "bob makes a token: 201 with its text");
	snprintf(tok, sizeof(tok), "%.*s", TOKEN_TEXT_LEN, strstr(body,
	    "hdt_"));
	struct who app = { "app", "", "", "", tok };
	CHECK(get(&app, "/api/v1/devices") == 200 && has("\"lamp\"") &&
	    !has("barn"), "the token sees what bob sees");
	CHECK(call(&app, "POST", "/api/v1/devices/n-house/lamp/values/on", "",
	    "{\"value\":true}", 0) == 202, "the token commands without CSRF");
	CHECK(get(&app, "/api/v1/users") == 403, "the token has bob's role");
	/* Without the licence's app-api: no new token, the old one works. */
	api_token_gate(m.api, no_app_api, NULL);
	CHECK(post(&bob, "/api/v1/tokens", "{\"name\":\"tablet\"}") == 403 &&
	    has("\"error\":\"licence_limited\"") && has("limited mode"),
	    "no app-api: a new token is refused, licence_limited");
	CHECK(post(&admin, "/api/v1/tokens", "{\"name\":\"t\","
	    "\"user\":\"vic\"}") == 403, "... an admin's too");
	CHECK(get(&app, "/api/v1/devices") == 200 && has("\"lamp\""),
	    "... an existing token keeps working");
	api_token_gate(m.api, NULL, NULL);
	CHECK(post(&bob, "/api/v1/tokens", "{\"name\":\"x\","
	    "\"user\":\"vic\"}") == 403, "bob cannot make vic's token");
	CHECK(post(&admin, "/api/v1/tokens", "{\"name\":\"\"}") == 400,
	    "an empty name: 400");
	snprintf(path, sizeof(path), "%s/tokens", dir);
	f = fopen(path, "r");
	n = f != NULL ? fread(file, 1, sizeof(file), f) : 0;
	if (f != NULL)
		fclose(f);
	CHECK(n > 0 && memmem(file, n, tok + 4, 16) == NULL,
	    "the file holds no token text");
	tk = tokens_new(path);
	CHECK(tk != NULL && tokens_check(tk, tok, 5) != NULL,
	    "a reloaded table knows the token");
	CHECK(tk != NULL && tokens_check(tk, "hdt_0000", 5) == NULL,
	    "a short text is no token");
	for (i = 0; tk != NULL && i < API_TOKENS_PER_USER; i++)
		tokens_add(tk, "vic", "t", 1, text, err, sizeof(err));
	CHECK(tk != NULL && tokens_add(tk, "vic", "t", 1, text, err,
	    sizeof(err)) == NULL && strcmp(err, "too many tokens") == 0,
	    "API_TOKENS_PER_USER per user");
	CHECK(tk != NULL && tokens_revoke_user(tk, "vic") ==
	    API_TOKENS_PER_USER, "revoke a user's tokens");
	tokens_free(tk);
	CHECK(get(&bob, "/api/v1/tokens") == 200 && (p = strstr(body,
	    "\"id\":\"")) != NULL && !has("hdt_"),
	    "the list shows ids, never the token");
	snprintf(path, sizeof(path), "/api/v1/tokens/%.16s", p != NULL ? p + 6 :
	    "");
	CHECK(call(&vic, "DELETE", path, "", "", 1) == 404,
	    "vic cannot revoke bob's token");
	CHECK(call(&bob, "DELETE", path, "", "", 1) == 200 &&
	    strcmp(stub.drop_user, "bob") == 0 &&
	    strncmp(stub.drop_key, path + strlen("/api/v1/tokens/"), 16) == 0,
	    "bob revokes it; its streams (only) end");
	CHECK(get(&app, "/api/v1/devices") == 401, "a revoked token: 401");
}

/* A call by client certificate, as web_cert.c passes it. */
static int
cert_call(const char *cn, const char *serial, const char *method,
    const char *path, const char *json, const char *session)
{
	Hd__ApiRequest	req = HD__API_REQUEST__INIT;
	Hd__ApiResponse	resp = HD__API_RESPONSE__INIT;

	req.id = 1;
	req.method = (char *)(uintptr_t)method;
	req.path = (char *)(uintptr_t)path;
	req.addr.data = (uint8_t *)(uintptr_t)addr;
	req.addr.len = 16;
	req.session = (char *)(uintptr_t)session;
	req.client_cn = (char *)(uintptr_t)cn;
	req.client_serial = (char *)(uintptr_t)serial;
	req.body.data = (uint8_t *)(uintptr_t)json;
	req.body.len = strlen(json);
	api_handle(m.api, &req, &resp, now);
	snprintf(body, sizeof(body), "%.*s", (int)resp.body.len,
	    (const char *)resp.body.data);
	return (int)resp.status;
}

static const char *
revoked_gate(void *arg, const char *serial)
{
	(void)arg;
	return strcmp(serial, "5A1B2C3D4E5F60718293A4B5C6D7E8F9") == 0 ?
	    "client certificate revoked" : NULL;
}

void
test_client_cert(void)
{
	const char *sn = "5A1B2C3D4E5F60718293A4B5C6D7E8F9";

	CHECK(cert_call("bob", sn, "GET", "/api/v1/devices", "", "") == 200 &&
	    has("\"lamp\"") && !has("barn"), "a certificate acts as its user");
	CHECK(cert_call("bob", sn, "POST",
	    "/api/v1/devices/n-house/lamp/values/on", "{\"value\":true}", "")
	    == 202, "... and commands without a CSRF token");
	CHECK(cert_call("bob", sn, "GET", "/api/v1/users", "", "") == 403,
	    "... with its user's role");
	CHECK(cert_call("nobody", sn, "GET", "/api/v1/devices", "", "") ==
	    401 && has("unknown user"), "a certificate of no user: 401");
	CHECK(cert_call("Bob!", sn, "GET", "/api/v1/devices", "", "") == 401,
	    "a CN that is no user name: 401");
	CHECK(cert_call("bob", sn, "GET", "/api/v1/users", "", admin.sess) ==
	    200, "a session cookie wins over a certificate");
	CHECK(cert_call("", "", "GET", "/api/v1/devices", "", "") == 401,
	    "no certificate, no session: 401");
	CHECK(cert_call("bob", sn, "GET", "/api/v1/stream", "", "") == 200,
	    "a stream by certificate");
	api_cert_gate(m.api, revoked_gate, NULL);
	CHECK(cert_call("bob", sn, "GET", "/api/v1/devices", "", "") == 401 &&
	    has("client certificate revoked"), "a revoked serial: 401");
	CHECK(cert_call("bob", "01", "GET", "/api/v1/devices", "", "") == 200,
	    "another serial of the same user goes on");
	api_cert_gate(m.api, NULL, NULL);
}

void
test_users(void)
{
	int drops = stub.ndrops;

	CHECK(get(&bob, "/api/v1/users") == 403, "users: admin only");
	CHECK(post(&admin, "/api/v1/users", "{\"name\":\"eve\","
	    "\"role\":\"user\",\"grants\":[{\"site\":\"Barn\","
	    "\"access\":\"view\"}]}") == 201 && has("\"password\":\""),
	    "create with a generated password");
	CHECK(post(&admin, "/api/v1/users", "{\"name\":\"eve\","
	    "\"role\":\"user\"}") == 409, "an existing name: 409");
	CHECK(post(&admin, "/api/v1/users", "{\"name\":\"Eve!\","
	    "\"role\":\"user\"}") == 400, "a bad name: 400");
	CHECK(post(&admin, "/api/v1/users", "{\"name\":\"zed\","
	    "\"role\":\"user\",\"password\":\"short\"}") == 400 &&
	    users_find(api_users(m.api), "zed") == NULL,
	    "a short password: 400, nothing made");
	CHECK(call(&admin, "PATCH", "/api/v1/users/bob", "",
	    "{\"grants\":[{\"site\":\"Barn\",\"device\":\"barnlamp\","
	    "\"access\":\"control\"}]}", 1) == 200 &&
	    stub.ndrops == drops + 1, "new grants end bob's streams");
	CHECK(get(&bob, "/api/v1/devices") == 200 && has("barnlamp") &&
	    !has("barntemp") && !has("\"lamp\""),
	    "bob now sees one Barn device only");
	CHECK(call(&admin, "PATCH", "/api/v1/users/bob", "",
	    "{\"role\":\"viewer\"}", 1) == 200 &&
	    get(&bob, "/api/v1/devices") == 401,
	    "a new role ends bob's sessions");
	CHECK(call(&admin, "PATCH", "/api/v1/users/admin", "",
	    "{\"role\":\"user\"}", 1) == 409, "no self-demotion");
	CHECK(call(&admin, "DELETE", "/api/v1/users/admin", "", "", 1) == 409,
	    "no self-deletion");
	CHECK(call(&admin, "DELETE", "/api/v1/users/eve", "", "", 1) == 200 &&
	    users_find(api_users(m.api), "eve") == NULL, "delete eve");
	CHECK(call(&admin, "DELETE", "/api/v1/users/eve", "", "", 1) == 404,
	    "again: 404");
}

void
test_password(void)
{
	CHECK(post(&vic, "/api/v1/password", "{\"old\":\"wrong password\","
	    "\"new\":\"a new passphrase\"}") == 403 &&
	    get(&vic, "/api/v1/session") == 200,
	    "a wrong old password: 403, the session stays");
	CHECK(post(&vic, "/api/v1/password", "{\"old\":\"vic's password 1\","
	    "\"new\":\"short\"}") == 400, "a short new password: 400");
	CHECK(call(&vic, "POST", "/api/v1/password", "", "{\"old\":"
	    "\"vic's password 1\",\"new\":\"a new passphrase\"}", 0) == 403,
	    "without CSRF: 403");
	CHECK(post(&vic, "/api/v1/password", "{\"old\":\"vic's password 1\","
	    "\"new\":\"a new passphrase\"}") == 200 &&
	    get(&vic, "/api/v1/session") == 401,
	    "changed: the session ends");
	vic.pw = "vic's password 1";
	login(&vic);
	CHECK(vic.sess[0] == '\0' || get(&vic, "/api/v1/session") == 401,
	    "the old password no longer logs in");
	vic.pw = "a new passphrase";
	login(&vic);
	CHECK(get(&vic, "/api/v1/session") == 200, "the new one does");
	CHECK(post(&vic, "/api/v1/logout", "{}") == 200 &&
	    strcmp(stub.drop_user, "vic") == 0 &&
	    strlen(stub.drop_key) == API_KEY_LEN,
	    "a logout ends that session's streams only");
	login(&vic);
	CHECK(post(&vic, "/api/v1/logout-all", "{}") == 200 &&
	    strcmp(stub.drop_user, "vic") == 0 && stub.drop_key[0] == '\0',
	    "logout everywhere ends all of the user's streams");
}
