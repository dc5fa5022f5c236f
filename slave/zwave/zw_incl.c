/*
 * Inclusion and exclusion: adding a node to the stick's network and
 * removing one, started by the master (ZwInclusion) and reported to it
 * step by step (ZwProgress).
 *
 * The Serial API functions AddNodeToNetwork (0x4a) and
 * RemoveNodeFromNetwork (0x4b) take a mode and a callback id and have no
 * response; the stick then sends status callbacks as things happen:
 *
 *	add:	LEARN_READY -> NODE_FOUND -> ADDING_SLAVE|CONTROLLER (the
 *		node's id and classes) -> PROTOCOL_DONE; we send STOP with a
 *		callback id -> DONE (node id). FAILED at any point.
 *	remove:	LEARN_READY -> NODE_FOUND -> REMOVING_SLAVE|CONTROLLER (id)
 *		-> DONE (id); we send STOP without a callback.
 *
 * The session completes the request at its ACK (no RES frame), so every
 * status arrives here as an unsolicited frame. Learn mode ends after the
 * master's timeout (at most ZW_INCLUSION_TIMEOUT_MS) with STOP; a node
 * found must be added within ZW_INCL_ADD_MS. A STOP is sent without a
 * callback id (0) when cancelling: the stick then sends nothing more, and
 * an emulator that would take a second STOP for a new start (the
 * zwave-js mock) is never sent one while idle.
 *
 * An added node is asked for its protocol information, registered as a
 * device, announced, then interviewed like any other; a removed one's
 * device disappears and the master gets the new list.
 */

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "slave.h"
#include "zwave/zw.h"
#include "zwave/zw_nvm.h"
#include "zwave/zw_s2.h"
#include "zwave/zw_sec.h"

#define ACT_STOP	HD__ZW_INCLUSION__ACTION__STOP
#define ACT_INCLUDE	HD__ZW_INCLUSION__ACTION__INCLUDE
#define ACT_EXCLUDE	HD__ZW_INCLUSION__ACTION__EXCLUDE
#define ACT_GRANT	HD__ZW_INCLUSION__ACTION__GRANT
#define ST_STARTING	(-1)

static const char *
state_name(int st)
{
	const ProtobufCEnumValue *v;

	if (st == ST_STARTING)
		return "starting";
	v = protobuf_c_enum_descriptor_get_value(
	    &hd__zw_progress__state__descriptor, st);
	return v != NULL ? v->name : "?";
}

static const char *
verb(int action)
{
	return action == ACT_EXCLUDE ? "exclusion" : "inclusion";
}

/* --- progress to the master ------------------------------------------ */

static void
progress(struct zw_ctrl *c, int action, int state, int node, const char *why)
{
	Hd__Envelope	e = HD__ENVELOPE__INIT;
	Hd__ZwProgress	p = HD__ZW_PROGRESS__INIT;
	struct zw_incl	*in = &c->incl;
	uint64_t	 now = ev_clock_ms();

	p.action = action;
	p.state = state;
	p.node_id = (uint32_t)node;
	p.reason = (char *)(uintptr_t)(why != NULL ? why : "");
	p.controller = in->controller;
	if (state == HD__ZW_PROGRESS__STATE__READY && in->deadline > now)
		p.time_left_ms = (uint32_t)(in->deadline - now);
	e.body_case = HD__ENVELOPE__BODY_ZW_PROGRESS;
	e.zw_progress = &p;
	log_info("zwave: %s: %s%s%.0d%s%s", verb(action), state_name(state),
	    node != 0 ? ", node " : "", node, why != NULL && *why ? ": " : "",
	    why != NULL ? why : "");
	c->s->up->send_reliable(c->s, &e);
}

void
zw_incl_security(struct zw_ctrl *c, int state, int node, const char *why,
    unsigned requested, unsigned granted, const char *dsk, int downgraded)
{
	Hd__Envelope	e = HD__ENVELOPE__INIT;
	Hd__ZwProgress	p = HD__ZW_PROGRESS__INIT;
	char		reason[ZW_INCL_REASON_MAX + 1];

	snprintf(reason, sizeof(reason), "%s", why);
	p.action = ACT_INCLUDE;
	p.state = state;
	p.node_id = (uint32_t)node;
	p.reason = reason;
	p.s2_requested = requested;
	p.s2_granted = granted;
	p.dsk = (char *)(uintptr_t)(dsk != NULL ? dsk : "");
	p.downgraded = downgraded != 0;
	e.body_case = HD__ENVELOPE__BODY_ZW_PROGRESS;
	e.zw_progress = &p;
	log_info("zwave: inclusion: %s, node %d: %s", state_name(state), node,
	    reason);
	c->s->up->send_reliable(c->s, &e);
}

