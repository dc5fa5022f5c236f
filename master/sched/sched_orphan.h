#ifndef HD_SCHED_ORPHAN_H
#define HD_SCHED_ORPHAN_H

/*
 * An old master's unreplicated firings (docs/FAILOVER.md#an-old-masters-
 * unreplicated-firings): a firing whose record (sched.state) never
 * reached the standby that took over is known only to the dead master's
 * own sched.state. When that node comes back as a standby, before the
 * new master's sched.state replaces its own, the two are compared; each
 * firing of its own the new master does not hold is logged, kept in
 * <state-dir>/sched.orphans and reported to the new master, which
 * records it (never runs it) and acknowledges it; then it is forgotten.
 */

#include <stddef.h>
#include <stdint.h>

#include "hdlimits.h"
#include "cluster.pb-c.h"
#include "master.pb-c.h"

#define SCHED_ORPHAN_FILE	"sched.orphans"	/* in the state-dir */
#define SCHED_ORPHAN_MAX	64	/* kept and reported at once; more: the
					 * newest are logged only */
#define SCHED_ORPHAN_SENDS	3	/* reports per run without an ack */
#define SCHED_ORPHAN_MAX_FILE	(SCHED_ORPHAN_MAX * (SCHED_NAME_MAX + 64))

struct sched_orphan {
	char		event[SCHED_NAME_MAX + 1];
	int64_t		fired_ms;
	uint64_t	firing_id;	/* sched_firing_id(event, fired_ms) */
	uint32_t	commands;	/* its commands in the old outbox */
	int64_t		noted_ms;
};

/* Pure: the firings `own` holds that `theirs` does not (an event's last
 * firing newer than theirs, or an event they have not), at most `max`
 * into `out`, oldest first; how many. */
int	sched_orphans_find(const Hd__SchedState *own,
	    const Hd__SchedState *theirs, struct sched_orphan *out, int max);
/* Pure: add `add` to `have` (n of them), skipping firings it holds;
 * the new count, at most `max` (the rest dropped, counted in *dropped). */
int	sched_orphans_merge(struct sched_orphan *have, int n, int max,
	    const struct sched_orphan *add, int nadd, int *dropped);
/* Pure: every field of a received report; 0, or -1 with *why. */
int	sched_orphans_check(const Hd__SchedOrphans *, const char **why);
/* Pure: `have` without the firings `ack` names; the new count. */
int	sched_orphans_remove(struct sched_orphan *have, int n,
	    const Hd__SchedOrphans *ack);

/* <dir>/sched.orphans: read (0 entries if absent), written atomically
 * (removed when empty). -1 on error, logged. */
int	sched_orphans_load(const char *dir, struct sched_orphan *, int max);
int	sched_orphans_save(const char *dir, const struct sched_orphan *, int n);

/* Before <dir>/sched.state is replaced by `theirs` (the new master's
 * bytes): compare, log each new one, keep them. How many are pending
 * (-1 on error: then the file is replaced all the same, logged). */
int	sched_orphans_note(const char *dir, const uint8_t *theirs, size_t len,
	    int64_t now);
/* The report for what is pending, into `m` pointing at `buf`/`p`. */
void	sched_orphans_msg(Hd__SchedOrphans *m, Hd__SchedOrphan *buf,
	    Hd__SchedOrphan **p, const struct sched_orphan *, int n, int ack);

#endif
