#ifndef HD_STANDBY_H
#define HD_STANDBY_H

/*
 * The standby as the master sees it: the figures of the dashboard's
 * Standby card and GET /api/v1/cluster (docs/API.md), and the state
 * files' replication wired into hd-master (ssync_wire.c; the machines
 * are cluster/statesync.h). The cluster link calls these when a
 * standby connects, sends, is refused or goes (docs/FAILOVER.md,
 * "State replication"). Includes no folder's header, so every module
 * may include it.
 */

#include <stdint.h>

#include "cluster.pb-c.h"
#include "hdlimits.h"

enum standby_state {
	STANDBY_NONE,		/* no standby configured */
	STANDBY_CONNECTING,	/* configured, not connected (yet) */
	STANDBY_SYNCING,	/* connected, the snapshot under way */
	STANDBY_IN_SYNC,	/* snapshot applied; changes follow */
	STANDBY_LOST,		/* was connected, gone: the master goes on alone */
	STANDBY_REFUSED_ROLE,	/* its certificate lacks the standby role */
	STANDBY_REFUSED_LICENCE,	/* the licence lacks the standby feature */
	STANDBY_REFUSED_CONFIG,	/* its slave lines differ from ours */
	STANDBY_TOO_OLD		/* it refused a state file of a newer format */
};

struct standby_status {
	enum standby_state	 state;
	char			 id[NODE_ID_MAX + 1];	/* configured or connected */
	char			 detail[SSYNC_REFUSED_MAX + 1];	/* why refused, lost, too old */
	uint64_t		 since_ms;	/* wall: entered this state */
	uint32_t		 lag_files;	/* state files not applied there */
	uint64_t		 lag_bytes;	/* ... their bytes */
	uint64_t		 lag_ms;	/* since the oldest change not applied */
	int			 log_known;	/* an election: the command log */
	uint64_t		 log_records;	/* its records not acknowledged */
	uint64_t		 log_ms;	/* ... since its last ack */
	uint64_t		 term;		/* the master's term */
	uint64_t		 last_takeover_ms;	/* wall; 0: none seen */
	uint64_t		 last_takeover_term;
};

struct master;
struct ssync_ops;

/* ssync_wire.c: the master's side. */
int		 ssync_wire_init(struct master *);
/* After ha_init: replication rides the standby link (cluster/ha.h). */
int		 ssync_wire_hook(struct master *);
void		 ssync_wire_free(void);
/* A standby's cluster connection is up (its StateHello, or NULL): 0,
 * or -1 with *why (close it). ops->send writes to that connection. */
int		 ssync_wire_attach(const char *id, const struct ssync_ops *,
		    const Hd__StateHello *, const char **why);
/* A StateAck from it: 0, or -1 with *why (close it). */
int		 ssync_wire_ack(const Hd__StateAck *, const char **why);
/* Its connection is gone (closed, or silent past the timeout). */
void		 ssync_wire_lost(const char *detail);
/* Its connection was refused (STANDBY_REFUSED_ROLE / _LICENCE). */
void		 ssync_wire_refused(const char *id, enum standby_state,
		    const char *detail);
/* This node took over as master in `term` (the card's last takeover). */
void		 ssync_wire_takeover(uint64_t term);
void		 ssync_wire_status(struct standby_status *);
const char	*standby_state_name(enum standby_state);

#endif
