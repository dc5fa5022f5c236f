/*
 * Local rules running (docs/SCHEDULER.md#local-rules): after the slave has
 * lost every master for local-after ms (counted from start-up too, so a
 * slave restarted while cut off gets there), the scheduler engine runs
 * the kept rule set at the site's place and zone. A Welcome stops it at
 * once. Its commands go through the device table as the slave's own (ids
 * from LOCAL_ID_BASE, below the safe states' SAFE_ID_BASE, never the
 * master's counter from 1).
 *
 * Exactly once: each firing has an id from what it is, its event's name
 * and its due instant. The ids done are kept in <state-dir>/local.fired,
 * written before the firing's first command; a firing whose id is there
 * is skipped, so a restart or a catch-up never repeats one. The engine
 * starts after the later of the master's handled instant (sent with the
 * rules) and the moment the link was lost: the master ran everything due
 * before, and a firing due between the cut and local-after is caught up
 * by the engine's own missed-event policy (catch-up grace).
 */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "log.h"
#include "sched/sched.h"
#include "slave.h"
#include "wire.h"

/* 0: `fid` is not among the firings done; 1: a master's; 2: our own. */
static int
fired_seen(const struct local *lo, uint64_t fid)
{
	int i;

	for (i = 0; i < lo->nfired && i < LOCAL_MAX_FIRED; i++)
		if (lo->fired[i] == fid)
			return lo->own[i] ? 2 : 1;
	return 0;
}

/* Remember `fid` before acting on it: -1 if it could not be written. */
static int
fired_add(struct local *lo, uint64_t fid, int own)
{
	lo->own[lo->nfired % LOCAL_MAX_FIRED] = (uint8_t)own;
	lo->fired[lo->nfired % LOCAL_MAX_FIRED] = fid;
	if (++lo->nfired >= 2 * LOCAL_MAX_FIRED)
		lo->nfired -= LOCAL_MAX_FIRED;	/* the same slot, no overflow */
	return local_fired_save(lo);
}

/* ops->get_value: its own devices' last values (local_val.c). */
static int
get_value(void *arg, const struct sched_devref *r, struct sched_val *out)
{
	return local_val_get(arg, r, out);
}

static void
to_value(const struct sched_val *sv, Hd__Value *hv)
{
	hd__value__init(hv);
	if (sv->type == SV_BOOL) {
		hv->v_case = HD__VALUE__V_B;
		hv->b = sv->i != 0;
	} else if (sv->type == SV_INT) {
		hv->v_case = HD__VALUE__V_I;
		hv->i = sv->i;
	} else if (sv->type == SV_DOUBLE) {
		hv->v_case = HD__VALUE__V_D;
		hv->d = sv->d;
	} else {
		hv->v_case = HD__VALUE__V_S;
		hv->s = (char *)(uintptr_t)(sv->s != NULL ? sv->s : "");
	}
}

static void
report(struct local *lo, const char *event, int64_t due, uint64_t fid)
{
	struct local_pending *lp;

	if (lo->npend == LOCAL_MAX_PENDING) {
		log_warnx("local rules: %d firings unreported: the oldest is "
		    "dropped", LOCAL_MAX_PENDING);
		memmove(lo->pend, lo->pend + 1, (LOCAL_MAX_PENDING - 1) *
		    sizeof(lo->pend[0]));
		lo->npend--;
	}
	lp = &lo->pend[lo->npend++];
	memset(lp, 0, sizeof(*lp));
	snprintf(lp->event, sizeof(lp->event), "%s", event);
	lp->due = due;
	lp->fired = lo->wall();
	lp->fid = fid;
	local_pending_save(lo);
}

/*
 * A master is back: the firings go out, in order, then the file empties,
 * then LocalSync says the replay is over (an empty one too), so the
 * master knows its history of this slave's local events is whole.
 */
