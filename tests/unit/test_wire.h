#ifndef HD_TEST_WIRE_H
#define HD_TEST_WIRE_H

/* What the two files of test_wire share (test_wire.c,
 * test_wire_budget.c). */

#include "wire.h"

#define ENV	(&hd__envelope__descriptor)
#define INMAX	(WIRE_HDR_LEN + WIRE_MAX_FRAME)

/* test_wire_budget.c */
void	test_budget(void);

#endif
