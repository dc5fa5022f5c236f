/*
 * The failover simulator (tests/sim/hasim.h, docs/FAILOVER.md).
 *
 * A run: 2..3 master-capable nodes and 3..5 slaves, all fresh; node 0
 * is the installation's first master. For CHAOS_MS of simulated time
 * the PRNG delays (and now and then holds back for seconds), loses,
 * duplicates and reorders messages, cuts links (one way, both ways,
 * one node alone, the cluster in two), crashes nodes (a restart keeps
 * only what the node persisted) and restarts them, pauses nodes (a
 * stalled event loop: no tick, messages wait, for 50..1500 ms, so both
 * shorter and longer than the lease), while the master
 * takes API commands, cancels some of those still waiting (an
 * operator's cancel or an expiry: a settlement by the log, from a
 * PRNG stream of its own), and fires two scheduled events. Then
 * everything heals for HEAL_MS and the run must end with a master that
 * has acted on every command it ever accepted and did not settle.
 *
 * Checked after every step: at most one master per term; no master
 * holds its lease (elect_lease_ok, on its own clock) once a higher
 * term has a master; a slave acts
 * only on a command of a term at least the highest it has seen, from a
 * term that has an elected master; no command id and no firing
 * (event, instant) is executed twice; no output was dropped. At the
 * end: a master, and every accepted command executed exactly once,
 * but a settled one: at most once (a copy sent before its settlement
 * may still arrive, docs/FAILOVER.md "Stuck and late commands").
 */

#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elect.h"
#include "ha.h"
#include "hasim.h"
#include "vote.h"

#define NODES		(HA_MAX_MASTERS + HA_MAX_SLAVES)
#define QMAX		2048		/* messages in flight */
#define MAX_IDS		4096		/* commands of one run */
#define MAX_TERMS	512
#define CHAOS_MS	20000
#define HEAL_MS		20000
#define STEP_MAX_MS	10
#define FIRE_EVENTS	2
#define FIRE_PERIOD_MS	700
#define FIRE_LATE_MS	3000		/* later: missed, by policy */
#define CANCEL_PERMILLE	300		/* of command steps: a cancel too */
#define ST_CANCELLED	9		/* CommandResult.CANCELLED */

struct qmsg {
	uint64_t	at;
	struct ha_msg	m;
};

struct seen {			/* an id (or firing) and how often done */
	uint64_t	key;
	uint32_t	n;
};

struct world {
	uint64_t	 rng, crng, now, step, hash;
	int		 verbose, healing;
	uint32_t	 nm, ns;
	/* This run's weather, in per mille a step or a message. */
	uint32_t	 loss, dup, delay, crash, part, cmd, pause;
	struct elect	 m[HA_MAX_MASTERS];
	struct elect_disk mdisk[HA_MAX_MASTERS];
	struct repl_disk rdisk[HA_MAX_MASTERS];
	struct vote	 s[HA_MAX_SLAVES];
	struct vote_disk sdisk[HA_MAX_SLAVES];
	int		 up[NODES];
	uint64_t	 down_until[NODES], next_tick[NODES];
	uint64_t	 paused_until[NODES];	/* a stalled loop */
	/* Each node's monotonic clock: its own rate (per mille of the
	 * simulation's) and origin, a new origin when it reboots. */
	uint32_t	 rate[NODES];
	uint64_t	 origin[NODES];
	uint8_t		 cut[NODES][NODES];
	int		 nq;
	struct qmsg	 q[QMAX];
	uint8_t		 gone[QMAX];
	int		 due[QMAX];
	struct ha_out	 out;
	/* The oracle: what happened, seen from outside. */
	uint32_t	 term_master[MAX_TERMS];	/* node + 1 */
	uint64_t	 seen_term[HA_MAX_SLAVES];
	int		 nacc, nexec, nfired, ncanc;
	struct seen	 acc[MAX_IDS], exec[MAX_IDS], fired[MAX_IDS];
	struct seen	 canc[MAX_IDS];
	struct sim_result *res;
	/* A takeover run: the master's crash, the term it held. */
	uint64_t	 t0, old_term;
};

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
	    " at %" PRIu64 " ms: ", w->step, w->now);
	va_start(ap, fmt);
	vsnprintf(w->res->why + n, sizeof(w->res->why) - n, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 2, 3)))
