/*
 * SmartStart on the stick: listed devices included when they announce
 * themselves, no button pressed, no user asked (docs/ZWAVE.md,
 * "SmartStart"). The decisions are zw_s2_ss.c's; here the stick.
 *
 *	listen	while the provisioning list holds a SmartStart entry that
 *		is pending, the stick is in SmartStart listen mode
 *		(AddNodeToNetwork 0x09, no callback). Every other add,
 *		remove or replace takes the stick out of it: we leave it
 *		first (STOP, no callback), as zwave-js does, and arm it
 *		again when that operation ends. So does a controller (NVM)
 *		restore: no device may join a stick being rewritten.
 *	hear	an unincluded device's announcement comes as
 *		ApplicationUpdate 0x85 with its NWI home id. A listed,
 *		pending one is included (zw_incl_smartstart: AddNodeToNetwork
 *		0x08 with the NWI and Auth home ids of its DSK); an unlisted
 *		one is ignored, logged at debug at most once per
 *		ZW_SS_QUIET_MS; one heard while another operation runs
 *		waits for its next announcement.
 *	S2	the device joined: its S2 bootstrapping (zw_sec_s2_boot.c)
 *		grants it the classes its entry records that it asks for,
 *		with the listed DSK's PIN, once its public key is checked
 *		against the whole listed DSK.
 *	end	the entry says included (the node) or failed (why), written
 *		crash-safely and sent to the master; an attempt that failed
 *		before the device joined is tried again, paced.
 *
 * The master's licence may forbid it (no secure-zwave: SmartStart
 * includes with S2 only; the node limit reached): the master says so
 * with every ZwProvision, and the stick does not listen meanwhile.
 */

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "slave.h"
#include "zwave/zw.h"
#include "zwave/zw_maint.h"
#include "zwave/zw_nvm.h"
#include "zwave/zw_sec_int.h"

#define ACT_STOP	HD__ZW_INCLUSION__ACTION__STOP

static struct zw_s2ctl *
ssctl(const struct zw_ctrl *c)
{
	return c->sec != NULL ? c->sec->s2 : NULL;
}

static uint64_t
now_ms(const struct zw_ctrl *c)
{
	return ev_now(c->s->loop);
}

/* The entry of the attempt under way, or NULL (removed meanwhile). */
static struct zw_prov *
active_entry(struct zw_s2ctl *k)
{
	size_t i;

	if (!k->ss_active)
		return NULL;
	for (i = 0; i < k->nprov; i++)
		if (memcmp(k->prov[i].q.dsk, k->ss_dsk, 16) == 0)
			return &k->prov[i];
	return NULL;
}

static void
listen_sent(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct zw_ctrl *c = arg;

	(void)res;
	(void)cb;
	if (st != ZW_OK && st != ZW_ERR_DOWN && !c->stopping)
		log_warnx("zwave: SmartStart listen mode: %s",
		    zw_status_str(st));
}

/* AddNodeToNetwork with `mode`, no callback id: nothing comes back. */
static int
add_node(struct zw_ctrl *c, uint8_t mode)
{
	struct zw_req	r;
	enum zw_status	st;

	memset(&r, 0, sizeof(r));
	r.func = ZW_FN_ADD_NODE;
	r.payload[0] = mode;
	r.len = 2;
	r.cb_idx = -1;
	r.prio = ZW_PRIO_USER;
	r.done = listen_sent;
	r.arg = c;
	return zw_stick_submit(c->stick, &r, &st);
}

/* Should the stick listen now? */
static int
wanted(const struct zw_ctrl *c, const struct zw_s2ctl *k)
{
	return c->up && c->step == ZW_STEP_READY && !c->stopping &&
	    c->incl.action == ACT_STOP && !k->ss_active && k->kex_node == 0 &&
	    (c->maint == NULL || c->maint->op == -1) &&
	    zw_nvm_cmd_busy(c) == NULL && k->ss_blocked[0] == '\0' &&
	    zw_ss_pending(k->prov, k->nprov);
}

void
zw_ss_arm(struct zw_ctrl *c)
{
	struct zw_s2ctl *k = ssctl(c);

	if (k == NULL)
		return;
	if (wanted(c, k) && !k->listening) {
		if (add_node(c, ZW_INCL_MODE_SS_LISTEN | ZW_INCL_OPT_NWI) == 0) {
			k->listening = 1;
			log_info("zwave: SmartStart: listening for the listed "
			    "devices");
		}
	} else if (!wanted(c, k) && k->listening)
		zw_ss_leave(c);
}

