/*
 * Unit tests for the failover machines (shared/vote.c, elect.c,
 * repl.c): each rule of docs/FAILOVER.md on its own, step by step. The
 * simulator (tests/sim) checks them all together under faults.
 */

#include <stdint.h>
#include <string.h>

#include "check.h"
#include "elect.h"
#include "ha.h"
#include "vote.h"

#define S0	HA_SLAVE(0)
#define S1	HA_SLAVE(1)
#define S2	HA_SLAVE(2)

static struct ha_out	out;

static const struct ha_msg *
sent(uint32_t type, uint32_t to)
{
	int i;

	for (i = 0; i < out.nmsg; i++)
		if (out.msg[i].type == type && out.msg[i].to == to)
			return &out.msg[i];
	return NULL;
}

static int
nsent(uint32_t type)
{
	int i, n = 0;

	for (i = 0; i < out.nmsg; i++)
		n += out.msg[i].type == type;
	return n;
}

static int
nsent_to(uint32_t type, uint32_t to)
{
	int i, n = 0;

	for (i = 0; i < out.nmsg; i++)
		n += out.msg[i].type == type && out.msg[i].to == to;
	return n;
}

/* Vote requests that are not pre-votes. */
static int
nreal(void)
{
	int i, n = 0;

	for (i = 0; i < out.nmsg; i++)
		n += out.msg[i].type == HA_VOTE_REQ &&
		    !(out.msg[i].flags & HA_F_PRE);
	return n;
}

static const struct ha_event *
event(uint32_t type)
{
	int i;

	for (i = 0; i < out.nev; i++)
		if (out.ev[i].type == type)
			return &out.ev[i];
	return NULL;
}

static struct ha_msg
msg(uint32_t type, uint32_t from, uint32_t to, uint64_t term)
{
	struct ha_msg m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.from = from;
	m.to = to;
	m.term = term;
	return m;
}

static void
to_slave(struct vote *v, uint64_t now, const struct ha_msg *m)
{
	ha_out_clear(&out);
	vote_recv(v, now, m, &out);
}

static void
ask(struct vote *v, uint64_t now, uint32_t from, uint64_t term, int pre)
{
	struct ha_msg m = msg(HA_VOTE_REQ, from, v->self, term);

	m.flags = pre ? HA_F_PRE : 0;
	to_slave(v, now, &m);
}

static int
granted(uint32_t to)
{
	const struct ha_msg *m = sent(HA_VOTE, to);

	return m != NULL && (m->flags & HA_F_GRANTED);
}

static void
test_votes(void)
{
	struct vote	v;
	struct ha_msg	m;

	vote_init(&v, S0, 0);
	v.d.fence.allowed = 3;		/* nodes 0 and 1 */
	ask(&v, 0, 0, 1, 1);
	CHECK(granted(0) && !out.persist, "a pre-vote is granted and "
	    "persists nothing");
	ask(&v, 0, 0, 1, 0);
	CHECK(granted(0) && out.persist && v.d.voted_for == 0 &&
	    v.d.term == 1, "a vote is granted, persisted with the answer");
	CHECK(v.d.fence.allowed == 1, "the vote narrows the fence to the "
	    "candidate");
	ask(&v, 0, 1, 1, 0);
	CHECK(!granted(1) && sent(HA_VOTE, 1)->term == 1, "a second "
	    "candidate of the same term is refused");
	ask(&v, 0, 0, 1, 0);
	CHECK(granted(0) && !out.persist, "the same vote asked again: "
	    "granted again, nothing written");
	m = msg(HA_HEARTBEAT, 0, S0, 1);
	m.fence.term = 1;
	m.fence.seq = 1;
	m.fence.allowed = 3;
	to_slave(&v, 100, &m);
	CHECK(sent(HA_HEARTBEAT_ACK, 0) != NULL && v.d.fence.allowed == 3 &&
	    out.persist, "the master's newer fence is taken and persisted");
	ask(&v, 600, 1, 2, 1);
	CHECK(!granted(1), "a slave that still hears its master refuses");
	ask(&v, 100 + HA_LOST_MS, 1, 2, 1);
	CHECK(granted(1), "... and grants once it has lost the master too");
}

/* Two standbys stand together: the first's pre-vote round first, so
 * that both do not raise their term and split the real votes. */
