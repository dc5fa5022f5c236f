/*
 * A master-capable node: role, election, fence, lease (shared/elect.h,
 * docs/FAILOVER.md).
 */

#include <string.h>

#include "elect.h"

/* A deliberately broken build for the simulator's own test
 * (tests/sim): 2 = a candidate promotes on a single vote, 3 = a master
 * goes on without a lost standby before a majority holds the fence,
 * 6 = a lease counted from the answers' arrival. */
#ifndef HA_BUG
#define HA_BUG	0
#endif

static int
quorum(const struct elect *e)
{
	return HA_BUG == 2 ? 1 : ha_majority((int)e->nslaves);
}

static int
bits(uint32_t x)
{
	return __builtin_popcount(x);
}

void
elect_init(struct elect *e, uint32_t self, uint32_t nmasters,
    uint32_t nslaves, uint64_t now)
{
	memset(e, 0, sizeof(*e));
	e->self = self;
	e->nmasters = nmasters;
	e->nslaves = nslaves;
	e->role = ELECT_FOLLOWER;
	e->leader = HA_NONE;
	e->heard_ms = now;
	repl_init(&e->r, self, nmasters);
}

void
elect_restart(struct elect *e, const struct elect_disk *d,
    const struct repl_disk *rd, uint32_t self, uint32_t nmasters,
    uint32_t nslaves, uint64_t now)
{
	elect_init(e, self, nmasters, nslaves, now);
	e->d = *d;
	repl_restart(&e->r, rd, self, nmasters);
}

/* A forced promotion given up; heard: because a master (or a higher
 * term) was heard, else for want of votes. */
static void
unforce(struct elect *e, int heard, struct ha_out *o)
{
	if (e->force == 0)
		return;
	e->force = 0;
	ha_out_event(o, HA_EV_FORCE_REFUSED, e->self, e->d.term,
	    (uint64_t)heard, 0);
}

static void
step_down(struct elect *e, uint64_t now, struct ha_out *o)
{
	unforce(e, 1, o);
	if (e->role == ELECT_MASTER)
		ha_out_event(o, HA_EV_STEP_DOWN, e->self, e->d.term, 0, 0);
	e->role = ELECT_FOLLOWER;
	e->leader = HA_NONE;
	e->heard_ms = now;
	e->stand_ms = 0;
	repl_follow(&e->r);
}

/* Stamped with our clock (+1: 0 is "no stamp"); the slaves echo it
 * and the lease runs from it (elect_lease_ok). */
static void
send_heartbeats(const struct elect *e, uint64_t now, struct ha_out *o)
{
	struct ha_msg	*m;
	uint32_t	 i;

	for (i = 0; i < e->nslaves; i++) {
		m = ha_out_msg(o, HA_HEARTBEAT, e->self, HA_SLAVE(i), e->d.term);
		m->fence = e->fence;
		m->id = now + 1;
	}
}

/*
 * The lease: a majority of slaves answered, at our term, heartbeats we
 * sent less than HA_LEASE_MS ago. Each of them heard us after we sent,
 * so none grants a vote for a higher term before HA_LOST_MS of its own
 * clock from then: HA_LEASE_MS is enough shorter to cover the clocks'
 * rates (hdlimits.h), and no other master can be elected while this
 * holds. Measured from the send, not the answer: an answer that queued
 * behind a slow slave or a busy loop of ours renews no more than what
 * it proves.
 */
uint64_t
elect_lease_end(const struct elect *e)
{
	uint64_t	best = 0, t;
	uint32_t	i, j, n;

	if (e->role != ELECT_MASTER)
		return 0;
	/* The newest stamp that a majority answered (this one or newer). */
	for (i = 0; i < e->nslaves; i++) {
		if ((t = e->slave_ms[i]) == 0 || t <= best)
			continue;
		for (j = n = 0; j < e->nslaves; j++)
			if (e->slave_ms[j] >= t)
				n++;
		if ((int)n >= quorum(e))
			best = t;
	}
	return best == 0 ? 0 : best + HA_LEASE_MS;
}

