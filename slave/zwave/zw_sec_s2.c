/*
 * S2 on the slave: the glue between the pure S2 code (zw_s2_*.c) and the
 * nodes, as zw_sec.c is S0's. This file is the transport; bootstrapping
 * at inclusion and the node's secure classes are zw_sec_s2_boot.c.
 *
 * Keys: STATE_DIR/zwave-s2.key (zw_s2_key.c), the three S2 network keys,
 * loaded beside S0's zwave.key; a file others can read stops the slave.
 *
 * Sending: a class a node supports securely goes in a Message
 * Encapsulation under its highest granted class. The node's queue is
 * S0's (zw_secnode.q); one S2 frame at a time goes to the session, since
 * each took the next nonce of the SPAN and the node expects them in
 * order. No SPAN yet: a Nonce Get first, and the frame once the node's
 * Nonce Report (with its REI) is in. A Nonce Report SOS right after our
 * frame says the node could not decrypt it: it is sent once more.
 *
 * Receiving: Nonce Get answered at once (SOS and a fresh REI); a Message
 * Encapsulation decoded (duplicates, lower classes and forgeries dropped
 * by zw_s2_decap) and its command handed to zw_node_receive() as secure;
 * Security 2 commands inside go to zw_sec_s2_boot.c.
 * Downgrade defence: a node granted S2 has its S0 frames refused
 * (zw_sec_filter) and its secure classes refused in clear, at any depth
 * (zw_sec_refused), as for S0.
 */

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "log.h"
#include "slave.h"
#include "zwave/zw.h"
#include "zwave/zw_sec_int.h"

static int
s2_rand(uint8_t *b, size_t n)
{
	return RAND_bytes(b, (int)n) == 1 ? 0 : -1;
}

static uint64_t
now_ms(const struct zw_ctrl *c)
{
	return ev_now(c->s->loop);
}

/* The transport, with the stick's ids (known only once it answered). */
struct zw_s2 *
zw_s2_transport(struct zw_ctrl *c)
{
	struct zw_s2 *s = &c->sec->s2->s2;

	s->own = c->own_id;
	s->home_id = c->home_id;
	return s;
}

/* The transport's grants follow the node's, except while it is being
 * bootstrapped: the KEX machine sets them then. */
static void
peer_sync(struct zw_ctrl *c, struct zw_node *zn)
{
	struct zw_s2ctl		*k = c->sec->s2;
	struct zw_s2_peer	*p;
	uint8_t			 id = (uint8_t)zw_sec_node_id(zn);

	if (k->kex_node == id || (zn->secn != NULL &&
	    zn->secn->adopting == ADOPT_S2))
		return;			/* the KEX or the adoption grants */
	p = zw_s2_peer(&k->s2, id);
	/* The transport holds its S2 classes (not S0, granted beside). */
	if ((p == NULL ? 0u : p->granted) != (zn->s2_granted & 0x07u) &&
	    zw_s2_grant(&k->s2, id, zn->s2_granted & 0x07u) == -1)
		log_warnx("zwave: node %d: S2 peer table full (%d nodes)", id,
		    ZW_S2_PEERS);
}

/* --- keys ------------------------------------------------------------ */

int
zw_s2_key_check(const char *state_dir)
{
	uint8_t		 keys[ZW_S2_NETKEYS][ZW_S2_KEY_LEN];
	struct stat	 st;
	char		*path;
	int		 r = 0;

	if (asprintf(&path, "%s/zwave-s2.key", state_dir) == -1)
		return -1;
	if (stat(path, &st) == -1) {
		if (errno != ENOENT) {
			log_warn("zwave: %s", path);
			r = -1;
		}
	} else
		r = zw_s2_keys_load(path, keys);
	OPENSSL_cleanse(keys, sizeof(keys));
	free(path);
	return r;
}

