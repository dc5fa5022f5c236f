/*
 * Node maintenance (zw_maint.c): what the master asks with ZwNodeOp, one
 * operation at a time per stick, each step answered with ZwNodeOpResult
 * (docs/ZWAVE.md, "Node maintenance"):
 *
 *	PING		a NOP to the node: acknowledged or not, how long the
 *			round trip took, the route the stick reports
 *	REMOVE_FAILED	IsFailedNode (0x62); a node the stick does not list
 *			failed is pinged first (one that answers is not
 *			removed); then RemoveFailedNode (0x61)
 *	REPLACE_FAILED	ReplaceFailedNode (0x63): a new device takes the
 *			failed node's id, is registered, given S0 when it
 *			lists Security, and interviewed
 *	HEAL		per node (all listening ones, or the one named),
 *			paced: RequestNodeNeighborUpdate (0x48), then its
 *			return route to us (AssignReturnRoute 0x46)
 *	STOP		ends a replacement waiting for its new device, or a
 *			heal after the node under way
 */
#ifndef HD_ZW_MAINT_H
#define HD_ZW_MAINT_H

#include <stdint.h>

#include "cluster.pb-c.h"
#include "ev.h"
#include "hdlimits.h"
#include "zwave/zw.h"
#include "zwave/zw_cc_config.h"

struct zw_ctrl;
struct zw_node;
struct zw_frame;

/* The stick's answers to RemoveFailedNode / ReplaceFailedNode: the
 * response's bits (0: started), then the callback's status. */
#define ZW_FAILED_STARTED		0x00
#define ZW_FAILED_NOT_PRIMARY		0x02
#define ZW_FAILED_NOT_FOUND		0x08	/* not in its failed list */
#define ZW_FAILED_BUSY			0x10
#define ZW_FAILED_FAIL			0x20
#define ZW_FAILED_CB_NODE_OK		0x00	/* the node answered */
#define ZW_FAILED_CB_REMOVED		0x01
#define ZW_FAILED_CB_NOT_REMOVED	0x02
#define ZW_FAILED_CB_REPLACE		0x03	/* ready for the new device */
#define ZW_FAILED_CB_REPLACE_DONE	0x04
#define ZW_FAILED_CB_REPLACE_FAILED	0x05

/* Pings and configuration operations held for sleeping nodes' wake-ups
 * (zw_maint_queue.c), each at most ZW_WAKEUP_HOLD_MS. */
#define ZW_MAINT_QUEUED			8

/* Heal, the stick's RequestNodeNeighborUpdate callback statuses. */
#define ZW_NEIGHBOR_STARTED		0x21
#define ZW_NEIGHBOR_DONE		0x22
#define ZW_NEIGHBOR_FAILED		0x23

struct zw_maint {
	int		 op;		/* Hd__ZwNodeOp__Op, or -1: idle */
	int		 node;
	int		 insecure;	/* REPLACE_FAILED: no S0 */
	int		 replaced;	/* a replacement, until its NIF */
	int		 is_suc;	/* this controller is the SUC */
	uint8_t		 ctrl_caps;	/* GetControllerCapabilities */
	uint8_t		 cb_id;		/* ours: the session's is per request */
	uint64_t	 t0;		/* PING: monotonic ms at the submit */
	struct ev_timer	 timer;		/* the stick's callback, the device */
	/* HEAL (zw_heal.c): the nodes to do, the next, how many went well;
	 * a STOP ends it after the node under way. */
	uint8_t		 heal[ZW_MAX_NODES];
	int		 nheal, iheal, healed, heal_stop;
	struct ev_timer	 pace;		/* the pause between two nodes */
	/* CONFIG_GET/SET (zw_config.c): the step awaited, the parameter,
	 * the value to set, what the node told. */
	int		 cfg_step;
	uint8_t		 cfg_param;
	int64_t		 cfg_want;
	int		 have_props, have_value;
	struct zw_config_props	props;
	struct zw_config_value	value;
	char		 cfg_name[ZW_CONFIG_NAME_MAX + 1];
	size_t		 cfg_nname;
	/* ASSOC_* (zw_assoc.c): the step awaited, the group, the node to
	 * add or remove, the group as the node's reports told it. */
	int		 as_step;
	uint8_t		 as_group, as_target, as_max;
	int		 have_assoc;
	uint8_t		 as_groups;	/* Groupings Report; 0 unknown */
	char		 as_name[ZW_CONFIG_NAME_MAX + 1];	/* AGI */
	uint8_t		 as_nodes[ZW_MAX_ASSOC_NODES];
	size_t		 as_n;
	/* Operations for sleeping nodes, in the order asked, each with its
	 * deadline (zw_maint_queue.c); the timer at the first. */
	Hd__ZwNodeOp	 wait[ZW_MAINT_QUEUED];
	uint64_t	 wait_until[ZW_MAINT_QUEUED];
	int		 nwait;
	struct ev_timer	 wait_timer;
};

