/*
 * The S2 provisioning list: devices the user made known by their QR code
 * (zw_s2_qr.c) before including them, kept crash-safely in
 * STATE_DIR/zwave.provision (ZwProvisionList, state_save()) and changed
 * by the master (ZwProvision: add, remove, list; each answered with the
 * whole list).
 *
 * What it gives: when a device being bootstrapped with Authenticated or
 * Access Control sends its public key, and its key's bytes after the two
 * the PIN stands for are those of a listed DSK, the listed DSK's PIN is
 * used without asking the user: the whole DSK was compared, which is more
 * than a user checking a label does. And SmartStart (zw_smartstart.c):
 * listed devices included when they announce themselves; each entry's
 * state (pending, included, failed and why) is kept here too, and the
 * master's licence word with the list.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "log.h"
#include "slave.h"
#include "wire.h"
#include "zwave/zw.h"
#include "zwave/zw_sec_int.h"
#include "zwave.pb-c.h"

static char *
prov_path(const struct zw_ctrl *c)
{
	char *p;

	return asprintf(&p, "%s/zwave.provision", c->s->conf.state_dir) ==
	    -1 ? NULL : p;
}

/* A DSK as "12345-..." back to bytes: 0, or -1 if it is not one. */
static int
dsk_parse(const char *s, uint8_t dsk[16])
{
	unsigned long	v;
	char		*end;
	int		 i;

	for (i = 0; i < 8; i++) {
		if (strspn(s, "0123456789") != 5)
			return -1;
		v = strtoul(s, &end, 10);
		if (v > 65535 || *end != (i < 7 ? '-' : '\0'))
			return -1;
		dsk[2 * i] = (uint8_t)(v >> 8);
		dsk[2 * i + 1] = (uint8_t)v;
		s = end + (i < 7);
	}
	return 0;
}

static int
entry_ok(const Hd__ZwProvisionEntry *e)
{
	uint8_t dsk[16];

	return dsk_parse(e->dsk, dsk) == 0 && e->keys <= 0xff &&
	    e->generic <= 0xff && e->specific <= 0xff &&
	    e->manufacturer <= 0xffff && e->product_type <= 0xffff &&
	    e->product_id <= 0xffff && e->node_id <= ZW_MAX_NODES &&
	    e->state <= ZW_SS_FAILED && strlen(e->reason) <= ZW_SS_REASON_MAX;
}

static void
entry_fill(const struct zw_prov *p, Hd__ZwProvisionEntry *e, char *dsk)
{
	hd__zw_provision_entry__init(e);
	zw_s2_dsk_str(p->q.dsk, dsk);
	e->dsk = dsk;
	e->keys = p->q.keys;
	e->smartstart = p->q.smartstart;
	e->generic = p->q.generic;
	e->specific = p->q.specific;
	e->manufacturer = p->q.manufacturer;
	e->product_type = p->q.product_type;
	e->product_id = p->q.product_id;
	e->node_id = p->node;
	e->state = p->state;
	e->reason = (char *)(uintptr_t)p->reason;
}

/* The list as a message; its parts live in the caller's arrays. */
static void
list_fill(const struct zw_s2ctl *k, Hd__ZwProvisionList *l,
    Hd__ZwProvisionEntry *ents, Hd__ZwProvisionEntry **ptrs,
    char (*dsks)[48])
{
	size_t i;

	hd__zw_provision_list__init(l);
	for (i = 0; i < k->nprov; i++) {
		entry_fill(&k->prov[i], &ents[i], dsks[i]);
		ptrs[i] = &ents[i];
	}
	l->entries = ptrs;
	l->n_entries = k->nprov;
	l->smartstart_blocked = (char *)(uintptr_t)k->ss_blocked;
	l->listening = k->listening != 0;
}

