#ifndef HD_TEST_COMMAND_H
#define HD_TEST_COMMAND_H

/* What the two files of test_command share (test_command.c,
 * test_command_devtab.c). */

#include <stdint.h>

#include "../../slave/slave.h"

/* A fake driver's record of the commands it was given. */
struct fake {
	int		calls;
	uint64_t	last_id;
	uint32_t	last_pulse;
};

/* test_command.c */
extern struct slave		 S;
extern struct fake		 now_drv;
/* A driver that finishes each command at once, confirming its value. */
extern const struct dev_ops	 now_ops;

Hd__Value	 vb(int b);
Hd__Value	 vi(int64_t i);
/* Forget what is queued (as a master's ack would). */
void		 drain(void);
/* Unpack queued envelope i (0: oldest); wire_free() it. */
Hd__Envelope	*queued(int i);
int		 is_bool(const Hd__Value *v, int b);
void		 remove_all(void);

/* test_command_devtab.c */
void		 test_dev_new(void);
void		 test_dev_value(void);
void		 test_report_fault(void);
void		 test_announce(void);

#endif
