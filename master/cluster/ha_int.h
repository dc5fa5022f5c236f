#ifndef HD_CLUSTER_HA_INT_H
#define HD_CLUSTER_HA_INT_H

/* Inside cluster/ha.c and ha_follow.c only: failover's state in hd-master. */

#include "conn.h"
#include "ev.h"
#include "heartbeat.h"
#include "cluster/ha.h"

enum ha_follow_state {
	FOLLOW_OFF,		/* not a standby, or cannot follow */
	FOLLOW_IDLE,		/* waiting to connect */
	FOLLOW_CONNECTING,	/* TCP + TLS + Hello, until Welcome */
	FOLLOW_ONLINE,		/* welcomed: we follow st.node[cur] */
};

struct ha {
	struct master		*m;
	struct ha_status	 st;
	struct ha_hooks		 hooks;
	void			*hook_arg;
	/* The master's side: the admitted standbys, by place in the list. */
	struct peer		*sb[HA_MAX_MASTERS];
	/* A standby's side: its link to the master (ha_follow.c). */
	SSL_CTX			*cctx;		/* client: we are the slave side */
	struct conn		 conn;
	enum ha_follow_state	 fstate;
	struct ev_timer		 timer;		/* reconnect / heartbeat */
	int			 cur;		/* the node tried or followed */
	uint64_t		 backoff;	/* ms, after a full round */
	int			 tried;
	uint64_t		 boot_id;
	struct heartbeat	 hb;
	uint32_t		 hb_ms, timeout_ms;
	/* The election (ha_elect.c), with slave lines only; else NULL. */
	struct elect		*el;
	struct ha_out		*out;		/* one step's output */
	struct ev_timer		 tick;		/* HA_TICK_MS */
	struct peer		*voter[HA_MAX_SLAVES];	/* vote links */
	void			(*role_fn)(struct master *, uint64_t term);
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

/* ha_follow.c */
int	ha_follow_init(struct ha *);
void	ha_follow_start(struct ha *);
void	ha_follow_stop(struct ha *);
int	ha_follow_send(struct ha *, Hd__Envelope *);

#endif
