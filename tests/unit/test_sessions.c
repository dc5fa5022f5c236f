/* Unit tests for master/auth/sessions.c: session tokens, expiry, logout,
 * the bounded table, CSRF tokens and login throttling, on a fake clock. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "check.h"
#include "../../master/auth/users.h"

#define SEC	1000ULL
#define T0	(5000 * SEC)		/* a monotonic clock, far from 0 */

static char	tok[SESSION_TOKEN_HEX + 1], csrf[SESSION_TOKEN_HEX + 1];

static int
is_hex(const char *s)
{
	return strlen(s) == SESSION_TOKEN_HEX &&
	    strspn(s, "0123456789abcdef") == SESSION_TOKEN_HEX;
}

static void
test_basic(void)
{
	struct sessions	*t = sessions_new();
	struct session	*s;
	char		 tok2[sizeof(tok)], csrf2[sizeof(csrf)], hex[sizeof(csrf)];
	uint8_t		 raw[SESSION_TOKEN_LEN], id[SHA256_DIGEST_LENGTH];
	int		 i;

	if (!CHECK(t != NULL, "sessions_new"))
		return;
	CHECK(sessions_create(t, "alice", T0, tok, csrf) == 0 && is_hex(tok) &&
	    is_hex(csrf), "a session: 64 hex digits of token and of CSRF");
	CHECK(sessions_create(t, "alice", T0, tok2, csrf2) == 0 &&
	    strcmp(tok, tok2) != 0 && strcmp(csrf, csrf2) != 0,
	    "a second one differs");
	s = sessions_get(t, tok, T0 + SEC);
	CHECK(s != NULL && strcmp(s->user, "alice") == 0, "found by token");
	for (i = 0; i < SESSION_TOKEN_LEN; i++)
		sscanf(tok + 2 * i, "%2hhx", &raw[i]);
	SHA256(raw, sizeof(raw), id);
	CHECK(s != NULL && memcmp(s->id, raw, sizeof(raw)) != 0 &&
	    memcmp(s->id, id, sizeof(id)) == 0, "only its SHA-256 is kept");
	if (s != NULL) {
		CHECK(sessions_csrf_ok(s, csrf), "its CSRF token is accepted");
		CHECK(!sessions_csrf_ok(s, csrf2), "another session's is not");
		CHECK(!sessions_csrf_ok(s, "") && !sessions_csrf_ok(s, "zz"),
		    "garbage is not");
		sessions_csrf_hex(s, hex);
		CHECK(strcmp(hex, csrf) == 0, "CSRF token given back as hex");
	}
	tok2[0] = tok2[0] == 'a' ? 'b' : 'a';
	CHECK(sessions_get(t, tok2, T0) == NULL, "a changed token: no");
	CHECK(sessions_get(t, "", T0) == NULL && sessions_get(t, NULL, T0) ==
	    NULL, "empty/NULL token: no");
	tok2[0] = 'A';
	CHECK(sessions_get(t, tok2, T0) == NULL, "upper-case hex: no");
	CHECK(sessions_count(t, T0) == 2, "two sessions");
	CHECK(sessions_logout(t, tok, T0) == 0 &&
	    sessions_get(t, tok, T0) == NULL, "logout ends it");
	CHECK(sessions_logout(t, tok, T0) == -1, "logout twice: -1");
	sessions_create(t, "bob", T0, tok2, csrf2);
	sessions_create(t, "alice", T0, tok, csrf);
	CHECK(sessions_logout_user(t, "alice") == 2 &&
	    sessions_count(t, T0) == 1 && sessions_get(t, tok2, T0) != NULL,
	    "logout everywhere ends all of alice's, not bob's");
	CHECK(sessions_create(t, "x123456789012345678901234567890123", T0,
	    tok, csrf) == -1, "too long a user name refused");
	sessions_free(t);
}

