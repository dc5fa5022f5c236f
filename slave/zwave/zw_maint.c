/*
 * Node maintenance, asked by the master (ZwNodeOp) and answered step by
 * step (ZwNodeOpResult): ping a node, remove a failed node, replace one
 * (zw_maint.h lists what each does). One operation at a time per stick;
 * another is refused while one runs.
 *
 * RemoveFailedNode (0x61) and ReplaceFailedNode (0x63) answer with a
 * response whose 0 means "started" (the opposite of the session's rule
 * for callback requests, where 0 is "not queued"), then with callbacks:
 * one for removal, two for a replacement (ready, then done or failed).
 * So they go to the session as plain request/response, with a callback
 * id of our own; their callbacks come here as unsolicited frames and a
 * timer of ours bounds the wait.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "slave.h"
#include "zwave/zw.h"
#include "zwave/zw_maint.h"
#include "zwave/zw_nvm.h"
#include "zwave/zw_sec.h"

#define OP_PING		HD__ZW_NODE_OP__OP__PING
#define OP_REMOVE	HD__ZW_NODE_OP__OP__REMOVE_FAILED
#define OP_REPLACE	HD__ZW_NODE_OP__OP__REPLACE_FAILED
#define OP_STOP		HD__ZW_NODE_OP__OP__STOP
#define ST_STARTED	HD__ZW_NODE_OP_RESULT__STATE__STARTED
#define ST_READY	HD__ZW_NODE_OP_RESULT__STATE__READY
#define ST_DONE		HD__ZW_NODE_OP_RESULT__STATE__DONE
#define ST_FAILED	HD__ZW_NODE_OP_RESULT__STATE__FAILED
#define ST_REFUSED	HD__ZW_NODE_OP_RESULT__STATE__REFUSED

static const char *
op_name(int op)
{
	static const char *const names[] = { "ping", "remove failed",
	    "replace failed", "heal", "stop", "configuration get",
	    "configuration set", "association get", "association set",
	    "association remove" };

	return op >= 0 && (size_t)op < sizeof(names) / sizeof(names[0]) ?
	    names[op] : "?";
}

/* --- results to the master ------------------------------------------- */

static void
send_result(struct zw_ctrl *c, Hd__ZwNodeOpResult *r)
{
	Hd__Envelope e = HD__ENVELOPE__INIT;

	log_info("zwave: %s, node %u: %s%s%s", op_name(r->op), r->node_id,
	    protobuf_c_enum_descriptor_get_value(
	    &hd__zw_node_op_result__state__descriptor, r->state)->name,
	    *r->reason ? ": " : "", r->reason);
	e.body_case = HD__ENVELOPE__BODY_ZW_NODE_OP_RESULT;
	e.zw_node_op_result = r;
	c->s->up->send_reliable(c->s, &e);
}

void
zw_maint_result(struct zw_ctrl *c, int op, int node, int state,
    const char *why)
{
	Hd__ZwNodeOpResult r = HD__ZW_NODE_OP_RESULT__INIT;

	r.op = op;
	r.node_id = (uint32_t)node;
	r.state = state;
	r.reason = (char *)(uintptr_t)(why != NULL ? why : "");
	send_result(c, &r);
}

/* The operation ends with `state`; the stick is free for the next. */
void
zw_maint_finish(struct zw_ctrl *c, int state, const char *why)
{
	struct zw_maint	*m = c->maint;
	int		 op = m->op, node = m->node;

	ev_timer_stop(c->s->loop, &m->timer);
	ev_timer_stop(c->s->loop, &m->pace);
	m->op = -1;
	m->node = 0;
	zw_maint_result(c, op, node, state, why);
	zw_ss_arm(c);		/* a replacement took the stick out of it */
	zw_maint_after(c, node);
}

/* zw_maint_finish, shorter. */
static void
fin(struct zw_ctrl *c, int state, const char *why)
{
	zw_maint_finish(c, state, why);
}

/* --- requests -------------------------------------------------------- */

