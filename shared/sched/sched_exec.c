/*
 * What happens when an event fires (docs/SCHEDULER.md#semantics): its
 * condition is checked at the instant it fires, then its actions run in
 * order until a 'wait', which parks the rest as a pending entry in the
 * heap. Commands go to the slaves through ops->command; one that cannot
 * be sent (slave offline) fails with a logged reason and becomes the
 * event's last result, it is never dropped silently. Firings and
 * notify actions also go to the notify callback (the dashboard stream).
 */

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_write.h"
#include "log.h"
#include "sched/sched.h"

#define EMIT_MAX	(SCHED_TOKEN_MAX * 2 + 256)	/* one JSON notice */

static void	run_actions(struct sched *, struct sched_event *, int step,
		    int depth);

void
sched_emit(struct sched *s, const char *kind, const struct sched_event *ev,
    const char *json)
{
	if (s->notify != NULL)
		s->notify(s->narg, kind, ev, json);
}

void
sched_trig_describe(const struct sched_trig *tr, char *buf, size_t len)
{
	switch (tr->kind) {
	case T_AT:
		snprintf(buf, len, "at %02ld:%02ld:%02ld", tr->secs / 3600,
		    tr->secs / 60 % 60, tr->secs % 60);
		break;
	case T_EVERY:
		snprintf(buf, len, "every %ld s", tr->secs);
		break;
	case T_SUN:
		if (tr->offset_s == 0)
			snprintf(buf, len, "%s", sched_sun_name(tr->sun));
		else
			snprintf(buf, len, "%s %c %ld min",
			    sched_sun_name(tr->sun), tr->offset_s < 0 ?
			    '-' : '+', labs(tr->offset_s) / 60);
		break;
	case T_VALUE:
		snprintf(buf, len, "%.20s/%.20s.%.10s %s %g", tr->ref.node,
		    tr->ref.dev, tr->ref.key, tr->above ? "above" : "below",
		    tr->thr);
		break;
	case T_CHANGE:
		snprintf(buf, len, "%.20s/%.20s.%.10s changed", tr->ref.node,
		    tr->ref.dev, tr->ref.key);
		break;
	default:
		snprintf(buf, len, "%s", tr->kind == T_STARTUP ? "startup" :
		    tr->kind == T_ONLINE ? "slave online" : "slave offline");
	}
}

static int
val_cmp(const struct sched_val *a, const struct sched_val *b, enum cmp_op op)
{
	double	x, y;
	int	r;

	if (a->type == SV_STRING || b->type == SV_STRING) {
		if (a->type != b->type)
			return op == OP_NE;
		r = strcmp(a->s, b->s);
		x = r;
		y = 0;
	} else if (a->type == SV_NONE || b->type == SV_NONE)
		return 0;
	else {
		x = a->type == SV_DOUBLE ? a->d : (double)a->i;
		y = b->type == SV_DOUBLE ? b->d : (double)b->i;
		if (isnan(x) || isnan(y))
			return 0;
	}
	switch (op) {
	case OP_LT: return x < y;
	case OP_LE: return x <= y;
	case OP_GT: return x > y;
	case OP_GE: return x >= y;
	case OP_EQ: return x == y;
	case OP_NE: return x != y;
	}
	return 0;
}

/* An event's condition, now, at its place and in its zone. */
static int
ev_cond(struct sched *s, const struct sched_event *ev)
{
	struct sched_zone_save	zs;
	int			r;

	s->here = sched_ev_place(ev);
	sched_zone_enter(s->here->tz, &zs);
	r = sched_cond_eval(s, ev->cond, s->now);
	sched_zone_leave(&zs);
	s->here = NULL;
	return r;
}

