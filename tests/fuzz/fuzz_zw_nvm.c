/*
 * libFuzzer harness for the controller backup's parsers: the stick's
 * answers to the NVM operations (slave/zwave/zw_nvm_fmt.c, 0x2E and
 * 0x3D), its capabilities' function bitmask, and the backup file
 * (shared/zwnvm.c), which the master reads from a slave and from an
 * upload. The first byte picks the parser; what one accepts must stay
 * inside the input and the named limits.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../slave/zwave/zw.h"
#include "../../slave/zwave/zw_nvm.h"
#include "zwnvm.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
answer(uint8_t api, const uint8_t *p, size_t n)
{
	struct zw_nvm_res r;

	if (zw_nvm_parse(api, p, n, &r) == 0 && (r.data < p ||
	    r.data + r.len > p + n || (api == ZWNVM_API_OPS && r.addr > 0xffff)))
		abort();
}

static void
file(const uint8_t *p, size_t n)
{
	struct zwnvm_meta	 m;
	const char		*why = NULL;
	uint8_t			 hdr[ZWNVM_HDR_LEN];

	if (zwnvm_parse(p, n, &m, &why) == -1) {
		if (why == NULL)
			abort();
		return;
	}
	if (m.size == 0 || m.size > ZW_NVM_MAX || m.size + ZWNVM_HDR_LEN != n ||
	    strlen(m.library) > ZWNVM_LIB_MAX || m.own_id < 1 ||
	    m.own_id > ZW_MAX_NODES)
		abort();
	/* What was accepted writes back to the same header. */
	if (zwnvm_encode(hdr, &m, p + ZWNVM_HDR_LEN, m.size) == -1 ||
	    memcmp(hdr, p, ZWNVM_HDR_LEN) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t api;

	if (size < 1)
		return 0;
	switch (data[0] % 4) {
	case 0:
		answer(ZWNVM_API_OPS, data + 1, size - 1);
		break;
	case 1:
		answer(ZWNVM_API_EXT, data + 1, size - 1);
		break;
	case 2:
		api = zw_nvm_pick_api(data + 1, size - 1);
		if (api != 0 && api != ZWNVM_API_OPS && api != ZWNVM_API_EXT)
			abort();
		break;
	default:
		file(data + 1, size - 1);
	}
	return 0;
}
