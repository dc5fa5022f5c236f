#ifndef HD_HA_DISK_H
#define HD_HA_DISK_H

/*
 * A slave's failover state on disk (docs/FAILOVER.md): the vote
 * machine's struct vote_disk <-> VoteState (proto/ha.proto), written
 * with state_save (atomic, fsync'd) whenever a step sets out->persist,
 * before anything is sent or acted on. Master-capable nodes are named by
 * node id, as on the wire; `hm` maps them. What is read back is checked
 * like a peer's message: a file that fails is refused with the reason
 * (the slave then refuses to start rather than forget a vote).
 */

#include "ha.pb-c.h"
#include "hamasters.h"
#include "vote.h"

/* What vote_disk_out's message points into: the caller's, alive as long
 * as the message. */
struct ha_disk_buf {
	Hd__VoteState	 vs;
	Hd__HaFence	 fence[2];
	char		*allowed[2][HA_MAX_MASTERS];
	Hd__MemoEntry	 memo[HA_MEMO];
	Hd__MemoEntry	*memop[HA_MEMO];
	Hd__Value	 value[HA_MEMO];
};

/* -1 only if the disk part names a node past the list (a bug). */
int	vote_disk_out(const struct vote_disk *, const struct ha_masters *,
	    struct ha_disk_buf *);
/* 0, or -1 with why. */
int	vote_disk_in(const Hd__VoteState *, const struct ha_masters *,
	    struct vote_disk *, char *why, size_t whylen);

#endif
