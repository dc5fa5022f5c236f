#ifndef HD_HAMASTERS_H
#define HD_HAMASTERS_H

/*
 * The installation's ordered list of master-capable nodes
 * (docs/FAILOVER.md, "Setting up a standby"): one config line each,
 *
 *	master NODE-ID ADDRESS:PORT
 *
 * the same lines, in the same order, in every master's, standby's and
 * slave's config. A node's place in the list is its number in the
 * failover machines (shared/ha.h): node 0 is the installation's first
 * master. A slave's older one-word form, `master ADDRESS:PORT`, names
 * an address only and stays valid for a single-master install.
 */

#include <netinet/in.h>

#include "hdlimits.h"

#define HA_ADDR_MAX	(INET6_ADDRSTRLEN + 8)	/* "[v6]:port" */

struct ha_masters {
	int	n;
	char	id[HA_MAX_MASTERS][NODE_ID_MAX + 1];
	char	addr[HA_MAX_MASTERS][HA_ADDR_MAX];
};

/* Append one; 0, or -1 with why in err (bad id or address, a repeat,
 * too many). */
int	ha_masters_add(struct ha_masters *, const char *id, const char *addr,
	    char *err, size_t errlen);
/* The place of `id` in the list, or -1. */
int	ha_masters_find(const struct ha_masters *, const char *id);

/*
 * The installation's voters (docs/FAILOVER.md, "Voters"): one line per
 * slave in every master-capable node's config,
 *
 *	slave NODE-ID
 *
 * the same lines in the same order on the master and its standbys. The
 * order numbers them (HA_SLAVE(i) in shared/ha.h), the count makes the
 * majority. No slave line: no election (a single master, or a standby
 * that only keeps a copy), and any slave may register as before.
 */
struct ha_slaves {
	int	n;
	char	id[HA_MAX_SLAVES][NODE_ID_MAX + 1];
};

/* Append one; 0, or -1 with why (bad id, a repeat, too many). */
int	ha_slaves_add(struct ha_slaves *, const char *id, char *err,
	    size_t errlen);
/* The place of `id` in the list, or -1. */
int	ha_slaves_find(const struct ha_slaves *, const char *id);
/* Do two lists name the same slaves in the same order? On a difference,
 * 0 and the first one in why. */
int	ha_slaves_same(const struct ha_slaves *, const struct ha_slaves *,
	    char *why, size_t whylen);

#endif
