/*
 * A slave's vote and term fencing (shared/vote.h, docs/FAILOVER.md).
 */

#include <string.h>

#include "vote.h"

/* A deliberately broken build for the simulator's own test
 * (tests/sim): 1 = a vote answered without being persisted, 4 = a vote
 * that leaves the fence as it was, 5 = a vote fence lifted without the
 * candidate's word. Never defined in a daemon's build. */
#ifndef HA_BUG
#define HA_BUG	0
#endif

#define MASTER_BITS	((1u << HA_MAX_MASTERS) - 1)

void
vote_init(struct vote *v, uint32_t self, uint32_t first_master)
{
	memset(v, 0, sizeof(*v));
	v->self = self;
	v->leader = HA_NONE;
	v->pre_for = HA_NONE;
	v->d.voted_for = HA_NONE;
	v->d.fence.allowed = (1u << first_master) & MASTER_BITS;
	v->d.before_votes = v->d.fence;
}

void
vote_restart(struct vote *v, const struct vote_disk *d, uint32_t self)
{
	memset(v, 0, sizeof(*v));
	v->d = *d;
	v->self = self;
	v->leader = HA_NONE;
	v->pre_for = HA_NONE;
}

int
vote_hears_master(const struct vote *v, uint64_t now)
{
	return v->leader != HA_NONE && now - v->heard_ms < HA_LOST_MS;
}

static void
stale(const struct vote *v, const struct ha_msg *m, struct ha_out *o)
{
	ha_out_msg(o, HA_STALE, v->self, m->from, v->d.term);
}

/* A master of term >= ours spoke: follow it, raising our term. */
static void
follow(struct vote *v, uint64_t now, const struct ha_msg *m,
    struct ha_out *o)
{
	if (m->term > v->d.term) {
		v->d.term = m->term;
		o->persist = 1;
	}
	v->leader = m->from;
	v->heard_ms = now;
}

static void
on_heartbeat(struct vote *v, uint64_t now, const struct ha_msg *m,
    struct ha_out *o)
{
	struct ha_msg *r;

	follow(v, now, m, o);
	/* Only the master's own fence, and only a newer one. */
	if (m->fence.term == m->term &&
	    ha_fence_cmp(&m->fence, &v->d.fence) > 0) {
		v->d.fence = m->fence;
		v->d.fence.allowed &= MASTER_BITS;
		o->persist = 1;
	}
	r = ha_out_msg(o, HA_HEARTBEAT_ACK, v->self, m->from, v->d.term);
	r->fence = v->d.fence;
	r->id = m->id;		/* the master's stamp: its lease */
}

static int
memo_find(const struct vote *v, uint64_t id, int64_t *value)
{
	int i;

	for (i = 0; i < HA_MEMO; i++)
		if (v->d.memo_id[i] == id) {
			*value = v->d.memo_value[i];
			return 1;
		}
	return 0;
}

/*
 * A command: from the memo if its id was executed already, else
 * remembered (persisted) and executed. The caller persists before it
 * acts, so a restart after the act finds the id in the memo.
 */
static void
on_command(struct vote *v, uint64_t now, const struct ha_msg *m,
    struct ha_out *o)
{
	struct ha_msg	*r;
	int64_t		 value;
	uint32_t	 flags = 0;

	follow(v, now, m, o);
	if (m->id == 0)
		return;
	if (memo_find(v, m->id, &value))
		flags = HA_F_DUP;
	else {
		value = m->value;
		v->d.memo_id[v->d.memo_next] = m->id;
		v->d.memo_value[v->d.memo_next] = value;
		v->d.memo_next = (v->d.memo_next + 1) % HA_MEMO;
		o->persist = 1;
		ha_out_event(o, HA_EV_EXECUTE, v->self, m->term, m->id, value);
	}
	r = ha_out_msg(o, HA_RESULT, v->self, m->from, v->d.term);
	r->id = m->id;
	r->value = value;
	r->flags = flags;
}

