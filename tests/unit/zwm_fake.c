/*
 * The fake master of test_zwm and test_zwm_nvm (zwm_fake.h): what both
 * set up the same way, so that each test holds only what it checks.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK_PART
#include "check.h"
#include "zwm_fake.h"
#include "../../master/api/api_dash.h"
#include "../../master/cluster/cluster.h"
#include "../../master/zwave/zwave.h"

struct master	m;
char		body[API_MAX_RESPONSE + 1];
char		query[32];

/* Cheap scrypt: the tests log in, they do not measure the hash. */
static const struct scrypt_params cheap = { 16, 1, 1 };
static const uint8_t	addr[16] = { [10] = 0xff, [11] = 0xff, 10, 0, 0, 1 };

struct node *
node_get(struct master *mm, const char *id, int create)
{
	struct node *n;

	(void)create;
	TAILQ_FOREACH(n, &mm->nodes, entry)
		if (strcmp(n->id, id) == 0)
			return n;
	return NULL;
}

struct node *
zwf_add_node(const char *id, int online, uint32_t caps)
{
	struct node *n = calloc(1, sizeof(*n));

	if (n == NULL)
		abort();
	snprintf(n->id, sizeof(n->id), "%s", id);
	TAILQ_INIT(&n->values);
	n->peer = online ? (struct peer *)(uintptr_t)1 : NULL;
	n->caps = caps;
	TAILQ_INSERT_TAIL(&m.nodes, n, entry);
	return n;
}

/* One request to the API, with query `q`; its response lands in body. */
static Hd__ApiResponse
request(const char *method, const char *path, const char *json,
    const char *sess, const char *csrf, const char *q)
{
	Hd__ApiRequest	req = HD__API_REQUEST__INIT;
	Hd__ApiResponse	resp;

	hd__api_response__init(&resp);
	req.method = (char *)(uintptr_t)method;
	req.path = (char *)(uintptr_t)path;
	req.query = (char *)(uintptr_t)q;
	req.token = (char *)(uintptr_t)"";
	req.addr.data = (uint8_t *)(uintptr_t)addr;
	req.addr.len = sizeof(addr);
	req.session = (char *)(uintptr_t)sess;
	req.csrf = (char *)(uintptr_t)csrf;
	req.body.data = (uint8_t *)(uintptr_t)json;
	req.body.len = strlen(json);
	api_handle(m.api, &req, &resp, ZWF_T0);
	snprintf(body, sizeof(body), "%.*s", (int)resp.body.len,
	    (const char *)resp.body.data);
	return resp;
}

int
call(const char *method, const char *path, const char *json,
    const char *sess, const char *csrf)
{
	return (int)request(method, path, json, sess, csrf, query).status;
}

/* Log NAME in: its session cookie and CSRF token. */
static void
login(const char *name, const char *pw, char *sess, char *csrf)
{
	Hd__ApiResponse	 resp;
	char		 j[128];
	const char	*p;

	snprintf(j, sizeof(j), "{\"name\":\"%s\",\"password\":\"%s\"}", name,
	    pw);
	resp = request("POST", "/api/v1/login", j, "", "", "");
	sess[0] = csrf[0] = '\0';
	if (resp.set_cookie != NULL && (p = strchr(resp.set_cookie, '=')))
		snprintf(sess, SESSION_TOKEN_HEX + 1, "%s", p + 1);
	if ((p = strstr(body, "\"csrf\":\"")) != NULL)
		snprintf(csrf, SESSION_TOKEN_HEX + 1, "%s", p + 8);
}

int
zwf_start(char *dir, char *as, char *ac, char *us, char *uc)
{
	char		 path[128], err[128];
	struct users	*u;

	if (!CHECK(mkdtemp(dir) != NULL, "temporary folder"))
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, USERS_FILE);
	u = users_new(path, &cheap);
	users_add(u, "alice", UROLE_USER, "correct horse", 1, err, sizeof(err));
	users_add(u, "root", UROLE_ADMIN, "battery staple", 1, err,
	    sizeof(err));
	users_save(u);
	users_free(u);
	TAILQ_INIT(&m.nodes);
	m.api = api_new(path, &cheap);
	if (!CHECK(m.api != NULL && zwm_init(&m) == 0 &&
	    api_zwave_routes(&m) == 0, "api and routes"))
		return -1;
	login("root", "battery staple", as, ac);
	login("alice", "correct horse", us, uc);
	if (!CHECK(strlen(as) == SESSION_TOKEN_HEX && strlen(us) ==
	    SESSION_TOKEN_HEX, "two sessions"))
		return -1;
	return 0;
}

void
zwf_done(const char *dir)
{
	char		 path[128];
	struct node	*n;

	while ((n = TAILQ_FIRST(&m.nodes)) != NULL) {
		TAILQ_REMOVE(&m.nodes, n, entry);
		zwm_node_free(n);
		free(n);
	}
	zwm_free(&m);
	api_free(m.api);
	snprintf(path, sizeof(path), "%s/%s", dir, USERS_FILE);
	unlink(path);
	rmdir(dir);
}