int
zw_maint_submit(struct zw_ctrl *c, uint8_t func, const uint8_t *pl, size_t n,
    zw_done_fn *done)
{
	struct zw_req	r;
	enum zw_status	st;

	memset(&r, 0, sizeof(r));
	r.func = func;
	if (n > 0)
		memcpy(r.payload, pl, n);
	r.len = n;
	/* These two have no response: their callbacks come here. */
	r.want_res = func != ZW_FN_ADD_NODE && func != ZW_FN_NEIGHBOR_UPDATE;
	r.cb_idx = -1;
	/* The start-up's questions wait behind the user's. */
	r.prio = func == ZW_FN_GET_CTRL_CAPS || func == ZW_FN_GET_SUC ||
	    func == ZW_FN_SET_SUC ? ZW_PRIO_POLL : ZW_PRIO_USER;
	r.done = done;
	r.arg = c;
	return zw_stick_submit(c->stick, &r, &st);
}

uint8_t
zw_maint_next_cb(struct zw_maint *m)
{
	if (++m->cb_id == 0)
		m->cb_id = 1;
	return m->cb_id;
}

/* What the stick's refusal bits mean, for the user. */
static const char *
refusal(uint8_t bits)
{
	if (bits & ZW_FAILED_NOT_FOUND)
		return "the stick does not list the node as failed";
	if (bits & ZW_FAILED_NOT_PRIMARY)
		return "the stick is not the network's primary controller";
	if (bits & ZW_FAILED_BUSY)
		return "the stick is busy with another network operation";
	return "the stick refused it";
}

/* --- ping ------------------------------------------------------------ */

static void	remove_start(struct zw_ctrl *);

/*
 * The SendData callback of a NOP. A 700/800 stick appends a transmit
 * report: the transmission's time in 10 ms ticks, the repeaters used and
 * the acknowledgement's RSSI (127: not available).
 */
static void
ping_done(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct zw_ctrl		*c = arg;
	struct zw_maint		*m = c->maint;
	Hd__ZwNodeOpResult	 r = HD__ZW_NODE_OP_RESULT__INIT;
	struct zw_node		*zn;
	struct zw_tx_report	 rep;
	char			 why[ZW_INCL_REASON_MAX + 1];
	int			 tx;

	(void)res;
	if (c->stopping || m->op == -1)
		return;
	zn = &c->node[m->node];
	tx = zw_tx_result(st, cb);
	if (m->op == OP_REMOVE) {
		/* Not failed in the stick's list: it answered, or not. */
		if (tx == 0)
			fin(c, ST_REFUSED, "the node answers: it is not "
			    "failed, not removed");
		else if (tx == 1)
			remove_start(c);
		else
			fin(c, ST_FAILED, zw_status_str(st == ZW_OK ?
			    ZW_ERR_JAMMED : st));
		return;
	}
	r.op = m->op;
	r.node_id = (uint32_t)m->node;
	r.rtt_ms = (uint32_t)(ev_clock_ms() - m->t0);
	r.tx_status = cb != NULL && cb->len >= 2 ? cb->payload[1] : 0xff;
	if (cb != NULL && zw_parse_tx_report(cb->payload, cb->len, &rep) ==
	    0 && rep.have_route) {
		r.have_route = 1;
		r.route_ms = rep.route_ms;
		r.repeaters = rep.repeaters;
		r.rssi_dbm = rep.rssi_dbm;
	}
	if (tx == 0)
		snprintf(why, sizeof(why), "acknowledged in %u ms", r.rtt_ms);
	else
		snprintf(why, sizeof(why), "%s", tx == 1 ? "no acknowledgement"
		    : zw_status_str(st == ZW_OK ? ZW_ERR_JAMMED : st));
	r.state = tx == 0 ? ST_DONE : ST_FAILED;
	r.reason = why;
	if (tx >= 0 && zn->dev != NULL)
		zw_node_fail(c, zn, tx);
	ev_timer_stop(c->s->loop, &m->timer);
	m->op = -1;
	m->node = 0;
	send_result(c, &r);
	zw_maint_after(c, (int)r.node_id);
}

static int
ping_send(struct zw_ctrl *c)
{
	static const uint8_t nop[] = { 0x00 };	/* No Operation */

	c->maint->t0 = ev_clock_ms();
	/* urgent 0, never held: a caller checked the node is not asleep. */
	return zw_node_send_clear(c, c->maint->node, nop, sizeof(nop),
	    ZW_PRIO_USER, 0, ping_done, c);
}

