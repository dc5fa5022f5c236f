/*
 * Z-Wave security, the glue between the schemes (zw_s0.c) and the nodes.
 *
 * The network key: 16 random bytes made on the first start, kept in
 * STATE_DIR/zwave.key (mode 0600, 32 hex digits and a newline, so that a
 * standby can be given a copy); a key file others can read is refused.
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
 * Secure inclusion (zw_sec_bootstrap): Scheme Get/Report in clear, Network
 * Key Set under the all-zero key, Network Key Verify under the real key
 * (the proof that the node has it), then Security Commands Supported
 * Get/Report: the node's secure classes, kept in the node table.
 */

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "atomicfile.h"
#include "log.h"
#include "slave.h"
#include "zwave/zw.h"
#include "zwave/zw_sec.h"

enum boot_step { BOOT_NONE, BOOT_SCHEME, BOOT_KEY, BOOT_CMDS };

struct zw_secctl {
	const struct zw_sec_scheme *scheme;
	struct zw_s0	 s0;		/* the network key's */
	struct zw_s0	 s0_zero;	/* the all-zero key: inclusion only */
	uint8_t		 key[ZW_S0_KEY_LEN];
};

struct zw_sectx {
	uint8_t		 cmd[ZW_S0_MAX_CMD];
	size_t		 n;
	enum zw_prio	 prio;
	zw_done_fn	*done;
	void		*arg;
	int		 zero_key;	/* Network Key Set */
};

struct zw_secnode {
	struct zw_sectx	 q[ZW_SEC_TXQ];
	size_t		 head, count;
	int		 busy;		/* a Nonce Get at the stick */
	int		 waiting;	/* q[head] awaits the node's nonce */
	int		 nonce_out;	/* our Nonce Report is queued */
	struct ev_timer	 nonce_timer;
	enum boot_step	 boot;
	struct ev_timer	 boot_timer;
	uint8_t		 scc[ZW_MAX_NODE_CCS];
	size_t		 nscc;
};


static void	kick(struct zw_node *);

static int
node_id(const struct zw_node *zn)
{
	return (int)(zn - zn->ctrl->node);
}

static uint64_t
now_ms(const struct zw_ctrl *c)
{
	return ev_now(c->s->loop);
}

/* --- the key file ---------------------------------------------------- */

static int
key_parse(const uint8_t *b, size_t n, uint8_t key[ZW_S0_KEY_LEN])
{
	unsigned int	v;
	size_t		i;
	char		hex[3] = { 0 };

	if (n != 2 * ZW_S0_KEY_LEN + 1 || b[2 * ZW_S0_KEY_LEN] != '\n')
		return -1;
	for (i = 0; i < ZW_S0_KEY_LEN; i++) {
		memcpy(hex, b + 2 * i, 2);
		if (strspn(hex, "0123456789abcdefABCDEF") != 2 ||
		    sscanf(hex, "%2x", &v) != 1)
			return -1;
		key[i] = (uint8_t)v;
	}
	return 0;
}

static int
key_create(const char *path, uint8_t key[ZW_S0_KEY_LEN])
{
	char	text[2 * ZW_S0_KEY_LEN + 2];
	size_t	i;
	int	r;

	if (RAND_bytes(key, ZW_S0_KEY_LEN) != 1) {
		log_warnx("zwave: no randomness for a network key");
		return -1;
	}
	for (i = 0; i < ZW_S0_KEY_LEN; i++)
		snprintf(text + 2 * i, 3, "%02x", key[i]);
	text[2 * ZW_S0_KEY_LEN] = '\n';
	r = atomic_write(path, text, 2 * ZW_S0_KEY_LEN + 1, 0600);
	OPENSSL_cleanse(text, sizeof(text));
	if (r == -1) {
		log_warn("zwave: %s", path);
		return -1;
	}
	log_info("zwave: new network key in %s", path);
	return 0;
}

