/*
 * Unit tests for the resource API (master/api/api_res.c, api_cmd*.c,
 * api_hist.c, api_stream.c) and the app tokens (tokens.c, api_tokens.c):
 * a master with two nodes built by hand, users of each role, calls
 * through api_handle() as the web process would forward them, the
 * cluster link and the web process replaced by tests/unit/stub_master.c.
 * App tokens, client certificates, users and passwords are in
 * test_api_res_auth.c, linked into the same program.
 */

#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK_PARTS	/* with test_api_res_auth.c */
#include "check.h"
#include "ev.h"
#include "stub_master.h"
#include "wire.h"
#include "../../master/api/api_res.h"
#include "../../master/auth/tokens.h"
#include "test_api_res.h"

static const struct scrypt_params cheap = { 16, 1, 1 };
const uint8_t		addr[16] = { [10] = 0xff, [11] = 0xff, 10, 0, 0, 1 };
char			body[API_MAX_RESPONSE + 1];
struct master		m;
char			dir[] = "/tmp/test_api_res.XXXXXX";
uint64_t		now = 1000000;
char			cookie[SESSION_TOKEN_HEX + 1];

struct who admin = { "admin", "admin password 1", "", "", "" };
struct who bob = { "bob", "bob's password 1", "", "", "" };
struct who vic = { "vic", "vic's password 1", "", "", "" };
static struct who barb = { "barb", "barb password 1", "", "", "" };

/* One call as `w` (NULL: nobody); the answer's body lands in `body`. */
int
call(struct who *w, const char *method, const char *path, const char *query,
    const char *json, int with_csrf)
{
	Hd__ApiRequest	req = HD__API_REQUEST__INIT;
	Hd__ApiResponse	resp = HD__API_RESPONSE__INIT;

	req.id = 1;
	req.method = (char *)(uintptr_t)method;
	req.path = (char *)(uintptr_t)path;
	req.query = (char *)(uintptr_t)query;
	req.token = (char *)(uintptr_t)(w != NULL ? w->bearer : "");
	req.addr.data = (uint8_t *)(uintptr_t)addr;
	req.addr.len = 16;
	req.session = w != NULL ? w->sess : (char *)(uintptr_t)"";
	req.csrf = w != NULL && with_csrf ? w->csrf : (char *)(uintptr_t)"";
	req.body.data = (uint8_t *)(uintptr_t)json;
	req.body.len = strlen(json);
	api_handle(m.api, &req, &resp, now);
	if (resp.set_cookie != NULL && strncmp(resp.set_cookie, API_COOKIE "=",
	    strlen(API_COOKIE) + 1) == 0)
		snprintf(cookie, sizeof(cookie), "%.64s", resp.set_cookie +
		    strlen(API_COOKIE) + 1);
	snprintf(body, sizeof(body), "%.*s", (int)resp.body.len,
	    (const char *)resp.body.data);
	return (int)resp.status;
}

int
get(struct who *w, const char *path)
{
	return call(w, "GET", path, "", "", 0);
}

int
post(struct who *w, const char *path, const char *json)
{
	return call(w, "POST", path, "", json, 1);
}

void
login(struct who *w)
{
	char	j[128];
	const char *p;

	snprintf(j, sizeof(j), "{\"name\":\"%s\",\"password\":\"%s\"}",
	    w->name, w->pw);
	w->sess[0] = cookie[0] = '\0';
	call(NULL, "POST", "/api/v1/login", "", j, 0);
	if ((p = strstr(body, "\"csrf\":\"")) != NULL)
		snprintf(w->csrf, sizeof(w->csrf), "%.64s", p + 8);
	snprintf(w->sess, sizeof(w->sess), "%s", cookie);
}

/* A node announced as a slave would, through the protobuf allocator. */
static struct node *
mknode(const char *id, const char *site, const char *dev1, const char *dev2)
{
	Hd__DeviceAnnounce	 da = HD__DEVICE_ANNOUNCE__INIT, *copy;
	Hd__Device		 d[2], *dp[2];
	Hd__ValueDesc		 on = HD__VALUE_DESC__INIT;
	Hd__ValueDesc		 t = HD__VALUE_DESC__INIT;
	Hd__ValueDesc		 lvl = HD__VALUE_DESC__INIT;
	Hd__ValueDesc		 sp = HD__VALUE_DESC__INIT;
	Hd__ValueDesc		*v0[2] = { &on, &lvl }, *v1[2] = { &t, &sp };
	struct node		*n;
	uint8_t			 buf[1024];
	size_t			 len;

	on.key = "on";
	on.type = HD__VALUE_TYPE__VT_BOOL;
	on.writable = 1;
	lvl.key = "level";
	lvl.type = HD__VALUE_TYPE__VT_INT;
	lvl.writable = 1;
	lvl.min = 0;
	lvl.max = 99;
	t.key = "temperature";
	t.type = HD__VALUE_TYPE__VT_DOUBLE;
	t.unit = "C";
	sp.key = "setpoint";
	sp.type = HD__VALUE_TYPE__VT_DOUBLE;
	sp.writable = 1;
	hd__device__init(&d[0]);
	hd__device__init(&d[1]);
	d[0].id = (char *)(uintptr_t)dev1;
	d[0].name = "Lamp";
	d[0].kind = HD__DEVICE_KIND__DEV_DIMMER;
	d[0].values = v0;
	d[0].n_values = 2;
	d[1].id = (char *)(uintptr_t)dev2;
	d[1].name = "Temperature";
	d[1].kind = HD__DEVICE_KIND__DEV_SENSOR;
	d[1].values = v1;
	d[1].n_values = 2;
	dp[0] = &d[0];
	dp[1] = &d[1];
	da.devices = dp;
	da.n_devices = 2;
	len = protobuf_c_message_pack(&da.base, buf);
	copy = (Hd__DeviceAnnounce *)wire_unpack(
	    &hd__device_announce__descriptor, buf, len);
	n = node_get(&m, id, 1);
	snprintf(n->site, sizeof(n->site), "%s", site);
	node_set_devices(n, copy);
	return n;
}

