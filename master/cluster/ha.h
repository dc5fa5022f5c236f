#ifndef HD_CLUSTER_HA_H
#define HD_CLUSTER_HA_H

/*
 * Failover in hd-master (docs/FAILOVER.md): the same binary is the
 * master or a standby, by its place in the config's `master NODE-ID
 * ADDRESS:PORT` lines (the first is the master). A standby connects to
 * the master over the cluster link with a standby-role certificate
 * (master and slave EKUs); the master admits it only with the licence's
 * `standby` feature. Both sides log a refusal and keep it in the status.
 *
 * Where state replication plugs in (ha-state, Envelope bodies 30-34):
 * ha_set_hooks() once at start-up; `link` is called when the link to
 * another master-capable node comes up (up = 1: on the master, a standby
 * was admitted; on a standby, the master welcomed it) or goes down, and
 * `body` with every envelope of a body number >= HA_BODY_STATE_FIRST
 * that arrives on it (borrowed for the call; return -1 to drop that
 * link as malformed, with the reason logged by the hook). ha_send()
 * sends an envelope to node `node` over that link.
 */

#include "cluster.pb-c.h"
#include "lib/ha_status.h"

struct master;
struct node;
struct peer;

#define HA_BODY_STATE_FIRST	30	/* Envelope bodies of state sync */

struct ha_hooks {
	void	(*link)(void *arg, int node, int up);
	int	(*body)(void *arg, int node, const Hd__Envelope *);
	/* On the master: standby `node` was refused (ROLE, LICENCE,
	 * CONFIG), for the Standby card. May be NULL. */
	void	(*refused)(void *arg, int node, Hd__Refusal__Reason,
		    const char *detail);
};

/* After setup (config, certificate, licence): this node's role. -1 on a
 * config that cannot work (logged). */
int	ha_init(struct master *);
/* With the event loop: a standby starts following the master. */
void	ha_start(struct master *);
void	ha_stop(struct master *);
/* Answer the API calls waiting on the log (as at a step down). */
void	ha_answer_owed(struct master *);
void	ha_free(struct master *);
/* Is this node a standby (it refuses slaves, runs no scheduler)? */
int	ha_is_standby(const struct master *);
const struct ha_status *ha_status(struct master *);
/* The command log's lag of standby `id` (ha_log.c): 0, or -1 without an
 * election or for an unknown node. */
int		 ha_log_lag(struct master *, const char *id,
		    uint64_t *records, uint64_t *ms);
void	ha_set_hooks(struct master *, const struct ha_hooks *, void *arg);
/* The master-capable nodes (a bit each, by place in the master lines)
 * that hold the state files a takeover needs (ssync_wire.c: the
 * master's sched.state as of their attaching): only they join the
 * command log's synchronous set and the slaves' fence, so only they can
 * be elected (docs/FAILOVER.md, "A standby's first sched.state"). */
void	ha_set_state_ready(struct master *, uint32_t nodes);
/* To master-capable node `node`: 0, or -1 (no link to it). */
int	ha_send(struct master *, int node, Hd__Envelope *);

/* Called when this node is elected master of `term` (with slave lines):
 * master.c starts there what a master runs (scheduler, the takeover of
 * the replicated state). */
/* Called as this master steps down or stops, after the API's own
 * step-down hook: the scheduler's owed answers (a run's) go then. */
void	ha_set_down_hook(struct master *, void (*)(struct master *));
void	ha_set_role_hook(struct master *, void (*)(struct master *,
	    uint64_t term));

/*
 * Commands through the replicated log (with slave lines; docs/
 * FAILOVER.md, "Commands through the log"). ha_logs_commands(): this
 * node has an election, so the API's commands go through ha_command():
 * cmd->id is set; 0: accepted now (sent, or sent when its slave
 * registers), 1: accepted once the synchronous standbys hold it (the
 * accepted hook is called with its id then), -1: refused (not master,
 * the slave's queue or the log full, a field out of range; logged).
 */
int	ha_logs_commands(const struct master *);
int	ha_command(struct master *, struct node *, Hd__Command *);
void	ha_set_accepted_hook(struct master *, void (*)(void *, uint64_t id),
	    void *);
/*
 * Stuck and late commands (docs/FAILOVER.md): ha_command_cancel()
 * settles command id CANCELLED unless its result is known. The hooks
 * tell the API what happens without it: a command settled by the log
 * (an expiry), the records up to `held` held by the synchronous set
 * (a cancel's answer waits for it, as a 202 does), and this master
 * stepping down (its waiting answers go now, 503, or never).
 */
enum ha_settle {
	HA_SETTLE_DONE,		/* settled now */
	HA_SETTLE_ALREADY,	/* its result (or a settlement) is in the log */
	HA_SETTLE_NOT_YET,	/* not accepted yet: the standby lacks it */
	HA_SETTLE_UNKNOWN,	/* not a command of this master's log */
	HA_SETTLE_FULL,		/* the log is full of unsettled records */
};
struct ha_cmd_hooks {
	void	(*settled)(void *, uint64_t id, int status,
		    const char *detail);
	void	(*held)(void *, uint64_t held);
	void	(*step_down)(void *);
};
void	ha_set_cmd_hooks(struct master *, const struct ha_cmd_hooks *,
	    void *);
/* *pos: the settlement's position, held once ha_log_held() reaches it. */
enum ha_settle ha_command_cancel(struct master *, uint64_t id,
	    const char *by, uint64_t *pos);
uint64_t ha_log_held(const struct master *);
/* cluster.c's side: a slave's result (recorded in the log), a slave
 * registered (the log's commands it has not answered are sent again). */
void	ha_command_result(struct master *, struct node *,
	    const Hd__CommandResult *);
void	ha_node_online(struct master *, struct node *);
/* Each command of the log with its result (NULL: none yet), oldest
 * first: the API's list after a takeover or a restart. */
void	ha_log_commands(struct master *, void (*)(void *,
	    const Hd__ReplCommand *, const Hd__ReplResult *), void *);

/* cluster.c's side: a Hello with CAP_VOTER (a slave's vote link). 0:
 * admitted (PEER_VOTER), -1: refused and dropped. */
int	ha_voter_hello(struct peer *);
/* A frame on it: 0, or -1 (dropped). */
int	ha_voter_frame(struct peer *, Hd__Envelope *);
void	ha_voter_gone(struct peer *, const char *why);

/* cluster.c's side: a Hello with CAP_STANDBY. 0: admitted (the peer is
 * PEER_STANDBY), -1: refused and dropped. */
int	ha_standby_hello(struct peer *, const Hd__Hello *);
/* A frame of an admitted standby: 0, or -1 (dropped). */
int	ha_standby_frame(struct peer *, Hd__Envelope *);
/* It is gone (from peer_drop): its status, the hook. */
void	ha_standby_gone(struct peer *, const char *why);
/* A slave's Hello on a standby: refuse it naming the master. -1 always. */
int	ha_refuse_slave(struct peer *);

/* cluster.c, for the above. */
int	cluster_peer_send(struct peer *, Hd__Envelope *);
int	cluster_peer_refuse(struct peer *, Hd__Refusal__Reason, const char *);
void	cluster_peer_drop(struct peer *, const char *why);

#endif
