/*
 * The cluster's observers, registered by master.c's setup: the resource
 * API, then the scheduler, then Z-Wave management, so each event reaches
 * them in the order cluster.c called them in by name before
 * (docs/ARCHITECTURE.md, "Observers"). Only a top-level file may name
 * modules of different layers; the adapters below are all this one does.
 */

#include "api/api_res.h"
#include "cluster/cluster.h"
#include "master.h"
#include "sched/sched_master.h"
#include "zwave/zwave.h"

static void
res_node(void *arg, struct node *n, int online)
{
	api_res_node(arg, n, online);
}

static void
res_devices(void *arg, struct node *n)
{
	api_res_devices(arg, n);
}

static void
res_value(void *arg, struct node *n, const Hd__ValueReport *r)
{
	api_res_value(arg, n, r);
}

static void
res_result(void *arg, struct node *n, const Hd__CommandResult *r)
{
	api_res_result(arg, n, r);
}

static const struct cluster_ops res_ops = {
	.node = res_node,
	.devices = res_devices,
	.value = res_value,
	.result = res_result,
};

static void
sched_node(void *arg, struct node *n, int online)
{
	sched_master_node(arg, n, online);
}

static void
sched_value(void *arg, struct node *n, const Hd__ValueReport *r)
{
	sched_master_value(arg, n, r);
}

static void
sched_result(void *arg, struct node *n, const Hd__CommandResult *r)
{
	sched_master_result(arg, n, r);
}

static int
sched_local(void *arg, struct node *n, const Hd__Envelope *e)
{
	return sched_master_local_firing(arg, n, e->local_firing);
}

static const struct cluster_ops sched_ops = {
	.node = sched_node,
	.value = sched_value,
	.result = sched_result,
	.body_case = HD__ENVELOPE__BODY_LOCAL_FIRING,
	.body_name = "local firing",
	.body = sched_local,
};

static int
sched_sync(void *arg, struct node *n, const Hd__Envelope *e)
{
	return sched_master_local_sync(arg, n, e->local_sync);
}

/* One body per observer: the end of the local replay is a second one. */
static const struct cluster_ops sched_sync_ops = {
	.body_case = HD__ENVELOPE__BODY_LOCAL_SYNC,
	.body_name = "local sync",
	.body = sched_sync,
};

static void
zw_restarted(void *arg, struct node *n)
{
	zwm_slave_restarted(arg, n);
}

static void
zw_freed(void *arg, struct node *n)
{
	(void)arg;
	zwm_node_free(n);
}

static int
zw_maint(void *arg, struct node *n, const Hd__Envelope *e)
{
	return zwm_maint_result(arg, n, e->zw_node_op_result);
}

static void
zw_maint_restarted(void *arg, struct node *n)
{
	zwm_maint_restarted(arg, n);
}

static const struct cluster_ops zw_maint_ops = {
	.restarted = zw_maint_restarted,
	.body_case = HD__ENVELOPE__BODY_ZW_NODE_OP_RESULT,
	.body_name = "Z-Wave maintenance result",
	.body = zw_maint,
};

static int
zw_progress(void *arg, struct node *n, const Hd__Envelope *e)
{
	return zwm_progress(arg, n, e->zw_progress);
}

static const struct cluster_ops zw_ops = {
	.restarted = zw_restarted,
	.freed = zw_freed,
	.body_case = HD__ENVELOPE__BODY_ZW_PROGRESS,
	.body_name = "Z-Wave progress",
	.body = zw_progress,
};

static int
zw_provision_list(void *arg, struct node *n, const Hd__Envelope *e)
{
	return zwm_provision_list(arg, n, e->zw_provision_list);
}

/* The S2 provisioning list a slave sends after each request. */
static const struct cluster_ops zwp_ops = {
	.body_case = HD__ENVELOPE__BODY_ZW_PROVISION_LIST,
	.body_name = "Z-Wave provisioning list",
	.body = zw_provision_list,
};

static int
zw_nvm(void *arg, struct node *n, const Hd__Envelope *e)
{
	return zwm_nvm_status(arg, n, e->zw_nvm_status);
}

static void
zw_nvm_node(void *arg, struct node *n, int online)
{
	zwm_nvm_online(arg, n, online);
}

static void
zw_nvm_restarted(void *arg, struct node *n)
{
	(void)arg;
	zwm_nvm_restarted(n);
}

/* The controller's NVM backup and restore (zwave_nvm.c). */
static const struct cluster_ops zw_nvm_ops = {
	.node = zw_nvm_node,
	.restarted = zw_nvm_restarted,
	.body_case = HD__ENVELOPE__BODY_ZW_NVM_STATUS,
	.body_name = "Z-Wave controller backup status",
	.body = zw_nvm,
};

int
master_wire(struct master *m)
{
	if (cluster_observe(m, &res_ops, m) == -1 ||
	    cluster_observe(m, &sched_ops, m) == -1 ||
	    cluster_observe(m, &sched_sync_ops, m) == -1 ||
	    cluster_observe(m, &zw_ops, m) == -1 ||
	    cluster_observe(m, &zwp_ops, m) == -1 ||
	    cluster_observe(m, &zw_maint_ops, m) == -1 ||
	    cluster_observe(m, &zw_nvm_ops, m) == -1)
		return -1;
	return 0;
}
