/* Unit tests for slave/zwave/zw_cc_lock.c: Door Lock, through the dispatcher. */

#include <stdint.h>
#include <string.h>

#include "check.h"
#include "../../slave/zwave/zw_cc.h"

#define DEC(v, ...) dec(&(v), (const uint8_t[]){ __VA_ARGS__ }, \
	sizeof((const uint8_t[]){ __VA_ARGS__ }))

static int
dec(struct zw_cc_value *v, const uint8_t *b, size_t n)
{
	memset(v, 0, sizeof(*v));
	return zw_cc_decode(b, n, v, 1);
}

static int
is_locked(const struct zw_cc_value *v, int b)
{
	return v->type == ZW_V_BOOL && strcmp(v->key, "locked") == 0 &&
	    strcmp(v->unit, "") == 0 && v->b == b;
}

int
main(void)
{
	struct zw_cc_value	v;
	uint8_t			out[4];
	int			ok = 1;
	unsigned		m;

	CHECK(DEC(v, 0x62, 0x03, 0xff, 0x00, 0x01, 0x00, 0x00) == 1 &&
	    is_locked(&v, 1), "operation report, secured: locked");
	CHECK(DEC(v, 0x62, 0x03, 0x00, 0x00, 0x01, 0xfe, 0xfe) == 1 &&
	    is_locked(&v, 0), "unsecured: not locked");
	CHECK(DEC(v, 0x62, 0x03, 0x21, 0x00, 0x01, 0x00, 0x00) == 1 &&
	    is_locked(&v, 0), "outside handles unsecured: not locked");
	CHECK(DEC(v, 0x62, 0x03, 0xff, 0x00, 0x01, 0x00, 0x00, 0xff, 0x00) ==
	    1 && is_locked(&v, 1), "a version 4 report (target, duration)");
	CHECK(DEC(v, 0x62, 0x03, 0xfe, 0x00, 0x01, 0x00, 0x00) == 0,
	    "unknown mode (bolt jammed): no value");
	CHECK(DEC(v, 0x62, 0x03, 0xff, 0x00, 0x01, 0x00) == -1,
	    "a report one byte short is malformed");
	CHECK(DEC(v, 0x62, 0x03) == -1, "an empty report is malformed");
	for (m = 0; m < 256; m++) {
		int r = DEC(v, 0x62, 0x03, (uint8_t)m, 0, 0, 0, 0);
		int known = m == 0 || m == 1 || m == 0x10 || m == 0x11 ||
		    m == 0x20 || m == 0x21 || m == 0xff;

		if ((known && r != 1) || (!known && m != 0xfe && r != -1))
			ok = 0;
	}
	CHECK(ok, "only the modes of the specification are taken");
	CHECK(DEC(v, 0x62, 0x06, 0x01, 0x00, 0x00, 0x00) == 0,
	    "configuration report: no value");
	CHECK(zw_cc_has_values(0x62), "Door Lock has values");
	CHECK(zw_cc_get(out, sizeof(out), 0x62) == 2 && out[0] == 0x62 &&
	    out[1] == 0x02, "operation get: 62 02");
	CHECK(zw_cc_lock_set(out, sizeof(out), 1) == 3 &&
	    memcmp(out, "\x62\x01\xff", 3) == 0, "operation set secured");
	CHECK(zw_cc_lock_set(out, sizeof(out), 0) == 3 &&
	    memcmp(out, "\x62\x01\x00", 3) == 0, "operation set unsecured");
	CHECK(zw_cc_lock_set(out, 2, 1) == 0, "a short buffer is refused");
	return check_done();
}
