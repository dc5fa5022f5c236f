/*
 * Unit tests for shared/sched/sched_time.c and sched_sun.c: local wall time
 * across daylight-saving changes (New York, Berlin, Lord Howe with its
 * 30-minute change), the next instant of time triggers with calendar
 * filters, and sun times against an independent implementation
 * (tests/unit/sun_ref.h: PyEphem with NOAA's conventions) to within a
 * minute, polar day and night included; every day of a year at 65 to 80
 * degrees north and south (sun_polar.h), where a solar day's events may
 * fall on the next or the previous local date.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "sched_test.h"
#include "sched/sched.h"

#define MIN	60000LL
#define HOUR	(60 * MIN)

struct sunref {
	const char	*place, *tz;
	double		 lat, lon;
	int		 y, m, d;
	enum sched_sun	 kind;
	long long	 t;		/* UTC seconds, -1 none */
};
static const struct sunref sunref[] = {
#include "sun_ref.h"
};

/* sun_polar.h: every solar day of 2026 at 65 to 80 degrees N and S. */
#define U	99999999LL	/* the sun stays above all that solar day */
#define N	(-U)		/* ... below */
struct polar_place {
	const char	*name, *tz;
	double		 lat, lon;
};
static const struct polar_place polar_place[] = {
#define P(i, name, lat, lon, zone)	[i] = { name, zone, lat, lon },
#include "sun_polar.h"
#undef P
};
struct polar_day {
	int		 place, m, d;
	long long	 transit, ev[SUN_NKINDS];
};
static const struct polar_day polar_day[] = {
#define D(p, m, d, tr, ...)	{ p, m, d, tr, { __VA_ARGS__ } },
#include "sun_polar.h"
#undef D
};
struct polar_tol {
	int		 place, m, d, kind;
	long		 tol;		/* -1: either way */
};
static const struct polar_tol polar_tol[] = {
#define T(p, m, d, k, tol)	{ p, m, d, k, tol },
#include "sun_polar.h"
#undef T
};
#define NPOLAR_DAY	(sizeof(polar_day) / sizeof(polar_day[0]))

static int64_t
local(int y, int mon, int d, int h, int mi, int *moved)
{
	return sched_local(y, mon, d, h * 3600L + mi * 60, moved);
}

static void
test_sun_table(void)
{
	size_t	i, j, n = sizeof(sunref) / sizeof(sunref[0]);
	int64_t	t;
	long	err, maxerr;
	int	bad, count, none;

	for (i = 0; i < n; i = j) {
		maxerr = 0;
		bad = count = none = 0;
		tz(sunref[i].tz);
		for (j = i; j < n && strcmp(sunref[j].place,
		    sunref[i].place) == 0; j++) {
			const struct sunref *r = &sunref[j];
			int got = sched_sun_time(r->kind, r->y, r->m, r->d,
			    r->lat, r->lon, &t);

			count++;
			if (r->t == -1) {
				none++;
				if (got == SUN_EVENT) {
					bad++;
					printf("# %s %d-%02d-%02d %s: expected "
					    "none\n", r->place, r->y, r->m,
					    r->d, sched_sun_name(r->kind));
				}
				continue;
			}
			err = got != SUN_EVENT ? 99999 : labs((long)(t / 1000 - r->t));
			if (err > maxerr)
				maxerr = err;
			if (err > 60) {
				bad++;
				printf("# %s %d-%02d-%02d %s: off by %ld s\n",
				    r->place, r->y, r->m, r->d,
				    sched_sun_name(r->kind), err);
			}
		}
		CHECK(bad == 0, "sun: %s: %d events within 60 s of PyEphem "
		    "(max %ld s), %d polar none", sunref[i].place, count,
		    maxerr, none);
	}
}