/* May `m->from` have our vote (or pre-vote) for term m->term? */
static int
may_grant(const struct vote *v, uint64_t now, const struct ha_msg *m)
{
	if (m->term < v->d.term)
		return 0;
	if (m->term == v->d.term)	/* only the same vote, repeated */
		return !(m->flags & HA_F_PRE) &&
		    v->d.voted_term == m->term && v->d.voted_for == m->from;
	if (vote_hears_master(v, now))
		return 0;
	/* A pre-vote given to another candidate this round: its round
	 * first. Only liveness hangs on pre-votes, never safety. */
	if ((m->flags & HA_F_PRE) && v->pre_for != HA_NONE &&
	    v->pre_for != m->from && now - v->pre_ms < HA_ELECT_MS)
		return 0;
	/* An operator's forced promotion (hd-master --force-promote) lifts
	 * the fence, and nothing else: a higher term, once per term, and
	 * never while a master is heard. */
	if (m->flags & HA_F_FORCE)
		return 1;
	return (v->d.fence.allowed & (1u << m->from)) != 0;
}

/* The fence a vote for `node` leaves (a master's first fence looks
 * the same: lift() tells them apart by the candidate's base). */
static int
vote_fence(const struct ha_fence *f, uint32_t node)
{
	return f->seq == 0 && f->allowed == 1u << node;
}

/*
 * A candidate's request says it was master of no term after its log's
 * base and before the one it asks for (it would have based its log on
 * it). A fence our vote set for it in such a term guards nothing: the
 * fence from before our votes comes back, or two candidates that split
 * a vote would each keep the other out for ever.
 */
static void
lift(struct vote *v, const struct ha_msg *m, struct ha_out *o)
{
	struct ha_fence *f = &v->d.fence;

	if (vote_fence(f, m->from) && (m->base < f->term || HA_BUG == 5) &&
	    f->term < m->term) {
		*f = v->d.before_votes;
		o->persist = 1;
	}
}

/*
 * A vote request. A real vote raises our term, records the vote and
 * narrows the fence to the candidate: a majority that granted it then
 * refuses any node the new master has not made whole (docs/FAILOVER.md,
 * "Why a stale standby cannot win"). A pre-vote changes nothing.
 */
static void
on_vote_req(struct vote *v, uint64_t now, const struct ha_msg *m,
    struct ha_out *o)
{
	struct ha_msg	*r;
	int		 pre = (m->flags & HA_F_PRE) != 0;
	int		 granted;

	lift(v, m, o);
	granted = may_grant(v, now, m);
	if (granted && pre) {
		v->pre_for = m->from;
		v->pre_ms = now;
	}
	if (granted && !pre && m->term > v->d.term) {	/* not a repeat */
		/* Said loudly by the caller: what the nodes the fence
		 * allowed did alone may be unknown to the new master. */
		if (!(v->d.fence.allowed & (1u << m->from)))
			ha_out_event(o, HA_EV_FORCED_VOTE, m->from, m->term,
			    0, v->d.fence.allowed);
		/* lift() took back a vote fence that guards nothing;
		 * one still here is a master's and stays under ours. */
		v->d.before_votes = v->d.fence;
		v->d.term = m->term;
		v->d.voted_term = m->term;
		v->d.voted_for = m->from;
		v->d.fence.term = m->term;
		v->d.fence.seq = 0;
		if (HA_BUG != 4)
			v->d.fence.allowed = 1u << m->from;
		v->leader = HA_NONE;
		if (HA_BUG != 1)
			o->persist = 1;
	}
	r = ha_out_msg(o, HA_VOTE, v->self, m->from,
	    granted ? m->term : v->d.term);
	r->flags = (pre ? HA_F_PRE : 0) | (granted ? HA_F_GRANTED : 0);
}

void
vote_recv(struct vote *v, uint64_t now, const struct ha_msg *m,
    struct ha_out *o)
{
	if (m->from >= HA_MAX_MASTERS || m->to != v->self)
		return;		/* only master-capable nodes talk to us */
	switch (m->type) {
	case HA_HEARTBEAT:
	case HA_COMMAND:
		if (m->term < v->d.term) {
			stale(v, m, o);
			return;
		}
		if (m->type == HA_HEARTBEAT)
			on_heartbeat(v, now, m, o);
		else
			on_command(v, now, m, o);
		break;
	case HA_VOTE_REQ:
		on_vote_req(v, now, m, o);
		break;
	default:
		break;		/* not for a slave */
	}
}
