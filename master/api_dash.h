#ifndef HD_API_DASH_H
#define HD_API_DASH_H

/*
 * What the dashboard needs from the master beyond the resource API:
 * probes on the event stream and the cluster's health (docs/WEB.md,
 * "Dashboard").
 */

#include "web.pb-c.h"

struct master;

/* api_probe.c: publish a checked probe as an admins-only "probe" event
 * on the stream: {"class","addr","port","detail","banned_ms"}. */
void	api_probe_publish(struct master *, const Hd__ProbeEvent *);

/* api_cluster.c: GET /api/v1/cluster (admin). -1 if the table is full. */
int	api_cluster_routes(struct master *);

#endif
