/*
 * Z-Wave nodes as devices: the interview and reports.
 *
 * Interview: once the start-up is done, each node whose command classes
 * are not known yet is asked for its node information frame, one node at
 * a time (RequestNodeInfo, then ApplicationUpdate 0x49 within
 * ZW_NIF_TIMEOUT_MS). Its command classes become device values and are
 * kept in the node table, so a restart does not ask again.
 *
 * Reports: ApplicationCommandHandler (0x04, bridge 0xA8) frames are decoded
 * by zw_cc.c and reported. A value a node reports that was not announced
 * yet (a sensor's type is only known from its first report) is added and
 * the device list announced again.
 *
 * Commands are zw_node_cmd.c's, sending and state polls zw_node_tx.c's.
 * A node that does not acknowledge is marked failed (a device fault)
 * until it is heard again.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "slave.h"
#include "zwave/zw.h"
#include "zwave/zw_cc.h"
#include "zwave/zw_maint.h"
#include "zwave/zw_sec.h"


/* A node's last reported values, so they can be reported again: after
 * each Welcome, and with the fault flag while the node is failed. */
struct zw_last {
	int		have;
	Hd__Value	v;		/* scalars only */
	int		flags;
	uint8_t		cc;		/* the class that reported it */
};

static void	report_cached(struct zw_node *);

int
zw_node_has(const struct zw_node *zn, uint8_t cc)
{
	size_t i;

	for (i = 0; i < zn->ncc; i++)
		if (zn->cc[i] == cc)
			return 1;
	for (i = 0; i < zn->nscc; i++)		/* supported securely */
		if (zn->scc[i] == cc)
			return 1;
	return 0;
}

int
zw_node_id(const struct zw_ctrl *c, const struct zw_node *zn)
{
	return (int)(zn - c->node);
}

/* The values a node's classes give before any report. */
int
zw_node_values(struct zw_node *zn)
{
	struct dev *d = zn->dev;

	if (d == NULL)
		return 0;
	zw_ctrl_node_desc(zn);
	if (zw_node_has(zn, ZW_CC_SWITCH_BINARY) || (zw_node_has(zn, ZW_CC_BASIC) &&
	    !zw_node_has(zn, ZW_CC_SWITCH_MULTILEVEL)))
		if (dev_find_value(d, "on") == NULL)
			dev_value(d, "on", HD__VALUE_TYPE__VT_BOOL, "", 1, 0, 0);
	if (zw_node_has(zn, ZW_CC_SWITCH_MULTILEVEL) &&
	    dev_find_value(d, "level") == NULL)
		dev_value(d, "level", HD__VALUE_TYPE__VT_INT, "%", 1, 0,
		    ZW_LEVEL_MAX);
	if (zw_node_has(zn, ZW_CC_DOOR_LOCK) && dev_find_value(d, "locked") == NULL)
		dev_value(d, "locked", HD__VALUE_TYPE__VT_BOOL, "", 1, 0, 0);
	if (zw_node_has(zn, ZW_CC_BATTERY) && dev_find_value(d, "battery") == NULL)
		dev_value(d, "battery", HD__VALUE_TYPE__VT_DOUBLE, "%", 0, 0,
		    100);
	zw_mgmt_values(zn);
	return (int)d->desc.n_values;
}

/* The device's manufacturer and model from the Manufacturer Specific
 * report: the ids in hex, as no product database is shipped. */
void
zw_node_identity(struct zw_node *zn)
{
	char	m[16], p[16], *nm, *np;

	if (zn->dev == NULL || !zn->have_mfr)
		return;
	snprintf(m, sizeof(m), "0x%04x", zn->mfr);
	snprintf(p, sizeof(p), "%04x:%04x", zn->ptype, zn->pid);
	if ((nm = strdup(m)) == NULL || (np = strdup(p)) == NULL) {
		free(nm);
		return;
	}
	free(zn->dev->desc.manufacturer);
	free(zn->dev->desc.model);
	zn->dev->desc.manufacturer = nm;
	zn->dev->desc.model = np;
}

static void
got_info(struct zw_ctrl *c, struct zw_node *zn, const struct zw_cc_info *in)
{
	if (!in->have_manufacturer || (zn->have_mfr &&
	    zn->mfr == in->manufacturer && zn->ptype == in->product_type &&
	    zn->pid == in->product_id))
		return;
	zn->have_mfr = 1;
	zn->mfr = in->manufacturer;
	zn->ptype = in->product_type;
	zn->pid = in->product_id;
	log_info("zwave: node %d: manufacturer %04x, product %04x:%04x",
	    zw_node_id(c, zn), zn->mfr, zn->ptype, zn->pid);
	zw_node_identity(zn);
	zw_nodes_save(c);
	devtab_changed(c->s);
}

