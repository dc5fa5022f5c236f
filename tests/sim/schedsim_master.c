/*
 * A master-capable node of the scheduler's simulator (schedsim.h): the
 * real engine on an in-memory state file, the real outbox in it, and the
 * glue of master/sched/sched_outbox.c between them, the state sync to
 * the standby and the link to the slaves: a firing's commands wait for
 * the standby's copy of their record or SCHED_SYNC_WAIT_MS, a report
 * that changed the state is acknowledged once the standby holds it or
 * after SCHED_ACK_HOLD_MS, commands for a slave not back yet after a
 * start wait for it. Crashes, restarts and takeovers.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedsim_int.h"

static const char events[] =
"event tick {\n"
"	when every 2 s\n"
"	do set s0/lamp.on = on\n"
"	   wait 1 s\n"
"	   set s0/lamp.on = off\n"
"}\n"
"event door {\n"
"	when s1/door.open changes to on\n"
"	do set s0/bell.on = on\n"
"	   set s1/light.on = on\n"
"}\n"
/* Fired by nothing but the API's runs (no report of s0/knob). */
"event press {\n"
"	when s0/knob.on changes to on\n"
"	do set s0/buzz.on = on\n"
"}\n";

int
standby_of(int i)
{
	return 1 - i;
}

/* Does master i wait for its standby (sched_outbox.c sm_defers)? */
int
defers(struct world *w, int i)
{
	struct mnode *sb = &w->m[standby_of(i)];

	return sb->up && sb->synced;
}

/* --- the engine's state on the node's "disk" ------------------------ */

static int
io_write(void *arg, const uint8_t *p, size_t len)
{
	struct world	*w = W;
	int		 i = (int)(intptr_t)arg;
	struct mnode	*n = &w->m[i];

	free(n->disk);
	if ((n->disk = malloc(len + 1)) == NULL)
		abort();
	memcpy(n->disk, p, len);
	n->disklen = len;
	n->version++;
	phase(w, PH_RECORDED);
	mix(w, 0xd15c0000u | (uint64_t)i << 8 | (n->version & 0xff));
	if (w->m[standby_of(i)].up) {
		/* The state sync: sched.state first, now and then slow. */
		post(w, M_COPY, i, standby_of(i), chance(w, w->slow) ?
		    600 + below(w, 2000) : delay(w), n->version, 0, 0, 0,
		    NULL);
	}
	return 0;
}

static int
io_read(void *arg, uint8_t **p, size_t *len)
{
	struct mnode *n = &W->m[(int)(intptr_t)arg];

	if (n->disk == NULL)
		return -1;
	if ((*p = malloc(n->disklen + 1)) == NULL)
		abort();
	memcpy(*p, n->disk, n->disklen);
	*len = n->disklen;
	return 0;
}

static void
hook_put(void *arg, Hd__SchedState *st)
{
	struct mnode *n = &W->m[(int)(intptr_t)arg];

	sched_hold_put(&n->hold, st);
	sched_runkeys_put(&n->rk, st);
	n->saved_at = W->now;
	n->saves++;
}

static void
hook_get(void *arg, const Hd__SchedState *st)
{
	struct mnode *n = &W->m[(int)(intptr_t)arg];

	sched_runkeys_get(&n->rk, st);
	sched_hold_take(&n->hold, st, W->now + SCHED_RESEND_WAIT_MS);
}

static int
hook_defers(void *arg)
{
	return defers(W, (int)(intptr_t)arg);
}

/* --- commands ------------------------------------------------------- */

int
slave_idx(const char *node)
{
	return node[0] == 's' && (node[1] == '0' || node[1] == '1') &&
	    node[2] == '\0' ? node[1] - '0' : -1;
}

static void
send_cmd(struct world *w, int i, const struct sched_hold_cmd *c)
{
	int j = slave_idx(c->node);

	trace(w, "node %d sends %" PRIx64 " (%s) to %s", i, c->id, c->event,
	    c->node);
	post(w, M_CMD, i, NM + j, delay(w), c->id, 0, 0, c->value.b, c->dev);
	phase(w, PH_SENT);
}

