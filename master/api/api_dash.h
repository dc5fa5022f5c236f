#ifndef HD_API_DASH_H
#define HD_API_DASH_H

/*
 * What the dashboard needs from the master beyond the resource API:
 * probes on the event stream, the cluster's health and Z-Wave inclusion
 * (docs/WEB.md, "Dashboard").
 */

#include <stddef.h>
#include <stdint.h>

#include "web.pb-c.h"

struct master;

/* probe_event.c: at most PROBE_EVENTS_PER_S probe events a second. */
struct probe_rate {
	uint64_t	window_ms;	/* start of the current second */
	unsigned	sent;		/* published in it */
	uint64_t	dropped;	/* left out since the last one published */
};
/* 1 if a probe may be published at `now` (ms); 0 counts it dropped. */
int	probe_rate_take(struct probe_rate *, uint64_t now);
/* It was published: count it, and clear the dropped count. */
void	probe_rate_sent(struct probe_rate *);
/* {"class","addr","port","detail","banned_ms","dropped"} into buf; its
 * length, or -1 for a bad class or address, or if it did not fit. */
long	probe_event_json(const Hd__ProbeEvent *, uint64_t dropped, char *buf,
	    size_t size);

/* api_probe.c: publish a checked probe as an admins-only "probe" event
 * on the stream, within the rate. */
void	api_probe_publish(struct master *, const Hd__ProbeEvent *);

/* api_cluster.c: GET /api/v1/cluster (admin). -1 if the table is full. */
int	api_cluster_routes(struct master *);

/* api_zwave.c: the Z-Wave inclusion routes (docs/API.md). */
int	api_zwave_routes(struct master *);
int	api_zwave_maint_routes(struct master *);	/* api_zwave_maint.c */
int	api_zwave_nvm_routes(struct master *);	/* api_zwave_nvm.c */
/* The slave named by a Z-Wave route's first argument, or NULL once
 * refused (404) (api_zwave.c; both Z-Wave route files). */
struct api_call;
struct node *api_zw_slave(struct api_call *);
/* One maintenance step as JSON, as GET .../maintenance lists it; with
 * "slave" first when `slave` is not NULL (the stream's zwave event). */
struct jw;
struct zwm_mstep;
void	api_zw_mstep_json(struct jw *, const char *slave,
	    const struct zwm_mstep *);

#endif
