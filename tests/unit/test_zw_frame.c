/* Unit tests for slave/zwave/zw_frame.c: Z-Wave Serial API framing. */

#include <stdint.h>
#include <string.h>

#include "check.h"
#include "../../slave/zwave/zw.h"

/* Feed bytes; count each result kind; keep the last frame. */
struct feed {
	int		n[ZW_RX_STALLED + 1];
	struct zw_frame	f;
	enum zw_rx	last;
};

static void
feed(struct zw_parser *p, struct feed *r, const uint8_t *b, size_t n,
    uint64_t now)
{
	struct zw_frame	f;
	size_t		i;
	enum zw_rx	ev;

	for (i = 0; i < n; i++) {
		ev = zw_parse_byte(p, b[i], now, &f);
		r->n[ev]++;
		if (ev != ZW_RX_NONE)
			r->last = ev;
		if (ev == ZW_RX_FRAME)
			r->f = f;
	}
}

static void
test_encode(void)
{
	/* GetVersion request: 01 03 00 15 e9 (a well-known frame). */
	static const uint8_t want[] = { 0x01, 0x03, 0x00, 0x15, 0xe9 };
	uint8_t	out[ZW_MAX_FRAME], big[ZW_MAX_PAYLOAD + 1] = { 0 };
	size_t	n;

	n = zw_frame_encode(out, sizeof(out), ZW_REQ, 0x15, NULL, 0);
	CHECK(n == 5 && memcmp(out, want, 5) == 0,
	    "GetVersion encodes as 01 03 00 15 e9");
	n = zw_frame_encode(out, sizeof(out), ZW_REQ, 0x13, big, ZW_MAX_PAYLOAD);
	CHECK(n == ZW_MAX_FRAME && out[1] == ZW_MAX_LEN,
	    "largest payload fills ZW_MAX_FRAME with LEN = ZW_MAX_LEN");
	CHECK(zw_frame_encode(out, sizeof(out), ZW_REQ, 0x13, big,
	    ZW_MAX_PAYLOAD + 1) == 0, "payload past ZW_MAX_PAYLOAD refused");
	CHECK(zw_frame_encode(out, 6, ZW_REQ, 0x13, big, 2) == 0,
	    "too small an output buffer refused");
}

static void
test_roundtrip(void)
{
	struct zw_parser	p;
	struct feed		r;
	uint8_t			out[ZW_MAX_FRAME], pl[] = { 2, 3, 0x25, 1, 0xff };
	size_t			n;

	zw_parser_init(&p);
	memset(&r, 0, sizeof(r));
	n = zw_frame_encode(out, sizeof(out), ZW_RES, 0x13, pl, sizeof(pl));
	feed(&p, &r, out, n, 0);
	CHECK(r.n[ZW_RX_FRAME] == 1 && r.f.type == ZW_RES && r.f.func == 0x13 &&
	    r.f.len == sizeof(pl) && memcmp(r.f.payload, pl, sizeof(pl)) == 0,
	    "encoded frame parses back");
	CHECK(r.n[ZW_RX_NONE] == (int)n - 1, "no event before the last byte");
}

static void
test_singles_and_garbage(void)
{
	static const uint8_t b[] = { 0x06, 0x15, 0x18, 0x00, 0xff, 0x42,
	    0x01, 0x03, 0x00, 0x15, 0xe9 };
	struct zw_parser	p;
	struct feed		r;

	zw_parser_init(&p);
	memset(&r, 0, sizeof(r));
	feed(&p, &r, b, sizeof(b), 0);
	CHECK(r.n[ZW_RX_ACK] == 1 && r.n[ZW_RX_NAK] == 1 && r.n[ZW_RX_CAN] == 1,
	    "ACK, NAK and CAN recognised");
	CHECK(r.n[ZW_RX_GARBAGE] == 3, "three garbage bytes skipped");
	CHECK(r.n[ZW_RX_FRAME] == 1 && r.f.func == 0x15,
	    "frame after garbage found (resync)");
}

static void
test_badsum(void)
{
	static const uint8_t b[] = { 0x01, 0x03, 0x00, 0x15, 0xe8,
	    0x01, 0x03, 0x00, 0x15, 0xe9 };
	struct zw_parser	p;
	struct feed		r;

	zw_parser_init(&p);
	memset(&r, 0, sizeof(r));
	feed(&p, &r, b, 5, 0);
	CHECK(r.last == ZW_RX_BADSUM && r.n[ZW_RX_FRAME] == 0,
	    "bad checksum reported (to be NAKed), no frame");
	feed(&p, &r, b + 5, 5, 0);
	CHECK(r.n[ZW_RX_FRAME] == 1, "the retransmission then parses");
}