/* A node of `count` devices of 8 values each, for paging. */
static void
mkbig(const char *id, const char *site, int count)
{
	Hd__DeviceAnnounce	 da = HD__DEVICE_ANNOUNCE__INIT, *copy;
	Hd__Device		*d, **dp;
	Hd__ValueDesc		 v[8], *vp[8];
	struct node		*n;
	uint8_t			*buf;
	size_t			 len;
	char			 (*ids)[16];
	int			 i;

	d = calloc((size_t)count, sizeof(*d));
	dp = calloc((size_t)count, sizeof(*dp));
	ids = calloc((size_t)count, sizeof(*ids));
	buf = malloc(WIRE_MAX_FRAME);
	for (i = 0; i < 8; i++) {
		hd__value_desc__init(&v[i]);
		v[i].key = (char *)(uintptr_t)(const char *[]){ "a", "b", "c",
		    "d", "e", "f", "g", "h" }[i];
		v[i].type = HD__VALUE_TYPE__VT_DOUBLE;
		v[i].unit = "kWh";
		vp[i] = &v[i];
	}
	for (i = 0; i < count; i++) {
		hd__device__init(&d[i]);
		snprintf(ids[i], sizeof(ids[i]), "m:%d", i);
		d[i].id = ids[i];
		d[i].name = "Meter with a rather long name";
		d[i].room = "Cellar";
		d[i].kind = HD__DEVICE_KIND__DEV_METER;
		d[i].values = vp;
		d[i].n_values = 8;
		dp[i] = &d[i];
	}
	da.devices = dp;
	da.n_devices = (size_t)count;
	len = protobuf_c_message_pack(&da.base, buf);
	copy = (Hd__DeviceAnnounce *)wire_unpack(
	    &hd__device_announce__descriptor, buf, len);
	n = node_get(&m, id, 1);
	snprintf(n->site, sizeof(n->site), "%s", site);
	node_set_devices(n, copy);
	free(d);
	free(dp);
	free(ids);
	free(buf);
}

static void
test_paging(void)
{
	char	q[64];
	int	seen = 0, pages = 0, next = 0;
	const char *p;

	mkbig("n-big", "Big", 200);
	do {
		snprintf(q, sizeof(q), "node=n-big&offset=%d", next);
		if (call(&admin, "GET", "/api/v1/devices", q, "", 0) != 200)
			break;
		pages++;
		for (p = body; (p = strstr(p, "\"kind\":\"meter\"")) != NULL;
		    p++)
			seen++;
		next = (p = strstr(body, "\"next\":")) != NULL && p[7] != 'n' ?
		    atoi(p + 7) : -1;
	} while (next > 0 && pages < 20);
	CHECK(pages > 1 && seen == 200, "200 devices come in %d pages "
	    "with \"next\", none lost or repeated (%d)", pages, seen);
	CHECK(strlen(body) < API_MAX_RESPONSE, "each page fits");
	CHECK(call(&admin, "GET", "/api/v1/devices", "offset=-1", "", 0) ==
	    400, "a bad offset: 400");
}

