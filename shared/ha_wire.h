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
	Hd__ReplRecord		*records[HA_REPL_BATCH];
};

/* Is this Envelope body one of the election's (ha_wire_in's)? */
int	ha_wire_is_ha(const Hd__Envelope *);
/* Peer's envelope -> message from `from` to `to`: 0, or -1 with why. */
int	ha_wire_in(const Hd__Envelope *, uint32_t from, uint32_t to,
	    const struct ha_masters *, struct ha_msg *, char *why,
	    size_t whylen);
/* The same on a master-capable node: a REPL's records are taken, each
 * checked (ha_wire_rec_in), slaves named by `hs`. Each record of
 * m->rec[i] is at e->repl->records[i] (the caller keeps what it needs
 * of them: they go with the envelope). */
int	ha_wire_in_log(const Hd__Envelope *, uint32_t from, uint32_t to,
	    const struct ha_masters *, const struct ha_slaves *,
	    struct ha_msg *, char *why, size_t whylen);
/* Message -> envelope (body and term set, nothing else touched): 0, or
 * -1 for a type that does not travel this way (COMMAND, RESULT: their
 * own bodies; a REPL with records: ha_wire_out_log) or a fence naming a
 * node past the list. */
int	ha_wire_out(const struct ha_msg *, const struct ha_masters *,
	    Hd__Envelope *, struct ha_wire_buf *);
/* The same, with a REPL's records: rec(arg, &m->rec[i]) gives each
 * one's ReplRecord (borrowed until the envelope is sent), which must
 * say what m->rec[i] says (-1 if not, or if rec gives NULL). */
typedef const Hd__ReplRecord *ha_wire_rec_fn(void *,
	    const struct ha_rec *);
int	ha_wire_out_log(const struct ha_msg *, const struct ha_masters *,
	    const struct ha_slaves *, ha_wire_rec_fn *, void *,
	    Hd__Envelope *, struct ha_wire_buf *);

/* ha_wire_rec.c: one record of a peer's stream (or of the log file),
 * after position `after`: 0, or -1 with why (every field checked; the
 * slave named must be in `hs`). A command's value is 0 in `out`, a
 * result's its status. */
int	ha_wire_rec_in(const Hd__ReplRecord *, uint64_t after,
	    const struct ha_slaves *, struct ha_rec *, char *why,
	    size_t whylen);
/* Does r say what rec says (position, kind, id, slave, status)? */
int	ha_wire_rec_matches(const Hd__ReplRecord *, const struct ha_rec *,
	    const struct ha_slaves *);

#endif
