/*
 * Serial API session: one request on the wire at a time, as the host
 * specification asks. A request goes out, must be ACKed (else it is sent
 * again after a back-off, ZW_RETRIES times in all), then answered by a
 * RES frame if it expects one, then, for SendData and its kind, called
 * back by a REQ frame carrying the callback id we gave it. Only one
 * callback is awaited at a time (one SendData in flight); requests that
 * want none may go out meanwhile. Every other REQ frame from the stick is
 * unsolicited and dispatched at once, whatever is pending.
 *
 * A SendData whose callback has not come in ZW_SEND_ABORT_MS is stuck (a
 * busy or jammed radio, a route being searched): SendDataAbort goes out,
 * ahead of everything queued, and the stick then ends the transmission
 * with a failed callback. If even that does not come in ZW_ABORT_CB_MS,
 * the SendData fails ZW_ERR_NOCB. Waiting out the whole callback timeout
 * instead held every other send for 65 s (zwave-js aborts at about 20 s).
 *
 * A SendData the stick could not transmit (callback status FAIL: the
 * radio is jammed, or ROUTING_NOT_IDLE: the stick is busy routing) says
 * nothing about the node: it is sent again after ZW_JAM_BACKOFF_MS times
 * the failures so far, ZW_JAM_TRIES times in all, holding back every
 * other SendData meanwhile (as zwave-js waits before retrying a jammed
 * send). Only then does it fail, with ZW_ERR_JAMMED or ZW_ERR_ROUTE_BUSY,
 * never as the node's missing acknowledgement. A SendData that failed
 * jammed after all its tries marks the radio jammed (ops->jammed(1)); the
 * next transmission that leaves the stick clears it (ops->jammed(0)).
 *
 * Nothing here blocks, sleeps or reads a clock: the caller passes `now`
 * and asks zw_session_next() when to call zw_session_tick() again. The
 * requests' pool and queues are in zw_session_queue.c.
 */

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "zwave/zw.h"
#include "zwave/zw_session_int.h"

void
zw_timing_default(struct zw_timing *t)
{
	t->ack_ms = ZW_ACK_TIMEOUT_MS;
	t->res_ms = ZW_RES_TIMEOUT_MS;
	t->cb_ms = ZW_CB_TIMEOUT_MS;
	t->byte_ms = ZW_BYTE_TIMEOUT_MS;
	t->ack_gap_ms = ZW_ACK_GAP_MS;
	t->ack_ack_ms = ZW_ACK_GAP_MS;
	t->abort_ms = ZW_SEND_ABORT_MS;
	t->abort_cb_ms = ZW_ABORT_CB_MS;
	/* Host spec: 100 ms + n * 1 s before a retransmission, n the
	 * retransmissions so far (0 before the first one). */
	t->backoff_base_ms = 100;
	t->backoff_step_ms = 1000;
	t->dead_after = ZW_DEAD_AFTER;
	t->jam_tries = ZW_JAM_TRIES;
	t->jam_backoff_ms = ZW_JAM_BACKOFF_MS;
}

struct zw_session *
zw_session_new(const struct zw_session_ops *ops, void *arg,
    const struct zw_timing *t)
{
	struct zw_session *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->ops = ops;
	s->arg = arg;
	if (t != NULL)
		s->t = *t;
	else
		zw_timing_default(&s->t);
	zw_parser_init(&s->p);
	s->p.byte_timeout = s->t.byte_ms;
	TAILQ_INIT(&s->q[ZW_PRIO_USER]);
	TAILQ_INIT(&s->q[ZW_PRIO_POLL]);
	return s;
}

void
zw_session_free(struct zw_session *s)
{
	if (s == NULL)
		return;
	s->down = 1;
	zws_fail_all(s, ZW_ERR_DOWN);
	free(s);
}

static void
send_byte(struct zw_session *s, uint8_t b, uint64_t now)
{
	s->ops->write(s->arg, &b, 1);
	s->tx_after = now + s->t.ack_gap_ms;
	s->ack_after = now + s->t.ack_ack_ms;
}

static void
transmit(struct zw_session *s, uint64_t now)
{
	uint8_t	buf[ZW_MAX_FRAME];
	size_t	n;

	n = zw_frame_encode(buf, sizeof(buf), ZW_REQ, s->cur->r.func,
	    s->cur->r.payload, s->cur->r.len);
	s->tries++;
	s->stats.tx_frames++;
	if (s->tries > 1)
		s->stats.retransmits++;
	/* A failed write is a lost frame: the ACK timeout retries it. */
	s->ops->write(s->arg, buf, n);
	/* Nor is an ACK glued behind our frame: an emulator taking each
	 * read as one message would lose it (the zwave-js mock then waits
	 * for it in vain and exits). */
	s->ack_after = now + s->t.ack_ack_ms;
	s->st = TX_WAIT_ACK;
	s->deadline = now + s->t.ack_ms;
}