/* Users with many long grants: their list pages too. */
static void
test_user_paging(void)
{
	struct users	*u = api_users(m.api);
	char		 name[16], site[SITE_NAME_MAX + 1], err[96], q[32];
	int		 i, j, total, seen = 0, pages = 0, next = 0;
	const char	*p;

	memset(site, 's', SITE_NAME_MAX);
	site[SITE_NAME_MAX] = '\0';
	for (i = 0; users_count(u) < USERS_MAX; i++) {
		snprintf(name, sizeof(name), "many%d", i);
		if (users_add(u, name, UROLE_VIEWER, "a password 123", 1, err,
		    sizeof(err)) == -1)
			break;
		for (j = 0; j < USER_MAX_GRANTS; j++) {
			snprintf(site + SITE_NAME_MAX - 3, 4, "%03u",
			    (unsigned)j % 1000);
			users_grant(users_find(u, name), site, "",
			    ACCESS_VIEW);
		}
	}
	total = users_count(u);
	do {
		snprintf(q, sizeof(q), "offset=%d", next);
		if (call(&admin, "GET", "/api/v1/users", q, "", 0) != 200)
			break;
		pages++;
		for (p = body; (p = strstr(p, "\"role\":")) != NULL; p++)
			seen++;
		next = (p = strstr(body, "\"next\":")) != NULL && p[7] != 'n' ?
		    atoi(p + 7) : -1;
	} while (next > 0 && pages < 40);
	CHECK(pages > 1 && seen == total, "%d users come in %d pages, none "
	    "lost or repeated (%d)", total, pages, seen);
}

static void
report(struct node *n, const char *dev, const char *key, double d)
{
	Hd__ValueReport	r = HD__VALUE_REPORT__INIT;
	Hd__Value	v = HD__VALUE__INIT;

	v.v_case = HD__VALUE__V_D;
	v.d = d;
	r.device_id = (char *)(uintptr_t)dev;
	r.key = (char *)(uintptr_t)key;
	r.value = &v;
	r.time_ms = 1234;
	node_set_value(n, &r);
	api_res_value(&m, n, &r);
}

static int	peer_dummy;

static void
setup(void)
{
	struct users	*u;
	char		 path[256], err[96];

	if (mkdtemp(dir) == NULL)
		exit(1);
	TAILQ_INIT(&m.nodes);
	TAILQ_INIT(&m.peers);
	m.conf.state_dir = dir;
	snprintf(path, sizeof(path), "%s/users", dir);
	m.api = api_new(path, &cheap);
	if (m.api == NULL || api_res_init(&m) == -1)
		exit(1);
	api_stream_set_sink(&m, stub_sink, NULL);
	u = api_users(m.api);
	users_add(u, "admin", UROLE_ADMIN, admin.pw, 1, err, sizeof(err));
	users_add(u, "bob", UROLE_USER, bob.pw, 1, err, sizeof(err));
	users_add(u, "vic", UROLE_VIEWER, vic.pw, 1, err, sizeof(err));
	users_add(u, "barb", UROLE_USER, barb.pw, 1, err, sizeof(err));
	users_grant(users_find(u, "bob"), "House", "", ACCESS_CONTROL);
	users_grant(users_find(u, "vic"), "House", "", ACCESS_CONTROL);
	users_grant(users_find(u, "barb"), "Barn", "", ACCESS_CONTROL);
	mknode("n-house", "House", "lamp", "temp");
	mknode("n-barn", "Barn", "barnlamp", "barntemp");
	node_get(&m, "n-house", 0)->peer = (struct peer *)&peer_dummy;
}

int
has(const char *s)
{
	return strstr(body, s) != NULL;
}

static void
test_read(void)
{
	CHECK(get(&barb, "/api/v1/devices") == 200 && has("\"barnlamp\"") &&
	    !has("\"lamp\"") && !has("House"), "barb lists the Barn only");
	CHECK(get(&bob, "/api/v1/devices") == 200 && has("\"id\":\"lamp\"") &&
	    !has("barn"), "bob lists the House only");
	CHECK(get(&admin, "/api/v1/devices") == 200 && has("\"lamp\"") &&
	    has("\"barnlamp\""), "admin lists both");
	CHECK(get(&barb, "/api/v1/devices/n-house/lamp") == 404 &&
	    has("\"error\":\"not_found\""), "an invisible device is 404");
	CHECK(get(&bob, "/api/v1/devices/n-house/nope") == 404,
	    "an unknown device is 404 the same way");
	CHECK(get(&bob, "/api/v1/devices/n-house/lamp") == 200 &&
	    has("\"kind\":\"dimmer\"") && has("\"online\":true") &&
	    has("\"control\":true") && has("\"value\":null"),
	    "one device: kind, online, control, no value yet");
	CHECK(get(&vic, "/api/v1/devices/n-house/lamp") == 200 &&
	    has("\"control\":false"), "a viewer's device: control false");
	CHECK(get(&bob, "/api/v1/nodes") == 200 && has("\"n-house\"") &&
	    !has("n-barn"), "nodes filtered by site");
	{
		Hd__Hello	h = HD__HELLO__INIT;
		Hd__Capability	caps[3] = { HD__CAPABILITY__CAP_ZWAVE,
		    HD__CAPABILITY__CAP_STANDBY, 77 };

		h.capabilities = caps;
		h.n_capabilities = 3;
		node_get(&m, "n-house", 0)->caps = node_caps(&h);
		CHECK(get(&bob, "/api/v1/nodes") == 200 &&
		    has("\"role\":\"standby\",\"capabilities\":[\"zwave\","
		    "\"standby\"]"), "a standby slave: role and capabilities, "
		    "an unknown capability left out");
		node_get(&m, "n-house", 0)->caps = 0;
	}
	CHECK(get(&admin, "/api/v1/sites") == 200 &&
	    has("{\"name\":\"House\",\"nodes\":1,\"online\":1,"
	    "\"devices\":2}") && has("{\"name\":\"Barn\",\"nodes\":1,"
	    "\"online\":0,\"devices\":2}"), "sites: nodes, online, devices");
	CHECK(call(&admin, "GET", "/api/v1/devices", "site=Barn", "", 0) == 200
	    && !has("\"lamp\"") && has("barnlamp"), "?site= filters");
	CHECK(get(NULL, "/api/v1/devices") == 401, "nobody: 401");
}

