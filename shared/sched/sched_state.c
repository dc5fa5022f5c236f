/*
 * The scheduler's state across reloads and restarts
 * (docs/SCHEDULER.md#state):
 *
 * - <state-dir>/sched.state (proto/master.proto SchedState), written
 *   crash-safely: per event the admin's enable or disable, the last
 *   firing and result, per time trigger the instant up to which it was
 *   handled, per threshold its arming and running 'for' wait, its
 *   missed record; the pending delayed actions; the modes.
 * - at start-up, what was missed while the master was stopped runs once
 *   if its last missed instant is within the event's catch-up window,
 *   else it is skipped and logged;
 * - on reload, the new program takes over the state of events whose
 *   text did not change (by name and fingerprint): sched_load.c.
 */

#include <errno.h>
#include <limits.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "log.h"
#include "master.pb-c.h"
#include "sched/sched.h"

static int
by_name(const void *a, const void *b)
{
	return strcmp((*(struct sched_event *const *)a)->name,
	    (*(struct sched_event *const *)b)->name);
}

/* The program's events sorted by name (caller frees), for lookups. */
struct sched_event **
sched_name_index(const struct sched_prog *g)
{
	struct sched_event	**idx;
	int			  i;

	if ((idx = calloc((size_t)g->nev + 1, sizeof(*idx))) == NULL)
		return NULL;
	for (i = 0; i < g->nev; i++)
		idx[i] = &g->ev[i];
	qsort(idx, (size_t)g->nev, sizeof(*idx), by_name);
	return idx;
}

struct sched_event *
sched_name_lookup(struct sched_event **idx, int n, const char *name)
{
	struct sched_event	 key = { .name = (char *)(uintptr_t)name };
	struct sched_event	*kp = &key, **r;

	if (idx == NULL)
		return NULL;
	r = bsearch(&kp, idx, (size_t)n, sizeof(*idx), by_name);
	return r != NULL ? *r : NULL;
}

/*
 * Our own file, not a peer's bytes: it may be larger than what
 * state_save()/state_load() allow for the small state files (10,000
 * events take about 220 KB on disk and several MB unpacked), so it has
 * its own bound, SCHED_STATE_MAX_FILE, and unpacks with malloc.
 */
static int
write_file(struct sched *s, const char *path, const Hd__SchedState *st)
{
	size_t	 len = hd__sched_state__get_packed_size(st);
	uint8_t	*p;
	int	 r;

	if (len > SCHED_STATE_MAX_FILE) {
		log_warnx("sched: %s: state of %zu bytes is over %d, not "
		    "written", path, len, SCHED_STATE_MAX_FILE);
		return -1;
	}
	if ((p = malloc(len + 1)) == NULL) {
		log_warnx("sched: out of memory writing the state");
		return -1;
	}
	hd__sched_state__pack(st, p);	/* its format: sched_state_write() */
	if (s->io.write != NULL)
		r = s->io.write(s->io.arg, p, len);
	else if ((r = atomic_write(path, p, len, 0600)) == -1)
		log_warn("sched: %s", path);
	free(p);
	return r;
}

static Hd__SchedState *
read_file(const struct sched *s, const char *path)
{
	Hd__SchedState	*st;
	uint8_t		*p;
	size_t		 len;

	if ((s->io.read != NULL ? s->io.read(s->io.arg, &p, &len) :
	    atomic_read(path, SCHED_STATE_MAX_FILE, &p, &len)) == -1) {
		if (errno != ENOENT)
			log_warn("sched: %s: state not read, starting afresh",
			    path);
		return NULL;
	}
	if ((st = hd__sched_state__unpack(NULL, len, p)) == NULL) {
		log_warnx("sched: %s: state file is not valid, starting "
		    "afresh", path);
		errno = EINVAL;
	} else if (state_format_in(path, &st->base) == -1) {
		hd__sched_state__free_unpacked(st, NULL);
		st = NULL;
		errno = ENOTSUP;
	}
	free(p);
	return st;
}

/* Whether an event keeps its 'changes' triggers' last values. */
static int
has_change(const struct sched_event *ev)
{
	int j;

	for (j = 0; j < ev->ntrig; j++)
		if (ev->trig[j].kind == T_CHANGE)
			return 1;
	return 0;
}

