/*
 * Per-site place and time zone (docs/SCHEDULER.md#sites). An event with
 * a 'site NAME' clause computes its sun events at that site's latitude
 * and longitude and its local times by that site's zone, both from the
 * master's 'site-place' lines; without the clause, or for a site with no
 * such line, it uses the installation's (latitude, longitude, the
 * process's zone).
 *
 * The C library has one local zone per process (TZ). A site's zone is
 * made the process's for the span of one computation (an instant, a
 * condition, an API line) and put back after, so log times and every
 * other user of localtime() see the installation's zone. glibc re-reads
 * the zone file only when TZ changes: an installation with no site zone
 * never switches.
 */

#include <sys/stat.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sched/sched.h"

#define ZONEINFO_DIR	"/usr/share/zoneinfo"

static const struct sched_place nowhere = { "", NAN, NAN, "" };

/* The zone in force: "" the process's own, whose TZ is kept in orig
 * while a site's is in force. */
static char	cur[SCHED_TZ_MAX + 1];
static char	orig[SCHED_TZ_MAX * 4 + 1];
static int	orig_set;

static void
zone_switch(const char *tz)
{
	const char *o;

	if (strcmp(tz, cur) == 0)
		return;
	if (cur[0] == '\0') {
		/* Leaving the process's zone: what TZ says now is it (a
		 * test may have changed it since the last switch). */
		o = getenv("TZ");
		orig_set = o != NULL && strlen(o) < sizeof(orig);
		if (orig_set)
			memcpy(orig, o, strlen(o) + 1);
	}
	if (*tz != '\0')
		setenv("TZ", tz, 1);
	else if (orig_set)
		setenv("TZ", orig, 1);
	else
		unsetenv("TZ");
	tzset();
	snprintf(cur, sizeof(cur), "%s", tz);
}

void
sched_zone_enter(const char *tz, struct sched_zone_save *save)
{
	memcpy(save->tz, cur, sizeof(save->tz));
	zone_switch(tz != NULL ? tz : "");
}

void
sched_zone_leave(const struct sched_zone_save *save)
{
	zone_switch(save->tz);
}

/*
 * An IANA name as "Europe/Paris": letters, digits and "/_+-", no empty,
 * "." or ".." part, and a regular file under the tzdata directory (TZDIR
 * or ZONEINFO_DIR). glibc takes an unknown name for UTC without a word,
 * so a typo would shift every local time of the site.
 */
int
sched_zone_ok(const char *name, char *why, size_t len)
{
	char		 path[512];
	const char	*dir, *p;
	struct stat	 st;
	size_t		 n = strlen(name);

	for (p = name; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/_+-.", *p) != NULL))
			break;
	if (n == 0 || n > SCHED_TZ_MAX || *p != '\0' || name[0] == '/' ||
	    name[n - 1] == '/' || strstr(name, "//") != NULL ||
	    strstr(name, "..") != NULL || name[0] == '.' ||
	    strstr(name, "/.") != NULL) {
		snprintf(why, len, "\"%.80s\" is not a time zone name as "
		    "Europe/Paris (at most %d characters)", name, SCHED_TZ_MAX);
		return 0;
	}
	if ((dir = getenv("TZDIR")) == NULL || *dir == '\0')
		dir = ZONEINFO_DIR;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (stat(path, &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(why, len, "time zone \"%s\": no such zone in %s%s%s",
		    name, dir, errno == ENOENT ? "" : ": ",
		    errno == ENOENT ? "" : strerror(errno));
		return 0;
	}
	return 1;
}

void
sched_places_resolve(struct sched_prog *g, const struct sched_place *home,
    const struct sched_place *sites, int n)
{
	struct sched_event	*ev;
	int			 i, k;

	for (i = 0; i < g->nev; i++) {
		ev = &g->ev[i];
		ev->place = home;
		for (k = 0; ev->site != NULL && k < n; k++)
			if (strcmp(sites[k].site, ev->site) == 0) {
				ev->place = &sites[k];
				break;
			}
	}
}

static int
cond_uses_sun(const struct sched_cond *c)
{
	if (c == NULL)
		return 0;
	switch (c->kind) {
	case C_AND:
	case C_OR:
		return cond_uses_sun(c->a) || cond_uses_sun(c->b);
	case C_NOT:
		return cond_uses_sun(c->a);
	case C_SUN:
		return 1;
	case C_WINDOW:
		return c->wb[0].kind == T_SUN || c->wb[1].kind == T_SUN;
	default:
		return 0;
	}
}

const struct sched_event *
sched_places_missing(const struct sched_prog *g)
{
	const struct sched_event	*ev;
	int				 i, k, sun;

	for (i = 0; i < g->nev; i++) {
		ev = &g->ev[i];
		if (ev->place != NULL && !isnan(ev->place->lat) &&
		    !isnan(ev->place->lon))
			continue;
		sun = cond_uses_sun(ev->cond);
		for (k = 0; k < ev->ntrig; k++)
			sun |= ev->trig[k].kind == T_SUN;
		if (sun)
			return ev;
	}
	return NULL;
}

const struct sched_place *
sched_ev_place(const struct sched_event *ev)
{
	return ev != NULL && ev->place != NULL ? ev->place : &nowhere;
}

int64_t
sched_ev_trig_next(const struct sched_trig *tr, int64_t after, int *moved)
{
	const struct sched_place	*pl = sched_ev_place(tr->ev);
	struct sched_zone_save		 zs;
	int64_t				 t;

	sched_zone_enter(pl->tz, &zs);
	t = sched_trig_next(tr, after, pl->lat, pl->lon, moved);
	sched_zone_leave(&zs);
	return t;
}

int
sched_parse_site(struct parser *p, struct sched_event *ev)
{
	const char	*s = p->tok.text;
	size_t		 i;

	sched_parse_next(p);			/* 'site' */
	if (ev->site != NULL)
		return sched_parse_err_at(p, p->tok.line, p->tok.col,
		    "one 'site' per event");
	if (p->tok.kind != TK_WORD && p->tok.kind != TK_STRING)
		return sched_parse_err(p, "a site name");
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			break;
	if (i == 0 || s[i] != '\0' || i > SITE_NAME_MAX)
		return sched_parse_err_at(p, p->tok.line, p->tok.col,
		    "a site name is 1 to %d characters, no control "
		    "characters", SITE_NAME_MAX);
	if ((ev->site = sched_pool_strdup(p, s)) == NULL)
		return sched_parse_err_at(p, p->tok.line, p->tok.col,
		    "out of memory");
	sched_parse_next(p);
	return 0;
}
