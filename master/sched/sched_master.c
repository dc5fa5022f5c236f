/*
 * The scheduler inside hd-master (docs/SCHEDULER.md): the engine's
 * clock is the wall clock, its one timer an ev_timer armed for the
 * earliest instant (at most SCHED_MAX_SLEEP_MS ahead, so a wall-clock
 * step is noticed within a minute even though ev timers are monotonic),
 * its values the node table's, its commands cluster_command()'s. The
 * hooks in cluster.c and master.c are one call each.
 */

#include <sys/stat.h>

#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster/cluster.h"
#include "hamasters.h"
#include "log.h"
#include "master.h"
#include "net.h"
#include "sched/sched.h"
#include "sched/sched_master.h"
#include "sched/sched_int.h"

static struct value *
find_value(struct master *m, const struct sched_devref *r)
{
	struct node	*n;
	struct value	*v;

	if ((n = node_get(m, r->node, 0)) == NULL)
		return NULL;
	TAILQ_FOREACH(v, &n->values, entry)
		if (strcmp(v->device_id, r->dev) == 0 &&
		    strcmp(v->key, r->key) == 0)
			return v;
	return NULL;
}

/* For the API's visibility rule: a node's site, NULL if never seen. */
static const char *
site_of(void *arg, const char *node)
{
	struct sched_master	*sm = arg;
	struct node		*n = node_get(sm->m, node, 0);

	return n != NULL ? n->site : NULL;
}

static int
from_value(const Hd__Value *hv, struct sched_val *out)
{
	memset(out, 0, sizeof(*out));
	switch (hv->v_case) {
	case HD__VALUE__V_B:
		out->type = SV_BOOL;
		out->i = hv->b;
		return 0;
	case HD__VALUE__V_I:
		out->type = SV_INT;
		out->i = hv->i;
		return 0;
	case HD__VALUE__V_D:
		out->type = SV_DOUBLE;
		out->d = hv->d;
		return 0;
	case HD__VALUE__V_S:
		out->type = SV_STRING;
		out->s = hv->s;
		return 0;
	default:
		return -1;
	}
}

/* ops->get_value: the node table's last value, unless stale or faulty. */
static int
get_value(void *arg, const struct sched_devref *r, struct sched_val *out)
{
	struct sched_master	*sm = arg;
	struct value		*v = find_value(sm->m, r);

	if (v == NULL || v->v == NULL || v->stale || v->fault)
		return -1;
	return from_value(v->v, out);
}

static void
to_value(const struct sched_val *sv, Hd__Value *hv)
{
	switch (sv->type) {
	case SV_BOOL:
		hv->v_case = HD__VALUE__V_B;
		hv->b = sv->i != 0;
		break;
	case SV_INT:
		hv->v_case = HD__VALUE__V_I;
		hv->i = sv->i;
		break;
	case SV_DOUBLE:
		hv->v_case = HD__VALUE__V_D;
		hv->d = sv->d;
		break;
	default:
		hv->v_case = HD__VALUE__V_S;
		hv->s = (char *)(uintptr_t)(sv->s ? sv->s : "");
	}
}

/* Send `cmd` of event `by` to `n` and remember it for its result: 0, or
 * -1 with why. */
int
sm_send(struct sched_master *sm, struct node *n, Hd__Command *cmd,
    const char *by, char *why, size_t len)
{
	char		 issuer[SCHED_NAME_MAX + 8];
	struct inflight	*f;

	snprintf(issuer, sizeof(issuer), "event %s", by);
	cmd->issued_by = issuer;
	if (cluster_command(sm->m, n, cmd) == -1) {
		snprintf(why, len, "could not send to slave %s", n->id);
		return -1;
	}
	f = &sm->inflight[sm->ninflight++ % SCHED_INFLIGHT];
	f->id = cmd->id;
	snprintf(f->node, sizeof(f->node), "%s", n->id);
	snprintf(f->event, sizeof(f->event), "%s", by);
	return 0;
}

