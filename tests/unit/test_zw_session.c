/*
 * Unit tests for slave/zwave/zw_session.c with a fake clock: the test plays the
 * stick, reading what the session writes and answering with bytes.
 */

#include <stdint.h>
#include <string.h>

#include "check.h"
#include "../../slave/zwave/zw.h"

#define MAXW	64

static struct {
	uint8_t		w[MAXW][ZW_MAX_FRAME];	/* each write() */
	size_t		wlen[MAXW];
	int		nw;
	int		unsol, unsol_func, dead;
	int		jam_on, jam_off;
	int		ndone;
	enum zw_status	st[16];
	int		order[16];
	uint8_t		res0[16], cb1[16];
} T;

static uint64_t		 now;
static struct zw_session *S;

static int
t_write(void *arg, const uint8_t *b, size_t n)
{
	(void)arg;
	if (T.nw < MAXW && n <= ZW_MAX_FRAME) {
		memcpy(T.w[T.nw], b, n);
		T.wlen[T.nw] = n;
	}
	T.nw++;
	return 0;
}

static void
t_unsol(void *arg, const struct zw_frame *f)
{
	(void)arg;
	T.unsol++;
	T.unsol_func = f->func;
}

static void
t_dead(void *arg)
{
	(void)arg;
	T.dead++;
	zw_session_set_down(S, 1, now);
}

static void
t_jammed(void *arg, int jammed)
{
	(void)arg;
	if (jammed)
		T.jam_on++;
	else
		T.jam_off++;
}

static const struct zw_session_ops ops = {
	t_write, t_unsol, t_dead, t_jammed,
};

static void
done(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	int i = T.ndone++;

	if (i >= 16)
		return;
	T.st[i] = st;
	T.order[i] = (int)(intptr_t)arg;
	T.res0[i] = res != NULL && res->len > 0 ? res->payload[0] : 0xee;
	T.cb1[i] = cb != NULL && cb->len > 1 ? cb->payload[1] : 0xee;
}

static void
reset(void)
{
	struct zw_timing t;

	zw_session_free(S);
	memset(&T, 0, sizeof(T));
	now = 1000;
	zw_timing_default(&t);
	t.ack_ack_ms = 0;	/* frames back to back: see test_ack_gap */
	S = zw_session_new(&ops, NULL, &t);
}

/* Advance the fake clock to the session's next deadline (bounded). */
static void
run_to_next(void)
{
	uint64_t n = zw_session_next(S);

	if (n != ZW_NO_DEADLINE && n > now)
		now = n;
	zw_session_tick(S, now);
}

static void
stick_bytes(const uint8_t *b, size_t n)
{
	zw_session_input(S, b, n, now);
}

static void
stick_byte(uint8_t b)
{
	stick_bytes(&b, 1);
}

static void
stick_frame(uint8_t type, uint8_t func, const uint8_t *pl, size_t n)
{
	uint8_t	out[ZW_MAX_FRAME];
	size_t	len = zw_frame_encode(out, sizeof(out), type, func, pl, n);

	stick_bytes(out, len);
}

static int
submit(uint8_t func, int want_res, int cb_idx, enum zw_prio prio, int tag)
{
	struct zw_req	r;
	enum zw_status	st;

	memset(&r, 0, sizeof(r));
	r.func = func;
	r.want_res = want_res;
	r.cb_idx = cb_idx;
	r.len = cb_idx >= 0 ? (size_t)cb_idx + 1 : 0;
	r.prio = prio;
	r.done = done;
	r.arg = (void *)(intptr_t)tag;
	return zw_session_submit(S, &r, now, &st) == 0 ? 0 : (int)st;
}

/* Function id of write i if it is a frame, else -1. */
static int
wfunc(int i)
{
	return i < T.nw && T.wlen[i] >= 5 && T.w[i][0] == ZW_SOF ?
	    T.w[i][3] : -1;
}

static int
wbyte(int i)
{
	return i < T.nw && T.wlen[i] == 1 ? T.w[i][0] : -1;
}

static void
test_basic(void)
{
	static const uint8_t ver[] = { 'Z', '-', 'W', 0, 1 };

	reset();
	CHECK(submit(ZW_FN_GET_VERSION, 1, -1, ZW_PRIO_POLL, 1) == 0,
	    "request queued");
	CHECK(T.nw == 1 && wfunc(0) == ZW_FN_GET_VERSION && T.wlen[0] == 5,
	    "request written at once as one whole frame");
	CHECK(T.ndone == 0, "done not called from submit");
	stick_byte(ZW_ACK);
	stick_frame(ZW_RES, ZW_FN_GET_VERSION, ver, sizeof(ver));
	CHECK(wbyte(1) == ZW_ACK && T.nw == 2,
	    "response ACKed with a single-byte write");
	CHECK(T.ndone == 1 && T.st[0] == ZW_OK && T.res0[0] == 'Z',
	    "done with the response");
	CHECK(zw_session_queued(S) == 0 && zw_session_next(S) == ZW_NO_DEADLINE,
	    "idle afterwards: nothing queued, no deadline");
}

