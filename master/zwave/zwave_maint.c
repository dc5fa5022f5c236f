/*
 * Z-Wave node maintenance as the master sees it (docs/ZWAVE.md, "Node
 * maintenance"): ping a node, remove or replace a failed one, asked
 * through the API (api_zwave_maint.c) and followed from the slave's
 * ZwNodeOpResult messages, each checked whole, logged and kept with a
 * bounded history. The slave runs the operation; the master mirrors it.
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cluster/cluster.h"
#include "licence/licence.h"
#include "log.h"
#include "master.h"
#include "net.h"
#include "zwave/zwave.h"

static const char *const op_names[] = { "ping", "remove_failed",
    "replace_failed", "heal", "stop", "config_get", "config_set",
    "assoc_get", "assoc_set", "assoc_remove" };

const char *
zwm_maint_op_name(int op)
{
	return op >= 0 && (size_t)op < sizeof(op_names) / sizeof(op_names[0]) ?
	    op_names[op] : "?";
}

const char *
zwm_maint_state_name(int st)
{
	static const char *const names[] = { "started", "ready", "progress",
	    "done", "failed", "refused", "queued" };

	if (st == ZWM_MAINT_REQUESTED)
		return "requested";
	return st >= 0 && (size_t)st < sizeof(names) / sizeof(names[0]) ?
	    names[st] : "?";
}

int
zwm_maint_parse_op(const char *s, Hd__ZwNodeOp__Op *op)
{
	size_t i;

	for (i = 0; i < sizeof(op_names) / sizeof(op_names[0]); i++)
		if (strcmp(s, op_names[i]) == 0) {
			*op = (Hd__ZwNodeOp__Op)i;
			return 0;
		}
	return -1;
}

static void
history_add(struct zwm_maint *z, const struct zwm_mstep *st)
{
	if (z->nhist == ZW_MAINT_HISTORY)
		z->hfirst = (z->hfirst + 1) % ZW_MAINT_HISTORY;
	else
		z->nhist++;
	z->hist[(z->hfirst + z->nhist - 1) % ZW_MAINT_HISTORY] = *st;
}

/* A step of the operation: in the history, and its state now. */
static void
keep(struct zwm_maint *z, const struct zwm_mstep *st)
{
	history_add(z, st);
	z->last = *st;
}

/* A step ends the operation unless it is STARTED or READY. */
static int
ends(int state)
{
	return state != HD__ZW_NODE_OP_RESULT__STATE__STARTED &&
	    state != HD__ZW_NODE_OP_RESULT__STATE__READY &&
	    state != HD__ZW_NODE_OP_RESULT__STATE__PROGRESS &&
	    state != ZWM_MAINT_REQUESTED;
}

int
zwm_maint_request(struct master *m, struct node *n, Hd__ZwNodeOp__Op op,
    int node, const char *by, const char **why)
{
	return zwm_maint_config(m, n, op, node, 0, 0, by, why);
}

int
zwm_maint_config(struct master *m, struct node *n, Hd__ZwNodeOp__Op op,
    int node, int param, int64_t value, const char *by, const char **why)
{
	Hd__Envelope	  e = HD__ENVELOPE__INIT;
	Hd__ZwNodeOp	  o = HD__ZW_NODE_OP__INIT;
	struct zwm_slave *z;
	struct zwm_mstep  st;

	*why = NULL;
	if ((z = zwm_slave(n)) == NULL) {
		*why = "out of memory";
		return -1;
	}
	if (op != HD__ZW_NODE_OP__OP__STOP && z->maint.active) {
		*why = "a maintenance operation is under way on this slave";
		return -1;
	}
	o.op = op;
	o.node_id = (uint32_t)node;
	o.param = (uint32_t)param;
	o.value = value;
	o.issued_by = (char *)(uintptr_t)by;
	/* m->licence is NULL only in unit tests without a licence module. */
	o.insecure = m->licence != NULL &&
	    !licence_allows(m->licence, LICENCE_F_SECURE_ZWAVE);
	e.body_case = HD__ENVELOPE__BODY_ZW_NODE_OP;
	e.zw_node_op = &o;
	if (cluster_send(m, n, &e) == -1) {
		*why = "the slave is offline";
		return -1;
	}
	log_info("zwave: %s of node %d on slave %s requested by %s",
	    zwm_maint_op_name(op), node, n->id, by);
	if (op == HD__ZW_NODE_OP__OP__STOP)
		return 0;
	memset(&st, 0, sizeof(st));
	st.time_ms = ev_wall_ms();
	st.op = op;
	st.state = ZWM_MAINT_REQUESTED;
	st.node = (uint8_t)node;
	snprintf(st.reason, sizeof(st.reason), "%s", by);
	keep(&z->maint, &st);
	z->maint.active = 1;
	zwm_maint_notify(m, n, &st);
	return 0;
}