/* Is `node` online? If not, why (and 1 if the event is left to its local
 * rules, then no failure), as the engine's ops->command answers. */
int
sm_offline(struct sched_master *sm, const char *node, const char *by,
    struct node **np, char *why, size_t len)
{
	struct node	*n = node_get(sm->m, node, 0);

	*np = n;
	if (((n != NULL && n->peer == NULL) || (n == NULL && sm->starting)) &&
	    sm_left_local(sm, by, node)) {
		snprintf(why, len, "left to slave %s's local rules (it is "
		    "offline)", node);
		return 1;
	}
	if (n == NULL || n->peer == NULL) {
		snprintf(why, len, "slave %s is %s", node, n == NULL ?
		    "unknown (never connected)" : "offline");
		return -1;
	}
	return 0;
}

/*
 * ops->command: a Command to the slave, remembered for its result. A
 * firing known by its instant gets an id derived from it (sched_cmd_id),
 * so a new master that runs the same firing again sends the same id and
 * the slave's memo answers it as a repeat. With a standby attached the
 * command goes to the outbox first (sched_hold.c): once the engine's
 * batch is over the outbox is written, and the command waits until the
 * standby holds it and the engine's state, at most SCHED_SYNC_WAIT_MS.
 */
static int
command(void *arg, const struct sched_act *a, const char *by, char *why,
    size_t len)
{
	struct sched_master	*sm = arg;
	struct node		*n;
	Hd__Command		 cmd = HD__COMMAND__INIT;
	Hd__Value		 v = HD__VALUE__INIT;
	struct sched_val	 on = { .type = SV_BOOL, .i = 1 };
	int			 r;

	/* Left to the slave's local rules (docs/SCHEDULER.md#local-rules),
	 * except just after a takeover: held for it (sched_localcatch.c),
	 * whether this node's table knew the slave or not. */
	if ((r = sm_offline(sm, a->ref.node, by, &n, why, len)) != 0 &&
	    ev_clock_ms() < sm->await_until && sm_left_local(sm, by,
	    a->ref.node))
		r = 1;
	else if (r == 1)
		return r;
	to_value(a->kind == A_PULSE ? &on : &a->val, &v);
	cmd.device_id = a->ref.dev;
	cmd.key = a->ref.key;
	cmd.value = &v;
	cmd.pulse_ms = a->kind == A_PULSE ? (uint32_t)a->ms : 0;
	cmd.firing_id = sched_firing_id(by, sched_firing_due(sm->s));
	cmd.id = sched_cmd_id(sm->s);
	if (r == 1) {
		if (sm_await_local(sm, &cmd, a->ref.node, by,
		    sched_firing_due(sm->s)) == 0)
			return 0;
		log_warnx("sched: event %s (due %" PRId64 "): the outbox is "
		    "full: left to slave %s's local rules just after a "
		    "takeover (it runs it only if cut off for its "
		    "local-after)", by, sched_firing_due(sm->s), a->ref.node);
		return 1;
	}
	if (r == -1)
		return sm_awaited(sm, &cmd, a->ref.node, by) == 0 ? 0 : -1;
	if (sm_defers(sm)) {
		if (cmd.id == 0)	/* numbered now: the outbox keeps it */
			cmd.id = cluster_command_id(sm->m);
		if (cmd.id != 0 && sched_hold_add(&sm->hold, &cmd, n->id, by,
		    HOLD_WAIT, ev_clock_ms() + SCHED_SYNC_WAIT_MS) == 0) {
			log_debug("sched: event %s: command %" PRIu64 " to "
			    "%s/%s.%s recorded, waits for the standby", by,
			    cmd.id, a->ref.node, a->ref.dev, a->ref.key);
			sm_hold_arm(sm, 0);	/* after the batch */
			return 0;
		}
		log_warnx("sched: event %s: the outbox is full (%d commands): "
		    "command %" PRIu64 " goes at once, without its record at "
		    "the standby", by, SCHED_HOLD_MAX, cmd.id);
	}
	if (sm_send(sm, n, &cmd, by, why, len) == -1)
		return -1;
	log_info("sched: event %s: command %" PRIu64 " to %s/%s.%s", by,
	    cmd.id, a->ref.node, a->ref.dev, a->ref.key);
	/* Sent without its record at a standby: the firing is written at
	 * the end of its batch, not lazily, so that this node can report
	 * it if it dies and another master takes over (sched_orphan.h). */
	if (sm->m->conf.masters.n > 1)
		sm->s->dirty = 1;
	return 0;
}