static int
prov_save(struct zw_ctrl *c)
{
	Hd__ZwProvisionEntry	 ents[ZW_PROVISION_MAX], *ptrs[ZW_PROVISION_MAX];
	char			 dsks[ZW_PROVISION_MAX][48];
	Hd__ZwProvisionList	 l;
	char			*path;
	int			 r = -1;

	if (c->sec->s2->prov_newer)
		return 0;
	list_fill(c->sec->s2, &l, ents, ptrs, dsks);
	state_format_set(&l.base);
	if ((path = prov_path(c)) != NULL &&
	    (r = state_save(path, (const ProtobufCMessage *)&l)) == -1)
		log_warn("zwave: %s", path);
	free(path);
	return r;
}

/* Read the list at start: an entry that is not one is left out. */
void
zw_s2_prov_load(struct zw_ctrl *c)
{
	struct zw_s2ctl		*k = c->sec->s2;
	Hd__ZwProvisionList	*l;
	char			*path;
	size_t			 i;

	if ((path = prov_path(c)) == NULL)
		return;
	errno = 0;
	l = (Hd__ZwProvisionList *)state_load(path,
	    &hd__zw_provision_list__descriptor);
	/* A newer format (logged by state_load) is left as it is: the
	 * list is kept in RAM until a version that reads it runs again. */
	if (l == NULL && errno == ENOTSUP)
		k->prov_newer = 1;
	for (i = 0; l != NULL && i < l->n_entries && k->nprov <
	    ZW_PROVISION_MAX; i++) {
		if (!entry_ok(l->entries[i])) {
			log_warnx("zwave: %s: a bad entry left out", path);
			continue;
		}
		memset(&k->prov[k->nprov], 0, sizeof(k->prov[0]));
		dsk_parse(l->entries[i]->dsk, k->prov[k->nprov].q.dsk);
		k->prov[k->nprov].q.keys = (uint8_t)l->entries[i]->keys;
		k->prov[k->nprov].q.smartstart = l->entries[i]->smartstart;
		k->prov[k->nprov].q.generic = (uint8_t)l->entries[i]->generic;
		k->prov[k->nprov].q.specific = (uint8_t)l->entries[i]->specific;
		k->prov[k->nprov].q.manufacturer =
		    (uint16_t)l->entries[i]->manufacturer;
		k->prov[k->nprov].q.product_type =
		    (uint16_t)l->entries[i]->product_type;
		k->prov[k->nprov].q.product_id =
		    (uint16_t)l->entries[i]->product_id;
		k->prov[k->nprov].state = (uint8_t)l->entries[i]->state;
		snprintf(k->prov[k->nprov].reason, sizeof(k->prov[0].reason),
		    "%s", l->entries[i]->reason);
		k->prov[k->nprov++].node = (uint8_t)l->entries[i]->node_id;
	}
	if (l != NULL && strlen(l->smartstart_blocked) <= ZW_INCL_REASON_MAX)
		snprintf(k->ss_blocked, sizeof(k->ss_blocked), "%s",
		    l->smartstart_blocked);
	if (l != NULL)
		log_info("zwave: %s: %zu device%s provisioned", path, k->nprov,
		    k->nprov == 1 ? "" : "s");
	wire_free((ProtobufCMessage *)l);
	free(path);
}

static void
reply(struct slave *s, const struct zw_s2ctl *k, const char *error)
{
	Hd__ZwProvisionEntry	 ents[ZW_PROVISION_MAX], *ptrs[ZW_PROVISION_MAX];
	char			 dsks[ZW_PROVISION_MAX][48];
	Hd__ZwProvisionList	 l;
	Hd__Envelope		 e = HD__ENVELOPE__INIT;

	if (k != NULL)
		list_fill(k, &l, ents, ptrs, dsks);
	else
		hd__zw_provision_list__init(&l);
	l.error = (char *)(uintptr_t)(error != NULL ? error : "");
	e.body_case = HD__ENVELOPE__BODY_ZW_PROVISION_LIST;
	e.zw_provision_list = &l;
	s->up->send_reliable(s, &e);
}

