/*
 * Maintenance for sleeping nodes: a ping or a configuration parameter
 * (read or set) asked while the node sleeps waits for its next wake-up,
 * as a command does (its SET held, QUEUED), instead of being refused.
 *
 * The master is answered QUEUED at once (not final). At the node's Wake
 * Up Notification, once the stick's maintenance is free, the operation
 * runs as any other (STARTED, then DONE or FAILED), while No More
 * Information waits for it (zw_maint_holds). At most ZW_MAINT_QUEUED wait
 * per stick, each ZW_WAKEUP_HOLD_MS at most (the default hourly wake-up
 * and a margin); then FAILED, "the node did not wake up in time". A node
 * whose wake-up finds the stick busy with another operation stays awake
 * until that one ends (a heal may outlast it: the node then sleeps on its
 * own and the operation fails like a ping to a deaf node).
 */

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "slave.h"
#include "zwave/zw.h"
#include "zwave/zw_maint.h"

#define OP_PING		HD__ZW_NODE_OP__OP__PING
#define OP_CFG_GET	HD__ZW_NODE_OP__OP__CONFIG_GET
#define OP_CFG_SET	HD__ZW_NODE_OP__OP__CONFIG_SET
#define ST_QUEUED	HD__ZW_NODE_OP_RESULT__STATE__QUEUED
#define ST_FAILED	HD__ZW_NODE_OP_RESULT__STATE__FAILED
#define ST_REFUSED	HD__ZW_NODE_OP_RESULT__STATE__REFUSED

static void
arm(struct zw_ctrl *c)
{
	struct zw_maint	*m = c->maint;
	uint64_t	 now = ev_now(c->s->loop), first = UINT64_MAX;
	int		 i;

	ev_timer_stop(c->s->loop, &m->wait_timer);
	for (i = 0; i < m->nwait; i++)
		if (m->wait_until[i] < first)
			first = m->wait_until[i];
	if (m->nwait > 0)
		ev_timer_start(c->s->loop, &m->wait_timer,
		    first > now ? first - now : 0);
}

/* Take entry i out of the queue; its operation in *op. */
static void
take(struct zw_maint *m, int i, Hd__ZwNodeOp *op)
{
	*op = m->wait[i];
	memmove(&m->wait[i], &m->wait[i + 1],
	    (size_t)(m->nwait - i - 1) * sizeof(m->wait[0]));
	memmove(&m->wait_until[i], &m->wait_until[i + 1],
	    (size_t)(m->nwait - i - 1) * sizeof(m->wait_until[0]));
	m->nwait--;
}

int
zw_maint_queue(struct zw_ctrl *c, const Hd__ZwNodeOp *op)
{
	struct zw_maint	*m = c->maint;
	struct zw_node	*zn;
	int		 i;

	if ((op->op != OP_PING && op->op != OP_CFG_GET &&
	    op->op != OP_CFG_SET && !zw_assoc_op(op->op)) || !c->up ||
	    c->step != ZW_STEP_READY || op->node_id < 1 ||
	    op->node_id > ZW_MAX_NODES || op->node_id == c->own_id || !c->node[op->node_id].listed ||
	    !zw_mgmt_asleep(&c->node[op->node_id]))
		return 0;
	zn = &c->node[op->node_id];
	if (op->op != OP_PING && (op->param < 1 || op->param > 255))
		return 0;		/* check() says why */
	if (op->op != OP_PING && op->op != HD__ZW_NODE_OP__OP__ASSOC_GET &&
	    zw_assoc_op(op->op) && (op->value < 1 || op->value > ZW_MAX_NODES))
		return 0;
	if (op->op != OP_PING && !zw_node_has(zn, zw_assoc_op(op->op) ?
	    ZW_CC_ASSOCIATION : ZW_CC_CONFIGURATION)) {
		zw_maint_result(c, op->op, (int)op->node_id, ST_REFUSED,
		    zw_assoc_op(op->op) ? "the node has no Association class" :
		    "the node has no Configuration class");
		return 1;
	}
	if (m->nwait == ZW_MAINT_QUEUED) {
		zw_maint_result(c, op->op, (int)op->node_id, ST_REFUSED,
		    "the node sleeps, and the operations waiting for "
		    "sleeping nodes are too many already");
		return 1;
	}
	i = m->nwait++;
	m->wait[i] = *op;
	m->wait[i].issued_by = (char *)(uintptr_t)"";
	m->wait_until[i] = ev_now(c->s->loop) + ZW_WAKEUP_HOLD_MS;
	arm(c);
	log_info("zwave: node %u sleeps: its %s waits for its wake-up (%d "
	    "waiting)", op->node_id, op->op == OP_PING ? "ping" :
	    zw_assoc_op(op->op) ? "association" : "configuration", m->nwait);
	zw_maint_result(c, op->op, (int)op->node_id, ST_QUEUED,
	    "the node sleeps: run at its next wake-up");
	return 1;
}

/* The first operation waiting for an awake node (or node `id`, if not
 * 0) runs, if the stick's maintenance is free. 1 if one did. */
static int
run_next(struct zw_ctrl *c, int id)
{
	struct zw_maint	*m = c->maint;
	Hd__ZwNodeOp	 op;
	int		 i;

	if (m->op != -1 || !c->up || c->step != ZW_STEP_READY ||
	    c->stopping || c->incl.action != HD__ZW_INCLUSION__ACTION__STOP)
		return 0;
	for (i = 0; i < m->nwait; i++) {
		if ((id != 0 && (int)m->wait[i].node_id != id) ||
		    zw_mgmt_asleep(&c->node[m->wait[i].node_id]))
			continue;
		take(m, i, &op);
		arm(c);
		log_info("zwave: node %u is awake: its waiting %s runs",
		    op.node_id, op.op == OP_PING ? "ping" : "configuration");
		zw_maint_run(c, &op);
		return 1;
	}
	return 0;
}

void
zw_maint_woke(struct zw_ctrl *c, struct zw_node *zn)
{
	if (c->maint != NULL)
		run_next(c, zw_node_id(c, zn));
}

void
zw_maint_after(struct zw_ctrl *c, int node)
{
	if (c->maint == NULL || c->stopping)
		return;
	if (run_next(c, 0))
		return;
	/* Kept awake for it: it may sleep now. */
	if (node >= 1 && node <= ZW_MAX_NODES && c->node[node].dev != NULL)
		zw_mgmt_idle(c, &c->node[node]);
}

int
zw_maint_holds(const struct zw_ctrl *c, const struct zw_node *zn)
{
	const struct zw_maint	*m = c->maint;
	int			 i, id = (int)(zn - c->node);

	if (m == NULL)
		return 0;
	if (m->op != -1 && m->node == id)
		return 1;
	for (i = 0; i < m->nwait; i++)
		if ((int)m->wait[i].node_id == id)
			return 1;
	return 0;
}

/* Operations whose node did not wake up in time fail: those due at the
 * timer's deadline (the first one's). */
void
zw_maint_on_wait(struct ev_timer *t)
{
	struct zw_ctrl	*c = t->arg;
	struct zw_maint	*m = c->maint;
	uint64_t	 due = t->deadline;
	Hd__ZwNodeOp	 op;
	int		 i = 0;

	while (i < m->nwait) {
		if (m->wait_until[i] > due) {
			i++;
			continue;
		}
		take(m, i, &op);
		zw_maint_result(c, op.op, (int)op.node_id, ST_FAILED,
		    c->node[op.node_id].listed ? "the node did not wake up in "
		    "time; not run" : "the node left the network");
	}
	arm(c);
}
