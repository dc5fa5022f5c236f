/*
 * S2 bootstrapping at inclusion (zw_s2_bootstrap) and the node's secure
 * classes, on the transport of zw_sec_s2.c.
 *
 * The KEX machine (zw_s2_kex.c) is driven from here; its waits for the
 * user (grant, PIN; a PIN from the provisioning list, zw_s2_prov.c) and
 * its end are told to the master as inclusion progress
 * (zw_incl_security). An S2 request that ends with less (none) is logged
 * as a warning and flagged `downgraded`. Once done, the node's classes
 * under S2 are asked (Security 2 Commands Supported Get).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "log.h"
#include "slave.h"
#include "zwave/zw.h"
#include "zwave/zw_sec_int.h"

static uint64_t
now_ms(const struct zw_ctrl *c)
{
	return ev_now(c->s->loop);
}

static const char *
class_names(unsigned bits, char *out, size_t size)
{
	snprintf(out, size, "%s%s%s%s%s",
	    bits & ZW_S2_GRANT(ZW_S2_ACCESS) ? "S2 Access Control " : "",
	    bits & ZW_S2_GRANT(ZW_S2_AUTH) ? "S2 Authenticated " : "",
	    bits & ZW_S2_GRANT(ZW_S2_UNAUTH) ? "S2 Unauthenticated " : "",
	    bits & ZW_S2_KEY_S0 ? "S0 " : "", bits == 0 ? "nothing " : "");
	out[strlen(out) - 1] = '\0';
	return out;
}

/* --- bootstrapping --------------------------------------------------- */

static void	kex_after(struct zw_ctrl *, struct zw_node *);
static void	give_pin(struct zw_ctrl *, long);

static void
kex_sent(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct zw_node *zn = arg;

	(void)res;
	if (zn->ctrl->stopping)
		return;
	/* Not fatal here: the step's own timeout ends it. */
	if (st != ZW_OK || cb == NULL || cb->len < 2 || cb->payload[1] != 0)
		log_warnx("zwave: node %d: S2 bootstrapping frame not "
		    "delivered (%s)", zw_sec_node_id(zn), zw_status_str(st));
}

/*
 * What a KEX step asks: its frame, in clear or encapsulated under the
 * node's present grant (the temporary key), before that grant changes.
 * Nothing but a KEX Fail ever goes in clear once a secure step was due.
 */
static void
kex_out(struct zw_ctrl *c, struct zw_node *zn, const struct zw_s2_kex_out *o)
{
	struct zw_s2		*s = zw_s2_transport(c);
	uint8_t			 f[ZW_S2_MAX_FRAME];
	size_t			 fn = 0;
	int			 id = zw_sec_node_id(zn), sent = 0;
	enum zw_s2_result	 r;

	if (o->n > 0 && c->sec->s2->kex.state == ZW_S2_KEX_WAIT_PIN &&
	    o->cmd[1] == ZW_S2_PUBKEY_REPORT) {
		c->sec->s2->held = *o;		/* until the PIN is in */
		kex_after(c, zn);
		return;
	}
	if (o->n > 0 && !o->secure)
		sent = zw_node_send_clear(c, id, o->cmd, o->n, ZW_PRIO_USER, 0,
		    kex_sent, zn) == 0;
	else if (o->n > 0) {
		r = zw_s2_encap(s, (uint8_t)id, o->cmd, o->n, 0, f, sizeof(f),
		    &fn);
		if (r == ZW_S2_OK)
			sent = zw_node_send_clear(c, id, f, fn, ZW_PRIO_USER, 0,
			    kex_sent, zn) == 0;
		else if (r == ZW_S2_NEED_NONCE && !o->regrant)
			sent = zw_sec_send(c, id, o->cmd, o->n, ZW_PRIO_USER,
			    kex_sent, zn) == 0;
		else if (o->cmd[1] == ZW_S2_KEX_FAIL)
			sent = zw_node_send_clear(c, id, o->cmd, o->n,
			    ZW_PRIO_USER, 0, kex_sent, zn) == 0;
		OPENSSL_cleanse(f, sizeof(f));
	}
	if (o->n > 0 && !sent)
		log_warnx("zwave: node %d: S2 bootstrapping frame 0x%02x not "
		    "sent", id, o->cmd[1]);
	if (o->regrant && zw_s2_grant(s, (uint8_t)id, o->grant) == -1)
		log_warnx("zwave: node %d: S2 peer table full", id);
	kex_after(c, zn);
}

