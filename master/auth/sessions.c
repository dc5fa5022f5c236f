/*
 * API sessions (see users.h): a fixed-size table scanned linearly;
 * SESSION_MAX entries are few enough that a scan costs less than the
 * TLS record it answers. The login throttle is throttle.c.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "atomicfile.h"
#include "master.pb-c.h"
#include "memtune.h"
#include "wire.h"
#include "net.h"
#include "auth/users.h"

struct sessions {
	struct session	s[SESSION_MAX];
};

static void
hex_encode(const uint8_t *p, size_t n, char *out)
{
	static const char	digits[] = "0123456789abcdef";
	size_t			i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Exactly SESSION_TOKEN_HEX lower-case hex digits, or -1. */
static int
token_decode(const char *s, uint8_t *out)
{
	int	i, hi, lo;

	if (s == NULL || strlen(s) != SESSION_TOKEN_HEX)
		return -1;
	for (i = 0; i < SESSION_TOKEN_LEN; i++) {
		if ((hi = hex_digit(s[2 * i])) == -1 ||
		    (lo = hex_digit(s[2 * i + 1])) == -1)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* Time since `then`; 0 if the caller's clock is behind it (a caller
 * that read the time before another one did). */
static uint64_t
elapsed(uint64_t now, uint64_t then)
{
	return now > then ? now - then : 0;
}

static void
session_end(struct session *s)
{
	OPENSSL_cleanse(s, sizeof(*s));
}

static int
session_live(struct session *s, uint64_t now)
{
	if (!s->used)
		return 0;
	if (elapsed(now, s->last) >= SESSION_IDLE_MS ||
	    elapsed(now, s->created) >= SESSION_LIFETIME_MS) {
		session_end(s);
		return 0;
	}
	return 1;
}

struct sessions *
sessions_new(void)
{
	return mem_table(sizeof(struct sessions));
}

void
sessions_free(struct sessions *t)
{
	if (t != NULL)
		OPENSSL_cleanse(t, sizeof(*t));
	mem_table_free(t, sizeof(*t));
}

/* A free slot, ending the oldest session (of `user`, if it has too
 * many; else of anyone) to make one. */
static struct session *
session_slot(struct sessions *t, const char *user, uint64_t now)
{
	struct session	*free_slot = NULL, *oldest = NULL, *mine = NULL;
	int		 i, nmine = 0;

	for (i = 0; i < SESSION_MAX; i++) {
		if (!session_live(&t->s[i], now)) {
			if (free_slot == NULL)
				free_slot = &t->s[i];
			continue;
		}
		if (oldest == NULL || t->s[i].created < oldest->created)
			oldest = &t->s[i];
		if (strcmp(t->s[i].user, user) == 0 && (nmine++, mine == NULL ||
		    t->s[i].created < mine->created))
			mine = &t->s[i];
	}
	if (nmine >= SESSION_MAX_PER_USER) {
		session_end(mine);
		return mine;
	}
	if (free_slot != NULL)
		return free_slot;
	session_end(oldest);
	return oldest;
}

int
sessions_create(struct sessions *t, const char *user, uint64_t now,
    char *token, char *csrf)
{
	struct session	*s;
	uint8_t		 raw[SESSION_TOKEN_LEN];

	if (strlen(user) > USER_NAME_MAX || RAND_bytes(raw, sizeof(raw)) != 1)
		return -1;
	s = session_slot(t, user, now);
	if (RAND_bytes(s->csrf, sizeof(s->csrf)) != 1) {
		OPENSSL_cleanse(raw, sizeof(raw));
		session_end(s);
		return -1;
	}
	SHA256(raw, sizeof(raw), s->id);
	strcpy(s->user, user);		/* length checked above */
	s->created = s->last = now;
	s->used = 1;
	hex_encode(raw, sizeof(raw), token);
	hex_encode(s->csrf, sizeof(s->csrf), csrf);
	OPENSSL_cleanse(raw, sizeof(raw));
	return 0;
}

static struct session *
session_find(struct sessions *t, const char *token, uint64_t now)
{
	uint8_t	raw[SESSION_TOKEN_LEN], id[SESSION_TOKEN_LEN];
	int	i;

	if (token_decode(token, raw) == -1)
		return NULL;
	SHA256(raw, sizeof(raw), id);
	OPENSSL_cleanse(raw, sizeof(raw));
	for (i = 0; i < SESSION_MAX; i++)
		if (session_live(&t->s[i], now) &&
		    CRYPTO_memcmp(t->s[i].id, id, sizeof(id)) == 0)
			return &t->s[i];
	return NULL;
}

struct session *
sessions_get(struct sessions *t, const char *token, uint64_t now)
{
	struct session *s;

	if ((s = session_find(t, token, now)) != NULL)
		s->last = now;
	return s;
}

int
sessions_csrf_ok(const struct session *s, const char *csrf)
{
	uint8_t raw[SESSION_TOKEN_LEN];

	if (token_decode(csrf, raw) == -1)
		return 0;
	return CRYPTO_memcmp(raw, s->csrf, sizeof(raw)) == 0;
}

void
sessions_csrf_hex(const struct session *s, char *out)
{
	hex_encode(s->csrf, sizeof(s->csrf), out);
}

int
sessions_logout(struct sessions *t, const char *token, uint64_t now)
{
	struct session *s;

	if ((s = session_find(t, token, now)) == NULL)
		return -1;
	session_end(s);
	return 0;
}

int
sessions_logout_user(struct sessions *t, const char *user)
{
	int i, n = 0;

	for (i = 0; i < SESSION_MAX; i++)
		if (t->s[i].used && strcmp(t->s[i].user, user) == 0) {
			session_end(&t->s[i]);
			n++;
		}
	return n;
}

int
sessions_count(struct sessions *t, uint64_t now)
{
	int i, n = 0;

	for (i = 0; i < SESSION_MAX; i++)
		n += session_live(&t->s[i], now);
	return n;
}

/* The session's unexpired hand-over credentials into h/hp
 * (HANDOVER_SLOTS). */
static void
slots_pack(const struct session *s, Hd__Session *m, Hd__HandoverSlot *h,
    Hd__HandoverSlot **hp, uint64_t wall)
{
	int i;

	m->handover = hp;
	for (i = 0; i < HANDOVER_SLOTS; i++) {
		if (s->ho[i].expires_ms <= wall)
			continue;
		hd__handover_slot__init(&h[m->n_handover]);
		h[m->n_handover].hash.data = (uint8_t *)(uintptr_t)s->ho[i].hash;
		h[m->n_handover].hash.len = sizeof(s->ho[i].hash);
		h[m->n_handover].expires_ms = s->ho[i].expires_ms;
		h[m->n_handover].term = s->ho[i].term;
		hp[m->n_handover] = &h[m->n_handover];
		m->n_handover++;
	}
}

int
sessions_save(struct sessions *t, const char *path, uint64_t now,
    uint64_t wall)
{
	Hd__SessionList	 list = HD__SESSION_LIST__INIT;
	Hd__Session	*m, **mp;
	Hd__HandoverSlot *h, **hp;
	int		 i, r;

	m = calloc(SESSION_MAX, sizeof(*m));
	mp = calloc(SESSION_MAX, sizeof(*mp));
	h = calloc(SESSION_MAX * HANDOVER_SLOTS, sizeof(*h));
	hp = calloc(SESSION_MAX * HANDOVER_SLOTS, sizeof(*hp));
	if (m == NULL || mp == NULL || h == NULL || hp == NULL) {
		free(m);
		free(mp);
		free(h);
		free(hp);
		return -1;
	}
	for (i = 0; i < SESSION_MAX; i++) {
		if (!session_live(&t->s[i], now))
			continue;
		hd__session__init(&m[list.n_sessions]);
		m[list.n_sessions].id.data = t->s[i].id;
		m[list.n_sessions].id.len = sizeof(t->s[i].id);
		m[list.n_sessions].csrf.data = t->s[i].csrf;
		m[list.n_sessions].csrf.len = sizeof(t->s[i].csrf);
		m[list.n_sessions].user = t->s[i].user;
		m[list.n_sessions].age_ms = elapsed(now, t->s[i].created);
		slots_pack(&t->s[i], &m[list.n_sessions],
		    &h[list.n_sessions * HANDOVER_SLOTS],
		    &hp[list.n_sessions * HANDOVER_SLOTS], wall);
		mp[list.n_sessions] = &m[list.n_sessions];
		list.n_sessions++;
	}
	list.sessions = mp;
	list.saved_ms = wall;
	state_format_set(&list.base);
	r = state_save(path, &list.base);
	OPENSSL_cleanse(m, SESSION_MAX * sizeof(*m));
	free(m);
	free(mp);
	free(h);
	free(hp);
	return r;
}

/* One saved session, checked as any file's contents. */
static int
session_unpack(struct session *s, const Hd__Session *m, uint64_t age,
    uint64_t now)
{
	size_t i;

	if (m->id.len != sizeof(s->id) || m->csrf.len != sizeof(s->csrf) ||
	    m->user == NULL || strlen(m->user) == 0 ||
	    strlen(m->user) > USER_NAME_MAX ||
	    m->n_handover > HANDOVER_SLOTS)
		return -1;
	for (i = 0; i < m->n_handover; i++)
		if (m->handover[i]->hash.len != sizeof(s->ho[0].hash) ||
		    m->handover[i]->expires_ms == 0)
			return -1;
	if (age >= SESSION_LIFETIME_MS)
		return 0;			/* over: not kept */
	for (i = 0; i < m->n_handover; i++) {
		memcpy(s->ho[i].hash, m->handover[i]->hash.data,
		    sizeof(s->ho[i].hash));
		s->ho[i].expires_ms = m->handover[i]->expires_ms;
		s->ho[i].term = m->handover[i]->term;
	}
	memcpy(s->id, m->id.data, sizeof(s->id));
	memcpy(s->csrf, m->csrf.data, sizeof(s->csrf));
	strcpy(s->user, m->user);	/* length checked above */
	/* A host up for less than the session's age cannot go back that
	 * far: its lifetime then counts from the boot. */
	s->created = age <= now ? now - age : 0;
	s->last = now;
	s->used = 1;
	return 1;
}

int
sessions_load(struct sessions *t, const char *path, uint64_t now,
    uint64_t wall)
{
	Hd__SessionList	*list;
	uint64_t	 since, age;
	size_t		 i;
	int		 k = 0, r;

	OPENSSL_cleanse(t, sizeof(*t));
	if (access(path, F_OK) == -1 && errno == ENOENT)
		return 0;
	list = (Hd__SessionList *)state_load(path,
	    &hd__session_list__descriptor);
	if (list == NULL)
		return -1;
	/* A clock set back makes the time since the save 0, not huge. */
	since = wall > list->saved_ms ? wall - list->saved_ms : 0;
	for (i = 0; i < list->n_sessions && k < SESSION_MAX; i++) {
		age = list->sessions[i]->age_ms;
		age = age >= SESSION_LIFETIME_MS || since >= SESSION_LIFETIME_MS ?
		    SESSION_LIFETIME_MS : age + since;
		r = session_unpack(&t->s[k], list->sessions[i], age, now);
		if (r == -1) {
			OPENSSL_cleanse(t, sizeof(*t));
			wire_free(&list->base);
			return -1;
		}
		k += r;
	}
	wire_free(&list->base);
	return 0;
}

/*
 * Hand-over credentials. Like the session token, a credential is 256
 * random bits of which only the SHA-256 is kept (and replicated): the
 * sessions file, or a dump of the table, hands out none.
 */
/* Several tabs share a session, each with its credentials: the slots
 * may all be made at once, but not again within HANDOVER_MIN_MS. */
uint64_t
sessions_handover_wait(const struct session *s, uint64_t wall)
{
	uint64_t	oldest = UINT64_MAX, made;
	int		i;

	for (i = 0; i < HANDOVER_SLOTS; i++)
		if (s->ho[i].expires_ms < oldest)
			oldest = s->ho[i].expires_ms;
	if (oldest <= HANDOVER_TTL_MS)
		return 0;		/* a free slot (or a clock gone wrong) */
	made = oldest - HANDOVER_TTL_MS;
	return wall >= made + HANDOVER_MIN_MS || wall < made ? 0 :
	    made + HANDOVER_MIN_MS - wall;
}

int
sessions_handover_mint(struct session *s, uint64_t term, uint64_t wall,
    char *cred)
{
	struct handover_slot	*slot = &s->ho[0];
	uint8_t			 raw[SESSION_TOKEN_LEN];
	int			 i;

	for (i = 1; i < HANDOVER_SLOTS; i++)
		if (s->ho[i].expires_ms < slot->expires_ms)
			slot = &s->ho[i];
	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return -1;
	SHA256(raw, sizeof(raw), slot->hash);
	slot->expires_ms = wall + HANDOVER_TTL_MS;
	slot->term = term;
	hex_encode(raw, sizeof(raw), cred);
	OPENSSL_cleanse(raw, sizeof(raw));
	return 0;
}

/* The live session and slot holding the credential whose hash is h. */
static struct session *
handover_find(struct sessions *t, const uint8_t *h, uint64_t now,
    struct handover_slot **slot)
{
	int i, j;

	for (i = 0; i < SESSION_MAX; i++) {
		if (!session_live(&t->s[i], now))
			continue;
		for (j = 0; j < HANDOVER_SLOTS; j++)
			if (t->s[i].ho[j].expires_ms != 0 &&
			    CRYPTO_memcmp(t->s[i].ho[j].hash, h,
			    SESSION_TOKEN_LEN) == 0) {
				*slot = &t->s[i].ho[j];
				return &t->s[i];
			}
	}
	return NULL;
}

struct session *
sessions_handover_take(struct sessions *t, const char *cred, uint64_t term,
    uint64_t now, uint64_t wall, char *token, const char **why)
{
	struct handover_slot	*slot = NULL;
	struct session		*s;
	uint8_t			 raw[SESSION_TOKEN_LEN], h[SESSION_TOKEN_LEN];

	if (token_decode(cred, raw) == -1) {
		*why = "not a credential";
		return NULL;
	}
	SHA256(raw, sizeof(raw), h);
	if ((s = handover_find(t, h, now, &slot)) == NULL) {
		*why = "unknown, used or logged out";
		return NULL;
	}
	if (slot->expires_ms <= wall) {
		*why = "expired";
		return NULL;
	}
	if (slot->term >= term) {
		*why = "no takeover since it was made";
		return NULL;
	}
	/* Good once: a new token, and no credential of the old one left. */
	if (RAND_bytes(raw, sizeof(raw)) != 1) {
		*why = "no randomness";
		return NULL;
	}
	SHA256(raw, sizeof(raw), s->id);
	memset(s->ho, 0, sizeof(s->ho));
	s->last = now;
	hex_encode(raw, sizeof(raw), token);
	OPENSSL_cleanse(raw, sizeof(raw));
	return s;
}
