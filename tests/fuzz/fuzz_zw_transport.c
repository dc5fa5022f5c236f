/*
 * libFuzzer harness for Transport Service (slave/zwave/zw_transport.c):
 * the input is a run of frames from one node, each a length byte and that
 * many bytes, fed to the segment parser and one receive session, as the
 * glue does. Checked: a parsed segment lies inside its frame and is at
 * most ZW_TS_MAX_SEGMENT bytes; the session never holds more than
 * ZW_TS_MAX_DATAGRAM; a datagram said to be done has no byte missing, and
 * cut again into segments (zw_ts_segment) parses back to the same bytes.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../slave/zwave/zw_transport.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The datagram cut again and put together again: the same bytes. */
static void
again(const struct zw_ts_rx *done)
{
	struct zw_ts_rx		rx;
	struct zw_ts_seg	s;
	uint8_t			f[ZW_TS_MAX_SEGMENT + 8];
	size_t			off = 0, n, next = 0;
	enum zw_ts_rx_result	r = ZW_TS_RX_MORE;

	memset(&rx, 0, sizeof(rx));
	while (off < done->size) {
		n = zw_ts_segment(done->buf, done->size, done->session, off,
		    ZW_TS_MAX_SEGMENT, f, sizeof(f), &next);
		if (n == 0 || zw_ts_parse(f, n, &s) != 1)
			abort();
		r = zw_ts_rx_segment(&rx, &s);
		off = next;
	}
	if (r != ZW_TS_RX_DONE || rx.size != done->size ||
	    memcmp(rx.buf, done->buf, rx.size) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zw_ts_rx		rx;
	struct zw_ts_seg	s;
	size_t			off = 0, len;
	int			p;

	memset(&rx, 0, sizeof(rx));
	while (off < size) {
		len = data[off++];
		if (len > size - off)
			len = size - off;
		p = zw_ts_parse(data + off, len, &s);
		if (p == 1 && (s.kind == ZW_TS_K_FIRST ||
		    s.kind == ZW_TS_K_SUBSEQUENT)) {
			if (s.n < 1 || s.n > ZW_TS_MAX_SEGMENT ||
			    s.data < data + off ||
			    s.data + s.n > data + off + len)
				abort();
			if (zw_ts_rx_segment(&rx, &s) == ZW_TS_RX_DONE) {
				if (zw_ts_rx_missing(&rx) != -1 ||
				    rx.size > ZW_TS_MAX_DATAGRAM)
					abort();
				again(&rx);
			}
		}
		if (rx.size > ZW_TS_MAX_DATAGRAM)
			abort();
		off += len;
	}
	return 0;
}
