/*
 * Sun times: the algorithm of NOAA's solar calculator (the "General
 * Solar Position Calculations" and its sunrise/sunset page, after Meeus,
 * "Astronomical Algorithms"). Good to about a minute between the polar
 * circles, and still within a few minutes at 70 degrees where the sun
 * grazes the horizon. A day on which the sun never reaches the wanted
 * elevation (polar day or night) has no such event.
 */

#include <math.h>
#include <time.h>

#include "sched/sched.h"

#define RAD(d)		((d) * M_PI / 180.0)
#define DEG(r)		((r) * 180.0 / M_PI)
#define JD_UNIX		2440587.5	/* Julian day of 1970-01-01 00:00 UTC */

static const double	 sun_elev[SUN_NKINDS] = {
	[SUN_RISE] = SUN_UP_ELEVATION, [SUN_SET] = SUN_UP_ELEVATION,
	[SUN_CIVIL_DAWN] = -6, [SUN_CIVIL_DUSK] = -6,
	[SUN_NAUT_DAWN] = -12, [SUN_NAUT_DUSK] = -12,
	[SUN_ASTRO_DAWN] = -18, [SUN_ASTRO_DUSK] = -18,
};
static const char *const sun_names[SUN_NKINDS] = {
	"sunrise", "sunset", "dawn", "dusk", "nautical-dawn", "nautical-dusk",
	"astronomical-dawn", "astronomical-dusk",
};

const char *
sched_sun_name(enum sched_sun k)
{
	return sun_names[k];
}

/* Julian day of y-m-d at 0h UTC (Gregorian calendar). */
static double
julian_day(int y, int m, int d)
{
	double a, b;

	if (m <= 2) {
		y--;
		m += 12;
	}
	a = floor(y / 100.0);
	b = 2 - a + floor(a / 4);
	return floor(365.25 * (y + 4716)) + floor(30.6001 * (m + 1)) + d +
	    b - 1524.5;
}

struct sunpos {
	double	decl;		/* radians */
	double	eqtime;		/* minutes */
};

/* Declination and equation of time at Julian day jd. */
static void
sun_position(double jd, struct sunpos *p)
{
	double t = (jd - 2451545.0) / 36525.0;
	double l0, m, e, c, lambda, omega, eps, y;

	l0 = fmod(280.46646 + t * (36000.76983 + t * 0.0003032), 360.0);
	m = 357.52911 + t * (35999.05029 - 0.0001537 * t);
	e = 0.016708634 - t * (0.000042037 + 0.0000001267 * t);
	c = sin(RAD(m)) * (1.914602 - t * (0.004817 + 0.000014 * t)) +
	    sin(RAD(2 * m)) * (0.019993 - 0.000101 * t) +
	    sin(RAD(3 * m)) * 0.000289;
	omega = 125.04 - 1934.136 * t;
	lambda = l0 + c - 0.00569 - 0.00478 * sin(RAD(omega));
	eps = 23 + (26 + (21.448 - t * (46.8150 + t * (0.00059 -
	    t * 0.001813))) / 60) / 60 + 0.00256 * cos(RAD(omega));
	p->decl = asin(sin(RAD(eps)) * sin(RAD(lambda)));
	y = tan(RAD(eps) / 2);
	y *= y;
	p->eqtime = 4 * DEG(y * sin(2 * RAD(l0)) - 2 * e * sin(RAD(m)) +
	    4 * e * y * sin(RAD(m)) * cos(2 * RAD(l0)) -
	    0.5 * y * y * sin(4 * RAD(l0)) - 1.25 * e * e * sin(2 * RAD(m)));
}

/*
 * Minutes after 0h UTC of jd's date of the event near jd; SUN_ABOVE or
 * SUN_BELOW if the sun stays on one side of the elevation, with *min
 * then at the hour angle where it comes closest (the anti-transit or the
 * transit), so that a refinement there can still find a grazing event.
 */