/* An unknown, stale or faulty value makes its comparison false. */
int
sched_cond_eval(struct sched *s, const struct sched_cond *c, int64_t now)
{
	struct sched_val	v;
	int			y, mon, d, wday;
	long			secs;

	if (s->here == NULL)
		s->here = &s->home;
	switch (c->kind) {
	case C_AND:
		return sched_cond_eval(s, c->a, now) && sched_cond_eval(s, c->b, now);
	case C_OR:
		return sched_cond_eval(s, c->a, now) || sched_cond_eval(s, c->b, now);
	case C_NOT:
		return !sched_cond_eval(s, c->a, now);
	case C_TIME:
		sched_localdate(now, &y, &mon, &d, &wday, &secs);
		if (c->from <= c->to)
			return secs >= c->from && secs < c->to;
		return secs >= c->from || secs < c->to;
	case C_SUN:
		return (sched_sun_elevation(now, s->here->lat, s->here->lon) >
		    SUN_UP_ELEVATION) == c->up;
	case C_WINDOW:
		return sched_window_in(&c->wb[0], &c->wb[1], now, s->here->lat,
		    s->here->lon);
	case C_CMP:
		if (s->ops->get_value(s->arg, &c->ref, &v) == -1)
			return 0;
		return val_cmp(&v, &c->val, c->op);
	case C_MODE:
		return (s->prog->modes[c->mode].cur == c->modeval) ==
		    (c->op == OP_EQ);
	case C_CAL:
		sched_localdate(now, &y, &mon, &d, &wday, &secs);
		return sched_filter_ok(&c->f, mon, d, wday);
	case C_VAR:
		return sched_var_eval(s, c, now);
	}
	return 0;
}

static void
set_result(struct sched_event *ev, const char *prefix, const char *detail)
{
	snprintf(ev->last_result, sizeof(ev->last_result), "%s%.*s", prefix,
	    (int)(sizeof(ev->last_result) - 1 - strlen(prefix)), detail);
}

/* {"event":..,"trigger":..,"result":..,"time_ms":..} on the stream. */
static void
emit_event(struct sched *s, const struct sched_event *ev, const char *kind,
    const char *key, const char *text)
{
	char		buf[EMIT_MAX];
	struct jw	w;

	jw_init(&w, buf, sizeof(buf));
	jw_open(&w, '{');
	jw_key(&w, "event");
	jw_str(&w, ev->name);
	jw_key(&w, key);
	jw_str(&w, text);
	jw_key(&w, "result");
	jw_str(&w, ev->last_result);
	jw_key(&w, "time_ms");
	jw_int(&w, s->now);
	jw_close(&w, '}');
	if (jw_end(&w) >= 0)
		sched_emit(s, kind, ev, buf);
}

static void
do_command(struct sched *s, struct sched_event *ev,
    const struct sched_act *a)
{
	char	why[SCHED_RESULT_MAX];
	int	r;

	r = s->ops->command(s->arg, a, ev->name, why, sizeof(why));
	s->cmd_ord++;		/* the next command's order in the firing */
	if (r == 0)
		return;
	if (r == 1) {
		log_info("sched: event %s: %s", ev->name, why);
		set_result(ev, "", why);
		s->left = 1;
		return;
	}
	log_warnx("sched: event %s: %s %s/%s.%s failed: %s", ev->name,
	    a->kind == A_PULSE ? "pulse" : "set", a->ref.node, a->ref.dev,
	    a->ref.key, why);
	set_result(ev, "failed: ", why);
	emit_event(s, ev, "event_failed", "reason", why);
}

static void
mode_set(struct sched *s, struct sched_mode *m, int v)
{
	char		buf[EMIT_MAX];
	struct jw	w;

	m->cur = v;
	s->dirty = 1;
	jw_init(&w, buf, sizeof(buf));
	jw_open(&w, '{');
	jw_key(&w, "mode");
	jw_str(&w, m->name);
	jw_key(&w, "value");
	jw_str(&w, m->vals[v]);
	jw_key(&w, "time_ms");
	jw_int(&w, s->now);
	jw_close(&w, '}');
	if (jw_end(&w) >= 0)
		sched_emit(s, "mode", NULL, buf);
}

static void
do_mode(struct sched *s, const struct sched_event *ev,
    const struct sched_act *a)
{
	struct sched_mode *m = &s->prog->modes[a->mode];

	if (m->cur == a->modeval)
		return;
	log_info("sched: event %s: mode %s = %s (was %s)", ev->name,
	    m->name, m->vals[a->modeval], m->vals[m->cur]);
	mode_set(s, m, a->modeval);
}

