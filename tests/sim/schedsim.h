#ifndef HD_SCHEDSIM_H
#define HD_SCHEDSIM_H

/*
 * The scheduler's firings across crashes and takeovers, simulated
 * (docs/FAILOVER.md, "How it is proved"): two master-capable nodes, each
 * running the real engine (shared/sched) and the real outbox
 * (master/sched/sched_hold.c) on an in-memory state file, and two slaves
 * with a command memo, a replay queue of value reports and a door that
 * opens and closes. One seeded PRNG chooses message delays, crashes of
 * either master (and so takeovers) and of the standby, the slaves'
 * readings; the glue between engine, outbox, state sync and link is
 * sched_outbox.c's, modelled in schedsim.c. The same seed gives the same
 * run: the trace hash says so.
 *
 * Checked after every step: no firing (its event, instant, step and
 * order, taken from the engine that sent it) executed twice by a slave,
 * whatever id it came under; every door firing is for a reading that
 * opened the door. At the end, after every node is back: every instant
 * of the timed event from the first to the last executed once or
 * reported missed by the missed-event policy (its log line), each with
 * its delayed action once; every opening of the door fired once; the
 * final master's missed record counts every instant a log line reported
 * missed, once, and names the last.
 */

#include <stdint.h>

/* Where a firing is when the master dies just after (phase crashes). */
enum { PH_RECORDED, PH_REPLICATED, PH_SENT, PH_ACKED, PH_N };

struct ssim_result {
	int		failed;
	char		why[256];
	uint64_t	hash;
	uint64_t	steps, crashes, takeovers, restarts, executed;
	uint64_t	repeats;	/* answered by a slave's memo */
	uint64_t	missed;		/* instants reported missed */
	uint64_t	records;	/* a final master showing them */
	uint64_t	openings, held;	/* door openings; acks held */
	uint64_t	phase[PH_N];	/* crashes just after each phase */
	uint64_t	api_runs, api_repeats;	/* runs fired; keys repeated */
	uint64_t	api_lost;	/* answers lost with a crash */
	uint64_t	unrepl;		/* an old master's firings reported */
};

void	ssim_run(uint64_t seed, int verbose, struct ssim_result *);

#endif
