/*
 * Unit tests for the scheduler's engine (shared/sched/sched_engine.c,
 * sched_exec.c, sched_state.c) on a simulated clock: the state file
 * across a simulated kill -9, the missed-event policy, clock jumps,
 * reload with a broken file, modes, run/cancel, offline slaves,
 * conditions at the instant of firing, re-entry, a full batch and a heap
 * of 10,000 events. The triggers (time of day and sun, changes,
 * counters, thresholds, DST days) are tested in test_sched_engine_trig.c,
 * linked into the same program; this file has main() and the simulated
 * slaves both use (test_sched_engine.h).
 */

#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHECK_PARTS	/* test_sched_engine_trig.c shares the count */
#include "atomicfile.h"
#include "check.h"
#include "sched_test.h"
#include "log.h"
#include "master.pb-c.h"
#include "sched/sched.h"
#include "test_sched_engine.h"

static char	 cmds[64][128];
int		 ncmd;
static const char *offline_node = "";
static char	 dir[] = "/tmp/hd-sched-engine-XXXXXX";
char		 evpath[256], statepath[256];
static char	 lastgood[300];
static int	 nnotify, nfailed;
int		 nfired;
static char	 lastnotify[512], lastnote[512], lastmissed[512];
static int	 nmissed;
static const struct sched_event *lastev;	/* of the last notice */

static struct {
	const char		*node, *dev, *key;
	struct sched_val	 v;
} vals[8];
static int nvals;

static int
get_value(void *arg, const struct sched_devref *r, struct sched_val *out)
{
	int i;

	(void)arg;
	for (i = 0; i < nvals; i++)
		if (strcmp(vals[i].node, r->node) == 0 &&
		    strcmp(vals[i].dev, r->dev) == 0 &&
		    strcmp(vals[i].key, r->key) == 0) {
			*out = vals[i].v;
			return 0;
		}
	return -1;
}

static struct sched *reenter;		/* command() calls back into it */
static int64_t	 reenter_now;

static int
command(void *arg, const struct sched_act *a, const char *by, char *why,
    size_t len)
{
	char v[32];

	(void)arg;
	(void)by;
	if (reenter != NULL && strcmp(a->ref.node, "flaky") == 0) {
		/* As in the master: a failed send drops the link, and the
		 * slave's offline event comes back into the engine. */
		snprintf(why, len, "could not send to slave flaky");
		sched_node(reenter, reenter_now, "flaky", 0);
		return -1;
	}
	if (strcmp(a->ref.node, offline_node) == 0) {
		snprintf(why, len, "slave %s is offline", a->ref.node);
		return -1;
	}
	if (a->kind == A_PULSE)
		snprintf(v, sizeof(v), "pulse %ld", a->ms);
	else if (a->val.type == SV_BOOL)
		snprintf(v, sizeof(v), "%s", a->val.i ? "on" : "off");
	else if (a->val.type == SV_INT)
		snprintf(v, sizeof(v), "%" PRId64, a->val.i);
	else
		snprintf(v, sizeof(v), "%g", a->val.d);
	if (ncmd < 64)
		snprintf(cmds[ncmd++], sizeof(cmds[0]), "%s/%s.%s=%s",
		    a->ref.node, a->ref.dev, a->ref.key, v);
	return 0;
}

const struct sched_ops ops = { get_value, command };

static void
notified(void *arg, const char *kind, const struct sched_event *ev,
    const char *json)
{
	(void)arg;
	lastev = ev;
	nnotify++;
	nfailed += strcmp(kind, "event_failed") == 0;
	nfired += strcmp(kind, "event") == 0;
	if (kind == NULL || json == NULL)
		return;
	snprintf(lastnotify, sizeof(lastnotify), "%s %s", kind, json);
	if (strcmp(kind, "notify") == 0)
		snprintf(lastnote, sizeof(lastnote), "%s", json);
	if (strcmp(kind, "event_missed") == 0) {
		nmissed++;
		snprintf(lastmissed, sizeof(lastmissed), "%s", json);
	}
}