static int
event_minutes(double jd, int rising, double elev, double lat,
    double lon, double *min)
{
	struct sunpos	p;
	double		cosha, ha;
	int		r = SUN_EVENT;

	sun_position(jd, &p);
	cosha = cos(RAD(90 - elev)) / (cos(RAD(lat)) * cos(p.decl)) -
	    tan(RAD(lat)) * tan(p.decl);
	if (cosha > 1) {
		cosha = 1;
		r = SUN_BELOW;
	} else if (cosha < -1) {
		cosha = -1;
		r = SUN_ABOVE;
	}
	ha = DEG(acos(cosha));
	if (!rising)
		ha = -ha;
	*min = 720 - 4 * (lon + ha) - p.eqtime;
	return r;
}

/* The instant of the solar transit (noon) NOAA gives UTC date jd0. */
static int64_t
utc_day_transit(double jd0, double lon)
{
	struct sunpos	p;
	double		min;

	sun_position(jd0 + 0.5 - lon / 360, &p);
	min = 720 - 4 * lon - p.eqtime;
	sun_position(jd0 + min / 1440, &p);
	min = 720 - 4 * lon - p.eqtime;
	return (int64_t)llround((jd0 - JD_UNIX) * 86400000.0 + min * 60000.0);
}

/*
 * NOAA computes an event in minutes from 0h UTC of a date, near that
 * longitude's solar noon. One refinement at the first estimate's
 * instant, as NOAA does; a first estimate with the sun's position at noon
 * that finds the sun staying above is refined at the anti-transit, where
 * the position may differ enough to give the first event after a polar
 * day. SUN_ABOVE or SUN_BELOW if the sun does not cross the elevation
 * that solar day.
 */
static int
noaa_event(enum sched_sun k, int rising, double jd0, double lat,
    double lon, int64_t *t)
{
	double	min;
	int	r;

	if ((r = event_minutes(jd0 + 0.5 - lon / 360, rising, sun_elev[k],
	    lat, lon, &min)) == SUN_BELOW)
		return r;
	if ((r = event_minutes(jd0 + min / 1440, rising, sun_elev[k], lat,
	    lon, &min)) < 0)
		return r;
	*t = (int64_t)llround((jd0 - JD_UNIX) * 86400000.0 + min * 60000.0);
	return SUN_EVENT;
}

/*
 * Where the sun crosses elevation `elev` between instants a and b (the
 * elevation above it at one end and below at the other): bisection
 * down to a millisecond; the sun's elevation is monotonic between a
 * transit and an anti-transit.
 */
static int64_t
bisect(int64_t a, int64_t b, double elev, double lat, double lon)
{
	int	above_a = sched_sun_elevation(a, lat, lon) > elev;
	int64_t	m;

	while (b - a > 1) {
		m = a + (b - a) / 2;
		if ((sched_sun_elevation(m, lat, lon) > elev) == above_a)
			a = m;
		else
			b = m;
	}
	return a;
}

/*
 * The event of the solar day of UTC date jd0 (its rising before the
 * transit, its setting after), or SUN_ABOVE / SUN_BELOW.
 *
 * Whether it exists is decided by the sun's elevation at two instants
 * that neighbouring solar days share: the transit (the rising and the
 * setting of one day both need the sun above the elevation there), and
 * the anti-transit, midway between two transits (a day's setting and
 * the next day's rising both need it below there). NOAA's formula alone
 * computes each event with the sun's position of its own day, so where
 * the sun grazes the elevation at midnight it could find a sunset and
 * not the sunrise a few minutes later: a 'from sunset to sunrise' window
 * then stayed open through a whole polar day (Troll, 70 S, 17-18
 * November 2026). The instant is NOAA's when it lies between the two;
 * else, in those grazing cases, found by bisection on the elevation.
 */
