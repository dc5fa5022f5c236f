/*
 * The scheduler's simulator (tests/sim/schedsim.h).
 *
 * Node 0 starts as master, node 1 as its standby. The master's engine
 * writes its state (sched.state with the outbox) into the node's memory
 * "disk"; each write is copied to the standby after a delay (now and then
 * longer than SCHED_SYNC_WAIT_MS) and the standby confirms the version it
 * applied. As sched_outbox.c does: with a synchronized standby a firing's
 * commands wait in the outbox until it holds the record or
 * SCHED_SYNC_WAIT_MS; a report that changed the state is acknowledged
 * once the standby holds it or after SCHED_ACK_HOLD_MS; results empty the
 * outbox. A crashed master keeps its disk; its synchronized standby takes
 * over TAKEOVER_MS later (the election, proved by test_ha_sim, is taken
 * as given: one master at a time, and only a synchronized standby may
 * take over), else the master restarts on its own disk. The slaves
 * register with each new master after a delay, replay their unacknowledged
 * reports, then report their door as it is.
 */

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "master.pb-c.h"
#include "sched/sched.h"
#include "../../master/sched/sched_master.h"
#include "schedsim.h"

#define NM		2		/* master-capable nodes */
#define NS		2		/* slaves: s0 lamp and bell, s1 door */
#define T0		((int64_t)1796665000000)	/* wall ms at the start */
#define CHAOS_MS	40000
#define HEAL_MS		20000
#define STEP_MAX_MS	8
#define TAKEOVER_MS	1500		/* the election's time (test_ha_sim) */
#define QMAX		4096
#define XMAX		4096		/* executions, commands, readings */
#define RQ_MAX		512		/* a slave's replay queue */
#define PERIOD_MS	2000

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
"}\n";

enum { M_COPY, M_APPLIED, M_CMD, M_RESULT, M_REPORT, M_ACK, M_REGISTER };

struct msg {
	uint64_t	 at;
	int		 kind, from, to;	/* node i, or NM + slave j */
	uint64_t	 a, b, c;		/* per kind */
	int		 val;
	char		 dev[16];
	uint8_t		*data;			/* M_COPY: the file as sent */
	size_t		 len;
};

/* The oracle's name of a firing's command, from the engine that sent
 * it: event, instant, step, order. */
struct okey {
	uint64_t	 id;
	char		 event[8];
	int64_t		 due;
	int		 step, order;
};

struct report {
	uint64_t	 seq;
	int64_t		 read;
	int		 val;
};

struct ackh {
	int		 slave;
	uint64_t	 seq, token, until;
};

struct mnode {
	int		 up, master, synced;	/* synced: a standby's copy */
	int		 fenced_in;		/* may become master: it holds
						 * what was acted on (the fence
						 * of docs/FAILOVER.md) */
	uint64_t	 down_until, lost_at;
	struct sched	*s;
	struct sched_hold hold;
	uint8_t		*disk;
	size_t		 disklen;
	uint64_t	 version, applied, saved_at;
	uint64_t	 sbver;			/* a standby's copy's version */
	uint64_t	 await_until;		/* slaves awaited after a start */
	unsigned	 saves;
	uint64_t	 last_seq[NS];
	int		 reg[NS];		/* slave j registered here */
	struct ackh	 acks[SCHED_ACK_HOLDS];
	int		 nacks;
};

struct slave {
	int		 with;			/* master it registered with */
	uint64_t	 reg_at;		/* registers then (with -1) */
	uint64_t	 seq;
	struct report	 q[RQ_MAX];
	int		 nq;
	uint64_t	 memo[XMAX];
	int		 nmemo;
	int		 door;
	int64_t		 door_read;		/* the reading it is from */
	int		 gpio;			/* re-reports keep the reading
						 * instant (else now, as sim.c) */
};

