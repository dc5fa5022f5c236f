/*
 * Z-Wave security, the glue between the schemes (zw_s0.c) and the nodes.
 *
 * The network key is read from its file by zw_sec_key.c.
 *
 * Sending: a class a node supports securely goes encapsulated. Each frame
 * needs a fresh nonce from the node, so a node has a small queue
 * (ZW_SEC_TXQ): Nonce Get, the node's Nonce Report within
 * ZW_S0_NONCE_WAIT_MS, then the encapsulated frame, sent ahead of queued
 * traffic (the node's nonce expires); its SendData completion is the
 * caller's, as for a clear frame.
 *
 * Receiving: a node's Nonce Get is answered ahead of everything queued
 * (the node waits 1 s); an encapsulated frame is checked (nonce, MAC) and
 * its command handled as secure; a clear-text command of a class the node
 * supports securely is refused and logged.
 *
 * Secure inclusion (zw_sec_bootstrap) is zw_sec_boot.c's.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "log.h"
#include "slave.h"
#include "zwave/zw.h"
#include "zwave/zw_sec.h"

#include "zwave/zw_cc.h"
#include "zwave/zw_sec_int.h"
#include "zwave/zw_transport.h"

#define WAKE_UP_NOTIFICATION	0x07


static void	kick(struct zw_node *);

/* Is the node reached through S2 (granted, or being bootstrapped)? */
static int
is_s2(const struct zw_node *zn)
{
	return zn->sec_level >= 2 || (zn->secn != NULL &&
	    (zn->secn->boot == BOOT_S2_KEX || zn->secn->boot == BOOT_S2_CMDS));
}

int
zw_sec_node_id(const struct zw_node *zn)
{
	return (int)(zn - zn->ctrl->node);
}

static uint64_t
now_ms(const struct zw_ctrl *c)
{
	return ev_now(c->s->loop);
}

int
zw_sec_start(struct zw_ctrl *c)
{
	static const uint8_t zero[ZW_S0_KEY_LEN];
	struct zw_secctl	*sc;
	char			*path;
	int			 r;

	if ((sc = calloc(1, sizeof(*sc))) == NULL)
		return -1;
	if (asprintf(&path, "%s/zwave.key", c->s->conf.state_dir) == -1) {
		free(sc);
		return -1;
	}
	r = zw_sec_key_load(path, sc->key);
	free(path);
	if (r == -1 || zw_s0_init(&sc->s0, sc->key) == -1 ||
	    zw_s0_init(&sc->s0_zero, zero) == -1) {
		OPENSSL_cleanse(sc, sizeof(*sc));
		free(sc);
		return -1;
	}
	sc->scheme = &zw_sec_s0;
	c->sec = sc;
	if (zw_s2_start(c) == -1) {
		zw_sec_stop(c);
		return -1;
	}
	return 0;
}

void
zw_sec_stop(struct zw_ctrl *c)
{
	int id;

	for (id = 0; id <= ZW_MAX_NODES; id++)
		zw_sec_node_reset(&c->node[id]);
	zw_ts_stop(c);
	zw_s2_stop(c);
	if (c->sec != NULL)
		OPENSSL_cleanse(c->sec, sizeof(*c->sec));
	free(c->sec);
	c->sec = NULL;
}

/* --- per-node state -------------------------------------------------- */

#define pop		zw_sec_pop
#define idle		zw_sec_idle
#define on_nonce_timeout zw_sec_on_nonce_timeout

struct zw_secnode *
zw_sec_node(struct zw_node *zn)
{
	if (zn->secn == NULL && (zn->secn = calloc(1,
	    sizeof(*zn->secn))) != NULL) {
		ev_timer_init(&zn->secn->nonce_timer, on_nonce_timeout, zn);
		ev_timer_init(&zn->secn->boot_timer, zw_sec_on_boot_timeout,
		    zn);
		ev_timer_init(&zn->secn->s2_settle, zw_s2_on_settle, zn);
	}
	return zn->secn;
}

