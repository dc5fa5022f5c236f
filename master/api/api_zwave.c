/*
 * The Z-Wave routes of the API (docs/API.md, "Z-Wave"), admin only:
 *
 *	POST /api/v1/zwave/SLAVE/inclusion	{"action":"include"|"exclude"
 *						 |"stop", "timeout":SECONDS}
 *	GET  /api/v1/zwave/SLAVE/inclusion	state, progress, node ids
 *	GET  /api/v1/zwave/SLAVE/nodes		the slave's Z-Wave nodes
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
				 4 * ZW_MAX_NODE_CCS + 256)

static struct node *
slave_of(struct api_call *c)
{
	struct master	*m = c->ctx;
	struct node	*n;

	if ((n = node_get(m, c->arg[0], 0)) == NULL)
		api_refuse(c, 404, "not_found", "no such slave");
	return n;
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
	jw_close(&c->w, '}');
}

static void
inclusion_get(struct api_call *c)
{
	struct node *n;

	if ((n = slave_of(c)) == NULL)
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

static void
inclusion_post(struct api_call *c)
{
	static const char *const fields[] = { "action", "timeout", NULL };
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
		    "action: include, exclude or stop");
		return;
	}
	if ((n = slave_of(c)) == NULL || (a ==
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

static void
write_node(struct jw *w, int id, const Hd__Device *d)
{
	char	kind[32];
	size_t	i;

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

	if ((n = slave_of(c)) == NULL)
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
			write_node(&c->w, id, d);
		}
	jw_close(&c->w, ']');
	if (next != 0) {
		jw_key(&c->w, "next");
		jw_int(&c->w, next);
	}
	jw_close(&c->w, '}');
	api_reply(c, 200);
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
	};

	if (api_add_routes(m->api, routes,
	    (int)(sizeof(routes) / sizeof(routes[0])), m) == -1)
		return -1;
	return api_zwave_maint_routes(m);
}