/* Event `name` of the running program. */
static const struct sched_event *
event_named(const struct sched *s, const char *name)
{
	const struct sched_prog	*g = sched_program(s);
	int			 i;

	for (i = 0; g != NULL && i < g->nev; i++)
		if (strcmp(g->ev[i].name, name) == 0)
			return &g->ev[i];
	return NULL;
}

int
setval(const char *node, const char *dev, const char *key, double d)
{
	int i;

	for (i = 0; i < nvals; i++)
		if (strcmp(vals[i].node, node) == 0 &&
		    strcmp(vals[i].dev, dev) == 0 &&
		    strcmp(vals[i].key, key) == 0)
			break;
	if (i == nvals)
		nvals++;
	vals[i].node = node;
	vals[i].dev = dev;
	vals[i].key = key;
	vals[i].v.type = SV_DOUBLE;
	vals[i].v.d = d;
	return i;
}

static void
setstr(const char *node, const char *dev, const char *key, const char *v)
{
	int i = setval(node, dev, key, 0);

	vals[i].v.type = SV_STRING;
	vals[i].v.s = v;
}

void
advance(struct sched *s, int64_t until)
{
	int64_t t;

	while ((t = sched_next(s)) <= until)
		sched_run(s, t);
}

void
write_events(const char *text)
{
	FILE *f = fopen(evpath, "w");

	fputs(text, f);
	fclose(f);
}

struct sched *
start(const char *text, int64_t now, int persist)
{
	struct sched		*s;
	struct sched_errs	 e;

	write_events(text);
	s = sched_new(&ops, NULL, BERLIN_LAT, BERLIN_LON, persist ?
	    statepath : NULL);
	sched_set_notify(s, notified, NULL);
	if (sched_load(s, evpath, now, &e) == -1) {
		printf("# %s", e.buf);
		sched_free(s);
		return NULL;
	}
	ncmd = 0;
	sched_start(s, now);
	return s;
}

int
has_cmd(const char *c)
{
	int i;

	for (i = 0; i < ncmd; i++)
		if (strcmp(cmds[i], c) == 0)
			return 1;
	return 0;
}

const char porch[] =
"event porch-evening {\n"
"    when sunset + 15 min on weekdays\n"
"    if barn/lux1.lux < 200\n"
"    do set porch/light.on = on\n"
"       wait 4 h\n"
"       set porch/light.on = off\n"
"}\n";

static void
test_persistence(void)
{
	int64_t		 sunset, t0 = utc(2026, 11, 23, 11, 0);
	struct sched	*s;

	tz("Europe/Berlin");
	setval("barn", "lux1", "lux", 150);
	unlink(statepath);
	sched_sun_time(SUN_SET, 2026, 11, 23, BERLIN_LAT, BERLIN_LON, &sunset);
	if ((s = start(porch, t0, 1)) == NULL)
		return;
	advance(s, sunset + 15 * MIN);
	CHECK(ncmd == 1 && sched_npending(s) == 1, "kill -9: on, off pending");
	/* The process dies here: sched_free() writes nothing, so the state
	 * file is what the last change left, as after a kill -9. */
	sched_free(s);
	s = start(porch, sunset + 75 * MIN, 1);
	CHECK(s != NULL && sched_npending(s) == 1 && ncmd == 0,
	    "kill -9: the pending off is restored, the on is not repeated");
	advance(s, sunset + 255 * MIN);
	CHECK(ncmd == 1 && has_cmd("porch/light.on=off"), "kill -9: the off "
	    "runs at its time");
	sched_free(s);
}

/*
 * A sched.state of a newer format (shared/statefmt.h): the schedule runs
 * without it, and the file is never written over while this version
 * runs (the version that wrote it still has its state).
 */
