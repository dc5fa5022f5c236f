/*
 * Unit tests for master/sched/sched_localcatch.c (docs/FAILOVER.md#local-
 * rules-at-a-takeover): an instant of a slave's local rules that a new
 * master runs just after a takeover, before that slave has registered, is
 * held for it with its firing id and sent once it is back; a slave not
 * back within SCHED_LOCAL_HOLD_MS, or an instant whose catch-up window
 * passes meanwhile (catch-up none: at once), is missed, counted once per
 * firing in the event's missed record and not a run. The cluster link is
 * tests/unit/stub_master.c (it records the firing id of every command);
 * the monotonic side of the hold's bound is simulated by calling its check
 * with a later clock.
 */

#include <sys/stat.h>

#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "ev.h"
#include "stub_master.h"
#include "sched/sched.h"
#include "../../master/sched/sched_master.h"
#include "../../master/sched/sched_int.h"

static struct master	m;
static char		tmpdir[256];
static int		peer_dummy;
static char		evpath[512];

static void
write_events(const char *text)
{
	FILE *f;

	unlink(m.conf.events);
	if ((f = fopen(m.conf.events, "w")) != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static struct sched_event *
event(const char *name)
{
	return sched_prog_find(sched_program(sched_master_engine(&m)), name);
}

/* Commands sent with firing id `fid`. */
static int
sent(uint64_t fid)
{
	int i, n = 0;

	for (i = 0; i < stub.nfids; i++)
		n += stub.fids[i] == fid;
	return n;
}

/* Is firing `fid` among `ev`'s recent runs: 0 no, 1 here, 2 local. */
static int
ran(const struct sched_event *ev, uint64_t fid)
{
	int i;

	for (i = 0; i < ev->nran && i < SCHED_RECENT_RUNS; i++)
		if (ev->ran[i].fid == fid)
			return ev->ran[i].local ? 2 : 1;
	return 0;
}

/* The held firings of `node`'s local rules: how many entries, their
 * distinct instants into due[] (at most `max`), *bad set if an entry's
 * firing id is not its instant's. */
static int
held(const char *node, int64_t *due, int max, int *ndue, int *bad)
{
	struct sched_hold_cmd	*c;
	int			 n = 0, i;

	*ndue = *bad = 0;
	TAILQ_FOREACH(c, &m.sched->hold.q, entry) {
		if (c->local_due == 0 || c->state != HOLD_RESEND ||
		    strcmp(c->node, node) != 0)
			continue;
		n++;
		if (c->firing_id != sched_firing_id(c->event, c->local_due))
			*bad = 1;
		for (i = 0; i < *ndue && due[i] != c->local_due; i++)
			;
		if (i == *ndue && *ndue < max)
			due[(*ndue)++] = c->local_due;
	}
	return n;
}

/* The held entries in sched.state as written: how many carry their
 * instant (SchedOut.local_due_ms). */
static int
held_in_file(void)
{
	Hd__SchedState	*st;
	static uint8_t	 buf[1 << 20];
	char		 path[600];
	FILE		*f;
	size_t		 n, i;
	int		 r = 0;

	snprintf(path, sizeof(path), "%s/sched.state", tmpdir);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if ((st = hd__sched_state__unpack(NULL, n, buf)) == NULL)
		return -1;
	for (i = 0; i < st->n_outbox; i++)
		r += st->outbox[i]->local_due_ms != 0;
	hd__sched_state__free_unpacked(st, NULL);
	return r;
}

/*
 * The master runs `text`, then dies (nothing more is sent); slave-b
 * goes with it; the clock moves past at least two of the every-1-s
 * instants; this node takes over: the instants in the gap are caught
 * up, with slave-b not registered yet.
 */
static int
takeover_with(const char *text)
{
	struct node	*b = node_get(&m, "slave-b", 0);
	uint64_t	 t0;
	int		 i;

	write_events(text);
	m.restart = 1;
	sched_master_stop(&m);
	m.restart = 0;
	b->peer = (struct peer *)&peer_dummy;
	if (sched_master_start(&m, 0) == -1)
		return -1;
	sched_master_run(&m);		/* the old master, handling now */
	m.restart = 1;
	sched_master_stop(&m);		/* ... dies */
	m.restart = 0;
	b->peer = NULL;
	t0 = ev_wall_ms();
	for (i = 0; i < 400 && ev_wall_ms() < t0 + 2100; i++)
		usleep(10000);		/* the gap: bounded, on the clock */
	if (sched_master_start(&m, 0) == -1)
		return -1;
	sched_master_takeover(&m);
	sched_master_sync_poll(&m);
	return 0;
}

/*
 * 1. Held with its firing id and its instant (in sched.state too); sent
 * once when slave-b registers, not missed; the slave's answer that its
 * local rules ran it, and its report, make it one run, marked local.
 */
static void
test_back(void)
{
	struct node		*b = node_get(&m, "slave-b", 0);
	Hd__LocalFiring		 f = HD__LOCAL_FIRING__INIT;
	Hd__CommandResult	 r = HD__COMMAND_RESULT__INIT;
	struct sched_event	*ev;
	int64_t			 due[8];
	int			 n0, n, nd, bad, i, once = 1, runs = 1;

	if (!CHECK(takeover_with("event lamp { when every 1 s do set "
	    "slave-b/sim:lamp.on = on }\n") == 0, "a takeover"))
		return;
	ev = event("lamp");
	n0 = stub.ncmds;
	n = held("slave-b", due, 8, &nd, &bad);
	CHECK(ev != NULL && nd >= 2 && n == nd && !bad && stub.ncmds == n0,
	    "the instants caught up at the takeover, slave-b not back: held "
	    "for it (%d), each with its firing id, nothing sent", nd);
	CHECK(held_in_file() == n, "held in sched.state with their instants "
	    "(a master that takes over from this one holds them too)");
	CHECK(ev != NULL && ev->left_due == 0 && ev->missed.count == 0,
	    "not left to its local rules, not missed");
	b->peer = (struct peer *)&peer_dummy;
	sched_master_node(&m, b, 1);
	sched_master_sync_poll(&m);
	for (i = 0; i < nd; i++) {
		once &= sent(sched_firing_id("lamp", due[i])) == 1;
		runs &= ran(ev, sched_firing_id("lamp", due[i])) == 1;
	}
	CHECK(once && runs && held("slave-b", due, 8, &nd, &bad) == 0,
	    "slave-b back: each held instant sent once, under its firing id, "
	    "a run of the master's");
	CHECK(ev->missed.count == 0, "none missed (%" PRId64 ")",
	    ev->missed.count);
	/* Its local rules had run the first (cut off long before): it
	 * answers so and reports it; one run, marked local. */
	r.id = stub.last_id;
	r.status = HD__COMMAND_RESULT__STATUS__OK;
	r.detail = "done by the local rules";
	sched_master_result(&m, b, &r);
	f.event = "lamp";
	f.due_ms = (uint64_t)due[0];
	f.fired_ms = (uint64_t)due[0] + 5;
	f.firing_id = sched_firing_id("lamp", due[0]);
	f.result = "fired";
	CHECK(sched_master_local_firing(&m, b, &f) == 0 &&
	    ran(ev, f.firing_id) == 2 && ev->missed.count == 0 &&
	    strstr(ev->last_result, "fail") == NULL, "the slave's report of "
	    "one its local rules ran: the same run, marked local, not a "
	    "second one, not a failure (%s)", ev->last_result);
}

/*
 * 2. slave-b never back: at SCHED_LOCAL_HOLD_MS each held instant is
 * missed, once per firing (two commands each), out of the runs, in the
 * missed record; not before.
 */
static void
test_never_back(void)
{
	struct sched_hold_cmd	*c, *nc;
	struct sched_event	*ev;
	int64_t			 due[8];
	int			 n, nd, bad, i, early = 0, out = 1;
	uint64_t		 later;

	if (!CHECK(takeover_with("event pair { when every 1 s do set "
	    "slave-b/sim:lamp.on = on\n\tset slave-b/sim:fan.on = on }\n") ==
	    0, "a takeover"))
		return;
	ev = event("pair");
	n = held("slave-b", due, 8, &nd, &bad);
	if (!CHECK(ev != NULL && nd >= 2 && n == 2 * nd && !bad, "two commands "
	    "held for each of %d instants", nd))
		return;
	TAILQ_FOREACH(c, &m.sched->hold.q, entry)
		early |= sm_local_late(m.sched, c, ev_clock_ms());
	CHECK(!early && ev->missed.count == 0, "within the bound: still held");
	later = ev_clock_ms() + SCHED_LOCAL_HOLD_MS;
	for (c = TAILQ_FIRST(&m.sched->hold.q); c != NULL; c = nc) {
		nc = TAILQ_NEXT(c, entry);
		if (c->local_due != 0)
			sm_local_late(m.sched, c, later);
	}
	for (i = 0; i < nd; i++)
		out &= ran(ev, sched_firing_id("pair", due[i])) == 0 &&
		    sent(sched_firing_id("pair", due[i])) == 0;
	CHECK(held("slave-b", due, 8, &nd, &bad) == 0 && out &&
	    ev->missed.count == n / 2 && strstr(ev->missed.why, "not back "
	    "within") != NULL && strncmp(ev->last_result, "missed: ", 8) == 0,
	    "after SCHED_LOCAL_HOLD_MS: missed, counted once per firing (%"
	    PRId64 " of %d), not runs, nothing sent (%s)", ev->missed.count,
	    n / 2, ev->missed.why);
}

/*
 * 3. The catch-up window: 'catch-up 3 s' passes while slave-b is away,
 * the instant is missed when it does (the outbox's timer wakes for it),
 * not before; 'catch-up none': missed at once, never sent late.
 */
static void
test_window(void)
{
	struct node		*b = node_get(&m, "slave-b", 0);
	struct sched_event	*ev;
	int64_t			 due[8], m0, last = 0, at;
	int			 n, nd, bad, i;

	if (!CHECK(takeover_with("event win { when every 1 s catch-up 3 s "
	    "do set slave-b/sim:lamp.on = on }\n") == 0, "a takeover"))
		return;
	ev = event("win");
	n = held("slave-b", due, 8, &nd, &bad);
	if (!CHECK(ev != NULL && nd >= 1 && n == nd, "held (%d)", nd))
		return;
	m0 = ev->missed.count;
	for (i = 0; i < nd; i++)
		if (due[i] > last)
			last = due[i];
	for (i = 0; i < 600 && held("slave-b", due, 8, &nd, &bad) > 0; i++) {
		usleep(10000);		/* polls the window's end: bounded */
		sched_master_sync_poll(&m);
	}
	at = (int64_t)ev_wall_ms();
	CHECK(held("slave-b", due, 8, &nd, &bad) == 0 && ev->missed.count ==
	    m0 + n && at >= last + 3000 && strstr(ev->missed.why, "beyond the "
	    "catch-up of 3 s") != NULL, "its catch-up passed while slave-b "
	    "was away: missed, reported (%" PRId64 " more, %" PRId64 " ms after "
	    "the last instant: %s)", ev->missed.count - m0, at - last,
	    ev->missed.why);
	n = stub.ncmds;
	b->peer = (struct peer *)&peer_dummy;
	sched_master_node(&m, b, 1);
	b->peer = NULL;
	sched_master_sync_poll(&m);
	CHECK(sent(sched_firing_id("win", last)) == 0, "slave-b back "
	    "after: not sent late");

	if (!CHECK(takeover_with("event none { when every 1 s catch-up none "
	    "do set slave-b/sim:lamp.on = on }\n") == 0, "a takeover"))
		return;
	ev = event("none");
	m0 = ev->missed.count;		/* the gap: the policy's already */
	at = (int64_t)ev_wall_ms();
	for (i = 0; i < 200 && ev_wall_ms() < (uint64_t)at + 1100; i++)
		usleep(10000);		/* an instant due: bounded */
	n = stub.ncmds;
	sched_run(sched_master_engine(&m), (int64_t)ev_wall_ms());
	sched_master_sync_poll(&m);
	CHECK(held("slave-b", due, 8, &nd, &bad) == 0 && stub.ncmds == n &&
	    ev->missed.count >= m0 + 1 && strstr(ev->missed.why,
	    "catch-up none") != NULL, "catch-up none: an instant due while "
	    "slave-b is away is missed at once, never held to run late (%s)",
	    ev->missed.why);
	b->peer = (struct peer *)&peer_dummy;
}

/* 4. Past the takeover's wait the old rule holds: left to its rules. */
static void
test_not_after(void)
{
	struct node		*b = node_get(&m, "slave-b", 0);
	struct sched_event	*ev;
	int64_t			 due[8];
	int			 nd, bad, n0 = stub.ncmds;

	write_events("event late { when at 05:00 do set slave-b/sim:lamp.on = "
	    "on }\n");
	m.restart = 1;
	sched_master_stop(&m);
	m.restart = 0;
	if (!CHECK(sched_master_start(&m, 0) == 0, "a master restarted"))
		return;
	sched_master_run(&m);
	b->peer = NULL;
	sched_fire(sched_master_engine(&m), "late", (int64_t)ev_wall_ms());
	ev = event("late");
	CHECK(ev != NULL && held("slave-b", due, 8, &nd, &bad) == 0 &&
	    ev->left_due != 0 && stub.ncmds == n0, "not just after a "
	    "takeover: left to slave-b's local rules, as before");
	b->peer = (struct peer *)&peer_dummy;
}

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st; (void)flag; (void)f;
	return remove(p);
}

int
main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "%.150s/hd-test-lcatch.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (!CHECK(mkdtemp(tmpdir) != NULL, "make a temporary directory"))
		return check_done();
	TAILQ_INIT(&m.nodes);
	TAILQ_INIT(&m.peers);
	m.conf.state_dir = tmpdir;
	snprintf(evpath, sizeof(evpath), "%s/house.events", tmpdir);
	m.conf.events = evpath;
	write_events("event idle { when at 05:00 do notify \"x\" }\n");
	m.loop = ev_loop_new();
	m.next_cmd = 1;
	node_get(&m, "slave-a", 1)->peer = (struct peer *)&peer_dummy;
	node_get(&m, "slave-b", 1)->peer = (struct peer *)&peer_dummy;
	if (CHECK(m.loop != NULL && sched_master_start(&m, 0) == 0,
	    "a scheduler")) {
		sched_master_run(&m);
		test_back();
		test_never_back();
		test_window();
		test_not_after();
		sched_master_stop(&m);
	}
	CHECK(nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0,
	    "remove the temporary directory");
	return check_done();
}
