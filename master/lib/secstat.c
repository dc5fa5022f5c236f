/*
 * Probe statistics at the master (security.h): totals per class, a ring
 * of per-minute counts, the top offending addresses and the latest
 * probes. Fixed-size tables, so a probe storm costs no memory.
 */

#include <stdlib.h>
#include <string.h>

#include "memtune.h"
#include "lib/security.h"

#define MINUTE_MS	60000ULL

struct secstat {
	uint64_t		total[PROBE_NCLASSES];
	/* Slot m % SECURITY_SERIES_MIN holds minute stamp[slot]'s counts. */
	uint32_t		count[SECURITY_SERIES_MIN][PROBE_NCLASSES];
	uint64_t		stamp[SECURITY_SERIES_MIN];
	struct secstat_addr	addrs[SECURITY_ADDRS];
	int			naddrs;
	struct secstat_probe	recent[SECURITY_RECENT];
	int			head;		/* next slot to write */
	int			nrecent;
};

struct secstat *
secstat_new(void)
{
	return mem_table(sizeof(struct secstat));
}

void
secstat_free(struct secstat *s)
{
	mem_table_free(s, sizeof(*s));
}

static void
count_minute(struct secstat *s, enum probe_class pc, uint64_t now)
{
	uint64_t	m = now / MINUTE_MS;
	size_t		slot = (size_t)(m % SECURITY_SERIES_MIN);

	if (s->stamp[slot] != m) {	/* a new minute: the old one is gone */
		memset(s->count[slot], 0, sizeof(s->count[slot]));
		s->stamp[slot] = m;
	}
	if (s->count[slot][pc] < UINT32_MAX)
		s->count[slot][pc]++;
}

/* The address's entry; when the table is full the one with the fewest
 * probes, least recent among those, makes room. */
static struct secstat_addr *
addr_entry(struct secstat *s, const uint8_t *addr)
{
	struct secstat_addr	*e, *victim = NULL;
	int			 i;

	for (i = 0; i < s->naddrs; i++) {
		e = &s->addrs[i];
		if (memcmp(e->addr, addr, 16) == 0)
			return e;
		if (victim == NULL || e->count < victim->count ||
		    (e->count == victim->count && e->last_ms < victim->last_ms))
			victim = e;
	}
	if (s->naddrs < SECURITY_ADDRS)
		victim = &s->addrs[s->naddrs++];
	memset(victim, 0, sizeof(*victim));
	memcpy(victim->addr, addr, 16);
	return victim;
}

static void
keep_recent(struct secstat *s, enum probe_class pc, const uint8_t *addr,
    unsigned port, const char *detail, const uint8_t *first, size_t n,
    uint64_t banned_ms, uint64_t now)
{
	struct secstat_probe	*p = &s->recent[s->head];
	size_t			 i;

	memset(p, 0, sizeof(*p));
	p->time_ms = now;
	p->pc = pc;
	memcpy(p->addr, addr, 16);
	p->port = port;
	for (i = 0; detail != NULL && detail[i] != '\0' &&
	    i < SECURITY_DETAIL_MAX; i++)
		p->detail[i] = detail[i] >= 0x20 && detail[i] < 0x7f ?
		    detail[i] : '?';
	p->nfirst = n < PROBE_SHOW_BYTES ? n : PROBE_SHOW_BYTES;
	if (p->nfirst > 0)
		memcpy(p->first, first, p->nfirst);
	p->banned_ms = banned_ms;
	s->head = (s->head + 1) % SECURITY_RECENT;
	if (s->nrecent < SECURITY_RECENT)
		s->nrecent++;
}

void
secstat_probe(struct secstat *s, enum probe_class pc, const uint8_t *addr,
    unsigned port, const char *detail, const uint8_t *first, size_t n,
    uint64_t banned_ms, uint64_t now)
{
	struct secstat_addr *e;

	if (pc <= PROBE_NONE || pc >= PROBE_NCLASSES)
		return;
	s->total[pc]++;
	count_minute(s, pc, now);
	e = addr_entry(s, addr);
	e->count++;
	e->last_ms = now;
	e->last = pc;
	keep_recent(s, pc, addr, port, detail, first, n, banned_ms, now);
}

uint64_t
secstat_total(const struct secstat *s, enum probe_class pc)
{
	return pc > PROBE_NONE && pc < PROBE_NCLASSES ? s->total[pc] : 0;
}

uint32_t
secstat_minute(const struct secstat *s, enum probe_class pc, uint64_t minute,
    uint64_t now)
{
	uint64_t	nowm = now / MINUTE_MS;
	size_t		slot = (size_t)(minute % SECURITY_SERIES_MIN);

	if (pc <= PROBE_NONE || pc >= PROBE_NCLASSES || minute > nowm ||
	    nowm - minute >= SECURITY_SERIES_MIN || s->stamp[slot] != minute)
		return 0;
	return s->count[slot][pc];
}

static int
by_count(const void *a, const void *b)
{
	const struct secstat_addr *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->last_ms != y->last_ms)
		return x->last_ms > y->last_ms ? -1 : 1;
	return memcmp(x->addr, y->addr, 16);
}

int
secstat_top(const struct secstat *s, struct secstat_addr *out, int n)
{
	struct secstat_addr	*all;
	int			 k = s->naddrs < n ? s->naddrs : n;

	if (k <= 0 || (all = malloc(sizeof(s->addrs))) == NULL)
		return 0;
	memcpy(all, s->addrs, sizeof(s->addrs[0]) * (size_t)s->naddrs);
	qsort(all, (size_t)s->naddrs, sizeof(all[0]), by_count);
	memcpy(out, all, sizeof(all[0]) * (size_t)k);
	free(all);
	return k;
}

const struct secstat_probe *
secstat_recent(const struct secstat *s, int i)
{
	if (i < 0 || i >= s->nrecent)
		return NULL;
	return &s->recent[(s->head - 1 - i + 2 * SECURITY_RECENT) %
	    SECURITY_RECENT];
}