static int
key_load(const char *path, uint8_t key[ZW_S0_KEY_LEN])
{
	struct stat	 st;
	uint8_t		*b = NULL;
	size_t		 n = 0;
	int		 r;

	if (stat(path, &st) == -1)
		return errno == ENOENT ? key_create(path, key) : -1;
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		log_warnx("zwave: %s: readable by others: refused (mode 0600, "
		    "and make a new key if it was exposed)", path);
		return -1;
	}
	if (atomic_read(path, ZW_SEC_KEY_FILE_MAX, &b, &n) == -1) {
		log_warn("zwave: %s", path);
		return -1;
	}
	if ((r = key_parse(b, n, key)) == -1)
		log_warnx("zwave: %s: not 32 hex digits and a newline", path);
	OPENSSL_cleanse(b, n);
	free(b);
	return r;
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
	r = key_load(path, sc->key);
	free(path);
	if (r == -1 || zw_s0_init(&sc->s0, sc->key) == -1 ||
	    zw_s0_init(&sc->s0_zero, zero) == -1) {
		OPENSSL_cleanse(sc, sizeof(*sc));
		free(sc);
		return -1;
	}
	sc->scheme = &zw_sec_s0;
	c->sec = sc;
	return 0;
}

void
zw_sec_stop(struct zw_ctrl *c)
{
	int id;

	for (id = 0; id <= ZW_MAX_NODES; id++)
		zw_sec_node_reset(&c->node[id]);
	if (c->sec != NULL)
		OPENSSL_cleanse(c->sec, sizeof(*c->sec));
	free(c->sec);
	c->sec = NULL;
}

/* --- per-node state -------------------------------------------------- */

static void	on_nonce_timeout(struct ev_timer *);
static void	on_boot_timeout(struct ev_timer *);

static struct zw_secnode *
secnode(struct zw_node *zn)
{
	if (zn->secn == NULL && (zn->secn = calloc(1,
	    sizeof(*zn->secn))) != NULL) {
		ev_timer_init(&zn->secn->nonce_timer, on_nonce_timeout, zn);
		ev_timer_init(&zn->secn->boot_timer, on_boot_timeout, zn);
	}
	return zn->secn;
}

/* Pop the head of the queue; its caller learns `st` unless it was sent. */
static void
pop(struct zw_node *zn, int fail, enum zw_status st,
    const struct zw_frame *res, const struct zw_frame *cb)
{
	struct zw_secnode	*sn = zn->secn;
	struct zw_sectx		 tx = sn->q[sn->head];

	OPENSSL_cleanse(&sn->q[sn->head], sizeof(sn->q[sn->head]));
	sn->head = (sn->head + 1) % ZW_SEC_TXQ;
	sn->count--;
	sn->waiting = 0;
	ev_timer_stop(zn->ctrl->s->loop, &sn->nonce_timer);
	if (fail && tx.done != NULL)
		tx.done(tx.arg, st, res, cb);
}

void
zw_sec_node_reset(struct zw_node *zn)
{
	struct zw_secnode *sn = zn->secn;

	if (sn == NULL)
		return;
	ev_timer_stop(zn->ctrl->s->loop, &sn->boot_timer);
	while (sn->count > 0)
		pop(zn, !zn->ctrl->stopping, ZW_ERR_DOWN, NULL, NULL);
	free(sn);
	zn->secn = NULL;
}

int
zw_sec_wanted(const struct zw_node *zn, uint8_t cc)
{
	size_t i;

	if (zn->sec_level == 0 || cc == ZW_CC_SECURITY)
		return 0;
	for (i = 0; i < zn->nscc; i++)
		if (zn->scc[i] == cc)
			return 1;
	return 0;
}

/* A clear-text command of a class the node supports securely: anyone in
 * radio range can send one with the node's id as its source. */
static int
refused_clear(const struct zw_node *zn, const uint8_t *cmd, size_t len)
{
	if (len < 1 || !zw_sec_wanted(zn, cmd[0]))
		return 0;
	log_warnx("zwave: node %d: clear-text command 0x%02x 0x%02x refused: "
	    "the node supports it only securely", node_id(zn), cmd[0],
	    len > 1 ? cmd[1] : 0);
	return 1;
}

/* --- sending --------------------------------------------------------- */


