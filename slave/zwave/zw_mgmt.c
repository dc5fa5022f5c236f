/*
 * Node management beyond the node information frame:
 *
 * The management interview, right after a node's command classes are
 * known, one question at a time, each answered by a report within
 * ZW_MGMT_REPLY_MS of its delivery (no answer: the next question):
 *
 *	Version		the version of each supported class (0x86 0x13)
 *	Z-Wave Plus	role, node type, icons (0x5e 0x01)
 *	Association	the lifeline: group 1 -> the controller (Set, then
 *			Get to see it took); through Multi Channel
 *			Association, to our endpoint 0, for a node with
 *			endpoints that has it (see mca_lifeline())
 *	Wake Up		the interval, and the controller as the node to
 *			notify (Interval Get, then Set when it is not us)
 *	Multi Channel	the endpoints and each one's classes
 *
 * No other node is asked for its node information meanwhile (c->mgmt):
 * a stick busy with SendData may refuse RequestNodeInfo.
 *
 * Sleeping nodes (not listening, with Wake Up) only hear us after their
 * Wake Up Notification: what is sent to them meanwhile is held here (at
 * most ZW_WAKEUP_QUEUE requests) and sent at the notification, followed
 * by Wake Up No More Information once everything is answered so the node
 * goes back to sleep. An interview a sleeping node stops answering is
 * resumed at its next wake-up.
 *
 * What nodes send (the answers, and the Multi Channel and Supervision
 * encapsulations) is zw_mgmt_rx.c's.
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

#define LISTENING		0x80	/* protocol info capability byte */
#define FLIRS			0x60	/* security byte: 250/1000 ms beam */
#define ZW_WAKEUP_DEFAULT_S	3600	/* interval when the node has none */
#define PLUS_INFO_GET		0x01

#include "zwave/zw_mgmt_int.h"

static void	step_run(struct zw_ctrl *, struct zw_node *);
static void	maybe_sleep(struct zw_ctrl *, struct zw_node *);

/* Supported in clear or securely: an S0 lock's Association, an S0
 * sensor's Wake Up are often only in its secure list. */
static int
has(const struct zw_node *zn, uint8_t cc)
{
	return zw_node_has(zn, cc);
}

static int
nid(const struct zw_node *zn)
{
	return (int)(zn - zn->ctrl->node);
}

static int
sleeping(const struct zw_node *zn)
{
	return !(zn->cap & LISTENING) && !(zn->sec & FLIRS) &&
	    has(zn, ZW_CC_WAKE_UP);
}

int
zw_mgmt_asleep(const struct zw_node *zn)
{
	return sleeping(zn) && !zn->awake;
}

int
zw_mgmt_listening(const struct zw_node *zn)
{
	if (!zn->have_info)
		return HD__ZW_LISTENING__ZW_LISTEN_UNKNOWN;
	if (zn->cap & LISTENING)
		return HD__ZW_LISTENING__ZW_LISTEN_ALWAYS;
	return zn->sec & FLIRS ? HD__ZW_LISTENING__ZW_LISTEN_FLIRS :
	    HD__ZW_LISTENING__ZW_LISTEN_SLEEPING;
}

int
zw_mgmt_held(const struct zw_node *zn)
{
	return zn->mg != NULL ? zn->mg->nheld : 0;
}

int
zw_mgmt_needed(const struct zw_node *zn)
{
	return has(zn, ZW_CC_VERSION) || has(zn, ZW_CC_ZWAVEPLUS_INFO) ||
	    has(zn, ZW_CC_ASSOCIATION) || has(zn, ZW_CC_MC_ASSOCIATION) ||
	    has(zn, ZW_CC_WAKE_UP) || has(zn, ZW_CC_MULTI_CHANNEL);
}

/*
 * A node with endpoints reports an endpoint's change (a button pressed
 * on a double relay) to a plain lifeline as the root's, or not at all:
 * the endpoint's value goes stale. Through Multi Channel Association to
 * our endpoint 0 it sends it encapsulated, naming the endpoint (as
 * zwave-js sets the lifeline of such nodes).
 */
