/*
 * Transport Service (0x55): the pure code (slave/zwave/zw_transport.c)
 * and its glue (zw_transport_rx.c) on zw_fake.c's stick, timers fired by
 * hand.
 *
 * Pure: segments made and parsed back, their CRC against zwave-js's
 * CRC16_CCITT (computed there: `CRC16_CCITT(55 c0 0b 30 8f 01 02 03)` =
 * 0xb35d, `(55 e0 0b 30 04 80 03 50 03)` = 0x88cc), every malformed
 * form refused, a datagram put together in and out of order, repeated
 * segments, a hole, segments that do not fit.
 *
 * Glue: a node's datagram in segments is reported as if in one frame and
 * answered Segment Complete; a lost segment is asked for (Segment Request
 * at once when the last came, or after ZW_TS_MISSING_MS), a session
 * giving no answer to ZW_TS_REQUESTS_MAX requests is dropped; a segment
 * of no session is answered Segment Wait, as is a node past
 * ZW_TS_RX_NODES; a clear Door Lock report from a node that has Door
 * Lock only securely is refused though it came in segments. Sending: a
 * frame longer than ZW_TS_FRAME_MAX goes in segments that put together
 * give it back, Segment Complete ends it, a Segment Request gets the
 * segment again, beyond two segments they go ZW_TS_RELAXED_MS apart,
 * Segment Wait fails it, one datagram at a time.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK_PARTS	/* zw_fake.c's checks count here too */
#include "check.h"
#include "wire.h"
#include "zw_fake.h"
#include "../../slave/zwave/zw_transport.h"

#define PLUG	26	/* a switch with a battery */
#define LOCK	27	/* Door Lock only through S0 */
#define MANY	30	/* nodes 30.. for the session bound */

/* Multi Command: a Battery report (80%) and a Binary Switch report (on). */
static const uint8_t DGRAM[] = { 0x8f, 0x01, 0x02, 0x03, 0x80, 0x03, 0x50,
    0x03, 0x25, 0x03, 0xff };

/* --- pure ---------------------------------------------------------------- */

static void
test_segments(void)
{
	uint8_t			f[64], big[ZW_TS_MAX_DATAGRAM + 1];
	struct zw_ts_seg	s;
	size_t			n, next = 0;

	n = zw_ts_segment(DGRAM, sizeof(DGRAM), 3, 0, 4, f, sizeof(f), &next);
	CHECK(n == 10 && next == 4 && memcmp(f, (const uint8_t[]){ 0x55,
	    0xc0, 0x0b, 0x30, 0x8f, 0x01, 0x02, 0x03, 0xb3, 0x5d }, 10) == 0,
	    "First Segment: header, 4 bytes, zwave-js's CRC 0xb35d");
	CHECK(zw_ts_parse(f, n, &s) == 1 && s.kind == ZW_TS_K_FIRST &&
	    s.session == 3 && s.size == 11 && s.n == 4 && s.data == f + 4,
	    "and parsed back");
	n = zw_ts_segment(DGRAM, sizeof(DGRAM), 3, 4, 4, f, sizeof(f), &next);
	CHECK(n == 11 && next == 8 && f[1] == 0xe0 && f[4] == 4 &&
	    f[9] == 0x88 && f[10] == 0xcc,
	    "Subsequent Segment: offset 4, zwave-js's CRC 0x88cc");
	CHECK(zw_ts_parse(f, n, &s) == 1 && s.kind == ZW_TS_K_SUBSEQUENT &&
	    s.offset == 4 && s.n == 4, "and parsed back");
	f[6] ^= 1;
	CHECK(zw_ts_parse(f, n, &s) == -1, "a flipped bit: wrong CRC, refused");
	memset(big, 0x20, sizeof(big));
	CHECK(zw_ts_segment(big, sizeof(big), 0, 0, 39, f, sizeof(f), &next)
	    == 0, "a datagram over ZW_TS_MAX_DATAGRAM is not sent");
	CHECK(zw_ts_segment(DGRAM, sizeof(DGRAM), 0, 0, 40, f, sizeof(f),
	    &next) == 0, "nor segments over 39 bytes");
	n = zw_ts_segment(big, 300, 1, 0, 39, f, sizeof(f), &next);
	CHECK(n == 0, "300 bytes: over the limit, refused");
	n = zw_ts_segment(big, 200, 1, 195, 39, f, sizeof(f), &next);
	CHECK(n == 12 && (f[1] & 7) == 0 && f[2] == 200 && next == 200,
	    "the last segment of 200 bytes: 5 bytes");
	CHECK(zw_ts_parse((const uint8_t[]){ 0x55, 0xc8, 0x31, 0x04 }, 4, &s)
	    == 1 && s.kind == ZW_TS_K_REQUEST && s.session == 3 &&
	    s.offset == 0x104, "Segment Request: session 3, offset 0x104");
	CHECK(zw_ts_parse((const uint8_t[]){ 0x55, 0xe8, 0x50 }, 3, &s) == 1
	    && s.kind == ZW_TS_K_COMPLETE && s.session == 5,
	    "Segment Complete");
	CHECK(zw_ts_parse((const uint8_t[]){ 0x55, 0xf0, 0x02 }, 3, &s) == 1
	    && s.kind == ZW_TS_K_WAIT && s.pending == 2, "Segment Wait");
	CHECK(zw_ts_request(3, 0x104, f) == 4 && memcmp(f,
	    (const uint8_t[]){ 0x55, 0xc8, 0x31, 0x04 }, 4) == 0 &&
	    zw_ts_complete(5, f) == 3 && f[2] == 0x50 &&
	    zw_ts_wait(2, f) == 3 && f[1] == 0xf0, "and each made");
	CHECK(zw_ts_parse((const uint8_t[]){ 0x55, 0xd0, 0x00 }, 3, &s) == -1,
	    "an unknown command: refused");
	CHECK(zw_ts_parse((const uint8_t[]){ 0x25, 0x03, 0x00 }, 3, &s) == 0,
	    "another class: not ours");
}

