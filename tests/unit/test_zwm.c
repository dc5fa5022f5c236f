/*
 * Unit tests for master/zwave/zwave.c and master/api/api_zwave.c: the Z-Wave
 * inclusion state the master mirrors per slave, the checks on the
 * slave's progress messages, subscribers, and the API routes (roles,
 * refusals, the node list and its pages). The cluster link is replaced
 * by stubs (cluster_send, node_get) that record what would be sent.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK_PARTS
#include "check.h"
#include "zwm_fake.h"
#include "../../master/api/api.h"
#include "../../master/api/api_dash.h"
#include "../../master/cluster/cluster.h"
#include "../../master/master.h"
#include "../../master/zwave/zwave.h"

#define T0	ZWF_T0

static struct node	*a_node;	/* slave-a */

/* What the stubbed link sent last. */
static int		sent;
static Hd__ZwInclusion__Action sent_action;
static uint32_t		sent_timeout;
static uint32_t		sent_grant;
static int		sent_prov, sent_prov_action;
static char		sent_pin[8];
static int		sent_op = -1;	/* ZwNodeOp */
static uint32_t		sent_op_node;

int
cluster_send(struct master *mm, struct node *n, Hd__Envelope *e)
{
	(void)mm;
	if (n->peer != NULL && e->body_case == HD__ENVELOPE__BODY_ZW_PROVISION) {
		sent_prov++;
		sent_prov_action = e->zw_provision->action;
		return 0;
	}
	if (n->peer != NULL && e->body_case == HD__ENVELOPE__BODY_ZW_NODE_OP) {
		sent_op = e->zw_node_op->op;
		sent_op_node = e->zw_node_op->node_id;
		return 0;
	}
	if (n->peer == NULL || e->body_case != HD__ENVELOPE__BODY_ZW_INCLUSION)
		return -1;
	sent++;
	sent_action = e->zw_inclusion->action;
	sent_timeout = e->zw_inclusion->timeout_ms;
	sent_grant = e->zw_inclusion->s2_grant;
	snprintf(sent_pin, sizeof(sent_pin), "%s", e->zw_inclusion->pin);
	return 0;
}

static Hd__ZwProgress
step(int action, int state, int node, const char *why, uint32_t left)
{
	Hd__ZwProgress p = HD__ZW_PROGRESS__INIT;

	p.action = action;
	p.state = state;
	p.node_id = (uint32_t)node;
	p.reason = (char *)(uintptr_t)why;
	p.time_left_ms = left;
	return p;
}

static int	heard[2], heard_state;

static void
listener(void *arg, const struct node *n, const Hd__ZwProgress *p)
{
	(void)n;
	heard[(int)(intptr_t)arg]++;
	heard_state = p->state;
}

/* Maintenance steps heard by a subscriber (the stream's, in the master). */
static int	mheard, mheard_state, mheard_op;

static void
mlistener(void *arg, const struct node *n, const struct zwm_mstep *st)
{
	(void)arg;
	(void)n;
	mheard++;
	mheard_state = st->state;
	mheard_op = st->op;
}

static int
count(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay++;
	}
	return n;
}

