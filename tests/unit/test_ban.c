/* Unit tests for master/lib/ban.c: scores, decay, escalating bans, allow-list,
 * the bounded table and persistence, on a fake clock. */

#include <arpa/inet.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "../../master/lib/ban.h"

#define MIN	(60 * 1000ULL)
#define T0	(1700000000000ULL)

static const uint8_t *
v4(const char *s)
{
	static uint8_t a[16];

	memset(a, 0, sizeof(a));
	a[10] = a[11] = 0xff;
	inet_pton(AF_INET, s, a + 12);
	return a;
}

static const uint8_t *
v6(const char *s)
{
	static uint8_t a[16];

	inet_pton(AF_INET6, s, a);
	return a;
}

static void
hit(struct ban_table *t, const uint8_t *a, int n, uint64_t now)
{
	while (n-- > 0)
		ban_probe(t, a, 1.0, now);
}

static void
test_escalation(void)
{
	struct ban_table	*t = ban_new();
	uint64_t		 now = T0, len;
	int			 i;

	if (!CHECK(t != NULL, "ban_new"))
		return;
	hit(t, v4("192.0.2.1"), 4, now);
	CHECK(!ban_check(t, v4("192.0.2.1"), now), "4 probes: not banned");
	len = ban_probe(t, v4("192.0.2.1"), 1.0, now);
	CHECK(len == BAN_FIRST_MS && ban_check(t, v4("192.0.2.1"), now),
	    "the 5th probe bans for BAN_FIRST_MS");
	CHECK(!ban_check(t, v4("192.0.2.2"), now), "a neighbour is not banned");
	CHECK(ban_count(t, now) == 1, "one ban in force");
	now += BAN_FIRST_MS + 1;
	CHECK(!ban_check(t, v4("192.0.2.1"), now), "the ban expires");
	hit(t, v4("192.0.2.1"), 4, now);
	len = ban_probe(t, v4("192.0.2.1"), 1.0, now);
	CHECK(len == 2 * BAN_FIRST_MS, "a repeat offender gets twice as long");
	for (i = 0; i < 20; i++) {
		now += len + 1;
		hit(t, v4("192.0.2.1"), 4, now);
		len = ban_probe(t, v4("192.0.2.1"), 1.0, now);
	}
	CHECK(len == BAN_LONGEST_MS, "bans stop growing at BAN_LONGEST_MS");
	/* Decay: probes spread over time never add up. */
	for (i = 0; i < 50; i++)
		ban_probe(t, v4("198.51.100.7"), 1.0, now + (uint64_t)i * 10 * MIN);
	CHECK(!ban_check(t, v4("198.51.100.7"), now + 500 * MIN),
	    "one probe every 10 minutes never bans (score decays)");
	hit(t, v4("198.51.100.8"), 3, now);
	hit(t, v4("198.51.100.8"), 2, now + BAN_HALF_LIFE_MS);
	CHECK(!ban_check(t, v4("198.51.100.8"), now + BAN_HALF_LIFE_MS),
	    "3 probes, a half-life, 2 more: 3.5 < threshold");
	CHECK(ban_unban(t, v4("192.0.2.1")) == 0 &&
	    !ban_check(t, v4("192.0.2.1"), now), "unban lifts a ban");
	CHECK(ban_unban(t, v4("203.0.113.9")) == -1, "unban of an unknown");
	ban_free(t);
}

static void
test_allow(void)
{
	struct ban_table *t = ban_new();

	if (t == NULL)
		return;
	CHECK(ban_allow(t, "10.0.0.0/8") == 0, "allow a v4 network");
	CHECK(ban_allow(t, "fd00::/8") == 0, "allow a v6 network");
	CHECK(ban_allow(t, "127.0.0.1") == 0, "allow a host");
	CHECK(ban_allow(t, "10.0.0.0/33") == -1, "v4 prefix > 32 refused");
	CHECK(ban_allow(t, "nonsense") == -1, "garbage refused");
	CHECK(ban_allow(t, "10.0.0.0/") == -1, "empty prefix refused");
	CHECK(ban_is_allowed(t, v4("10.200.3.4")), "10.200.3.4 in 10/8");
	CHECK(!ban_is_allowed(t, v4("11.0.0.1")), "11.0.0.1 not in 10/8");
	CHECK(ban_is_allowed(t, v6("fd12::1")), "fd12::1 in fd00::/8");
	CHECK(!ban_is_allowed(t, v6("fe80::1")), "fe80::1 not allowed");
	CHECK(!ban_is_allowed(t, v4("127.0.0.2")), "a /32 host is exact");
	hit(t, v4("10.1.1.1"), 50, T0);
	CHECK(!ban_check(t, v4("10.1.1.1"), T0), "allowed addresses never ban");
	ban_free(t);
}

