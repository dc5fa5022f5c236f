/* Unit tests for slave/dev/cmdmemo.c: recently executed command ids. */

#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "hdlimits.h"
#include "../../slave/slave.h"
#include "../../slave/link/link.h"

#define NR	CLUSTER_RECENT_CMDS
#define OK	HD__COMMAND_RESULT__STATUS__OK
#define RO	HD__COMMAND_RESULT__STATUS__READ_ONLY

/* A boolean value to remember (memo_add copies it). */
static const Hd__Value *
bv(int on)
{
	static Hd__Value v = HD__VALUE__INIT;

	v.v_case = HD__VALUE__V_B;
	v.b = on;
	return &v;
}

static int
memo_on(const struct cmd_memo *m)
{
	return m->value.v_case == HD__VALUE__V_B ? m->value.b : -1;
}

/* How many of ids first..last does the memo know, with the right data? */
static int
known(const struct slave *s, uint64_t first, uint64_t last)
{
	const struct cmd_memo	*m;
	uint64_t		 id;
	int			 n = 0;

	for (id = first; id <= last; id++)
		if ((m = memo_find(s, id)) != NULL && m->id == id &&
		    memo_on(m) == (int)(id & 1) &&
		    m->status == (id % 3 == 0 ? RO : OK))
			n++;
	return n;
}

static void
add_range(struct slave *s, uint64_t first, uint64_t last)
{
	uint64_t id;

	for (id = first; id <= last; id++)
		memo_add(s, id, id % 3 == 0 ? RO : OK, bv((int)(id & 1)));
}

int
main(void)
{
	struct slave		*s;
	const struct cmd_memo	*m;
	int			 next;

	if (!CHECK((s = calloc(1, sizeof(*s))) != NULL, "allocate a slave"))
		return check_done();
	s->up = &link_uplink;

	CHECK(memo_find(s, 1) == NULL, "empty memo knows nothing");
	CHECK(memo_find(s, 0) == NULL,
	    "id 0 is never found, though empty slots hold 0");

	memo_add(s, 5, HD__COMMAND_RESULT__STATUS__TIMEOUT, bv(1));
	m = memo_find(s, 5);
	CHECK(m != NULL && m->id == 5 &&
	    m->status == HD__COMMAND_RESULT__STATUS__TIMEOUT && memo_on(m) == 1,
	    "memo_find after memo_add returns id, status and value");
	CHECK(memo_find(s, 6) == NULL && memo_find(s, 4) == NULL,
	    "other ids are unknown");
	CHECK(s->memo_next == 1, "one slot used");

	next = s->memo_next;
	memo_add(s, 0, OK, bv(1));
	CHECK(s->memo_next == next, "id 0 is never stored (no slot used)");
	CHECK(memo_find(s, 0) == NULL, "id 0 still not found");
	CHECK(memo_find(s, 5) != NULL, "id 5 still known");

	memo_add(s, UINT64_MAX, HD__COMMAND_RESULT__STATUS__BUSY, bv(0));
	m = memo_find(s, UINT64_MAX);
	CHECK(m != NULL && m->status == HD__COMMAND_RESULT__STATUS__BUSY,
	    "id UINT64_MAX is stored");

	/* Start over: fill exactly CLUSTER_RECENT_CMDS. */
	free(s);
	if (!CHECK((s = calloc(1, sizeof(*s))) != NULL, "allocate a slave"))
		return check_done();
	add_range(s, 1, NR);
	CHECK(known(s, 1, NR) == NR, "all CLUSTER_RECENT_CMDS (%d) ids known",
	    NR);
	CHECK(s->memo_next == 0, "the ring is full and back at slot 0");

	memo_add(s, NR + 1, OK, bv((NR + 1) & 1));
	CHECK(memo_find(s, 1) == NULL, "one more forgets the oldest (1)");
	CHECK(known(s, 2, NR) == NR - 1 && memo_find(s, NR + 1) != NULL,
	    "ids 2..%d still known", NR + 1);

	add_range(s, NR + 2, 3 * NR + 5);
	CHECK(known(s, 1, 2 * NR + 5) == 0,
	    "after wrapping twice, ids 1..%d are forgotten", 2 * NR + 5);
	CHECK(known(s, 2 * NR + 6, 3 * NR + 5) == NR,
	    "the last CLUSTER_RECENT_CMDS ids (%d..%d) are known",
	    2 * NR + 6, 3 * NR + 5);
	CHECK(memo_find(s, 3 * NR + 6) == NULL, "a future id is unknown");
	CHECK(s->memo_next >= 0 && s->memo_next < NR,
	    "memo_next stays inside the ring");

	/* id 0 in between does not disturb the ring. */
	next = s->memo_next;
	memo_add(s, 0, OK, bv(0));
	CHECK(s->memo_next == next && known(s, 2 * NR + 6, 3 * NR + 5) == NR,
	    "adding id 0 to a full ring forgets nothing");

	free(s);
	return check_done();
}