static void
test_progress(struct node *a)
{
	Hd__ZwProgress	p;
	char		longwhy[ZW_INCL_REASON_MAX + 2];
	int		i;

	memset(longwhy, 'x', sizeof(longwhy) - 1);
	longwhy[sizeof(longwhy) - 1] = '\0';
	p = step(1, 99, 0, "", 0);
	CHECK(zwm_progress(&m, a, &p) == -1, "progress: unknown state refused");
	p = step(7, 1, 0, "", 0);
	CHECK(zwm_progress(&m, a, &p) == -1, "progress: unknown action refused");
	p = step(1, 2, ZW_MAX_NODES + 1, "", 0);
	CHECK(zwm_progress(&m, a, &p) == -1, "progress: node 233 refused");
	p = step(1, 1, 0, longwhy, 0);
	CHECK(zwm_progress(&m, a, &p) == -1, "progress: long reason refused");
	p = step(1, 1, 0, "", ZW_INCLUSION_TIMEOUT_MS + 1);
	CHECK(zwm_progress(&m, a, &p) == -1, "progress: time left past 240 s");
	CHECK(heard[0] == 0 && a->zw == NULL,
	    "nothing kept or told from refused progress");

	CHECK(zwm_subscribe(&m, listener, (void *)0) == 0 &&
	    zwm_subscribe(&m, listener, (void *)1) == 0, "two subscribers");
	p = step(1, HD__ZW_PROGRESS__STATE__READY, 0, "press", 30000);
	CHECK(zwm_progress(&m, a, &p) == 0 && heard[0] == 1 && heard[1] == 1 &&
	    heard_state == HD__ZW_PROGRESS__STATE__READY,
	    "each subscriber hears each step");
	CHECK(a->zw->active && a->zw->state == HD__ZW_PROGRESS__STATE__READY,
	    "ready: active");
	p = step(1, HD__ZW_PROGRESS__STATE__ADDING, 6, "a node", 0);
	zwm_progress(&m, a, &p);
	CHECK(a->zw->active && a->zw->node == 6, "adding node 6: still active");
	CHECK(strcmp(zwm_state_name(a->zw->state, a->zw->action),
	    "adding") == 0 && strcmp(zwm_state_name(
	    HD__ZW_PROGRESS__STATE__ADDING, HD__ZW_INCLUSION__ACTION__EXCLUDE),
	    "removing") == 0, "named adding, and removing in an exclusion");
	p = step(1, HD__ZW_PROGRESS__STATE__DONE, 6, "zw:6:0", 0);
	zwm_progress(&m, a, &p);
	CHECK(!a->zw->active && a->zw->nnodes == 1 && a->zw->nodes[0] == 6,
	    "done: idle, node 6 noted");
	p = step(1, HD__ZW_PROGRESS__STATE__INTERVIEWED, 6, "", 0);
	zwm_progress(&m, a, &p);
	CHECK(a->zw->state == HD__ZW_PROGRESS__STATE__INTERVIEWED &&
	    heard[0] == 4, "interviewed: told, the state is interviewed");
	p = step(1, HD__ZW_PROGRESS__STATE__INTERVIEWED, 7, "", 0);
	zwm_progress(&m, a, &p);
	CHECK(a->zw->state == HD__ZW_PROGRESS__STATE__INTERVIEWED &&
	    a->zw->node == 6, "another node's interview: the state stays");
	for (i = 0; i < 2 * ZW_INCL_HISTORY; i++) {
		p = step(1, HD__ZW_PROGRESS__STATE__REFUSED, 0, "busy", 0);
		zwm_progress(&m, a, &p);
	}
	CHECK(a->zw->nhist == ZW_INCL_HISTORY && a->zw->state ==
	    HD__ZW_PROGRESS__STATE__INTERVIEWED, "the history is bounded; refusals "
	    "change no state");
	for (i = 2; i < ZW_INCL_SUBSCRIBERS; i++)
		zwm_subscribe(&m, listener, (void *)0);
	CHECK(zwm_subscribe(&m, listener, (void *)0) == -1,
	    "subscribers past ZW_INCL_SUBSCRIBERS refused");
}

