/*
 * Login throttling (see users.h), apart from the sessions (sessions.c):
 * fixed-size tables scanned linearly; THROTTLE_MAX_* entries are few
 * enough that a scan costs less than the TLS record it answers.
 */

#include <stdint.h>
#include <string.h>

#include "memtune.h"
#include "net.h"
#include "auth/users.h"

/* Time since `then`; 0 if the caller's clock is behind it. */
static uint64_t
elapsed(uint64_t now, uint64_t then)
{
	return now > then ? now - then : 0;
}

/*
 * Login throttling. Three tables: the users' names, one entry each that
 * is never evicted (USERS_MAX bounds them); other names (a guess at an
 * account that does not exist), least recently failed evicted first;
 * and addresses (net_addr_key(): an IPv6 /64 counts as one), the same.
 * A login waiting for the auth worker has counted already
 * (throttle_begin()): until it succeeds it is a failure, so concurrent
 * guesses cannot all pass before the first one's verdict.
 */

struct strike {
	char		name[USER_NAME_MAX + 1];	/* or */
	uint8_t		addr[16];
	uint32_t	fails;
	uint64_t	last;			/* last failure */
};

struct throttle {
	struct strike	users[USERS_MAX];
	struct strike	names[THROTTLE_MAX_NAMES];
	struct strike	addrs[THROTTLE_MAX_ADDRS];
	int		v6bits;
	int		(*is_user)(void *, const char *);
	void		*arg;
};

struct throttle *
throttle_new(void)
{
	struct throttle *t;

	if ((t = mem_table(sizeof(*t))) != NULL)
		t->v6bits = BAN_IPV6_PREFIX;
	return t;
}

void
throttle_free(struct throttle *t)
{
	mem_table_free(t, sizeof(*t));
}

void
throttle_set_v6_prefix(struct throttle *t, int bits)
{
	t->v6bits = bits;
}

void
throttle_set_users(struct throttle *t, int (*is_user)(void *, const char *),
    void *arg)
{
	t->is_user = is_user;
	t->arg = arg;
}

static int
strike_is(const struct strike *k, const char *name, const uint8_t *addr)
{
	if (name != NULL)
		return strcmp(k->name, name) == 0;
	return memcmp(k->addr, addr, sizeof(k->addr)) == 0;
}

/* The entry of a name (or, name NULL, of an address), forgetting those
 * whose last failure is THROTTLE_FORGET_MS old on the way. */
static struct strike *
strike_find(struct strike *tab, int n, const char *name,
    const uint8_t *addr, uint64_t now)
{
	struct strike	*k;
	int		 i;

	for (i = 0; i < n; i++) {
		k = &tab[i];
		if (k->fails > 0 && elapsed(now, k->last) >= THROTTLE_FORGET_MS)
			memset(k, 0, sizeof(*k));
		if (k->fails > 0 && strike_is(k, name, addr))
			return k;
	}
	return NULL;
}

static struct strike *
strike_init(struct strike *k, const char *name, const uint8_t *addr)
{
	memset(k, 0, sizeof(*k));
	if (name != NULL)
		memcpy(k->name, name, strlen(name) + 1);
	else
		memcpy(k->addr, addr, sizeof(k->addr));
	return k;
}

/* A new entry in a free or the least recently failed slot. */
static struct strike *
strike_evict(struct strike *tab, int n, const char *name,
    const uint8_t *addr)
{
	struct strike	*victim = &tab[0];
	int		 i;

	for (i = 1; i < n && victim->fails > 0; i++)
		if (tab[i].fails == 0 || tab[i].last < victim->last)
			victim = &tab[i];
	return strike_init(victim, name, addr);
}

static int
is_user(const struct throttle *t, const char *name)
{
	return t->is_user != NULL && t->is_user(t->arg, name);
}

/* A user's own entry: a free slot, or one of a name no longer a user.
 * There are USERS_MAX slots and at most USERS_MAX users, so one is. */
static struct strike *
user_slot(struct throttle *t, const char *name)
{
	int i;

	for (i = 0; i < USERS_MAX; i++)
		if (t->users[i].fails == 0 || !is_user(t, t->users[i].name))
			return strike_init(&t->users[i], name, NULL);
	return NULL;
}

static int
name_ok(const char *name)
{
	return name != NULL && strlen(name) <= USER_NAME_MAX;
}

/* The name's entry in either table; with `make`, a new one. */
static struct strike *
name_get(struct throttle *t, const char *name, uint64_t now, int make)
{
	struct strike *k;

	if ((k = strike_find(t->users, USERS_MAX, name, NULL, now)) != NULL ||
	    (k = strike_find(t->names, THROTTLE_MAX_NAMES, name, NULL,
	    now)) != NULL || !make)
		return k;
	if (is_user(t, name) && (k = user_slot(t, name)) != NULL)
		return k;
	return strike_evict(t->names, THROTTLE_MAX_NAMES, name, NULL);
}

static struct strike *
addr_get(struct throttle *t, const uint8_t *addr, uint64_t now, int make)
{
	struct strike	*k;
	uint8_t		 key[16];

	net_addr_key(key, addr, t->v6bits);
	if ((k = strike_find(t->addrs, THROTTLE_MAX_ADDRS, NULL, key,
	    now)) != NULL || !make)
		return k;
	return strike_evict(t->addrs, THROTTLE_MAX_ADDRS, NULL, key);
}

static uint64_t
strike_wait(const struct strike *k, uint64_t now)
{
	uint64_t	delay = THROTTLE_MAX_MS;
	uint32_t	over;

	if (k == NULL || k->fails < THROTTLE_FREE)
		return 0;
	over = k->fails - THROTTLE_FREE;
	if (over < 32 && ((uint64_t)THROTTLE_BASE_MS << over) < delay)
		delay = (uint64_t)THROTTLE_BASE_MS << over;
	return elapsed(now, k->last) >= delay ? 0 :
	    delay - elapsed(now, k->last);
}

uint64_t
throttle_wait(struct throttle *t, const char *name, const uint8_t *addr,
    uint64_t now)
{
	uint64_t a, b = 0;

	a = strike_wait(addr_get(t, addr, now, 0), now);
	if (name_ok(name))
		b = strike_wait(name_get(t, name, now, 0), now);
	return a > b ? a : b;
}

static void
strike_add(struct strike *k, uint64_t now)
{
	if (k->fails < UINT32_MAX)
		k->fails++;
	k->last = now;
}

void
throttle_fail(struct throttle *t, const char *name, const uint8_t *addr,
    uint64_t now)
{
	strike_add(addr_get(t, addr, now, 1), now);
	if (name_ok(name))
		strike_add(name_get(t, name, now, 1), now);
}

void
throttle_begin(struct throttle *t, const char *name, const uint8_t *addr,
    uint64_t now)
{
	throttle_fail(t, name, addr, now);
}

/* Take back the strike of one attempt (its `last` stays). */
static void
strike_undo(struct strike *k)
{
	if (k != NULL && k->fails > 0)
		k->fails--;
}

void
throttle_undo(struct throttle *t, const char *name, const uint8_t *addr,
    uint64_t now)
{
	strike_undo(addr_get(t, addr, now, 0));
	if (name_ok(name))
		strike_undo(name_get(t, name, now, 0));
}

void
throttle_ok(struct throttle *t, const char *name, const uint8_t *addr,
    uint64_t now)
{
	struct strike *k;

	strike_undo(addr_get(t, addr, now, 0));
	if (name_ok(name) && (k = name_get(t, name, now, 0)) != NULL)
		memset(k, 0, sizeof(*k));
}