static void
set_state(struct zw_ctrl *c, int state, uint64_t timer_ms, const char *why)
{
	struct zw_incl *in = &c->incl;

	in->state = state;
	ev_timer_stop(c->s->loop, &in->timer);
	if (timer_ms > 0) {
		in->deadline = ev_clock_ms() + timer_ms;
		ev_timer_start(c->s->loop, &in->timer, timer_ms);
	}
	if (state != ST_STARTING)
		progress(c, in->action, state, in->node, why);
}

/* Back to idle after `state` (DONE, FAILED, TIMEOUT, CANCELLED). */
static void
finish(struct zw_ctrl *c, int state, const char *why)
{
	struct zw_incl	*in = &c->incl;
	int		 action = in->action, node = in->node;
	int		 ss = in->smartstart;

	ev_timer_stop(c->s->loop, &in->timer);
	in->action = ACT_STOP;
	in->state = HD__ZW_PROGRESS__STATE__IDLE;
	in->node = 0;
	in->controller = 0;
	in->smartstart = 0;
	progress(c, action, state, node, why);
	if (ss)
		zw_ss_incl_ended(c, state, node, why);
	else
		zw_ss_arm(c);	/* the stick left listen mode for this */
}

/* --- requests to the stick ------------------------------------------- */

static void	start_sent(void *, enum zw_status, const struct zw_frame *,
		    const struct zw_frame *);

/* AddNode/RemoveNode with `mode` and `n` more bytes; with a callback id
 * when `cb`. */
static int
submit_more(struct zw_ctrl *c, int action, uint8_t mode, int cb,
    zw_done_fn *done, const uint8_t *more, size_t n)
{
	struct zw_req	r;
	enum zw_status	st;

	memset(&r, 0, sizeof(r));
	r.func = action == ACT_EXCLUDE ? ZW_FN_REMOVE_NODE : ZW_FN_ADD_NODE;
	r.payload[0] = mode;
	r.len = 2 + n;		/* payload[1]: the callback id, or 0 */
	if (n > 0)
		memcpy(r.payload + 2, more, n);
	r.want_res = 0;		/* these functions have no response */
	r.cb_idx = cb ? 1 : -1;
	r.prio = ZW_PRIO_USER;
	r.done = done;
	r.arg = c;
	if (zw_stick_submit(c->stick, &r, &st) == -1) {
		log_warnx("zwave: %s: %s", verb(action), zw_status_str(st));
		return -1;
	}
	return 0;
}

static int
submit(struct zw_ctrl *c, int action, uint8_t mode, int cb, zw_done_fn *done)
{
	return submit_more(c, action, mode, cb, done, NULL, 0);
}

static void
stop_sent(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	(void)arg;
	(void)res;
	(void)cb;
	if (st != ZW_OK && st != ZW_ERR_DOWN)
		log_warnx("zwave: learn mode stop: %s", zw_status_str(st));
}

/* End learn mode on the stick; nothing comes back. */
static void
stick_stop(struct zw_ctrl *c, int action)
{
	submit(c, action, ZW_INCL_MODE_STOP, 0, stop_sent);
}

static void
start_sent(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct zw_ctrl *c = arg;

	(void)res;
	(void)cb;
	if (c->stopping || c->incl.action == ACT_STOP || st == ZW_OK)
		return;		/* LEARN_READY comes as its own frame */
	finish(c, HD__ZW_PROGRESS__STATE__FAILED, zw_status_str(st));
}

