/*
 * The security panel's routes (docs/API.md, "Security"), admins only:
 * probe counts and their per-minute series, the top offenders, recent
 * probes, the bans in force, and lifting a ban.
 */

#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "lib/ban.h"
#include "log.h"
#include "lib/security.h"

#define MINUTE_MS	60000ULL

void
security_addr_str(const uint8_t *a, char *out, size_t size)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (memcmp(a, mapped, 12) == 0)
		inet_ntop(AF_INET, a + 12, out, (socklen_t)size);
	else
		inet_ntop(AF_INET6, a, out, (socklen_t)size);
}

int
security_addr_parse(const char *s, uint8_t *a)
{
	memset(a, 0, 16);
	if (inet_pton(AF_INET, s, a + 12) == 1) {
		a[10] = a[11] = 0xff;
		return 0;
	}
	return inet_pton(AF_INET6, s, a) == 1 ? 0 : -1;
}

static void
put_addr(struct jw *w, const uint8_t *a)
{
	char s[INET6_ADDRSTRLEN];

	security_addr_str(a, s, sizeof(s));
	jw_str(w, s);
}

/* A query number in [lo, hi], or `def` when absent; -1 after a 400. */
static int
query_num(struct api_call *c, const char *name, long lo, long hi, long def,
    long *out)
{
	char	v[16], *end;
	long	n;

	*out = def;
	if (api_query(c, name, v, sizeof(v)) == -1)
		return 0;
	n = strtol(v, &end, 10);
	if (v[0] < '0' || v[0] > '9' || *end != '\0' || n < lo || n > hi) {
		api_refuse(c, 400, "bad_request", name[0] == 'm' ?
		    "minutes: 1 to SECURITY_SERIES_MIN" :
		    "step: 1 to 60 minutes, at most SECURITY_MAX_POINTS points");
		return -1;
	}
	*out = n;
	return 0;
}

/* "series": one array per class, each point `step` minutes, oldest
 * first, the last point ending with the current minute. */
static void
put_series(struct api_call *c, const struct secstat *st, uint64_t now,
    long minutes, long step)
{
	uint64_t	nowm = now / MINUTE_MS, first, m;
	long		points = (minutes + step - 1) / step, i, k;
	uint64_t	sum;
	int		pc;

	first = nowm + 1 - (uint64_t)(points * step);
	jw_key(&c->w, "series");
	jw_open(&c->w, '{');
	jw_key(&c->w, "start_ms");
	jw_uint(&c->w, first * MINUTE_MS);
	jw_key(&c->w, "step_s");
	jw_uint(&c->w, (uint64_t)step * 60);
	jw_key(&c->w, "counts");
	jw_open(&c->w, '{');
	for (pc = 1; pc < PROBE_NCLASSES; pc++) {
		jw_key(&c->w, probe_class_name((enum probe_class)pc));
		jw_open(&c->w, '[');
		for (i = 0; i < points; i++) {
			for (sum = 0, k = 0; k < step; k++) {
				m = first + (uint64_t)(i * step + k);
				sum += secstat_minute(st, (enum probe_class)pc,
				    m, now);
			}
			jw_uint(&c->w, sum);
		}
		jw_close(&c->w, ']');
	}
	jw_close(&c->w, '}');
	jw_close(&c->w, '}');
}

static void
put_top(struct api_call *c, const struct secstat *st)
{
	struct secstat_addr	top[SECURITY_TOP];
	int			i, n = secstat_top(st, top, SECURITY_TOP);

	jw_key(&c->w, "top");
	jw_open(&c->w, '[');
	for (i = 0; i < n; i++) {
		jw_open(&c->w, '{');
		jw_key(&c->w, "addr");
		put_addr(&c->w, top[i].addr);
		jw_key(&c->w, "probes");
		jw_uint(&c->w, top[i].count);
		jw_key(&c->w, "last_ms");
		jw_uint(&c->w, top[i].last_ms);
		jw_key(&c->w, "last_class");
		jw_str(&c->w, probe_class_name(top[i].last));
		jw_close(&c->w, '}');
	}
	jw_close(&c->w, ']');
}

