/*
 * S0 secure inclusion (zw_sec_bootstrap), only for the node the user is
 * including: Scheme Get/Report in clear, Network Key Set under the
 * all-zero key, Network Key Verify under the real key (the proof that the
 * node has it), then Security Commands Supported Get/Report: the node's
 * secure classes, kept in the node table.
 *
 * Adoption (zw_sec_adopt), for a node found listing S0 without a key on
 * record: only the last step, under our key.
 */

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "log.h"
#include "slave.h"
#include "zwave/zw_sec_int.h"

static const char *const boot_names[] = { "none", "scheme", "network key",
    "secure classes", "S2 key exchange", "S2 secure classes" };

static void
boot_fail(struct zw_node *zn, const char *why)
{
	struct zw_secnode *sn = zn->secn;

	if (sn->adopting == ADOPT_S2) {
		zw_s2_adopt_next(zn, why);	/* the next lower class */
		return;
	}
	if (sn->adopting)
		log_warnx("zwave: node %d: not adopted (%s): it does not "
		    "answer under our network key; used without security "
		    "(include it again to secure it)", zw_sec_node_id(zn), why);
	else if (sn->boot == BOOT_S2_CMDS)
		log_warnx("zwave: node %d: S2 granted, but its secure classes "
		    "did not come (%s): asked again when it is next heard "
		    "under S2", zw_sec_node_id(zn), why);
	else
		log_warnx("zwave: node %d: secure inclusion failed at %s: %s",
		    zw_sec_node_id(zn), boot_names[sn->boot], why);
	ev_timer_stop(zn->ctrl->s->loop, &sn->boot_timer);
	sn->boot = BOOT_NONE;
	sn->adopting = 0;
	/* Its state was not asked for while the inclusion ran: what it
	 * tells in clear is still worth having. */
	if (zn->dev != NULL)
		zw_node_refresh(zn->ctrl, zw_sec_node_id(zn));
	zw_mgmt_security_known(zn->ctrl, zn);
}

void
zw_sec_on_boot_timeout(struct ev_timer *t)
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
	/* Ahead of polls: a lock gives up its inclusion within seconds. */
	if (step == BOOT_SCHEME)
		r = zw_node_send_clear(c, zw_sec_node_id(zn), cmd, n,
		    ZW_PRIO_USER, 0, boot_sent, zn);
	else
		r = zw_sec_send(c, zw_sec_node_id(zn), cmd, n, ZW_PRIO_USER,
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
	    (sn = zw_sec_node(zn)) == NULL)
		return -1;
	if (sn->boot != BOOT_NONE)
		return 0;		/* under way */
	/* The key goes out under the all-zero key: only to the node the
	 * user is including now, never to one merely found listing S0. */
	if (zn->ctrl->incl.node != zw_sec_node_id(zn)) {
		log_warnx("zwave: node %d: secure inclusion outside an "
		    "inclusion the user started: refused", zw_sec_node_id(zn));
		return -1;
	}
	log_info("zwave: node %d: secure inclusion (S0)", zw_sec_node_id(zn));
	sn->nscc = 0;
	return boot_step(zn, BOOT_SCHEME, get, sizeof(get));
}

/*
 * A node listing S0 that we hold no key for: included by another
 * controller with our network key (a restored stick, a new Pi, a move
 * from another controller with the key copied). Ask its secure classes
 * under our key: Nonce Get, then Security Commands Supported Get
 * encapsulated. Only a node that has the key can decrypt the question
 * and MAC its answer, so an answer proves it; nothing secret goes out.
 * No answer: it stays without security.
 */
int
zw_sec_adopt(struct zw_node *zn)
{
	static const uint8_t get[] = { ZW_CC_SECURITY, ZW_S0_CMDS_GET };
	struct zw_secnode *sn;

	if (zn->ctrl->sec == NULL || zn->sec_level != 0 ||
	    (sn = zw_sec_node(zn)) == NULL)
		return -1;
	if (sn->boot != BOOT_NONE)
		return 0;		/* under way */
	log_info("zwave: node %d: lists S0, no key on record: asking its "
	    "secure classes under our network key", zw_sec_node_id(zn));
	sn->nscc = 0;
	sn->adopting = ADOPT_S0;
	return boot_step(zn, BOOT_CMDS, get, sizeof(get));
}

/*
 * S0's key was given through S2 bootstrapping, without an S2 class (the
 * user's choice): the node speaks S0 now. Its secure classes are asked
 * under the key (Nonce Get, Security Commands Supported Get), as for an
 * adoption; the answer grants it S0.
 */
int
zw_sec_s0_given(struct zw_node *zn)
{
	static const uint8_t get[] = { ZW_CC_SECURITY, ZW_S0_CMDS_GET };
	struct zw_secnode *sn;

	if (zn->ctrl->sec == NULL || zn->sec_level != 0 ||
	    (sn = zw_sec_node(zn)) == NULL)
		return -1;
	log_info("zwave: node %d: S0 key given through S2: asking its "
	    "secure classes under it", zw_sec_node_id(zn));
	sn->nscc = 0;
	return boot_step(zn, BOOT_CMDS, get, sizeof(get));
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
	if (sn->adopting)
		log_info("zwave: node %d: adopted: it answers under our "
		    "network key", zw_sec_node_id(zn));
	sn->adopting = 0;
	memcpy(zn->scc, sn->scc, sn->nscc);
	zn->nscc = sn->nscc;
	zn->sec_level = c->sec->scheme->level;
	for (i = 0; i < zn->nscc && i < ZW_MAX_NODE_CCS; i++)
		snprintf(list + 3 * i, sizeof(list) - 3 * i, " %02x",
		    zn->scc[i]);
	log_info("zwave: node %d: %s key granted, %zu secure command "
	    "classes:%s", zw_sec_node_id(zn), c->sec->scheme->name, zn->nscc,
	    zn->nscc > 0 ? list : " none");
	zw_sec_classes_known(c, zn);
}

/* The node's secure classes are known (S0 or S2): its values, the node
 * table, the master and the management layer learn them. */
void
zw_sec_classes_known(struct zw_ctrl *c, struct zw_node *zn)
{
	zw_node_values(zn);
	zw_nodes_save(c);
	devtab_changed(c->s);
	zw_node_refresh(c, zw_sec_node_id(zn));
	zw_mgmt_security_known(c, zn);
}

void
zw_sec_boot_input(struct zw_ctrl *c, struct zw_node *zn, const uint8_t *cmd,
    size_t len)
{
	static const uint8_t cmds_get[] = { ZW_CC_SECURITY, ZW_S0_CMDS_GET };
	uint8_t			 set[2 + ZW_S0_KEY_LEN];
	struct zw_secnode	*sn = zn->secn;
	enum boot_step		 want;

	if (len < 2) {
		log_warnx("zwave: node %d: S0 command without a command byte",
		    zw_sec_node_id(zn));
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
		    zw_sec_node_id(zn), cmd[1]);
		return;
	}
	if (want == BOOT_SCHEME) {
		set[0] = ZW_CC_SECURITY;
		set[1] = ZW_S0_KEY_SET;
		memcpy(set + 2, c->sec->key, ZW_S0_KEY_LEN);
		boot_step(zn, BOOT_KEY, set, sizeof(set));
		OPENSSL_cleanse(set, sizeof(set));
	} else if (want == BOOT_KEY) {
		log_info("zwave: node %d: network key verified", zw_sec_node_id(zn));
		boot_step(zn, BOOT_CMDS, cmds_get, sizeof(cmds_get));
	} else
		boot_classes(c, zn, cmd, len);
}
