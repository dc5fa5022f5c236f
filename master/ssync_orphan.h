#ifndef HD_SSYNC_ORPHAN_H
#define HD_SSYNC_ORPHAN_H

/*
 * An old master's unreplicated firings on the standby link (docs/
 * FAILOVER.md#an-old-masters-unreplicated-firings), for ssync_wire.c:
 * found before the master's sched.state replaces ours, reported once
 * the snapshot is applied, recorded by the master and acknowledged.
 */

#include <stddef.h>
#include <stdint.h>

#include "cluster.pb-c.h"

struct master;
struct ssync_ops;

/* ssync_ops.replacing's work: `name` about to be replaced in `dir`. */
void	ssync_orphan_replacing(const char *dir, const char *name,
	    const uint8_t *buf, size_t len);
/* The standby's side: what is pending, to the master through `ops`
 * (at most SCHED_ORPHAN_SENDS times a run); -1 if it cannot be sent. */
int	ssync_orphan_report(const char *dir, const struct ssync_ops *ops);
/* The standby's side: the master's ack; -1 with *why drops the link. */
int	ssync_orphan_acked(const char *dir, const Hd__SchedOrphans *,
	    const char **why);
/* The master's side: a report from node `from`, recorded, then echoed
 * as the ack through `ops`; -1 with *why drops the link. */
int	ssync_orphan_heard(struct master *, const char *from,
	    const Hd__SchedOrphans *, const struct ssync_ops *ops,
	    const char **why);

#endif