int
elect_lease_ok(const struct elect *e, uint64_t now)
{
	return elect_lease_end(e) > now;
}

/*
 * The votes leave the fence at us alone on a majority of slaves, so the
 * log is acted on at once; standbys join the synchronous set (and the
 * fence) as they catch up.
 */
static void
become_master(struct elect *e, uint64_t now, struct ha_out *o)
{
	uint32_t i;

	e->role = ELECT_MASTER;
	e->leader = e->self;
	e->tick_ms = now;
	e->regain_ms = 0;
	e->fence.term = e->d.term;
	e->fence.seq = 0;
	e->fence.allowed = 1u << e->self;
	e->removing = 0;
	e->remove_seq = 0;
	e->next_cmd = 0;
	/* A voter heard us no earlier than we asked it, and its vote
	 * fence admits no one else: the first lease runs from the ask. */
	for (i = 0; i < HA_MAX_SLAVES; i++) {
		e->slave_ms[i] = e->votes & (1u << i) ? e->asked_ms + 1 : 0;
		e->slave_seq[i] = 0;
	}
	ha_out_event(o, HA_EV_MASTER, e->self, e->d.term, 0, e->force == 2);
	e->force = 0;
	repl_lead(&e->r, e->d.term, now, o);
	send_heartbeats(e, now, o);
}

static void
ask_votes(const struct elect *e, struct ha_out *o)
{
	struct ha_msg	*m;
	uint32_t	 i;

	for (i = 0; i < e->nslaves; i++) {
		if (e->votes & (1u << i))
			continue;
		m = ha_out_msg(o, HA_VOTE_REQ, e->self, HA_SLAVE(i),
		    e->pre ? e->d.term + 1 : e->d.term);
		m->flags = (e->pre ? HA_F_PRE : 0) |
		    (e->force == 2 ? HA_F_FORCE : 0);
		m->base = e->r.d.base;	/* master of no term since */
	}
}

static void
stand(struct elect *e, uint64_t now, struct ha_out *o)
{
	e->role = ELECT_CANDIDATE;
	e->pre = 1;
	e->votes = 0;
	e->round_ms = now + HA_ELECT_MS;
	ask_votes(e, o);
}

/* Forced: at once, pre-votes then votes with HA_F_FORCE. The pre-votes
 * first, as always: a force that the slaves refuse (they still hear a
 * master) raises no term, which would make that master step down. */
static void
stand_forced(struct elect *e, uint64_t now, struct ha_out *o)
{
	e->force = 2;
	stand(e, now, o);
}

int
elect_force(struct elect *e)
{
	if (e->role == ELECT_MASTER)
		return -1;
	e->force = 1;
	return 0;
}

/* A majority of pre-votes: raise and persist the term, then ask. */
static void
on_vote(struct elect *e, uint64_t now, const struct ha_msg *m,
    struct ha_out *o)
{
	uint64_t	 proposed = e->pre ? e->d.term + 1 : e->d.term;
	uint32_t	 i = HA_SLAVE_IDX(m->from);

	if (e->role != ELECT_CANDIDATE || !HA_IS_SLAVE(m->from) ||
	    i >= e->nslaves || !(m->flags & HA_F_GRANTED) ||
	    m->term != proposed || !(m->flags & HA_F_PRE) != !e->pre)
		return;
	e->votes |= 1u << i;
	if (bits(e->votes) < quorum(e))
		return;
	if (!e->pre) {
		become_master(e, now, o);
		return;
	}
	e->pre = 0;
	e->d.term++;
	o->persist = 1;
	e->votes = 0;
	e->asked_ms = now;
	e->round_ms = now + HA_ELECT_MS;
	ask_votes(e, o);
}