/* ops->command: the oracle learns the firing, then as sched_master.c. */
static int
op_command(void *arg, const struct sched_act *a, const char *by, char *why,
    size_t len)
{
	struct world		*w = W;
	int			 i = (int)(intptr_t)arg, k;
	struct sched		*s = w->m[i].s;
	Hd__Command		 cmd = HD__COMMAND__INIT;
	Hd__Value		 v = HD__VALUE__INIT;
	struct okey		*o;

	(void)why;
	(void)len;
	cmd.id = sched_cmd_id(s);
	/* A run's commands: ids of the master's own (a block of the API's
	 * in hd-master), the oracle's name its run. */
	if (cmd.id == 0 && w->firing_run >= 0 && strcmp(by, "press") == 0)
		cmd.id = API_ID_BASE + ++w->api_ids;
	if (cmd.id == 0) {
		fail(w, "event %s fired without a derived id", by);
		return 0;
	}
	for (k = 0; k < w->nkeys; k++)
		if (w->keys[k].id == cmd.id)
			break;
	o = &w->keys[k];
	if (k == w->nkeys) {
		if (w->nkeys == XMAX) {
			fail(w, "more than %d commands", XMAX);
			return 0;
		}
		w->nkeys++;
		o->id = cmd.id;
		snprintf(o->event, sizeof(o->event), "%s", by);
		o->due = sched_firing_due(s);
		o->step = s->firing_step;
		o->order = s->cmd_ord;
		if (w->firing_run >= 0) {
			o->due = w->firing_run;
			o->step = o->order = 0;
		}
	} else if (strcmp(o->event, by) != 0 || o->due !=
	    sched_firing_due(s) || o->step != s->firing_step ||
	    o->order != s->cmd_ord)
		fail(w, "id %" PRIx64 " for two firings (%s)", cmd.id, by);
	v.v_case = HD__VALUE__V_B;
	v.b = a->val.i != 0;
	cmd.device_id = a->ref.dev;
	cmd.key = a->ref.key;
	cmd.value = &v;
	if (!w->m[i].reg[slave_idx(a->ref.node)]) {
		/* Not registered yet: it waits for the slave (sm_awaited),
		 * else it fails, as an offline slave's command does. */
		if (w->now >= w->m[i].await_until ||
		    sched_hold_add(&w->m[i].hold, &cmd, a->ref.node, by,
		    HOLD_RESEND, w->m[i].await_until) == -1) {
			if (w->firing_run >= 0)
				w->runs[w->firing_run].failed = 1;
			trace(w, "node %d: %s's command to %s failed: offline "
			    "(outbox %d, wait %" PRId64 ")", i, by, a->ref.node,
			    w->m[i].hold.n, (int64_t)w->m[i].await_until -
			    (int64_t)w->now);
		}
		return 0;
	}
	if (!defers(w, i)) {		/* no standby: at once */
		trace(w, "node %d sends %" PRIx64 " (%s) to %s", i, cmd.id,
		    by, a->ref.node);
		post(w, M_CMD, i, NM + slave_idx(a->ref.node), delay(w),
		    cmd.id, 0, 0, v.b, a->ref.dev);
		phase(w, PH_SENT);
		return 0;
	}
	if (sched_hold_add(&w->m[i].hold, &cmd, a->ref.node, by, HOLD_WAIT,
	    w->now + SCHED_SYNC_WAIT_MS) == -1)
		fail(w, "the outbox is full");
	return 0;
}

static int
op_value(void *arg, const struct sched_devref *r, struct sched_val *out)
{
	(void)arg;
	(void)r;
	(void)out;
	return -1;
}

static const struct sched_ops ops = { op_value, op_command };

/* --- the master's glue (sched_outbox.c) ----------------------------- */

