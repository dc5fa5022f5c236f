/*
 * What zw_session.c (the wire: ACK, response, callback, retransmissions,
 * the stick's liveness) and zw_session_queue.c (the slot pool, the
 * two-priority queue, completions) share; nothing else includes it.
 */
#ifndef HD_ZW_SESSION_INT_H
#define HD_ZW_SESSION_INT_H

#include <sys/queue.h>

#include "zwave/zw.h"

enum tx_state {
	TX_IDLE,
	TX_BACKOFF,		/* waiting to retransmit cur */
	TX_WAIT_ACK,
	TX_WAIT_RES,
};

struct zw_slot {
	TAILQ_ENTRY(zw_slot)	 entry;
	struct zw_req		 r;
	int			 used;
	int			 txfails;	/* FAIL / NOT_IDLE callbacks */
};

TAILQ_HEAD(zw_slotq, zw_slot);

struct zw_session {
	const struct zw_session_ops	*ops;
	void				*arg;
	struct zw_timing		 t;
	struct zw_parser		 p;
	struct zw_slot			 pool[ZW_QUEUE_MAX];
	struct zw_slotq			 q[2];		/* by enum zw_prio */
	int				 nqueued;
	struct zw_slot			*cur;		/* on the wire */
	enum tx_state			 st;
	int				 tries;
	uint64_t			 deadline;	/* of st */
	struct zw_slot			*cbw;		/* awaiting callback */
	struct zw_frame			 cb_res;	/* its response */
	uint64_t			 cb_deadline;
	uint64_t			 abort_at;	/* SendDataAbort due */
	int				 aborted;	/* cbw: abort sent */
	struct zw_slot			*resend;	/* not transmitted */
	uint64_t			 resend_at;
	int				 jammed;	/* radio said jammed */
	uint8_t				 cb_id;		/* last one given */
	uint64_t			 tx_after;	/* ACK gap */
	uint64_t			 ack_after;	/* ACK-to-ACK gap */
	int				 acks_owed;	/* held for that gap */
	int				 timeouts;	/* consecutive */
	int				 down;
	uint64_t			 hold_until;	/* a soft reset */
	struct zw_stats			 stats;
	struct zw_frame			 rx;
};

/* zw_session_queue.c */
/* Release the slot, then call its owner's done (which may submit). */
void	zws_finish(struct zw_session *, struct zw_slot *, enum zw_status,
	    const struct zw_frame *res, const struct zw_frame *cb);
/* Fail what the stick holds (on the wire, awaiting a callback, or
 * parked to be sent again); fail_all the queued requests too. */
void	zws_fail_inflight(struct zw_session *, enum zw_status);
void	zws_fail_all(struct zw_session *, enum zw_status);
/* The first queued request that may go now, NULL if none; *prio its
 * queue. */
struct zw_slot *zws_next_eligible(struct zw_session *, int *prio);
/* Put the parked SendData back at the head of the queue. */
void	zws_resend_due(struct zw_session *);

/* zw_session.c */
/* Put the next eligible request on the wire if the line is free. */
void	zws_kick(struct zw_session *, uint64_t now);

#endif
