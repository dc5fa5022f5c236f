/*
 * Multi Command (0x8f) and CRC-16 (0x56) encapsulation, pure decoders
 * and encoders. Both carry whole commands, which zw_mgmt_rx.c hands back
 * to zw_node_receive() one by one, so each is judged against the node's
 * granted classes like a bare one. Transport Service (0x55, a datagram in
 * segments) is not reassembled: zw_mgmt_rx.c refuses it, logged.
 *
 * Multi Command Encapsulated: 8F 01 COUNT, then COUNT times LEN CMD...
 * CRC-16 Encapsulated: 56 01 CMD... CRC (2 bytes, most significant
 * first): CRC-CCITT (polynomial 0x1021, initial value 0x1D0F) over every
 * byte before it, 56 01 included.
 */

#include <string.h>

#include "zwave/zw_cc.h"

#define MULTI_ENCAP		0x01
#define CRC16_ENCAP		0x01
#define CRC16_INIT		0x1d0f
#define CRC16_POLY		0x1021

uint16_t
zw_crc16(const uint8_t *b, size_t n)
{
	uint16_t	crc = CRC16_INIT;
	size_t		i;
	int		bit;

	for (i = 0; i < n; i++) {
		crc ^= (uint16_t)(b[i] << 8);
		for (bit = 0; bit < 8; bit++)
			crc = (uint16_t)(crc & 0x8000 ?
			    (crc << 1) ^ CRC16_POLY : crc << 1);
	}
	return crc;
}

/*
 * Every length byte must lie inside the frame and the commands must fill
 * it exactly; a command is at least its class byte, and a Multi Command
 * never carries another (the specification forbids it).
 */
int
zw_cc_decode_multi(const uint8_t *cmd, size_t len, struct zw_multi *m)
{
	size_t off = 3, i, n;

	memset(m, 0, sizeof(*m));
	if (len < 2 || cmd[0] != ZW_CC_MULTI_CMD || cmd[1] != MULTI_ENCAP)
		return len < 1 ? -1 : 0;
	if (len < 3 || cmd[2] < 1 || cmd[2] > ZW_MULTI_CMD_MAX)
		return -1;
	for (i = 0; i < cmd[2]; i++) {
		if (off >= len || (n = cmd[off]) < 1 || n > len - off - 1 ||
		    cmd[off + 1] == ZW_CC_MULTI_CMD)
			return -1;
		m->cmd[i] = cmd + off + 1;
		m->len[i] = n;
		off += 1 + n;
	}
	if (off != len)
		return -1;
	m->n = cmd[2];
	return 1;
}

size_t
zw_cc_multi_encap(uint8_t *out, size_t outlen, const uint8_t *const *cmds,
    const size_t *lens, size_t n)
{
	size_t i, off = 3;

	if (n < 1 || n > ZW_MULTI_CMD_MAX || outlen < 3)
		return 0;
	for (i = 0; i < n; i++) {
		if (lens[i] < 1 || lens[i] > 0xff || lens[i] + 1 > outlen - off)
			return 0;
		out[off] = (uint8_t)lens[i];
		memcpy(out + off + 1, cmds[i], lens[i]);
		off += 1 + lens[i];
	}
	out[0] = ZW_CC_MULTI_CMD;
	out[1] = MULTI_ENCAP;
	out[2] = (uint8_t)n;
	return off;
}

/* 1 with `c` filled (c->crc_ok says whether the checksum matched), 0 if
 * not this command, -1 if too short to carry a command and a checksum or
 * if it wraps another CRC-16 encapsulation. */
int
zw_cc_decode_crc16(const uint8_t *cmd, size_t len, struct zw_crc16 *c)
{
	memset(c, 0, sizeof(*c));
	if (len < 2 || cmd[0] != ZW_CC_CRC16 || cmd[1] != CRC16_ENCAP)
		return len < 1 ? -1 : 0;
	if (len < 5 || cmd[2] == ZW_CC_CRC16)
		return -1;
	c->inner = cmd + 2;
	c->ninner = len - 4;
	c->crc_ok = zw_crc16(cmd, len - 2) ==
	    (uint16_t)(cmd[len - 2] << 8 | cmd[len - 1]);
	return 1;
}

size_t
zw_cc_crc16_encap(uint8_t *out, size_t outlen, const uint8_t *inner,
    size_t n)
{
	uint16_t crc;

	if (n < 1 || n + 4 > outlen)
		return 0;
	memmove(out + 2, inner, n);	/* first: `inner` may be `out` */
	out[0] = ZW_CC_CRC16;
	out[1] = CRC16_ENCAP;
	crc = zw_crc16(out, n + 2);
	out[n + 2] = (uint8_t)(crc >> 8);
	out[n + 3] = (uint8_t)(crc & 0xff);
	return n + 4;
}