struct world {
	uint64_t	 rng, now, step, hash;
	int		 verbose, healing;
	uint32_t	 crash, slow, doorp;
	struct mnode	 m[NM];
	struct slave	 sl[NS];
	struct msg	 q[QMAX];
	int		 nq;
	uint64_t	 fifo[NM + NS][NM + NS];	/* a link's last arrival */
	int		 cur;			/* the node whose engine runs */
	struct okey	 keys[XMAX];		/* every id sent: its firing */
	int		 nkeys;
	struct okey	 done[NS][XMAX];	/* executed, per slave */
	int		 ndone[NS];
	int64_t		 openings[XMAX];	/* readings that opened the door */
	int		 nopen;
	int64_t		 missed[XMAX][2];	/* tick instants reported missed */
	int		 nmissed;
	struct ssim_result *res;
};

static struct world *W;		/* for the engine's callbacks and log hook */

static uint64_t
rnd(struct world *w)
{
	uint64_t z = (w->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t
below(struct world *w, uint32_t n)
{
	return (uint32_t)(rnd(w) % n);
}

static int
chance(struct world *w, uint32_t permille)
{
	return below(w, 1000) < permille;
}

static int
chance100k(struct world *w, uint32_t n)
{
	return below(w, 100000) < n;
}

static void
mix(struct world *w, uint64_t x)
{
	int i;

	for (i = 0; i < 8; i++) {
		w->hash ^= (x >> (8 * i)) & 0xff;
		w->hash *= 0x100000001b3ULL;
	}
}

static void __attribute__((format(printf, 2, 3)))
fail(struct world *w, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (w->res->failed)
		return;
	w->res->failed = 1;
	n = snprintf(w->res->why, sizeof(w->res->why), "step %" PRIu64
	    " at +%" PRIu64 " ms: ", w->step, w->now - (uint64_t)T0);
	va_start(ap, fmt);
	vsnprintf(w->res->why + n, sizeof(w->res->why) - (size_t)n, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 2, 3)))
trace(struct world *w, const char *fmt, ...)
{
	va_list ap;

	if (!w->verbose)
		return;
	printf("# %6" PRIu64 " +%6" PRIu64 " ", w->step, w->now -
	    (uint64_t)T0);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void
post(struct world *w, int kind, int from, int to, uint64_t delay,
    uint64_t a, uint64_t b, uint64_t c, int val, const char *dev)
{
	struct msg *m;

	if (w->nq == QMAX) {
		fail(w, "more than %d messages in flight", QMAX);
		return;
	}
	m = &w->q[w->nq++];
	memset(m, 0, sizeof(*m));
	/* A link (TCP) keeps its order. */
	m->at = w->now + delay;
	if (m->at < w->fifo[from][to])
		m->at = w->fifo[from][to];
	w->fifo[from][to] = m->at;
	m->kind = kind;
	m->from = from;
	m->to = to;
	m->a = a;
	m->b = b;
	m->c = c;
	m->val = val;
	snprintf(m->dev, sizeof(m->dev), "%s", dev != NULL ? dev : "");
	if (kind == M_COPY) {
		m->len = w->m[from].disklen;
		if ((m->data = malloc(m->len + 1)) == NULL)
			abort();
		memcpy(m->data, w->m[from].disk, m->len);
	}
}

static uint64_t
delay(struct world *w)
{
	return 1 + below(w, 40);
}

static int
standby_of(int i)
{
	return 1 - i;
}

/* Does master i wait for its standby (sched_outbox.c sm_defers)? */
static int
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
	n->saved_at = W->now;
	n->saves++;
}

static void
hook_get(void *arg, const Hd__SchedState *st)
{
	struct mnode *n = &W->m[(int)(intptr_t)arg];

	sched_hold_take(&n->hold, st, W->now + SCHED_RESEND_WAIT_MS);
}

static int
hook_defers(void *arg)
{
	return defers(W, (int)(intptr_t)arg);
}

/* --- commands ------------------------------------------------------- */

static int
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
		    HOLD_RESEND, w->m[i].await_until) == -1)
			trace(w, "node %d: %s's command to %s failed: offline",
			    i, by, a->ref.node);
		return 0;
	}
	if (!defers(w, i)) {		/* no standby: at once */
		trace(w, "node %d sends %" PRIx64 " (%s) to %s", i, cmd.id,
		    by, a->ref.node);
		post(w, M_CMD, i, NM + slave_idx(a->ref.node), delay(w),
		    cmd.id, 0, 0, v.b, a->ref.dev);
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
	struct mnode *n = &w->m[i];

	if (!defers(w, i))
		return;
	if (n->nacks == SCHED_ACK_HOLDS) {
		memmove(&n->acks[0], &n->acks[1], sizeof(n->acks[0]) *
		    (SCHED_ACK_HOLDS - 1));
		n->nacks--;
	}
	n->acks[n->nacks++] = (struct ackh){ j, seq, n->version,
	    w->now + SCHED_ACK_HOLD_MS };
	w->res->held++;
}

