/*
 * The Serial API's NVM operations (zw_nvm.h): requests encoded and
 * answers parsed, 0x2E with 16-bit addresses and 0x3D with 32-bit ones.
 * Pure code: the length byte is checked before anything is read.
 */

#include <string.h>

#include "zwave/zw.h"
#include "zwave/zw_nvm.h"

size_t
zw_nvm_encode(uint8_t api, uint8_t sub, uint32_t addr, const uint8_t *data,
    size_t n, uint8_t *out, size_t outlen)
{
	size_t	alen = api == ZWNVM_API_EXT ? 4 : 2, i = 0, k;

	if ((api != ZWNVM_API_EXT && api != ZWNVM_API_OPS) || n >
	    ZW_NVM_CHUNK || (alen == 2 && addr > 0xffff) || outlen <
	    2 + alen + n)
		return 0;
	out[i++] = sub;
	if (sub == ZW_NVM_OPEN || sub == ZW_NVM_CLOSE)
		return i;
	out[i++] = (uint8_t)n;		/* read: bytes asked for */
	for (k = alen; k-- > 0;)
		out[i++] = (uint8_t)(addr >> (8 * k));
	if (sub == ZW_NVM_WRITE && n > 0) {
		memcpy(out + i, data, n);
		i += n;
	}
	return i;
}

int
zw_nvm_parse(uint8_t api, const uint8_t *p, size_t n, struct zw_nvm_res *r)
{
	size_t	alen = api == ZWNVM_API_EXT ? 4 : 2, k;

	memset(r, 0, sizeof(*r));
	if (n < 2 + alen)
		return -1;
	r->status = p[0];
	r->len = p[1];
	for (k = 0; k < alen; k++)
		r->addr = r->addr << 8 | p[2 + k];
	if (r->len > n - 2 - alen)
		return -1;
	r->data = p + 2 + alen;
	return 0;
}

const char *
zw_nvm_status_str(uint8_t status)
{
	switch (status) {
	case ZW_NVM_ST_OK:
		return "ok";
	case 0x01:
		return "the stick reports an NVM error";
	case 0x02:
		return "the stick says the operation does not match (not open?)";
	case 0x03:
		return "the stick says another operation disturbed it";
	case 0x04:
		return "the stick does not support this NVM operation";
	case ZW_NVM_ST_EOF:
		return "end of the NVM";
	default:
		return "the stick answered an unknown NVM status";
	}
}

/* Bit f-1 of the bitmask that follows the 8 bytes of ids. */
static int
supports(const uint8_t *caps, size_t n, uint8_t f)
{
	size_t byte = 8 + (size_t)(f - 1) / 8;

	return byte < n && (caps[byte] >> ((f - 1) % 8) & 1);
}

uint8_t
zw_nvm_pick_api(const uint8_t *caps, size_t n)
{
	if (supports(caps, n, ZWNVM_API_EXT))
		return ZWNVM_API_EXT;
	if (supports(caps, n, ZWNVM_API_OPS))
		return ZWNVM_API_OPS;
	return 0;
}
