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
 * reports, then report their door as it is. This file: the world, the
 * network, the slaves, the checks and the run; a master-capable node is
 * schedsim_master.c's.
 */

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "schedsim_int.h"
#include "sched/sched_orphan.h"

struct world *W;		/* for the engine's callbacks and log hook */

uint64_t
rnd(struct world *w)
{
	uint64_t z = (w->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint32_t
below(struct world *w, uint32_t n)
{
	return (uint32_t)(rnd(w) % n);
}

int
chance(struct world *w, uint32_t permille)
{
	return below(w, 1000) < permille;
}

int
chance100k(struct world *w, uint32_t n)
{
	return below(w, 100000) < n;
}

void
mix(struct world *w, uint64_t x)
{
	int i;

	for (i = 0; i < 8; i++) {
		w->hash ^= (x >> (8 * i)) & 0xff;
		w->hash *= 0x100000001b3ULL;
	}
}

void __attribute__((format(printf, 2, 3)))
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

void __attribute__((format(printf, 2, 3)))
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

void
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

void
phase(struct world *w, int ph)
{
	if (!w->healing && w->crash_next == 0 && chance(w, w->phasep))
		w->crash_next = ph + 1;
}

uint64_t
delay(struct world *w)
{
	return 1 + below(w, 40);
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
	/* A run answered late may run twice (final_check() counts). */
	for (k = 0; k < w->ndone[j] && !(strcmp(o->event, "press") == 0 &&
	    o->due >= 0 && o->due < RUNS_MAX && w->runs[o->due].late); k++)
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

/*
 * A restarted node's first copy (the snapshot) replaces its own disk:
 * first, as ssync_wire.c does, the firings of its own the master lacks
 * go to the master (sched_orphan.c), which records them
 * (sched_unrepl_fired): each at most once in the whole run, and never
 * a command (the slaves' checks would see it).
 */
static void
unrepl(struct world *w, int mi, const uint8_t *own, size_t ownlen,
    const uint8_t *theirs, size_t len)
{
	struct sched_orphan	 o[SCHED_ORPHAN_MAX];
	Hd__SchedState		*a, *b;
	struct sched_event	*ev;
	int			 n = 0, i, k;

	a = hd__sched_state__unpack(NULL, ownlen, own);
	b = hd__sched_state__unpack(NULL, len, theirs);
	if (a != NULL && b != NULL)
		n = sched_orphans_find(a, b, o, SCHED_ORPHAN_MAX);
	if (a != NULL)
		hd__sched_state__free_unpacked(a, NULL);
	if (b != NULL)
		hd__sched_state__free_unpacked(b, NULL);
	for (i = 0; i < n && w->m[mi].master && w->m[mi].s != NULL; i++) {
		ev = sched_prog_find(sched_program(w->m[mi].s), o[i].event);
		trace(w, "node %d: %s fired at +%" PRId64 " by the old master, "
		    "unreplicated", mi, o[i].event, o[i].fired_ms - T0);
		w->cur = mi;
		if (ev == NULL || sched_unrepl_fired(w->m[mi].s, ev,
		    o[i].fired_ms, (int64_t)w->now) == 1)
			continue;
		for (k = 0; k < w->nunrepl; k++)
			if (w->unrepl[k] == o[i].firing_id)
				fail(w, "%s at +%" PRId64 " reported twice",
				    o[i].event, o[i].fired_ms - T0);
		if (w->nunrepl < XMAX)
			w->unrepl[w->nunrepl++] = o[i].firing_id;
		w->res->unrepl++;
	}
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
			if (n->fresh && n->disk != NULL)
				unrepl(w, m->from, n->disk, n->disklen, m->data,
				    m->len);
			n->fresh = 0;
			free(n->disk);
			n->disk = m->data;	/* the message's bytes, kept */
			n->disklen = m->len;
			n->sbver = m->a;
			/* In sync (in the fence, waited for) once it holds the
			 * master's every write, as a standby joins the
			 * synchronous set once it holds the whole log. */
			if (m->a >= w->m[m->from].version)
				n->synced = 1;
			trace(w, "node %d applies copy %" PRIu64 " of node %d "
			    "(its latest %" PRIu64 ")%s", m->to, m->a, m->from,
			    w->m[m->from].version, n->synced ? ", in sync" : "");
			post(w, M_APPLIED, m->to, m->from, delay(w), m->a, 0, 0,
			    0, NULL);
			return;
		case M_APPLIED:
			if (n->master && m->a > n->applied) {
				n->applied = m->a;
				phase(w, PH_REPLICATED);
			}
			return;
		case M_RESULT:
			if (n->master) {
				sched_hold_result(&n->hold, m->from - NM ?
				    "s1" : "s0", m->a);
				phase(w, PH_ACKED);
			}
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
	} else if (m->kind == M_CMD && (s->with == m->from || s->with == -1))
		/* A link keeps delivering what was sent on it until the slave
		 * is registered anew (a killed process's socket drains). */
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

/* The API's client: a new run now and then, each asked of the master
 * until answered, with the same key (docs/FAILOVER.md#run-from-the-
 * api). */
static void
client(struct world *w)
{
	int mi;

	if (w->crun == -1) {
		if (w->healing || w->nruns == RUNS_MAX || !chance(w, w->runp))
			return;
		w->crun = w->nruns++;
		w->cat = -1;
		w->cnext = w->now;
	}
	if (w->cat != -1 || w->now < w->cnext || (mi = any_master(w)) == -1)
		return;
	w->cat = mi;
	api_run(w, mi, w->crun);
}

static void
step(struct world *w)
{
	int i, j, mi;

	w->step++;
	w->now += 1 + below(w, STEP_MAX_MS);
	if (w->crash_next && (mi = any_master(w)) != -1) {
		w->res->phase[w->crash_next - 1]++;
		crash(w, mi);
	}
	w->crash_next = 0;
	deliver_due(w);
	nodes(w);
	slaves(w);
	client(w);
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

/*
 * The final master's missed record of `tick` (sched.state's, carried
 * across every restart and takeover) counts each instant that any
 * master's log line reported missed exactly once, and its last is the
 * latest of them: the record travels in the same write as the instants
 * handled, so a master that dies before its standby holds a miss leaves
 * the standby those instants to judge again, never a count too low or
 * an instant counted twice.
 */
static void
check_record(struct world *w)
{
	uint8_t				 seen[(CHAOS_MS + HEAL_MS) / PERIOD_MS +
					    2] = { 0 };
	const struct sched_event	*ev;
	int64_t				 n = 0, last = 0, t;
	int				 k, mi = any_master(w);

	if (mi == -1 || w->nmissed == XMAX)
		return;		/* no master at the end, or lines not kept */
	for (k = 0; k < w->nmissed && !w->res->failed; k++)
		for (t = w->missed[k][0]; t <= w->missed[k][1]; t += PERIOD_MS) {
			if (t < T0 || (t - T0) % PERIOD_MS != 0 ||
			    (size_t)((t - T0) / PERIOD_MS) >= sizeof(seen)) {
				fail(w, "tick reported missed at +%" PRId64
				    ", not one of its instants", t - T0);
				break;
			}
			n += !seen[(t - T0) / PERIOD_MS];
			seen[(t - T0) / PERIOD_MS] = 1;
			if (t > last)
				last = t;
		}
	ev = sched_prog_find(sched_program(w->m[mi].s), "tick");
	if (ev == NULL)
		fail(w, "the final master has no event tick");
	else if (ev->missed.count != n || (n > 0 && ev->missed.last_due !=
	    last))
		fail(w, "node %d's missed record of tick: %" PRId64 " instants, "
		    "last +%" PRId64 "; the logs reported %" PRId64 ", last +%"
		    PRId64, mi, ev->missed.count, ev->missed.last_due - T0, n,
		    last - T0);
	else
		w->res->records += n > 0;
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
		/* Reported missed: the old master may have run it, alone
		 * after SCHED_SYNC_WAIT_MS, before an outage longer than the
		 * takeover's replay (docs/FAILOVER.md): never twice. */
		if (missed_at(w, t) && on <= 1 && off <= on)
			w->res->missed++;
		else if (on != 1 || off != 1)
			fail(w, "tick due +%" PRId64 ": executed %d times, its "
			    "delayed action %d times%s", t - T0, on, off,
			    missed_at(w, t) ? "" : ", not reported missed");
	}
	for (k = 0; k < w->nruns && !w->res->failed; k++) {
		on = count(w, 0, "press", k, 0);
		/* Answered late (the commands went without the standby's
		 * copy): a takeover from that copy may fire it again, said
		 * so in the answer. Its command failed: never. */
		if (!w->runs[k].answered)
			fail(w, "run %d never answered", k);
		else if (on > (w->runs[k].late ? 2 : 1) ||
		    (on == 0 && !w->runs[k].failed))
			fail(w, "run %d (key k%d): its command executed %d "
			    "times%s", k, k, on, w->runs[k].late ? " (answered "
			    "late)" : "");
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
	w->phasep = below(w, 8);
	w->runp = 1 + below(w, 6);
	w->crun = w->cat = w->firing_run = -1;
	for (j = 0; j < NS; j++) {
		w->sl[j].with = -1;
		w->sl[j].gpio = (int)below(w, 2);
		w->boot[j] = rnd(w) | 1;
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
	if (!res->failed)
		check_record(w);
	res->steps = w->step;
	res->hash = w->hash;
	log_sethook(NULL, NULL);
	cleanup(w);
}