trace(struct world *w, const char *fmt, ...)
{
	va_list ap;

	if (!w->verbose)
		return;
	fprintf(stderr, "%6" PRIu64 " %6" PRIu64 " ", w->step, w->now);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Count one more of key in a table; the count before. */
static uint32_t
count(struct world *w, struct seen *t, int *n, uint64_t key)
{
	int i;

	for (i = 0; i < *n; i++)
		if (t[i].key == key)
			return t[i].n++;
	if (*n == MAX_IDS) {
		fail(w, "more than %d ids in one run", MAX_IDS);
		return 0;
	}
	t[*n].key = key;
	t[(*n)++].n = 1;
	return 0;
}

static uint32_t
times(const struct seen *t, int n, uint64_t key)
{
	int i;

	for (i = 0; i < n; i++)
		if (t[i].key == key)
			return t[i].n;
	return 0;
}

static uint64_t
clock_of(const struct world *w, uint32_t n)
{
	return w->origin[n] + w->now * w->rate[n] / 1000;
}

static void
send(struct world *w, const struct ha_msg *m)
{
	struct qmsg	*q;
	int		 copies = 1, i;

	if (!w->healing && chance(w, w->loss))
		return;
	if (!w->healing && chance(w, w->dup))
		copies = 2;
	for (i = 0; i < copies && w->nq < QMAX; i++) {
		q = &w->q[w->nq];
		w->gone[w->nq++] = 0;
		q->m = *m;
		q->at = w->now + 1 + below(w, w->delay);
		if (!w->healing && chance(w, 20))	/* held back */
			q->at += 200 + below(w, 1500);
	}
}

static void
persist(struct world *w, uint32_t n)
{
	struct repl	*r;
	uint64_t	 from;

	if (HA_IS_SLAVE(n)) {
		w->sdisk[HA_SLAVE_IDX(n)] = w->s[HA_SLAVE_IDX(n)].d;
		return;
	}
	r = &w->m[n].r;
	w->mdisk[n] = w->m[n].d;
	w->rdisk[n].base = r->d.base;
	from = repl_dirty(r);
	if (from < r->d.n)
		memcpy(&w->rdisk[n].log[from], &r->d.log[from],
		    (r->d.n - from) * sizeof(r->d.log[0]));
	w->rdisk[n].len = r->d.len;
	w->rdisk[n].n = r->d.n;
	repl_persisted(r);
}

static void
on_master(struct world *w, const struct ha_event *e)
{
	if (e->term == 0 || e->term >= MAX_TERMS) {
		fail(w, "node %u master of term %" PRIu64 " (out of range)",
		    e->node, e->term);
		return;
	}
	if (w->term_master[e->term] != 0 &&
	    w->term_master[e->term] != e->node + 1)
		fail(w, "two masters in term %" PRIu64 ": nodes %u and %u",
		    e->term, w->term_master[e->term] - 1, e->node);
	w->term_master[e->term] = e->node + 1;
	w->res->elections++;
	if (e->term > w->res->max_term)
		w->res->max_term = e->term;
}

static void
on_execute(struct world *w, const struct ha_event *e)
{
	uint32_t i = HA_SLAVE_IDX(e->node);

	w->res->executed++;
	if (e->term < w->seen_term[i])
		fail(w, "slave %u acted on command %" PRIx64 " of term %"
		    PRIu64 " after seeing term %" PRIu64, i, e->id, e->term,
		    w->seen_term[i]);
	if (e->term >= MAX_TERMS || w->term_master[e->term] == 0)
		fail(w, "slave %u acted on command %" PRIx64 " of term %"
		    PRIu64 ", which elected no master", i, e->id, e->term);
	if (count(w, w->exec, &w->nexec, e->id) > 0)
		fail(w, "command %" PRIx64 " executed twice (slave %u)",
		    e->id, i);
	if ((e->id & HA_FIRING_BIT) &&
	    count(w, w->fired, &w->nfired, (uint64_t)e->value) > 0)
		fail(w, "firing %" PRIx64 " executed twice (slave %u)",
		    (uint64_t)e->value, i);
}

static void
on_event(struct world *w, const struct ha_event *e)
{
	mix(w, e->type);
	mix(w, e->node);
	mix(w, e->term);
	mix(w, e->id);
	trace(w, "event %u node %u term %" PRIu64 " id %" PRIx64, e->type,
	    e->node, e->term, e->id);
	switch (e->type) {
	case HA_EV_MASTER:
		on_master(w, e);
		if (w->t0 && e->term > w->old_term && !w->res->takeover_ms)
			w->res->takeover_ms = w->now - w->t0;
		break;
	case HA_EV_ACCEPTED:
		if (count(w, w->acc, &w->nacc, e->id) == 0)
			w->res->accepted++;
		break;
	case HA_EV_EXECUTE:
		on_execute(w, e);
		if (w->t0 && e->term > w->old_term && !w->res->first_cmd_ms)
			w->res->first_cmd_ms = w->now - w->t0;
		break;
	case HA_EV_STANDBY_LOST:
		w->res->standby_lost++;
		break;
	default:
		break;
	}
}

/* What node n's step returned: persist, then events, then messages. */
static void
after(struct world *w, uint32_t n)
{
	int i;

	if (w->out.overflow)
		fail(w, "node %u: %d outputs dropped", n, w->out.overflow);
	if (w->out.persist)
		persist(w, n);
	for (i = 0; i < w->out.nev; i++)
		on_event(w, &w->out.ev[i]);
	for (i = 0; i < w->out.nmsg; i++)
		send(w, &w->out.msg[i]);
}

static void
deliver(struct world *w, const struct ha_msg *m)
{
	if (m->to >= NODES || !w->up[m->to] || w->cut[m->from][m->to])
		return;
	w->res->delivered++;
	mix(w, m->type);
	mix(w, (uint64_t)m->from << 32 | m->to);
	mix(w, m->term);
	trace(w, "msg %u %u->%u term %" PRIu64 " id %" PRIx64 " pos %"
	    PRIu64 " n %u flags %x", m->type, m->from, m->to, m->term, m->id,
	    m->pos, m->nrec, m->flags);
	ha_out_clear(&w->out);
	if (HA_IS_SLAVE(m->to))
		vote_recv(&w->s[HA_SLAVE_IDX(m->to)], clock_of(w, m->to), m,
		    &w->out);
	else
		elect_recv(&w->m[m->to], clock_of(w, m->to), m, &w->out);
	after(w, m->to);
}

/* Every message due now, in a random order. */
static void
deliver_due(struct world *w)
{
	int	nd = 0, i, j, t, old = w->nq;

	for (i = 0; i < old; i++)
		if (w->q[i].at <= w->now &&
		    w->now >= w->paused_until[w->q[i].m.to % NODES])
			w->due[nd++] = i;
	for (i = nd - 1; i > 0; i--) {
		j = (int)below(w, (uint32_t)i + 1);
		t = w->due[i];
		w->due[i] = w->due[j];
		w->due[j] = t;
	}
	for (i = 0; i < nd && !w->res->failed; i++) {
		w->gone[w->due[i]] = 1;
		deliver(w, &w->q[w->due[i]].m);
	}
	for (i = j = 0; i < w->nq; i++)
		if (!w->gone[i]) {
			if (i != j)
				w->q[j] = w->q[i];
			w->gone[j++] = 0;
		}
	w->nq = j;
}

static void
crash(struct world *w, uint32_t n)
{
	w->up[n] = 0;
	w->down_until[n] = w->now + 50 + below(w, 3000);
	w->res->crashes++;
	mix(w, 0xc0000000u | n);
	trace(w, "crash %u", n);
}

/* A restart keeps what the node persisted, nothing else. */
static void
restart(struct world *w, uint32_t n)
{
	w->up[n] = 1;
	w->next_tick[n] = w->now + below(w, HA_TICK_MS);
	if (chance(w, 500))	/* a reboot: the clock starts again */
		w->origin[n] = below(w, 1000000);
	mix(w, 0xd0000000u | n);
	trace(w, "restart %u", n);
	if (HA_IS_SLAVE(n))
		vote_restart(&w->s[HA_SLAVE_IDX(n)],
		    &w->sdisk[HA_SLAVE_IDX(n)], n);
	else
		elect_restart(&w->m[n], &w->mdisk[n], &w->rdisk[n], n, w->nm,
		    w->ns, clock_of(w, n));
}

/* The scheduler of a master: each event's instants not yet in its log,
 * with an id and a value derived from (event, instant). */
static void
fire(struct world *w, uint32_t n)
{
	uint64_t	due, id, last, off;
	uint32_t	e;

	ha_out_clear(&w->out);
	for (e = 0; e < FIRE_EVENTS; e++) {
		off = 100 + 250 * e;
		if (w->now < off + FIRE_PERIOD_MS)
			continue;
		last = (w->now - off) / FIRE_PERIOD_MS * FIRE_PERIOD_MS + off;
		/* Oldest first, as a scheduler catches up: the log keeps an
		 * event's latest instant (repl_fired). */
		for (due = last; due >= FIRE_PERIOD_MS + FIRE_PERIOD_MS &&
		    due - FIRE_PERIOD_MS + FIRE_LATE_MS > w->now; )
			due -= FIRE_PERIOD_MS;
		for (; due <= last; due += FIRE_PERIOD_MS) {
			id = HA_FIRING_BIT | (uint64_t)e << HA_FIRING_SHIFT | due;
			if (elect_fire(&w->m[n], id, e % w->ns,
			    (int64_t)((uint64_t)(e + 1) << 40 | due),
			    &w->out) == 0)
				w->res->firings++;
		}
	}
	after(w, n);
}

static void
tick(struct world *w, uint32_t n)
{
	w->next_tick[n] = w->now + HA_TICK_MS;
	if (HA_IS_SLAVE(n))
		return;		/* a slave has no timer: loss is heard_ms */
	ha_out_clear(&w->out);
	elect_tick(&w->m[n], clock_of(w, n), (uint32_t)rnd(w), &w->out);
	after(w, n);
	if (w->m[n].role == ELECT_MASTER)
		fire(w, n);
}

/* The cancels' own stream: the schedules of the other draws stay as
 * they were without cancels, until a cancel changes what is sent. */
static uint32_t
cbelow(struct world *w, uint32_t n)
{
	uint64_t z = (w->crng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (uint32_t)((z ^ (z >> 31)) % n);
}

/* Master n settles an accepted API command CANCELLED (refused if it
 * has its result, or its log does not hold it). Not a firing: the
 * daemon's firings are not in the command log (docs/FAILOVER.md), and
 * the model's would fire again once a compaction dropped it. */
static void
cancel(struct world *w, uint32_t n)
{
	uint64_t id;

	if (w->nacc == 0)
		return;
	id = w->acc[cbelow(w, (uint32_t)w->nacc)].key;
	if (id & HA_FIRING_BIT)
		return;
	ha_out_clear(&w->out);
	if (repl_settle(&w->m[n].r, id, ST_CANCELLED, &w->out) == 0) {
		trace(w, "cancel node %u id %" PRIx64, n, id);
		mix(w, id);
		count(w, w->canc, &w->ncanc, id);
		w->res->cancelled++;
	}
	after(w, n);
}

static void
command(struct world *w)
{
	uint32_t n = below(w, w->nm);

	/* As hd-master: only with the lease (ha_cmd.c), not paused. */
	if (!w->up[n] || w->m[n].role != ELECT_MASTER ||
	    w->now < w->paused_until[n] ||
	    !elect_lease_ok(&w->m[n], clock_of(w, n)))
		return;

	ha_out_clear(&w->out);
	elect_command(&w->m[n], below(w, w->ns), 1 + below(w, 1000), &w->out);
	after(w, n);
	if (cbelow(w, 1000) < CANCEL_PERMILLE)
		cancel(w, n);
}

static uint32_t
any_node(struct world *w)
{
	uint32_t i = below(w, w->nm + w->ns);

	return i < w->nm ? i : HA_SLAVE(i - w->nm);
}

/* Cut: one link one way, one both ways, a node alone, the cluster in
 * two; or heal every link. */
static void
partition(struct world *w)
{
	uint32_t	a = any_node(w), b = any_node(w), i, j, side[NODES];
	uint32_t	kind = below(w, 5);

	w->res->partitions++;
	mix(w, 0xe0000000u | kind << 16 | a << 8 | b);
	trace(w, "partition %u: %u %u", kind, a, b);
	for (i = 0; i < NODES; i++)
		side[i] = below(w, 2);
	for (i = 0; i < NODES; i++)
		for (j = 0; j < NODES; j++)
			switch (kind) {
			case 0:
				w->cut[a][b] = 1;
				break;
			case 1:
				w->cut[a][b] = w->cut[b][a] = 1;
				break;
			case 2:
				if (i == a || j == a)
					w->cut[i][j] = i != j;
				break;
			case 3:
				w->cut[i][j] = side[i] != side[j];
				break;
			default:
				w->cut[i][j] = 0;
			}
}

static int
node_valid(const struct world *w, uint32_t n)
{
	return n < w->nm || (HA_IS_SLAVE(n) && HA_SLAVE_IDX(n) < w->ns);
}

/* A master that holds its lease (on its own clock) while a higher term
 * has a master: two masters could act at once. */
static void
check_lease(struct world *w)
{
	uint64_t	t;
	uint32_t	i;

	for (i = 0; i < w->nm; i++) {
		if (!w->up[i] || !elect_lease_ok(&w->m[i], clock_of(w, i)))
			continue;
		for (t = w->m[i].d.term + 1; t < MAX_TERMS; t++)
			if (w->term_master[t] != 0) {
				fail(w, "node %u holds its lease of term %"
				    PRIu64 " while node %u is master of term %"
				    PRIu64, i, w->m[i].d.term,
				    w->term_master[t] - 1, t);
				return;
			}
	}
}

/* A node's loop stalls for 50..1500 ms: it neither ticks nor reads. */
static void
pause_node(struct world *w, uint32_t n)
{
	uint64_t ms = 50 + below(w, 1451);

	w->paused_until[n] = w->now + ms;
	w->res->pauses++;
	mix(w, 0xd0000000u | n);
	trace(w, "pause %u for %" PRIu64 " ms", n, ms);
}

/* After every step: what the slaves have seen; every master known. */
static void
check(struct world *w)
{
	uint32_t i;

	for (i = 0; i < w->ns; i++)
		if (w->s[i].d.term > w->seen_term[i])
			w->seen_term[i] = w->s[i].d.term;
	for (i = 0; i < w->nm; i++)
		if (w->up[i] && w->m[i].role == ELECT_MASTER &&
		    (w->m[i].d.term >= MAX_TERMS ||
		    w->term_master[w->m[i].d.term] != i + 1))
			fail(w, "node %u acts as master of term %" PRIu64
			    " it did not win", i, w->m[i].d.term);
	check_lease(w);
}

static void
step(struct world *w)
{
	uint32_t n;

	w->step++;
	w->now += 1 + below(w, STEP_MAX_MS);
	deliver_due(w);
	for (n = 0; n < NODES && !w->res->failed; n++) {
		if (!node_valid(w, n))
			continue;
		if (!w->up[n] && w->now >= w->down_until[n])
			restart(w, n);
		if (w->up[n] && w->now >= w->next_tick[n] &&
		    w->now >= w->paused_until[n])
			tick(w, n);
	}
	if (!w->healing) {
		if (chance(w, w->crash)) {
			n = any_node(w);
			if (w->up[n])
				crash(w, n);
		}
		if (chance(w, w->part))
			partition(w);
		if (chance(w, w->pause))
			pause_node(w, any_node(w));
	}
	if (w->now < CHAOS_MS + HEAL_MS / 2 && chance(w, w->cmd))
		command(w);
	check(w);
}

static void
heal(struct world *w)
{
	uint32_t n;

	w->healing = 1;
	memset(w->cut, 0, sizeof(w->cut));
	for (n = 0; n < NODES; n++)
		if (node_valid(w, n) && !w->up[n])
			w->down_until[n] = w->now;
	trace(w, "heal");
}

/* The trace's last lines: every node's state. */
static void
dump(struct world *w)
{
	const struct vote	*v;
	uint32_t		 n;

	for (n = 0; n < w->nm; n++)
		trace(w, "node %u: %s role %d term %" PRIu64 " base %" PRIu64
		    " len %" PRIu64, n, w->up[n] ? "up" : "down", w->m[n].role,
		    w->m[n].d.term, w->m[n].r.d.base, w->m[n].r.d.len);
	for (n = 0; n < w->ns; n++) {
		v = &w->s[n];
		trace(w, "slave %u: %s term %" PRIu64 " voted %u in %" PRIu64
		    " fence %" PRIu64 ".%" PRIu64 " %x (before votes %" PRIu64
		    ".%" PRIu64 " %x)", n, w->up[HA_SLAVE(n)] ? "up" : "down",
		    v->d.term, v->d.voted_for, v->d.voted_term, v->d.fence.term,
		    v->d.fence.seq, v->d.fence.allowed, v->d.before_votes.term,
		    v->d.before_votes.seq, v->d.before_votes.allowed);
	}
}

static void
final_check(struct world *w)
{
	uint32_t	n, masters = 0;
	int		i;

	for (n = 0; n < w->nm; n++)
		if (w->m[n].role == ELECT_MASTER)
			masters++;
	if (masters == 0)
		fail(w, "no master %d ms after healing", HEAL_MS);
	for (i = 0; i < w->nacc; i++)
		if (times(w->exec, w->nexec, w->acc[i].key) != 1 &&
		    (times(w->canc, w->ncanc, w->acc[i].key) == 0 ||
		    times(w->exec, w->nexec, w->acc[i].key) > 1))
			fail(w, "accepted command %" PRIx64 " executed %u times",
			    w->acc[i].key, times(w->exec, w->nexec,
			    w->acc[i].key));
}

static void
setup(struct world *w, uint64_t seed)
{
	uint32_t n;

	w->rng = seed;
	w->crng = seed ^ 0x5bd1e9955bd1e995ULL;
	w->nm = 2 + below(w, 2);
	w->ns = 3 + below(w, 3);
	w->loss = below(w, 200);
	w->dup = below(w, 100);
	w->delay = 1 + below(w, 60);
	w->crash = 1 + below(w, 12);
	w->part = below(w, 10);
	w->cmd = 20 + below(w, 100);
	w->pause = below(w, 6);
	for (n = 0; n < NODES; n++) {
		w->rate[n] = 950 + below(w, 101);	/* +-5 % */
		w->origin[n] = below(w, 1000000);
	}
	for (n = 0; n < w->nm; n++) {
		elect_init(&w->m[n], n, w->nm, w->ns, clock_of(w, n));
		w->mdisk[n] = w->m[n].d;
		w->rdisk[n].base = w->rdisk[n].len = w->rdisk[n].n = 0;
		w->up[n] = 1;
		w->next_tick[n] = below(w, HA_TICK_MS);
	}
	for (n = 0; n < w->ns; n++) {
		vote_init(&w->s[n], HA_SLAVE(n), 0);
		w->sdisk[n] = w->s[n].d;
		w->up[HA_SLAVE(n)] = 1;
	}
}

static struct world *
fresh(uint64_t seed, int verbose, struct sim_result *res)
{
	static struct world	*w;

	if (w == NULL && (w = malloc(sizeof(*w))) == NULL) {
		perror("hasim");
		exit(2);
	}
	memset(res, 0, sizeof(*res));
	/* Everything but the big arrays the run fills before it reads. */
	memset(w, 0, offsetof(struct world, q));
	memset(w->term_master, 0, sizeof(*w) - offsetof(struct world,
	    term_master));
	w->hash = 0xcbf29ce484222325ULL;
	w->verbose = verbose;
	w->res = res;
	setup(w, seed);
	res->nmasters = w->nm;
	res->nslaves = w->ns;
	return w;
}

void
sim_run(uint64_t seed, int verbose, struct sim_result *res)
{
	struct world *w = fresh(seed, verbose, res);

	while (w->now < CHAOS_MS && !res->failed)
		step(w);
	heal(w);
	while (w->now < CHAOS_MS + HEAL_MS && !res->failed)
		step(w);
	if (!res->failed)
		final_check(w);
	dump(w);
	res->steps = w->step;
	res->hash = w->hash;
}

/*
 * A calm network (no loss, no cut, 1..5 ms delay, nothing held back):
 * the master is killed for good at TAKEOVER_AT_MS, and the run measures
 * until a new master is elected and until a slave executes a command
 * of its term (a resent one or a new one).
 */
#define TAKEOVER_AT_MS	5000
#define TAKEOVER_MAX_MS	10000

void
sim_takeover(uint64_t seed, struct sim_result *res)
{
	struct world	*w = fresh(seed, 0, res);
	uint32_t	 n;

	w->healing = 1;
	w->delay = 5;
	while (w->now < TAKEOVER_AT_MS && !res->failed)
		step(w);
	for (n = 0; n < w->nm; n++)
		if (w->up[n] && w->m[n].role == ELECT_MASTER) {
			crash(w, n);
			w->down_until[n] = UINT64_MAX;
			w->old_term = w->m[n].d.term;
			w->t0 = w->now;
		}
	if (w->t0 == 0)
		fail(w, "no master to kill at %d ms", TAKEOVER_AT_MS);
	while (!res->failed && (!res->takeover_ms || !res->first_cmd_ms) &&
	    w->now < w->t0 + TAKEOVER_MAX_MS)
		step(w);
	if (!res->failed && (!res->takeover_ms || !res->first_cmd_ms))
		fail(w, "no takeover within %d ms", TAKEOVER_MAX_MS);
	res->steps = w->step;
	res->hash = w->hash;
}

/*
 * A calm network as above; at PAUSE_AT_MS the master's loop stalls for
 * pause_ms (no tick, its messages wait), then the run goes on for
 * PAUSE_AFTER_MS: how many masters were elected from the pause on, and
 * whether the paused one is still master of its term. Every invariant
 * is checked after every step, the lease's among them.
 */
#define PAUSE_AT_MS	5000
#define PAUSE_AFTER_MS	5000

void
sim_pause(uint64_t seed, uint64_t pause_ms, struct sim_result *res)
{
	struct world	*w = fresh(seed, 0, res);
	uint64_t	 before = 0;
	uint32_t	 n, old = HA_NONE;

	w->healing = 1;
	w->delay = 5;
	while (w->now < PAUSE_AT_MS && !res->failed)
		step(w);
	for (n = 0; n < w->nm; n++)
		if (w->up[n] && w->m[n].role == ELECT_MASTER)
			old = n;
	if (old == HA_NONE) {
		fail(w, "no master to pause at %d ms", PAUSE_AT_MS);
		return;
	}
	before = res->elections;
	res->pause_term = w->m[old].d.term;
	w->paused_until[old] = w->now + pause_ms;
	while (!res->failed && w->now < PAUSE_AT_MS + pause_ms +
	    PAUSE_AFTER_MS)
		step(w);
	res->pause_elections = res->elections - before;
	res->pause_kept = w->m[old].role == ELECT_MASTER &&
	    w->m[old].d.term == res->pause_term;
	res->steps = w->step;
	res->hash = w->hash;
}
