/* hd-zwsim's pieces (tests/tools/zwsim.c and the S0 door lock in
 * zwsim_s0.c). */
#ifndef HD_ZWSIM_H
#define HD_ZWSIM_H

#include <stddef.h>
#include <stdint.h>

#define ZWSIM_OWN_ID	1
#define ZWSIM_LOCK_ID	6	/* the S0 door lock */
#define ZWSIM_CMD_MAX	64	/* a command a node sends */

/* zwsim.c: node `node` sends `cmd` to the controller (0x04). */
void	zwsim_send(uint8_t node, const uint8_t *cmd, size_t len);

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

#endif