static void
test_prevote_lock(void)
{
	struct vote v;

	vote_init(&v, S0, 0);
	v.d.fence.allowed = 3;
	ask(&v, 2000, 0, 1, 1);
	CHECK(granted(0), "a pre-vote for node 0");
	ask(&v, 2010, 1, 1, 1);
	CHECK(!granted(1), "node 1's pre-vote in the same round: refused");
	ask(&v, 2020, 0, 1, 1);
	CHECK(granted(0), "node 0 asking again: granted");
	ask(&v, 2020 + HA_ELECT_MS, 1, 1, 1);
	CHECK(granted(1), "node 1 once node 0's round is over: granted");
	ask(&v, 2030 + HA_ELECT_MS, 0, 1, 0);
	CHECK(granted(0) && v.d.voted_for == 0, "the lock is on pre-votes "
	    "only: a real vote goes to whoever asks first");
}

static void
test_fencing(void)
{
	struct vote	v;
	struct ha_msg	m;

	vote_init(&v, S0, 0);
	m = msg(HA_COMMAND, 0, S0, 2);
	m.id = 7;
	m.value = 42;
	to_slave(&v, 0, &m);
	CHECK(event(HA_EV_EXECUTE) != NULL && out.persist && v.d.term == 2,
	    "a command of a higher term raises the term and executes, "
	    "persisted first");
	to_slave(&v, 10, &m);
	CHECK(event(HA_EV_EXECUTE) == NULL && sent(HA_RESULT, 0) != NULL &&
	    (sent(HA_RESULT, 0)->flags & HA_F_DUP) &&
	    sent(HA_RESULT, 0)->value == 42, "a repeated id is answered "
	    "from the memo, not executed");
	m.term = 1;
	m.id = 8;
	to_slave(&v, 20, &m);
	CHECK(event(HA_EV_EXECUTE) == NULL && sent(HA_STALE, 0) != NULL &&
	    sent(HA_STALE, 0)->term == 2, "a command of a lower term is "
	    "refused with the higher term");
	ask(&v, 5000, 1, 3, 0);
	CHECK(!granted(1), "a candidate the fence does not allow is refused");
}

/* Node `self` of 2, with 3 slaves: ticks until it asks for votes. */
static void
lose_master(struct elect *e, uint64_t *now)
{
	int i;

	ha_out_clear(&out);
	for (i = 0; i < 40 && nsent(HA_VOTE_REQ) == 0; i++) {
		*now += HA_TICK_MS;
		ha_out_clear(&out);
		elect_tick(e, *now, 0, &out);
	}
}

static void
vote_for(struct elect *e, uint64_t now, uint32_t slave, uint64_t term,
    int pre)
{
	struct ha_msg m = msg(HA_VOTE, slave, e->self, term);

	m.flags = HA_F_GRANTED | (pre ? HA_F_PRE : 0);
	ha_out_clear(&out);
	elect_recv(e, now, &m, &out);
}

static void
test_alone(void)
{
	struct elect	e;
	uint64_t	now = 0;
	int		i, real = 0, wrote = 0;

	elect_init(&e, 1, 2, 3, 0);
	for (i = 0; i < 100; i++) {
		now += HA_TICK_MS;
		ha_out_clear(&out);
		elect_tick(&e, now, (uint32_t)i * 7919, &out);
		real += nreal();
		wrote += out.persist;
	}
	CHECK(e.role != ELECT_MASTER && e.d.term == 0 && real == 0 &&
	    wrote == 0, "a standby cut off alone for 10 s asks only for "
	    "pre-votes, never raises its term, never promotes");
}

/* Node 1 becomes master of term 1 with votes of slaves 0 and 1. */
static void
promote(struct elect *e, uint64_t *now)
{
	elect_init(e, 1, 2, 3, 0);
	lose_master(e, now);
	vote_for(e, *now, S0, 1, 1);
	vote_for(e, *now, S1, 1, 1);
}

static void
test_promotion(void)
{
	struct elect		 e;
	struct ha_msg		 m;
	uint64_t		 now = 0;
	const struct ha_msg	*q;

	promote(&e, &now);
	q = sent(HA_VOTE_REQ, S2);
	CHECK(e.d.term == 1 && out.persist && q != NULL &&
	    !(q->flags & HA_F_PRE) && q->term == 1, "a majority of pre-votes: "
	    "the term is raised and persisted with the real requests");
	vote_for(&e, now, S0, 1, 0);
	CHECK(e.role == ELECT_CANDIDATE, "one vote of three is no majority");
	vote_for(&e, now, S2, 1, 0);
	CHECK(e.role == ELECT_MASTER && event(HA_EV_MASTER) != NULL &&
	    sent(HA_HEARTBEAT, S1) != NULL &&
	    sent(HA_HEARTBEAT, S1)->fence.allowed == 2, "two of three: master, "
	    "its fence allows itself alone");
	m = msg(HA_STALE, S0, 1, 5);
	ha_out_clear(&out);
	elect_recv(&e, now, &m, &out);
	CHECK(e.role == ELECT_FOLLOWER && e.d.term == 5 && out.persist &&
	    event(HA_EV_STEP_DOWN) != NULL, "a master that hears a higher "
	    "term steps down and keeps the term");
}

