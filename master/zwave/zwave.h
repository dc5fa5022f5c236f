#ifndef HD_MASTER_ZWAVE_H
#define HD_MASTER_ZWAVE_H

/*
 * What zwave.c keeps per slave and api_zwave.c shows: the mirrored
 * inclusion state and its last ZW_INCL_HISTORY steps.
 */

#include <stdint.h>

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

struct node;

const char		*zwm_state_name(int state, int action);
const char		*zwm_action_name(int);
/* The slave's state (made on first use; NULL only without memory). */
struct zwm_slave	*zwm_slave(struct node *);

#endif