static void
ack_hold(struct world *w, int i, int j, uint64_t seq)
{
	struct mnode	*n = &w->m[i];
	int		 k;

	if (!defers(w, i))
		return;
	w->res->held++;
	for (k = 0; k < n->nacks; k++)		/* one hold a slave */
		if (n->acks[k].slave == j) {
			if (n->acks[k].next_seq == 0)
				n->acks[k].next_seq = seq;
			n->acks[k].next_token = n->version;
			return;
		}
	if (n->nacks == SCHED_ACK_HOLDS) {
		memmove(&n->acks[0], &n->acks[1], sizeof(n->acks[0]) *
		    (SCHED_ACK_HOLDS - 1));
		n->nacks--;
	}
	n->acks[n->nacks++] = (struct ackh){ j, seq, n->version,
	    w->now + SCHED_ACK_HOLD_MS, w->now, 0, 0 };
}

/* What master i acknowledges to slave j. */
uint64_t
acked(struct world *w, int i, int j)
{
	struct mnode	*n = &w->m[i];
	uint64_t	 below_seq = 0;
	int		 k;

	for (k = 0; k < n->nacks; k++)
		if (n->acks[k].slave == j && (below_seq == 0 ||
		    n->acks[k].seq < below_seq))
			below_seq = n->acks[k].seq;
	return below_seq != 0 && below_seq <= n->last_seq[j] ?
	    below_seq - 1 : n->last_seq[j];
}

static int
standby_holds(struct world *w, int i, uint64_t token)
{
	return !defers(w, i) || w->m[i].applied >= token;
}

/* Run r's answer from master i reaches the client (`late`: after
 * SCHED_SYNC_WAIT_MS without the standby). */
static void
answered(struct world *w, int i, int r, int late)
{
	w->runs[r].answered = 1;
	w->runs[r].late |= late;
	trace(w, "node %d answers run %d%s", i, r, late ? " (late)" : "");
	mix(w, 0xa5000000u | (uint64_t)r);
	if (w->crun == r && w->cat == i)
		w->crun = w->cat = -1;
}

/* After each call into the engine, and every step: sm_hold_pump(). */
void
pump(struct world *w, int i)
{
	struct mnode		*n = &w->m[i];
	struct sched_hold_cmd	*c, *nc;
	int			 unsaved = 0, k, j;

	if (n->hold.unmarked) {
		TAILQ_FOREACH(c, &n->hold.q, entry)
			unsaved |= !c->saved;
		if (unsaved)
			sched_save(n->s, (int64_t)w->now);
		sched_hold_mark(&n->hold, n->version, w->now +
		    SCHED_SYNC_WAIT_MS);
	}
	for (c = TAILQ_FIRST(&n->hold.q); c != NULL; c = nc) {
		nc = TAILQ_NEXT(c, entry);
		j = slave_idx(c->node);
		switch (c->state) {
		case HOLD_WAIT:
			if (!c->marked || (!standby_holds(w, i, c->token) &&
			    w->now < c->deadline))
				break;
			c->state = HOLD_SENT;
			c->deadline = w->now + SCHED_OUTBOX_KEEP_MS;
			send_cmd(w, i, c);
			break;
		case HOLD_RESEND:
			if (w->now >= c->deadline) {
				fail(w, "node %d: command %" PRIx64 " of the "
				    "outbox never sent again", i, c->id);
				sched_hold_drop(&n->hold, c);
			} else if (n->reg[j] && (c->token == 0 ||
			    standby_holds(w, i, c->token) ||
			    w->now >= c->sync_until)) {
				c->state = HOLD_SENT;
				c->deadline = w->now + SCHED_OUTBOX_KEEP_MS;
				send_cmd(w, i, c);
			}
			break;
		default:
			if (w->now >= c->deadline)
				sched_hold_drop(&n->hold, c);
		}
	}
	if (n->hold.dirty && w->now >= n->saved_at + SCHED_OUTBOX_LAZY_MS)
		sched_save(n->s, (int64_t)w->now);
	for (k = 0; k < n->npans; )		/* sm_run_pump() */
		if (standby_holds(w, i, n->pans[k].token) ||
		    w->now >= n->pans[k].deadline) {
			answered(w, i, n->pans[k].run, !standby_holds(w, i,
			    n->pans[k].token));
			n->pans[k] = n->pans[--n->npans];
		} else
			k++;
	for (k = 0; k < n->nacks; )
		if ((standby_holds(w, i, n->acks[k].token) ||
		    w->now >= n->acks[k].until) && n->acks[k].next_seq != 0) {
			n->acks[k].seq = n->acks[k].next_seq;
			n->acks[k].token = n->acks[k].next_token;
			n->acks[k].first = w->now;
			n->acks[k].until = w->now + SCHED_ACK_HOLD_MS;
			n->acks[k].next_seq = n->acks[k].next_token = 0;
		} else if (standby_holds(w, i, n->acks[k].token) ||
		    w->now >= n->acks[k].until) {
			memmove(&n->acks[k], &n->acks[k + 1],
			    sizeof(n->acks[0]) * (size_t)(n->nacks - k - 1));
			n->nacks--;
		} else
			k++;
}

