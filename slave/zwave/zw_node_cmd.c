/*
 * Commands to Z-Wave nodes (the device ops of zw_node.c's devices): the
 * SET, wrapped in Supervision when the node (or endpoint) supports it and
 * in Multi Channel for an endpoint, sent through SendData; once the node
 * has acknowledged it, a GET; done when a report shows the value asked
 * for (zw_node_cmd_report) or a Supervision Report says so, or failed
 * with TIMEOUT after ZW_CONFIRM_TIMEOUT_MS. A dimmer still ramping
 * towards the level (its report's target and duration, or a level on the
 * way) is asked again after the ramp, ZW_RAMP_RECHECKS times at most. A
 * sleeping node's SET waits
 * for its wake-up: the command is answered QUEUED meanwhile, and taken
 * back from the wake-up queue if its hold time runs out first.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "slave.h"
#include "zwave/zw.h"
#include "zwave/zw_nvm.h"
#include "zwave/zw_cc.h"
#include "zwave/zw_sec.h"

/* The confirming GET: two bytes (three for a setpoint type or a colour
 * component), and four more when it goes inside a Multi Channel
 * encapsulation to an endpoint (it was 2 and every endpoint command
 * without Supervision ended TIMEOUT, its GET never sent). */
#define CONFIRM_GET_MAX		(3 + 4)

/* Does a reported value show what the command asked for? A setpoint
 * within the node's rounding; a colour or a mode by its text. */
static int
is_wanted(const struct zw_node *zn, const Hd__Value *v)
{
	switch (v->v_case) {
	case HD__VALUE__V_B:
		return (v->b != 0) == (zn->cmd_want != 0);
	case HD__VALUE__V_I:
		return v->i == zn->cmd_want;
	case HD__VALUE__V_D:
		return fabs(v->d - zn->cmd_want_d) <= ZW_SETPOINT_TOLERANCE;
	case HD__VALUE__V_S:
		return strcasecmp(v->s, zn->cmd_want_s) == 0;
	default:
		return 0;
	}
}

/* The value a command asked for, as its key's type has it (a Supervision
 * SUCCESS confirms it without a report). */
static void
wanted_value(const struct zw_node *zn, Hd__Value *v)
{
	const Hd__ValueDesc *vd = dev_find_value(zn->dev, zn->cmd_key);

	switch (vd != NULL ? vd->type : HD__VALUE_TYPE__VT_BOOL) {
	case HD__VALUE_TYPE__VT_INT:
		v->v_case = HD__VALUE__V_I;
		v->i = zn->cmd_want;
		break;
	case HD__VALUE_TYPE__VT_DOUBLE:
		v->v_case = HD__VALUE__V_D;
		v->d = zn->cmd_want_d;
		break;
	case HD__VALUE_TYPE__VT_STRING:
		v->v_case = HD__VALUE__V_S;
		v->s = (char *)(uintptr_t)zn->cmd_want_s;
		break;
	default:
		v->v_case = HD__VALUE__V_B;
		v->b = zn->cmd_want != 0;
	}
}

static void
cmd_finish(struct zw_ctrl *c, struct zw_node *zn, Hd__CommandResult__Status st,
    const char *why, const Hd__Value *v)
{
	uint64_t id = zn->cmd_id;

	ev_timer_stop(c->s->loop, &zn->cmd_timer);
	zn->cmd_id = 0;
	zn->cmd_confirming = 0;
	zn->cmd_recheck = 0;
	zn->color_pending = 0;	/* a colour GET's report may never come */
	dev_done(zn->dev, id, st, why, v);
	/* A sleeping secure node was kept awake for the confirmation. */
	if (zn->sec_level != 0)
		zw_mgmt_idle(c, zn);
}

/* A value node zn reported: the command under way may be confirmed. */
void
zw_node_cmd_report(struct zw_ctrl *c, struct zw_node *zn, const char *key,
    const Hd__Value *v)
{
	if (zn->cmd_id != 0 && zn->cmd_confirming &&
	    strcmp(zn->cmd_key, key) == 0 && is_wanted(zn, v))
		cmd_finish(c, zn, HD__COMMAND_RESULT__STATUS__OK, "", v);
}

/* --- commands -------------------------------------------------------- */

static zw_done_fn	set_sent, get_sent;
static void		confirm_get(struct zw_ctrl *, struct zw_node *);