/* The tolerance of one polar table entry: 60 s unless sun_polar.h says. */
static long
polar_tol_of(int p, int m, int d, int k)
{
	size_t i;

	for (i = 0; i < sizeof(polar_tol) / sizeof(polar_tol[0]); i++)
		if (polar_tol[i].place == p && polar_tol[i].m == m &&
		    polar_tol[i].d == d && polar_tol[i].kind == k)
			return polar_tol[i].tol;
	return 60;
}

/* One event of the table: 0 if sched_sun_time() agrees, else 1. */
static int
polar_check(const struct polar_day *r, int k, long *maxerr, int *other)
{
	const struct polar_place *pl = &polar_place[r->place];
	long		 tol = polar_tol_of(r->place, r->m, r->d, k), err;
	long long	 want = r->ev[k];
	int64_t		 t;
	int		 got, y, m, d, wday;
	long		 secs;

	got = sched_sun_time((enum sched_sun)k, 2026, r->m, r->d, pl->lat,
	    pl->lon, &t);
	if (tol == -1)
		return 0;
	if (want == U || want == N) {
		if (got == (want == U ? SUN_ABOVE : SUN_BELOW))
			return 0;
		printf("# %s 2026-%02d-%02d %s: expected none (%s), got %d\n",
		    pl->name, r->m, r->d, sched_sun_name((enum sched_sun)k),
		    want == U ? "above" : "below", got);
		return 1;
	}
	err = got != SUN_EVENT ? 99999 :
	    labs((long)(t / 1000 - (r->transit + want)));
	if (err > *maxerr && got == SUN_EVENT)
		*maxerr = err;
	if (got == SUN_EVENT) {
		sched_localdate(t, &y, &m, &d, &wday, &secs);
		if (m != r->m || d != r->d)
			(*other)++;
	}
	if (err <= tol)
		return 0;
	printf("# %s 2026-%02d-%02d %s: off by %ld s (allowed %ld)\n",
	    pl->name, r->m, r->d, sched_sun_name((enum sched_sun)k), err, tol);
	return 1;
}

/*
 * Every solar day of 2026 at 65, 70, 75 and 80 degrees north and south:
 * each event against PyEphem's event of the solar day whose transit is
 * on that local date (sun_polar.h), and polar day told from polar night.
 */
static void
test_sun_polar_table(void)
{
	size_t	i, j;
	long	maxerr;
	int	k, bad, count, other;

	for (i = 0; i < NPOLAR_DAY; i = j) {
		const struct polar_place *pl = &polar_place[polar_day[i].place];

		tz(pl->tz);
		maxerr = 0;
		bad = count = other = 0;
		for (j = i; j < NPOLAR_DAY &&
		    polar_day[j].place == polar_day[i].place; j++)
			for (k = 0; k < SUN_NKINDS; k++, count++)
				bad += polar_check(&polar_day[j], k, &maxerr,
				    &other);
		CHECK(bad == 0 && j - i == 365, "sun: %s: %zu solar days, %d "
		    "events or polar none as PyEphem says (max %ld s), %d of "
		    "them on another local date than their transit",
		    pl->name, j - i, count, maxerr, other);
	}
}

/*
 * A trigger on each sun event fires once for every solar day that has
 * it, at its instant, in order, through the whole year: none lost or
 * doubled where events cross midnight or come and go with the seasons.
 */
static void
test_sun_polar_triggers(void)
{
	struct sched_trig tr = { .kind = T_SUN };
	size_t		 i, j;
	int64_t		 t, prev, got;
	int		 k, bad, fired, moved;

	for (i = 0; i < NPOLAR_DAY; i = j) {
		const struct polar_place *pl = &polar_place[polar_day[i].place];

		tz(pl->tz);
		bad = fired = 0;
		for (k = 0; k < SUN_NKINDS; k++) {
			tr.sun = (enum sched_sun)k;
			prev = -1;
			for (j = i; j < NPOLAR_DAY &&
			    polar_day[j].place == polar_day[i].place; j++) {
				if (sched_sun_time(tr.sun, 2026, polar_day[j].m,
				    polar_day[j].d, pl->lat, pl->lon, &t) !=
				    SUN_EVENT)
					continue;
				if (prev == -1)
					prev = t - 1;
				got = sched_trig_next(&tr, prev, pl->lat,
				    pl->lon, &moved);
				fired++;
				if (got != t) {
					bad++;
					printf("# %s 2026-%02d-%02d %s: fired "
					    "at %lld, not %lld\n", pl->name,
					    polar_day[j].m, polar_day[j].d,
					    sched_sun_name(tr.sun),
					    (long long)got, (long long)t);
				}
				prev = t;
			}
		}
		CHECK(bad == 0, "sun: %s: triggers on the %d sun events fire "
		    "once per solar day, in order, all year (%d firings)",
		    pl->name, SUN_NKINDS, fired);
	}
}