static int
mca_lifeline(const struct zw_node *zn)
{
	return has(zn, ZW_CC_MC_ASSOCIATION) && has(zn, ZW_CC_MULTI_CHANNEL);
}

static void	on_timer(struct ev_timer *);

static struct zw_mg *
mg_get(struct zw_node *zn)
{
	if (zn->mg == NULL && (zn->mg = calloc(1, sizeof(*zn->mg))) != NULL) {
		zn->mg->zn = zn;
		ev_timer_init(&zn->mg->timer, on_timer, zn->mg);
	}
	return zn->mg;
}

/* Free the state once nothing is left in it. */
static void
mg_put(struct zw_node *zn)
{
	struct zw_mg *mg = zn->mg;

	if (mg == NULL || mg->running || mg->nheld > 0 || mg->flushing > 0)
		return;
	ev_timer_stop(zn->ctrl->s->loop, &mg->timer);
	free(mg);
	zn->mg = NULL;
}

void
zw_mgmt_forget(struct zw_node *zn)
{
	struct zw_mg	*mg = zn->mg;
	int		 i;

	if (mg != NULL) {
		ev_timer_stop(zn->ctrl->s->loop, &mg->timer);
		/* Held requests are failed as the session would: later
		 * callers must not wait for a node that is gone. */
		for (i = 0; i < mg->nheld; i++)
			mg->held[i].r.done(mg->held[i].r.arg, ZW_ERR_DOWN,
			    NULL, NULL);
		if (mg->flushing > 0) {
			/* Their completions still point here: keep it, but
			 * detached from the node. */
			mg->nheld = 0;
			mg->running = 0;
			mg->zn = NULL;
			zn->mg = NULL;
		} else {
			free(mg);
			zn->mg = NULL;
		}
	}
	free(zn->eps);
	zn->eps = NULL;
	if (zn->ctrl != NULL && zn->ctrl->mgmt == nid(zn))
		zn->ctrl->mgmt = 0;
}

/* --- the wake-up queue ----------------------------------------------- */

int
zw_mgmt_hold(struct zw_ctrl *c, struct zw_node *zn, const struct zw_req *r)
{
	struct zw_mg *mg;

	if (!zw_mgmt_asleep(zn))
		return 0;
	if ((mg = mg_get(zn)) == NULL || mg->nheld == ZW_WAKEUP_QUEUE) {
		log_warnx("zwave: node %d: asleep, %d requests held already: "
		    "sent anyway", nid(zn), ZW_WAKEUP_QUEUE);
		return 0;
	}
	mg->held[mg->nheld].r = *r;
	mg->held[mg->nheld++].mg = mg;
	log_debug("zwave: node %d: asleep, request held (%d)", nid(zn),
	    mg->nheld);
	(void)c;
	return 1;
}

/*
 * Take back what a caller held (its completion `done` with `arg`), as if
 * never asked: its completion is not called. A command that timed out
 * while held must not reach the node at a later wake-up. How many.
 */
int
zw_mgmt_unhold(struct zw_node *zn, zw_done_fn *done, const void *arg)
{
	struct zw_mg	*mg = zn->mg;
	int		 i, j, n = 0;

	if (mg == NULL)
		return 0;
	for (i = j = 0; i < mg->nheld; i++) {
		if (mg->held[i].r.done == done && mg->held[i].r.arg == arg) {
			n++;
			continue;
		}
		mg->held[j++] = mg->held[i];
	}
	mg->nheld = j;
	if (n > 0)
		log_info("zwave: node %d: %d held request%s taken back",
		    nid(zn), n, n == 1 ? "" : "s");
	mg_put(zn);
	return n;
}