static void
test_retries(void)
{
	reset();
	submit(ZW_FN_GET_VERSION, 1, -1, ZW_PRIO_POLL, 1);
	stick_byte(ZW_NAK);
	CHECK(T.nw == 1, "no retransmission before the back-off");
	CHECK(zw_session_next(S) == now + 100,
	    "first back-off is 100 ms (host spec: 100 ms + n x 1 s, n = 0)");
	run_to_next();
	CHECK(T.nw == 2 && wfunc(1) == ZW_FN_GET_VERSION,
	    "retransmitted after NAK");
	stick_byte(ZW_CAN);
	CHECK(zw_session_next(S) == now + 100 + 1000,
	    "second back-off is 100 ms + 1 s");
	run_to_next();
	CHECK(T.nw == 3, "retransmitted after CAN");
	stick_byte(ZW_NAK);
	CHECK(T.ndone == 1 && T.st[0] == ZW_ERR_NOACK,
	    "third refusal fails the request: not acknowledged");
	CHECK(zw_session_stats(S)->retransmits == 2, "two retransmissions");

	/* ACK timeouts, then success on the third try. */
	reset();
	submit(ZW_FN_GET_VERSION, 1, -1, ZW_PRIO_POLL, 1);
	CHECK(zw_session_next(S) == now + ZW_ACK_TIMEOUT_MS,
	    "ACK deadline armed");
	run_to_next();		/* ACK timeout */
	run_to_next();		/* back-off: resend */
	CHECK(T.nw == 2, "retransmitted after ACK timeout");
	run_to_next();
	run_to_next();
	CHECK(T.nw == 3, "and again");
	stick_byte(ZW_ACK);
	stick_frame(ZW_RES, ZW_FN_GET_VERSION, (const uint8_t *)"x", 1);
	CHECK(T.ndone == 1 && T.st[0] == ZW_OK && T.dead == 0,
	    "third try answered: ok, two timeouts do not kill the stick");
}

static void
test_res_timeout(void)
{
	reset();
	submit(ZW_FN_GET_VERSION, 1, -1, ZW_PRIO_POLL, 1);
	stick_byte(ZW_ACK);
	CHECK(zw_session_next(S) == now + ZW_RES_TIMEOUT_MS,
	    "response deadline armed after ACK");
	run_to_next();
	CHECK(T.ndone == 1 && T.st[0] == ZW_ERR_NORES && T.nw == 1,
	    "no response: fails, not retransmitted");
	/* A late response is ACKed and ignored. */
	stick_frame(ZW_RES, ZW_FN_GET_VERSION, (const uint8_t *)"x", 1);
	CHECK(T.ndone == 1 && wbyte(1) == ZW_ACK,
	    "late response ACKed and dropped");
}