/* --- the interview --------------------------------------------------- */

static void
interview_end(struct zw_ctrl *c)
{
	ev_timer_stop(c->s->loop, &c->nif_timer);
	c->interviewing = 0;
	zw_interview_next(c);
}

static void
nif_sent(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct zw_ctrl *c = arg;

	(void)cb;
	if (c->stopping || c->interviewing == 0)
		return;
	if (st != ZW_OK || res == NULL || res->len < 1 ||
	    res->payload[0] == 0) {
		log_warnx("zwave: node %d: node info request: %s",
		    c->interviewing, st != ZW_OK ? zw_status_str(st) :
		    "refused");
		interview_end(c);
		return;
	}
	ev_timer_start(c->s->loop, &c->nif_timer, ZW_NIF_TIMEOUT_MS);
}

void
zw_on_nif_timeout(struct ev_timer *t)
{
	struct zw_ctrl *c = t->arg;

	log_warnx("zwave: node %d: no node information in %d ms",
	    c->interviewing, ZW_NIF_TIMEOUT_MS);
	interview_end(c);
}

/*
 * Once no node is left to interview, every interviewed node is asked for
 * its state, once per start-up. Not earlier: a stick busy with SendData
 * may refuse a RequestNodeInfo (the zwave-js mock even exits).
 */
static void
refresh_all(struct zw_ctrl *c)
{
	int id;

	for (id = 1; id <= ZW_MAX_NODES; id++)
		if (c->node[id].listed && c->node[id].dev != NULL &&
		    c->node[id].pct >= ZW_INTERVIEW_NIF &&
		    !c->node[id].refreshed) {
			c->node[id].refreshed = 1;
			/* Adoption asks for its state at its end. Not for
			 * a node the licence left without security. */
			if (zw_node_has(&c->node[id], ZW_CC_SECURITY) &&
			    c->node[id].sec_level == 0 &&
			    !c->node[id].sec_denied &&
			    zw_sec_adopt(&c->node[id]) == 0)
				continue;
			/* Not all at once: 40 nodes' polls would fill the
			 * session's queue (zw_node_poll_pace). */
			c->node[id].poll_due = 1;
		}
	zw_node_poll_pace(c);
}

/* Interview the next node that needs it, unless one is under way. */
void
zw_interview_next(struct zw_ctrl *c)
{
	struct zw_req	r;
	enum zw_status	st;
	int		id;

	if (c->interviewing != 0 || c->mgmt != 0 || c->step != ZW_STEP_READY ||
	    !c->up || zw_mgmt_next(c))
		return;
	for (id = 1; id <= ZW_MAX_NODES; id++) {
		if (!c->node[id].listed || c->node[id].dev == NULL ||
		    c->node[id].pct >= ZW_INTERVIEW_DONE ||
		    c->node[id].nif_asked)
			continue;
		/* Not in the middle of its S0 key exchange: the stick is
		 * idle between two of its steps, but the node (asleep once
		 * its node information lists Wake Up) must hear the next
		 * step in time. The exchange's end asks again. (S2's waits
		 * for the user's grant and PIN, minutes: not held for it.) */
		if (!zw_sec_s0_booting(&c->node[id]))
			break;
		log_debug("zwave: node %d: interview after its secure "
		    "inclusion", id);
	}
	if (id > ZW_MAX_NODES) {
		refresh_all(c);
		return;
	}
	/* Not while SendData is under way: a stick may refuse it then, and
	 * the zwave-js mock exits. */
	if (zw_stick_busy(c->stick)) {
		ev_timer_start(c->s->loop, &c->idle_timer, ZW_INTERVIEW_WAIT_MS);
		return;
	}
	c->node[id].nif_asked = 1;
	memset(&r, 0, sizeof(r));
	r.func = ZW_FN_REQUEST_NODE_INFO;
	r.payload[0] = (uint8_t)id;
	r.len = 1;
	r.want_res = 1;
	r.cb_idx = -1;
	r.prio = ZW_PRIO_POLL;
	r.done = nif_sent;
	r.arg = c;
	if (zw_stick_submit(c->stick, &r, &st) == -1) {
		log_warnx("zwave: node %d: node info request: %s", id,
		    zw_status_str(st));
		return;
	}
	c->interviewing = id;
	log_info("zwave: node %d: interview", id);
}

