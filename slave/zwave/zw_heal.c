/*
 * Heal (rebuild routes), a node maintenance operation (zw_maint.h): one
 * node at a time, `ZW_HEAL_PACE_MS` apart so that the network's own
 * traffic goes on, each node asked to find its neighbours again
 * (RequestNodeNeighborUpdate, 0x48: no response; callbacks STARTED, then
 * DONE or FAILED within `ZW_HEAL_NODE_MS`), then given a return route to
 * us (AssignSUCReturnRoute 0x51 when we are the SUC, else
 * AssignReturnRoute 0x46), the route its unsolicited reports take.
 * Each node done is a PROGRESS step (done of total) to the master.
 * Sleeping nodes are left out: they hear nothing between wake-ups.
 *
 * Return routes are also assigned to a node just added (or replaced),
 * once interviewed, as zwave-js does after an inclusion: without one, a
 * node out of the controller's direct range cannot report.
 */

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "slave.h"
#include "zwave/zw.h"
#include "zwave/zw_maint.h"

#define OP_HEAL		HD__ZW_NODE_OP__OP__HEAL
#define ST_STARTED	HD__ZW_NODE_OP_RESULT__STATE__STARTED
#define ST_PROGRESS	HD__ZW_NODE_OP_RESULT__STATE__PROGRESS
#define ST_DONE		HD__ZW_NODE_OP_RESULT__STATE__DONE
#define ST_FAILED	HD__ZW_NODE_OP_RESULT__STATE__FAILED
#define ST_REFUSED	HD__ZW_NODE_OP_RESULT__STATE__REFUSED

static void
step_result(struct zw_ctrl *c, int state, const char *why)
{
	struct zw_maint		*m = c->maint;
	Hd__ZwNodeOpResult	 r = HD__ZW_NODE_OP_RESULT__INIT;
	Hd__Envelope		 e = HD__ENVELOPE__INIT;

	r.op = OP_HEAL;
	r.node_id = (uint32_t)m->node;
	r.state = state;
	r.reason = (char *)(uintptr_t)why;
	r.done = (uint32_t)m->iheal;
	r.total = (uint32_t)m->nheal;
	log_info("zwave: heal: %d of %d, node %d: %s", m->iheal, m->nheal,
	    m->node, why);
	e.body_case = HD__ENVELOPE__BODY_ZW_NODE_OP_RESULT;
	e.zw_node_op_result = &r;
	c->s->up->send_reliable(c->s, &e);
}

/* The last node is done (or a STOP came): the heal's end. */
static void
heal_end(struct zw_ctrl *c)
{
	struct zw_maint	*m = c->maint;
	char		 why[96];

	/* A stop leaves nodes untried: say how far it got, of how many. */
	if (m->heal_stop && m->iheal < m->nheal)
		snprintf(why, sizeof(why), "stopped on request after %d of %d "
		    "nodes: %d healed", m->iheal, m->nheal, m->healed);
	else
		snprintf(why, sizeof(why), "%s%d of %d nodes healed",
		    m->heal_stop ? "stopped on request: " : "", m->healed,
		    m->nheal);
	ev_timer_stop(c->s->loop, &m->timer);
	ev_timer_stop(c->s->loop, &m->pace);
	m->node = 0;
	step_result(c, m->heal_stop ? ST_FAILED : ST_DONE, why);
	m->op = -1;
	zw_maint_after(c, 0);	/* what waits for a wake-up */
}

static void	node_next(struct zw_ctrl *);

/* Node m->node is through: tell the master, pause, the next. */
static void
node_done(struct zw_ctrl *c, int ok, const char *why)
{
	struct zw_maint *m = c->maint;

	ev_timer_stop(c->s->loop, &m->timer);
	m->iheal++;
	m->healed += ok;
	step_result(c, ST_PROGRESS, why);
	if (m->heal_stop || m->iheal == m->nheal) {
		heal_end(c);
		return;
	}
	ev_timer_start(c->s->loop, &m->pace, ZW_HEAL_PACE_MS);
}

static void
route_sent(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct zw_ctrl	*c = arg;
	int		 tx = zw_tx_result(st, cb);

	(void)res;
	if (c->stopping || c->maint->op != OP_HEAL)
		return;
	node_done(c, tx == 0, tx == 0 ? "neighbours updated, return route "
	    "assigned" : "neighbours updated; the return route was not "
	    "assigned");
}