/* --- remove a failed node -------------------------------------------- */

static void
removed_sent(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct zw_ctrl *c = arg;

	(void)cb;
	if (c->stopping || c->maint->op == -1)
		return;
	if (st != ZW_OK || res == NULL || res->len < 1)
		fin(c, ST_FAILED, zw_status_str(st != ZW_OK ? st :
		    ZW_ERR_REFUSED));
	else if (res->payload[0] != ZW_FAILED_STARTED)
		fin(c, ST_REFUSED, refusal(res->payload[0]));
	else
		ev_timer_start(c->s->loop, &c->maint->timer, ZW_MAINT_CB_MS);
}

static void
remove_start(struct zw_ctrl *c)
{
	struct zw_maint	*m = c->maint;
	uint8_t		 pl[2] = { (uint8_t)m->node, zw_maint_next_cb(m) };

	if (zw_maint_submit(c, ZW_FN_REMOVE_FAILED, pl, sizeof(pl),
	    removed_sent) == -1)
		fin(c, ST_FAILED, "the stick's queue refused it");
}

static void
is_failed_done(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct zw_ctrl	*c = arg;
	struct zw_maint	*m = c->maint;

	(void)cb;
	if (c->stopping || m->op == -1)
		return;
	if (st != ZW_OK || res == NULL || res->len < 1) {
		fin(c, ST_FAILED, zw_status_str(st != ZW_OK ? st :
		    ZW_ERR_REFUSED));
		return;
	}
	if (res->payload[0] != 0) {
		log_info("zwave: node %d: in the stick's failed list", m->node);
		remove_start(c);
		return;
	}
	/* Not failed for the stick: only a node that does not answer now
	 * is removed (the stick then lists it failed). A sleeping node is
	 * asleep, not failed: a NOP would prove nothing. */
	if (zw_mgmt_asleep(&c->node[m->node]))
		fin(c, ST_REFUSED, "the stick does not list the node as "
		    "failed, and it sleeps: wait until it is reported failed");
	else if (ping_send(c) == -1)
		fin(c, ST_FAILED, "the stick's queue refused it");
}

/* The node is gone: its device and its entry with it. */
static void
forget_node(struct zw_ctrl *c, int id)
{
	if (zw_ctrl_node_unregister(c, id))
		devtab_changed(c->s);
	zw_ctrl_node_reset(c, id);
	zw_nodes_save(c);
	if (c->interviewing == id)
		c->interviewing = 0;
}

/* --- replace a failed node ------------------------------------------- */

static void
replace_sent(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct zw_ctrl *c = arg;

	(void)cb;
	if (c->stopping || c->maint->op == -1)
		return;
	if (st != ZW_OK || res == NULL || res->len < 1)
		fin(c, ST_FAILED, zw_status_str(st != ZW_OK ? st :
		    ZW_ERR_REFUSED));
	else if (res->payload[0] != ZW_FAILED_STARTED)
		fin(c, ST_REFUSED, refusal(res->payload[0]));
	else
		ev_timer_start(c->s->loop, &c->maint->timer, ZW_MAINT_CB_MS);
}

/* End the stick's replace mode (as AddNodeToNetwork's STOP does). */
static void
replace_stop(struct zw_ctrl *c)
{
	static const uint8_t stop[] = { ZW_INCL_MODE_STOP, 0 };

	zw_maint_submit(c, ZW_FN_ADD_NODE, stop, sizeof(stop), NULL);
}

static void
pinfo_done(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct zw_ctrl		*c = arg;
	struct zw_maint		*m = c->maint;
	struct zw_proto_info	 pi;
	struct zw_node		*zn;
	char			 why[64];

	(void)cb;
	if (c->stopping || m->op != OP_REPLACE)
		return;
	zn = &c->node[m->node];
	zn->listed = 1;
	zn->pct = ZW_INTERVIEW_PROTO;
	if (st == ZW_OK && res != NULL &&
	    zw_parse_protocol_info(res->payload, res->len, &pi) == 0 &&
	    pi.generic != 0) {
		zn->have_info = 1;
		zn->cap = pi.cap;
		zn->sec = pi.sec;
		zn->basic = pi.basic;
		zn->generic = pi.generic;
		zn->specific = pi.specific;
	} else
		log_warnx("zwave: node %d: no protocol info for the "
		    "replacement", m->node);
	zw_ctrl_node_register(c, m->node);
	zw_nodes_save(c);
	devtab_changed(c->s);
	zw_maint_return_route(c, m->node);	/* awake: it just joined */
	m->replaced = m->node;
	snprintf(why, sizeof(why), "a new device is zw:%d:0", m->node);
	fin(c, ST_DONE, why);
	zw_interview_next(c);
}

