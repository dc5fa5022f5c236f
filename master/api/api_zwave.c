/*
 * The Z-Wave routes of the API (docs/API.md, "Z-Wave"), admin only:
 *
 *	POST /api/v1/zwave/SLAVE/inclusion	{"action":"include"|"exclude"
 *						 |"stop", "timeout":SECONDS}
 *						 {"action":"grant","classes":
 *						 ["s2_access_control",...]}
 *						 {"action":"grant","pin":"12345"}
 *	GET  /api/v1/zwave/SLAVE/inclusion	state, progress, node ids
 *	GET  /api/v1/zwave/SLAVE/nodes		the slave's Z-Wave nodes
 *	GET  /api/v1/zwave/SLAVE/provisioning	its S2 provisioning list
 *	POST /api/v1/zwave/SLAVE/provisioning	{"action":"add","qr":"90..."}
 *						 {"action":"remove","dsk":"..."}
 *
 * SLAVE is the slave's node id (its certificate's common name).
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/api_dash.h"
#include "cluster/cluster.h"
#include "licence/licence.h"
#include "log.h"
#include "master.h"
#include "zwave/zwave.h"

/* The most one node's entry in the node list can take. */
#define ZW_API_NODE_MAX_BYTES	(2 * DEVICE_ID_MAX + 4 * DEVICE_TEXT_MAX + \
				 4 * ZW_MAX_NODE_CCS + 384)

struct node *
api_zw_slave(struct api_call *c)
{
	struct master	*m = c->ctx;
	struct node	*n;

	if ((n = node_get(m, c->arg[0], 0)) == NULL)
		api_refuse(c, 404, "not_found", "no such slave");
	return n;
}

/* The S2 classes by name, in KEX keys bits (zw_s2.h's order). */
static const struct {
	const char	*name;
	uint32_t	 bit;
} s2_classes[] = {
	{ "s2_unauthenticated", 0x01 },
	{ "s2_authenticated", 0x02 },
	{ "s2_access_control", 0x04 },
	{ "s0", 0x80 },
};

/* Strongest S2 class first, S0 last. */
static void
write_classes(struct jw *w, uint32_t bits)
{
	static const int order[] = { 2, 1, 0, 3 };
	size_t i;

	jw_open(w, '[');
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (bits & s2_classes[order[i]].bit)
			jw_str(w, s2_classes[order[i]].name);
	jw_close(w, ']');
}

/* The S2 bootstrapping of the node just added: what it asks, whose turn
 * it is (the user's: "grant" or "pin"), and how it ended. */
static void
write_s2(struct jw *w, const struct zwm_slave *z)
{
	jw_key(w, "s2");
	jw_open(w, '{');
	jw_key(w, "node");
	jw_int(w, z->s2_node);
	jw_key(w, "waiting");
	jw_str(w, z->s2_wait == HD__ZW_PROGRESS__STATE__S2_GRANT ? "grant" :
	    z->s2_wait == HD__ZW_PROGRESS__STATE__S2_PIN ? "pin" :
	    z->s2_done ? "done" : z->s2_node != 0 ? "device" : "none");
	jw_key(w, "requested");
	write_classes(w, z->s2_requested);
	jw_key(w, "dsk");
	jw_str(w, z->dsk);
	jw_key(w, "granted");
	write_classes(w, z->s2_granted);
	jw_key(w, "downgraded");
	jw_bool(w, z->s2_downgraded);
	jw_key(w, "reason");
	jw_str(w, z->s2_reason);
	jw_close(w, '}');
}