static void	interviewed_new(struct zw_ctrl *, int);

static void
got_nif(struct zw_ctrl *c, const struct zw_app_update *u)
{
	struct zw_node	*zn = &c->node[u->node];
	size_t		 i;
	int		 same;

	if (zn->dev == NULL)
		return;
	/* The same classes again (a button pressed): nothing to redo. */
	same = zn->pct == ZW_INTERVIEW_DONE && zn->ncc == u->ncc &&
	    (u->ncc == 0 || memcmp(zn->cc, u->cc, u->ncc) == 0);
	for (i = 0; i < u->ncc; i++)
		zn->cc[i] = u->cc[i];
	zn->ncc = u->ncc;
	if (!same)
		memset(zn->ccver, 0, sizeof(zn->ccver));
	zw_maint_nif(c, zn);	/* a replacement's S0, before its interview */
	/* The management classes are asked about next (zw_mgmt.c). */
	zn->pct = same || !zw_mgmt_needed(zn) ? ZW_INTERVIEW_DONE :
	    ZW_INTERVIEW_NIF;
	zn->dev->desc.interview_pct = zn->pct;
	log_info("zwave: node %d: %zu command classes, %d values", u->node,
	    zn->ncc, zw_node_values(zn));
	zw_node_fail(c, zn, 0);
	zw_nodes_save(c);
	devtab_changed(c->s);
	if (zn->pct < ZW_INTERVIEW_DONE)
		zw_mgmt_start(c, zn);
	else
		interviewed_new(c, u->node);
}

/* Node `id`'s interview is complete: a node the user just added gets
 * its return route to us now (it is awake), then the master hears it. */
static void
interviewed_new(struct zw_ctrl *c, int id)
{
	if (id != 0 && c->incl.interview == id)
		zw_maint_return_route(c, id);
	zw_incl_interviewed(c, id);
}

/* The management interview ended: the node is interviewed. */
void
zw_node_interviewed(struct zw_ctrl *c, struct zw_node *zn)
{
	if (zn->dev == NULL)
		return;
	zn->pct = ZW_INTERVIEW_DONE;
	zn->dev->desc.interview_pct = zn->pct;
	zw_node_values(zn);
	zw_nodes_save(c);
	devtab_changed(c->s);
	interviewed_new(c, zw_node_id(c, zn));
}

static void
app_update(struct zw_ctrl *c, const struct zw_frame *f)
{
	struct zw_app_update	u;
	struct zw_ss_update	ss;

	if (f->len >= 1 && (f->payload[0] == ZW_UPDATE_SS_HOMEID ||
	    f->payload[0] == ZW_UPDATE_SS_HOMEID_LR)) {
		if (zw_parse_ss_update(f->payload, f->len, &ss) == -1)
			log_warnx("zwave: malformed SmartStart announcement");
		else
			zw_ss_announce(c, &ss);
		return;
	}
	if (f->len >= 1 && f->payload[0] == ZW_UPDATE_SS_INCLUDED) {
		log_debug("zwave: an included SmartStart node's information "
		    "ignored");
		return;
	}
	if (zw_parse_app_update(f->payload, f->len, &u) == -1) {
		log_warnx("zwave: malformed application update");
		return;
	}
	if (u.status == ZW_UPDATE_NIF)
		got_nif(c, &u);
	if ((u.status == ZW_UPDATE_NIF || u.status == ZW_UPDATE_NIF_FAILED) &&
	    c->interviewing != 0 &&
	    (u.node == c->interviewing || u.status == ZW_UPDATE_NIF_FAILED))
		interview_end(c);
}

/* --- failed nodes ---------------------------------------------------- */

void
zw_node_fail(struct zw_ctrl *c, struct zw_node *zn, int failed)
{
	char why[64];

	if (zn->failed == failed || zn->dev == NULL)
		return;
	zn->failed = failed;
	snprintf(why, sizeof(why), failed ? "node %d does not acknowledge" :
	    "node %d answers again", zw_node_id(c, zn));
	dev_fault(c->s, "zwave", zn->dev->desc.id, failed, why);
	report_cached(zn);
	zw_ctrl_node_desc(zn);
	devtab_changed(c->s);		/* the list shows failed nodes */
}

/* --- last values ----------------------------------------------------- */

