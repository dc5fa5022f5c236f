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

#define CHECK_PARTS
#include "check.h"
#include "zwm_fake.h"
#include "../../master/api/api.h"
#include "../../master/api/api_dash.h"
#include "../../master/cluster/cluster.h"
#include "../../master/master.h"
#include "../../master/zwave/zwave.h"

#define T0	ZWF_T0
#define NVM	1000

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
	char		 dir[] = "/tmp/hd-test-zwmnvm.XXXXXX";
	char		 as[SESSION_TOKEN_HEX + 1], ac[SESSION_TOKEN_HEX + 1];
	char		 us[SESSION_TOKEN_HEX + 1], uc[SESSION_TOKEN_HEX + 1];
	struct node	*a;
	size_t		 i;

	if (zwf_start(dir, as, ac, us, uc) == -1)
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
	a = zwf_add_node("slave-a", 1, 1u << HD__CAPABILITY__CAP_ZWAVE_NVM);
	zwf_add_node("slave-b", 1, 0);
	test_status(a);
	test_fetch(a, as);
	test_api(a, as, ac, us, uc);
	zwf_done(dir);
	return check_done();
}
