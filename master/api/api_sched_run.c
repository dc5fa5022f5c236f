/*
 * "run" from the API in hd-master (docs/FAILOVER.md#run-from-the-api),
 * answered as a synchronous commit is: the event fires (its commands
 * wait in the outbox for the firing's record, sched_outbox.c), and the
 * answer waits for the same thing, the standby holding sched.state as
 * written after the run, SCHED_SYNC_WAIT_MS at most. Then "replicated"
 * says whether it does. A client that got no answer (the master died)
 * runs again with the same key: the master that has the key's record
 * (this one, or the standby that took over from its state) answers it
 * as a repeat and fires nothing; one without it never ran it, since no
 * command of the run went before the record reached the standby.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/api_internal.h"
#include "log.h"
#include "master.h"
#include "sched/sched.h"
#include "sched/sched_master.h"
#include "sched/sched_run.h"

static const char why_none[] = "no standby attached: the record is this "
    "master's only";
static const char why_late[] = "the standby did not hold the record in "
    "time (SCHED_SYNC_WAIT_MS): this master went on alone";
static const char why_lost[] = "the standby went before it held the "
    "record: this master goes on alone";
static const char why_busy[] = "too many runs wait for the standby "
    "(SCHED_RUN_WAITS): answered without waiting for it";

static int64_t
last_fired(struct sched_master *sm, const char *event)
{
	const struct sched_prog		*g;
	const struct sched_event	*ev;

	g = sched_program(sched_master_sched(sm));
	ev = g != NULL ? sched_prog_find(g, event) : NULL;
	return ev != NULL ? ev->last_fired : 0;
}

/* Does the standby hold version `token` of the state file? */
static int
held(const struct sched_sync *ss, uint64_t token)
{
	if (ss->held != NULL)
		return ss->held(ss->arg, SCHED_STATE, token);
	return ss->done(ss->arg, SCHED_STATE, token) &&
	    ss->mark(ss->arg, SCHED_STATE) != 0;
}

/* The answer of wait `w` now, on the call it was deferred from. */
static void
answer_later(struct sched_master *sm, struct sched_runwait *w)
{
	struct api_call	c;
	Hd__ApiResponse	resp;

	api_resume(sched_master_owner(sm)->api, w->later, &c, &resp,
	    ev_clock_ms());
	api_sched_run_answer(&c, sched_master_api_of(sm), w->event, &w->out);
	api_finish(&c);
	free(w->later);
	w->later = NULL;
}

/*
 * The answer waits for `token` if a standby is attached and a slot and
 * memory are free; else it goes now, not replicated, saying why.
 */
static void
answer(struct sched_master *sm, struct api_call *c, const char *event,
    struct sched_run_out *o, uint64_t token)
{
	struct sched_runwait	*ws = sched_master_runwaits(sm), *w = NULL;
	int			 i;

	for (i = 0; token != 0 && i < SCHED_RUN_WAITS; i++)
		if (ws[i].later == NULL) {
			w = &ws[i];
			break;
		}
	if (w != NULL && (w->later = malloc(sizeof(*w->later))) != NULL) {
		w->token = token;
		w->deadline = ev_clock_ms() + SCHED_SYNC_WAIT_MS;
		snprintf(w->event, sizeof(w->event), "%s", event);
		w->out = *o;
		api_defer(c, w->later);
		sched_master_pump(sm);
		return;
	}
	if (token != 0)
		log_warnx("sched: run of event %s answered without waiting "
		    "for the standby: %d answers wait already (or no "
		    "memory)", event, SCHED_RUN_WAITS);
	o->replicated = 0;
	o->why = token != 0 ? why_busy : why_none;
	api_sched_run_answer(c, sched_master_api_of(sm), event, o);
}