void
zw_ss_leave(struct zw_ctrl *c)
{
	zw_ss_leave_for(c, NULL);
}

void
zw_ss_leave_for(struct zw_ctrl *c, const char *why)
{
	struct zw_s2ctl *k = ssctl(c);

	if (k == NULL || !k->listening)
		return;
	k->listening = 0;
	if (c->up && add_node(c, ZW_INCL_MODE_STOP) == 0)
		log_info("zwave: SmartStart: listen mode left%s%s",
		    why != NULL ? " for " : "", why != NULL ? why : "");
}

void
zw_ss_lost(struct zw_ctrl *c)
{
	struct zw_s2ctl *k = ssctl(c);

	if (k != NULL)
		k->listening = 0;	/* a restarted stick forgot it */
}

/* The entry changed: on disk, and to the master. */
static void
entry_changed(struct zw_ctrl *c)
{
	zw_s2_prov_changed(c);
	zw_ss_arm(c);
}

void
zw_ss_announce(struct zw_ctrl *c, const struct zw_ss_update *u)
{
	struct zw_s2ctl		*k = ssctl(c);
	enum zw_ss_verdict	 v;
	size_t			 i = 0;
	char			 dsk[48];
	int			 busy;

	if (k == NULL)
		return;
	if (u->status != ZW_UPDATE_SS_HOMEID) {
		if (zw_ss_quiet(&k->ss_quiet, now_ms(c)))
			log_debug("zwave: SmartStart announcement 0x%02x "
			    "ignored (Long Range is not handled)", u->status);
		return;
	}
	busy = !wanted(c, k) && k->ss_blocked[0] == '\0';
	v = zw_ss_match(k->prov, k->nprov, u->nwi, busy, now_ms(c), &i);
	switch (v) {
	case ZW_SS_UNLISTED:
		if (zw_ss_quiet(&k->ss_quiet, now_ms(c)))
			log_debug("zwave: SmartStart: a device with home id "
			    "%02x%02x%02x%02x announced itself: not on the "
			    "provisioning list, ignored", u->nwi[0], u->nwi[1],
			    u->nwi[2], u->nwi[3]);
		return;
	case ZW_SS_DONE:
	case ZW_SS_WAIT:
		log_debug("zwave: SmartStart: a listed device announced "
		    "itself: its entry is %s%s", zw_ss_state_name(
		    k->prov[i].state), v == ZW_SS_WAIT ? ", waiting before "
		    "the next attempt" : "");
		return;
	case ZW_SS_BUSY:		/* it announces again and again */
		if (zw_ss_quiet(&k->ss_quiet_busy, now_ms(c)))
			log_info("zwave: SmartStart: a listed device announced "
			    "itself while the stick is busy: included at an "
			    "announcement once it is free");
		return;
	case ZW_SS_INCLUDE:
		break;
	}
	if (k->ss_blocked[0] != '\0')
		return;
	zw_s2_dsk_str(k->prov[i].q.dsk, dsk);
	log_info("zwave: SmartStart: the listed device %s announced itself: "
	    "including it", dsk);
	zw_ss_leave(c);
	memcpy(k->ss_dsk, k->prov[i].q.dsk, 16);
	k->ss_active = 1;
	k->ss_node = 0;
	if (zw_incl_smartstart(c, k->prov[i].q.dsk) == -1)
		zw_ss_incl_ended(c, HD__ZW_PROGRESS__STATE__FAILED, 0,
		    "the stick's queue refused it");
}

void
zw_ss_joined(struct zw_ctrl *c, int node)
{
	struct zw_s2ctl *k = ssctl(c);

	if (k != NULL && k->ss_active)
		k->ss_node = (uint8_t)node;
}