static void
cancel_pending(struct sched *s, const struct sched_event *ev, int only_restart)
{
	struct sched_pending *p, *np;

	for (p = TAILQ_FIRST(&s->pending); p != NULL; p = np) {
		np = TAILQ_NEXT(p, entry);
		if (p->ev == ev && (!only_restart || p->restart))
			sched_pending_drop(s, p);
	}
}

static void
run_action(struct sched *s, struct sched_event *ev,
    const struct sched_act *a, int depth)
{
	switch (a->kind) {
	case A_SET:
	case A_PULSE:
		do_command(s, ev, a);
		break;
	case A_MODE:
		do_mode(s, ev, a);
		break;
	case A_COUNT:
	case A_STAMP:
	case A_VARSET:
		sched_var_run(s, ev, a);
		break;
	case A_CANCEL:
		if (a->target->npending > 0)
			log_info("sched: event %s cancels %d delayed action%s "
			    "of %s", ev->name, a->target->npending,
			    a->target->npending == 1 ? "" : "s",
			    a->target->name);
		cancel_pending(s, a->target, 0);
		break;
	case A_RUN:
		if (depth >= SCHED_MAX_RUN_DEPTH) {
			log_warnx("sched: event %s: run %s refused, 'run' "
			    "nested deeper than %d", ev->name, a->target->name,
			    SCHED_MAX_RUN_DEPTH);
			set_result(ev, "failed: ", "run nested too deep");
			break;
		}
		if (a->target->cond != NULL && !ev_cond(s, a->target)) {
			log_info("sched: event %s: run %s: its condition is "
			    "false, not run", ev->name, a->target->name);
			break;
		}
		log_info("sched: event %s runs %s", ev->name, a->target->name);
		a->target->last_fired = s->now;
		run_actions(s, a->target, 0, depth + 1);
		break;
	case A_NOTIFY:
		log_info("sched: event %s: %s", ev->name, a->text);
		emit_event(s, ev, "notify", "text", a->text);
		break;
	case A_WAIT:
		break;		/* handled by run_actions */
	}
}

/* Actions from `step` to the end or to the next wait. */
static void
run_actions(struct sched *s, struct sched_event *ev, int step, int depth)
{
	const struct sched_act	*a;
	struct sched_pending	*p;
	int			 i;

	set_result(ev, "", "ok");
	for (i = step; i < ev->nact; i++) {
		a = &ev->act[i];
		if (a->kind != A_WAIT) {
			run_action(s, ev, a, depth);
			continue;
		}
		/* Left to its cut-off slave: the rest after the wait is the
		 * slave's too (its own engine waits and runs it). */
		if (i + 1 < ev->nact && !s->left &&
		    (p = sched_pending_add(s, ev, i + 1, s->now + a->ms,
		    a->restart)) != NULL && s->firing_ident)
			/* Timed from now, known from the firing's instant: a
			 * master that runs this firing again late (a catch-up
			 * after a takeover) gives its rest the same ids. */
			p->idue = s->firing_due + a->ms;
		break;
	}
	s->lazy = 1;		/* last firing and result: saved soon */
}

/* Remember a firing of `ev` and where it ran; 1 if it is there already. */
static int
ran_add(struct sched_event *ev, int64_t at, int64_t due, int local)
{
	uint64_t	 fid = sched_firing_id(ev->name, due);
	struct sched_ran *r;
	int		 i;

	for (i = 0; i < ev->nran && i < SCHED_RECENT_RUNS; i++)
		if (ev->ran[i].fid == fid) {
			/* The slave ran it before our command reached it
			 * (due as it came back): that command was answered,
			 * not run, so it ran there. */
			if (local && !ev->ran[i].local) {
				ev->ran[i].local = 1;
				ev->ran[i].at = at;
			}
			return 1;
		}
	r = &ev->ran[ev->nran % SCHED_RECENT_RUNS];
	r->at = at;
	r->due = due;
	r->fid = fid;
	r->local = local;
	if (++ev->nran >= 2 * SCHED_RECENT_RUNS)
		ev->nran -= SCHED_RECENT_RUNS;	/* the same slot, no overflow */
	return 0;
}

