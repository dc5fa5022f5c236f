/*
 * A firing of a slave's local rules that a new master makes just after
 * a takeover, before that slave has registered with it (docs/FAILOVER.md
 * #local-rules-at-a-takeover). The slave, back within the second, has not
 * run it: it runs its local rules only once cut off for its local-after.
 * So the firing is held in the outbox for it (HOLD_RESEND, with the
 * firing's id and instant) and goes when it registers: a slave whose
 * local rules ran it after all answers the master's command "done by the
 * local rules" without acting (slave/dev/local_run.c, its local.fired
 * kept on disk), the others run it now. Exactly once either way. A slave
 * not back within SCHED_LOCAL_HOLD_MS, or an instant whose catch-up
 * window passes meanwhile, is missed: out of the event's runs, into its
 * missed record, once per firing.
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cluster/cluster.h"
#include "log.h"
#include "master.h"
#include "sched/sched.h"
#include "sched/sched_master.h"
#include "sched/sched_int.h"

/* The instant's catch-up window closes (ev_clock_ms()), or 0 at once:
 * catch-up none never runs an instant late. */
static uint64_t
window_end(struct sched_master *sm, const struct sched_event *ev,
    int64_t due, uint64_t now)
{
	int64_t left;

	if (ev == NULL || ev->catchup_s <= 0)
		return 0;
	left = due + ev->catchup_s * 1000LL - sm_wall(sm) + 1;
	return left < 0 ? 0 : now + (uint64_t)left;
}

int
sm_await_local(struct sched_master *sm, Hd__Command *cmd, const char *node,
    const char *by, int64_t due)
{
	const struct sched_event	*ev;
	uint64_t			 now = ev_clock_ms(), until, win;

	ev = sched_prog_find(sched_program(sm->s), by);
	until = now + SCHED_LOCAL_HOLD_MS;
	if ((win = window_end(sm, ev, due, now)) < until)
		until = win;	/* woken when it is missed */
	if (cmd->id == 0)
		cmd->id = cluster_command_id(sm->m);
	if (cmd->id == 0 || sched_hold_add_local(&sm->hold, cmd, node, by,
	    now + SCHED_LOCAL_HOLD_MS, until, due) == -1)
		return -1;
	log_info("sched: event %s (due %" PRId64 "): slave %s, whose local "
	    "rules it is, is not back after the takeover: command %" PRIu64
	    " (firing %016" PRIx64 ") waits for it, %d s at most", by, due,
	    node, cmd->id, cmd->firing_id, SCHED_LOCAL_HOLD_MS / 1000);
	sm_hold_arm(sm, 0);
	return 0;
}

/* Why a held firing is missed now, or NULL if it may still go. */
static const char *
late_why(struct sched_master *sm, const struct sched_hold_cmd *c,
    const struct sched_event *ev, uint64_t now, char *why, size_t len)
{
	char	late[24], win[24];

	if (ev == NULL)
		return "its event is gone (reloaded)";
	sched_span_words(late, sizeof(late), sm_wall(sm) - c->local_due);
	if (ev->catchup_s <= 0) {
		snprintf(why, len, "its slave %s was not back after a "
		    "takeover: catch-up none", c->node);
		return why;
	}
	/* The deadline before the hold's bound is the window's end (the
	 * wall clock may lag the monotonic one by a millisecond). */
	if (sm_wall(sm) - c->local_due > ev->catchup_s * 1000LL ||
	    (now >= c->deadline && now < c->local_until)) {
		sched_span_words(win, sizeof(win), ev->catchup_s * 1000LL);
		snprintf(why, len, "waited for its slave %s after a takeover: "
		    "%s late, beyond the catch-up of %s", c->node, late, win);
		return why;
	}
	if (now >= c->deadline || now >= c->local_until) {
		snprintf(why, len, "its slave %s was not back within %d s of a "
		    "takeover", c->node, SCHED_LOCAL_HOLD_MS / 1000);
		return why;
	}
	return NULL;
}

int
sm_local_late(struct sched_master *sm, struct sched_hold_cmd *c, uint64_t now)
{
	struct sched_event	*ev;
	char			 buf[SCHED_MISSED_WHY_MAX + NODE_ID_MAX + 64];
	char			 event[SCHED_NAME_MAX + 1];
	const char		*why;
	int64_t			 due = c->local_due;
	int			 last;

	ev = sched_prog_find(sched_program(sm->s), c->event);
	if ((why = late_why(sm, c, ev, now, buf, sizeof(buf))) == NULL)
		return 0;
	log_warnx("sched: event %s (due %" PRId64 "): command %" PRIu64 " to "
	    "%s not sent: %s", c->event, due, c->id, c->node, why);
	snprintf(event, sizeof(event), "%s", c->event);
	last = sched_hold_siblings(&sm->hold, c) == 0;
	sched_hold_drop(&sm->hold, c);
	if (!last || ev == NULL)
		return 1;	/* the firing's last command reports it */
	if (sched_held_missed(sm->s, ev, due, sm_wall(sm), why) == 1)
		log_info("sched: event %s (due %" PRId64 "): its slave reported "
		    "it run by its local rules: a run, not missed", event, due);
	else
		log_warnx("sched: event %s missed its instant due %" PRId64
		    ": %s", event, due, why);
	return 1;
}