/* The new device took the failed node's id: it is a new node. */
static void
replaced(struct zw_ctrl *c)
{
	struct zw_maint	*m = c->maint;
	uint8_t		 pl[1] = { (uint8_t)m->node };

	ev_timer_stop(c->s->loop, &m->timer);
	forget_node(c, m->node);
	if (zw_maint_submit(c, ZW_FN_GET_NODE_PROTOCOL_INFO, pl, sizeof(pl),
	    pinfo_done) == -1)
		pinfo_done(c, ZW_ERR_FULL, NULL, NULL);
}

void
zw_maint_nif(struct zw_ctrl *c, struct zw_node *zn)
{
	struct zw_maint	*m = c->maint;
	int		 id = zw_node_id(c, zn), saved;

	if (m == NULL || m->replaced == 0 || m->replaced != id)
		return;
	m->replaced = 0;
	if (memchr(zn->cc, ZW_CC_SECURITY, zn->ncc) == NULL)
		return;
	zn->sec_denied = m->insecure;
	if (m->insecure) {
		log_warnx("zwave: node %d lists S0, but the master's licence "
		    "allows no secure inclusion now: replaced without "
		    "security", id);
		return;
	}
	/* The key goes only to a node the user is adding now: this one
	 * (zw_sec_bootstrap checks the inclusion's node). */
	saved = c->incl.node;
	c->incl.node = (uint8_t)id;
	if (zw_sec_bootstrap(zn) == -1)
		log_warnx("zwave: node %d: lists S0 but cannot be given the "
		    "network key: replaced without security", id);
	c->incl.node = (uint8_t)saved;
}

/* --- the stick's callbacks, the timer -------------------------------- */

void
zw_maint_unsolicited(struct zw_ctrl *c, const struct zw_frame *f)
{
	struct zw_maint	*m = c->maint;
	uint8_t		 status;

	if (f->func == ZW_FN_NEIGHBOR_UPDATE) {
		zw_heal_unsolicited(c, f);
		return;
	}
	if (f->len < 2 || m->op == -1 || f->payload[0] != m->cb_id ||
	    (f->func == ZW_FN_REMOVE_FAILED) != (m->op == OP_REMOVE)) {
		log_debug("zwave: failed-node callback 0x%02x not awaited",
		    f->func);
		return;
	}
	status = f->payload[1];
	if (status == ZW_FAILED_CB_NODE_OK)
		fin(c, ST_REFUSED, "the node answers: it is not failed");
	else if (m->op == OP_REMOVE && status == ZW_FAILED_CB_REMOVED) {
		char why[64];

		forget_node(c, m->node);
		snprintf(why, sizeof(why), "zw:%d:0 removed", m->node);
		fin(c, ST_DONE, why);
		zw_interview_next(c);
	} else if (m->op == OP_REPLACE && status == ZW_FAILED_CB_REPLACE) {
		ev_timer_start(c->s->loop, &m->timer, ZW_REPLACE_WAIT_MS);
		zw_maint_result(c, m->op, m->node, ST_READY,
		    "press the new device's button");
	} else if (m->op == OP_REPLACE && status == ZW_FAILED_CB_REPLACE_DONE)
		replaced(c);
	else
		fin(c, ST_FAILED, m->op == OP_REMOVE ? "the stick did not "
		    "remove the node" : "the stick did not replace the node");
}