static void
start(struct zw_ctrl *c, int action, uint32_t timeout_ms, int insecure)
{
	struct zw_incl	*in = &c->incl;
	char		 why[80];

	if (in->action != ACT_STOP) {
		snprintf(why, sizeof(why), in->action == action ?
		    "already under way" : "%s under way: stop it first",
		    verb(in->action));
		progress(c, action, in->action == action ? in->state :
		    HD__ZW_PROGRESS__STATE__REFUSED, in->node, why);
		return;
	}
	if (!c->up || c->step != ZW_STEP_READY) {
		progress(c, action, HD__ZW_PROGRESS__STATE__REFUSED, 0,
		    "the stick is not ready");
		return;
	}
	if (zw_nvm_busy(c) != NULL) {
		progress(c, action, HD__ZW_PROGRESS__STATE__REFUSED, 0,
		    zw_nvm_busy(c));
		return;
	}
	in->timeout = timeout_ms == 0 || timeout_ms > ZW_INCLUSION_TIMEOUT_MS ?
	    ZW_INCLUSION_TIMEOUT_MS : timeout_ms < ZW_INCL_MIN_TIMEOUT_MS ?
	    ZW_INCL_MIN_TIMEOUT_MS : timeout_ms;
	in->node = 0;
	in->controller = 0;
	in->insecure = insecure;
	in->smartstart = 0;
	zw_ss_leave(c);		/* listen mode first left, as zwave-js */
	if (submit(c, action, ZW_INCL_MODE_ANY | ZW_INCL_OPT_POWER |
	    ZW_INCL_OPT_NWI, 1, start_sent) == -1) {
		progress(c, action, HD__ZW_PROGRESS__STATE__REFUSED, 0,
		    "the stick's queue refused it");
		zw_ss_arm(c);
		return;
	}
	in->action = action;
	set_state(c, ST_STARTING, ZW_INCL_READY_MS, NULL);
}

/*
 * SmartStart: include the device whose NWI home id the DSK gives
 * (AddNodeToNetwork 0x08 with the NWI and Auth home ids), as an
 * inclusion the user started: the same steps and progress follow, the
 * node must be found within ZW_SS_FIND_MS, and it is bootstrapped with
 * S2 whatever its node information lists (SmartStart implies S2).
 */
int
zw_incl_smartstart(struct zw_ctrl *c, const uint8_t dsk[16])
{
	struct zw_incl	*in = &c->incl;
	uint8_t		 ids[8];

	if (in->action != ACT_STOP || !c->up || c->step != ZW_STEP_READY)
		return -1;
	zw_ss_nwi(dsk, ids);
	zw_ss_auth(dsk, ids + 4);
	in->timeout = ZW_SS_FIND_MS;
	in->node = 0;
	in->controller = 0;
	in->insecure = 0;
	if (submit_more(c, ACT_INCLUDE, ZW_INCL_MODE_HOMEID |
	    ZW_INCL_OPT_POWER | ZW_INCL_OPT_NWI, 1, start_sent, ids,
	    sizeof(ids)) == -1)
		return -1;
	in->smartstart = 1;
	in->action = ACT_INCLUDE;
	set_state(c, ST_STARTING, ZW_INCL_READY_MS, NULL);
	return 0;
}

/* The SmartStart entry went before its device joined: stop. */
void
zw_incl_ss_cancel(struct zw_ctrl *c, const char *why)
{
	struct zw_incl *in = &c->incl;

	if (!in->smartstart || in->state == HD__ZW_PROGRESS__STATE__ADDING ||
	    in->state == HD__ZW_PROGRESS__STATE__PROTOCOL_DONE)
		return;
	stick_stop(c, in->action);
	finish(c, HD__ZW_PROGRESS__STATE__CANCELLED, why);
}

static void
cancel(struct zw_ctrl *c)
{
	struct zw_incl *in = &c->incl;

	if (in->action == ACT_STOP) {
		progress(c, ACT_STOP, HD__ZW_PROGRESS__STATE__IDLE, 0,
		    "nothing under way");
		return;
	}
	/* Once the protocol exchange began, stopping would leave the node
	 * half in; the stick finishes it (or ZW_INCL_ADD_MS ends it). */
	if (in->state == HD__ZW_PROGRESS__STATE__ADDING ||
	    in->state == HD__ZW_PROGRESS__STATE__PROTOCOL_DONE) {
		progress(c, in->action, HD__ZW_PROGRESS__STATE__REFUSED,
		    in->node, "a node is being exchanged: it finishes first");
		return;
	}
	stick_stop(c, in->action);
	finish(c, HD__ZW_PROGRESS__STATE__CANCELLED, "stopped on request");
}