void
zw_on_cmd_timeout(struct ev_timer *t)
{
	struct zw_node *zn = t->arg;

	if (zn->cmd_recheck) {		/* a dimmer's ramp is over */
		zn->cmd_recheck = 0;
		ev_timer_start(zn->ctrl->s->loop, &zn->cmd_timer,
		    ZW_CONFIRM_TIMEOUT_MS);
		confirm_get(zn->ctrl, zn);
		return;
	}
	/* Still held for a sleeping node: taken back, so the SET cannot
	 * reach it at a later wake-up after TIMEOUT was reported. */
	if (zn->cmd_sending && (zw_mgmt_unhold(zn, set_sent, zn) > 0 ||
	    zw_sec_cancel(zn, set_sent, zn) > 0)) {
		zn->cmd_sending = 0;
		cmd_finish(zn->ctrl, zn, HD__COMMAND_RESULT__STATUS__TIMEOUT,
		    "the node did not wake up in time; not sent", NULL);
		return;
	}
	cmd_finish(zn->ctrl, zn, HD__COMMAND_RESULT__STATUS__TIMEOUT,
	    zn->cmd_confirming ? "no report of the new value" :
	    "the stick did not send it", NULL);
}

static void
get_sent(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct zw_node *zn = arg;

	(void)res;
	if (!zn->ctrl->stopping && zw_tx_result(st, cb) == 1)
		zw_node_fail(zn->ctrl, zn, 1);
}

/* A GET whose report confirms the command (in Multi Channel for an
 * endpoint). */
static void
confirm_send(struct zw_ctrl *c, struct zw_node *zn, const uint8_t *cmd,
    size_t n)
{
	uint8_t get[CONFIRM_GET_MAX];

	if (n == 0 || n > sizeof(get))
		return;
	memcpy(get, cmd, n);
	if (get[0] == ZW_CC_COLOR && n >= 3)
		zn->color_pending |= (uint16_t)(1u << get[2]);
	if (zn->cmd_ep == 0 || (n = zw_cc_mc_encap(get, sizeof(get), 0,
	    zn->cmd_ep, get, n)) > 0)
		zw_node_send(c, zw_node_id(c, zn), get, n, ZW_PRIO_USER, get_sent,
		    zn);
}

/* The command's GETs: its class's plain one, or those it set (a
 * setpoint's type, a colour's components). */
static void
confirm_get(struct zw_ctrl *c, struct zw_node *zn)
{
	uint8_t	get[2];
	size_t	i;

	if (zn->cmd_nget == 0) {
		confirm_send(c, zn, get, zw_cc_get(get, sizeof(get),
		    zn->cmd_cc));
		return;
	}
	for (i = 0; i < zn->cmd_nget; i++)
		confirm_send(c, zn, zn->cmd_get[i], zn->cmd_getlen[i]);
}

/*
 * A dimmer's report while its level command is confirmed: not the level
 * yet, but on its way there (version 4: its target is ours and the
 * duration says when; earlier versions: a level, any, other than ours).
 * The GET goes again once the ramp is over, bounded in count and wait.
 */
void
zw_node_cmd_ramp(struct zw_ctrl *c, struct zw_node *zn, uint8_t ep,
    const uint8_t *cmd, size_t len)
{
	struct zw_ramp	r;
	long long	wait = ZW_RAMP_RECHECK_MS;

	if (zn->cmd_id == 0 || !zn->cmd_confirming || zn->cmd_supervised ||
	    zn->cmd_cc != ZW_CC_SWITCH_MULTILEVEL || zn->cmd_ep != ep ||
	    zn->cmd_recheck || zn->cmd_rechecks >= ZW_RAMP_RECHECKS ||
	    zw_cc_level_ramp(cmd, len, &r) != 1 || r.current == zn->cmd_want)
		return;
	if (r.have_target && (r.target != zn->cmd_want ||
	    r.duration_ms == 0))
		return;		/* going elsewhere, or not going */
	if (r.have_target && r.duration_ms > 0)
		wait = (r.duration_ms < ZW_RAMP_WAIT_MAX_MS ? r.duration_ms :
		    ZW_RAMP_WAIT_MAX_MS) + ZW_RAMP_MARGIN_MS;
	zn->cmd_rechecks++;
	zn->cmd_recheck = 1;
	log_info("zwave: node %d: level %d on its way to %d: asked again in "
	    "%lld ms", zw_node_id(c, zn), r.current, (int)zn->cmd_want, wait);
	ev_timer_stop(c->s->loop, &zn->cmd_timer);
	ev_timer_start(c->s->loop, &zn->cmd_timer, (uint64_t)wait);
}