static void
on_repl(struct elect *e, uint64_t now, const struct ha_msg *m,
    struct ha_out *o)
{
	if (m->from >= e->nmasters || m->from == e->self)
		return;
	if (m->term < e->d.term) {
		ha_out_msg(o, HA_STALE, e->self, m->from, e->d.term);
		return;
	}
	if (e->role == ELECT_MASTER)
		return;		/* a second master of our term: cannot be */
	unforce(e, 1, o);	/* a live master: nothing to force */
	e->role = ELECT_FOLLOWER;
	e->leader = m->from;
	e->heard_ms = now;
	e->stand_ms = 0;
	repl_apply(&e->r, e->d.term, m, o);
}

/* Standbys leave the synchronous set once a majority holds the fence
 * that excludes them: only then may we act without them. */
static void
check_removal(struct elect *e, struct ha_out *o)
{
	uint32_t i, n = 0;

	if (e->removing == 0)
		return;
	for (i = 0; i < e->nslaves; i++)
		if (e->slave_seq[i] >= e->remove_seq)
			n++;
	if ((int)n < quorum(e) && HA_BUG != 3)
		return;
	e->r.sync &= ~e->removing;
	for (i = 0; i < e->nmasters; i++)
		if (e->removing & (1u << i))
			ha_out_event(o, HA_EV_STANDBY_LOST, i, e->d.term, 0, 0);
	e->removing = 0;
	repl_commit(&e->r, o);
}

static void
check_sync(struct elect *e, struct ha_out *o)
{
	uint32_t up, i;

	up = repl_caught_up(&e->r) & ~e->r.sync & ~e->removing & ~e->unready;
	if (up == 0)
		return;
	e->r.sync |= up;
	e->fence.seq++;
	e->fence.allowed |= up;
	for (i = 0; i < e->nmasters; i++)
		if (up & (1u << i))
			ha_out_event(o, HA_EV_STANDBY_SYNCED, i, e->d.term, 0, 0);
}

static void
on_slave(struct elect *e, uint64_t now, const struct ha_msg *m,
    struct ha_out *o)
{
	uint32_t i = HA_SLAVE_IDX(m->from);

	if (e->role != ELECT_MASTER || !HA_IS_SLAVE(m->from) ||
	    i >= e->nslaves || m->term != e->d.term)
		return;
	/* Only a stamp renews the lease (a result may answer a command
	 * sent long ago); one from the future is not ours. */
	if (m->type == HA_HEARTBEAT_ACK && m->id != 0 && m->id - 1 <= now &&
	    m->id - 1 > e->slave_ms[i])
		e->slave_ms[i] = m->id - 1;
	if (HA_BUG == 6)	/* from the answer's arrival: unsound */
		e->slave_ms[i] = now;
	if (m->type == HA_RESULT) {
		repl_on_result(&e->r, m, o);
		return;
	}
	if (m->fence.term == e->d.term && m->fence.seq > e->slave_seq[i])
		e->slave_seq[i] = m->fence.seq;
	check_removal(e, o);
}

void
elect_recv(struct elect *e, uint64_t now, const struct ha_msg *m,
    struct ha_out *o)
{
	if (m->to != e->self)
		return;
	/* A higher term anywhere but in a vote granted for our proposal. */
	if (m->term > e->d.term &&
	    !(m->type == HA_VOTE && (m->flags & HA_F_GRANTED))) {
		e->d.term = m->term;
		o->persist = 1;
		if (e->role != ELECT_FOLLOWER)
			step_down(e, now, o);
	}
	switch (m->type) {
	case HA_REPL:
		on_repl(e, now, m, o);
		break;
	case HA_REPL_ACK:
		if (e->role == ELECT_MASTER && m->term == e->d.term) {
			repl_on_ack(&e->r, now, m, o);
			check_sync(e, o);
		}
		break;
	case HA_HEARTBEAT_ACK:
	case HA_RESULT:
		on_slave(e, now, m, o);
		break;
	case HA_VOTE:
		on_vote(e, now, m, o);
		break;
	default:
		break;		/* STALE did its work above */
	}
}