static void
test_commands(void)
{
	uint64_t	id;
	int		before = stub.ncmds, i;
	char		path[64];

	CHECK(post(&vic, "/api/v1/devices/n-house/lamp/values/on",
	    "{\"value\":true}") == 403, "a viewer: 403");
	CHECK(call(&bob, "POST", "/api/v1/devices/n-house/lamp/values/on", "",
	    "{\"value\":true}", 0) == 403, "without CSRF: 403");
	CHECK(post(&barb, "/api/v1/devices/n-house/lamp/values/on",
	    "{\"value\":true}") == 404, "another site's device: 404");
	CHECK(post(&bob, "/api/v1/devices/n-house/lamp/values/on",
	    "{\"value\":\"yes\"}") == 400 && has("bad_value"),
	    "a string for a bool: 400 bad_value");
	CHECK(post(&bob, "/api/v1/devices/n-house/lamp/values/level",
	    "{\"value\":100}") == 400 && has("min..max"),
	    "past max: 400 bad_value");
	CHECK(post(&bob, "/api/v1/devices/n-house/lamp/values/level",
	    "{\"value\":5.5}") == 400, "a fraction for an int: 400");
	CHECK(post(&bob, "/api/v1/devices/n-house/lamp/values/level",
	    "{\"value\":1e2}") == 400, "1e2 is no integer: 400");
	CHECK(post(&bob, "/api/v1/devices/n-house/temp/values/setpoint",
	    "{\"value\":1e999}") == 400, "a double past its range: 400");
	CHECK(post(&bob, "/api/v1/devices/n-house/temp/values/temperature",
	    "{\"value\":20}") == 400 && has("read_only"), "read-only: 400");
	CHECK(post(&bob, "/api/v1/devices/n-house/lamp/values/on",
	    "{}") == 400 && has("missing"), "no value: 400");
	CHECK(post(&bob, "/api/v1/devices/n-house/lamp/values/on",
	    "{\"value\":true,\"pulse_ms\":0}") == 400, "pulse_ms 0: 400");
	CHECK(post(&admin, "/api/v1/devices/n-barn/barnlamp/values/on",
	    "{\"value\":true}") == 503 && has("\"offline\""),
	    "an offline slave: 503 offline");
	CHECK(stub.ncmds == before, "no refused command reached the link");
	CHECK(post(&bob, "/api/v1/devices/n-house/lamp/values/level",
	    "{\"value\":42,\"pulse_ms\":500}") == 202 &&
	    has("\"status\":\"pending\"") && stub.ncmds == before + 1 &&
	    stub.last_value.v_case == HD__VALUE__V_I &&
	    stub.last_value.i == 42 && stub.last_pulse == 500,
	    "a good command: 202, sent with its value and pulse");
	id = stub.next_id;
	CHECK(post(&bob, "/api/v1/devices/n-house/temp/values/setpoint",
	    "{\"value\":21}") == 202 &&
	    stub.last_value.v_case == HD__VALUE__V_D && stub.last_value.d == 21,
	    "an integer for a double is sent as a double");
	snprintf(path, sizeof(path), "/api/v1/commands/%llu",
	    (unsigned long long)id);
	CHECK(get(&vic, path) == 200 && has("\"status\":\"pending\"") &&
	    has("\"by\":\"bob\""), "GET the command: pending, by bob");
	CHECK(get(&barb, path) == 404, "another site's command: 404");
	{
		Hd__CommandResult r = HD__COMMAND_RESULT__INIT;
		Hd__Value v = HD__VALUE__INIT;

		v.v_case = HD__VALUE__V_I;
		v.i = 42;
		r.id = id;
		r.value = &v;
		stub.nevents = 0;
		api_res_result(&m, node_get(&m, "n-barn", 0), &r);
		CHECK(get(&vic, path) == 200 && has("pending"),
		    "a result from another slave is ignored");
		api_res_result(&m, node_get(&m, "n-house", 0), &r);
		CHECK(get(&vic, path) == 200 && has("\"status\":\"ok\"") &&
		    has("\"value\":42"), "the result: ok with the value");
		CHECK(stub.nevents == 1 && strcmp(stub.events[0].name,
		    "command") == 0 && strcmp(stub.events[0].site, "House") ==
		    0 && strcmp(stub.events[0].device, "lamp") == 0,
		    "the result is published once, tagged with site and "
		    "device");
	}
	/* Overdue and offline. */
	post(&bob, "/api/v1/devices/n-house/lamp/values/on",
	    "{\"value\":true}");
	api_cmd_sweep(m.api_res->cmd, now + API_CMD_TIMEOUT_MS +
	    API_CMD_GRACE_MS);
	snprintf(path, sizeof(path), "/api/v1/commands/%llu",
	    (unsigned long long)stub.next_id);
	CHECK(get(&bob, path) == 200 && has("\"status\":\"failed\"") &&
	    has("no_answer"), "no result in time: failed, no_answer");
	post(&bob, "/api/v1/devices/n-house/lamp/values/on",
	    "{\"value\":true}");
	api_res_node(&m, node_get(&m, "n-house", 0), 0);
	snprintf(path, sizeof(path), "/api/v1/commands/%llu",
	    (unsigned long long)stub.next_id);
	CHECK(get(&bob, path) == 200 && has("\"result\":\"offline\""),
	    "the slave went away: failed, offline");
	{
		Hd__CommandResult r = HD__COMMAND_RESULT__INIT;

		r.id = stub.next_id;
		r.status = HD__COMMAND_RESULT__STATUS__TIMEOUT;
		r.detail = "no ack";
		api_res_result(&m, node_get(&m, "n-house", 0), &r);
		CHECK(get(&bob, path) == 200 && has("\"result\":\"timeout\"")
		    && has("no ack"), "a late result replaces offline");
	}
	/* At most API_MAX_PENDING_CMDS in flight. */
	for (i = 0; i < API_MAX_PENDING_CMDS; i++)
		post(&bob, "/api/v1/devices/n-house/lamp/values/on",
		    "{\"value\":true}");
	CHECK(post(&bob, "/api/v1/devices/n-house/lamp/values/on",
	    "{\"value\":true}") == 429 && has("busy"),
	    "past API_MAX_PENDING_CMDS: 429 busy");
	api_cmd_sweep(m.api_res->cmd, now + 10 * API_CMD_TIMEOUT_MS);
	CHECK(post(&bob, "/api/v1/devices/n-house/lamp/values/on",
	    "{\"value\":true}") == 202, "after the sweep: room again");
	CHECK(get(&bob, "/api/v1/commands/x1") == 404, "a bad id: 404");
}