/* Slave answers, at `now`, the heartbeat stamped `stamp`. */
static void
ack_stamp(struct elect *e, uint64_t now, uint32_t slave, uint64_t stamp)
{
	struct ha_msg m = msg(HA_HEARTBEAT_ACK, slave, e->self, e->d.term);

	m.fence = e->fence;
	m.id = stamp;
	ha_out_clear(&out);
	elect_recv(e, now, &m, &out);
}

static void
master_tick_at(struct elect *e, uint64_t now)
{
	ha_out_clear(&out);
	elect_tick(e, now, 0, &out);
}

/*
 * The lease runs from when the master SENT a heartbeat a majority
 * answered (its stamp, echoed), not from when the answers came: a late
 * answer proves only what it answers.
 */
static void
test_lease(void)
{
	struct elect		 e;
	struct vote		 v;
	struct ha_msg		 hb, r;
	const struct ha_msg	*q;
	uint64_t		 now = 0, asked, sent_at;

	promote(&e, &now);
	asked = now;
	vote_for(&e, now + 5, S0, 1, 0);
	vote_for(&e, now + 5, S1, 1, 0);
	CHECK(e.role == ELECT_MASTER && elect_lease_end(&e) ==
	    asked + 1 + HA_LEASE_MS, "a new master's first lease runs from "
	    "when it asked for the votes");
	q = sent(HA_HEARTBEAT, S0);
	CHECK(q != NULL && q->id == now + 5 + 1, "its heartbeats carry its "
	    "clock as their stamp");
	vote_init(&v, S0, 1);
	hb = *q;
	to_slave(&v, now + 6, &hb);
	q = sent(HA_HEARTBEAT_ACK, 1);
	CHECK(q != NULL && q->id == hb.id, "a slave echoes the stamp");
	sent_at = now + 5;
	/* The answers arrive 700 ms after the heartbeat left. */
	ack_stamp(&e, sent_at + 700, S0, sent_at + 1);
	ack_stamp(&e, sent_at + 700, S1, sent_at + 1);
	CHECK(elect_lease_end(&e) == sent_at + HA_LEASE_MS, "answers renew "
	    "the lease from the heartbeat's sending, not their arrival");
	ack_stamp(&e, sent_at + 710, S2, sent_at + 5000);
	CHECK(elect_lease_end(&e) == sent_at + HA_LEASE_MS, "a stamp from "
	    "the future renews nothing");
	ack_stamp(&e, sent_at + 720, S2, 0);
	CHECK(elect_lease_end(&e) == sent_at + HA_LEASE_MS, "nor an answer "
	    "without a stamp");
	r = msg(HA_RESULT, S2, 1, 1);
	r.id = 77;
	ha_out_clear(&out);
	elect_recv(&e, sent_at + 730, &r, &out);
	CHECK(elect_lease_end(&e) == sent_at + HA_LEASE_MS, "nor a result "
	    "(it may answer a command sent long ago)");
	ack_stamp(&e, sent_at + 740, S2, sent_at + 300);
	CHECK(elect_lease_end(&e) == sent_at + HA_LEASE_MS, "one slave of "
	    "three alone moves no majority's lease");
	CHECK(elect_lease_ok(&e, sent_at + HA_LEASE_MS - 1) &&
	    !elect_lease_ok(&e, sent_at + HA_LEASE_MS), "the lease holds up "
	    "to its end, not at it");
	master_tick_at(&e, sent_at + HA_LEASE_MS - 1);
	CHECK(e.role == ELECT_MASTER, "a tick within the lease: still master");
	master_tick_at(&e, sent_at + HA_LEASE_MS);
	CHECK(e.role == ELECT_FOLLOWER && event(HA_EV_STEP_DOWN) != NULL,
	    "a tick at its end: the master steps down");
	/* A stall of our own loop: the lease lost in it is asked for again
	 * for HA_ELECT_MS, acting on nothing meanwhile. */
	promote(&e, &now);
	vote_for(&e, now, S0, 1, 0);
	vote_for(&e, now, S1, 1, 0);
	sent_at = now + 1200;		/* the first tick, 1.2 s late */
	master_tick_at(&e, sent_at);
	CHECK(e.role == ELECT_MASTER && !elect_lease_ok(&e, sent_at) &&
	    sent(HA_HEARTBEAT, S0) != NULL && sent(HA_HEARTBEAT, S0)->id ==
	    sent_at + 1, "a lease lost in a stall of our loop: still master, "
	    "no lease (no command), fresh heartbeats out");
	ack_stamp(&e, sent_at + 30, S0, sent_at + 1);
	ack_stamp(&e, sent_at + 30, S1, sent_at + 1);
	master_tick_at(&e, sent_at + HA_TICK_MS);
	CHECK(e.role == ELECT_MASTER && elect_lease_ok(&e, sent_at +
	    HA_TICK_MS), "a majority answers them at our term: the lease is "
	    "back");
	master_tick_at(&e, sent_at + 1200);
	master_tick_at(&e, sent_at + 1300);
	master_tick_at(&e, sent_at + 1300 + HA_ELECT_MS);
	CHECK(e.role == ELECT_FOLLOWER, "no answer within HA_ELECT_MS after "
	    "another stall: it steps down");
	promote(&e, &now);
	vote_for(&e, now, S0, 1, 0);
	vote_for(&e, now, S1, 1, 0);
	for (sent_at = now; sent_at < now + HA_LEASE_MS; sent_at += HA_TICK_MS)
		master_tick_at(&e, sent_at);
	master_tick_at(&e, now + HA_LEASE_MS + 50);
	CHECK(e.role == ELECT_FOLLOWER, "ticks on time, the slaves silent: "
	    "it steps down at once, no second chance");
	CHECK(HA_LEASE_MS * 105 / 100 < HA_LOST_MS * 95 / 100, "the lease "
	    "(%d ms) ends before any slave votes (%d ms) with clocks 5 %% "
	    "apart either way", HA_LEASE_MS, HA_LOST_MS);
}

