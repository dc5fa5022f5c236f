/*
 * Association groups, a node maintenance operation (zw_maint.h), beyond
 * the lifeline the interview sets:
 *
 *	first:		Groupings Get: a group past the node's number of
 *			groups is refused before anything else is sent (no
 *			answer in time: go on without it).
 *	ASSOC_GET:	Association Get of the group; its Report (and those
 *			it says follow) gives the nodes and the maximum;
 *			then, where the node lists Association Group Info
 *			(0x59), the group's name (none in time: no name).
 *	ASSOC_SET:	Association Set, then Get: DONE when the group
 *			names the node, FAILED (saying why) otherwise.
 *	ASSOC_REMOVE:	Association Remove, then Get: DONE when the node
 *			is gone from the group.
 *
 * Each question is answered within ZW_MGMT_REPLY_MS of its delivery. The
 * commands go through zw_node_send, encapsulated when the node supports
 * Association only securely. A report of group 1 also still updates the
 * interview's lifeline state (zw_mgmt_rx.c).
 */

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "slave.h"
#include "zwave/zw.h"
#include "zwave/zw_maint.h"

#define OP_GET		HD__ZW_NODE_OP__OP__ASSOC_GET
#define OP_SET		HD__ZW_NODE_OP__OP__ASSOC_SET
#define OP_REMOVE	HD__ZW_NODE_OP__OP__ASSOC_REMOVE
#define ST_DONE		HD__ZW_NODE_OP_RESULT__STATE__DONE
#define ST_FAILED	HD__ZW_NODE_OP_RESULT__STATE__FAILED
#define ST_REFUSED	HD__ZW_NODE_OP_RESULT__STATE__REFUSED

enum as_step { AS_GROUPINGS = 1, AS_CHANGE, AS_GET, AS_NAME };

int
zw_assoc_op(int op)
{
	return op == OP_GET || op == OP_SET || op == OP_REMOVE;
}

static void
assoc_end(struct zw_ctrl *c, int state, const char *why)
{
	struct zw_maint		*m = c->maint;
	Hd__ZwNodeOpResult	 r = HD__ZW_NODE_OP_RESULT__INIT;
	Hd__Envelope		 e = HD__ENVELOPE__INIT;
	uint32_t		 nodes[ZW_MAX_ASSOC_NODES];
	size_t			 i;

	ev_timer_stop(c->s->loop, &m->timer);
	r.op = m->op;
	r.node_id = (uint32_t)m->node;
	r.state = state;
	r.reason = (char *)(uintptr_t)why;
	r.param = m->as_group;
	if (m->have_assoc) {
		for (i = 0; i < m->as_n; i++)
			nodes[i] = m->as_nodes[i];
		r.have_assoc = 1;
		r.n_assoc_nodes = m->as_n;
		r.assoc_nodes = nodes;
		r.assoc_max = m->as_max;
	}
	r.assoc_groups = m->as_groups;
	r.name = m->as_name;
	log_info("zwave: association of node %d, group %u: %s", m->node,
	    m->as_group, why);
	m->op = -1;
	m->node = 0;
	m->as_step = 0;
	e.body_case = HD__ENVELOPE__BODY_ZW_NODE_OP_RESULT;
	e.zw_node_op_result = &r;
	c->s->up->send_reliable(c->s, &e);
	zw_maint_after(c, (int)r.node_id);
}

static void ask(struct zw_ctrl *, enum as_step);

static void
as_sent(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct zw_ctrl	*c = arg;
	struct zw_maint	*m = c->maint;
	int		 tx = zw_tx_result(st, cb);

	(void)res;
	if (c->stopping || !zw_assoc_op(m->op) || m->as_step == 0)
		return;
	if (tx != 0) {
		assoc_end(c, ST_FAILED, tx == 1 ? "the node did not "
		    "acknowledge" : zw_status_str(st == ZW_OK ? ZW_ERR_JAMMED :
		    st));
		return;
	}
	if (m->as_step == AS_CHANGE) {	/* no report: ask the group */
		ask(c, AS_GET);
		return;
	}
	ev_timer_start(c->s->loop, &m->timer, ZW_MGMT_REPLY_MS);
}