/* The case: Tromso in late July 2026, as PyEphem gives it. */
/*
 * A setting and the next solar day's rising come as a pair: after a
 * solar day's sunset (dusk...) the next has its sunrise (dawn...) unless
 * the sun stays below all that day (a polar night begins). At Troll
 * (70 S) on 17 November 2026 NOAA's formula found a sunset at 23:30 UTC
 * where the sun grazes the horizon at midnight, then no sunrise: the
 * polar day had begun, and 'from sunset to sunrise' stayed true for two
 * months.
 */
static void
test_sun_pairs(void)
{
	size_t	i;
	int	k, bad = 0, n = 0, r1, r2;
	int64_t	t;

	for (i = 0; i + 1 < NPOLAR_DAY; i++) {
		const struct polar_day		*a = &polar_day[i];
		const struct polar_day		*b = &polar_day[i + 1];
		const struct polar_place	*pl = &polar_place[a->place];

		if (b->place != a->place)	/* the table's next day */
			continue;
		if (i == 0 || polar_day[i - 1].place != a->place)
			tz(pl->tz);
		for (k = SUN_SET; k < SUN_NKINDS; k += 2) {
			r1 = sched_sun_time((enum sched_sun)k, 2026, a->m, a->d,
			    pl->lat, pl->lon, &t);
			r2 = sched_sun_time((enum sched_sun)(k - 1), 2026, b->m,
			    b->d, pl->lat, pl->lon, &t);
			if (r1 != SUN_EVENT)
				continue;
			n++;
			if (r2 != SUN_EVENT && r2 != SUN_BELOW && bad++ < 3)
				printf("# %s, 2026-%02d-%02d: a %s, then no %s "
				    "(%d)\n", pl->name, a->m, a->d,
				    sched_sun_name((enum sched_sun)k),
				    sched_sun_name((enum sched_sun)(k - 1)), r2);
		}
	}
	CHECK(bad == 0, "sun: 65 to 80 N and S, 2026: each of %d settings is "
	    "followed by the next solar day's rising, or a polar night", n);
}

static void
test_sun_tromso_july(void)
{
	static const long long want[] = {
		1785019024LL,	/* Sat 25's solar day: Sun 26 00:37 */
		1785103991LL,	/* Sun 26's: Mon 27 00:13 */
		1785189542LL,	/* Mon 27's: Mon 27 23:59 */
		1785275264LL,	/* Tue 28's: Tue 28 23:47 */
	};
	struct sched_trig tr = { .kind = T_SUN, .sun = SUN_SET };
	int64_t		 t = utc(2026, 7, 20, 12, 0);
	size_t		 i;
	int		 moved, ok = 1;

	tz("Europe/Oslo");
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		t = sched_trig_next(&tr, t, 69.6492, 18.9553, &moved);
		if (llabs(t / 1000 - want[i]) > 60)
			ok = 0;
	}
	CHECK(ok, "sun: Tromso, July 2026: the first sunsets after the "
	    "midnight sun fire each once, 00:37 and 00:13 after midnight "
	    "included");
	tr.f.days = 1 << 0;		/* sunset on sun */
	t = sched_trig_next(&tr, utc(2026, 7, 25, 10, 0), 69.6492, 18.9553,
	    &moved);
	CHECK(llabs(t / 1000 - want[1]) <= 60, "sun: Tromso: 'sunset on "
	    "sun' fires Sunday's solar day's sunset (Monday 00:13), not "
	    "Saturday's after midnight");
}

