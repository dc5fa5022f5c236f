/*
 * probe_event.c: a probe as the stream's "probe" event (addresses, bad
 * classes refused, hostile details escaped and cut) and the per-second
 * rate limit with its count of probes left out.
 */

#include <string.h>

#include "../../master/api/api_dash.h"
#include "check.h"
#include "hdlimits.h"
#include "../../master/lib/json.h"
#include "../../master/lib/probe.h"

static Hd__ProbeEvent
probe(uint32_t cls, const uint8_t addr[16], const char *detail)
{
	Hd__ProbeEvent p = HD__PROBE_EVENT__INIT;

	p.class_ = cls;
	p.addr.data = (uint8_t *)(uintptr_t)addr;
	p.addr.len = 16;
	p.port = 40312;
	p.detail = (char *)(uintptr_t)detail;
	return p;
}

static void
test_json(void)
{
	static const uint8_t v4[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff,
	    0xff, 203, 0, 113, 9 };
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0,
	    0, 0, 0, 0, 0, 0, 1 };
	char			 buf[STREAM_MAX_DATA], big[2 * PROBE_DETAIL_SHOWN];
	char			 tail[PROBE_DETAIL_SHOWN + 64];
	Hd__ProbeEvent		 p = probe(PROBE_PLAIN_HTTP, v4, "HTTP request");
	struct json_doc		 doc;
	struct json_tok		 tok[32];
	long			 n;

	n = probe_event_json(&p, 3, buf, sizeof(buf));
	CHECK(n > 0 && strcmp(buf, "{\"class\":\"plain-http\",\"addr\":"
	    "\"203.0.113.9\",\"port\":40312,\"detail\":\"HTTP request\","
	    "\"banned_ms\":0,\"dropped\":3}") == 0, "an IPv4 probe: %s", buf);
	p = probe(PROBE_SCANNER, v6, "GET /.env");
	CHECK(probe_event_json(&p, 0, buf, sizeof(buf)) > 0 &&
	    strstr(buf, "\"addr\":\"2001:db8::1\"") != NULL,
	    "an IPv6 probe: %s", buf);
	p = probe(PROBE_NONE, v4, "");
	CHECK(probe_event_json(&p, 0, buf, sizeof(buf)) == -1,
	    "class 0 (not a probe) refused");
	p = probe(PROBE_NCLASSES, v4, "");
	CHECK(probe_event_json(&p, 0, buf, sizeof(buf)) == -1,
	    "a class past the last refused");
	p = probe(PROBE_BAD_TLS, v4, "");
	p.addr.len = 4;
	CHECK(probe_event_json(&p, 0, buf, sizeof(buf)) == -1,
	    "a 4-byte address refused");
	/* A detail with quotes, control bytes, bad UTF-8 and too long. */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "\"}\n\x01\xff<script>", 13);
	p = probe(PROBE_BAD_REQUEST, v4, big);
	n = probe_event_json(&p, 0, buf, sizeof(buf));
	CHECK(n > 0 && json_parse(&doc, buf, (size_t)n, tok, 32) == 0,
	    "a hostile detail still gives valid JSON");
	/* Its 13 odd bytes escaped, then 'a's up to PROBE_DETAIL_SHOWN bytes
	 * of detail, no more. */
	n = snprintf(tail, sizeof(tail), "\"detail\":\"\\\"}\\u000a"
	    "\\u0001\\ufffd<script>");
	memset(tail + n, 'a', PROBE_DETAIL_SHOWN - 13);
	strcpy(tail + n + PROBE_DETAIL_SHOWN - 13, "\",\"banned_ms\"");
	CHECK(strstr(buf, tail) != NULL,
	    "the detail is escaped and cut at PROBE_DETAIL_SHOWN");
	CHECK(probe_event_json(&p, 0, buf, 16) == -1,
	    "a buffer too small: -1, not a cut JSON");
}

static void
test_rate(void)
{
	struct probe_rate	r;
	int			i, took = 0;

	memset(&r, 0, sizeof(r));
	for (i = 0; i < 25; i++)
		if (probe_rate_take(&r, 5000 + (uint64_t)i)) {
			probe_rate_sent(&r);
			took++;
		}
	CHECK(took == PROBE_EVENTS_PER_S, "%d of 25 published in one second",
	    took);
	CHECK(r.dropped == 25 - PROBE_EVENTS_PER_S, "the rest counted (%llu)",
	    (unsigned long long)r.dropped);
	CHECK(!probe_rate_take(&r, 5999), "still full at 999 ms");
	CHECK(probe_rate_take(&r, 6000), "a new second: published again");
	CHECK(r.dropped == 25 - PROBE_EVENTS_PER_S + 1,
	    "the event says how many were left out");
	probe_rate_sent(&r);
	CHECK(r.dropped == 0, "then the count starts again");
	CHECK(probe_rate_take(&r, 1000), "a clock that went back opens a window");
}

int
main(void)
{
	test_json();
	test_rate();
	return check_done();
}