/* Pop the head of the queue; its caller learns `st` unless it was sent. */
void
zw_sec_pop(struct zw_node *zn, int fail, enum zw_status st,
    const struct zw_frame *res, const struct zw_frame *cb)
{
	struct zw_secnode	*sn = zn->secn;
	struct zw_sectx		 tx = sn->q[sn->head];

	OPENSSL_cleanse(&sn->q[sn->head], sizeof(sn->q[sn->head]));
	sn->head = (sn->head + 1) % ZW_SEC_TXQ;
	sn->count--;
	sn->waiting = 0;
	sn->s2_asked = 0;
	ev_timer_stop(zn->ctrl->s->loop, &sn->nonce_timer);
	if (fail && tx.done != NULL)
		tx.done(tx.arg, st, res, cb);
}

void
zw_sec_node_reset(struct zw_node *zn)
{
	struct zw_secnode *sn = zn->secn;

	zw_s2_node_reset(zn);
	zw_ts_node_reset(zn);
	if (sn == NULL)
		return;
	ev_timer_stop(zn->ctrl->s->loop, &sn->boot_timer);
	ev_timer_stop(zn->ctrl->s->loop, &sn->s2_settle);
	while (sn->count > 0)
		pop(zn, !zn->ctrl->stopping, ZW_ERR_DOWN, NULL, NULL);
	free(sn);
	zn->secn = NULL;
}

int
zw_sec_booting(const struct zw_node *zn)
{
	return zn->secn != NULL && zn->secn->boot != BOOT_NONE;
}

int
zw_sec_s0_booting(const struct zw_node *zn)
{
	return zn->secn != NULL && zn->secn->boot >= BOOT_SCHEME &&
	    zn->secn->boot <= BOOT_CMDS;
}

int
zw_sec_wanted(const struct zw_node *zn, uint8_t cc)
{
	size_t i;

	if (zn->sec_level == 0 || cc == ZW_CC_SECURITY ||
	    cc == ZW_CC_SECURITY_2)
		return 0;
	for (i = 0; i < zn->nscc; i++)
		if (zn->scc[i] == cc)
			return 1;
	return 0;
}

/*
 * A clear-text command of a class the node supports securely: anyone in
 * radio range can send one with the node's id as its source, bare or
 * inside a clear wrapper (Supervision, Multi Channel), whose every level
 * zw_node_receive() judges here.
 */
int
zw_sec_refused(const struct zw_node *zn, uint8_t ep, const uint8_t *cmd,
    size_t len)
{
	if (len < 1 || !zw_sec_wanted(zn, cmd[0]))
		return 0;
	/* A Wake Up Notification carries nothing: it only tells us to send
	 * what waits (securely), and many S0 sensors send it in clear. */
	if (cmd[0] == ZW_CC_WAKE_UP && len == 2 &&
	    cmd[1] == WAKE_UP_NOTIFICATION)
		return 0;
	log_warnx("zwave: node %d: clear-text command 0x%02x 0x%02x%s "
	    "refused: the node supports it only securely", zw_sec_node_id(zn),
	    cmd[0], len > 1 ? cmd[1] : 0, ep != 0 ? " (in a Multi Channel "
	    "encapsulation)" : "");
	return 1;
}

/* --- sending --------------------------------------------------------- */


/*
 * A Nonce Get is done, S0's or S2's (`s2`): delivered, wait for the
 * report (the wait starts here, not while it was queued); else the
 * command fails with the Nonce Get's own result. The node may answer
 * before the stick's callback comes: then the frame has gone already
 * and only the next one waits.
 */
void
zw_sec_nonce_get_done(struct zw_node *zn, int s2, enum zw_status st,
    const struct zw_frame *res, const struct zw_frame *cb)
{
	struct zw_secnode	*sn = zn->secn;
	void			(*next)(struct zw_node *);

	next = s2 ? zw_s2_kick : kick;
	if (zn->ctrl->stopping || sn == NULL || !sn->busy)
		return;
	sn->busy = 0;
	if (!sn->waiting) {
		next(zn);		/* the nonce came first */
		return;
	}
	if (st != ZW_OK || cb == NULL || cb->len < 2 || cb->payload[1] != 0) {
		log_warnx("zwave: node %d: %s nonce get not delivered",
		    zw_sec_node_id(zn), s2 ? "S2" : "S0");
		pop(zn, 1, st, res, cb);
		next(zn);
		return;
	}
	ev_timer_start(zn->ctrl->s->loop, &sn->nonce_timer,
	    s2 ? ZW_S2_NONCE_WAIT_MS : ZW_S0_NONCE_WAIT_MS);
}