static void
test_sun_misc(void)
{
	int64_t		t;
	struct sched_trig tr = { .kind = T_SUN, .sun = SUN_RISE };
	int		moved;

	tz("Europe/Oslo");
	CHECK(sched_sun_time(SUN_RISE, 2026, 12, 21, 69.6492, 18.9553,
	    &t) == SUN_BELOW, "sun: no sunrise in Tromso at midwinter: the "
	    "sun stays below (polar night)");
	CHECK(sched_sun_time(SUN_SET, 2026, 6, 21, 69.6492, 18.9553,
	    &t) == SUN_ABOVE, "sun: no sunset in Tromso at midsummer: the "
	    "sun stays above (polar day)");
	t = sched_trig_next(&tr, utc(2026, 12, 1, 12, 0), 69.6492, 18.9553,
	    &moved);
	CHECK(t > utc(2027, 1, 10, 0, 0) && t < utc(2027, 1, 20, 0, 0),
	    "sun: a sunrise trigger in Tromso waits for the polar night's "
	    "end (mid-January)");
	CHECK(sched_sun_elevation(utc(2026, 12, 21, 11, 0), 69.6492,
	    18.9553) < SUN_UP_ELEVATION, "sun: down at noon in the polar "
	    "night");
	CHECK(sched_sun_elevation(utc(2026, 6, 21, 23, 0), 69.6492,
	    18.9553) > SUN_UP_ELEVATION, "sun: up at midnight in the polar "
	    "day");
	tz("Europe/Berlin");
	if (sched_sun_time(SUN_SET, 2026, 6, 21, 52.52, 13.405, &t) == 0)
		CHECK(fabs(sched_sun_elevation(t, 52.52, 13.405) -
		    SUN_UP_ELEVATION) < 0.05, "sun: elevation at sunset is "
		    "the sunset elevation");
	/* Offsets are real minutes from the instant. */
	tr.sun = SUN_SET;
	tr.offset_s = 30 * 60;
	sched_sun_time(SUN_SET, 2026, 3, 29, 52.52, 13.405, &t);
	CHECK(sched_trig_next(&tr, utc(2026, 3, 29, 6, 0), 52.52, 13.405,
	    &moved) == t + 30 * MIN, "sun: sunset + 30 min on Berlin's "
	    "spring-forward day is the sunset instant + 30 real minutes");
	tr.offset_s = -12 * 3600;
	CHECK(sched_trig_next(&tr, t - 12 * HOUR - 1, 52.52, 13.405,
	    &moved) == t - 12 * HOUR, "sun: a large negative offset still "
	    "finds its day");
}

