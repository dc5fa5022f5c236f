/*
 * Unit tests for the master's side of the controller (NVM) backup:
 * master/zwave/zwave_nvm.c (the slave's ZwNvmStatus checked whole and
 * mirrored, the backup file fetched and kept only when it matches its
 * metadata, an upload checked) and master/api/api_zwave_nvm.c (admin
 * only, the refusals, the file in pages). The cluster link is replaced
 * by stubs (cluster_send, node_get) that record what would be sent.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "check.h"
#include "../../master/api/api.h"
#include "../../master/api/api_dash.h"
#include "../../master/cluster/cluster.h"
#include "../../master/master.h"
#include "../../master/zwave/zwave.h"

#define T0	(100000ULL)
#define NVM	1000

static const struct scrypt_params cheap = { 16, 1, 1 };
static const uint8_t	addr[16] = { [10] = 0xff, [11] = 0xff, 10, 0, 0, 1 };
static char		body[API_MAX_RESPONSE + 1];
static struct master	m;
static char		query[32];
static uint8_t		file[ZWNVM_HDR_LEN + NVM];
static struct zwnvm_meta meta;

/* What the stubbed link sent: ZwNvm actions, the restore's bytes. */
static int		nsent, last_action = -1;
static uint8_t		restored[ZWNVM_HDR_LEN + NVM];
static size_t		restored_len;

int
cluster_send(struct master *mm, struct node *n, Hd__Envelope *e)
{
	(void)mm;
	if (n->peer == NULL || e->body_case != HD__ENVELOPE__BODY_ZW_NVM)
		return -1;
	nsent++;
	last_action = e->zw_nvm->action;
	if (e->zw_nvm->action == HD__ZW_NVM__ACTION__RESTORE &&
	    e->zw_nvm->offset + e->zw_nvm->data.len <= sizeof(restored)) {
		memcpy(restored + e->zw_nvm->offset, e->zw_nvm->data.data,
		    e->zw_nvm->data.len);
		restored_len = e->zw_nvm->offset + e->zw_nvm->data.len;
	}
	return 0;
}

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

static int
call(const char *method, const char *path, const char *json,
    const char *sess, const char *csrf)
{
	Hd__ApiRequest	req = HD__API_REQUEST__INIT;
	Hd__ApiResponse	resp;

	hd__api_response__init(&resp);
	req.method = (char *)(uintptr_t)method;
	req.path = (char *)(uintptr_t)path;
	req.query = query;
	req.token = (char *)(uintptr_t)"";
	req.addr.data = (uint8_t *)(uintptr_t)addr;
	req.addr.len = sizeof(addr);
	req.session = (char *)(uintptr_t)sess;
	req.csrf = (char *)(uintptr_t)csrf;
	req.body.data = (uint8_t *)(uintptr_t)json;
	req.body.len = strlen(json);
	api_handle(m.api, &req, &resp, T0);
	snprintf(body, sizeof(body), "%.*s", (int)resp.body.len,
	    (const char *)resp.body.data);
	return (int)resp.status;
}

static void
login_cookie(const char *name, const char *pw, char *sess, char *csrf)
{
	char		 j[128];
	const char	*p;
	Hd__ApiRequest	 req = HD__API_REQUEST__INIT;
	Hd__ApiResponse	 resp;

	snprintf(j, sizeof(j), "{\"name\":\"%s\",\"password\":\"%s\"}", name,
	    pw);
	hd__api_response__init(&resp);
	req.method = (char *)(uintptr_t)"POST";
	req.path = (char *)(uintptr_t)"/api/v1/login";
	req.query = req.token = req.session = req.csrf = (char *)(uintptr_t)"";
	req.addr.data = (uint8_t *)(uintptr_t)addr;
	req.addr.len = sizeof(addr);
	req.body.data = (uint8_t *)j;
	req.body.len = strlen(j);
	api_handle(m.api, &req, &resp, T0);
	sess[0] = '\0';
	if (resp.set_cookie != NULL && (p = strchr(resp.set_cookie, '=')))
		snprintf(sess, SESSION_TOKEN_HEX + 1, "%s", p + 1);
	snprintf(body, sizeof(body), "%.*s", (int)resp.body.len,
	    (const char *)resp.body.data);
	if ((p = strstr(body, "\"csrf\":\"")) != NULL)
		snprintf(csrf, SESSION_TOKEN_HEX + 1, "%s", p + 8);
}