void
api_run(struct world *w, int i, int r)
{
	struct mnode	*n = &w->m[i];
	unsigned	 saves = n->saves;
	char		 key[16];

	snprintf(key, sizeof(key), "k%d", r);
	if (sched_runkeys_find(&n->rk, key) != NULL) {
		trace(w, "node %d: run %d again: a repeat", i, r);
		w->res->api_repeats++;
	} else {
		trace(w, "node %d: run %d fires", i, r);
		w->res->api_runs++;
		sched_runkeys_add(&n->rk, key, "press", (int64_t)w->now);
		w->firing_run = r;
		sched_fire(n->s, "press", (int64_t)w->now);
		w->firing_run = -1;
		if (n->saves == saves)
			sched_save(n->s, (int64_t)w->now);
	}
	/* The answer waits for the version just written, as sm_run(). */
	if (!defers(w, i) || n->npans == PANS_MAX)
		answered(w, i, r, 0);
	else
		n->pans[n->npans++] = (struct pans){ r, n->version,
		    w->now + SCHED_SYNC_WAIT_MS };
	pump(w, i);
}

void
engine_run(struct world *w, int i)
{
	struct mnode *n = &w->m[i];

	if (n->up && n->master && (uint64_t)sched_next(n->s) <= w->now)
		sched_run(n->s, (int64_t)w->now);
}

/* --- nodes ---------------------------------------------------------- */

void
become_master(struct world *w, int i, const char *how)
{
	struct mnode		*n = &w->m[i];
	struct sched_errs	 e;
	int			 j;

	n->master = 1;
	n->synced = 0;
	/* A new master's term: its votes fenced the other node out until it
	 * holds everything again (docs/FAILOVER.md, "Why a stale standby
	 * cannot win"). */
	w->m[standby_of(i)].synced = 0;
	w->m[standby_of(i)].fenced_in = 0;
	n->await_until = w->now + SCHED_RESEND_WAIT_MS;
	n->applied = 0;
	n->nacks = 0;
	memset(n->last_seq, 0, sizeof(n->last_seq));
	memset(n->reg, 0, sizeof(n->reg));
	sched_hold_init(&n->hold);
	memset(&n->rk, 0, sizeof(n->rk));	/* read from the state */
	n->npans = 0;
	n->s = sched_new(&ops, (void *)(intptr_t)i, 52.52, 13.405, NULL);
	sched_set_state_io(n->s, &(struct sched_state_io){ io_write, io_read,
	    (void *)(intptr_t)i });
	sched_set_state_hook(n->s, &(struct sched_state_hook){ hook_put,
	    hook_get, hook_defers, (void *)(intptr_t)i });
	if (n->s == NULL || sched_load_buf(n->s, "sim.events", events,
	    sizeof(events) - 1, (int64_t)w->now, &e) == -1) {
		fail(w, "the events do not load");
		return;
	}
	trace(w, "node %d is master (%s)", i, how);
	mix(w, 0xa0000000u | (uint64_t)i);
	/* With the election every start is a takeover (sched_takeover.c). */
	sched_set_replay(n->s, SCHED_TAKEOVER_REPLAY_MS);
	sched_start(n->s, (int64_t)w->now);
	trace(w, "node %d starts on copy %" PRIu64 ": outbox %d", i, n->sbver,
	    n->hold.n);
	pump(w, i);
	for (j = 0; j < NS; j++) {
		w->sl[j].with = -1;
		w->sl[j].reg_at = w->now + 20 + below(w, 400);
	}
	/* A standby that is up gets every state file whole. */
	if (w->m[standby_of(i)].up && n->disk != NULL)
		post(w, M_COPY, i, standby_of(i), delay(w), n->version, 0, 0, 0,
		    NULL);
}

