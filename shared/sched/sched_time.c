/*
 * Local wall time for the scheduler, by the rules of
 * docs/SCHEDULER.md#daylight-saving (from shared/notes/scheduler-time.md):
 * a wall time in a gap fires at the first instant after the gap, a
 * repeated one at its first occurrence, sun events are instants of the
 * local date, "every" runs on elapsed time.
 *
 * mktime() is never used: with tm_isdst = -1 glibc resolves an ambiguous
 * wall time from state left by earlier calls. Instead each wall time is
 * tried with the UTC offsets in force a day before and a day after it
 * (timegm + localtime_r), which also covers offset changes that are not
 * daylight saving (a zone moving to another standard time).
 */

#include <limits.h>
#include <math.h>
#include <time.h>

#include "sched/sched.h"

#define DAY_S	86400L

static long
utc_offset(time_t t)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		return 0;
	return tm.tm_gmtoff;
}

/* The wall time of instant t, as seconds of a UTC-like timeline. */
static time_t
wall_of(time_t t)
{
	return t + utc_offset(t);
}

int64_t
sched_local(int y, int mon, int d, long secs, int *moved)
{
	struct tm	tm = { 0 };
	time_t		w, c1, c2, lo, hi, mid;

	tm.tm_year = y - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = d;
	tm.tm_sec = (int)secs;		/* timegm() normalises */
	w = timegm(&tm);
	c1 = w - utc_offset(w - DAY_S);
	c2 = w - utc_offset(w + DAY_S);
	*moved = 0;
	if (wall_of(c1) == w && (c1 <= c2 || wall_of(c2) != w))
		return (int64_t)c1 * 1000;
	if (wall_of(c2) == w)
		return (int64_t)c2 * 1000;
	/* In a gap: the first instant whose wall time is past w. */
	lo = c1 < c2 ? c1 : c2;
	hi = c1 < c2 ? c2 : c1;
	if (wall_of(hi) < w)
		return (int64_t)hi * 1000;	/* two changes in two days */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (wall_of(mid) >= w)
			hi = mid;
		else
			lo = mid + 1;
	}
	*moved = 1;
	return (int64_t)lo * 1000;
}

void
sched_localdate(int64_t t, int *y, int *mon, int *d, int *wday, long *secs)
{
	time_t		s = (time_t)(t / 1000);
	struct tm	tm;

	localtime_r(&s, &tm);
	*y = tm.tm_year + 1900;
	*mon = tm.tm_mon + 1;
	*d = tm.tm_mday;
	*wday = tm.tm_wday;
	*secs = tm.tm_hour * 3600L + tm.tm_min * 60 + tm.tm_sec;
}

int
sched_filter_ok(const struct sched_filter *f, int mon, int d, int wday)
{
	int md = mon * 100 + d;

	if (f->days != 0 && (f->days & (1 << wday)) == 0)
		return 0;
	if (f->months != 0 && (f->months & (1 << mon)) == 0)
		return 0;
	if (f->date_from == 0)
		return 1;
	if (f->date_from <= f->date_to)
		return md >= f->date_from && md <= f->date_to;
	return md >= f->date_from || md <= f->date_to;	/* over new year */
}

/* The calendar date `add` days after y-m-d (civil arithmetic, no zone). */
static void
date_add(int *y, int *mon, int *d, int *wday, int add)
{
	struct tm	tm = { 0 };
	time_t		t;

	tm.tm_year = *y - 1900;
	tm.tm_mon = *mon - 1;
	tm.tm_mday = *d + add;
	tm.tm_hour = 12;
	t = timegm(&tm);
	gmtime_r(&t, &tm);
	*y = tm.tm_year + 1900;
	*mon = tm.tm_mon + 1;
	*d = tm.tm_mday;
	*wday = tm.tm_wday;
}

/* The trigger's instant on local date y-m-d, or -1 (no sun event). */
static int64_t
instant_on(const struct sched_trig *tr, int y, int mon, int d, double lat,
    double lon, int *moved)
{
	int64_t t;

	*moved = 0;
	if (tr->kind == T_AT)
		return sched_local(y, mon, d, tr->secs, moved);
	if (sched_sun_time(tr->sun, y, mon, d, lat, lon, &t) != SUN_EVENT)
		return -1;
	return t + (int64_t)tr->offset_s * 1000;
}

/*
 * The latest instant of window end `b` at or before `t`, or -1 if none
 * within SCHED_WINDOW_SCAN_DAYS. From the day after t's date down: an
 * early sun event of that day, with an offset, may already be past;
 * instants grow with their dates, so the first one found is the latest.
 */
static int64_t
bound_last(const struct sched_trig *b, int64_t t, double lat, double lon)
{
	int64_t	x;
	int	y, mon, d, wday, i, moved;
	long	secs;

	sched_localdate(t, &y, &mon, &d, &wday, &secs);
	date_add(&y, &mon, &d, &wday, 1);
	for (i = 0; i < SCHED_WINDOW_SCAN_DAYS; i++) {
		if ((x = instant_on(b, y, mon, d, lat, lon, &moved)) != -1 &&
		    x <= t)
			return x;
		date_add(&y, &mon, &d, &wday, -1);
	}
	return -1;
}

int
sched_window_in(const struct sched_trig *from, const struct sched_trig *to,
    int64_t t, double lat, double lon)
{
	int64_t lf = bound_last(from, t, lat, lon);

	return lf != -1 && bound_last(to, t, lat, lon) < lf;
}

/* "every": multiples of the period since the epoch, so it runs on
 * elapsed time through both passes of a repeated hour; a day the
 * filters refuse is skipped whole. */
static int64_t
every_next(const struct sched_trig *tr, int64_t after)
{
	int64_t	p = (int64_t)tr->secs * 1000, t = (after / p + 1) * p;
	int	y, mon, d, wday, i, mv;
	long	secs;

	for (i = 0; i < SCHED_MAX_SCAN_DAYS; i++) {
		sched_localdate(t, &y, &mon, &d, &wday, &secs);
		if (sched_filter_ok(&tr->f, mon, d, wday))
			return t;
		date_add(&y, &mon, &d, &wday, 1);
		t = sched_local(y, mon, d, 0, &mv) - 1;
		t = (t / p + 1) * p;
	}
	return -1;
}

int64_t
sched_trig_next(const struct sched_trig *tr, int64_t after, double lat,
    double lon, int *moved)
{
	int64_t	t;
	int	y, mon, d, wday, i;
	long	secs;

	*moved = 0;
	if (tr->kind == T_EVERY)
		return every_next(tr, after);
	if (tr->kind != T_AT && tr->kind != T_SUN)
		return -1;
	/* From the day before: a sun event with a late offset, or an early
	 * one in a zone far from its longitude, may belong to it. */
	sched_localdate(after, &y, &mon, &d, &wday, &secs);
	date_add(&y, &mon, &d, &wday, -1);
	for (i = 0; i < SCHED_MAX_SCAN_DAYS; i++) {
		if (sched_filter_ok(&tr->f, mon, d, wday) &&
		    (t = instant_on(tr, y, mon, d, lat, lon, moved)) > after)
			return t;
		date_add(&y, &mon, &d, &wday, 1);
	}
	return -1;
}