static void
test_expiry(void)
{
	struct sessions	*t = sessions_new();
	uint64_t	 now = T0;
	int		 alive = 1;

	sessions_create(t, "alice", now, tok, csrf);
	CHECK(sessions_get(t, tok, now + SESSION_IDLE_MS - 1) != NULL,
	    "used just before the idle timeout");
	CHECK(sessions_get(t, tok, now + 2 * SESSION_IDLE_MS - 2) != NULL,
	    "use renews the idle timeout");
	CHECK(sessions_get(t, tok, now + 3 * SESSION_IDLE_MS - 1) == NULL,
	    "idle too long: gone");
	sessions_create(t, "alice", now, tok, csrf);
	while (alive && now < T0 + SESSION_LIFETIME_MS - SESSION_IDLE_MS / 2) {
		now += SESSION_IDLE_MS / 2;
		alive = sessions_get(t, tok, now) != NULL;
	}
	CHECK(alive, "kept alive by use until near its lifetime");
	CHECK(sessions_get(t, tok, T0 + SESSION_LIFETIME_MS) == NULL,
	    "gone at its absolute lifetime however used");
	CHECK(sessions_count(t, T0 + SESSION_LIFETIME_MS) == 0, "count 0");
	sessions_free(t);
}

static void
test_bounds(void)
{
	struct sessions	*t = sessions_new();
	char		 first[sizeof(tok)], user[16], mine[SESSION_MAX_PER_USER +
			     1][sizeof(tok)];
	int		 i;

	sessions_create(t, "u0", T0, first, csrf);
	for (i = 1; i < SESSION_MAX; i++) {
		snprintf(user, sizeof(user), "u%d", i);
		sessions_create(t, user, T0 + (uint64_t)i, tok, csrf);
	}
	CHECK(sessions_count(t, T0 + SESSION_MAX) == SESSION_MAX,
	    "table full at %d", SESSION_MAX);
	CHECK(sessions_create(t, "late", T0 + SESSION_MAX, tok, csrf) == 0 &&
	    sessions_count(t, T0 + SESSION_MAX) == SESSION_MAX &&
	    sessions_get(t, first, T0 + SESSION_MAX) == NULL &&
	    sessions_get(t, tok, T0 + SESSION_MAX) != NULL,
	    "one more: the oldest session gave way");
	sessions_free(t);

	t = sessions_new();
	for (i = 0; i <= SESSION_MAX_PER_USER; i++)
		sessions_create(t, "alice", T0 + (uint64_t)i, mine[i], csrf);
	CHECK(sessions_count(t, T0 + SEC) == SESSION_MAX_PER_USER &&
	    sessions_get(t, mine[0], T0 + SEC) == NULL &&
	    sessions_get(t, mine[1], T0 + SEC) != NULL,
	    "per user: %d, the oldest gives way", SESSION_MAX_PER_USER);
	sessions_free(t);
}

static const uint8_t *
addr(int n)
{
	static uint8_t a[16];

	memset(a, 0, sizeof(a));
	a[10] = a[11] = 0xff;
	a[12] = 192;
	a[13] = 0;
	a[14] = (uint8_t)(n >> 8);
	a[15] = (uint8_t)n;
	return a;
}

