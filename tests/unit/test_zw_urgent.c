/*
 * Unit test for the session's urgent requests (slave/zwave/zw_session.c, used by
 * zw_sec.c): an S0 Nonce Report a node waits 1 s for goes ahead of every
 * request already queued, of either priority, but never interrupts the
 * one on the wire.
 */

#include <stdint.h>
#include <string.h>

#include "check.h"
#include "../../slave/zwave/zw.h"

static uint8_t	sent[16];	/* function ids, in the order written */
static int	nsent;
static uint64_t	now = 1000;

static int
t_write(void *arg, const uint8_t *b, size_t n)
{
	(void)arg;
	if (n > 3 && b[0] == ZW_SOF && nsent < 16)
		sent[nsent++] = b[3];
	return 0;
}

static void
t_unsol(void *arg, const struct zw_frame *f)
{
	(void)arg;
	(void)f;
}

static void
t_dead(void *arg)
{
	(void)arg;
}

static const struct zw_session_ops ops = { t_write, t_unsol, t_dead, NULL };

static void
done(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	(void)arg;
	(void)st;
	(void)res;
	(void)cb;
}

static int
submit(struct zw_session *s, uint8_t func, enum zw_prio prio, int urgent)
{
	struct zw_req	r;
	enum zw_status	st;

	memset(&r, 0, sizeof(r));
	r.func = func;
	r.want_res = 1;
	r.cb_idx = -1;
	r.prio = prio;
	r.urgent = urgent;
	r.done = done;
	return zw_session_submit(s, &r, now, &st);
}

/* The stick ACKs and answers the request on the wire. */
static void
answer(struct zw_session *s, uint8_t func)
{
	uint8_t	ack = ZW_ACK, f[ZW_MAX_FRAME], one = 1;
	size_t	n = zw_frame_encode(f, sizeof(f), ZW_RES, func, &one, 1);

	zw_session_input(s, &ack, 1, now);
	zw_session_input(s, f, n, now);
	/* Our ACK waits ZW_ACK_GAP_MS behind our frame, the next frame as
	 * long behind our ACK. */
	now += 100;
	zw_session_tick(s, now);
	now += 100;
	zw_session_tick(s, now);
}

int
main(void)
{
	struct zw_session	*s = zw_session_new(&ops, NULL, NULL);

	if (!CHECK(s != NULL, "session"))
		return check_done();
	submit(s, 0x15, ZW_PRIO_POLL, 0);	/* on the wire at once */
	submit(s, 0x20, ZW_PRIO_POLL, 0);
	submit(s, 0x07, ZW_PRIO_USER, 0);
	submit(s, 0x02, ZW_PRIO_USER, 0);
	submit(s, 0x41, ZW_PRIO_POLL, 1);	/* urgent, whatever its prio */
	CHECK(nsent == 1 && sent[0] == 0x15,
	    "the first request went out; the urgent one waits for it");
	answer(s, 0x15);
	CHECK(nsent == 2 && sent[1] == 0x41,
	    "then the urgent request goes before all queued");
	answer(s, 0x41);
	answer(s, 0x07);
	answer(s, 0x02);
	CHECK(nsent == 5 && sent[2] == 0x07 && sent[3] == 0x02 &&
	    sent[4] == 0x20, "the others keep their priorities and order");
	submit(s, 0x07, ZW_PRIO_USER, 0);
	submit(s, 0x60, ZW_PRIO_USER, 1);
	submit(s, 0x4a, ZW_PRIO_USER, 1);
	answer(s, 0x20);
	answer(s, 0x60);
	answer(s, 0x4a);
	CHECK(nsent == 8 && sent[5] == 0x60 && sent[6] == 0x4a &&
	    sent[7] == 0x07, "urgent requests keep their own order, "
	    "ahead of the others (two nodes waiting for nonces)");
	zw_session_free(s);
	return check_done();
}
