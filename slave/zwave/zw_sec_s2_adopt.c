/*
 * Adoption of an S2 node included by another controller (zw_s2_adopt):
 * a node the stick lists, whose node information shows Security 2, and
 * that the node table has no grant for (a restored stick, a replaced Pi,
 * a move from another controller with zwave-s2.key copied over).
 *
 * Its secure classes are asked (Security 2 Commands Supported Get) under
 * each of our S2 keys in turn, the highest class first: Access Control,
 * Authenticated, Unauthenticated. Only a node that holds that key can
 * decrypt the question and authenticate its answer. A node lists its
 * classes only under its highest granted class: an empty list sends us
 * one class down. It is granted every class it answered under, down to
 * the one that listed its classes (the transport then uses the highest
 * and refuses anything from it under a lower one).
 * A class the node does not hold is answered with a Nonce Report SOS (it
 * could not decrypt), or not at all within ZW_SEC_STEP_MS: the next
 * class is tried. Nothing secret is ever sent: no KEX, no network key.
 * No class answers: a node that lists S0 too is asked under our S0 key
 * (zw_sec_adopt: it may have been included with S0 only); else it stays
 * without security, logged; include it again to secure it.
 */

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "slave.h"
#include "zwave/zw.h"
#include "zwave/zw_sec_int.h"

static const char *const names[ZW_S2_NETKEYS] = { "S2 Unauthenticated",
    "S2 Authenticated", "S2 Access Control" };

static void
trial_sent(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct zw_node *zn = arg;

	(void)res;
	if (zn->ctrl->stopping || zn->secn == NULL ||
	    zn->secn->adopting != ADOPT_S2)
		return;
	/* Not delivered: the step's timeout moves on. */
	if (st != ZW_OK || cb == NULL || cb->len < 2 || cb->payload[1] != 0)
		log_warnx("zwave: node %d: S2 commands supported get not "
		    "delivered (%s)", zw_sec_node_id(zn), zw_status_str(st));
}

static void
give_up(struct zw_ctrl *c, struct zw_node *zn)
{
	struct zw_secnode *sn = zn->secn;

	ev_timer_stop(c->s->loop, &sn->boot_timer);
	sn->boot = BOOT_NONE;
	sn->adopting = 0;
	zw_s2_grant(zw_s2_transport(c), (uint8_t)zw_sec_node_id(zn), 0);
	/* Included with S0 by a controller that had our S0 key: asked
	 * under that key (zw_sec_adopt), which sends nothing secret. */
	if (zw_node_has(zn, ZW_CC_SECURITY)) {
		log_warnx("zwave: node %d: not adopted under S2: it answers "
		    "under none of our S2 keys (zwave-s2.key); it lists S0 "
		    "too: asked under our S0 key", zw_sec_node_id(zn));
		if (zw_sec_adopt(zn) == 0)
			return;
	}
	log_warnx("zwave: node %d: not adopted: it answers under none of "
	    "our S2 keys (zwave-s2.key); used without security (include it "
	    "again to secure it)", zw_sec_node_id(zn));
	if (zn->dev != NULL)
		zw_node_refresh(c, zw_sec_node_id(zn));
	zw_mgmt_security_known(c, zn);
}

/* Adopted: granted every class it answered under (it proved holding
 * each key), used under the highest of them. */
static void
grant(struct zw_ctrl *c, struct zw_node *zn)
{
	struct zw_secnode	*sn = zn->secn;
	char			 list[80] = "";
	int			 k;

	zn->s2_granted = (uint8_t)sn->s2_answered;
	zn->sec_level = (uint8_t)(2 + zw_s2_highest(zn->s2_granted));
	sn->adopting = 0;
	zw_s2_grant(zw_s2_transport(c), (uint8_t)zw_sec_node_id(zn),
	    zn->s2_granted);
	for (k = ZW_S2_ACCESS; k >= 0; k--)
		if (zn->s2_granted & ZW_S2_GRANT(k))
			snprintf(list + strlen(list), sizeof(list) -
			    strlen(list), "%s%s", list[0] != '\0' ? ", " : "",
			    names[k]);
	log_info("zwave: node %d: adopted: it answers under %s; granted %s, "
	    "without inclusion, no key sent", zw_sec_node_id(zn), list, list);
}

