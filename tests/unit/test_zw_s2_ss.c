/*
 * SmartStart's decisions (slave/zwave/zw_s2_ss.c) on a fake clock: the
 * home ids of a DSK, an announcement matched to its entry or not, one
 * during another inclusion, an entry removed (its announcement then
 * unlisted), failures paced and counted, failed and included entries
 * left alone, the unlisted device's log rate.
 *
 * The home ids are zwave-js's (@zwave-js/core nwiHomeIdFromDSK and
 * authHomeIdFromDSK, from the npm cache):
 *
 *	const c = require("@zwave-js/core");
 *	const d = c.dskFromString(DSK);
 *	Buffer.from(c.nwiHomeIdFromDSK(d)).toString("hex")	(and auth)
 *
 * 54321-48156-13215-21699-55543-34093-11072-28681: d8f7852c, 2b407009;
 * 00001-00002-00003-00004-00005-00006-00007-65535: c0050006, 0007ffff.
 */

#include <stdio.h>
#include <string.h>

#include "check.h"
#include "../../slave/zwave/zw_s2.h"

static const uint8_t DSK1[16] = { 0xd4, 0x31, 0xbc, 0x1c, 0x33, 0x9f, 0x54,
    0xc3, 0xd8, 0xf7, 0x85, 0x2d, 0x2b, 0x40, 0x70, 0x09 };
static const uint8_t DSK2[16] = { 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7,
    0xff, 0xff };

static void
test_home_ids(void)
{
	uint8_t h[4];

	zw_ss_nwi(DSK1, h);
	CHECK(memcmp(h, "\xd8\xf7\x85\x2c", 4) == 0, "NWI home id of DSK 1 "
	    "(zwave-js: d8f7852c)");
	zw_ss_auth(DSK1, h);
	CHECK(memcmp(h, "\x2b\x40\x70\x09", 4) == 0, "Auth home id of DSK 1 "
	    "(zwave-js: 2b407009)");
	zw_ss_nwi(DSK2, h);
	CHECK(memcmp(h, "\xc0\x05\x00\x06", 4) == 0, "NWI home id of DSK 2 "
	    "(zwave-js: c0050006)");
	zw_ss_auth(DSK2, h);
	CHECK(memcmp(h, "\x00\x07\xff\xff", 4) == 0, "Auth home id of DSK 2 "
	    "(zwave-js: 0007ffff)");
}

static void
list2(struct zw_prov p[2])
{
	memset(p, 0, 2 * sizeof(*p));
	memcpy(p[0].q.dsk, DSK1, 16);
	memcpy(p[1].q.dsk, DSK2, 16);
	p[0].q.smartstart = p[1].q.smartstart = 1;
}

static void
test_match(void)
{
	struct zw_prov	p[2];
	uint8_t		h[4], other[4] = { 0xc1, 0x22, 0x33, 0x44 };
	size_t		idx = 99;

	list2(p);
	zw_ss_nwi(DSK2, h);
	CHECK(zw_ss_match(p, 2, h, 0, 1000, &idx) == ZW_SS_INCLUDE &&
	    idx == 1, "a listed device's announcement: include entry 1");
	CHECK(zw_ss_match(p, 2, other, 0, 1000, &idx) == ZW_SS_UNLISTED,
	    "another home id: unlisted, ignored");
	CHECK(zw_ss_match(p, 2, h, 1, 1000, &idx) == ZW_SS_BUSY && idx == 1,
	    "announced during another inclusion: busy, not included");
	CHECK(zw_ss_match(p, 2, h, 0, 1000, &idx) == ZW_SS_INCLUDE,
	    "... and included at its next announcement");
	/* The entry removed (zw_s2_prov.c moves the rest down). */
	CHECK(zw_ss_match(p, 1, h, 0, 1000, &idx) == ZW_SS_UNLISTED,
	    "its entry removed: the same announcement is unlisted");
	zw_ss_nwi(DSK1, h);
	h[0] &= 0x7f;	/* the NWI bits not set: not a SmartStart home id */
	CHECK(zw_ss_match(p, 1, h, 0, 1000, &idx) == ZW_SS_UNLISTED,
	    "the DSK's bytes without the NWI bits: no match");
	CHECK(zw_ss_match(p, 0, h, 0, 1000, &idx) == ZW_SS_UNLISTED,
	    "an empty list: nothing matches");
}

