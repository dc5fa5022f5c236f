/* The installation's list of master-capable nodes (hamasters.h). */

#include <stdio.h>
#include <string.h>

#include "hamasters.h"
#include "net.h"
#include "tls.h"

int
ha_masters_add(struct ha_masters *hm, const char *id, const char *addr,
    char *err, size_t errlen)
{
	struct sockaddr_storage	ss;
	socklen_t		sl;

	if (hm->n == HA_MAX_MASTERS) {
		snprintf(err, errlen, "at most %d master-capable nodes",
		    HA_MAX_MASTERS);
		return -1;
	}
	if (!tls_node_id_ok(id)) {
		snprintf(err, errlen, "master: \"%.*s\" is not a node id "
		    "(a-z, 0-9, '-', at most %d)", NODE_ID_MAX, id,
		    NODE_ID_MAX);
		return -1;
	}
	if (strlen(addr) >= HA_ADDR_MAX ||
	    net_parse_addr(addr, &ss, &sl) == -1) {
		snprintf(err, errlen, "master %s: \"%.*s\" is not "
		    "ADDRESS:PORT", id, HA_ADDR_MAX, addr);
		return -1;
	}
	if (ha_masters_find(hm, id) != -1) {
		snprintf(err, errlen, "master %s named twice", id);
		return -1;
	}
	snprintf(hm->id[hm->n], sizeof(hm->id[hm->n]), "%s", id);
	snprintf(hm->addr[hm->n], sizeof(hm->addr[hm->n]), "%s", addr);
	hm->n++;
	return 0;
}

int
ha_masters_find(const struct ha_masters *hm, const char *id)
{
	int i;

	for (i = 0; i < hm->n; i++)
		if (strcmp(hm->id[i], id) == 0)
			return i;
	return -1;
}

int
ha_slaves_add(struct ha_slaves *hs, const char *id, char *err, size_t errlen)
{
	if (hs->n == HA_MAX_SLAVES) {
		snprintf(err, errlen, "at most %d slave lines (the voters)",
		    HA_MAX_SLAVES);
		return -1;
	}
	if (!tls_node_id_ok(id)) {
		snprintf(err, errlen, "slave: \"%.*s\" is not a node id "
		    "(a-z, 0-9, '-', at most %d)", NODE_ID_MAX, id,
		    NODE_ID_MAX);
		return -1;
	}
	if (ha_slaves_find(hs, id) != -1) {
		snprintf(err, errlen, "slave %s named twice", id);
		return -1;
	}
	snprintf(hs->id[hs->n], sizeof(hs->id[hs->n]), "%s", id);
	hs->n++;
	return 0;
}

int
ha_slaves_find(const struct ha_slaves *hs, const char *id)
{
	int i;

	for (i = 0; i < hs->n; i++)
		if (strcmp(hs->id[i], id) == 0)
			return i;
	return -1;
}

int
ha_slaves_same(const struct ha_slaves *a, const struct ha_slaves *b,
    char *why, size_t whylen)
{
	int i;

	for (i = 0; i < a->n && i < b->n; i++)
		if (strcmp(a->id[i], b->id[i]) != 0) {
			snprintf(why, whylen, "slave line %d is %s here, %s "
			    "there", i + 1, a->id[i], b->id[i]);
			return 0;
		}
	if (a->n != b->n) {
		snprintf(why, whylen, "%d slave lines here, %d there", a->n,
		    b->n);
		return 0;
	}
	return 1;
}