static void
test_throttle(void)
{
	struct throttle	*t = throttle_new();
	uint64_t	 now = T0, w;
	char		 name[16];
	int		 i;

	for (i = 0; i < THROTTLE_FREE; i++) {
		CHECK(throttle_wait(t, "alice", addr(1), now) == 0,
		    "failure %d: no wait", i + 1);
		throttle_fail(t, "alice", addr(1), now);
	}
	CHECK(throttle_wait(t, "alice", addr(1), now) == THROTTLE_BASE_MS,
	    "after %d failures: %llu ms", THROTTLE_FREE,
	    (unsigned long long)THROTTLE_BASE_MS);
	CHECK(throttle_wait(t, "alice", addr(2), now) == THROTTLE_BASE_MS,
	    "the account is throttled from another address");
	CHECK(throttle_wait(t, "bob", addr(1), now) == THROTTLE_BASE_MS,
	    "the address is throttled for another account");
	CHECK(throttle_wait(t, "bob", addr(2), now) == 0, "others are not");
	throttle_fail(t, "alice", addr(1), now);
	CHECK(throttle_wait(t, "alice", addr(1), now) == 2 * THROTTLE_BASE_MS,
	    "each failure doubles the wait");
	CHECK(throttle_wait(t, "alice", addr(1), now + THROTTLE_BASE_MS) ==
	    THROTTLE_BASE_MS, "the wait runs down");
	CHECK(throttle_wait(t, "alice", addr(1), now + 2 * THROTTLE_BASE_MS) ==
	    0, "then it is over");
	for (i = 0; i < 40; i++)
		throttle_fail(t, "alice", addr(1), now);
	w = throttle_wait(t, "alice", addr(1), now);
	CHECK(w == THROTTLE_MAX_MS, "capped at %llu ms (%llu)",
	    (unsigned long long)THROTTLE_MAX_MS, (unsigned long long)w);
	throttle_ok(t, "alice", addr(1), now);
	CHECK(throttle_wait(t, "alice", addr(2), now) == 0,
	    "a success clears the account");
	CHECK(throttle_wait(t, "alice", addr(1), now) == THROTTLE_MAX_MS,
	    "but not the address");
	CHECK(throttle_wait(t, "x", addr(1), now + THROTTLE_FORGET_MS) == 0,
	    "forgotten after %llu ms without failures",
	    (unsigned long long)THROTTLE_FORGET_MS);
	throttle_free(t);

	t = throttle_new();
	for (i = 0; i < THROTTLE_FREE; i++)
		throttle_fail(t, "victim", addr(1), now);
	for (i = 0; i < THROTTLE_MAX_NAMES - 1; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		throttle_fail(t, name, addr(2 + i), now + 1);
	}
	CHECK(throttle_wait(t, "victim", addr(9999), now) > 0,
	    "a full table keeps its entries");
	throttle_fail(t, "one.more", addr(9998), now + 2);
	CHECK(throttle_wait(t, "victim", addr(9999), now + 2) == 0,
	    "past %d names the least recently failed is evicted",
	    THROTTLE_MAX_NAMES);
	for (i = 0; i < 2 * THROTTLE_MAX_ADDRS; i++)
		throttle_fail(t, NULL, addr(i), now + 3);
	CHECK(throttle_wait(t, NULL, addr(2 * THROTTLE_MAX_ADDRS - 1),
	    now + 3) == 0, "a NULL name counts against the address only");
	throttle_free(t);
}

static uint8_t *
addr6(uint16_t hi, uint16_t lo)
{
	static uint8_t	a[16];

	memset(a, 0, sizeof(a));
	a[0] = 0x20;
	a[1] = 0x01;
	a[2] = 0x0d;
	a[3] = 0xb8;
	a[6] = (uint8_t)(hi >> 8);	/* inside the /64 ... */
	a[7] = (uint8_t)hi;
	a[14] = (uint8_t)(lo >> 8);	/* ... and the interface id */
	a[15] = (uint8_t)lo;
	return a;
}

/* Users are "alice" and "bob" only. */
static int
two_users(void *arg, const char *name)
{
	(void)arg;
	return strcmp(name, "alice") == 0 || strcmp(name, "bob") == 0;
}

static void
test_throttle_v6(void)
{
	struct throttle	*t = throttle_new();
	int		 i;

	for (i = 0; i < THROTTLE_FREE; i++)
		throttle_fail(t, NULL, addr6(1, (uint16_t)(100 + i)), T0);
	CHECK(throttle_wait(t, NULL, addr6(1, 9999), T0) == THROTTLE_BASE_MS,
	    "IPv6: failures from one /64 add up, whatever the interface id");
	CHECK(throttle_wait(t, NULL, addr6(2, 100), T0) == 0,
	    "IPv6: another /64 is not throttled");
	throttle_free(t);

	t = throttle_new();
	throttle_set_v6_prefix(t, 128);
	for (i = 0; i < THROTTLE_FREE; i++)
		throttle_fail(t, NULL, addr6(1, (uint16_t)(100 + i)), T0);
	CHECK(throttle_wait(t, NULL, addr6(1, 9999), T0) == 0,
	    "IPv6 per /128 when configured so");
	throttle_free(t);
}