static void
on_timer(struct ev_timer *t)
{
	struct zw_ctrl *c = t->arg;

	if (c->maint->op == HD__ZW_NODE_OP__OP__HEAL) {
		zw_heal_timeout(c);
		return;
	}
	if (c->maint->op == HD__ZW_NODE_OP__OP__CONFIG_GET ||
	    c->maint->op == HD__ZW_NODE_OP__OP__CONFIG_SET) {
		zw_config_timeout(c);
		return;
	}
	if (zw_assoc_op(c->maint->op)) {
		zw_assoc_timeout(c);
		return;
	}
	if (c->maint->op == OP_REPLACE)
		replace_stop(c);
	fin(c, ST_FAILED, c->maint->op == OP_REPLACE ?
	    "no new device in time" : "the stick did not answer in time");
}

/* --- the master's request -------------------------------------------- */

static const char *
check(struct zw_ctrl *c, const Hd__ZwNodeOp *op)
{
	struct zw_node *zn;

	if (!c->up || c->step != ZW_STEP_READY)
		return "the stick is not ready";
	if (c->maint->op != -1)
		return "another maintenance operation is under way";
	if (c->incl.action != HD__ZW_INCLUSION__ACTION__STOP)
		return "an inclusion or exclusion is under way";
	if (zw_nvm_busy(c) != NULL)
		return zw_nvm_busy(c);
	if (op->node_id < 1 || op->node_id > ZW_MAX_NODES ||
	    op->node_id == c->own_id || !c->node[op->node_id].listed)
		return "no such node on this stick";
	zn = &c->node[op->node_id];
	if (op->op != OP_REMOVE && op->op != OP_REPLACE && zw_mgmt_asleep(zn))
		return "the node sleeps: it hears nothing until its wake-up";
	if (op->op != OP_REMOVE && op->op != OP_REPLACE && zn->secn != NULL &&
	    zw_sec_booting(zn))
		return "its secure inclusion is under way";
	if ((op->op == HD__ZW_NODE_OP__OP__CONFIG_GET ||
	    op->op == HD__ZW_NODE_OP__OP__CONFIG_SET) &&
	    (op->param < 1 || op->param > 255))
		return "param: 1..255";
	if (zw_assoc_op(op->op) && (op->param < 1 || op->param > 255))
		return "group: 1..255";
	if ((op->op == HD__ZW_NODE_OP__OP__ASSOC_SET ||
	    op->op == HD__ZW_NODE_OP__OP__ASSOC_REMOVE) &&
	    (op->value < 1 || op->value > ZW_MAX_NODES))
		return "target: a node id, 1..232";
	return NULL;
}

/* Run operation `op`, checked already. */
void
zw_maint_run(struct zw_ctrl *c, const Hd__ZwNodeOp *op)
{
	struct zw_maint	*m = c->maint;
	uint8_t		 pl[2];
	int		 r;

	if (op->op == HD__ZW_NODE_OP__OP__CONFIG_GET ||
	    op->op == HD__ZW_NODE_OP__OP__CONFIG_SET) {
		zw_config_start(c, op->op, (int)op->node_id,
		    (uint8_t)op->param, op->value);
		return;
	}
	if (zw_assoc_op(op->op)) {
		zw_assoc_start(c, op->op, (int)op->node_id,
		    (uint8_t)op->param, (uint8_t)op->value);
		return;
	}
	m->op = op->op;
	m->node = (int)op->node_id;
	m->insecure = op->insecure;
	pl[0] = (uint8_t)m->node;
	if (op->op == OP_PING)
		r = ping_send(c);
	else if (op->op == OP_REMOVE)
		r = zw_maint_submit(c, ZW_FN_IS_FAILED, pl, 1, is_failed_done);
	else {
		zw_ss_leave(c);		/* SmartStart listen mode first */
		pl[1] = zw_maint_next_cb(m);
		r = zw_maint_submit(c, ZW_FN_REPLACE_FAILED, pl, 2,
		    replace_sent);
	}
	if (r == -1) {
		m->op = -1;
		zw_maint_result(c, op->op, (int)op->node_id, ST_REFUSED,
		    "the stick's queue refused it");
		return;
	}
	zw_maint_result(c, m->op, m->node, ST_STARTED, NULL);
}

static void
start(struct zw_ctrl *c, const Hd__ZwNodeOp *op)
{
	const char *why;

	/* A sleeping node's ping or configuration waits for its wake-up. */
	if (zw_maint_queue(c, op))
		return;
	if ((why = check(c, op)) != NULL) {
		zw_maint_result(c, op->op, (int)op->node_id, ST_REFUSED, why);
		return;
	}
	zw_maint_run(c, op);
}