static struct node *
add_node(const char *id, int online, int nvm)
{
	struct node *n = calloc(1, sizeof(*n));

	snprintf(n->id, sizeof(n->id), "%s", id);
	TAILQ_INIT(&n->values);
	n->peer = online ? (struct peer *)(uintptr_t)1 : NULL;
	n->caps = nvm ? 1u << HD__CAPABILITY__CAP_ZWAVE_NVM : 0;
	TAILQ_INSERT_TAIL(&m.nodes, n, entry);
	return n;
}

/* A status as the slave sends it, with the backup's metadata. */
static void
status(Hd__ZwNvmStatus *r, Hd__ZwNvmMeta *pm, int action, int state)
{
	hd__zw_nvm_status__init(r);
	hd__zw_nvm_meta__init(pm);
	r->action = action;
	r->state = state;
	pm->format = 1;
	pm->api = ZWNVM_API_EXT;
	pm->chip_type = 7;
	pm->library = (char *)(uintptr_t)"Z-Wave 7.18";
	pm->own_id = 1;
	pm->home_id = 0xc0ffee01;
	pm->size = NVM;
	pm->time_ms = 1765000000000ULL;
	pm->sha256.data = meta.sha256;
	pm->sha256.len = 32;
	r->meta = pm;
}

static void
test_status(struct node *a)
{
	Hd__ZwNvmStatus	r;
	Hd__ZwNvmMeta	pm;

	status(&r, &pm, HD__ZW_NVM__ACTION__BACKUP, 9);
	CHECK(zwm_nvm_status(&m, a, &r) == -1, "an unknown state: malformed");
	status(&r, &pm, HD__ZW_NVM__ACTION__BACKUP,
	    HD__ZW_NVM_STATUS__STATE__RUNNING);
	r.done = 5;
	r.total = 4;
	CHECK(zwm_nvm_status(&m, a, &r) == -1, "done past total: malformed");
	status(&r, &pm, HD__ZW_NVM__ACTION__BACKUP,
	    HD__ZW_NVM_STATUS__STATE__DONE);
	pm.sha256.len = 31;
	CHECK(zwm_nvm_status(&m, a, &r) == -1, "a short SHA-256: malformed");
	status(&r, &pm, HD__ZW_NVM__ACTION__BACKUP,
	    HD__ZW_NVM_STATUS__STATE__DONE);
	pm.size = ZW_NVM_MAX + 1;
	CHECK(zwm_nvm_status(&m, a, &r) == -1, "a size past ZW_NVM_MAX: "
	    "malformed");
	status(&r, &pm, HD__ZW_NVM__ACTION__FETCH,
	    HD__ZW_NVM_STATUS__STATE__IDLE);
	r.data.data = file;
	r.data.len = 100;
	r.offset = 50;
	r.file_size = 120;
	CHECK(zwm_nvm_status(&m, a, &r) == -1, "a piece past the file's end: "
	    "malformed");
	CHECK(zwm_nvm(a)->have_meta == 0, "nothing of them was kept");

	nsent = 0;
	status(&r, &pm, HD__ZW_NVM__ACTION__BACKUP,
	    HD__ZW_NVM_STATUS__STATE__DONE);
	r.reason = (char *)(uintptr_t)"1000 bytes in 9 ms";
	CHECK(zwm_nvm_status(&m, a, &r) == 0 && zwm_nvm(a)->have_meta &&
	    nsent == 1 && last_action == HD__ZW_NVM__ACTION__FETCH,
	    "a backup done: kept, and its file asked for");
	CHECK(zwm_nvm_status(&m, a, &r) == 0 && nsent == 1,
	    "... once while it comes");
}

/* The file in two pieces, as the slave sends it; `flip` damages one. */
static void
send_file(struct node *a, int flip)
{
	Hd__ZwNvmStatus	r;
	Hd__ZwNvmMeta	pm;

	status(&r, &pm, HD__ZW_NVM__ACTION__FETCH,
	    HD__ZW_NVM_STATUS__STATE__IDLE);
	r.file_size = sizeof(file);
	r.data.data = file;
	r.data.len = 600;
	zwm_nvm_status(&m, a, &r);
	if (flip)
		file[700] ^= 1;
	r.offset = 600;
	r.data.data = file + 600;
	r.data.len = sizeof(file) - 600;
	zwm_nvm_status(&m, a, &r);
	if (flip)
		file[700] ^= 1;
}

