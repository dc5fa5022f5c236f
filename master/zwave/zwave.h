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
#include "zwnvm.h"

#define ZWM_REQUESTED	(-1)	/* sent to the slave, no answer yet */
#define ZWM_DSK_MAX	47	/* 8 groups of 5 digits, 7 dashes */
#define ZWM_S2_BITS	0x87	/* KEX keys bits: S2's three and S0 */

struct zwm_step {
	uint64_t	time_ms;	/* wall clock */
	int		action, state;	/* ZwInclusion.Action, ZwProgress.State */
	uint8_t		node;
	char		reason[ZW_INCL_REASON_MAX + 1];
};

/* A device of the slave's S2 provisioning list, as it last said. */
struct zwm_prov {
	char		dsk[ZWM_DSK_MAX + 1];
	uint8_t		keys, generic, specific, node;
	int		smartstart;
	uint16_t	manufacturer, product_type, product_id;
	int		state;		/* SmartStart: ZW_SS_* of zw_s2.h */
	char		reason[ZW_INCL_REASON_MAX + 1];
};

/* One step of a node maintenance operation (zwave_maint.c). */
struct zwm_mstep {
	uint64_t	time_ms;	/* wall clock */
	int		op, state;	/* ZwNodeOp.Op, ZwNodeOpResult.State */
	uint8_t		node;
	int		have_route;	/* PING: the stick's transmit report */
	uint32_t	rtt_ms, tx_status, route_ms, repeaters;
	uint32_t	done, total;	/* HEAL: nodes done, to do */
	/* CONFIG_*: the parameter as the node told it */
	uint32_t	param, size;
	int64_t		value, min, max, dflt;
	int		have_range;
	char		name[ZW_CONFIG_NAME_MAX + 1];
	/* ASSOC_*: the group (param) as the node told it */
	int		have_assoc;
	uint8_t		assoc_max, nassoc, assoc_groups;
	uint8_t		assoc[ZW_MAX_ASSOC_NODES];
	int32_t		rssi_dbm;
	char		reason[ZW_INCL_REASON_MAX + 1];
};

/* The slave's maintenance: the last step of the operation under way or
 * ended, and the last ZW_MAINT_HISTORY steps. */
struct zwm_maint {
	int		 active;
	struct zwm_mstep last;
	struct zwm_mstep hist[ZW_MAINT_HISTORY];	/* a ring */
	int		 hfirst, nhist;
};