static void
test_state_newer(void)
{
	Hd__SchedState	 st = HD__SCHED_STATE__INIT;
	int64_t		 sunset, t0 = utc(2026, 11, 23, 11, 0);
	struct sched	*s;
	uint8_t		 buf[64], *got = NULL;
	size_t		 len, glen = 0;

	tz("Europe/Berlin");
	setval("barn", "lux1", "lux", 150);
	st.format = state_format_current(&hd__sched_state__descriptor) + 1;
	st.saved_ms = 1;
	len = hd__sched_state__pack(&st, buf);
	CHECK(atomic_write(statepath, buf, len, 0600) == 0,
	    "a sched.state of format %u", st.format);
	sched_sun_time(SUN_SET, 2026, 11, 23, BERLIN_LAT, BERLIN_LON, &sunset);
	if ((s = start(porch, t0, 1)) == NULL)
		return;
	advance(s, sunset + 15 * MIN);
	CHECK(ncmd == 1 && sched_npending(s) == 1,
	    "newer state: the schedule runs without it");
	sched_free(s);
	CHECK(atomic_read(statepath, 1024, &got, &glen) == 0 && glen == len &&
	    memcmp(got, buf, len) == 0, "... and leaves the file as it was");
	free(got);
	unlink(statepath);
}

/*
 * Local rules' hooks (docs/SCHEDULER.md#local-rules): an engine started
 * with every instant up to `from` handled catches up only what is due
 * after it (a slave's engine after the master's last frame); a firing's
 * id is its event and due instant, the same wherever it is computed; a
 * firing made elsewhere becomes the event's result and an "event" notice
 * marked local, and its instant counts as handled.
 */
#define DAY_MS	(24 * HOUR)

static struct sched *
start_from(const char *text, int64_t from, int64_t now)
{
	struct sched		*s;
	struct sched_errs	 e;

	memset(&e, 0, sizeof(e));
	s = sched_new(&ops, NULL, BERLIN_LAT, BERLIN_LON, NULL);
	sched_set_notify(s, notified, NULL);
	if (sched_load_buf(s, "local", text, strlen(text), now, &e) == -1) {
		printf("# %s", e.buf);
		sched_free(s);
		return NULL;
	}
	ncmd = 0;
	sched_set_start(s, from);
	sched_start(s, now);
	return s;
}

static void
test_local_hooks(void)
{
	static const char text[] =
	    "event a { when at 07:00 do set x/y.z = 1 }\n";
	int64_t			 t7 = utc(2026, 11, 23, 6, 0);	/* 07:00 CET */
	struct sched		*s;
	struct sched_event	*ev;

	tz("Europe/Berlin");
	s = start_from(text, t7 - 1, t7 + MIN);
	CHECK(s != NULL && ncmd == 1 && has_cmd("x/y.z=1"), "started with "
	    "instants up to 1 ms before 07:00 handled: 07:00 is caught up");
	sched_free(s);
	s = start_from(text, t7, t7 + MIN);
	CHECK(s != NULL && ncmd == 0, "with 07:00 itself handled: not again");
	sched_free(s);
	CHECK(sched_firing_id("a", t7) == sched_firing_id("a", t7) &&
	    sched_firing_id("a", t7) != sched_firing_id("a", t7 + 1) &&
	    sched_firing_id("a", t7) != sched_firing_id("b", t7),
	    "a firing's id: its event and due instant, nothing else");
	s = start_from(text, t7 + MIN, t7 + MIN);
	if (!CHECK(s != NULL, "an engine for a firing made elsewhere"))
		return;
	ev = sched_prog_find(sched_program(s), "a");
	nfired = 0;
	sched_local_fired(s, ev, t7 + DAY_MS, t7 + DAY_MS + 5, "fired",
	    t7 + DAY_MS + 10);
	CHECK(nfired == 1 && strstr(lastnotify, "\"local\":true") != NULL &&
	    strstr(lastnotify, "\"result\":\"local: fired\"") != NULL &&
	    ev->trig[0].last_due == t7 + DAY_MS, "a firing made elsewhere: "
	    "an event notice marked local, the result, its instant handled "
	    "(%s)", lastnotify);
	sched_free(s);
}