static void
local_pending_flush(struct local *lo)
{
	Hd__Envelope	 e;
	Hd__LocalFiring	 f;
	Hd__LocalSync	 y;
	int		 i, n = lo->npend;

	for (i = 0; i < lo->npend; i++) {
		hd__envelope__init(&e);
		hd__local_firing__init(&f);
		f.event = lo->pend[i].event;
		f.due_ms = lo->pend[i].due > 0 ? (uint64_t)lo->pend[i].due : 0;
		f.fired_ms = (uint64_t)lo->pend[i].fired;
		f.firing_id = lo->pend[i].fid;
		f.result = "fired";
		e.body_case = HD__ENVELOPE__BODY_LOCAL_FIRING;
		e.local_firing = &f;
		lo->s->up->send_reliable(lo->s, &e);
	}
	if (lo->npend > 0) {
		log_info("local rules: %d firing%s reported to the master",
		    lo->npend, lo->npend == 1 ? "" : "s");
		lo->npend = 0;
		local_pending_save(lo);
	}
	hd__envelope__init(&e);
	hd__local_sync__init(&y);
	y.firings = (uint32_t)n;
	y.version = lo->rules != NULL ? lo->rules->version : 0;
	e.body_case = HD__ENVELOPE__BODY_LOCAL_SYNC;
	e.local_sync = &y;
	lo->s->up->send_reliable(lo->s, &e);
}

/* ops->command: once per firing id, as the slave's own command. */
static int
command(void *arg, const struct sched_act *a, const char *by, char *why,
    size_t len)
{
	struct local		*lo = arg;
	Hd__Command		 c = HD__COMMAND__INIT;
	Hd__Value		 v;
	struct sched_val	 on = { .type = SV_BOOL, .i = 1 };
	int64_t			 due = sched_firing_due(lo->eng);
	uint64_t		 fid = sched_firing_id(by, due);
	Hd__CommandResult__Status st;
	const char		*err = NULL;

	if (fid != lo->cur_fid) {
		if (fired_seen(lo, fid)) {
			log_info("local rules: event %s due %" PRId64 ": fired "
			    "already (%016" PRIx64 "), not again", by, due, fid);
			return 0;
		}
		if (fired_add(lo, fid, 1) == -1) {
			snprintf(why, len, "its firing could not be recorded");
			return -1;
		}
		lo->cur_fid = fid;
		report(lo, by, due, fid);
	}
	to_value(a->kind == A_PULSE ? &on : &a->val, &v);
	c.id = LOCAL_ID_BASE + ++lo->next_id;
	c.device_id = a->ref.dev;
	c.key = a->ref.key;
	c.value = &v;
	c.pulse_ms = a->kind == A_PULSE ? (uint32_t)a->ms : 0;
	log_warnx("local rules: event %s (due %" PRId64 "): %s %s.%s", by, due,
	    a->kind == A_PULSE ? "pulse" : "set", a->ref.dev, a->ref.key);
	if ((st = devices_command_local(lo->s, &c, &err)) !=
	    HD__COMMAND_RESULT__STATUS__OK) {
		snprintf(why, len, "%s", err != NULL ? err : "refused");
		return -1;
	}
	return 0;
}

static const struct sched_ops ops = { get_value, command };

int
local_result(struct slave *s, uint64_t id, Hd__CommandResult__Status st,
    const char *detail)
{
	if (id < LOCAL_ID_BASE || id >= LOCAL_ID_BASE + (UINT64_C(1) << 48))
		return 0;
	if (st == HD__COMMAND_RESULT__STATUS__OK)
		log_info("local rules: command %" PRIu64 " done", id);
	else if (st != HD__COMMAND_RESULT__STATUS__QUEUED)
		log_warnx("local rules: command %" PRIu64 " failed: %s", id,
		    detail != NULL ? detail : "");
	(void)s;
	return 1;
}

static void
rearm(struct local *lo)
{
	int64_t	now = lo->wall(), wait = sched_next(lo->eng) - now;

	if (wait < 0)
		wait = 0;
	if (wait > SCHED_MAX_SLEEP_MS)
		wait = SCHED_MAX_SLEEP_MS;	/* notice a wall-clock step */
	ev_timer_start(lo->s->loop, &lo->tick, (uint64_t)wait);
}

static void
tick(struct ev_timer *t)
{
	struct local *lo = t->arg;

	if (lo->eng == NULL)
		return;
	sched_run(lo->eng, lo->wall());
	rearm(lo);
}

