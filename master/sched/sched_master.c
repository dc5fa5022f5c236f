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

/* Slave `node`'s entry, made if `make` (a free one, else an unsynced
 * one: forgetting it only says "not known complete"); NULL if none. */
static struct lsync *
lsync_of(struct sched_master *sm, const char *node, int make)
{
	struct lsync	*l, *spare = &sm->lsync[0];
	int		 i;

	for (i = 0; i < SCHED_SYNC_NODES; i++) {
		l = &sm->lsync[i];
		if (strcmp(l->node, node) == 0)
			return l;
		if (l->node[0] == '\0' ? spare->node[0] != '\0' :
		    !l->synced && spare->synced)
			spare = l;
	}
	if (!make)
		return NULL;
	snprintf(spare->node, sizeof(spare->node), "%s", node);
	spare->synced = 0;
	return spare;
}

/* For the API: has slave `node` sent its LocalSync since it came online? */
static int
local_synced(void *arg, const char *node)
{
	struct lsync *l = lsync_of(arg, node, 0);

	return l != NULL && l->synced;
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

/*
 * Is event `by` one of offline slave `node`'s local rules? It runs it
 * once cut off for its local-after, from the last frame the master sent
 * (docs/SCHEDULER.md#local-rules), and the master does not: while a
 * slave is offline its local events are its own, which keeps a firing
 * from happening on both sides of a cut. At the master's start-up (its
 * catch-up) no slave has registered yet, and each was without this
 * master while it was stopped: the same. A slave unknown at any other
 * time never had a rule set, and its event fails as before.
 */
static int
left_local(struct sched_master *sm, const char *by, const char *node)
{
	const struct sched_event	*ev;
	const char			*on;
	char				 why[160];

	if ((ev = sched_prog_find(sched_program(sm->s), by)) == NULL ||
	    (on = sched_local_node(ev, why, sizeof(why))) == NULL)
		return 0;
	return strcmp(on, node) == 0;
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
	    left_local(sm, by, node)) {
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

	if ((r = sm_offline(sm, a->ref.node, by, &n, why, len)) == 1) {
		/* As at a master restart (docs/SCHEDULER.md#local-rules); said
		 * with its instant, since the slave, back within the second,
		 * has not run its local rules (docs/FAILOVER.md). */
		if (ev_clock_ms() < sm->await_until)
			log_warnx("sched: event %s (due %" PRId64 "): left to "
			    "slave %s's local rules just after a takeover: it "
			    "runs it only if it was cut off for its "
			    "local-after, else this instant is missed", by,
			    sched_firing_due(sm->s), a->ref.node);
		return r;
	}
	to_value(a->kind == A_PULSE ? &on : &a->val, &v);
	cmd.device_id = a->ref.dev;
	cmd.key = a->ref.key;
	cmd.value = &v;
	cmd.pulse_ms = a->kind == A_PULSE ? (uint32_t)a->ms : 0;
	cmd.firing_id = sched_firing_id(by, sched_firing_due(sm->s));
	cmd.id = sched_cmd_id(sm->s);
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
static void
rearm(void *arg)
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
	rearm(sm);
}

static void
log_errors(const char *what, struct sched_errs *e)
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
		log_errors("events (last good copy)", e);
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
		log_errors("events", e);
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
	sm->api = (struct sched_api){ sm->s, m->conf.events, sm_wall, rearm,
	    sm, site_of, local_synced };
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
	rearm(sm);
}

/* Does `path` hold exactly the text of program `g` (its includes
 * inlined)? */
static int
same_text(const char *path, const struct sched_prog *g)
{
	FILE	*f;
	char	 buf[4096];
	size_t	 n, off = 0;
	int	 same = g->flat != NULL;

	if (!same || (f = fopen(path, "r")) == NULL)
		return 0;
	while (same && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
		same = off + n <= g->flatlen && memcmp(g->flat + off, buf,
		    n) == 0;
		off += n;
	}
	same = same && !ferror(f) && off == g->flatlen;
	fclose(f);
	return same;
}

