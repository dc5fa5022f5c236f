/*
 * Multi Channel (0x60, version 3 and later), pure encoders and decoders:
 * endpoint discovery (End Point Get/Report, Capability Get/Report) and
 * the encapsulation that carries one endpoint's command. Endpoints are
 * 1..127 (0 is the node itself); bit-addressed destinations (several
 * endpoints at once) are only meaningful towards a node, so one arriving
 * here is malformed.
 */

#include <string.h>

#include "zwave/zw_cc.h"

#define MC_EP_GET		0x07
#define MC_EP_REPORT		0x08
#define MC_CAP_GET		0x09
#define MC_CAP_REPORT		0x0a
#define MC_ENCAP		0x0d
#define MC_EP_MASK		0x7f
#define MC_BIT_ADDRESS		0x80
#define MC_DYNAMIC		0x80
#define MC_IDENTICAL		0x40
#define MC_CC_MARK		0xef	/* controlled classes follow */

size_t
zw_cc_mc_encap(uint8_t *out, size_t outlen, uint8_t src, uint8_t dst,
    const uint8_t *inner, size_t n)
{
	if (n < 1 || n + 4 > outlen || src > MC_EP_MASK || dst > MC_EP_MASK)
		return 0;
	memmove(out + 4, inner, n);	/* first: `inner` may be `out` */
	out[0] = ZW_CC_MULTI_CHANNEL;
	out[1] = MC_ENCAP;
	out[2] = src;
	out[3] = dst;
	return n + 4;
}

size_t
zw_cc_mc_endpoints_get(uint8_t *out, size_t outlen)
{
	if (outlen < 2)
		return 0;
	out[0] = ZW_CC_MULTI_CHANNEL;
	out[1] = MC_EP_GET;
	return 2;
}

size_t
zw_cc_mc_capability_get(uint8_t *out, size_t outlen, uint8_t ep)
{
	if (outlen < 3 || ep < 1 || ep > MC_EP_MASK)
		return 0;
	out[0] = ZW_CC_MULTI_CHANNEL;
	out[1] = MC_CAP_GET;
	out[2] = ep;
	return 3;
}

static int
capability(const uint8_t *p, size_t n, struct zw_mc *m)
{
	size_t i;

	if (n < 3 || (p[0] & MC_EP_MASK) == 0)
		return -1;
	m->kind = ZW_MC_CAPABILITY;
	m->ep = p[0] & MC_EP_MASK;
	m->dynamic = (p[0] & MC_DYNAMIC) != 0;
	m->generic = p[1];
	m->specific = p[2];
	for (i = 3; i < n && m->ncc < ZW_MAX_NODE_CCS; i++) {
		if (p[i] == MC_CC_MARK)
			break;
		m->cc[m->ncc++] = p[i];
	}
	return 1;
}

int
zw_cc_decode_mc(const uint8_t *cmd, size_t len, struct zw_mc *m)
{
	memset(m, 0, sizeof(*m));
	if (len < 2 || cmd[0] != ZW_CC_MULTI_CHANNEL)
		return len < 1 ? -1 : 0;
	switch (cmd[1]) {
	case MC_ENCAP:
		/* An encapsulated command is at least its class byte. */
		if (len < 5 || (cmd[2] & MC_BIT_ADDRESS) ||
		    (cmd[3] & MC_BIT_ADDRESS) || cmd[4] == ZW_CC_MULTI_CHANNEL)
			return -1;
		m->kind = ZW_MC_ENCAP;
		m->src = cmd[2] & MC_EP_MASK;
		m->dst = cmd[3];
		m->inner = cmd + 4;
		m->ninner = len - 4;
		return 1;
	case MC_EP_REPORT:
		if (len < 4)
			return -1;
		m->kind = ZW_MC_ENDPOINTS;
		m->dynamic = (cmd[2] & MC_DYNAMIC) != 0;
		m->identical = (cmd[2] & MC_IDENTICAL) != 0;
		m->count = cmd[3] & MC_EP_MASK;
		return 1;
	case MC_CAP_REPORT:
		return capability(cmd + 2, len - 2, m);
	default:
		return 0;
	}
}
