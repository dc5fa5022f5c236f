#ifndef HD_VOTE_H
#define HD_VOTE_H

/*
 * A slave's part in failover (docs/FAILOVER.md): it follows the master
 * of the highest term, refuses a lower one, votes at most once a term
 * (the vote persisted before the answer), refuses to vote while it
 * still hears its master, votes only for a node its fence allows (or
 * one an operator forces up, HA_F_FORCE: raising HA_EV_FORCED_VOTE), and
 * answers a repeated command id from its memo instead of acting again.
 * Pure: the caller passes the time and each message, writes `d` when
 * out->persist is set, then sends out's messages and acts on its
 * HA_EV_EXECUTE events.
 */

#include "ha.h"

/* What survives a restart: written whole, crash-safely. */
struct vote_disk {
	uint64_t	term;		/* highest master term seen */
	uint64_t	voted_term;	/* the term of the last vote given */
	uint32_t	voted_for;
	struct ha_fence	fence;
	struct ha_fence	before_votes;	/* the fence our votes replaced */
	uint64_t	memo_id[HA_MEMO];	/* commands executed, a ring */
	int64_t		memo_value[HA_MEMO];
	uint32_t	memo_next;
};

struct vote {
	struct vote_disk d;
	uint32_t	self;		/* HA_SLAVE(i) */
	uint32_t	leader;		/* master followed now, HA_NONE */
	uint64_t	heard_ms;	/* its last message */
	/* The pre-vote granted last (not persisted): another candidate's
	 * waits HA_ELECT_MS, so two standbys that stand together do not
	 * both raise their term and split the real votes. */
	uint32_t	pre_for;
	uint64_t	pre_ms;
};

/* A fresh install: term 0, only `first_master` may be elected. */
void	vote_init(struct vote *, uint32_t self, uint32_t first_master);
/* After a restart: what was on disk, no master heard yet. */
void	vote_restart(struct vote *, const struct vote_disk *, uint32_t self);
void	vote_recv(struct vote *, uint64_t now, const struct ha_msg *,
	    struct ha_out *);
/* Has a master of our term been heard within HA_LOST_MS? */
int	vote_hears_master(const struct vote *, uint64_t now);

#endif
