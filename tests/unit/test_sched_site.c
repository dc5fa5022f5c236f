/*
 * Unit tests for per-site place and time zone (shared/sched/sched_site.c,
 * docs/SCHEDULER.md#sites): a holiday house on Cape Cod (America/
 * New_York, 41.67 N 70.0 W) run by a master in Berlin. The two zones
 * change to and from summer time on different Sundays (New York 8 March
 * and 1 November 2026, Berlin 29 March and 25 October), so between them
 * the difference is 5 hours, not 6: each site's times must follow its
 * own zone's rules, its sun events its own place, and the process's zone
 * must be Berlin again after every computation.
 */

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "sched_test.h"
#include "sched/sched.h"
#include "sched_fake.h"

#define MIN	60000LL
#define HOUR	(60 * MIN)

static const struct sched_place home = { "", 52.52, 13.405, "" };
static const struct sched_place sites[] = {
	{ "holiday", 41.67, -70.0, "America/New_York" },
	{ "barn", 52.6, 13.5, "" },		/* a place, the home zone */
};

static char	 dir[] = "/tmp/hd-sched-site-XXXXXX";
static char	 evpath[300];
static int64_t	 clock_ms;
static struct {
	char	 what[64];
	int64_t	 at;
} cmds[32];
static int	 ncmd;

static int
command(void *arg, const struct sched_act *a, const char *by, char *why,
    size_t len)
{
	(void)arg;
	(void)by;
	(void)why;
	(void)len;
	if (ncmd < 32) {
		snprintf(cmds[ncmd].what, sizeof(cmds[0].what), "%s/%s",
		    a->ref.node, a->ref.dev);
		cmds[ncmd++].at = clock_ms;
	}
	return 0;
}

static const struct sched_ops ops = { sched_fake_no_value, command };

/* The process's zone is Berlin's: local hour of a UTC instant. */
static int
berlin_is_back(void)
{
	int	y, mon, d, wday;
	long	secs;
	const char *z = getenv("TZ");

	sched_localdate(utc(2026, 7, 1, 10, 0), &y, &mon, &d, &wday, &secs);
	return z != NULL && strcmp(z, "Europe/Berlin") == 0 &&
	    secs == 12 * 3600L;
}

/* Error text without its newlines, for a check's line. */
static const char *
chomp(struct sched_errs *e)
{
	char *p;

	while ((p = strchr(e->buf, '\n')) != NULL)
		*p = ' ';
	return e->buf;
}

static struct sched_prog *
parse(const char *text)
{
	struct sched_errs	 e;
	struct sched_prog	*g;

	memset(&e, 0, sizeof(e));
	if ((g = sched_parse_buf("t.events", text, strlen(text), 0, &e)) ==
	    NULL)
		printf("# %s", e.buf);
	else
		sched_places_resolve(g, &home, sites, 2);
	return g;
}

static void
test_zone_names(void)
{
	char why[256];

	CHECK(sched_zone_ok("Europe/Paris", why, sizeof(why)) &&
	    sched_zone_ok("America/New_York", why, sizeof(why)) &&
	    sched_zone_ok("UTC", why, sizeof(why)), "IANA names with a "
	    "zone file are accepted");
	CHECK(!sched_zone_ok("Nowhere/Land", why, sizeof(why)) &&
	    strstr(why, "no such zone") != NULL, "an unknown zone is refused "
	    "(glibc would take it for UTC): %s", why);
	CHECK(!sched_zone_ok("../../etc/passwd", why, sizeof(why)) &&
	    !sched_zone_ok("/etc/localtime", why, sizeof(why)) &&
	    !sched_zone_ok("Europe/", why, sizeof(why)) &&
	    !sched_zone_ok("", why, sizeof(why)) &&
	    !sched_zone_ok("Europe/Paris ", why, sizeof(why)) &&
	    strstr(why, "not a time zone name") != NULL, "paths, empty "
	    "names and spaces are not zone names");
	CHECK(!sched_zone_ok("Europe", why, sizeof(why)), "a directory of "
	    "the zone database is not a zone");
}

