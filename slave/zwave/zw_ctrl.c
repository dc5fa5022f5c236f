/*
 * The Z-Wave controller: each time the stick comes up, the start-up
 * sequence runs as requests on the session, one after the other, each
 * started from the previous one's completion (never waited for):
 *
 *	GetCapabilities -> GetVersion -> MemoryGetId (home id, own node id)
 *	-> GetInitData (node list) -> GetNodeProtocolInfo per unknown node
 *
 * A 700/800 stick (library 7 and up) is soft-reset once each time the port
 * opens, after GetVersion, as zwave-js does: it drops whatever state the
 * stick kept from before; the sequence then starts again. A 500-series
 * stick is not (over USB it would drop off the bus and come back).
 *
 * Every node but the controller becomes a device "zw:NODE:0" in the slave's
 * table. Nodes already in the node table on disk are registered at once
 * and not asked again. A stick that is lost raises a "zwave" fault for the
 * master; the fault clears when the sequence completes again. An idle
 * stick is asked for its version every `zwave ping-interval`, so a jammed
 * one is noticed even when nothing else is sent.
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

#define ZW_STEP_RETRY_MS	5000

static void	step_run(struct zw_ctrl *);

static Hd__DeviceKind
kind_of(uint8_t generic)
{
	switch (generic) {
	case 0x01:					/* remote */
	case 0x02:					/* static */
	case 0x18:					/* wall */
		return HD__DEVICE_KIND__DEV_CONTROLLER;
	case 0x07:		/* notification sensor: door, motion, leak */
		return HD__DEVICE_KIND__DEV_BINARY_SENSOR;
	case 0x08:
		return HD__DEVICE_KIND__DEV_THERMOSTAT;
	case 0x10:
		return HD__DEVICE_KIND__DEV_SWITCH;	/* binary switch */
	case 0x11:
		return HD__DEVICE_KIND__DEV_DIMMER;	/* multilevel switch */
	case 0x20:
		return HD__DEVICE_KIND__DEV_BINARY_SENSOR;
	case 0x21:
		return HD__DEVICE_KIND__DEV_SENSOR;	/* multilevel sensor */
	case 0x31:
		return HD__DEVICE_KIND__DEV_METER;
	case 0x40:
		return HD__DEVICE_KIND__DEV_LOCK;	/* entry control */
	default:
		return HD__DEVICE_KIND__DEV_UNKNOWN;
	}
}

/* A node's slot, empty: its back pointer and command timer set up. */
static void
node_reset(struct zw_ctrl *c, int id)
{
	struct zw_node *zn = &c->node[id];

	zw_sec_node_reset(zn);
	memset(zn, 0, sizeof(*zn));
	zn->ctrl = c;
	ev_timer_init(&zn->cmd_timer, zw_on_cmd_timeout, zn);
}

/* Register node `id` as a device; 1 if the table changed. */
static int
node_register(struct zw_ctrl *c, int id)
{
	struct zw_node	*zn = &c->node[id];
	char		 did[DEVICE_ID_MAX + 1], name[64];

	if (zn->dev != NULL || !zn->have_info)
		return 0;
	snprintf(did, sizeof(did), "zw:%d:0", id);
	snprintf(name, sizeof(name), "Z-Wave node %d", id);
	zn->dev = dev_new(c->s, did, name, "", kind_of(zn->generic),
	    &zw_dev_ops, zn);
	if (zn->dev == NULL) {
		log_warnx("zwave: node %d: device table full", id);
		return 0;
	}
	zn->dev->desc.interview_pct = zn->pct;
	zw_node_values(zn);
	zw_node_identity(zn);
	log_info("zwave: node %d registered as %s (generic class 0x%02x)",
	    id, did, zn->generic);
	return 1;
}

static int
node_unregister(struct zw_ctrl *c, int id)
{
	struct zw_node *zn = &c->node[id];

	if (zn->dev == NULL)
		return 0;
	log_info("zwave: node %d gone from the stick's list", id);
	if (zn->cmd_id != 0)
		dev_done(zn->dev, zn->cmd_id,
		    HD__COMMAND_RESULT__STATUS__UNKNOWN_DEVICE,
		    "the node left the network", NULL);
	ev_timer_stop(c->s->loop, &zn->cmd_timer);
	zn->cmd_id = 0;
	zw_node_forget(zn);
	zw_sec_node_reset(zn);
	zn->sec_level = 0;
	zn->s2_granted = 0;
	zn->sec_denied = 0;
	zn->nscc = 0;
	dev_remove(zn->dev);
	zn->dev = NULL;
	return 1;
}

