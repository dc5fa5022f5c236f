#ifndef HD_ELECT_H
#define HD_ELECT_H

/*
 * A master-capable node (the master or a standby): its role, the
 * election in which the slaves are the voters, the fence it sets on
 * the slaves, its lease, and its log (repl.c). docs/FAILOVER.md.
 *
 * A standby stands only when it has not heard a master for HA_LOST_MS;
 * it first asks for pre-votes (nothing persisted anywhere), so one cut
 * off alone never raises its term. With a majority of pre-votes it
 * raises and persists its term, then asks for votes; with a majority it
 * is master. A master steps down when it hears a higher term or when a
 * majority of slaves has answered no heartbeat it sent in the last
 * HA_LEASE_MS (elect_lease_ok).
 *
 * Pure: the caller passes the time, a random number for the standing
 * delay, and each message; it writes d and repl's disk part (repl.h)
 * when out->persist is set, then sends and acts on out.
 */

#include "ha.h"
#include "repl.h"

enum elect_role {
	ELECT_FOLLOWER,		/* a standby, or a master that stepped down */
	ELECT_CANDIDATE,
	ELECT_MASTER,
};

struct elect_disk {
	uint64_t	term;		/* raised, persisted, before votes are asked */
};

struct elect {
	struct elect_disk d;
	struct repl	r;
	uint32_t	self, nmasters, nslaves;
	enum elect_role	role;
	uint32_t	leader;		/* the master we follow, HA_NONE */
	uint64_t	heard_ms;	/* its last message (or our start) */
	uint64_t	stand_ms;	/* a follower stands not before then */
	/* Candidate. */
	int		pre;		/* asking for pre-votes */
	uint64_t	round_ms;	/* this round ends then */
	uint32_t	votes;		/* slaves that granted, a bit each */
	uint64_t	asked_ms;	/* the votes (not pre-votes) asked */
	int		force;		/* elect_force(): 1 armed, 2 standing */
	/* Master. */
	uint64_t	slave_ms[HA_MAX_SLAVES];	/* newest stamp of
					 * ours it answered (0: none) */
	uint64_t	slave_seq[HA_MAX_SLAVES];	/* fence seq held */
	struct ha_fence	fence;		/* the newest we sent */
	uint32_t	removing;	/* standbys leaving the sync set */
	uint64_t	remove_seq;	/* ... once a majority holds this */
	uint64_t	next_cmd;	/* API command ids: term << 32 | n */
	uint64_t	tick_ms;	/* the last master tick */
	uint64_t	regain_ms;	/* lease lost in a stall: asking until */
	/* Standbys that lack state a takeover needs (the daemon's state
	 * sync: the master's sched.state as of their attaching): kept out
	 * of the synchronous set and the fence (elect_set_unready). */
	uint32_t	unready;
};

void	elect_init(struct elect *, uint32_t self, uint32_t nmasters,
	    uint32_t nslaves, uint64_t now);
void	elect_restart(struct elect *, const struct elect_disk *,
	    const struct repl_disk *, uint32_t self, uint32_t nmasters,
	    uint32_t nslaves, uint64_t now);
void	elect_recv(struct elect *, uint64_t now, const struct ha_msg *,
	    struct ha_out *);
/* Master, and a majority answered a heartbeat sent less than
 * HA_LEASE_MS ago (of now): no other master can have been elected. A
 * master acts only while this holds; its tick steps down when not. */
int	elect_lease_ok(const struct elect *, uint64_t now);
/* When the lease runs out (the caller's clock), 0 if it holds none. */
uint64_t elect_lease_end(const struct elect *);
/* Every HA_TICK_MS; rnd: a random number for the standing delay. */
void	elect_tick(struct elect *, uint64_t now, uint32_t rnd, struct ha_out *);
/*
 * The operator's forced promotion (hd-master --force-promote): once no
 * master has been heard for HA_LOST_MS, stand at once, pre-votes then
 * votes (a new term) with HA_F_FORCE, which lets the slaves vote
 * against their fence. Given up (HA_EV_FORCE_REFUSED) if a master or a higher term is
 * heard, or the one round ends without a majority. HA_EV_MASTER's value
 * is 1 for a forced win. -1 if already master.
 */
int	elect_force(struct elect *);
/* Master: an API command; its id, or 0 (not master, or busy). */
uint64_t elect_command(struct elect *, uint32_t slave, int64_t value,
	    struct ha_out *);
/* The master-capable nodes (a bit each) that do not hold the state a
 * takeover needs: one not in the synchronous set joins it only once it
 * does; one in it is taken out of the fence as a lost one is. */
void	elect_set_unready(struct elect *, uint32_t nodes);
/* Master: a scheduled firing with its derived id (HA_FIRING_BIT set);
 * 0 if submitted now, 1 if the log has it or a later instant of its
 * event already (a scheduler fires an event's instants in order), -1 if
 * refused. */
int	elect_fire(struct elect *, uint64_t id, uint32_t slave, int64_t value,
	    struct ha_out *);

#endif