static void
test_callback(void)
{
	static const uint8_t one = 1;
	uint8_t	cb[4];
	int	id1;

	reset();
	submit(ZW_FN_SEND_DATA, 1, 0, ZW_PRIO_USER, 1);
	submit(ZW_FN_SEND_DATA, 1, 0, ZW_PRIO_USER, 2);
	submit(ZW_FN_GET_VERSION, 1, -1, ZW_PRIO_POLL, 3);
	id1 = T.w[0][4];
	CHECK(wfunc(0) == ZW_FN_SEND_DATA && id1 == 1,
	    "first SendData gets callback id 1");
	stick_byte(ZW_ACK);
	stick_frame(ZW_RES, ZW_FN_SEND_DATA, &one, 1);
	run_to_next();		/* ACK gap */
	CHECK(wfunc(2) == ZW_FN_GET_VERSION,
	    "while SendData awaits its callback, GetVersion goes, not "
	    "the second SendData");
	CHECK(zw_session_next(S) <= now + ZW_ACK_TIMEOUT_MS,
	    "deadlines stay bounded");
	/* An unsolicited frame while GetVersion is pending. */
	cb[0] = 0; cb[1] = 2; cb[2] = 2; cb[3] = 0x25;
	stick_frame(ZW_REQ, ZW_FN_APP_COMMAND, cb, 4);
	CHECK(T.unsol == 1 && T.unsol_func == ZW_FN_APP_COMMAND,
	    "ApplicationCommandHandler dispatched during a pending request");
	stick_frame(ZW_REQ, ZW_FN_APP_COMMAND_BRIDGE, cb, 4);
	stick_frame(ZW_REQ, ZW_FN_APP_UPDATE, cb, 4);
	CHECK(T.unsol == 3, "bridge 0xA8 and ApplicationUpdate 0x49 too");
	stick_byte(ZW_ACK);
	stick_frame(ZW_RES, ZW_FN_GET_VERSION, &one, 1);
	CHECK(T.ndone == 1 && T.order[0] == 3, "GetVersion done first");
	/* A callback with the wrong id is unsolicited, not ours. */
	cb[0] = (uint8_t)(id1 + 7); cb[1] = 0;
	stick_frame(ZW_REQ, ZW_FN_SEND_DATA, cb, 2);
	CHECK(T.ndone == 1 && T.unsol == 4, "wrong callback id not taken");
	cb[0] = (uint8_t)id1; cb[1] = 0x00;	/* TRANSMIT_COMPLETE_OK */
	stick_frame(ZW_REQ, ZW_FN_SEND_DATA, cb, 2);
	CHECK(T.ndone == 2 && T.order[1] == 1 && T.st[1] == ZW_OK &&
	    T.res0[1] == 1 && T.cb1[1] == 0,
	    "callback finishes the first SendData with response and callback");
	run_to_next();
	CHECK(wfunc(T.nw - 1) == ZW_FN_SEND_DATA && T.w[T.nw - 1][4] == 2,
	    "then the second SendData goes, callback id 2");
	stick_byte(ZW_ACK);
	cb[0] = 0;
	stick_frame(ZW_RES, ZW_FN_SEND_DATA, cb, 1);
	CHECK(T.ndone == 3 && T.st[2] == ZW_ERR_REFUSED,
	    "response 0 (not queued) refuses it without waiting");

	/* Callback timeout of a request that is not SendData. */
	submit(ZW_FN_REQUEST_NODE_INFO, 1, 0, ZW_PRIO_USER, 4);
	run_to_next();
	stick_byte(ZW_ACK);
	stick_frame(ZW_RES, ZW_FN_REQUEST_NODE_INFO, &one, 1);
	CHECK(zw_session_next(S) == now + ZW_CB_TIMEOUT_MS,
	    "callback deadline is ZW_CB_TIMEOUT_MS (65 s)");
	run_to_next();
	CHECK(T.ndone == 4 && T.st[3] == ZW_ERR_NOCB, "no callback: fails");
}

/* A SendData with no callback is aborted after ZW_SEND_ABORT_MS, not
 * waited for 65 s: SendDataAbort goes out ahead of the queue, and the
 * callback the stick then sends ends it; with none, it fails
 * ZW_ABORT_CB_MS later. */
static void
test_send_abort(void)
{
	static const uint8_t one = 1;
	uint8_t		cb[2];
	uint64_t	sent;
	int		before, i, aborts;

	reset();
	submit(ZW_FN_SEND_DATA, 1, 0, ZW_PRIO_USER, 1);
	stick_byte(ZW_ACK);
	stick_frame(ZW_RES, ZW_FN_SEND_DATA, &one, 1);
	sent = now;
	submit(ZW_FN_SEND_DATA, 1, 0, ZW_PRIO_USER, 2);
	submit(ZW_FN_GET_VERSION, 1, -1, ZW_PRIO_POLL, 3);
	run_to_next();		/* ACK gap: GetVersion goes */
	stick_byte(ZW_ACK);
	stick_frame(ZW_RES, ZW_FN_GET_VERSION, &one, 1);
	before = T.nw;
	run_to_next();
	CHECK(now == sent + ZW_SEND_ABORT_MS && T.ndone == 1,
	    "nothing more is due before ZW_SEND_ABORT_MS (20 s)");
	CHECK(T.nw == before + 1 && wfunc(before) == ZW_FN_SEND_DATA_ABORT &&
	    T.wlen[before] == 5,
	    "then SendDataAbort goes, no payload, ahead of the queued SendData");
	CHECK(zw_session_stats(S)->aborts == 1, "counted in the stats");
	stick_byte(ZW_ACK);
	CHECK(T.ndone == 1 && zw_session_queued(S) == 2,
	    "the abort ends at its ACK (it has no response), the SendData "
	    "still waits");
	cb[0] = T.w[0][4];
	cb[1] = 0x01;		/* TRANSMIT_COMPLETE_NO_ACK */
	stick_frame(ZW_REQ, ZW_FN_SEND_DATA, cb, 2);
	CHECK(T.ndone == 2 && T.order[1] == 1 && T.st[1] == ZW_OK &&
	    T.cb1[1] == 0x01,
	    "the stick's callback ends the SendData with its failed status");
	run_to_next();
	CHECK(wfunc(T.nw - 1) == ZW_FN_SEND_DATA,
	    "the queued SendData goes right after, not 65 s later");

	/* The stick sends no callback even after the abort. */
	stick_byte(ZW_ACK);
	stick_frame(ZW_RES, ZW_FN_SEND_DATA, &one, 1);
	sent = now;
	aborts = 0;
	for (i = 0; i < 10 && T.ndone == 2; i++) {
		before = T.nw;
		run_to_next();
		if (T.nw > before && wfunc(before) == ZW_FN_SEND_DATA_ABORT) {
			aborts++;
			stick_byte(ZW_ACK);
		}
	}
	CHECK(aborts == 1 && T.ndone == 3 && T.order[2] == 2 &&
	    T.st[2] == ZW_ERR_NOCB &&
	    now == sent + ZW_SEND_ABORT_MS + ZW_ABORT_CB_MS,
	    "one abort, then ZW_ERR_NOCB ZW_ABORT_CB_MS later (30 s in all)");
}

