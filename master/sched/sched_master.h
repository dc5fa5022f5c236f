#ifndef HD_SCHED_MASTER_H
#define HD_SCHED_MASTER_H

/*
 * The scheduler inside hd-master (sched_master.c, docs/SCHEDULER.md): the
 * engine of sched.h fed by the cluster's observers (master/wiring.c), its
 * commands sent through the cluster.
 */

#include <sys/queue.h>

#include "cluster.pb-c.h"
#include "master.pb-c.h"
#include "hdlimits.h"

struct master;
struct node;
struct sched;

/* sched_master.c: the scheduler in the master (docs/SCHEDULER.md) */
struct sched_master;
/* Load conf.events (with -n only check it); -1 on errors, logged. */
int		 sched_master_start(struct master *, int checkonly);
void		 sched_master_run(struct master *);
void		 sched_master_stop(struct master *);
/* SIGHUP: reload; a bad file keeps the old schedule. */
void		 sched_master_reload(struct master *);
void		 sched_master_value(struct master *, struct node *,
		    const Hd__ValueReport *);
void		 sched_master_node(struct master *, struct node *, int online);
/* A slave's CommandResult; only the slave a command went to can end it. */
void		 sched_master_result(struct master *, struct node *,
		    const Hd__CommandResult *);
/* The engine, for wiring its notifications (sched_set_notify). */
struct sched	*sched_master_engine(struct master *);
/* A firing a cut-off slave made by its local rules (LocalFiring), heard
 * when it is back: into the event's state and the stream, marked local.
 * -1 if malformed (the cluster drops the slave). */
int		 sched_master_local_firing(struct master *, struct node *,
		    const Hd__LocalFiring *);
/* A returning old master's unreplicated firings (sched_master_orphan.c):
 * checked, each recorded once, never run; -1 with *why drops the link. */
int		 sched_master_orphans(struct master *, const char *from,
		    const Hd__SchedOrphans *, const char **why);
/*
 * The firing record's way to the standby (docs/FAILOVER.md#scheduled-
 * firings), set once by the top level (ssync_wire.c): mark(name) gives a
 * token for state file `name` as just written, 0 when there is no
 * standby to wait for; done(name, token) says whether the standby holds
 * that version (or is gone). A firing's commands wait for sched.state
 * (with the firing's record and the commands), SCHED_SYNC_WAIT_MS at
 * most.
 */
struct sched_sync {
	uint64_t	(*mark)(void *, const char *name);
	int		(*done)(void *, const char *name, uint64_t token);
	void		*arg;
	/* Does the standby hold that version (done() says 1 for a
	 * standby gone too)? NULL: done() and still attached (mark()). */
	int		(*held)(void *, const char *name, uint64_t token);
};
void		 sched_master_set_sync(const struct sched_sync *);
/* The standby acknowledged something, or went: send what may go. */
void		 sched_master_sync_poll(struct master *);
/* This master steps down (cluster/ha.h's step_down hook): the runs from
 * the API that wait for the standby are answered 503 now. */
void		 sched_master_step_down(struct master *);
/*
 * This node was elected master (docs/FAILOVER.md): the scheduler takes
 * the master's schedule as replicated here (events.last-good), its
 * runtime state (sched.state) as it is now, with the outbox of firing
 * commands it sends again; then it runs.
 */
void		 sched_master_takeover(struct master *);

/* sched_hold.c: the outbox of firing commands (above). */
enum hold_state {
	HOLD_WAIT,		/* recorded, waiting for the standby */
	HOLD_SENT,		/* sent, until its result */
	HOLD_RESEND		/* from the outbox at a takeover: once its
				 * slave is back */
};
struct sched_hold_cmd {
	TAILQ_ENTRY(sched_hold_cmd) entry;
	enum hold_state	 state;
	int		 marked;		/* token set */
	int		 saved;			/* in the state file */
	uint64_t	 token;			/* sched.state's version */
	uint64_t	 deadline;		/* ev_clock_ms(): the wait's
						 * end, or the entry's */
	uint64_t	 sync_until;		/* HOLD_RESEND of a firing made
						 * here (awaiting its slave):
						 * its record's wait ends */
	uint64_t	 id, firing_id;
	int64_t		 local_due;		/* a firing of its slave's local
						 * rules held for it after a
						 * takeover: its instant (wall
						 * ms); 0 none */
	uint64_t	 local_until;		/* and its SCHED_LOCAL_HOLD_MS
						 * (the deadline: this, or its
						 * catch-up's end if sooner) */
	uint32_t	 pulse_ms;
	char		 node[NODE_ID_MAX + 1], dev[DEVICE_ID_MAX + 1];
	char		 key[VALUE_KEY_MAX + 1], event[SCHED_NAME_MAX + 1];
	Hd__Value	 value;
	char		 str[VALUE_STR_MAX + 1];
};
struct sched_hold_disk {
	Hd__SchedOut	 out[SCHED_HOLD_MAX];
	Hd__SchedValue	 val[SCHED_HOLD_MAX];
	Hd__SchedOut	*outp[SCHED_HOLD_MAX];
};
/* Per slave, the last report the engine's state reflects (its boot and
 * sequence number), written with that state: replayed to a master that
 * starts from it, reports up to there are history it holds already. */