/* A segment with the extension bit, made by hand. */
static size_t
with_ext(uint8_t extlen, size_t payload, uint8_t *f)
{
	size_t		i = 0, k;
	uint16_t	crc;

	f[i++] = 0x55;
	f[i++] = 0xc0;
	f[i++] = (uint8_t)payload;
	f[i++] = 0x08;
	f[i++] = extlen;
	for (k = 0; k < extlen; k++)
		f[i++] = 0xee;
	for (k = 0; k < payload; k++)
		f[i++] = (uint8_t)k;
	crc = zw_crc16(f, i);
	f[i++] = (uint8_t)(crc >> 8);
	f[i++] = (uint8_t)crc;
	return i;
}

static void
test_malformed(void)
{
	uint8_t			f[80];
	struct zw_ts_seg	s;
	size_t			n, len;
	int			ok = 1;

	n = with_ext(2, 5, f);
	CHECK(zw_ts_parse(f, n, &s) == 1 && s.n == 5 && s.data == f + 7,
	    "a header extension is skipped");
	n = with_ext(2, 0, f);
	CHECK(zw_ts_parse(f, n, &s) == -1, "a segment with no payload: "
	    "refused");
	n = with_ext(3, 2, f);
	f[4] = 200;			/* the extension's length byte */
	len = (size_t)zw_crc16(f, n - 2);
	f[n - 2] = (uint8_t)(len >> 8);
	f[n - 1] = (uint8_t)len;
	CHECK(zw_ts_parse(f, n, &s) == -1,
	    "an extension longer than the frame: refused");
	n = zw_ts_segment(DGRAM, sizeof(DGRAM), 1, 0, 11, f, sizeof(f), &len);
	for (len = 0; len < n; len++) {
		if (zw_ts_parse(f, len, &s) == 1)
			ok = 0;
	}
	CHECK(ok, "every cut of a segment is refused");
	f[2] = 5;			/* size below the payload */
	len = (size_t)zw_crc16(f, n - 2);
	f[n - 2] = (uint8_t)(len >> 8);
	f[n - 1] = (uint8_t)len;
	CHECK(zw_ts_parse(f, n, &s) == -1, "a segment longer than its "
	    "datagram: refused");
}

