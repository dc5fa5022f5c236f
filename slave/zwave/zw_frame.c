/*
 * Z-Wave Serial API framing, one byte at a time. Outside a frame the
 * stick sends single bytes (ACK, NAK, CAN) or SOF; anything else is
 * garbage and skipped, which is how the parser resynchronises. After SOF
 * comes LEN, range-checked before a single payload byte is stored, then
 * LEN bytes ending in an XOR checksum seeded with 0xFF. The whole frame
 * must arrive within the byte timeout of its SOF (host specification: a
 * receiver aborts a frame not complete 1500 ms after the SOF); timed from
 * each byte, a frame trickling in a byte a second was never dropped.
 */

#include <string.h>

#include "zwave/zw.h"

enum { P_IDLE, P_LEN, P_BODY };

void
zw_parser_init(struct zw_parser *p)
{
	memset(p, 0, sizeof(*p));
	p->state = P_IDLE;
	p->byte_timeout = ZW_BYTE_TIMEOUT_MS;
}

uint8_t
zw_checksum(const uint8_t *b, size_t n)
{
	uint8_t c = 0xff;

	while (n-- > 0)
		c ^= *b++;
	return c;
}

static enum zw_rx
idle_byte(struct zw_parser *p, uint8_t b)
{
	switch (b) {
	case ZW_ACK:
		return ZW_RX_ACK;
	case ZW_NAK:
		return ZW_RX_NAK;
	case ZW_CAN:
		return ZW_RX_CAN;
	case ZW_SOF:
		p->buf[0] = b;
		p->have = 1;
		p->state = P_LEN;
		p->last_ms = p->now;	/* the frame's clock starts */
		return ZW_RX_NONE;
	default:
		return ZW_RX_GARBAGE;
	}
}

/* buf holds SOF LEN type func payload... checksum: check and copy out. */
static enum zw_rx
frame_end(struct zw_parser *p, struct zw_frame *out)
{
	size_t len = p->buf[1];

	p->state = P_IDLE;
	/* The checksum covers LEN, type, function and payload. */
	if (zw_checksum(p->buf + 1, len) != p->buf[len + 1])
		return ZW_RX_BADSUM;
	out->type = p->buf[2];
	out->func = p->buf[3];
	out->len = (uint8_t)(len - 3);
	memcpy(out->payload, p->buf + 4, out->len);
	return ZW_RX_FRAME;
}

enum zw_rx
zw_parse_byte(struct zw_parser *p, uint8_t b, uint64_t now,
    struct zw_frame *out)
{
	if (p->state != P_IDLE && now - p->last_ms > p->byte_timeout)
		p->state = P_IDLE;	/* stalled: this byte starts afresh */
	p->now = now;
	switch (p->state) {
	case P_IDLE:
		return idle_byte(p, b);
	case P_LEN:
		if (b < ZW_MIN_LEN || b > ZW_MAX_LEN) {
			/* A lone SOF in garbage must not cost the frame
			 * whose SOF comes right after it. */
			p->state = b == ZW_SOF ? P_LEN : P_IDLE;
			p->last_ms = now;	/* that SOF's frame */
			return ZW_RX_BADLEN;
		}
		p->buf[1] = b;
		p->have = 2;
		p->need = (size_t)b + 2;
		p->state = P_BODY;
		return ZW_RX_NONE;
	default:
		/* need <= ZW_MAX_FRAME was checked on LEN. */
		p->buf[p->have++] = b;
		if (p->have < p->need)
			return ZW_RX_NONE;
		return frame_end(p, out);
	}
}

enum zw_rx
zw_parser_expire(struct zw_parser *p, uint64_t now)
{
	if (p->state == P_IDLE || now - p->last_ms < p->byte_timeout)
		return ZW_RX_NONE;
	p->state = P_IDLE;
	return ZW_RX_STALLED;
}

uint64_t
zw_parser_deadline(const struct zw_parser *p)
{
	return p->state == P_IDLE ? ZW_NO_DEADLINE :
	    p->last_ms + p->byte_timeout;
}

size_t
zw_frame_encode(uint8_t *out, size_t outlen, uint8_t type, uint8_t func,
    const uint8_t *payload, size_t n)
{
	size_t len;

	/* LEN counts type, function, payload and checksum; checked before
	 * the arithmetic below writes len + 2 bytes. */
	if (n > ZW_MAX_PAYLOAD || outlen < n + 5)
		return 0;
	len = n + 3;
	out[0] = ZW_SOF;
	out[1] = (uint8_t)len;
	out[2] = type;
	out[3] = func;
	if (n > 0)
		memcpy(out + 4, payload, n);
	out[len + 1] = zw_checksum(out + 1, len);
	return len + 2;
}

const char *
zw_rx_str(enum zw_rx r)
{
	static const char *const s[] = {
		"none", "ACK", "NAK", "CAN", "frame", "bad checksum",
		"bad length", "garbage", "stalled frame",
	};

	return (unsigned)r < sizeof(s) / sizeof(s[0]) ? s[r] : "?";
}
