/* hd-master configuration file (docs/CONFIG.md). */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "hamasters.h"
#include "log.h"
#include "master.h"
#include "net.h"
#include "sched/sched.h"

static int
set_path(char **dst, const struct cfg_line *l, char *err, size_t errlen)
{
	if (cfg_want_args(l, 2, 2, err, errlen) == -1)
		return -1;
	if (*dst != NULL) {
		snprintf(err, errlen, "%s given twice", l->argv[0]);
		return -1;
	}
	if ((*dst = cfg_path(l, 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int
add_listen(struct master_conf *mc, const struct cfg_line *l, char *err,
    size_t errlen)
{
	struct sockaddr_storage	ss;
	socklen_t		sl;

	if (cfg_want_args(l, 2, 2, err, errlen) == -1)
		return -1;
	if (mc->nlisten == CFG_MAX_LISTEN) {
		snprintf(err, errlen, "at most %d listen lines", CFG_MAX_LISTEN);
		return -1;
	}
	if (net_parse_addr(l->argv[1], &ss, &sl) == -1) {
		snprintf(err, errlen, "listen: \"%s\" is not ADDRESS:PORT "
		    "(numeric address or [v6]:port)", l->argv[1]);
		return -1;
	}
	if ((mc->listen[mc->nlisten++] = strdup(l->argv[1])) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int
add_word(char **arr, int *n, int max, const struct cfg_line *l, int check_addr,
    char *err, size_t errlen)
{
	struct sockaddr_storage	ss;
	socklen_t		sl;

	if (cfg_want_args(l, 2, 2, err, errlen) == -1)
		return -1;
	if (*n == max) {
		snprintf(err, errlen, "at most %d %s lines", max, l->argv[0]);
		return -1;
	}
	if (check_addr && net_parse_addr(l->argv[1], &ss, &sl) == -1) {
		snprintf(err, errlen, "%s: \"%s\" is not ADDRESS:PORT",
		    l->argv[0], l->argv[1]);
		return -1;
	}
	if ((arr[(*n)++] = strdup(l->argv[1])) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int	sched_directive(struct master_conf *, const struct cfg_line *,
		    char *, size_t);

static int
web_directive(struct master_conf *mc, const struct cfg_line *l, char *err,
    size_t errlen)
{
	const char *k = l->argv[0];

	if (strcmp(k, "web-listen") == 0)
		return add_word(mc->web_listen, &mc->nweb_listen,
		    WEB_MAX_LISTEN, l, 1, err, errlen);
	if (strcmp(k, "web-cert") == 0)
		return set_path(&mc->web_cert, l, err, errlen);
	if (strcmp(k, "web-key") == 0)
		return set_path(&mc->web_key, l, err, errlen);
	if (strcmp(k, "web-user") == 0) {
		if (cfg_want_args(l, 2, 2, err, errlen) == -1)
			return -1;
		free(mc->web_user);
		return (mc->web_user = strdup(l->argv[1])) ? 0 : -1;
	}
	if (strcmp(k, "web-handshake-timeout") == 0)
		return cfg_one_long(l, 500, 120000, &mc->web_handshake_ms, err,
		    errlen);
	if (strcmp(k, "web-request-timeout") == 0)
		return cfg_one_long(l, 500, 120000, &mc->web_request_ms, err,
		    errlen);
	if (strcmp(k, "ban-ipv6-prefix") == 0)
		return cfg_one_long(l, BAN_IPV6_PREFIX_MIN, 128,
		    &mc->ban_v6_prefix, err, errlen);
	if (strcmp(k, "allow") == 0)
		return add_word(mc->allow, &mc->nallow, BAN_MAX_ALLOW, l, 0,
		    err, errlen);
	return sched_directive(mc, l, err, errlen);
}

/* "latitude 47.37" / "longitude -8.5": decimal degrees in range. */
static int
set_degrees(double *dst, const struct cfg_line *l, double max, char *err,
    size_t errlen)
{
	char	*end;
	double	 v;

	if (cfg_want_args(l, 2, 2, err, errlen) == -1)
		return -1;
	v = strtod(l->argv[1], &end);
	if (*end != '\0' || end == l->argv[1] || !isfinite(v) || v < -max ||
	    v > max) {
		snprintf(err, errlen, "%s: \"%s\" is not a number of degrees "
		    "in -%g..%g", l->argv[0], l->argv[1], max, max);
		return -1;
	}
	*dst = v;
	return 0;
}

/* A number of degrees in -max..max; -1 after filling err. */
static int
degrees(const char *s, double max, double *out, char *err, size_t errlen)
{
	char *end;

	*out = strtod(s, &end);
	if (*end != '\0' || end == s || !isfinite(*out) || *out < -max ||
	    *out > max) {
		snprintf(err, errlen, "\"%s\" is not a number of degrees in "
		    "-%g..%g", s, max, max);
		return -1;
	}
	return 0;
}

/*
 * "site-place SITE LATITUDE LONGITUDE [ZONE]": where a site is and its
 * IANA time zone (docs/SCHEDULER.md#sites); without ZONE the site keeps
 * the installation's zone.
 */
static int
add_place(struct master_conf *mc, const struct cfg_line *l, char *err,
    size_t errlen)
{
	struct sched_place	*pl;
	size_t			 n;
	int			 i;

	if (cfg_want_args(l, 4, 5, err, errlen) == -1)
		return -1;
	if ((n = strlen(l->argv[1])) == 0 || n > SITE_NAME_MAX) {
		snprintf(err, errlen, "site-place: a site name is 1 to %d "
		    "characters", SITE_NAME_MAX);
		return -1;
	}
	for (i = 0; i < mc->nplaces; i++)
		if (strcmp(mc->places[i].site, l->argv[1]) == 0) {
			snprintf(err, errlen, "site-place: site \"%s\" given "
			    "twice", l->argv[1]);
			return -1;
		}
	if (mc->nplaces == SCHED_MAX_SITES) {
		snprintf(err, errlen, "at most %d site-place lines",
		    SCHED_MAX_SITES);
		return -1;
	}
	if (mc->places == NULL && (mc->places = calloc(SCHED_MAX_SITES,
	    sizeof(*mc->places))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pl = &mc->places[mc->nplaces];
	memset(pl, 0, sizeof(*pl));
	memcpy(pl->site, l->argv[1], n + 1);
	if (degrees(l->argv[2], 90, &pl->lat, err, errlen) == -1 ||
	    degrees(l->argv[3], 180, &pl->lon, err, errlen) == -1)
		return -1;
	if (l->argc == 5) {
		if (!sched_zone_ok(l->argv[4], err, errlen))
			return -1;
		memcpy(pl->tz, l->argv[4], strlen(l->argv[4]) + 1);
	}
	mc->nplaces++;
	return 0;
}

/* The scheduler's directives (docs/CONFIG.md#scheduler). */
static int
sched_directive(struct master_conf *mc, const struct cfg_line *l, char *err,
    size_t errlen)
{
	const char *k = l->argv[0];

	if (strcmp(k, "events") == 0)
		return set_path(&mc->events, l, err, errlen);
	if (strcmp(k, "latitude") == 0)
		return set_degrees(&mc->latitude, l, 90, err, errlen);
	if (strcmp(k, "longitude") == 0)
		return set_degrees(&mc->longitude, l, 180, err, errlen);
	if (strcmp(k, "site-place") == 0)
		return add_place(mc, l, err, errlen);
	snprintf(err, errlen, "unknown directive \"%s\"", k);
	return -1;
}

/* Where a master-capable node's dashboard is, for a standby's API to
 * name (docs/FAILOVER.md, "The API of a standby"). */
static int
master_web(struct master_conf *mc, const struct cfg_line *l, char *err,
    size_t errlen)
{
	const char	*u;
	size_t		 i;

	if (cfg_want_args(l, 3, 3, err, errlen) == -1)
		return -1;
	u = l->argv[2];
	if (mc->nmweb == HA_MAX_MASTERS) {
		snprintf(err, errlen, "at most %d master-web lines",
		    HA_MAX_MASTERS);
		return -1;
	}
	if (strncmp(u, "https://", 8) != 0 || strlen(u) >= MASTER_WEB_MAX ||
	    !tls_node_id_ok(l->argv[1])) {
		snprintf(err, errlen, "master-web NODE-ID https://HOST[:PORT]/ "
		    "(at most %d characters)", MASTER_WEB_MAX - 1);
		return -1;
	}
	for (i = 0; u[i] != '\0'; i++)
		if ((unsigned char)u[i] <= ' ' || u[i] == '"' ||
		    u[i] == '\\' || (unsigned char)u[i] >= 0x7f) {
			snprintf(err, errlen, "master-web: a URL without "
			    "spaces, quotes or backslashes");
			return -1;
		}
	snprintf(mc->mweb_id[mc->nmweb], sizeof(mc->mweb_id[0]), "%s",
	    l->argv[1]);
	snprintf(mc->mweb_url[mc->nmweb], sizeof(mc->mweb_url[0]), "%s", u);
	mc->nmweb++;
	return 0;
}

static int
directive(const struct cfg_line *l, void *arg, char *err, size_t errlen)
{
	struct master_conf	*mc = arg;
	const char		*k = l->argv[0];

	if (strcmp(k, "listen") == 0)
		return add_listen(mc, l, err, errlen);
	if (strcmp(k, "ca") == 0)
		return set_path(&mc->ca, l, err, errlen);
	if (strcmp(k, "cert") == 0)
		return set_path(&mc->cert, l, err, errlen);
	if (strcmp(k, "key") == 0)
		return set_path(&mc->key, l, err, errlen);
	if (strcmp(k, "crl") == 0)
		return set_path(&mc->crl, l, err, errlen);
	if (strcmp(k, "state-dir") == 0)
		return set_path(&mc->state_dir, l, err, errlen);
	if (strcmp(k, "heartbeat") == 0)
		return cfg_one_long(l, 100, 60000, &mc->heartbeat_ms, err,
		    errlen);
	if (strcmp(k, "timeout") == 0)
		return cfg_one_long(l, 300, 600000, &mc->timeout_ms, err,
		    errlen);
	if (strcmp(k, "licence") == 0)
		return set_path(&mc->licence, l, err, errlen);
	if (strcmp(k, "licence-crl") == 0)
		return set_path(&mc->licence_crl, l, err, errlen);
	if (strcmp(k, "master") == 0) {	/* master NODE-ID ADDRESS:PORT */
		if (cfg_want_args(l, 3, 3, err, errlen) == -1)
			return -1;
		return ha_masters_add(&mc->masters, l->argv[1], l->argv[2],
		    err, errlen);
	}
	if (strcmp(k, "master-web") == 0)	/* master-web NODE-ID URL */
		return master_web(mc, l, err, errlen);
	if (strcmp(k, "slave") == 0) {	/* slave NODE-ID: a voter */
		if (cfg_want_args(l, 2, 2, err, errlen) == -1)
			return -1;
		return ha_slaves_add(&mc->slaves, l->argv[1], err, errlen);
	}
	return web_directive(mc, l, err, errlen);
}

int
master_conf_load(struct master_conf *mc, const char *path)
{
	int i;

	memset(mc, 0, sizeof(*mc));
	mc->heartbeat_ms = CLUSTER_HEARTBEAT_MS;
	mc->timeout_ms = CLUSTER_TIMEOUT_MS;
	mc->web_handshake_ms = WEB_HANDSHAKE_MS;
	mc->web_request_ms = WEB_REQUEST_MS;
	mc->ban_v6_prefix = BAN_IPV6_PREFIX;
	mc->latitude = mc->longitude = NAN;
	if (cfg_parse_file(path, directive, mc) == -1)
		goto fail;
	if (mc->nlisten == 0 || mc->ca == NULL || mc->cert == NULL ||
	    mc->key == NULL || mc->state_dir == NULL) {
		log_warnx("%s: listen, ca, cert, key and state-dir are required",
		    path);
		goto fail;
	}
	mc->tls.ca = mc->ca;
	mc->tls.cert = mc->cert;
	mc->tls.key = mc->key;
	mc->tls.crl = mc->crl;
	if (mc->nweb_listen > 0 && (mc->web_cert == NULL ||
	    mc->web_key == NULL)) {
		log_warnx("%s: web-listen needs web-cert and web-key", path);
		goto fail;
	}
	if (mc->timeout_ms <= mc->heartbeat_ms) {
		log_warnx("%s: timeout must be longer than heartbeat", path);
		goto fail;
	}
	for (i = 0; i < mc->nmweb; i++)
		if (ha_masters_find(&mc->masters, mc->mweb_id[i]) == -1) {
			log_warnx("%s: master-web %s: not a node of the master "
			    "lines", path, mc->mweb_id[i]);
			goto fail;
		}
	if (mc->slaves.n > 0 && mc->masters.n == 0) {
		log_warnx("%s: slave lines (the voters of an election) need "
		    "the master lines", path);
		goto fail;
	}
	return 0;
fail:
	/* What the lines before the error allocated (LeakSanitizer runs
	 * every refused config of the tests). */
	master_conf_free(mc);
	return -1;
}

void
master_conf_free(struct master_conf *mc)
{
	int i;

	for (i = 0; i < mc->nlisten; i++)
		free(mc->listen[i]);
	free(mc->ca);
	free(mc->cert);
	free(mc->key);
	free(mc->crl);
	free(mc->state_dir);
	for (i = 0; i < mc->nweb_listen; i++)
		free(mc->web_listen[i]);
	for (i = 0; i < mc->nallow; i++)
		free(mc->allow[i]);
	free(mc->web_cert);
	free(mc->web_key);
	free(mc->web_user);
	free(mc->licence);
	free(mc->licence_crl);
	free(mc->events);
	free(mc->places);
	memset(mc, 0, sizeof(*mc));	/* a second call frees nothing */
}