/* The stick takes the SendData (RES 1) and calls back with TX status
 * `tx`: the callback id is the frame's payload[0] (submit's cb_idx 0). */
static void
send_and_call_back(uint8_t tx)
{
	static const uint8_t one = 1;
	uint8_t cb[2];

	cb[0] = T.w[T.nw - 1][4];
	cb[1] = tx;
	stick_byte(ZW_ACK);
	stick_frame(ZW_RES, ZW_FN_SEND_DATA, &one, 1);
	stick_frame(ZW_REQ, ZW_FN_SEND_DATA, cb, 2);
}

/* TX status FAIL (jammed radio) and ROUTING_NOT_IDLE: the frame never
 * left the stick, so the node is not to blame. The SendData goes again
 * after ZW_JAM_BACKOFF_MS times the failures, ZW_JAM_TRIES times in all,
 * nothing else's SendData meanwhile; then it fails ZW_ERR_JAMMED and the
 * radio is reported jammed until a transmission leaves the stick. */
static void
test_jam(void)
{
	uint64_t t0;
	int	 i, sends = 1;

	reset();
	submit(ZW_FN_SEND_DATA, 1, 0, ZW_PRIO_POLL, 1);
	submit(ZW_FN_SEND_DATA, 1, 0, ZW_PRIO_USER, 2);
	send_and_call_back(ZW_TX_FAIL);
	t0 = now;
	CHECK(T.ndone == 0 && T.jam_on == 0 &&
	    zw_session_next(S) == t0 + ZW_JAM_BACKOFF_MS,
	    "FAIL: not finished, sent again ZW_JAM_BACKOFF_MS (1 s) later");
	CHECK(zw_session_queued(S) == 2 && zw_session_stats(S)->jams == 1,
	    "it stays counted in the queue; the stats count the jam");
	for (i = 2; i <= ZW_JAM_TRIES; i++) {
		run_to_next();
		CHECK(now == t0 + ZW_JAM_BACKOFF_MS * (uint64_t)(i - 1) &&
		    wfunc(T.nw - 1) == ZW_FN_SEND_DATA &&
		    T.w[T.nw - 1][4] == i,
		    "try %d: the same SendData (callback id %d), not the "
		    "user's one waiting", i, i);
		sends++;
		t0 = now;
		send_and_call_back(ZW_TX_FAIL);
	}
	CHECK(sends == ZW_JAM_TRIES && T.ndone == 1 && T.order[0] == 1 &&
	    T.st[0] == ZW_ERR_JAMMED && T.cb1[0] == ZW_TX_FAIL,
	    "after %d tries it fails ZW_ERR_JAMMED (not the node's NO_ACK)",
	    ZW_JAM_TRIES);
	CHECK(T.jam_on == 1 && T.jam_off == 0, "and the radio is jammed");
	run_to_next();
	CHECK(wfunc(T.nw - 1) == ZW_FN_SEND_DATA, "the next SendData goes");
	send_and_call_back(ZW_TX_NO_ACK);
	CHECK(T.ndone == 2 && T.st[1] == ZW_OK && T.cb1[1] == ZW_TX_NO_ACK &&
	    T.jam_off == 1, "a NO_ACK left the stick: no longer jammed, the "
	    "node's own NO_ACK is handed on at once");

	/* Routing busy once, then it goes. */
	submit(ZW_FN_SEND_DATA, 1, 0, ZW_PRIO_USER, 3);
	run_to_next();
	send_and_call_back(ZW_TX_NOT_IDLE);
	CHECK(T.ndone == 2, "ROUTING_NOT_IDLE: sent again later");
	run_to_next();
	send_and_call_back(ZW_TX_OK);
	CHECK(T.ndone == 3 && T.st[2] == ZW_OK && T.cb1[2] == ZW_TX_OK &&
	    T.jam_on == 1, "then delivered; routing busy is no jam");
	for (i = 0; i < ZW_JAM_TRIES; i++) {
		if (i == 0)
			submit(ZW_FN_SEND_DATA, 1, 0, ZW_PRIO_USER, 4);
		run_to_next();
		send_and_call_back(ZW_TX_NOT_IDLE);
	}
	CHECK(T.ndone == 4 && T.st[3] == ZW_ERR_ROUTE_BUSY && T.jam_on == 1,
	    "busy routing every time: ZW_ERR_ROUTE_BUSY, not a jam");

	/* A SendData we aborted ends with its FAIL callback: not resent. */
	submit(ZW_FN_SEND_DATA, 1, 0, ZW_PRIO_USER, 5);
	run_to_next();
	i = T.w[T.nw - 1][4];
	stick_byte(ZW_ACK);
	stick_frame(ZW_RES, ZW_FN_SEND_DATA, (const uint8_t *)"\1", 1);
	run_to_next();
	CHECK(wfunc(T.nw - 1) == ZW_FN_SEND_DATA_ABORT, "a stuck one aborted");
	stick_byte(ZW_ACK);
	stick_frame(ZW_REQ, ZW_FN_SEND_DATA,
	    (const uint8_t []){ (uint8_t)i, ZW_TX_FAIL }, 2);
	CHECK(T.ndone == 5 && T.st[4] == ZW_OK && T.cb1[4] == ZW_TX_FAIL &&
	    zw_session_queued(S) == 0,
	    "its FAIL callback ends it: an aborted send is not sent again");
}