static void
nonce_get_sent(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	zw_sec_nonce_get_done(arg, 0, st, res, cb);
}

void
on_nonce_timeout(struct ev_timer *t)
{
	struct zw_node *zn = t->arg;

	log_warnx("zwave: node %d: no %s nonce in %d ms", zw_sec_node_id(zn),
	    is_s2(zn) ? "S2" : "S0", ZW_S0_NONCE_WAIT_MS);
	pop(zn, 1, ZW_ERR_NONONCE, NULL, NULL);
	kick(zn);
}

int
zw_sec_busy(const struct zw_node *zn)
{
	const struct zw_secnode *sn = zn->secn;

	/* A command being confirmed: the node's secure report needs our
	 * nonce, so it must stay awake for it. */
	return sn != NULL && (sn->count > 0 || sn->busy || sn->waiting ||
	    sn->nonce_out || sn->s2_inflight || sn->s2_nonce_out ||
	    sn->boot != BOOT_NONE || (zn->sec_level != 0 &&
	    zn->cmd_confirming));
}

/* The S0 exchange is over: a sleeping node may be let go. */
void
idle(struct zw_node *zn)
{
	if (!zw_sec_busy(zn))
		zw_mgmt_idle(zn->ctrl, zn);
}

/* Ask the node at the head of the queue for a nonce. */
static void
kick(struct zw_node *zn)
{
	static const uint8_t get[] = { ZW_CC_SECURITY, ZW_S0_NONCE_GET };
	struct zw_secnode *sn = zn->secn;

	if (is_s2(zn)) {
		zw_s2_kick(zn);
		return;
	}
	while (sn != NULL && sn->count > 0 && !sn->busy && !sn->waiting) {
		if (zw_node_send_clear(zn->ctrl, zw_sec_node_id(zn), get,
		    sizeof(get), sn->q[sn->head].prio, 0, nonce_get_sent,
		    zn) == 0) {
			sn->busy = sn->waiting = 1;
			return;
		}
		pop(zn, 1, ZW_ERR_FULL, NULL, NULL);
	}
	idle(zn);
}

int
zw_sec_send(struct zw_ctrl *c, int id, const uint8_t *cmd, size_t n,
    enum zw_prio prio, zw_done_fn *done, void *arg)
{
	struct zw_node		*zn = &c->node[id];
	struct zw_secnode	*sn;
	struct zw_sectx		*tx;

	if (c->sec == NULL || n == 0 || n > ZW_S0_MAX_CMD ||
	    (sn = zw_sec_node(zn)) == NULL || sn->count == ZW_SEC_TXQ)
		return -1;
	tx = &sn->q[(sn->head + sn->count) % ZW_SEC_TXQ];
	memset(tx, 0, sizeof(*tx));
	memcpy(tx->cmd, cmd, n);
	tx->n = n;
	tx->prio = prio;
	tx->done = done;
	tx->arg = arg;
	tx->zero_key = n > 1 && cmd[0] == ZW_CC_SECURITY &&
	    cmd[1] == ZW_S0_KEY_SET;
	sn->count++;
	if (is_s2(zn))
		return zw_s2_send(c, zn);
	if (sn->busy || sn->waiting)
		return 0;	/* its turn comes after the one under way */
	/* Idle: the queue was empty and tx is the head. */
	if (zw_node_send_clear(c, id, (const uint8_t[]){ ZW_CC_SECURITY,
	    ZW_S0_NONCE_GET }, 2, prio, 0, nonce_get_sent, zn) == -1) {
		OPENSSL_cleanse(tx, sizeof(*tx));
		sn->count--;
		return -1;
	}
	sn->busy = sn->waiting = 1;
	return 0;
}