/* Send result `st` for command `id` from n-house. */
static void
result(uint64_t id, Hd__CommandResult__Status st, const char *detail)
{
	Hd__CommandResult r = HD__COMMAND_RESULT__INIT;

	r.id = id;
	r.status = st;
	r.detail = (char *)(uintptr_t)detail;
	api_res_result(&m, node_get(&m, "n-house", 0), &r);
}

/*
 * A command to a sleeping node: QUEUED keeps it waiting (not final) past
 * the usual deadline, until the slave's hold time; the final result ends
 * it. A waiting record is never reused by the ring.
 */
static void
test_queued(void)
{
	char		path[64];
	uint64_t	id;
	int		i, nev;

	api_cmd_sweep(m.api_res->cmd, now + 10 * API_CMD_TIMEOUT_MS);
	post(&bob, "/api/v1/devices/n-house/lamp/values/on", "{\"value\":true}");
	id = stub.next_id;
	snprintf(path, sizeof(path), "/api/v1/commands/%llu",
	    (unsigned long long)id);
	nev = stub.nevents;
	result(id, HD__COMMAND_RESULT__STATUS__QUEUED, "the node is asleep");
	CHECK(get(&bob, path) == 200 && has("\"status\":\"queued\"") &&
	    has("\"result\":\"queued\"") && has("asleep"),
	    "QUEUED: the command shows queued, with the slave's detail");
	CHECK(stub.nevents == nev + 1 && strcmp(stub.events[nev].name,
	    "command") == 0 && strstr(stub.events[nev].data,
	    "\"status\":\"queued\"") != NULL,
	    "a command event with status queued goes to the stream");
	api_cmd_sweep(m.api_res->cmd, now + API_CMD_TIMEOUT_MS +
	    API_CMD_GRACE_MS + 1000);
	CHECK(get(&bob, path) == 200 && has("\"status\":\"queued\""),
	    "past the usual deadline: still queued, not no_answer");
	api_res_node(&m, node_get(&m, "n-house", 0), 0);
	CHECK(get(&bob, path) == 200 && has("\"status\":\"queued\""),
	    "the slave offline: still queued (it holds the command)");
	/* Many commands meanwhile: the ring must not reuse its record. */
	for (i = 0; i < API_CMD_KEEP + 8; i++) {
		post(&bob, "/api/v1/devices/n-house/lamp/values/on",
		    "{\"value\":true}");
		result(stub.next_id, HD__COMMAND_RESULT__STATUS__OK, "");
	}
	CHECK(get(&bob, path) == 200 && has("\"status\":\"queued\""),
	    "after API_CMD_KEEP more commands: its record is kept");
	nev = stub.nevents;
	result(id, HD__COMMAND_RESULT__STATUS__OK, "");
	CHECK(get(&bob, path) == 200 && has("\"status\":\"ok\"") &&
	    stub.nevents == nev + 1 && strstr(stub.events[nev].data,
	    "\"status\":\"ok\"") != NULL,
	    "the wake-up: OK ends it, published");
	result(id, HD__COMMAND_RESULT__STATUS__QUEUED, "again");
	CHECK(get(&bob, path) == 200 && has("\"status\":\"ok\""),
	    "a late QUEUED does not reopen a finished command");

	post(&bob, "/api/v1/devices/n-house/lamp/values/on", "{\"value\":true}");
	id = stub.next_id;
	snprintf(path, sizeof(path), "/api/v1/commands/%llu",
	    (unsigned long long)id);
	result(id, HD__COMMAND_RESULT__STATUS__QUEUED, "asleep");
	api_cmd_sweep(m.api_res->cmd, now + API_CMD_TIMEOUT_MS +
	    API_CMD_GRACE_MS + ZW_WAKEUP_HOLD_MS - 1);
	CHECK(get(&bob, path) == 200 && has("\"status\":\"queued\""),
	    "queued up to the slave's hold time");
	api_cmd_sweep(m.api_res->cmd, now + API_CMD_TIMEOUT_MS +
	    API_CMD_GRACE_MS + ZW_WAKEUP_HOLD_MS);
	CHECK(get(&bob, path) == 200 && has("\"status\":\"failed\"") &&
	    has("no_answer"), "no result by then: failed, no_answer");
}

