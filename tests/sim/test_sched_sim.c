/*
 * The scheduler's simulator as a test (tests/sim/schedsim.h,
 * docs/FAILOVER.md, "How it is proved"). Without arguments: SHORT_RUNS
 * seeded schedules, each checked after every step, and a replay that
 * must give the same verdict and trace hash.
 *
 *	test_sched_sim			the short run (make test)
 *	test_sched_sim -s SEED [-v]	replay one schedule (-v: its trace)
 *	test_sched_sim -n COUNT [-s FIRST]	a long run (make fuzz)
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../unit/check.h"
#include "log.h"
#include "schedsim.h"

#define SHORT_RUNS	400
#define FIRST_SEED	1

struct totals {
	uint64_t	api_runs, api_repeats, api_lost;	/* API runs */
	uint64_t	runs, steps, crashes, takeovers, executed, repeats;
	uint64_t	missed, openings, held, phase[PH_N];
	uint64_t	records;
	uint64_t	unrepl;		/* an old master's firings reported */
};

static void
add(struct totals *t, const struct ssim_result *r)
{
	int i;

	t->runs++;
	t->steps += r->steps;
	t->api_runs += r->api_runs;
	t->api_repeats += r->api_repeats;
	t->api_lost += r->api_lost;
	t->crashes += r->crashes;
	t->takeovers += r->takeovers;
	t->executed += r->executed;
	t->repeats += r->repeats;
	t->missed += r->missed;
	t->records += r->records;
	t->unrepl += r->unrepl;
	t->openings += r->openings;
	t->held += r->held;
	for (i = 0; i < PH_N; i++)
		t->phase[i] += r->phase[i];
}

static double
elapsed(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Seeds first.. first+n-1: the first failing seed, or 0. */
static uint64_t
run(const char *argv0, uint64_t first, uint64_t n, struct totals *t)
{
	struct ssim_result	r;
	struct timespec		t0;
	uint64_t		seed, bad = 0;

	memset(t, 0, sizeof(*t));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (seed = first; seed < first + n && bad == 0; seed++) {
		ssim_run(seed, 0, &r);
		add(t, &r);
		if (r.failed) {
			printf("# seed %" PRIu64 ": %s\n# replay: %s -s %"
			    PRIu64 " -v\n", seed, r.why, argv0, seed);
			bad = seed;
		}
	}
	printf("# %" PRIu64 " schedules, %" PRIu64 " steps in %.1f s: %"
	    PRIu64 " crashes, %" PRIu64 " takeovers, %" PRIu64 " commands "
	    "executed, %" PRIu64 " repeats answered by a memo, %" PRIu64
	    " instants reported missed, %" PRIu64 " door openings, %" PRIu64
	    " reports held for the standby; the master crashed just after a "
	    "state write %" PRIu64 " times, the standby's copy %" PRIu64
	    ", a send %" PRIu64 ", a result %" PRIu64 "\n", t->runs, t->steps,
	    elapsed(&t0), t->crashes, t->takeovers, t->executed, t->repeats,
	    t->missed, t->openings, t->held, t->phase[PH_RECORDED],
	    t->phase[PH_REPLICATED], t->phase[PH_SENT], t->phase[PH_ACKED]);
	printf("# runs from the API: %" PRIu64 " fired, %" PRIu64 " asked "
	    "again with their key (a repeat, nothing fired), %" PRIu64
	    " answers lost with a crash\n", t->api_runs, t->api_repeats,
	    t->api_lost);
	return bad;
}

static int
replays(uint64_t seed)
{
	struct ssim_result a, b;

	ssim_run(seed, 0, &a);
	ssim_run(seed, 0, &b);
	return a.hash == b.hash && a.failed == b.failed &&
	    strcmp(a.why, b.why) == 0;
}

int
main(int argc, char **argv)
{
	struct ssim_result	r;
	struct totals		t;
	uint64_t		seed = FIRST_SEED, count = 0;
	int			c, verbose = 0, given = 0;

	while ((c = getopt(argc, argv, "n:s:v")) != -1)
		switch (c) {
		case 'n':
			count = strtoull(optarg, NULL, 10);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 10);
			given = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			fprintf(stderr, "usage: %s [-n count] [-s seed] [-v]\n",
			    argv[0]);
			return 2;
		}
	/* The engine's own lines only with -v: thousands of firings. */
	log_init("schedsim", 0);
	if (!verbose && freopen("/dev/null", "w", stderr) == NULL)
		return 2;
	if (count > 0) {
		CHECK(run(argv[0], seed, count, &t) == 0, "%" PRIu64
		    " schedules from seed %" PRIu64 ": every firing once or "
		    "reported missed, never twice, every run once", count, seed);
		return check_done();
	}
	if (given) {
		ssim_run(seed, verbose, &r);
		printf("seed %" PRIu64 ": %" PRIu64 " steps, %" PRIu64
		    " takeovers, trace %016" PRIx64 ": %s\n", seed, r.steps,
		    r.takeovers, r.hash, r.failed ? r.why :
		    "every invariant held");
		return r.failed;
	}
	CHECK(run(argv[0], FIRST_SEED, SHORT_RUNS, &t) == 0, "%d seeded "
	    "schedules with crashes of the master and the standby, "
	    "takeovers, slow state sync: no firing executed twice, every "
	    "timed instant once or reported missed, every door opening "
	    "fired once", SHORT_RUNS);
	CHECK(t.api_runs > 0 && t.api_repeats > 0 && t.api_lost > 0,
	    "runs from the API were fired (%" PRIu64 "), their answers lost "
	    "with a crash (%" PRIu64 ") and the same key asked again of a "
	    "master that had it (%" PRIu64 "): each run's command executed "
	    "once", t.api_runs, t.api_lost, t.api_repeats);
	CHECK(t.phase[PH_RECORDED] > 0 && t.phase[PH_REPLICATED] > 0 &&
	    t.phase[PH_SENT] > 0 && t.phase[PH_ACKED] > 0, "the master "
	    "crashed just after a firing's record was written (%" PRIu64
	    "), the standby held it (%" PRIu64 "), its commands were sent (%"
	    PRIu64 "), their results came (%" PRIu64 ")",
	    t.phase[PH_RECORDED], t.phase[PH_REPLICATED], t.phase[PH_SENT],
	    t.phase[PH_ACKED]);
	CHECK(t.takeovers > SHORT_RUNS / 2 && t.missed > 0 && t.repeats > 0 &&
	    t.held > 0, "the runs took over (%" PRIu64 "), instants were "
	    "reported missed (%" PRIu64 "), slaves' memos answered repeats (%"
	    PRIu64 "), reports were held for the standby (%" PRIu64 ")",
	    t.takeovers, t.missed, t.repeats, t.held);
	CHECK(t.records > 0, "final masters showed the missed record of "
	    "every instant the logs reported missed, once each, in %" PRIu64
	    " runs (the record across restarts and takeovers)", t.records);
	CHECK(t.unrepl > 0, "restarted old masters reported firings of "
	    "theirs the master lacked (%" PRIu64 "): each recorded once, "
	    "none run", t.unrepl);
	CHECK(replays(FIRST_SEED + 3), "seed %d replays exactly",
	    FIRST_SEED + 3);
	return check_done();
}
