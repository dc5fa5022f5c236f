/*
 * A new program in place of the running one (docs/SCHEDULER.md#state-
 * restarts-and-reloads): a reload keeps the runtime state of every event
 * whose text did not change (by name and fingerprint), drops the delayed
 * actions of changed or removed ones with a log line, and keeps the
 * schedule just loaded as the last good one (SCHED_LAST_GOOD); what runs
 * is said by sched_source(). sched_state.c is the state file itself.
 */

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "log.h"
#include "sched/sched.h"

/* An unchanged event keeps its triggers' state; a 'for' keeps running. */
static void
carry_event(struct sched *s, struct sched_event *ev, struct sched_event *o)
{
	struct sched_trig	*t, *ot;
	int			 j;

	ev->override = o->override;
	ev->last_fired = o->last_fired;
	memcpy(ev->last_result, o->last_result, sizeof(ev->last_result));
	memcpy(ev->ran, o->ran, sizeof(ev->ran));
	ev->nran = o->nran;
	ev->missed = o->missed;
	ev->left_due = o->left_due;
	if (o->fp != ev->fp || o->ntrig != ev->ntrig)
		return;
	for (j = 0; j < ev->ntrig; j++) {
		t = &ev->trig[j];
		ot = &o->trig[j];
		t->last_due = ot->last_due;
		t->known = ot->known;
		t->armed = ot->armed;
		t->prev = ot->prev;
		t->prev_s = ot->prev_s;
		ot->prev_s = NULL;
		if (ot->he.pos >= 0 && ot->he.kind == HENT_FOR) {
			t->he = ot->he;
			t->he.owner = t;
			t->he.pos = -1;
			sched_heap_push(s, &t->he);
		}
	}
}

static void
carry_pending(struct sched *s, struct sched_event **nidx, int n)
{
	struct sched_pending	*p, *np;
	struct sched_event	*ev;

	for (p = TAILQ_FIRST(&s->pending); p != NULL; p = np) {
		np = TAILQ_NEXT(p, entry);
		p->he.pos = -1;
		ev = sched_name_lookup(nidx, n, p->ev->name);
		if (ev == NULL || ev->fp != p->ev->fp) {
			log_warnx("sched: delayed actions of event %s dropped: "
			    "the event was changed or removed", p->ev->name);
			TAILQ_REMOVE(&s->pending, p, entry);
			s->npending--;
			free(p);
			continue;
		}
		p->ev = ev;
		ev->npending++;
		sched_heap_push(s, &p->he);
	}
}

static void
carry_modes(struct sched_prog *g, const struct sched_prog *old)
{
	int i, m, v;

	for (i = 0; i < g->nmodes; i++)
		if ((m = sched_mode_find(old, g->modes[i].name)) != -1 &&
		    (v = sched_mode_value(&g->modes[i],
		    old->modes[m].vals[old->modes[m].cur])) != -1)
			g->modes[i].cur = v;
	sched_var_carry(g, old);
}

/* Swap in a new program with the old one's state; all or nothing. */
static int
transfer(struct sched *s, struct sched_prog *g, int64_t now)
{
	struct sched_prog	 *old = s->prog;
	struct sched_event	**oidx, **nidx, *o;
	struct sched_trig	 *tr;
	int			  i, j;

	oidx = sched_name_index(old);
	nidx = sched_name_index(g);
	if (oidx == NULL || nidx == NULL) {
		free(oidx);
		free(nidx);
		return -1;
	}
	s->nheap = 0;		/* every entry is re-added below */
	for (i = 0; i < g->nev; i++)
		if ((o = sched_name_lookup(oidx, old->nev,
		    g->ev[i].name)) != NULL)
			carry_event(s, &g->ev[i], o);
	carry_pending(s, nidx, g->nev);
	carry_modes(g, old);
	sched_set_enabled(g);
	s->prog = g;
	for (i = 0; i < g->nev; i++)
		for (j = 0; j < g->ev[i].ntrig; j++)
			if (sched_trig_timed(&g->ev[i].trig[j])) {
				tr = &g->ev[i].trig[j];
				if (tr->last_due == 0)
					tr->last_due = now;
				sched_trig_arm(s, tr, tr->last_due > now ?
				    tr->last_due : now);
			}
	free(oidx);
	free(nidx);
	sched_prog_free(old);
	return 0;
}