/*
 * The Nonce Get is done: delivered, wait for the report (the wait starts
 * here, not while it was queued); else the command fails with the Nonce
 * Get's own result. The node may answer before the stick's callback
 * comes: then the frame has gone already and only the next one waits.
 */
static void
nonce_get_sent(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct zw_node		*zn = arg;
	struct zw_secnode	*sn = zn->secn;

	if (zn->ctrl->stopping || sn == NULL || !sn->busy)
		return;
	sn->busy = 0;
	if (!sn->waiting) {
		kick(zn);		/* the nonce came first */
		return;
	}
	if (st != ZW_OK || cb == NULL || cb->len < 2 || cb->payload[1] != 0) {
		log_warnx("zwave: node %d: S0 nonce get not delivered",
		    node_id(zn));
		pop(zn, 1, st, res, cb);
		kick(zn);
		return;
	}
	ev_timer_start(zn->ctrl->s->loop, &sn->nonce_timer,
	    ZW_S0_NONCE_WAIT_MS);
}

static void
on_nonce_timeout(struct ev_timer *t)
{
	struct zw_node *zn = t->arg;

	log_warnx("zwave: node %d: no S0 nonce in %d ms", node_id(zn),
	    ZW_S0_NONCE_WAIT_MS);
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
	    sn->nonce_out || sn->boot != BOOT_NONE || (zn->sec_level != 0 &&
	    zn->cmd_confirming));
}

/* The S0 exchange is over: a sleeping node may be let go. */
static void
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

	while (sn != NULL && sn->count > 0 && !sn->busy && !sn->waiting) {
		if (zw_node_send_clear(zn->ctrl, node_id(zn), get, sizeof(get),
		    sn->q[sn->head].prio, 0, nonce_get_sent, zn) == 0) {
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
	    (sn = secnode(zn)) == NULL || sn->count == ZW_SEC_TXQ)
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

/* The node's nonce came: encapsulate the head and send it at once. */
static void
got_nonce(struct zw_ctrl *c, struct zw_node *zn, const uint8_t *nonce)
{
	struct zw_secnode	*sn = zn->secn;
	struct zw_sectx		*tx;
	uint8_t			 frame[ZW_S0_MAX_CMD + ZW_S0_OVERHEAD];
	size_t			 n = 0;
	enum zw_sec_result	 r;

	if (sn == NULL || !sn->waiting) {
		log_debug("zwave: node %d: unasked S0 nonce ignored",
		    node_id(zn));
		return;
	}
	tx = &sn->q[sn->head];
	r = c->sec->scheme->encap(tx->zero_key ? &c->sec->s0_zero :
	    &c->sec->s0, c->own_id, (uint8_t)node_id(zn), nonce, tx->cmd,
	    tx->n, frame, sizeof(frame), &n);
	if (r != ZW_SEC_OK) {
		log_warnx("zwave: node %d: S0: %s", node_id(zn),
		    zw_sec_result_str(r));
		pop(zn, 1, ZW_ERR_INVAL, NULL, NULL);
	} else if (zw_node_send_clear(c, node_id(zn), frame, n, tx->prio, 1,
	    tx->done, tx->arg) == -1)
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
		    node_id(zn));
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

	if ((sn = secnode(zn)) == NULL)
		return;
	if (sn->nonce_out) {
		log_debug("zwave: node %d: S0 nonce report already queued",
		    node_id(zn));
		return;
	}
	n = c->sec->scheme->nonce(&c->sec->s0, (uint8_t)node_id(zn),
	    now_ms(c), rep, sizeof(rep));
	if (n == 0 || zw_node_send_clear(c, node_id(zn), rep, n, ZW_PRIO_USER,
	    1, nonce_report_sent, zn) == -1)
		log_warnx("zwave: node %d: S0 nonce report not queued",
		    node_id(zn));
	else
		sn->nonce_out = 1;
	OPENSSL_cleanse(rep, sizeof(rep));
}

static void	boot_input(struct zw_ctrl *, struct zw_node *, const uint8_t *,
		    size_t);