static void
test_parse(void)
{
	struct sched_prog	*g;
	struct sched_errs	 e;
	const char		 two[] = "event x { site a site b when at "
	    "07:00 do notify \"x\" }\n";
	const char		 empty[] = "event x { site \"\" when at 07:00 "
	    "do notify \"x\" }\n";

	g = parse("event a { site holiday when at 07:00 do notify \"a\" }\n"
	    "event b { when at 07:00 site \"Maison de vacances\" do "
	    "notify \"b\" }\n"
	    "event c { when at 07:00 do notify \"c\" }\n");
	if (CHECK(g != NULL && g->nev == 3, "'site NAME' and 'site \"TEXT\"' "
	    "parse anywhere among the clauses")) {
		CHECK(strcmp(g->ev[0].site, "holiday") == 0 &&
		    strcmp(g->ev[1].site, "Maison de vacances") == 0 &&
		    g->ev[2].site == NULL, "each event keeps its site");
		CHECK(g->ev[0].place == &sites[0] && g->ev[1].place == &home &&
		    g->ev[2].place == &home, "a site with a site-place line "
		    "gets it; one without and no site get the installation's");
		sched_prog_free(g);
	}
	memset(&e, 0, sizeof(e));
	g = sched_parse_buf("t", two, strlen(two), 0, &e);
	CHECK(g == NULL && strstr(chomp(&e), "t:1:23: one 'site' per event") !=
	    NULL, "a second 'site' is an error: %s", e.buf);
	memset(&e, 0, sizeof(e));
	g = sched_parse_buf("t", empty, strlen(empty), 0, &e);
	CHECK(g == NULL && strstr(chomp(&e), "a site name is 1 to 63 "
	    "characters") != NULL, "an empty site name is an error: %s",
	    e.buf);
}

/* Next instants of 'at' triggers at home (Berlin) and on Cape Cod. */
static void
test_next_instants(void)
{
	struct sched_prog	*g;
	struct sched_trig	*h, *h230, *b;
	int			 mv;

	g = parse("event h { site holiday when at 07:00 or at 02:30 "
	    "do notify \"h\" }\n"
	    "event b { when at 07:00 do notify \"b\" }\n");
	if (!CHECK(g != NULL, "the holiday file parses"))
		return;
	h = &g->ev[0].trig[0];
	h230 = &g->ev[0].trig[1];
	b = &g->ev[1].trig[0];
	CHECK(sched_ev_trig_next(h, utc(2026, 3, 7, 12, 0), &mv) ==
	    utc(2026, 3, 8, 11, 0) && !mv && sched_ev_trig_next(b,
	    utc(2026, 3, 7, 12, 0), &mv) == utc(2026, 3, 8, 6, 0),
	    "8 March: 07:00 on Cape Cod is 11:00 UTC (EDT, -4), 07:00 in "
	    "Berlin 06:00 UTC (CET, +1)");
	CHECK(sched_ev_trig_next(h230, utc(2026, 3, 7, 12, 0), &mv) ==
	    utc(2026, 3, 8, 7, 0) && mv == 1, "02:30 on New York's "
	    "spring-forward day is moved to 03:00 EDT (07:00 UTC)");
	CHECK(sched_ev_trig_next(b, utc(2026, 3, 28, 12, 0), &mv) ==
	    utc(2026, 3, 29, 5, 0) && sched_ev_trig_next(h,
	    utc(2026, 3, 28, 12, 0), &mv) == utc(2026, 3, 29, 11, 0),
	    "29 March: Berlin moves to CEST (05:00 UTC), Cape Cod stays at "
	    "11:00 UTC");
	CHECK(sched_ev_trig_next(b, utc(2026, 10, 31, 12, 0), &mv) ==
	    utc(2026, 11, 1, 6, 0) && sched_ev_trig_next(h,
	    utc(2026, 10, 31, 12, 0), &mv) == utc(2026, 11, 1, 12, 0),
	    "1 November: New York falls back (12:00 UTC), Berlin did a week "
	    "before (06:00 UTC)");
	CHECK(berlin_is_back(), "the process's zone is Berlin again");
	tz("Europe/Lisbon");
	CHECK(sched_ev_trig_next(b, utc(2026, 7, 1, 12, 0), &mv) ==
	    utc(2026, 7, 2, 6, 0) && sched_ev_trig_next(h, utc(2026, 7, 1,
	    12, 0), &mv) == utc(2026, 7, 2, 11, 0) &&
	    strcmp(getenv("TZ"), "Europe/Lisbon") == 0, "TZ changed between "
	    "two computations (to Lisbon): the installation's events follow "
	    "it, and it is what is put back after a site's");
	tz("Europe/Berlin");
	sched_prog_free(g);
}

