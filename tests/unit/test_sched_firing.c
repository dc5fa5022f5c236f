/*
 * Scheduled firings across a takeover (docs/FAILOVER.md#scheduled-
 * firings), on a simulated clock: a firing's commands get ids derived
 * from (event, due instant, step, order), the same on whichever engine
 * runs that firing; a second engine started from the first one's state
 * file as a standby would hold it (before the firing's record, with it)
 * runs the firing again with the same ids, or not at all, and its
 * delayed actions with the same ids; a standby's engine, loaded with its
 * own events file, takes the replicated schedule and state at the
 * takeover and never overwrites the replicated events.last-good.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "log.h"
#include "sched/sched.h"
#include "sched_fake.h"

#define NODE_LAT	52.52
#define NODE_LON	13.405

static struct sched	*cur;		/* the engine whose op runs */
static struct {
	uint64_t	id;
	char		what[96];
} sent[64];
static int		nsent;
static char		dir[] = "/tmp/hd-sched-firing-XXXXXX";
static char		evpath[256], ownpath[256], statepath[256], lgpath[256];

static int
command(void *arg, const struct sched_act *a, const char *by, char *why,
    size_t len)
{
	(void)arg;
	(void)by;
	(void)why;
	(void)len;
	if (nsent < 64) {
		sent[nsent].id = sched_cmd_id(cur);
		snprintf(sent[nsent].what, sizeof(sent[0].what), "%s/%s.%s=%s",
		    a->ref.node, a->ref.dev, a->ref.key, a->val.i ? "on" :
		    "off");
		nsent++;
	}
	return 0;
}

static const struct sched_ops ops = { sched_fake_no_value, command };

static const char tick[] =
"mode house { home away }\n"
"event tick {\n"
"	when every 2 s\n"
"	do set a/lamp.on = on\n"
"	   set b/lamp.on = on\n"
"	   wait 1 s\n"
"	   set a/lamp.on = off\n"
"}\n"
"event door { when a/door.open changes to on do set b/lamp.on = on }\n"
"event back { when online a do set b/lamp.on = on }\n";

