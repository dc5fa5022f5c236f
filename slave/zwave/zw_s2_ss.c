/*
 * SmartStart's decisions, pure code (time passed in): which entry of the
 * provisioning list a device's announcement names, and what each attempt
 * to include it leaves in the entry (zw_s2.h says the rules; the stick
 * side is zw_smartstart.c's).
 */

#include <stdio.h>
#include <string.h>

#include "zwave/zw_s2.h"

/* The spec: NWI home id = DSK bytes 9..12 (from 1) with bits 7 and 6 of
 * the first set and bit 0 of the last cleared; Auth home id = bytes
 * 13..16, bits 7 and 6 of the first cleared, bit 0 of the last set. */
void
zw_ss_nwi(const uint8_t dsk[16], uint8_t nwi[4])
{
	memcpy(nwi, dsk + 8, 4);
	nwi[0] |= 0xc0;
	nwi[3] &= 0xfe;
}

void
zw_ss_auth(const uint8_t dsk[16], uint8_t auth[4])
{
	memcpy(auth, dsk + 12, 4);
	auth[0] &= 0x3f;
	auth[3] |= 0x01;
}

enum zw_ss_verdict
zw_ss_match(const struct zw_prov *p, size_t n, const uint8_t nwi[4],
    int busy, uint64_t now, size_t *idx)
{
	uint8_t	h[4];
	size_t	i;

	for (i = 0; i < n; i++) {
		zw_ss_nwi(p[i].q.dsk, h);
		if (memcmp(h, nwi, sizeof(h)) == 0)
			break;
	}
	if (i == n)
		return ZW_SS_UNLISTED;
	*idx = i;
	if (p[i].state != ZW_SS_PENDING)
		return ZW_SS_DONE;
	if (now < p[i].retry_at)
		return ZW_SS_WAIT;
	return busy ? ZW_SS_BUSY : ZW_SS_INCLUDE;
}

void
zw_ss_included(struct zw_prov *p, uint8_t node)
{
	p->state = ZW_SS_INCLUDED;
	p->node = node;
	p->fails = 0;
	p->retry_at = 0;
	p->reason[0] = '\0';
}

uint64_t
zw_ss_backoff(unsigned fails)
{
	uint64_t	ms = ZW_SS_RETRY_MS;
	unsigned	i;

	for (i = 1; i < fails && ms < ZW_SS_RETRY_MAX_MS; i++)
		ms *= 2;
	return ms < ZW_SS_RETRY_MAX_MS ? ms : ZW_SS_RETRY_MAX_MS;
}

void
zw_ss_failed(struct zw_prov *p, const char *why, int joined, uint64_t now)
{
	if (p->fails < 255)
		p->fails++;
	if (joined || p->fails >= ZW_SS_ATTEMPTS) {
		p->state = ZW_SS_FAILED;
		p->retry_at = 0;
		if (joined)
			snprintf(p->reason, sizeof(p->reason), "%s", why);
		else
			snprintf(p->reason, sizeof(p->reason), "gave up after "
			    "%u attempts: %s", (unsigned)p->fails, why);
		return;
	}
	p->retry_at = now + zw_ss_backoff(p->fails);
	snprintf(p->reason, sizeof(p->reason), "attempt %u of %d failed: %s",
	    (unsigned)p->fails, ZW_SS_ATTEMPTS, why);
}

void
zw_ss_reset(struct zw_prov *p)
{
	p->state = ZW_SS_PENDING;
	p->node = 0;
	p->fails = 0;
	p->retry_at = 0;
	p->reason[0] = '\0';
}

int
zw_ss_pending(const struct zw_prov *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i].state == ZW_SS_PENDING && p[i].q.smartstart)
			return 1;
	return 0;
}

int
zw_ss_quiet(uint64_t *last, uint64_t now)
{
	if (*last != 0 && now - *last < ZW_SS_QUIET_MS)
		return 0;
	*last = now != 0 ? now : 1;
	return 1;
}

const char *
zw_ss_state_name(int st)
{
	return st == ZW_SS_PENDING ? "pending" : st == ZW_SS_INCLUDED ?
	    "included" : st == ZW_SS_FAILED ? "failed" : "?";
}
