/*
 * Probes on the event stream: each probe the web process reports (and
 * the master has checked, webproc.c) goes out as a "probe" event, which
 * only admins' streams receive, so the dashboard's security panel shows
 * it as it happens. At most PROBE_EVENTS_PER_S a second (probe_event.c):
 * a storm must not flush the backlog clients resume from.
 */

#include "api/api_dash.h"
#include "api/api_stream.h"
#include "ev.h"
#include "hdlimits.h"
#include "master.h"

static struct probe_rate rate;

void
api_probe_publish(struct master *m, const Hd__ProbeEvent *p)
{
	char buf[STREAM_MAX_DATA];

	if (!probe_rate_take(&rate, ev_now(m->loop)))
		return;
	if (probe_event_json(p, rate.dropped, buf, sizeof(buf)) > 0 &&
	    api_stream_publish(m, "probe", NULL, NULL, buf) != 0)
		probe_rate_sent(&rate);
}