static void
test_history(void)
{
	struct node	*n = node_get(&m, "n-house", 0);
	int		 nev = stub.nevents;

	report(n, "temp", "temperature", 20.5);
	report(n, "temp", "temperature", 21.5);
	report(n, "temp", "temperature", 22.5);
	CHECK(stub.nevents == nev + 3 && strcmp(stub.events[nev].name,
	    "value") == 0 && strstr(stub.events[nev].data,
	    "\"value\":20.5") != NULL, "each report is a value event");
	CHECK(get(&vic, "/api/v1/history/n-house/temp/temperature") == 200 &&
	    has("\"min\":20.5,\"max\":22.5,\"avg\":21.5,\"n\":3") &&
	    has("\"step_s\":60"), "history: min, max, avg of the minute");
	CHECK(call(&vic, "GET", "/api/v1/history/n-house/temp/temperature",
	    "range=day", "", 0) == 200 && has("\"step_s\":300") &&
	    has("\"n\":3"), "range=day: 5-minute points");
	CHECK(call(&vic, "GET", "/api/v1/history/n-house/temp/temperature",
	    "range=week", "", 0) == 400, "range=week: 400");
	CHECK(get(&barb, "/api/v1/history/n-house/temp/temperature") == 404,
	    "another site's history: 404");
	CHECK(get(&vic, "/api/v1/history/n-house/lamp/on") == 200 &&
	    has("\"points\":[]"), "a value without readings: no points");
}

/* Answers that come later (the replicated log's 202), as the web
 * process's link would take them. */
static int	sunk_status;
static char	sunk_body[256];

static void
sink(void *arg, uint64_t link, const Hd__ApiResponse *resp, int failed,
    const uint8_t *a)
{
	(void)arg;
	(void)link;
	(void)failed;
	(void)a;
	sunk_status = (int)resp->status;
	snprintf(sunk_body, sizeof(sunk_body), "%.*s", (int)resp->body.len,
	    (const char *)resp->body.data);
}

/*
 * With an election the commands go through the replicated log
 * (cluster/ha.h, stubbed): the 202 waits for the standbys, a full log is
 * 429, and a new master's list starts from the log.
 */