void
zw_s2_boot_input(struct zw_ctrl *c, struct zw_node *zn, const uint8_t *cmd,
    size_t len, int cls)
{
	struct zw_s2_kex_out o;

	zw_s2_kex_input(&c->sec->s2->kex, cmd, len, cls, now_ms(c), &o);
	kex_out(c, zn, &o);
	OPENSSL_cleanse(&o, sizeof(o));
}

void
zw_s2_boot_undecryptable(struct zw_ctrl *c, struct zw_node *zn)
{
	struct zw_s2_kex_out o;

	zw_s2_kex_undecryptable(&c->sec->s2->kex, &o);
	kex_out(c, zn, &o);
}

void
zw_s2_on_kex_timer(struct ev_timer *t)
{
	struct zw_ctrl		*c = t->arg;
	struct zw_s2ctl		*k = c->sec->s2;
	struct zw_s2_kex_out	 o;
	uint64_t		 now = now_ms(c);

	if (k->kex_node == 0)
		return;
	/* It fires at the machine's deadline: the loop's cached time may
	 * lag behind it by a tick. */
	zw_s2_kex_tick(&k->kex, now < k->kex.deadline ? k->kex.deadline : now,
	    &o);
	kex_out(c, &c->node[k->kex_node], &o);
}

static void
cmds_get_sent(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct zw_node *zn = arg;

	(void)res;
	if (zn->ctrl->stopping || zn->secn == NULL ||
	    zn->secn->boot != BOOT_S2_CMDS)
		return;
	if (st != ZW_OK || cb == NULL || cb->len < 2 || cb->payload[1] != 0)
		log_warnx("zwave: node %d: S2 commands supported get not "
		    "delivered", zw_sec_node_id(zn));
}

/* Ask the node's secure classes under its highest class. */
static void
ask_classes(struct zw_ctrl *c, struct zw_node *zn)
{
	static const uint8_t get[] = { ZW_CC_SECURITY_2, ZW_S2_CMDS_GET };
	struct zw_secnode *sn = zw_sec_node(zn);

	if (sn == NULL)
		return;
	sn->boot = BOOT_S2_CMDS;
	sn->nscc = 0;
	ev_timer_stop(c->s->loop, &sn->boot_timer);
	ev_timer_start(c->s->loop, &sn->boot_timer, ZW_SEC_STEP_MS);
	if (zw_sec_send(c, zw_sec_node_id(zn), get, sizeof(get), ZW_PRIO_USER,
	    cmds_get_sent, zn) == -1)
		log_warnx("zwave: node %d: S2 commands supported get not "
		    "queued", zw_sec_node_id(zn));
}

/*
 * A node granted S2 whose secure classes never came (the question lost,
 * a restart meanwhile): it was just heard under S2, so it is awake and
 * in step; ask once more, once per start.
 */
void
zw_s2_classes_again(struct zw_ctrl *c, struct zw_node *zn)
{
	struct zw_secnode *sn = zw_sec_node(zn);

	if (zn->sec_level < 2 || zn->nscc > 0 || sn == NULL ||
	    sn->s2_reasked || sn->boot != BOOT_NONE ||
	    c->sec->s2->kex_node != 0)
		return;
	sn->s2_reasked = 1;
	log_info("zwave: node %d: its S2 classes not known yet: asked again",
	    zw_sec_node_id(zn));
	ask_classes(c, zn);
}

