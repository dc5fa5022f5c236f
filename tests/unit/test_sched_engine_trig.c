/*
 * Unit tests for the scheduler's engine, part of test_sched_engine
 * (test_sched_engine.c has main() and the simulated slaves): the
 * triggers: time of day and sun with a condition, location needed for
 * sun events, changes (kept across a kill -9), counters and timestamps,
 * thresholds with hysteresis and 'for' (across a restart), DST days.
 */

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CHECK_PART	/* of test_sched_engine */
#include "check.h"
#include "sched_test.h"
#include "sched/sched.h"
#include "test_sched_engine.h"

void
test_porch(void)
{
	struct sched		*s;
	int64_t			 sunset, t0 = utc(2026, 11, 23, 11, 0);
	struct sched_event	*ev;

	tz("Europe/Berlin");
	setval("barn", "lux1", "lux", 150);
	unlink(statepath);
	if ((s = start(porch, t0, 1)) == NULL)
		return;
	sched_sun_time(SUN_SET, 2026, 11, 23, BERLIN_LAT, BERLIN_LON, &sunset);
	CHECK(sched_next(s) == sunset + 15 * MIN, "porch: next is Monday's "
	    "sunset + 15 min");
	advance(s, sunset + 15 * MIN);
	CHECK(ncmd == 1 && has_cmd("porch/light.on=on"), "porch: on at "
	    "sunset + 15 min when the barn reads under 200 lux");
	CHECK(sched_npending(s) == 1 && sched_next(s) == sunset + 255 * MIN,
	    "porch: the off is pending for 4 h later");
	advance(s, sunset + 255 * MIN);
	CHECK(ncmd == 2 && has_cmd("porch/light.on=off"), "porch: off 4 h "
	    "later");
	ev = sched_prog_find(sched_program(s), "porch-evening");
	CHECK(ev->last_fired == sunset + 15 * MIN && strcmp(ev->last_result,
	    "ok") == 0, "porch: last fired and result recorded");
	setval("barn", "lux1", "lux", 350);
	ncmd = 0;
	advance(s, utc(2026, 11, 24, 23, 0));
	CHECK(ncmd == 0 && strcmp(ev->last_result, "skipped: condition "
	    "false") == 0, "porch: not on Tuesday with 350 lux (condition "
	    "false, recorded)");
	setval("barn", "lux1", "lux", 10);
	advance(s, utc(2026, 11, 30, 0, 0));
	CHECK(ncmd == 6, "porch: Wed-Fri on and off, not on the weekend "
	    "(%d commands)", ncmd);
	sched_free(s);
}

/* Sun events need a place: refused without latitude and longitude. */
void
test_no_location(void)
{
	struct sched		*s = sched_new(&ops, NULL, NAN, NAN, NULL);
	struct sched_errs	 e;

	write_events(porch);
	CHECK(sched_load(s, evpath, 0, &e) == -1 && strstr(e.buf, "need "
	    "latitude and longitude") != NULL, "sun events without a "
	    "location: refused");
	write_events("event a { when at 07:00 if sun up do notify \"x\" }");
	CHECK(sched_load(s, evpath, 0, &e) == -1, "'sun up' without a "
	    "location: refused");
	write_events("event a { when at 07:00 do notify \"x\" }");
	CHECK(sched_load(s, evpath, 0, &e) == 0, "no sun: no location needed");
	sched_free(s);
}