static void
flushed(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct mg_held	*h = arg;
	struct zw_mg	*mg = h->mg;

	h->r.done(h->r.arg, st, res, cb);
	mg->flushing--;
	if (mg->zn == NULL) {		/* the node was forgotten meanwhile */
		if (mg->flushing == 0)
			free(mg);
		return;
	}
	maybe_sleep(mg->zn->ctrl, mg->zn);
}

/* The node is awake: send what waited for it, in order. */
static void
flush(struct zw_ctrl *c, struct zw_node *zn)
{
	struct zw_mg	*mg = zn->mg;
	struct zw_req	 r;
	enum zw_status	 st;
	int		 i;

	if (mg == NULL || mg->nheld == 0)
		return;
	log_info("zwave: node %d: awake, %d held request%s sent", nid(zn),
	    mg->nheld, mg->nheld == 1 ? "" : "s");
	for (i = 0; i < mg->nheld && mg->flushing < ZW_WAKEUP_QUEUE; i++) {
		mg->fl[mg->flushing] = mg->held[i];
		r = mg->held[i].r;
		r.done = flushed;
		r.arg = &mg->fl[mg->flushing];
		if (zw_stick_submit(c->stick, &r, &st) == -1)
			mg->held[i].r.done(mg->held[i].r.arg, st, NULL, NULL);
		else
			mg->flushing++;
	}
	mg->nheld = 0;
}

static void
nmi_sent(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	(void)arg;
	(void)res;
	(void)cb;
	if (st != ZW_OK && st != ZW_ERR_DOWN)
		log_debug("zwave: no more information: %s", zw_status_str(st));
}

/* Nothing left for an awake sleeping node: let it sleep again. */
static void
maybe_sleep(struct zw_ctrl *c, struct zw_node *zn)
{
	uint8_t cmd[2];
	size_t	n;

	if (!sleeping(zn) || !zn->awake || (zn->mg != NULL &&
	    (zn->mg->running || zn->mg->nheld > 0 || zn->mg->flushing > 0)) ||
	    zn->cmd_sending || c->interviewing == nid(zn) || zw_sec_busy(zn) ||
	    zw_maint_holds(c, zn))
		return;
	/* Sent while still awake (else it would be held itself). */
	if ((n = zw_cc_wakeup_no_more(cmd, sizeof(cmd))) > 0 &&
	    zw_node_send(c, nid(zn), cmd, n, ZW_PRIO_USER, nmi_sent, zn) == 0)
		log_info("zwave: node %d: no more information, back to sleep",
		    nid(zn));
	zn->awake = 0;
	mg_put(zn);
}

void
zw_mgmt_idle(struct zw_ctrl *c, struct zw_node *zn)
{
	maybe_sleep(c, zn);
}

void
zw_mgmt_woke_up(struct zw_ctrl *c, struct zw_node *zn)
{
	zn->awake = 1;
	log_info("zwave: node %d: wake-up notification", nid(zn));
	if (zn->pct < ZW_INTERVIEW_NIF) {
		zn->nif_asked = 0;		/* its classes, now */
		zw_interview_next(c);
	} else if (zn->pct < ZW_INTERVIEW_DONE && zn->mg != NULL &&
	    zn->mg->running && c->mgmt == 0 && c->interviewing == 0) {
		c->mgmt = nid(zn);		/* resume the interview */
		step_run(c, zn);
	} else if (zn->pct < ZW_INTERVIEW_DONE && (zn->mg == NULL ||
	    !zn->mg->running) && c->mgmt == 0 && c->interviewing == 0) {
		/* Its interview stopped with the process (the node table
		 * says 75 %): asleep at every start since, it is only
		 * reachable now. */
		log_info("zwave: node %d: its interview stopped: run again "
		    "while it is awake", nid(zn));
		zw_mgmt_start(c, zn);
	}
	flush(c, zn);
	zw_maint_woke(c, zn);	/* a ping, a parameter, waiting for it */
	maybe_sleep(c, zn);
}

/* --- the management interview --------------------------------------- */

