/*
 * The new master's side of an old master's unreplicated firings
 * (sched_orphan.h, docs/FAILOVER.md#an-old-masters-unreplicated-
 * firings): a returning node reports the firings it made as master
 * whose record never reached this one. Each is logged and recorded on
 * its event as run by the old master, unreplicated (never as missed:
 * it ran; never run again here); a report heard before is recorded once.
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "master.h"
#include "net.h"
#include "sched/sched.h"
#include "sched/sched_master.h"
#include "sched/sched_int.h"
#include "sched/sched_orphan.h"

static void
one(struct sched_master *sm, const char *from, const Hd__SchedOrphan *o)
{
	struct sched_event	*e;
	char			 ev[SCHED_NAME_MAX * 4 + 1];

	str_vis(ev, sizeof(ev), o->event);
	e = sm != NULL ? sched_prog_find(sched_program(sm->s), o->event) : NULL;
	if (e == NULL) {
		log_warnx("sched: event %s fired at %" PRIu64 " (firing id "
		    "%016" PRIx64 ") by the old master %s, unreplicated: not "
		    "an event here now, logged only", ev, o->fired_ms,
		    o->firing_id, from);
		return;
	}
	if (sched_unrepl_fired(sm->s, e, (int64_t)o->fired_ms,
	    sm_wall(sm)) == 1) {
		log_info("sched: event %s: firing at %" PRIu64 " of the old "
		    "master %s reported again: recorded already", ev,
		    o->fired_ms, from);
		return;
	}
	log_warnx("sched: event %s fired at %" PRIu64 " (firing id %016"
	    PRIx64 ", %" PRIu32 " command%s unanswered there) by the old "
	    "master %s, whose record never reached this master: recorded as "
	    "fired by the old master, unreplicated; not run again", ev,
	    o->fired_ms, o->firing_id, o->commands, o->commands == 1 ? "" :
	    "s", from);
}

int
sched_master_orphans(struct master *m, const char *from,
    const Hd__SchedOrphans *r, const char **why)
{
	size_t	i;

	if (r->ack) {
		*why = "unreplicated firings: an acknowledgement to a master";
		return -1;
	}
	if (sched_orphans_check(r, why) == -1)
		return -1;
	for (i = 0; i < r->n_firings; i++)
		one(m->sched, from, r->firings[i]);
	if (m->sched != NULL && r->n_firings > 0)
		sm_rearm(m->sched);
	return 0;
}
