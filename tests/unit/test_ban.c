/* Unit tests for master/ban.c: scores, decay, escalating bans, allow-list,
 * the bounded table and persistence, on a fake clock. */

#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "../../master/ban.h"

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
		memcpy(a + 12, &i, sizeof(i));
		ban_probe(t, a, 1.0, T0 + 1);
	}
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

int
main(void)
{
	test_escalation();
	test_allow();
	test_bounded_and_saved();
	return check_done();
}