static void
test_routes(const char *as, const char *ac, const char *us, const char *uc)
{
	const char *url = "/api/v1/zwave/slave-a/inclusion";

	CHECK(call("POST", url, "{\"action\":\"include\"}", us, uc) == 403,
	    "a user may not include");
	CHECK(call("GET", url, "", us, "") == 403, "nor look");
	CHECK(call("POST", url, "{\"action\":\"include\"}", as, "") == 403,
	    "an admin without the CSRF token: 403");
	CHECK(call("POST", url, "{\"action\":\"jump\"}", as, ac) == 400,
	    "an unknown action: 400");
	CHECK(call("POST", url, "{\"action\":\"include\",\"timeout\":0}", as,
	    ac) == 400, "timeout 0: 400");
	CHECK(call("POST", url, "{\"action\":\"include\",\"x\":1}", as,
	    ac) == 400, "an unknown field: 400");
	CHECK(sent == 0, "nothing sent for refused calls");
	CHECK(call("POST", url, "{\"action\":\"include\",\"timeout\":30}",
	    as, ac) == 202 && sent == 1 && sent_action ==
	    HD__ZW_INCLUSION__ACTION__INCLUDE && sent_timeout == 30000,
	    "include for 30 s: 202, sent");
	CHECK(strstr(body, "\"active\":true,\"action\":\"include\","
	    "\"state\":\"requested\"") != NULL, "requested: %s", body);
	CHECK(call("POST", url, "{\"action\":\"exclude\"}", as, ac) == 409 &&
	    sent == 1, "exclude while including: 409, not sent");
	CHECK(a_node->zw != NULL && a_node->zw->active, "active until told");
	zwm_slave_restarted(&m, a_node);
	CHECK(!a_node->zw->active && a_node->zw->state ==
	    HD__ZW_PROGRESS__STATE__FAILED, "the slave restarted: ended");
	CHECK(call("POST", url, "{\"action\":\"include\"}", as, ac) == 202 &&
	    sent == 2, "and a new one may start");
	CHECK(call("POST", url, "{\"action\":\"stop\"}", as, ac) == 202 &&
	    sent == 3 && sent_action == HD__ZW_INCLUSION__ACTION__STOP,
	    "stop: sent");
	CHECK(call("POST", "/api/v1/zwave/slave-b/inclusion",
	    "{\"action\":\"include\"}", as, ac) == 409 &&
	    strstr(body, "offline") != NULL, "an offline slave: 409");
	CHECK(call("GET", "/api/v1/zwave/nobody/inclusion", "", as, "") == 404,
	    "an unknown slave: 404");
	CHECK(call("GET", url, "", as, "") == 200 &&
	    strstr(body, "\"progress\":[") != NULL, "GET: the progress list");
}

/* S2 bootstrapping: its steps kept apart from the inclusion's state, the
 * user's grant and PIN only while one is awaited, bad values refused. */
static void
test_s2(struct node *a, const char *as, const char *ac)
{
	const char	*url = "/api/v1/zwave/slave-a/inclusion";
	Hd__ZwProgress	 p;
	char		 longdsk[ZWM_DSK_MAX + 2];
	int		 before;

	memset(longdsk, '1', sizeof(longdsk) - 1);
	longdsk[sizeof(longdsk) - 1] = '\0';
	p = step(1, HD__ZW_PROGRESS__STATE__S2_PIN, 6, "", 0);
	p.dsk = longdsk;
	CHECK(zwm_progress(&m, a, &p) == -1, "s2: a DSK past 47 bytes refused");
	p = step(1, HD__ZW_PROGRESS__STATE__S2_GRANT, 6, "asks", 0);
	p.s2_requested = 0x100;
	CHECK(zwm_progress(&m, a, &p) == -1, "s2: bits past a byte refused");
	before = sent;
	CHECK(call("POST", url, "{\"action\":\"grant\",\"classes\":"
	    "[\"s2_access_control\"]}", as, ac) == 409 && sent == before,
	    "s2: a grant with nothing awaited: 409, not sent");
	p = step(1, HD__ZW_PROGRESS__STATE__DONE, 6, "zw:6:0", 0);
	zwm_progress(&m, a, &p);
	p = step(1, HD__ZW_PROGRESS__STATE__S2_GRANT, 6, "asks", 0);
	p.s2_requested = 0x05;
	CHECK(zwm_progress(&m, a, &p) == 0 && a->zw->s2_wait ==
	    HD__ZW_PROGRESS__STATE__S2_GRANT && !a->zw->active &&
	    a->zw->state == HD__ZW_PROGRESS__STATE__DONE,
	    "s2: the grant awaited; the inclusion's own state stays done");
	CHECK(call("GET", url, "", as, "") == 200 && strstr(body,
	    "\"s2\":{\"node\":6,\"waiting\":\"grant\",\"requested\":"
	    "[\"s2_access_control\",\"s2_unauthenticated\"]") != NULL,
	    "s2: GET shows what it asks: %s", body);
	CHECK(call("POST", url, "{\"action\":\"grant\",\"classes\":"
	    "[\"s3\"]}", as, ac) == 400 && call("POST", url,
	    "{\"action\":\"grant\",\"classes\":\"s2_access_control\"}",
	    as, ac) == 400 && sent == before,
	    "s2: an unknown class or not an array: 400, not sent");
	CHECK(call("POST", url, "{\"action\":\"grant\",\"classes\":"
	    "[\"s2_access_control\",\"s0\"]}", as, ac) == 202 &&
	    sent == before + 1 && sent_action ==
	    HD__ZW_INCLUSION__ACTION__GRANT && sent_grant == 0x84 &&
	    sent_pin[0] == '\0', "s2: the grant sent (Access Control and S0 "
	    "through S2: 0x84, no PIN)");
	CHECK(strstr(body, "\"waiting\":\"device\"") != NULL,
	    "s2: then the device's turn");
	p = step(1, HD__ZW_PROGRESS__STATE__S2_PIN, 6, "type", 0);
	p.dsk = (char *)(uintptr_t)"_____-11111-22222-33333-44444-55555-66666-"
	    "77777";
	zwm_progress(&m, a, &p);
	CHECK(call("POST", url, "{\"action\":\"grant\"}", as, ac) == 409 &&
	    call("POST", url, "{\"action\":\"grant\",\"pin\":\"6553\"}",
	    as, ac) == 400 && call("POST", url, "{\"action\":\"grant\","
	    "\"pin\":\"65536\"}", as, ac) == 400 && sent == before + 1,
	    "s2: no PIN 409, 4 digits or past 65535 400, not sent");
	CHECK(call("POST", url, "{\"action\":\"grant\",\"pin\":\"01234\"}",
	    as, ac) == 202 && sent == before + 2 && strcmp(sent_pin,
	    "01234") == 0, "s2: the PIN sent");
	p = step(1, HD__ZW_PROGRESS__STATE__SECURITY, 6, "included WITHOUT "
	    "security: S2 failed", 0);
	p.downgraded = 1;
	zwm_progress(&m, a, &p);
	CHECK(call("GET", url, "", as, "") == 200 && strstr(body,
	    "\"waiting\":\"done\"") != NULL && strstr(body,
	    "\"granted\":[],\"downgraded\":true") != NULL,
	    "s2: the end shows the downgrade");
}