static void
test_bounded_and_saved(void)
{
	struct ban_table	*t = ban_new(), *u = ban_new();
	char			 dir[] = "/tmp/hd-test-ban.XXXXXX", path[64];
	uint8_t			 a[16];
	int			 i, kept = 0;

	if (t == NULL || u == NULL || mkdtemp(dir) == NULL)
		return;
	hit(t, v4("192.0.2.66"), 5, T0);
	/* A flood from more addresses than the table holds. */
	for (i = 0; i < BAN_MAX_ENTRIES * 3; i++) {
		memset(a, 0, sizeof(a));
		a[0] = 0x20;
		a[1] = 0x01;
		memcpy(a + 4, &i, sizeof(i));	/* a /64 each */
		ban_probe(t, a, 1.0, T0 + 1);
	}
	CHECK(ban_check(t, v4("192.0.2.66"), T0 + 2),
	    "a ban in force is not evicted by a flood of scores");
	hit(t, v4("192.0.2.77"), 5, T0 + 2);
	CHECK(ban_check(t, v4("192.0.2.77"), T0 + 2), "bans still work after it");
	snprintf(path, sizeof(path), "%s/bans", dir);
	CHECK(ban_save(t, path, T0 + 3) == 0, "save");
	CHECK(ban_load(u, path, T0 + 4) == 0, "load into a new table");
	CHECK(ban_check(u, v4("192.0.2.77"), T0 + 4),
	    "a ban survives a restart");
	CHECK(!ban_check(u, v4("192.0.2.77"), T0 + 2 + BAN_FIRST_MS + 1),
	    "and still expires on time");
	for (i = 0; i < 4; i++)
		ban_probe(u, v4("192.0.2.77"), 1.0, T0 + BAN_FIRST_MS * 2);
	kept = (int)ban_probe(u, v4("192.0.2.77"), 1.0, T0 + BAN_FIRST_MS * 2);
	CHECK(kept == (int)(2 * BAN_FIRST_MS),
	    "the offender's level survives too (next ban twice as long)");
	CHECK(ban_load(u, "/nonexistent/bans", T0) == -1, "missing file");
	unlink(path);
	rmdir(dir);
	ban_free(t);
	ban_free(u);
}

static void
test_v6_prefix(void)
{
	struct ban_table	*t = ban_new();
	char			 s[64];
	int			 i;

	if (t == NULL)
		return;
	for (i = 0; i < 5; i++) {
		snprintf(s, sizeof(s), "2001:db8:1:2::%x", 0x100 + i);
		ban_probe(t, v6(s), 1.0, T0);
	}
	CHECK(ban_check(t, v6("2001:db8:1:2:ffff:1:2:3"), T0),
	    "5 probes from 5 addresses of a /64 ban the whole /64");
	CHECK(!ban_check(t, v6("2001:db8:1:3::100"), T0),
	    "the next /64 is not banned");
	CHECK(ban_unban(t, v6("2001:db8:1:2::42")) == 0 &&
	    !ban_check(t, v6("2001:db8:1:2::100"), T0),
	    "unbanning any address of it lifts the /64's ban");
	CHECK(ban_set_v6_prefix(t, 31) == -1 && ban_set_v6_prefix(t, 129) == -1,
	    "prefixes outside [BAN_IPV6_PREFIX_MIN, 128] refused");
	CHECK(ban_set_v6_prefix(t, 128) == 0, "per /128");
	for (i = 0; i < 5; i++) {
		snprintf(s, sizeof(s), "2001:db8:9::%x", 0x100 + i);
		ban_probe(t, v6(s), 1.0, T0);
	}
	CHECK(!ban_check(t, v6("2001:db8:9::100"), T0),
	    "per /128, 5 addresses with one probe each are not banned");
	hit(t, v4("192.0.2.1"), 4, T0);
	hit(t, v4("192.0.2.2"), 4, T0);
	CHECK(!ban_check(t, v4("192.0.2.1"), T0),
	    "IPv4 addresses always count singly");
	ban_free(t);
}

