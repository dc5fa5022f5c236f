/*
 * The scheduler's outbox in hd-master (docs/FAILOVER.md#scheduled-
 * firings): with a standby, a firing's commands wait here until the
 * standby holds sched.state as written after the batch (their record
 * and themselves), SCHED_SYNC_WAIT_MS at most; sent, until their
 * results; after a takeover, until their slaves are back. The list
 * itself is sched_hold.c's; this file moves it on.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/cluster.h"
#include "log.h"
#include "master.h"
#include "sched/sched.h"
#include "sched/sched_master.h"
#include "sched/sched_int.h"

/* Set once by the top level (ssync_wire.c); none: nothing waits. */
static struct sched_sync sync_ops;

static void	sm_save(struct sched_master *, uint64_t now);
static uint64_t	ack_pump(struct sched_master *, uint64_t now, uint64_t next);

/*
 * Just after a takeover the slaves have not registered yet: a command
 * for one (a delayed action due while no master ran, a catch-up) waits
 * for it in the outbox, until sm->await_until, rather than fail. 0 if
 * it waits.
 */
int
sm_awaited(struct sched_master *sm, Hd__Command *cmd, const char *node,
    const char *by)
{
	if (ev_clock_ms() >= sm->await_until)
		return -1;
	if (cmd->id == 0)
		cmd->id = cluster_command_id(sm->m);
	if (cmd->id == 0 || sched_hold_add(&sm->hold, cmd, node, by,
	    HOLD_RESEND, sm->await_until) == -1)
		return -1;
	log_info("sched: event %s: command %" PRIu64 " waits for slave %s "
	    "(this master just took over)", by, cmd->id, node);
	sm_hold_arm(sm, 0);
	return 0;
}


/* An outbox command goes (or goes again); 1 sent, 0 its slave is away
 * (a command sent again waits for it), -1 failed (logged, its event's
 * result). */
static int
hold_send(struct sched_master *sm, struct sched_hold_cmd *c, const char *how)
{
	Hd__Command	 cmd;
	struct node	*n;
	char		 why[SCHED_RESULT_MAX];
	int		 r;

	sched_hold_to_cmd(c, &cmd);
	if (c->state == HOLD_RESEND && ((n = node_get(sm->m, c->node, 0)) ==
	    NULL || n->peer == NULL))
		return 0;
	if ((r = sm_offline(sm, c->node, c->event, &n, why, sizeof(why))) == 0 &&
	    (r = sm_send(sm, n, &cmd, c->event, why, sizeof(why))) == 0) {
		log_info("sched: event %s: command %" PRIu64 " to %s/%s.%s%s",
		    c->event, cmd.id, c->node, c->dev, c->key, how);
		return 1;
	}
	if (r == 1)
		log_info("sched: event %s: %s", c->event, why);
	else {
		log_warnx("sched: event %s: set %s/%s.%s failed: %s", c->event,
		    c->node, c->dev, c->key, why);
		sched_result(sm->s, c->event, 0, why);
	}
	return -1;
}

/* One outbox entry, now: sent, kept, or dropped. */
static void
hold_step(struct sched_master *sm, struct sched_hold_cmd *c, uint64_t now,
    int all)
{
	int	ready, r;

	switch (c->state) {
	case HOLD_WAIT:
		ready = all || now >= c->deadline || sync_ops.done == NULL ||
		    (c->marked && sync_ops.done(sync_ops.arg, SCHED_STATE,
		    c->token));
		if (!ready || (!c->marked && !all))
			return;
		r = hold_send(sm, c, all || now < c->deadline ? "" : " (the "
		    "standby did not confirm the firing record in time: sent "
		    "without it)");
		break;
	case HOLD_RESEND:
		if (c->local_due != 0 && sm_local_late(sm, c, now))
			return;		/* dropped: missed, reported */
		if (now >= c->deadline) {
			log_warnx("sched: event %s: command %" PRIu64 " to %s "
			    "not sent: the slave did not come back in %d s",
			    c->event, c->id, c->node,
			    SCHED_RESEND_WAIT_MS / 1000);
			sched_result(sm->s, c->event, 0, "its slave did not "
			    "come back after the takeover");
			r = -1;
			break;
		}
		/* A firing made here: its record first, as HOLD_WAIT. */
		if (!all && c->token != 0 && now < c->sync_until &&
		    sync_ops.done != NULL && !sync_ops.done(sync_ops.arg,
		    SCHED_STATE, c->token))
			return;
		if ((r = hold_send(sm, c, " (once its slave was back, after "
		    "the takeover)")) == 0)
			return;
		break;
	default:		/* HOLD_SENT */
		r = now >= c->deadline ? -1 : 2;
	}
	if (r == -1)
		sched_hold_drop(&sm->hold, c);
	else if (r == 1) {
		c->state = HOLD_SENT;
		c->deadline = now + SCHED_OUTBOX_KEEP_MS;
	}
}

