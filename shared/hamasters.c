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