static void
test_fetch(struct node *a, const char *as)
{
	char		 b64[64];
	uint8_t		 got[64];

	send_file(a, 1);
	CHECK(zwm_nvm(a)->image == NULL, "a file whose SHA-256 does not "
	    "match: not kept");
	CHECK(call("GET", "/api/v1/zwave/slave-a/nvm/image", "", as, "") ==
	    503, "the image: 503 while it is not held");
	send_file(a, 0);
	CHECK(zwm_nvm(a)->image != NULL, "the file matching its metadata: "
	    "kept");
	CHECK(call("GET", "/api/v1/zwave/slave-a/nvm", "", as, "") == 200 &&
	    strstr(body, "\"image_ready\":true") != NULL &&
	    strstr(body, "\"chip\":\"700 series\"") != NULL &&
	    strstr(body, "\"home_id\":\"c0ffee01\"") != NULL,
	    "GET nvm: the backup's metadata, the image ready");
	snprintf(query, sizeof(query), "offset=1080");
	CHECK(call("GET", "/api/v1/zwave/slave-a/nvm/image", "", as, "") ==
	    200 && strstr(body, "\"offset\":1080,\"length\":16") != NULL &&
	    strstr(body, "\"next\":null") != NULL,
	    "the last page: 16 bytes, no next");
	EVP_EncodeBlock((unsigned char *)b64, file + 1080, 16);
	CHECK(strstr(body, b64) != NULL && EVP_DecodeBlock(got,
	    (unsigned char *)b64, (int)strlen(b64)) >= 16 &&
	    memcmp(got, file + 1080, 16) == 0, "... the file's bytes, base64");
	snprintf(query, sizeof(query), "offset=2000");
	CHECK(call("GET", "/api/v1/zwave/slave-a/nvm/image", "", as, "") ==
	    400, "an offset past the end: 400");
	query[0] = '\0';
}