static void
test_reassembly(void)
{
	struct zw_ts_rx		rx;
	struct zw_ts_seg	s1, s2, s3, bad;
	uint8_t			f1[32], f2[32], f3[32];
	size_t			n, next;

	memset(&rx, 0, sizeof(rx));
	n = zw_ts_segment(DGRAM, 11, 2, 0, 4, f1, sizeof(f1), &next);
	zw_ts_parse(f1, n, &s1);
	n = zw_ts_segment(DGRAM, 11, 2, 4, 4, f2, sizeof(f2), &next);
	zw_ts_parse(f2, n, &s2);
	n = zw_ts_segment(DGRAM, 11, 2, 8, 4, f3, sizeof(f3), &next);
	zw_ts_parse(f3, n, &s3);
	CHECK(zw_ts_rx_segment(&rx, &s2) == ZW_TS_RX_NO_SESSION,
	    "a Subsequent Segment first: no session");
	CHECK(zw_ts_rx_segment(&rx, &s1) == ZW_TS_RX_MORE &&
	    zw_ts_rx_missing(&rx) == 4, "first: 4 of 11, byte 4 missing");
	CHECK(zw_ts_rx_segment(&rx, &s3) == ZW_TS_RX_HOLE &&
	    zw_ts_rx_missing(&rx) == 4, "the last, the middle lost: a hole");
	CHECK(zw_ts_rx_segment(&rx, &s3) == ZW_TS_RX_HOLE,
	    "the last again: changes nothing");
	CHECK(zw_ts_rx_segment(&rx, &s2) == ZW_TS_RX_DONE && rx.size == 11 &&
	    memcmp(rx.buf, DGRAM, 11) == 0, "the middle: the datagram");
	CHECK(zw_ts_rx_segment(&rx, &s1) == ZW_TS_RX_MORE &&
	    zw_ts_rx_missing(&rx) == 4, "a new First Segment starts anew");
	bad = s2;
	bad.session = 4;
	CHECK(zw_ts_rx_segment(&rx, &bad) == ZW_TS_RX_NO_SESSION,
	    "another session's segment: not this one");
	bad = s2;
	bad.size = 12;
	CHECK(zw_ts_rx_segment(&rx, &bad) == ZW_TS_RX_REFUSED &&
	    zw_ts_rx_missing(&rx) == 4, "another size: refused, no change");
	bad = s1;
	bad.size = ZW_TS_MAX_DATAGRAM + 1;
	CHECK(zw_ts_rx_segment(&rx, &bad) == ZW_TS_RX_REFUSED && !rx.active,
	    "a datagram over ZW_TS_MAX_DATAGRAM: refused");
}

/* --- the glue, on the fake stick --------------------------------------- */

static uint8_t	to_node[16][64];	/* the Transport Service frames sent */
static size_t	nto, to_len[16];
static int	to_id[16];

/* Answer every request; record the Transport Service frames we send. */
static void
run(void)
{
	struct zw_req	r;
	int		i;

	for (i = 0; i < 400 && take(&r); i++) {
		answer(&r, (const uint8_t []){ 1 }, 1, 0);
		if (r.func != ZW_FN_SEND_DATA)
			continue;
		if (r.payload[2] == 0x55 && nto < 16 && r.payload[1] <= 64) {
			memcpy(to_node[nto], r.payload + 2, r.payload[1]);
			to_len[nto] = r.payload[1];
			to_id[nto++] = r.payload[0];
		} else
			sim_command(r.payload[0], 0, r.payload + 2,
			    r.payload[1]);
	}
}

/* Node `id` sends segment `off` (4 bytes) of datagram d, session 2. */
static void
seg(uint8_t id, const uint8_t *d, size_t size, size_t off)
{
	uint8_t	f[64];
	size_t	n, next;

	n = zw_ts_segment(d, size, 2, off, 4, f, sizeof(f), &next);
	from_node(id, f, n);
}

static struct ev_timer *
timer_of(uint8_t id)
{
	size_t i;

	for (i = 0; S.zw->ts != NULL && i < ZW_TS_RX_NODES; i++)
		if (S.zw->ts->slot[i].node == id)
			return &S.zw->ts->slot[i].timer;
	return NULL;
}

/* The last frame we sent node `id` is `want` (n bytes). */
static int
sent_last(uint8_t id, const uint8_t *want, size_t n)
{
	run();
	return nto > 0 && to_id[nto - 1] == id &&
	    memcmp(to_node[nto - 1], want, n) == 0;
}