static void
test_gap_and_repeat(void)
{
	int moved;

	tz("America/New_York");
	CHECK(local(2026, 3, 7, 2, 30, &moved) == utc(2026, 3, 7, 7, 30) &&
	    !moved, "NY: 02:30 the day before spring forward is EST");
	CHECK(local(2026, 3, 8, 2, 30, &moved) == utc(2026, 3, 8, 7, 0) &&
	    moved, "NY: 02:30 on spring forward (skipped) moves to 03:00 EDT");
	CHECK(local(2026, 3, 9, 2, 30, &moved) == utc(2026, 3, 9, 6, 30) &&
	    !moved, "NY: 02:30 the day after is EDT");
	CHECK(local(2026, 11, 1, 1, 30, &moved) == utc(2026, 11, 1, 5, 30) &&
	    !moved, "NY: 01:30 on fall back (repeated) is the first, EDT");
	CHECK(local(2026, 11, 2, 1, 30, &moved) == utc(2026, 11, 2, 6, 30),
	    "NY: 01:30 the day after is EST");
	tz("Europe/Berlin");
	CHECK(local(2026, 3, 29, 2, 30, &moved) == utc(2026, 3, 29, 1, 0) &&
	    moved, "Berlin: 02:30 on spring forward moves to 03:00 CEST");
	CHECK(local(2026, 10, 25, 2, 30, &moved) == utc(2026, 10, 25, 0, 30)
	    && !moved, "Berlin: 02:30 on fall back is the first, CEST");
	CHECK(local(2026, 10, 24, 2, 30, &moved) == utc(2026, 10, 24, 0, 30),
	    "Berlin: the day before, CEST");
	CHECK(local(2026, 10, 26, 2, 30, &moved) == utc(2026, 10, 26, 1, 30),
	    "Berlin: the day after, CET");
	tz("Australia/Lord_Howe");
	CHECK(local(2026, 10, 4, 2, 15, &moved) == utc(2026, 10, 3, 15, 30)
	    && moved, "Lord Howe: 02:15 in the 30-minute gap moves to "
	    "02:30 (+11)");
	CHECK(local(2026, 4, 5, 1, 45, &moved) == utc(2026, 4, 4, 14, 45) &&
	    !moved, "Lord Howe: 01:45 repeated by the 30-minute change is "
	    "the first (+11)");
	CHECK(local(2026, 4, 6, 1, 45, &moved) == utc(2026, 4, 5, 15, 15),
	    "Lord Howe: the day after, +10:30");
	/* The same question twice gets the same answer (no hidden state). */
	tz("America/New_York");
	CHECK(local(2026, 11, 1, 1, 30, &moved) == local(2026, 11, 1, 1, 30,
	    &moved), "NY: an ambiguous time resolves the same way each time");
}

static void
test_at_trigger(void)
{
	struct sched_trig tr = { .kind = T_AT, .secs = 2 * 3600 + 30 * 60 };
	int64_t		t;
	int		moved;

	tz("America/New_York");
	t = sched_trig_next(&tr, utc(2026, 3, 7, 17, 0), NAN, NAN, &moved);
	CHECK(t == utc(2026, 3, 8, 7, 0) && moved, "at 02:30: fires once "
	    "at 03:00 on the skipped day");
	t = sched_trig_next(&tr, t, NAN, NAN, &moved);
	CHECK(t == utc(2026, 3, 9, 6, 30) && !moved, "at 02:30: then the "
	    "next day as usual");
	tr.secs = 3600 + 30 * 60;
	t = sched_trig_next(&tr, utc(2026, 10, 31, 17, 0), NAN, NAN, &moved);
	CHECK(t == utc(2026, 11, 1, 5, 30), "at 01:30: first pass on the "
	    "repeated day");
	t = sched_trig_next(&tr, t, NAN, NAN, &moved);
	CHECK(t == utc(2026, 11, 2, 6, 30), "at 01:30: not again in the "
	    "second pass, next the day after");
	tz("Australia/Lord_Howe");
	tr.secs = 2 * 3600 + 15 * 60;
	t = sched_trig_next(&tr, utc(2026, 10, 3, 0, 0), NAN, NAN, &moved);
	CHECK(t == utc(2026, 10, 3, 15, 30) && moved, "Lord Howe at 02:15: "
	    "once, at 02:30 after the gap");
	tz("Europe/Berlin");
	tr.secs = 7 * 3600;
	tr.f.days = 0x3e;		/* mon-fri */
	t = sched_trig_next(&tr, utc(2026, 11, 27, 7, 0), NAN, NAN, &moved);
	CHECK(t == utc(2026, 11, 30, 6, 0), "at 07:00 on mon-fri: from a "
	    "Friday after 07:00 to Monday");
	memset(&tr.f, 0, sizeof(tr.f));
	tr.f.date_from = 1220;
	tr.f.date_to = 105;
	t = sched_trig_next(&tr, utc(2026, 6, 1, 0, 0), NAN, NAN, &moved);
	CHECK(t == utc(2026, 12, 20, 6, 0), "dates 12-20 to 01-05: first "
	    "day of the range");
	t = sched_trig_next(&tr, utc(2026, 12, 31, 12, 0), NAN, NAN, &moved);
	CHECK(t == utc(2027, 1, 1, 6, 0), "dates 12-20 to 01-05: over the "
	    "new year");
	t = sched_trig_next(&tr, utc(2027, 1, 5, 12, 0), NAN, NAN, &moved);
	CHECK(t == utc(2027, 12, 20, 6, 0), "dates 12-20 to 01-05: then a "
	    "year later");
	tr.f.date_from = tr.f.date_to = 229;
	t = sched_trig_next(&tr, utc(2026, 3, 1, 0, 0), NAN, NAN, &moved);
	CHECK(t == utc(2028, 2, 29, 6, 0), "dates 02-29: the next leap day");
	memset(&tr.f, 0, sizeof(tr.f));
	tr.f.months = 1 << 7;
	t = sched_trig_next(&tr, utc(2026, 11, 27, 7, 0), NAN, NAN, &moved);
	CHECK(t == utc(2027, 7, 1, 5, 0), "in jul: July 1st, CEST");
}