static void
write_state(struct api_call *c, struct node *n)
{
	struct zwm_slave	*z = zwm_slave(n);
	const struct zwm_step	*st;
	uint64_t		 now = ev_clock_ms();
	int			 i;

	if (z == NULL) {
		api_refuse(c, 500, "internal", "out of memory");
		return;
	}
	jw_open(&c->w, '{');
	jw_key(&c->w, "slave");
	jw_str(&c->w, n->id);
	jw_key(&c->w, "online");
	jw_bool(&c->w, n->peer != NULL);
	jw_key(&c->w, "active");
	jw_bool(&c->w, z->active);
	jw_key(&c->w, "action");
	jw_str(&c->w, z->active ? zwm_action_name(z->action) : "none");
	jw_key(&c->w, "state");
	jw_str(&c->w, zwm_state_name(z->state, z->action));
	jw_key(&c->w, "node");
	jw_int(&c->w, z->node);
	jw_key(&c->w, "time_left_ms");
	jw_uint(&c->w, z->active && z->deadline > now ? z->deadline - now : 0);
	jw_key(&c->w, "nodes");
	jw_open(&c->w, '[');
	for (i = 0; i < z->nnodes; i++)
		jw_int(&c->w, z->nodes[i]);
	jw_close(&c->w, ']');
	jw_key(&c->w, "progress");
	jw_open(&c->w, '[');
	for (i = 0; i < z->nhist; i++) {
		st = &z->hist[(z->hfirst + i) % ZW_INCL_HISTORY];
		jw_open(&c->w, '{');
		jw_key(&c->w, "time_ms");
		jw_uint(&c->w, st->time_ms);
		jw_key(&c->w, "action");
		jw_str(&c->w, zwm_action_name(st->action));
		jw_key(&c->w, "state");
		jw_str(&c->w, zwm_state_name(st->state, st->action));
		jw_key(&c->w, "node");
		jw_int(&c->w, st->node);
		jw_key(&c->w, "reason");
		jw_str(&c->w, st->reason);
		jw_close(&c->w, '}');
	}
	jw_close(&c->w, ']');
	write_s2(&c->w, z);
	jw_close(&c->w, '}');
}

static void
inclusion_get(struct api_call *c)
{
	struct node *n;

	if ((n = api_zw_slave(c)) == NULL)
		return;
	write_state(c, n);
	api_reply(c, 200);
}

static int
parse_action(const char *s, Hd__ZwInclusion__Action *a)
{
	if (strcmp(s, "include") == 0)
		*a = HD__ZW_INCLUSION__ACTION__INCLUDE;
	else if (strcmp(s, "exclude") == 0)
		*a = HD__ZW_INCLUSION__ACTION__EXCLUDE;
	else if (strcmp(s, "stop") == 0)
		*a = HD__ZW_INCLUSION__ACTION__STOP;
	else if (strcmp(s, "grant") == 0)
		*a = HD__ZW_INCLUSION__ACTION__GRANT;
	else
		return -1;
	return 0;
}

static int	 zw_node_of(const char *);

/* Z-Wave nodes on all slaves: devices "zw:N:0". */
static int
zw_node_count(struct master *m)
{
	struct node	*n;
	size_t		 i;
	int		 count = 0;

	TAILQ_FOREACH(n, &m->nodes, entry)
		for (i = 0; n->devices != NULL && i < n->devices->n_devices;
		    i++)
			count += zw_node_of(n->devices->devices[i]->id) > 0;
	return count;
}

/* Why the licence lets no slave include a device on its own now
 * (SmartStart), into why[]; "" when it does. */
static void
ss_blocked(struct master *m, char *why, size_t size)
{
	int limit, have;

	why[0] = '\0';
	if (m->licence == NULL)		/* unit tests without licences */
		return;
	if (!licence_allows(m->licence, LICENCE_F_SECURE_ZWAVE))
		snprintf(why, size, "the licence has no secure-zwave "
		    "(SmartStart includes with S2 only)");
	else if ((limit = licence_zwave_limit(m->licence)) >= 0 &&
	    (have = zw_node_count(m)) >= limit)
		snprintf(why, size, "the licence allows %d Z-Wave nodes and "
		    "%d are included", limit, have);
}

/* -1 after a 403 when the licence's Z-Wave node limit is reached. */
static int
licence_full(struct api_call *c)
{
	struct master	*m = c->ctx;
	int		 limit, have;
	char		 why[96];

	if (m->licence == NULL)		/* unit tests without licences */
		return 0;
	limit = licence_zwave_limit(m->licence);
	if (limit < 0 || (have = zw_node_count(m)) < limit)
		return 0;
	snprintf(why, sizeof(why), "the licence allows %d Z-Wave nodes and "
	    "%d are included", limit, have);
	/* Logged: the user sees the reason, the admin should see it too. */
	log_info("api: %s may not include a Z-Wave node: %s", c->user->name,
	    why);
	api_refuse(c, 403, "licence_limit", why);
	return -1;
}

