/*
 * Transport Service (0x55) version 2, pure: parsing segments, putting a
 * datagram together, making segments. See zw_transport.h for the frames.
 *
 * A receive session knows which bytes of its datagram came (one bit a
 * byte), so segments may come in any order, twice, or overlap; the
 * datagram is done when every byte came. A segment that does not fit its
 * session (another size, past the end) is refused and changes nothing.
 */

#include <string.h>

#include "zwave/zw_cc.h"
#include "zwave/zw_transport.h"

#define CMD_MASK	0xf8	/* the command: the top five bits */
#define SIZE_HI		0x07	/* ... the low three: size or offset */
#define EXT_BIT		0x08

/* The CRC covers everything before it; 1 if it matches. */
static int
crc_ok(const uint8_t *cmd, size_t len)
{
	return zw_crc16(cmd, len - 2) ==
	    (uint16_t)(cmd[len - 2] << 8 | cmd[len - 1]);
}

/* First and Subsequent Segments: header, extension, payload, CRC. */
static int
parse_segment(const uint8_t *cmd, size_t len, struct zw_ts_seg *s)
{
	size_t off = s->kind == ZW_TS_K_FIRST ? 4 : 5;

	if (len < off + 1 + 2 || !crc_ok(cmd, len))
		return -1;
	s->size = (uint16_t)((cmd[1] & SIZE_HI) << 8 | cmd[2]);
	s->session = cmd[3] >> 4;
	if (s->kind == ZW_TS_K_SUBSEQUENT)
		s->offset = (uint16_t)((cmd[3] & SIZE_HI) << 8 | cmd[4]);
	if (cmd[3] & EXT_BIT) {
		if (off >= len - 2 || cmd[off] > len - 2 - off - 1)
			return -1;
		off += 1 + cmd[off];
	}
	if (off >= len - 2)
		return -1;			/* no payload */
	s->data = cmd + off;
	s->n = len - 2 - off;
	if (s->n > ZW_TS_MAX_SEGMENT || s->offset + s->n > s->size)
		return -1;
	return 1;
}

int
zw_ts_parse(const uint8_t *cmd, size_t len, struct zw_ts_seg *s)
{
	memset(s, 0, sizeof(*s));
	if (len < 1 || cmd[0] != ZW_CC_TRANSPORT)
		return 0;
	if (len < 3)
		return -1;
	switch (cmd[1] & CMD_MASK) {
	case ZW_TS_FIRST:
		s->kind = ZW_TS_K_FIRST;
		return parse_segment(cmd, len, s);
	case ZW_TS_SUBSEQUENT:
		s->kind = ZW_TS_K_SUBSEQUENT;
		return parse_segment(cmd, len, s);
	case ZW_TS_REQUEST:
		if (len < 4)
			return -1;
		s->kind = ZW_TS_K_REQUEST;
		s->session = cmd[2] >> 4;
		s->offset = (uint16_t)((cmd[2] & SIZE_HI) << 8 | cmd[3]);
		return 1;
	case ZW_TS_COMPLETE:
		s->kind = ZW_TS_K_COMPLETE;
		s->session = cmd[2] >> 4;
		return 1;
	case ZW_TS_WAIT:
		s->kind = ZW_TS_K_WAIT;
		s->pending = cmd[2];
		return 1;
	default:
		return -1;
	}
}

/* --- receiving -------------------------------------------------------- */

static int
have(const struct zw_ts_rx *r, size_t i)
{
	return r->got[i / 8] >> (i % 8) & 1;
}

int
zw_ts_rx_missing(const struct zw_ts_rx *r)
{
	size_t i;

	for (i = 0; i < r->size; i++)
		if (!have(r, i))
			return (int)i;
	return -1;
}

enum zw_ts_rx_result
zw_ts_rx_segment(struct zw_ts_rx *r, const struct zw_ts_seg *s)
{
	size_t i;

	if (s->kind == ZW_TS_K_FIRST) {
		/* A new datagram: whatever the node sent before is over. */
		memset(r, 0, sizeof(*r));
		if (s->size > ZW_TS_MAX_DATAGRAM || s->size < s->n)
			return ZW_TS_RX_REFUSED;
		r->active = 1;
		r->session = s->session;
		r->size = s->size;
	} else if (s->kind != ZW_TS_K_SUBSEQUENT)
		return ZW_TS_RX_REFUSED;
	else if (!r->active || r->session != s->session)
		return ZW_TS_RX_NO_SESSION;
	else if (s->size != r->size || s->offset + s->n > r->size)
		return ZW_TS_RX_REFUSED;
	memcpy(r->buf + s->offset, s->data, s->n);
	for (i = s->offset; i < s->offset + s->n; i++)
		r->got[i / 8] |= (uint8_t)(1u << (i % 8));
	if (zw_ts_rx_missing(r) == -1)
		return ZW_TS_RX_DONE;
	return have(r, r->size - 1u) ? ZW_TS_RX_HOLE : ZW_TS_RX_MORE;
}

/* --- control frames and sending --------------------------------------- */

size_t
zw_ts_request(uint8_t session, uint16_t offset, uint8_t *out)
{
	out[0] = ZW_CC_TRANSPORT;
	out[1] = ZW_TS_REQUEST;
	out[2] = (uint8_t)((session & 0x0f) << 4 | (offset >> 8 & SIZE_HI));
	out[3] = (uint8_t)(offset & 0xff);
	return 4;
}

size_t
zw_ts_complete(uint8_t session, uint8_t *out)
{
	out[0] = ZW_CC_TRANSPORT;
	out[1] = ZW_TS_COMPLETE;
	out[2] = (uint8_t)((session & 0x0f) << 4);
	return 3;
}

size_t
zw_ts_wait(uint8_t pending, uint8_t *out)
{
	out[0] = ZW_CC_TRANSPORT;
	out[1] = ZW_TS_WAIT;
	out[2] = pending;
	return 3;
}

size_t
zw_ts_segment(const uint8_t *d, size_t size, uint8_t session, size_t offset,
    size_t seg, uint8_t *out, size_t outlen, size_t *next)
{
	size_t		hdr = offset == 0 ? 4 : 5, n, i = 0;
	uint16_t	crc;

	if (size == 0 || size > ZW_TS_MAX_DATAGRAM || offset >= size ||
	    seg == 0 || seg > ZW_TS_MAX_SEGMENT)
		return 0;
	n = size - offset < seg ? size - offset : seg;
	if (outlen < hdr + n + 2)
		return 0;
	out[i++] = ZW_CC_TRANSPORT;
	out[i++] = (uint8_t)((offset == 0 ? ZW_TS_FIRST : ZW_TS_SUBSEQUENT) |
	    (size >> 8 & SIZE_HI));
	out[i++] = (uint8_t)(size & 0xff);
	out[i] = (uint8_t)((session & 0x0f) << 4);
	if (offset != 0) {
		out[i] |= (uint8_t)(offset >> 8 & SIZE_HI);
		out[++i] = (uint8_t)(offset & 0xff);
	}
	memcpy(out + hdr, d + offset, n);
	crc = zw_crc16(out, hdr + n);
	out[hdr + n] = (uint8_t)(crc >> 8);
	out[hdr + n + 1] = (uint8_t)(crc & 0xff);
	*next = offset + n;
	return hdr + n + 2;
}