struct zwm_slave {
	struct zwm_maint maint;		/* zwave_maint.c */
	struct zwm_nvm	*nvm;		/* zwave_nvm.c, made on first use */
	int		 active;
	int		 action, state;
	uint8_t		 node;
	uint64_t	 deadline;	/* monotonic ms: learn mode ends */
	uint8_t		 nodes[ZW_INCL_HISTORY];	/* added or removed */
	int		 nnodes;
	struct zwm_step	 hist[ZW_INCL_HISTORY];	/* a ring */
	int		 hfirst, nhist;
	/* S2 bootstrapping of the node just added (after DONE). */
	int		 s2_wait;	/* S2_GRANT, S2_PIN: the user's turn */
	int		 s2_done;	/* its SECURITY step came */
	uint8_t		 s2_node;
	uint32_t	 s2_requested, s2_granted;	/* KEX keys bits */
	int		 s2_downgraded;
	char		 dsk[ZWM_DSK_MAX + 1];
	char		 s2_reason[ZW_INCL_REASON_MAX + 1];
	/* Its provisioning list (ZwProvisionList), as last heard. */
	struct zwm_prov	 prov[ZW_PROVISION_MAX];
	int		 nprov, prov_heard;
	char		 prov_error[ZW_INCL_REASON_MAX + 1];
	/* SmartStart: the licence word the slave keeps, its stick listens */
	char		 ss_blocked[ZW_INCL_REASON_MAX + 1];
	int		 ss_listening;
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
/* The user's answer to the S2 bootstrapping waiting on slave `n`: the
 * classes granted (KEX keys bits), or the PIN. 0, or -1 with `why`. */
int		 zwm_grant(struct master *, struct node *, uint32_t classes,
		    const char *pin, const char *by, const char **why);
/* A provisioning list request to slave `n` (LIST, ADD with `qr`,
 * REMOVE with `dsk`), with the licence's word on SmartStart (`blocked`:
 * "" or why the slave may not include on its own now): 0, or -1 with
 * `why` (offline). */
int		 zwm_provision(struct master *, struct node *,
		    Hd__ZwProvision__Action, const char *qr, const char *dsk,
		    const char *blocked, const char *by, const char **why);
/* The slave's list (a body observer): -1 if malformed. */
int		 zwm_provision_list(struct master *, struct node *,
		    const Hd__ZwProvisionList *);
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

/* zwave_maint.c: node maintenance (ping, remove and replace failed) */
#define ZWM_MAINT_REQUESTED	(-1)	/* sent, no answer yet */
/* Ask slave `n`: 0, or -1 with `why` (offline, one under way). */
int		 zwm_maint_request(struct master *, struct node *,
		    Hd__ZwNodeOp__Op, int node, const char *by,
		    const char **why);
/* The same for CONFIG_GET / CONFIG_SET: parameter, value to set. */
int		 zwm_maint_config(struct master *, struct node *,
		    Hd__ZwNodeOp__Op, int node, int param, int64_t value,
		    const char *by, const char **why);
/* The cluster's body observer; -1 if malformed (the peer is dropped). */
int		 zwm_maint_result(struct master *, struct node *,
		    const Hd__ZwNodeOpResult *);
void		 zwm_maint_restarted(struct master *, struct node *);
const char	*zwm_maint_op_name(int);
const char	*zwm_maint_state_name(int);
/* "ping" ... : 0 and the op, or -1. */
int		 zwm_maint_parse_op(const char *, Hd__ZwNodeOp__Op *);
/* Have `fn` called for each maintenance step on any slave (the one
 * requested too), after it is kept; the step is borrowed for the call.
 * -1 if full. */
typedef void	 zwm_maint_fn(void *arg, const struct node *,
		    const struct zwm_mstep *);
int		 zwm_maint_subscribe(struct master *, zwm_maint_fn *,
		    void *arg);
/* zwave.c: call them (zwave_maint.c). */
void		 zwm_maint_notify(struct master *, const struct node *,
		    const struct zwm_mstep *);

/* zwave_nvm.c: the controller's NVM backup and restore on the slaves */
#define ZWM_NVM_REQUESTED	(-1)	/* sent, no answer yet */
struct zwm_nvm {
	int		 action;	/* ZwNvm.Action of the last operation */
	int		 state;		/* ZwNvmStatus.State, or REQUESTED */
	int		 active;	/* a backup or restore under way */
	uint32_t	 done, total;	/* bytes */
	char		 phase[16];
	char		 reason[ZW_INCL_REASON_MAX + 1];
	uint64_t	 time_ms;	/* wall clock of the last step */
	char		 by[USER_NAME_MAX + 1];
	/* The slave's latest backup, as it said, and its file when fetched
	 * whole and checked against that (the API serves it). */
	int		 have_meta;
	struct zwnvm_meta meta;
	uint8_t		*image;
	size_t		 image_len;
	uint8_t		*fetch;		/* arriving (FETCH) */
	size_t		 fetch_have, fetch_total;
	int		 fetching;
	/* An image an admin uploaded, checked whole, for a restore. */
	uint8_t		*upload;
	size_t		 upload_have, upload_total;
	int		 upload_ok;
	struct zwnvm_meta upload_meta;
};
/* The slave's NVM state (made on first use; NULL without memory). */
struct zwm_nvm	*zwm_nvm(struct node *);
/* BACKUP, or RESTORE of the slave's own latest backup (`upload` 0) or
 * of the uploaded image (1): 0, or -1 with `why`. */
int		 zwm_nvm_request(struct master *, struct node *,
		    Hd__ZwNvm__Action, int upload, const char *by,
		    const char **why);
/* A piece of an uploaded image (`total` bytes in all, in order, offset
 * 0 starting afresh): 0, or -1 with `why`. */
int		 zwm_nvm_upload(struct node *, size_t offset, size_t total,
		    const uint8_t *, size_t, const char **why);
/* The cluster's observers: a ZwNvmStatus (-1: malformed), a slave
 * online (asked for its backup's metadata), restarted. */
int		 zwm_nvm_status(struct master *, struct node *,
		    const Hd__ZwNvmStatus *);
void		 zwm_nvm_online(struct master *, struct node *, int online);
void		 zwm_nvm_restarted(struct node *);
void		 zwm_nvm_free(struct zwm_slave *);
const char	*zwm_nvm_state_name(int);

#endif