/* The last values of an event's 'changes' triggers, one per trigger. */
static void
fill_values(Hd__SchedEvent *e, const struct sched_event *ev,
    Hd__SchedValue *val, Hd__SchedValue **valp)
{
	const struct sched_trig	*t;
	int			 j;

	if (!has_change(ev))
		return;
	for (j = 0; j < ev->ntrig; j++) {
		t = &ev->trig[j];
		hd__sched_value__init(&val[j]);
		if (t->kind == T_CHANGE && t->known) {
			val[j].type = (uint32_t)t->prev.type;
			val[j].i = t->prev.i;
			val[j].d = t->prev.d;
			if (t->prev.type == SV_STRING)
				val[j].s = (char *)(uintptr_t)t->prev.s;
		}
		valp[j] = &val[j];
	}
	e->last_value = valp;
	e->n_last_value = (size_t)ev->ntrig;
}

/* The event's missed record, if it has one, in `mi`. */
static void
fill_missed(Hd__SchedEvent *e, const struct sched_event *ev,
    Hd__SchedMissed *mi)
{
	if (ev->missed.count <= 0)
		return;
	hd__sched_missed__init(mi);
	mi->count = (uint64_t)ev->missed.count;
	mi->last_due_ms = (uint64_t)ev->missed.last_due;
	mi->at_ms = (uint64_t)ev->missed.at;
	mi->why = (char *)(uintptr_t)ev->missed.why;
	e->missed = mi;
}

/* `due`, `thr` and `fordue` have room for the event's triggers. */
static void
fill_event(Hd__SchedEvent *e, const struct sched_event *ev, uint64_t *due,
    uint32_t *thr, uint64_t *fordue)
{
	const struct sched_trig	*t;
	int			 j;

	e->name = ev->name;
	e->fingerprint = ev->fp;
	e->override = (uint32_t)ev->override;
	e->last_fired_ms = (uint64_t)ev->last_fired;
	e->last_result = (char *)(uintptr_t)ev->last_result;
	for (j = 0; j < ev->ntrig; j++) {
		t = &ev->trig[j];
		due[j] = (uint64_t)t->last_due;
		thr[j] = t->kind == T_VALUE ? (uint32_t)(t->known |
		    t->armed << 1) : 0;
		fordue[j] = t->he.pos >= 0 && t->he.kind == HENT_FOR ?
		    (uint64_t)t->he.due : 0;
	}
	e->last_due_ms = due;
	e->n_last_due_ms = (size_t)ev->ntrig;
	e->threshold = thr;
	e->n_threshold = (size_t)ev->ntrig;
	e->for_due_ms = fordue;
	e->n_for_due_ms = (size_t)ev->ntrig;
}

void
sched_set_state_io(struct sched *s, const struct sched_state_io *io)
{
	s->io = *io;
}