void
zw_ss_incl_ended(struct zw_ctrl *c, int state, int node, const char *why)
{
	struct zw_s2ctl	*k = ssctl(c);
	struct zw_prov	*p;
	char		 reason[ZW_SS_REASON_MAX + 1];

	if (k == NULL || !k->ss_active)
		return;
	if (k->ss_node == 0 && node != 0)
		k->ss_node = (uint8_t)node;
	if (state == HD__ZW_PROGRESS__STATE__DONE && k->ss_node != 0 &&
	    k->kex_node == k->ss_node)
		return;			/* joined: S2 bootstrapping runs */
	if ((p = active_entry(k)) != NULL) {
		if (state == HD__ZW_PROGRESS__STATE__DONE) {
			/* Joined, yet no bootstrapping runs: it failed to
			 * start, or has ended (zw_ss_s2_ended said so). */
			if (p->state == ZW_SS_PENDING)
				zw_ss_failed(p, "joined, but S2 bootstrapping "
				    "could not start", 1, now_ms(c));
		} else {
			snprintf(reason, sizeof(reason), "%s", why);
			zw_ss_failed(p, reason, 0, now_ms(c));
			log_warnx("zwave: SmartStart: %s", p->reason);
		}
	}
	k->ss_active = 0;
	k->ss_node = 0;
	entry_changed(c);
}

void
zw_ss_s2_ended(struct zw_ctrl *c, int node, int ok, const char *why)
{
	struct zw_s2ctl	*k = ssctl(c);
	struct zw_prov	*p;

	if (k == NULL)
		return;
	if (!k->ss_active || k->ss_node != node) {
		zw_ss_arm(c);	/* a user's bootstrapping held it back */
		return;
	}
	if ((p = active_entry(k)) != NULL) {
		if (ok)
			zw_ss_included(p, (uint8_t)node);
		else
			zw_ss_failed(p, why, 1, now_ms(c));
		log_info("zwave: SmartStart: node %d: its entry is %s%s%s",
		    node, zw_ss_state_name(p->state), ok ? "" : ": ",
		    ok ? "" : p->reason);
	}
	/* The stick's part ended before the keys were asked for (its DONE
	 * comes right after the node is added): the attempt is over. */
	k->ss_active = 0;
	k->ss_node = 0;
	entry_changed(c);
}

int
zw_ss_grant(struct zw_ctrl *c, int node, unsigned *grant)
{
	struct zw_s2ctl	*k = ssctl(c);
	struct zw_prov	*p;

	if (k == NULL || !k->ss_active || k->ss_node != node)
		return 0;
	if ((p = active_entry(k)) == NULL)
		return -1;		/* removed from the list meanwhile */
	*grant = p->q.keys & 0x87u;
	return 1;
}

int
zw_ss_key_check(struct zw_ctrl *c, int node, const uint8_t pub[16],
    long *pin)
{
	struct zw_s2ctl	*k = ssctl(c);
	struct zw_prov	*p;

	if (k == NULL || !k->ss_active || k->ss_node != node)
		return 0;
	if ((p = active_entry(k)) == NULL)
		return -1;
	/* The PIN's two bytes are blanked by a node asked for a PIN class;
	 * sent whole otherwise: compared then too. */
	if (memcmp(p->q.dsk + ZW_S2_DSK_PIN_LEN, pub + ZW_S2_DSK_PIN_LEN,
	    16 - ZW_S2_DSK_PIN_LEN) != 0 || (pin == NULL &&
	    memcmp(p->q.dsk, pub, ZW_S2_DSK_PIN_LEN) != 0))
		return -1;
	if (pin != NULL)
		*pin = (long)(p->q.dsk[0] << 8 | p->q.dsk[1]);
	return 1;
}

void
zw_ss_removed(struct zw_ctrl *c, const uint8_t dsk[16])
{
	struct zw_s2ctl *k = ssctl(c);

	if (k == NULL || !k->ss_active || memcmp(k->ss_dsk, dsk, 16) != 0)
		return;
	log_warnx("zwave: SmartStart: the device being included was removed "
	    "from the provisioning list: its inclusion ends");
	if (k->ss_node != 0 && k->kex_node == k->ss_node)
		zw_s2_boot_cancel(c, "removed from the provisioning list "
		    "during its inclusion");
	else if (k->ss_node == 0)
		zw_incl_ss_cancel(c, "removed from the provisioning list");
	/* Joined, its protocol exchange under way: it finishes, and its
	 * S2 bootstrapping is cancelled when it starts (zw_ss_grant). */
}

void
zw_ss_blocked(struct zw_ctrl *c, const char *why)
{
	struct zw_s2ctl *k = ssctl(c);

	if (k == NULL || strcmp(k->ss_blocked, why) == 0)
		return;
	snprintf(k->ss_blocked, sizeof(k->ss_blocked), "%s", why);
	if (why[0] != '\0')
		log_warnx("zwave: SmartStart: not listening: %s", why);
	else
		log_info("zwave: SmartStart: allowed by the master's licence");
	zw_s2_prov_changed(c);
	zw_ss_arm(c);
}
