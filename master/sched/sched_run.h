#ifndef HD_SCHED_RUN_H
#define HD_SCHED_RUN_H

/*
 * What a "run" from the API (master/api/api_sched_run.c, docs/
 * FAILOVER.md#run-from-the-api) reaches of the scheduler in hd-master,
 * and the API's half that the scheduler calls. Apart from
 * sched_master.h because it needs the engine's types (sched/sched.h),
 * whose names the wiring file's callbacks would clash with.
 */

#include "sched/sched.h"
#include "sched/sched_master.h"

/* sched_master_run.c; pointers stay valid as long as the scheduler
 * (sched_master_stop). */
#define SCHED_STATE	"sched.state"	/* the engine's, in the state-dir */
/* A run's answer, waiting until the standby holds sched.state version
 * `token` (with the run's record), `deadline` at most. */
struct api_later;
struct sched_runwait {
	struct api_later *later;		/* NULL: free */
	uint64_t	token, deadline;	/* ev_clock_ms() */
	char		event[SCHED_NAME_MAX + 1];
	struct sched_run_out out;
};

struct master	*sched_master_owner(struct sched_master *);
struct sched	*sched_master_sched(struct sched_master *);
struct sched_api *sched_master_api_of(struct sched_master *);
struct sched_runkeys *sched_master_runkeys(struct sched_master *);
/* The SCHED_RUN_WAITS slots of the answers waiting for the standby. */
struct sched_runwait *sched_master_runwaits(struct sched_master *);
/* How many state files were written: a run that wrote none saves. */
unsigned	 sched_master_saves(const struct sched_master *);
int64_t		 sched_master_wall(struct sched_master *);
/* The outbox's pump, soon: it answers the waits done (sm_run_pump). */
void		 sched_master_pump(struct sched_master *);
/* The sync ops (ssync_wire.c), or zeros. */
const struct sched_sync *sched_master_sync(void);

/* master/api/api_sched_run.c: "run" from the API (docs/FAILOVER.md#run-
 * from-the-api). */
void		 sm_run(void *, struct api_call *, const char *event,
		    const char *key);
/* The answers whose record the standby now holds (or that waited
 * SCHED_SYNC_WAIT_MS) go; the next deadline, or `next`. */
uint64_t	 sm_run_pump(struct sched_master *, uint64_t now,
		    uint64_t next);
/* This master steps down or stops: the answers still owed go, 503. */
void		 sm_run_owed(struct sched_master *, const char *why);

#endif