static const struct sched_ops ops = { get_value, command };

int64_t
sm_wall(void *arg)
{
	(void)arg;
	return (int64_t)ev_wall_ms();
}

/* One timer for the earliest instant; capped to notice clock steps. */
void
sm_rearm(void *arg)
{
	struct sched_master	*sm = arg;
	int64_t			 next = sched_next(sm->s), now = sm_wall(sm);
	int64_t			 wait = next - now;

	if (wait < 0)
		wait = 0;
	if (wait > SCHED_MAX_SLEEP_MS)
		wait = SCHED_MAX_SLEEP_MS;
	ev_timer_start(sm->m->loop, &sm->timer, (uint64_t)wait);
}

static void
on_timer(struct ev_timer *t)
{
	struct sched_master *sm = t->arg;

	sched_run(sm->s, sm_wall(sm));
	sm_rearm(sm);
}

void
sm_log_errors(const char *what, struct sched_errs *e)
{
	char *line, *save;

	for (line = strtok_r(e->buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		log_warnx("%s: %s", what, line);
}

static int
check_location(const struct master_conf *mc)
{
	if (isnan(mc->latitude) != isnan(mc->longitude)) {
		log_warnx("latitude and longitude go together");
		return -1;
	}
	return 0;
}

/*
 * The events file is broken at start-up. Refusing to start would leave
 * the house without its API, dashboard and cluster because of a typo, so
 * the master runs the last schedule that loaded (SCHED_LAST_GOOD, kept by
 * every successful load) or, on a first install, none at all, and says
 * so; a fixed file is picked up by SIGHUP or the API's reload. `hd-master
 * -n` still fails on the same file.
 */
static int
fallback(struct sched_master *sm, struct sched_errs *e)
{
	char		 lg[PATH_MAX];
	const char	*events = sm->m->conf.events;

	if (sched_last_good(sm->s, lg, sizeof(lg)) == 0 &&
	    access(lg, F_OK) == 0) {
		if (sched_load(sm->s, lg, sm_wall(sm), e) == 0) {
			log_warnx("events: %s has errors: running the last good "
			    "schedule (%s) until it is fixed and reloaded",
			    events, lg);
			return 0;
		}
		sm_log_errors("events (last good copy)", e);
	}
	if (sched_load_none(sm->s, sm_wall(sm), e) == -1)
		return -1;
	log_warnx("events: %s has errors and there is no last good "
	    "schedule: running no events until it is fixed and reloaded",
	    events);
	return 0;
}

/* Will this node start as a standby (cluster/ha.c: a node after the
 * first of the master lines, or any of them with the election)? */
static int
stands_by(const struct master *m)
{
	return m->conf.masters.n > 0 && (m->conf.slaves.n > 0 ||
	    ha_masters_find(&m->conf.masters, m->id) != 0);
}

int
sched_master_start(struct master *m, int checkonly)
{
	struct sched_master	*sm;
	struct sched_errs	*e;
	char			 path[PATH_MAX];
	int			 r = -1;

	if (m->conf.events == NULL)
		return check_location(&m->conf);
	snprintf(path, sizeof(path), "%s/sched.state", m->conf.state_dir);
	if (check_location(&m->conf) == -1 ||
	    (sm = calloc(1, sizeof(*sm))) == NULL)
		return -1;
	sm->m = m;
	if ((e = malloc(sizeof(*e))) == NULL || (sm->s = sched_new(&ops, sm,
	    m->conf.latitude, m->conf.longitude, checkonly ? NULL : path)) ==
	    NULL || sched_set_places(sm->s, m->conf.places,
	    m->conf.nplaces) == -1)
		goto done;
	/* A standby's events.last-good is the master's, replicated: its own
	 * events file must not overwrite it (it runs at a takeover). */
	if (stands_by(m))
		sched_keep_last_good(sm->s, 0);
	sched_set_state_hook(sm->s, &(struct sched_state_hook){ sm_hold_put,
	    sm_hold_get, sm_defers, sm });
	if (sched_load(sm->s, m->conf.events, sm_wall(sm), e) == -1) {
		sm_log_errors("events", e);
		if (checkonly || fallback(sm, e) == -1)
			goto done;
	}
	if (checkonly) {
		printf("%s: %d event%s OK\n", m->conf.events,
		    sched_program(sm->s)->nev, sched_program(sm->s)->nev == 1 ?
		    "" : "s");
		r = 0;
		goto done;
	}
	sm->api = (struct sched_api){ sm->s, m->conf.events, sm_wall, sm_rearm,
	    sm, site_of, sm_local_synced, sm_run };
	ev_timer_init(&sm->timer, on_timer, sm);
	ev_timer_init(&sm->hold_timer, sm_on_hold_timer, sm);
	sched_hold_init(&sm->hold);
	m->sched = sm;
	r = 0;
done:
	free(e);
	if (m->sched != sm) {
		if (sm->s != NULL)
			sched_free(sm->s);
		free(sm);
	}
	return r;
}

struct sched_api *
sched_master_api(struct master *m)
{
	return m->sched != NULL ? &m->sched->api : NULL;
}

/* Once the loop runs: restore state, catch up, start-up events. */
void
sched_master_run(struct master *m)
{
	struct sched_master *sm = m->sched;

	if (sm == NULL)
		return;
	sm->starting = 1;
	sched_start(sm->s, sm_wall(sm));
	sm->starting = 0;
	sm_rearm(sm);
}

/*
 * At exit. Commands still waiting for the standby go now: their firing
 * is recorded as done, so they would be lost otherwise; not when this
 * node steps down (a new master runs the firing, with the same ids). A
 * scheduler that never started (a standby's) saves nothing (sched_save):
 * its sched.state is the master's, replicated.
 */
void
sched_master_stop(struct master *m)
{
	struct sched_master	*sm = m->sched;
	int			 i;

	if (sm == NULL)
		return;
	if (!m->restart)
		sm_hold_pump(sm, 1);
	m->sched = NULL;
	if (m->loop != NULL) {
		ev_timer_stop(m->loop, &sm->timer);
		ev_timer_stop(m->loop, &sm->hold_timer);
	}
	sched_save(sm->s, sm_wall(sm));	/* with what is still sent */
	sched_hold_clear(&sm->hold);
	for (i = 0; i < SCHED_RUN_WAITS; i++)	/* nobody left to answer */
		free(sm->runwaits[i].later);
	sched_free(sm->s);
	free(sm);
}

void
sched_master_reload(struct master *m)
{
	struct sched_master	*sm = m->sched;
	struct sched_errs	*e;
	struct node		*n;

	if (sm == NULL || (e = malloc(sizeof(*e))) == NULL)
		return;
	if (sched_load(sm->s, m->conf.events, sm_wall(sm), e) == -1) {
		sm_log_errors("SIGHUP: events", e);
		log_warnx("SIGHUP: the events file has errors; the old "
		    "schedule keeps running");
	} else {
		TAILQ_FOREACH(n, &m->nodes, entry)
			sm_send_rules(sm, n);
		sm_rearm(sm);
	}
	free(e);
}

void
sched_master_value(struct master *m, struct node *n,
    const Hd__ValueReport *r)
{
	struct sched_master	*sm = m->sched;
	struct sched_val	 v;
	unsigned		 saves;

	if (sm == NULL || r->value == NULL || r->stale || r->fault ||
	    from_value(r->value, &v) == -1)
		return;
	/* Replayed to a master whose state reflects it already (a takeover
	 * or restart after the state was written, before the ack): history,
	 * applied again it would fire on a value long past. */
	if (sched_cursor_seen(&sm->hold, n->id, n->boot_id, n->last_seq)) {
		log_debug("sched: slave %s: report %" PRIu64 " is in the "
		    "state already", n->id, n->last_seq);
		return;
	}
	saves = sm->saves;
	/* Known by the slave's reading (docs/FAILOVER.md#value-triggered-
	 * firings): replayed to a new master, the same ids. */
	sched_value_at(sm->s, sm_wall(sm), r->time_ms <= INT64_MAX ?
	    (int64_t)r->time_ms : 0, n->id, r->device_id, r->key, &v);
	if (sm->saves != saves)		/* a firing, a 'for', an arming */
		sm_ack_hold(sm, n, n->last_seq);
	sm_rearm(sm);
}

void
sched_master_node(struct master *m, struct node *n, int up)
{
	struct sched_master *sm = m->sched;

	if (sm == NULL)
		return;
	sched_node(sm->s, sm_wall(sm), n->id, up);
	sm_lsync(sm, n->id, 1)->synced = 0;	/* its replay starts again */
	if (up) {
		sm_send_rules(sm, n);
		sm_hold_arm(sm, 0);	/* the outbox's commands for it */
	}
	sm_rearm(sm);
}

/* The in-flight command `id` sent to `node`, or NULL; a result for a
 * command that went to another slave is logged and dropped. */
static struct inflight *
inflight_find(struct sched_master *sm, const char *node, uint64_t id)
{
	struct inflight	*f, *other = NULL;
	unsigned	 i;

	if (id == 0)
		return NULL;
	for (i = 0; i < SCHED_INFLIGHT; i++) {
		f = &sm->inflight[i];
		if (f->id != id)
			continue;
		if (strcmp(f->node, node) == 0)
			return f;
		other = f;
	}
	if (other != NULL)
		log_warnx("sched: slave %s sent a result for command %" PRIu64
		    " of event %s, which went to slave %s: ignored", node, id,
		    other->event, other->node);
	return NULL;
}

void
sched_master_result(struct master *m, struct node *n,
    const Hd__CommandResult *r)
{
	struct sched_master	*sm = m->sched;
	const ProtobufCEnumValue *ev;
	struct inflight		*f;
	char			 why[SCHED_RESULT_MAX], d[64];

	if (sm == NULL || (f = inflight_find(sm, n->id, r->id)) == NULL)
		return;
	/* Held for a sleeping node: not a failure, the final result follows. */
	if (r->status == HD__COMMAND_RESULT__STATUS__QUEUED)
		return;
	/* Out of the outbox, written soon; from the loop, not from inside
	 * this slave's frame (a send that fails drops a link). */
	if (sched_hold_result(&sm->hold, n->id, r->id))
		sm_hold_arm(sm, 0);
	f->id = 0;
	if (r->status == HD__COMMAND_RESULT__STATUS__OK)
		return;
	ev = protobuf_c_enum_descriptor_get_value(
	    &hd__command_result__status__descriptor, (int)r->status);
	snprintf(why, sizeof(why), "%s%s%s", ev ? ev->name : "error",
	    r->detail[0] ? ": " : "", str_vis(d, sizeof(d), r->detail));
	log_warnx("sched: event %s: command %" PRIu64 " failed: %s",
	    f->event, r->id, why);
	sched_result(sm->s, f->event, 0, why);
}

struct sched *
sched_master_engine(struct master *m)
{
	return m->sched != NULL ? m->sched->s : NULL;
}
