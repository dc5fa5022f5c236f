#ifndef HD_HA_WIRE_H
#define HD_HA_WIRE_H

/*
 * The election's messages on the cluster link (docs/FAILOVER.md): a
 * failover machine's struct ha_msg <-> an Envelope body (21-25 of
 * proto/cluster.proto). Every field of a peer's body is checked here,
 * as for any peer input: a body that fails is malformed and its sender
 * is dropped with the reason.
 *
 * Terms: a heartbeat, its acknowledgement and a STALE answer carry the
 * message's term in Envelope.term (the sender's term, which the link
 * stamps on every envelope), as do the log stream and its ack; a vote
 * request and a vote carry it in the body, since a pre-vote asks for a term the candidate does not hold.
 * Fences name master-capable nodes by node id; `hm` (the config's
 * master lines) maps them to the machines' numbers.
 */

#include "cluster.pb-c.h"
#include "ha.h"
#include "hamasters.h"

/* What a body built by ha_wire_out points into: the caller's, alive as
 * long as the envelope. */
struct ha_wire_buf {
	Hd__HaFence		 fence;
	Hd__HaHeartbeat		 hb;
	Hd__HaFenceAck		 ack;
	Hd__HaVoteRequest	 vreq;
	Hd__HaVote		 vote;
	Hd__HaStale		 stale;
	Hd__ReplStream		 repl;
	Hd__ReplAck		 rack;
	char			*allowed[HA_MAX_MASTERS];
};

/* Is this Envelope body one of the election's (ha_wire_in's)? */
int	ha_wire_is_ha(const Hd__Envelope *);
/* Peer's envelope -> message from `from` to `to`: 0, or -1 with why. */
int	ha_wire_in(const Hd__Envelope *, uint32_t from, uint32_t to,
	    const struct ha_masters *, struct ha_msg *, char *why,
	    size_t whylen);
/* Message -> envelope (body and term set, nothing else touched): 0, or
 * -1 for a type that does not travel this way (COMMAND, RESULT: their
 * own bodies; a REPL with records: not carried yet) or a fence naming a
 * node past the list. */
int	ha_wire_out(const struct ha_msg *, const struct ha_masters *,
	    Hd__Envelope *, struct ha_wire_buf *);

#endif