static void
set_sent(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct zw_node	*zn = arg;
	struct zw_ctrl	*c = zn->ctrl;
	int		 tx = zw_tx_result(st, cb);

	(void)res;
	zn->cmd_sending = 0;
	if (c->stopping || zn->cmd_id == 0)
		return;		/* timed out already */
	if (tx == -1) {
		cmd_finish(c, zn, HD__COMMAND_RESULT__STATUS__FAILED,
		    zw_status_str(st == ZW_OK ? ZW_ERR_NOCB : st), NULL);
		return;
	}
	zw_node_fail(c, zn, tx == 1);
	if (tx == 1) {
		cmd_finish(c, zn, HD__COMMAND_RESULT__STATUS__DEVICE_FAULT,
		    "the node did not acknowledge", NULL);
		return;
	}
	zn->cmd_confirming = 1;
	ev_timer_stop(c->s->loop, &zn->cmd_timer);
	ev_timer_start(c->s->loop, &zn->cmd_timer, ZW_CONFIRM_TIMEOUT_MS);
	if (zn->cmd_supervised)
		return;		/* the Supervision Report confirms it */
	confirm_get(c, zn);
}

/* Supervision Report for the command's SET: SUCCESS confirms it, FAIL
 * and NO_SUPPORT fail it, WORKING gives it the time the node says. */
void
zw_node_supervised(struct zw_ctrl *c, struct zw_node *zn, uint8_t session,
    uint8_t status, uint8_t duration)
{
	Hd__Value	v = HD__VALUE__INIT;
	uint64_t	wait;

	if (zn->cmd_id == 0 || !zn->cmd_supervised || session != zn->sv_session)
		return;
	switch (status) {
	case ZW_SV_SUCCESS:
		wanted_value(zn, &v);
		cmd_finish(c, zn, HD__COMMAND_RESULT__STATUS__OK, "", &v);
		break;
	case ZW_SV_WORKING:
		/* Its final report follows (status updates were asked for).
		 * Duration: seconds up to 0x7f, then minutes up to 0xfd;
		 * 0xfe, unknown, gets the usual wait. */
		wait = duration <= 0x7f ? duration * 1000ULL :
		    duration <= 0xfd ? (duration - 0x7fULL) * 60000 : 0;
		ev_timer_stop(c->s->loop, &zn->cmd_timer);
		ev_timer_start(c->s->loop, &zn->cmd_timer,
		    ZW_CONFIRM_TIMEOUT_MS + wait);
		break;
	case ZW_SV_FAIL:
		cmd_finish(c, zn, HD__COMMAND_RESULT__STATUS__FAILED,
		    "the node reports failure", NULL);
		break;
	default:
		cmd_finish(c, zn, HD__COMMAND_RESULT__STATUS__FAILED,
		    "the node does not support this command", NULL);
	}
}

static int
has_cc(const struct zw_node *zn, uint8_t ep, uint8_t cc)
{
	return ep == 0 ? zw_node_has(zn, cc) : zw_mgmt_ep_has(zn, ep, cc);
}

/* "on", "level", "locked", a thermostat's or colour's key
 * (zw_node_class.c), or the same for an endpoint: "on.2". The endpoint,
 * or -1 for a key that has no SET. */
static int
key_ep(const char *key, char *base, size_t size)
{
	const char	*dot = strchr(key, '.');
	char		*end;
	long		 ep = 0;

	if (dot != NULL) {
		ep = strtol(dot + 1, &end, 10);
		if (end == dot + 1 || *end != '\0' || ep < 1 ||
		    ep > ZW_MAX_ENDPOINTS)
			return -1;
	}
	snprintf(base, size, "%.*s", dot != NULL ? (int)(dot - key) :
	    (int)strlen(key), key);
	return strcmp(base, "on") == 0 || strcmp(base, "level") == 0 ||
	    strcmp(base, "locked") == 0 || zw_node_class_key(base) ?
	    (int)ep : -1;
}

/*
 * The SET for a checked command, in a Supervision Get when the node (or
 * endpoint) supports it, in a Multi Channel encapsulation for an
 * endpoint: its length, 0 if the key has none.
 */