void
zw_node_forget(struct zw_node *zn)
{
	free(zn->last);
	zn->last = NULL;
	zw_mgmt_forget(zn);
}

static int
same_value(const Hd__Value *a, const Hd__Value *b)
{
	if (a->v_case != b->v_case)
		return 0;
	return a->v_case == HD__VALUE__V_B ? a->b == b->b :
	    a->v_case == HD__VALUE__V_I ? a->i == b->i :
	    a->v_case == HD__VALUE__V_D ? a->d == b->d : 0;
}

/* Classes that report one sensor event each, side by side (a Basic Set
 * from a Binary Sensor node arrives here as a Binary Sensor report). */
static int
event_cc(uint8_t cc)
{
	return cc == ZW_CC_SENSOR_BINARY || cc == ZW_CC_NOTIFICATION;
}

/*
 * Keep the value class `cc` reported. 1 if it repeats the last one, with
 * the same flags, from the other sensor class: a door sensor sends one
 * opening as a Notification and a Binary Sensor report (or a Basic Set),
 * and each went on as an event of its own. The same class again (a
 * re-trigger, a poll's answer) is always a report, and so are switches'
 * values (a remote's Basic Set is a press each time).
 */
static int
remember(struct zw_node *zn, const Hd__ValueDesc *vd, const Hd__Value *v,
    int flags, uint8_t cc)
{
	struct zw_last	*l;
	size_t		 i;

	if (zn->last == NULL && (zn->last = calloc(CLUSTER_MAX_DEV_VALUES,
	    sizeof(*zn->last))) == NULL)
		return 0;
	for (i = 0; i < zn->dev->desc.n_values; i++)
		if (zn->dev->vals[i] == vd) {
			l = &zn->last[i];
			if (l->have && l->flags == flags && l->cc != cc &&
			    event_cc(l->cc) && event_cc(cc) &&
			    same_value(&l->v, v)) {
				l->cc = cc;	/* it repeats itself next */
				return 1;
			}
			l->have = 1;
			l->v = *v;
			l->flags = flags;
			l->cc = cc;
			return 0;
		}
	return 0;
}

/* Every value known, again; flagged as faulty while the node is failed
 * or the stick is gone (nothing it says is current then). */
static void
report_cached(struct zw_node *zn)
{
	size_t i;

	if (zn->last == NULL || zn->dev == NULL)
		return;
	for (i = 0; i < zn->dev->desc.n_values; i++)
		if (zn->last[i].have)
			dev_report(zn->dev, zn->dev->vals[i]->key,
			    &zn->last[i].v, zn->last[i].flags |
			    (zn->failed || zn->ctrl->faulted || zn->ctrl->jammed ?
			    DEV_FAULT : 0));
}

void
zw_node_report_all(struct dev *d)
{
	report_cached(d->drv);
}

/* --- reports --------------------------------------------------------- */

static void
to_value(const struct zw_cc_value *v, const Hd__ValueDesc *vd, Hd__Value *out)
{
	hd__value__init(out);
	if (v->type == ZW_V_BOOL) {
		out->v_case = HD__VALUE__V_B;
		out->b = v->b;
	} else if (vd->type == HD__VALUE_TYPE__VT_INT) {
		out->v_case = HD__VALUE__V_I;
		out->i = (int64_t)v->num;
	} else {
		out->v_case = HD__VALUE__V_D;
		out->d = v->num;
	}
}

/* The value's description, added (and announced) if it is new. */
static const Hd__ValueDesc *
value_desc(struct zw_ctrl *c, struct zw_node *zn, const struct zw_cc_value *v)
{
	const Hd__ValueDesc *vd;

	if ((vd = dev_find_value(zn->dev, v->key)) != NULL)
		return vd;
	if (dev_value(zn->dev, v->key, v->type == ZW_V_BOOL ?
	    HD__VALUE_TYPE__VT_BOOL : HD__VALUE_TYPE__VT_DOUBLE, v->unit, 0,
	    0, 0) == -1)
		return NULL;
	log_info("zwave: node %d: new value %s", zw_node_id(c, zn), v->key);
	devtab_changed(c->s);
	return dev_find_value(zn->dev, v->key);
}

/* A value class `cc` reported; a duplicate (remember()) still confirms
 * the command under way. */