static void
test_missed(void)
{
	static const char text[] =
	    "event a { when at 07:00 do set x/y.z = 1 }\n"
	    "event b { when every 1 min do set x/y.z = 2 }\n"
	    "event c { when at 07:00 catch-up none do set x/y.z = 3 }\n";
	const struct sched_event *ev;
	struct sched_errs	 e;
	struct sched		*s;

	tz("Europe/Berlin");
	unlink(statepath);
	s = start(text, utc(2026, 11, 23, 5, 45), 1);
	advance(s, utc(2026, 11, 23, 5, 50));
	sched_free(s);		/* stopped at 06:50 local */
	nmissed = 0;
	s = start(text, utc(2026, 11, 23, 6, 10), 1);
	CHECK(ncmd == 2 && has_cmd("x/y.z=1") && has_cmd("x/y.z=2"),
	    "missed: stopped 20 min: 07:00 caught up once (10 min late), "
	    "every-minute once, catch-up none not run");
	ev = event_named(s, "c");
	CHECK(ev != NULL && ev->missed.count == 1 && ev->missed.last_due ==
	    utc(2026, 11, 23, 6, 0) && ev->missed.at == utc(2026, 11, 23, 6,
	    10) && strstr(ev->missed.why, "while the master was stopped: "
	    "10 min late, catch-up none") != NULL, "missed record: the "
	    "catch-up none event's skipped 07:00, when and why (%s)",
	    ev != NULL ? ev->missed.why : "");
	ev = event_named(s, "b");
	CHECK(ev != NULL && ev->missed.count == 19 && ev->missed.last_due ==
	    utc(2026, 11, 23, 6, 9) && strstr(ev->missed.why, "only the "
	    "last instant ran, within the 15 min catch-up") != NULL,
	    "missed record: every minute, 19 instants skipped before the "
	    "one caught up (%s)", ev != NULL ? ev->missed.why : "");
	ev = event_named(s, "a");
	CHECK(ev != NULL && ev->missed.count == 0, "missed record: none for "
	    "the one instant caught up");
	CHECK(nmissed == 2 && strstr(lastmissed, "\"count\":") != NULL &&
	    strstr(lastmissed, "\"why\":\"skipped ") != NULL, "missed: "
	    "an event_missed notice per event with misses (%d, %s)", nmissed,
	    lastmissed);
	sched_free(s);
	s = start(text, utc(2026, 11, 24, 5, 50), 1);
	sched_free(s);
	s = start(text, utc(2026, 11, 24, 7, 0), 1);
	CHECK(ncmd == 1 && has_cmd("x/y.z=2"), "missed: 07:00 an hour ago "
	    "(over the 15-minute window) is skipped");
	ev = event_named(s, "a");
	CHECK(ev != NULL && ev->missed.count == 1 && ev->missed.last_due ==
	    utc(2026, 11, 24, 6, 0) && strstr(ev->missed.why, "60 min late, "
	    "beyond the catch-up of 15 min") != NULL, "missed record: "
	    "beyond the window, how late and the window (%s)", ev != NULL ?
	    ev->missed.why : "");
	advance(s, utc(2026, 11, 24, 7, 1));
	ncmd = 0;
	/* The clock jumps 2 hours ahead while running. */
	sched_run(s, utc(2026, 11, 24, 9, 30));
	CHECK(ncmd == 1 && has_cmd("x/y.z=2"), "clock jump: the every-minute "
	    "event runs once, not 149 times");
	CHECK(sched_next(s) == utc(2026, 11, 24, 9, 31), "clock jump: and "
	    "carries on from the new time");
	ev = event_named(s, "b");
	/* The record adds up across restarts (sched.state): 19 skipped at
	 * 06:10 on the 23rd, 1419 at 05:50 on the 24th, 69 at the start at
	 * 07:00 (stopped at 05:50), 148 now. */
	CHECK(ev != NULL && ev->missed.count == 19 + 1419 + 69 + 148 &&
	    ev->missed.last_due ==
	    utc(2026, 11, 24, 9, 29) && ev->missed.at == utc(2026, 11, 24, 9,
	    30) && strstr(ev->missed.why, "the clock jumped") != NULL,
	    "missed record: a clock jump's skipped instants (%" PRId64 ", %s)",
	    ev != NULL ? ev->missed.count : -1, ev != NULL ? ev->missed.why :
	    "");
	CHECK(sched_load(s, evpath, utc(2026, 11, 24, 9, 31), &e) == 0 &&
	    (ev = event_named(s, "b")) != NULL && ev->missed.count == 19 +
	    1419 + 69 + 148,
	    "missed record: kept over a reload");
	sched_free(s);
	/* Restarted with the clock an hour behind: 07:00 is not run again. */
	s = start(text, utc(2026, 11, 24, 5, 30), 1);
	advance(s, utc(2026, 11, 24, 6, 30));
	CHECK(!has_cmd("x/y.z=1") && !has_cmd("x/y.z=3"), "clock stepped "
	    "back: an instant already handled does not run twice");
	sched_free(s);
	/* A standby takes over from that state at 08:30 local the next day:
	 * its misses say the takeover gap. */
	s = sched_new(&ops, NULL, BERLIN_LAT, BERLIN_LON, statepath);
	sched_set_notify(s, notified, NULL);
	CHECK(sched_load(s, evpath, utc(2026, 11, 25, 7, 30), &e) == 0,
	    "takeover: loaded");
	sched_set_replay(s, SCHED_TAKEOVER_REPLAY_MS);
	sched_start(s, utc(2026, 11, 25, 7, 30));
	ev = event_named(s, "c");
	/* Its 07:00 of the 23rd and of the 24th from the file, the 25th's
	 * in the takeover gap. */
	CHECK(ev != NULL && ev->missed.count == 3 && strcmp(ev->missed.why,
	    "skipped in the takeover gap: 90 min late, catch-up none") == 0,
	    "missed record at a takeover: the file's two and the gap's, "
	    "named (%s)", ev != NULL ?
	    ev->missed.why : "");
	sched_free(s);
}