int
sched_state_write(struct sched *s, const char *path, int64_t now)
{
	struct sched_prog	 *g = s->prog;
	Hd__SchedState		  st = HD__SCHED_STATE__INIT;
	Hd__SchedEvent		 *ev = NULL, **evp = NULL;
	Hd__SchedPending	 *pd = NULL, **pdp = NULL;
	Hd__SchedMode		  md[SCHED_MAX_MODES], *mdp[SCHED_MAX_MODES];
	Hd__SchedVar		  vr[SCHED_MAX_VARS], *vrp[SCHED_MAX_VARS];
	struct sched_pending	 *p;
	uint64_t		 *due = NULL, *fordue = NULL;
	uint32_t		 *thr = NULL;
	Hd__SchedValue		 *val = NULL, **valp = NULL;
	Hd__SchedMissed		 *mis = NULL;
	size_t			  ntrig = 0, k = 0;
	int			  i, r = -1;

	for (i = 0; i < g->nev; i++)
		ntrig += (size_t)g->ev[i].ntrig;
	if ((ev = calloc((size_t)g->nev + 1, sizeof(*ev))) == NULL ||
	    (evp = calloc((size_t)g->nev + 1, sizeof(*evp))) == NULL ||
	    (due = calloc(ntrig + 1, sizeof(*due))) == NULL ||
	    (fordue = calloc(ntrig + 1, sizeof(*fordue))) == NULL ||
	    (thr = calloc(ntrig + 1, sizeof(*thr))) == NULL ||
	    (val = calloc(ntrig + 1, sizeof(*val))) == NULL ||
	    (valp = calloc(ntrig + 1, sizeof(*valp))) == NULL ||
	    (pd = calloc((size_t)s->npending + 1, sizeof(*pd))) == NULL ||
	    (pdp = calloc((size_t)s->npending + 1, sizeof(*pdp))) == NULL ||
	    (mis = calloc((size_t)g->nev + 1, sizeof(*mis))) == NULL)
		goto done;
	for (i = 0; i < g->nev; i++) {
		hd__sched_event__init(&ev[i]);
		fill_event(&ev[i], &g->ev[i], due + k, thr + k, fordue + k);
		fill_values(&ev[i], &g->ev[i], val + k, valp + k);
		fill_missed(&ev[i], &g->ev[i], &mis[i]);
		k += (size_t)g->ev[i].ntrig;
		evp[i] = &ev[i];
	}
	i = 0;
	TAILQ_FOREACH(p, &s->pending, entry) {
		hd__sched_pending__init(&pd[i]);
		pd[i].event = p->ev->name;
		pd[i].fingerprint = p->ev->fp;
		pd[i].step = (uint32_t)p->step;
		pd[i].due_ms = (uint64_t)p->he.due;
		pd[i].id_due_ms = (uint64_t)p->idue;
		pd[i].restart = p->restart;
		pdp[i] = &pd[i];
		i++;
	}
	for (i = 0; i < g->nmodes; i++) {
		hd__sched_mode__init(&md[i]);
		md[i].name = g->modes[i].name;
		md[i].value = g->modes[i].vals[g->modes[i].cur];
		mdp[i] = &md[i];
	}
	st.events = evp;
	st.n_events = (size_t)g->nev;
	st.pending = pdp;
	st.n_pending = (size_t)s->npending;
	for (i = 0; i < g->nvars; i++) {
		hd__sched_var__init(&vr[i]);
		vr[i].name = g->vars[i].name;
		vr[i].kind = (uint32_t)g->vars[i].kind;
		vr[i].value = g->vars[i].val;
		vr[i].set = g->vars[i].set;
		vrp[i] = &vr[i];
	}
	st.vars = vrp;
	st.n_vars = (size_t)g->nvars;
	st.modes = mdp;
	st.n_modes = (size_t)g->nmodes;
	st.saved_ms = (uint64_t)now;
	if (s->hook.put != NULL)
		s->hook.put(s->hook.arg, &st);
	state_format_set(&st.base);
	r = write_file(s, path, &st);
done:
	if (r == -1 && ev == NULL)
		log_warnx("sched: out of memory writing the state");
	free(ev);
	free(evp);
	free(due);
	free(fordue);
	free(thr);
	free(val);
	free(valp);
	free(pd);
	free(pdp);
	free(mis);
	return r;
}

/* A threshold's state, and its 'for' wait going on (or run out). */
static void
restore_threshold(struct sched *s, struct sched_trig *t, uint32_t st,
    uint64_t fordue, int64_t now)
{
	if (t->kind != T_VALUE)
		return;
	t->known = (st & 1) != 0;
	t->armed = (st & 2) != 0;
	if (fordue == 0 || t->for_s == 0)
		return;
	if ((int64_t)fordue < now - t->ev->catchup_s * 1000LL) {
		log_warnx("sched: event %s: its 'for' wait ended %" PRId64
		    " s ago while the master was stopped: skipped (catch-up "
		    "window %ld s)", t->ev->name, (now - (int64_t)fordue) /
		    1000, t->ev->catchup_s);
		return;
	}
	t->he.due = (int64_t)fordue;
	t->he.kind = HENT_FOR;
	t->he.owner = t;
	sched_heap_push(s, &t->he);
}

/* A 'changes' trigger's last value: the next report is compared with
 * it, as if the master had not stopped. */
static void
restore_value(struct sched_trig *t, const Hd__SchedValue *v)
{
	if (t->kind != T_CHANGE || v->type < SV_BOOL || v->type > SV_STRING)
		return;
	free(t->prev_s);
	t->prev_s = NULL;
	if (v->type == SV_STRING && (t->prev_s = strdup(v->s)) == NULL)
		return;
	t->prev.type = (enum sv_type)v->type;
	t->prev.i = v->i;
	t->prev.d = v->d;
	t->prev.s = t->prev_s;
	t->known = 1;
}