void
zws_kick(struct zw_session *s, uint64_t now)
{
	struct zw_slot	*sl;
	int		 prio;

	if (s->down || s->st != TX_IDLE || now < s->tx_after ||
	    now < s->hold_until || s->acks_owed > 0 ||
	    (sl = zws_next_eligible(s, &prio)) == NULL)
		return;
	TAILQ_REMOVE(&s->q[prio], sl, entry);
	s->nqueued--;
	if (sl->r.cb_idx >= 0) {
		if (++s->cb_id == 0)	/* 0 means "no callback" */
			s->cb_id = 1;
		sl->r.payload[sl->r.cb_idx] = s->cb_id;
	}
	s->cur = sl;
	s->tries = 0;
	transmit(s, now);
}

static void
retry(struct zw_session *s, uint64_t now)
{
	if (s->tries >= ZW_RETRIES) {
		zws_finish(s, s->cur, ZW_ERR_NOACK, NULL, NULL);
		return;
	}
	s->st = TX_BACKOFF;
	s->deadline = now + s->t.backoff_base_ms +
	    s->t.backoff_step_ms * (uint64_t)(s->tries - 1);
}

static void
got_ack(struct zw_session *s, uint64_t now)
{
	if (s->st != TX_WAIT_ACK)
		return;		/* stray, or late after a timeout */
	if (s->cur->r.want_res) {
		s->st = TX_WAIT_RES;
		s->deadline = now + s->t.res_ms;
		return;
	}
	zws_finish(s, s->cur, ZW_OK, NULL, NULL);
}

static void
got_res(struct zw_session *s, const struct zw_frame *f, uint64_t now)
{
	struct zw_slot *sl = s->cur;

	if (s->st != TX_WAIT_RES || f->func != sl->r.func) {
		log_debug("zwave: unexpected response 0x%02x", f->func);
		return;
	}
	if (sl->r.cb_idx < 0 && !sl->r.until_nif) {
		zws_finish(s, sl, ZW_OK, f, NULL);
		return;
	}
	if (f->len < 1 || f->payload[0] == 0) {
		zws_finish(s, sl, ZW_ERR_REFUSED, f, NULL);
		return;
	}
	s->cb_res = *f;
	s->cbw = sl;
	s->cb_deadline = now + (sl->r.cb_timeout ? sl->r.cb_timeout :
	    s->t.cb_ms);
	s->abort_at = ZW_NO_DEADLINE;
	s->aborted = 0;
	if (sl->r.func == ZW_FN_SEND_DATA && now + s->t.abort_ms <
	    s->cb_deadline)
		s->abort_at = now + s->t.abort_ms;
	s->cur = NULL;
	s->st = TX_IDLE;
}

static void
set_jammed(struct zw_session *s, int jammed)
{
	if (s->jammed == jammed)
		return;
	s->jammed = jammed;
	if (s->ops->jammed != NULL)
		s->ops->jammed(s->arg, jammed);
}

/*
 * The awaited SendData's callback. FAIL and ROUTING_NOT_IDLE: the frame
 * never left the stick, so it goes again after a back-off, unless our own
 * SendDataAbort ended it. Returns 1 if the slot is parked for that.
 */
static int
tx_not_sent(struct zw_session *s, struct zw_slot *sl, const struct zw_frame *f,
    uint64_t now)
{
	uint8_t tx = f->len >= 2 ? f->payload[1] : ZW_TX_OK;

	if (sl->r.func != ZW_FN_SEND_DATA)
		return 0;
	if (tx != ZW_TX_FAIL && tx != ZW_TX_NOT_IDLE) {
		set_jammed(s, 0);	/* it left the stick */
		return 0;
	}
	if (s->aborted)
		return 0;
	s->stats.jams++;
	if (++sl->txfails >= s->t.jam_tries) {
		log_warnx("zwave: SendData to node %u not transmitted %d "
		    "times: %s", sl->r.payload[0], sl->txfails,
		    tx == ZW_TX_FAIL ? "the radio is jammed" :
		    "the stick's routing stays busy");
		if (tx == ZW_TX_FAIL)
			set_jammed(s, 1);
		zws_finish(s, sl, tx == ZW_TX_FAIL ? ZW_ERR_JAMMED :
		    ZW_ERR_ROUTE_BUSY, &s->cb_res, f);
		return 1;
	}
	log_info("zwave: SendData to node %u not transmitted (%s): again "
	    "in %llu ms", sl->r.payload[0], tx == ZW_TX_FAIL ? "jammed" :
	    "routing busy", (unsigned long long)(s->t.jam_backoff_ms *
	    (uint64_t)sl->txfails));
	s->cbw = NULL;
	s->resend = sl;
	s->resend_at = now + s->t.jam_backoff_ms * (uint64_t)sl->txfails;
	return 1;
}

