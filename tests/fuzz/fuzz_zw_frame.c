/*
 * libFuzzer harness for the Z-Wave framing (slave/zwave/zw_frame.c): arbitrary
 * bytes from the stick, each byte 0..255 ms after the previous one (the
 * time comes from the input too, so stalls and resyncs are explored).
 * Every frame the parser accepts must re-encode to the bytes it came from.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../slave/zwave/zw.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zw_parser	p;
	struct zw_frame		f;
	uint8_t			out[ZW_MAX_FRAME];
	uint64_t		now = 0;
	size_t			i, n;
	enum zw_rx		ev;

	zw_parser_init(&p);
	/* Odd offsets are time steps when the first byte is odd. */
	for (i = 0; i < size; i++) {
		if ((data[0] & 1) && (i & 1)) {
			now += data[i] * 8;
			zw_parser_expire(&p, now);
			continue;
		}
		ev = zw_parse_byte(&p, data[i], now, &f);
		if (ev != ZW_RX_FRAME)
			continue;
		if (f.len > ZW_MAX_PAYLOAD)
			abort();
		n = zw_frame_encode(out, sizeof(out), f.type, f.func,
		    f.payload, f.len);
		if (n != (size_t)f.len + 5 || out[1] != f.len + 3)
			abort();
	}
	return 0;
}