static void
test_reload(void)
{
	static const char v1[] =
	    "event a { when at 07:00 do set x/y.z = 1 wait 2 h set x/y.z = 0 }\n"
	    "event b { when at 07:15 do set x/y.w = 1 wait 2 h set x/y.w = 0 }\n";
	static const char v2[] =
	    "event a { when at 07:00 do set x/y.z = 1 wait 2 h set x/y.z = 0 }\n"
	    "event b { when at 07:15 do set x/y.w = 5 wait 2 h set x/y.w = 0 }\n"
	    "event c { when at 09:00 do notify \"c\" }\n";
	struct sched_errs	 e;
	struct sched		*s;
	int64_t			 t0 = utc(2026, 11, 23, 5, 0);

	tz("Europe/Berlin");
	unlink(statepath);
	if ((s = start(v1, t0, 1)) == NULL)
		return;
	advance(s, utc(2026, 11, 23, 7, 30));
	CHECK(sched_npending(s) == 2, "reload: two delayed actions pending");
	sched_enable(s, "a", 0, utc(2026, 11, 23, 7, 30));
	write_events("event a { when at 7:61 do notify \"x\" }\n");
	CHECK(sched_load(s, evpath, utc(2026, 11, 23, 7, 30), &e) == -1 &&
	    strstr(e.buf, "test.events:1:19: a time of day") != NULL && sched_npending(s) == 2 &&
	    sched_program(s)->nev == 2, "reload: a broken file is refused "
	    "with file:line:col, the old schedule keeps running");
	write_events(v2);
	CHECK(sched_load(s, evpath, utc(2026, 11, 23, 7, 31), &e) == 0 &&
	    sched_program(s)->nev == 3 && sched_npending(s) == 1,
	    "reload: new file; the changed event's pending action is dropped, "
	    "the unchanged one's kept");
	CHECK(!sched_prog_find(sched_program(s), "a")->enabled,
	    "reload: an admin's disable survives");
	ncmd = 0;
	advance(s, utc(2026, 11, 23, 8, 0));
	CHECK(ncmd == 1 && has_cmd("x/y.z=0"), "reload: the kept pending "
	    "action runs at its time");
	sched_free(s);
}