static void
test_cb_ids(void)
{
	static const uint8_t one = 1;
	uint8_t	cb[2] = { 0, 0 };
	int	i, zero = 0, wrapped = 0;

	reset();
	for (i = 0; i < 300; i++) {
		submit(ZW_FN_SEND_DATA, 1, 0, ZW_PRIO_USER, i);
		if (T.nw == 0)
			run_to_next();	/* ACK gap after the last callback */
		cb[0] = T.w[T.nw - 1][4];
		zero += cb[0] == 0;
		wrapped += cb[0] == 1 && i > 0;
		stick_byte(ZW_ACK);
		stick_frame(ZW_RES, ZW_FN_SEND_DATA, &one, 1);
		stick_frame(ZW_REQ, ZW_FN_SEND_DATA, cb, 2);
		T.nw = 0;
	}
	CHECK(zero == 0 && wrapped == 1, "callback ids wrap 255 -> 1, never 0");
	CHECK(T.ndone == 300, "300 SendData done (%d)", T.ndone);
}

static void
test_priorities_and_bounds(void)
{
	int i, full = 0, ok = 0;

	reset();
	submit(ZW_FN_GET_VERSION, 1, -1, ZW_PRIO_POLL, 1);	/* on the wire */
	submit(ZW_FN_GET_INIT_DATA, 1, -1, ZW_PRIO_POLL, 2);
	submit(ZW_FN_MEMORY_GET_ID, 1, -1, ZW_PRIO_USER, 3);
	stick_byte(ZW_ACK);
	stick_frame(ZW_RES, ZW_FN_GET_VERSION, (const uint8_t *)"x", 1);
	run_to_next();
	CHECK(wfunc(T.nw - 1) == ZW_FN_MEMORY_GET_ID,
	    "a user request overtakes queued polling");
	for (i = 0; i < ZW_QUEUE_MAX + 5; i++) {
		if (submit(ZW_FN_GET_VERSION, 1, -1, ZW_PRIO_POLL, 9) ==
		    ZW_ERR_FULL)
			full++;
		else
			ok++;
	}
	CHECK(zw_session_queued(S) == ZW_QUEUE_MAX - ZW_QUEUE_RESERVE &&
	    full > 0, "polls stop at ZW_QUEUE_MAX - ZW_QUEUE_RESERVE, then "
	    "ZW_ERR_FULL (%d refused)", full);
	CHECK(submit(ZW_FN_GET_VERSION, 1, -1, ZW_PRIO_USER, 9) == ZW_OK,
	    "the reserve takes a user request past the polls");
	for (i = 1; i < ZW_QUEUE_RESERVE; i++)
		submit(ZW_FN_GET_VERSION, 1, -1, ZW_PRIO_USER, 9);
	CHECK(zw_session_queued(S) == ZW_QUEUE_MAX &&
	    submit(ZW_FN_GET_VERSION, 1, -1, ZW_PRIO_USER, 9) == ZW_ERR_FULL,
	    "bounded at ZW_QUEUE_MAX for all, then ZW_ERR_FULL");
	CHECK(submit(ZW_FN_GET_VERSION, 1, 300, ZW_PRIO_POLL, 9) ==
	    ZW_ERR_INVAL, "callback index past the payload refused");
}

