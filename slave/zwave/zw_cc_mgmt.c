/*
 * Network management command classes, pure encoders and decoders: Wake
 * Up (sleeping nodes), Association (the lifeline to the controller) and
 * Version's per-class versions. cmd[0] is the class, cmd[1] the command;
 * nothing is read past `len`.
 */

#include <string.h>

#include "zwave/zw_cc.h"

#define WU_INTERVAL_SET		0x04
#define WU_INTERVAL_GET		0x05
#define WU_INTERVAL_REPORT	0x06
#define WU_NOTIFICATION		0x07
#define WU_NO_MORE		0x08
#define WU_CAPS_REPORT		0x0a
#define ASSOC_SET		0x01
#define ASSOC_GET		0x02
#define ASSOC_REPORT		0x03
#define ASSOC_REMOVE		0x04
#define ASSOC_GROUPINGS_GET	0x05
#define ASSOC_GROUPINGS_REPORT	0x06
#define AGI_NAME_GET		0x01
#define AGI_NAME_REPORT		0x02
#define VERSION_CC_GET		0x13
#define VERSION_CC_REPORT	0x14
#define MULTI_CHANNEL_MARKER	0x00	/* endpoint pairs follow */

static uint32_t
be24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

/* Interval Set: seconds (24 bits), the node to notify (the controller). */
size_t
zw_cc_wakeup_interval_set(uint8_t *out, size_t outlen, uint32_t seconds,
    uint8_t node)
{
	if (outlen < 6 || seconds > ZW_WAKEUP_MAX_S || node < 1 ||
	    node > ZW_MAX_NODES)
		return 0;
	out[0] = ZW_CC_WAKE_UP;
	out[1] = WU_INTERVAL_SET;
	out[2] = (uint8_t)(seconds >> 16);
	out[3] = (uint8_t)(seconds >> 8);
	out[4] = (uint8_t)seconds;
	out[5] = node;
	return 6;
}

static size_t
two(uint8_t *out, size_t outlen, uint8_t cc, uint8_t cmd)
{
	if (outlen < 2)
		return 0;
	out[0] = cc;
	out[1] = cmd;
	return 2;
}

size_t
zw_cc_wakeup_interval_get(uint8_t *out, size_t outlen)
{
	return two(out, outlen, ZW_CC_WAKE_UP, WU_INTERVAL_GET);
}

/* Wake Up No More Information: the node may go back to sleep. */
size_t
zw_cc_wakeup_no_more(uint8_t *out, size_t outlen)
{
	return two(out, outlen, ZW_CC_WAKE_UP, WU_NO_MORE);
}

int
zw_cc_decode_wakeup(const uint8_t *cmd, size_t len, struct zw_wakeup *w)
{
	memset(w, 0, sizeof(*w));
	if (len < 2 || cmd[0] != ZW_CC_WAKE_UP)
		return len < 1 ? -1 : 0;
	switch (cmd[1]) {
	case WU_NOTIFICATION:
		w->kind = ZW_WU_NOTIFICATION;
		return 1;
	case WU_INTERVAL_REPORT:
		if (len < 6 || cmd[5] > ZW_MAX_NODES)
			return -1;
		w->kind = ZW_WU_INTERVAL;
		w->interval = be24(cmd + 2);
		w->node = cmd[5];
		return 1;
	case WU_CAPS_REPORT:
		if (len < 14)
			return -1;
		w->kind = ZW_WU_CAPABILITIES;
		w->min = be24(cmd + 2);
		w->max = be24(cmd + 5);
		w->dflt = be24(cmd + 8);
		w->step = be24(cmd + 11);
		return w->min <= w->max ? 1 : -1;
	default:
		return 0;
	}
}

/* Association Set: add `node` to `group`. */
size_t
zw_cc_assoc_set(uint8_t *out, size_t outlen, uint8_t group, uint8_t node)
{
	if (outlen < 4 || group == 0 || node < 1 || node > ZW_MAX_NODES)
		return 0;
	out[0] = ZW_CC_ASSOCIATION;
	out[1] = ASSOC_SET;
	out[2] = group;
	out[3] = node;
	return 4;
}

size_t
zw_cc_assoc_groupings_get(uint8_t *out, size_t outlen)
{
	return two(out, outlen, ZW_CC_ASSOCIATION, ASSOC_GROUPINGS_GET);
}

/* Association Groupings Report: how many groups the node has; 0 if the
 * command is another, -1 if cut short. */
int
zw_cc_decode_groupings(const uint8_t *cmd, size_t len, uint8_t *groups)
{
	if (len < 2 || cmd[0] != ZW_CC_ASSOCIATION ||
	    cmd[1] != ASSOC_GROUPINGS_REPORT)
		return len < 1 ? -1 : 0;
	if (len < 3)
		return -1;
	*groups = cmd[2];
	return 1;
}

size_t
zw_cc_agi_name_get(uint8_t *out, size_t outlen, uint8_t group)
{
	if (group == 0 || two(out, outlen, ZW_CC_AGI, AGI_NAME_GET) == 0 ||
	    outlen < 3)
		return 0;
	out[2] = group;
	return 3;
}

/*
 * Association Group Info Name Report: group, length, name (UTF-8 in the
 * class; kept as printable ASCII, anything else '?', at most
 * ZW_CONFIG_NAME_MAX bytes, NUL-terminated in `name`). A length past the
 * frame is malformed.
 */
