/*
 * The failover simulator as a test (docs/FAILOVER.md, "How it is
 * proved"). Without arguments: SHORT_RUNS seeded schedules, each
 * checked after every step, and a replay that must give the same trace
 * hash. Built with -DHA_BUG=N (test_ha_sim_bugN), the machines carry a
 * deliberate bug and the same short run must catch it.
 *
 *	test_ha_sim			the short run (make test)
 *	test_ha_sim -s SEED [-v]	replay one schedule (-v: its trace)
 *	test_ha_sim -n COUNT [-s FIRST]	a long run (make fuzz)
 *	test_ha_sim -t COUNT		takeover times on a calm network
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../unit/check.h"
#include "hasim.h"
#include "hdlimits.h"

#ifndef HA_BUG
#define HA_BUG		0
#endif
#define SHORT_RUNS	2000
#define TAKEOVERS	50
#define TAKEOVER_AIM_MS	3000		/* the aim, both figures */
#define FIRST_SEED	1

static const char *bug_name[] = {
	"none",
	"a slave answers its vote before persisting it",
	"a standby promotes on a single vote",
	"a master goes on without a lost standby before a majority of "
	    "slaves holds the fence that excludes it",
	"a vote leaves the slave's fence as it was",
	"a slave lifts a vote fence without the candidate's word that it "
	    "led no term since",
	"a master's lease runs from when the answers arrive, not from "
	    "when it sent the heartbeats they answer",
};

struct totals {
	uint64_t	runs, steps, elections, accepted, executed, firings;
	uint64_t	crashes, partitions, standby_lost, max_term, cancelled;
	uint64_t	pauses;
};

static void
add(struct totals *t, const struct sim_result *r)
{
	t->runs++;
	t->steps += r->steps;
	t->elections += r->elections;
	t->accepted += r->accepted;
	t->executed += r->executed;
	t->firings += r->firings;
	t->crashes += r->crashes;
	t->partitions += r->partitions;
	t->pauses += r->pauses;
	t->standby_lost += r->standby_lost;
	t->cancelled += r->cancelled;
	if (r->max_term > t->max_term)
		t->max_term = r->max_term;
}

static void
summary(const struct totals *t, double secs)
{
	printf("# %" PRIu64 " schedules, %" PRIu64 " steps in %.1f s: %"
	    PRIu64 " elections (highest term %" PRIu64 "), %" PRIu64
	    " crashes, %" PRIu64 " partitions, %" PRIu64 " commands accepted, %"
	    PRIu64 " executed, %" PRIu64 " cancelled, %" PRIu64 " firings, %"
	    PRIu64 " standbys lost, %" PRIu64 " pauses\n", t->runs, t->steps,
	    secs, t->elections, t->max_term, t->crashes, t->partitions,
	    t->accepted, t->executed, t->cancelled, t->firings,
	    t->standby_lost, t->pauses);
}