static void
test_glue(void)
{
	static const uint8_t cc[] = { 0x25, 0x80, 0x86, 0x55 };
	static const uint8_t complete[] = { 0x55, 0xe8, 0x20 };
	static const uint8_t req4[] = { 0x55, 0xc8, 0x20, 0x04 };
	static const uint8_t req8[] = { 0x55, 0xc8, 0x20, 0x08 };
	static const uint8_t wait[] = { 0x55, 0xf0, 0x00 };
	struct zw_node	*zn = &S.zw->node[PLUG];

	include_node(PLUG, 0xd3, cc, sizeof(cc));
	settle();
	if (!CHECK(zn->dev != NULL, "node 26: a switch with a battery"))
		return;
	drain();
	seg(PLUG, DGRAM, 11, 0);
	seg(PLUG, DGRAM, 11, 4);
	CHECK(reports_of("on") == 0, "two segments of three: nothing yet");
	seg(PLUG, DGRAM, 11, 8);
	CHECK(reports_of("battery") == 1 && reports_of("on") == 1,
	    "the third: the datagram's two commands reported");
	CHECK(sent_last(PLUG, complete, 3), "Segment Complete sent");
	CHECK(timer_of(PLUG) == NULL, "the session is over");

	drain();
	seg(PLUG, DGRAM, 11, 0);
	seg(PLUG, DGRAM, 11, 8);
	CHECK(sent_last(PLUG, req4, 4) && reports_of("on") == 0,
	    "the middle lost: Segment Request for offset 4 at once");
	seg(PLUG, DGRAM, 11, 4);
	CHECK(reports_of("on") == 1 && sent_last(PLUG, complete, 3),
	    "it comes: reported, Segment Complete");

	drain();
	seg(PLUG, DGRAM, 11, 0);
	seg(PLUG, DGRAM, 11, 4);
	nto = 0;
	run();
	CHECK(nto == 0 && fire(timer_of(PLUG)) && sent_last(PLUG, req8, 4),
	    "the last lost: asked for after ZW_TS_MISSING_MS");
	seg(PLUG, DGRAM, 11, 8);
	CHECK(reports_of("on") == 1, "it comes: reported");

	drain();
	seg(PLUG, DGRAM, 11, 0);
	CHECK(fire(timer_of(PLUG)) && sent_last(PLUG, req4, 4) &&
	    fire(timer_of(PLUG)) && sent_last(PLUG, req4, 4),
	    "no answer: asked ZW_TS_REQUESTS_MAX (2) times");
	CHECK(fire(timer_of(PLUG)) == 1 && timer_of(PLUG) == NULL &&
	    reports_of("on") == 0, "then the datagram is dropped");
	seg(PLUG, DGRAM, 11, 4);
	CHECK(sent_last(PLUG, wait, 3), "a segment of no session: Segment "
	    "Wait");

	drain();
	from_node(PLUG, (const uint8_t[]){ 0x55, 0xc0, 0x0b, 0x20, 0x8f, 0x01,
	    0x02, 0x03, 0x00, 0x00 }, 10);
	CHECK(timer_of(PLUG) == NULL, "a wrong CRC: dropped, no session");
}

static void
test_secure_inside(void)
{
	static const uint8_t cc[] = { 0x6c, 0x86 };
	static const uint8_t lock[] = { 0x62, 0x03, 0xff, 0x00, 0x01, 0x00,
	    0x00 };
	struct zw_node	*zn = &S.zw->node[LOCK];

	include_node(LOCK, 0xd3, cc, sizeof(cc));
	settle();
	zn->sec_level = 1;		/* as after S0 inclusion */
	zn->scc[0] = ZW_CC_DOOR_LOCK;
	zn->nscc = 1;
	zw_node_values(zn);
	drain();
	seg(LOCK, lock, sizeof(lock), 0);
	seg(LOCK, lock, sizeof(lock), 4);
	CHECK(timer_of(LOCK) == NULL && reports_of("locked") == 0,
	    "a clear Door Lock report in segments: put together, refused");
	zn->sec_level = 0;		/* the same node without security */
	drain();
	seg(LOCK, lock, sizeof(lock), 0);
	seg(LOCK, lock, sizeof(lock), 4);
	CHECK(reports_of("locked") == 1, "(without S0 the same segments are "
	    "reported: the refusal was the security filter's)");
}

static int	done_st = -1;

static void
done(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	(void)arg;
	(void)res;
	(void)cb;
	done_st = (int)st;
}

/* Put the frames recorded from `from` together: the datagram's size. */
static size_t
joined(size_t from, uint8_t *out)
{
	struct zw_ts_rx		rx;
	struct zw_ts_seg	s;
	size_t			i;

	memset(&rx, 0, sizeof(rx));
	for (i = from; i < nto; i++)
		if (zw_ts_parse(to_node[i], to_len[i], &s) != 1 ||
		    zw_ts_rx_segment(&rx, &s) == ZW_TS_RX_DONE)
			break;
	if (i == nto || zw_ts_rx_missing(&rx) != -1)
		return 0;
	memcpy(out, rx.buf, rx.size);
	return rx.size;
}