static void
test_logged(void)
{
	Hd__ReplCommand		rc[2] = { HD__REPL_COMMAND__INIT,
				    HD__REPL_COMMAND__INIT };
	Hd__ReplResult		rr = HD__REPL_RESULT__INIT;
	Hd__Command		c[2] = { HD__COMMAND__INIT, HD__COMMAND__INIT };
	Hd__CommandResult	res = HD__COMMAND_RESULT__INIT;
	Hd__Value		v = HD__VALUE__INIT;
	char			path[64];
	uint64_t		id;

	api_set_sink(m.api, sink, NULL);
	api_cmd_sweep(m.api_res->cmd, now + 10 * API_CMD_TIMEOUT_MS);
	stub.logged = 1;
	stub.log_wait = 1;
	stub.nlog = 0;
	api_cmd_from_log(m.api_res->cmd);	/* elected: the hook is set */
	CHECK(stub.accepted != NULL, "an elected master hears of acceptance");
	sunk_status = 0;
	CHECK(post(&bob, "/api/v1/devices/n-house/lamp/values/on",
	    "{\"value\":true}") == 0 && sunk_status == 0,
	    "logged, the standby not holding it yet: no answer");
	id = stub.next_id;
	snprintf(path, sizeof(path), "/api/v1/commands/%llu",
	    (unsigned long long)id);
	CHECK(get(&vic, path) == 200 && has("\"status\":\"pending\""),
	    "... but the command is known (pending)");
	stub.accepted(stub.accepted_arg, id + 1000);
	CHECK(sunk_status == 0, "another id's acceptance answers nothing");
	stub.accepted(stub.accepted_arg, id);
	snprintf(path, sizeof(path), "\"id\":%llu", (unsigned long long)id);
	CHECK(sunk_status == 202 && strstr(sunk_body, path) != NULL,
	    "the standby holds it: 202 with its id");
	sunk_status = 0;
	stub.accepted(stub.accepted_arg, id);
	CHECK(sunk_status == 0, "a second acceptance answers nothing");
	stub.log_wait = 0;
	CHECK(post(&bob, "/api/v1/devices/n-house/lamp/values/on",
	    "{\"value\":false}") == 202, "no standby to wait for: 202 at once");
	stub.log_busy = 1;
	CHECK(post(&bob, "/api/v1/devices/n-house/lamp/values/on",
	    "{\"value\":false}") == 429 && has("busy"), "the log or the "
	    "slave's queue full: 429");
	stub.log_busy = 0;
	/* A new master: one command done, one not, from the old one. */
	v.v_case = HD__VALUE__V_B;
	v.b = 1;
	c[0].id = 7ULL << 32 | 1;
	c[1].id = 7ULL << 32 | 2;
	c[0].device_id = c[1].device_id = "lamp";
	c[0].key = c[1].key = "on";
	c[0].value = c[1].value = &v;
	c[0].issued_by = c[1].issued_by = "bob";
	c[0].timeout_ms = c[1].timeout_ms = API_CMD_TIMEOUT_MS;
	rc[0].slave = rc[1].slave = "n-house";
	rc[0].site = rc[1].site = "House";
	rc[0].command = &c[0];
	rc[1].command = &c[1];
	rc[0].issued_ms = 1796654325838;
	res.id = c[0].id;
	res.status = HD__COMMAND_RESULT__STATUS__OK;
	res.detail = "";
	res.value = &v;
	rr.slave = "n-house";
	rr.result = &res;
	rr.done_ms = 1796654326000;
	stub.log_cmd[0] = &rc[0];
	stub.log_res[0] = &rr;
	stub.log_cmd[1] = &rc[1];
	stub.log_res[1] = NULL;
	stub.nlog = 2;
	api_cmd_from_log(m.api_res->cmd);
	CHECK(get(&vic, "/api/v1/commands/30064771073") == 200 &&
	    has("\"status\":\"ok\"") && has("\"by\":\"bob\"") &&
	    has("\"done_ms\":1796654326000") &&
	    has("\"issued_ms\":1796654325838"), "a command the old master "
	    "finished: GET answers it, with its result");
	CHECK(get(&vic, "/api/v1/commands/30064771074") == 200 &&
	    has("\"status\":\"pending\""), "one it did not: pending");
	CHECK(get(&barb, "/api/v1/commands/30064771073") == 404,
	    "another site's logged command: 404");
	stub.nlog = 0;
	stub.logged = 0;
	api_cmd_sweep(m.api_res->cmd, now + 10 * API_CMD_TIMEOUT_MS);
}

/* A path for command id. */
static const char *
cmd_path(uint64_t id)
{
	static char path[64];

	snprintf(path, sizeof(path), "/api/v1/commands/%llu",
	    (unsigned long long)id);
	return path;
}

/*
 * Stuck and late commands (cluster/ha.h, stubbed): an admin's cancel
 * (answered once the log holds it), its refusals, a late result that
 * does not replace it, an expiry, and a master stepping down with a
 * 202 still owed: 503 with the id.
 */
