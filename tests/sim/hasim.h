#ifndef HD_HASIM_H
#define HD_HASIM_H

/*
 * The deterministic simulator of failover (docs/FAILOVER.md, "How it
 * is proved"): the pure machines of every master-capable node and
 * every slave in one process, one seeded PRNG choosing delays, loss,
 * duplication, partitions, crashes and restarts, commands and
 * firings; the invariants checked after every step. The same seed
 * gives the same run, step for step: the trace hash says so.
 */

#include <stdint.h>

struct sim_result {
	int		failed;		/* an invariant broke */
	char		why[256];	/* which, at what step */
	uint64_t	hash;		/* of every event of the run */
	/* What the run did, for the summary. */
	uint32_t	nmasters, nslaves;
	uint64_t	steps, delivered, crashes, partitions;
	uint64_t	elections;	/* HA_EV_MASTER events */
	uint64_t	accepted, executed, firings, standby_lost;
	uint64_t	cancelled;	/* settled by a master's log */
	uint64_t	max_term;
	/* sim_takeover: from the master's death to a new master, and to
	 * the first command of its term executed by a slave. */
	uint64_t	takeover_ms, first_cmd_ms;
	uint64_t	pauses;		/* nodes' loops stalled */
	/* sim_pause: masters elected after the pause began; the paused
	 * master still master of its term at the end; its term. */
	uint64_t	pause_elections;
	int		pause_kept;
	uint64_t	pause_term;
};

/* One schedule. verbose: a line on stderr per event. */
void	sim_run(uint64_t seed, int verbose, struct sim_result *);
/* One takeover on a calm network (hasim.c says what is measured). */
void	sim_takeover(uint64_t seed, struct sim_result *);
/* On a calm network the master's loop stalls for pause_ms at
 * PAUSE_AT_MS; the run goes on PAUSE_AFTER_MS after it (hasim.c). */
void	sim_pause(uint64_t seed, uint64_t pause_ms, struct sim_result *);

#endif
