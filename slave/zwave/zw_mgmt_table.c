/*
 * What the management interview learnt, used and kept: each class's
 * version, the endpoints' classes and the values they give ("on.2"),
 * the endpoints' state poll, and the node table fields
 * (proto/zwave.proto) for zw_nodes.c.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "slave.h"
#include "zwave/zw.h"
#include "zwave/zw_cc.h"
#include "zwave.pb-c.h"

int
zw_mgmt_version(const struct zw_node *zn, uint8_t cc)
{
	size_t i;

	for (i = 0; i < zn->ncc; i++)
		if (zn->cc[i] == cc)
			return zn->ccver[i] != 0 ? zn->ccver[i] : 1;
	return 0;
}

int
zw_mgmt_ep_has(const struct zw_node *zn, uint8_t ep, uint8_t cc)
{
	int i;

	if (zn->eps == NULL || ep < 1 || ep > zn->eps->n)
		return 0;
	for (i = 0; i < zn->eps->ep[ep - 1].ncc; i++)
		if (zn->eps->ep[ep - 1].cc[i] == cc)
			return 1;
	return 0;
}

/* An endpoint's poll: its report is what counts, not the delivery. */
static void
polled(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	(void)arg;
	(void)res;
	(void)cb;
	if (st != ZW_OK && st != ZW_ERR_DOWN)
		log_debug("zwave: endpoint poll: %s", zw_status_str(st));
}

/* --- endpoint values, the node table ---------------------------------- */

void
zw_mgmt_values(struct zw_node *zn)
{
	char	key[VALUE_KEY_MAX + 1];
	int	ep;

	if (zn->dev == NULL || zn->eps == NULL)
		return;
	for (ep = 1; ep <= zn->eps->n; ep++) {
		if (zw_mgmt_ep_has(zn, (uint8_t)ep, ZW_CC_SWITCH_BINARY) ||
		    (zw_mgmt_ep_has(zn, (uint8_t)ep, ZW_CC_BASIC) &&
		    !zw_mgmt_ep_has(zn, (uint8_t)ep,
		    ZW_CC_SWITCH_MULTILEVEL))) {
			snprintf(key, sizeof(key), "on.%d", ep);
			if (dev_find_value(zn->dev, key) == NULL)
				dev_value(zn->dev, key,
				    HD__VALUE_TYPE__VT_BOOL, "", 1, 0, 0);
		}
		if (zw_mgmt_ep_has(zn, (uint8_t)ep, ZW_CC_SWITCH_MULTILEVEL)) {
			snprintf(key, sizeof(key), "level.%d", ep);
			if (dev_find_value(zn->dev, key) == NULL)
				dev_value(zn->dev, key, HD__VALUE_TYPE__VT_INT,
				    "%", 1, 0, ZW_LEVEL_MAX);
		}
	}
}

/* Ask each endpoint for the state of its classes that have values. */
void
zw_mgmt_refresh(struct zw_ctrl *c, struct zw_node *zn)
{
	uint8_t	cmd[8];
	size_t	n;
	int	ep, i;

	if (zn->eps == NULL)
		return;
	for (ep = 1; ep <= zn->eps->n; ep++)
		for (i = 0; i < zn->eps->ep[ep - 1].ncc; i++) {
			if (zn->eps->ep[ep - 1].cc[i] == ZW_CC_NOTIFICATION ||
			    !zw_cc_has_values(zn->eps->ep[ep - 1].cc[i]) ||
			    (n = zw_cc_get(cmd, sizeof(cmd),
			    zn->eps->ep[ep - 1].cc[i])) == 0 ||
			    (n = zw_cc_mc_encap(cmd, sizeof(cmd), 0,
			    (uint8_t)ep, cmd, n)) == 0)
				continue;
			zw_node_send(c, (int)(zn - c->node), cmd, n,
			    ZW_PRIO_POLL, polled, zn);
		}
}

void
zw_mgmt_load(struct zw_node *zn, const Hd__ZwNode *t)
{
	size_t i, n;

	if (zn->ncc > 0 && t->cc_versions.len == zn->ncc)
		memcpy(zn->ccver, t->cc_versions.data, zn->ncc);
	zn->have_plus = t->have_plus;
	zn->plus_role = (uint8_t)t->plus_role;
	zn->plus_type = (uint8_t)t->plus_node_type;
	zn->icon_inst = (uint16_t)t->installer_icon;
	zn->icon_user = (uint16_t)t->user_icon;
	zn->lifeline = t->lifeline;
	zn->wakeup_s = t->wakeup_interval <= ZW_WAKEUP_MAX_S ?
	    t->wakeup_interval : 0;
	n = t->n_endpoints > ZW_MAX_ENDPOINTS ? ZW_MAX_ENDPOINTS :
	    t->n_endpoints;
	if (n == 0 || (zn->eps = calloc(1, sizeof(*zn->eps))) == NULL)
		return;
	for (i = 0; i < n; i++) {
		/* Endpoints are kept in order, 1..n; anything else is
		 * not ours and ends the list. */
		if (t->endpoints[i]->id != i + 1 ||
		    t->endpoints[i]->command_classes.len > ZW_MAX_NODE_CCS)
			break;
		zn->eps->ep[i].generic = (uint8_t)t->endpoints[i]->generic;
		zn->eps->ep[i].specific = (uint8_t)t->endpoints[i]->specific;
		zn->eps->ep[i].ncc =
		    (uint8_t)t->endpoints[i]->command_classes.len;
		if (zn->eps->ep[i].ncc > 0)
			memcpy(zn->eps->ep[i].cc,
			    t->endpoints[i]->command_classes.data,
			    zn->eps->ep[i].ncc);
	}
	zn->eps->n = (uint8_t)i;
}

void
zw_mgmt_save(const struct zw_node *zn, Hd__ZwNode *t)
{
	Hd__ZwEndpoint	*e;
	int		 i;

	t->cc_versions.data = (uint8_t *)(uintptr_t)zn->ccver;
	t->cc_versions.len = zn->ncc;
	t->have_plus = zn->have_plus;
	t->plus_role = zn->plus_role;
	t->plus_node_type = zn->plus_type;
	t->installer_icon = zn->icon_inst;
	t->user_icon = zn->icon_user;
	t->lifeline = zn->lifeline;
	t->wakeup_interval = zn->wakeup_s;
	if (zn->eps == NULL || zn->eps->n == 0 ||
	    (t->endpoints = calloc(zn->eps->n, sizeof(*t->endpoints))) ==
	    NULL || (e = calloc(zn->eps->n, sizeof(*e))) == NULL) {
		free(t->endpoints);
		t->endpoints = NULL;
		return;
	}
	for (i = 0; i < zn->eps->n; i++) {
		hd__zw_endpoint__init(&e[i]);
		e[i].id = (uint32_t)i + 1;
		e[i].generic = zn->eps->ep[i].generic;
		e[i].specific = zn->eps->ep[i].specific;
		e[i].command_classes.data = (uint8_t *)(uintptr_t)
		    zn->eps->ep[i].cc;
		e[i].command_classes.len = zn->eps->ep[i].ncc;
		t->endpoints[i] = &e[i];
	}
	t->n_endpoints = zn->eps->n;
}

void
zw_mgmt_save_free(Hd__ZwNode *t)
{
	if (t->n_endpoints > 0)
		free(t->endpoints[0]);
	free(t->endpoints);
	t->endpoints = NULL;
	t->n_endpoints = 0;
}