/* GET /api/v1/security/probes[?minutes=N][&step=S] */
static void
get_probes(struct api_call *c)
{
	struct security	*sec = c->ctx;
	uint64_t	 now = sec->wall_ms();
	long		 minutes, step;
	int		 pc;

	if (query_num(c, "minutes", 1, SECURITY_SERIES_MIN, 60, &minutes) ==
	    -1 || query_num(c, "step", 1, 60, (minutes + SECURITY_MAX_POINTS -
	    1) / SECURITY_MAX_POINTS, &step) == -1)
		return;
	if ((minutes + step - 1) / step > SECURITY_MAX_POINTS) {
		api_refuse(c, 400, "bad_request", "step: more than "
		    "SECURITY_MAX_POINTS points");
		return;
	}
	jw_open(&c->w, '{');
	jw_key(&c->w, "now_ms");
	jw_uint(&c->w, now);
	jw_key(&c->w, "totals");
	jw_open(&c->w, '{');
	for (pc = 1; pc < PROBE_NCLASSES; pc++) {
		jw_key(&c->w, probe_class_name((enum probe_class)pc));
		jw_uint(&c->w, secstat_total(sec->stat, (enum probe_class)pc));
	}
	jw_close(&c->w, '}');
	put_series(c, sec->stat, now, minutes, step);
	put_top(c, sec->stat);
	jw_close(&c->w, '}');
	api_reply(c, 200);
}

/* GET /api/v1/security/recent: newest first. */
static void
get_recent(struct api_call *c)
{
	struct security			*sec = c->ctx;
	const struct secstat_probe	*p;
	char				 q[PROBE_SHOW_BYTES * 4 + 8];
	int				 i;

	jw_open(&c->w, '{');
	jw_key(&c->w, "probes");
	jw_open(&c->w, '[');
	for (i = 0; (p = secstat_recent(sec->stat, i)) != NULL; i++) {
		jw_open(&c->w, '{');
		jw_key(&c->w, "time_ms");
		jw_uint(&c->w, p->time_ms);
		jw_key(&c->w, "class");
		jw_str(&c->w, probe_class_name(p->pc));
		jw_key(&c->w, "addr");
		put_addr(&c->w, p->addr);
		jw_key(&c->w, "port");
		jw_uint(&c->w, p->port);
		jw_key(&c->w, "detail");
		jw_str(&c->w, p->detail);
		jw_key(&c->w, "first");
		jw_str(&c->w, probe_quote(q, sizeof(q), p->first, p->nfirst));
		jw_key(&c->w, "banned_s");
		jw_uint(&c->w, p->banned_ms / 1000);
		jw_close(&c->w, '}');
	}
	jw_close(&c->w, ']');
	jw_close(&c->w, '}');
	api_reply(c, 200);
}

static int
by_last(const void *a, const void *b)
{
	const Hd__Ban *x = *(Hd__Ban *const *)a, *y = *(Hd__Ban *const *)b;

	if (x->last_ms != y->last_ms)
		return x->last_ms > y->last_ms ? -1 : 1;
	return memcmp(x->addr.data, y->addr.data, 16);
}

