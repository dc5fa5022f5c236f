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
};

/* ha_follow.c */
int	ha_follow_init(struct ha *);
void	ha_follow_start(struct ha *);
void	ha_follow_stop(struct ha *);
int	ha_follow_send(struct ha *, Hd__Envelope *);

#endif
