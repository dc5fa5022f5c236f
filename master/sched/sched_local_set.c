/*
 * A slave's rule set (docs/SCHEDULER.md#local-rules): the source text of
 * every event sched_local_node() gives to that slave, the places of the
 * sites they name, and a version that is a hash of both, so the same
 * rules give the same version on any master and after a restart. What
 * goes on the wire is text because the slave parses it with the same
 * parser and limits as the master's events file (proto/cluster.proto).
 */

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sched/sched.h"
#include "sched/sched_master.h"

static uint64_t
fnv64(uint64_t h, const void *p, size_t n)
{
	const uint8_t	*b = p;

	while (n-- > 0)
		h = (h ^ *b++) * UINT64_C(1099511628211);
	return h;
}

/* The place of `ev` in the set, added once; -1 if the set is full. */
static int
add_place(struct sched_local_set *ls, const struct sched_event *ev)
{
	const struct sched_place	*pl = sched_ev_place(ev);
	Hd__LocalPlace			*lp;
	int				 i;

	for (i = 0; i < ls->nplaces; i++)
		if (strcmp(ls->pl[i].site, pl->site) == 0)
			return 0;
	if (ls->nplaces == LOCAL_MAX_PLACES)
		return -1;
	lp = &ls->pl[ls->nplaces];
	hd__local_place__init(lp);
	lp->site = (char *)(uintptr_t)pl->site;
	lp->has_place = !isnan(pl->lat) && !isnan(pl->lon);
	lp->lat = lp->has_place ? pl->lat : 0;
	lp->lon = lp->has_place ? pl->lon : 0;
	lp->zone = (char *)(uintptr_t)pl->tz;
	ls->plp[ls->nplaces++] = lp;
	return 0;
}

static uint64_t
version(const struct sched_local_set *ls)
{
	uint64_t	h = UINT64_C(14695981039346656037);
	int		i;

	h = fnv64(h, ls->text, ls->len + 1);
	for (i = 0; i < ls->nplaces; i++) {
		h = fnv64(h, ls->pl[i].site, strlen(ls->pl[i].site) + 1);
		h = fnv64(h, &ls->pl[i].has_place, sizeof(ls->pl[i].has_place));
		h = fnv64(h, &ls->pl[i].lat, sizeof(double));
		h = fnv64(h, &ls->pl[i].lon, sizeof(double));
		h = fnv64(h, ls->pl[i].zone, strlen(ls->pl[i].zone) + 1);
	}
	return h;
}

int
sched_local_set_build(struct sched_local_set *ls, const struct sched_prog *g,
    const char *node, int64_t handled_ms)
{
	const struct sched_event	*ev;
	char				 why[160];
	const char			*on;
	int				 i, full = 0;

	memset(ls, 0, sizeof(*ls));
	hd__local_rules__init(&ls->msg);
	for (i = 0; g != NULL && i < g->nev && !full; i++) {
		ev = &g->ev[i];
		if ((on = sched_local_node(ev, why, sizeof(why))) == NULL ||
		    strcmp(on, node) != 0 || ev->text == NULL)
			continue;
		if (ev->textlen + 1 > sizeof(ls->text) - 1 - ls->len ||
		    add_place(ls, ev) == -1) {
			full = 1;
			break;
		}
		memcpy(ls->text + ls->len, ev->text, ev->textlen);
		ls->len += ev->textlen;
		ls->text[ls->len++] = '\n';
		ls->nev++;
	}
	if (full) {		/* none rather than some: say so */
		ls->len = 0;
		ls->nev = 0;
		ls->nplaces = 0;
	}
	ls->text[ls->len] = '\0';
	ls->msg.text = ls->text;
	ls->msg.places = ls->plp;
	ls->msg.n_places = (size_t)ls->nplaces;
	ls->msg.handled_ms = handled_ms > 0 ? (uint64_t)handled_ms : 0;
	ls->msg.version = version(ls);
	return full ? -1 : 0;
}
