/*
 * The clients' keys of runs from the API (sched_master.h, docs/
 * FAILOVER.md#run-from-the-api): a ring of the last SCHED_RUN_KEYS,
 * written into sched.state with the firings' records and read back at
 * a start or a takeover. Pure: no master, no clock, so that the
 * scheduler's simulator (tests/sim/schedsim.c) runs this very code.
 */

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "sched/sched_master.h"

const struct sched_runkey *
sched_runkeys_find(const struct sched_runkeys *rk, const char *key)
{
	int	i;

	for (i = 0; i < SCHED_RUN_KEYS; i++)
		if (rk->k[i].key[0] != '\0' && strcmp(rk->k[i].key, key) == 0)
			return &rk->k[i];
	return NULL;
}

void
sched_runkeys_add(struct sched_runkeys *rk, const char *key,
    const char *event, int64_t fired)
{
	struct sched_runkey *k = &rk->k[rk->n++ % SCHED_RUN_KEYS];

	snprintf(k->key, sizeof(k->key), "%s", key);
	snprintf(k->event, sizeof(k->event), "%s", event);
	k->fired_ms = fired;
}

void
sched_runkeys_put(struct sched_runkeys *rk, Hd__SchedState *st)
{
	const struct sched_runkey	*k;
	size_t				 n = 0;
	unsigned			 i;

	/* Oldest first, so that a master reading them keeps the order. */
	for (i = 0; i < SCHED_RUN_KEYS; i++) {
		k = &rk->k[(rk->n + i) % SCHED_RUN_KEYS];
		if (k->key[0] == '\0')
			continue;
		hd__sched_run_key__init(&rk->d[n]);
		rk->d[n].key = (char *)(uintptr_t)k->key;
		rk->d[n].event = (char *)(uintptr_t)k->event;
		rk->d[n].fired_ms = k->fired_ms;
		rk->dp[n] = &rk->d[n];
		n++;
	}
	st->run_keys = rk->dp;
	st->n_run_keys = n;
}

void
sched_runkeys_get(struct sched_runkeys *rk, const Hd__SchedState *st)
{
	const Hd__SchedRunKey	*k;
	size_t			 i;

	memset(rk->k, 0, sizeof(rk->k));
	rk->n = 0;
	for (i = 0; i < st->n_run_keys; i++) {
		k = st->run_keys[i];
		if (k->key[0] == '\0' || strlen(k->key) > SCHED_RUN_KEY_MAX ||
		    strlen(k->event) > SCHED_NAME_MAX) {
			log_warnx("sched: a run key of the state file out of "
			    "its limits: left out");
			continue;
		}
		sched_runkeys_add(rk, k->key, k->event, k->fired_ms);
	}
}
