/*
 * Parsers of the stick's answers and unsolicited frames: pure functions
 * over a payload (the bytes after the function id), no state, no I/O, so
 * the unit tests and the fuzz harness call them directly. Each checks the
 * bytes left before every read and leaves its output untouched on -1.
 */

#include <string.h>

#include "zwave/zw.h"

/* GetCapabilities (0x07): app version (2), manufacturer, type, id (2 each),
 * then the function bitmask, which we do not need. */
int
zw_parse_caps(const uint8_t *p, size_t n, struct zw_caps *out)
{
	if (n < ZW_CAPS_MIN_LEN)
		return -1;
	out->app_major = p[0];
	out->app_minor = p[1];
	out->manufacturer = (uint16_t)(p[2] << 8 | p[3]);
	out->product_type = (uint16_t)(p[4] << 8 | p[5]);
	out->product_id = (uint16_t)(p[6] << 8 | p[7]);
	return 0;
}

/* GetVersion (0x15): "Z-Wave x.yy" NUL-padded, then the library type. Only
 * the printable prefix is kept; an answer with none is malformed. */
int
zw_parse_version(const uint8_t *p, size_t n, char *out, size_t outlen)
{
	size_t i;

	if (outlen == 0)
		return -1;
	for (i = 0; i < n && i < outlen - 1 && p[i] >= 0x20 && p[i] < 0x7f;
	    i++)
		out[i] = (char)p[i];
	out[i] = '\0';
	return i == 0 ? -1 : 0;
}

/* The major of a library version "Z-Wave 7.18" (7: a 700 or 800 stick,
 * 6 or less: 500 series and older), or -1 if it says none. */
int
zw_version_major(const char *v)
{
	static const char pre[] = "Z-Wave ";
	int major = 0, digits = 0;

	if (strncmp(v, pre, sizeof(pre) - 1) != 0)
		return -1;
	for (v += sizeof(pre) - 1; *v >= '0' && *v <= '9' && digits < 3;
	    v++, digits++)
		major = major * 10 + (*v - '0');
	return digits == 0 ? -1 : major;
}

/* MemoryGetId (0x20): home id (4, big-endian), own node id (1). */
int
zw_parse_memid(const uint8_t *p, size_t n, uint32_t *home, uint8_t *own)
{
	if (n < 5 || p[4] < 1 || p[4] > ZW_MAX_NODES)
		return -1;
	*home = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
	*own = p[4];
	return 0;
}

/* GetInitData (0x02): API version, capabilities, mask length, node mask
 * (bit i of the mask is node i + 1), chip type and version. listed[id] is
 * set to 0/1 for ids 1..ZW_MAX_NODES; returns the number listed. */
int
zw_parse_init(const uint8_t *p, size_t n, uint8_t listed[ZW_MAX_NODES + 1])
{
	size_t	nbytes, i;
	int	count = 0;

	if (n < 3 || (nbytes = p[2]) > ZW_NODEMASK_LEN || n < 3 + nbytes)
		return -1;
	memset(listed, 0, ZW_MAX_NODES + 1);
	for (i = 0; i < nbytes * 8 && i < ZW_MAX_NODES; i++)
		if (p[3 + i / 8] & (1u << (i % 8))) {
			listed[i + 1] = 1;
			count++;
		}
	return count;
}

/* GetNodeProtocolInfo (0x41): capability, security, reserved, basic,
 * generic, specific. A generic class of 0: the stick knows no such node. */
int
zw_parse_protocol_info(const uint8_t *p, size_t n, struct zw_proto_info *out)
{
	if (n < 6 || p[4] == 0)
		return -1;
	out->cap = p[0];
	out->sec = p[1];
	out->basic = p[3];
	out->generic = p[4];
	out->specific = p[5];
	return 0;
}

/* ApplicationUpdate (0x49): status, node id, length, then `length` bytes:
 * basic, generic, specific and the command classes (for a node info
 * frame; other statuses may carry no info). Command classes past the
 * 0xEF mark (those the node controls, not supports) are not kept. */
