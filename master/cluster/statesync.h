/*
 * The master's state files, replicated to a standby (docs/FAILOVER.md,
 * "State replication"). Two pure machines, no sockets and no clock:
 *
 *  - the master side (ssync_*): each state file has a version, bumped by
 *    ssync_changed() whenever the master writes it. A standby that
 *    attaches gets every file it does not already hold (a snapshot),
 *    then each change; changes of a file the standby has not
 *    acknowledged yet coalesce (only the newest content is sent). A file
 *    travels in StateChunks of at most SSYNC_CHUNK bytes, at most
 *    SSYNC_WINDOW of them unacknowledged.
 *  - the standby side (ssync_sb_*): takes a file only from a name on the
 *    fixed list below (never a path), within that file's size limit and
 *    with the announced SHA-256, writes it with atomic_write() into its
 *    own state-dir, and only then acknowledges it as applied. A file of a
 *    format newer than it reads is refused, its own kept, and the
 *    master told why (StateAck.refused): that standby is too old.
 *
 * Messages go out through `struct ssync_ops`; the caller delivers what
 * it receives. A call returning -1 with `*why` set means the peer sent
 * something it must not: the caller closes that link, logging the
 * reason; the machine has already forgotten that peer's transfer.
 */
#ifndef HD_STATESYNC_H
#define HD_STATESYNC_H

#include <stddef.h>
#include <stdint.h>

#include "cluster.pb-c.h"
#include "hdlimits.h"

/* A replicated state file: its name in the state-dir, the most its
 * reader accepts. */
struct ssync_file {
	const char	*name;
	size_t		 max;
};

/* The allow-list; NULL / -1 for a name that is not on it. */
const struct ssync_file *ssync_file(int);
int		 ssync_file_index(const char *name);
int		 ssync_nfiles(void);

struct ssync_ops {
	/* Queue one envelope to the peer: 0, or -1 if it cannot. */
	int	(*send)(void *arg, const Hd__Envelope *);
	void	*arg;
	/* A standby's, optional: a state file of the snapshot (before
	 * StateSynced) is about to replace ours, `buf` its new bytes
	 * (NULL: the master has none). The old master's unreplicated
	 * firings are found here (master/sched/sched_orphan.h). */
	void	(*replacing)(void *arg, const char *name, const uint8_t *buf,
		    size_t len);
};

/* Per standby, for the Standby card. */
struct ssync_lag {
	uint32_t	files;		/* files whose newest version is not applied */
	uint64_t	bytes;		/* their bytes still to go (as last seen) */
	uint64_t	oldest_ms;	/* since the oldest change not applied; 0: none */
	int		synced;		/* the snapshot since attaching is applied */
	uint32_t	refused;	/* files it refused: newer than it reads */
	char		refused_why[SSYNC_REFUSED_MAX + 1];	/* the last, as it said */
};

/* The master side. */
struct ssync;
struct ssync	*ssync_new(const char *state_dir, uint64_t now);
void		 ssync_free(struct ssync *);
/* The master wrote state file `name` (a name off the list is ignored:
 * -1). Sends it on to every attached standby as the window allows. */
int		 ssync_changed(struct ssync *, const char *name, uint64_t now);
/* A standby attached (its StateHello, or NULL if it sent none): its
 * slot (0..SSYNC_MAX_STANDBYS-1), or -1 (all slots taken, or a bad
 * hello: *why). `ops` is copied. */
int		 ssync_attach(struct ssync *, const struct ssync_ops *,
		    const Hd__StateHello *, uint64_t now, const char **why);
void		 ssync_detach(struct ssync *, int peer);
int		 ssync_ack(struct ssync *, int peer, const Hd__StateAck *,
		    uint64_t now, const char **why);
/* Send what the windows allow (after a send failed, or on a tick). */
void		 ssync_pump(struct ssync *, uint64_t now);
int		 ssync_lag(const struct ssync *, int peer, uint64_t now,
		    struct ssync_lag *);
/* File `name` goes before the others whenever it is due (the scheduler's
 * firing record and outbox, which firings wait for: docs/FAILOVER.md). */
void		 ssync_set_urgent(struct ssync *, const char *name);
/* The version of `name` the master holds (bumped by ssync_changed), and
 * the one standby `peer` applied (0: none, or no such peer). */
uint64_t	 ssync_version(const struct ssync *, const char *name);
uint64_t	 ssync_applied(const struct ssync *, int peer, const char *name);
/* Does standby `peer` hold `name` as the master held it when the
 * standby attached, or newer (or did it refuse it)? What the master did
 * before, without waiting for it, is then there. */
int		 ssync_holds_snapshot(const struct ssync *, int peer,
		    const char *name);
/* Did standby `peer` refuse `name` (a format newer than it reads)? It
 * will not hold the file while attached: nothing waits for it there. */
int		 ssync_refused(const struct ssync *, int peer, const char *name);

/* The standby side. */
struct ssync_sb;
struct ssync_sb	*ssync_sb_new(const char *state_dir);
void		 ssync_sb_free(struct ssync_sb *);
/* Attached: forget any partial file, send the StateHello. */
int		 ssync_sb_hello(struct ssync_sb *, const struct ssync_ops *);
int		 ssync_sb_chunk(struct ssync_sb *, const Hd__StateChunk *,
		    const char **why);
void		 ssync_sb_synced(struct ssync_sb *, const Hd__StateSynced *);
/* Has the master said the snapshot is complete (since the hello)? */
int		 ssync_sb_is_synced(const struct ssync_sb *);
/* Bit i: file i was applied since the last call (cleared). What the
 * daemon reloads when it takes over (docs/FAILOVER.md). */
uint32_t	 ssync_sb_take_applied(struct ssync_sb *);

#endif
