/*
 * What other master modules tell the event stream (docs/API.md): the
 * scheduler's firings, failures, notices and mode changes, and Z-Wave
 * inclusion progress. Each module only knows a callback; this file ties
 * those callbacks to api_stream_publish(), so the modules stay testable
 * without the stream.
 */

#include <stdio.h>

#include "api_stream.h"
#include "json.h"
#include "log.h"
#include "master.h"
#include "sched.h"
#include "zwave.h"

#define WIRE_JSON_MAX	512	/* one progress event's JSON */

/* Scheduler notices: kind is the event's name ("event", "event_failed",
 * "notify", "mode"); the scheduler is the whole installation's, so every
 * stream sees them. */
static void
sched_notice(void *arg, const char *kind, const char *json)
{
	api_stream_publish(arg, kind, NULL, NULL, json);
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
	jw_str(&w, zwm_state_name(p->state));
	jw_key(&w, "node_id");
	jw_uint(&w, p->node_id);
	jw_key(&w, "reason");
	jw_str(&w, p->reason);
	jw_key(&w, "time_left_ms");
	jw_uint(&w, p->time_left_ms);
	jw_close(&w, '}');
	if (jw_end(&w) < 0)
		return;
	api_stream_publish(arg, "zwave", n->site, NULL, buf);
}

int
stream_wire(struct master *m)
{
	if (m->sched != NULL)
		sched_set_notify(sched_master_engine(m), sched_notice, m);
	if (m->zw != NULL && zwm_subscribe(m, zwave_progress, m) == -1) {
		log_warnx("stream: no room for the Z-Wave subscriber");
		return -1;
	}
	return 0;
}