static void
ack_fence(struct elect *e, uint64_t now, uint32_t slave)
{
	struct ha_msg m = msg(HA_HEARTBEAT_ACK, slave, e->self, e->d.term);

	m.fence = e->fence;
	ha_out_clear(&out);
	elect_recv(e, now, &m, &out);
}

static void
test_sync(void)
{
	struct elect	e;
	struct ha_msg	m;
	uint64_t	now = 0, id, lag, lag_ms;

	promote(&e, &now);
	vote_for(&e, now, S0, 1, 0);
	vote_for(&e, now, S1, 1, 0);
	m = msg(HA_REPL_ACK, 0, 1, 1);
	m.base = 1;
	ha_out_clear(&out);
	elect_recv(&e, now, &m, &out);
	CHECK(e.r.sync == 1 && event(HA_EV_STANDBY_SYNCED) != NULL &&
	    e.fence.allowed == 3, "a standby that holds the whole log joins "
	    "the synchronous set and the fence");
	ha_out_clear(&out);
	id = elect_command(&e, 2, 1, &out);
	CHECK(id != 0 && out.persist && sent(HA_COMMAND, S2) == NULL &&
	    sent(HA_REPL, 0) != NULL, "a command goes to the standby, not "
	    "yet to its slave");
	m.pos = 1;
	ha_out_clear(&out);
	elect_recv(&e, now + 10, &m, &out);
	CHECK(sent(HA_COMMAND, S2) != NULL && event(HA_EV_ACCEPTED) != NULL,
	    "once the standby holds it, it is accepted and sent");
	ha_out_clear(&out);
	elect_command(&e, 0, 3, &out);
	repl_lag(&e.r, 0, now + 30, &lag, &lag_ms);
	CHECK(lag == 1 && lag_ms == 20, "the standby's lag: one record, "
	    "20 ms since its acknowledgement");
	m.pos = 2;
	ha_out_clear(&out);
	elect_recv(&e, now + 10, &m, &out);
	ha_out_clear(&out);
	elect_command(&e, 2, 2, &out);
	now += 10 + HA_SYNC_WAIT_MS + 1;
	ack_fence(&e, now, S0);
	ack_fence(&e, now, S1);
	ha_out_clear(&out);
	elect_tick(&e, now, 0, &out);
	CHECK(e.fence.allowed == 2 && sent(HA_COMMAND, S2) != NULL &&
	    sent(HA_COMMAND, S2)->id == id && nsent_to(HA_COMMAND, S2) == 1,
	    "a silent standby: the fence excludes it, the new command waits");
	ack_fence(&e, now, S0);
	CHECK(event(HA_EV_STANDBY_LOST) == NULL, "one slave of three holding "
	    "that fence is not enough");
	ack_fence(&e, now, S1);
	CHECK(event(HA_EV_STANDBY_LOST) != NULL && e.r.sync == 0 &&
	    nsent(HA_COMMAND) == 1, "a majority holds it: standby lost, the "
	    "command is sent");
}

