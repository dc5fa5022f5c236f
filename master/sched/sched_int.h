#ifndef HD_SCHED_INT_H
#define HD_SCHED_INT_H

/*
 * Private to master/sched/sched_master.c and sched_outbox.c: the
 * scheduler in hd-master and its outbox of firing commands
 * (docs/FAILOVER.md#scheduled-firings).
 */

#include "ev.h"
#include "sched/sched.h"
#include "sched/sched_master.h"
#include "sched/sched_run.h"

/* A command sent for an event, until its result: ids are matched
 * together with the slave it went to, so that no other slave can end it. */
struct inflight {
	uint64_t	id;
	char		node[NODE_ID_MAX + 1];
	char		event[SCHED_NAME_MAX + 1];
};

/* A slave's replay of its local firings since it came online: done once
 * its LocalSync arrived (docs/SCHEDULER.md#local-rules). */
struct lsync {
	char		node[NODE_ID_MAX + 1];	/* "" free */
	int		synced;
};

/* A report whose scheduler state (a firing's record, a 'for' started)
 * the standby does not hold yet: not acknowledged to its slave until
 * it does (node.ack_below), `until` at most (docs/FAILOVER.md#value-
 * triggered-firings). */
struct ackhold {
	char		node[NODE_ID_MAX + 1];
	uint64_t	seq, token, until, first;
	uint64_t	next_seq, next_token;	/* reports since `token` */
};

struct sched_master {
	struct master	*m;
	struct sched	*s;
	struct ev_timer	 timer;
	struct sched_api api;
	struct inflight	 inflight[SCHED_INFLIGHT];	/* ring */
	unsigned	 ninflight;
	int		 starting;	/* in sched_start(): its catch-up */
	struct sched_hold hold;		/* the outbox (sched_hold.c) */
	struct ev_timer	 hold_timer;	/* its next deadline */
	uint64_t	 saved_at;	/* ev_clock_ms(): written then */
	uint64_t	 await_until;	/* a takeover's wait for slaves */
	struct lsync	 lsync[SCHED_SYNC_NODES];
	unsigned	 saves;		/* state files written */
	struct ackhold	 acks[SCHED_ACK_HOLDS];
	int		 nacks;
	struct sched_runkeys runkeys;	/* sched_runkeys.c */
	struct sched_runwait runwaits[SCHED_RUN_WAITS];
};

/* sched_master.c */
/* Send `cmd` of event `by` to `n`, remembered for its result: 0, or -1
 * with why. */
int		 sm_send(struct sched_master *, struct node *, Hd__Command *,
		    const char *by, char *why, size_t);
/* Is `node` online: 0 (*np), 1 left to its local rules, -1 why not. */
int		 sm_offline(struct sched_master *, const char *node,
		    const char *by, struct node **np, char *why, size_t);
int64_t		 sm_wall(void *);
/* The engine's one timer, for its earliest instant. */
void		 sm_rearm(void *);
/* Each line of `e` logged after `what`. */
void		 sm_log_errors(const char *what, struct sched_errs *);

/* sched_master_local.c: the slaves' local rules. */
/* Slave `node`'s entry, made if `make`; NULL if none. */
struct lsync	*sm_lsync(struct sched_master *, const char *node, int make);
/* For the API: has slave `node` sent its LocalSync since it came online? */
int		 sm_local_synced(void *, const char *node);
/* Is event `by` one of offline slave `node`'s local rules? */
int		 sm_left_local(struct sched_master *, const char *by,
		    const char *node);
/* Slave `n`'s rule set, after its Welcome and each reload. */
void		 sm_send_rules(struct sched_master *, struct node *);

/* sched_outbox.c */
int		 sm_awaited(struct sched_master *, Hd__Command *,
		    const char *node, const char *by);
int		 sm_defers(void *);
void		 sm_hold_pump(struct sched_master *, int all);
void		 sm_hold_arm(struct sched_master *, uint64_t when);
void		 sm_on_hold_timer(struct ev_timer *);
void		 sm_hold_put(void *, Hd__SchedState *);
void		 sm_hold_get(void *, const Hd__SchedState *);
/* The sync ops (ssync_wire.c), or zeros. */
const struct sched_sync *sm_sync(void);

/* sched_localcatch.c: a firing of a slave's local rules just after a
 * takeover, held for that slave (docs/FAILOVER.md#local-rules-at-a-
 * takeover). */
/* Held until it registers: 0, or -1 (outbox full). */
int		 sm_await_local(struct sched_master *, Hd__Command *,
		    const char *node, const char *by, int64_t due);
/* Held entry `c`: 1 if missed now (dropped, reported once per firing),
 * 0 if it may still go. */
int		 sm_local_late(struct sched_master *, struct sched_hold_cmd *,
		    uint64_t now);

/* master/api/api_sched_run.c: "run" from the API (docs/FAILOVER.md#run-from-the-api). */
/* Its prototypes, and what it reaches of the scheduler, are public
 * (sched_run.h). sched_master_run.c: the keys into and out of the state
 * file (sm_hold_put, sm_hold_get). */
void		 sm_runkeys_put(struct sched_master *, Hd__SchedState *);
void		 sm_runkeys_get(struct sched_master *, const Hd__SchedState *);
/* Report `seq` of `n` changed the state just written: its ack waits for
 * the standby (nothing without one). */
void		 sm_ack_hold(struct sched_master *, struct node *, uint64_t seq);

#endif
