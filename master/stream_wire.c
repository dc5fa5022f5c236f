/*
 * What other master modules tell the event stream (docs/API.md): the
 * scheduler's firings, failures, notices and mode changes, and Z-Wave
 * inclusion progress. Each module only knows a callback; this file ties
 * those callbacks to api_stream_publish(), so the modules stay testable
 * without the stream; and the stream's events to the web process, so the
 * API never names it.
 */

#include <stdio.h>

#include "api/api_dash.h"
#include "api/api_stream.h"
#include "cluster/cluster.h"
#include "lib/json.h"
#include "log.h"
#include "master.h"
#include "webproc.h"
#include "sched/sched.h"
#include "sched/sched_master.h"
#include "zwave/zwave.h"

#define WIRE_JSON_MAX	512	/* one progress event's JSON */
/* One maintenance step's: its texts (reason, parameter name, slave)
 * escaped, six times their bytes at most (\u00XX), and the figures. */
#define WIRE_MAINT_JSON_MAX	(6 * (ZW_INCL_REASON_MAX + \
				 ZW_CONFIG_NAME_MAX + NODE_ID_MAX) + 512)

/*
 * Scheduler notices: kind is the stream event's name ("event",
 * "event_failed", "event_missed", "notify", "mode"). A notice about an
 * event reaches the streams that may see that event (docs/SCHEDULER.md#who-sees-what):
 * it needs every device the event names, each tagged with its node's
 * site as known now (a node never seen: site "", only "*" grants). Mode
 * changes and events that name no device reach every stream.
 */
static void
sched_notice(void *arg, const char *kind, const struct sched_event *ev,
    const char *json)
{
	struct master	*m = arg;
	Hd__StreamScope	 sc[STREAM_MAX_NEEDS], *ptr[STREAM_MAX_NEEDS];
	struct node	*n;
	int		 i;

	if (ev == NULL || ev->nrefs == 0) {
		api_stream_publish(m, kind, NULL, NULL, json);
		return;
	}
	for (i = 0; i < ev->nrefs && i < STREAM_MAX_NEEDS; i++) {
		hd__stream_scope__init(&sc[i]);
		n = node_get(m, ev->refs[i].node, 0);
		sc[i].site = (char *)(uintptr_t)(n != NULL ? n->site : "");
		sc[i].device = (char *)(uintptr_t)(ev->refs[i].dev != NULL ?
		    ev->refs[i].dev : "");
		ptr[i] = &sc[i];
	}
	api_stream_publish_needs(m, kind, ptr, (size_t)i, json);
}

/* One inclusion/exclusion step: admins only (the API is admin-only). */
static void
zwave_progress(void *arg, const struct node *n, const Hd__ZwProgress *p)
{
	struct jw	w;
	char		buf[WIRE_JSON_MAX];

	jw_init(&w, buf, sizeof(buf));
	jw_open(&w, '{');
	jw_key(&w, "slave");
	jw_str(&w, n->id);
	jw_key(&w, "site");
	jw_str(&w, n->site);
	jw_key(&w, "action");
	jw_str(&w, zwm_action_name(p->action));
	jw_key(&w, "state");
	jw_str(&w, zwm_state_name(p->state, p->action));
	jw_key(&w, "node_id");
	jw_uint(&w, p->node_id);
	jw_key(&w, "reason");
	jw_str(&w, p->reason);
	jw_key(&w, "time_left_ms");
	jw_uint(&w, p->time_left_ms);
	if (p->state >= HD__ZW_PROGRESS__STATE__S2_GRANT) {
		jw_key(&w, "dsk");	/* S2 bootstrapping (docs/API.md) */
		jw_str(&w, p->dsk);
		jw_key(&w, "s2_requested");
		jw_uint(&w, p->s2_requested);
		jw_key(&w, "s2_granted");
		jw_uint(&w, p->s2_granted);
		jw_key(&w, "downgraded");
		jw_bool(&w, p->downgraded);
	}
	jw_close(&w, '}');
	if (jw_end(&w) < 0)
		return;
	api_stream_publish(arg, "zwave", n->site, NULL, buf);
}

/*
 * One node maintenance step (ping, heal, configuration...): the same
 * object as GET /api/v1/zwave/SLAVE/maintenance lists, with "slave"; the
 * dashboard tells it from an inclusion step by its "op". Admins only,
 * as the API.
 */
static void
zwave_maint(void *arg, const struct node *n, const struct zwm_mstep *st)
{
	struct jw	w;
	char		buf[WIRE_MAINT_JSON_MAX];

	jw_init(&w, buf, sizeof(buf));
	api_zw_mstep_json(&w, n->id, st);
	if (jw_end(&w) < 0) {
		log_warnx("stream: a Z-Wave maintenance step did not fit");
		return;
	}
	api_stream_publish(arg, "zwave", n->site, NULL, buf);
}

/* The stream's sink: the web process of the moment, if any. */
static int
to_web(void *arg, Hd__WebMsg *msg)
{
	struct master *m = arg;

	return webproc_send(m->web, msg);
}

int
stream_wire(struct master *m)
{
	api_stream_set_sink(m, to_web, m);
	if (m->sched != NULL)
		sched_set_notify(sched_master_engine(m), sched_notice, m);
	if (m->zw != NULL && zwm_subscribe(m, zwave_progress, m) == -1) {
		log_warnx("stream: no room for the Z-Wave subscriber");
		return -1;
	}
	if (m->zw != NULL && zwm_maint_subscribe(m, zwave_maint, m) == -1) {
		log_warnx("stream: no room for the Z-Wave maintenance "
		    "subscriber");
		return -1;
	}
	return 0;
}