/*
 * The event's missed record, as the last master left it (this node's
 * own file, or the master's as the state sync brought it to a standby):
 * kept whatever became of the event's text, like its last firing. The
 * file may come from a peer: a count beyond SCHED_MISSED_COUNT_MAX or an
 * instant beyond int64 drops the record with the reason, and `why` is
 * cut to SCHED_MISSED_WHY_MAX.
 */
static void
restore_missed(struct sched_event *ev, const Hd__SchedMissed *mi)
{
	if (mi == NULL || mi->count == 0)
		return;
	if (mi->count > (uint64_t)SCHED_MISSED_COUNT_MAX ||
	    mi->last_due_ms > INT64_MAX || mi->at_ms > INT64_MAX) {
		log_warnx("sched: event %s: its missed record in the state "
		    "file is out of range (count %" PRIu64 "): dropped",
		    ev->name, mi->count);
		return;
	}
	ev->missed.count = (int64_t)mi->count;
	ev->missed.last_due = (int64_t)mi->last_due_ms;
	ev->missed.at = (int64_t)mi->at_ms;
	snprintf(ev->missed.why, sizeof(ev->missed.why), "%s", mi->why);
}

static void
restore_event(struct sched *s, struct sched_event *ev,
    const Hd__SchedEvent *e, int64_t now)
{
	size_t	j, n = (size_t)ev->ntrig;

	if (e->override <= 2)
		ev->override = (int)e->override;
	ev->last_fired = (int64_t)e->last_fired_ms;
	snprintf(ev->last_result, sizeof(ev->last_result), "%s",
	    e->last_result);
	restore_missed(ev, e->missed);
	if (e->fingerprint != ev->fp || e->n_last_due_ms != n)
		return;		/* changed while stopped: start afresh */
	for (j = 0; j < n; j++) {
		ev->trig[j].last_due = (int64_t)e->last_due_ms[j];
		if (e->n_threshold == n && e->n_for_due_ms == n)
			restore_threshold(s, &ev->trig[j], e->threshold[j],
			    e->for_due_ms[j], now);
		if (e->n_last_value == n)
			restore_value(&ev->trig[j], e->last_value[j]);
	}
}

static void
restore_pending(struct sched *s, struct sched_event **idx,
    const Hd__SchedPending *p)
{
	struct sched_event	*ev = sched_name_lookup(idx, s->prog->nev,
				    p->event);
	struct sched_pending	*np;

	if (ev == NULL || ev->fp != p->fingerprint || p->step == 0 ||
	    p->step >= (uint32_t)ev->nact) {
		log_warnx("sched: delayed actions of event %s dropped: the "
		    "event was changed or removed", p->event);
		return;
	}
	if ((np = sched_pending_add(s, ev, (int)p->step, (int64_t)p->due_ms,
	    p->restart)) != NULL && p->id_due_ms != 0)
		np->idue = (int64_t)p->id_due_ms;
}

int
sched_state_read(struct sched *s, const char *path, int64_t now)
{
	struct sched_prog	 *g = s->prog;
	Hd__SchedState		 *st;
	struct sched_event	**idx, *ev;
	size_t			  i;
	int			  m;

	errno = 0;
	if ((st = read_file(s, path)) == NULL) {
		/* A newer format: the schedule runs without its state, and
		 * that file is kept for the version that wrote it. */
		if (errno == ENOTSUP && s->state_path != NULL) {
			log_warnx("sched: %s: not written while this version "
			    "runs", path);
			free(s->state_path);
			s->state_path = NULL;
		}
		return -1;
	}
	if ((idx = sched_name_index(g)) == NULL) {
		hd__sched_state__free_unpacked(st, NULL);
		return -1;
	}
	for (i = 0; i < st->n_events; i++) {
		if ((ev = sched_name_lookup(idx, g->nev,
		    st->events[i]->name)) != NULL)
			restore_event(s, ev, st->events[i], now);
	}
	for (i = 0; i < st->n_pending; i++)
		restore_pending(s, idx, st->pending[i]);
	for (i = 0; i < st->n_modes; i++)
		if ((m = sched_mode_find(g, st->modes[i]->name)) != -1 &&
		    sched_mode_value(&g->modes[m], st->modes[i]->value) != -1)
			g->modes[m].cur = sched_mode_value(&g->modes[m],
			    st->modes[i]->value);
	for (i = 0; i < st->n_vars; i++)
		if ((m = sched_var_find(g, st->vars[i]->name)) != -1 &&
		    (uint32_t)g->vars[m].kind == st->vars[i]->kind) {
			g->vars[m].val = st->vars[i]->value;
			g->vars[m].set = st->vars[i]->set;
		}
	if (s->hook.get != NULL)
		s->hook.get(s->hook.arg, st);
	log_info("sched: state restored from %s: %d delayed action%s",
	    path, s->npending, s->npending == 1 ? "" : "s");
	free(idx);
	hd__sched_state__free_unpacked(st, NULL);
	return 0;
}

