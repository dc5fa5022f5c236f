#ifndef HD_TEST_SCHED_ENGINE_H
#define HD_TEST_SCHED_ENGINE_H

/* What the two files of test_sched_engine share (test_sched_engine.c,
 * test_sched_engine_trig.c). */

#include <stdint.h>

#include "sched/sched.h"

#define MIN	60000LL
#define HOUR	(60 * MIN)
#define BERLIN_LAT	52.52
#define BERLIN_LON	13.405

/* test_sched_engine.c: the simulated slaves and the engine's file. */
extern int		 ncmd;		/* commands sent since start() */
extern int		 nfired;	/* "event" notices */
extern char		 evpath[256], statepath[256];
extern const struct sched_ops ops;
extern const char	 porch[];	/* porch-evening: sunset + 15 min */

/* Set a value the engine's conditions read; returns its slot. */
int		 setval(const char *node, const char *dev, const char *key,
		    double d);
/* Run everything due up to `until`, as the master's timer would. */
void		 advance(struct sched *s, int64_t until);
void		 write_events(const char *text);
/* Load `text` and start at `now` (with the state file if `persist`). */
struct sched	*start(const char *text, int64_t now, int persist);
/* Was command "node/dev.key=value" sent since start()? */
int		 has_cmd(const char *c);

/* test_sched_engine_trig.c */
void		 test_porch(void);
void		 test_no_location(void);
void		 test_motion(void);
void		 test_changes_persisted(void);
void		 test_vars(void);
void		 test_count_by(void);
void		 test_threshold(void);
void		 test_threshold_restart(void);
void		 test_dst(void);

#endif
