/* The fake stick and simulated nodes of the node layer's tests. */
#ifndef HD_TEST_ZW_FAKE_H
#define HD_TEST_ZW_FAKE_H

#include <stddef.h>
#include <stdint.h>

#include "../../slave/slave.h"
#include "../../slave/link/link.h"
#include "../../slave/zwave/zw.h"
#include "../../slave/zwave/zw_cc.h"
#include "../../slave/zwave/zw_sec.h"

#define MAX_REQS	64

struct zw_stick {
	const struct zw_stick_ops	*ops;
	void				*arg;
};

struct simnode {
	uint8_t	endpoints;		/* Multi Channel endpoints */
	uint8_t	on[4];			/* switch state, by endpoint */
	uint8_t	lifeline[4];		/* association group 1 */
	int	nlife;
	uint8_t	mc_life[4][2];		/* ... its (node, endpoint) ones */
	int	nmc_life;		/* (Multi Channel Association) */
	uint32_t wakeup;		/* interval set */
	uint8_t	wakeup_node;
	int	asleep;			/* a sleeping node between wake-ups */
	int	nmi;			/* No More Information heard */
	int	sv_status;		/* Supervision Report status */
	int	deaf;			/* does not acknowledge */
	int	nonce_gets;		/* S0 Nonce Get heard */
	int	ep_plain;		/* endpoints without Supervision */
	int	sv_no_final;		/* WORKING, and never a final report */
	uint8_t	level, target;		/* a dimmer: now, and asked for */
	uint8_t	ramp_s;			/* its ramp: level halfway till done */
	int	ramp_v1;		/* its report: level only (version 1) */
	int	multi;			/* a v5 multi-sensor and v4 meter */
};

extern struct zw_stick	the_stick;
extern struct zw_req	reqs[MAX_REQS];
extern int		nreqs, refuse;
extern int		max_reqs;	/* the most recorded at once */
extern int		soft_resets;	/* zw_stick_soft_reset() calls */
extern int		fake_busy;	/* zw_stick_busy() answers this */
extern unsigned		opened;		/* port openings (stick_startup) */
extern struct slave	S;
extern char		dir[];
extern int		with_node9;	/* the stick lists node 9 (included) */
extern struct simnode	sim[ZW_MAX_NODES + 1];
extern int		sent[ZW_MAX_NODES + 1];	/* SendData per node */

/* Take the oldest recorded request (the order they were submitted). */
int	take(struct zw_req *);
struct zw_frame frame(uint8_t type, uint8_t func, const uint8_t *, size_t);
/* Answer a request with a response (and for SendData a callback with
 * transmit status `tx`). */
void	answer(const struct zw_req *, const uint8_t *, size_t, int tx);
void	unsolicited(uint8_t func, const uint8_t *, size_t);
/* Node `node` sends command bytes `cmd` to us. */
void	from_node(uint8_t node, const uint8_t *cmd, size_t);
void	nif(uint8_t node, uint8_t generic, const uint8_t *cc, size_t ncc);
/* Fire an armed timer now (1), or 0 if it was not armed. */
int	fire(struct ev_timer *);
int	nif_timeout(void);
int	nif_awaited(void);
/* The start-up, answered as a stick with nodes 2 and 3 would. */
int	startup(void);
/* The same for the nodes in `mask`, generic classes from `generic`. */
int	stick_startup(const uint8_t mask[ZW_NODEMASK_LEN], uint8_t home,
	    uint8_t (*generic)(uint8_t node));
void	drain(void);
int	queued(Hd__Envelope__BodyCase, Hd__Envelope **);
int	pending(uint8_t func, int node);
void	sim_reply(uint8_t id, uint8_t ep, const uint8_t *, size_t);
void	sim_command(uint8_t id, uint8_t ep, const uint8_t *, size_t);
/* Answer every recorded request as the simulated nodes would. */
void	pump(void);
void	settle(void);
int	reports_of(const char *key);
int	progress_state(int *node);
void	status(uint8_t func, uint8_t st, uint8_t node, int info);
/* Include node `id` with classes `cc`, as the stick and node would. */
void	include_node(uint8_t id, uint8_t cap, const uint8_t *cc, size_t ncc);
/* The command's result status, or -1 when none came (yet). */
int	command(uint64_t id, const char *dev, const char *key, int b);
/* The last result for command `id`: its status or -1; detail in why. */
int	last_result(uint64_t id, char *why, size_t size);
/* Set up the slave and start Z-Wave on the fake stick (0 or -1); undo it. */
int	zwf_open(void);
void	zwf_close(void);

#endif