/* --- parsing the answers: check the length before every read ---------- */

static int
parse_memid(struct zw_ctrl *c, const struct zw_frame *f)
{
	int id, changed = 0;

	if (zw_parse_memid(f->payload, f->len, &c->home_id, &c->own_id) == -1)
		return -1;
	log_info("zwave: home id %08x, controller is node %d", c->home_id,
	    c->own_id);
	if (c->table_home != 0 && c->table_home != c->home_id) {
		log_warnx("zwave: the node table is for home id %08x: "
		    "forgotten", c->table_home);
		/* The nodes registered from that table are someone else's. */
		for (id = 0; id <= ZW_MAX_NODES; id++) {
			changed |= node_unregister(c, id);
			node_reset(c, id);
		}
		if (changed)
			devtab_changed(c->s);
	}
	c->table_home = c->home_id;
	return 0;
}

static int
parse_init(struct zw_ctrl *c, const struct zw_frame *f)
{
	uint8_t	listed[ZW_MAX_NODES + 1];
	int	id, changed = 0, count = 0;

	if (zw_parse_init(f->payload, f->len, listed) == -1)
		return -1;
	zw_nvm_init_data(c, f->payload, f->len);	/* the chip type */
	listed[c->own_id] = 0;			/* the stick itself */
	for (id = 1; id <= ZW_MAX_NODES; id++) {
		c->node[id].listed = listed[id];
		if (!listed[id]) {
			changed |= node_unregister(c, id);
			c->node[id].have_info = 0;
			continue;
		}
		count++;
	}
	log_info("zwave: the stick lists %d node%s besides itself", count,
	    count == 1 ? "" : "s");
	if (changed)
		devtab_changed(c->s);
	return 0;
}

static int
parse_protocol_info(struct zw_ctrl *c, int id, const struct zw_frame *f)
{
	struct zw_node		*zn = &c->node[id];
	struct zw_proto_info	 pi;

	if (zw_parse_protocol_info(f->payload, f->len, &pi) == -1)
		return -1;
	zn->cap = pi.cap;
	zn->sec = pi.sec;
	zn->basic = pi.basic;
	zn->generic = pi.generic;
	zn->specific = pi.specific;
	zn->have_info = 1;
	zn->pct = ZW_INTERVIEW_PROTO;
	return 0;
}

/* --- the sequence ---------------------------------------------------- */

static int
next_unknown(const struct zw_ctrl *c)
{
	int id;

	for (id = 1; id <= ZW_MAX_NODES; id++)
		if (c->node[id].listed && !c->node[id].have_info)
			return id;
	return 0;
}

static void
step_failed(struct zw_ctrl *c, enum zw_status st)
{
	if (st == ZW_ERR_DOWN)
		return;		/* the stick layer reopens; up() restarts */
	log_warnx("zwave: start-up step %d failed: %s; again in %d ms",
	    c->step, zw_status_str(st), ZW_STEP_RETRY_MS);
	ev_timer_start(c->s->loop, &c->retry, ZW_STEP_RETRY_MS);
}

static void
ping_done(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct zw_ctrl *c = arg;

	(void)res;
	(void)cb;
	if (c->stopping || !c->up || st == ZW_ERR_DOWN)
		return;		/* up() starts it again */
	if (st != ZW_OK)
		log_warnx("zwave: stick check: %s", zw_status_str(st));
	ev_timer_start(c->s->loop, &c->ping, (uint64_t)c->s->conf.zw_ping_ms);
}

static void
on_ping(struct ev_timer *t)
{
	struct zw_ctrl	*c = t->arg;
	struct zw_req	 r;
	enum zw_status	 st;

	memset(&r, 0, sizeof(r));
	r.func = ZW_FN_GET_VERSION;
	r.want_res = 1;
	r.cb_idx = -1;
	r.prio = ZW_PRIO_POLL;
	r.done = ping_done;
	r.arg = c;
	if (zw_stick_submit(c->stick, &r, &st) == -1 && st != ZW_ERR_DOWN)
		ev_timer_start(c->s->loop, t, (uint64_t)c->s->conf.zw_ping_ms);
}