static void
test_api(struct node *a, const char *as, const char *ac, const char *us,
    const char *uc)
{
	char	j[8192], s64[4200];
	int	n;

	CHECK(call("GET", "/api/v1/zwave/slave-a/nvm", "", us, "") == 403,
	    "a user: 403");
	CHECK(call("POST", "/api/v1/zwave/slave-a/nvm", "{\"action\":"
	    "\"backup\"}", us, uc) == 403, "a user may not back up: 403");
	CHECK(call("POST", "/api/v1/zwave/slave-a/nvm", "{\"action\":\"x\"}",
	    as, ac) == 400, "an unknown action: 400");
	CHECK(call("POST", "/api/v1/zwave/slave-a/nvm", "{\"action\":"
	    "\"backup\",\"source\":\"upload\"}", as, ac) == 400,
	    "a backup from an upload: 400");
	CHECK(call("POST", "/api/v1/zwave/slave-b/nvm", "{\"action\":"
	    "\"backup\"}", as, ac) == 409 && strstr(body, "without controller "
	    "backup") != NULL, "a slave without the capability: 409");
	CHECK(call("POST", "/api/v1/zwave/slave-z/nvm", "{\"action\":"
	    "\"backup\"}", as, ac) == 404, "an unknown slave: 404");
	CHECK(call("POST", "/api/v1/zwave/slave-a/nvm", "{\"action\":"
	    "\"restore\",\"source\":\"upload\"}", as, ac) == 409,
	    "a restore of no upload: 409");
	nsent = 0;
	CHECK(call("POST", "/api/v1/zwave/slave-a/nvm", "{\"action\":"
	    "\"backup\"}", as, ac) == 202 && nsent == 1 && last_action ==
	    HD__ZW_NVM__ACTION__BACKUP && strstr(body, "\"state\":"
	    "\"requested\"") != NULL, "a backup: 202, sent, requested");
	CHECK(call("POST", "/api/v1/zwave/slave-a/nvm", "{\"action\":"
	    "\"backup\"}", as, ac) == 409, "another meanwhile: 409");
	zwm_nvm_restarted(a);
	CHECK(!zwm_nvm(a)->active && strcmp(zwm_nvm(a)->reason,
	    "the slave restarted") == 0, "the slave restarted: failed");

	/* An upload: two pages, in order; then a restore sends it. */
	EVP_EncodeBlock((unsigned char *)s64, file, 3000 > (int)sizeof(file) ?
	    (int)sizeof(file) : 3000);
	n = snprintf(j, sizeof(j), "{\"offset\":0,\"size\":%zu,\"data\":"
	    "[\"%.*s\"]}", sizeof(file), 4 * 200, s64);
	CHECK(n > 0 && call("PUT", "/api/v1/zwave/slave-a/nvm/image", j, as,
	    ac) == 200 && strstr(body, "\"received\":600") != NULL,
	    "upload: a first page of 600 bytes");
	snprintf(j, sizeof(j), "{\"offset\":900,\"size\":%zu,\"data\":"
	    "[\"AAAA\"]}", sizeof(file));
	CHECK(call("PUT", "/api/v1/zwave/slave-a/nvm/image", j, as, ac) ==
	    400 && strstr(body, "in order") != NULL,
	    "a page out of order: 400");
	EVP_EncodeBlock((unsigned char *)s64, file, 600);
	snprintf(j, sizeof(j), "{\"offset\":0,\"size\":%zu,\"data\":"
	    "[\"%s\"]}", sizeof(file), s64);
	call("PUT", "/api/v1/zwave/slave-a/nvm/image", j, as, ac);
	EVP_EncodeBlock((unsigned char *)s64, file + 600, sizeof(file) - 600);
	snprintf(j, sizeof(j), "{\"offset\":600,\"size\":%zu,\"data\":"
	    "[\"%s\"]}", sizeof(file), s64);
	CHECK(call("PUT", "/api/v1/zwave/slave-a/nvm/image", j, as, ac) ==
	    200 && strstr(body, "\"complete\":true") != NULL,
	    "upload complete and checked");
	nsent = 0;
	CHECK(call("POST", "/api/v1/zwave/slave-a/nvm", "{\"action\":"
	    "\"restore\",\"source\":\"upload\"}", as, ac) == 202 &&
	    nsent == 1 && restored_len == sizeof(file) &&
	    memcmp(restored, file, sizeof(file)) == 0,
	    "restore of the upload: the file sent to the slave whole");
	CHECK(call("PUT", "/api/v1/zwave/slave-a/nvm/image", j, as, ac) ==
	    400 && strstr(body, "restore is under way") != NULL,
	    "no upload while it is restored");
}

int
main(void)
{
	char		 dir[] = "/tmp/hd-test-zwmnvm.XXXXXX", path[128], err[128];
	char		 as[SESSION_TOKEN_HEX + 1], ac[SESSION_TOKEN_HEX + 1];
	char		 us[SESSION_TOKEN_HEX + 1], uc[SESSION_TOKEN_HEX + 1];
	struct users	*u;
	struct node	*a, *n;
	size_t		 i;

	if (!CHECK(mkdtemp(dir) != NULL, "temporary folder"))
		return check_done();
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
		return check_done();
	meta.api = ZWNVM_API_EXT;
	meta.chip_type = 7;
	meta.own_id = 1;
	meta.home_id = 0xc0ffee01;
	meta.time_ms = 1765000000000ULL;
	snprintf(meta.library, sizeof(meta.library), "Z-Wave 7.18");
	for (i = 0; i < NVM; i++)
		file[ZWNVM_HDR_LEN + i] = (uint8_t)(i * 3);
	zwnvm_encode(file, &meta, file + ZWNVM_HDR_LEN, NVM);
	a = add_node("slave-a", 1, 1);
	add_node("slave-b", 1, 0);
	login_cookie("root", "battery staple", as, ac);
	login_cookie("alice", "correct horse", us, uc);
	test_status(a);
	test_fetch(a, as);
	test_api(a, as, ac, us, uc);
	while ((n = TAILQ_FIRST(&m.nodes)) != NULL) {
		TAILQ_REMOVE(&m.nodes, n, entry);
		zwm_node_free(n);
		free(n);
	}
	zwm_free(&m);
	api_free(m.api);
	unlink(path);
	rmdir(dir);
	return check_done();
}
