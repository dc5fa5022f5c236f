/*
 * The ban table: a fixed pool of entries, a hash for lookup and an LRU
 * list for eviction, so a flood from millions of addresses costs at most
 * BAN_MAX_ENTRIES entries. Nothing is allocated after ban_new().
 * Entries are keyed by net_addr_key(): an IPv6 address counts for its
 * whole prefix (ban_set_v6_prefix()). A ban in force is never evicted:
 * with the table full of them, new offenders go unscored (ban_full())
 * rather than let a flood of fresh addresses lift the bans.
 *
 * The pool is a mem_table() handed out front to back (`fresh`):
 * pages of entries never used are never touched, so an idle table costs a
 * few KiB of RAM instead of the whole pool, in the master and in the web
 * process alike, while a flood still finds every entry reserved.
 */

#include <sys/queue.h>
#include <arpa/inet.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "lib/ban.h"
#include "memtune.h"
#include "net.h"
#include "web.pb-c.h"
#include "wire.h"

#define BAN_BUCKETS	1024	/* power of two */

struct ban_entry {
	uint8_t			 addr[16];
	double			 score;
	uint64_t		 last_ms;	/* last probe */
	uint64_t		 until_ms;	/* banned until; 0: not */
	uint32_t		 level;
	int			 used;
	TAILQ_ENTRY(ban_entry)	 lru;		/* most recent first */
	LIST_ENTRY(ban_entry)	 hash;
};

struct allow_net {
	uint8_t		addr[16];
	int		bits;
};

struct ban_table {
	struct ban_entry		 pool[BAN_MAX_ENTRIES];
	TAILQ_HEAD(ban_lru, ban_entry)	 lru;
	LIST_HEAD(, ban_entry)		 buckets[BAN_BUCKETS];
	struct allow_net		 allow[BAN_MAX_ALLOW];
	int				 nallow;
	int				 fresh;	/* pool[fresh..]: never used */
	int				 v6bits;	/* IPv6 prefix counted */
	uint64_t			 full;	/* scores refused: all banned */
	uint64_t			 full_until;	/* ... until the first ends */
	uint32_t			 seed;
};

struct ban_table *
ban_new(void)
{
	struct ban_table	*t;
	int			 i;

	if ((t = mem_table(sizeof(*t))) == NULL)
		return NULL;
	TAILQ_INIT(&t->lru);
	for (i = 0; i < BAN_BUCKETS; i++)
		LIST_INIT(&t->buckets[i]);
	net_random(&t->seed, sizeof(t->seed));
	t->v6bits = BAN_IPV6_PREFIX;
	return t;
}

int
ban_set_v6_prefix(struct ban_table *t, int bits)
{
	if (bits < BAN_IPV6_PREFIX_MIN || bits > 128)
		return -1;
	t->v6bits = bits;
	return 0;
}

uint64_t
ban_full(const struct ban_table *t)
{
	return t->full;
}

void
ban_free(struct ban_table *t)
{
	mem_table_free(t, sizeof(*t));
}

/* FNV-1a with a per-table seed, so bucket flooding cannot be planned. */
static unsigned
bucket(const struct ban_table *t, const uint8_t *a)
{
	uint32_t	h = 2166136261u ^ t->seed;
	int		i;

	for (i = 0; i < 16; i++)
		h = (h ^ a[i]) * 16777619u;
	return h & (BAN_BUCKETS - 1);
}

/* The entry of the address `a` (its key is left in `key`), or NULL. */
static struct ban_entry *
lookup(struct ban_table *t, const uint8_t *a, uint8_t key[16])
{
	struct ban_entry *e;

	net_addr_key(key, a, t->v6bits);
	LIST_FOREACH(e, &t->buckets[bucket(t, key)], hash)
		if (memcmp(e->addr, key, 16) == 0)
			return e;
	return NULL;
}

static void
touch(struct ban_table *t, struct ban_entry *e)
{
	TAILQ_REMOVE(&t->lru, e, lru);
	TAILQ_INSERT_HEAD(&t->lru, e, lru);
}

/*
 * A fresh entry for the key `a`: a never used one, else the least
 * recently seen one that is not a ban in force; NULL when every entry
 * is one. The walk past bans is bounded by BAN_MAX_ENTRIES; a walk that
 * finds only bans notes when the first of them ends, and until then a
 * flood of newcomers is refused without walking again.
 */
