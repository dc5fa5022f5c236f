/*
 * The scheduler's engine (docs/SCHEDULER.md#engine). Every instant it
 * waits for (the next time of each time trigger, a 'for' deadline, the
 * end of a 'wait') is one entry of a binary min-heap, so adding, removing
 * or firing costs O(log n) and the owner needs one timer, armed for
 * sched_next(). Between instants nothing runs. Device values and slaves
 * going on/offline come in through sched_value() and sched_node().
 */

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_write.h"
#include "log.h"
#include "sched/sched.h"

static void
heap_set(struct sched *s, int i, struct sched_hent *he)
{
	s->heap[i] = he;
	he->pos = i;
}

static void
sift_up(struct sched *s, int i)
{
	struct sched_hent *he = s->heap[i];

	while (i > 0 && s->heap[(i - 1) / 2]->due > he->due) {
		heap_set(s, i, s->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(s, i, he);
}

static void
sift_down(struct sched *s, int i)
{
	struct sched_hent	*he = s->heap[i];
	int			 c;

	while ((c = 2 * i + 1) < s->nheap) {
		if (c + 1 < s->nheap && s->heap[c + 1]->due < s->heap[c]->due)
			c++;
		if (s->heap[c]->due >= he->due)
			break;
		heap_set(s, i, s->heap[c]);
		i = c;
	}
	heap_set(s, i, he);
}

void
sched_heap_push(struct sched *s, struct sched_hent *he)
{
	struct sched_hent	**nh;
	int			  cap;

	if (he->pos >= 0)
		sched_heap_remove(s, he);
	if (s->nheap == s->capheap) {
		cap = s->capheap ? s->capheap * 2 : 64;
		if ((nh = reallocarray(s->heap, (size_t)cap,
		    sizeof(*nh))) == NULL) {
			log_warnx("sched: out of memory, an instant is lost");
			return;
		}
		s->heap = nh;
		s->capheap = cap;
	}
	heap_set(s, s->nheap++, he);
	sift_up(s, he->pos);
}

void
sched_heap_remove(struct sched *s, struct sched_hent *he)
{
	int i = he->pos;

	if (i < 0)
		return;
	he->pos = -1;
	if (--s->nheap == i)
		return;
	heap_set(s, i, s->heap[s->nheap]);
	sift_up(s, i);
	sift_down(s, s->heap[i]->pos);
}

/* Arm a time trigger for its next instant after `after`. */
void
sched_trig_arm(struct sched *s, struct sched_trig *tr, int64_t after)
{
	int64_t t = sched_ev_trig_next(tr, after, &tr->moved);

	if (t == -1) {
		sched_heap_remove(s, &tr->he);
		log_warnx("sched: event %s (%s:%d): trigger at column %d never "
		    "fires again", tr->ev->name, tr->ev->file, tr->line,
		    tr->col);
		return;
	}
	tr->he.due = t;
	tr->he.kind = HENT_TRIG;
	tr->he.owner = tr;
	sched_heap_push(s, &tr->he);
}

struct sched_pending *
sched_pending_add(struct sched *s, struct sched_event *ev, int step, int64_t due,
    int restart)
{
	struct sched_pending *p;

	if (s->npending >= SCHED_MAX_PENDING ||
	    (p = calloc(1, sizeof(*p))) == NULL) {
		log_warnx("sched: event %s: more than %d delayed actions, "
		    "the rest of its actions is dropped", ev->name,
		    SCHED_MAX_PENDING);
		return NULL;
	}
	p->ev = ev;
	p->step = step;
	p->restart = restart;
	p->he.pos = -1;
	p->he.due = due;
	p->idue = due;
	p->he.kind = HENT_PENDING;
	p->he.owner = p;
	TAILQ_INSERT_TAIL(&s->pending, p, entry);
	s->npending++;
	ev->npending++;
	sched_heap_push(s, &p->he);
	s->dirty = 1;
	return p;
}

void
sched_pending_drop(struct sched *s, struct sched_pending *p)
{
	sched_heap_remove(s, &p->he);
	TAILQ_REMOVE(&s->pending, p, entry);
	s->npending--;
	p->ev->npending--;
	s->dirty = 1;
	free(p);
}

int
sched_set_places(struct sched *s, const struct sched_place *sites, int n)
{
	if (n < 0 || n > SCHED_MAX_SITES)
		return -1;
	if (n > 0)	/* a master without site-place lines passes NULL */
		memcpy(s->sites, sites, sizeof(*sites) * (size_t)n);
	s->nsites = n;
	return 0;
}

struct sched *
sched_new(const struct sched_ops *ops, void *arg, double lat, double lon,
    const char *state_path)
{
	struct sched *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->ops = ops;
	s->arg = arg;
	s->home.lat = lat;
	s->home.lon = lon;
	TAILQ_INIT(&s->pending);
	if (state_path != NULL && (s->state_path = strdup(state_path)) ==
	    NULL) {
		free(s);
		return NULL;
	}
	return s;
}

void
sched_free(struct sched *s)
{
	struct sched_pending *p;

	if (s == NULL)
		return;
	while ((p = TAILQ_FIRST(&s->pending)) != NULL)
		sched_pending_drop(s, p);
	sched_prog_free(s->prog);
	free(s->heap);
	free(s->state_path);
	free(s);
}

void
sched_set_notify(struct sched *s, sched_notify_cb *cb, void *arg)
{
	s->notify = cb;
	s->narg = arg;
}

int64_t
sched_next(const struct sched *s)
{
	return s->nheap > 0 ? s->heap[0]->due : INT64_MAX;
}

const struct sched_prog *
sched_program(const struct sched *s)
{
	return s->prog;
}

int
sched_npending(const struct sched *s)
{
	return s->npending;
}

int64_t
sched_event_next(const struct sched *s, const struct sched_event *ev)
{
	int64_t	t = -1;
	int	i;

	(void)s;
	for (i = 0; i < ev->ntrig; i++)
		if (ev->trig[i].he.pos >= 0 && ev->trig[i].he.kind ==
		    HENT_TRIG && (t == -1 || ev->trig[i].he.due < t))
			t = ev->trig[i].he.due;
	return t;
}

/* A duration in words for a person: "40 s", "12 min", "3 h". */
static void
span_words(char *buf, size_t len, int64_t ms)
{
	int64_t	s = ms / 1000;

	if (s < 120)
		snprintf(buf, len, "%" PRId64 " s", s);
	else if (s < 2 * 3600)
		snprintf(buf, len, "%" PRId64 " min", s / 60);
	else
		snprintf(buf, len, "%" PRId64 " h", s / 3600);
}

void
sched_span_words(char *buf, size_t len, int64_t ms)
{
	span_words(buf, len, ms);
}

/*
 * `n` instants of `ev`, the last due at `due`, were skipped at `now`
 * for reason `why`: the event keeps it (the API's "missed") and the
 * stream says it at once ("event_missed"), so the Events tab need not
 * wait for a poll.
 */
void
sched_missed_add(struct sched *s, struct sched_event *ev, int n, int64_t due,
    int64_t now, const char *why)
{
	struct sched_missed	*mi = &ev->missed;
	struct jw		 w;
	char			 buf[SCHED_MISSED_WHY_MAX + SCHED_TOKEN_MAX +
				    128];

	/* Saturates: a restored record may be near the bound already. */
	mi->count = mi->count > SCHED_MISSED_COUNT_MAX - n ?
	    SCHED_MISSED_COUNT_MAX : mi->count + n;
	mi->last_due = due;
	mi->at = now;
	snprintf(mi->why, sizeof(mi->why), "%s", why);
	s->dirty = 1;
	jw_init(&w, buf, sizeof(buf));
	jw_open(&w, '{');
	jw_key(&w, "event");
	jw_str(&w, ev->name);
	jw_key(&w, "count");
	jw_int(&w, mi->count);
	jw_key(&w, "last_due_ms");
	jw_int(&w, mi->last_due);
	jw_key(&w, "at_ms");
	jw_int(&w, mi->at);
	jw_key(&w, "why");
	jw_str(&w, mi->why);
	jw_key(&w, "time_ms");
	jw_int(&w, now);
	jw_close(&w, '}');
	if (jw_end(&w) >= 0)
		sched_emit(s, "event_missed", ev, buf);
}

/* The policy's words for sched_missed_add: `ran` says whether a later
 * instant ran (caught up). */
static void
missed_note(struct sched *s, struct sched_event *ev, int n, int64_t due,
    int64_t now, long grace, const char *while_, int ran)
{
	char	late[24], win[24] = "", why[SCHED_MISSED_WHY_MAX];

	span_words(late, sizeof(late), now - due);
	if (grace > 0)
		span_words(win, sizeof(win), grace * 1000LL);
	if (ran)
		snprintf(why, sizeof(why), "skipped %s: only the last "
		    "instant ran, within the %s catch-up", while_, win);
	else
		snprintf(why, sizeof(why), "skipped %s: %s late, %s%s",
		    while_, late, grace > 0 ? "beyond the catch-up of " :
		    "catch-up none", grace > 0 ? win : "");
	sched_missed_add(s, ev, n, due, now, why);
}

/*
 * The instants of a time trigger from `first` up to `now` were missed
 * (the master was stopped, the clock jumped, the machine slept). The
 * last of them runs if it is within `grace` seconds of now; the others
 * are skipped; either way it is logged.
 */
void
sched_trig_missed(struct sched *s, struct sched_trig *tr, int64_t first,
    int64_t now, long grace, const char *while_)
{
	struct sched_event	*ev = tr->ev;
	int64_t			 m = first, pm = first, x;
	int			 n = 1, mv;
	char			 why[64];

	tr->last_due = now;
	s->dirty = 1;
	if (!ev->enabled)
		return;		/* it would not have run anyway */
	while (n < SCHED_MAX_CATCHUP_SCAN && (x = sched_ev_trig_next(tr, m,
	    &mv)) != -1 && x <= now) {
		pm = m;
		m = x;
		n++;
	}
	sched_trig_describe(tr, why, sizeof(why));
	/* The instants (wall ms) are logged: what was skipped is said
	 * exactly (docs/SCHEDULER.md#state-restarts-and-reloads). */
	if (grace > 0 && now - m <= grace * 1000LL) {
		log_info("sched: event %s (%s) was due %" PRId64 " s ago, %s: "
		    "run now (catch-up, due %" PRId64 ")%s", ev->name, why,
		    (now - m) / 1000, while_, m, n > 1 ? ", earlier missed "
		    "instants skipped" : "");
		if (n > 1) {
			log_warnx("sched: event %s skipped %d missed instant%s "
			    "(due %" PRId64 " to %" PRId64 ")", ev->name, n - 1,
			    n - 1 == 1 ? "" : "s", first, pm);
			missed_note(s, ev, n - 1, pm, now, grace, while_, 1);
		}
		s->qdue = m;
		sched_fire_queue(s, ev, 0, 0, "catch-up");
	} else {
		log_warnx("sched: event %s (%s) missed %d time%s %s, last %"
		    PRId64 " s ago: skipped (catch-up window %ld s; due %"
		    PRId64 " to %" PRId64 ")", ev->name, why, n, n == 1 ? "" :
		    "s", while_, (now - m) / 1000, grace, first, m);
		missed_note(s, ev, n, m, now, grace, while_, 0);
	}
}

/* A time trigger came due and the clock says `now`. */
static void
trig_due(struct sched *s, struct sched_trig *tr, int64_t now)
{
	struct sched_event	*ev = tr->ev;
	int64_t			 due = tr->he.due;
	long			 grace = ev->catchup_s;
	char			 why[64];

	tr->last_due = due;
	s->dirty = 1;
	/* Timers run a little late on a busy machine: that is not missing. */
	if (grace < SCHED_MAX_SLEEP_MS / 1000)
		grace = SCHED_MAX_SLEEP_MS / 1000;
	if (now - due > grace * 1000LL)
		sched_trig_missed(s, tr, due, now, ev->catchup_s, "(the clock "
		    "jumped or the machine was asleep)");
	else {
		sched_trig_describe(tr, why, sizeof(why));
		if (tr->moved)
			log_info("sched: event %s (%s): that time does not "
			    "exist today (daylight saving), run at the end "
			    "of the gap", ev->name, why);
		s->qdue = due;
		sched_fire_queue(s, ev, 0, 0, why);
	}
	sched_trig_arm(s, tr, due > now ? due : now);
}

void
sched_run(struct sched *s, int64_t now)
{
	struct sched_hent	*he;
	struct sched_trig	*tr;
	struct sched_pending	*p;
	struct sched_event	*ev;
	int64_t			 due;
	int			 step;

	s->now = now;
	while (s->nheap > 0 && s->heap[0]->due <= now) {
		/* A full batch runs before the next entry is looked at, so
		 * what it does (a cancel) applies to entries due after it. */
		if (s->nbatch - s->bhead == SCHED_MAX_BATCH)
			sched_flush(s, now);
		if (s->nheap == 0 || s->heap[0]->due > now)
			break;
		he = s->heap[0];
		switch (he->kind) {
		case HENT_TRIG:
			trig_due(s, he->owner, now);
			break;
		case HENT_FOR:
			tr = he->owner;
			sched_heap_remove(s, he);
			tr->armed = 0;
			s->qdue = he->due;	/* persisted: its id's instant */
			sched_fire_queue(s, tr->ev, 0, 0, "value held long enough");
			break;
		case HENT_PENDING:
			/* Dropped first: queueing may run a full batch, and
			 * its actions may cancel this very entry. */
			p = he->owner;
			ev = p->ev;
			step = p->step;
			due = p->idue;
			sched_pending_drop(s, p);
			s->qdue = due;	/* persisted: its commands' ids */
			sched_fire_queue(s, ev, step, 1, "after a wait");
			break;
		default:
			fatalx("sched: heap entry of kind %d", he->kind);
		}
	}
	sched_flush(s, now);
}

/* Numeric view of a value, for thresholds. */
static int
val_number(const struct sched_val *v, double *d)
{
	switch (v->type) {
	case SV_BOOL:
	case SV_INT:
		*d = (double)v->i;
		return 0;
	case SV_DOUBLE:
		*d = v->d;
		return isnan(v->d) ? -1 : 0;
	default:
		return -1;
	}
}

int
sched_val_equal(const struct sched_val *a, const struct sched_val *b)
{
	double x, y;

	if (a->type == SV_STRING || b->type == SV_STRING)
		return a->type == b->type && strcmp(a->s, b->s) == 0;
	if (val_number(a, &x) == -1 || val_number(b, &y) == -1)
		return 0;
	return x == y;
}

/*
 * Where a 'for' wait starts: at the slave's reading, if that is known and
 * near this master's clock, so that a master handling the same report
 * later (after a takeover) ends it at the same instant, with the same
 * ids; else now.
 */
static int64_t
for_start(const struct sched *s, int64_t now)
{
	int64_t r = s->read_ms;

	return r > 0 && r >= now - SCHED_READ_SKEW_MS &&
	    r <= now + SCHED_READ_SKEW_MS ? r : now;
}

/* A threshold: fire on crossing while armed, re-arm past hysteresis. */
static void
value_threshold(struct sched *s, struct sched_trig *tr, double x,
    int64_t now)
{
	int cross = tr->above ? x > tr->thr : x < tr->thr;
	int rearm = tr->above ? x <= tr->thr - tr->hyst :
	    x >= tr->thr + tr->hyst;
	int was = tr->known | tr->armed << 1 | (tr->he.pos >= 0) << 2;
	char why[64];

	if (!tr->known) {		/* the first reading sets the state */
		tr->known = 1;
		tr->armed = !cross;
	} else if (!cross && tr->he.pos >= 0) {
		sched_heap_remove(s, &tr->he);	/* did not hold for long enough */
		log_debug("sched: event %s: value back before 'for' ended",
		    tr->ev->name);
	}
	if (tr->armed && cross && tr->he.pos < 0) {
		if (tr->for_s == 0) {
			tr->armed = 0;
			sched_trig_describe(tr, why, sizeof(why));
			s->qdue = s->read_ms;	/* known by its reading */
			sched_fire_queue(s, tr->ev, 0, 0, why);
		} else {
			tr->he.due = for_start(s, now) + tr->for_s * 1000LL;
			tr->he.kind = HENT_FOR;
			tr->he.owner = tr;
			sched_heap_push(s, &tr->he);
		}
	} else if (!tr->armed && rearm)
		tr->armed = 1;
	/* Arming and 'for' waits are state: saved before anything runs. */
	if (was != (tr->known | tr->armed << 1 | (tr->he.pos >= 0) << 2))
		s->dirty = 1;
}

static void
value_change(struct sched *s, struct sched_trig *tr,
    const struct sched_val *v)
{
	int	changed = !tr->known || !sched_val_equal(&tr->prev, v);
	int	match = tr->known && changed &&
		    (tr->from.type == SV_NONE || sched_val_equal(&tr->from,
		    &tr->prev)) &&
		    (tr->to.type == SV_NONE || sched_val_equal(&tr->to, v));
	char	why[64];

	if (match) {
		sched_trig_describe(tr, why, sizeof(why));
		s->qdue = s->read_ms;	/* known by its reading */
		sched_fire_queue(s, tr->ev, 0, 0, why);
	}
	if (!changed)
		return;
	/* The last value is state (a restarted master, or a standby taking
	 * over, compares the next report with it): saved at once when it
	 * decides a later firing (it fired; it left or reached the trigger's
	 * 'to' or 'from'; any change of a trigger without them), else soon,
	 * so a chatty sensor does not write the card each time. A standby
	 * missing such a change would miss or invent a firing (tests/sim). */
	if (match || !tr->known || (tr->to.type == SV_NONE &&
	    tr->from.type == SV_NONE) || (tr->to.type != SV_NONE &&
	    sched_val_equal(&tr->to, &tr->prev) != sched_val_equal(&tr->to,
	    v)) || (tr->from.type != SV_NONE && sched_val_equal(&tr->from,
	    &tr->prev) != sched_val_equal(&tr->from, v)))
		s->dirty = 1;
	else
		s->lazy = 1;
	free(tr->prev_s);
	tr->prev_s = NULL;
	tr->prev = *v;
	if (v->type == SV_STRING && (tr->prev_s = strdup(v->s)) == NULL)
		tr->prev.type = SV_NONE;
	tr->prev.s = tr->prev_s;
	tr->known = 1;
}

/* First value trigger on node/dev.key in the sorted index, or -1. */
static int
vtrig_first(const struct sched_prog *g, const char *node, const char *dev,
    const char *key)
{
	int lo = 0, hi = g->nvtrig, mid, r;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if ((r = strcmp(g->vtrig[mid]->ref.node, node)) == 0 &&
		    (r = strcmp(g->vtrig[mid]->ref.dev, dev)) == 0)
			r = strcmp(g->vtrig[mid]->ref.key, key);
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
sched_value(struct sched *s, int64_t now, const char *node, const char *dev,
    const char *key, const struct sched_val *v)
{
	sched_value_at(s, now, 0, node, dev, key, v);
}

void
sched_value_at(struct sched *s, int64_t now, int64_t read_ms,
    const char *node, const char *dev, const char *key,
    const struct sched_val *v)
{
	struct sched_prog	*g = s->prog;
	struct sched_trig	*tr;
	double			 x;
	int			 i;

	s->now = now;

	if (g == NULL)
		return;
	s->read_ms = read_ms > 0 ? read_ms : 0;
	for (i = vtrig_first(g, node, dev, key); i < g->nvtrig; i++) {
		tr = g->vtrig[i];
		if (strcmp(tr->ref.node, node) != 0 ||
		    strcmp(tr->ref.dev, dev) != 0 || strcmp(tr->ref.key, key))
			break;
		if (tr->kind == T_CHANGE)
			value_change(s, tr, v);
		else if (val_number(v, &x) == 0)
			value_threshold(s, tr, x, now);
	}
	s->read_ms = 0;
	sched_flush(s, now);
}

void
sched_node(struct sched *s, int64_t now, const char *node, int online)
{
	struct sched_trig	*tr;
	int			 i, j;

	s->now = now;

	if (s->prog == NULL)
		return;
	for (i = 0; i < s->prog->nev; i++)
		for (j = 0; j < s->prog->ev[i].ntrig; j++) {
			tr = &s->prog->ev[i].trig[j];
			if (tr->kind == (online ? T_ONLINE : T_OFFLINE) &&
			    strcmp(tr->ref.node, node) == 0)
				sched_fire_queue(s, tr->ev, 0, 0, online ?
				    "slave online" : "slave offline");
		}
	sched_flush(s, now);
}

int
sched_enable(struct sched *s, const char *name, int on, int64_t now)
{
	struct sched_event *ev;

	s->now = now;

	if (s->prog == NULL || (ev = sched_prog_find(s->prog, name)) == NULL)
		return -1;
	ev->enabled = on;
	ev->override = on ? 1 : 2;
	log_info("sched: event %s %s", name, on ? "enabled" : "disabled");
	s->dirty = 1;
	sched_flush(s, now);
	return 0;
}

int
sched_fire(struct sched *s, const char *name, int64_t now)
{
	struct sched_event *ev;

	s->now = now;

	if (s->prog == NULL || (ev = sched_prog_find(s->prog, name)) == NULL)
		return -1;
	sched_fire_queue(s, ev, 0, 1, "run from the API");
	sched_flush(s, now);
	return 0;
}

int
sched_save(struct sched *s, int64_t now)
{
	s->dirty = s->lazy = 0;
	s->saved_at = now;
	/* Before sched_start() the file was never read: writing it would
	 * put this engine's blank state over what is there (a standby's
	 * copy of the master's, docs/FAILOVER.md#scheduled-firings). */
	if ((s->state_path == NULL && s->io.write == NULL) || s->prog == NULL ||
	    !s->started)
		return 0;
	return sched_state_write(s, s->state_path != NULL ? s->state_path :
	    "sched.state", now);
}