/* The user's answer to an S2 bootstrapping: classes, or the PIN. */
static void
grant(struct zw_ctrl *c, const Hd__ZwInclusion *m)
{
	const char *why;

	if (zw_s2_answer(c, m->s2_grant, m->pin, &why) == -1)
		progress(c, ACT_INCLUDE, HD__ZW_PROGRESS__STATE__REFUSED, 0,
		    why);
}

/* The master's ZwInclusion. */
void
zw_inclusion_request(struct slave *s, const Hd__ZwInclusion *m)
{
	char by[64];

	snprintf(by, sizeof(by), "%s", m->issued_by);
	if (s->zw == NULL) {
		Hd__Envelope	e = HD__ENVELOPE__INIT;
		Hd__ZwProgress	p = HD__ZW_PROGRESS__INIT;

		p.action = m->action;
		p.state = HD__ZW_PROGRESS__STATE__REFUSED;
		p.reason = (char *)(uintptr_t)"no Z-Wave stick on this slave";
		e.body_case = HD__ENVELOPE__BODY_ZW_PROGRESS;
		e.zw_progress = &p;
		s->up->send_reliable(s, &e);
		return;
	}
	log_info("zwave: %s requested by %s", m->action == ACT_STOP ? "stop" :
	    verb(m->action), by[0] ? by : "the master");
	switch (m->action) {
	case ACT_INCLUDE:
	case ACT_EXCLUDE:
		start(s->zw, m->action, m->timeout_ms, m->insecure);
		break;
	case ACT_STOP:
		cancel(s->zw);
		break;
	case ACT_GRANT:
		grant(s->zw, m);
		break;
	default:
		progress(s->zw, ACT_STOP, HD__ZW_PROGRESS__STATE__REFUSED, 0,
		    "unknown action");
	}
}

/* --- a node added ---------------------------------------------------- */

/*
 * Secure bootstrap right after a node joined, before it is interviewed: a
 * real device takes its keys only within seconds of joining. Its classes
 * come from the inclusion (the interview has not asked yet). A node that
 * lists S2 is bootstrapped with S2 only (zw_sec_s2.c: no silent fall back
 * to S0, CVE-2018-25029); one listing S0 alone gets S0 (zw_sec.c). The
 * bootstrap runs beside the interview and polls the node's secure classes
 * when it ends.
 */
static void
secure_bootstrap(struct zw_ctrl *c, struct zw_node *zn)
{
	zn->sec_denied = c->incl.secure && c->incl.insecure;
	if (!c->incl.secure)
		return;
	if (zn->sec_denied) {
		log_warnx("zwave: node %d lists %s, but the master's licence "
		    "allows no secure inclusion now: included without "
		    "security", c->incl.node, c->incl.s2 ? "S2" : "S0");
		if (c->incl.s2)
			zw_incl_security(c, HD__ZW_PROGRESS__STATE__SECURITY,
			    c->incl.node, "included WITHOUT security: the "
			    "licence has no secure-zwave (the device asked for "
			    "S2)", 0, 0, NULL, 1);
		return;
	}
	if (c->incl.s2) {
		if (zw_s2_bootstrap(zn) == -1) {
			log_warnx("zwave: node %d: SECURITY DOWNGRADE: lists S2 "
			    "but cannot be bootstrapped: included without "
			    "security", c->incl.node);
			zw_incl_security(c, HD__ZW_PROGRESS__STATE__SECURITY,
			    c->incl.node, "included WITHOUT security: S2 "
			    "bootstrapping could not start", 0, 0, NULL, 1);
		}
		return;
	}
	if (zw_sec_bootstrap(zn) == -1)
		log_warnx("zwave: node %d: lists S0 but cannot be given the "
		    "network key: included without security", c->incl.node);
}

static void
added(struct zw_ctrl *c, int id)
{
	struct zw_node *zn = &c->node[id];

	zw_ctrl_node_register(c, id);
	secure_bootstrap(c, zn);
	zw_nodes_save(c);
	devtab_changed(c->s);
	c->incl.interview = (uint8_t)id;
	c->incl.node = (uint8_t)id;
	finish(c, HD__ZW_PROGRESS__STATE__DONE, zn->dev != NULL ?
	    zn->dev->desc.id : "device table full");
	zw_interview_next(c);
}

