/*
 * Security 2: the frames sent again after a Nonce Report SOS. An SOS
 * says the node lost our SPAN at one of our frames it has not yet shown
 * it followed, and does not say which; every later frame made on the
 * lost SPAN fails too and brings an SOS of its own, each with a new
 * REI. So the frames delivered since the node last showed it followed
 * (a frame of its own decrypted) are kept; after an SOS nothing goes to
 * the node until its SOSes stop, then those frames go again, once
 * each, in their order, on the last REI (docs/ZWAVE.md, "Sending").
 * zw_sec_s2.c is the rest of the S2 transport.
 */

#include <string.h>

#include <openssl/crypto.h>

#include "log.h"
#include "slave.h"
#include "zwave/zw.h"
#include "zwave/zw_sec_int.h"

/* A frame handed to the session: kept until the node shows it followed
 * our SPAN. Full, the oldest goes: an SOS follows a failure within
 * milliseconds, not three frames later. */
void
zw_s2_sent_add(struct zw_secnode *sn, const struct zw_sectx *tx)
{
	struct zw_s2sent *e;

	if (tx->n > sizeof(e->cmd))
		return;
	if (sn->s2_nsent == ZW_S2_RESEND_MAX) {
		memmove(sn->s2_sent, sn->s2_sent + 1,
		    (ZW_S2_RESEND_MAX - 1) * sizeof(sn->s2_sent[0]));
		sn->s2_nsent--;
	}
	e = &sn->s2_sent[sn->s2_nsent++];
	memset(e, 0, sizeof(*e));
	memcpy(e->cmd, tx->cmd, tx->n);
	e->n = tx->n;
	e->resent = tx->resent;
}

/* Drop entry `i` (its frame sent again, or settled). */
static void
sent_drop(struct zw_secnode *sn, size_t i)
{
	memmove(sn->s2_sent + i, sn->s2_sent + i + 1,
	    (sn->s2_nsent - i - 1) * sizeof(sn->s2_sent[0]));
	sn->s2_nsent--;
	OPENSSL_cleanse(&sn->s2_sent[sn->s2_nsent], sizeof(sn->s2_sent[0]));
}

/* A frame of the node's own decrypted: it followed our SPAN through
 * every frame of ours delivered before it. */
void
zw_s2_sent_confirmed(struct zw_secnode *sn)
{
	size_t i = sn->s2_nsent;

	while (i-- > 0)
		if (sn->s2_sent[i].at != 0)
			sent_drop(sn, i);
}

/* Frame `i` goes again, ahead of the frames queued after it (they must
 * not overtake it: a Get behind a Set would read the old value). */
static void
sent_requeue(struct zw_node *zn, size_t i)
{
	struct zw_secnode	*sn = zn->secn;
	struct zw_s2sent	*e = &sn->s2_sent[i];
	struct zw_sectx		*tx;

	if (sn->count == ZW_SEC_TXQ) {
		log_warnx("zwave: node %d: S2 frame not sent again: its queue "
		    "is full", zw_sec_node_id(zn));
		sent_drop(sn, i);
		return;
	}
	sn->head = (sn->head + ZW_SEC_TXQ - 1) % ZW_SEC_TXQ;
	tx = &sn->q[sn->head];
	memset(tx, 0, sizeof(*tx));
	memcpy(tx->cmd, e->cmd, e->n);
	tx->n = e->n;
	tx->prio = ZW_PRIO_USER;
	tx->resent = 1;
	sn->count++;
	sent_drop(sn, i);
}

/*
 * An unasked Nonce Report SOS: the node lost our SPAN at one of the
 * frames not yet confirmed, and every later one failed too (the one at
 * the stick was made on the old SPAN: it fails as well, and brings its
 * own SOS). Those delivered within ZW_S2_SOS_RESEND_MS keep their
 * place; once the SOSes stop, they go again (sent_resend).
 */
void
zw_s2_sent_sos(struct zw_node *zn)
{
	struct zw_secnode	*sn = zn->secn;
	uint64_t		 now = ev_now(zn->ctrl->s->loop);
	size_t			 i = sn->s2_nsent;

	while (i-- > 0)
		if (sn->s2_sent[i].at != 0 &&
		    now - sn->s2_sent[i].at > ZW_S2_SOS_RESEND_MS)
			sent_drop(sn, i);
	if (!sn->s2_settling) {
		sn->s2_settling = 1;
		sn->s2_settle_since = now;
	} else if (now - sn->s2_settle_since >= ZW_S2_SOS_SETTLE_MAX_MS)
		return;		/* an SOS storm does not hold us for ever */
	ev_timer_start(zn->ctrl->s->loop, &sn->s2_settle, ZW_S2_SOS_SETTLE_MS);
}

/* The SOSes stopped: the frames not confirmed go again, once each, in
 * their order, ahead of those queued after them, on the last REI. */
static void
sent_resend(struct zw_node *zn)
{
	struct zw_secnode	*sn = zn->secn;
	size_t			 i = sn->s2_nsent, n = 0;

	while (i-- > 0) {		/* the newest first onto the head */
		if (sn->s2_sent[i].resent || sn->s2_sent[i].at == 0)
			sent_drop(sn, i);
		else {
			sent_requeue(zn, i);
			n++;
		}
	}
	if (n > 0)
		log_info("zwave: node %d: lost the S2 nonce sequence: our "
		    "last %zu frame%s sent again", zw_sec_node_id(zn), n,
		    n == 1 ? "" : "s");
}

void
zw_s2_on_settle(struct ev_timer *t)
{
	struct zw_node		*zn = t->arg;
	struct zw_secnode	*sn = zn->secn;

	if (sn == NULL)
		return;
	sn->s2_settling = 0;
	if (sn->s2_inflight) {		/* its callback is late: wait on */
		sn->s2_settling = 1;
		ev_timer_start(zn->ctrl->s->loop, t, ZW_S2_SOS_SETTLE_MS);
		return;
	}
	sent_resend(zn);
	zw_s2_kick(zn);
}

/* The frame at the stick is done: delivered, the SOS window starts. */
void
zw_s2_sent_done(struct zw_node *zn, enum zw_status st,
    const struct zw_frame *cb)
{
	struct zw_secnode	*sn = zn->secn;
	size_t			 i = sn->s2_nsent - 1;

	if (sn->s2_nsent == 0 || sn->s2_sent[i].at != 0)
		return;		/* sent again meanwhile (an SOS) */
	if (st != ZW_OK || cb == NULL || cb->len < 2 || cb->payload[1] != 0)
		sent_drop(sn, i);	/* not delivered: its caller knows */
	else
		sn->s2_sent[i].at = ev_now(zn->ctrl->s->loop);
}

/* The node's security is reset: nothing of it is sent again. */
void
zw_s2_sent_clear(struct zw_node *zn)
{
	struct zw_secnode *sn = zn->secn;

	while (sn->s2_nsent > 0)
		sent_drop(sn, 0);
	sn->s2_settling = 0;
	ev_timer_stop(zn->ctrl->s->loop, &sn->s2_settle);
}