static void
run_firing(struct sched *s, const struct sched_firing *f)
{
	struct sched_event *ev = f->ev;

	s->left = 0;
	if (f->step > 0) {
		log_debug("sched: event %s resumes after a wait", ev->name);
		run_actions(s, ev, f->step, 0);
		return;
	}
	if (!f->force && !ev->enabled) {
		log_debug("sched: event %s (%s) is disabled", ev->name, f->why);
		return;
	}
	if (!f->force && ev->cond != NULL && !ev_cond(s, ev)) {
		log_debug("sched: event %s (%s): condition false, not run",
		    ev->name, f->why);
		set_result(ev, "", "skipped: condition false");
		s->lazy = 1;
		return;
	}
	cancel_pending(s, ev, 1);	/* "wait ... restart" starts again */
	log_info("sched: event %s fired (%s)", ev->name, f->why);
	run_actions(s, ev, 0, 0);
	/* Left to its cut-off slave's local rules: not a firing here; the
	 * slave reports its own (LocalFiring), once, marked local. */
	if (s->left) {
		ev->left_due = f->due;
		return;
	}
	ev->last_fired = s->now;
	ran_add(ev, s->now, f->due, 0);
	emit_event(s, ev, "event", "trigger", f->why);
}

/*
 * The batch is a queue: firings are taken from its head and run one by
 * one, each copied out first. An action may re-enter the engine (a
 * command that cannot be sent drops the slave's link, whose "offline"
 * event is queued and flushed at once): the nested call appends to the
 * same queue and drains it, and the outer loop then finds it empty.
 * The state is saved before running, so after a crash nothing runs
 * twice; unless the owner holds the commands until the save that
 * follows the batch (hook.defers), which then records both at once.
 */
static void
run_batch(struct sched *s)
{
	struct sched_firing f;

	if (s->dirty && (s->hook.defers == NULL ||
	    !s->hook.defers(s->hook.arg)))
		sched_save(s, s->now);
	while (s->bhead < s->nbatch) {
		f = s->batch[s->bhead++];
		s->firing_due = f.due;
		s->firing_ev = f.ev;
		s->firing_step = f.step;
		s->firing_ident = f.ident;
		s->cmd_ord = 0;
		run_firing(s, &f);
	}
	s->firing_ev = NULL;
	s->bhead = s->nbatch = 0;
}

void
sched_fire_queue(struct sched *s, struct sched_event *ev, int step, int force,
    const char *why)
{
	struct sched_firing	*f;
	int64_t			 due = s->qdue != 0 ? s->qdue : s->now;
	int			 i, ident = s->qdue != 0 && !force;

	/* Delayed actions resumed are known by their entry's instant. */
	if (step > 0 && s->qdue != 0)
		ident = 1;
	s->qdue = 0;
	/* Two triggers of one event due together fire it once. */
	for (i = s->bhead; step == 0 && !force && !s->replaying &&
	    i < s->nbatch; i++)
		if (s->batch[i].ev == ev && s->batch[i].step == 0 &&
		    !s->batch[i].force) {
			log_debug("sched: event %s (%s): already firing", ev->name,
			    why);
			return;
		}
	if (s->nbatch == SCHED_MAX_BATCH && s->bhead > 0) {
		memmove(s->batch, s->batch + s->bhead, (size_t)(s->nbatch -
		    s->bhead) * sizeof(*f));
		s->nbatch -= s->bhead;
		s->bhead = 0;
	}
	if (s->nbatch == SCHED_MAX_BATCH)
		run_batch(s);
	f = &s->batch[s->nbatch++];
	f->ev = ev;
	f->step = step;
	f->force = force;
	f->due = due;
	f->ident = ident;
	snprintf(f->why, sizeof(f->why), "%s", why);
}

