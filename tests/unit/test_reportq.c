/* Unit tests for slave/link/reportq.c: the bounded replay queue. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hdlimits.h"
#include "../../slave/slave.h"
#include "../../slave/link/link.h"
#include "wire.h"

#define QN	CLUSTER_REPLAY_QUEUE

static int
push(struct reportq *q, uint64_t seq)
{
	Hd__Envelope	e = HD__ENVELOPE__INIT;
	Hd__ValueReport	r = HD__VALUE_REPORT__INIT;
	Hd__Value	v = HD__VALUE__INIT;

	v.v_case = HD__VALUE__V_I;
	v.i = (int64_t)seq * 10;
	r.device_id = "sim:lamp";
	r.key = "level";
	r.value = &v;
	e.seq = seq;
	e.body_case = HD__ENVELOPE__BODY_REPORT;
	e.report = &r;
	return rq_push(q, seq, &e.base);
}

/* Replay visitor: decode each framed item, record its seq. */
struct visit {
	uint64_t	 seqs[2 * QN];
	int		 n;
	int		 bad;		/* not exactly one valid frame */
	int		 fail_at;	/* return -1 on this visit (1-based) */
};

static int
visit_cb(void *arg, const uint8_t *p, size_t len)
{
	struct visit		*v = arg;
	struct buf		 b;
	ProtobufCMessage	*m;
	Hd__Envelope		*e;

	buf_init(&b, WIRE_HDR_LEN + WIRE_MAX_FRAME);
	buf_append(&b, p, len);
	if (wire_take(&b, &hd__envelope__descriptor, &m) != WIRE_OK ||
	    buf_used(&b) != 0) {
		v->bad++;
	} else {
		e = (Hd__Envelope *)m;
		if (e->body_case != HD__ENVELOPE__BODY_REPORT ||
		    e->report->value == NULL ||
		    e->report->value->i != (int64_t)e->seq * 10)
			v->bad++;
		if (v->n < 2 * QN)
			v->seqs[v->n] = e->seq;
	}
	wire_free(m);
	buf_free(&b);
	v->n++;
	return v->n == v->fail_at ? -1 : 0;
}

/* Do the replayed seqs run first..last, one by one? */
static int
seqs_are(const struct visit *v, uint64_t first, uint64_t last)
{
	int i;

	if (v->bad != 0 || (uint64_t)v->n != last - first + 1)
		return 0;
	for (i = 0; i < v->n; i++)
		if (v->seqs[i] != first + (uint64_t)i)
			return 0;
	return 1;
}

static int
replay(struct reportq *q, uint64_t after, struct visit *v)
{
	memset(v, 0, sizeof(*v));
	return rq_replay(q, after, visit_cb, v);
}

static void
test_push_ack(struct reportq *q)
{
	struct visit	v;
	uint64_t	s;
	int		ok = 1;

	rq_init(q);
	CHECK(q->count == 0 && q->dropped == 0, "rq_init: empty");
	CHECK(replay(q, 0, &v) == 0 && v.n == 0, "replay of an empty queue");
	rq_ack(q, 100);
	CHECK(q->count == 0, "ack on an empty queue is harmless");

	for (s = 1; s <= 10; s++)
		ok &= push(q, s) == 0;
	CHECK(ok && q->count == 10, "push 10 reports");
	CHECK(q->items[q->head].len > WIRE_HDR_LEN &&
	    q->items[q->head].data != NULL, "items are kept framed");

	CHECK(replay(q, 0, &v) == 0 && seqs_are(&v, 1, 10),
	    "replay(0) visits 1..10 in order");
	CHECK(replay(q, 4, &v) == 0 && seqs_are(&v, 5, 10),
	    "replay(4) visits 5..10 in order");
	CHECK(replay(q, 10, &v) == 0 && v.n == 0, "replay(10) visits nothing");
	CHECK(replay(q, UINT64_MAX, &v) == 0 && v.n == 0,
	    "replay(UINT64_MAX) visits nothing");
	CHECK(q->count == 10, "replay does not remove anything");

	rq_ack(q, 0);
	CHECK(q->count == 10, "ack 0 drops nothing");
	rq_ack(q, 3);
	CHECK(q->count == 7, "ack 3 drops exactly 1..3 (%d left)", q->count);
	CHECK(replay(q, 0, &v) == 0 && seqs_are(&v, 4, 10),
	    "after ack 3, replay(0) visits 4..10");
	rq_ack(q, 3);
	CHECK(q->count == 7, "repeating an ack drops nothing more");
	rq_ack(q, 2);
	CHECK(q->count == 7, "an older ack drops nothing");
	rq_ack(q, 9);
	CHECK(q->count == 1 && replay(q, 0, &v) == 0 && seqs_are(&v, 10, 10),
	    "ack 9 leaves only 10");
	rq_ack(q, 10);
	CHECK(q->count == 0, "ack 10 empties the queue");
	CHECK(push(q, 11) == 0 && q->count == 1 && replay(q, 0, &v) == 0 &&
	    seqs_are(&v, 11, 11), "push after draining");
	rq_ack(q, 1000);
	CHECK(q->count == 0, "an ack past the newest drains it");

	/* Gaps in seq (unsequenced sends in between) are fine. */
	CHECK(push(q, 20) == 0 && push(q, 22) == 0 && push(q, 25) == 0,
	    "push 20, 22, 25");
	rq_ack(q, 21);
	CHECK(q->count == 2 && replay(q, 0, &v) == 0 && v.n == 2 &&
	    v.seqs[0] == 22 && v.seqs[1] == 25, "ack 21 with gaps keeps 22, 25");
	CHECK(replay(q, 23, &v) == 0 && v.n == 1 && v.seqs[0] == 25,
	    "replay(23) with gaps visits 25");

	/* A visitor failing stops the replay. */
	memset(&v, 0, sizeof(v));
	v.fail_at = 1;
	CHECK(rq_replay(q, 0, visit_cb, &v) == -1 && v.n == 1,
	    "rq_replay stops and fails when the visitor fails");
	CHECK(q->count == 2, "a failed replay keeps the queue");
	rq_free(q);
	CHECK(q->count == 0, "rq_free empties the queue");
}