static void
test_actions(void)
{
	static const char text[] =
	    "mode house { home away vacation }\n"
	    "event leave { do set house = away cancel hall run lights-off }\n"
	    "event lights-off { do set a/b.c = off pulse g/door.out 500 ms }\n"
	    "event hall { when startup do wait 10 min set a/b.d = 1 }\n"
	    "event guard { when at 12:00 if house is away do set barn/l.on = on "
	    "notify \"guard\" }\n"
	    "event loop1 { do run loop2 }\n"
	    "event loop2 { do run loop1 }\n"
	    "event up { when online barn do notify \"barn back\" }\n"
	    "event down { when offline barn do notify \"barn gone\" }\n";
	struct sched	*s;
	int64_t		 t0 = utc(2026, 11, 23, 9, 0);

	tz("Europe/Berlin");
	unlink(statepath);
	if ((s = start(text, t0, 1)) == NULL)
		return;
	CHECK(sched_npending(s) == 1, "startup: the start-up event ran");
	CHECK(sched_fire(s, "leave", t0) == 0 && has_cmd("a/b.c=off") &&
	    has_cmd("g/door.out=pulse 500") && sched_npending(s) == 0 &&
	    sched_program(s)->modes[0].cur == 1, "run from the API: set mode, "
	    "cancel another's pending, run another event (set, pulse)");
	sched_fire(s, "loop1", t0);
	CHECK(strcmp(sched_prog_find(sched_program(s), "loop1")->last_result,
	    "failed: run nested too deep") == 0, "run: a loop stops at "
	    "SCHED_MAX_RUN_DEPTH");
	offline_node = "barn";
	nfailed = 0;
	advance(s, utc(2026, 11, 23, 11, 0));
	CHECK(strncmp(sched_prog_find(sched_program(s), "guard")->last_result,
	    "failed: slave barn is offline", 29) == 0 && nfailed == 1 &&
	    strstr(lastnotify, "guard") != NULL, "offline slave: the action "
	    "fails with the reason as the result, on the stream too");
	CHECK(lastev == sched_prog_find(sched_program(s), "guard") &&
	    lastev->nrefs == 1 && strcmp(lastev->refs[0].node, "barn") == 0 &&
	    strcmp(lastev->refs[0].dev, "l") == 0, "the failure's notice "
	    "names its event, whose references say who may see it");
	offline_node = "";
	nnotify = 0;
	sched_node(s, utc(2026, 11, 23, 11, 1), "barn", 0);
	sched_node(s, utc(2026, 11, 23, 11, 2), "barn", 1);
	CHECK(nnotify == 4 && strstr(lastnote, "barn back") != NULL,
	    "online/offline triggers (2 firings, 2 notes)");
	lastev = sched_program(s)->ev;
	CHECK(sched_set_mode(s, "house", "vacation", t0) == 0 &&
	    strncmp(lastnotify, "mode ", 5) == 0 && lastev == NULL,
	    "a mode change's notice names no event (everyone's)");
	CHECK(sched_set_mode(s, "house", "moon", t0) == -1 &&
	    sched_set_mode(s, "garden", "home", t0) == -1, "modes: set from "
	    "the API, unknown value or mode refused");
	sched_free(s);
	s = start(text, utc(2026, 11, 23, 11, 30), 1);
	CHECK(sched_program(s)->modes[0].cur == 2 &&
	    sched_prog_find(sched_program(s), "leave")->last_fired == t0,
	    "modes and last firings survive a restart");
	CHECK(sched_enable(s, "nope", 1, t0) == -1 && sched_fire(s, "nope",
	    t0) == -1, "unknown event names refused");
	sched_free(s);
}

/* Conditions at the instant of firing: time window over midnight, sun,
 * calendar, comparisons of booleans, strings and unknown values. */