static void
interview_end(struct zw_ctrl *c, struct zw_node *zn, int complete)
{
	struct zw_mg *mg = zn->mg;

	if (mg != NULL) {
		ev_timer_stop(c->s->loop, &mg->timer);
		mg->waiting = 0;
		if (complete)
			mg->running = 0;
	}
	if (c->mgmt == nid(zn))
		c->mgmt = 0;
	if (complete) {
		log_info("zwave: node %d: interview complete%s%s", nid(zn),
		    zn->lifeline_mc ? ", Multi Channel lifeline set" :
		    zn->lifeline ? ", lifeline set" : "",
		    zn->eps != NULL ? ", endpoints known" : "");
		zw_node_interviewed(c, zn);
	}
	maybe_sleep(c, zn);
	mg_put(zn);
	zw_interview_next(c);
}

static void
advance(struct zw_ctrl *c, struct zw_node *zn, enum mg_step next)
{
	zn->mg->step = next;
	zn->mg->idx = 0;
	zn->mg->waiting = 0;
	ev_timer_stop(c->s->loop, &zn->mg->timer);
	step_run(c, zn);
}

static void
asked(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct zw_node	*zn = arg;
	struct zw_ctrl	*c = zn->ctrl;
	struct zw_mg	*mg = zn->mg;

	(void)res;
	if (c->stopping || mg == NULL || !mg->running || c->mgmt != nid(zn))
		return;
	if (st != ZW_OK || cb == NULL || cb->len < 2 || cb->payload[1] != 0) {
		/* A sleeping node went back to sleep: its next wake-up
		 * resumes here. Any other node: asked again next start. */
		log_warnx("zwave: node %d: interview step %d not delivered%s",
		    nid(zn), mg->step, sleeping(zn) ? "; resumed at its "
		    "wake-up" : "");
		if (sleeping(zn))
			zn->awake = 0;
		else
			mg->running = 0;
		interview_end(c, zn, 0);
		return;
	}
	if (mg->waiting) {
		ev_timer_start(c->s->loop, &mg->timer, ZW_MGMT_REPLY_MS);
		return;
	}
	/* Sets have no report: on to what follows. */
	advance(c, zn, mg->step == MG_ASSOC_SET ? MG_ASSOC_GET : MG_MC_EP);
}

static void
ask(struct zw_ctrl *c, struct zw_node *zn, const uint8_t *cmd, size_t n,
    int report)
{
	zn->mg->waiting = report;
	if (n == 0 || zw_node_send(c, nid(zn), cmd, n, ZW_PRIO_POLL, asked,
	    zn) == -1) {
		log_warnx("zwave: node %d: interview step %d not sent",
		    nid(zn), zn->mg->step);
		zn->mg->running = 0;
		interview_end(c, zn, 0);
	}
}

