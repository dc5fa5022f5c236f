/*
 * libFuzzer harness for slave/zwave/zw_api.c: the first byte picks the parser
 * (start-up answers, node info, application commands, inclusion
 * statuses, transmit reports, SmartStart announcements), the rest is the frame's payload as a stick would send it. What a parser accepts must
 * stay inside the input and the named limits.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../slave/zwave/zw.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
app_update(const uint8_t *p, size_t n)
{
	struct zw_app_update u;

	if (zw_parse_app_update(p, n, &u) == 0 &&
	    (u.ncc > ZW_MAX_NODE_CCS || u.node > ZW_MAX_NODES ||
	    (u.node < 1 && u.status != ZW_UPDATE_NIF_FAILED)))
		abort();
}

/* ApplicationUpdate 0x85/0x87: a SmartStart device's announcement. */
static void
ss_update(const uint8_t *p, size_t n)
{
	struct zw_ss_update u;

	if (zw_parse_ss_update(p, n, &u) == 0 && (n < 7 ||
	    u.node > ZW_MAX_NODES || memcmp(u.nwi, p + 3, 4) != 0 ||
	    (u.generic != 0 && n < 11)))
		abort();
}

static void
app_command(uint8_t func, const uint8_t *p, size_t n)
{
	struct zw_app_command a;

	if (zw_parse_app_command(func, p, n, &a) == 0 &&
	    (a.len < 1 || a.cmd < p || a.cmd + a.len > p + n))
		abort();
}

static void
incl_status(const uint8_t *p, size_t n)
{
	struct zw_incl_status u;

	if (zw_parse_incl_status(p, n, &u) == 0 &&
	    (u.ncc > ZW_MAX_NODE_CCS || u.node > ZW_MAX_NODES ||
	    (u.ncc > 0 && (!u.have_info || 7 + u.ncc > n))))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zw_caps		caps;
	struct zw_proto_info	pi;
	uint8_t			listed[ZW_MAX_NODES + 1], own;
	uint32_t		home;
	char			v[16];
	const uint8_t		*p = data + 1;
	size_t			n = size - 1;

	if (size < 1)
		return 0;
	if (data[0] & 8) {	/* inclusion statuses */
		incl_status(p, n);
		return 0;
	}
	if (data[0] & 32) {	/* a SmartStart announcement */
		ss_update(p, n);
		return 0;
	}
	if (data[0] & 16) {	/* a SendData callback's transmit report */
		struct zw_tx_report r;

		if (zw_parse_tx_report(p, n, &r) == 0 && (r.repeaters >
		    ZW_MAX_REPEATERS || r.route_ms > 655350 ||
		    (r.have_route && n < 6)))
			abort();
		return 0;
	}
	switch (data[0] & 7) {
	case 0:
		zw_parse_caps(p, n, &caps);
		break;
	case 1:
		if (zw_parse_version(p, n, v, sizeof(v)) == 0 &&
		    (strlen(v) >= sizeof(v) || zw_version_major(v) > 999))
			abort();
		break;
	case 2:
		if (zw_parse_memid(p, n, &home, &own) == 0 &&
		    (own < 1 || own > ZW_MAX_NODES))
			abort();
		break;
	case 3:
		memset(listed, 0, sizeof(listed));
		if (zw_parse_init(p, n, listed) > ZW_MAX_NODES || listed[0])
			abort();
		break;
	case 4:
		zw_parse_protocol_info(p, n, &pi);
		break;
	case 5:
		app_update(p, n);
		break;
	case 6:
		app_command(ZW_FN_APP_COMMAND, p, n);
		break;
	default:
		app_command(ZW_FN_APP_COMMAND_BRIDGE, p, n);
		break;
	}
	return 0;
}