static void
test_refused(struct reportq *q)
{
	Hd__Envelope	 e = HD__ENVELOPE__INIT;
	Hd__ValueReport	 r = HD__VALUE_REPORT__INIT;
	char		*big;
	struct visit	 v;

	rq_init(q);
	CHECK(push(q, 1) == 0, "push one");
	CHECK(rq_push(q, 2, &e.base) == -1 && q->count == 1,
	    "an empty message is refused, queue unchanged");
	if ((big = malloc(WIRE_MAX_FRAME + 1)) != NULL) {
		memset(big, 'x', WIRE_MAX_FRAME);
		big[WIRE_MAX_FRAME] = '\0';
		r.device_id = big;
		e.body_case = HD__ENVELOPE__BODY_REPORT;
		e.report = &r;
		CHECK(rq_push(q, 2, &e.base) == -1 && q->count == 1,
		    "a message above WIRE_MAX_FRAME is refused, queue "
		    "unchanged");
		free(big);
	}
	CHECK(replay(q, 0, &v) == 0 && seqs_are(&v, 1, 1),
	    "the queue still holds what it had");
	rq_free(q);
}

static void
test_overflow(struct reportq *q)
{
	struct visit	v;
	uint64_t	s;
	int		ok = 1;

	rq_init(q);
	for (s = 1; s <= QN; s++)
		ok &= push(q, s) == 0;
	CHECK(ok && q->count == QN && q->dropped == 0,
	    "CLUSTER_REPLAY_QUEUE (%d) reports fit", QN);
	CHECK(push(q, QN + 1) == 0, "one more is accepted");
	CHECK(q->count == QN && q->dropped == 1,
	    "the queue stays at CLUSTER_REPLAY_QUEUE, one dropped");
	CHECK(replay(q, 0, &v) == 0 && seqs_are(&v, 2, QN + 1),
	    "the oldest (1) was dropped; 2..%d remain in order", QN + 1);

	for (s = QN + 2; s <= 2 * QN + 10; s++)
		ok &= push(q, s) == 0;
	CHECK(ok && q->count == QN && q->dropped == QN + 10,
	    "keep overflowing: %llu dropped",
	    (unsigned long long)q->dropped);
	CHECK(replay(q, 0, &v) == 0 && seqs_are(&v, QN + 11, 2 * QN + 10),
	    "the newest CLUSTER_REPLAY_QUEUE remain, oldest first, across "
	    "the ring's wrap");
	CHECK(replay(q, 2 * QN, &v) == 0 && seqs_are(&v, 2 * QN + 1,
	    2 * QN + 10), "replay(after) across the wrap");

	rq_ack(q, QN + 20);
	CHECK(q->count == QN - 10 && q->dropped == QN + 10,
	    "partial ack: dropped count kept until drained");
	rq_ack(q, 2 * QN + 10);
	CHECK(q->count == 0 && q->dropped == 0,
	    "full ack drains and resets the dropped count");
	CHECK(push(q, 2 * QN + 11) == 0 && q->count == 1 &&
	    replay(q, 0, &v) == 0 && seqs_are(&v, 2 * QN + 11, 2 * QN + 11),
	    "usable after an overflow and a drain");

	/* Fill again so that rq_free has a wrapped full ring to free. */
	for (s = 2 * QN + 12; s <= 3 * QN + 40; s++)
		ok &= push(q, s) == 0;
	CHECK(ok && q->count == QN, "full again, wrapped");
	rq_free(q);
	CHECK(q->count == 0, "rq_free of a full wrapped queue (LSan checks "
	    "that nothing leaks)");
	rq_free(q);
	CHECK(q->count == 0, "rq_free twice is harmless");
}

int
main(void)
{
	struct slave *s;

	/* struct slave is large (the queue is inside): on the heap. */
	if (!CHECK((s = calloc(1, sizeof(*s))) != NULL, "allocate a slave"))
		return check_done();
	test_push_ack(&s->rq);
	test_refused(&s->rq);
	test_overflow(&s->rq);
	free(s);
	return check_done();
}