static void
test_send(void)
{
	uint8_t			cmd[100], back[ZW_TS_MAX_DATAGRAM];
	struct zw_ts_tx		*tx;
	uint8_t			f[4];
	size_t			i, first;

	for (i = 0; i < sizeof(cmd); i++)
		cmd[i] = (uint8_t)(0x30 + i);
	CHECK(zw_node_send_clear(S.zw, PLUG, cmd, ZW_TS_FRAME_MAX, ZW_PRIO_USER,
	    0, done, NULL) == 0 && (run(), S.zw->ts == NULL ||
	    S.zw->ts->tx.node == 0), "ZW_TS_FRAME_MAX bytes: one frame");
	nto = 0;
	done_st = -1;
	CHECK(zw_node_send_clear(S.zw, 2, cmd, 60, ZW_PRIO_USER, 0, done,
	    NULL) == 0 && (run(), nto == 0) && S.zw->ts->tx.node == 0 &&
	    done_st == ZW_OK, "to a node without Transport Service: one frame");
	done_st = -1;
	CHECK(zw_node_send_clear(S.zw, PLUG, cmd, 60, ZW_PRIO_USER, 0, done,
	    NULL) == 0, "60 bytes to node 26 (it lists 0x55): taken");
	tx = &S.zw->ts->tx;
	CHECK(zw_node_send_clear(S.zw, PLUG, cmd, 60, ZW_PRIO_USER, 0, done,
	    NULL) == -1, "a second datagram while one is under way: refused");
	run();
	CHECK(nto == 2 && to_node[0][1] == 0xc0 && to_len[0] == 4 + 39 + 2 &&
	    to_node[1][1] == 0xe0 && to_len[1] == 5 + 21 + 2,
	    "two segments: 39 and 21 bytes");
	CHECK(joined(0, back) == 60 && memcmp(back, cmd, 60) == 0,
	    "they put the 60 bytes together");
	CHECK(done_st == -1 && tx->timer.active,
	    "then it waits for Segment Complete");
	from_node(PLUG, f, zw_ts_complete(tx->session, f));
	CHECK(done_st == ZW_OK && tx->node == 0, "Segment Complete: done");

	nto = 0;
	done_st = -1;
	zw_node_send_clear(S.zw, PLUG, cmd, 60, ZW_PRIO_USER, 0, done, NULL);
	run();
	from_node(PLUG, f, zw_ts_request(tx->session, 39, f));
	run();
	CHECK(nto == 3 && to_len[2] == to_len[1] &&
	    memcmp(to_node[2], to_node[1], to_len[1]) == 0,
	    "Segment Request for 39: that segment again");
	CHECK(fire(&tx->timer) && done_st == ZW_OK,
	    "no Segment Complete in ZW_TS_COMPLETE_MS: done (all acknowledged)");

	nto = 0;
	done_st = -1;
	zw_node_send_clear(S.zw, PLUG, cmd, 100, ZW_PRIO_USER, 0, done, NULL);
	run();
	first = nto;
	for (i = 0; i < 4 && tx->next < tx->n && fire(&tx->timer); i++)
		run();
	CHECK(first == 1 && nto == 3 && joined(0, back) == 100 &&
	    memcmp(back, cmd, 100) == 0, "100 bytes: three segments, "
	    "ZW_TS_RELAXED_MS apart (one at first, the others after the gap)");
	from_node(PLUG, f, zw_ts_wait(1, f));
	CHECK(done_st == ZW_ERR_FULL && tx->node == 0,
	    "Segment Wait: the node is busy, the send fails");
}

static void
test_bound(void)
{
	static const uint8_t cc[] = { 0x25, 0x86 };
	static const uint8_t wait[] = { 0x55, 0xf0, 0x00 };
	uint8_t	id;
	int	ok = 1;

	for (id = MANY; id <= MANY + ZW_TS_RX_NODES; id++) {
		include_node(id, 0xd3, cc, sizeof(cc));
		settle();
	}
	for (id = MANY; id < MANY + ZW_TS_RX_NODES; id++) {
		seg(id, DGRAM, 11, 0);
		ok &= timer_of(id) != NULL;
	}
	CHECK(ok, "%d nodes at once: a session each", ZW_TS_RX_NODES);
	seg(MANY + ZW_TS_RX_NODES, DGRAM, 11, 0);
	CHECK(timer_of(MANY + ZW_TS_RX_NODES) == NULL &&
	    sent_last(MANY + ZW_TS_RX_NODES, wait, 3),
	    "one more: Segment Wait, no session");
	zw_ctrl_node_unregister(S.zw, MANY);
	CHECK(timer_of(MANY) == NULL, "a node that leaves: its session goes");
}

int
main(void)
{
	test_segments();
	test_malformed();
	test_reassembly();
	if (!CHECK(zwf_open() == 0, "zw_start") ||
	    !CHECK(startup() == 0, "start-up"))
		return check_done();
	settle();
	test_glue();
	test_send();
	test_secure_inside();
	test_bound();
	zwf_close();
	return check_done();
}