/* Every node's last values again, with the fault flag while the stick
 * is gone: the dashboard shows them faulty, not only the master log. */
static void
report_all(struct zw_ctrl *c)
{
	int id;

	for (id = 1; id <= ZW_MAX_NODES; id++)
		if (c->node[id].dev != NULL)
			zw_node_report_all(c->node[id].dev);
}

/*
 * The "zwave" fault has two causes, the stick gone (c->faulted) and the
 * radio jammed (c->jammed): raised when the first comes, cleared only
 * when neither is left (a stick that starts again while the radio is
 * still jammed does not clear it).
 */
static void
fault_set(struct zw_ctrl *c, int *cause, int on, const char *why)
{
	int was = c->faulted || c->jammed;

	*cause = on;
	if (was == (c->faulted || c->jammed))
		return;
	dev_fault(c->s, "zwave", NULL, !was, why);
	report_all(c);		/* the values say it too */
}

static void
ready(struct zw_ctrl *c)
{
	int id, changed = 0;

	c->step = ZW_STEP_READY;
	for (id = 1; id <= ZW_MAX_NODES; id++)
		if (c->node[id].listed)
			changed |= node_register(c, id);
	zw_nodes_save(c);
	if (changed)
		devtab_changed(c->s);
	log_info("zwave: controller ready, %d device%s", c->s->ndevs,
	    c->s->ndevs == 1 ? "" : "s");
	ev_timer_start(c->s->loop, &c->ping, (uint64_t)c->s->conf.zw_ping_ms);
	if (c->faulted && c->jammed)
		log_info("zwave: the stick answers again, the radio is jammed: "
		    "the fault stays until a transmission gets out");
	fault_set(c, &c->faulted, 0, "the stick answers again");
	zw_maint_ready(c);
	zw_nvm_ready(c);
	zw_ss_arm(c);
	zw_interview_next(c);
}

/* 1 when a soft reset goes now: the stick layer's up(1) starts again. */
static int
soft_reset_at_open(struct zw_ctrl *c)
{
	unsigned opened = zw_stick_opened(c->stick);

	if (c->lib_major < 7 || c->reset_open == opened)
		return 0;
	c->reset_open = opened;
	if (zw_stick_soft_reset(c->stick) == -1)
		return 0;
	log_info("zwave: soft-resetting the stick at start-up");
	return 1;
}

static int
step_parse(struct zw_ctrl *c, const struct zw_frame *res)
{
	struct zw_caps caps;

	switch (c->step) {
	case ZW_STEP_CAPS:
		if (zw_parse_caps(res->payload, res->len, &caps) == -1)
			return -1;
		zw_nvm_caps(c, res->payload, res->len);
		log_info("zwave: stick firmware %d.%d, manufacturer %04x, "
		    "product %04x:%04x", caps.app_major, caps.app_minor,
		    caps.manufacturer, caps.product_type, caps.product_id);
		return 0;
	case ZW_STEP_VERSION:
		if (zw_parse_version(res->payload, res->len, c->version,
		    sizeof(c->version)) == -1)
			return -1;
		log_info("zwave: stick library \"%s\"", c->version);
		c->lib_major = zw_version_major(c->version);
		return soft_reset_at_open(c);
	case ZW_STEP_MEMID:
		return parse_memid(c, res);
	case ZW_STEP_INIT:
		return parse_init(c, res);
	default:
		return -1;
	}
}

static void
step_done(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct zw_ctrl	*c = arg;
	int		 id, rv = 0;

	(void)cb;
	if (c->stopping || !c->up)
		return;
	if (st != ZW_OK) {
		step_failed(c, st);
		return;
	}
	if (c->step == ZW_STEP_NODES) {
		id = next_unknown(c);
		if (parse_protocol_info(c, id, res) == -1) {
			log_warnx("zwave: node %d: no protocol info", id);
			c->node[id].listed = 0;		/* skip it */
		}
	} else if ((rv = step_parse(c, res)) == -1) {
		log_warnx("zwave: start-up step %d: malformed answer", c->step);
		step_failed(c, ZW_ERR_REFUSED);
		return;
	} else if (rv == 1)
		return;		/* soft reset: up(1) starts again */
	else
		c->step++;
	step_run(c);
}