static void
test_badlen(void)
{
	/* LEN 2 and 0 are too short, 0xfe past ZW_MAX_LEN. */
	static const uint8_t b[] = { 0x01, 0x02, 0x01, 0x00, 0x01, 0xfe,
	    0x01, 0x01, 0x03, 0x00, 0x15, 0xe9 };
	struct zw_parser	p;
	struct feed		r;

	zw_parser_init(&p);
	memset(&r, 0, sizeof(r));
	feed(&p, &r, b, sizeof(b), 0);
	CHECK(r.n[ZW_RX_BADLEN] == 4, "four impossible lengths rejected (%d)",
	    r.n[ZW_RX_BADLEN]);
	CHECK(r.n[ZW_RX_FRAME] == 1 && r.f.func == 0x15,
	    "a frame right after SOF SOF still parses");
	CHECK(ZW_MAX_LEN < 255 && ZW_MAX_FRAME == ZW_MAX_LEN + 2,
	    "limits: ZW_MAX_LEN below 255, frame buffer = LEN + 2");
}

static void
test_split_and_stall(void)
{
	static const uint8_t b[] = { 0x01, 0x04, 0x01, 0x13, 0x01, 0xe8 };
	struct zw_parser	p;
	struct feed		r;
	size_t			i;

	zw_parser_init(&p);
	memset(&r, 0, sizeof(r));
	for (i = 0; i < sizeof(b); i++)
		feed(&p, &r, b + i, 1, i * 100);
	CHECK(r.n[ZW_RX_FRAME] == 1 && r.f.len == 1 && r.f.payload[0] == 1,
	    "frame fed byte by byte, 100 ms apart, parses");
	/* A frame stalls after 3 bytes. */
	memset(&r, 0, sizeof(r));
	feed(&p, &r, b, 3, 1000);
	CHECK(zw_parser_deadline(&p) == 1000 + ZW_BYTE_TIMEOUT_MS,
	    "a started frame sets the byte deadline");
	CHECK(zw_parser_expire(&p, 1000 + ZW_BYTE_TIMEOUT_MS - 1) ==
	    ZW_RX_NONE, "not expired just before the deadline");
	CHECK(zw_parser_expire(&p, 1000 + ZW_BYTE_TIMEOUT_MS) ==
	    ZW_RX_STALLED, "stalled frame dropped at the deadline");
	CHECK(zw_parser_deadline(&p) == ZW_NO_DEADLINE, "idle: no deadline");
	/* Stalled without a tick: the late rest is not glued on. */
	feed(&p, &r, b, 3, 5000);
	feed(&p, &r, b + 3, 3, 5000 + ZW_BYTE_TIMEOUT_MS + 1);
	CHECK(r.n[ZW_RX_FRAME] == 0 && r.n[ZW_RX_GARBAGE] >= 1,
	    "late bytes after a stall are garbage, not a frame");
	feed(&p, &r, b, sizeof(b), 9000);
	CHECK(r.n[ZW_RX_FRAME] == 1, "next whole frame parses");
	/* A frame trickling in, each byte well within the timeout of the
	 * one before, but not whole within it of its SOF: dropped. */
	memset(&r, 0, sizeof(r));
	for (i = 0; i < sizeof(b); i++)
		feed(&p, &r, b + i, 1, 20000 + i * (ZW_BYTE_TIMEOUT_MS / 3));
	CHECK(r.n[ZW_RX_FRAME] == 0, "a frame not whole within the byte "
	    "timeout of its SOF is dropped (timed from SOF, not from each "
	    "byte)");
	zw_parser_init(&p);
	feed(&p, &r, b, 3, 30000);
	feed(&p, &r, b + 3, 1, 30000 + ZW_BYTE_TIMEOUT_MS / 2);
	CHECK(zw_parser_deadline(&p) == 30000 + ZW_BYTE_TIMEOUT_MS,
	    "the deadline stays the SOF's plus the byte timeout");
}

static void
test_all_lengths(void)
{
	struct zw_parser	p;
	struct feed		r;
	uint8_t			out[ZW_MAX_FRAME], pl[ZW_MAX_PAYLOAD];
	size_t			n, k, bad = 0;

	for (k = 0; k < sizeof(pl); k++)
		pl[k] = (uint8_t)(k * 7);
	zw_parser_init(&p);
	for (k = 0; k <= ZW_MAX_PAYLOAD; k++) {
		memset(&r, 0, sizeof(r));
		n = zw_frame_encode(out, sizeof(out), ZW_REQ, 0x04, pl, k);
		feed(&p, &r, out, n, 0);
		if (r.n[ZW_RX_FRAME] != 1 || r.f.len != k ||
		    memcmp(r.f.payload, pl, k) != 0)
			bad++;
	}
	CHECK(bad == 0, "every payload length 0..ZW_MAX_PAYLOAD round-trips");
}

int
main(void)
{
	test_encode();
	test_roundtrip();
	test_singles_and_garbage();
	test_badsum();
	test_badlen();
	test_split_and_stall();
	test_all_lengths();
	return check_done();
}
