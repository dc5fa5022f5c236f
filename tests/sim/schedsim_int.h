#ifndef HD_SCHEDSIM_INT_H
#define HD_SCHEDSIM_INT_H

/*
 * Private to the scheduler's simulator: schedsim.c (the world, the
 * network, the slaves, the checks and the run) and schedsim_master.c
 * (a master-capable node: the real engine and outbox, and the glue of
 * sched_outbox.c between them, the state sync and the link).
 */

#include <stdint.h>

#include "master.pb-c.h"
#include "sched/sched.h"
#include "../../master/sched/sched_master.h"
#include "schedsim.h"

#define NM		2		/* master-capable nodes */
#define NS		2		/* slaves: s0 lamp and bell, s1 door */
#define T0		((int64_t)1796665000000)	/* wall ms at the start */
#define CHAOS_MS	40000
#define HEAL_MS		20000
#define STEP_MAX_MS	8
#define TAKEOVER_MS	1500		/* the election's time (test_ha_sim) */
#define QMAX		4096
#define XMAX		4096		/* executions, commands, readings */
#define RQ_MAX		512		/* a slave's replay queue */
#define PERIOD_MS	2000
#define RUNS_MAX	64		/* runs from the API, one client */
#define PANS_MAX	8		/* a master's answers waiting */
#define API_ID_BASE	((uint64_t)0x5a << 48)	/* ids of runs' commands */

enum { M_COPY, M_APPLIED, M_CMD, M_RESULT, M_REPORT, M_ACK, M_REGISTER };

struct msg {
	uint64_t	 at;
	int		 kind, from, to;	/* node i, or NM + slave j */
	uint64_t	 a, b, c;		/* per kind */
	int		 val;
	char		 dev[16];
	uint8_t		*data;			/* M_COPY: the file as sent */
	size_t		 len;
};

/* The oracle's name of a firing's command, from the engine that sent
 * it: event, instant, step, order. */
struct okey {
	uint64_t	 id;
	char		 event[8];
	int64_t		 due;
	int		 step, order;
};

struct report {
	uint64_t	 seq;
	int64_t		 read;
	int		 val;
};

struct ackh {
	int		 slave;
	uint64_t	 seq, token, until, first;
	uint64_t	 next_seq, next_token;	/* reports since token */
};

/* A run's answer waiting for the standby (api_sched_run.c's runwait). */
struct pans {
	int		 run;
	uint64_t	 token, deadline;
};

/* A run from the API: its client's key is "k" and its number. */
struct crun {
	int		 answered;
	int		 late;		/* answered after SCHED_SYNC_WAIT_MS
					 * without the standby: may be twice */
	int		 failed;	/* its command failed (slave away):
					 * may be never */
};

struct mnode {
	int		 up, master, synced;	/* synced: a standby's copy */
	int		 fenced_in;		/* may become master: it holds
						 * what was acted on (the fence
						 * of docs/FAILOVER.md) */
	uint64_t	 down_until, lost_at;
	struct sched	*s;
	struct sched_hold hold;
	uint8_t		*disk;
	size_t		 disklen;
	uint64_t	 version, applied, saved_at;
	uint64_t	 sbver;			/* a standby's copy's version */
	uint64_t	 await_until;		/* slaves awaited after a start */
	unsigned	 saves;
	uint64_t	 last_seq[NS];
	int		 reg[NS];		/* slave j registered here */
	struct ackh	 acks[SCHED_ACK_HOLDS];
	int		 nacks;
	struct sched_runkeys rk;		/* the real ring (sched_runkeys.c) */
	struct pans	 pans[PANS_MAX];
	int		 npans;
	int		 fresh;		/* restarted: its first copy is the
						 * snapshot (sched_orphan.h) */
};

struct slave {
	int		 with;			/* master it registered with */
	uint64_t	 reg_at;		/* registers then (with -1) */
	uint64_t	 seq;
	struct report	 q[RQ_MAX];
	int		 nq;
	uint64_t	 memo[XMAX];
	int		 nmemo;
	int		 door;
	int64_t		 door_read;		/* the reading it is from */
	int		 gpio;			/* re-reports keep the reading
						 * instant (else now, as sim.c) */
};

struct world {
	uint64_t	 rng, now, step, hash;
	int		 verbose, healing;
	uint32_t	 crash, slow, doorp;
	uint32_t	 phasep;		/* a crash just after a phase */
	int		 crash_next;		/* PH_* + 1: the master dies at
						 * the next step */
	struct mnode	 m[NM];
	struct slave	 sl[NS];
	uint64_t	 boot[NS];		/* the slaves' boot ids */
	struct msg	 q[QMAX];
	int		 nq;
	uint64_t	 fifo[NM + NS][NM + NS];	/* a link's last arrival */
	int		 cur;			/* the node whose engine runs */
	struct okey	 keys[XMAX];		/* every id sent: its firing */
	int		 nkeys;
	struct okey	 done[NS][XMAX];	/* executed, per slave */
	int		 ndone[NS];
	int64_t		 openings[XMAX];	/* readings that opened the door */
	int		 nopen;
	int64_t		 missed[XMAX][2];	/* tick instants reported missed */
	int		 nmissed;
	uint64_t	 unrepl[XMAX];		/* firings an old master reported */
	int		 nunrepl;
	struct ssim_result *res;
	/* The API's client: one run at a time, tried again at whichever
	 * node is master until answered (with the same key). */
	uint32_t	 runp;			/* permille a step: a new run */
	struct crun	 runs[RUNS_MAX];
	int		 nruns;
	int		 crun;			/* its run, or -1 */
	int		 cat;			/* the node asked, or -1 */
	uint64_t	 cnext;			/* ask again then */
	int		 firing_run;		/* run being fired, or -1 */
	uint64_t	 api_ids;
};

extern struct world *W;		/* for the engine's callbacks and log hook */

/* schedsim.c */
uint64_t	rnd(struct world *);
uint32_t	below(struct world *, uint32_t n);
int		chance(struct world *, uint32_t permille);
int		chance100k(struct world *, uint32_t n);
void		mix(struct world *, uint64_t);
void		fail(struct world *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
void		trace(struct world *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
/* A message from node `from` to `to` (a master i, or NM + slave j),
 * `delay` ms from now, after what that link carries already. */
void		post(struct world *, int kind, int from, int to,
		    uint64_t delay, uint64_t a, uint64_t b, uint64_t c, int val,
		    const char *dev);
uint64_t	delay(struct world *);
/* The master reached phase PH_*: now and then it dies just after. */
void		phase(struct world *, int ph);

/* schedsim_master.c */
int		standby_of(int);
int		defers(struct world *, int);
int		slave_idx(const char *node);
uint64_t	acked(struct world *, int i, int j);
void		pump(struct world *, int);
void		engine_run(struct world *, int);
void		become_master(struct world *, int, const char *how);
void		crash(struct world *, int);
int		any_master(const struct world *);
void		nodes(struct world *);
void		on_report(struct world *, int i, const struct msg *);
/* A run from the API of run r reaches master i (api_sched_run.c's sm_run). */
void		api_run(struct world *, int i, int r);

#endif
