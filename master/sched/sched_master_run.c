/*
 * What a "run" from the API (master/api/api_sched_run.c, docs/
 * FAILOVER.md#run-from-the-api) reaches of the scheduler in hd-master,
 * so that the API's half sees no more of it than sched_run.h says:
 * the engine, the clients' keys, the slots of the answers that wait for
 * the standby, and the outbox's pump that answers them.
 */

#include "ev.h"
#include "sched/sched.h"
#include "sched/sched_master.h"
#include "sched/sched_int.h"

struct master *
sched_master_owner(struct sched_master *sm)
{
	return sm->m;
}

struct sched *
sched_master_sched(struct sched_master *sm)
{
	return sm->s;
}

struct sched_api *
sched_master_api_of(struct sched_master *sm)
{
	return &sm->api;
}

struct sched_runkeys *
sched_master_runkeys(struct sched_master *sm)
{
	return &sm->runkeys;
}

struct sched_runwait *
sched_master_runwaits(struct sched_master *sm)
{
	return sm->runwaits;
}

unsigned
sched_master_saves(const struct sched_master *sm)
{
	return sm->saves;
}

int64_t
sched_master_wall(struct sched_master *sm)
{
	return sm_wall(sm);
}

void
sched_master_pump(struct sched_master *sm)
{
	sm_hold_arm(sm, 0);
}

const struct sched_sync *
sched_master_sync(void)
{
	return sm_sync();
}

/* The keys into and out of the state file (sm_hold_put, sm_hold_get). */
void
sm_runkeys_put(struct sched_master *sm, Hd__SchedState *st)
{
	sched_runkeys_put(&sm->runkeys, st);
}

void
sm_runkeys_get(struct sched_master *sm, const Hd__SchedState *st)
{
	sched_runkeys_get(&sm->runkeys, st);
}