/* A table full of bans in force refuses new scores, evicts none. */
static void
test_full_of_bans(void)
{
	struct ban_table	*t = ban_new();
	uint8_t			 a[16];
	uint32_t		 i, level;

	if (t == NULL)
		return;
	for (i = 0; i < BAN_MAX_ENTRIES; i++) {
		memcpy(a, v4("10.0.0.0"), 16);
		a[13] = (uint8_t)(i >> 8);
		a[14] = (uint8_t)i;
		a[15] = 1;
		hit(t, a, 5, T0);
	}
	CHECK(ban_count(t, T0) == BAN_MAX_ENTRIES, "%d bans in force",
	    BAN_MAX_ENTRIES);
	hit(t, v4("192.0.2.99"), 50, T0 + 1);
	CHECK(!ban_check(t, v4("192.0.2.99"), T0 + 1) &&
	    ban_count(t, T0 + 1) == BAN_MAX_ENTRIES && ban_full(t) == 50,
	    "full of bans: a newcomer is not scored, none lifted (%llu)",
	    (unsigned long long)ban_full(t));
	CHECK(ban_impose(t, v4("192.0.2.98"), BAN_FIRST_MS, T0 + 1) == 0,
	    "nor can a ban be imposed");
	memcpy(a, v4("10.0.0.0"), 16);
	a[15] = 1;
	CHECK(ban_unban(t, a) == 0 &&
	    ban_impose(t, v4("192.0.2.98"), BAN_FIRST_MS, T0 + 2) > 0 &&
	    ban_check(t, v4("192.0.2.98"), T0 + 2),
	    "a ban lifted frees its entry at once");
	hit(t, v4("192.0.2.99"), 5, T0 + BAN_FIRST_MS + 1);
	CHECK(ban_check(t, v4("192.0.2.99"), T0 + BAN_FIRST_MS + 1),
	    "once bans expire their entries are taken again");
	CHECK(ban_until(t, v4("192.0.2.99"), T0 + BAN_FIRST_MS + 1, &level) ==
	    T0 + 2 * BAN_FIRST_MS + 1 && level == 1, "ban_until: end, level");
	ban_free(t);
}

static void
test_weights_and_impose(void)
{
	struct ban_table	*t = ban_new();
	uint32_t		 level;
	uint64_t		 until;
	int			 i;

	if (t == NULL)
		return;
	for (i = 0; i < 100; i++)
		ban_probe(t, v4("192.0.2.5"), 0, T0);
	CHECK(!ban_check(t, v4("192.0.2.5"), T0),
	    "probes of weight 0 (a browser's) never ban");
	CHECK(ban_probe(t, v4("192.0.2.5"), NAN, T0) == 0 &&
	    !ban_check(t, v4("192.0.2.5"), T0), "nor does a NaN");
	for (i = 0; i < 22; i++)
		ban_probe(t, v4("192.0.2.6"), BAN_CERT_REJECT_WEIGHT, T0);
	CHECK(!ban_check(t, v4("192.0.2.6"), T0), "22 refused certificates "
	    "(weight %.1f) do not ban", BAN_CERT_REJECT_WEIGHT);
	until = ban_impose(t, v4("192.0.2.7"), BAN_FIRST_MS, T0);
	CHECK(until == T0 + BAN_FIRST_MS && ban_check(t, v4("192.0.2.7"), T0),
	    "ban_impose bans");
	CHECK(ban_impose(t, v4("192.0.2.7"), 1000, T0 + 1) == until,
	    "a shorter ban does not shorten one in force");
	ban_until(t, v4("192.0.2.7"), T0, &level);
	CHECK(level == 1, "imposing on a ban in force keeps its level");
	until = ban_impose(t, v4("192.0.2.7"), 2 * BAN_FIRST_MS,
	    T0 + BAN_FIRST_MS + 1);
	ban_until(t, v4("192.0.2.7"), T0 + BAN_FIRST_MS + 1, &level);
	CHECK(level == 2 && until == T0 + 3 * BAN_FIRST_MS + 1,
	    "a new ban after one expired is one level up");
	ban_free(t);
}

int
main(void)
{
	test_escalation();
	test_allow();
	test_bounded_and_saved();
	test_v6_prefix();
	test_full_of_bans();
	test_weights_and_impose();
	return check_done();
}