static void
test_every(void)
{
	struct sched_trig tr = { .kind = T_EVERY, .secs = 30 * 60 };
	int64_t		t = utc(2026, 11, 1, 4, 45), prev;
	int		moved, i, ok = 1, ones = 0, y, mon, d, wday;
	long		secs;

	tz("America/New_York");
	for (i = 0; i < 8; i++) {
		prev = t;
		t = sched_trig_next(&tr, t, NAN, NAN, &moved);
		if (i > 0 && t - prev != 30 * MIN)
			ok = 0;
		sched_localdate(t, &y, &mon, &d, &wday, &secs);
		if (secs / 3600 == 1)
			ones++;
	}
	CHECK(ok, "every 30 min: 30 real minutes apart through fall back");
	CHECK(ones == 4, "every 30 min: runs in both passes of the repeated "
	    "hour (%d runs at 01:xx)", ones);
	tr.f.days = 1 << 1;		/* Mondays */
	t = sched_trig_next(&tr, utc(2026, 11, 27, 12, 0), NAN, NAN, &moved);
	CHECK(t == utc(2026, 11, 30, 5, 0), "every 30 min on mon: from "
	    "Friday to Monday 00:00 local");
}

/*
 * 'from sunset to sunrise': from each sunset to the next sunrise, across
 * midnight, through a polar night, never in a polar day; the ends
 * included and excluded as in [from, to); a time and a sun event mixed.
 */
