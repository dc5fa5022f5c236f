/* hd-zwsim's pieces: the stick (tests/tools/zwsim.c), its simulated
 * nodes (zwsim_node.c), their thermostat and colour classes
 * (zwsim_cc.c) and the S0 door lock (zwsim_s0.c). */
#ifndef HD_ZWSIM_H
#define HD_ZWSIM_H

#include <stddef.h>
#include <stdint.h>

#define ZWSIM_OWN_ID	1
#define ZWSIM_HOME_ID	0xc0ffee01u
#define ZWSIM_LOCK_ID	6	/* the S0 door lock */
#define ZWSIM_CMD_MAX	64	/* a command a node sends */
#define MAX_CCS		8
#define MAX_SIMNODES	64	/* -n 40: a 40-node network and more */
#define MAX_EPS		4	/* Multi Channel endpoints of one node */
#define SIM_GROUPS	3	/* association groups of one node */
#define SIM_GROUP_MAX	4	/* nodes in a group but the lifeline */

struct simnode {
	uint8_t	id, generic, specific;
	uint8_t	cc[MAX_CCS];
	uint8_t	on, level, motion, battery, deaf, mute;
	int16_t	temp;		/* °C x 10 */
	/* management classes (mgmt_command) */
	uint8_t	sleepy, asleep;		/* not listening; between wake-ups */
	uint8_t	endpoints, ep_on[MAX_EPS + 1];
	/* Association groups 1..SIM_GROUPS: group 1 the lifeline (one
	 * node, a Set replaces it), the others SIM_GROUP_MAX nodes each */
	uint8_t	group[SIM_GROUPS][SIM_GROUP_MAX], ngroup[SIM_GROUPS];
	uint32_t wakeup;		/* interval, s */
	uint8_t	wakeup_node;
	uint8_t	sv_status;		/* Supervision Report status */
	uint8_t	failed;			/* in the stick's failed list */
	/* Configuration (0x70, version cfg_v, 4 unless set): parameter 1
	 * "LED brightness" 1 byte 0..99, 2 "Report interval" 2 bytes
	 * 30..3600; cfg_set: values set (else the defaults 50, 300) */
	uint8_t	cfg_v, cfg_set;
	int32_t	cfg[3];
	/* Thermostat and Color Switch (zwsim_cc.c): mode, operating state,
	 * setpoints by type (tenths of °C), colour components */
	uint8_t	tmode, tstate, fahrenheit, nosetsup;
	int16_t	setpoint[16];
	uint8_t	color[9];
};

/* zwsim_node.c: the network's nodes (the lock, fifth, counted only with
 * -l), the one waiting to join. */
extern struct simnode	zwsim_nodes[MAX_SIMNODES];
extern size_t		zwsim_nnodes;
extern struct simnode	zwsim_joiner;

struct simnode	*zwsim_find(uint8_t id);
/* -n N: N more binary switches, node ids from 7 up; -1 if too many. */
int	zwsim_add_switches(int n);
/* Node `n` sends its report of class `cc` (unless muted). */
void	zwsim_report(const struct simnode *n, uint8_t cc);
/* A command from the controller: act on a SET, answer it or a GET. */
void	zwsim_node_command(struct simnode *n, const uint8_t *c, size_t len);
/* A control line that acts on one node; 1 if it was one. */
int	zwsim_node_control(const char *line);

/* zwsim_cc.c: a thermostat's or colour light's command; 1 if taken.
 * A control line of theirs for node `n`; 1 if it was one. */
int	zwsim_cc_command(struct simnode *n, const uint8_t *c, size_t len);
int	zwsim_cc_control(struct simnode *n, const char *word, const char *line);

/* zwsim.c: node `node` sends `cmd` to the controller (0x04). */
void	zwsim_send(uint8_t node, const uint8_t *cmd, size_t len);
/* zwsim.c: an ApplicationUpdate (0x49) with this payload. */
void	zwsim_update(const uint8_t *pl, size_t len);

/* zwsim_s2.c: SmartStart devices (S2) and the stick's SmartStart. A
 * command the controller sent `node`, 1 if a SmartStart device took it;
 * AddNodeToNetwork `mode` (payload p, n bytes), 1 if it was listen mode
 * (no callback); the poll timeout its announcements need, ms, or -1; a
 * control line ("smartstart N KEYS"), 1 if it was one. */
int	zwsim_s2_command(uint8_t node, const uint8_t *cmd, size_t len);
int	zwsim_ss_mode(uint8_t mode, const uint8_t *p, size_t n);
int	zwsim_ss_tick(void);
int	zwsim_s2_control(const char *line);

/* zwsim_s0.c: a command the controller sent to `node`; 1 if the S0 lock
 * took it (it is that node and the class is Security, Door Lock or
 * Manufacturer Specific), else 0. */
int	zwsim_s0_command(uint8_t node, const uint8_t *cmd, size_t len);
/* Does the lock answer before the stick's SendData callback goes? */
int	zwsim_s0_early(uint8_t node);
/* The lock's own time (a Nonce Get left unanswered): the poll timeout
 * it needs next, ms, or -1. */
int	zwsim_s0_tick(void);
/* A control line for the lock; 1 if it was one. */
int	zwsim_s0_control(const char *line);
/* `node` left the network: the lock forgets its network key. */
void	zwsim_s0_left(uint8_t node);
/* `node` joined (AddNodeToNetwork): the lock takes a key only now. */
void	zwsim_s0_joined(uint8_t node);

/* zwsim_nvm.c: the stick's NVM (backup and restore). */
#define ZWSIM_HOME_ID	0xc0ffee01u
#define ZWSIM_NVM_OPS	0x2e	/* 500 series: 16-bit addresses */
#define ZWSIM_NVM_EXT	0x3d	/* 700 series (-7): 32-bit */
struct zw_frame;
extern int	zwsim_sdk7;		/* -7: a 700/800 stick */
/* An NVM request (0x2E or 0x3D as the stick's series has): 1 if taken. */
int	zwsim_nvm_request(const struct zw_frame *);
/* Set the NVM function's bit in GetCapabilities' function bitmask. */
void	zwsim_nvm_caps(uint8_t mask[32]);
/* zwsim.c: a response frame to the host. */
void	zwsim_answer(uint8_t func, const uint8_t *pl, size_t n);
/* zwsim_ts.c: Transport Service. A control line ("ts N TEMP LOSE"); a
 * Transport Service command from the host to `node`: 1 if taken. */
int	zwsim_ts_control(const char *line);
int	zwsim_ts_command(uint8_t node, const uint8_t *cmd, size_t len);

#endif