void
sm_run(void *arg, struct api_call *c, const char *event, const char *key)
{
	struct sched_master	*sm = arg;
	struct sched_runkeys	*keys = sched_master_runkeys(sm);
	struct sched		*s = sched_master_sched(sm);
	const struct sched_runkey *k = key[0] != '\0' ?
				    sched_runkeys_find(keys, key) : NULL;
	const struct sched_sync	*ss = sched_master_sync();
	struct sched_run_out	 o;
	unsigned		 saves = sched_master_saves(sm);
	int64_t			 now = sched_master_wall(sm);

	memset(&o, 0, sizeof(o));
	snprintf(o.key, sizeof(o.key), "%s", key);
	if (k != NULL && strcmp(k->event, event) != 0) {
		api_refuse(c, 409, "conflict", "this key was given to a run "
		    "of another event");
		return;
	}
	if (k != NULL) {
		log_info("api: %s runs event %s again with key %s: a repeat "
		    "of its run at %" PRId64 ", not fired again", c->user ?
		    c->user->name : "?", event, key, k->fired_ms);
		o.repeat = 1;
		o.fired_ms = k->fired_ms;
	} else {
		log_info("api: %s runs event %s%s%s", c->user ? c->user->name :
		    "?", event, key[0] != '\0' ? " with key " : "", key);
		/* The key goes into the file the batch writes with the
		 * firing's record (the engine fires at `now`). */
		if (key[0] != '\0')
			sched_runkeys_add(keys, key, event, now);
		sched_fire(s, event, now);
		o.fired_ms = last_fired(sm, event);
		/* No write in the batch (nothing it did is saved at once):
		 * the version the answer waits for must hold the key. */
		if (sched_master_saves(sm) == saves)
			sched_save(s, now);
	}
	/* A repeat waits too: the record of the first may still be on its
	 * way to the standby (a client that retried at once). */
	answer(sm, c, event, &o, ss->mark != NULL ? ss->mark(ss->arg,
	    SCHED_STATE) : 0);
}

uint64_t
sm_run_pump(struct sched_master *sm, uint64_t now, uint64_t next)
{
	const struct sched_sync	*ss = sched_master_sync();
	struct sched_runwait	*w;
	int			 i;

	for (i = 0; i < SCHED_RUN_WAITS; i++) {
		w = &sched_master_runwaits(sm)[i];
		if (w->later == NULL)
			continue;
		if (ss->done != NULL && !ss->done(ss->arg, SCHED_STATE,
		    w->token) && now < w->deadline) {
			if (w->deadline < next)
				next = w->deadline;
			continue;
		}
		w->out.replicated = ss->done != NULL && held(ss, w->token);
		if (!w->out.replicated) {
			w->out.why = now >= w->deadline ? why_late : why_lost;
			log_warnx("sched: run of event %s answered: %s",
			    w->event, w->out.why);
		}
		answer_later(sm, w);
	}
	return next;
}

void
sm_run_owed(struct sched_master *sm, const char *why)
{
	struct sched_runwait	*w;
	struct api_call		 c;
	Hd__ApiResponse		 resp;
	struct api_master	 am;
	int			 i;

	for (i = 0; i < SCHED_RUN_WAITS; i++) {
		if ((w = &sched_master_runwaits(sm)[i])->later == NULL)
			continue;
		log_warnx("api: run of event %s: its answer is lost with the "
		    "step down: answered 503 (run again with the same key "
		    "at the master)", w->event);
		api_resume(sched_master_owner(sm)->api, w->later, &c, &resp,
	    ev_clock_ms());
		api_whoami(sched_master_owner(sm)->api, &am);
		api_not_master_open(&c, why, &am);
		jw_key(&c.w, "event");
		jw_str(&c.w, w->event);
		jw_close(&c.w, '}');
		api_reply(&c, 503);
		api_finish(&c);
		free(w->later);
		w->later = NULL;
	}
}

void
sched_master_step_down(struct master *m)
{
	if (m->sched != NULL)
		sm_run_owed(m->sched, "this master stepped down before the "
		    "standby held the run: it may have fired; run it again "
		    "with the same key at the master (a repeat fires "
		    "nothing)");
}