/* "classes": an array of S2 class names; 0 or -1 after a 400. */
static int
parse_classes(struct api_call *c, uint32_t *bits)
{
	char	name[32];
	int	t, i, k;
	size_t	j;

	*bits = 0;
	if ((t = json_find(&c->doc, 0, "classes")) == -1)
		return 0;
	if (c->doc.tok[t].type != JSON_ARRAY || c->doc.tok[t].size > 4)
		goto bad;
	for (i = 0, k = t + 1; i < (int)c->doc.tok[t].size; i++,
	    k = (int)c->doc.tok[k].next) {
		if (c->doc.tok[k].type != JSON_STRING ||
		    json_str(&c->doc, k, name, sizeof(name)) == -1)
			goto bad;
		/* S0 too: given through S2 beside S2 classes it asks. */
		for (j = 0; j < 4; j++)
			if (strcmp(name, s2_classes[j].name) == 0)
				break;
		if (j == 4)
			goto bad;
		*bits |= s2_classes[j].bit;
	}
	return 0;
bad:
	api_refuse(c, 400, "bad_request", "classes: an array of "
	    "s2_access_control, s2_authenticated, s2_unauthenticated, s0");
	return -1;
}

/* {"action":"grant"}: the user's S2 classes, or the device's PIN. */
static void
grant_post(struct api_call *c, struct node *n)
{
	uint32_t	 bits;
	char		 pin[8] = "";
	const char	*why;

	if (parse_classes(c, &bits) == -1)
		return;
	if (json_get_str(&c->doc, 0, "pin", 0, pin, sizeof(pin)) == -1 ||
	    (pin[0] != '\0' && (strlen(pin) != 5 ||
	    strspn(pin, "0123456789") != 5 || atoi(pin) > 65535))) {
		api_refuse(c, 400, "bad_request", "pin: the 5 digits of the "
		    "device's DSK (its first group), 00000 to 65535");
		return;
	}
	if (zwm_grant(c->ctx, n, bits, pin, c->user->name, &why) == -1) {
		api_refuse(c, 409, "conflict", why);
		return;
	}
	write_state(c, n);
	api_reply(c, 202);
}

static void
inclusion_post(struct api_call *c)
{
	static const char *const fields[] = { "action", "timeout", "classes",
	    "pin", NULL };
	Hd__ZwInclusion__Action	 a;
	struct node		*n;
	const char		*why;
	char			 action[16];
	int64_t			 secs = 0;

	if (api_body(c, fields) == -1)
		return;
	if (json_get_str(&c->doc, 0, "action", 1, action, sizeof(action)) ==
	    -1 || json_get_int(&c->doc, 0, "timeout", 0,
	    ZW_INCL_MIN_TIMEOUT_MS / 1000, ZW_INCLUSION_TIMEOUT_MS / 1000,
	    &secs) == -1) {
		api_refuse(c, 400, "bad_request", c->doc.err);
		return;
	}
	if (parse_action(action, &a) == -1) {
		api_refuse(c, 400, "bad_request",
		    "action: include, exclude, stop or grant");
		return;
	}
	if (a == HD__ZW_INCLUSION__ACTION__GRANT) {
		if ((n = api_zw_slave(c)) != NULL)
			grant_post(c, n);
		return;
	}
	if ((n = api_zw_slave(c)) == NULL || (a ==
	    HD__ZW_INCLUSION__ACTION__INCLUDE && licence_full(c) == -1))
		return;
	if (zwm_request(c->ctx, n, a, (uint32_t)secs * 1000, c->user->name,
	    &why) == -1) {
		api_refuse(c, 409, "conflict", why);
		return;
	}
	write_state(c, n);
	api_reply(c, 202);
}

static const char *
security_name(Hd__Security s)
{
	switch (s) {
	case HD__SECURITY__SEC_S0:
		return "s0";
	case HD__SECURITY__SEC_S2_UNAUTHENTICATED:
		return "s2_unauthenticated";
	case HD__SECURITY__SEC_S2_AUTHENTICATED:
		return "s2_authenticated";
	case HD__SECURITY__SEC_S2_ACCESS_CONTROL:
		return "s2_access_control";
	default:
		return "none";
	}
}