void
test_motion(void)
{
	static const char text[] =
	    "event hall {\n"
	    "  when hall/pir.motion changes to on\n"
	    "  do set hall/lamp.level = 80 wait 5 min restart\n"
	    "     set hall/lamp.level = 0\n"
	    "}\n";
	struct sched_val	 on = { .type = SV_BOOL, .i = 1 };
	struct sched_val	 off = { .type = SV_BOOL, .i = 0 };
	int64_t			 t0 = utc(2026, 11, 23, 20, 0);
	struct sched		*s = start(text, t0, 0);

	if (s == NULL)
		return;
	sched_value(s, t0, "hall", "pir", "motion", &off);
	CHECK(ncmd == 0, "motion: the first value is learnt, not a change");
	sched_value(s, t0 + MIN, "hall", "pir", "motion", &on);
	CHECK(ncmd == 1 && has_cmd("hall/lamp.level=80"), "motion: light "
	    "on at motion");
	sched_value(s, t0 + 2 * MIN, "hall", "pir", "motion", &off);
	sched_value(s, t0 + 2 * MIN, "hall", "pir", "motion", &off);
	advance(s, t0 + 4 * MIN);
	sched_value(s, t0 + 4 * MIN, "hall", "pir", "motion", &on);
	CHECK(sched_npending(s) == 1 && sched_next(s) == t0 + 9 * MIN,
	    "motion: motion again restarts the 5 minutes (one pending)");
	advance(s, t0 + 8 * MIN);
	CHECK(!has_cmd("hall/lamp.level=0"), "motion: not off at the first "
	    "timer's end");
	advance(s, t0 + 9 * MIN);
	CHECK(has_cmd("hall/lamp.level=0") && ncmd == 3, "motion: off 5 min "
	    "after the last motion");
	sched_free(s);
}

/*
 * The last value a 'changes' trigger saw survives a restart (kill -9):
 * a door opened while the master was down fires at the first report,
 * a string value too; a value that fired is saved before its actions
 * run, so it does not fire again after a crash.
 */
void
test_changes_persisted(void)
{
	static const char text[] =
	    "event door { when house/door.open changes to on\n"
	    "  do set house/lamp.on = on }\n"
	    "event back { when house/panel.mode changes from \"away\"\n"
	    "  do set house/heat.on = on }\n";
	struct sched_val	 on = { .type = SV_BOOL, .i = 1 };
	struct sched_val	 off = { .type = SV_BOOL, .i = 0 };
	struct sched_val	 away = { .type = SV_STRING, .s = "away" };
	struct sched_val	 home = { .type = SV_STRING, .s = "home" };
	int64_t			 t0 = utc(2026, 11, 23, 20, 0);
	struct sched		*s;

	unlink(statepath);
	if ((s = start(text, t0, 1)) == NULL)
		return;
	sched_value(s, t0, "house", "door", "open", &off);
	sched_value(s, t0, "house", "panel", "mode", &away);
	/* Learnt, not changes; saved within SCHED_LAZY_SAVE_MS. */
	sched_value(s, t0 + SCHED_LAZY_SAVE_MS, "house", "panel", "mode",
	    &away);
	CHECK(ncmd == 0, "changes: first values learnt");
	sched_free(s);			/* kill -9 */
	s = start(text, t0 + 10 * MIN, 1);
	if (s == NULL)
		return;
	sched_value(s, t0 + 10 * MIN, "house", "door", "open", &on);
	CHECK(ncmd == 1 && has_cmd("house/lamp.on=on"), "changes: after a "
	    "restart, the first report is compared with the last value "
	    "before it: the door opened while the master was down fires");
	sched_value(s, t0 + 10 * MIN, "house", "panel", "mode", &home);
	CHECK(ncmd == 2 && has_cmd("house/heat.on=on"), "changes: a string "
	    "value too ('changes from \"away\"')");
	sched_free(s);			/* kill -9 right after the firings */
	s = start(text, t0 + 11 * MIN, 1);
	if (s == NULL)
		return;
	sched_value(s, t0 + 11 * MIN, "house", "door", "open", &on);
	sched_value(s, t0 + 11 * MIN, "house", "panel", "mode", &home);
	CHECK(ncmd == 0, "changes: values that fired were saved before "
	    "their actions ran: the same reports after a kill -9 fire "
	    "nothing");
	sched_free(s);
}

/*
 * Counters and timestamps: counted and stamped by actions, read by
 * conditions, kept across a kill -9 and a reload.
 */