static int
utc_day_event(enum sched_sun k, double jd0, double lat, double lon,
    int64_t *t)
{
	int	rising = (k == SUN_RISE || k == SUN_CIVIL_DAWN ||
		    k == SUN_NAUT_DAWN || k == SUN_ASTRO_DAWN);
	int64_t	tr = utc_day_transit(jd0, lon), anti, lo, hi;

	/* Written alike for both neighbours, to the same millisecond. */
	if (rising) {
		anti = utc_day_transit(jd0 - 1, lon);
		anti += (tr - anti) / 2;
	} else
		anti = tr + (utc_day_transit(jd0 + 1, lon) - tr) / 2;
	if (sched_sun_elevation(tr, lat, lon) <= sun_elev[k])
		return SUN_BELOW;
	if (sched_sun_elevation(anti, lat, lon) >= sun_elev[k])
		return SUN_ABOVE;
	lo = rising ? anti : tr;
	hi = rising ? tr : anti;
	if (noaa_event(k, rising, jd0, lat, lon, t) != SUN_EVENT ||
	    *t <= lo || *t >= hi)
		*t = bisect(lo, hi, sun_elev[k], lat, lon);
	return SUN_EVENT;
}

/*
 * The event of the *local* date y-m-d: the event of the solar day whose
 * transit (solar noon) falls on that date, its rising before the transit
 * and its setting after it, wherever the instant falls. At high latitudes
 * a sunset just after local midnight belongs to the day before (the
 * evening that started it), and a sunrise may fall before midnight; in
 * zones far from their longitude's solar time (Kiritimati at UTC+14 and
 * 157 degrees west) the solar day of a local date is NOAA's day of the
 * previous or the next UTC date.
 */
int
sched_sun_time(enum sched_sun k, int y, int mon, int d, double lat,
    double lon, int64_t *t)
{
	static const int tries[] = { 0, -1, 1 };
	double		 jd0 = julian_day(y, mon, d);
	int		 i, ly, lm, ld, wday;
	long		 secs;

	if (isnan(lat) || isnan(lon) || (unsigned)k >= SUN_NKINDS)
		return SUN_NODAY;
	for (i = 0; i < 3; i++) {
		sched_localdate(utc_day_transit(jd0 + tries[i], lon), &ly, &lm,
		    &ld, &wday, &secs);
		if (ly == y && lm == mon && ld == d)
			return utc_day_event(k, jd0 + tries[i], lat, lon, t);
	}
	return SUN_NODAY;
}

double
sched_sun_elevation(int64_t t, double lat, double lon)
{
	struct sunpos	p;
	double		jd = JD_UNIX + t / 86400000.0, utmin, tst, ha, cz;

	sun_position(jd, &p);
	utmin = fmod((double)(t % 86400000) / 60000.0, 1440.0);
	tst = fmod(utmin + p.eqtime + 4 * lon + 2880, 1440.0);
	ha = tst / 4 - 180;
	cz = sin(RAD(lat)) * sin(p.decl) +
	    cos(RAD(lat)) * cos(p.decl) * cos(RAD(ha));
	if (cz > 1)
		cz = 1;
	else if (cz < -1)
		cz = -1;
	return 90 - DEG(acos(cz));
}

int
sched_sun_today(const struct sched_trig *tr, int64_t now, double lat,
    double lon, int64_t *t)
{
	int	y, mon, d, wday, r;
	long	secs;

	sched_localdate(now, &y, &mon, &d, &wday, &secs);
	if (!sched_filter_ok(&tr->f, mon, d, wday))
		return SUN_FILTERED;
	if ((r = sched_sun_time(tr->sun, y, mon, d, lat, lon, t)) ==
	    SUN_EVENT)
		*t += (int64_t)tr->offset_s * 1000;
	return r;
}

/*
 * For the API and the dashboard. A twilight whose sun stays above its
 * elevation is not a polar day (the sun may set): a white night.
 */
const char *
sched_sun_status_name(enum sched_sun k, int status, double lat)
{
	switch (status) {
	case SUN_EVENT:
		return "event";
	case SUN_ABOVE:
		return k == SUN_RISE || k == SUN_SET ? "polar_day" :
		    "white_night";
	case SUN_BELOW:
		return "polar_night";
	case SUN_FILTERED:
		return "not_today";
	default:
		return isnan(lat) ? "no_place" : "none";
	}
}