/* Sun events at the site's place, on its local date, in its zone. */
static void
test_sun(void)
{
	struct sched_prog	*g;
	int64_t			 want, got, berlin;
	int			 mv;

	g = parse("event h { site holiday when sunset do notify \"h\" }\n"
	    "event b { site barn when sunset do notify \"b\" }\n"
	    "event n { site nowhere when sunset do notify \"n\" }\n");
	if (!CHECK(g != NULL, "sunset events parse"))
		return;
	tz("America/New_York");
	sched_sun_time(SUN_SET, 2026, 6, 21, 41.67, -70.0, &want);
	tz("Europe/Berlin");
	sched_sun_time(SUN_SET, 2026, 6, 21, 52.52, 13.405, &berlin);
	got = sched_ev_trig_next(&g->ev[0].trig[0], utc(2026, 6, 21, 12, 0),
	    &mv);
	CHECK(got == want && got > utc(2026, 6, 22, 0, 0) && got <
	    utc(2026, 6, 22, 1, 0), "Cape Cod's sunset of 21 June: its own "
	    "place and date (00:2x UTC on the 22nd, 20:2x EDT)");
	CHECK(sched_ev_trig_next(&g->ev[2].trig[0], utc(2026, 6, 21, 12, 0),
	    &mv) == berlin, "a site without a site-place line: the "
	    "installation's sunset");
	got = sched_ev_trig_next(&g->ev[1].trig[0], utc(2026, 6, 21, 12, 0),
	    &mv);
	CHECK(got != berlin && llabs(got - berlin) < 5 * MIN, "the barn: "
	    "its own place, a few minutes from the house's");
	CHECK(sched_places_missing(g) == NULL, "every sun event has a "
	    "place");
	CHECK(berlin_is_back(), "the process's zone is Berlin again");
	sched_prog_free(g);
}

static int
run_until(struct sched *s, int64_t until)
{
	int64_t t;

	while ((t = sched_next(s)) <= until) {
		clock_ms = t;
		sched_run(s, t);
	}
	return 0;
}

static struct sched *
start(const char *text, double lat, double lon, int64_t now,
    struct sched_errs *e)
{
	struct sched	*s;
	FILE		*f = fopen(evpath, "w");

	fputs(text, f);
	fclose(f);
	s = sched_new(&ops, NULL, lat, lon, NULL);
	sched_set_places(s, sites, 2);
	memset(e, 0, sizeof(*e));
	if (sched_load(s, evpath, now, e) == -1) {
		sched_free(s);
		return NULL;
	}
	ncmd = 0;
	clock_ms = now;
	sched_start(s, now);
	return s;
}

/* The engine: firings and a time window, each in its site's zone. */
static void
test_engine(void)
{
	struct sched		*s;
	struct sched_errs	 e;
	int			 i, light = 0, first = -1;

	s = start("event hm { site holiday when at 07:00 do set "
	    "cottage/heat.on = on }\n"
	    "event hw { site holiday when every 1 h if from 06:00 to 08:00 "
	    "do set cottage/light.on = on }\n"
	    "event bm { when at 07:00 do set house/heat.on = on }\n",
	    home.lat, home.lon, utc(2026, 3, 20, 0, 0), &e);
	if (!CHECK(s != NULL, "the engine loads site events: %s", chomp(&e)))
		return;
	CHECK(sched_event_next(s, &sched_program(s)->ev[0]) ==
	    utc(2026, 3, 20, 11, 0), "its next firing is 07:00 EDT");
	run_until(s, utc(2026, 3, 20, 12, 0));
	for (i = 0; i < ncmd; i++)
		if (strcmp(cmds[i].what, "cottage/light") == 0) {
			light++;
			if (first == -1)
				first = i;
		}
	CHECK(ncmd == 4 && strcmp(cmds[0].what, "house/heat") == 0 &&
	    cmds[0].at == utc(2026, 3, 20, 6, 0), "Berlin's 07:00 fires at "
	    "06:00 UTC");
	CHECK(light == 2 && cmds[first].at == utc(2026, 3, 20, 10, 0),
	    "'from 06:00 to 08:00' on Cape Cod: the hourly firings of 10:00 "
	    "and 11:00 UTC pass, Berlin's morning hours do not");
	for (i = 0; i < ncmd && strcmp(cmds[i].what, "cottage/heat"); i++)
		;
	CHECK(i < ncmd && cmds[i].at == utc(2026, 3, 20, 11, 0),
	    "Cape Cod's 07:00 fires at 11:00 UTC");
	CHECK(berlin_is_back(), "the process's zone is Berlin again");
	sched_free(s);

	s = start("event h { site holiday when sunset do notify \"h\" }\n",
	    NAN, NAN, utc(2026, 3, 20, 0, 0), &e);
	CHECK(s != NULL, "without the installation's place, a site's own "
	    "place is enough for its sun events");
	if (s != NULL)
		sched_free(s);
	s = start("event n { site nowhere when at 06:00 if sun is up do "
	    "notify \"n\" }\n", NAN, NAN, utc(2026, 3, 20, 0, 0), &e);
	CHECK(s == NULL && strstr(e.buf, "event n: sun events and 'sun "
	    "up/down' need latitude and longitude in the master's "
	    "configuration (or a site-place line for site \"nowhere\")") !=
	    NULL, "a site with no place and no installation place: refused, "
	    "naming the event and the site: %s", chomp(&e));
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(evpath, sizeof(evpath), "%s/t.events", dir);
	tz("Europe/Berlin");
	test_zone_names();
	test_parse();
	test_next_instants();
	test_sun();
	test_engine();
	unlink(evpath);
	rmdir(dir);
	return check_done();
}
