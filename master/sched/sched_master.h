#ifndef HD_SCHED_MASTER_H
#define HD_SCHED_MASTER_H

/*
 * The scheduler inside hd-master (sched_master.c, docs/SCHEDULER.md): the
 * engine of sched.h fed by the cluster's observers (master/wiring.c), its
 * commands sent through the cluster.
 */

#include "cluster.pb-c.h"
#include "hdlimits.h"

struct master;
struct node;
struct sched;

/* sched_master.c: the scheduler in the master (docs/SCHEDULER.md) */
struct sched_master;
/* Load conf.events (with -n only check it); -1 on errors, logged. */
int		 sched_master_start(struct master *, int checkonly);
void		 sched_master_run(struct master *);
void		 sched_master_stop(struct master *);
/* SIGHUP: reload; a bad file keeps the old schedule. */
void		 sched_master_reload(struct master *);
void		 sched_master_value(struct master *, struct node *,
		    const Hd__ValueReport *);
void		 sched_master_node(struct master *, struct node *, int online);
/* A slave's CommandResult; only the slave a command went to can end it. */
void		 sched_master_result(struct master *, struct node *,
		    const Hd__CommandResult *);
/* The engine, for wiring its notifications (sched_set_notify). */
struct sched	*sched_master_engine(struct master *);
/* A firing a cut-off slave made by its local rules (LocalFiring), heard
 * when it is back: into the event's state and the stream, marked local.
 * -1 if malformed (the cluster drops the slave). */
int		 sched_master_local_firing(struct master *, struct node *,
		    const Hd__LocalFiring *);
/* The end of that replay (LocalSync): the slave's local events' history
 * is complete from here (GET /api/v1/events: local_synced). */
int		 sched_master_local_sync(struct master *, struct node *,
		    const Hd__LocalSync *);
/* What the scheduler's API routes need (api_sched_routes, added by
 * master.c); NULL without an events file. */
struct sched_api;
struct sched_api *sched_master_api(struct master *);

/* sched_local_set.c: the rule set of one slave (docs/SCHEDULER.md#
 * local-rules), ready to send: msg points into the struct. */
struct sched_prog;
struct sched_local_set {
	Hd__LocalRules	 msg;
	Hd__LocalPlace	 pl[LOCAL_MAX_PLACES];
	Hd__LocalPlace	*plp[LOCAL_MAX_PLACES];
	int		 nplaces, nev;
	char		 text[LOCAL_RULES_MAX_TEXT + 1];
	size_t		 len;
};
/* The events of `g` that may run on `node` alone; -1 (and an empty set)
 * if their text is over LOCAL_RULES_MAX_TEXT or their places too many. */
int		 sched_local_set_build(struct sched_local_set *,
		    const struct sched_prog *g, const char *node,
		    int64_t handled_ms);

#endif
