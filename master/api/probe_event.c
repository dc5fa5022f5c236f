/*
 * A probe as a "probe" event of the stream (docs/WEB.md, "Dashboard"):
 * its JSON, and the rate limit that keeps a probe storm from flushing
 * the stream's backlog. Pure code, without the master, for its unit test
 * (tests/unit/test_probe_event.c); api_probe.c publishes.
 */

#include <arpa/inet.h>
#include <string.h>

#include "api/api_dash.h"
#include "hdlimits.h"
#include "lib/json.h"
#include "lib/probe.h"

/* 16 bytes, IPv4 mapped as the web process sends them, as text. */
static void
addr_text(const uint8_t a[16], char *out, size_t size)
{
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };

	if (memcmp(a, v4mapped, sizeof(v4mapped)) == 0)
		inet_ntop(AF_INET, a + 12, out, (socklen_t)size);
	else
		inet_ntop(AF_INET6, a, out, (socklen_t)size);
}

long
probe_event_json(const Hd__ProbeEvent *p, uint64_t dropped, char *buf,
    size_t size)
{
	char		addr[INET6_ADDRSTRLEN];
	struct jw	w;

	if (p->class_ == 0 || p->class_ >= PROBE_NCLASSES || p->addr.len != 16)
		return -1;
	addr_text(p->addr.data, addr, sizeof(addr));
	jw_init(&w, buf, size);
	jw_open(&w, '{');
	jw_key(&w, "class");
	jw_str(&w, probe_class_name((enum probe_class)p->class_));
	jw_key(&w, "addr");
	jw_str(&w, addr);
	jw_key(&w, "port");
	jw_uint(&w, p->port);
	jw_key(&w, "detail");
	/* The writer escapes and replaces bad UTF-8; a long detail is cut
	 * rather than losing the event. */
	jw_strn(&w, p->detail, strnlen(p->detail, PROBE_DETAIL_SHOWN));
	jw_key(&w, "banned_ms");
	jw_uint(&w, p->banned_ms);
	jw_key(&w, "dropped");
	jw_uint(&w, dropped);
	jw_close(&w, '}');
	return jw_end(&w);
}

int
probe_rate_take(struct probe_rate *r, uint64_t now)
{
	if (now - r->window_ms >= 1000 || now < r->window_ms) {
		r->window_ms = now;
		r->sent = 0;
	}
	if (r->sent >= PROBE_EVENTS_PER_S) {
		r->dropped++;
		return 0;
	}
	return 1;
}

void
probe_rate_sent(struct probe_rate *r)
{
	r->sent++;
	r->dropped = 0;
}