/* The master's fence, from its heartbeat, to slave `v`. */
static void
fence_to(struct vote *v, const struct elect *e, uint64_t now)
{
	struct ha_msg m = msg(HA_HEARTBEAT, e->self, v->self, e->d.term);

	m.fence = e->fence;
	to_slave(v, now, &m);
}

/*
 * A standby that holds the whole command log but not yet the master's
 * sched.state as of its attaching (the daemon's state sync, docs/
 * FAILOVER.md "A standby's first sched.state") stays out of the
 * synchronous set and the fence: a slave refuses it a vote. Without
 * the gate it joined at its first acknowledgement and was electable
 * while the firings the master made alone were not there.
 */
static void
test_state_gate(void)
{
	struct elect	e;
	struct vote	v;
	struct ha_msg	m;
	uint64_t	now = 0;

	promote(&e, &now);
	vote_for(&e, now, S0, 1, 0);
	vote_for(&e, now, S1, 1, 0);
	elect_set_unready(&e, 1);
	m = msg(HA_REPL_ACK, 0, 1, 1);
	m.base = 1;
	ha_out_clear(&out);
	elect_recv(&e, now, &m, &out);
	now += HA_TICK_MS;
	ha_out_clear(&out);
	elect_tick(&e, now, 0, &out);
	CHECK(e.r.sync == 0 && event(HA_EV_STANDBY_SYNCED) == NULL &&
	    e.fence.allowed == 2, "a standby holding the whole log but not "
	    "the master's sched.state stays out of the set and the fence");
	vote_init(&v, S0, 0);
	fence_to(&v, &e, now);
	ask(&v, now + HA_LOST_MS, 0, 2, 0);
	CHECK(!granted(0), "the master dies before the copy arrives: a slave "
	    "holding its fence refuses the standby");
	elect_set_unready(&e, 0);
	now += HA_TICK_MS;
	ha_out_clear(&out);
	elect_tick(&e, now, 0, &out);
	CHECK(e.r.sync == 1 && event(HA_EV_STANDBY_SYNCED) != NULL &&
	    e.fence.allowed == 3, "once it holds it, it joins both");
	vote_init(&v, S0, 0);
	fence_to(&v, &e, now);
	ask(&v, now + HA_LOST_MS, 0, 2, 0);
	CHECK(granted(0), "... and a slave holding that fence votes for it");
	elect_set_unready(&e, 1);
	m.pos = 0;
	ha_out_clear(&out);
	elect_recv(&e, now, &m, &out);
	now += HA_TICK_MS;
	ha_out_clear(&out);
	elect_tick(&e, now, 0, &out);
	CHECK(e.fence.allowed == 2 && e.removing == 1, "its state sync "
	    "attached anew, behind: the fence leaves it out at once");
	ack_fence(&e, now, S0);
	ack_fence(&e, now, S1);
	CHECK(event(HA_EV_STANDBY_LOST) != NULL && e.r.sync == 0,
	    "a majority holds that fence: out of the set");
	elect_set_unready(&e, ~0u);
	CHECK(!(e.unready & 1u << e.self), "the master itself is never "
	    "unready");
}

static void
ask_forced(struct vote *v, uint64_t now, uint32_t from, uint64_t term,
    uint32_t flags)
{
	struct ha_msg m = msg(HA_VOTE_REQ, from, v->self, term);

	m.flags = HA_F_FORCE | flags;
	to_slave(v, now, &m);
}

/* A slave whose fence allows node 0 alone (the master went on without
 * its standby, node 1, then died). */