/*
 * Take back a request not sent yet: queued behind another, or at the head
 * with its Nonce Get still held for a sleeping node (zw_mgmt.c). Its
 * completion is not called. 1 if taken back; 0 if it is under way (the
 * Nonce Get went out: the node is awake and hears it soon) or unknown.
 */
int
zw_sec_cancel(struct zw_node *zn, zw_done_fn *done, const void *arg)
{
	struct zw_secnode	*sn = zn->secn;
	size_t			 i, j;

	if (sn == NULL)
		return 0;
	for (i = 0; i < sn->count; i++)
		if (sn->q[(sn->head + i) % ZW_SEC_TXQ].done == done &&
		    sn->q[(sn->head + i) % ZW_SEC_TXQ].arg == arg)
			break;
	if (i == sn->count)
		return 0;
	if (i == 0 && (sn->busy || sn->waiting)) {
		if (!sn->busy || zw_mgmt_unhold(zn, nonce_get_sent, zn) == 0)
			return 0;
		sn->busy = 0;
		pop(zn, 0, ZW_OK, NULL, NULL);
		kick(zn);		/* the next one asks for its nonce */
		return 1;
	}
	for (j = i; j + 1 < sn->count; j++)
		sn->q[(sn->head + j) % ZW_SEC_TXQ] =
		    sn->q[(sn->head + j + 1) % ZW_SEC_TXQ];
	OPENSSL_cleanse(&sn->q[(sn->head + sn->count - 1) % ZW_SEC_TXQ],
	    sizeof(sn->q[0]));
	sn->count--;
	return 1;
}

/*
 * The first half of a split command went (or not): the node answers it
 * with its next nonce (we asked in the same frame, 0xC1), for which the
 * second half waits. Not delivered: the command fails, as for one frame.
 */
static void
half_sent(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct zw_node		*zn = arg;
	struct zw_secnode	*sn = zn->secn;

	if (zn->ctrl->stopping || sn == NULL || sn->count == 0 ||
	    !sn->waiting || sn->q[sn->head].sent == 0)
		return;			/* the second half went already */
	if (st == ZW_OK && cb != NULL && cb->len >= 2 && cb->payload[1] == 0)
		return;
	log_warnx("zwave: node %d: first half of an S0 split command not "
	    "delivered", zw_sec_node_id(zn));
	pop(zn, 1, st, res, cb);
	kick(zn);
}

/* A command longer than ZW_S0_SPLIT_AT goes in two frames, each under
 * its own nonce of the node's: the first half asking for the next
 * nonce, then the rest. 1 if the first half went. */
static int
send_first_half(struct zw_ctrl *c, struct zw_node *zn, const uint8_t *nonce)
{
	struct zw_secnode	*sn = zn->secn;
	struct zw_sectx		*tx = &sn->q[sn->head];
	uint8_t			 frame[ZW_S0_MAX_CMD + ZW_S0_OVERHEAD];
	size_t			 n = 0, first;
	uint8_t			 ctr = sn->s0_seq++ & ZW_S0_SEQ_COUNTER;
	int			 id = zw_sec_node_id(zn), ok;

	/* Halves of (nearly) equal length: each at most ZW_S0_MAX_CMD / 2,
	 * so that even the longest command's S0 frames fit one frame. */
	first = (tx->n + 1) / 2;
	ok = c->sec->scheme->encap(tx->zero_key ? &c->sec->s0_zero :
	    &c->sec->s0, c->own_id, (uint8_t)id, nonce, ZW_S0_SEQ_SEQUENCED |
	    ctr, 1, tx->cmd, first, frame, sizeof(frame), &n) ==
	    ZW_SEC_OK && zw_node_send_clear(c, id, frame, n, tx->prio, 1,
	    half_sent, zn) == 0;
	OPENSSL_cleanse(frame, sizeof(frame));
	if (!ok)
		return 0;
	tx->sent = first;
	tx->seq = ctr;
	sn->waiting = 1;
	ev_timer_stop(c->s->loop, &sn->nonce_timer);
	ev_timer_start(c->s->loop, &sn->nonce_timer, ZW_S0_NONCE_WAIT_MS);
	return 1;
}

/* The node's nonce came: encapsulate the head (or its next half) and
 * send it at once. */