int
zw_s2_start(struct zw_ctrl *c)
{
	struct zw_s2ctl	*k;
	char		*path;
	int		 i, r;

	if ((k = calloc(1, sizeof(*k))) == NULL)
		return -1;
	if (asprintf(&path, "%s/zwave-s2.key", c->s->conf.state_dir) == -1) {
		free(k);
		return -1;
	}
	r = zw_s2_keys_load(path, k->pnk);
	free(path);
	zw_s2_init(&k->s2, 0, 0, s2_rand);
	for (i = 0; r == 0 && i < ZW_S2_NETKEYS; i++)
		r = zw_s2_set_key(&k->s2, (enum zw_s2_class)i, k->pnk[i]);
	/* S0's key as an S2 key: a node given it through S2 bootstrapping
	 * verifies it so (granted only for that Verify). */
	if (r == 0)
		r = zw_s2_set_key(&k->s2, ZW_S2_S0KEY, c->sec->key);
	if (r == -1) {
		OPENSSL_cleanse(k, sizeof(*k));
		free(k);
		return -1;
	}
	ev_timer_init(&k->kex_timer, zw_s2_on_kex_timer, c);
	c->sec->s2 = k;
	zw_s2_prov_load(c);
	return 0;
}

void
zw_s2_stop(struct zw_ctrl *c)
{
	struct zw_s2ctl *k;

	if (c->sec == NULL || (k = c->sec->s2) == NULL)
		return;
	ev_timer_stop(c->s->loop, &k->kex_timer);
	zw_s2_clear(&k->s2);
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
	c->sec->s2 = NULL;
}

/* --- sending --------------------------------------------------------- */

static int	send_head(struct zw_ctrl *, struct zw_node *, int report);

void
zw_s2_kick(struct zw_node *zn)
{
	struct zw_secnode *sn = zn->secn;

	if (sn != NULL && sn->s2_settling)
		return;			/* sent_resend comes first */
	while (sn != NULL && sn->count > 0 && !sn->waiting &&
	    !sn->s2_inflight)
		if (send_head(zn->ctrl, zn, 1) == 0)
			return;
	zw_sec_idle(zn);
}

/* Our S2 frame is done: its caller learns how, the next one may go. */
static void
frame_sent(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct zw_node		*zn = arg;
	struct zw_secnode	*sn = zn->secn;
	zw_done_fn		*done;
	void			*darg;

	if (zn->ctrl->stopping || sn == NULL || !sn->s2_inflight)
		return;
	done = sn->s2_done;
	darg = sn->s2_arg;
	sn->s2_inflight = 0;
	sn->s2_done = NULL;
	zw_s2_sent_done(zn, st, cb);
	if (done != NULL)
		done(darg, st, res, cb);
	if (zn->secn != NULL)
		zw_s2_kick(zn);
}

/* Our Nonce Get is done: the wait for the node's report starts now. */
static void
nonce_get_sent(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	zw_sec_nonce_get_done(arg, 1, st, res, cb);
}

/*
 * Send the head of the queue: encapsulated at once on a SPAN, else a
 * Nonce Get first. 0 if under way; -1 if it failed and was popped (its
 * caller told only when `report`).
 */
static int
send_head(struct zw_ctrl *c, struct zw_node *zn, int report)
{
	struct zw_secnode	*sn = zn->secn;
	struct zw_sectx		*tx = &sn->q[sn->head];
	struct zw_s2		*s = zw_s2_transport(c);
	uint8_t			 f[ZW_S2_MAX_FRAME];
	size_t			 fn = 0;
	int			 id = zw_sec_node_id(zn);
	enum zw_s2_result	 r;
	enum zw_status		 st = ZW_ERR_FULL;

	peer_sync(c, zn);
	r = zw_s2_encap(s, (uint8_t)id, tx->cmd, tx->n, 0, f, sizeof(f), &fn);
	if (r == ZW_S2_NEED_NONCE && !sn->s2_asked) {
		if (zw_s2_nonce_get(s, (uint8_t)id, f, sizeof(f), &fn) == 0 &&
		    zw_node_send_clear(c, id, f, fn, tx->prio, 0,
		    nonce_get_sent, zn) == 0) {
			sn->busy = sn->waiting = sn->s2_asked = 1;
			return 0;
		}
	} else if (r != ZW_S2_OK) {
		log_warnx("zwave: node %d: S2: %s", id, zw_s2_result_str(r));
		st = r == ZW_S2_NEED_NONCE ? ZW_ERR_NONONCE : ZW_ERR_INVAL;
	} else if (zw_node_send_clear(c, id, f, fn, tx->prio, 0, frame_sent,
	    zn) == 0) {
		sn->s2_inflight = 1;
		sn->s2_done = tx->done;
		sn->s2_arg = tx->arg;
		zw_s2_sent_add(sn, tx);
		zw_sec_pop(zn, 0, ZW_OK, NULL, NULL);
		OPENSSL_cleanse(f, sizeof(f));
		return 0;
	}
	OPENSSL_cleanse(f, sizeof(f));
	zw_sec_pop(zn, report, st, NULL, NULL);
	return -1;
}