void
zw_node_op_request(struct slave *s, const Hd__ZwNodeOp *op)
{
	Hd__ZwNodeOpResult r = HD__ZW_NODE_OP_RESULT__INIT;
	Hd__Envelope	   e = HD__ENVELOPE__INIT;
	char		   by[64];

	snprintf(by, sizeof(by), "%s", op->issued_by);
	if (s->zw == NULL || s->zw->maint == NULL) {
		r.op = op->op;
		r.node_id = op->node_id;
		r.state = ST_REFUSED;
		r.reason = (char *)(uintptr_t)"no Z-Wave stick on this slave";
		e.body_case = HD__ENVELOPE__BODY_ZW_NODE_OP_RESULT;
		e.zw_node_op_result = &r;
		s->up->send_reliable(s, &e);
		return;
	}
	log_info("zwave: %s of node %u requested by %s", op_name(op->op),
	    op->node_id, by[0] ? by : "the master");
	if (op->op == OP_STOP) {
		if (s->zw->maint->op == OP_REPLACE) {
			replace_stop(s->zw);
			fin(s->zw, ST_FAILED, "stopped on request");
		} else if (s->zw->maint->op == HD__ZW_NODE_OP__OP__HEAL)
			zw_heal_stop(s->zw);
		else
			zw_maint_result(s->zw, OP_STOP, 0, ST_DONE,
			    "nothing to stop");
		return;
	}
	if (op->op == HD__ZW_NODE_OP__OP__HEAL) {
		if (zw_nvm_busy(s->zw) != NULL)
			zw_maint_result(s->zw, op->op, (int)op->node_id,
			    ST_REFUSED, zw_nvm_busy(s->zw));
		else if (s->zw->maint->op != -1 || !s->zw->up ||
		    s->zw->step != ZW_STEP_READY ||
		    s->zw->incl.action != HD__ZW_INCLUSION__ACTION__STOP)
			zw_maint_result(s->zw, op->op, (int)op->node_id,
			    ST_REFUSED, s->zw->maint->op != -1 ? "another "
			    "maintenance operation is under way" :
			    "the stick is not ready, or an inclusion runs");
		else
			zw_heal_start(s->zw, (int)op->node_id);
		return;
	}
	if (op->op != OP_PING && op->op != OP_REMOVE && op->op != OP_REPLACE &&
	    op->op != HD__ZW_NODE_OP__OP__CONFIG_GET &&
	    op->op != HD__ZW_NODE_OP__OP__CONFIG_SET && !zw_assoc_op(op->op)) {
		zw_maint_result(s->zw, op->op, (int)op->node_id, ST_REFUSED,
		    "unknown operation");
		return;
	}
	start(s->zw, op);
}

/* --- life ------------------------------------------------------------ */

int
zw_maint_init(struct zw_ctrl *c)
{
	if ((c->maint = calloc(1, sizeof(*c->maint))) == NULL)
		return -1;
	c->maint->op = -1;
	ev_timer_init(&c->maint->timer, on_timer, c);
	ev_timer_init(&c->maint->pace, zw_heal_on_pace, c);
	ev_timer_init(&c->maint->wait_timer, zw_maint_on_wait, c);
	return 0;
}

void
zw_maint_abort(struct zw_ctrl *c, const char *why)
{
	if (c->maint == NULL)
		return;
	c->maint->replaced = 0;
	if (c->maint->op != -1 && !c->stopping)
		fin(c, ST_FAILED, why);
	ev_timer_stop(c->s->loop, &c->maint->timer);
	ev_timer_stop(c->s->loop, &c->maint->pace);
	c->maint->op = -1;
}

void
zw_maint_free(struct zw_ctrl *c)
{
	if (c->maint == NULL)
		return;
	ev_timer_stop(c->s->loop, &c->maint->timer);
	ev_timer_stop(c->s->loop, &c->maint->pace);
	ev_timer_stop(c->s->loop, &c->maint->wait_timer);
	free(c->maint);
	c->maint = NULL;
}