/* Node `id` learns its route to us: AssignSUCReturnRoute when we are the
 * SUC (as zwave-js after an inclusion), else AssignReturnRoute. */
static int
assign_route(struct zw_ctrl *c, int id, zw_done_fn *done, void *arg)
{
	struct zw_req	r;
	enum zw_status	st;

	memset(&r, 0, sizeof(r));
	r.payload[0] = (uint8_t)id;
	if (c->maint->is_suc) {
		r.func = ZW_FN_ASSIGN_SUC_ROUTE;
		r.len = 2;
		r.cb_idx = 1;
	} else {
		r.func = ZW_FN_ASSIGN_RETURN_ROUTE;
		r.payload[1] = c->own_id;
		r.len = 3;
		r.cb_idx = 2;
	}
	r.want_res = 1;
	r.prio = ZW_PRIO_USER;
	r.done = done;
	r.arg = arg;
	return zw_stick_submit(c->stick, &r, &st);
}

void
zw_heal_unsolicited(struct zw_ctrl *c, const struct zw_frame *f)
{
	struct zw_maint *m = c->maint;

	if (m->op != OP_HEAL || f->len < 2 || f->payload[0] != m->cb_id ||
	    m->node == 0) {
		log_debug("zwave: neighbour update callback not awaited");
		return;
	}
	switch (f->payload[1]) {
	case ZW_NEIGHBOR_STARTED:
		break;
	case ZW_NEIGHBOR_DONE:
		if (assign_route(c, m->node, route_sent, c) == -1)
			node_done(c, 0, "neighbours updated; the return route "
			    "was not queued");
		else
			ev_timer_stop(c->s->loop, &m->timer);
		break;
	case ZW_NEIGHBOR_FAILED:
		node_done(c, 0, "the neighbour update failed");
		break;
	default:
		log_debug("zwave: neighbour update status 0x%02x ignored",
		    f->payload[1]);
	}
}

void
zw_heal_timeout(struct zw_ctrl *c)
{
	node_done(c, 0, "no answer to the neighbour update in time");
}

static void
update_sent(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct zw_ctrl *c = arg;

	(void)res;
	(void)cb;
	if (c->stopping || c->maint->op != OP_HEAL || st == ZW_OK)
		return;		/* its callbacks come as their own frames */
	node_done(c, 0, zw_status_str(st));
}

static void
node_next(struct zw_ctrl *c)
{
	struct zw_maint	*m = c->maint;
	uint8_t		 pl[2];

	m->node = m->heal[m->iheal];
	pl[0] = (uint8_t)m->node;
	pl[1] = zw_maint_next_cb(m);
	ev_timer_start(c->s->loop, &m->timer, ZW_HEAL_NODE_MS);
	if (zw_maint_submit(c, ZW_FN_NEIGHBOR_UPDATE, pl, sizeof(pl),
	    update_sent) == -1)
		node_done(c, 0, "the stick's queue refused it");
}

void
zw_heal_on_pace(struct ev_timer *t)
{
	struct zw_ctrl *c = t->arg;

	if (c->maint->op == OP_HEAL)
		node_next(c);
}

/* Heal node `node`, or every listening node (0). */
void
zw_heal_start(struct zw_ctrl *c, int node)
{
	struct zw_maint	*m = c->maint;
	char		 why[96];
	int		 id, asleep = 0;

	m->nheal = m->iheal = m->healed = m->heal_stop = 0;
	for (id = 1; id <= ZW_MAX_NODES; id++) {
		if (!c->node[id].listed || id == c->own_id ||
		    (node != 0 && id != node))
			continue;
		if (zw_mgmt_asleep(&c->node[id]))
			asleep++;
		else
			m->heal[m->nheal++] = (uint8_t)id;
	}
	if (m->nheal == 0) {
		zw_maint_result(c, OP_HEAL, node, ST_REFUSED, node != 0 &&
		    asleep == 0 ? "no such node on this stick" :
		    "no node to heal (a sleeping node hears nothing until its "
		    "wake-up)");
		return;
	}
	m->op = OP_HEAL;
	m->node = 0;
	snprintf(why, sizeof(why), "%d node%s%s", m->nheal,
	    m->nheal == 1 ? "" : "s", asleep > 0 ? ", sleeping ones left "
	    "out" : "");
	step_result(c, ST_STARTED, why);
	node_next(c);
}