static void
test_throttle_users(void)
{
	struct throttle	*t = throttle_new();
	char		 name[16];
	int		 i;

	throttle_set_users(t, two_users, NULL);
	for (i = 0; i < THROTTLE_FREE; i++)
		throttle_fail(t, "alice", addr(1), T0);
	for (i = 0; i < 4 * THROTTLE_MAX_NAMES; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		throttle_fail(t, name, addr(2 + i), T0 + 1);
	}
	CHECK(throttle_wait(t, "alice", addr(9999), T0 + 1) > 0,
	    "a user's entry survives %d guesses at other names",
	    4 * THROTTLE_MAX_NAMES);
	CHECK(throttle_wait(t, "n0", addr(9999), T0 + 1) == 0,
	    "other names are still evicted");
	throttle_free(t);
}

/* Concurrent logins: each counts once queued, before any verdict. */
static void
test_throttle_queued(void)
{
	struct throttle	*t = throttle_new();
	int		 i, passed = 0;

	throttle_set_users(t, two_users, NULL);
	for (i = 0; i < 8; i++)
		if (throttle_wait(t, "bob", addr(i), T0) == 0) {
			throttle_begin(t, "bob", addr(i), T0);
			passed++;
		}
	CHECK(passed == THROTTLE_FREE, "of 8 concurrent guesses %d pass "
	    "before any verdict (%d)", THROTTLE_FREE, passed);
	throttle_ok(t, "bob", addr(0), T0);
	CHECK(throttle_wait(t, "bob", addr(100), T0) == 0,
	    "a success clears the account");
	throttle_free(t);

	t = throttle_new();
	throttle_begin(t, "bob", addr(1), T0);
	throttle_begin(t, "bob", addr(1), T0);
	throttle_undo(t, "bob", addr(1), T0);
	throttle_begin(t, "bob", addr(1), T0);
	CHECK(throttle_wait(t, "bob", addr(1), T0) == 0,
	    "an attempt refused before its check is taken back");
	throttle_begin(t, "bob", addr(1), T0);
	CHECK(throttle_wait(t, "bob", addr(1), T0) == THROTTLE_BASE_MS,
	    "the next one is counted");
	throttle_free(t);
}

/*
 * Saved and loaded on another host (another monotonic clock, later wall
 * time): the session and its CSRF token still work, its age carries
 * over, a logged-out or expired one is not brought back.
 */
static void
test_save_load(void)
{
	struct sessions	*a = sessions_new(), *b = sessions_new();
	struct session	*s;
	char		 path[64], tok2[sizeof(tok)], csrf2[sizeof(csrf)];
	char		 hex[sizeof(csrf)];
	const uint64_t	 W0 = 1800000000000ULL, H2 = 77 * SEC;	/* host 2's clock */

	snprintf(path, sizeof(path), "/tmp/hd-test-sessions.%ld",
	    (long)getpid());
	if (!CHECK(a != NULL && b != NULL, "two tables"))
		return;
	CHECK(sessions_load(b, path, H2, W0) == 0 &&
	    sessions_count(b, H2) == 0, "no file: no session");
	sessions_create(a, "alice", T0, tok, csrf);
	sessions_create(a, "bob", T0, tok2, csrf2);
	sessions_logout(a, tok2, T0 + SEC);
	CHECK(sessions_save(a, path, T0 + 10 * SEC, W0) == 0, "saved");
	/* Loaded 5 s later (wall) on a host whose clock reads H2. */
	CHECK(sessions_load(b, path, H2, W0 + 5 * SEC) == 0 &&
	    sessions_count(b, H2) == 1, "loaded: the live session only");
	s = sessions_get(b, tok, H2);
	CHECK(s != NULL && strcmp(s->user, "alice") == 0,
	    "its token works on the other host");
	if (s != NULL)
		sessions_csrf_hex(s, hex);
	CHECK(s != NULL && strcmp(hex, csrf) == 0 &&
	    sessions_csrf_ok(s, csrf), "with the same CSRF token");
	CHECK(sessions_get(b, tok2, H2) == NULL, "a logged-out one stays out");
	CHECK(s != NULL && s->created == H2 - 15 * SEC && s->last == H2,
	    "its lifetime counts from the login (10 s + 5 s before), its "
	    "idle time from the load");
	/* Saved near the end of its life: gone once the wall time passed. */
	sessions_load(b, path, H2, W0 + SESSION_LIFETIME_MS);
	CHECK(sessions_count(b, H2) == 0, "over its lifetime: not loaded");
	/* A clock set back: no time passed, not a huge one. */
	CHECK(sessions_load(b, path, H2, W0 - 3600 * SEC) == 0 &&
	    sessions_count(b, H2) == 1, "a wall clock set back keeps it");
	unlink(path);
	sessions_free(a);
	sessions_free(b);
}