static void
kex_done(struct zw_ctrl *c, struct zw_node *zn)
{
	struct zw_s2_kex	*x = &c->sec->s2->kex;
	char			 names[80], asked[80], why[256];
	unsigned		 req = x->report[3] & 0x87u;
	int			 s0only, id = zw_sec_node_id(zn);

	zn->s2_granted = x->granted;
	s0only = (zn->s2_granted & 0x07u) == 0;
	/* S0 alone: its level once its S0 classes are known (zw_sec). */
	zn->sec_level = s0only ? 0 : (uint8_t)(2 +
	    zw_s2_highest(zn->s2_granted & 0x07u));
	c->sec->s2->kex_node = 0;
	ev_timer_stop(c->s->loop, &c->sec->s2->kex_timer);
	class_names(zn->s2_granted, names, sizeof(names));
	class_names(req, asked, sizeof(asked));
	/* S2 asked, S0 alone given: less than it asked, never silently
	 * (the user's choice, but it is the downgrade CVE-2018-25029 was). */
	if (s0only)
		snprintf(why, sizeof(why), "included with S0 only (your "
		    "choice): it asked for %s", asked);
	else
		snprintf(why, sizeof(why), "%s granted%s", names,
		    req & ~zn->s2_granted ? " (less than the device asked: "
		    "your choice)" : "");
	if (s0only)
		log_warnx("zwave: node %d: SECURITY DOWNGRADE: %s", id, why);
	else
		log_info("zwave: node %d: S2 bootstrapping done: %s", id, why);
	zw_nodes_save(c);
	zw_incl_security(c, HD__ZW_PROGRESS__STATE__SECURITY, id, why,
	    x->report[3], zn->s2_granted, NULL, s0only);
	zw_ss_s2_ended(c, id, 1, NULL);
	if (s0only) {
		if (zn->secn != NULL)
			zn->secn->boot = BOOT_NONE;
		zw_sec_s0_given(zn);
	} else
		ask_classes(c, zn);
}

static void
kex_failed(struct zw_ctrl *c, struct zw_node *zn)
{
	struct zw_s2_kex	*x = &c->sec->s2->kex;
	struct zw_secnode	*sn = zn->secn;
	char			 asked[80], why[256];
	int			 id = zw_sec_node_id(zn);

	c->sec->s2->kex_node = 0;
	ev_timer_stop(c->s->loop, &c->sec->s2->kex_timer);
	zn->s2_granted = 0;
	zn->sec_level = 0;
	zw_s2_grant(zw_s2_transport(c), (uint8_t)id, 0);
	if (x->report[3] != 0)
		class_names(x->report[3], asked, sizeof(asked));
	else
		snprintf(asked, sizeof(asked), "S2");
	/* The words that matter first: the reason field is bounded. */
	snprintf(why, sizeof(why), "included WITHOUT security: S2 failed: "
	    "%s%s; it asked for %s (exclude it and include it again)",
	    c->sec->s2->cancel_why != NULL ? c->sec->s2->cancel_why :
	    zw_s2_kex_fail_str(x->fail), x->fail_ours ? "" :
	    " (the device said so)", asked);
	c->sec->s2->cancel_why = NULL;
	log_warnx("zwave: node %d: SECURITY DOWNGRADE: %s", id, why);
	why[ZW_INCL_REASON_MAX] = '\0';
	zw_incl_security(c, HD__ZW_PROGRESS__STATE__SECURITY, id, why,
	    x->report[3], 0, NULL, 1);
	if (sn != NULL)
		sn->boot = BOOT_NONE;
	zw_nodes_save(c);
	zw_ss_s2_ended(c, id, 0, why + strlen("included WITHOUT security: "));
	if (zn->dev != NULL)
		zw_node_refresh(c, id);
	zw_mgmt_security_known(c, zn);
}

void
zw_s2_boot_cancel(struct zw_ctrl *c, const char *why)
{
	struct zw_s2ctl		*k;
	struct zw_s2_kex_out	 o;

	if (c->sec == NULL || (k = c->sec->s2) == NULL || k->kex_node == 0)
		return;
	log_warnx("zwave: node %d: S2 bootstrapping cancelled: %s",
	    k->kex_node, why);
	k->cancel_why = why;
	OPENSSL_cleanse(&k->held, sizeof(k->held));
	zw_s2_kex_cancel(&k->kex, &o);
	kex_out(c, &c->node[k->kex_node], &o);
}