/* The provisioning list: requests checked and sent, the slave's list
 * checked whole before it is kept, shown as it last said. */
static void
test_prov(struct node *a, const char *as, const char *ac)
{
	const char		*url = "/api/v1/zwave/slave-a/provisioning";
	Hd__ZwProvisionEntry	 en = HD__ZW_PROVISION_ENTRY__INIT, *ep[1];
	Hd__ZwProvisionEntry	*many[ZW_PROVISION_MAX + 1];
	Hd__ZwProvisionList	 l = HD__ZW_PROVISION_LIST__INIT;
	int			 i;

	CHECK(call("POST", url, "{\"action\":\"add\"}", as, ac) == 400 &&
	    call("POST", url, "{\"action\":\"remove\",\"qr\":\"9\"}", as,
	    ac) == 400 && sent_prov == 0, "prov: add without qr, remove "
	    "without dsk: 400, not sent");
	CHECK(call("POST", url, "{\"action\":\"add\",\"qr\":\"90 01\"}",
	    as, ac) == 202 && sent_prov == 1 && sent_prov_action ==
	    HD__ZW_PROVISION__ACTION__ADD, "prov: add: 202, sent (the slave "
	    "judges the code)");
	CHECK(call("GET", url, "", as, "") == 200 && sent_prov == 2 &&
	    sent_prov_action == HD__ZW_PROVISION__ACTION__LIST &&
	    strstr(body, "\"heard\":false,\"error\":\"\",\"smartstart\":"
	    "{\"listening\":false,\"blocked\":\"\"},\"entries\":[]") !=
	    NULL, "prov: GET asks the slave again, shows nothing heard yet");
	for (i = 0; i < ZW_PROVISION_MAX + 1; i++)
		many[i] = &en;
	en.dsk = (char *)(uintptr_t)"00001-00002-00003-00004-00005-00006-"
	    "00007-65535";
	en.keys = 0x04;
	en.product_id = 100;
	l.entries = many;
	l.n_entries = ZW_PROVISION_MAX + 1;
	l.error = (char *)(uintptr_t)"";
	CHECK(zwm_provision_list(&m, a, &l) == -1, "prov: a list past "
	    "ZW_PROVISION_MAX is malformed");
	en.product_id = 70000;
	l.n_entries = 1;
	CHECK(zwm_provision_list(&m, a, &l) == -1, "prov: a product id past "
	    "16 bits is malformed");
	en.product_id = 100;
	en.state = 3;
	CHECK(zwm_provision_list(&m, a, &l) == -1, "prov: a SmartStart state "
	    "past failed (2) is malformed");
	en.state = 2;
	en.reason = (char *)(uintptr_t)"gave up after 5 attempts: no node";
	ep[0] = &en;
	l.entries = ep;
	l.error = (char *)(uintptr_t)"wrong checksum (a digit mistyped?)";
	l.smartstart_blocked = (char *)(uintptr_t)"the licence has no "
	    "secure-zwave";
	l.listening = 0;
	CHECK(zwm_provision_list(&m, a, &l) == 0 && call("GET", url, "", as,
	    "") == 200 && strstr(body, "\"error\":\"wrong checksum") != NULL &&
	    strstr(body, "\"dsk\":\"00001-00002-00003-00004-00005-00006-"
	    "00007-65535\",\"requested\":[\"s2_access_control\"]") != NULL,
	    "prov: the list and the refusal as the slave said: %s", body);
	CHECK(strstr(body, "\"state\":\"failed\",\"reason\":\"gave up "
	    "after 5 attempts: no node\"") != NULL && strstr(body,
	    "\"smartstart\":{\"listening\":false,\"blocked\":\"the "
	    "licence has no secure-zwave\"}") != NULL,
	    "prov: SmartStart: each entry's state and why, the licence's word");
	{
		Hd__ZwProgress	p = step(1, HD__ZW_PROGRESS__STATE__INTERVIEWED,
		    9, "", 0);
		int		before = sent_prov;

		zwm_progress(&m, a, &p);
		CHECK(sent_prov == before + 1 && sent_prov_action ==
		    HD__ZW_PROVISION__ACTION__LIST, "prov: a node added: the "
		    "slaves hear the licence's word on SmartStart again");
	}
}

