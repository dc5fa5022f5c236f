/*
 * The slave's replay queue: every reliable envelope (value report, command
 * result, fault, announcement) is kept, framed and packed, until the
 * master's ack covers its sequence number. After a reconnect, to the same
 * master or a new one, whatever the master has not processed is sent
 * again. The queue is bounded: when the master is away for long, the
 * oldest entries go first and are counted.
 */

#include <stdlib.h>

#include "link/link.h"
#include "log.h"
#include "slave.h"
#include "wire.h"

void
rq_init(struct reportq *q)
{
	q->head = q->count = 0;
	q->dropped = 0;
}

static struct rq_item *
rq_at(struct reportq *q, int i)
{
	return &q->items[(q->head + i) % CLUSTER_REPLAY_QUEUE];
}

static void
rq_pop(struct reportq *q)
{
	struct rq_item *it = rq_at(q, 0);

	free(it->data);
	it->data = NULL;
	q->head = (q->head + 1) % CLUSTER_REPLAY_QUEUE;
	q->count--;
}

void
rq_free(struct reportq *q)
{
	while (q->count > 0)
		rq_pop(q);
}

int
rq_push(struct reportq *q, uint64_t seq, const ProtobufCMessage *m)
{
	struct buf	 b;
	struct rq_item	*it;

	buf_init(&b, WIRE_HDR_LEN + WIRE_MAX_FRAME);
	if (wire_put(&b, m) == -1) {
		buf_free(&b);
		return -1;
	}
	if (q->count == CLUSTER_REPLAY_QUEUE) {
		if (q->dropped++ == 0)
			log_warnx("replay queue full: dropping oldest reports "
			    "until the master acknowledges");
		rq_pop(q);
	}
	it = rq_at(q, q->count++);
	it->seq = seq;
	it->data = b.data;	/* the queue owns the buffer's memory now */
	it->len = buf_used(&b);
	return 0;
}

void
rq_ack(struct reportq *q, uint64_t ack)
{
	while (q->count > 0 && rq_at(q, 0)->seq <= ack)
		rq_pop(q);
	if (q->count == 0 && q->dropped > 0) {
		log_warnx("replay queue drained; %llu report(s) were lost "
		    "while it was full", (unsigned long long)q->dropped);
		q->dropped = 0;
	}
}

int
rq_replay(struct reportq *q, uint64_t after,
    int (*fn)(void *, const uint8_t *, size_t), void *arg)
{
	struct rq_item	*it;
	int		 i;

	for (i = 0; i < q->count; i++) {
		it = rq_at(q, i);
		if (it->seq > after && fn(arg, it->data, it->len) == -1)
			return -1;
	}
	return 0;
}
