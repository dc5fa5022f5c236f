/*
 * Z-Wave node maintenance routes (docs/API.md, "Z-Wave node
 * maintenance"), admin only:
 *
 *	POST /api/v1/zwave/SLAVE/maintenance	{"op":"ping"|"remove_failed"
 *						 |"replace_failed"|"heal"
 *						 |"config_get"|"config_set"
 *						 |"assoc_get"|"assoc_set"
 *						 |"assoc_remove"
 *						 |"stop", "node":N,
 *						 "param":P, "value":V,
 *						 "group":G, "target":T}
 *	GET  /api/v1/zwave/SLAVE/maintenance	state, last steps
 */

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/api_dash.h"
#include "cluster/cluster.h"
#include "log.h"
#include "master.h"
#include "zwave/zwave.h"

/* ASSOC_*: the group as the node's report told it. */
static void
assoc_json(struct jw *w, const struct zwm_mstep *st)
{
	int i;

	jw_key(w, "group");
	jw_uint(w, st->param);
	jw_key(w, "max");
	jw_uint(w, st->assoc_max);
	jw_key(w, "nodes");
	jw_open(w, '[');
	for (i = 0; i < st->nassoc; i++)
		jw_int(w, st->assoc[i]);
	jw_close(w, ']');
}

void
api_zw_mstep_json(struct jw *w, const char *slave, const struct zwm_mstep *st)
{
	jw_open(w, '{');
	if (slave != NULL) {
		jw_key(w, "slave");
		jw_str(w, slave);
	}
	jw_key(w, "time_ms");
	jw_uint(w, st->time_ms);
	jw_key(w, "op");
	jw_str(w, zwm_maint_op_name(st->op));
	jw_key(w, "state");
	jw_str(w, zwm_maint_state_name(st->state));
	jw_key(w, "node");
	jw_int(w, st->node);
	jw_key(w, "reason");
	jw_str(w, st->reason);
	if ((st->op == HD__ZW_NODE_OP__OP__CONFIG_GET ||
	    st->op == HD__ZW_NODE_OP__OP__CONFIG_SET) && st->param != 0 &&
	    st->state != ZWM_MAINT_REQUESTED) {
		jw_key(w, "param");
		jw_uint(w, st->param);
		if (st->size != 0) {
			jw_key(w, "value");
			jw_int(w, st->value);
			jw_key(w, "size");
			jw_uint(w, st->size);
		}
		if (st->have_range) {
			jw_key(w, "min");
			jw_int(w, st->min);
			jw_key(w, "max");
			jw_int(w, st->max);
			jw_key(w, "default");
			jw_int(w, st->dflt);
		}
		if (st->name[0] != '\0') {
			jw_key(w, "name");
			jw_str(w, st->name);
		}
	}
	if (st->have_assoc)
		assoc_json(w, st);
	if (st->have_assoc && st->name[0] != '\0') {
		jw_key(w, "name");
		jw_str(w, st->name);
	}
	if (st->assoc_groups != 0) {	/* ASSOC_* only */
		jw_key(w, "groups");
		jw_uint(w, st->assoc_groups);
	}
	if (st->op == HD__ZW_NODE_OP__OP__HEAL && st->total > 0) {
		jw_key(w, "done");
		jw_uint(w, st->done);
		jw_key(w, "total");
		jw_uint(w, st->total);
	}
	if (st->op == HD__ZW_NODE_OP__OP__PING &&
	    (st->state == HD__ZW_NODE_OP_RESULT__STATE__DONE ||
	    st->state == HD__ZW_NODE_OP_RESULT__STATE__FAILED)) {
		jw_key(w, "rtt_ms");
		jw_uint(w, st->rtt_ms);
		jw_key(w, "tx_status");
		jw_uint(w, st->tx_status);
		if (st->have_route) {
			jw_key(w, "route_ms");
			jw_uint(w, st->route_ms);
			jw_key(w, "repeaters");
			jw_uint(w, st->repeaters);
			jw_key(w, "rssi_dbm");
			if (st->rssi_dbm >= 125)	/* not available */
				jw_null(w);
			else
				jw_int(w, st->rssi_dbm);
		}
	}
	jw_close(w, '}');
}