/* Was `a` modified after `b`? */
static int
newer(const char *a, const char *b)
{
	struct stat	sa, sb;

	if (stat(a, &sa) == -1 || stat(b, &sb) == -1)
		return 0;
	return sa.st_mtim.tv_sec > sb.st_mtim.tv_sec ||
	    (sa.st_mtim.tv_sec == sb.st_mtim.tv_sec &&
	    sa.st_mtim.tv_nsec > sb.st_mtim.tv_nsec);
}

/*
 * The replicated schedule, if this node has one: the master's, as it
 * ran it (its last load wrote it, and the state sync brought it here).
 * This node's own events file wins if it was edited after that (a
 * master restarted on a changed file: its events.last-good is its own
 * older copy) and loaded. If it says the same, it is that file (a
 * reload changes nothing); else the replicated one runs, said
 * "replicated" and logged, since a reload would put this node's own
 * file in its place.
 */
static void
take_replicated(struct sched_master *sm)
{
	struct sched_errs	*e;
	struct sched_prog	*own;
	char			 lg[PATH_MAX];

	if (sched_last_good(sm->s, lg, sizeof(lg)) == -1 ||
	    access(lg, F_OK) == -1)
		return;
	if (strcmp(sched_source(sm->s), "file") == 0 &&
	    newer(sm->m->conf.events, lg)) {
		log_info("takeover: this node's events file %s is newer than "
		    "the replicated schedule: running it",
		    sm->m->conf.events);
		return;
	}
	if ((e = malloc(sizeof(*e))) == NULL)
		return;
	if (sched_load(sm->s, lg, sm_wall(sm), e) == -1) {
		log_errors("takeover: the replicated schedule", e);
		log_warnx("takeover: running this node's own events file %s",
		    sm->m->conf.events);
		free(e);
		return;
	}
	own = sched_parse_file(sm->m->conf.events, e);
	if (own != NULL && same_text(lg, own))
		sched_load(sm->s, sm->m->conf.events, sm_wall(sm), e);
	else {
		sched_set_replicated(sm->s);
		log_warnx("takeover: running the master's schedule as "
		    "replicated (%s): this node's events file %s differs; a "
		    "reload would run that file instead", lg,
		    sm->m->conf.events);
	}
	sched_prog_free(own);
	free(e);
}

void
sched_master_takeover(struct master *m)
{
	struct sched_master	*sm = m->sched;
	char			 lg[PATH_MAX];

	if (sm == NULL) {
		snprintf(lg, sizeof(lg), "%s/%s", m->conf.state_dir,
		    SCHED_LAST_GOOD);
		if (access(lg, F_OK) == 0)
			log_warnx("takeover: the master ran a schedule (%s) "
			    "but this node has no events line: no events run "
			    "here", lg);
		return;
	}
	if (sm->s->started)
		return;		/* a master already (a term won again) */
	take_replicated(sm);
	sched_keep_last_good(sm->s, 1);
	sm->await_until = ev_clock_ms() + SCHED_RESEND_WAIT_MS;
	sched_master_run(m);
	sm_hold_pump(sm, 0);
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
	struct sched_master *sm = m->sched;

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
	sched_free(sm->s);
	free(sm);
}

/*
 * Slave `n`'s rule set (docs/SCHEDULER.md#local-rules), after its Welcome
 * and after each reload. Everything due by now is run first, so the
 * handled instant sent is true; the slave keeps a version it has.
 */
static void
send_rules(struct sched_master *sm, struct node *n)
{
	struct sched_local_set	*ls;
	Hd__Envelope		 e = HD__ENVELOPE__INIT;
	int64_t			 now = sm_wall(sm);

	if (n->peer == NULL || (ls = malloc(sizeof(*ls))) == NULL)
		return;
	sched_run(sm->s, now);
	if (sched_local_set_build(ls, sched_program(sm->s), n->id, now) == -1)
		log_warnx("sched: slave %s: its local events are over %d bytes "
		    "or %d sites: it gets none", n->id, LOCAL_RULES_MAX_TEXT,
		    LOCAL_MAX_PLACES);
	e.body_case = HD__ENVELOPE__BODY_LOCAL_RULES;
	e.local_rules = &ls->msg;
	if (cluster_send(sm->m, n, &e) == -1)
		log_warnx("sched: slave %s: local rules not sent", n->id);
	else
		log_info("sched: slave %s: %d local event%s, version %016" PRIx64,
		    n->id, ls->nev, ls->nev == 1 ? "" : "s", ls->msg.version);
	free(ls);
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
		log_errors("SIGHUP: events", e);
		log_warnx("SIGHUP: the events file has errors; the old "
		    "schedule keeps running");
	} else {
		TAILQ_FOREACH(n, &m->nodes, entry)
			send_rules(sm, n);
		rearm(sm);
	}
	free(e);
}