/* SmartStart: the classes its entry records, granted without asking;
 * 0 if it is no SmartStart node (the user grants). */
static int
ss_grant(struct zw_ctrl *c, int id)
{
	struct zw_s2ctl		*k = c->sec->s2;
	struct zw_s2_kex_out	 o;
	unsigned		 grant = 0;
	char			 names[80];
	int			 r;

	if ((r = zw_ss_grant(c, id, &grant)) == 0)
		return 0;
	if (r == -1) {
		zw_s2_boot_cancel(c, "removed from the provisioning list "
		    "during its inclusion");
		return 1;
	}
	grant &= k->kex.report[3];
	log_info("zwave: node %d: SmartStart: %s granted as listed", id,
	    class_names(grant & 0x87u, names, sizeof(names)));
	zw_s2_kex_grant(&k->kex, grant & 0x87u, now_ms(c), &o);
	kex_out(c, &c->node[id], &o);
	OPENSSL_cleanse(&o, sizeof(o));
	return 1;
}

/* SmartStart: the node's public key must be the listed DSK's (a PIN
 * class: all but the PIN's bytes, and the PIN is the DSK's; else the
 * whole key). 1 when it went on (or was cancelled), 0 if no SmartStart
 * node. */
static int
ss_key(struct zw_ctrl *c, int id, int want_pin)
{
	struct zw_s2_kex	*x = &c->sec->s2->kex;
	long			 pin = -1;
	int			 r;

	r = zw_ss_key_check(c, id, x->node_pub, want_pin ? &pin : NULL);
	if (r == 0)
		return 0;
	if (r == -1) {
		zw_s2_boot_cancel(c, "its key is not the DSK of its "
		    "provisioning list entry");
		return 1;
	}
	if (want_pin) {
		log_info("zwave: node %d: SmartStart: its key is the listed "
		    "DSK: its PIN is used", id);
		give_pin(c, pin);
	}
	return 1;
}

/* After each step: the timer at the machine's deadline; what changed
 * told to the master (the user's turn, the end). */
static void
kex_after(struct zw_ctrl *c, struct zw_node *zn)
{
	struct zw_s2ctl		*k = c->sec->s2;
	struct zw_s2_kex	*x = &k->kex;
	char			 dsk[80], why[256];
	uint64_t		 now = now_ms(c);
	int			 id = zw_sec_node_id(zn);
	long			 v;

	ev_timer_stop(c->s->loop, &k->kex_timer);
	if (k->kex_node == id && x->state != ZW_S2_KEX_DONE &&
	    x->state != ZW_S2_KEX_FAILED)
		ev_timer_start(c->s->loop, &k->kex_timer, x->deadline > now ?
		    x->deadline - now : 0);
	if (x->state == k->kex_shown || k->kex_node != id)
		return;
	k->kex_shown = x->state;
	switch (x->state) {
	case ZW_S2_KEX_WAIT_GRANT:
		if (ss_grant(c, id))
			break;
		class_names(x->report[3], dsk, sizeof(dsk));
		snprintf(why, sizeof(why), "the device asks for %s: grant "
		    "classes within %d s", dsk, ZW_S2_KEX_TAI1_MS / 1000);
		log_info("zwave: node %d: %s", id, why);
		zw_incl_security(c, HD__ZW_PROGRESS__STATE__S2_GRANT, id, why,
		    x->report[3], 0, NULL, 0);
		break;
	case ZW_S2_KEX_WAIT_ECHO:
		if (!(x->granted & (ZW_S2_GRANT(ZW_S2_AUTH) |
		    ZW_S2_GRANT(ZW_S2_ACCESS))))
			ss_key(c, id, 0);	/* no PIN: the whole key */
		break;
	case ZW_S2_KEX_WAIT_PIN:
		if (ss_key(c, id, 1))
			break;
		if ((v = zw_s2_prov_pin(c, (uint8_t)id, x->node_pub)) >= 0) {
			log_info("zwave: node %d: its key matches a DSK of the "
			    "provisioning list: that DSK's PIN is used", id);
			give_pin(c, v);
			break;
		}
		zw_s2_dsk_str(x->node_pub, dsk);
		memcpy(dsk, "_____", 5);	/* the part the PIN supplies */
		snprintf(why, sizeof(why), "type the device's 5-digit PIN "
		    "(the first group of its DSK, on its label or box) within "
		    "%d s", ZW_S2_KEX_TAI2_MS / 1000);
		log_info("zwave: node %d: DSK %s: %s", id, dsk, why);
		zw_incl_security(c, HD__ZW_PROGRESS__STATE__S2_PIN, id, why,
		    x->report[3], 0, dsk, 0);
		break;
	case ZW_S2_KEX_DONE:
		kex_done(c, zn);
		break;
	case ZW_S2_KEX_FAILED:
		kex_failed(c, zn);
		break;
	default:
		break;
	}
}