/*
 * Hand-over credentials at the table's level, on a fake wall clock: the
 * expiry, the term they must be below, the slots (the oldest gives
 * way), and that the file keeps only their hashes.
 */
static void
test_handover(void)
{
	struct sessions	*t = sessions_new();
	struct session	*s;
	char		 c[HANDOVER_SLOTS + 1][SESSION_TOKEN_HEX + 1];
	char		 tk[SESSION_TOKEN_HEX + 1], path[] = "/tmp/hd-ho.XXXXXX";
	const char	*why = "";
	uint64_t	 wall = 1700000000000ULL;
	int		 i, fd;

	sessions_create(t, "alice", T0, tok, csrf);
	s = sessions_get(t, tok, T0);
	if (!CHECK(s != NULL, "a session"))
		return;
	CHECK(sessions_handover_wait(s, wall) == 0, "none yet: no wait");
	CHECK(sessions_handover_mint(s, 2, wall, c[0]) == 0 &&
	    sessions_handover_wait(s, wall) == 0, "a free slot left: no wait");
	for (i = 0; i <= HANDOVER_SLOTS; i++)
		CHECK(sessions_handover_mint(s, 2, wall + (uint64_t)i, c[i]) ==
		    0 && is_hex(c[i]), "credential %d", i);
	/* The slots hold c[1] (made at wall + 1) to c[4]. */
	CHECK(sessions_handover_wait(s, wall + HANDOVER_SLOTS) ==
	    HANDOVER_MIN_MS + 1 - HANDOVER_SLOTS && sessions_handover_wait(s,
	    wall + 1 + HANDOVER_MIN_MS) == 0,
	    "the next one: HANDOVER_MIN_MS after the oldest held");
	CHECK(sessions_handover_take(t, c[0], 3, T0, wall, tk, &why) ==
	    NULL && strcmp(why, "unknown, used or logged out") == 0,
	    "the oldest gave way to the newest");
	CHECK(sessions_handover_take(t, c[1], 2, T0, wall, tk, &why) ==
	    NULL && strcmp(why, "no takeover since it was made") == 0,
	    "in the term it was made in: refused");
	CHECK(sessions_handover_take(t, c[1], 3, T0, wall + 1 +
	    HANDOVER_TTL_MS, tk, &why) == NULL && strcmp(why, "expired") == 0,
	    "after HANDOVER_TTL_MS: expired");
	CHECK(sessions_handover_take(t, tok, 3, T0, wall, tk, &why) == NULL,
	    "the session's own token is no credential");
	/* Through the file, as a standby gets it. */
	fd = mkstemp(path);
	close(fd);
	CHECK(sessions_save(t, path, T0, wall) == 0, "saved");
	sessions_free(t);
	t = sessions_new();
	CHECK(sessions_load(t, path, T0, wall) == 0, "loaded");
	unlink(path);
	s = sessions_handover_take(t, c[2], 3, T0, wall + 10, tk, &why);
	CHECK(s != NULL && is_hex(tk) && strcmp(tk, tok) != 0,
	    "after a takeover, from the file: a new token");
	CHECK(sessions_get(t, tok, T0) == NULL && sessions_get(t, tk, T0) ==
	    s, "the old token ends, the new one is the same session");
	CHECK(sessions_handover_take(t, c[3], 3, T0, wall, tk, &why) == NULL,
	    "every other credential of it ends too");
	sessions_free(t);
}

int
main(void)
{
	test_basic();
	test_expiry();
	test_bounds();
	test_throttle();
	test_throttle_v6();
	test_throttle_users();
	test_throttle_queued();
	test_save_load();
	test_handover();
	return check_done();
}
