/*
 * The master's side of its slaves' local rules (docs/SCHEDULER.md#local-
 * rules): which events a cut-off slave runs on its own, each slave's rule
 * set sent after its Welcome and each reload, the firings it made while
 * cut off (LocalFiring) and the end of that replay (LocalSync).
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/cluster.h"
#include "log.h"
#include "master.h"
#include "net.h"
#include "sched/sched.h"
#include "sched/sched_master.h"
#include "sched/sched_int.h"

/* Slave `node`'s entry, made if `make` (a free one, else an unsynced
 * one: forgetting it only says "not known complete"); NULL if none. */
struct lsync *
sm_lsync(struct sched_master *sm, const char *node, int make)
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
int
sm_local_synced(void *arg, const char *node)
{
	struct lsync *l = sm_lsync(arg, node, 0);

	return l != NULL && l->synced;
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
int
sm_left_local(struct sched_master *sm, const char *by, const char *node)
{
	const struct sched_event	*ev;
	const char			*on;
	char				 why[160];

	if ((ev = sched_prog_find(sched_program(sm->s), by)) == NULL ||
	    (on = sched_local_node(ev, why, sizeof(why))) == NULL)
		return 0;
	return strcmp(on, node) == 0;
}

/*
 * Slave `n`'s rule set (docs/SCHEDULER.md#local-rules), after its Welcome
 * and after each reload. Everything due by now is run first, so the
 * handled instant sent is true; the slave keeps a version it has.
 */
void
sm_send_rules(struct sched_master *sm, struct node *n)
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
	sm_rearm(sm);
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
	sm_lsync(sm, n->id, 1)->synced = 1;
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
	sm_rearm(sm);
	return 0;
}