static void
test_garbage_and_nak(void)
{
	static const uint8_t junk[] = { 0xff, 0x42, 0x01, 0x02, 0x00 };
	uint8_t	out[ZW_MAX_FRAME];
	size_t	n;

	reset();
	submit(ZW_FN_GET_VERSION, 1, -1, ZW_PRIO_POLL, 1);
	stick_bytes(junk, sizeof(junk));
	stick_byte(ZW_ACK);
	n = zw_frame_encode(out, sizeof(out), ZW_RES, ZW_FN_GET_VERSION,
	    (const uint8_t *)"v", 1);
	out[n - 1] ^= 0x5a;
	stick_bytes(out, n);
	CHECK(wbyte(T.nw - 1) == ZW_NAK && T.ndone == 0,
	    "bad checksum NAKed, request still pending");
	out[n - 1] ^= 0x5a;
	stick_bytes(out, 3);		/* split: the stick resends slowly */
	stick_bytes(out + 3, n - 3);
	CHECK(T.ndone == 1 && T.st[0] == ZW_OK,
	    "resent response after garbage and NAK completes it");
	CHECK(zw_session_stats(S)->garbage >= 2 &&
	    zw_session_stats(S)->badlen == 1, "garbage and bad length counted");
}

static void
test_dead_stick(void)
{
	uint64_t	t0;
	int		i, before;

	reset();
	submit(ZW_FN_GET_VERSION, 1, -1, ZW_PRIO_POLL, 1);
	submit(ZW_FN_SEND_DATA, 1, 0, ZW_PRIO_USER, 2);
	submit(ZW_FN_GET_INIT_DATA, 1, -1, ZW_PRIO_POLL, 3);
	for (i = 0; i < 20 && T.dead == 0; i++)
		run_to_next();
	CHECK(T.dead == 1, "%d consecutive timeouts: stick reported dead",
	    ZW_DEAD_AFTER);
	CHECK(T.ndone == 3 && T.st[0] == ZW_ERR_NOACK &&
	    T.st[1] == ZW_ERR_DOWN && T.st[2] == ZW_ERR_DOWN,
	    "pending request fails NOACK, queued ones fail DOWN");
	CHECK(submit(ZW_FN_GET_VERSION, 1, -1, ZW_PRIO_POLL, 4) ==
	    ZW_ERR_DOWN, "submit refused while down");
	CHECK(zw_session_next(S) == ZW_NO_DEADLINE, "no deadline while down");
	t0 = now;
	before = T.nw;
	zw_session_set_down(S, 0, now);
	CHECK(T.nw == before + 1 && wbyte(before) == ZW_NAK,
	    "back up: a NAK first (a stick holding half a frame drops it)");
	CHECK(submit(ZW_FN_GET_VERSION, 1, -1, ZW_PRIO_POLL, 5) == 0 &&
	    T.nw == before + 1, "no frame glued to that NAK");
	run_to_next();
	CHECK(now >= t0 + ZW_ACK_GAP_MS && wfunc(T.nw - 1) ==
	    ZW_FN_GET_VERSION, "the request goes after the gap");
	zw_session_free(S);
	S = NULL;
	CHECK(T.ndone == 4 && T.st[3] == ZW_ERR_DOWN,
	    "free fails the pending request");
}

/* Two frames in one read: the second ACK waits for the gap, and no frame
 * of ours goes out before it. */