static void
test_forced_vote(void)
{
	struct vote		 v;
	struct ha_msg		 m;
	const struct ha_event	*ev;

	vote_init(&v, S0, 0);
	m = msg(HA_HEARTBEAT, 0, S0, 2);
	m.fence.term = 2;
	m.fence.seq = 3;
	m.fence.allowed = 1;
	to_slave(&v, 0, &m);
	ask(&v, HA_LOST_MS, 1, 3, 0);
	CHECK(!granted(1) && v.d.term == 2, "unforced, the standby the "
	    "fence left out is refused");
	ask_forced(&v, HA_LOST_MS - 1, 1, 3, 0);
	CHECK(!granted(1) && v.d.term == 2 && event(HA_EV_FORCED_VOTE) ==
	    NULL, "forced, but the master is still heard: refused");
	ask_forced(&v, HA_LOST_MS, 1, 3, HA_F_PRE);
	CHECK(granted(1) && !out.persist && v.d.term == 2, "a forced "
	    "pre-vote is granted, persisting nothing");
	ask_forced(&v, HA_LOST_MS, 1, 2, 0);
	CHECK(!granted(1) && v.d.term == 2, "forced in the master's own "
	    "term: refused (no second master of a term)");
	ask_forced(&v, HA_LOST_MS, 1, 3, 0);
	ev = event(HA_EV_FORCED_VOTE);
	CHECK(granted(1) && out.persist && v.d.term == 3 &&
	    v.d.voted_for == 1 && v.d.fence.allowed == 2 && ev != NULL &&
	    ev->node == 1 && ev->term == 3 && ev->value == 1,
	    "forced in a higher term, no master heard: granted, persisted, "
	    "the fence now the candidate's, said with the fence it lifted");
	ask_forced(&v, HA_LOST_MS, 0, 3, 0);
	CHECK(!granted(0) && v.d.voted_for == 1, "another node forced in "
	    "that term: refused, one vote a term");
	ask_forced(&v, HA_LOST_MS, 1, 3, 0);
	CHECK(granted(1) && !out.persist && event(HA_EV_FORCED_VOTE) == NULL,
	    "the same forced vote asked again: granted, nothing new");
}

/* Node 1 of 2, 3 slaves, armed with elect_force(). */
static void
test_force(void)
{
	struct elect		 e;
	struct ha_msg		 m;
	uint64_t		 now = 0;
	const struct ha_msg	*q;
	const struct ha_event	*ev;

	elect_init(&e, 1, 2, 3, 0);
	e.d.term = 2;
	CHECK(elect_force(&e) == 0, "a standby can be forced");
	m = msg(HA_REPL, 0, 1, 2);
	ha_out_clear(&out);
	elect_recv(&e, 50, &m, &out);
	ev = event(HA_EV_FORCE_REFUSED);
	CHECK(ev != NULL && ev->id == 1 && e.force == 0 && e.leader == 0,
	    "a master is heard: the force is given up, the standby follows");
	lose_master(&e, &now);
	CHECK(e.d.term == 2 && nreal() == 0, "unforced again: pre-votes "
	    "only, the term kept");

	elect_init(&e, 1, 2, 3, 0);
	e.d.term = 2;
	now = 0;
	elect_force(&e);
	lose_master(&e, &now);
	q = sent(HA_VOTE_REQ, S2);
	CHECK(now == HA_LOST_MS && e.d.term == 2 && !out.persist &&
	    q != NULL && q->term == 3 && (q->flags & HA_F_FORCE) &&
	    (q->flags & HA_F_PRE), "no master for HA_LOST_MS: forced "
	    "pre-votes at once (no standing delay), the term kept");
	vote_for(&e, now, S0, 3, 1);
	vote_for(&e, now, S1, 3, 1);
	q = sent(HA_VOTE_REQ, S2);
	CHECK(e.d.term == 3 && out.persist && q != NULL && q->term == 3 &&
	    (q->flags & HA_F_FORCE) && !(q->flags & HA_F_PRE) &&
	    nreal() == 3, "a majority of them: the term raised and "
	    "persisted, forced real votes asked");
	vote_for(&e, now, S0, 3, 0);
	vote_for(&e, now, S2, 3, 0);
	ev = event(HA_EV_MASTER);
	CHECK(e.role == ELECT_MASTER && ev != NULL && ev->term == 3 &&
	    ev->value == 1 && e.force == 0 && e.fence.allowed == 2,
	    "a majority: master of the new term, said to be forced");

	elect_init(&e, 1, 2, 3, 0);
	e.d.term = 2;
	now = 0;
	elect_force(&e);
	lose_master(&e, &now);
	vote_for(&e, now, S0, 3, 1);
	ha_out_clear(&out);
	while (e.role == ELECT_CANDIDATE && now < 10 * HA_ELECT_MS) {
		now += HA_TICK_MS;
		ha_out_clear(&out);
		elect_tick(&e, now, 0, &out);
		if (event(HA_EV_FORCE_REFUSED) != NULL)
			break;
	}
	ev = event(HA_EV_FORCE_REFUSED);
	CHECK(e.role == ELECT_FOLLOWER && ev != NULL && ev->id == 0 &&
	    e.force == 0 && e.d.term == 2, "one pre-vote of three: after the "
	    "round the force is given up, no term raised (the operator "
	    "decides again)");
	lose_master(&e, &now);
	q = sent(HA_VOTE_REQ, S0);
	CHECK(e.d.term == 2 && q != NULL && (q->flags & HA_F_PRE) &&
	    !(q->flags & HA_F_FORCE), "then it stands as usual: pre-votes, "
	    "no force flag");
	m = msg(HA_STALE, S0, 1, 4);	/* a master of term 4 somewhere */
	elect_force(&e);
	ha_out_clear(&out);
	elect_recv(&e, now, &m, &out);
	CHECK(e.d.term == 4 && e.role == ELECT_FOLLOWER && e.force == 0 &&
	    event(HA_EV_FORCE_REFUSED) != NULL, "armed while standing as "
	    "usual, a higher term heard: the force is given up");
}