static const char vals[] =
"event door { when a/door.open changes to on do set b/lamp.on = on }\n"
"event hall {\n"
"	when a/door.open changes to on\n"
"	do set a/lamp.on = on\n"
"	   wait 1 s\n"
"	   set a/lamp.on = off\n"
"}\n"
"event hot { when a/temp.value above 25 for 10 s do set b/fan.on = on }\n";

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static int
copy_file(const char *from, const char *to)
{
	char	 buf[65536];
	FILE	*f = fopen(from, "r"), *t;
	size_t	 n;

	if (f == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if ((t = fopen(to, "w")) == NULL)
		return -1;
	fwrite(buf, 1, n, t);
	return fclose(t);
}

static void
advance(struct sched *s, int64_t until)
{
	int64_t t;

	while ((t = sched_next(s)) <= until)
		sched_run(s, t);
}

/* An engine on `path`'s events, its state in statepath; not started. */
static struct sched *
engine(const char *path, int keep_last_good)
{
	struct sched		*s;
	struct sched_errs	 e;

	s = sched_new(&ops, NULL, NODE_LAT, NODE_LON, statepath);
	sched_keep_last_good(s, keep_last_good);
	if (sched_load(s, path, 0, &e) == -1) {
		printf("# %s", e.buf);
		sched_free(s);
		return NULL;
	}
	return s;
}

static int
sent_id(const char *what, uint64_t id)
{
	int i;

	for (i = 0; i < nsent; i++)
		if (sent[i].id == id && strcmp(sent[i].what, what) == 0)
			return 1;
	return 0;
}

static void
test_ids(void)
{
	uint64_t	a = sched_cmd_id_of("tick", 1796665010000LL, 0, 0);

	CHECK(a >= SCHED_CMD_ID_BASE && a < (0xfffdULL << 48),
	    "a firing's id is in its own space, under the slave's local ids");
	/* Recomputed by tests/netns/check-firings.py's own FNV-1a. */
	CHECK(a == UINT64_C(18445859997175766635), "the derivation is the "
	    "documented one (%" PRIu64 ")", a);
	CHECK(a == sched_cmd_id_of("tick", 1796665010000LL, 0, 0) &&
	    a != sched_cmd_id_of("tick", 1796665012000LL, 0, 0) &&
	    a != sched_cmd_id_of("tick", 1796665010000LL, 0, 1) &&
	    a != sched_cmd_id_of("tick", 1796665010000LL, 3, 0) &&
	    a != sched_cmd_id_of("tock", 1796665010000LL, 0, 0),
	    "the same firing, the same id; another instant, order, step or "
	    "event, another");
}

/*
 * The master fires at T; the standby's copy of the state file is taken
 * before T's record (the master died before it reached the standby), or
 * after it (it died before or after sending). The new engine starts 1.5
 * s later from that copy.
 */
static void
test_takeover(void)
{
	int64_t		 t0 = 1796665000000LL, T = t0 + 10000, p;
	char		 before[300], with[300];
	struct sched	*m, *sb;
	uint64_t	 on_a, on_b, off_a;

	snprintf(before, sizeof(before), "%s/before", dir);
	snprintf(with, sizeof(with), "%s/with", dir);
	write_file(evpath, tick);
	unlink(statepath);
	if ((m = engine(evpath, 1)) == NULL)
		return;
	cur = m;
	sched_start(m, t0);
	advance(m, T - 1);
	copy_file(statepath, before);
	nsent = 0;
	advance(m, T + 5);
	copy_file(statepath, with);
	on_a = sched_cmd_id_of("tick", T, 0, 0);
	on_b = sched_cmd_id_of("tick", T, 0, 1);
	CHECK(nsent == 2 && sent_id("a/lamp.on=on", on_a) &&
	    sent_id("b/lamp.on=on", on_b), "the master's firing at T: its "
	    "two commands under the ids of (tick, T, 0, 0 and 1)");
	p = T + 1000;		/* its timer ran at T: the wait ends 1 s on */
	nsent = 0;
	advance(m, p);
	off_a = sched_cmd_id_of("tick", p, 3, 0);
	CHECK(nsent == 1 && sent_id("a/lamp.on=off", off_a), "its delayed "
	    "action under the id of (tick, its instant, step 3, 0)");
	sched_free(m);

	copy_file(before, statepath);
	if ((sb = engine(evpath, 0)) == NULL)
		return;
	cur = sb;
	nsent = 0;
	sched_start(sb, T + 1500);
	CHECK(nsent == 2 && sent_id("a/lamp.on=on", on_a) &&
	    sent_id("b/lamp.on=on", on_b), "the record had not reached the "
	    "standby: it runs T again (catch-up) with the same ids, which a "
	    "slave's memo answers as repeats");
	sched_free(sb);

	copy_file(with, statepath);
	if ((sb = engine(evpath, 0)) == NULL)
		return;
	cur = sb;
	nsent = 0;
	sched_start(sb, T + 1500);
	advance(sb, T + 1500);
	CHECK(nsent == 1 && sent_id("a/lamp.on=off", off_a), "the standby "
	    "held the record: T is not run again; its delayed action, due "
	    "while no master ran, runs late under the master's id");
	nsent = 0;
	advance(sb, T + 2000);
	CHECK(nsent == 2 && sent_id("a/lamp.on=on", sched_cmd_id_of("tick",
	    T + 2000, 0, 0)), "the next instant is the new master's");
	sched_free(sb);

	/* Two instants not in the standby's record (T and T + 2 s): the
	 * missed-event policy runs the last only; a takeover's replay runs
	 * both, each under its own ids (the old master may have run T). */
	copy_file(before, statepath);
	if ((sb = engine(evpath, 0)) == NULL)
		return;
	cur = sb;
	nsent = 0;
	sched_start(sb, T + 2500);
	CHECK(nsent == 2 && sent_id("a/lamp.on=on", sched_cmd_id_of("tick",
	    T + 2000, 0, 0)), "a start 2.5 s after T from the record before "
	    "it: the policy runs T + 2 s only");
	sched_free(sb);
	copy_file(before, statepath);
	if ((sb = engine(evpath, 0)) == NULL)
		return;
	cur = sb;
	nsent = 0;
	sched_set_replay(sb, SCHED_TAKEOVER_REPLAY_MS);
	sched_start(sb, T + 2500);
	advance(sb, T + 3900);	/* the waits end 1 s after the start */
	CHECK(nsent == 6 && sent_id("a/lamp.on=on", on_a) &&
	    sent_id("a/lamp.on=on", sched_cmd_id_of("tick", T + 2000, 0, 0)) &&
	    sent_id("a/lamp.on=off", off_a) && sent_id("a/lamp.on=off",
	    sched_cmd_id_of("tick", T + 3000, 3, 0)), "a takeover's replay: T "
	    "and T + 2 s, each under its ids, their delayed actions under "
	    "ids from their firings' instants, T's the master's (%d sent)",
	    nsent);
	sched_free(sb);
}

static const struct sched_val	off = { .type = SV_BOOL, .i = 0 };
static const struct sched_val	on = { .type = SV_BOOL, .i = 1 };

/* Other firings (the API, a slave online, a value without its reading's
 * instant) are not known by an instant: 0, the caller numbers them. */
static void
test_not_ident(void)
{
	struct sched		*s;
	int64_t			 t0 = 1796665000500LL;

	write_file(evpath, tick);
	unlink(statepath);
	if ((s = engine(evpath, 1)) == NULL)
		return;
	cur = s;
	sched_start(s, t0);
	sched_value(s, t0, "a", "door", "open", &off);
	nsent = 0;
	sched_value(s, t0 + 10, "a", "door", "open", &on);
	CHECK(nsent == 1 && sent[0].id == 0, "a value's firing without the "
	    "reading's instant: no derived id");
	nsent = 0;
	sched_fire(s, "tick", t0 + 20);
	CHECK(nsent == 2 && sent[0].id == 0 && sent[1].id == 0,
	    "a firing from the API: no derived id");
	nsent = 0;
	sched_node(s, t0 + 30, "a", 1);
	CHECK(nsent == 1 && sent[0].id == 0, "a slave online: no derived id");
	sched_free(s);
}

/*
 * Value-triggered firings (docs/FAILOVER.md#value-triggered-firings): a
 * report with its reading's instant R fires under the ids of (event, R,
 * step, order), its delayed action under (event, R + wait, ...), a
 * 'for' under (event, R + for, ...). The master handles R at R + 5 ms;
 * a standby that takes over from the state before R (the record never
 * reached it, the report is replayed to it 1.5 s later) makes the same
 * ids; from the state with R's record it fires nothing again.
 */
static void
test_value_ident(void)
{
	int64_t		 t0 = 1796665000000LL, R = t0 + 20000;
	char		 before[300], with[300];
	struct sched	*m, *sb;
	uint64_t	 door = sched_cmd_id_of("door", R, 0, 0);
	uint64_t	 hall = sched_cmd_id_of("hall", R, 0, 0);
	uint64_t	 hall_off = sched_cmd_id_of("hall", R + 1000, 2, 0);
	uint64_t	 hot = sched_cmd_id_of("hot", R + 10000, 0, 0);

	snprintf(before, sizeof(before), "%s/vbefore", dir);
	snprintf(with, sizeof(with), "%s/vwith", dir);
	write_file(evpath, vals);
	unlink(statepath);
	if ((m = engine(evpath, 1)) == NULL)
		return;
	cur = m;
	sched_start(m, t0);
	sched_value_at(m, t0 + 10, t0 + 9, "a", "door", "open", &off);
	sched_value_at(m, t0 + 10, t0 + 9, "a", "temp", "value",
	    &(struct sched_val){ .type = SV_DOUBLE, .d = 20 });
	sched_save(m, t0 + 10);
	copy_file(statepath, before);
	nsent = 0;
	sched_value_at(m, R + 5, R, "a", "door", "open", &on);
	sched_value_at(m, R + 5, R, "a", "temp", "value",
	    &(struct sched_val){ .type = SV_DOUBLE, .d = 26 });
	copy_file(statepath, with);
	CHECK(nsent == 2 && sent_id("b/lamp.on=on", door) &&
	    sent_id("a/lamp.on=on", hall), "a report read at R: its firings "
	    "under the ids of (event, R, 0, order)");
	nsent = 0;
	advance(m, R + 10000);
	CHECK(nsent == 2 && sent_id("a/lamp.on=off", hall_off) &&
	    sent_id("b/fan.on=on", hot), "its delayed action under (event, R "
	    "+ 1 s, 2, 0); the 'for' ends at R + 10 s, under its ids");
	sched_free(m);

	copy_file(before, statepath);
	if ((sb = engine(evpath, 0)) == NULL)
		return;
	cur = sb;
	sched_start(sb, R + 1500);
	nsent = 0;
	sched_value_at(sb, R + 1500, R, "a", "door", "open", &on);
	sched_value_at(sb, R + 1500, R, "a", "temp", "value",
	    &(struct sched_val){ .type = SV_DOUBLE, .d = 26 });
	CHECK(nsent == 2 && sent_id("b/lamp.on=on", door) &&
	    sent_id("a/lamp.on=on", hall), "the record had not reached the "
	    "standby: the report replayed to it fires the same ids");
	nsent = 0;
	advance(sb, R + 10000);
	CHECK(nsent == 2 && sent_id("a/lamp.on=off", hall_off) &&
	    sent_id("b/fan.on=on", hot), "... its delayed action (timed from "
	    "the late firing) and the 'for' too");
	sched_free(sb);

	copy_file(with, statepath);
	if ((sb = engine(evpath, 0)) == NULL)
		return;
	cur = sb;
	sched_start(sb, R + 1500);
	nsent = 0;
	sched_value_at(sb, R + 1500, R, "a", "door", "open", &on);
	sched_value_at(sb, R + 1600, R + 1590, "a", "temp", "value",
	    &(struct sched_val){ .type = SV_DOUBLE, .d = 26.5 });
	CHECK(nsent == 0, "the standby held the record: the replayed report "
	    "and a later reading fire nothing again");
	nsent = 0;
	advance(sb, R + 10000);
	CHECK(nsent == 2 && sent_id("a/lamp.on=off", hall_off) &&
	    sent_id("b/fan.on=on", hot), "... the delayed action and the "
	    "'for' it holds run under the master's ids");
	sched_free(sb);
	unlink(before);
	unlink(with);
}

/*
 * A standby loads its own events file at start: the replicated
 * events.last-good must stay as the master sent it. At the takeover it
 * loads events.last-good, then the state file: the master's events, its
 * modes, its instants handled.
 */
static void
test_reload(void)
{
	static const char own[] =
	    "mode house { home away }\n"
	    "event old { when at 03:00 do set a/lamp.on = on }\n";
	char		 master_lg[4096];
	FILE		*f;
	size_t		 n;
	struct sched	*m, *sb;
	int64_t		 t0 = 1796665000000LL;

	write_file(evpath, tick);
	unlink(statepath);
	unlink(lgpath);
	if ((m = engine(evpath, 1)) == NULL)
		return;
	cur = m;
	sched_start(m, t0);
	sched_set_mode(m, "house", "away", t0 + 100);
	advance(m, t0 + 4100);
	sched_free(m);
	f = fopen(lgpath, "r");
	n = f != NULL ? fread(master_lg, 1, sizeof(master_lg) - 1, f) : 0;
	if (f != NULL)
		fclose(f);
	master_lg[n] = '\0';
	CHECK(strstr(master_lg, "event tick") != NULL, "the master keeps "
	    "its schedule as events.last-good");

	write_file(ownpath, own);
	if ((sb = engine(ownpath, 0)) == NULL)
		return;
	cur = sb;
	f = fopen(lgpath, "r");
	n = f != NULL ? fread(master_lg, 1, sizeof(master_lg) - 1, f) : 0;
	if (f != NULL)
		fclose(f);
	master_lg[n] = '\0';
	CHECK(strstr(master_lg, "event tick") != NULL &&
	    strstr(master_lg, "event old") == NULL, "a standby's own events "
	    "file leaves the replicated events.last-good as it is");
	sched_save(sb, t0 + 4200);	/* as an exit before sched_start */
	CHECK(sched_load(sb, lgpath, t0 + 5000, &(struct sched_errs){ 0 }) ==
	    0, "at the takeover: the replicated schedule loads");
	sched_set_replicated(sb);
	nsent = 0;
	sched_start(sb, t0 + 5000);
	advance(sb, t0 + 5000);
	CHECK(sched_prog_find(sched_program(sb), "tick") != NULL &&
	    sched_prog_find(sched_program(sb), "old") == NULL &&
	    strcmp(sched_source(sb), "replicated") == 0, "the new master runs "
	    "the master's events, said replicated");
	CHECK(strcmp(sched_program(sb)->modes[0].vals[sched_program(sb)->
	    modes[0].cur], "away") == 0, "... with the master's mode");
	CHECK(nsent == 1 && strcmp(sent[0].what, "a/lamp.on=off") == 0,
	    "... and its state: no instant run again, the delayed action "
	    "(due at t0 + 5 s) runs");
	sched_free(sb);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	log_init("test", 0);
	setenv("TZ", "Europe/Berlin", 1);
	snprintf(evpath, sizeof(evpath), "%s/master.events", dir);
	snprintf(ownpath, sizeof(ownpath), "%s/own.events", dir);
	snprintf(statepath, sizeof(statepath), "%s/sched.state", dir);
	snprintf(lgpath, sizeof(lgpath), "%s/%s", dir, SCHED_LAST_GOOD);
	test_ids();
	test_takeover();
	test_not_ident();
	test_value_ident();
	test_reload();
	unlink(evpath);
	unlink(ownpath);
	unlink(statepath);
	unlink(lgpath);
	snprintf(ownpath, sizeof(ownpath), "%s/before", dir);
	unlink(ownpath);
	snprintf(ownpath, sizeof(ownpath), "%s/with", dir);
	unlink(ownpath);
	rmdir(dir);
	return check_done();
}