int
zw_s2_bootstrap(struct zw_node *zn)
{
	struct zw_ctrl		*c = zn->ctrl;
	struct zw_s2ctl		*k;
	struct zw_secnode	*sn;
	struct zw_s2_kex_out	 o;
	int			 id = zw_sec_node_id(zn);

	if (c->sec == NULL || (k = c->sec->s2) == NULL ||
	    (sn = zw_sec_node(zn)) == NULL)
		return -1;
	if (k->kex_node == id)
		return 0;		/* under way */
	if (c->incl.node != id) {
		log_warnx("zwave: node %d: S2 bootstrapping outside an "
		    "inclusion the user started: refused", id);
		return -1;
	}
	if (k->kex_node != 0) {		/* the user moved on: it ends */
		log_warnx("zwave: node %d: S2 bootstrapping abandoned for the "
		    "next inclusion", k->kex_node);
		zw_s2_kex_cancel(&k->kex, &o);
		kex_out(c, &c->node[k->kex_node], &o);
	}
	zn->s2_granted = 0;
	zn->sec_level = 0;
	zn->nscc = 0;
	zw_s2_grant(zw_s2_transport(c), (uint8_t)id, 0);
	k->kex_node = (uint8_t)id;
	k->kex_shown = ZW_S2_KEX_IDLE;
	sn->boot = BOOT_S2_KEX;
	log_info("zwave: node %d: S2 bootstrapping: KEX Get", id);
	zw_s2_kex_start(&k->kex, zw_s2_transport(c), (const uint8_t (*)[
	    ZW_S2_KEY_LEN])k->pnk, (uint8_t)id, now_ms(c), &o);
	k->kex.s0key = c->sec->key;	/* S0 may be granted beside S2 */
	kex_out(c, zn, &o);
	return 0;
}

/* The PIN (typed, or from the provisioning list): the temporary key,
 * then our Public Key Report held for it. */
static void
give_pin(struct zw_ctrl *c, long v)
{
	struct zw_s2ctl		*k = c->sec->s2;
	struct zw_s2_kex_out	 o;
	uint8_t			 node = k->kex_node;

	zw_s2_kex_pin(&k->kex, v, now_ms(c), &o);
	if (k->kex.state == ZW_S2_KEX_WAIT_ECHO && k->held.n > 0)
		kex_out(c, &c->node[node], &k->held);
	OPENSSL_cleanse(&k->held, sizeof(k->held));
	if (k->kex_node != 0)		/* else it failed meanwhile */
		kex_out(c, &c->node[node], &o);
	OPENSSL_cleanse(&o, sizeof(o));
}