/* zw_sec_send() queued a command for an S2 node: 0, or -1 (taken back,
 * its caller not told) when it could not even start. */
int
zw_s2_send(struct zw_ctrl *c, struct zw_node *zn)
{
	struct zw_secnode *sn = zn->secn;

	if (c->sec->s2 == NULL) {
		sn->count--;
		return -1;
	}
	if (sn->count > 1 || sn->waiting || sn->s2_inflight ||
	    sn->s2_settling)
		return 0;		/* its turn comes */
	return send_head(c, zn, 0);
}

/* --- receiving ------------------------------------------------------- */

static void
report_sent(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct zw_node *zn = arg;

	(void)res;
	if (zn->ctrl->stopping || zn->secn == NULL)
		return;
	zn->secn->s2_nonce_out = 0;
	if (st != ZW_OK || cb == NULL || cb->len < 2 || cb->payload[1] != 0)
		log_warnx("zwave: node %d: S2 nonce report not delivered",
		    zw_sec_node_id(zn));
	else
		zw_sec_idle(zn);
}

/* Our Nonce Report (SOS, a fresh REI): the node waits for it, so ahead
 * of everything queued; one at a time per node, as for S0. */
static void
send_report(struct zw_ctrl *c, struct zw_node *zn)
{
	struct zw_secnode	*sn = zw_sec_node(zn);
	uint8_t			 f[ZW_S2_MAX_FRAME];
	size_t			 fn = 0;
	int			 id = zw_sec_node_id(zn);
	enum zw_s2_result	 r;

	if (sn == NULL || sn->s2_nonce_out) {
		log_debug("zwave: node %d: S2 nonce report already queued", id);
		return;
	}
	r = zw_s2_nonce_report(zw_s2_transport(c), (uint8_t)id, now_ms(c), 0, f,
	    sizeof(f), &fn);
	if (r != ZW_S2_OK || zw_node_send_clear(c, id, f, fn, ZW_PRIO_USER,
	    1, report_sent, zn) == -1)
		log_warnx("zwave: node %d: S2 nonce report not queued", id);
	else
		sn->s2_nonce_out = 1;
	OPENSSL_cleanse(f, sizeof(f));
}

static void
got_report(struct zw_ctrl *c, struct zw_node *zn, const uint8_t *cmd,
    size_t len)
{
	struct zw_secnode	*sn = zw_sec_node(zn);
	int			 id = zw_sec_node_id(zn);
	enum zw_s2_result	 r;

	if ((r = zw_s2_on_nonce_report(zw_s2_transport(c), (uint8_t)id, cmd,
	    len)) != ZW_S2_OK) {
		log_warnx("zwave: node %d: S2 nonce report refused: %s", id,
		    zw_s2_result_str(r));
		return;
	}
	if (sn == NULL)
		return;
	if (sn->waiting) {
		sn->waiting = 0;
		ev_timer_stop(c->s->loop, &sn->nonce_timer);
		zw_s2_kick(zn);
		return;
	}
	/* Unasked, with SOS: it could not decrypt what we just sent. An
	 * adoption tries the next lower class (zw_sec_s2_adopt.c). */
	if (len >= 4 && (cmd[3] & ZW_S2_NR_SOS) && sn->adopting == ADOPT_S2 &&
	    sn->boot == BOOT_S2_CMDS) {
		zw_s2_adopt_next(zn, "it could not decrypt it: SOS");
		return;
	}
	if (len >= 4 && (cmd[3] & ZW_S2_NR_SOS))
		zw_s2_sent_sos(zn);
}