uint64_t
sched_firing_id(const char *event, int64_t due)
{
	uint64_t	h = UINT64_C(14695981039346656037);
	size_t		i, n = strlen(event) + 1;

	for (i = 0; i < n; i++)
		h = (h ^ (uint8_t)event[i]) * UINT64_C(1099511628211);
	for (i = 0; i < 8; i++)
		h = (h ^ (uint8_t)((uint64_t)due >> (8 * i))) *
		    UINT64_C(1099511628211);
	return h;
}

uint64_t
sched_cmd_id_of(const char *event, int64_t due, int step, int order)
{
	uint64_t	h = sched_firing_id(event, due);
	uint32_t	k[2] = { (uint32_t)step, (uint32_t)order };
	size_t		i;

	for (i = 0; i < 8; i++)
		h = (h ^ (uint8_t)(k[i / 4] >> (8 * (i % 4)))) *
		    UINT64_C(1099511628211);
	return SCHED_CMD_ID_BASE |
	    (h & ((UINT64_C(1) << SCHED_CMD_ID_BITS) - 1));
}

uint64_t
sched_cmd_id(const struct sched *s)
{
	if (s->firing_ev == NULL || !s->firing_ident)
		return 0;
	return sched_cmd_id_of(s->firing_ev->name, s->firing_due,
	    s->firing_step, s->cmd_ord);
}

/* The stream's notice of a firing that ran elsewhere (a slave's local
 * rules, an old master), marked by the boolean `flag`. */
static void
emit_elsewhere(struct sched *s, struct sched_event *ev, const char *trigger,
    const char *result, int64_t fired, int64_t due, const char *flag)
{
	char		buf[EMIT_MAX];
	struct jw	w;

	jw_init(&w, buf, sizeof(buf));
	jw_open(&w, '{');
	jw_key(&w, "event");
	jw_str(&w, ev->name);
	jw_key(&w, "trigger");
	jw_str(&w, trigger);
	jw_key(&w, "result");
	jw_str(&w, result);
	jw_key(&w, "time_ms");
	jw_int(&w, fired);
	jw_key(&w, "due_ms");
	jw_int(&w, due);
	jw_key(&w, flag);
	jw_bool(&w, 1);
	jw_close(&w, '}');
	if (jw_end(&w) >= 0)
		sched_emit(s, "event", ev, buf);
}

int
sched_local_fired(struct sched *s, struct sched_event *ev, int64_t due,
    int64_t fired, const char *result, int64_t now)
{
	int		i;

	if (ev->left_due != 0 && due >= ev->left_due)
		ev->left_due = 0;	/* that one ran there, or a later one */
	if (ran_add(ev, fired, due, 1))
		return 1;
	s->now = now;
	for (i = 0; i < ev->ntrig; i++)
		if (ev->trig[i].last_due < due)
			ev->trig[i].last_due = due;
	ev->last_fired = fired;
	set_result(ev, "local: ", result);
	s->dirty = 1;
	emit_elsewhere(s, ev, "local rules of the slave", ev->last_result,
	    fired, due, "local");
	sched_flush(s, now);
	return 0;
}

/*
 * A firing an old master made whose record never reached this master
 * (master/sched/sched_orphan.c, docs/FAILOVER.md#an-old-masters-
 * unreplicated-firings): it ran there, so it is recorded as run (not
 * missed) and marked so; nothing runs here. 1 if it was known already.
 */
int
sched_unrepl_fired(struct sched *s, struct sched_event *ev, int64_t fired,
    int64_t now)
{
	if (ev->last_fired == fired ||
	    ran_add(ev, fired, fired, SCHED_RAN_UNREPL))
		return 1;
	s->now = now;
	if (fired > ev->last_fired) {
		ev->last_fired = fired;
		set_result(ev, "", SCHED_UNREPL_RESULT);
		s->dirty = 1;
	}
	emit_elsewhere(s, ev, "the old master, unreplicated",
	    SCHED_UNREPL_RESULT, fired, fired, "unreplicated");
	sched_flush(s, now);
	return 0;
}