static Hd__Device *
device(const char *id, const uint8_t *cc, size_t ncc, int failed)
{
	Hd__Device *d = calloc(1, sizeof(*d));

	hd__device__init(d);
	d->id = strdup(id);
	d->name = strdup("a name that is rather long, to fill the answer up "
	    "quicker than short names would, as users do write");
	d->interview_pct = 100;
	d->kind = HD__DEVICE_KIND__DEV_BINARY_SENSOR;
	d->command_classes.data = (uint8_t *)(uintptr_t)cc;
	d->command_classes.len = ncc;
	d->failed = failed;
	return d;
}

static void
add_value(struct node *a, const char *dev, const char *key, double d,
    uint64_t t, int stale, int low)
{
	struct value	*v = calloc(1, sizeof(*v));

	snprintf(v->device_id, sizeof(v->device_id), "%s", dev);
	v->key = strdup(key);
	v->v = calloc(1, sizeof(*v->v));
	hd__value__init(v->v);
	v->v->v_case = HD__VALUE__V_D;
	v->v->d = d;
	v->time_ms = t;
	v->stale = stale;
	v->low_battery = low;
	TAILQ_INSERT_TAIL(&a->values, v, entry);
}

static void
free_values(struct node *a)
{
	struct value *v;

	while ((v = TAILQ_FIRST(&a->values)) != NULL) {
		TAILQ_REMOVE(&a->values, v, entry);
		free(v->key);
		free(v->v);
		free(v);
	}
}

