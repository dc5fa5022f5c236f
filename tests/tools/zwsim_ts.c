/*
 * hd-zwsim: nodes sending a datagram with Transport Service (0x55), the
 * way a node does when its report is longer than one radio frame.
 *
 * Control line (stdin):
 *	ts N TEMP LOSE	node N reports temperature TEMP (°C x 10) and its
 *			battery in one Multi Command datagram, in segments
 *			of ZWSIM_TS_SEG bytes; LOSE 1: its second segment
 *			is lost on the air the first time (the host must
 *			ask for it with Segment Request)
 *
 * From the host: Segment Request is answered with the segment asked for
 * (logged), Segment Complete and Segment Wait are logged (tests read
 * them). The segments are made by slave/zwave/zw_transport.c, whose
 * unit test checks them against zwave-js's CRC.
 */

#include <stdio.h>
#include <string.h>

#include "../../slave/zwave/zw_transport.h"
#include "zwsim.h"

#define ZWSIM_TS_SEG	6	/* payload bytes per segment */

static struct {
	uint8_t	node, session;
	uint8_t	d[ZWSIM_CMD_MAX];
	size_t	n;
} ts;

/* Segment at `off` of the datagram under way. */
static void
send_segment(size_t off)
{
	uint8_t	f[ZW_TS_MAX_SEGMENT + 8];
	size_t	n, next;

	n = zw_ts_segment(ts.d, ts.n, ts.session, off, ZWSIM_TS_SEG, f,
	    sizeof(f), &next);
	if (n > 0)
		zwsim_send(ts.node, f, n);
}

static int
start(uint8_t node, int temp, int lose)
{
	struct simnode	*n = zwsim_find(node);
	size_t		 off;

	if (n == NULL)
		return 0;
	/* Multi Command: Sensor Multilevel Report (air temperature,
	 * precision 1, °C, 2 bytes) and Battery Report. */
	n->temp = (int16_t)temp;
	memcpy(ts.d, (const uint8_t[]){ 0x8f, 0x01, 0x02,
	    6, 0x31, 0x05, 0x01, 0x22, (uint8_t)((uint16_t)temp >> 8),
	    (uint8_t)(temp & 0xff),
	    3, 0x80, 0x03, n->battery }, 14);
	ts.n = 14;
	ts.node = node;
	ts.session = (uint8_t)((ts.session + 1) & 0x0f);
	for (off = 0; off < ts.n; off += ZWSIM_TS_SEG) {
		if (lose && off == ZWSIM_TS_SEG) {
			fprintf(stderr, "zwsim: node %d: transport service "
			    "segment at %zu lost\n", node, off);
			continue;
		}
		send_segment(off);
	}
	fprintf(stderr, "zwsim: node %d: transport service datagram of %zu "
	    "bytes sent, session %u\n", node, ts.n, ts.session);
	return 1;
}

int
zwsim_ts_control(const char *line)
{
	char	word[8];
	int	node = 0, temp = 0, lose = 0;

	if (sscanf(line, "%7s %d %d %d", word, &node, &temp, &lose) != 4 ||
	    strcmp(word, "ts") != 0 || node < 1 || node > 232)
		return 0;
	return start((uint8_t)node, temp, lose);
}

int
zwsim_ts_command(uint8_t node, const uint8_t *c, size_t len)
{
	struct zw_ts_seg s;

	if (len < 1 || c[0] != 0x55)
		return 0;
	if (zw_ts_parse(c, len, &s) != 1) {
		fprintf(stderr, "zwsim: node %d: malformed transport service "
		    "command\n", node);
		return 1;
	}
	if (s.kind == ZW_TS_K_REQUEST && node == ts.node &&
	    s.session == ts.session && s.offset < ts.n) {
		fprintf(stderr, "zwsim: node %d: segment request for %u: sent "
		    "again\n", node, s.offset);
		send_segment(s.offset);
	} else if (s.kind == ZW_TS_K_COMPLETE)
		fprintf(stderr, "zwsim: node %d: segment complete, session "
		    "%u\n", node, s.session);
	else
		fprintf(stderr, "zwsim: node %d: transport service command "
		    "0x%02x\n", node, c[1]);
	return 1;
}