int
sched_last_good(const struct sched *s, char *buf, size_t size)
{
	const char	*slash;
	int		 n;

	if (s->state_path == NULL)
		return -1;
	slash = strrchr(s->state_path, '/');
	n = snprintf(buf, size, "%.*s%s", slash != NULL ?
	    (int)(slash - s->state_path + 1) : 0, s->state_path,
	    SCHED_LAST_GOOD);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/*
 * Keep the schedule just loaded from `path`, includes inlined, as the
 * last good one: a master whose events file is broken at start-up runs
 * it instead of nothing (sched_master.c). Then drop the flat text.
 */
static void
keep_last_good(struct sched *s, const char *path)
{
	struct sched_prog	*g = s->prog;
	char			 lg[PATH_MAX];

	if (g->flat != NULL && !s->no_last_good &&
	    sched_last_good(s, lg, sizeof(lg)) == 0 &&
	    strcmp(path, lg) != 0 &&
	    atomic_write(lg, g->flat, g->flatlen, 0600) == -1)
		log_warn("sched: %s", lg);
	free(g->flat);
	g->flat = NULL;
	g->flatlen = 0;
}

/* Put `g` (named `path`) in place of the program; frees it on failure. */
static int
install(struct sched *s, struct sched_prog *g, const char *path,
    int64_t now, struct sched_errs *e)
{
	const struct sched_event *m;

	sched_places_resolve(g, &s->home, s->sites, s->nsites);
	if ((m = sched_places_missing(g)) != NULL) {
		e->len = (size_t)snprintf(e->buf, sizeof(e->buf), "%s: event "
		    "%s: sun events and 'sun up/down' need latitude and "
		    "longitude in the master's configuration%s%s%s\n", path,
		    m->name, m->site != NULL ? " (or a site-place line for "
		    "site \"" : "", m->site != NULL ? m->site : "",
		    m->site != NULL ? "\")" : "");
		e->n = 1;
		sched_prog_free(g);
		return -1;
	}
	if (s->prog == NULL) {
		s->prog = g;
		sched_set_enabled(g);
	} else if (transfer(s, g, now) == -1) {
		sched_prog_free(g);
		snprintf(e->buf, sizeof(e->buf), "%s: out of memory\n", path);
		e->len = strlen(e->buf);
		e->n = 1;
		return -1;
	}
	log_info("sched: %d event%s loaded from %s (%zu KiB)", g->nev,
	    g->nev == 1 ? "" : "s", path, (g->bytes + 1023) / 1024);
	if (s->started) {
		s->now = now;
		s->dirty = 1;
		sched_flush(s, now);
	}
	return 0;
}

int
sched_load(struct sched *s, const char *path, int64_t now,
    struct sched_errs *e)
{
	struct sched_prog	*g;

	char			 lg[PATH_MAX];

	if ((g = sched_parse_file(path, e)) == NULL ||
	    install(s, g, path, now, e) == -1)
		return -1;
	s->degraded = sched_last_good(s, lg, sizeof(lg)) == 0 &&
	    strcmp(path, lg) == 0;
	keep_last_good(s, path);
	return 0;
}

int
sched_load_none(struct sched *s, int64_t now, struct sched_errs *e)
{
	struct sched_prog *g;

	if ((g = sched_parse_buf("(no events)", "", 0, 0, e)) == NULL ||
	    install(s, g, "(no events)", now, e) == -1)
		return -1;
	s->degraded = 2;
	return 0;
}

int
sched_load_buf(struct sched *s, const char *name, const char *buf,
    size_t len, int64_t now, struct sched_errs *e)
{
	struct sched_prog *g;

	if ((g = sched_parse_buf(name, buf, len, 0, e)) == NULL ||
	    install(s, g, name, now, e) == -1)
		return -1;
	s->degraded = 0;
	return 0;
}

const char *
sched_source(const struct sched *s)
{
	static const char *const names[] = {
		"file", "last-good", "none", "replicated"
	};

	return s->degraded >= 0 && s->degraded < 4 ? names[s->degraded] :
	    "file";
}

void
sched_set_state_hook(struct sched *s, const struct sched_state_hook *h)
{
	s->hook = *h;
}

void
sched_keep_last_good(struct sched *s, int on)
{
	s->no_last_good = !on;
}

void
sched_set_replicated(struct sched *s)
{
	s->degraded = 3;
}