static void
test_ack_gap(void)
{
	static const uint8_t one = 1;
	uint8_t		 b[2 * ZW_MAX_FRAME], cb[2] = { 0, 0 };
	struct zw_timing t;
	size_t		 n;
	uint64_t	 t0;
	int		 acks = 0, i;

	reset();
	zw_session_free(S);
	zw_timing_default(&t);
	S = zw_session_new(&ops, NULL, &t);
	submit(ZW_FN_SEND_DATA, 1, 0, ZW_PRIO_USER, 1);
	stick_byte(ZW_ACK);
	stick_frame(ZW_RES, ZW_FN_SEND_DATA, &one, 1);
	run_to_next();
	cb[0] = T.w[0][4];
	T.nw = 0;
	n = zw_frame_encode(b, sizeof(b), ZW_REQ, ZW_FN_SEND_DATA, cb, 2);
	n += zw_frame_encode(b + n, sizeof(b) - n, ZW_REQ, ZW_FN_APP_COMMAND,
	    cb, 2);
	now += 100;
	stick_bytes(b, n);
	CHECK(T.nw == 1 && T.wlen[0] == 1 && T.w[0][0] == ZW_ACK,
	    "two frames at once: one ACK now");
	CHECK(zw_session_next(S) == now + ZW_ACK_GAP_MS,
	    "the second is owed until the ACK gap has passed");
	run_to_next();
	for (i = 0; i < T.nw; i++)
		acks += T.wlen[i] == 1 && T.w[i][0] == ZW_ACK;
	CHECK(T.nw == 2 && acks == 2, "then the second ACK, alone");
	t0 = now;
	submit(ZW_FN_GET_VERSION, 1, -1, ZW_PRIO_POLL, 2);
	CHECK(T.nw == 2, "a request waits for the gap after the ACK");
	run_to_next();
	CHECK(T.nw == 3 && wfunc(2) == ZW_FN_GET_VERSION &&
	    now == t0 + ZW_ACK_GAP_MS, "the next frame only after another gap");
	/* A frame from the stick right behind ours: its ACK waits the gap
	 * too, so it never lands in the same read as our frame. */
	t0 = now;
	stick_frame(ZW_REQ, ZW_FN_APP_COMMAND, cb, 2);
	CHECK(T.nw == 3 && zw_session_next(S) <= t0 + ZW_ACK_GAP_MS,
	    "an ACK right after our frame is owed until the gap");
	now = t0 + ZW_ACK_GAP_MS;
	zw_session_tick(S, now);
	CHECK(T.nw == 4 && T.wlen[3] == 1 && T.w[3][0] == ZW_ACK,
	    "then it goes, alone");
}

/* The stick restarted (SerialAPIStarted, seen by zw_stick.c): the
 * SendData awaiting its callback and what is queued fail at once with
 * ZW_ERR_RESTART instead of waiting ZW_CB_TIMEOUT_MS; a new request goes
 * out right after. */
static void
test_abort(void)
{
	static const uint8_t one = 1;
	int before;

	reset();
	submit(ZW_FN_SEND_DATA, 1, 0, ZW_PRIO_USER, 1);
	submit(ZW_FN_SEND_DATA, 1, 0, ZW_PRIO_USER, 2);
	stick_byte(ZW_ACK);
	stick_frame(ZW_RES, ZW_FN_SEND_DATA, &one, 1);
	CHECK(T.ndone == 0 && zw_session_queued(S) == 2,
	    "a SendData awaits its callback, another waits its turn");
	zw_session_abort(S, ZW_ERR_RESTART, now);
	CHECK(T.ndone == 2 && T.st[0] == ZW_ERR_RESTART &&
	    T.st[1] == ZW_ERR_RESTART && zw_session_queued(S) == 0,
	    "abort: both fail at once, the stick restarted");
	before = T.nw;
	CHECK(submit(ZW_FN_GET_CAPABILITIES, 1, -1, ZW_PRIO_POLL, 3) == 0,
	    "a request is taken right after");
	run_to_next();
	CHECK(T.nw > before && wfunc(T.nw - 1) == ZW_FN_GET_CAPABILITIES,
	    "and goes out");
}

/* A soft reset: the session holds every request until the stick says
 * it started again; what was queued goes on, what was on the wire or
 * awaited its callback fails. */
static void
test_hold(void)
{
	static const uint8_t one = 1;
	int before;

	reset();
	submit(ZW_FN_SEND_DATA, 1, 0, ZW_PRIO_USER, 1);
	stick_byte(ZW_ACK);
	stick_frame(ZW_RES, ZW_FN_SEND_DATA, &one, 1);	/* awaits callback */
	zw_session_hold(S, now + ZW_SOFT_RESET_WAIT_MS, now);
	before = T.nw;
	submit(ZW_FN_GET_VERSION, 1, -1, ZW_PRIO_USER, 2);
	CHECK(T.nw == before, "held: nothing goes to the stick");
	CHECK(zw_session_next(S) >= now + ZW_SOFT_RESET_WAIT_MS ||
	    zw_session_next(S) == now + ZW_SEND_ABORT_MS,
	    "no deadline wakes it to send before the hold ends");
	now += ZW_SOFT_RESET_WAIT_MS / 2;
	zw_session_tick(S, now);
	CHECK(T.nw == before, "still held half-way");
	zw_session_restarted(S, ZW_ERR_RESTART, now);
	CHECK(T.ndone == 1 && T.st[0] == ZW_ERR_RESTART,
	    "restarted: the SendData awaiting its callback fails at once");
	run_to_next();
	CHECK(T.nw == before + 1 && wfunc(before) == ZW_FN_GET_VERSION,
	    "and the queued request goes on, not failed");

	/* No SerialAPIStarted: the hold ends at its time. */
	reset();
	zw_session_hold(S, now + ZW_SOFT_RESET_WAIT_MS, now);
	submit(ZW_FN_GET_VERSION, 1, -1, ZW_PRIO_POLL, 1);
	CHECK(zw_session_next(S) == now + ZW_SOFT_RESET_WAIT_MS,
	    "the next deadline is the hold's end");
	run_to_next();
	CHECK(T.nw == 1 && wfunc(0) == ZW_FN_GET_VERSION,
	    "then the request goes");
}