static void
test_pacing(void)
{
	struct zw_prov	p[2];
	uint8_t		h[4];
	size_t		idx;
	uint64_t	now = 5000;
	int		i, ok = 1;

	list2(p);
	zw_ss_nwi(DSK1, h);
	CHECK(zw_ss_backoff(1) == ZW_SS_RETRY_MS &&
	    zw_ss_backoff(2) == 2 * ZW_SS_RETRY_MS &&
	    zw_ss_backoff(40) == ZW_SS_RETRY_MAX_MS,
	    "back-off: %d ms, doubling, at most %d ms", ZW_SS_RETRY_MS,
	    ZW_SS_RETRY_MAX_MS);
	zw_ss_failed(&p[0], "no node found", 0, now);
	CHECK(p[0].state == ZW_SS_PENDING && p[0].fails == 1 &&
	    strcmp(p[0].reason, "attempt 1 of 5 failed: no node found") == 0,
	    "a failed attempt: still pending, the reason (%s)", p[0].reason);
	CHECK(zw_ss_match(p, 2, h, 0, now + ZW_SS_RETRY_MS - 1, &idx) ==
	    ZW_SS_WAIT, "announced again 1 ms before the back-off: waits");
	CHECK(zw_ss_match(p, 2, h, 0, now + ZW_SS_RETRY_MS, &idx) ==
	    ZW_SS_INCLUDE, "at the back-off's end: included again");
	for (i = 2; i < ZW_SS_ATTEMPTS; i++) {
		now += zw_ss_backoff((unsigned)i - 1);
		zw_ss_failed(&p[0], "the stick failed", 0, now);
		ok &= p[0].state == ZW_SS_PENDING &&
		    p[0].retry_at == now + zw_ss_backoff((unsigned)i) &&
		    zw_ss_match(p, 2, h, 0, p[0].retry_at - 1, &idx) ==
		    ZW_SS_WAIT;
	}
	CHECK(ok, "attempts 2..%d: each waits twice as long",
	    ZW_SS_ATTEMPTS - 1);
	zw_ss_failed(&p[0], "the stick failed", 0, now + 1000000);
	CHECK(p[0].state == ZW_SS_FAILED && strcmp(p[0].reason, "gave up "
	    "after 5 attempts: the stick failed") == 0,
	    "attempt %d: failed for good (%s)", ZW_SS_ATTEMPTS, p[0].reason);
	CHECK(zw_ss_match(p, 2, h, 0, now + 100000000, &idx) == ZW_SS_DONE,
	    "a failed entry's announcements are left alone");
	CHECK(zw_ss_pending(p, 2), "entry 1 still pending: the stick listens");
	zw_ss_reset(&p[0]);
	CHECK(p[0].state == ZW_SS_PENDING && p[0].fails == 0 &&
	    zw_ss_match(p, 2, h, 0, now, &idx) == ZW_SS_INCLUDE,
	    "listed again by the user: pending, tried at once");
}

static void
test_end(void)
{
	struct zw_prov	p[2];
	uint8_t		h[4];
	size_t		idx;
	char		why[300];

	list2(p);
	zw_ss_nwi(DSK2, h);
	zw_ss_failed(&p[1], "the stick failed", 0, 0);
	zw_ss_included(&p[1], 7);
	CHECK(p[1].state == ZW_SS_INCLUDED && p[1].node == 7 &&
	    p[1].fails == 0 && p[1].reason[0] == '\0',
	    "included as node 7: its failures forgotten");
	CHECK(zw_ss_match(p, 2, h, 0, 0, &idx) == ZW_SS_DONE,
	    "an included entry's announcement (a reset device) is left "
	    "alone");
	zw_ss_failed(&p[0], "S2 failed: wrong PIN?", 1, 0);
	CHECK(p[0].state == ZW_SS_FAILED && p[0].fails == 1 &&
	    strcmp(p[0].reason, "S2 failed: wrong PIN?") == 0,
	    "S2 failed after it joined: failed at once, no retry");
	CHECK(!zw_ss_pending(p, 2), "none pending: the stick stops "
	    "listening");
	memset(why, 'x', sizeof(why) - 1);
	why[sizeof(why) - 1] = '\0';
	zw_ss_reset(&p[0]);
	zw_ss_failed(&p[0], why, 1, 0);
	CHECK(strlen(p[0].reason) == ZW_SS_REASON_MAX,
	    "a long reason is cut at %d bytes", ZW_SS_REASON_MAX);
	p[0].q.smartstart = 0;
	zw_ss_reset(&p[0]);
	p[1].state = ZW_SS_FAILED;
	CHECK(!zw_ss_pending(p, 2), "an S2-only code (version 00) does not "
	    "keep the stick listening");
}

static void
test_quiet(void)
{
	uint64_t	last = 0;
	int		n = 0, t;

	for (t = 0; t < 3 * ZW_SS_QUIET_MS; t += 500)
		n += zw_ss_quiet(&last, (uint64_t)t);
	CHECK(n == 3, "an unlisted device announcing every 0.5 s for 3 min: "
	    "logged 3 times (%d)", n);
}

int
main(void)
{
	test_home_ids();
	test_match();
	test_pacing();
	test_end();
	test_quiet();
	return check_done();
}