/* Ask under the next lower class we hold a key for; none left: adopt
 * under the highest that answered (with an empty list), or give up. */
static void
try_next(struct zw_ctrl *c, struct zw_node *zn)
{
	static const uint8_t get[] = { ZW_CC_SECURITY_2, ZW_S2_CMDS_GET };
	struct zw_secnode	*sn = zn->secn;
	struct zw_s2		*s = zw_s2_transport(c);
	int			 id = zw_sec_node_id(zn);

	while (--sn->s2_trial >= 0 &&
	    !(s->have & ZW_S2_GRANT(sn->s2_trial)))
		;
	if (sn->s2_trial < 0 && sn->s2_answered != 0) {
		zn->nscc = 0;		/* it answered, listing nothing */
		grant(c, zn);
		zw_sec_classes_known(c, zn);
		return;
	}
	if (sn->s2_trial < 0) {
		give_up(c, zn);
		return;
	}
	log_info("zwave: node %d: asking its S2 classes under %s", id,
	    names[sn->s2_trial]);
	if (zw_s2_grant(s, (uint8_t)id, ZW_S2_GRANT(sn->s2_trial)) == -1) {
		log_warnx("zwave: node %d: S2 peer table full", id);
		give_up(c, zn);
		return;
	}
	sn->boot = BOOT_S2_CMDS;
	sn->nscc = 0;
	ev_timer_stop(c->s->loop, &sn->boot_timer);
	ev_timer_start(c->s->loop, &sn->boot_timer, ZW_SEC_STEP_MS);
	if (zw_sec_send(c, id, get, sizeof(get), ZW_PRIO_USER, trial_sent,
	    zn) == -1)
		log_warnx("zwave: node %d: S2 commands supported get not "
		    "queued", id);
}

int
zw_s2_adopt(struct zw_node *zn)
{
	struct zw_ctrl		*c = zn->ctrl;
	struct zw_secnode	*sn;

	if (c->sec == NULL || c->sec->s2 == NULL || zn->sec_level != 0 ||
	    zn->s2_granted != 0 || (sn = zw_sec_node(zn)) == NULL ||
	    c->sec->s2->kex_node == zw_sec_node_id(zn))
		return -1;
	if (sn->boot != BOOT_NONE)
		return 0;		/* under way */
	log_info("zwave: node %d: lists S2, no grant on record: asking its "
	    "secure classes under our S2 keys, the highest first",
	    zw_sec_node_id(zn));
	sn->adopting = ADOPT_S2;
	sn->s2_trial = ZW_S2_ACCESS + 1;
	sn->s2_answered = 0;
	try_next(c, zn);
	return 0;
}

void
zw_s2_adopt_next(struct zw_node *zn, const char *why)
{
	struct zw_secnode *sn = zn->secn;

	log_info("zwave: node %d: no answer under %s (%s)", zw_sec_node_id(zn),
	    names[sn->s2_trial], why);
	ev_timer_stop(zn->ctrl->s->loop, &sn->boot_timer);
	sn->boot = BOOT_NONE;
	try_next(zn->ctrl, zn);
}

/*
 * Its classes came under the class tried: it holds that key. A node
 * lists its classes only under its highest granted class (an empty list
 * under another, as zwave-js's nodes do), so an empty list sends us one
 * class down. Every class it answered under is granted.
 */
int
zw_s2_adopted(struct zw_ctrl *c, struct zw_node *zn)
{
	struct zw_secnode *sn = zn->secn;

	sn->s2_answered |= ZW_S2_GRANT(sn->s2_trial);
	if (zn->nscc > 0 || sn->s2_trial == 0) {
		grant(c, zn);
		return 1;
	}
	log_info("zwave: node %d: an empty class list under %s: not its "
	    "highest class, asking under the next", zw_sec_node_id(zn),
	    names[sn->s2_trial]);
	try_next(c, zn);
	return 0;
}