int
zw_parse_app_update(const uint8_t *p, size_t n, struct zw_app_update *out)
{
	size_t len, i;

	/* A failed request may name node 0: the stick need not say which. */
	if (n < 3 || p[1] > ZW_MAX_NODES ||
	    (p[1] < 1 && p[0] != ZW_UPDATE_NIF_FAILED))
		return -1;
	len = p[2];
	if (n < 3 + len)
		return -1;
	memset(out, 0, sizeof(*out));
	out->status = p[0];
	out->node = p[1];
	if (len < 3)
		return out->status == ZW_UPDATE_NIF ? -1 : 0;
	out->basic = p[3];
	out->generic = p[4];
	out->specific = p[5];
	for (i = 6; i < 3 + len && out->ncc < ZW_MAX_NODE_CCS; i++) {
		if (p[i] == ZW_CC_MARK)
			break;
		out->cc[out->ncc++] = p[i];
	}
	return 0;
}

/*
 * ApplicationUpdate "SmartStart home id received" (0x85): status, node
 * id (0: the device is in no network yet), rx status, the device's NWI
 * home id (4 bytes), then its node information's length and that: basic,
 * generic and specific class, command classes (not kept: SmartStart
 * goes by the home id, the classes come with the inclusion).
 */
int
zw_parse_ss_update(const uint8_t *p, size_t n, struct zw_ss_update *out)
{
	if (n < 7 || (p[0] != ZW_UPDATE_SS_HOMEID &&
	    p[0] != ZW_UPDATE_SS_HOMEID_LR) || p[1] > ZW_MAX_NODES)
		return -1;
	memset(out, 0, sizeof(*out));
	out->status = p[0];
	out->node = p[1];
	out->rx_status = p[2];
	memcpy(out->nwi, p + 3, sizeof(out->nwi));
	if (n >= 11 && p[7] >= 3) {
		out->basic = p[8];
		out->generic = p[9];
		out->specific = p[10];
	}
	return 0;
}

/* ApplicationCommandHandler (0x04): rx status, source node, length,
 * command; the bridge form (0xA8): rx status, destination, source, length,
 * command, then a multicast mask and RSSI that we ignore. The command
 * stays borrowed from `p`. */
int
zw_parse_app_command(uint8_t func, const uint8_t *p, size_t n,
    struct zw_app_command *out)
{
	size_t off = func == ZW_FN_APP_COMMAND_BRIDGE ? 1 : 0;
	size_t len;

	if (func != ZW_FN_APP_COMMAND && func != ZW_FN_APP_COMMAND_BRIDGE)
		return -1;
	if (n < off + 3 || p[off + 1] < 1 || p[off + 1] > ZW_MAX_NODES)
		return -1;
	len = p[off + 2];
	if (len < 1 || n < off + 3 + len)
		return -1;
	out->rx_status = p[0];
	out->node = p[off + 1];
	out->cmd = p + off + 3;
	out->len = len;
	return 0;
}

/*
 * A status callback: callback id, status, node id, then (when the node
 * is being added) the length of its node information and that: basic,
 * generic and specific class, then the command classes. Bytes beyond
 * the node information's length are ignored; a length running past the
 * frame is malformed.
 */
int
zw_parse_incl_status(const uint8_t *p, size_t n, struct zw_incl_status *st)
{
	size_t	ilen, i;

	memset(st, 0, sizeof(*st));
	if (n < 2)
		return -1;
	st->cb_id = p[0];
	st->status = p[1];
	if (n < 3)
		return 0;
	if (p[2] > ZW_MAX_NODES)
		return -1;
	st->node = p[2];
	if (n < 4 || p[3] == 0)
		return 0;
	ilen = p[3];
	if (ilen < 3 || 4 + ilen > n)
		return -1;
	st->have_info = 1;
	st->basic = p[4];
	st->generic = p[5];
	st->specific = p[6];
	for (i = 0; i + 3 < ilen && p[7 + i] != ZW_CC_MARK &&
	    st->ncc < ZW_MAX_NODE_CCS; i++)
		st->cc[st->ncc++] = p[7 + i];
	return 0;
}

int
zw_parse_tx_report(const uint8_t *p, size_t n, struct zw_tx_report *r)
{
	memset(r, 0, sizeof(*r));
	if (n < 2)
		return -1;
	r->cb_id = p[0];
	r->status = p[1];
	if (n < 6)
		return 0;		/* a 500-series stick: no report */
	if (p[4] > ZW_MAX_REPEATERS)
		return -1;
	r->have_route = 1;
	r->route_ms = (uint32_t)(p[2] << 8 | p[3]) * 10;
	r->repeaters = p[4];
	r->rssi_dbm = (int8_t)p[5];
	return 0;
}