int
zw_cc_decode_agi_name(const uint8_t *cmd, size_t len, uint8_t *group,
    char *name)
{
	size_t i, n;

	if (len < 2 || cmd[0] != ZW_CC_AGI || cmd[1] != AGI_NAME_REPORT)
		return len < 1 ? -1 : 0;
	if (len < 4 || cmd[2] == 0 || (size_t)cmd[3] > len - 4)
		return -1;
	*group = cmd[2];
	n = cmd[3] < ZW_CONFIG_NAME_MAX ? cmd[3] : ZW_CONFIG_NAME_MAX;
	for (i = 0; i < n; i++)
		name[i] = cmd[4 + i] >= 0x20 && cmd[4 + i] < 0x7f ?
		    (char)cmd[4 + i] : '?';
	name[n] = '\0';
	return 1;
}

/* Association Remove: take `node` out of `group`. */
size_t
zw_cc_assoc_remove(uint8_t *out, size_t outlen, uint8_t group, uint8_t node)
{
	if (zw_cc_assoc_set(out, outlen, group, node) == 0)
		return 0;
	out[1] = ASSOC_REMOVE;
	return 4;
}

size_t
zw_cc_assoc_get(uint8_t *out, size_t outlen, uint8_t group)
{
	if (group == 0 || two(out, outlen, ZW_CC_ASSOCIATION, ASSOC_GET) == 0 ||
	    outlen < 3)
		return 0;
	out[2] = group;
	return 3;
}

/*
 * Multi Channel Association Set: no plain node ids, the marker, then one
 * (node, endpoint) destination. A lifeline to our endpoint 0 this way
 * makes a node with endpoints report each endpoint's changes in a Multi
 * Channel encapsulation naming it; a plain lifeline gets only the root's.
 */
size_t
zw_cc_mca_set(uint8_t *out, size_t outlen, uint8_t group, uint8_t node,
    uint8_t ep)
{
	if (outlen < 6 || group == 0 || node < 1 || node > ZW_MAX_NODES ||
	    ep > 127)
		return 0;
	out[0] = ZW_CC_MC_ASSOCIATION;
	out[1] = ASSOC_SET;
	out[2] = group;
	out[3] = MULTI_CHANNEL_MARKER;
	out[4] = node;
	out[5] = ep;
	return 6;
}

size_t
zw_cc_mca_get(uint8_t *out, size_t outlen, uint8_t group)
{
	if (group == 0 || two(out, outlen, ZW_CC_MC_ASSOCIATION, ASSOC_GET) ==
	    0 || outlen < 3)
		return 0;
	out[2] = group;
	return 3;
}

/* The (node, endpoint) pairs after a Multi Channel Association Report's
 * marker, from cmd[i]: an odd byte out or an impossible id is malformed. */
static int
decode_ep_pairs(const uint8_t *cmd, size_t len, size_t i, struct zw_assoc *a)
{
	if ((len - i) % 2 != 0)
		return -1;
	for (; i + 1 < len; i += 2) {
		if (cmd[i] < 1 || cmd[i] > ZW_MAX_NODES)
			return -1;
		if (a->nep < ZW_MAX_ASSOC_NODES) {
			a->ep_node[a->nep] = cmd[i];
			a->ep[a->nep++] = cmd[i + 1];
		}
	}
	return 1;
}

/*
 * Association Report (0x85) or Multi Channel Association Report (0x8e):
 * group, its capacity, reports to follow, then the node ids; after a
 * marker, (node, endpoint) pairs, kept for 0x8e only (an Association
 * Report has none to give). Ids past ZW_MAX_ASSOC_NODES are dropped; an
 * impossible id is malformed.
 */
int
zw_cc_decode_assoc(const uint8_t *cmd, size_t len, struct zw_assoc *a)
{
	size_t i;

	memset(a, 0, sizeof(*a));
	if (len < 2 || (cmd[0] != ZW_CC_ASSOCIATION &&
	    cmd[0] != ZW_CC_MC_ASSOCIATION) || cmd[1] != ASSOC_REPORT)
		return len < 1 ? -1 : 0;
	if (len < 5 || cmd[2] == 0)
		return -1;
	a->group = cmd[2];
	a->max = cmd[3];
	a->follow = cmd[4];
	for (i = 5; i < len && cmd[i] != MULTI_CHANNEL_MARKER; i++) {
		if (cmd[i] > ZW_MAX_NODES)
			return -1;
		if (a->n < ZW_MAX_ASSOC_NODES)
			a->nodes[a->n++] = cmd[i];
	}
	if (i < len && cmd[0] == ZW_CC_MC_ASSOCIATION)
		return decode_ep_pairs(cmd, len, i + 1, a);
	return 1;
}

size_t
zw_cc_version_cc_get(uint8_t *out, size_t outlen, uint8_t cc)
{
	if (two(out, outlen, ZW_CC_VERSION, VERSION_CC_GET) == 0 || outlen < 3)
		return 0;
	out[2] = cc;
	return 3;
}

/* Version Command Class Report: the class and its version (0: the node
 * does not support it after all). */
int
zw_cc_decode_cc_version(const uint8_t *cmd, size_t len, uint8_t *cc,
    uint8_t *version)
{
	if (len < 2 || cmd[0] != ZW_CC_VERSION || cmd[1] != VERSION_CC_REPORT)
		return len < 1 ? -1 : 0;
	if (len < 4)
		return -1;
	*cc = cmd[2];
	*version = cmd[3];
	return 1;
}