int
zw_s2_answer(struct zw_ctrl *c, unsigned grant, const char *pin,
    const char **why)
{
	struct zw_s2ctl		*k;
	struct zw_s2_kex_out	 o;
	char			 names[80];
	long			 v;
	size_t			 i;

	if (c->sec == NULL || (k = c->sec->s2) == NULL || k->kex_node == 0) {
		*why = "no S2 bootstrapping waits for an answer";
		return -1;
	}
	if (k->kex.state == ZW_S2_KEX_WAIT_GRANT) {
		log_info("zwave: node %d: the user grants %s", k->kex_node,
		    class_names(grant & 0x87u, names, sizeof(names)));
		zw_s2_kex_grant(&k->kex, grant & 0x87u, now_ms(c), &o);
	} else if (k->kex.state == ZW_S2_KEX_WAIT_PIN) {
		for (i = 0; pin[i] >= '0' && pin[i] <= '9'; i++)
			;
		if (i != 5 || pin[5] != '\0' || (v = strtol(pin, NULL, 10)) >
		    65535) {
			*why = "the PIN is the first 5 digits of the DSK, "
			    "00000 to 65535";
			return -1;
		}
		log_info("zwave: node %d: PIN entered", k->kex_node);
		give_pin(c, v);
		return 0;
	} else {
		*why = "the S2 bootstrapping waits for the device, not for you";
		return -1;
	}
	kex_out(c, &c->node[k->kex_node], &o);
	OPENSSL_cleanse(&o, sizeof(o));
	return 0;
}

/* --- the node's secure classes --------------------------------------- */

/* Security 2 Commands Supported Report: the classes it supports under
 * its highest class (a lower one never gets here: zw_s2_decap). */
static void
classes_report(struct zw_ctrl *c, struct zw_node *zn, const uint8_t *cmd,
    size_t len)
{
	struct zw_secnode	*sn = zn->secn;
	char			 list[3 * ZW_MAX_NODE_CCS + 1] = "";
	size_t			 i;

	if (sn == NULL || sn->boot != BOOT_S2_CMDS)
		return;			/* not asked: a late duplicate */
	ev_timer_stop(c->s->loop, &sn->boot_timer);
	sn->boot = BOOT_NONE;
	zn->nscc = 0;
	for (i = 2; i < len && cmd[i] != ZW_CC_MARK; i++)
		if (zn->nscc < ZW_MAX_NODE_CCS && cmd[i] !=
		    ZW_CC_SECURITY && cmd[i] != ZW_CC_SECURITY_2)
			zn->scc[zn->nscc++] = cmd[i];
	for (i = 0; i < zn->nscc; i++)
		snprintf(list + 3 * i, sizeof(list) - 3 * i, " %02x",
		    zn->scc[i]);
	log_info("zwave: node %d: %zu S2 command classes:%s",
	    zw_sec_node_id(zn), zn->nscc, zn->nscc > 0 ? list : " none");
	if (sn->adopting == ADOPT_S2 && !zw_s2_adopted(c, zn))
		return;		/* zw_sec_s2_adopt.c tries a lower class */
	zw_sec_classes_known(c, zn);
}

void
zw_s2_secure_cmd(struct zw_ctrl *c, struct zw_node *zn, const uint8_t *cmd,
    size_t len, enum zw_s2_class cls)
{
	static const uint8_t none[] = { ZW_CC_SECURITY_2, ZW_S2_CMDS_REPORT };
	int id = zw_sec_node_id(zn);

	if (len < 2)
		return;
	if (c->sec->s2->kex_node == id) {
		zw_s2_boot_input(c, zn, cmd, len, (int)cls);
		return;
	}
	if (cmd[1] == ZW_S2_CMDS_REPORT)
		classes_report(c, zn, cmd, len);
	else if (cmd[1] == ZW_S2_CMDS_GET && zn->sec_level >= 2) {
		/* What we support securely: nothing a node sends us. */
		if (zw_sec_send(c, id, none, sizeof(none), ZW_PRIO_USER, NULL,
		    NULL) == -1)
			log_warnx("zwave: node %d: S2 commands supported "
			    "report not queued", id);
	} else
		log_debug("zwave: node %d: S2 command 0x%02x ignored", id,
		    cmd[1]);
}