static void
test_nodes(struct node *a, const char *as)
{
	static const uint8_t	cc[ZW_MAX_NODE_CCS] = { 0x25, 0x86 };
	Hd__DeviceAnnounce	da = HD__DEVICE_ANNOUNCE__INIT;
	Hd__Device		*d[ZW_MAX_NODES + 3];
	const char		*url = "/api/v1/zwave/slave-a/nodes", *p;
	char			 id[32];
	int			 i, total = 0, from = 1, pages = 0;

	d[0] = device("sim:lamp", NULL, 0, 0);
	d[1] = device("zw:10:0", cc, 2, 1);
	d[2] = device("zw:3:1", cc, 2, 0);		/* an endpoint */
	d[3] = device("zw:2:0", cc, 2, 0);
	d[1]->listening = HD__ZW_LISTENING__ZW_LISTEN_ALWAYS;
	d[3]->listening = HD__ZW_LISTENING__ZW_LISTEN_SLEEPING;
	da.devices = d;
	da.n_devices = 4;
	a->devices = &da;
	/* node 2's battery (low), a report of its endpoint 1 newer than
	 * it, a stale one newer still (not a report heard), and node 20's
	 * battery (not node 2's) */
	add_value(a, "zw:2:0", "battery", 55, 3000, 0, 1);
	add_value(a, "zw:2:1", "on", 1, 5000, 0, 0);
	add_value(a, "zw:2:0", "on", 1, 9000, 1, 0);
	add_value(a, "zw:20:0", "battery", 10, 9500, 0, 1);
	CHECK(call("GET", url, "", as, "") == 200 &&
	    strstr(body, "\"node\":2,\"device\":\"zw:2:0\"") != NULL &&
	    strstr(body, "\"node\":10,") > strstr(body, "\"node\":2,") &&
	    count(body, "\"node\":") == 2, "nodes: only zw:N:0, by id");
	CHECK(strstr(body, "\"failed\":true") != NULL &&
	    strstr(body, "\"command_classes\":[37,134]") != NULL &&
	    strstr(body, "\"security\":\"none\"") != NULL &&
	    strstr(body, "\"kind\":\"binary_sensor\"") != NULL,
	    "nodes: failed flag, classes, security, kind");
	CHECK(strstr(body, "\"listening\":\"sleeping\",\"battery\":55,"
	    "\"low_battery\":true,\"last_report_ms\":5000") != NULL &&
	    strstr(body, "\"listening\":\"always\",\"battery\":null,"
	    "\"low_battery\":false,\"last_report_ms\":null") != NULL,
	    "nodes: listening, battery, low flag, last report (not stale, "
	    "any endpoint, this node's only): %s", body);
	free_values(a);
	snprintf(query, sizeof(query), "from=3");
	CHECK(call("GET", url, "", as, "") == 200 &&
	    count(body, "\"node\":") == 1, "from=3: node 10 only");
	snprintf(query, sizeof(query), "from=0");
	CHECK(call("GET", url, "", as, "") == 400, "from=0: 400");
	for (i = 0; i < 4; i++) {
		free(d[i]->id);
		free(d[i]->name);
		free(d[i]);
	}
	/* Every node with every class: more than one answer holds. */
	for (i = 0; i < ZW_MAX_NODES; i++) {
		snprintf(id, sizeof(id), "zw:%d:0", i + 1);
		d[i] = device(id, cc, ZW_MAX_NODE_CCS, 0);
	}
	da.n_devices = ZW_MAX_NODES;
	for (;;) {
		snprintf(query, sizeof(query), "from=%d", from);
		if (!CHECK(call("GET", url, "", as, "") == 200,
		    "a page from node %d", from))
			break;
		pages++;
		total += count(body, "\"node\":");
		if ((p = strstr(body, "\"next\":")) == NULL)
			break;
		from = atoi(p + 7);
	}
	CHECK(pages > 1 && total == ZW_MAX_NODES,
	    "232 full nodes: %d pages with every node once", pages);
	for (i = 0; i < ZW_MAX_NODES; i++) {
		free(d[i]->id);
		free(d[i]->name);
		free(d[i]);
	}
	query[0] = '\0';
	a->devices = NULL;
}

/* The session token: the Set-Cookie of a login, read by a raw call. */
static Hd__ZwNodeOpResult
op_step(int op, int state, int node, const char *why)
{
	Hd__ZwNodeOpResult r = HD__ZW_NODE_OP_RESULT__INIT;

	r.op = op;
	r.state = state;
	r.node_id = (uint32_t)node;
	r.reason = (char *)(uintptr_t)why;
	return r;
}

