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
 *	STOP		ends a replacement waiting for its new device
 */
#ifndef HD_ZW_MAINT_H
#define HD_ZW_MAINT_H

#include <stdint.h>

#include "cluster.pb-c.h"
#include "ev.h"

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

struct zw_maint {
	int		 op;		/* Hd__ZwNodeOp__Op, or -1: idle */
	int		 node;
	int		 insecure;	/* REPLACE_FAILED: no S0 */
	int		 replaced;	/* a replacement's node, until its NIF */
	uint8_t		 cb_id;		/* ours: the session's is per request */
	uint64_t	 t0;		/* PING: monotonic ms at the submit */
	struct ev_timer	 timer;		/* the stick's callback, the device */
};

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