/* "DEV_BINARY_SENSOR" -> "binary_sensor". */
static void
kind_name(Hd__DeviceKind k, char *out, size_t size)
{
	const ProtobufCEnumValue	*v;
	size_t				 i;

	v = protobuf_c_enum_descriptor_get_value(&hd__device_kind__descriptor,
	    (int)k);
	snprintf(out, size, "%s", v != NULL && strncmp(v->name, "DEV_", 4) ==
	    0 ? v->name + 4 : "unknown");
	for (i = 0; out[i] != '\0'; i++)
		if (out[i] >= 'A' && out[i] <= 'Z')
			out[i] = (char)(out[i] - 'A' + 'a');
}

static const char *
listening_name(Hd__ZwListening l)
{
	switch (l) {
	case HD__ZW_LISTENING__ZW_LISTEN_ALWAYS:
		return "always";
	case HD__ZW_LISTENING__ZW_LISTEN_FLIRS:
		return "flirs";
	case HD__ZW_LISTENING__ZW_LISTEN_SLEEPING:
		return "sleeping";
	default:
		return NULL;
	}
}

/* "zw:NODE:" starts the id of the node's devices (any endpoint). */
static int
of_node(const char *dev, const char *prefix, size_t plen)
{
	return strncmp(dev, prefix, plen) == 0;
}

/*
 * What the node's values say about it: its Battery level (endpoint 0),
 * a low-battery flag on any of its values, and the newest report time
 * of a value neither stale nor faulty (a slave that reconnects sends
 * every value again: that counts as a report too).
 */
static void
write_health(struct jw *w, const struct node *n, int id)
{
	const struct value	*v, *bat = NULL;
	char			 prefix[24], dev0[24];
	uint64_t		 last = 0;
	size_t			 plen;
	int			 low = 0;

	plen = (size_t)snprintf(prefix, sizeof(prefix), "zw:%d:", id);
	snprintf(dev0, sizeof(dev0), "zw:%d:0", id);
	TAILQ_FOREACH(v, &n->values, entry) {
		if (!of_node(v->device_id, prefix, plen))
			continue;
		if (strcmp(v->device_id, dev0) == 0 &&
		    strcmp(v->key, "battery") == 0)
			bat = v;
		low |= v->low_battery;
		if (!v->stale && !v->fault && v->time_ms > last)
			last = v->time_ms;
	}
	jw_key(w, "battery");
	if (bat != NULL && bat->v != NULL && bat->v->v_case == HD__VALUE__V_D)
		jw_double(w, bat->v->d);
	else if (bat != NULL && bat->v != NULL &&
	    bat->v->v_case == HD__VALUE__V_I)
		jw_int(w, bat->v->i);
	else
		jw_null(w);
	jw_key(w, "low_battery");
	jw_bool(w, low);
	jw_key(w, "last_report_ms");
	if (last != 0)
		jw_uint(w, last);
	else
		jw_null(w);
}

static void
write_node(struct jw *w, const struct node *n, int id, const Hd__Device *d)
{
	const char	*lis;
	char		 kind[32];
	size_t		 i;

	jw_open(w, '{');
	jw_key(w, "node");
	jw_int(w, id);
	jw_key(w, "device");
	jw_str(w, d->id);
	jw_key(w, "name");
	jw_str(w, d->name);
	kind_name(d->kind, kind, sizeof(kind));
	jw_key(w, "kind");
	jw_str(w, kind);
	jw_key(w, "interview_pct");
	jw_uint(w, d->interview_pct);
	jw_key(w, "interviewed");
	jw_bool(w, d->interview_pct >= 100);
	jw_key(w, "security");
	jw_str(w, security_name(d->security));
	jw_key(w, "failed");
	jw_bool(w, d->failed);
	jw_key(w, "listening");
	if ((lis = listening_name(d->listening)) != NULL)
		jw_str(w, lis);
	else
		jw_null(w);
	write_health(w, n, id);
	jw_key(w, "manufacturer");
	jw_str(w, d->manufacturer);
	jw_key(w, "model");
	jw_str(w, d->model);
	jw_key(w, "command_classes");
	jw_open(w, '[');
	for (i = 0; i < d->command_classes.len; i++)
		jw_int(w, d->command_classes.data[i]);
	jw_close(w, ']');
	jw_close(w, '}');
}