/* What master i acknowledges to slave j. */
static uint64_t
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

/* After each call into the engine, and every step: sm_hold_pump(). */
static void
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
		sched_hold_mark(&n->hold, n->version);
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
			} else if (n->reg[j]) {
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
	for (k = 0; k < n->nacks; )
		if (standby_holds(w, i, n->acks[k].token) ||
		    w->now >= n->acks[k].until) {
			memmove(&n->acks[k], &n->acks[k + 1],
			    sizeof(n->acks[0]) * (size_t)(n->nacks - k - 1));
			n->nacks--;
		} else
			k++;
}

static void
engine_run(struct world *w, int i)
{
	struct mnode *n = &w->m[i];

	if (n->up && n->master && (uint64_t)sched_next(n->s) <= w->now)
		sched_run(n->s, (int64_t)w->now);
}

/* --- nodes ---------------------------------------------------------- */

static void
become_master(struct world *w, int i, const char *how)
{
	struct mnode		*n = &w->m[i];
	struct sched_errs	 e;
	int			 j;

	n->master = 1;
	n->synced = 0;
	n->await_until = w->now + SCHED_RESEND_WAIT_MS;
	n->applied = 0;
	n->nacks = 0;
	memset(n->last_seq, 0, sizeof(n->last_seq));
	memset(n->reg, 0, sizeof(n->reg));
	sched_hold_init(&n->hold);
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

static void
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

static int
any_master(const struct world *w)
{
	int i;

	for (i = 0; i < NM; i++)
		if (w->m[i].up && w->m[i].master)
			return i;
	return -1;
}

/* Restarts, and the standby's takeover. */
static void
nodes(struct world *w)
{
	int i, mi = any_master(w);

	for (i = 0; i < NM; i++) {
		struct mnode *n = &w->m[i], *o = &w->m[standby_of(i)];

		if (!n->up && w->now >= n->down_until) {
			n->up = 1;
			n->sbver = 0;
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

/* --- slaves --------------------------------------------------------- */

static void
exec_cmd(struct world *w, int j, const struct msg *m)
{
	struct slave	*s = &w->sl[j];
	struct okey	*o = NULL;
	int		 k;

	for (k = 0; k < s->nmemo; k++)
		if (s->memo[k] == m->a) {
			w->res->repeats++;
			goto answer;
		}
	if (s->nmemo == XMAX) {
		fail(w, "slave %d: memo full", j);
		return;
	}
	s->memo[s->nmemo++] = m->a;
	w->res->executed++;
	mix(w, m->a);
	for (k = 0; k < w->nkeys; k++)
		if (w->keys[k].id == m->a)
			o = &w->keys[k];
	if (o == NULL) {
		fail(w, "slave %d executed %" PRIx64 ", sent by no firing", j,
		    m->a);
		return;
	}
	for (k = 0; k < w->ndone[j]; k++)
		if (strcmp(w->done[j][k].event, o->event) == 0 &&
		    w->done[j][k].due == o->due && w->done[j][k].step ==
		    o->step && w->done[j][k].order == o->order)
			fail(w, "slave %d executed the firing of %s due +%"
			    PRId64 " (step %d, order %d) twice: ids %" PRIx64
			    " and %" PRIx64, j, o->event, o->due - T0,
			    o->step, o->order, w->done[j][k].id, o->id);
	if (strcmp(o->event, "door") == 0) {
		for (k = 0; k < w->nopen; k++)
			if (w->openings[k] == o->due)
				break;
		if (k == w->nopen)
			fail(w, "slave %d: a door firing for +%" PRId64 ", "
			    "which is no reading that opened the door", j,
			    o->due - T0);
	}
	w->done[j][w->ndone[j]++] = *o;
	trace(w, "slave %d executes %" PRIx64 " (%s +%" PRId64 " %d.%d)", j,
	    m->a, o->event, o->due - T0, o->step, o->order);
answer:
	post(w, M_RESULT, NM + j, m->from, delay(w), m->a, 0, 0, 0, NULL);
}

static void
report(struct world *w, int j, int64_t read, int val)
{
	struct slave *s = &w->sl[j];

	if (s->nq == RQ_MAX) {
		fail(w, "slave %d: replay queue full", j);
		return;
	}
	s->q[s->nq++] = (struct report){ ++s->seq, read, val };
	if (s->with != -1)
		post(w, M_REPORT, NM + j, s->with, delay(w), s->seq,
		    (uint64_t)read, 0, val, NULL);
}

static void
slaves(struct world *w)
{
	struct slave	*s;
	int		 j, k, mi = any_master(w);

	for (j = 0; j < NS; j++) {
		s = &w->sl[j];
		if (s->with == -1 && mi != -1 && w->now >= s->reg_at) {
			/* Hello, Welcome, the replay, then the door as it is. */
			s->with = mi;
			post(w, M_REGISTER, NM + j, mi, 1, 0, 0, 0, 0, NULL);
			for (k = 0; k < s->nq; k++)
				post(w, M_REPORT, NM + j, mi, 2, s->q[k].seq,
				    (uint64_t)s->q[k].read, 0, s->q[k].val,
				    NULL);
			if (j == 1)
				report(w, j, s->gpio ? s->door_read :
				    (int64_t)w->now, s->door);
		}
		if (j == 1 && !w->healing && chance(w, w->doorp)) {
			s->door = !s->door;
			s->door_read = (int64_t)w->now;
			if (s->door)
				w->openings[w->nopen++ % XMAX] = s->door_read;
			mix(w, 0xd0000000u | (uint64_t)s->door);
			report(w, j, s->door_read, s->door);
		}
	}
}

/* --- messages ------------------------------------------------------- */

static void
on_report(struct world *w, int i, const struct msg *m)
{
	struct mnode		*n = &w->m[i];
	int			 j = m->from - NM;
	unsigned		 saves = n->saves;
	struct sched_val	 v = { .type = SV_BOOL, .i = m->val };

	if (!n->reg[j] || m->a <= n->last_seq[j])
		return;
	n->last_seq[j] = m->a;
	sched_value_at(n->s, (int64_t)w->now, (int64_t)m->b, "s1", "door",
	    "open", &v);
	if (n->saves != saves)
		ack_hold(w, i, j, m->a);
	pump(w, i);
}

static void
deliver(struct world *w, const struct msg *m)
{
	struct mnode	*n;
	struct slave	*s;
	int		 k;

	if (m->to < NM) {
		n = &w->m[m->to];
		if (!n->up)
			return;
		w->cur = m->to;
		switch (m->kind) {
		case M_COPY:		/* a standby applies a newer copy */
			if (n->master || m->a <= n->sbver)
				return;
			free(n->disk);
			n->disk = m->data;	/* the message's bytes, kept */
			n->disklen = m->len;
			n->sbver = m->a;
			n->synced = 1;
			post(w, M_APPLIED, m->to, m->from, delay(w), m->a, 0, 0,
			    0, NULL);
			return;
		case M_APPLIED:
			if (n->master && m->a > n->applied)
				n->applied = m->a;
			return;
		case M_RESULT:
			if (n->master)
				sched_hold_result(&n->hold, m->from - NM ?
				    "s1" : "s0", m->a);
			return;
		case M_REGISTER:
			if (n->master)
				n->reg[m->from - NM] = 1;
			return;
		case M_REPORT:
			if (n->master)
				on_report(w, m->to, m);
			return;
		}
		return;
	}
	s = &w->sl[m->to - NM];
	if (m->kind == M_ACK && s->with == m->from) {
		for (k = 0; k < s->nq && s->q[k].seq <= m->a; k++)
			;
		memmove(&s->q[0], &s->q[k], sizeof(s->q[0]) *
		    (size_t)(s->nq - k));
		s->nq -= k;
	} else if (m->kind == M_CMD && s->with == m->from)
		exec_cmd(w, m->to - NM, m);
}

static void
deliver_due(struct world *w)
{
	int	i, j;

	/* In order of sending among those due: a link keeps its order. */
	for (i = 0; i < w->nq && !w->res->failed; i++)
		if (w->q[i].at <= w->now && w->q[i].kind != -1) {
			struct msg m = w->q[i];

			w->q[i].kind = -1;
			w->q[i].data = NULL;
			/* What a crashed node had sent is still delivered. */
			deliver(w, &m);
			if (m.kind != M_COPY || w->m[m.to].disk != m.data)
				free(m.data);
		}
	for (i = j = 0; i < w->nq; i++)
		if (w->q[i].kind != -1)
			w->q[j++] = w->q[i];
	w->nq = j;
}

/* --- the run -------------------------------------------------------- */

static void
log_hook(const char *level, const char *text, void *arg)
{
	struct world	*w = arg;
	const char	*p;
	long long	 a, b;

	if (strcmp(level, "warn") != 0 || strncmp(text, "sched: event tick ",
	    18) != 0 || (p = strstr(text, "due ")) == NULL ||
	    sscanf(p, "due %lld to %lld)", &a, &b) != 2 ||
	    w->nmissed == XMAX)
		return;
	w->missed[w->nmissed][0] = a;
	w->missed[w->nmissed++][1] = b;
}

static void
step(struct world *w)
{
	int i, j, mi;

	w->step++;
	w->now += 1 + below(w, STEP_MAX_MS);
	deliver_due(w);
	nodes(w);
	slaves(w);
	if ((mi = any_master(w)) != -1) {
		engine_run(w, mi);
		pump(w, mi);
		if (w->step % 16 == 0)
			for (j = 0; j < NS; j++)
				if (w->sl[j].with == mi)
					post(w, M_ACK, mi, NM + j, delay(w),
					    acked(w, mi, j), 0, 0, 0, NULL);
	}
	/* The fence: the master, and its standby while in sync. */
	if (mi != -1) {
		w->m[mi].fenced_in = 1;
		w->m[standby_of(mi)].fenced_in = defers(w, mi);
	}
	if (!w->healing && chance100k(w, w->crash)) {
		i = (int)below(w, NM);
		if (w->m[i].up)
			crash(w, i);
	}
}

static int
missed_at(const struct world *w, int64_t t)
{
	int k;

	for (k = 0; k < w->nmissed; k++)
		if (w->missed[k][0] <= t && t <= w->missed[k][1])
			return 1;
	return 0;
}

static int
count(const struct world *w, int j, const char *ev, int64_t due, int step)
{
	int k, n = 0;

	for (k = 0; k < w->ndone[j]; k++)
		n += strcmp(w->done[j][k].event, ev) == 0 &&
		    w->done[j][k].due == due && w->done[j][k].step == step;
	return n;
}

static void
final_check(struct world *w)
{
	int64_t	lo = INT64_MAX, hi = 0, t;
	int	k, on, off;

	for (k = 0; k < w->ndone[0]; k++)
		if (strcmp(w->done[0][k].event, "tick") == 0 &&
		    w->done[0][k].step == 0) {
			if (w->done[0][k].due < lo)
				lo = w->done[0][k].due;
			if (w->done[0][k].due > hi)
				hi = w->done[0][k].due;
		}
	if (hi == 0)
		fail(w, "tick never executed");
	for (t = lo; t <= hi && !w->res->failed; t += PERIOD_MS) {
		on = count(w, 0, "tick", t, 0);
		off = count(w, 0, "tick", t + 1000, 2);
		if (on == 0 && missed_at(w, t))
			w->res->missed++;
		else if (on != 1 || off != 1)
			fail(w, "tick due +%" PRId64 ": executed %d times, its "
			    "delayed action %d times%s", t - T0, on, off,
			    missed_at(w, t) ? "" : ", not reported missed");
	}
	for (k = 0; k < w->nopen && !w->res->failed; k++) {
		w->res->openings++;
		on = count(w, 0, "door", w->openings[k], 0);
		off = count(w, 1, "door", w->openings[k], 0);
		if (on != 1 || off != 1)
			fail(w, "the door opened at +%" PRId64 ": the bell "
			    "rang %d times, the light went on %d times",
			    w->openings[k] - T0, on, off);
	}
}

static void
setup(struct world *w, uint64_t seed)
{
	int j;

	w->rng = seed;
	w->now = (uint64_t)T0;
	w->crash = 5 + below(w, 60);		/* per 100,000 steps */
	w->slow = below(w, 200);
	w->doorp = 2 + below(w, 20);
	for (j = 0; j < NS; j++) {
		w->sl[j].with = -1;
		w->sl[j].gpio = (int)below(w, 2);
	}
	w->m[0].up = w->m[1].up = 1;
	w->m[0].fenced_in = 1;
	become_master(w, 0, "first start");
	/* The door's first reading, before any opening: the trigger learns
	 * it is closed. */
	w->sl[1].door_read = (int64_t)w->now;
	report(w, 1, w->sl[1].door_read, 0);
}

static void
cleanup(struct world *w)
{
	int i;

	for (i = 0; i < w->nq; i++)
		free(w->q[i].data);
	for (i = 0; i < NM; i++) {
		if (w->m[i].s != NULL)
			sched_free(w->m[i].s);
		if (w->m[i].master)
			sched_hold_clear(&w->m[i].hold);
		free(w->m[i].disk);
	}
}

void
ssim_run(uint64_t seed, int verbose, struct ssim_result *res)
{
	static struct world	*w;
	int			 i;

	if (w == NULL && (w = malloc(sizeof(*w))) == NULL)
		abort();
	memset(w, 0, sizeof(*w));
	memset(res, 0, sizeof(*res));
	W = w;
	w->res = res;
	w->verbose = verbose;
	w->hash = 0xcbf29ce484222325ULL;
	log_sethook(log_hook, w);
	setup(w, seed);
	while (w->now < (uint64_t)T0 + CHAOS_MS && !res->failed)
		step(w);
	w->healing = 1;
	for (i = 0; i < NM; i++)
		if (!w->m[i].up)
			w->m[i].down_until = w->now;
	while (w->now < (uint64_t)T0 + CHAOS_MS + HEAL_MS && !res->failed)
		step(w);
	if (!res->failed)
		final_check(w);
	res->steps = w->step;
	res->hash = w->hash;
	log_sethook(NULL, NULL);
	cleanup(w);
}