static void
write_state(struct api_call *c, struct node *n)
{
	struct zwm_slave	*z = zwm_slave(n);
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
	jw_bool(&c->w, z->maint.active);
	jw_key(&c->w, "last");
	if (z->maint.nhist == 0)
		jw_null(&c->w);
	else
		api_zw_mstep_json(&c->w, NULL, &z->maint.last);
	jw_key(&c->w, "steps");
	jw_open(&c->w, '[');
	for (i = 0; i < z->maint.nhist; i++)
		api_zw_mstep_json(&c->w, NULL, &z->maint.hist[(z->maint.hfirst + i) %
		    ZW_MAINT_HISTORY]);
	jw_close(&c->w, ']');
	jw_close(&c->w, '}');
}

static void
maint_get(struct api_call *c)
{
	struct node *n;

	if ((n = api_zw_slave(c)) == NULL)
		return;
	write_state(c, n);
	api_reply(c, 200);
}

static void
maint_post(struct api_call *c)
{
	static const char *const fields[] = { "op", "node", "param", "value",
	    "group", "target", NULL };
	Hd__ZwNodeOp__Op	 op;
	struct node		*n;
	const char		*why;
	char			 name[24];
	int64_t			 node = 0, param = 0, value = 0;
	int			 cfg, as;

	if (api_body(c, fields) == -1)
		return;
	if (json_get_str(&c->doc, 0, "op", 1, name, sizeof(name)) == -1 ||
	    json_get_int(&c->doc, 0, "node", 0, 1, ZW_MAX_NODES, &node) ==
	    -1) {
		api_refuse(c, 400, "bad_request", c->doc.err);
		return;
	}
	if (zwm_maint_parse_op(name, &op) == -1) {
		api_refuse(c, 400, "bad_request", "op: ping, remove_failed, "
		    "replace_failed, heal, config_get, config_set, assoc_get, "
		    "assoc_set, assoc_remove or stop");
		return;
	}
	cfg = op == HD__ZW_NODE_OP__OP__CONFIG_GET ||
	    op == HD__ZW_NODE_OP__OP__CONFIG_SET;
	/* A parameter's value: 4 bytes, signed or unsigned. */
	if (json_get_int(&c->doc, 0, "param", cfg, 1, 255, &param) == -1 ||
	    json_get_int(&c->doc, 0, "value", op ==
	    HD__ZW_NODE_OP__OP__CONFIG_SET, INT32_MIN, UINT32_MAX, &value) ==
	    -1) {
		api_refuse(c, 400, "bad_request", c->doc.err);
		return;
	}
	/* A group and the node to add to it or remove: the op's param and
	 * value on the wire. */
	as = op == HD__ZW_NODE_OP__OP__ASSOC_SET ||
	    op == HD__ZW_NODE_OP__OP__ASSOC_REMOVE;
	if (op == HD__ZW_NODE_OP__OP__ASSOC_GET || as) {
		if (json_get_int(&c->doc, 0, "group", 1, 1, 255, &param) ==
		    -1 || json_get_int(&c->doc, 0, "target", as, 1,
		    ZW_MAX_NODES, &value) == -1) {
			api_refuse(c, 400, "bad_request", c->doc.err);
			return;
		}
	}
	if (op != HD__ZW_NODE_OP__OP__STOP && op !=
	    HD__ZW_NODE_OP__OP__HEAL && node == 0) {
		api_refuse(c, 400, "bad_request", "node: a node id, 1..232");
		return;
	}
	if ((n = api_zw_slave(c)) == NULL)
		return;
	if (zwm_maint_config(c->ctx, n, op, (int)node, (int)param, value,
	    c->user->name, &why) == -1) {
		api_refuse(c, 409, "conflict", why);
		return;
	}
	write_state(c, n);
	api_reply(c, 202);
}

int
api_zwave_maint_routes(struct master *m)
{
	static const struct api_route routes[] = {
		{ "POST", "/api/v1/zwave/*/maintenance", API_ADMIN,
		    maint_post },
		{ "GET", "/api/v1/zwave/*/maintenance", API_ADMIN, maint_get },
	};

	return api_add_routes(m->api, routes,
	    (int)(sizeof(routes) / sizeof(routes[0])), m);
}