/* The rule set's places: site "" is the engine's home, the rest sites. */
static int
set_places(struct local *lo, double *lat, double *lon)
{
	const Hd__LocalRules	*r = lo->rules;
	struct sched_place	*sites;
	size_t			 i;
	int			 n = 0, rc;

	*lat = *lon = NAN;
	if ((sites = calloc(LOCAL_MAX_PLACES, sizeof(*sites))) == NULL)
		return -1;
	for (i = 0; i < r->n_places; i++) {
		const Hd__LocalPlace *p = r->places[i];

		if (p->site[0] == '\0') {
			*lat = p->has_place ? p->lat : NAN;
			*lon = p->has_place ? p->lon : NAN;
			continue;
		}
		snprintf(sites[n].site, sizeof(sites[n].site), "%s", p->site);
		snprintf(sites[n].tz, sizeof(sites[n].tz), "%s", p->zone);
		sites[n].lat = p->has_place ? p->lat : NAN;
		sites[n].lon = p->has_place ? p->lon : NAN;
		n++;
	}
	rc = n > SCHED_MAX_SITES ? -1 : 0;
	lo->nsites = n;
	lo->sites = sites;
	return rc;
}

/* Cut off long enough: run the kept rules. */
static void
go_local(struct ev_timer *t)
{
	struct local		*lo = t->arg;
	struct sched_errs	*e = NULL;
	int64_t			 now = lo->wall(), from;
	double			 lat, lon;
	char			 path[PATH_MAX], *nl;

	if (lo->refused) {
		log_warnx("local rules: no master for %" PRIu64 " ms, but "
		    "%s or %s is of a newer format: not run", ev_clock_ms() -
		    lo->lost_at, LOCAL_FIRED_FILE, LOCAL_PENDING_FILE);
		return;
	}
	if (lo->rules == NULL || lo->rules->text[0] == '\0') {
		log_info("local rules: no master for %" PRIu64 " ms, and no "
		    "local rules to run", ev_clock_ms() - lo->lost_at);
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", lo->s->conf.state_dir,
	    LOCAL_STATE_FILE);
	if (set_places(lo, &lat, &lon) == -1 ||
	    (e = calloc(1, sizeof(*e))) == NULL ||
	    (lo->eng = sched_new(&ops, lo, lat, lon, path)) == NULL ||
	    sched_set_places(lo->eng, lo->sites, lo->nsites) == -1 ||
	    sched_load_buf(lo->eng, "local.rules", lo->rules->text,
	    strlen(lo->rules->text), now, e) == -1) {
		if (e != NULL && (nl = strchr(e->buf, '\n')) != NULL)
			*nl = '\0';
		log_warnx("local rules: cannot run them: %s", e != NULL &&
		    e->n > 0 ? e->buf : "out of memory");
		local_engine_stop(lo->s);
		free(e);
		return;
	}
	free(e);
	/* Everything due before the last frame heard was the master's; one
	 * due at that very instant may or may not have gone out, so it is
	 * a candidate, and the firing ids decide. */
	from = (int64_t)lo->rules->handled_ms;
	if (lo->lost_wall - 1 > from)
		from = lo->lost_wall - 1;
	lo->heard_wall = lo->lost_wall;	/* a restart counts from here too */
	local_fired_save(lo);
	sched_set_start(lo->eng, from);
	sched_start(lo->eng, now);
	log_warnx("local rules: no master for %" PRIu64 " ms: running %d "
	    "local event%s (version %016" PRIx64 ")", ev_clock_ms() -
	    lo->lost_at, sched_program(lo->eng)->nev,
	    sched_program(lo->eng)->nev == 1 ? "" : "s", lo->rules->version);
	rearm(lo);
}

void
local_engine_stop(struct slave *s)
{
	struct local *lo = s->local;

	if (lo == NULL)
		return;
	ev_timer_stop(s->loop, &lo->tick);
	if (lo->eng != NULL) {
		sched_save(lo->eng, lo->wall());
		sched_free(lo->eng);
		lo->eng = NULL;
		log_info("local rules: stopped, a master is back");
	}
	free(lo->sites);
	lo->sites = NULL;
	lo->nsites = 0;
}

/* This link's master sent its LocalRules: it knows the replay's bodies. */
void
local_rules_heard(struct slave *s)
{
	struct local *lo = s->local;

	if (lo != NULL && lo->flush_due) {
		lo->flush_due = 0;
		local_pending_flush(lo);
	}
}