static void
decap(struct zw_ctrl *c, struct zw_node *zn, const uint8_t *f, size_t len)
{
	uint8_t			inner[ZW_S0_MAX_CMD];
	size_t			n = 0;
	enum zw_sec_result	r;

	r = c->sec->scheme->decap(&c->sec->s0, (uint8_t)node_id(zn),
	    c->own_id, f, len, now_ms(c), inner, sizeof(inner), &n);
	if (r != ZW_SEC_OK) {
		log_warnx("zwave: node %d: S0 frame refused: %s", node_id(zn),
		    zw_sec_result_str(r));
		return;
	}
	if (f[1] == ZW_S0_ENCAP_NONCE_GET)
		send_nonce(c, zn);	/* it has more to say */
	if (inner[0] == ZW_CC_SECURITY)
		boot_input(c, zn, inner, n);
	else if (zn->sec_level == 0)
		log_warnx("zwave: node %d: S0 command 0x%02x before secure "
		    "inclusion ended: ignored", node_id(zn), inner[0]);
	else
		zw_node_receive(c, zn, 0, inner, n);
	OPENSSL_cleanse(inner, sizeof(inner));
}

int
zw_sec_filter(struct zw_ctrl *c, struct zw_node *zn, const uint8_t *cmd,
    size_t len)
{
	int id = node_id(zn);

	if (len < 1 || cmd[0] != ZW_CC_SECURITY)
		return refused_clear(zn, cmd, len);
	if (c->sec == NULL || len < 2)
		return 1;
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
		boot_input(c, zn, cmd, len);	/* the one clear answer */
		break;
	default:
		log_warnx("zwave: node %d: clear-text S0 command 0x%02x "
		    "ignored", id, cmd[1]);
		break;
	}
	return 1;
}

/* --- secure inclusion ------------------------------------------------ */

static const char *const boot_names[] = { "none", "scheme", "network key",
    "secure classes" };

static void
boot_fail(struct zw_node *zn, const char *why)
{
	struct zw_secnode *sn = zn->secn;

	log_warnx("zwave: node %d: secure inclusion failed at %s: %s",
	    node_id(zn), boot_names[sn->boot], why);
	ev_timer_stop(zn->ctrl->s->loop, &sn->boot_timer);
	sn->boot = BOOT_NONE;
	/* Its state was not asked for while the inclusion ran: what it
	 * tells in clear is still worth having. */
	if (zn->dev != NULL)
		zw_node_refresh(zn->ctrl, node_id(zn));
}

static void
on_boot_timeout(struct ev_timer *t)
{
	boot_fail(t->arg, "no answer in time");
}

/* A step's frame went: a node that did not take it fails the step. */
static void
boot_sent(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct zw_node *zn = arg;

	(void)res;
	if (zn->ctrl->stopping || zn->secn == NULL ||
	    zn->secn->boot == BOOT_NONE)
		return;
	if (st != ZW_OK || cb == NULL || cb->len < 2 || cb->payload[1] != 0)
		boot_fail(zn, st != ZW_OK ? zw_status_str(st) :
		    "not acknowledged");
}

static int
boot_step(struct zw_node *zn, enum boot_step step, const uint8_t *cmd,
    size_t n)
{
	struct zw_ctrl		*c = zn->ctrl;
	struct zw_secnode	*sn = zn->secn;
	int			 r;

	sn->boot = step;
	ev_timer_stop(c->s->loop, &sn->boot_timer);
	ev_timer_start(c->s->loop, &sn->boot_timer, ZW_SEC_STEP_MS);
	if (step == BOOT_SCHEME)
		r = zw_node_send_clear(c, node_id(zn), cmd, n, ZW_PRIO_POLL, 0,
		    boot_sent, zn);
	else
		r = zw_sec_send(c, node_id(zn), cmd, n, ZW_PRIO_POLL,
		    boot_sent, zn);
	if (r == -1)
		boot_fail(zn, "not queued");
	return r;
}

