#ifndef HD_SECURITY_H
#define HD_SECURITY_H

/*
 * The master's view of what hits its HTTPS port, for the dashboard's
 * security panel and the admin API (docs/API.md, "Security"): the web
 * process reports every probe (ProbeEvent); secstat keeps per-class
 * totals, a per-minute series over the last SECURITY_SERIES_MIN minutes,
 * the addresses with the most probes and the most recent probes. All of
 * it is bounded and allocated once. Times are wall-clock ms, passed in.
 */

#include <stddef.h>
#include <stdint.h>

#include "hdlimits.h"
#include "lib/probe.h"

/* The web process asks here whether a /metrics caller from outside the
 * allow-list may read it (an admin). */
#define API_METRICS_ACCESS	"/api/v1/security/metrics-access"

struct api;
struct ban_table;
struct secstat;

/* One probe as kept for the recent list. */
struct secstat_probe {
	uint64_t		time_ms;
	enum probe_class	pc;
	uint8_t			addr[16];	/* IPv4 mapped */
	unsigned		port;
	char			detail[SECURITY_DETAIL_MAX + 1];	/* printable */
	uint8_t			first[PROBE_SHOW_BYTES];
	size_t			nfirst;
	uint64_t		banned_ms;	/* > 0: it earned a ban this long */
};

/* One offending address: its probes since it was first counted. */
struct secstat_addr {
	uint8_t			addr[16];
	uint64_t		count;
	uint64_t		last_ms;
	enum probe_class	last;
};

struct secstat	*secstat_new(void);
void		 secstat_free(struct secstat *);
/* Count one probe. `detail` is cut to SECURITY_DETAIL_MAX bytes and
 * anything not printable in it becomes '?'; `first` to PROBE_SHOW_BYTES. */
void		 secstat_probe(struct secstat *, enum probe_class,
		    const uint8_t *addr, unsigned port, const char *detail,
		    const uint8_t *first, size_t n, uint64_t banned_ms,
		    uint64_t now);
uint64_t	 secstat_total(const struct secstat *, enum probe_class);
/* Probes of a class in minute `minute` (wall ms / 60000); 0 for a minute
 * in the future or older than SECURITY_SERIES_MIN minutes before `now`. */
uint32_t	 secstat_minute(const struct secstat *, enum probe_class,
		    uint64_t minute, uint64_t now);
/* Copy up to n offenders, most probes first (ties: most recent first);
 * returns how many. Only SECURITY_ADDRS are tracked: when full, the one
 * with the fewest probes (the least recent of those) makes room. */
int		 secstat_top(const struct secstat *, struct secstat_addr *,
		    int n);
/* The i-th most recent probe (0: newest), or NULL past the last kept.
 * Valid until the next secstat_probe(). */
const struct secstat_probe *secstat_recent(const struct secstat *, int i);

/* What the security routes (api_security.c) read and do. */
struct security {
	struct secstat		*stat;
	struct ban_table	*bans;		/* the master's copy */
	/* Lift the ban on addr, here, on disk and at the web process;
	 * -1 if it was not banned. */
	int			(*unban)(void *arg, const uint8_t *addr);
	void			*arg;
	/* Wall-clock ms (the API's own `now` is monotonic). */
	uint64_t		(*wall_ms)(void);
};

/* Add the routes under /api/v1/security/ (all API_ADMIN). -1 if full. */
int		 api_security_init(struct api *, struct security *);
/* "203.0.113.7" or "2001:db8::1" for a 16-byte (IPv4-mapped) address. */
void		 security_addr_str(const uint8_t *addr, char *out, size_t size);
/* The reverse; -1 if `s` is neither. */
int		 security_addr_parse(const char *s, uint8_t *addr);

#endif