void
test_vars(void)
{
	static const char text[] =
	    "counter rings\n"
	    "timestamp last-motion\n"
	    "event bell { when house/bell.pressed changes to on\n"
	    "  do count rings }\n"
	    "event motion { when hall/pir.motion changes to on\n"
	    "  do stamp last-motion }\n"
	    "event alarm { when at 21:00 or at 21:15\n"
	    "  if rings >= 3 and last-motion older than 2 h\n"
	    "  do set house/siren.on = on set rings = 0 }\n";
	struct sched_val	 on = { .type = SV_BOOL, .i = 1 };
	struct sched_val	 off = { .type = SV_BOOL, .i = 0 };
	int64_t			 t0 = utc(2026, 11, 23, 18, 0);	/* 19:00 */
	const struct sched_prog	*g;
	struct sched		*s;
	struct sched_errs	 e;
	int			 i;

	tz("Europe/Berlin");
	unlink(statepath);
	if ((s = start(text, t0, 1)) == NULL)
		return;
	for (i = 0; i < 4; i++)		/* learnt, then on twice */
		sched_value(s, t0, "house", "bell", "pressed", i % 2 ? &on :
		    &off);
	sched_value(s, t0, "hall", "pir", "motion", &off);
	g = sched_program(s);
	CHECK(g->nvars == 2 && g->vars[0].val == 2 && !g->vars[1].set &&
	    ncmd == 0, "vars: two rings counted, no stamp yet");
	sched_value(s, t0, "house", "bell", "pressed", &off);
	sched_value(s, t0, "house", "bell", "pressed", &on);
	sched_free(s);			/* kill -9 */
	if ((s = start(text, t0 + 10 * MIN, 1)) == NULL)
		return;
	g = sched_program(s);
	CHECK(g->vars[0].val == 3, "vars: the count survives a kill -9");
	sched_value(s, t0 + 10 * MIN, "hall", "pir", "motion", &on);
	CHECK(g->vars[1].set && g->vars[1].val == t0 + 10 * MIN,
	    "vars: motion stamps its time");
	advance(s, utc(2026, 11, 23, 20, 0));
	CHECK(ncmd == 0, "vars: at 21:00 the motion is 1 h 50 ago: not "
	    "older than 2 h");
	advance(s, utc(2026, 11, 23, 20, 15));
	CHECK(ncmd == 1 && has_cmd("house/siren.on=on") && g->vars[0].val ==
	    0, "vars: at 21:15 three rings and no motion for 2 h 05: the "
	    "siren, and the counter set back to 0");
	write_events("counter rings\ntimestamp last-motion\n"
	    "event x { when startup do stamp last-motion }\n");
	CHECK(sched_load(s, evpath, utc(2026, 11, 23, 20, 20), &e) == 0 &&
	    sched_program(s)->vars[1].set && sched_program(s)->vars[1].val ==
	    t0 + 10 * MIN, "vars: a reload keeps them by name");
	sched_free(s);
	g = sched_parse_buf("v.events", "counter a\nmode a { x y }\n",
	    strlen("counter a\nmode a { x y }\n"), 0, &e);
	CHECK(g == NULL && strcmp(e.buf, "v.events:2:1: \"a\" declared twice "
	    "(a mode, counter or timestamp)\n") == 0, "vars: a name is a "
	    "mode or a variable, not both");
	sched_prog_free((struct sched_prog *)(uintptr_t)g);
}

/*
 * count ... by N: down as well as up, from a state restored at the top
 * of int64_t (a counter held there, not wrapped round to the bottom).
 */