static void
master_tick(struct elect *e, uint64_t now, struct ha_out *o)
{
	uint32_t	lost;
	int		stalled = now - e->tick_ms > 2 * HA_TICK_MS;

	e->tick_ms = now;
	if (!elect_lease_ok(e, now)) {
		/*
		 * Lost while our own loop stalled (the promotion's work, a
		 * slow fsync), not while the slaves were silent: ask again
		 * for HA_ELECT_MS before giving up. Meanwhile we act on
		 * nothing (no lease: no command); a majority answering the
		 * fresh heartbeats at our term proves that none of it
		 * voted for a higher term, or it would answer STALE.
		 */
		if (stalled && e->regain_ms == 0)	/* once a loss */
			e->regain_ms = now + HA_ELECT_MS;
		if (e->regain_ms == 0 || now >= e->regain_ms) {
			step_down(e, now, o);
			return;
		}
	} else
		e->regain_ms = 0;
	/* A standby of the set that now lacks the state a takeover needs
	 * (its state sync attached anew, behind what we did without it)
	 * leaves as a silent one does. */
	lost = (repl_lost(&e->r, now) | (e->r.sync & e->unready)) &
	    ~e->removing;
	if (lost != 0) {
		e->fence.seq++;
		e->fence.allowed &= ~lost;
		e->removing |= lost;
		e->remove_seq = e->fence.seq;
	}
	send_heartbeats(e, now, o);
	repl_tick(&e->r, o);
	check_sync(e, o);
}

void
elect_set_unready(struct elect *e, uint32_t nodes)
{
	e->unready = nodes & ~(1u << e->self);
}

/*
 * How long to wait before standing: a slot of HA_JITTER_MS per node in
 * the order of the masters list, random within it, so two standbys
 * that lost the master at the same instant rarely split the votes.
 */
static uint64_t
stand_delay(const struct elect *e, uint32_t rnd)
{
	uint32_t slot = HA_JITTER_MS / e->nmasters;

	return (uint64_t)e->self * slot + rnd % slot;
}

void
elect_tick(struct elect *e, uint64_t now, uint32_t rnd, struct ha_out *o)
{
	switch (e->role) {
	case ELECT_MASTER:
		master_tick(e, now, o);
		break;
	case ELECT_CANDIDATE:
		if (now < e->round_ms) {
			ask_votes(e, o);
			break;
		}
		e->role = ELECT_FOLLOWER;
		e->stand_ms = now + 1 + stand_delay(e, rnd);
		if (e->force == 2)	/* one round: the operator decides again */
			unforce(e, 0, o);
		break;
	case ELECT_FOLLOWER:
		if (now - e->heard_ms < HA_LOST_MS)
			break;
		if (e->force == 1) {
			stand_forced(e, now, o);
			break;
		}
		if (e->stand_ms == 0)
			e->stand_ms = now + stand_delay(e, rnd);
		if (now >= e->stand_ms)
			stand(e, now, o);
		break;
	}
}

uint64_t
elect_command(struct elect *e, uint32_t slave, int64_t value,
    struct ha_out *o)
{
	uint64_t id;

	if (e->role != ELECT_MASTER || slave >= e->nslaves)
		return 0;
	id = e->d.term << 32 | (e->next_cmd + 1);
	if (repl_submit(&e->r, id, slave, value, o) == -1)
		return 0;
	e->next_cmd++;
	return id;
}

int
elect_fire(struct elect *e, uint64_t id, uint32_t slave, int64_t value,
    struct ha_out *o)
{
	if (e->role != ELECT_MASTER || slave >= e->nslaves ||
	    !(id & HA_FIRING_BIT))
		return -1;
	if (repl_fired(&e->r, id))
		return 1;
	return repl_submit(&e->r, id, slave, value, o);
}