/* The node information a RequestNodeInfo in flight awaits: of its node,
 * or the stick's word that the node did not answer. */
static int
is_nif(const struct zw_slot *sl, const struct zw_frame *f)
{
	return sl->r.until_nif && f->func == ZW_FN_APP_UPDATE &&
	    f->len >= 2 && (f->payload[0] == ZW_UPDATE_NIF_FAILED ||
	    (f->payload[0] == ZW_UPDATE_NIF &&
	    f->payload[1] == sl->r.payload[0]));
}

static void
got_req(struct zw_session *s, const struct zw_frame *f, uint64_t now)
{
	struct zw_slot *sl = s->cbw;

	/* Handled as any update first (the interview), then the request
	 * ends and the stick is free. */
	if (sl != NULL && is_nif(sl, f)) {
		s->stats.unsolicited++;
		if (s->ops->unsolicited != NULL)
			s->ops->unsolicited(s->arg, f);
		if (s->cbw == sl)
			zws_finish(s, sl, ZW_OK, &s->cb_res, f);
		return;
	}
	if (sl != NULL && !sl->r.until_nif && f->func == sl->r.func &&
	    f->len >= 1 && f->payload[0] == sl->r.payload[sl->r.cb_idx]) {
		if (!tx_not_sent(s, sl, f, now))
			zws_finish(s, sl, ZW_OK, &s->cb_res, f);
		return;
	}
	s->stats.unsolicited++;
	if (s->ops->unsolicited != NULL)
		s->ops->unsolicited(s->arg, f);
}

static void
got_frame(struct zw_session *s, const struct zw_frame *f, uint64_t now)
{
	s->stats.rx_frames++;
	/* Promptly, before any work; but two of our writes are never closer
	 * than the ACK gap (an emulator that takes each read as one message
	 * would see two ACKs as one broken frame), so an ACK due within the
	 * gap of the last one is owed until the gap has passed. */
	if (now < s->ack_after || s->acks_owed > 0)
		s->acks_owed++;
	else
		send_byte(s, ZW_ACK, now);
	if (f->type == ZW_RES)
		got_res(s, f, now);
	else if (f->type == ZW_REQ)
		got_req(s, f, now);
	else
		log_debug("zwave: frame of type 0x%02x ignored", f->type);
}

static void
check_dead(struct zw_session *s)
{
	if (s->down || s->timeouts < s->t.dead_after)
		return;
	s->timeouts = 0;
	if (s->ops->dead != NULL)
		s->ops->dead(s->arg);
}

static void
rx_event(struct zw_session *s, enum zw_rx ev, uint64_t now)
{
	/* Anything well-formed shows the stick is alive. */
	if (ev == ZW_RX_ACK || ev == ZW_RX_NAK || ev == ZW_RX_CAN ||
	    ev == ZW_RX_FRAME || ev == ZW_RX_BADSUM)
		s->timeouts = 0;
	switch (ev) {
	case ZW_RX_ACK:
		got_ack(s, now);
		break;
	case ZW_RX_NAK:
	case ZW_RX_CAN:
		if (ev == ZW_RX_NAK)
			s->stats.naks++;
		else
			s->stats.cans++;
		if (s->st == TX_WAIT_ACK)
			retry(s, now);
		break;
	case ZW_RX_FRAME:
		got_frame(s, &s->rx, now);
		break;
	case ZW_RX_BADSUM:
		s->stats.naks_sent++;
		send_byte(s, ZW_NAK, now);
		break;
	case ZW_RX_BADLEN:
		s->stats.badlen++;
		break;
	case ZW_RX_GARBAGE:
		s->stats.garbage++;
		break;
	default:
		break;
	}
}

void
zw_session_input(struct zw_session *s, const uint8_t *b, size_t n,
    uint64_t now)
{
	size_t i;

	if (s->down)
		return;
	for (i = 0; i < n && !s->down; i++)
		rx_event(s, zw_parse_byte(&s->p, b[i], now, &s->rx), now);
	zws_kick(s, now);
}

static void
state_due(struct zw_session *s, uint64_t now)
{
	switch (s->st) {
	case TX_BACKOFF:
		transmit(s, now);
		break;
	case TX_WAIT_ACK:
		s->stats.timeouts++;
		s->timeouts++;
		retry(s, now);
		break;
	case TX_WAIT_RES:
		s->stats.timeouts++;
		s->timeouts++;
		zws_finish(s, s->cur, ZW_ERR_NORES, NULL, NULL);
		break;
	default:
		break;
	}
}