void
sched_set_enabled(struct sched_prog *g)
{
	int i;

	for (i = 0; i < g->nev; i++)
		g->ev[i].enabled = g->ev[i].override ? g->ev[i].override == 1 :
		    !g->ev[i].disabled;
}

int
sched_trig_timed(const struct sched_trig *tr)
{
	return tr->kind == T_AT || tr->kind == T_EVERY || tr->kind == T_SUN;
}

/* A takeover: every instant from `m` to `now` runs, each its own
 * firing (sched_set_replay). */
static void
replay(struct sched *s, struct sched_trig *tr, int64_t m, int64_t now)
{
	int	n = 0, mv;

	if (!tr->ev->enabled)
		return;
	s->replaying = 1;
	while (m != -1 && m <= now && n++ < SCHED_MAX_CATCHUP_SCAN) {
		log_info("sched: event %s: its instant due %" PRId64 " is not "
		    "in the replicated record: run at the takeover (its own "
		    "ids: a slave that ran it answers from its memo)",
		    tr->ev->name, m);
		s->qdue = m;
		sched_fire_queue(s, tr->ev, 0, 0, "takeover: not in the record");
		m = sched_ev_trig_next(tr, m, &mv);
	}
	s->replaying = 0;
}

/* The missed-event policy at start-up (trig_missed). */
static void
catch_up(struct sched *s, struct sched_trig *tr, int64_t now)
{
	int64_t	last = tr->last_due, m, win;
	int	mv;

	if (last > now) {
		/* The clock is behind what was handled: never repeat it. */
		sched_trig_arm(s, tr, last);
		return;
	}
	if (last > 0 && (m = sched_ev_trig_next(tr, last, &mv)) != -1 &&
	    m <= now) {
		/* Within the takeover's replay and the event's own window
		 * (catch-up none: never run late, even then). */
		win = tr->ev->catchup_s * 1000LL;
		if (s->replay_ms < win)
			win = s->replay_ms;
		if (win > 0 && m >= now - win)
			replay(s, tr, m, now);
		else
			sched_trig_missed(s, tr, m, now, tr->ev->catchup_s,
			    s->replay_ms > 0 ? "in the takeover gap" :
			    "while the master was stopped");
	}
	tr->last_due = now;
	sched_trig_arm(s, tr, now);
}

void
sched_set_start(struct sched *s, int64_t from)
{
	s->start_from = from;
}

void
sched_set_replay(struct sched *s, int64_t ms)
{
	s->replay_ms = ms;
}

void
sched_start(struct sched *s, int64_t now)
{
	struct sched_trig	*tr;
	int			 i, j;

	s->now = now;
	if (s->prog == NULL)
		return;
	if (s->state_path != NULL || s->io.read != NULL)
		sched_state_read(s, s->state_path != NULL ? s->state_path :
		    "sched.state", now);
	sched_set_enabled(s->prog);
	for (i = 0; i < s->prog->nev; i++)
		for (j = 0; j < s->prog->ev[i].ntrig; j++) {
			tr = &s->prog->ev[i].trig[j];
			if (sched_trig_timed(tr) && tr->last_due < s->start_from)
				tr->last_due = s->start_from;
			if (sched_trig_timed(tr))
				catch_up(s, tr, now);
			else if (tr->kind == T_STARTUP)
				sched_fire_queue(s, tr->ev, 0, 0, "startup");
		}
	s->started = 1;
	s->dirty = 1;
	sched_flush(s, now);
}
