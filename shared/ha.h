#ifndef HD_HA_H
#define HD_HA_H

/*
 * Failover's common vocabulary (docs/FAILOVER.md): the messages the
 * election and replication state machines exchange, the fence the slaves
 * keep, and the output a step of any machine returns.
 *
 * The machines (vote.c on a slave, elect.c and repl.c on a
 * master-capable node) are pure: no sockets, no clock, no files. Time
 * and messages come in as arguments; messages, events and "persist
 * now" come out in a struct ha_out. The caller writes the machine's
 * disk part first if out->persist is set, and only then sends the
 * messages and acts on the events: persist, then answer.
 *
 * Node numbers: master-capable nodes are 0..HA_MAX_MASTERS-1 (0 is the
 * installation's first master), slave i is HA_SLAVE(i).
 */

#include <stdint.h>

#include "hdlimits.h"

#define HA_NONE		0xffffffffu
#define HA_SLAVE(i)	(HA_MAX_MASTERS + (uint32_t)(i))
#define HA_IS_SLAVE(n)	((n) >= HA_MAX_MASTERS && (n) != HA_NONE)
#define HA_SLAVE_IDX(n)	((n) - HA_MAX_MASTERS)

enum ha_type {
	HA_HEARTBEAT = 1,	/* master -> slave: term, fence */
	HA_HEARTBEAT_ACK,	/* slave -> master: term, fence held */
	HA_COMMAND,		/* master -> slave: term, id, value */
	HA_RESULT,		/* slave -> master: id, value, dup */
	HA_VOTE_REQ,		/* candidate -> slave: term, pre */
	HA_VOTE,		/* slave -> candidate: term, pre, granted */
	HA_STALE,		/* to the sender of a lower term: term */
	HA_REPL,		/* master -> standby: records (reset: from 1) */
	HA_REPL_ACK,		/* standby -> master: base term, pos held */
};

/*
 * The fence a slave keeps: which master-capable nodes it may vote for.
 * A master narrows it (and waits for a majority to hold it) before it
 * acts without a standby; granting a vote sets it to the candidate
 * alone. Versions order by (term, seq); a slave keeps the newest.
 */
struct ha_fence {
	uint64_t	term;
	uint64_t	seq;
	uint32_t	allowed;	/* bit n: master-capable node n */
};

enum ha_rec_kind {
	HA_REC_COMMAND = 1,	/* a command to send: synchronous */
	HA_REC_RESULT,		/* its outcome: asynchronous */
};

/* One replicated record. A command's id is unique per installation:
 * API commands (term << 32 | n), firings HA_FIRING_ID(event, due). */
struct ha_rec {
	uint64_t	pos;		/* 1, 2, ... in the log */
	uint64_t	id;
	int64_t		value;
	uint32_t	kind;		/* enum ha_rec_kind */
	uint32_t	slave;		/* slave index */
};

#define HA_FIRING_BIT		(1ULL << 63)
/* A firing's id (elect_fire, the simulator's model of the scheduler):
 * HA_FIRING_BIT, its event from HA_FIRING_SHIFT up, its instant below,
 * so that one event's ids grow with its instants. */
#define HA_FIRING_SHIFT		40
#define HA_FIRING_KEY(id)	((id) >> HA_FIRING_SHIFT)

struct ha_msg {
	uint32_t	type;		/* enum ha_type */
	uint32_t	from, to;
	uint64_t	term;
	struct ha_fence	fence;		/* HEARTBEAT(_ACK) */
	uint64_t	id;		/* COMMAND, RESULT; HEARTBEAT(_ACK):
					 * the master's send stamp (elect.c) */
	int64_t		value;		/* COMMAND, RESULT */
	uint32_t	flags;		/* HA_F_* */
	uint64_t	base;		/* REPL_ACK, VOTE_REQ: term of the log's base */
	uint64_t	pos;		/* REPL: records follow pos; ACK: held */
	uint32_t	nrec;		/* REPL */
	struct ha_rec	rec[HA_REPL_BATCH];
};

#define HA_F_PRE	0x01		/* VOTE_REQ, VOTE: a pre-vote */
#define HA_F_GRANTED	0x02		/* VOTE */
#define HA_F_DUP	0x04		/* RESULT: from the memo */
#define HA_F_RESET	0x08		/* REPL: drop your log, take mine */
#define HA_F_FORCE	0x10		/* VOTE_REQ (and pre): an operator forces
				 * it up (hd-master --force-promote): the
				 * fence is lifted, nothing else */

enum ha_event_type {
	HA_EV_MASTER = 1,	/* this node is master of term */
	HA_EV_STEP_DOWN,	/* it is not any more */
	HA_EV_ACCEPTED,		/* command id may be acted on: answer "accepted" */
	HA_EV_EXECUTE,		/* slave: act on command id now (value) */
	HA_EV_STANDBY_LOST,	/* going on without standby `node` */
	HA_EV_STANDBY_SYNCED,	/* standby `node` is in the synchronous set */
	HA_EV_FORCED_VOTE,	/* slave: voted for `node` against its fence
				 * (value: the fence's allowed set) */
	HA_EV_FORCE_REFUSED,	/* a forced promotion given up: a master is
				 * heard (id 1) or no majority voted (id 0) */
};

struct ha_event {
	uint32_t	type;		/* enum ha_event_type */
	uint32_t	node;
	uint64_t	term;
	uint64_t	id;
	int64_t		value;
};

#define HA_OUT_MSGS	(HA_MAX_SLAVES * (HA_MAX_PENDING + 1) + \
			    2 * HA_MAX_MASTERS)
#define HA_OUT_EVENTS	(HA_MAX_SLAVES * HA_MAX_PENDING + 8)

/* What one step returns; the caller empties it (ha_out_clear) before. */
struct ha_out {
	int		persist;	/* write the disk part before anything */
	int		nmsg, nev;
	int		overflow;	/* more than fit: dropped (as if lost) */
	struct ha_msg	msg[HA_OUT_MSGS];
	struct ha_event	ev[HA_OUT_EVENTS];
};

void		 ha_out_clear(struct ha_out *);
/* A new message to `to`, zeroed but for type, from, to, term. */
struct ha_msg	*ha_out_msg(struct ha_out *, uint32_t type, uint32_t from,
		    uint32_t to, uint64_t term);
void		 ha_out_event(struct ha_out *, uint32_t type, uint32_t node,
		    uint64_t term, uint64_t id, int64_t value);
/* -1, 0, 1 as fence a is older than, the same as, newer than b. */
int		 ha_fence_cmp(const struct ha_fence *, const struct ha_fence *);
int		 ha_majority(int n);

#endif