static void
step_run(struct zw_ctrl *c)
{
	static const uint8_t fn[] = { ZW_FN_GET_CAPABILITIES,
	    ZW_FN_GET_VERSION, ZW_FN_MEMORY_GET_ID, ZW_FN_GET_INIT_DATA };
	struct zw_req	r;
	enum zw_status	st;
	int		id = 0;

	if (c->step == ZW_STEP_NODES && (id = next_unknown(c)) == 0) {
		ready(c);
		return;
	}
	memset(&r, 0, sizeof(r));
	r.func = c->step == ZW_STEP_NODES ? ZW_FN_GET_NODE_PROTOCOL_INFO :
	    fn[c->step];
	r.want_res = 1;
	r.cb_idx = -1;
	r.prio = ZW_PRIO_POLL;
	r.done = step_done;
	r.arg = c;
	if (id != 0) {
		r.payload[0] = (uint8_t)id;
		r.len = 1;
	}
	if (zw_stick_submit(c->stick, &r, &st) == -1)
		step_failed(c, st);
}

static void
on_retry(struct ev_timer *t)
{
	struct zw_ctrl *c = t->arg;

	if (c->up)
		step_run(c);
}

/* An interview waited for the stick to be idle (zw_interview_next). */
static void
on_idle(struct ev_timer *t)
{
	zw_interview_next(t->arg);
}

static void
ctrl_up(void *arg, int up, const char *why)
{
	struct zw_ctrl	*c = arg;
	int		 id;

	c->up = up;
	ev_timer_stop(c->s->loop, &c->retry);
	ev_timer_stop(c->s->loop, &c->ping);
	ev_timer_stop(c->s->loop, &c->idle_timer);
	ev_timer_stop(c->s->loop, &c->poll_timer);
	c->interviewing = 0;
	zw_mgmt_stick_lost(c);
	zw_ss_lost(c);
	for (id = 1; id <= ZW_MAX_NODES; id++)
		c->node[id].nif_asked = c->node[id].refreshed =
		    c->node[id].mgmt_asked = c->node[id].poll_due = 0;
	if (up) {
		c->step = ZW_STEP_CAPS;
		step_run(c);
		return;
	}
	zw_incl_abort(c, why);
	zw_maint_abort(c, why);
	zw_nvm_abort(c, why);
	if (!c->stopping)
		fault_set(c, &c->faulted, 1, why);
}

static void
ctrl_unsolicited(void *arg, const struct zw_frame *f)
{
	struct zw_ctrl *c = arg;

	if (c->stopping)
		return;
	if (f->type == ZW_REQ && (f->func == ZW_FN_ADD_NODE ||
	    f->func == ZW_FN_REMOVE_NODE))
		zw_incl_unsolicited(c, f);
	else if (f->type == ZW_REQ && (f->func == ZW_FN_REMOVE_FAILED ||
	    f->func == ZW_FN_REPLACE_FAILED ||
	    f->func == ZW_FN_NEIGHBOR_UPDATE))
		zw_maint_unsolicited(c, f);
	else
		zw_node_unsolicited(c, f);
}

/*
 * The radio stayed jammed through a SendData's every try (zw_session.c),
 * or transmits again. The user sees it as a fault of the stick, on the
 * "zwave" fault and on every value, not as nodes failing one by one.
 * A 700/800 stick is then soft-reset, once a jam (as zwave-js recovers
 * a stick that cannot transmit): a stick whose radio firmware hung
 * transmits again after it; a jam from outside outlasts it, and the
 * fault stays until a transmission gets out.
 */
static void
ctrl_jammed(void *arg, int jammed)
{
	struct zw_ctrl *c = arg;

	if (c->stopping || c->jammed == jammed)
		return;
	fault_set(c, &c->jammed, jammed, jammed ? "the radio is jammed: "
	    "the stick could not transmit" : "the radio transmits again");
	if (!jammed) {
		c->jam_reset = 0;
		return;
	}
	if (c->jam_reset || c->lib_major < 7)
		return;
	c->jam_reset = 1;
	if (zw_stick_soft_reset(c->stick) == 0)
		log_warnx("zwave: the radio stays jammed: soft-resetting the "
		    "stick");
}