static void
ask(struct zw_ctrl *c, enum as_step step)
{
	struct zw_maint	*m = c->maint;
	uint8_t		 q[4];
	size_t		 n;

	m->as_step = step;
	if (step != AS_NAME) {
		m->have_assoc = 0;
		m->as_n = 0;
	}
	if (step == AS_NAME)
		n = zw_cc_agi_name_get(q, sizeof(q), m->as_group);
	else if (step == AS_GROUPINGS)
		n = zw_cc_assoc_groupings_get(q, sizeof(q));
	else if (step == AS_GET)
		n = zw_cc_assoc_get(q, sizeof(q), m->as_group);
	else if (m->op == OP_SET)
		n = zw_cc_assoc_set(q, sizeof(q), m->as_group, m->as_target);
	else
		n = zw_cc_assoc_remove(q, sizeof(q), m->as_group,
		    m->as_target);
	if (n == 0 || zw_node_send(c, m->node, q, n, ZW_PRIO_USER, as_sent,
	    c) == -1)
		assoc_end(c, ST_FAILED, "the stick's queue refused it");
}

/* The whole group is known: the answer, or the change's confirmation. */
static void
got_group(struct zw_ctrl *c)
{
	struct zw_maint	*m = c->maint;
	char		 why[ZW_INCL_REASON_MAX + 1];
	size_t		 i;
	int		 in = 0;

	for (i = 0; i < m->as_n; i++)
		if (m->as_nodes[i] == m->as_target)
			in = 1;
	if (m->op == OP_GET && m->as_step == AS_GET &&
	    zw_node_has(&c->node[m->node], ZW_CC_AGI)) {
		ask(c, AS_NAME);
		return;
	}
	if (m->op == OP_GET) {
		snprintf(why, sizeof(why), "%zu of at most %u nodes", m->as_n,
		    m->as_max);
		assoc_end(c, ST_DONE, why);
	} else if (m->op == OP_SET && in) {
		snprintf(why, sizeof(why), "node %u added", m->as_target);
		assoc_end(c, ST_DONE, why);
	} else if (m->op == OP_SET) {
		snprintf(why, sizeof(why), "the node did not add node %u%s",
		    m->as_target, m->as_max == 0 ? ": the group does not "
		    "exist" : m->as_n >= m->as_max ? ": the group is full" :
		    "");
		assoc_end(c, ST_FAILED, why);
	} else if (!in) {
		snprintf(why, sizeof(why), "node %u removed", m->as_target);
		assoc_end(c, ST_DONE, why);
	} else {
		snprintf(why, sizeof(why), "the node kept node %u",
		    m->as_target);
		assoc_end(c, ST_FAILED, why);
	}
}

int
zw_assoc_receive(struct zw_ctrl *c, struct zw_node *zn, uint8_t ep,
    const struct zw_assoc *a)
{
	struct zw_maint	*m = c->maint;
	size_t		 i;

	if (m == NULL || !zw_assoc_op(m->op) || m->as_step != AS_GET ||
	    m->node != zw_node_id(c, zn) || ep != 0)
		return 0;
	/* The class answers a group the node has not with group 1's. */
	if (a->group == ZW_LIFELINE && m->as_group != ZW_LIFELINE &&
	    m->as_n == 0) {
		assoc_end(c, ST_FAILED,
		    "the node has no such group");
		return 0;
	}
	if (a->group != m->as_group)
		return 0;
	ev_timer_stop(c->s->loop, &m->timer);
	m->have_assoc = 1;
	m->as_max = a->max;
	for (i = 0; i < a->n && m->as_n < ZW_MAX_ASSOC_NODES; i++)
		m->as_nodes[m->as_n++] = a->nodes[i];
	if (a->follow != 0)	/* more reports of this group to come */
		ev_timer_start(c->s->loop, &m->timer, ZW_MGMT_REPLY_MS);
	else
		got_group(c);
	return 1;
}