static void
test_conditions(void)
{
	static const char text[] =
	    "event late { when every 1 h if from 22:00 to 06:00 do "
	    "set a/late.x = 1 }\n"
	    "event dark { when every 1 h if sun is down do set a/dark.x = 1 }\n"
	    "event wkend { when every 1 h if on weekends and not (in jul) "
	    "do set a/wkend.x = 1 }\n"
	    "event cmp { when every 1 h if barn/door.open == on or "
	    "barn/name.s == \"guest\" do set a/cmp.x = 1 }\n"
	    "event unknown { when every 1 h if not nowhere/x.y < 5 and not "
	    "nowhere/x.y >= 5 do set a/unknown.x = 1 }\n";
	struct sched	*s;
	int64_t		 t0 = utc(2026, 11, 27, 12, 30);	/* Friday */
	int		 late = 0, dark = 0, wkend = 0, h;

	tz("Europe/Berlin");
	setval("barn", "door", "open", 0);
	if ((s = start(text, t0, 0)) == NULL)
		return;
	for (h = 1; h <= 48; h++) {
		ncmd = 0;
		advance(s, t0 + h * HOUR);
		late += has_cmd("a/late.x=1");
		dark += has_cmd("a/dark.x=1");
		wkend += has_cmd("a/wkend.x=1");
	}
	/* On the hour from 13:00 Friday: 22:00..05:00 twice = 16. */
	CHECK(late == 16, "from 22:00 to 06:00 over midnight: %d of 48 "
	    "hours", late);
	/* Berlin in late November: about 15.5 h of night a day. */
	CHECK(dark >= 29 && dark <= 33, "sun is down: %d of 48 hours", dark);
	/* Runs at 13:00Z Friday .. 12:00Z Sunday; the weekend starts at
	 * 23:00Z Friday (Saturday 00:00 local): 1 + 24 + 13 runs. */
	CHECK(wkend == 38, "on weekends and not in jul: %d of 48 hours",
	    wkend);
	CHECK(!has_cmd("a/cmp.x=1"), "a comparison with a false boolean "
	    "fails");
	setval("barn", "door", "open", 1);
	ncmd = 0;
	advance(s, t0 + 49 * HOUR);
	CHECK(has_cmd("a/cmp.x=1"), "... and holds when it is on");
	setval("barn", "door", "open", 0);
	setstr("barn", "name", "s", "guest");
	ncmd = 0;
	advance(s, t0 + 50 * HOUR);
	CHECK(has_cmd("a/cmp.x=1"), "a string comparison holds");
	setstr("barn", "name", "s", "owner");
	ncmd = 0;
	advance(s, t0 + 51 * HOUR);
	CHECK(!has_cmd("a/cmp.x=1"), "... and fails for another string");
	CHECK(has_cmd("a/unknown.x=1"), "an unknown value makes a "
	    "comparison false, so 'not' of it true");
	sched_free(s);
}

/* An action re-enters the engine (a failed send drops the link: the
 * offline event fires from inside the action). Every queued firing
 * still runs exactly once. */
static void
test_reentry(void)
{
	static const char text[] =
	    "event a { when at 07:00 do set flaky/x.y = 1 set ok/a.x = 1 }\n"
	    "event b { when at 07:00 do set ok/b.x = 1 }\n"
	    "event c { when at 07:00 do set ok/c.x = 1 }\n"
	    "event gone { when offline flaky do set ok/gone.x = 1 }\n";
	struct sched	*s;
	int		 i, n = 0;

	tz("Europe/Berlin");
	if ((s = start(text, utc(2026, 11, 23, 5, 0), 0)) == NULL)
		return;
	reenter = s;
	reenter_now = utc(2026, 11, 23, 6, 0);
	ncmd = 0;
	advance(s, reenter_now);
	reenter = NULL;
	for (i = 0; i < ncmd; i++)
		n += strncmp(cmds[i], "ok/", 3) == 0;
	CHECK(n == 4 && has_cmd("ok/a.x=1") && has_cmd("ok/b.x=1") &&
	    has_cmd("ok/c.x=1") && has_cmd("ok/gone.x=1"), "re-entry from "
	    "an action: every firing runs once (%d commands)", n);
	CHECK(strncmp(sched_prog_find(sched_program(s), "a")->last_result,
	    "failed: could not send", 22) == 0, "re-entry: the failed "
	    "action is the event's result");
	sched_free(s);
}

/* A full batch of firings, then a delayed action due just after them
 * that they cancel: the batch runs first, the cancel wins, and nothing
 * is freed twice. */
