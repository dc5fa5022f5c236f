/*
 * Supervision (0x6c), pure encoders and decoders. A Supervision Get
 * carries one command and asks the node to say how it went (Report:
 * SUCCESS, WORKING with a duration, FAIL, NO_SUPPORT) under a 6-bit
 * session id; a node may also send us a report wrapped in a Get, which
 * we answer with SUCCESS.
 */

#include <string.h>

#include "zwave/zw_cc.h"

#define SV_GET			0x01
#define SV_REPORT		0x02
#define SV_FLAG			0x80	/* Get: status updates; Report: more */

size_t
zw_cc_supervision_get(uint8_t *out, size_t outlen, uint8_t session,
    int updates, const uint8_t *inner, size_t n)
{
	if (n < 1 || n > 0xff || n + 4 > outlen ||
	    session > ZW_SV_SESSION_MAX || inner[0] == ZW_CC_SUPERVISION)
		return 0;
	memmove(out + 4, inner, n);	/* first: `inner` may be `out` */
	out[0] = ZW_CC_SUPERVISION;
	out[1] = SV_GET;
	out[2] = (uint8_t)((updates ? SV_FLAG : 0) | session);
	out[3] = (uint8_t)n;
	return n + 4;
}

size_t
zw_cc_supervision_report(uint8_t *out, size_t outlen, uint8_t session,
    uint8_t status, uint8_t duration)
{
	if (outlen < 5 || session > ZW_SV_SESSION_MAX)
		return 0;
	out[0] = ZW_CC_SUPERVISION;
	out[1] = SV_REPORT;
	out[2] = session;
	out[3] = status;
	out[4] = duration;
	return 5;
}

static int
known_status(uint8_t st)
{
	return st == ZW_SV_NO_SUPPORT || st == ZW_SV_WORKING ||
	    st == ZW_SV_FAIL || st == ZW_SV_SUCCESS;
}

int
zw_cc_decode_supervision(const uint8_t *cmd, size_t len,
    struct zw_supervision *s)
{
	memset(s, 0, sizeof(*s));
	if (len < 2 || cmd[0] != ZW_CC_SUPERVISION)
		return len < 1 ? -1 : 0;
	switch (cmd[1]) {
	case SV_GET:
		/* The length byte must match what follows, and a command
		 * is never supervised twice over. */
		if (len < 5 || cmd[3] < 1 || (size_t)cmd[3] + 4 > len ||
		    cmd[4] == ZW_CC_SUPERVISION)
			return -1;
		s->get = 1;
		s->flag = (cmd[2] & SV_FLAG) != 0;
		s->session = cmd[2] & ZW_SV_SESSION_MAX;
		s->inner = cmd + 4;
		s->ninner = cmd[3];
		return 1;
	case SV_REPORT:
		if (len < 5 || !known_status(cmd[3]))
			return -1;
		s->flag = (cmd[2] & SV_FLAG) != 0;
		s->session = cmd[2] & ZW_SV_SESSION_MAX;
		s->status = cmd[3];
		s->duration = cmd[4];
		return 1;
	default:
		return 0;
	}
}