static struct ban_entry *
take(struct ban_table *t, const uint8_t *a, uint64_t now)
{
	struct ban_entry	*e;
	uint64_t		 first_end = UINT64_MAX;

	if (t->fresh < BAN_MAX_ENTRIES) {
		e = &t->pool[t->fresh++];
		TAILQ_INSERT_HEAD(&t->lru, e, lru);
	} else {
		if (now < t->full_until)
			return NULL;
		TAILQ_FOREACH_REVERSE(e, &t->lru, ban_lru, lru) {
			if (e->until_ms <= now)
				break;
			if (e->until_ms < first_end)
				first_end = e->until_ms;
		}
		if (e == NULL) {
			t->full_until = first_end;
			return NULL;
		}
	}
	if (e->used)
		LIST_REMOVE(e, hash);
	memcpy(e->addr, a, 16);
	e->score = 0;
	e->last_ms = e->until_ms = 0;
	e->level = 0;
	e->used = 1;
	LIST_INSERT_HEAD(&t->buckets[bucket(t, a)], e, hash);
	touch(t, e);
	return e;
}

int
ban_allow(struct ban_table *t, const char *cidr)
{
	struct allow_net	*n;
	char			 host[INET6_ADDRSTRLEN], *slash, *end;
	long			 bits;
	uint8_t			 v4[4];

	if (t->nallow == BAN_MAX_ALLOW || strlen(cidr) >= sizeof(host))
		return -1;
	strcpy(host, cidr);
	n = &t->allow[t->nallow];
	memset(n, 0, sizeof(*n));
	bits = -1;
	if ((slash = strchr(host, '/')) != NULL) {
		*slash = '\0';
		bits = strtol(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || bits < 0)
			return -1;
	}
	if (inet_pton(AF_INET, host, v4) == 1) {
		if (bits > 32)
			return -1;
		n->addr[10] = n->addr[11] = 0xff;
		memcpy(n->addr + 12, v4, 4);
		n->bits = bits < 0 ? 128 : 96 + (int)bits;
	} else if (inet_pton(AF_INET6, host, n->addr) == 1) {
		if (bits > 128)
			return -1;
		n->bits = bits < 0 ? 128 : (int)bits;
	} else
		return -1;
	t->nallow++;
	return 0;
}