void
local_link(struct slave *s, int up)
{
	struct local	*lo = s->local;
	uint64_t	 heard;

	if (lo == NULL)
		return;
	if (up) {
		ev_timer_stop(s->loop, &lo->after);
		local_engine_stop(s);
		/* The replay goes once this master sends its LocalRules: a
		 * master that sends none (an older version, one without an
		 * events file) does not know LocalFiring or LocalSync and
		 * would drop the link for them. They stay in local.pending. */
		lo->flush_due = 1;
		lo->heard_wall = lo->wall();
		local_fired_save(lo);
		return;
	}
	if (!lo->after.active && lo->eng == NULL) {
		/* From the last frame heard, not the timeout's end: the
		 * master may have died then. */
		lo->lost_at = ev_clock_ms();
		lo->lost_wall = lo->wall();
		heard = s->link.hb.last_rx;
		if (heard != 0 && heard <= lo->lost_at)
			lo->lost_wall -= (int64_t)(lo->lost_at - heard);
		ev_timer_start(s->loop, &lo->after,
		    (uint64_t)s->conf.local_after_ms);
	}
}

/* A master's command for a firing: its id is remembered as done, so the
 * slave's engine never repeats it after a cut (docs/SCHEDULER.md). One
 * the slave made itself (due as the master came back, run here before
 * the Welcome arrived) is not run again. */
int
local_master_fired(struct slave *s, uint64_t fid)
{
	struct local	*lo = s->local;
	int		 seen;

	if (lo == NULL || fid == 0)
		return 0;
	if ((seen = fired_seen(lo, fid)) == 2) {
		log_info("local rules: firing %016" PRIx64 " ran here already "
		    "by the local rules: the master's command is not run "
		    "again", fid);
		return 1;
	}
	lo->heard_wall = lo->wall();
	if (seen == 0)
		fired_add(lo, fid, 0);
	return 0;
}

void
local_value(struct slave *s, const char *dev, const char *key,
    const Hd__Value *v)
{
	struct local		*lo = s->local;
	struct sched_val	 sv;

	if (lo == NULL)
		return;
	if (v == NULL) {		/* stale or faulty */
		local_val_set(lo, dev, key, NULL);
		return;
	}
	memset(&sv, 0, sizeof(sv));
	if (v->v_case == HD__VALUE__V_B) {
		sv.type = SV_BOOL;
		sv.i = v->b;
	} else if (v->v_case == HD__VALUE__V_I) {
		sv.type = SV_INT;
		sv.i = v->i;
	} else if (v->v_case == HD__VALUE__V_D) {
		sv.type = SV_DOUBLE;
		sv.d = v->d;
	} else {
		local_val_set(lo, dev, key, NULL);
		return;
	}
	local_val_set(lo, dev, key, &sv);
	if (lo->eng == NULL)
		return;
	sched_value(lo->eng, lo->wall(), s->id, dev, key, &sv);
	rearm(lo);
}

static int64_t
wall_ms(void)
{
	return (int64_t)ev_wall_ms();
}

int
local_start(struct slave *s)
{
	struct local *lo;

	if ((lo = calloc(1, sizeof(*lo))) == NULL)
		return -1;
	lo->s = s;
	lo->wall = wall_ms;
	ev_timer_init(&lo->after, go_local, lo);
	ev_timer_init(&lo->tick, tick, lo);
	s->local = lo;
	local_load(lo);
	local_files_load(lo);
	local_link(s, 0);	/* no master yet */
	/* Cut off since before this start, if a master was last heard then:
	 * what fell due while the slave was down is caught up (the engine's
	 * grace), unless its id says it ran. */
	if (lo->heard_wall > 0 && lo->heard_wall < lo->lost_wall)
		lo->lost_wall = lo->heard_wall;
	return 0;
}

void
local_stop(struct slave *s)
{
	struct local *lo = s->local;

	if (lo == NULL)
		return;
	local_engine_stop(s);
	ev_timer_stop(s->loop, &lo->after);
	if (lo->rules != NULL)
		wire_free(&lo->rules->base);
	free(lo);
	s->local = NULL;
}