/* The clock past the ACK gap, not to the next deadline. */
static void
gap(void)
{
	now += ZW_ACK_GAP_MS;
	zw_session_tick(S, now);
}

/* RequestNodeInfo has no callback id, but the stick is busy until the
 * node's information: a SendData waits for it (a busy stick may refuse
 * it; the zwave-js mock exits), GetVersion does not. Another node's
 * information does not end it; the stick's "no answer" does; with
 * neither, it fails at its own deadline. */
static void
test_until_nif(void)
{
	static const uint8_t one = 1;
	uint8_t	up[6] = { ZW_UPDATE_NIF, 7, 3, 0x04, 0x10, 0x01 };
	struct zw_req	r;
	enum zw_status	st;
	int	before;

	reset();
	memset(&r, 0, sizeof(r));
	r.func = ZW_FN_REQUEST_NODE_INFO;
	r.payload[0] = 5;
	r.len = 1;
	r.want_res = 1;
	r.cb_idx = -1;
	r.until_nif = 1;
	r.cb_timeout = ZW_NIF_TIMEOUT_MS;
	r.prio = ZW_PRIO_POLL;
	r.done = done;
	r.arg = (void *)(intptr_t)1;
	zw_session_submit(S, &r, now, &st);
	submit(ZW_FN_SEND_DATA, 1, 0, ZW_PRIO_USER, 2);
	stick_byte(ZW_ACK);
	stick_frame(ZW_RES, ZW_FN_REQUEST_NODE_INFO, &one, 1);
	gap();
	CHECK(T.ndone == 0 && T.nw == 2,
	    "RequestNodeInfo queued by the stick: not done, and the "
	    "SendData waits");
	submit(ZW_FN_GET_VERSION, 1, -1, ZW_PRIO_USER, 3);
	gap();
	CHECK(wfunc(T.nw - 1) == ZW_FN_GET_VERSION,
	    "a request without callback goes meanwhile");
	stick_byte(ZW_ACK);
	stick_frame(ZW_RES, ZW_FN_GET_VERSION, &one, 1);
	stick_frame(ZW_REQ, ZW_FN_APP_UPDATE, up, sizeof(up));
	gap();
	CHECK(T.ndone == 1 && T.order[0] == 3 && T.unsol == 1 &&
	    wfunc(T.nw - 1) != ZW_FN_SEND_DATA,
	    "node 7's information: handed on, but not the one awaited");
	before = T.nw;
	up[1] = 5;
	stick_frame(ZW_REQ, ZW_FN_APP_UPDATE, up, sizeof(up));
	CHECK(T.unsol == 2 && T.ndone == 2 && T.order[1] == 1 &&
	    T.st[1] == ZW_OK && T.res0[1] == 1,
	    "node 5's: handed on, and the request is done");
	gap();
	CHECK(wfunc(T.nw - 1) == ZW_FN_SEND_DATA && T.nw > before,
	    "then the SendData goes");

	/* No information, no word from the stick: its own deadline. */
	reset();
	zw_session_submit(S, &r, now, &st);
	stick_byte(ZW_ACK);
	stick_frame(ZW_RES, ZW_FN_REQUEST_NODE_INFO, &one, 1);
	CHECK(zw_session_next(S) == now + ZW_NIF_TIMEOUT_MS,
	    "the deadline is ZW_NIF_TIMEOUT_MS");
	run_to_next();
	CHECK(T.ndone == 1 && T.st[0] == ZW_ERR_NOCB, "then it fails");

	/* The stick says the node did not answer. */
	reset();
	zw_session_submit(S, &r, now, &st);
	stick_byte(ZW_ACK);
	stick_frame(ZW_RES, ZW_FN_REQUEST_NODE_INFO, &one, 1);
	up[0] = ZW_UPDATE_NIF_FAILED;
	up[1] = 0;
	stick_frame(ZW_REQ, ZW_FN_APP_UPDATE, up, 3);
	CHECK(T.ndone == 1 && T.st[0] == ZW_OK && T.unsol == 1,
	    "\"request failed\" ends it too");
}

int
main(void)
{
	test_ack_gap();
	test_basic();
	test_retries();
	test_res_timeout();
	test_callback();
	test_cb_ids();
	test_send_abort();
	test_jam();
	test_priorities_and_bounds();
	test_garbage_and_nak();
	test_dead_stick();
	test_abort();
	test_hold();
	test_until_nif();
	zw_session_free(S);
	return check_done();
}