/* zw_maint.c, for zw_heal.c: a step to the master; the operation ends
 * with it; a request to the stick (0 or -1); our next callback id. */
void	zw_maint_result(struct zw_ctrl *, int op, int node, int state,
	    const char *why);
void	zw_maint_finish(struct zw_ctrl *, int state, const char *why);
int	zw_maint_submit(struct zw_ctrl *, uint8_t func, const uint8_t *,
	    size_t, zw_done_fn *);
uint8_t	zw_maint_next_cb(struct zw_maint *);

/* zw_config.c: a parameter read or set (CONFIG_GET, CONFIG_SET) */
void	zw_config_start(struct zw_ctrl *, int op, int node, uint8_t param,
	    int64_t value);
void	zw_config_timeout(struct zw_ctrl *);
/* A Configuration report from node zn; 1 if it was one (taken). */
int	zw_config_receive(struct zw_ctrl *, struct zw_node *, uint8_t ep,
	    const uint8_t *, size_t);

struct zw_assoc;
/* zw_assoc.c: a group read, a node added or removed (ASSOC_*) */
int	zw_assoc_op(int op);
void	zw_assoc_start(struct zw_ctrl *, int op, int node, uint8_t group,
	    uint8_t target);
void	zw_assoc_timeout(struct zw_ctrl *);
/* An Association Report from node zn (decoded): 1 if the operation
 * under way awaited it. */
int	zw_assoc_receive(struct zw_ctrl *, struct zw_node *, uint8_t ep,
	    const struct zw_assoc *);
/* An Association Group Info report from node zn; 1 if it was one. */
int	zw_assoc_info_receive(struct zw_ctrl *, struct zw_node *, uint8_t ep,
	    const uint8_t *, size_t);
/* An Association Groupings Report from node zn: its number of groups. */
void	zw_assoc_groupings(struct zw_ctrl *, struct zw_node *, uint8_t groups);

/* zw_heal.c: heal (rebuild routes) */
void	zw_heal_start(struct zw_ctrl *, int node);
void	zw_heal_stop(struct zw_ctrl *);
void	zw_heal_timeout(struct zw_ctrl *);
void	zw_heal_on_pace(struct ev_timer *);
void	zw_heal_unsolicited(struct zw_ctrl *, const struct zw_frame *);
/* A node just added (or replaced) and interviewed: its return route to
 * us, so that its reports find their way (AssignReturnRoute). */
void	zw_maint_return_route(struct zw_ctrl *, int node);
/* The controller is ready: find the SUC, become SUC/SIS if there is none
 * and we are the primary (zw_heal.c). */
void	zw_maint_ready(struct zw_ctrl *);

/* zw_maint.c: run a checked operation (PING, REMOVE, REPLACE, CONFIG_*) */
void	zw_maint_run(struct zw_ctrl *, const Hd__ZwNodeOp *);

/* zw_maint_queue.c: a PING or CONFIG_* for a sleeping node is held for
 * its wake-up: 1 if `op` was (answered QUEUED or REFUSED), 0 to run it
 * now. */
int	zw_maint_queue(struct zw_ctrl *, const Hd__ZwNodeOp *);
/* Node `zn` woke up: what waits for it runs, if the stick is free. */
void	zw_maint_woke(struct zw_ctrl *, struct zw_node *);
/* An operation on `node` ended: the next one waiting for an awake node
 * runs; a sleeping `node` may sleep again. */
void	zw_maint_after(struct zw_ctrl *, int node);
/* Does maintenance keep node zn awake (under way or waiting for it)? */
int	zw_maint_holds(const struct zw_ctrl *, const struct zw_node *);
void	zw_maint_on_wait(struct ev_timer *);

int	zw_maint_init(struct zw_ctrl *);
void	zw_maint_free(struct zw_ctrl *);
/* The stick went away or restarted: what was under way fails. */
void	zw_maint_abort(struct zw_ctrl *, const char *why);
/* A RemoveFailedNode or ReplaceFailedNode callback (REQ 0x61, 0x63). */
void	zw_maint_unsolicited(struct zw_ctrl *, const struct zw_frame *);
/* Node information from node `zn`: a replacement listing S0 gets the
 * network key now (before its interview). */
void	zw_maint_nif(struct zw_ctrl *, struct zw_node *);

#endif