void
zw_heal_stop(struct zw_ctrl *c)
{
	c->maint->heal_stop = 1;
	if (c->maint->pace.active) {
		ev_timer_stop(c->s->loop, &c->maint->pace);
		heal_end(c);
	}
	/* else: after the node under way (node_done) */
}

/* --- return routes after an inclusion -------------------------------- */

static void
new_route_sent(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct zw_node	*zn = arg;
	struct zw_ctrl	*c = zn->ctrl;
	int		 id = zw_node_id(c, zn);

	(void)res;
	if (c->stopping)
		return;
	if (zw_tx_result(st, cb) == 0)
		log_info("zwave: node %d: return route to us assigned", id);
	else
		log_warnx("zwave: node %d: return route to us not assigned "
		    "(%s): a heal assigns it again", id, st != ZW_OK ?
		    zw_status_str(st) : "not acknowledged");
}

void
zw_maint_return_route(struct zw_ctrl *c, int node)
{
	if (node < 1 || node > ZW_MAX_NODES || node == c->own_id)
		return;
	if (assign_route(c, node, new_route_sent, &c->node[node]) == -1)
		log_warnx("zwave: node %d: return route not queued", node);
}

/* --- the SUC/SIS, as zwave-js sets it up for a primary controller ---- */

#define CAPS_SECONDARY	0x01	/* GetControllerCapabilities' bits */
#define CAPS_SIS	0x04	/* a SIS is present */

static void
suc_set(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct zw_ctrl *c = arg;

	(void)cb;
	if (c->stopping)
		return;
	if (st == ZW_OK && res != NULL && res->len >= 1 && res->payload[0]) {
		c->maint->is_suc = 1;
		log_info("zwave: no SUC/SIS in the network: this controller "
		    "is its SIS now");
	} else
		log_warnx("zwave: the stick did not make itself the SIS (%s): "
		    "return routes go to this controller", st != ZW_OK ?
		    zw_status_str(st) : "refused");
}

static void
suc_got(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct zw_ctrl	*c = arg;
	struct zw_maint	*m = c->maint;
	uint8_t		 pl[5];

	(void)cb;
	if (c->stopping || st != ZW_OK || res == NULL || res->len < 1)
		return;
	m->is_suc = res->payload[0] == c->own_id;
	if (res->payload[0] != 0) {
		log_info("zwave: the SUC is %s (node %u)", m->is_suc ?
		    "this controller" : "another node", res->payload[0]);
		return;
	}
	if (m->ctrl_caps & (CAPS_SECONDARY | CAPS_SIS))
		return;		/* not ours to set up */
	pl[0] = c->own_id;
	pl[1] = 1;		/* enable SUC */
	pl[2] = 0x25;		/* ACK, auto route, explore */
	pl[3] = 1;		/* and SIS */
	pl[4] = 0;		/* our own id: no callback */
	if (zw_maint_submit(c, ZW_FN_SET_SUC, pl, sizeof(pl), suc_set) == -1)
		log_warnx("zwave: SetSUCNodeID not queued");
}

static void
caps_got(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct zw_ctrl *c = arg;

	(void)cb;
	if (c->stopping || st != ZW_OK || res == NULL || res->len < 1)
		return;
	c->maint->ctrl_caps = res->payload[0];
	if (zw_maint_submit(c, ZW_FN_GET_SUC, NULL, 0, suc_got) == -1)
		log_warnx("zwave: GetSUCNodeID not queued");
}

/*
 * At each start-up: is there a SUC (the node that hands out routes, and
 * whose return route a node uses to reach it)? A primary controller in a
 * network without one (and without a SIS) makes itself SUC and SIS, as
 * zwave-js does; return routes then go to the SUC (AssignSUCReturnRoute).
 */
void
zw_maint_ready(struct zw_ctrl *c)
{
	if (c->maint == NULL)
		return;
	c->maint->is_suc = 0;
	if (zw_maint_submit(c, ZW_FN_GET_CTRL_CAPS, NULL, 0, caps_got) == -1)
		log_warnx("zwave: GetControllerCapabilities not queued");
}
