#ifndef HD_MASTER_ZWAVE_H
#define HD_MASTER_ZWAVE_H

/*
 * The master's Z-Wave management (zwave.c): inclusion and exclusion on
 * the slaves, what it keeps per slave and api_zwave.c shows (the
 * mirrored inclusion state and its last ZW_INCL_HISTORY steps).
 */

#include <stdint.h>

#include "cluster.pb-c.h"
#include "hdlimits.h"

#define ZWM_REQUESTED	(-1)	/* sent to the slave, no answer yet */

struct zwm_step {
	uint64_t	time_ms;	/* wall clock */
	int		action, state;	/* ZwInclusion.Action, ZwProgress.State */
	uint8_t		node;
	char		reason[ZW_INCL_REASON_MAX + 1];
};

struct zwm_slave {
	int		 active;
	int		 action, state;
	uint8_t		 node;
	uint64_t	 deadline;	/* monotonic ms: learn mode ends */
	uint8_t		 nodes[ZW_INCL_HISTORY];	/* added or removed */
	int		 nnodes;
	struct zwm_step	 hist[ZW_INCL_HISTORY];	/* a ring */
	int		 hfirst, nhist;
};

struct master;
struct node;

/* zwave.c: Z-Wave inclusion and exclusion on the slaves */
/* One progress step, as it happened; borrowed for the call. */
typedef void	 zwm_progress_fn(void *arg, const struct node *,
		    const Hd__ZwProgress *);
int		 zwm_init(struct master *);
void		 zwm_free(struct master *);
/* Start, or stop, on slave `n`: 0, or -1 with `why` (offline, busy). */
int		 zwm_request(struct master *, struct node *,
		    Hd__ZwInclusion__Action, uint32_t timeout_ms,
		    const char *by, const char **why);
/* The cluster's body observer (master/wiring.c); -1 if the message is
 * malformed (the cluster drops the peer). */
int		 zwm_progress(struct master *, struct node *,
		    const Hd__ZwProgress *);
/* Have `fn` called for each step on any slave; -1 if full. */
int		 zwm_subscribe(struct master *, zwm_progress_fn *, void *arg);
void		 zwm_node_free(struct node *);
/* The slave restarted: what it had under way is gone with it. */
void		 zwm_slave_restarted(struct master *, struct node *);

const char		*zwm_state_name(int state, int action);
const char		*zwm_action_name(int);
/* The slave's state (made on first use; NULL only without memory). */
struct zwm_slave	*zwm_slave(struct node *);

#endif