/* "zw:NODE:0": the node id, or 0 for another device or endpoint. */
static int
zw_node_of(const char *id)
{
	char	*end;
	long	 v;

	if (strncmp(id, "zw:", 3) != 0)
		return 0;
	v = strtol(id + 3, &end, 10);
	if (end == id + 3 || strcmp(end, ":0") != 0 || v < 1 ||
	    v > ZW_MAX_NODES)
		return 0;
	return (int)v;
}

/*
 * The nodes, by id; ?from=N starts at node N. An answer that would not
 * fit API_MAX_RESPONSE ends early with "next": the id to ask from.
 */
static void
nodes_get(struct api_call *c)
{
	struct node	*n;
	const Hd__Device *d;
	char		 q[8];
	int		 id, from = 1, next = 0;
	size_t		 i;

	if ((n = api_zw_slave(c)) == NULL)
		return;
	if (api_query(c, "from", q, sizeof(q)) != -1 &&
	    ((from = atoi(q)) < 1 || from > ZW_MAX_NODES)) {
		api_refuse(c, 400, "bad_request", "from: a node id, 1..232");
		return;
	}
	jw_open(&c->w, '{');
	jw_key(&c->w, "slave");
	jw_str(&c->w, n->id);
	jw_key(&c->w, "nodes");
	jw_open(&c->w, '[');
	for (id = from; id <= ZW_MAX_NODES && next == 0; id++)
		for (i = 0; n->devices != NULL && i < n->devices->n_devices;
		    i++) {
			d = n->devices->devices[i];
			if (zw_node_of(d->id) != id)
				continue;
			if (c->w.len + ZW_API_NODE_MAX_BYTES >
			    API_MAX_RESPONSE) {
				next = id;
				break;
			}
			write_node(&c->w, n, id, d);
		}
	jw_close(&c->w, ']');
	if (next != 0) {
		jw_key(&c->w, "next");
		jw_int(&c->w, next);
	}
	jw_close(&c->w, '}');
	api_reply(c, 200);
}

/* --- the S2 provisioning list ------------------------------------------ */

static void
write_prov(struct api_call *c, struct node *n)
{
	struct zwm_slave	*z = zwm_slave(n);
	const struct zwm_prov	*p;
	int			 i;

	if (z == NULL) {
		api_refuse(c, 500, "internal", "out of memory");
		return;
	}
	jw_open(&c->w, '{');
	jw_key(&c->w, "slave");
	jw_str(&c->w, n->id);
	jw_key(&c->w, "heard");
	jw_bool(&c->w, z->prov_heard);
	jw_key(&c->w, "error");
	jw_str(&c->w, z->prov_error);
	jw_key(&c->w, "smartstart");
	jw_open(&c->w, '{');
	jw_key(&c->w, "listening");
	jw_bool(&c->w, z->ss_listening);
	jw_key(&c->w, "blocked");
	jw_str(&c->w, z->ss_blocked);
	jw_close(&c->w, '}');
	jw_key(&c->w, "entries");
	jw_open(&c->w, '[');
	for (i = 0; i < z->nprov; i++) {
		p = &z->prov[i];
		jw_open(&c->w, '{');
		jw_key(&c->w, "dsk");
		jw_str(&c->w, p->dsk);
		jw_key(&c->w, "requested");
		write_classes(&c->w, p->keys);
		jw_key(&c->w, "smartstart");
		jw_bool(&c->w, p->smartstart);
		jw_key(&c->w, "generic");
		jw_uint(&c->w, p->generic);
		jw_key(&c->w, "specific");
		jw_uint(&c->w, p->specific);
		jw_key(&c->w, "manufacturer");
		jw_uint(&c->w, p->manufacturer);
		jw_key(&c->w, "product_type");
		jw_uint(&c->w, p->product_type);
		jw_key(&c->w, "product_id");
		jw_uint(&c->w, p->product_id);
		jw_key(&c->w, "node");
		jw_uint(&c->w, p->node);
		jw_key(&c->w, "state");
		jw_str(&c->w, p->state == 1 ? "included" : p->state == 2 ?
		    "failed" : "pending");
		jw_key(&c->w, "reason");
		jw_str(&c->w, p->reason);
		jw_close(&c->w, '}');
	}
	jw_close(&c->w, ']');
	jw_close(&c->w, '}');
}

