/*
 * libFuzzer harness for the API's handling of forwarded calls
 * (master/api/api.c routing, api_query(), api_body() and every handler
 * behind them: sessions, users, tokens, resources, commands, history,
 * the stream's authorization). The web process forwards method, path,
 * query and body from the outside nearly as they came; here they come
 * from the fuzzer, as
 *
 *	<auth byte><method>\n<path after /api/v1/>\n<query>\n<body>
 *
 * where the auth byte picks no caller, an admin session with its CSRF
 * token, a user's session without it, a made-up Bearer token, or a
 * client certificate (as web_cert.c passes it) of the user, the admin,
 * no user, or a CN that is no user name. The
 * cluster link and the web process are the unit tests' stubs.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../unit/stub_master.h"
#include "../../master/api/api_internal.h"
#include "../../master/api/api_res.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***);

static const struct scrypt_params cheap = { 16, 1, 1 };
static const uint8_t	addr[16] = { [10] = 0xff, [11] = 0xff, 10, 0, 0, 1 };
static struct master	m;
static char		sess[2][SESSION_TOKEN_HEX + 1];
static char		csrf[SESSION_TOKEN_HEX + 1];
static char		in[HTTP_MAX_BODY + 3 * HTTP_MAX_TARGET];
static int		peer_dummy;

/* A session made directly: fuzzed failed logins may throttle the
 * names, and the harness's callers must not depend on that. */
static void
login(const char *name, const char *pw, char *cookie, char *tok)
{
	char scratch[SESSION_TOKEN_HEX + 1];

	(void)pw;
	if (sessions_create(m.api->sessions, name, 1000, cookie,
	    tok != NULL ? tok : scratch) == -1)
		abort();
}

static char	dir[] = "/tmp/fuzz_api.XXXXXX";

static void
cleanup(void)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char		path[64], err[96];
	struct users	*u;
	struct node	*n;

	(void)argc;
	(void)argv;
	if (mkdtemp(dir) == NULL)
		abort();
	atexit(cleanup);
	TAILQ_INIT(&m.nodes);
	TAILQ_INIT(&m.peers);
	m.conf.state_dir = dir;
	snprintf(path, sizeof(path), "%s/users", dir);
	if ((m.api = api_new(path, &cheap)) == NULL || api_res_init(&m) == -1)
		abort();
	api_stream_set_sink(&m, stub_sink, NULL);
	/* Two dashboards, so that the hand-over's calls go all the way. */
	api_set_master_web(m.api, "m1", "https://m1.example/");
	api_set_master_web(m.api, "m2", "https://m2.example:8443/");
	u = api_users(m.api);
	users_add(u, "admin", UROLE_ADMIN, "admin password", 1, err,
	    sizeof(err));
	users_add(u, "bob", UROLE_USER, "bob's password", 1, err, sizeof(err));
	users_grant(users_find(u, "bob"), "House", "", ACCESS_CONTROL);
	n = node_get(&m, "n1", 1);
	snprintf(n->site, sizeof(n->site), "House");
	n->peer = (struct peer *)&peer_dummy;
	login("admin", "admin password", sess[0], csrf);
	login("bob", "bob's password", sess[1], NULL);
	return 0;
}

static int
alive(const char *cookie)
{
	Hd__ApiRequest	req = HD__API_REQUEST__INIT;
	Hd__ApiResponse	resp = HD__API_RESPONSE__INIT;

	req.method = "GET";
	req.path = "/api/v1/session";
	req.session = (char *)(uintptr_t)cookie;
	req.addr.data = (uint8_t *)(uintptr_t)addr;
	req.addr.len = 16;
	api_handle(m.api, &req, &resp, 2000);
	return resp.status == 200;
}

/* Inputs may change passwords and roles: put the two callers back, so
 * that each input meets the same callers. */
static void
restore(void)
{
	struct users	*u = api_users(m.api);
	struct user	*a, *b;
	char		 err[96];

	if (alive(sess[0]) && alive(sess[1]))
		return;
	if ((a = users_find(u, "admin")) == NULL ||
	    (b = users_find(u, "bob")) == NULL)
		abort();	/* admin cannot go; bob is put back below */
	a->role = UROLE_ADMIN;
	b->role = UROLE_USER;
	users_set_password(u, a, "admin password", err, sizeof(err));
	users_set_password(u, b, "bob's password", err, sizeof(err));
	login("admin", "admin password", sess[0], csrf);
	login("bob", "bob's password", sess[1], NULL);
}

/* Split off the next line of the input; NULL past the end. */
static char *
line(char **p, char *end)
{
	char *s = *p, *e;

	if (s >= end)
		return NULL;
	if ((e = memchr(s, '\n', (size_t)(end - s))) == NULL)
		e = end;
	*e = '\0';
	*p = e + 1;
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Hd__ApiRequest	 req = HD__API_REQUEST__INIT;
	Hd__ApiResponse	 resp = HD__API_RESPONSE__INIT;
	char		 path[HTTP_MAX_TARGET + 1], *p, *end, *meth, *rest, *q;
	int		 auth;

	if (size < 2 || size > sizeof(in) - 1)
		return 0;
	auth = data[0] & 7;
	memcpy(in, data + 1, size - 1);
	in[size - 1] = '\0';
	p = in;
	end = in + size - 1;
	if ((meth = line(&p, end)) == NULL || (rest = line(&p, end)) == NULL ||
	    (q = line(&p, end)) == NULL || strlen(meth) > API_METHOD_MAX ||
	    strlen(q) > HTTP_MAX_TARGET)
		return 0;
	/* As webproc.c takes it: the path under /api/v1/, bounded. */
	if (snprintf(path, sizeof(path), API_PREFIX "%s", rest) >=
	    (int)sizeof(path))
		return 0;
	req.method = meth;
	req.path = path;
	req.query = q;
	req.addr.data = (uint8_t *)(uintptr_t)addr;
	req.addr.len = 16;
	req.session = auth == 1 ? sess[0] : auth == 2 ? sess[1] : "";
	req.csrf = auth == 1 ? csrf : "";
	req.token = auth == 3 ? "hdt_00112233445566778899aabbccddeeff"
	    "00112233445566778899aabbccddeeff" : "";
	req.client_cn = (char *)(uintptr_t)(auth == 4 ? "bob" : auth == 5 ?
	    "admin" : auth == 6 ? "nobody" : auth == 7 ? "Bob/../x" : "");
	req.client_serial = auth >= 4 ? "0A1B2C3D4E5F60718293" : "";
	req.body.data = (uint8_t *)(p < end ? p : end);
	req.body.len = p < end ? (size_t)(end - p) : 0;
	api_handle(m.api, &req, &resp, 2000);
	if (resp.status < 200 || resp.status > 599 ||
	    resp.body.len > API_MAX_RESPONSE)
		abort();
	if (users_find(api_users(m.api), "bob") == NULL) {
		char err[96];

		users_add(api_users(m.api), "bob", UROLE_USER,
		    "bob's password", 1, err, sizeof(err));
		users_grant(users_find(api_users(m.api), "bob"), "House", "",
		    ACCESS_CONTROL);
	}
	restore();
	return 0;
}
