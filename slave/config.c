/* hd-slave configuration file (docs/CONFIG.md). */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "log.h"
#include "net.h"
#include "slave.h"

static int
set_str(char **dst, const struct cfg_line *l, int ispath, char *err,
    size_t errlen)
{
	if (cfg_want_args(l, 2, 2, err, errlen) == -1)
		return -1;
	if (*dst != NULL) {
		snprintf(err, errlen, "%s given twice", l->argv[0]);
		return -1;
	}
	*dst = ispath ? cfg_path(l, 1) : strdup(l->argv[1]);
	if (*dst == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/*
 * "master ADDRESS:PORT", or with failover "master NODE-ID ADDRESS:PORT",
 * the installation's list of master-capable nodes (shared/hamasters.h):
 * either every line names its node id or none does.
 */
static int
add_master(struct slave_conf *sc, const struct cfg_line *l, char *err,
    size_t errlen)
{
	struct sockaddr_storage	ss;
	socklen_t		sl;
	const char		*addr;

	if (cfg_want_args(l, 2, 3, err, errlen) == -1)
		return -1;
	if (sc->nmasters > 0 && (l->argc == 3) != (sc->ha.n > 0)) {
		snprintf(err, errlen, "master: either every master line "
		    "names its node id (master NODE-ID ADDRESS:PORT) or none");
		return -1;
	}
	if (l->argc == 3 && ha_masters_add(&sc->ha, l->argv[1], l->argv[2],
	    err, errlen) == -1)
		return -1;
	addr = l->argv[l->argc - 1];
	if (sc->nmasters == CFG_MAX_MASTERS) {
		snprintf(err, errlen, "at most %d master lines",
		    CFG_MAX_MASTERS);
		return -1;
	}
	if (net_parse_addr(addr, &ss, &sl) == -1) {
		snprintf(err, errlen, "master: \"%s\" is not ADDRESS:PORT "
		    "(numeric address or [v6]:port)", addr);
		return -1;
	}
	if ((sc->masters[sc->nmasters++] = strdup(addr)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int
set_bool(int *dst, const struct cfg_line *l, char *err, size_t errlen)
{
	if (cfg_want_args(l, 2, 2, err, errlen) == -1)
		return -1;
	if (strcmp(l->argv[1], "yes") == 0)
		*dst = 1;
	else if (strcmp(l->argv[1], "no") == 0)
		*dst = 0;
	else {
		snprintf(err, errlen, "%s: expected yes or no", l->argv[0]);
		return -1;
	}
	return 0;
}

static int
check_site(const struct cfg_line *l, char *err, size_t errlen)
{
	size_t i, n;

	if (cfg_want_args(l, 2, 2, err, errlen) == -1)
		return -1;
	for (i = 0, n = strlen(l->argv[1]); i < n; i++)
		if ((unsigned char)l->argv[1][i] < 0x20 ||
		    l->argv[1][i] == 0x7f)
			break;
	if (n == 0 || n > SITE_NAME_MAX || i < n) {
		snprintf(err, errlen, "site: 1 to %d printable characters",
		    SITE_NAME_MAX);
		return -1;
	}
	return 0;
}

static int
directive(const struct cfg_line *l, void *arg, char *err, size_t errlen)
{
	struct slave_conf	*sc = arg;
	const char		*k = l->argv[0];
	int			 r;

	if (strcmp(k, "master") == 0)
		return add_master(sc, l, err, errlen);
	if (strcmp(k, "site") == 0)
		return check_site(l, err, errlen) == -1 ? -1 :
		    set_str(&sc->site, l, 0, err, errlen);
	if (strcmp(k, "ca") == 0)
		return set_str(&sc->ca, l, 1, err, errlen);
	if (strcmp(k, "cert") == 0)
		return set_str(&sc->cert, l, 1, err, errlen);
	if (strcmp(k, "key") == 0)
		return set_str(&sc->key, l, 1, err, errlen);
	if (strcmp(k, "crl") == 0)
		return set_str(&sc->crl, l, 1, err, errlen);
	if (strcmp(k, "state-dir") == 0)
		return set_str(&sc->state_dir, l, 1, err, errlen);
	if (strcmp(k, "simulate") == 0)
		return set_bool(&sc->simulate, l, err, errlen);
	if (strcmp(k, "simulate-interval") == 0)
		return cfg_one_long(l, 100, 3600000, &sc->sim_interval_ms, err,
		    errlen);
	if (strcmp(k, "heartbeat") == 0)
		return cfg_one_long(l, 100, 60000, &sc->heartbeat_ms, err,
		    errlen);
	if (strcmp(k, "timeout") == 0)
		return cfg_one_long(l, 300, 600000, &sc->timeout_ms, err,
		    errlen);
	if (strcmp(k, "journal") == 0)
		return set_str(&sc->journal, l, 1, err, errlen);
	if (strcmp(k, "zwave") == 0)
		return zw_conf_directive(sc, l, err, errlen);
	if (hwconf_directive(sc, l, &r, err, errlen))
		return r;
	if (safe_conf_directive(sc, l, &r, err, errlen))
		return r;
	if (local_conf_directive(sc, l, &r, err, errlen))
		return r;
	snprintf(err, errlen, "unknown directive \"%s\"", k);
	return -1;
}

int
slave_conf_load(struct slave_conf *sc, const char *path)
{
	memset(sc, 0, sizeof(*sc));
	sc->heartbeat_ms = CLUSTER_HEARTBEAT_MS;
	sc->timeout_ms = CLUSTER_TIMEOUT_MS;
	sc->sim_interval_ms = 15000;
	sc->zw_ping_ms = ZW_PING_MS;
	sc->safe_after_ms = SAFE_AFTER_MS;
	sc->local_after_ms = LOCAL_AFTER_MS;
	if (cfg_parse_file(path, directive, sc) == -1)
		return -1;
	if (sc->nmasters == 0 || sc->site == NULL || sc->ca == NULL ||
	    sc->cert == NULL || sc->key == NULL || sc->state_dir == NULL) {
		log_warnx("%s: master, site, ca, cert, key and state-dir are "
		    "required", path);
		return -1;
	}
	if (hwconf_check(sc->hw) == -1)
		return -1;
	if (sc->nsafe > 0 && sc->zw_port == NULL) {
		log_warnx("%s: zwave-safe without a zwave port", path);
		return -1;
	}
	if (sc->timeout_ms <= sc->heartbeat_ms) {
		log_warnx("%s: timeout must be longer than heartbeat", path);
		return -1;
	}
	sc->tls.ca = sc->ca;
	sc->tls.cert = sc->cert;
	sc->tls.key = sc->key;
	sc->tls.crl = sc->crl;
	return 0;
}

void
slave_conf_free(struct slave_conf *sc)
{
	int i;

	for (i = 0; i < sc->nmasters; i++)
		free(sc->masters[i]);
	free(sc->ca);
	free(sc->cert);
	free(sc->key);
	free(sc->crl);
	free(sc->site);
	free(sc->state_dir);
	free(sc->journal);
	free(sc->zw_port);
	hwconf_free(sc->hw);
	sc->hw = NULL;
	free(sc->safe);
	sc->safe = NULL;
}
