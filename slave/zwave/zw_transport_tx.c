/*
 * Transport Service, sending (zw_ts_send): a frame longer than
 * ZW_TS_FRAME_MAX goes in segments, one SendData each, one after the
 * other (the next once the stick has sent the last, ZW_TS_RELAXED_MS
 * later when there are more than ZW_TS_RELAXED_AFTER), then waits
 * ZW_TS_COMPLETE_MS for the node's Segment Complete. The node's Segment
 * Request gets the segment asked for again; its Segment Wait (busy with
 * another datagram) fails the send. One datagram at a time.
 */

#include <string.h>

#include "log.h"
#include "slave.h"
#include "zwave/zw.h"
#include "zwave/zw_transport.h"

static void	send_next(struct zw_ctrl *, struct zw_ts_tx *);

static void
tx_end(struct zw_ts_tx *tx, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	zw_done_fn	*done = tx->done;
	void		*arg = tx->arg;
	struct zw_ctrl	*c = tx->timer.arg;

	ev_timer_stop(c->s->loop, &tx->timer);
	tx->node = 0;
	tx->done = NULL;
	tx->inflight = 0;
	if (done != NULL)
		done(arg, st, res, cb);
}

/* The relaxed gap is over (send the next), or Segment Complete did not
 * come: every segment was acknowledged, so the datagram was delivered. */
void
zw_ts_on_tx_timer(struct ev_timer *t)
{
	struct zw_ctrl	*c = t->arg;
	struct zw_ts_tx	*tx = &c->ts->tx;

	if (tx->node == 0)
		return;
	if (tx->next < tx->n) {
		send_next(c, tx);
		return;
	}
	log_debug("zwave: node %d: no segment complete in %d ms: every "
	    "segment was acknowledged", tx->node, ZW_TS_COMPLETE_MS);
	tx_end(tx, ZW_OK, NULL, NULL);
}

static void
seg_sent(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct zw_ctrl	*c = arg;
	struct zw_ts_tx	*tx;

	if (c->stopping || c->ts == NULL || (tx = &c->ts->tx)->node == 0)
		return;
	tx->inflight = 0;
	if (st != ZW_OK || cb == NULL || cb->len < 2 || cb->payload[1] != 0) {
		log_warnx("zwave: node %d: transport service segment not "
		    "delivered", tx->node);
		tx_end(tx, st, res, cb);
		return;
	}
	ev_timer_stop(c->s->loop, &tx->timer);
	if (tx->next >= tx->n)
		ev_timer_start(c->s->loop, &tx->timer, ZW_TS_COMPLETE_MS);
	else if ((tx->n + ZW_TS_MAX_SEGMENT - 1) / ZW_TS_MAX_SEGMENT >
	    ZW_TS_RELAXED_AFTER)
		ev_timer_start(c->s->loop, &tx->timer, ZW_TS_RELAXED_MS);
	else
		send_next(c, tx);
}

/* The segment at `off`; 0, or -1 (the send ended, its caller told). */
static int
send_at(struct zw_ctrl *c, struct zw_ts_tx *tx, size_t off)
{
	uint8_t	f[ZW_TS_MAX_SEGMENT + 8];
	size_t	n, next = off;

	n = zw_ts_segment(tx->d, tx->n, tx->session, off, ZW_TS_MAX_SEGMENT,
	    f, sizeof(f), &next);
	if (n == 0 || zw_node_send_clear(c, tx->node, f, n, tx->prio,
	    tx->urgent, seg_sent, c) == -1) {
		tx_end(tx, ZW_ERR_FULL, NULL, NULL);
		return -1;
	}
	tx->inflight = 1;
	if (off == tx->next)
		tx->next = next;
	return 0;
}

static void
send_next(struct zw_ctrl *c, struct zw_ts_tx *tx)
{
	if (!tx->inflight)
		(void)send_at(c, tx, tx->next);
}

int
zw_ts_send(struct zw_ctrl *c, int id, const uint8_t *cmd, size_t n,
    enum zw_prio prio, int urgent, zw_done_fn *done, void *arg)
{
	struct zw_tsctl	*t = zw_ts_ctl(c);
	struct zw_ts_tx	*tx;

	if (t == NULL || n > ZW_TS_MAX_DATAGRAM || t->tx.node != 0)
		return -1;
	tx = &t->tx;
	memcpy(tx->d, cmd, n);
	tx->n = n;
	tx->next = 0;
	tx->node = (uint8_t)id;
	tx->session = t->next_session;
	t->next_session = (uint8_t)((t->next_session + 1) & 0x0f);
	tx->prio = prio;
	tx->urgent = urgent;
	tx->done = done;
	tx->arg = arg;
	log_debug("zwave: node %d: %zu bytes in transport service segments",
	    id, n);
	(void)send_at(c, tx, 0);	/* a failure told `done` already */
	return 0;
}

void
zw_ts_tx_input(struct zw_ctrl *c, int id, const struct zw_ts_seg *s)
{
	struct zw_ts_tx *tx = c->ts != NULL ? &c->ts->tx : NULL;

	if (tx == NULL || tx->node != id || (s->kind != ZW_TS_K_WAIT &&
	    s->session != tx->session)) {
		log_debug("zwave: node %d: transport service answer for no "
		    "datagram of ours", id);
		return;
	}
	if (s->kind == ZW_TS_K_COMPLETE && tx->next >= tx->n &&
	    !tx->inflight)
		tx_end(tx, ZW_OK, NULL, NULL);
	else if (s->kind == ZW_TS_K_REQUEST && s->offset < tx->n &&
	    !tx->inflight) {
		log_info("zwave: node %d: segment at %u asked again", id,
		    s->offset);
		ev_timer_stop(c->s->loop, &tx->timer);
		(void)send_at(c, tx, s->offset);
	} else if (s->kind == ZW_TS_K_WAIT) {
		log_warnx("zwave: node %d: busy with another datagram "
		    "(segment wait, %u pending): ours not sent", id,
		    s->pending);
		tx_end(tx, ZW_ERR_FULL, NULL, NULL);
	}
}

void
zw_ts_tx_reset(struct zw_ctrl *c, int id)
{
	struct zw_ts_tx *tx = c->ts != NULL ? &c->ts->tx : NULL;

	if (tx == NULL || tx->node == 0 || (id != 0 && tx->node != id))
		return;
	if (c->stopping)
		tx->done = NULL;
	tx_end(tx, ZW_ERR_DOWN, NULL, NULL);
}