static void
report(struct zw_ctrl *c, struct zw_node *zn, const struct zw_cc_value *v,
    uint8_t cc)
{
	const Hd__ValueDesc	*vd;
	Hd__Value		 val;
	int			 flags = v->low_battery ? DEV_LOW_BATTERY : 0;

	if ((vd = value_desc(c, zn, v)) == NULL)
		return;
	to_value(v, vd, &val);
	if (remember(zn, vd, &val, flags, cc))
		log_debug("zwave: node %d: %s from class 0x%02x repeats "
		    "another class's report: not sent again",
		    zw_node_id(c, zn), v->key, cc);
	else
		dev_report(zn->dev, v->key, &val, flags);
	zw_node_cmd_report(c, zn, v->key, &val);
}

/*
 * A Central Scene Notification: `scene_N` (`scene_N.EP` from an endpoint)
 * becomes the presses (1..5), then 0 at once (and 0 before the key's
 * first report, which a trigger only learns), so that each press is a
 * change a scheduler trigger sees (`changes to 2`: a double press); -1
 * while a key is held, 0 when released. A notification repeated with
 * its sequence number (sent again over another route) counts once; a
 * key held reports -1 once, not at each repetition.
 */
static void
scene(struct zw_ctrl *c, struct zw_node *zn, uint8_t ep, const uint8_t *cmd,
    size_t len)
{
	struct zw_scene		s;
	struct zw_cc_value	v;
	char			key[VALUE_KEY_MAX + 1];
	int			n;

	if (zw_cc_scene_decode(cmd, len, &s) == -1) {
		log_warnx("zwave: node %d: malformed central scene "
		    "notification", zw_node_id(c, zn));
		return;
	}
	if (zn->have_scene_seq && s.seq == zn->scene_seq &&
	    ep == zn->scene_ep) {
		log_debug("zwave: node %d: scene notification %u again",
		    zw_node_id(c, zn), s.seq);
		return;
	}
	zn->have_scene_seq = 1;
	zn->scene_seq = s.seq;
	zn->scene_ep = ep;
	if (ep != 0)
		snprintf(key, sizeof(key), "scene_%u.%u", s.scene, ep);
	else
		snprintf(key, sizeof(key), "scene_%u", s.scene);
	memset(&v, 0, sizeof(v));
	v.key = key;
	v.unit = "";
	v.type = ZW_V_NUM;
	n = zw_cc_scene_value(s.attr);
	if (n == -1 && zn->scene_held == s.scene)
		return;			/* held still: said already */
	zn->scene_held = n == -1 ? s.scene : 0;
	/* A trigger learns a value's first report: the key's first press
	 * must be a change from 0, not that first report. */
	if (dev_find_value(zn->dev, key) == NULL) {
		v.num = 0;
		report(c, zn, &v, ZW_CC_CENTRAL_SCENE);
	}
	v.num = n;
	report(c, zn, &v, ZW_CC_CENTRAL_SCENE);
	if (n > 0) {		/* the press is over */
		v.num = 0;
		report(c, zn, &v, ZW_CC_CENTRAL_SCENE);
	}
}

/*
 * A Basic Set the node sends us (many sensors report only so, to a group
 * we are in) becomes the report of the class Basic stands for on it: a
 * Binary Sensor's state (under the key its typed reports used, else
 * "sensor"), a dimmer's level, otherwise "on". 0 when it is not a Basic
 * Set: the command is then taken as it came.
 */
static int
basic_set(struct zw_node *zn, uint8_t ep, const uint8_t *cmd, size_t len,
    uint8_t rep[3])
{
	uint8_t cc = ZW_CC_BASIC;

	if (len < 3 || cmd[0] != ZW_CC_BASIC || cmd[1] != ZW_CMD_SET)
		return 0;
	if (ep == 0 ? zw_node_has(zn, ZW_CC_SENSOR_BINARY) :
	    zw_mgmt_ep_has(zn, ep, ZW_CC_SENSOR_BINARY))
		cc = ZW_CC_SENSOR_BINARY;
	else if (ep == 0 ? zw_node_has(zn, ZW_CC_SWITCH_MULTILEVEL) :
	    zw_mgmt_ep_has(zn, ep, ZW_CC_SWITCH_MULTILEVEL))
		cc = ZW_CC_SWITCH_MULTILEVEL;
	rep[0] = cc;
	rep[1] = ZW_CMD_REPORT;
	rep[2] = cmd[2];
	if (cc == ZW_CC_SENSOR_BINARY && cmd[2] != 0)
		rep[2] = ZW_LEVEL_ON;	/* a Binary Sensor's "detected" */
	return 1;
}

