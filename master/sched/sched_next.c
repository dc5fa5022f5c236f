/*
 * The schedule's next firings, for a person checking a rule (as
 * `systemd-analyze calendar` is for timers): `hd-master -f CONF --next N
 * [--at ISO-TIME]` prints, for every event, its next N firing instants
 * after the given one, in local time with its UTC offset and in UTC, and
 * says why an event fires on no date. Docs: docs/SCHEDULER.md#checking-
 * the-schedule, docs/hd-master.8.
 *
 * The instants are those the engine would wait for: each time trigger's
 * sched_trig_next(), merged, one firing for triggers due at one instant.
 * Conditions are not evaluated: they depend on values and modes at the
 * time. An event of a site with a zone of its own (docs/SCHEDULER.md#
 * sites) prints its local times in that zone.
 */

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sched/sched.h"

/* "2026-07-26 22:13:11 +02:00": local wall time and its UTC offset. */
static void
fmt_local(int64_t t, char *buf, size_t len)
{
	time_t		s = (time_t)(t / 1000);
	struct tm	tm;
	long		off;

	localtime_r(&s, &tm);
	off = tm.tm_gmtoff;
	snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d %c%02ld:%02ld",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+', labs(off) / 3600,
	    labs(off) / 60 % 60);
}

static void
fmt_utc(int64_t t, char *buf, size_t len)
{
	time_t		s = (time_t)(t / 1000);
	struct tm	tm;

	gmtime_r(&s, &tm);
	snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d UTC",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
}

static int
is_time_trig(const struct sched_trig *tr)
{
	return tr->kind == T_AT || tr->kind == T_EVERY || tr->kind == T_SUN;
}

/* Why an event with no instant fires on no date. */
static void
no_date_why(const struct sched_event *ev, double lat, double lon,
    char *buf, size_t len)
{
	int i, timed = 0, sun = 0;

	for (i = 0; i < ev->ntrig; i++) {
		timed += is_time_trig(&ev->trig[i]);
		sun += ev->trig[i].kind == T_SUN;
	}
	if (timed == 0)
		snprintf(buf, len, "no time trigger (it fires on values, "
		    "slaves, start-up or run)");
	else if (sun == timed && (isnan(lat) || isnan(lon)))
		snprintf(buf, len, "its sun triggers need latitude and "
		    "longitude in the config%s%s%s", ev->site != NULL ?
		    " (or a site-place line for site \"" : "",
		    ev->site != NULL ? ev->site : "", ev->site != NULL ?
		    "\")" : "");
	else
		snprintf(buf, len, "no date its filters allow in the next %d "
		    "days", SCHED_MAX_SCAN_DAYS);
}

/* One event's next `n` firings after `at`; a line when there are none. */
static void
event_next(FILE *out, const struct sched_event *ev, int64_t at, int n)
{
	const struct sched_place *pl = sched_ev_place(ev);
	double	lat = pl->lat, lon = pl->lon;
	int64_t	next[SCHED_MAX_TRIGGERS], t;
	int	moved[SCHED_MAX_TRIGGERS], i, k, printed = 0, mv;
	char	lt[96], ut[96], why[128];

	if (ev->disabled) {
		fprintf(out, "%s: disabled in the file: fires on no date\n",
		    ev->name);
		return;
	}
	for (i = 0; i < ev->ntrig; i++)
		next[i] = is_time_trig(&ev->trig[i]) ? sched_trig_next(
		    &ev->trig[i], at, lat, lon, &moved[i]) : -1;
	while (printed < n) {
		for (t = -1, k = -1, i = 0; i < ev->ntrig; i++)
			if (next[i] > 0 && (t == -1 || next[i] < t)) {
				t = next[i];
				k = i;
			}
		if (k == -1)
			break;
		fmt_local(t, lt, sizeof(lt));
		fmt_utc(t, ut, sizeof(ut));
		sched_trig_describe(&ev->trig[k], why, sizeof(why));
		fprintf(out, "%s: %s  %s  %s%s\n", ev->name, lt, ut, why,
		    moved[k] ? " (moved out of a daylight-saving gap)" : "");
		printed++;
		/* Triggers due at the same instant fire the event once. */
		for (i = 0; i < ev->ntrig; i++)
			if (next[i] == t) {
				next[i] = sched_trig_next(&ev->trig[i], t, lat,
				    lon, &mv);
				moved[i] = mv;
			}
	}
	if (printed == 0) {
		no_date_why(ev, lat, lon, why, sizeof(why));
		fprintf(out, "%s: fires on no date: %s\n", ev->name, why);
	}
}

void
sched_next_print(FILE *out, const struct sched_prog *g, int64_t at, int n)
{
	const struct sched_place	*pl;
	struct sched_zone_save		 zs;
	char				 lt[96], ut[96];
	int				 i;

	fmt_local(at, lt, sizeof(lt));
	fmt_utc(at, ut, sizeof(ut));
	fprintf(out, "# next %d firings after %s  %s\n", n, lt, ut);
	for (i = 0; i < g->nev; i++) {
		pl = sched_ev_place(&g->ev[i]);
		sched_zone_enter(pl->tz, &zs);
		event_next(out, &g->ev[i], at, n);
		sched_zone_leave(&zs);
	}
}

/* "DD" of exactly `n` digits at s; -1 if not. */
static int
digits(const char *s, int n)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/*
 * YYYY-MM-DD[T| ]HH:MM[:SS] then Z, +HH:MM, -HH:MM or nothing (local
 * wall time, by the scheduler's rules: a time in a gap is its end, a
 * repeated one its first occurrence). 0 and *t (ms), or -1.
 */
int
sched_parse_iso(const char *s, int64_t *t)
{
	struct tm	tm = { 0 };
	int		y, mo, d, h, mi, sec = 0, oh, om, sign, moved;
	const char	*p;

	if (strlen(s) < 16 || (y = digits(s, 4)) < 1970 || s[4] != '-' ||
	    (mo = digits(s + 5, 2)) < 1 || mo > 12 || s[7] != '-' ||
	    (d = digits(s + 8, 2)) < 1 || d > 31 ||
	    (s[10] != 'T' && s[10] != ' ') || (h = digits(s + 11, 2)) < 0 ||
	    h > 23 || s[13] != ':' || (mi = digits(s + 14, 2)) < 0 || mi > 59)
		return -1;
	p = s + 16;
	if (*p == ':') {
		if ((sec = digits(p + 1, 2)) < 0 || sec > 59)
			return -1;
		p += 3;
	}
	if (*p == '\0') {
		*t = sched_local(y, mo, d, h * 3600L + mi * 60 + sec, &moved);
		return 0;
	}
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*t = (int64_t)timegm(&tm) * 1000;
	if (tm.tm_mday != d)		/* timegm normalised 02-31 */
		return -1;
	if (strcmp(p, "Z") == 0)
		return 0;
	if ((*p != '+' && *p != '-') || strlen(p) != 6 ||
	    (oh = digits(p + 1, 2)) < 0 || oh > 14 || p[3] != ':' ||
	    (om = digits(p + 4, 2)) < 0 || om > 59)
		return -1;
	sign = *p == '-' ? -1 : 1;
	*t -= sign * (oh * 3600LL + om * 60) * 1000;
	return 0;
}
