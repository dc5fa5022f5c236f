/*
 * What Z-Wave nodes send: ApplicationCommandHandler (0x04, bridge 0xA8)
 * frames, past the security filter, through the management classes and
 * Configuration, decoded by zw_cc*.c and reported as device values. A
 * value a node reports that was not announced yet (a sensor's type is
 * only known from its first report) is added and the device list
 * announced again. The last values are kept, to be reported again after
 * each Welcome and with the fault flag while the node is failed.
 * Central Scene Notifications and Basic Sets from nodes are turned into
 * values here too.
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
	Hd__Value	v;	/* a string: static text or the node's own */
	int		flags;
	uint8_t		cc;		/* the class that reported it */
};

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
	    a->v_case == HD__VALUE__V_D ? a->d == b->d :
	    a->v_case == HD__VALUE__V_S ? strcmp(a->s, b->s) == 0 : 0;
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
	} else if (v->type == ZW_V_STR) {
		out->v_case = HD__VALUE__V_S;
		out->s = (char *)(uintptr_t)v->s;
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
	    HD__VALUE_TYPE__VT_BOOL : v->type == ZW_V_STR ?
	    HD__VALUE_TYPE__VT_STRING : HD__VALUE_TYPE__VT_DOUBLE, v->unit,
	    v->writable, v->min, v->max) == -1)
		return NULL;
	log_info("zwave: node %d: new value %s", zw_node_id(c, zn), v->key);
	devtab_changed(c->s);
	return dev_find_value(zn->dev, v->key);
}

/* A value class `cc` reported; a duplicate (remember()) still confirms
 * the command under way. */
void
zw_node_report_value(struct zw_ctrl *c, struct zw_node *zn, const struct zw_cc_value *v,
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
		zw_node_report_value(c, zn, &v, ZW_CC_CENTRAL_SCENE);
	}
	v.num = n;
	zw_node_report_value(c, zn, &v, ZW_CC_CENTRAL_SCENE);
	if (n > 0) {		/* the press is over */
		v.num = 0;
		zw_node_report_value(c, zn, &v, ZW_CC_CENTRAL_SCENE);
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
	if (zw_config_receive(c, zn, ep, cmd, len) ||
	    zw_assoc_info_receive(c, zn, ep, cmd, len))
		return 0;
	if (cmd[0] == ZW_CC_CENTRAL_SCENE) {
		scene(c, zn, ep, cmd, len);
		return 0;
	}
	if (zw_node_class_receive(c, zn, ep, cmd, len) ||
	    zw_node_supported(c, zn, ep, cmd, len))
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
		zw_node_report_value(c, zn, &v, cmd[0]);
	} else
		log_debug("zwave: node %d: command 0x%02x not handled", id,
		    cmd[0]);
	return 0;
}

void
zw_node_app_command(struct zw_ctrl *c, const struct zw_frame *f)
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