static void
got_nonce(struct zw_ctrl *c, struct zw_node *zn, const uint8_t *nonce)
{
	struct zw_secnode	*sn = zn->secn;
	struct zw_sectx		*tx;
	uint8_t			 frame[ZW_S0_MAX_CMD + ZW_S0_OVERHEAD];
	size_t			 n = 0;
	uint8_t			 seq = 0;
	enum zw_sec_result	 r;

	if (sn == NULL || !sn->waiting) {
		log_debug("zwave: node %d: unasked S0 nonce ignored",
		    zw_sec_node_id(zn));
		return;
	}
	tx = &sn->q[sn->head];
	if (tx->sent == 0 && tx->n > ZW_S0_SPLIT_AT) {
		if (!send_first_half(c, zn, nonce)) {
			log_warnx("zwave: node %d: S0 split command not sent",
			    zw_sec_node_id(zn));
			pop(zn, 1, ZW_ERR_FULL, NULL, NULL);
			kick(zn);
		}
		return;
	}
	if (tx->sent > 0)
		seq = ZW_S0_SEQ_SEQUENCED | ZW_S0_SEQ_SECOND | tx->seq;
	r = c->sec->scheme->encap(tx->zero_key ? &c->sec->s0_zero :
	    &c->sec->s0, c->own_id, (uint8_t)zw_sec_node_id(zn), nonce, seq,
	    0, tx->cmd + tx->sent, tx->n - tx->sent, frame, sizeof(frame), &n);
	if (r != ZW_SEC_OK) {
		log_warnx("zwave: node %d: S0: %s", zw_sec_node_id(zn),
		    zw_sec_result_str(r));
		pop(zn, 1, ZW_ERR_INVAL, NULL, NULL);
	} else if (zw_node_send_clear(c, zw_sec_node_id(zn), frame, n,
	    tx->prio, 1, tx->done, tx->arg) == -1)
		pop(zn, 1, ZW_ERR_FULL, NULL, NULL);
	else
		pop(zn, 0, ZW_OK, NULL, NULL);
	OPENSSL_cleanse(frame, sizeof(frame));
	kick(zn);
}

/* --- receiving ------------------------------------------------------- */

static void
nonce_report_sent(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct zw_node *zn = arg;

	(void)res;
	if (zn->ctrl->stopping)
		return;
	if (zn->secn != NULL)
		zn->secn->nonce_out = 0;
	if (st != ZW_OK || cb == NULL || cb->len < 2 || cb->payload[1] != 0)
		log_warnx("zwave: node %d: S0 nonce report not delivered",
		    zw_sec_node_id(zn));
	else
		idle(zn);
}

/*
 * A node asked for our nonce: it waits 1 s, so ahead of all queued. One
 * report per node at a time: a node (or someone using its id) repeating
 * Nonce Gets cannot fill the session's queue with urgent frames.
 */
static void
send_nonce(struct zw_ctrl *c, struct zw_node *zn)
{
	struct zw_secnode	*sn;
	uint8_t			 rep[2 + ZW_S0_HALF_NONCE];
	size_t			 n;

	if ((sn = zw_sec_node(zn)) == NULL)
		return;
	if (sn->nonce_out) {
		log_debug("zwave: node %d: S0 nonce report already queued",
		    zw_sec_node_id(zn));
		return;
	}
	n = c->sec->scheme->nonce(&c->sec->s0, (uint8_t)zw_sec_node_id(zn),
	    now_ms(c), rep, sizeof(rep));
	if (n == 0 || zw_node_send_clear(c, zw_sec_node_id(zn), rep, n,
	    ZW_PRIO_USER, 1, nonce_report_sent, zn) == -1)
		log_warnx("zwave: node %d: S0 nonce report not queued",
		    zw_sec_node_id(zn));
	else
		sn->nonce_out = 1;
	OPENSSL_cleanse(rep, sizeof(rep));
}

/*
 * An encapsulated frame: checked (nonce, MAC), then through the node's
 * split state (zw_s0_join): a first half waits for its second, which
 * must follow under its own nonce within ZW_S0_SPLIT_WAIT_MS.
 */