static const char *
prov_add(struct zw_ctrl *c, const char *qr)
{
	struct zw_s2ctl	*k = c->sec->s2;
	struct zw_s2_qr	 q;
	const char	*why;
	size_t		 i;

	if ((why = zw_s2_qr_parse(qr, strlen(qr), &q)) != NULL)
		return why;
	for (i = 0; i < k->nprov; i++)
		if (memcmp(k->prov[i].q.dsk, q.dsk, sizeof(q.dsk)) == 0)
			break;
	if (i == k->nprov && k->nprov == ZW_PROVISION_MAX)
		return "the provisioning list is full";
	if (i == k->nprov)
		k->nprov++;
	k->prov[i].q = q;	/* the same DSK again: replaced, tried anew */
	zw_ss_reset(&k->prov[i]);
	return prov_save(c) == -1 ? "the list could not be written" : NULL;
}

static const char *
prov_remove(struct zw_ctrl *c, const char *dsk)
{
	struct zw_s2ctl	*k = c->sec->s2;
	uint8_t		 b[16];
	size_t		 i;

	if (dsk_parse(dsk, b) == -1)
		return "not a DSK (8 groups of 5 digits)";
	for (i = 0; i < k->nprov; i++)
		if (memcmp(k->prov[i].q.dsk, b, sizeof(b)) == 0)
			break;
	if (i == k->nprov)
		return "no such DSK in the list";
	memmove(&k->prov[i], &k->prov[i + 1],
	    (k->nprov - i - 1) * sizeof(k->prov[0]));
	k->nprov--;
	zw_ss_removed(c, b);	/* its attempt under way ends, unrecorded */
	return prov_save(c) == -1 ? "the list could not be written" : NULL;
}

/* The master's ZwProvision. */
void
zw_provision_request(struct slave *s, const Hd__ZwProvision *m)
{
	struct zw_ctrl	*c = s->zw;
	const char	*why = NULL;
	char		 by[64];

	if (c == NULL || c->sec == NULL || c->sec->s2 == NULL) {
		reply(s, NULL, "no Z-Wave stick on this slave");
		return;
	}
	snprintf(by, sizeof(by), "%s", m->issued_by);
	if (strlen(m->smartstart_blocked) <= ZW_INCL_REASON_MAX)
		zw_ss_blocked(c, m->smartstart_blocked);
	if (m->action == HD__ZW_PROVISION__ACTION__ADD)
		why = strlen(m->qr) > ZW_QR_TEXT_MAX ? "too long for a QR "
		    "code string" : prov_add(c, m->qr);
	else if (m->action == HD__ZW_PROVISION__ACTION__REMOVE)
		why = prov_remove(c, m->dsk);
	if (m->action != HD__ZW_PROVISION__ACTION__LIST)
		log_info("zwave: provisioning %s by %s: %s",
		    m->action == HD__ZW_PROVISION__ACTION__ADD ? "add" :
		    "remove", by[0] ? by : "the master", why != NULL ? why :
		    "done");
	reply(s, c->sec->s2, why);
	zw_ss_arm(c);
}

/* An entry's SmartStart state changed: written, and told the master. */
void
zw_s2_prov_changed(struct zw_ctrl *c)
{
	prov_save(c);
	reply(c->s, c->sec->s2, NULL);
}

/*
 * A public key from a node under bootstrapping (its first two bytes
 * blank): the PIN of the listed DSK it matches, or -1. The entry notes
 * the node.
 */
long
zw_s2_prov_pin(struct zw_ctrl *c, uint8_t node, const uint8_t pub[16])
{
	struct zw_s2ctl	*k = c->sec->s2;
	size_t		 i;

	for (i = 0; i < k->nprov; i++)
		if (memcmp(k->prov[i].q.dsk + ZW_S2_DSK_PIN_LEN,
		    pub + ZW_S2_DSK_PIN_LEN, 16 - ZW_S2_DSK_PIN_LEN) == 0)
			break;
	if (i == k->nprov)
		return -1;
	zw_ss_included(&k->prov[i], node);	/* no need to listen for it */
	prov_save(c);
	return (long)(k->prov[i].q.dsk[0] << 8 | k->prov[i].q.dsk[1]);
}