/*
 * After the engine's batch, and on every acknowledgement, result, slave
 * coming online and deadline: write the outbox if new entries came (then
 * they wait for that version and the engine's state), send what may go,
 * write what results removed at most SCHED_OUTBOX_LAZY_MS late, re-arm.
 */
void
sm_hold_pump(struct sched_master *sm, int all)
{
	struct sched_hold_cmd	*c, *nc;
	uint64_t		 now = ev_clock_ms(), next = UINT64_MAX;
	int			 unsaved = 0;

	if (sm->hold.unmarked) {
		/* The engine's save after the batch holds them, unless the
		 * batch did not save (a firing from the API). */
		TAILQ_FOREACH(c, &sm->hold.q, entry)
			unsaved |= !c->saved;
		if (unsaved)
			sm_save(sm, now);
		sched_hold_mark(&sm->hold, sync_ops.mark != NULL ?
		    sync_ops.mark(sync_ops.arg, SCHED_STATE) : 0, now +
		    SCHED_SYNC_WAIT_MS);
	}
	for (c = TAILQ_FIRST(&sm->hold.q); c != NULL; c = nc) {
		nc = TAILQ_NEXT(c, entry);
		hold_step(sm, c, now, all);
	}
	if (sm->hold.dirty && !all && now >= sm->saved_at +
	    SCHED_OUTBOX_LAZY_MS)
		sm_save(sm, now);
	if (sm->hold.dirty)
		next = sm->saved_at + SCHED_OUTBOX_LAZY_MS;
	TAILQ_FOREACH(c, &sm->hold.q, entry) {
		if (c->deadline < next)
			next = c->deadline;
		if (c->state == HOLD_RESEND && c->token != 0 &&
		    c->sync_until > now && c->sync_until < next)
			next = c->sync_until;
	}
	next = ack_pump(sm, now, next);
	next = sm_run_pump(sm, now, next);
	if (all || sm->m->loop == NULL)
		return;
	if (next == UINT64_MAX)
		ev_timer_stop(sm->m->loop, &sm->hold_timer);
	else
		sm_hold_arm(sm, next > now ? next - now : 0);
}

/* The engine's state file, with the outbox (hold_put). */
static void
sm_save(struct sched_master *sm, uint64_t now)
{
	sched_save(sm->s, sm_wall(sm));
	sm->saved_at = now;
}

void
sm_hold_put(void *arg, Hd__SchedState *st)
{
	struct sched_master *sm = arg;

	sched_hold_put(&sm->hold, st);
	sm_runkeys_put(sm, st);
	sm->saved_at = ev_clock_ms();
	sm->saves++;
}

/* Node `id`'s first report not to acknowledge yet, from the holds. */
static void
ack_set(struct sched_master *sm, const char *id)
{
	struct node	*n = node_get(sm->m, id, 0);
	uint64_t	 below = 0;
	int		 i;

	if (n == NULL)
		return;
	for (i = 0; i < sm->nacks; i++)
		if (strcmp(sm->acks[i].node, id) == 0 && (below == 0 ||
		    sm->acks[i].seq < below))
			below = sm->acks[i].seq;
	n->ack_below = below;
}