/* A slave's result for command id, from slave index i. */
static void
result(struct elect *e, uint64_t now, uint32_t i, uint64_t id)
{
	struct ha_msg m = msg(HA_RESULT, HA_SLAVE(i), e->self, e->d.term);

	m.id = id;
	ha_out_clear(&out);
	elect_recv(e, now, &m, &out);
}

/*
 * Compaction: a master alone fills its log with settled commands; one
 * command stays unanswered. The log never holds more than HA_LOG_MAX,
 * positions go on, the waiting command is kept and still resent, and a
 * standby that resets gets a log it can hold, with gaps.
 */
static void
test_compaction(void)
{
	static struct elect	e, sb;
	struct ha_msg		m;
	uint64_t		now = 0, first, id = 0;
	int			i, ok = 1, kept = 0, resent = 0;

	promote(&e, &now);
	vote_for(&e, now, S0, 1, 0);
	vote_for(&e, now, S1, 1, 0);
	ha_out_clear(&out);
	first = elect_command(&e, 2, 7, &out);	/* never answered */
	for (i = 0; i < 3 * HA_LOG_MAX && ok; i++) {
		ha_out_clear(&out);
		if ((id = elect_command(&e, 1, i, &out)) == 0)
			ok = 0;
		else
			result(&e, now, 1, id);
		if (e.r.d.n > HA_LOG_MAX)
			ok = 0;
	}
	CHECK(ok && e.r.d.len == 1 + 6 * HA_LOG_MAX && e.r.d.n < HA_LOG_MAX,
	    "a full log drops settled records: every command taken, "
	    "positions go on");
	for (i = 0; i < (int)e.r.d.n; i++)
		kept += e.r.d.log[i].id == first;
	ha_out_clear(&out);
	elect_tick(&e, now, 0, &out);
	for (i = 0; i < out.nmsg; i++)
		resent += out.msg[i].type == HA_COMMAND && out.msg[i].id == first;
	CHECK(kept == 1 && resent == 1 && repl_index(&e.r, 1) == 0,
	    "the unanswered command stays in the log and is resent");
	elect_init(&sb, 0, 2, 3, now);
	for (i = 0; i < HA_LOG_MAX && sent(HA_REPL, 0) != NULL; i++) {
		m = *sent(HA_REPL, 0);
		ha_out_clear(&out);
		elect_recv(&sb, now, &m, &out);
		m = *sent(HA_REPL_ACK, 1);
		ha_out_clear(&out);
		elect_recv(&e, now, &m, &out);
		if (sent(HA_REPL, 0) == NULL) {
			ha_out_clear(&out);
			elect_tick(&e, now, 0, &out);
			if (e.r.sync)
				break;
		}
	}
	CHECK(sb.r.d.len == e.r.d.len && sb.r.d.n == e.r.d.n &&
	    e.r.sync == 1, "a standby takes the compacted log with its gaps "
	    "and joins the synchronous set");
}

/*
 * Firings across compaction: an event's settled firing stays in the log
 * once it is the event's latest (its result too), so a scheduler asking
 * again for an instant still in its late window is told it fired, not
 * given a second firing; an earlier instant of that event counts as
 * fired too (instants are fired in order); another event is apart.
 */
static void
test_firing_compaction(void)
{
	static struct elect	e;
	uint64_t		now = 0, f1, f2, g1;
	int			i, ok = 1;

	promote(&e, &now);
	vote_for(&e, now, S0, 1, 0);
	vote_for(&e, now, S1, 1, 0);
	f1 = HA_FIRING_BIT | 3ULL << HA_FIRING_SHIFT | 7000;
	f2 = HA_FIRING_BIT | 3ULL << HA_FIRING_SHIFT | 7700;
	g1 = HA_FIRING_BIT | 4ULL << HA_FIRING_SHIFT | 7000;
	ha_out_clear(&out);
	CHECK(elect_fire(&e, f1, 1, 1, &out) == 0, "a firing submitted");
	result(&e, now, 1, f1);
	ha_out_clear(&out);
	CHECK(elect_fire(&e, f2, 1, 2, &out) == 0 &&
	    elect_fire(&e, f2, 1, 2, &out) == 1, "the next instant once");
	result(&e, now, 1, f2);
	for (i = 0; i < 3 * HA_LOG_MAX && ok; i++) {
		uint64_t id;

		ha_out_clear(&out);
		if ((id = elect_command(&e, 1, i, &out)) == 0)
			ok = 0;
		else
			result(&e, now, 1, id);
	}
	CHECK(ok && repl_fired(&e.r, f2) && !repl_has(&e.r, f1),
	    "after compactions the event's latest firing is kept, the "
	    "earlier one dropped");
	ha_out_clear(&out);
	CHECK(elect_fire(&e, f2, 1, 2, &out) == 1 &&
	    elect_fire(&e, f1, 1, 1, &out) == 1,
	    "the latest and an earlier instant are not fired again");
	CHECK(elect_fire(&e, g1, 1, 3, &out) == 0,
	    "another event's instant is its own");
}

