/*
 * libFuzzer harness for the Z-Wave session (slave/zwave/zw_session.c): the
 * input is what a broken or hostile stick sends, cut into chunks; between
 * chunks the fake clock jumps and requests (some wanting callbacks) are
 * submitted, so responses, callbacks and unsolicited frames land in every
 * state. Every request must be finished exactly once.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../slave/zwave/zw.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct zw_session	*S;
static uint64_t			 now;
static int			 submitted, finished;

static int
f_write(void *arg, const uint8_t *b, size_t n)
{
	(void)arg;
	if (n == 0 || n > ZW_MAX_FRAME)
		abort();
	(void)b;
	return 0;
}

static void
f_unsol(void *arg, const struct zw_frame *f)
{
	(void)arg;
	if (f->len > ZW_MAX_PAYLOAD)
		abort();
}

static void
f_dead(void *arg)
{
	(void)arg;
	zw_session_set_down(S, 1, now);
	zw_session_set_down(S, 0, now);
}

static void
f_done(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	(void)arg;
	(void)st;
	if ((res != NULL && res->len > ZW_MAX_PAYLOAD) ||
	    (cb != NULL && cb->len > ZW_MAX_PAYLOAD))
		abort();
	finished++;
}

static const struct zw_session_ops ops = { f_write, f_unsol, f_dead, NULL };

static void
submit(uint8_t sel)
{
	static const uint8_t funcs[] = { ZW_FN_GET_VERSION, ZW_FN_SEND_DATA,
	    ZW_FN_GET_INIT_DATA, ZW_FN_GET_NODE_PROTOCOL_INFO };
	struct zw_req	r;
	enum zw_status	st;

	memset(&r, 0, sizeof(r));
	r.func = funcs[sel & 3];
	r.want_res = 1;
	r.cb_idx = r.func == ZW_FN_SEND_DATA ? 3 : -1;
	r.len = 4;
	r.prio = (sel & 4) ? ZW_PRIO_USER : ZW_PRIO_POLL;
	r.done = f_done;
	if (zw_session_submit(S, &r, now, &st) == 0)
		submitted++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t	off = 0, n;

	now = 1;
	submitted = finished = 0;
	if ((S = zw_session_new(&ops, NULL, NULL)) == NULL)
		return 0;
	/* Chunk header: length (low 5 bits + 1), submit flag, clock jump. */
	while (off + 2 <= size) {
		n = (size_t)(data[off] & 31) + 1;
		if (data[off] & 0x80)
			submit(data[off + 1]);
		now += (uint64_t)(data[off] & 0x60) * data[off + 1];
		zw_session_tick(S, now);
		off += 2;
		if (n > size - off)
			n = size - off;
		zw_session_input(S, data + off, n, now);
		off += n;
	}
	zw_session_free(S);
	if (finished != submitted)
		abort();
	return 0;
}
