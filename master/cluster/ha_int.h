#ifndef HD_CLUSTER_HA_INT_H
#define HD_CLUSTER_HA_INT_H

/* Inside cluster/ha.c and ha_follow.c only: failover's state in hd-master. */

#include "clink.h"
#include "conn.h"
#include "ev.h"
#include "heartbeat.h"
#include "cluster/ha.h"

struct ha_log;

/* One record's contents, at the machine's index (ha_log.c). */
struct ha_pl {
	uint64_t		 pos;
	Hd__ReplRecord		*r;		/* owned */
	const struct peer	*sent_peer;	/* last sent on this link ... */
	uint64_t		 sent_since;	/* ... of this registration */
};

struct repl_disk;
struct ha_rec;

struct ha {
	struct master		*m;
	struct ha_status	 st;
	struct ha_hooks		 hooks;
	void			*hook_arg;
	/* The master's side: the admitted standbys, by place in the list. */
	struct peer		*sb[HA_MAX_MASTERS];
	/* A standby's side: its link to the master (ha_follow.c). */
	SSL_CTX			*cctx;		/* client: we are the slave side */
	struct clink		 link;		/* CLINK_OFF: not a standby,
						 * or it cannot follow */
	int			 cur;		/* the node tried or followed */
	int			 tried;
	/* The election (ha_elect.c), with slave lines only; else NULL. */
	struct elect		*el;
	struct ha_out		*out;		/* one step's output */
	struct ev_timer		 tick;		/* HA_TICK_MS */
	int			 tick_deferred;	/* late: read first (ha_elect.c) */
	uint64_t		 late_ms;	/* the last tick ran this late */
	uint64_t		 lease_end;	/* elect_lease_end before it */
	int			 ticking;	/* in the tick's step */
	struct peer		*voter[HA_MAX_SLAVES];	/* vote links */
	void			(*role_fn)(struct master *, uint64_t term);
	void			(*down_fn)(struct master *);	/* owed answers */
	struct ha_log		*log;		/* the records' contents (ha_log.c) */
	uint64_t		 saved_term;	/* in elect.state */
	uint64_t		 saved_base;
	void			(*accepted_fn)(void *, uint64_t id);
	void			*accepted_arg;
	struct ha_cmd_hooks	 cmd_hooks;	/* the API's (ha_settle.c) */
	void			*cmd_hooks_arg;
	uint64_t		 held;		/* r.acted the hook last saw */
	int			 expire_ticks;
};

/* ha.c */
int	ha_peer_welcome(struct peer *);

/* ha_elect.c */
int	ha_elect_init(struct ha *);
void	ha_elect_start(struct ha *);
void	ha_elect_stop(struct ha *);
void	ha_elect_free(struct ha *);
int	ha_elect_feed(struct ha *, uint32_t from, const Hd__Envelope *,
	    char *why, size_t whylen);
/* After a step of ha->el into ha->out: persist, send, act. */
void	ha_elect_run(struct ha *);

/* ha_log.c */
int	ha_log_load(struct ha *, struct repl_disk *, uint64_t base);
void	ha_log_free(struct ha *);
void	ha_log_sync(struct ha *);
int	ha_log_save(struct ha *);
void	ha_log_take(struct ha *, const Hd__Envelope *);
void	ha_log_next(struct ha *, const Hd__ReplRecord *);
const Hd__ReplRecord *ha_log_rec(void *, const struct ha_rec *);
struct ha_pl *ha_log_command(struct ha *, uint64_t id);
struct ha_pl *ha_log_at(struct ha *, uint64_t k);
void	ha_log_send(struct ha *, struct ha_pl *);
void	ha_log_resend(struct ha *, uint32_t slave);

/* ha_settle.c: settle command id without its slave (status CANCELLED
 * or EXPIRED), the step run by `run` (ha_elect_run). *pos: the record's
 * position (held by the synchronous set once r.acted reaches it).
 * ha_log_expire settles every command older than CMD_LOG_EXPIRE_MS at
 * wall time now the same way: how many. */
enum ha_settle ha_log_settle(struct ha *, uint64_t id, int status,
	    const char *detail, uint64_t *pos, void (*run)(struct ha *));
int	ha_log_expire(struct ha *, uint64_t now_wall, void (*run)(struct ha *));
int	ha_log_master_settled(struct ha *, uint64_t id);

/* ha_follow.c */
int	ha_follow_init(struct ha *);
void	ha_follow_start(struct ha *);
void	ha_follow_stop(struct ha *);
int	ha_follow_send(struct ha *, Hd__Envelope *);

#endif
