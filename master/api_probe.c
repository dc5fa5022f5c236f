/*
 * Probes on the event stream: each probe the web process reports (and
 * the master has checked, webproc.c) goes out as a "probe" event, which
 * only admins' streams receive, so the dashboard's security panel shows
 * it as it happens.
 */

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "api_dash.h"
#include "api_stream.h"
#include "hdlimits.h"
#include "json.h"
#include "probe.h"

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

/* The event's data: {"class","addr","port","detail","banned_ms"}. The
 * caller has checked the class, the address length and the port. */
void
api_probe_publish(struct master *m, const Hd__ProbeEvent *p)
{
	char		buf[STREAM_MAX_DATA], addr[INET6_ADDRSTRLEN];
	struct jw	w;

	addr_text(p->addr.data, addr, sizeof(addr));
	jw_init(&w, buf, sizeof(buf));
	jw_open(&w, '{');
	jw_key(&w, "class");
	jw_str(&w, probe_class_name((enum probe_class)p->class_));
	jw_key(&w, "addr");
	jw_str(&w, addr);
	jw_key(&w, "port");
	jw_uint(&w, p->port);
	jw_key(&w, "detail");
	/* The writer escapes and replaces bad UTF-8; a detail too long for
	 * one event is cut rather than losing the event. */
	jw_strn(&w, p->detail, strnlen(p->detail, PROBE_DETAIL_SHOWN));
	jw_key(&w, "banned_ms");
	jw_uint(&w, p->banned_ms);
	jw_close(&w, '}');
	if (jw_end(&w) > 0)
		api_stream_publish(m, "probe", NULL, NULL, buf);
}