static double
elapsed(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Seeds first.. first+n-1; the first failing seed, or 0. */
static uint64_t
run(const char *argv0, uint64_t first, uint64_t n, struct sim_result *r)
{
	struct totals	t;
	struct timespec	t0;
	uint64_t	seed;

	memset(&t, 0, sizeof(t));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (seed = first; seed < first + n; seed++) {
		sim_run(seed, 0, r);
		add(&t, r);
		if (r->failed) {
			printf("# seed %" PRIu64 ": %s\n# replay: %s -s %"
			    PRIu64 " -v\n", seed, r->why, argv0, seed);
			summary(&t, elapsed(&t0));
			return seed;
		}
	}
	summary(&t, elapsed(&t0));
	return 0;
}

/* The same seed twice: the same verdict and trace hash. */
static int
replays(uint64_t seed, const struct sim_result *first)
{
	struct sim_result again;

	sim_run(seed, 0, &again);
	return again.hash == first->hash && again.failed == first->failed &&
	    strcmp(again.why, first->why) == 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * COUNT takeovers (seeds 1..COUNT): median and worst of the time to a
 * new master and to the first command of its term executed; both must
 * stay under the aim. The times are simulated, so the same on any
 * machine: they count the protocol's timeouts and round trips, not
 * CPU or TLS.
 */
static void
takeovers(uint64_t count)
{
	static uint64_t		 elect[1000], cmd[1000];
	struct sim_result	 r;
	uint64_t		 i, n = count > 1000 ? 1000 : count;
	int			 failed = 0;

	for (i = 0; i < n; i++) {
		sim_takeover(i + 1, &r);
		if (r.failed) {
			printf("# takeover seed %" PRIu64 ": %s\n", i + 1,
			    r.why);
			failed = 1;
		}
		elect[i] = r.takeover_ms;
		cmd[i] = r.first_cmd_ms;
	}
	qsort(elect, n, sizeof(elect[0]), cmp_u64);
	qsort(cmd, n, sizeof(cmd[0]), cmp_u64);
	printf("# %" PRIu64 " takeovers after the master's death (simulated "
	    "ms): new master median %" PRIu64 ", p99 %" PRIu64 ", worst %"
	    PRIu64 "; first command of its term executed median %" PRIu64
	    ", p99 %" PRIu64 ", worst %" PRIu64 "\n", n, elect[n / 2],
	    elect[n * 99 / 100], elect[n - 1], cmd[n / 2], cmd[n * 99 / 100],
	    cmd[n - 1]);
	CHECK(!failed && elect[n - 1] < TAKEOVER_AIM_MS &&
	    cmd[n - 1] < TAKEOVER_AIM_MS, "%" PRIu64 " takeovers on a calm "
	    "network: a slave executes the new master's first command within "
	    "%d ms (worst %" PRIu64 " ms)", n, TAKEOVER_AIM_MS, cmd[n - 1]);
}

/*
 * A stalled master (a slow fsync, a heavy page on a Pi): up to
 * PAUSE_SAFE_MS (docs/FAILOVER.md, "Lease") it keeps its mastership
 * and nobody is elected; a pause past the slaves' HA_LOST_MS and an
 * election brings exactly one new master, and the old one, back, is
 * master no more (the simulator's lease invariant: it never held its
 * lease while the new one was master).
 */
#define PAUSE_SAFE_MS	(HA_LEASE_MS - 2 * HA_TICK_MS)
#define PAUSE_LONG_MS	2500
#define PAUSES		500

static void
pauses(uint64_t n)
{
	struct sim_result	r;
	uint64_t		i, ms, kept = 0, quiet = 0, longest = 0;
	uint64_t		one_new = 0, old_gone = 0;
	int			failed = 0;

	for (i = 0; i < n && !failed; i++) {
		/* 50..PAUSE_SAFE_MS, the last seeds at the bound itself */
		ms = i + 20 >= n ? PAUSE_SAFE_MS :
		    50 + (i * 7919) % (PAUSE_SAFE_MS - 50 + 1);
		sim_pause(i + 1, ms, &r);
		if (r.failed) {
			printf("# pause seed %" PRIu64 " (%" PRIu64 " ms): "
			    "%s\n", i + 1, ms, r.why);
			failed = 1;
		}
		kept += r.pause_kept;
		quiet += r.pause_elections == 0;
		if (ms > longest)
			longest = ms;
	}
	CHECK(!failed && kept == n && quiet == n, "%" PRIu64 " master pauses "
	    "of 50..%" PRIu64 " ms: the master kept its term every time (%"
	    PRIu64 "), no election (%" PRIu64 ")", n, longest, kept, quiet);
	for (i = 0; i < n && !failed; i++) {
		sim_pause(i + 1, PAUSE_LONG_MS, &r);
		if (r.failed) {
			printf("# long pause seed %" PRIu64 ": %s\n", i + 1,
			    r.why);
			failed = 1;
		}
		one_new += r.pause_elections == 1;
		old_gone += !r.pause_kept;
	}
	CHECK(!failed && one_new == n && old_gone == n, "%" PRIu64 " master "
	    "pauses of %d ms: exactly one new master (%" PRIu64 "), the old "
	    "one master no more (%" PRIu64 "), never two with a lease", n,
	    PAUSE_LONG_MS, one_new, old_gone);
}

static int
one(uint64_t seed, int verbose)
{
	struct sim_result r;

	sim_run(seed, verbose, &r);
	printf("seed %" PRIu64 ": %u masters, %u slaves, %" PRIu64
	    " steps, trace %016" PRIx64 ": %s\n", seed, r.nmasters, r.nslaves,
	    r.steps, r.hash, r.failed ? r.why : "every invariant held");
	return r.failed;
}

static int
short_run(const char *argv0)
{
	struct sim_result	r;
	uint64_t		bad;

	bad = run(argv0, FIRST_SEED, SHORT_RUNS, &r);
	if (HA_BUG == 0) {
		CHECK(bad == 0, "%d seeded schedules with crashes, partitions, "
		    "loss, duplication, reordering: every invariant held after "
		    "every step", SHORT_RUNS);
		sim_run(FIRST_SEED + 7, 0, &r);
		CHECK(replays(FIRST_SEED + 7, &r), "seed %d replays exactly "
		    "(trace %016" PRIx64 ")", FIRST_SEED + 7, r.hash);
		takeovers(TAKEOVERS);
		pauses(PAUSES);
		return check_done();
	}
	if (!CHECK(bad != 0, "broken variant (%s) caught within %d schedules",
	    bug_name[HA_BUG], SHORT_RUNS))
		return check_done();
	CHECK(replays(bad, &r), "the failing seed %" PRIu64 " replays to the "
	    "same failure and trace %016" PRIx64, bad, r.hash);
	return check_done();
}

int
main(int argc, char **argv)
{
	struct sim_result	r;
	uint64_t		seed = FIRST_SEED, count = 0, nt = 0;
	int			c, verbose = 0, given = 0;

	while ((c = getopt(argc, argv, "n:s:t:v")) != -1)
		switch (c) {
		case 'n':
			count = strtoull(optarg, NULL, 10);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 10);
			given = 1;
			break;
		case 't':
			nt = strtoull(optarg, NULL, 10);
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			fprintf(stderr, "usage: %s [-n count] [-s seed] "
			    "[-t takeovers] [-v]\n",
			    argv[0]);
			return 2;
		}
	if (nt > 0) {
		takeovers(nt);
		return check_done();
	}
	if (count > 0) {
		CHECK(run(argv[0], seed, count, &r) == 0, "%" PRIu64
		    " schedules from seed %" PRIu64 ": every invariant held",
		    count, seed);
		return check_done();
	}
	if (given)
		return one(seed, verbose);
	return short_run(argv[0]);
}