void
sched_left_back(struct sched *s, struct sched_event *ev, int64_t now)
{
	int64_t	due = ev->left_due;

	if (due == 0)
		return;
	ev->left_due = 0;
	if (ev->catchup_s > 0 && now - due <= ev->catchup_s * 1000LL) {
		log_info("sched: event %s: its firing due %" PRId64 " was left to "
		    "its slave, which was back before running it: run now",
		    ev->name, due);
		s->now = now;
		s->qdue = due;
		sched_fire_queue(s, ev, 0, 0, "handed back by its slave");
		sched_flush(s, now);
	} else
		log_warnx("sched: event %s: its firing due %" PRId64 " was left "
		    "to its slave, which was back before running it, %" PRId64
		    " s ago: skipped (catch-up window %ld s)", ev->name, due,
		    (now - due) / 1000, ev->catchup_s);
}

/*
 * A firing of `ev` due at `due` that the engine ran, but whose commands
 * never went (they waited for a slave that did not come back, or past
 * the event's catch-up window, docs/FAILOVER.md): it is not a run but a
 * missed instant, counted in the event's missed record. 1 if its slave
 * reported it run by its local rules meanwhile (then it is a run).
 */
int
sched_held_missed(struct sched *s, struct sched_event *ev, int64_t due,
    int64_t now, const char *why)
{
	uint64_t	 fid = sched_firing_id(ev->name, due);
	struct sched_ran keep[SCHED_RECENT_RUNS];
	int		 i, k, n = 0, first;

	first = ev->nran > SCHED_RECENT_RUNS ? ev->nran : 0;
	for (i = 0; i < ev->nran && i < SCHED_RECENT_RUNS; i++) {
		k = (first + i) % SCHED_RECENT_RUNS;	/* oldest first */
		if (ev->ran[k].fid == fid && ev->ran[k].local)
			return 1;
		if (ev->ran[k].fid != fid)
			keep[n++] = ev->ran[k];
	}
	memcpy(ev->ran, keep, sizeof(keep[0]) * (size_t)n);
	ev->nran = n;
	ev->last_fired = n > 0 ? ev->ran[n - 1].at : 0;
	set_result(ev, "missed: ", why);
	sched_missed_add(s, ev, 1, due, now, why);
	s->now = now;
	sched_flush(s, now);
	return 0;
}

int64_t
sched_firing_due(const struct sched *s)
{
	return s->firing_due;
}

/*
 * What decides what runs (instants handled, delayed actions, modes,
 * enable/disable) is saved at once ("dirty"). Last firings and results
 * ("lazy") wait up to SCHED_LAZY_SAVE_MS, so a busy motion sensor does
 * not write the SD card at each movement; they are saved at exit too.
 */
void
sched_flush(struct sched *s, int64_t now)
{
	s->now = now;
	run_batch(s);
	if (s->dirty || (s->lazy && now - s->saved_at >= SCHED_LAZY_SAVE_MS))
		sched_save(s, now);
}

void
sched_result(struct sched *s, const char *by, int ok, const char *detail)
{
	struct sched_event *ev;

	if (ok || s->prog == NULL || (ev = sched_prog_find(s->prog, by)) ==
	    NULL)
		return;
	set_result(ev, "failed: ", detail);
	emit_event(s, ev, "event_failed", "reason", detail);
	s->lazy = 1;
}

/* From the API: log, stream, save. */
int
sched_set_mode(struct sched *s, const char *mode, const char *value,
    int64_t now)
{
	struct sched_mode	*m;
	int			 i, v;

	if (s->prog == NULL || (i = sched_mode_find(s->prog, mode)) == -1 ||
	    (v = sched_mode_value(&s->prog->modes[i], value)) == -1)
		return -1;
	m = &s->prog->modes[i];
	log_info("sched: mode %s = %s (was %s), set from the API", m->name,
	    m->vals[v], m->vals[m->cur]);
	s->now = now;
	mode_set(s, m, v);
	sched_flush(s, now);
	return 0;
}