void
sm_ack_hold(struct sched_master *sm, struct node *n, uint64_t seq)
{
	struct ackhold	*a;
	uint64_t	 token;
	int		 i;

	if (seq == 0 || sync_ops.mark == NULL ||
	    (token = sync_ops.mark(sync_ops.arg, SCHED_STATE)) == 0)
		return;
	/* One hold a slave (acks are cumulative): its first report held
	 * until the standby holds the state as it was then (`token`, fixed),
	 * at most SCHED_ACK_HOLD_MS. The reports since wait behind it as the
	 * next step (`next_seq`, and the newest state in `next_token`): when
	 * the first is covered they become the hold. A token that followed
	 * the newest state was never covered while a chatty slave kept the
	 * standby a copy behind, and ran out with the newest reports in it
	 * (test_sched_sim, seed 4161). One a report would overflow the table
	 * in a replay of many (tests/sim) and acknowledge the oldest without
	 * the standby. */
	for (i = 0; i < sm->nacks; i++)
		if (strcmp(sm->acks[i].node, n->id) == 0) {
			a = &sm->acks[i];
			if (a->next_seq == 0)
				a->next_seq = seq;
			a->next_token = token;
			return;
		}
	if (sm->nacks == SCHED_ACK_HOLDS) {
		log_warnx("sched: more than %d reports wait for the standby: "
		    "slave %s's report %" PRIu64 " acknowledged without it",
		    SCHED_ACK_HOLDS, sm->acks[0].node, sm->acks[0].seq);
		memmove(&sm->acks[0], &sm->acks[1], sizeof(sm->acks[0]) *
		    (SCHED_ACK_HOLDS - 1));
		sm->nacks--;
		ack_set(sm, sm->acks[SCHED_ACK_HOLDS - 1].node);
	}
	a = &sm->acks[sm->nacks++];
	snprintf(a->node, sizeof(a->node), "%s", n->id);
	a->seq = seq;
	a->token = token;
	a->first = ev_clock_ms();
	a->until = a->first + SCHED_ACK_HOLD_MS;
	a->next_seq = a->next_token = 0;
	ack_set(sm, n->id);
	sm_hold_arm(sm, 0);
}

/*
 * The holds the standby now covers (or that waited SCHED_ACK_HOLD_MS)
 * end, and their slaves' acks move on; the next deadline, or `next`.
 */
static uint64_t
ack_pump(struct sched_master *sm, uint64_t now, uint64_t next)
{
	struct ackhold	 a;
	int		 i = 0;

	while (i < sm->nacks) {
		a = sm->acks[i];
		if (sync_ops.done != NULL && !sync_ops.done(sync_ops.arg,
		    SCHED_STATE, a.token) && now < a.until) {
			if (a.until < next)
				next = a.until;
			i++;
			continue;
		}
		if (now >= a.until)
			log_warnx("sched: the standby did not hold the state "
			    "from slave %s's report %" PRIu64 " in %d ms: "
			    "acknowledged without it", a.node, a.seq,
			    SCHED_ACK_HOLD_MS);
		if (a.next_seq != 0) {		/* the reports since: next */
			sm->acks[i].seq = a.next_seq;
			sm->acks[i].token = a.next_token;
			sm->acks[i].first = now;
			sm->acks[i].until = now + SCHED_ACK_HOLD_MS;
			sm->acks[i].next_seq = sm->acks[i].next_token = 0;
			ack_set(sm, a.node);
			continue;
		}
		memmove(&sm->acks[i], &sm->acks[i + 1], sizeof(a) *
		    (size_t)(sm->nacks - i - 1));
		sm->nacks--;
		ack_set(sm, a.node);
	}
	return next;
}

/* At sched_start(): the outbox a master before wrote (this node's own,
 * or the one replicated here) goes again, as its slaves come back. */
void
sm_hold_get(void *arg, const Hd__SchedState *st)
{
	struct sched_master	*sm = arg;
	int			 n;

	sm_runkeys_get(sm, st);
	if ((n = sched_hold_take(&sm->hold, st, ev_clock_ms() +
	    SCHED_RESEND_WAIT_MS)) > 0)
		log_info("sched: %d firing command%s of the outbox go again "
		    "(same ids) as their slaves come back", n, n == 1 ? "" :
		    "s");
}

/* hook.defers: with a standby attached, commands wait in the outbox
 * for the save after the batch (sched_exec.c). */
int
sm_defers(void *arg)
{
	(void)arg;
	return sync_ops.mark != NULL &&
	    sync_ops.mark(sync_ops.arg, SCHED_STATE) != 0;
}

void
sm_hold_arm(struct sched_master *sm, uint64_t when)
{
	if (sm->m->loop != NULL)
		ev_timer_start(sm->m->loop, &sm->hold_timer, when);
}

void
sm_on_hold_timer(struct ev_timer *t)
{
	sm_hold_pump(t->arg, 0);
}

void
sched_master_set_sync(const struct sched_sync *ss)
{
	sync_ops = *ss;
}

const struct sched_sync *
sm_sync(void)
{
	return &sync_ops;
}

void
sched_master_sync_poll(struct master *m)
{
	if (m != NULL && m->sched != NULL)
		sm_hold_pump(m->sched, 0);
}