/* The question of the current step, or on to the next applicable one. */
static void
step_run(struct zw_ctrl *c, struct zw_node *zn)
{
	struct zw_mg	*mg = zn->mg;
	uint8_t		 cmd[8];
	uint32_t	 secs;

	for (;; mg->step++, mg->idx = 0) {
		switch (mg->step) {
		case MG_VERSION:
			if (!has(zn, ZW_CC_VERSION) || mg->idx >= (int)zn->ncc)
				continue;
			ask(c, zn, cmd, zw_cc_version_cc_get(cmd, sizeof(cmd),
			    zn->cc[mg->idx]), 1);
			return;
		case MG_PLUS:
			if (!has(zn, ZW_CC_ZWAVEPLUS_INFO))
				continue;
			cmd[0] = ZW_CC_ZWAVEPLUS_INFO;
			cmd[1] = PLUS_INFO_GET;
			ask(c, zn, cmd, 2, 1);
			return;
		case MG_ASSOC_SET:
			if (mca_lifeline(zn)) {
				ask(c, zn, cmd, zw_cc_mca_set(cmd, sizeof(cmd),
				    ZW_LIFELINE, c->own_id, 0), 0);
				return;
			}
			if (!has(zn, ZW_CC_ASSOCIATION)) {
				mg->step = MG_ASSOC_GET;	/* skipped too */
				continue;
			}
			ask(c, zn, cmd, zw_cc_assoc_set(cmd, sizeof(cmd),
			    ZW_LIFELINE, c->own_id), 0);
			return;
		case MG_ASSOC_GET:
			ask(c, zn, cmd, mca_lifeline(zn) ? zw_cc_mca_get(cmd,
			    sizeof(cmd), ZW_LIFELINE) : zw_cc_assoc_get(cmd,
			    sizeof(cmd), ZW_LIFELINE), 1);
			return;
		case MG_WAKEUP_GET:
			if (!has(zn, ZW_CC_WAKE_UP)) {
				mg->step = MG_WAKEUP_SET;
				continue;
			}
			ask(c, zn, cmd, zw_cc_wakeup_interval_get(cmd,
			    sizeof(cmd)), 1);
			return;
		case MG_WAKEUP_SET:
			if (!has(zn, ZW_CC_WAKE_UP) || mg->idx == 0)
				continue;	/* idx 1: ours to set */
			secs = c->s->conf.zw_wakeup_s != 0 ?
			    (uint32_t)c->s->conf.zw_wakeup_s :
			    zn->wakeup_s != 0 ? zn->wakeup_s :
			    ZW_WAKEUP_DEFAULT_S;
			zn->wakeup_s = secs;
			log_info("zwave: node %d: wake-up every %u s, "
			    "notifying us", nid(zn), secs);
			ask(c, zn, cmd, zw_cc_wakeup_interval_set(cmd,
			    sizeof(cmd), secs, c->own_id), 0);
			return;
		case MG_MC_EP:
			if (!has(zn, ZW_CC_MULTI_CHANNEL)) {
				mg->step = MG_MC_CAP;
				continue;
			}
			ask(c, zn, cmd, zw_cc_mc_endpoints_get(cmd,
			    sizeof(cmd)), 1);
			return;
		case MG_MC_CAP:
			if (zn->eps == NULL || mg->idx >= zn->eps->n)
				continue;
			ask(c, zn, cmd, zw_cc_mc_capability_get(cmd,
			    sizeof(cmd), (uint8_t)(mg->idx + 1)), 1);
			return;
		default:
			interview_end(c, zn, 1);
			return;
		}
	}
}

void
zw_mgmt_start(struct zw_ctrl *c, struct zw_node *zn)
{
	struct zw_mg *mg;

	if (c->mgmt != 0 && c->mgmt != nid(zn))
		return;		/* after the one under way (next start) */
	/* Its node information came just now: it is awake, also while
	 * its key exchange runs (whose next frames, held for a wake-up,
	 * would come too late: the exchange failed and the node stayed
	 * without security). */
	if (sleeping(zn))
		zn->awake = 1;
	if (zw_sec_booting(zn)) {
		/* Its secure classes are not known yet: they may hold the
		 * management classes (zw_mgmt_security_known starts it). */
		log_info("zwave: node %d: management interview after its "
		    "secure classes", nid(zn));
		return;
	}
	if ((mg = mg_get(zn)) == NULL) {
		log_warnx("zwave: node %d: no memory for its interview",
		    nid(zn));
		return;
	}
	mg->running = 1;
	mg->step = MG_VERSION;
	mg->idx = 0;
	zn->mgmt_asked = 1;
	c->mgmt = nid(zn);
	log_info("zwave: node %d: management interview", nid(zn));
	step_run(c, zn);
}

/* Is `cc` one the management interview asks about? */
static int
mgmt_class(uint8_t cc)
{
	return cc == ZW_CC_VERSION || cc == ZW_CC_ZWAVEPLUS_INFO ||
	    cc == ZW_CC_ASSOCIATION || cc == ZW_CC_MC_ASSOCIATION ||
	    cc == ZW_CC_WAKE_UP || cc == ZW_CC_MULTI_CHANNEL;
}