struct sched_cursor {
	char		 node[NODE_ID_MAX + 1];	/* "" free */
	uint64_t	 boot_id, seq;
};
struct sched_hold {
	TAILQ_HEAD(, sched_hold_cmd) q;
	int		 n;
	int		 dirty;			/* differs from the file */
	int		 unmarked;		/* entries without tokens */
	struct sched_hold_disk *disk;		/* what put() points into */
	struct sched_cursor cur[SCHED_SYNC_NODES];
	Hd__SchedCursor	 dcur[SCHED_SYNC_NODES];
	Hd__SchedCursor	*dcurp[SCHED_SYNC_NODES];
};
void		 sched_hold_init(struct sched_hold *);
/* Record `cmd` (copied) in state HOLD_WAIT (for the standby) or
 * HOLD_RESEND (for its slave), until `deadline`; -1 if full
 * (SCHED_HOLD_MAX) or out of memory. */
int		 sched_hold_add(struct sched_hold *, const Hd__Command *,
		    const char *node, const char *event, enum hold_state,
		    uint64_t deadline);
/* The same, HOLD_RESEND, for a firing of `node`'s local rules due at
 * `due` (docs/FAILOVER.md#local-rules-at-a-takeover): held `until`, its
 * deadline `deadline` (sooner if its catch-up ends before). */
int		 sched_hold_add_local(struct sched_hold *, const Hd__Command *,
		    const char *node, const char *event, uint64_t until,
		    uint64_t deadline, int64_t due);
/* Other entries of the same local firing as `c` (its slave, firing id). */
int		 sched_hold_siblings(struct sched_hold *,
		    const struct sched_hold_cmd *);
/* The token of the state file just written, for the entries without:
 * a new firing's, waiting for the standby (HOLD_WAIT) or for its slave
 * too (HOLD_RESEND of a firing just after a takeover, `until` the end
 * of its wait for the standby). Those read from a file need none. */
void		 sched_hold_mark(struct sched_hold *, uint64_t token,
		    uint64_t until);
/* A result for `id` from `node`: its entry dropped; 1 if there was one. */
int		 sched_hold_result(struct sched_hold *, const char *node,
		    uint64_t id);
void		 sched_hold_drop(struct sched_hold *, struct sched_hold_cmd *);
void		 sched_hold_clear(struct sched_hold *);
/* A Command for sending, pointing into `c`. */
void		 sched_hold_to_cmd(struct sched_hold_cmd *, Hd__Command *);
/* Into the engine's state file as it is written (its hook). */
void		 sched_hold_put(struct sched_hold *, Hd__SchedState *);
/* The outbox of a state file read, as HOLD_RESEND until `deadline`:
 * how many (each checked; a bad one logged and left out). The cursors
 * too. */
int		 sched_hold_take(struct sched_hold *, const Hd__SchedState *,
		    uint64_t deadline);
/* Report `seq` of slave `node`'s boot `boot_id` is about to change the
 * state: 1 if the state reflects it already (skip it), else 0 and it is
 * the slave's cursor from now. */
int		 sched_cursor_seen(struct sched_hold *, const char *node,
		    uint64_t boot_id, uint64_t seq);

/* sched_runkeys.c: the clients' keys of runs from the API, the last
 * SCHED_RUN_KEYS, kept in sched.state (SchedRunKey): a run with a key
 * found is a repeat (docs/FAILOVER.md#run-from-the-api). */
struct sched_runkey {
	char		key[SCHED_RUN_KEY_MAX + 1];	/* "" free */
	char		event[SCHED_NAME_MAX + 1];
	int64_t		fired_ms;
};
struct sched_runkeys {
	struct sched_runkey k[SCHED_RUN_KEYS];		/* a ring */
	unsigned	 n;				/* keys ever added */
	Hd__SchedRunKey	 d[SCHED_RUN_KEYS];		/* what put() wrote */
	Hd__SchedRunKey	*dp[SCHED_RUN_KEYS];
};
/* Key `key`'s run, or NULL; valid until the next add or get. */
const struct sched_runkey *sched_runkeys_find(const struct sched_runkeys *,
		    const char *key);
/* Recorded (the oldest forgotten when full); `key` non-empty, checked. */
void		 sched_runkeys_add(struct sched_runkeys *, const char *key,
		    const char *event, int64_t fired_ms);
/* Into a state file being written (points into the struct) and out of
 * one read (every key checked; a bad one logged and left out). */
void		 sched_runkeys_put(struct sched_runkeys *, Hd__SchedState *);
void		 sched_runkeys_get(struct sched_runkeys *,
		    const Hd__SchedState *);

/* The end of that replay (LocalSync): the slave's local events' history
 * is complete from here (GET /api/v1/events: local_synced). */
int		 sched_master_local_sync(struct master *, struct node *,
		    const Hd__LocalSync *);
/* What the scheduler's API routes need (api_sched_routes, added by
 * master.c); NULL without an events file. */
struct sched_api;
struct sched_api *sched_master_api(struct master *);

/* sched_local_set.c: the rule set of one slave (docs/SCHEDULER.md#
 * local-rules), ready to send: msg points into the struct. */
struct sched_prog;
struct sched_local_set {
	Hd__LocalRules	 msg;
	Hd__LocalPlace	 pl[LOCAL_MAX_PLACES];
	Hd__LocalPlace	*plp[LOCAL_MAX_PLACES];
	int		 nplaces, nev;
	char		 text[LOCAL_RULES_MAX_TEXT + 1];
	size_t		 len;
};
/* The events of `g` that may run on `node` alone; -1 (and an empty set)
 * if their text is over LOCAL_RULES_MAX_TEXT or their places too many. */
int		 sched_local_set_build(struct sched_local_set *,
		    const struct sched_prog *g, const char *node,
		    int64_t handled_ms);

#endif