static size_t
encode_set(struct zw_node *zn, const Hd__Command *cmd, uint8_t *out,
    size_t outlen, const char **why)
{
	uint8_t	inner[16];
	char	base[VALUE_KEY_MAX + 1];
	size_t	n;
	int	ep;

	if ((ep = key_ep(cmd->key, base, sizeof(base))) == -1)
		return 0;
	zn->cmd_ep = (uint8_t)ep;
	zn->cmd_nget = 0;
	if (zw_node_class_key(base)) {
		if ((n = zw_node_class_set(zn, base, cmd->value, inner,
		    sizeof(inner), why)) == 0)
			return 0;
	} else if (strcmp(base, "level") == 0) {
		zn->cmd_cc = ZW_CC_SWITCH_MULTILEVEL;
		n = zw_cc_set_level(inner, sizeof(inner), (int)cmd->value->i);
	} else if (strcmp(base, "locked") == 0) {
		zn->cmd_cc = ZW_CC_DOOR_LOCK;
		n = zw_cc_lock_set(inner, sizeof(inner), cmd->value->b);
	} else {
		zn->cmd_cc = has_cc(zn, zn->cmd_ep, ZW_CC_SWITCH_BINARY) ?
		    ZW_CC_SWITCH_BINARY : ZW_CC_BASIC;
		n = zw_cc_set_binary(inner, sizeof(inner), zn->cmd_cc,
		    cmd->value->b);
	}
	/* A wrapper sent in clear would carry a class the node takes only
	 * securely (zw_node_send looks at the outer class). */
	if (zw_sec_wanted(zn, zn->cmd_cc) && ep != 0 &&
	    !zw_sec_wanted(zn, ZW_CC_MULTI_CHANNEL))
		return 0;
	zn->cmd_supervised = has_cc(zn, zn->cmd_ep, ZW_CC_SUPERVISION) &&
	    (!zw_sec_wanted(zn, zn->cmd_cc) ||
	    zw_sec_wanted(zn, ZW_CC_SUPERVISION));
	if (n > 0 && zn->cmd_supervised) {
		zn->sv_session = (uint8_t)((zn->sv_session + 1) &
		    ZW_SV_SESSION_MAX);
		/* Status updates asked for: a node that answers WORKING
		 * then sends SUCCESS or FAIL when done; without them it
		 * sends nothing more and the command ended TIMEOUT. */
		n = zw_cc_supervision_get(out, outlen, zn->sv_session, 1,
		    inner, n);
	} else if (n > 0 && n <= outlen)
		memcpy(out, inner, n);
	if (n > 0 && ep != 0)
		n = zw_cc_mc_encap(out, outlen, 0, zn->cmd_ep, out, n);
	return n;
}

static void
node_command(struct dev *d, const Hd__Command *cmd)
{
	struct zw_node	*zn = d->drv;
	struct zw_ctrl	*c = zn->ctrl;
	uint8_t		 set[32];
	const char	*why = "no command for this value";
	size_t		 n;

	/* cmd_sending: a timed-out command's SET may still be at the stick;
	 * its completion must not be taken for the next command's. */
	if (c->faulted || !c->up) {
		dev_done(d, cmd->id, HD__COMMAND_RESULT__STATUS__DEVICE_FAULT,
		    "the Z-Wave stick is offline", NULL);
		return;
	}
	if (zn->cmd_id != 0 || zn->cmd_sending) {
		dev_done(d, cmd->id, HD__COMMAND_RESULT__STATUS__BUSY,
		    "a command to this node is under way", NULL);
		return;
	}
	if (zw_nvm_cmd_busy(c) != NULL) {
		dev_done(d, cmd->id, HD__COMMAND_RESULT__STATUS__BUSY,
		    zw_nvm_cmd_busy(c), NULL);
		return;
	}
	if ((n = encode_set(zn, cmd, set, sizeof(set), &why)) == 0) {
		dev_done(d, cmd->id, HD__COMMAND_RESULT__STATUS__BAD_VALUE,
		    why, NULL);
		return;
	}
	if (zw_mgmt_asleep(zn) && zw_mgmt_held(zn) >= ZW_WAKEUP_QUEUE) {
		dev_done(d, cmd->id, HD__COMMAND_RESULT__STATUS__BUSY,
		    "the node is asleep and its wake-up queue is full", NULL);
		return;
	}
	if (zw_node_send(c, zw_node_id(c, zn), set, n, ZW_PRIO_USER, set_sent,
	    zn) == -1) {
		dev_done(d, cmd->id, HD__COMMAND_RESULT__STATUS__BUSY,
		    "the stick is not ready", NULL);
		return;
	}
	zn->cmd_id = cmd->id;
	zn->cmd_sending = 1;
	zn->cmd_confirming = 0;
	zn->cmd_rechecks = 0;
	zn->cmd_recheck = 0;
	snprintf(zn->cmd_key, sizeof(zn->cmd_key), "%s", cmd->key);
	zn->cmd_want = cmd->value->v_case == HD__VALUE__V_B ? cmd->value->b :
	    cmd->value->v_case == HD__VALUE__V_I ? cmd->value->i : 0;
	/* A sleeping node gets it at its next wake-up: the master hears
	 * QUEUED now and waits for the wake-up too. */
	ev_timer_start(c->s->loop, &zn->cmd_timer, zw_mgmt_asleep(zn) ?
	    ZW_WAKEUP_HOLD_MS : ZW_CB_TIMEOUT_MS + ZW_CONFIRM_TIMEOUT_MS);
	if (zw_mgmt_asleep(zn))
		dev_queued(d, cmd->id, "the node is asleep: sent at its next "
		    "wake-up");
}

const struct dev_ops zw_dev_ops = { node_command, zw_node_report_all, NULL };