void
test_count_by(void)
{
	static const char text[] =
	    "counter people\n"
	    "event in { when door/in.pulse changes do count people }\n"
	    "event out { when door/out.pulse changes do count people by -1 }\n"
	    "event big { when door/big.pulse changes do count people by 5 }\n";
	struct sched_val	 v = { .type = SV_INT };
	int64_t			 t0 = utc(2026, 11, 23, 18, 0);
	struct sched_prog	*g;
	struct sched		*s;
	int			 i;

	tz("Europe/Berlin");
	unlink(statepath);
	if (!CHECK((s = start(text, t0, 1)) != NULL, "count by: 'count "
	    "people by -1' and 'by 5' parse"))
		return;
	for (i = 0; i <= 2; i++) {	/* learnt, then two changes each */
		v.i = i;
		sched_value(s, t0, "door", "in", "pulse", &v);
		sched_value(s, t0, "door", "out", "pulse", &v);
		sched_value(s, t0, "door", "out", "pulse", &v);
	}
	for (i = 3; i <= 4; i++) {
		v.i = i;
		sched_value(s, t0, "door", "out", "pulse", &v);
	}
	g = (struct sched_prog *)(uintptr_t)sched_program(s);
	CHECK(g->vars[0].val == -2, "count by -1: two in, four out: -2 "
	    "(got %lld)", (long long)g->vars[0].val);
	g->vars[0].val = INT64_MAX - 3;
	for (i = 0; i <= 1; i++) {
		v.i = i;
		sched_value(s, t0, "door", "big", "pulse", &v);
	}
	CHECK(g->vars[0].val == INT64_MAX, "count by 5 near the top stops "
	    "at INT64_MAX, not wrapped to a negative count");
	g->vars[0].val = INT64_MIN + 1;
	for (i = 5; i <= 6; i++) {
		v.i = i;
		sched_value(s, t0, "door", "out", "pulse", &v);
	}
	CHECK(g->vars[0].val == INT64_MIN, "count by -1 stops at INT64_MIN");
	sched_free(s);
}

static void
feed(struct sched *s, int64_t t, double x)
{
	struct sched_val v = { .type = SV_DOUBLE, .d = x };

	advance(s, t);
	sched_value(s, t, "garage", "temp", "celsius", &v);
}

void
test_threshold(void)
{
	static const char text[] =
	    "event frost { when garage/temp.celsius below 0 hysteresis 1\n"
	    "  do set garage/heater.on = on }\n"
	    "event hot { when garage/temp.celsius above 30 for 10 min\n"
	    "  do set garage/fan.on = on }\n";
	int64_t		 t0 = utc(2026, 11, 23, 20, 0);
	struct sched	*s = start(text, t0, 0);
	int		 n;

	if (s == NULL)
		return;
	feed(s, t0, 5);
	feed(s, t0 + MIN, -0.5);
	CHECK(ncmd == 1, "threshold: fires when it crosses below 0");
	feed(s, t0 + 2 * MIN, 0.2);
	feed(s, t0 + 3 * MIN, -1);
	CHECK(ncmd == 1, "threshold: no second firing without passing the "
	    "hysteresis (0.2 < 1)");
	feed(s, t0 + 4 * MIN, 1.5);
	feed(s, t0 + 5 * MIN, -0.1);
	CHECK(ncmd == 2, "threshold: fires again after rising to 1.5");
	n = ncmd;
	feed(s, t0 + 10 * MIN, 31);
	feed(s, t0 + 15 * MIN, 29);
	advance(s, t0 + 30 * MIN);
	CHECK(ncmd == n, "for 10 min: not held long enough, no firing");
	feed(s, t0 + 31 * MIN, 32);
	feed(s, t0 + 35 * MIN, 33);
	advance(s, t0 + 40 * MIN);
	CHECK(ncmd == n, "for 10 min: not yet after 9 minutes");
	advance(s, t0 + 41 * MIN);
	CHECK(ncmd == n + 1 && has_cmd("garage/fan.on=on"), "for 10 min: "
	    "fires when held above 30 for 10 minutes");
	sched_free(s);
}