static void
test_sun_window(void)
{
	static const char text[] =
	    "event a { if from sunset to sunrise do notify \"x\" }\n"
	    "event b { if from 22:00 to sunrise + 30 min do notify \"y\" }\n"
	    "event c { if from 22:00 to 06:00 do notify \"z\" }\n";
	struct sched_errs	 e;
	struct sched_prog	*g;
	struct sched		 s;
	const struct sched_cond	*a, *b;
	int64_t			 set, rise;

	memset(&s, 0, sizeof(s));
	g = sched_parse_buf("w.events", text, strlen(text), 0, &e);
	if (!CHECK(g != NULL && g->ev[0].cond->kind == C_WINDOW &&
	    g->ev[1].cond->kind == C_WINDOW && g->ev[2].cond->kind == C_TIME &&
	    g->uses_sun, "from sunset to sunrise parses; two times stay a "
	    "wall-time window")) {
		sched_prog_free(g);
		return;
	}
	a = g->ev[0].cond;
	b = g->ev[1].cond;
	tz("Europe/Berlin");
	s.home.lat = 52.52;
	s.home.lon = 13.405;
	sched_sun_time(SUN_SET, 2026, 6, 21, s.home.lat, s.home.lon, &set);
	sched_sun_time(SUN_RISE, 2026, 6, 22, s.home.lat, s.home.lon, &rise);
	CHECK(!sched_cond_eval(&s, a, set - 1) && sched_cond_eval(&s, a, set) &&
	    sched_cond_eval(&s, a, utc(2026, 6, 21, 22, 0)) &&
	    sched_cond_eval(&s, a, rise - 1) && !sched_cond_eval(&s, a, rise) &&
	    !sched_cond_eval(&s, a, utc(2026, 6, 22, 10, 0)), "Berlin, midsummer: "
	    "from sunset to sunrise is [sunset, the next sunrise), across "
	    "midnight");
	CHECK(!sched_cond_eval(&s, b, utc(2026, 6, 21, 19, 59)) &&
	    sched_cond_eval(&s, b, utc(2026, 6, 21, 20, 0)) &&
	    sched_cond_eval(&s, b, rise + 30 * MIN - 1) &&
	    !sched_cond_eval(&s, b, rise + 30 * MIN), "from 22:00 to sunrise + "
	    "30 min");
	tz("Europe/Oslo");
	s.home.lat = 69.6492;
	s.home.lon = 18.9553;
	CHECK(sched_cond_eval(&s, a, 1785104400000LL) &&	/* Mon 27 00:20 */
	    !sched_cond_eval(&s, a, 1785103140000LL) &&	/* Sun 26 23:59 */
	    !sched_cond_eval(&s, a, utc(2026, 6, 20, 22, 0)) &&
	    sched_cond_eval(&s, a, utc(2026, 12, 21, 11, 0)), "Tromso: after "
	    "Sunday's 00:13 sunset, not before it; never in the polar day, "
	    "all through the polar night");
	sched_prog_free(g);
}

/* hd-master --at: ISO 8601 with Z, an offset, or local wall time. */
static void
test_parse_iso(void)
{
	static const char *const bad[] = {
		"2026-02-30T12:00Z", "2026-13-01T00:00Z", "2026-07-25",
		"2026-07-25T24:00Z", "2026-07-25T12:00+2", "2026-07-25T12:00Zx",
		"2026-07-25T12:60", "1969-12-31T23:59Z", "2026-7-25T12:00Z",
		"2026-07-25T12:00:61Z", "2026-07-25T12:00+15:00",
	};
	int64_t	t;
	size_t	i;
	int	nbad = 0;

	tz("Europe/Oslo");
	CHECK(sched_parse_iso("2026-07-25T12:00Z", &t) == 0 &&
	    t == utc(2026, 7, 25, 12, 0), "iso: Z is UTC");
	CHECK(sched_parse_iso("2026-07-25 14:00:30+02:00", &t) == 0 &&
	    t == utc(2026, 7, 25, 12, 0) + 30000, "iso: an offset, seconds, "
	    "a blank for T");
	CHECK(sched_parse_iso("2026-01-01T00:00-03:30", &t) == 0 &&
	    t == utc(2026, 1, 1, 3, 30), "iso: a negative offset");
	CHECK(sched_parse_iso("2026-07-25T12:00", &t) == 0 &&
	    t == utc(2026, 7, 25, 10, 0), "iso: no zone is local time "
	    "(Oslo, summer)");
	CHECK(sched_parse_iso("2026-03-29T02:30", &t) == 0 &&
	    t == utc(2026, 3, 29, 1, 0), "iso: a local time in the gap is "
	    "its end");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (sched_parse_iso(bad[i], &t) != -1) {
			nbad++;
			printf("# iso: %s accepted\n", bad[i]);
		}
	CHECK(nbad == 0, "iso: %zu malformed times refused",
	    sizeof(bad) / sizeof(bad[0]));
}

int
main(void)
{
	test_sun_table();
	test_sun_misc();
	test_sun_polar_table();
	test_sun_polar_triggers();
	test_sun_pairs();
	test_sun_tromso_july();
	test_parse_iso();
	test_sun_window();
	test_gap_and_repeat();
	test_at_trigger();
	test_every();
	return check_done();
}