/*
 * A command from node zn (decapsulated already when it came in S0), from
 * its endpoint `ep` (0: the node itself; Multi Channel decapsulation in
 * zw_mgmt_rx.c calls back with the endpoint). An endpoint's values are
 * the node device's, keyed "KEY.EP". Every level of a clear-text wrapper
 * comes through here, so the innermost command is judged too.
 */
int
zw_node_receive(struct zw_ctrl *c, struct zw_node *zn, uint8_t ep,
    const uint8_t *cmd, size_t len, int secure)
{
	struct zw_cc_value	v;
	struct zw_cc_info	info;
	char			key[VALUE_KEY_MAX + 1];
	uint8_t			rep[3];
	int			n, bset, id = zw_node_id(c, zn);

	if (len < 1)
		return 0;
	if (!secure && zw_sec_refused(zn, ep, cmd, len))
		return -1;
	if ((n = zw_mgmt_receive(c, zn, ep, cmd, len, secure)) != 0)
		return n == -1 ? -1 : 0;
	if (zw_config_receive(c, zn, ep, cmd, len))
		return 0;
	if (cmd[0] == ZW_CC_CENTRAL_SCENE) {
		scene(c, zn, ep, cmd, len);
		return 0;
	}
	if (zw_node_supported(c, zn, ep, cmd, len))
		return 0;
	memset(&info, 0, sizeof(info));
	if ((n = zw_cc_decode_info(cmd, len, &info)) != 0) {
		if (n == 1 && ep == 0)
			got_info(c, zn, &info);
		return 0;
	}
	if (cmd[0] == ZW_CC_SWITCH_MULTILEVEL)
		zw_node_cmd_ramp(c, zn, ep, cmd, len);
	if ((bset = basic_set(zn, ep, cmd, len, rep)) == 1) {
		cmd = rep;
		len = sizeof(rep);
	}
	/* A dimmer's Basic report would add an "on" beside its level. */
	if (cmd[0] == ZW_CC_BASIC && (ep == 0 ? zw_node_has(zn,
	    ZW_CC_SWITCH_MULTILEVEL) : zw_mgmt_ep_has(zn, ep,
	    ZW_CC_SWITCH_MULTILEVEL)))
		return 0;
	if ((n = zw_cc_decode(cmd, len, &v, 1)) == -1)
		log_warnx("zwave: node %d: malformed command 0x%02x", id,
		    cmd[0]);
	else if (n == 1) {
		if (cmd[0] == ZW_CC_SENSOR_BINARY && ep == 0) {
			if (!bset)
				zn->bin_key = v.key;
			else if (zn->bin_key != NULL)
				v.key = zn->bin_key;
		}
		if (ep != 0) {
			snprintf(key, sizeof(key), "%s.%u", v.key, ep);
			v.key = key;
		}
		report(c, zn, &v, cmd[0]);
	} else
		log_debug("zwave: node %d: command 0x%02x not handled", id,
		    cmd[0]);
	return 0;
}

static void
app_command(struct zw_ctrl *c, const struct zw_frame *f)
{
	struct zw_app_command	a;
	struct zw_node		*zn;

	if (zw_parse_app_command(f->func, f->payload, f->len, &a) == -1) {
		log_warnx("zwave: malformed application command");
		return;
	}
	zn = &c->node[a.node];
	if (zn->dev == NULL)
		return;
	/* S0 frames stop here (what they carry comes back to
	 * zw_node_receive, secure). A frame heard clears the node's failed
	 * flag only once taken: a refused or forged one says nothing of
	 * the node, as anyone can send it with the node's id. */
	if (zw_sec_filter(c, zn, a.cmd, a.len))
		return;
	if (zw_node_receive(c, zn, 0, a.cmd, a.len, 0) == 0)
		zw_node_fail(c, zn, 0);
}

/* An unsolicited frame from the stick (any state of the session). */
void
zw_node_unsolicited(struct zw_ctrl *c, const struct zw_frame *f)
{
	if (f->type != ZW_REQ)
		return;
	if (f->func == ZW_FN_APP_UPDATE)
		app_update(c, f);
	else if (f->func == ZW_FN_APP_COMMAND ||
	    f->func == ZW_FN_APP_COMMAND_BRIDGE)
		app_command(c, f);
	else
		log_debug("zwave: unsolicited frame 0x%02x, %d bytes",
		    f->func, f->len);
}