/* Node maintenance (zwave_maint.c, api_zwave_maint.c). */
static void
test_maint(struct node *a, const char *as, const char *ac, const char *us,
    const char *uc)
{
	static const char path[] = "/api/v1/zwave/slave-a/maintenance";
	char			 big[ZW_INCL_REASON_MAX + 2];
	uint32_t		 anodes[ZW_MAX_ASSOC_NODES + 1] = { 3, 5 };
	Hd__ZwNodeOpResult	 r;
	int			 i;

	CHECK(zwm_maint_subscribe(&m, mlistener, NULL) == 0,
	    "maintenance: a step subscriber");
	CHECK(call("POST", path, "{\"op\":\"ping\",\"node\":5}", us, uc) ==
	    403, "maintenance: a user gets 403");
	CHECK(call("POST", path, "{\"op\":\"ping\"}", as, ac) == 400,
	    "maintenance: ping without a node: 400");
	CHECK(call("POST", path, "{\"op\":\"dance\",\"node\":5}", as, ac) ==
	    400, "maintenance: an unknown op: 400");
	CHECK(call("POST", "/api/v1/zwave/slave-b/maintenance",
	    "{\"op\":\"ping\",\"node\":5}", as, ac) == 409,
	    "maintenance: an offline slave: 409");
	CHECK(call("POST", path, "{\"op\":\"ping\",\"node\":5}", as, ac) ==
	    202 && sent_op == HD__ZW_NODE_OP__OP__PING && sent_op_node == 5 &&
	    strstr(body, "\"active\":true") != NULL &&
	    strstr(body, "\"state\":\"requested\"") != NULL,
	    "maintenance: ping sent, requested");
	CHECK(mheard == 1 && mheard_state == ZWM_MAINT_REQUESTED &&
	    mheard_op == HD__ZW_NODE_OP__OP__PING,
	    "maintenance: the requested step is told to the subscriber");
	CHECK(call("POST", path, "{\"op\":\"heal\"}", as, ac) == 409,
	    "maintenance: a second operation meanwhile: 409");
	r = op_step(HD__ZW_NODE_OP__OP__PING, 77, 5, "");
	CHECK(zwm_maint_result(&m, a, &r) == -1 && mheard == 1,
	    "result: unknown state (and not told)");
	r = op_step(HD__ZW_NODE_OP__OP__PING, HD__ZW_NODE_OP_RESULT__STATE__DONE,
	    233, "");
	CHECK(zwm_maint_result(&m, a, &r) == -1, "result: node 233");
	r.node_id = 5;
	r.repeaters = 5;
	CHECK(zwm_maint_result(&m, a, &r) == -1, "result: 5 repeaters");
	r.repeaters = 0;
	r.done = 3;
	r.total = 2;
	CHECK(zwm_maint_result(&m, a, &r) == -1, "result: done past total");
	r.done = r.total = 0;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	r.reason = big;
	CHECK(zwm_maint_result(&m, a, &r) == -1, "result: long reason");
	r.reason = (char *)(uintptr_t)"";
	r.have_assoc = 1;
	r.assoc_nodes = anodes;
	r.n_assoc_nodes = 2;
	anodes[1] = 233;
	CHECK(zwm_maint_result(&m, a, &r) == -1,
	    "result: a group naming node 233");
	anodes[1] = 0;
	CHECK(zwm_maint_result(&m, a, &r) == -1,
	    "result: a group naming node 0");
	anodes[1] = 5;
	r.n_assoc_nodes = ZW_MAX_ASSOC_NODES + 1;
	CHECK(zwm_maint_result(&m, a, &r) == -1,
	    "result: a group past ZW_MAX_ASSOC_NODES");
	r.n_assoc_nodes = 0;
	r.assoc_nodes = NULL;
	r.have_assoc = 0;
	r.reason = (char *)(uintptr_t)"acknowledged in 41 ms";
	r.rtt_ms = 41;
	r.have_route = 1;
	r.route_ms = 30;
	r.repeaters = 1;
	r.rssi_dbm = -60;
	CHECK(zwm_maint_result(&m, a, &r) == 0 &&
	    call("GET", path, "", as, ac) == 200 &&
	    strstr(body, "\"active\":false") != NULL &&
	    strstr(body, "\"last\":{") != NULL &&
	    strstr(body, "\"rtt_ms\":41,\"tx_status\":0,\"route_ms\":30,"
	    "\"repeaters\":1,\"rssi_dbm\":-60") != NULL,
	    "result: a ping's figures shown, the operation ended");
	r = op_step(HD__ZW_NODE_OP__OP__ASSOC_SET,
	    HD__ZW_NODE_OP_RESULT__STATE__DONE, 7, "node 5 added");
	r.param = 2;
	r.have_assoc = 1;
	r.assoc_nodes = anodes;
	r.n_assoc_nodes = 2;
	r.assoc_max = 4;
	r.assoc_groups = 3;
	CHECK(zwm_maint_result(&m, a, &r) == 0 &&
	    call("GET", path, "", as, ac) == 200 &&
	    strstr(body, "\"op\":\"assoc_set\",\"state\":\"done\",\"node\":7,"
	    "\"reason\":\"node 5 added\",\"group\":2,\"max\":4,"
	    "\"nodes\":[3,5],\"groups\":3") != NULL,
	    "result: an association group shown with its nodes");
	for (i = 0; i < 3 * ZW_MAINT_HISTORY; i++) {
		r = op_step(HD__ZW_NODE_OP__OP__HEAL,
		    HD__ZW_NODE_OP_RESULT__STATE__PROGRESS, 2, "ok");
		r.done = 1;
		r.total = 2;
		zwm_maint_result(&m, a, &r);
	}
	CHECK(call("GET", path, "", as, ac) == 200 &&
	    count(body, "\"time_ms\"") == ZW_MAINT_HISTORY + 1 &&
	    strstr(body, "\"active\":true") != NULL,
	    "history: the last ZW_MAINT_HISTORY steps (and the last one)");
	i = mheard;
	zwm_maint_restarted(&m, a);
	CHECK(mheard == i + 1 && mheard_state ==
	    HD__ZW_NODE_OP_RESULT__STATE__FAILED,
	    "maintenance: the end by a restart is told to the subscriber");
	CHECK(call("GET", path, "", as, ac) == 200 &&
	    strstr(body, "\"active\":false") != NULL &&
	    strstr(body, "\"reason\":\"the slave restarted\"") != NULL,
	    "a slave restart ends the operation under way");
	/* A sleeping node's ping: queued ends it for the master, so that
	 * another operation may be asked while the node sleeps. */
	CHECK(call("POST", path, "{\"op\":\"ping\",\"node\":9}", as, ac) ==
	    202, "maintenance: a ping to a sleeping node sent");
	r = op_step(HD__ZW_NODE_OP__OP__PING,
	    HD__ZW_NODE_OP_RESULT__STATE__QUEUED, 9,
	    "the node sleeps: run at its next wake-up");
	CHECK(zwm_maint_result(&m, a, &r) == 0 &&
	    call("GET", path, "", as, ac) == 200 &&
	    strstr(body, "\"active\":false") != NULL &&
	    strstr(body, "\"state\":\"queued\"") != NULL,
	    "result: queued, shown so, the operation ended for the master");
	CHECK(call("POST", path, "{\"op\":\"ping\",\"node\":5}", as, ac) ==
	    202, "maintenance: another operation meanwhile: 202");
	CHECK(call("POST", path, "{\"op\":\"assoc_get\",\"node\":7}", as,
	    ac) == 400 && call("POST", path, "{\"op\":\"assoc_set\","
	    "\"node\":7,\"group\":2,\"target\":233}", as, ac) == 400 &&
	    call("POST", path, "{\"op\":\"assoc_remove\",\"node\":7,"
	    "\"group\":256,\"target\":3}", as, ac) == 400,
	    "maintenance: association without a group, a node out of range: "
	    "400");
}

int
main(void)
{
	char		 dir[] = "/tmp/hd-test-zwm.XXXXXX";
	char		 as[SESSION_TOKEN_HEX + 1], ac[SESSION_TOKEN_HEX + 1];
	char		 us[SESSION_TOKEN_HEX + 1], uc[SESSION_TOKEN_HEX + 1];
	struct node	*a;

	if (zwf_start(dir, as, ac, us, uc) == -1)
		return check_done();
	a = a_node = zwf_add_node("slave-a", 1, 0);
	zwf_add_node("slave-b", 0, 0);
	test_routes(as, ac, us, uc);
	test_s2(a_node, as, ac);
	test_prov(a_node, as, ac);
	test_maint(a_node, as, ac, us, uc);
	zwm_node_free(a);
	test_progress(a);
	test_nodes(a, as);
	zwf_done(dir);
	return check_done();
}
