/*
 * The Z-Wave node table on disk (proto/zwave.proto), so a restart knows
 * its nodes without asking the stick about each one again. Written with
 * state_save() (temporary file, fsync, rename): a crash leaves the old
 * table or the new one. What is read back is checked like any outside
 * input: node ids in range and unique, class bytes in range.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "log.h"
#include "wire.h"
#include "zwave/zw.h"
#include "zwave/zw_s2.h"
#include "zwave.pb-c.h"

/* The table's format (ZwNodeTable.format): 2 since S2 (s2_granted). */
#define ZW_NODES_FORMAT	2

static int
node_ok(const Hd__ZwNode *n, const struct zw_ctrl *c)
{
	return n->id >= 1 && n->id <= ZW_MAX_NODES && n->capability <= 0xff &&
	    n->security <= 0xff && n->basic <= 0xff && n->generic <= 0xff &&
	    n->specific <= 0xff && n->interview_pct <= 100 &&
	    n->command_classes.len <= ZW_MAX_NODE_CCS &&
	    n->manufacturer <= 0xffff && n->product_type <= 0xffff &&
	    n->product_id <= 0xffff &&
	    (n->s2_granted & ~0x87u) == 0 && (n->security_level <= 1 ?
	    (n->s2_granted & 0x07u) == 0 : n->security_level <= 4 &&
	    (n->s2_granted & 0x07u) != 0 && (int)n->security_level ==
	    2 + zw_s2_highest(n->s2_granted & 0x07u)) &&
	    n->secure_classes.len <= ZW_MAX_NODE_CCS &&
	    !c->node[n->id].have_info;
}

int
zw_nodes_load(struct zw_ctrl *c)
{
	Hd__ZwNodeTable	*t;
	struct zw_node	*zn;
	size_t		 i;
	int		 bad = 0;

	errno = 0;
	t = (Hd__ZwNodeTable *)state_load(c->path,
	    &hd__zw_node_table__descriptor);
	/* A newer format: the slave must not save over it (-1 stops it). */
	if (t == NULL)
		return errno == ENOTSUP ? -1 : 0;
	c->table_home = t->home_id;
	for (i = 0; i < t->n_nodes && i < ZW_MAX_NODES; i++) {
		if (!node_ok(t->nodes[i], c)) {
			bad++;
			continue;
		}
		zn = &c->node[t->nodes[i]->id];
		zn->have_info = 1;
		zn->sec_level = (uint8_t)t->nodes[i]->security_level;
		zn->sec_denied = t->nodes[i]->security_denied;
		zn->s2_granted = (uint8_t)(t->nodes[i]->s2_granted & 0x87);
		zn->nscc = t->nodes[i]->secure_classes.len;
		if (zn->nscc > 0)
			memcpy(zn->scc, t->nodes[i]->secure_classes.data,
			    zn->nscc);
		zn->cap = (uint8_t)t->nodes[i]->capability;
		zn->sec = (uint8_t)t->nodes[i]->security;
		zn->basic = (uint8_t)t->nodes[i]->basic;
		zn->generic = (uint8_t)t->nodes[i]->generic;
		zn->specific = (uint8_t)t->nodes[i]->specific;
		zn->pct = t->nodes[i]->interview_pct;
		zn->have_mfr = t->nodes[i]->have_manufacturer;
		zn->mfr = (uint16_t)t->nodes[i]->manufacturer;
		zn->ptype = (uint16_t)t->nodes[i]->product_type;
		zn->pid = (uint16_t)t->nodes[i]->product_id;
		zn->ncc = t->nodes[i]->command_classes.len;
		if (zn->ncc > 0)
			memcpy(zn->cc, t->nodes[i]->command_classes.data,
			    zn->ncc);
		zw_mgmt_load(zn, t->nodes[i]);
	}
	if (bad > 0 || t->n_nodes > ZW_MAX_NODES)
		log_warnx("%s: %d bad node entr%s ignored", c->path,
		    bad, bad == 1 ? "y" : "ies");
	log_info("zwave: node table %s: home id %08x, %zu node%s", c->path,
	    c->table_home, i, i == 1 ? "" : "s");
	wire_free((ProtobufCMessage *)t);
	return 0;
}

int
zw_nodes_save(const struct zw_ctrl *c)
{
	Hd__ZwNodeTable	 t = HD__ZW_NODE_TABLE__INIT;
	Hd__ZwNode	 nodes[ZW_MAX_NODES], *ptrs[ZW_MAX_NODES];
	const struct zw_node *zn;
	int		 id, r;

	t.home_id = c->home_id;
	t.format = ZW_NODES_FORMAT;
	t.own_node_id = c->own_id;
	t.nodes = ptrs;
	for (id = 1; id <= ZW_MAX_NODES; id++) {
		zn = &c->node[id];
		if (!zn->have_info || !zn->listed)
			continue;
		hd__zw_node__init(&nodes[t.n_nodes]);
		nodes[t.n_nodes].id = (uint32_t)id;
		nodes[t.n_nodes].security_level = zn->sec_level;
		nodes[t.n_nodes].security_denied = zn->sec_denied != 0;
		nodes[t.n_nodes].s2_granted = zn->s2_granted;
		nodes[t.n_nodes].secure_classes.data = (uint8_t *)(uintptr_t)
		    zn->scc;
		nodes[t.n_nodes].secure_classes.len = zn->nscc;
		nodes[t.n_nodes].capability = zn->cap;
		nodes[t.n_nodes].security = zn->sec;
		nodes[t.n_nodes].basic = zn->basic;
		nodes[t.n_nodes].generic = zn->generic;
		nodes[t.n_nodes].specific = zn->specific;
		nodes[t.n_nodes].interview_pct = zn->pct;
		nodes[t.n_nodes].command_classes.data = (uint8_t *)(uintptr_t)
		    zn->cc;
		nodes[t.n_nodes].command_classes.len = zn->ncc;
		nodes[t.n_nodes].have_manufacturer = zn->have_mfr;
		nodes[t.n_nodes].manufacturer = zn->mfr;
		nodes[t.n_nodes].product_type = zn->ptype;
		nodes[t.n_nodes].product_id = zn->pid;
		zw_mgmt_save(zn, &nodes[t.n_nodes]);
		ptrs[t.n_nodes] = &nodes[t.n_nodes];
		t.n_nodes++;
	}
	state_format_set(&t.base);
	if ((r = state_save(c->path, (const ProtobufCMessage *)&t)) == -1)
		log_warn("zwave: %s", c->path);
	for (id = 0; id < (int)t.n_nodes; id++)
		zw_mgmt_save_free(&nodes[id]);
	return r;
}
