#ifndef HD_HA_STATUS_H
#define HD_HA_STATUS_H

/*
 * Failover as the dashboard and the API show it (docs/FAILOVER.md): this
 * node's role, the term, whom it follows, each standby's link and lag,
 * the last takeover, and the last refusal in words. Filled by
 * cluster/ha.c; read with ha_status() (cluster/ha.h), which master.c
 * hands to whoever draws the Standby card. A plain struct in lib/ so
 * that every layer may read it (tests/check-layers.sh).
 */

#include <stdint.h>

#include "hamasters.h"

#define HA_STATUS_WHY	192		/* a refusal or problem, in words */

enum ha_status_role {
	HA_STATUS_SINGLE = 0,	/* no `master ID ADDR` lines: no failover */
	HA_STATUS_MASTER,	/* the master of the installation */
	HA_STATUS_STANDBY,	/* a standby: follows the master */
};

/* One master-capable node as this node sees it. */
struct ha_status_node {
	char		id[NODE_ID_MAX + 1];
	char		addr[HA_ADDR_MAX];
	int		connected;	/* master: the standby's link is up;
					 * standby: we follow this master */
	int		synced;		/* in the synchronous set */
	uint64_t	lag_records;	/* records it lacks */
	uint64_t	lag_ms;		/* since its last acknowledgement */
	uint64_t	since_ms;	/* wall ms of the last connect/loss */
	char		why[HA_STATUS_WHY];	/* why it was refused or lost */
};

struct ha_status {
	enum ha_status_role role;
	int		self;		/* our place in the list, -1: none */
	uint64_t	term;
	char		leader[NODE_ID_MAX + 1];	/* master now, "" unknown */
	int		licensed;	/* the licence has `standby` */
	int		nnodes;		/* conf's master lines */
	struct ha_status_node node[HA_MAX_MASTERS];
	uint64_t	last_takeover_ms;	/* wall ms, 0: never */
	char		why[HA_STATUS_WHY];	/* this node's own problem */
};

#endif