static void
pinfo_done(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct zw_ctrl		*c = arg;
	struct zw_proto_info	 pi;
	struct zw_node		*zn;
	int			 id = c->incl.node;

	(void)cb;
	if (c->stopping || id == 0)
		return;
	zn = &c->node[id];
	if (st == ZW_OK && res != NULL &&
	    zw_parse_protocol_info(res->payload, res->len, &pi) == 0 &&
	    pi.generic != 0) {
		zn->cap = pi.cap;
		zn->sec = pi.sec;
		zn->basic = pi.basic;
		zn->generic = pi.generic;
		zn->specific = pi.specific;
	} else
		log_warnx("zwave: node %d: no protocol info; the classes from "
		    "its inclusion are used", id);
	added(c, id);
}

/* The stick says node `id` joined: learn about it, then register it. */
static void
node_joined(struct zw_ctrl *c, int id)
{
	struct zw_incl	*in = &c->incl;
	struct zw_node	*zn;
	struct zw_req	 r;
	enum zw_status	 st;

	if (id == 0 || id == c->own_id) {
		finish(c, HD__ZW_PROGRESS__STATE__FAILED,
		    "the stick named no new node");
		return;
	}
	if (zw_ctrl_node_unregister(c, id))	/* a stale entry: replaced */
		devtab_changed(c->s);
	zw_ctrl_node_reset(c, id);
	zn = &c->node[id];
	zn->listed = 1;
	zn->have_info = 1;
	zn->basic = in->basic;
	zn->generic = in->generic;
	zn->specific = in->specific;
	zn->pct = ZW_INTERVIEW_PROTO;
	in->node = (uint8_t)id;
	if (in->smartstart)
		zw_ss_joined(c, id);
	memset(&r, 0, sizeof(r));
	r.func = ZW_FN_GET_NODE_PROTOCOL_INFO;
	r.payload[0] = (uint8_t)id;
	r.len = 1;
	r.want_res = 1;
	r.cb_idx = -1;
	r.prio = ZW_PRIO_USER;
	r.done = pinfo_done;
	r.arg = c;
	if (zw_stick_submit(c->stick, &r, &st) == -1)
		added(c, id);
}

/* --- a node removed -------------------------------------------------- */

static void
node_left(struct zw_ctrl *c, int id)
{
	char why[64];

	stick_stop(c, ACT_EXCLUDE);
	if (id == 0 || id == c->own_id) {
		/* Excluding resets a node of any network, ours or not. */
		finish(c, HD__ZW_PROGRESS__STATE__DONE,
		    "a node of another network was reset");
		return;
	}
	if (zw_ctrl_node_unregister(c, id))
		devtab_changed(c->s);
	zw_ctrl_node_reset(c, id);
	zw_nodes_save(c);
	if (c->interviewing == id)
		c->interviewing = 0;
	c->incl.node = (uint8_t)id;
	snprintf(why, sizeof(why), "zw:%d:0 removed", id);
	finish(c, HD__ZW_PROGRESS__STATE__DONE, why);
	zw_interview_next(c);
}

/* --- status callbacks ------------------------------------------------ */