/* The awaited SendData is stuck: ask the stick to give it up. */
static void
send_abort(struct zw_session *s, uint64_t now)
{
	struct zw_req	r;
	enum zw_status	st;

	s->abort_at = ZW_NO_DEADLINE;
	s->aborted = 1;
	if (s->cb_deadline > now + s->t.abort_cb_ms)
		s->cb_deadline = now + s->t.abort_cb_ms;
	memset(&r, 0, sizeof(r));
	r.func = ZW_FN_SEND_DATA_ABORT;
	r.cb_idx = -1;
	r.prio = ZW_PRIO_USER;
	r.urgent = 1;
	s->stats.aborts++;
	log_info("zwave: SendData to node %u has no callback after %llu ms: "
	    "aborting it", s->cbw->r.len > 0 ? s->cbw->r.payload[0] : 0,
	    (unsigned long long)s->t.abort_ms);
	/* The queue may be full: the shorter callback deadline still ends
	 * the SendData. */
	if (zw_session_submit(s, &r, now, &st) == -1)
		log_warnx("zwave: SendDataAbort not queued: %s",
		    zw_status_str(st));
}

void
zw_session_tick(struct zw_session *s, uint64_t now)
{
	if (s->down)
		return;
	if (zw_parser_expire(&s->p, now) == ZW_RX_STALLED)
		s->stats.stalled++;
	if (s->st != TX_IDLE && now >= s->deadline)
		state_due(s, now);
	if (s->cbw != NULL && now >= s->abort_at)
		send_abort(s, now);
	if (s->resend != NULL && now >= s->resend_at)
		zws_resend_due(s);
	if (s->cbw != NULL && now >= s->cb_deadline) {
		s->stats.timeouts++;
		s->timeouts++;
		zws_finish(s, s->cbw, ZW_ERR_NOCB, NULL, NULL);
	}
	check_dead(s);
	if (s->acks_owed > 0 && now >= s->ack_after) {
		s->acks_owed--;
		send_byte(s, ZW_ACK, now);
	}
	zws_kick(s, now);
}

uint64_t
zw_session_next(const struct zw_session *s)
{
	uint64_t	next = zw_parser_deadline(&s->p), go;
	int		prio;

	if (s->down)
		return ZW_NO_DEADLINE;
	if (s->st != TX_IDLE && s->deadline < next)
		next = s->deadline;
	if (s->cbw != NULL && s->cb_deadline < next)
		next = s->cb_deadline;
	if (s->cbw != NULL && s->abort_at < next)
		next = s->abort_at;
	if (s->resend != NULL && s->resend_at < next)
		next = s->resend_at;
	if (s->acks_owed > 0 && s->ack_after < next)
		next = s->ack_after;
	go = s->tx_after > s->hold_until ? s->tx_after : s->hold_until;
	if (s->st == TX_IDLE && go < next &&
	    zws_next_eligible((struct zw_session *)(uintptr_t)s, &prio) != NULL)
		next = go;
	return next;
}

void
zw_session_set_down(struct zw_session *s, int down, uint64_t now)
{
	if (down) {
		s->down = 1;
		zws_fail_all(s, ZW_ERR_DOWN);
		zw_parser_init(&s->p);
		s->p.byte_timeout = s->t.byte_ms;
		s->timeouts = 0;
		s->acks_owed = 0;
		return;
	}
	s->down = 0;
	s->hold_until = 0;
	/* Host spec, at start-up: a NAK first, so a stick still holding
	 * part of a frame from before drops it; then the ACK gap. */
	s->stats.naks_sent++;
	send_byte(s, ZW_NAK, now);
}

void
zw_session_hold(struct zw_session *s, uint64_t until, uint64_t now)
{
	s->hold_until = until;
	zws_kick(s, now);
}

void
zw_session_restarted(struct zw_session *s, enum zw_status st, uint64_t now)
{
	s->hold_until = 0;
	s->down = 1;		/* a completion cannot submit meanwhile */
	zws_fail_inflight(s, st);
	s->down = 0;
	s->timeouts = 0;
	zws_kick(s, now);
}

void
zw_session_abort(struct zw_session *s, enum zw_status st, uint64_t now)
{
	s->down = 1;		/* a completion cannot submit meanwhile */
	zws_fail_all(s, st);
	s->down = 0;
	s->timeouts = 0;
	s->tx_after = now;
}

const struct zw_stats *
zw_session_stats(const struct zw_session *s)
{
	return &s->stats;
}
