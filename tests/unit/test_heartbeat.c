/*
 * Unit tests for shared/heartbeat.c: liveness and the round-trip time.
 * Two ends with clocks of their own exchange heartbeats over a link of a
 * known one-way delay; the RTT each measures must be twice that delay,
 * not the delay plus the peer's wait until its next heartbeat.
 */

#include <stdint.h>
#include <string.h>

#include "check.h"
#include "heartbeat.h"

#define INTERVAL	1000
#define DELAY		7	/* one way, ms */

struct end {
	struct heartbeat	hb;
	uint64_t		offset;	/* this end's clock = world + offset */
	uint64_t		phase;	/* its first heartbeat, world time */
};

struct flight {
	Hd__Heartbeat	msg;
	uint64_t	arrive;		/* world time */
	int		to;		/* index of the receiving end */
	int		used;
};

/*
 * Runs both ends on a world clock for `ms` milliseconds, in 1 ms steps:
 * each end sends when hb_check says so, and each heartbeat arrives DELAY
 * ms later. At most a few heartbeats are in flight at once.
 */
static void
run(struct end e[2], uint64_t from, uint64_t ms)
{
	struct flight	f[8];
	uint64_t	t, wait;
	int		i, k;

	memset(f, 0, sizeof(f));
	for (t = from; t < from + ms; t++) {
		for (k = 0; k < 8; k++) {
			if (!f[k].used || f[k].arrive != t)
				continue;
			i = f[k].to;
			hb_heard(&e[i].hb, t + e[i].offset);
			hb_received(&e[i].hb, t + e[i].offset, &f[k].msg);
			f[k].used = 0;
		}
		for (i = 0; i < 2; i++) {
			if (t < e[i].phase ||
			    hb_check(&e[i].hb, t + e[i].offset, 3 * INTERVAL,
			    &wait) != HB_SEND)
				continue;
			for (k = 0; k < 8 && f[k].used; k++)
				;
			if (k == 8)
				return;
			hd__heartbeat__init(&f[k].msg);
			hb_fill(&e[i].hb, t + e[i].offset, INTERVAL, &f[k].msg);
			f[k].arrive = t + DELAY;
			f[k].to = !i;
			f[k].used = 1;
		}
	}
}

static void
test_rtt_excludes_the_wait(void)
{
	struct end e[2];

	memset(e, 0, sizeof(e));
	e[0].offset = 1000;
	e[1].offset = 5000000;	/* clocks far apart: only differences count */
	e[1].phase = 600;	/* the peer answers 600 ms after our beat */
	hb_start(&e[0].hb, e[0].offset);
	hb_start(&e[1].hb, e[1].offset + e[1].phase);
	run(e, 0, 5 * INTERVAL);
	CHECK(e[0].hb.rtt_ms == 2 * DELAY,
	    "rtt is twice the one-way delay, not the peer's wait (got %u)",
	    (unsigned)e[0].hb.rtt_ms);
	CHECK(e[1].hb.rtt_ms == 2 * DELAY,
	    "the other end measures the same (got %u)",
	    (unsigned)e[1].hb.rtt_ms);
}

static void
test_old_peer(void)
{
	struct heartbeat	h;
	Hd__Heartbeat		mine, theirs;

	hb_start(&h, 100);
	hd__heartbeat__init(&mine);
	hb_fill(&h, 100, INTERVAL, &mine);
	CHECK(mine.hold_ms == 0 && mine.echo_ms == 0,
	    "the first heartbeat echoes and holds nothing");
	/* A peer without hold_ms: the old measure, wait included. */
	hd__heartbeat__init(&theirs);
	theirs.sent_ms = 77;
	theirs.echo_ms = 100;
	hb_received(&h, 900, &theirs);
	CHECK(h.rtt_ms == 800, "a peer sending no hold: elapsed time");
	/* A hold longer than the trip is ignored, never negative. */
	theirs.echo_ms = 100;
	theirs.hold_ms = 5000;
	hb_received(&h, 950, &theirs);
	CHECK(h.rtt_ms == 850, "a hold longer than the trip is ignored");
	/* A stamp from our future is no measurement. */
	theirs.echo_ms = 2000;
	theirs.hold_ms = 0;
	hb_received(&h, 1000, &theirs);
	CHECK(h.rtt_ms == 850, "an echo from the future measures nothing");
	/* We hold the peer's stamp from its arrival to our next beat. */
	hb_fill(&h, 1234, INTERVAL, &mine);
	CHECK(mine.echo_ms == 77 && mine.hold_ms == 234,
	    "our heartbeat echoes the peer's stamp with the time held");
}

static void
test_check(void)
{
	struct heartbeat	h;
	Hd__Heartbeat		mine;
	uint64_t		wait;

	hb_start(&h, 1000);
	CHECK(hb_check(&h, 1000, 3000, &wait) == HB_SEND,
	    "a fresh link sends at once");
	hd__heartbeat__init(&mine);
	hb_fill(&h, 1000, INTERVAL, &mine);
	CHECK(hb_check(&h, 1400, 3000, &wait) == HB_WAIT && wait == 600,
	    "then waits for the next beat");
	CHECK(hb_check(&h, 2000, 3000, &wait) == HB_SEND, "beat due");
	hb_fill(&h, 2000, 10 * INTERVAL, &mine);
	CHECK(hb_check(&h, 3500, 3000, &wait) == HB_WAIT && wait == 500,
	    "the timer is armed for the silence timeout when it is earlier");
	CHECK(hb_check(&h, 4000, 3000, &wait) == HB_DEAD,
	    "a peer silent for the timeout is dead");
	hb_heard(&h, 3900);
	CHECK(hb_check(&h, 4000, 3000, &wait) == HB_WAIT,
	    "any frame heard keeps it alive");
}

int
main(void)
{
	test_rtt_excludes_the_wait();
	test_old_peer();
	test_check();
	return check_done();
}