/* Commands the last step sent to slave `to` with this id. */
static int
nsent_id(uint32_t to, uint64_t id)
{
	int i, n = 0;

	for (i = 0; i < out.nmsg; i++)
		n += out.msg[i].type == HA_COMMAND && out.msg[i].to == to &&
		    out.msg[i].id == id;
	return n;
}

/*
 * A command settled without its slave (a cancel, an expiry: ha_settle.c
 * gives the status): a result record like a slave's, replicated; the
 * first settlement wins either way; a standby that takes the log over
 * never sends it again.
 */
static void
test_settle(void)
{
	static struct elect	e, sb;
	struct ha_msg		m;
	uint64_t		now = 0, stuck, answered, len;
	uint32_t		pending;
	int			i;

	promote(&e, &now);
	vote_for(&e, now, S0, 1, 0);
	vote_for(&e, now, S1, 1, 0);
	ha_out_clear(&out);
	stuck = elect_command(&e, 2, 1, &out);
	ha_out_clear(&out);
	answered = elect_command(&e, 2, 2, &out);
	result(&e, now, 2, answered);
	pending = e.r.pending[2];
	len = e.r.d.len;
	ha_out_clear(&out);
	CHECK(repl_settle(&e.r, stuck, 9, &out) == 0 && out.persist &&
	    e.r.d.len == len + 1 && e.r.d.log[e.r.d.n - 1].kind ==
	    HA_REC_RESULT && e.r.d.log[e.r.d.n - 1].value == 9 &&
	    e.r.pending[2] == pending - 1, "a stuck command settled: a "
	    "result record of the status given, no longer pending");
	ha_out_clear(&out);
	elect_tick(&e, now, 0, &out);
	CHECK(nsent_id(S2, stuck) == 0 && e.r.pending[2] == 0, "... never "
	    "sent again");
	result(&e, now, 2, stuck);
	CHECK(e.r.d.len == len + 1, "a slave's result after it: dropped, "
	    "the first settlement wins");
	ha_out_clear(&out);
	CHECK(repl_settle(&e.r, stuck, 10, &out) == -1 &&
	    repl_settle(&e.r, answered, 9, &out) == -1 && !out.persist &&
	    e.r.d.len == len + 1, "a second settlement, or one after the "
	    "slave's result: refused, nothing logged");
	CHECK(repl_settle(&e.r, stuck + 100, 9, &out) == -1,
	    "an id not in the log: refused");
	/* The standby takes the log; promoted, it has nothing to send. */
	elect_init(&sb, 0, 2, 3, now);
	ha_out_clear(&out);
	elect_tick(&e, now, 0, &out);
	for (i = 0; i < 4 && sent(HA_REPL, 0) != NULL; i++) {
		m = *sent(HA_REPL, 0);
		ha_out_clear(&out);
		elect_recv(&sb, now, &m, &out);
		m = *sent(HA_REPL_ACK, 1);
		ha_out_clear(&out);
		elect_recv(&e, now, &m, &out);
	}
	CHECK(sb.r.d.len == e.r.d.len, "the standby holds the settlement");
	ha_out_clear(&out);
	repl_lead(&sb.r, 2, now, &out);
	CHECK(nsent_id(S2, stuck) == 0 && sb.r.pending[2] == 0,
	    "a standby that takes over counts it settled, sends it not");
	ha_out_clear(&out);
	CHECK(repl_settle(&sb.r, stuck, 9, &out) == -1, "... and refuses "
	    "to settle it again");
}

int
main(void)
{
	test_votes();
	test_prevote_lock();
	test_fencing();
	test_alone();
	test_promotion();
	test_lease();
	test_sync();
	test_state_gate();
	test_forced_vote();
	test_force();
	test_compaction();
	test_firing_compaction();
	test_settle();
	return check_done();
}