static void
on_status(struct zw_ctrl *c, const struct zw_incl_status *u)
{
	struct zw_incl	*in = &c->incl;
	int		 add = in->action == ACT_INCLUDE;

	switch (u->status) {
	case ZW_INCL_LEARN_READY:
		if (in->state == ST_STARTING)
			set_state(c, HD__ZW_PROGRESS__STATE__READY, in->timeout,
			    in->smartstart ? "SmartStart: a listed device "
			    "announced itself, it is being added" :
			    add ? "press the new node's button" :
			    "press the button of the node to remove");
		break;
	case ZW_INCL_NODE_FOUND:
		set_state(c, HD__ZW_PROGRESS__STATE__NODE_FOUND,
		    ZW_INCL_ADD_MS, NULL);
		break;
	case ZW_INCL_ADDING_SLAVE:
	case ZW_INCL_ADDING_CTRL:
		in->node = u->node;
		in->controller = u->status == ZW_INCL_ADDING_CTRL;
		if (u->have_info) {
			in->basic = u->basic;
			in->generic = u->generic;
			in->specific = u->specific;
		}
		/* SmartStart implies S2, listed or not (as zwave-js). */
		in->s2 = in->smartstart || (u->have_info &&
		    memchr(u->cc, ZW_CC_SECURITY_2, u->ncc) != NULL);
		in->secure = in->s2 || (u->have_info &&
		    memchr(u->cc, ZW_CC_SECURITY, u->ncc) != NULL);
		set_state(c, HD__ZW_PROGRESS__STATE__ADDING, ZW_INCL_ADD_MS,
		    in->controller ? "a controller" : "a node");
		break;
	case ZW_INCL_PROTOCOL_DONE:
		if (!add)
			break;
		set_state(c, HD__ZW_PROGRESS__STATE__PROTOCOL_DONE,
		    ZW_INCL_ADD_MS, NULL);
		/* STOP with a callback: the stick answers DONE. */
		if (submit(c, ACT_INCLUDE, ZW_INCL_MODE_STOP, 1, stop_sent) ==
		    -1)
			node_joined(c, in->node);
		break;
	case ZW_INCL_DONE:
		if (add)
			node_joined(c, u->node != 0 ? u->node : in->node);
		else
			node_left(c, u->node != 0 ? u->node : in->node);
		break;
	case ZW_INCL_FAILED:
	case ZW_INCL_NOT_PRIMARY:
		stick_stop(c, in->action);
		finish(c, HD__ZW_PROGRESS__STATE__FAILED,
		    u->status == ZW_INCL_FAILED ? "the stick reports failure" :
		    "the stick is not the network's primary controller");
		break;
	default:
		log_debug("zwave: %s: status 0x%02x ignored", verb(in->action),
		    u->status);
	}
}

void
zw_incl_unsolicited(struct zw_ctrl *c, const struct zw_frame *f)
{
	struct zw_incl_status	u;
	int			action = f->func == ZW_FN_REMOVE_NODE ?
				    ACT_EXCLUDE : ACT_INCLUDE;

	if (zw_parse_incl_status(f->payload, f->len, &u) == -1) {
		log_warnx("zwave: malformed %s status", verb(action));
		return;
	}
	if (c->incl.action != action) {
		log_debug("zwave: %s status 0x%02x while not in that mode",
		    verb(action), u.status);
		return;
	}
	on_status(c, &u);
}

static void
on_timer(struct ev_timer *t)
{
	struct zw_ctrl	*c = t->arg;
	struct zw_incl	*in = &c->incl;
	char		 why[64];

	if (in->action == ACT_STOP)
		return;
	stick_stop(c, in->action);
	if (in->state == HD__ZW_PROGRESS__STATE__READY) {
		snprintf(why, sizeof(why), "no node within %llu s",
		    (unsigned long long)(in->timeout / 1000));
		finish(c, HD__ZW_PROGRESS__STATE__TIMEOUT, why);
	} else
		finish(c, HD__ZW_PROGRESS__STATE__FAILED,
		    in->state == ST_STARTING ? "the stick did not start" :
		    "the node was not added in time");
}

void
zw_incl_init(struct zw_ctrl *c)
{
	memset(&c->incl, 0, sizeof(c->incl));
	c->incl.action = ACT_STOP;
	ev_timer_init(&c->incl.timer, on_timer, c);
}

void
zw_incl_abort(struct zw_ctrl *c, const char *why)
{
	ev_timer_stop(c->s->loop, &c->incl.timer);
	c->incl.interview = 0;
	if (c->incl.action != ACT_STOP && !c->stopping)
		finish(c, HD__ZW_PROGRESS__STATE__FAILED, why);
	c->incl.action = ACT_STOP;
}

void
zw_incl_interviewed(struct zw_ctrl *c, int id)
{
	if (id == 0 || c->incl.interview != id)
		return;
	c->incl.interview = 0;
	progress(c, ACT_INCLUDE, HD__ZW_PROGRESS__STATE__INTERVIEWED, id,
	    c->node[id].dev != NULL ? c->node[id].dev->desc.id : "");
}