static void
test_batch(void)
{
	char		*text, *p;
	struct sched	*s;
	int64_t		 t0 = utc(2026, 11, 23, 5, 0);
	int		 i;

	tz("Europe/Berlin");
	text = p = malloc((SCHED_MAX_BATCH + 1) * 80);
	p += sprintf(p, "event w { when at 07:00 do wait 60500 ms "
	    "set a/w.x = 1 }\n");
	for (i = 0; i < SCHED_MAX_BATCH; i++)
		p += sprintf(p, "event c%d { when at 07:01 do cancel w "
		    "set a/c.x = %d }\n", i, i);
	s = start(text, t0, 0);
	free(text);
	if (s == NULL)
		return;
	advance(s, utc(2026, 11, 23, 6, 0));
	CHECK(sched_npending(s) == 1, "batch: w waits until 07:01:00.5");
	ncmd = 0;
	sched_run(s, utc(2026, 11, 23, 6, 1) + 1000);
	CHECK(sched_npending(s) == 0 && !has_cmd("a/w.x=1") && ncmd == 64,
	    "batch: %d firings due first cancel w's delayed action due just "
	    "after them", SCHED_MAX_BATCH);
	sched_free(s);
}

/* 10,000 events on random periods: the heap gives them in order. */
static void
test_many(void)
{
	char		*text, *p;
	struct sched	*s;
	int64_t		 t, prev = 0, t0 = utc(2026, 11, 23, 0, 0);
	int		 i, n = 0, ordered = 1;
	long		 want = 0, p0;
	clock_t		 c;
	int		 saved, devnull;

	text = p = malloc(10000 * 80);
	for (i = 0; i < 10000; i++) {
		p0 = 60 + (i * 7919) % 3600;
		p += sprintf(p, "event e%d { when every %ld s do notify \"%d\" "
		    "}\n", i, p0, i);
		want += (t0 / 1000 + 3600) / p0 - t0 / 1000 / p0;
	}
	/* 40,000 firings would log 40,000 lines: not into the test's log. */
	fflush(stderr);
	saved = dup(2);
	if ((devnull = open("/dev/null", O_WRONLY | O_CLOEXEC)) != -1) {
		dup2(devnull, 2);
		close(devnull);
	}
	c = clock();
	s = start(text, t0, 0);
	if (!CHECK(s != NULL, "10,000 events load")) {
		dup2(saved, 2);
		free(text);
		return;
	}
	nnotify = 0;
	while ((t = sched_next(s)) <= t0 + HOUR) {
		if (t < prev)
			ordered = 0;
		prev = t;
		sched_run(s, t);
		n++;
	}
	CHECK(ordered && nnotify / 2 == want, "10,000 events: %d firings "
	    "(%ld expected) at %d instants of a simulated hour, in time "
	    "order (%.2f s CPU)", nnotify / 2, want, n,
	    (double)(clock() - c) / CLOCKS_PER_SEC);
	sched_free(s);
	/* Their state file is larger than the small state files' limits. */
	unlink(statepath);
	s = start(text, t0, 1);
	sched_enable(s, "e9999", 0, t0);
	sched_fire(s, "e5000", t0 + 1000);
	sched_save(s, t0 + 1000);
	sched_free(s);
	s = start(text, t0 + MIN, 1);
	free(text);
	CHECK(s != NULL && !sched_prog_find(sched_program(s), "e9999")->enabled
	    && sched_prog_find(sched_program(s), "e5000")->last_fired > t0,
	    "10,000 events: their state survives a restart");
	sched_free(s);
	dup2(saved, 2);
	close(saved);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	log_init("test", 0);
	snprintf(evpath, sizeof(evpath), "%s/test.events", dir);
	snprintf(statepath, sizeof(statepath), "%s/sched.state", dir);
	test_porch();
	test_no_location();
	test_motion();
	test_changes_persisted();
	test_vars();
	test_count_by();
	test_threshold();
	test_threshold_restart();
	test_dst();
	test_persistence();
	test_state_newer();
	test_missed();
	test_local_hooks();
	test_reload();
	test_actions();
	test_conditions();
	test_batch();
	test_reentry();
	test_many();
	snprintf(lastgood, sizeof(lastgood), "%s/%s", dir, SCHED_LAST_GOOD);
	CHECK(access(lastgood, F_OK) == 0, "a good load keeps the last good "
	    "schedule beside the state file");
	unlink(lastgood);
	unlink(evpath);
	unlink(statepath);
	rmdir(dir);
	return check_done();
}
