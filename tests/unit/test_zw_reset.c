/*
 * Unit tests for the controller's soft resets (zw_ctrl.c) with zw_fake.c's
 * stick (a 7.18 library: a 700/800 stick): one at each opening of the
 * port, after GetVersion, then the start-up again; one after a jam that
 * outlasted the session's tries, not two for the same jam; and the
 * "zwave" fault, which a start-up (after the reset, or after the stick
 * came back) must not clear while the radio is still jammed.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_PARTS	/* zw_fake.c shares the count */
#include "check.h"
#include "wire.h"
#include "zw_fake.h"

/* The "zwave" subsystem faults queued for the master: how many raised
 * (active) and cleared; the last one's state in *last (-1: none). */
static void
faults(int *raised, int *cleared, int *last)
{
	const struct rq_item	*it;
	Hd__Envelope		*e;
	int			 i;

	*raised = *cleared = 0;
	*last = -1;
	for (i = 0; i < S.rq.count; i++) {
		it = &S.rq.items[(S.rq.head + i) % CLUSTER_REPLAY_QUEUE];
		e = (Hd__Envelope *)wire_unpack(&hd__envelope__descriptor,
		    it->data + WIRE_HDR_LEN, it->len - WIRE_HDR_LEN);
		if (e != NULL && e->body_case == HD__ENVELOPE__BODY_FAULT &&
		    e->fault->device_id[0] == '\0') {
			if (e->fault->active)
				(*raised)++;
			else
				(*cleared)++;
			*last = e->fault->active;
		}
		wire_free((ProtobufCMessage *)e);
	}
}

/* The start-up again on the same opening of the port (after a soft
 * reset the stick layer calls up(1), it does not reopen). */
static int
startup_same_opening(void)
{
	opened--;		/* stick_startup() counts an opening */
	return startup();
}

static void
drop_requests(void)
{
	nreqs = 0;
}

static void
test_at_open(void)
{
	CHECK(startup() == 0 && soft_resets == 1,
	    "a 7.18 stick: soft-reset once after GetVersion, the start-up "
	    "runs again and completes without a second reset");
	drop_requests();
	drain();
	the_stick.ops->up(the_stick.arg, 0, "port closed");
	CHECK(startup() == 0 && soft_resets == 2,
	    "the port opened again: soft-reset again, once");
	drop_requests();
	drain();
}

static void
test_jam(void)
{
	int raised, cleared, last;

	the_stick.ops->jammed(the_stick.arg, 1);
	faults(&raised, &cleared, &last);
	CHECK(raised == 1 && last == 1, "jammed: the zwave fault is raised");
	CHECK(soft_resets == 3, "and the stick is soft-reset");
	the_stick.ops->jammed(the_stick.arg, 1);
	CHECK(soft_resets == 3, "the same jam: no second reset");

	/* The stick restarts (our reset): the start-up runs again. */
	CHECK(startup_same_opening() == 0 && soft_resets == 3,
	    "the start-up after the reset: no reset at open again");
	faults(&raised, &cleared, &last);
	CHECK(cleared == 0 && last == 1,
	    "the stick ready again: the fault stays, the radio is jammed");

	/* The stick lost and back while still jammed. */
	drop_requests();
	the_stick.ops->up(the_stick.arg, 0, "port closed");
	CHECK(startup() == 0 && soft_resets == 4,
	    "the stick back: a new opening, soft-reset once");
	faults(&raised, &cleared, &last);
	CHECK(cleared == 0 && last == 1,
	    "the stick back while jammed: the fault still stays");

	the_stick.ops->jammed(the_stick.arg, 0);
	faults(&raised, &cleared, &last);
	CHECK(cleared == 1 && last == 0,
	    "a transmission gets out: the fault is cleared, once");
	drop_requests();
	drain();
	the_stick.ops->jammed(the_stick.arg, 1);
	CHECK(soft_resets == 5, "a new jam: soft-reset again");
	the_stick.ops->jammed(the_stick.arg, 0);
	drop_requests();
}

int
main(void)
{
	if (!CHECK(zwf_open() == 0, "zw_start"))
		return check_done();
	test_at_open();
	test_jam();
	zwf_close();
	return check_done();
}