/* The list as last heard; the slave is asked again meanwhile. */
static void
prov_get(struct api_call *c)
{
	struct node	*n;
	const char	*why;
	char		 blocked[ZW_INCL_REASON_MAX + 1];

	if ((n = api_zw_slave(c)) == NULL)
		return;
	ss_blocked(c->ctx, blocked, sizeof(blocked));
	zwm_provision(c->ctx, n, HD__ZW_PROVISION__ACTION__LIST, "", "",
	    blocked, c->user->name, &why);
	write_prov(c, n);
	api_reply(c, 200);
}

static void
prov_post(struct api_call *c)
{
	static const char *const fields[] = { "action", "qr", "dsk", NULL };
	Hd__ZwProvision__Action	 a;
	struct node		*n;
	const char		*why;
	char			 action[16], qr[ZW_QR_TEXT_MAX + 1] = "";
	char			 dsk[ZWM_DSK_MAX + 1] = "";
	char			 blocked[ZW_INCL_REASON_MAX + 1];

	if (api_body(c, fields) == -1)
		return;
	if (json_get_str(&c->doc, 0, "action", 1, action, sizeof(action)) ==
	    -1 || json_get_str(&c->doc, 0, "qr", 0, qr, sizeof(qr)) == -1 ||
	    json_get_str(&c->doc, 0, "dsk", 0, dsk, sizeof(dsk)) == -1) {
		api_refuse(c, 400, "bad_request", c->doc.err);
		return;
	}
	if (strcmp(action, "add") == 0 && qr[0] != '\0')
		a = HD__ZW_PROVISION__ACTION__ADD;
	else if (strcmp(action, "remove") == 0 && dsk[0] != '\0')
		a = HD__ZW_PROVISION__ACTION__REMOVE;
	else {
		api_refuse(c, 400, "bad_request", "action: add with qr, or "
		    "remove with dsk");
		return;
	}
	if ((n = api_zw_slave(c)) == NULL)
		return;
	ss_blocked(c->ctx, blocked, sizeof(blocked));
	if (zwm_provision(c->ctx, n, a, qr, dsk, blocked, c->user->name,
	    &why) == -1) {
		api_refuse(c, 409, "conflict", why);
		return;
	}
	write_prov(c, n);
	api_reply(c, 202);
}

/*
 * A node added or removed changes the licence's word on SmartStart (the
 * node limit): every slave with a Z-Wave state hears the new word, so a
 * slave stops including on its own once the limit is reached, and may
 * again after an exclusion.
 */
static void
ss_progress(void *arg, const struct node *from, const Hd__ZwProgress *p)
{
	struct master	*m = arg;
	struct node	*n;
	const char	*why;
	char		 blocked[ZW_INCL_REASON_MAX + 1];

	(void)from;
	if (!(p->state == HD__ZW_PROGRESS__STATE__INTERVIEWED ||
	    (p->state == HD__ZW_PROGRESS__STATE__DONE &&
	    p->action == HD__ZW_INCLUSION__ACTION__EXCLUDE)))
		return;
	ss_blocked(m, blocked, sizeof(blocked));
	TAILQ_FOREACH(n, &m->nodes, entry)
		if (n->zw != NULL && n->zw->prov_heard)
			zwm_provision(m, n, HD__ZW_PROVISION__ACTION__LIST, "",
			    "", blocked, "the licence", &why);
}

int
api_zwave_routes(struct master *m)
{
	static const struct api_route routes[] = {
		{ "POST", "/api/v1/zwave/*/inclusion", API_ADMIN,
		    inclusion_post },
		{ "GET", "/api/v1/zwave/*/inclusion", API_ADMIN,
		    inclusion_get },
		{ "GET", "/api/v1/zwave/*/nodes", API_ADMIN, nodes_get },
		{ "GET", "/api/v1/zwave/*/provisioning", API_ADMIN, prov_get },
		{ "POST", "/api/v1/zwave/*/provisioning", API_ADMIN,
		    prov_post },
	};

	if (api_add_routes(m->api, routes,
	    (int)(sizeof(routes) / sizeof(routes[0])), m) == -1)
		return -1;
	if (m->zw != NULL && zwm_subscribe(m, ss_progress, m) == -1)
		return -1;
	if (api_zwave_maint_routes(m) == -1)
		return -1;
	return api_zwave_nvm_routes(m);
}