static const struct zw_stick_ops ctrl_ops = {
	ctrl_up, ctrl_unsolicited, ctrl_jammed,
};

int
zw_check(const struct slave *s)
{
	return s->conf.zw_port == NULL ? 0 :
	    zw_sec_key_check(s->conf.state_dir);
}

int
zw_start(struct slave *s)
{
	struct zw_ctrl	*c;
	int		 id;

	if (s->conf.zw_port == NULL)
		return 0;
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    asprintf(&c->path, "%s/zwave.nodes", s->conf.state_dir) == -1) {
		log_warn("zwave");
		free(c);
		return -1;
	}
	c->s = s;
	c->lib_major = -1;
	s->zw = c;
	ev_timer_init(&c->retry, on_retry, c);
	ev_timer_init(&c->ping, on_ping, c);
	ev_timer_init(&c->idle_timer, on_idle, c);
	ev_timer_init(&c->poll_timer, zw_on_poll_timer, c);
	zw_incl_init(c);
	if (zw_maint_init(c) == -1 || zw_nvm_init(c) == -1) {
		log_warn("zwave");
		return -1;
	}
	for (id = 0; id <= ZW_MAX_NODES; id++)
		node_reset(c, id);
	if (zw_sec_start(c) == -1)
		return -1;
	if (zw_nodes_load(c) == -1)
		return -1;
	/* Known nodes are devices from the start, before the stick answers. */
	for (id = 1; id <= ZW_MAX_NODES; id++) {
		c->node[id].listed = c->node[id].have_info;
		node_register(c, id);
	}
	if ((c->stick = zw_stick_new(s->loop, s->conf.zw_port, &ctrl_ops,
	    c)) == NULL) {
		log_warn("zwave: %s", s->conf.zw_port);
		return -1;
	}
	return 0;
}

void
zw_stop(struct slave *s)
{
	struct zw_ctrl	*c = s->zw;
	int		 id;

	if (c == NULL)
		return;
	c->stopping = 1;
	zw_incl_abort(c, "the slave stops");
	zw_maint_free(c);
	zw_nvm_free(c);
	ev_timer_stop(s->loop, &c->retry);
	ev_timer_stop(s->loop, &c->ping);
	ev_timer_stop(s->loop, &c->idle_timer);
	ev_timer_stop(s->loop, &c->poll_timer);
	zw_stick_free(c->stick);
	zw_sec_stop(c);
	for (id = 1; id <= ZW_MAX_NODES; id++) {
		ev_timer_stop(s->loop, &c->node[id].cmd_timer);
		zw_node_forget(&c->node[id]);
		if (c->node[id].dev != NULL)
			dev_remove(c->node[id].dev);
	}
	free(c->path);
	free(c);
	s->zw = NULL;
}

/* For zw_incl.c: nodes added to or removed from the network. */
void
zw_ctrl_node_reset(struct zw_ctrl *c, int id)
{
	node_reset(c, id);
}

int
zw_ctrl_node_register(struct zw_ctrl *c, int id)
{
	return node_register(c, id);
}

int
zw_ctrl_node_unregister(struct zw_ctrl *c, int id)
{
	return node_unregister(c, id);
}

/* The classes point into the node's slot, which outlives its device. */
void
zw_ctrl_node_desc(struct zw_node *zn)
{
	if (zn->dev == NULL)
		return;
	zn->dev->desc.command_classes.data = zn->cc;
	zn->dev->desc.command_classes.len = zn->ncc;
	zn->dev->desc.failed = zn->failed;
	zn->dev->desc.listening = (Hd__ZwListening)zw_mgmt_listening(zn);
	/* zw_sec.h's levels are the protocol's Security values. */
	zn->dev->desc.security = zn->sec_level <=
	    HD__SECURITY__SEC_S2_ACCESS_CONTROL ? (Hd__Security)zn->sec_level :
	    HD__SECURITY__SEC_NONE;
}