static void
decap(struct zw_ctrl *c, struct zw_node *zn, const uint8_t *f, size_t len)
{
	struct zw_secnode	*sn;
	uint8_t			part[ZW_S0_MAX_CMD], inner[ZW_S0_MAX_CMD];
	size_t			pn = 0, n = 0;
	uint8_t			seq = 0;
	enum zw_sec_result	r;

	r = c->sec->scheme->decap(&c->sec->s0, (uint8_t)zw_sec_node_id(zn),
	    c->own_id, f, len, now_ms(c), part, sizeof(part), &pn, &seq);
	if (r == ZW_SEC_OK && f[1] == ZW_S0_ENCAP_NONCE_GET)
		send_nonce(c, zn);	/* it has more to say */
	if (r == ZW_SEC_OK)
		r = (sn = zw_sec_node(zn)) == NULL ? ZW_SEC_CRYPTO :
		    zw_s0_join(&sn->s0_split, seq, part, pn, now_ms(c), inner,
		    sizeof(inner), &n);
	OPENSSL_cleanse(part, sizeof(part));
	if (r == ZW_SEC_PARTIAL) {
		log_debug("zwave: node %d: S0 split command: first half, %zu "
		    "bytes", zw_sec_node_id(zn), pn);
		return;
	}
	if (r != ZW_SEC_OK) {
		log_warnx("zwave: node %d: S0 frame refused: %s",
		    zw_sec_node_id(zn), zw_sec_result_str(r));
		return;
	}
	if (seq & ZW_S0_SEQ_SEQUENCED)
		log_info("zwave: node %d: S0 split command joined, %zu bytes",
		    zw_sec_node_id(zn), n);
	if (inner[0] == ZW_CC_SECURITY)
		zw_sec_boot_input(c, zn, inner, n);
	else if (zn->sec_level == 0)
		log_warnx("zwave: node %d: S0 command 0x%02x before secure "
		    "inclusion ended: ignored", zw_sec_node_id(zn), inner[0]);
	else if (zw_node_receive(c, zn, 0, inner, n, 1) == 0)
		zw_node_fail(c, zn, 0);		/* heard, and genuine */
	OPENSSL_cleanse(inner, sizeof(inner));
}

int
zw_sec_filter(struct zw_ctrl *c, struct zw_node *zn, const uint8_t *cmd,
    size_t len)
{
	int id = zw_sec_node_id(zn);

	/* Segments: the datagram comes back here once put together. */
	if (len >= 1 && cmd[0] == ZW_CC_TRANSPORT)
		return zw_ts_input(c, zn, cmd, len);
	if (len >= 1 && cmd[0] == ZW_CC_SECURITY_2)
		return zw_s2_filter(c, zn, cmd, len);
	if (len < 1 || cmd[0] != ZW_CC_SECURITY)
		return 0;		/* judged by zw_node_receive() */
	if (c->sec == NULL || len < 2)
		return 1;
	/* Downgrade defence: a node granted S2 speaks S2 only. An S0 frame
	 * claiming to be from it is refused whole, whatever it carries. */
	if (zn->sec_level >= 2) {
		log_warnx("zwave: node %d: S0 command 0x%02x refused: the node "
		    "was granted S2 (a downgrade)", id, cmd[1]);
		return 1;
	}
	switch (cmd[1]) {
	case ZW_S0_NONCE_GET:
		send_nonce(c, zn);
		break;
	case ZW_S0_NONCE_REPORT:
		if (len < 2 + ZW_S0_HALF_NONCE)
			log_warnx("zwave: node %d: short S0 nonce report", id);
		else
			got_nonce(c, zn, cmd + 2);
		break;
	case ZW_S0_ENCAP:
	case ZW_S0_ENCAP_NONCE_GET:
		decap(c, zn, cmd, len);
		break;
	case ZW_S0_SCHEME_REPORT:
		/* the one clear answer */
		zw_sec_boot_input(c, zn, cmd, len);
		break;
	default:
		log_warnx("zwave: node %d: clear-text S0 command 0x%02x "
		    "ignored", id, cmd[1]);
		break;
	}
	return 1;
}