int
zw_sec_bootstrap(struct zw_node *zn)
{
	static const uint8_t get[] = { ZW_CC_SECURITY, ZW_S0_SCHEME_GET, 0 };
	struct zw_secnode *sn;

	if (zn->ctrl->sec == NULL || zn->sec_level != 0 ||
	    (sn = secnode(zn)) == NULL)
		return -1;
	if (sn->boot != BOOT_NONE)
		return 0;		/* under way */
	log_info("zwave: node %d: secure inclusion (S0)", node_id(zn));
	sn->nscc = 0;
	return boot_step(zn, BOOT_SCHEME, get, sizeof(get));
}

/* Security Commands Supported Report: reports to follow, the classes
 * supported securely, 0xEF, the classes controlled (not kept). */
static void
boot_classes(struct zw_ctrl *c, struct zw_node *zn, const uint8_t *cmd,
    size_t len)
{
	struct zw_secnode	*sn = zn->secn;
	char			 list[3 * ZW_MAX_NODE_CCS + 1] = "";
	size_t			 i;

	if (len < 3) {
		boot_fail(zn, "malformed secure class list");
		return;
	}
	for (i = 3; i < len && cmd[i] != ZW_CC_MARK; i++)
		if (sn->nscc < ZW_MAX_NODE_CCS && cmd[i] != ZW_CC_SECURITY)
			sn->scc[sn->nscc++] = cmd[i];
	if (cmd[2] != 0)
		return;			/* more reports follow */
	ev_timer_stop(c->s->loop, &sn->boot_timer);
	sn->boot = BOOT_NONE;
	memcpy(zn->scc, sn->scc, sn->nscc);
	zn->nscc = sn->nscc;
	zn->sec_level = c->sec->scheme->level;
	for (i = 0; i < zn->nscc && i < ZW_MAX_NODE_CCS; i++)
		snprintf(list + 3 * i, sizeof(list) - 3 * i, " %02x",
		    zn->scc[i]);
	log_info("zwave: node %d: %s key granted, %zu secure command "
	    "classes:%s", node_id(zn), c->sec->scheme->name, zn->nscc,
	    zn->nscc > 0 ? list : " none");
	zw_node_values(zn);
	zw_nodes_save(c);
	devtab_changed(c->s);
	zw_node_refresh(c, node_id(zn));
}

static void
boot_input(struct zw_ctrl *c, struct zw_node *zn, const uint8_t *cmd,
    size_t len)
{
	static const uint8_t cmds_get[] = { ZW_CC_SECURITY, ZW_S0_CMDS_GET };
	uint8_t			 set[2 + ZW_S0_KEY_LEN];
	struct zw_secnode	*sn = zn->secn;
	enum boot_step		 want;

	if (len < 2) {
		log_warnx("zwave: node %d: S0 command without a command byte",
		    node_id(zn));
		return;
	}
	want = cmd[1] == ZW_S0_SCHEME_REPORT ? BOOT_SCHEME :
	    cmd[1] == ZW_S0_KEY_VERIFY ? BOOT_KEY :
	    cmd[1] == ZW_S0_CMDS_REPORT ? BOOT_CMDS : BOOT_NONE;
	if (want == BOOT_CMDS && sn != NULL && sn->boot == BOOT_NONE &&
	    zn->sec_level != 0)
		return;			/* a late duplicate */
	if (want == BOOT_NONE || sn == NULL || sn->boot != want) {
		log_warnx("zwave: node %d: S0 command 0x%02x out of turn",
		    node_id(zn), cmd[1]);
		return;
	}
	if (want == BOOT_SCHEME) {
		set[0] = ZW_CC_SECURITY;
		set[1] = ZW_S0_KEY_SET;
		memcpy(set + 2, c->sec->key, ZW_S0_KEY_LEN);
		boot_step(zn, BOOT_KEY, set, sizeof(set));
		OPENSSL_cleanse(set, sizeof(set));
	} else if (want == BOOT_KEY) {
		log_info("zwave: node %d: network key verified", node_id(zn));
		boot_step(zn, BOOT_CMDS, cmds_get, sizeof(cmds_get));
	} else
		boot_classes(c, zn, cmd, len);
}