int
zw_assoc_info_receive(struct zw_ctrl *c, struct zw_node *zn, uint8_t ep,
    const uint8_t *cmd, size_t len)
{
	struct zw_maint	*m = c->maint;
	char		 name[ZW_CONFIG_NAME_MAX + 1];
	uint8_t		 group;
	int		 r;

	if (len < 1 || cmd[0] != ZW_CC_AGI)
		return 0;
	if ((r = zw_cc_decode_agi_name(cmd, len, &group, name)) != 1) {
		if (r == -1)
			log_warnx("zwave: node %d: malformed group name "
			    "report", zw_node_id(c, zn));
		return 1;	/* other AGI reports: not asked */
	}
	if (m == NULL || !zw_assoc_op(m->op) || m->as_step != AS_NAME ||
	    m->node != zw_node_id(c, zn) || ep != 0 || group != m->as_group) {
		log_debug("zwave: node %d: group name not awaited",
		    zw_node_id(c, zn));
		return 1;
	}
	ev_timer_stop(c->s->loop, &m->timer);
	memcpy(m->as_name, name, sizeof(m->as_name));
	got_group(c);
	return 1;
}

/* The number of groups: a group past it is refused, else on. */
void
zw_assoc_groupings(struct zw_ctrl *c, struct zw_node *zn, uint8_t groups)
{
	struct zw_maint	*m = c->maint;
	char		 why[64];

	if (m == NULL || !zw_assoc_op(m->op) || m->as_step != AS_GROUPINGS ||
	    m->node != zw_node_id(c, zn)) {
		log_debug("zwave: node %d: groupings report not awaited",
		    zw_node_id(c, zn));
		return;
	}
	ev_timer_stop(c->s->loop, &m->timer);
	m->as_groups = groups;
	if (m->as_group > groups) {
		snprintf(why, sizeof(why), "the node has %u association "
		    "group%s", groups, groups == 1 ? "" : "s");
		assoc_end(c, ST_REFUSED, why);
		return;
	}
	ask(c, m->op == OP_GET ? AS_GET : AS_CHANGE);
}

void
zw_assoc_timeout(struct zw_ctrl *c)
{
	struct zw_maint *m = c->maint;

	/* A name is nice to have: the group is what was asked. */
	if (m->as_step == AS_NAME) {
		log_warnx("zwave: node %d: no name for group %u", m->node,
		    m->as_group);
		got_group(c);
		return;
	}
	/* The number of groups is a check: the group itself is asked. */
	if (m->as_step == AS_GROUPINGS) {
		log_warnx("zwave: node %d: no Association Groupings Report",
		    m->node);
		ask(c, m->op == OP_GET ? AS_GET : AS_CHANGE);
		return;
	}
	assoc_end(c, ST_FAILED, c->maint->as_step == AS_GET ? "no answer to "
	    "the group question in time" : "the change was not delivered in "
	    "time");
}

void
zw_assoc_start(struct zw_ctrl *c, int op, int node, uint8_t group,
    uint8_t target)
{
	struct zw_maint	*m = c->maint;

	m->op = op;
	m->node = node;
	m->as_group = group;
	m->as_target = target;
	m->as_max = 0;
	m->as_groups = 0;
	m->as_name[0] = '\0';
	m->have_assoc = 0;
	m->as_n = 0;
	if (!zw_node_has(&c->node[node], ZW_CC_ASSOCIATION)) {
		assoc_end(c, ST_REFUSED, "the node has no Association class");
		return;
	}
	zw_maint_result(c, op, node, HD__ZW_NODE_OP_RESULT__STATE__STARTED,
	    NULL);
	ask(c, AS_GROUPINGS);
}
