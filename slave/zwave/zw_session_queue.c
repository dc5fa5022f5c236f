/*
 * Serial API session, its requests (zw_session.c is the wire): a fixed
 * pool of ZW_QUEUE_MAX slots bounds what is queued, on the wire, awaiting
 * a callback or parked to be sent again; two queues by priority, user
 * commands before polls, urgent requests (SendDataAbort, a node's S0
 * nonce) ahead of both. A completion releases its slot before calling the
 * owner back, so the owner may submit again from inside it.
 */

#include <sys/queue.h>

#include "log.h"
#include "zwave/zw.h"
#include "zwave/zw_session_int.h"

/* Release the slot, then tell its owner (who may submit again). */
void
zws_finish(struct zw_session *s, struct zw_slot *sl, enum zw_status st,
    const struct zw_frame *res, const struct zw_frame *cb)
{
	zw_done_fn	*done = sl->r.done;
	void		*arg = sl->r.arg;

	if (sl == s->cur) {
		s->cur = NULL;
		s->st = TX_IDLE;
	}
	if (sl == s->cbw)
		s->cbw = NULL;
	if (sl == s->resend)
		s->resend = NULL;
	sl->used = 0;
	if (st != ZW_OK)
		log_debug("zwave: request 0x%02x: %s", sl->r.func,
		    zw_status_str(st));
	if (done != NULL)
		done(arg, st, res, cb);
}

/* What the stick was given and has not finished: on the wire, awaiting
 * its callback, or waiting to be sent again. */
void
zws_fail_inflight(struct zw_session *s, enum zw_status st)
{
	if (s->cur != NULL)
		zws_finish(s, s->cur, st, NULL, NULL);
	if (s->cbw != NULL)
		zws_finish(s, s->cbw, st, NULL, NULL);
	if (s->resend != NULL)
		zws_finish(s, s->resend, st, NULL, NULL);
}

void
zws_fail_all(struct zw_session *s, enum zw_status st)
{
	struct zw_slot	*sl;
	int		 prio;

	zws_fail_inflight(s, st);
	for (prio = ZW_PRIO_USER; prio <= ZW_PRIO_POLL; prio++)
		while ((sl = TAILQ_FIRST(&s->q[prio])) != NULL) {
			TAILQ_REMOVE(&s->q[prio], sl, entry);
			s->nqueued--;
			zws_finish(s, sl, st, NULL, NULL);
		}
}

/* The first request that may go now: user before polling, and a second
 * callback-waiting request (or RequestNodeInfo, zw.h) stays queued behind
 * the one in flight or the one waiting to be sent again. */
struct zw_slot *
zws_next_eligible(struct zw_session *s, int *prio)
{
	struct zw_slot *sl;

	for (*prio = ZW_PRIO_USER; *prio <= ZW_PRIO_POLL; (*prio)++)
		TAILQ_FOREACH(sl, &s->q[*prio], entry)
			if ((sl->r.cb_idx < 0 && !sl->r.until_nif) ||
			    (s->cbw == NULL && s->resend == NULL))
				return sl;
	return NULL;
}

/* Urgent requests go ahead of all others, first come first served. */
static void
insert_urgent(struct zw_session *s, struct zw_slot *sl)
{
	struct zw_slot *p, *last = NULL;

	sl->r.prio = ZW_PRIO_USER;
	TAILQ_FOREACH(p, &s->q[ZW_PRIO_USER], entry) {
		if (!p->r.urgent)
			break;
		last = p;
	}
	if (last == NULL)
		TAILQ_INSERT_HEAD(&s->q[ZW_PRIO_USER], sl, entry);
	else
		TAILQ_INSERT_AFTER(&s->q[ZW_PRIO_USER], last, sl, entry);
}

int
zw_session_submit(struct zw_session *s, const struct zw_req *r, uint64_t now,
    enum zw_status *st)
{
	int i;

	*st = ZW_OK;
	if (s->down)
		*st = ZW_ERR_DOWN;
	else if (r->len > ZW_MAX_PAYLOAD ||
	    (r->cb_idx >= 0 && (size_t)r->cb_idx >= r->len))
		*st = ZW_ERR_INVAL;
	if (*st != ZW_OK)
		return -1;
	/* The pool bounds queued, on-the-wire and awaited requests; polls
	 * leave ZW_QUEUE_RESERVE slots to commands and urgent S0 frames, so
	 * a burst of them never makes a user command BUSY or a node's nonce
	 * request go unanswered. */
	for (i = 0; i < ZW_QUEUE_MAX && s->pool[i].used; i++)
		;
	if (i == ZW_QUEUE_MAX || (r->prio != ZW_PRIO_USER && !r->urgent &&
	    zw_session_queued(s) >= ZW_QUEUE_MAX - ZW_QUEUE_RESERVE)) {
		*st = ZW_ERR_FULL;
		return -1;
	}
	s->pool[i].used = 1;
	s->pool[i].txfails = 0;
	s->pool[i].r = *r;
	if (s->pool[i].r.prio != ZW_PRIO_USER)
		s->pool[i].r.prio = ZW_PRIO_POLL;
	if (s->pool[i].r.urgent)	/* a node waits 1 s for it */
		insert_urgent(s, &s->pool[i]);
	else
		TAILQ_INSERT_TAIL(&s->q[s->pool[i].r.prio], &s->pool[i],
		    entry);
	s->nqueued++;
	zws_kick(s, now);
	return 0;
}

/* The back-off is over: the SendData goes next, ahead of all queued (a
 * poll too: it was on the wire before them). */
void
zws_resend_due(struct zw_session *s)
{
	struct zw_slot *sl = s->resend;

	s->resend = NULL;
	TAILQ_INSERT_HEAD(&s->q[ZW_PRIO_USER], sl, entry);
	s->nqueued++;
}

int
zw_session_queued(const struct zw_session *s)
{
	return s->nqueued + (s->cur != NULL) + (s->cbw != NULL) +
	    (s->resend != NULL);
}

const char *
zw_status_str(enum zw_status st)
{
	static const char *const str[] = {
		"ok", "not acknowledged by the stick", "no response from the stick",
		"no callback from the stick", "refused by the stick",
		"queue full", "stick not answering", "request too long",
		"no S0 nonce from the node", "the stick restarted",
		"the radio is jammed (the stick could not transmit)",
		"the stick's routing stayed busy",
	};

	return (unsigned)st < sizeof(str) / sizeof(str[0]) ? str[st] : "?";
}
