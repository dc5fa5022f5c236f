/*
 * Z-Wave nodes as devices: the interview, the values a node's classes
 * give, failed nodes.
 *
 * Interview: once the start-up is done, each node whose command classes
 * are not known yet is asked for its node information frame, one node at
 * a time (RequestNodeInfo, then ApplicationUpdate 0x49 within
 * ZW_NIF_TIMEOUT_MS). Its command classes become device values and are
 * kept in the node table, so a restart does not ask again.
 *
 * Reports are zw_node_rx.c's, commands zw_node_cmd.c's (the richer
 * classes' values and SETs zw_node_class.c's), sending and state polls
 * zw_node_tx.c's.
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
#include "zwave/zw_s2.h"
#include "zwave/zw_sec.h"

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
	zw_node_class_values(zn);
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

/* --- the interview --------------------------------------------------- */

static void
interview_end(struct zw_ctrl *c)
{
	c->interviewing = 0;
	zw_interview_next(c);
}

/* The RequestNodeInfo ended: its node information came (app_update has
 * taken it), or none came in time, or the stick refused it. */
static void
nif_sent(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct zw_ctrl *c = arg;

	(void)res;
	if (c->stopping || c->interviewing == 0 || (st == ZW_OK && cb != NULL))
		return;
	if (st == ZW_ERR_NOCB)
		log_warnx("zwave: node %d: no node information in %d ms",
		    c->interviewing, ZW_NIF_TIMEOUT_MS);
	else
		log_warnx("zwave: node %d: node info request: %s",
		    c->interviewing, st != ZW_OK ? zw_status_str(st) :
		    "refused");
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
			/* Its secure inclusion runs: its end asks (under
			 * security, once its secure classes are known; in
			 * clear if it failed). Asked now, in clear, a lock
			 * would answer in clear. */
			if (zw_sec_booting(&c->node[id]))
				continue;
			/* Adoption asks for its state at its end. Not for
			 * a node the licence left without security. S2
			 * first (zw_sec_s2_adopt.c), else S0. */
			if (zw_node_has(&c->node[id], ZW_CC_SECURITY_2) &&
			    c->node[id].sec_level == 0 &&
			    !c->node[id].sec_denied &&
			    zw_s2_adopt(&c->node[id]) == 0)
				continue;
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
	r.until_nif = 1;
	r.cb_timeout = ZW_NIF_TIMEOUT_MS;
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
	zw_node_report_all(zn->dev);
	zw_ctrl_node_desc(zn);
	devtab_changed(c->s);		/* the list shows failed nodes */
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
		zw_node_app_command(c, f);
	else
		log_debug("zwave: unsolicited frame 0x%02x, %d bytes",
		    f->func, f->len);
}