void
zw_mgmt_security_known(struct zw_ctrl *c, struct zw_node *zn)
{
	size_t i;

	if (zn->dev == NULL)
		return;
	for (i = 0; i < zn->nscc && !mgmt_class(zn->scc[i]); i++)
		;
	/* Interviewed on its clear classes only (adopted after a restart,
	 * or the interview came first): again, with the secure ones. */
	if (i < zn->nscc && zn->pct == ZW_INTERVIEW_DONE &&
	    (zn->mg == NULL || !zn->mg->running)) {
		log_info("zwave: node %d: management classes among its secure "
		    "ones: interviewed again", nid(zn));
		zn->pct = ZW_INTERVIEW_NIF;
		zn->dev->desc.interview_pct = zn->pct;
		zn->mgmt_asked = 0;
	}
	zw_interview_next(c);
}

int
zw_mgmt_next(struct zw_ctrl *c)
{
	struct zw_node	*zn;
	int		 id;

	if (c->mgmt != 0)
		return 1;
	for (id = 1; id <= ZW_MAX_NODES; id++) {
		zn = &c->node[id];
		if (zn->listed && zn->dev != NULL && zn->pct ==
		    ZW_INTERVIEW_NIF && !zn->mgmt_asked && !zw_mgmt_asleep(zn) &&
		    !zw_sec_booting(zn)) {
			zw_mgmt_start(c, zn);
			return c->mgmt != 0;
		}
	}
	return 0;
}

static void
on_timer(struct ev_timer *t)
{
	struct zw_mg	*mg = t->arg;
	struct zw_node	*zn = mg->zn;

	if (zn == NULL)
		return;
	log_warnx("zwave: node %d: no answer to interview step %d in %d ms",
	    nid(zn), mg->step, ZW_MGMT_REPLY_MS);
	mg->waiting = 0;
	mg->idx++;
	if (mg->step == MG_ASSOC_GET || mg->step == MG_PLUS ||
	    mg->step == MG_MC_EP) {
		mg->step++;
		mg->idx = 0;
	} else if (mg->step == MG_WAKEUP_GET) {
		mg->step = MG_WAKEUP_SET;
		mg->idx = 1;		/* set ours anyway */
	}
	step_run(zn->ctrl, zn);
}

void
zw_mgmt_stick_lost(struct zw_ctrl *c)
{
	int id;

	for (id = 1; id <= ZW_MAX_NODES; id++)
		if (c->node[id].mg != NULL) {
			ev_timer_stop(c->s->loop, &c->node[id].mg->timer);
			c->node[id].mg->waiting = 0;
		}
	c->mgmt = 0;
}

/* --- the step's answer (zw_mgmt_rx.c decodes it) --------------------- */

/* The step's report arrived: keep it, then the next question. */
void
zw_mgmt_got(struct zw_ctrl *c, struct zw_node *zn, enum mg_step step)
{
	struct zw_mg *mg = zn->mg;

	if (mg == NULL || !mg->running || !mg->waiting || mg->step != step ||
	    c->mgmt != nid(zn))
		return;
	mg->waiting = 0;
	ev_timer_stop(c->s->loop, &mg->timer);
	switch (step) {
	case MG_VERSION:
	case MG_MC_CAP:
		mg->idx++;
		break;
	case MG_WAKEUP_GET:
		mg->step = MG_WAKEUP_SET;
		/* Set when it notifies another node, or none, or wakes up
		 * at another interval than the configured one. */
		mg->idx = zn->wakeup_node != c->own_id || zn->wakeup_s == 0 ||
		    (c->s->conf.zw_wakeup_s != 0 &&
		    zn->wakeup_s != (uint32_t)c->s->conf.zw_wakeup_s);
		step_run(c, zn);
		return;
	default:
		mg->step++;
		mg->idx = 0;
	}
	step_run(c, zn);
}