static void
put_bans(struct api_call *c, uint64_t now, Hd__Ban **live, int n)
{
	int i;

	jw_open(&c->w, '{');
	jw_key(&c->w, "now_ms");
	jw_uint(&c->w, now);
	jw_key(&c->w, "total");
	jw_uint(&c->w, (uint64_t)n);
	jw_key(&c->w, "bans");
	jw_open(&c->w, '[');
	for (i = 0; i < n && i < SECURITY_BANS_SHOWN; i++) {
		jw_open(&c->w, '{');
		jw_key(&c->w, "addr");
		put_addr(&c->w, live[i]->addr.data);
		jw_key(&c->w, "until_ms");
		jw_uint(&c->w, live[i]->until_ms);
		jw_key(&c->w, "level");
		jw_uint(&c->w, live[i]->level);
		jw_key(&c->w, "last_ms");
		jw_uint(&c->w, live[i]->last_ms);
		jw_close(&c->w, '}');
	}
	jw_close(&c->w, ']');
	jw_key(&c->w, "truncated");
	jw_bool(&c->w, n > SECURITY_BANS_SHOWN);
	jw_close(&c->w, '}');
}

/* GET /api/v1/security/bans: bans in force, latest offence first. */
static void
get_bans(struct api_call *c)
{
	struct security	 *sec = c->ctx;
	Hd__BanList	  list = HD__BAN_LIST__INIT;
	Hd__Ban		 *bans, **ptrs;
	uint64_t	  now = sec->wall_ms();
	size_t		  i;
	int		  n = 0;

	bans = calloc(BAN_MAX_ENTRIES, sizeof(*bans));
	ptrs = calloc(BAN_MAX_ENTRIES, sizeof(*ptrs));
	if (bans == NULL || ptrs == NULL) {
		api_refuse(c, 500, "internal", "out of memory");
		goto done;
	}
	ban_pack(sec->bans, now, &list, bans, ptrs);
	for (i = 0; i < list.n_bans; i++)	/* repeat offenders not banned now */
		if (ptrs[i]->until_ms > now)
			ptrs[n++] = ptrs[i];
	qsort(ptrs, (size_t)n, sizeof(ptrs[0]), by_last);
	put_bans(c, now, ptrs, n);
	api_reply(c, 200);
done:
	free(bans);
	free(ptrs);
}

/* DELETE /api/v1/security/bans/{addr}: lift a ban everywhere. */
static void
delete_ban(struct api_call *c)
{
	struct security	*sec = c->ctx;
	char		 s[API_ARG_MAX + 1];
	uint8_t		 addr[16];

	snprintf(s, sizeof(s), "%.*s", (int)strcspn(c->arg[0], "/"),
	    c->arg[0]);
	if (security_addr_parse(s, addr) == -1) {
		api_refuse(c, 400, "bad_request", "not an IPv4 or IPv6 address");
		return;
	}
	if (!ban_check(sec->bans, addr, sec->wall_ms()) ||
	    sec->unban(sec->arg, addr) == -1) {
		api_refuse(c, 404, "not_found", "that address is not banned");
		return;
	}
	log_info("api: %s lifted the ban on %s", c->user->name, s);
	jw_open(&c->w, '{');
	jw_key(&c->w, "unbanned");
	put_addr(&c->w, addr);
	jw_close(&c->w, '}');
	api_reply(c, 200);
}

/* GET /api/v1/security/metrics-access: may this caller read /metrics?
 * The web process asks on behalf of a /metrics request that does not
 * come from an allow-listed address; the route's role is the answer. */
static void
metrics_access(struct api_call *c)
{
	jw_open(&c->w, '{');
	jw_key(&c->w, "metrics");
	jw_bool(&c->w, 1);
	jw_close(&c->w, '}');
	api_reply(c, 200);
}

static const struct api_route routes[] = {
	{ "GET", "/api/v1/security/probes", API_ADMIN, get_probes },
	{ "GET", "/api/v1/security/recent", API_ADMIN, get_recent },
	{ "GET", "/api/v1/security/bans", API_ADMIN, get_bans },
	{ "DELETE", "/api/v1/security/bans/*", API_ADMIN, delete_ban },
	{ "GET", API_METRICS_ACCESS, API_ADMIN, metrics_access },
};

int
api_security_init(struct api *a, struct security *sec)
{
	return api_add_routes(a, routes, sizeof(routes) / sizeof(routes[0]),
	    sec);
}