void
crash(struct world *w, int i)
{
	struct mnode	*n = &w->m[i];
	int		 k;

	trace(w, "crash node %d (%s)", i, n->master ? "master" : "standby");
	mix(w, 0xc0000000u | (uint64_t)i);
	w->res->crashes++;
	if (n->master) {
		sched_free(n->s);
		n->s = NULL;
		sched_hold_clear(&n->hold);
		n->lost_at = w->now;
	}
	n->up = n->master = n->synced = 0;
	n->nacks = 0;
	n->npans = 0;		/* answers never given: the client asks again */
	if (w->cat == i) {
		w->res->api_lost++;
		w->cat = -1;
		w->cnext = w->now + 100 + below(w, 1500);
	}
	/* Now and then down long enough that instants go to the
	 * missed-event policy rather than the takeover's replay. */
	n->down_until = w->now + 50 + (chance(w, 100) ? 11000 +
	    below(w, 8000) : below(w, 4000));
	for (k = 0; k < w->nq; k++)		/* its links are gone */
		if (w->q[k].to == i) {
			w->q[k].kind = -1;
			free(w->q[k].data);
			w->q[k].data = NULL;
		}
}

int
any_master(const struct world *w)
{
	int i;

	for (i = 0; i < NM; i++)
		if (w->m[i].up && w->m[i].master)
			return i;
	return -1;
}

/* Restarts, and the standby's takeover. */
void
nodes(struct world *w)
{
	int i, mi = any_master(w);

	for (i = 0; i < NM; i++) {
		struct mnode *n = &w->m[i], *o = &w->m[standby_of(i)];

		if (!n->up && w->now >= n->down_until) {
			n->up = 1;
			n->sbver = 0;
			n->fresh = 1;
			w->res->restarts++;
			trace(w, "node %d restarts", i);
			if (mi == -1 && n->fenced_in)
				become_master(w, i, "restart on its own disk");
			else if (mi != -1 && w->m[mi].disk != NULL)
				post(w, M_COPY, mi, i, delay(w),
				    w->m[mi].version, 0, 0, 0, NULL);
			mi = any_master(w);
		}
		if (n->up && !n->master && n->fenced_in && mi == -1 &&
		    !o->up && w->now >= o->lost_at + TAKEOVER_MS) {
			w->res->takeovers++;
			become_master(w, i, "takeover");
			mi = i;
		}
	}
}

void
on_report(struct world *w, int i, const struct msg *m)
{
	struct mnode		*n = &w->m[i];
	int			 j = m->from - NM;
	unsigned		 saves = n->saves;
	struct sched_val	 v = { .type = SV_BOOL, .i = m->val };

	if (!n->reg[j] || m->a <= n->last_seq[j])
		return;
	n->last_seq[j] = m->a;
	if (sched_cursor_seen(&n->hold, "s1", w->boot[j], m->a))
		return;
	trace(w, "node %d: report %" PRIu64 " of s%d: door %s read +%" PRId64,
	    i, m->a, j, m->val ? "open" : "closed", (int64_t)m->b - T0);
	sched_value_at(n->s, (int64_t)w->now, (int64_t)m->b, "s1", "door",
	    "open", &v);
	if (n->saves != saves)
		ack_hold(w, i, j, m->a);
	pump(w, i);
}
