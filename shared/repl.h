#ifndef HD_REPL_H
#define HD_REPL_H

/*
 * Replication of the master's log to its standbys (docs/FAILOVER.md).
 * The master appends records; each standby holds a prefix of the log
 * and acknowledges how much it holds, after persisting it. A command
 * record is acted on (sent to its slave) only once every standby in the
 * synchronous set holds it; the set is changed by elect.c, which fences
 * the slaves first when a standby leaves it. A standby whose log is
 * based on another term's master gets the whole log again (a reset).
 * Pure, like every ha machine: see ha.h for the caller's duties.
 */

#include "ha.h"

/*
 * What survives a restart. The caller writes base, len, n and the
 * records from index `dirty` (repl_dirty) on, then calls
 * repl_persisted. Positions are never reused; when the log is full,
 * settled records (a command with its result, a result) among the
 * older half are dropped (compaction), so log[] holds n records in
 * ascending positions, with gaps where settled ones were. Compaction
 * sets dirty to 0: the caller writes the whole log again.
 */
struct repl_disk {
	uint64_t	base;		/* the term whose master made this log */
	uint64_t	len;		/* the highest position held */
	uint64_t	n;		/* records kept in log[] */
	struct ha_rec	log[HA_LOG_MAX];
};

/* The master's view of one standby. */
struct repl_peer {
	uint64_t	match;		/* it holds records 1..match */
	uint64_t	acked_ms;	/* its last acknowledgement */
	int		based;		/* its log is based on our term */
};

struct repl {
	struct repl_disk d;
	uint64_t	dirty;		/* lowest index in log[] not persisted */
	uint32_t	self, nmasters;
	/* Master side, rebuilt at each repl_lead. */
	uint64_t	term;		/* 0: not master */
	struct repl_peer peer[HA_MAX_MASTERS];
	uint32_t	sync;		/* standbys acting waits for */
	uint64_t	acted;		/* records at positions <= acted were acted on */
	uint32_t	pending[HA_MAX_SLAVES];	/* commands without result */
	uint8_t		done[HA_LOG_MAX];	/* log[i], a command, has its result */
};

void	repl_init(struct repl *, uint32_t self, uint32_t nmasters);
void	repl_restart(struct repl *, const struct repl_disk *, uint32_t self,
	    uint32_t nmasters);
uint64_t repl_dirty(const struct repl *);
void	repl_persisted(struct repl *);

/* Master side. */
void	repl_lead(struct repl *, uint64_t term, uint64_t now, struct ha_out *);
void	repl_follow(struct repl *);
/* Append a command for `slave`: 0, or -1 when its queue or the log is
 * full (answer "busy"). Acted on once held by the synchronous set. */
int	repl_submit(struct repl *, uint64_t id, uint32_t slave, int64_t value,
	    struct ha_out *);
int	repl_has(const struct repl *, uint64_t id);
/* A firing id (HA_FIRING_BIT): 1 if the log holds it or a later instant
 * of its event. Compaction keeps each event's latest firing for this. */
int	repl_fired(const struct repl *, uint64_t id);
/* The index in log[] of the record at position pos, or -1 (never
 * held, or compacted). */
int64_t	repl_index(const struct repl *, uint64_t pos);
void	repl_on_result(struct repl *, const struct ha_msg *, struct ha_out *);
/*
 * Settle command `id` without its slave (an operator's cancel, an
 * expiry): a result record of status `value`, replicated like a
 * slave's. 0, or -1 when it is not a command this master acted on, or
 * it already has its result (the log's first settlement wins: a slave's
 * result after it is dropped, as a settlement after a result is).
 */
int	repl_settle(struct repl *, uint64_t id, int64_t value, struct ha_out *);
void	repl_on_ack(struct repl *, uint64_t now, const struct ha_msg *,
	    struct ha_out *);
/* Every HA_TICK_MS: the stream to each standby, unanswered commands. */
void	repl_tick(struct repl *, struct ha_out *);
/* Act on what the synchronous set holds now. */
void	repl_commit(struct repl *, struct ha_out *);
/* Standbys in the set silent for HA_SYNC_WAIT_MS; those caught up. */
uint32_t repl_lost(const struct repl *, uint64_t now);
uint32_t repl_caught_up(const struct repl *);
/* The lag of standby n, for the dashboard: records it lacks (all of
 * the log until its base is ours), ms since its last acknowledgement. */
void	repl_lag(const struct repl *, uint32_t n, uint64_t now,
	    uint64_t *records, uint64_t *ms);

/* Standby side: take a REPL message, answer with a REPL_ACK. */
void	repl_apply(struct repl *, uint64_t term, const struct ha_msg *,
	    struct ha_out *);

#endif