static int
in_net(const struct allow_net *n, const uint8_t *a)
{
	int	full = n->bits / 8, rest = n->bits % 8;
	uint8_t	mask;

	if (memcmp(n->addr, a, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (uint8_t)(0xff << (8 - rest));
	return (n->addr[full] & mask) == (a[full] & mask);
}

int
ban_is_allowed(const struct ban_table *t, const uint8_t *a)
{
	int i;

	for (i = 0; i < t->nallow; i++)
		if (in_net(&t->allow[i], a))
			return 1;
	return 0;
}

int
ban_check(struct ban_table *t, const uint8_t *a, uint64_t now)
{
	uint8_t			 key[16];
	struct ban_entry	*e = lookup(t, a, key);

	return e != NULL && e->until_ms > now && !ban_is_allowed(t, a);
}

uint64_t
ban_until(struct ban_table *t, const uint8_t *a, uint64_t now,
    uint32_t *level)
{
	uint8_t			 key[16];
	struct ban_entry	*e = lookup(t, a, key);

	*level = e != NULL ? e->level : 0;
	return e != NULL && e->until_ms > now ? e->until_ms : 0;
}

/* The score decays continuously: halved every BAN_HALF_LIFE_MS. */
static double
decayed(const struct ban_entry *e, uint64_t now)
{
	if (now <= e->last_ms)
		return e->score;
	return e->score * exp2(-(double)(now - e->last_ms) / BAN_HALF_LIFE_MS);
}

uint64_t
ban_probe(struct ban_table *t, const uint8_t *a, double weight, uint64_t now)
{
	struct ban_entry	*e;
	uint8_t			 key[16];
	uint64_t		 len;
	uint32_t		 i;

	if (ban_is_allowed(t, a) || !(weight > 0))	/* NaN too */
		return 0;
	if ((e = lookup(t, a, key)) == NULL &&
	    (e = take(t, key, now)) == NULL) {
		t->full++;
		return 0;
	}
	touch(t, e);
	e->score = decayed(e, now) + weight;
	e->last_ms = now;
	if (e->until_ms > now || e->score < BAN_THRESHOLD)
		return 0;
	/* Each ban lasts twice the previous one, up to BAN_LONGEST_MS. */
	len = BAN_FIRST_MS;
	for (i = 0; i < e->level && len < BAN_LONGEST_MS; i++)
		len *= 2;
	if (len > BAN_LONGEST_MS)
		len = BAN_LONGEST_MS;
	e->level++;
	e->until_ms = now + len;
	e->score = 0;
	return len;
}

uint64_t
ban_impose(struct ban_table *t, const uint8_t *a, uint64_t len, uint64_t now)
{
	struct ban_entry	*e;
	uint8_t			 key[16];

	if (ban_is_allowed(t, a) || len == 0)
		return 0;
	if ((e = lookup(t, a, key)) == NULL &&
	    (e = take(t, key, now)) == NULL) {
		t->full++;
		return 0;
	}
	touch(t, e);
	if (e->until_ms <= now && e->level < BAN_MAX_LEVEL)
		e->level++;
	if (len > BAN_LONGEST_MS)
		len = BAN_LONGEST_MS;
	if (e->until_ms < now + len)
		e->until_ms = now + len;
	e->score = 0;
	e->last_ms = now;
	return e->until_ms;
}

int
ban_unban(struct ban_table *t, const uint8_t *a)
{
	uint8_t			 key[16];
	struct ban_entry	*e = lookup(t, a, key);

	if (e == NULL || e->until_ms == 0)
		return -1;
	t->full_until = 0;	/* an entry is free now */
	e->until_ms = 0;
	e->score = 0;
	return 0;
}

int
ban_count(const struct ban_table *t, uint64_t now)
{
	int i, n = 0;

	for (i = 0; i < t->fresh; i++)
		if (t->pool[i].used && t->pool[i].until_ms > now)
			n++;
	return n;
}

/*
 * Bans in force and repeat offenders' levels (passing scores are not
 * kept) into `list`; `bans` and `ptrs` hold BAN_MAX_ENTRIES each.
 */
void
ban_pack(const struct ban_table *t, uint64_t now, Hd__BanList *list,
    Hd__Ban *bans, Hd__Ban **ptrs)
{
	int i, n = 0;

	for (i = 0; i < t->fresh; i++) {
		const struct ban_entry *e = &t->pool[i];

		if (!e->used || (e->until_ms <= now && e->level == 0))
			continue;
		hd__ban__init(&bans[n]);
		bans[n].addr.data = (uint8_t *)(uintptr_t)e->addr;
		bans[n].addr.len = 16;
		bans[n].until_ms = e->until_ms > now ? e->until_ms : 0;
		bans[n].level = e->level;
		bans[n].last_ms = e->last_ms;
		ptrs[n] = &bans[n];
		n++;
	}
	list->bans = ptrs;
	list->n_bans = (size_t)n;
}

int
ban_save(const struct ban_table *t, const char *path, uint64_t now)
{
	Hd__BanList	  list = HD__BAN_LIST__INIT;
	Hd__Ban		 *bans, **ptrs;
	int		  r = -1;

	bans = calloc(BAN_MAX_ENTRIES, sizeof(*bans));
	ptrs = calloc(BAN_MAX_ENTRIES, sizeof(*ptrs));
	if (bans != NULL && ptrs != NULL) {
		ban_pack(t, now, &list, bans, ptrs);
		state_format_set(&list.base);
		r = state_save(path, &list.base);
	}
	free(bans);
	free(ptrs);
	return r;
}

/* Put back a ban or a repeat offender's level (from disk or the master). */
void
ban_restore(struct ban_table *t, const uint8_t *a, uint64_t until_ms,
    uint32_t level, uint64_t now)
{
	struct ban_entry	*e;
	uint8_t			 key[16];

	if ((e = lookup(t, a, key)) == NULL &&
	    (e = take(t, key, now)) == NULL) {
		t->full++;
		return;
	}
	t->full_until = 0;	/* this ban may end sooner than it did */
	e->until_ms = until_ms > now ? until_ms : 0;
	if (e->until_ms > now + BAN_LONGEST_MS)
		e->until_ms = now + BAN_LONGEST_MS;
	e->level = level > BAN_MAX_LEVEL ? BAN_MAX_LEVEL : level;
}

int
ban_load(struct ban_table *t, const char *path, uint64_t now)
{
	Hd__BanList	*list;
	size_t		 i;

	list = (Hd__BanList *)state_load(path, &hd__ban_list__descriptor);
	if (list == NULL)
		return -1;
	for (i = 0; i < list->n_bans && i < BAN_MAX_ENTRIES; i++)
		if (list->bans[i]->addr.len == 16)
			ban_restore(t, list->bans[i]->addr.data,
			    list->bans[i]->until_ms, list->bans[i]->level, now);
	wire_free((ProtobufCMessage *)list);
	return 0;
}