/* A threshold's arming and a running 'for' survive a restart. */
void
test_threshold_restart(void)
{
	static const char text[] =
	    "event cold { when garage/temp.celsius below 3 for 10 min\n"
	    "  do set garage/heater.on = on }\n";
	int64_t		 t0 = utc(2026, 11, 23, 20, 0);
	struct sched	*s;

	unlink(statepath);
	if ((s = start(text, t0, 1)) == NULL)
		return;
	feed(s, t0, 5);
	feed(s, t0 + MIN, 2);
	sched_free(s);		/* stopped 1 min into the 10 */
	s = start(text, t0 + 5 * MIN, 1);
	advance(s, t0 + 10 * MIN);
	CHECK(ncmd == 0, "for across a restart: not before its end");
	advance(s, t0 + 11 * MIN);
	CHECK(ncmd == 1 && has_cmd("garage/heater.on=on"), "for across a "
	    "restart: fires at its end without a new report");
	sched_free(s);
	s = start(text, t0 + 12 * MIN, 1);
	feed(s, t0 + 13 * MIN, 1);
	advance(s, t0 + 30 * MIN);
	CHECK(ncmd == 0, "after a restart a fired threshold stays disarmed");
	feed(s, t0 + 31 * MIN, 4);
	feed(s, t0 + 32 * MIN, 2);
	advance(s, t0 + 42 * MIN);
	CHECK(ncmd == 1, "... until the value has come back over it");
	sched_free(s);
}

/* Firings of a one-event file over [from, to]; *first: the first's time. */
static int
count_runs(const char *text, int64_t from, int64_t to, int64_t *first)
{
	struct sched	*s = start(text, from, 0);
	int64_t		 t;
	int		 before;

	if (s == NULL)
		return -1;
	nfired = 0;
	while ((t = sched_next(s)) <= to) {
		before = nfired;
		sched_run(s, t);
		if (before == 0 && nfired > 0 && first != NULL)
			*first = t;
	}
	sched_free(s);
	return nfired;
}

void
test_dst(void)
{
	int64_t first = 0;

	tz("America/New_York");
	CHECK(count_runs("event a { when at 02:30 do notify \"x\" }",
	    utc(2026, 3, 8, 5, 0), utc(2026, 3, 8, 23, 0), &first) == 1 &&
	    first == utc(2026, 3, 8, 7, 0), "NY spring forward: at 02:30 runs "
	    "once, at 03:00 EDT");
	CHECK(count_runs("event a { when at 01:30 do notify \"x\" }",
	    utc(2026, 11, 1, 4, 0), utc(2026, 11, 1, 23, 0), &first) == 1 &&
	    first == utc(2026, 11, 1, 5, 30), "NY fall back: at 01:30 runs "
	    "once, the first pass");
	CHECK(count_runs("event a { when every 15 min do notify \"x\" }",
	    utc(2026, 11, 1, 4, 59), utc(2026, 11, 1, 7, 0), NULL) == 9,
	    "NY fall back: every 15 min runs through both passes (9 in 2 h)");
	tz("Europe/Berlin");
	CHECK(count_runs("event a { when at 02:30 do notify \"x\" }",
	    utc(2026, 3, 28, 12, 0), utc(2026, 3, 30, 12, 0), &first) == 2 &&
	    first == utc(2026, 3, 29, 1, 0), "Berlin spring forward: 03:00 "
	    "CEST then the next day");
	CHECK(count_runs("event a { when at 02:30 do notify \"x\" }",
	    utc(2026, 10, 24, 12, 0), utc(2026, 10, 26, 12, 0), &first) == 2 &&
	    first == utc(2026, 10, 25, 0, 30), "Berlin fall back: once at "
	    "02:30 CEST, then the next day");
	CHECK(count_runs("event a { when at 07:00 or every 1 h do notify "
	    "\"x\" }", utc(2026, 11, 23, 5, 30), utc(2026, 11, 23, 6, 30),
	    NULL) == 1, "two triggers due at the same instant fire the event "
	    "once");
	tz("Australia/Lord_Howe");
	CHECK(count_runs("event a { when at 02:15 do notify \"x\" }",
	    utc(2026, 10, 3, 0, 0), utc(2026, 10, 3, 23, 0), &first) == 1 &&
	    first == utc(2026, 10, 3, 15, 30), "Lord Howe: at 02:15 in the "
	    "half-hour gap runs once at 02:30");
	tz("Europe/Berlin");
}
