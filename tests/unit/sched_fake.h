/*
 * Fixtures the scheduler's tests share: sched_ops that read no value
 * and send nothing, a state file in memory, a standby faked for
 * sched_master_set_sync() (sched_fake.c), and a master with the
 * scheduler started in a temporary directory (sched_fake_master.c,
 * which links the master's modules).
 */
#ifndef HD_TEST_SCHED_FAKE_H
#define HD_TEST_SCHED_FAKE_H

#include <stddef.h>
#include <stdint.h>

#include "sched/sched.h"
#include "../../master/sched/sched_master.h"

/* sched_fake.c */
/* get_value: no device has a value (-1). */
int		 sched_fake_no_value(void *, const struct sched_devref *,
		    struct sched_val *);
/* command: sent (0), counted in sched_fake_ncmd. */
int		 sched_fake_command(void *, const struct sched_act *,
		    const char *by, char *why, size_t);
extern int	 sched_fake_ncmd;
extern const struct sched_ops sched_fake_ops;	/* the two above */

/* A state file in memory (sched_set_state_io, arg the disk): read says
 * ENOENT before the first write. */
struct sched_fake_disk {
	uint8_t	*p;
	size_t	 len;
};
int		 sched_fake_disk_write(void *, const uint8_t *, size_t);
int		 sched_fake_disk_read(void *, uint8_t **, size_t *);
/* The state sync: `to` becomes a byte-for-byte copy of `from`. */
void		 sched_fake_disk_copy(struct sched_fake_disk *to,
		    const struct sched_fake_disk *from);
/* No file any more. */
void		 sched_fake_disk_wipe(struct sched_fake_disk *);
/* The engine reads and writes its state on `d`. */
void		 sched_fake_disk_use(struct sched *, struct sched_fake_disk *);

/* A standby that holds sched.state up to version `applied`, the
 * state's newest being `version` (7 at first); none unless `attached`. */
struct sched_fake_standby {
	int		attached;
	uint64_t	applied, version;
};
extern struct sched_fake_standby sched_fake_sb;
extern const struct sched_sync sched_fake_sync;	/* on sched_fake_sb */

/* sched_fake_master.c */
struct master;
/*
 * `m` as a test's master: a temporary state directory named after `tag`
 * holding house.events with `events`, a loop, command ids from 1, and
 * each of `nodes` (NULL-terminated) online behind a dummy peer; the
 * scheduler is not started. -1 if the directory cannot be made.
 */
int		 sched_fake_master(struct master *, const char *tag,
		    const char *events, const char *const *nodes);
/* `name` in that directory (a ring of 4 buffers). */
const char	*sched_fake_path(const char *name);
/* The events file rewritten (a new file: never a FIFO left there). */
void		 sched_fake_events(const char *text);
/* The directory removed with all in it: 0, or -1. */
int		 sched_fake_master_clean(void);
/* The dummy peer that makes a node online. */
extern int	 sched_fake_peer;

#endif