static void
test_cancel(void)
{
	Hd__CommandResult	res = HD__COMMAND_RESULT__INIT;
	uint64_t		id;
	char			want[64];

	api_set_sink(m.api, sink, NULL);
	stub.logged = 1;
	stub.log_wait = 0;
	stub.nlog = 0;
	api_cmd_from_log(m.api_res->cmd);
	CHECK(stub.cmd_hooks.held != NULL && stub.cmd_hooks.settled != NULL &&
	    stub.cmd_hooks.step_down != NULL, "an elected master hears of "
	    "the log's settlements, what it holds, a step down");
	CHECK(post(&bob, "/api/v1/devices/n-house/lamp/values/on",
	    "{\"value\":true}") == 202, "a command, accepted");
	id = stub.next_id;
	CHECK(call(&bob, "DELETE", cmd_path(id), "", "", 1) == 403,
	    "a user may not cancel: admin only");
	stub.cancel_answer = HA_SETTLE_DONE;
	stub.held = 10;		/* the settlement at 11: not held yet */
	sunk_status = 0;
	CHECK(call(&admin, "DELETE", cmd_path(id), "", "", 1) == 0 &&
	    sunk_status == 0 && stub.cancelled_id == id, "an admin's cancel: "
	    "logged, the answer waits for the standby");
	CHECK(get(&vic, cmd_path(id)) == 200 &&
	    has("\"status\":\"cancelled\"") &&
	    has("\"result\":\"cancelled\"") && has("cancelled by admin"),
	    "... the command shows cancelled");
	stub.cmd_hooks.held(stub.cmd_hooks_arg, 10);
	CHECK(sunk_status == 0, "the log holding less: no answer yet");
	stub.cmd_hooks.held(stub.cmd_hooks_arg, 11);
	CHECK(sunk_status == 200 && strstr(sunk_body, "\"cancelled\"") !=
	    NULL, "held by the standby: 200 with the command");
	res.id = id;
	res.status = HD__COMMAND_RESULT__STATUS__OK;
	res.detail = "";
	api_res_result(&m, node_get(&m, "n-house", 0), &res);
	CHECK(get(&vic, cmd_path(id)) == 200 &&
	    has("\"status\":\"cancelled\""), "the slave's result after "
	    "the cancel: the first settlement stays");
	stub.cancel_answer = HA_SETTLE_ALREADY;
	CHECK(call(&admin, "DELETE", cmd_path(id), "", "", 1) == 409 &&
	    has("settled"), "cancelled again: 409 settled");
	stub.cancel_answer = HA_SETTLE_NOT_YET;
	CHECK(call(&admin, "DELETE", cmd_path(id), "", "", 1) == 409 &&
	    has("not_accepted"), "not accepted yet: 409 not_accepted");
	stub.cancel_answer = HA_SETTLE_UNKNOWN;
	CHECK(call(&admin, "DELETE", cmd_path(id), "", "", 1) == 404 &&
	    call(&admin, "DELETE", cmd_path(id + 999), "", "", 1) == 404,
	    "not in the log, or no such command: 404");
	stub.held = 20;
	stub.cancel_answer = HA_SETTLE_DONE;
	CHECK(post(&bob, "/api/v1/devices/n-house/lamp/values/on",
	    "{\"value\":false}") == 202 &&
	    call(&admin, "DELETE", cmd_path(stub.next_id), "", "", 1) == 0,
	    "a second command cancelled");
	sunk_status = 0;
	stub.cmd_hooks.held(stub.cmd_hooks_arg, 21);
	CHECK(sunk_status == 200, "... answered when held");
	stub.held = 0;
	CHECK(post(&bob, "/api/v1/devices/n-house/lamp/values/on",
	    "{\"value\":true}") == 202, "a third command");
	id = stub.next_id;
	stub.cmd_hooks.settled(stub.cmd_hooks_arg, id,
	    HD__COMMAND_RESULT__STATUS__EXPIRED, "no result from slave "
	    "n-house within 300 s");
	CHECK(get(&vic, cmd_path(id)) == 200 &&
	    has("\"status\":\"expired\"") && has("within 300 s"),
	    "expired by the log: the command shows expired");
	stub.log_wait = 1;
	sunk_status = 0;
	CHECK(post(&bob, "/api/v1/devices/n-house/lamp/values/on",
	    "{\"value\":true}") == 0 && sunk_status == 0, "a command waiting "
	    "for the standby");
	stub.cmd_hooks.step_down(stub.cmd_hooks_arg);
	snprintf(want, sizeof(want), "\"id\":%llu",
	    (unsigned long long)stub.next_id);
	CHECK(sunk_status == 503 && strstr(sunk_body, want) != NULL &&
	    strstr(sunk_body, "not master") != NULL, "the master steps down: "
	    "503 naming the command's id");
	sunk_status = 0;
	stub.cmd_hooks.step_down(stub.cmd_hooks_arg);
	CHECK(sunk_status == 0, "... once: nothing owed after");
	stub.log_wait = 0;
	stub.logged = 0;
	CHECK(call(&admin, "DELETE", cmd_path(id), "", "", 1) == 409 &&
	    has("not_logged"), "without an election: 409, nothing to "
	    "cancel");
	api_cmd_sweep(m.api_res->cmd, now + 10 * API_CMD_TIMEOUT_MS);
}

int
main(void)
{
	char cmd[300];

	setup();
	login(&admin);
	login(&bob);
	login(&vic);
	login(&barb);
	CHECK(admin.sess[0] != '\0' && barb.sess[0] != '\0', "logins");
	test_read();
	test_commands();
	test_queued();
	test_logged();
	test_cancel();
	test_history();
	test_tokens();
	test_client_cert();
	test_users();
	test_password();
	test_paging();
	test_user_paging();
	api_res_free(&m);
	api_free(m.api);
	while (!TAILQ_EMPTY(&m.nodes)) {
		struct node *n = TAILQ_FIRST(&m.nodes);

		TAILQ_REMOVE(&m.nodes, n, entry);
		node_free(&m, n);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", dir);
	return check_done();
}