/* Every enum, the node id, the figures and the reason, before anything
 * is kept. */
static int
result_ok(const Hd__ZwNodeOpResult *r)
{
	size_t i;

	if (protobuf_c_enum_descriptor_get_value(
	    &hd__zw_node_op__op__descriptor, r->op) == NULL ||
	    protobuf_c_enum_descriptor_get_value(
	    &hd__zw_node_op_result__state__descriptor, r->state) == NULL)
		return 0;
	if (r->node_id > ZW_MAX_NODES || r->done > ZW_MAX_NODES ||
	    r->total > ZW_MAX_NODES || r->done > r->total ||
	    r->repeaters > 4 || r->tx_status > 0xff ||
	    r->route_ms > 655350 || r->rssi_dbm < -128 || r->rssi_dbm > 127 ||
	    r->param > 255 || (r->size != 0 && r->size != 1 && r->size != 2 &&
	    r->size != 4) || (r->have_range && r->min > r->max) ||
	    r->n_assoc_nodes > ZW_MAX_ASSOC_NODES || r->assoc_max > 255 ||
	    r->assoc_groups > 255)
		return 0;
	for (i = 0; i < r->n_assoc_nodes; i++)
		if (r->assoc_nodes[i] < 1 || r->assoc_nodes[i] > ZW_MAX_NODES)
			return 0;
	return strlen(r->reason) <= ZW_INCL_REASON_MAX &&
	    strlen(r->name) <= ZW_CONFIG_NAME_MAX;
}

int
zwm_maint_result(struct master *m, struct node *n,
    const Hd__ZwNodeOpResult *r)
{
	struct zwm_slave	*z;
	struct zwm_mstep	 st;
	size_t			 i;

	if (!result_ok(r))
		return -1;
	if ((z = zwm_slave(n)) == NULL)
		return 0;
	memset(&st, 0, sizeof(st));
	st.time_ms = ev_wall_ms();
	st.op = r->op;
	st.state = r->state;
	st.node = (uint8_t)r->node_id;
	st.have_route = r->have_route;
	st.rtt_ms = r->rtt_ms;
	st.tx_status = r->tx_status;
	st.route_ms = r->route_ms;
	st.repeaters = r->repeaters;
	st.rssi_dbm = r->rssi_dbm;
	st.done = r->done;
	st.total = r->total;
	st.param = r->param;
	st.value = r->value;
	st.size = r->size;
	st.have_range = r->have_range;
	st.min = r->min;
	st.max = r->max;
	st.dflt = r->dflt;
	str_vis(st.name, sizeof(st.name), r->name);
	st.have_assoc = r->have_assoc;
	st.assoc_max = (uint8_t)r->assoc_max;
	st.nassoc = (uint8_t)r->n_assoc_nodes;
	st.assoc_groups = (uint8_t)r->assoc_groups;
	for (i = 0; i < r->n_assoc_nodes; i++)
		st.assoc[i] = (uint8_t)r->assoc_nodes[i];
	str_vis(st.reason, sizeof(st.reason), r->reason);
	log_info("slave %s: zwave %s, node %" PRIu32 ": %s%s%s", n->id,
	    zwm_maint_op_name(r->op), r->node_id,
	    zwm_maint_state_name(r->state), st.reason[0] ? ": " : "",
	    st.reason);
	/* The master sends one operation at a time: a refusal is this
	 * one's (a STOP's answer is not one of its steps). */
	if (r->op == HD__ZW_NODE_OP__OP__STOP)
		history_add(&z->maint, &st);
	else {
		keep(&z->maint, &st);
		z->maint.active = !ends(r->state);
	}
	zwm_maint_notify(m, n, &st);
	return 0;
}

void
zwm_maint_restarted(struct master *m, struct node *n)
{
	struct zwm_mstep st;

	if (n->zw == NULL || !n->zw->maint.active)
		return;
	st = n->zw->maint.last;
	st.time_ms = ev_wall_ms();
	st.state = HD__ZW_NODE_OP_RESULT__STATE__FAILED;
	snprintf(st.reason, sizeof(st.reason), "the slave restarted");
	keep(&n->zw->maint, &st);
	n->zw->maint.active = 0;
	zwm_maint_notify(m, n, &st);
}