static void
decap(struct zw_ctrl *c, struct zw_node *zn, const uint8_t *f, size_t len)
{
	uint8_t			 in[ZW_S2_MAX_CMD];
	size_t			 n = 0;
	struct zw_s2_rx		 rx;
	int			 id = zw_sec_node_id(zn);
	enum zw_s2_result	 r;

	memset(&rx, 0, sizeof(rx));
	r = zw_s2_decap(zw_s2_transport(c), (uint8_t)id, f, len, now_ms(c), in,
	    sizeof(in), &n, &rx);
	if (r == ZW_S2_SOS && c->sec->s2->kex_node == id)
		zw_s2_boot_undecryptable(c, zn);
	else if (r == ZW_S2_SOS || r == ZW_S2_NEED_NONCE) {
		log_info("zwave: node %d: S2 frame not decrypted (%s): a new "
		    "nonce sent", id, zw_s2_result_str(r));
		send_report(c, zn);
	} else if (r == ZW_S2_DUPLICATE)
		log_debug("zwave: node %d: S2 frame repeated: dropped", id);
	else if (r != ZW_S2_OK)
		log_warnx("zwave: node %d: S2 frame refused: %s", id,
		    zw_s2_result_str(r));
	else if (n > 0 && in[0] == ZW_CC_SECURITY_2)
		zw_s2_secure_cmd(c, zn, in, n, rx.cls);
	else if (n == 0 || zn->sec_level < 2)
		log_warnx("zwave: node %d: S2 command before its bootstrapping "
		    "ended: ignored", id);
	else if (zw_node_receive(c, zn, 0, in, n, 1) == 0)
		zw_node_fail(c, zn, 0);		/* heard, and genuine */
	OPENSSL_cleanse(in, sizeof(in));
	if (r == ZW_S2_OK && zn->secn != NULL)
		zw_s2_sent_confirmed(zn->secn);
	if (r == ZW_S2_OK)
		zw_s2_classes_again(c, zn);
}

int
zw_s2_filter(struct zw_ctrl *c, struct zw_node *zn, const uint8_t *cmd,
    size_t len)
{
	int id = zw_sec_node_id(zn);

	if (c->sec == NULL || c->sec->s2 == NULL || len < 2)
		return 1;
	peer_sync(c, zn);
	switch (cmd[1]) {
	case ZW_S2_NONCE_GET:
		send_report(c, zn);
		break;
	case ZW_S2_NONCE_REPORT:
		got_report(c, zn, cmd, len);
		break;
	case ZW_S2_MSG_ENCAP:
		decap(c, zn, cmd, len);
		break;
	case ZW_S2_KEX_REPORT:
	case ZW_S2_PUBKEY_REPORT:
	case ZW_S2_KEX_FAIL:
		if (c->sec->s2->kex_node == id) {
			zw_s2_boot_input(c, zn, cmd, len, -1);
			break;
		}
		/* FALLTHROUGH */
	default:
		log_warnx("zwave: node %d: clear-text S2 command 0x%02x "
		    "ignored", id, cmd[1]);
	}
	return 1;
}

/* --- the node gone --------------------------------------------------- */

/* The node left or the stick went down. */
void
zw_s2_node_reset(struct zw_node *zn)
{
	struct zw_ctrl		*c = zn->ctrl;
	struct zw_secnode	*sn = zn->secn;
	struct zw_s2_kex_out	 o;
	zw_done_fn		*done;

	if (c == NULL)
		return;			/* a slot being set up */
	if (c->sec != NULL && c->sec->s2 != NULL &&
	    c->sec->s2->kex_node == zw_sec_node_id(zn)) {
		zw_s2_kex_cancel(&c->sec->s2->kex, &o);	/* nothing sent */
		OPENSSL_cleanse(&o, sizeof(o));
		c->sec->s2->kex_node = 0;
		ev_timer_stop(c->s->loop, &c->sec->s2->kex_timer);
	}
	if (sn != NULL)
		zw_s2_sent_clear(zn);
	if (sn != NULL && sn->s2_inflight) {
		done = sn->s2_done;
		sn->s2_inflight = 0;
		sn->s2_done = NULL;
		if (done != NULL && !c->stopping)
			done(sn->s2_arg, ZW_ERR_DOWN, NULL, NULL);
	}
}