void
sched_master_value(struct master *m, struct node *n,
    const Hd__ValueReport *r)
{
	struct sched_master	*sm = m->sched;
	struct sched_val	 v;

	if (sm == NULL || r->value == NULL || r->stale || r->fault ||
	    from_value(r->value, &v) == -1)
		return;
	sched_value(sm->s, sm_wall(sm), n->id, r->device_id, r->key, &v);
	rearm(sm);
}

void
sched_master_node(struct master *m, struct node *n, int up)
{
	struct sched_master *sm = m->sched;

	if (sm == NULL)
		return;
	sched_node(sm->s, sm_wall(sm), n->id, up);
	lsync_of(sm, n->id, 1)->synced = 0;	/* its replay starts again */
	if (up) {
		send_rules(sm, n);
		sm_hold_arm(sm, 0);	/* the outbox's commands for it */
	}
	rearm(sm);
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

int
sched_master_local_firing(struct master *m, struct node *n,
    const Hd__LocalFiring *f)
{
	struct sched_master	*sm = m->sched;
	char			 ev[SCHED_NAME_MAX + 1], res[SCHED_RESULT_MAX];
	const char		*on;
	struct sched_event	*e;
	char			 why[160];

	if (strlen(f->event) > SCHED_NAME_MAX ||
	    strlen(f->result) >= SCHED_RESULT_MAX || f->due_ms > INT64_MAX ||
	    f->fired_ms > INT64_MAX)
		return -1;
	str_vis(ev, sizeof(ev), f->event);
	str_vis(res, sizeof(res), f->result);
	if (sm == NULL || (e = sched_prog_find(sched_program(sm->s),
	    f->event)) == NULL || (on = sched_local_node(e, why,
	    sizeof(why))) == NULL || strcmp(on, n->id) != 0) {
		log_warnx("slave %s: local firing of event %s (due %" PRIu64
		    "): not one of its local events here, logged only", n->id,
		    ev, f->due_ms);
		return 0;
	}
	if (sched_local_fired(sm->s, e, (int64_t)f->due_ms,
	    (int64_t)f->fired_ms, f->result, sm_wall(sm)) == 1) {
		log_warnx("sched: event %s: firing due %" PRIu64 " reported "
		    "again by slave %s: heard already, ignored", ev, f->due_ms,
		    n->id);
		return 0;
	}
	log_info("sched: event %s: fired on slave %s by its local rules "
	    "(due %" PRIu64 ", at %" PRIu64 "): %s", ev, n->id, f->due_ms,
	    f->fired_ms, res);
	rearm(sm);
	return 0;
}

int
sched_master_local_sync(struct master *m, struct node *n,
    const Hd__LocalSync *y)
{
	struct sched_master	*sm = m->sched;
	const struct sched_prog	*g;
	const char		*on;
	char			 why[160];
	int			 i;

	if (sm == NULL)
		return 0;
	lsync_of(sm, n->id, 1)->synced = 1;
	log_info("sched: slave %s: local replay complete (%" PRIu32 " firing%s, "
	    "rule set %016" PRIx64 "): its events' history is whole", n->id,
	    y->firings, y->firings == 1 ? "" : "s", y->version);
	/* What was left to it and not in its replay is the master's again. */
	g = sched_program(sm->s);
	for (i = 0; g != NULL && i < g->nev; i++)
		if (g->ev[i].left_due != 0 && (on = sched_local_node(&g->ev[i],
		    why, sizeof(why))) != NULL && strcmp(on, n->id) == 0)
			sched_left_back(sm->s, sched_prog_find(g,
			    g->ev[i].name), sm_wall(sm));
	rearm(sm);
	return 0;
}
