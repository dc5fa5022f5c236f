/*
 * Unit tests for the network management command classes: Wake Up,
 * Association and Version's per-class versions (slave/zwave/zw_cc_mgmt.c),
 * Multi Channel (zw_cc_mc.c), Supervision (zw_cc_supervision.c), Multi
 * Command and CRC-16 (zw_cc_encap.c): known byte strings both ways, and
 * malformed ones refused.
 */

#include <stdint.h>
#include <string.h>

#include "check.h"
#include "../../slave/zwave/zw_cc.h"

#define LEN(a)	(sizeof(a) / sizeof((a)[0]))

static int
bytes(const uint8_t *got, size_t n, const uint8_t *want, size_t wn)
{
	return n == wn && memcmp(got, want, n) == 0;
}

static void
test_wakeup(void)
{
	static const uint8_t set[] = { 0x84, 0x04, 0x00, 0x0e, 0x10, 0x01 };
	static const uint8_t notif[] = { 0x84, 0x07 };
	static const uint8_t report[] = { 0x84, 0x06, 0x01, 0x51, 0x80, 0x01 };
	static const uint8_t caps[] = { 0x84, 0x0a, 0, 0, 60, 0, 0x0e, 0x10,
	    0, 0x0e, 0x10, 0, 0, 60 };
	static const uint8_t bad_caps[] = { 0x84, 0x0a, 0, 0x0e, 0x10, 0, 0,
	    60, 0, 0, 60, 0, 0, 60 };
	uint8_t		 out[8];
	struct zw_wakeup w;

	CHECK(bytes(out, zw_cc_wakeup_interval_set(out, sizeof(out), 3600, 1),
	    set, LEN(set)), "Wake Up Interval Set: 3600 s to node 1");
	CHECK(zw_cc_wakeup_interval_set(out, sizeof(out), ZW_WAKEUP_MAX_S + 1,
	    1) == 0 && zw_cc_wakeup_interval_set(out, sizeof(out), 60, 0) ==
	    0 && zw_cc_wakeup_interval_set(out, 5, 60, 1) == 0,
	    "interval past 24 bits, node 0, short buffer: refused");
	CHECK(zw_cc_wakeup_no_more(out, sizeof(out)) == 2 && out[1] == 0x08,
	    "No More Information");
	CHECK(zw_cc_wakeup_interval_get(out, sizeof(out)) == 2 &&
	    out[1] == 0x05, "Interval Get");
	CHECK(zw_cc_decode_wakeup(notif, sizeof(notif), &w) == 1 &&
	    w.kind == ZW_WU_NOTIFICATION, "Notification: the node is awake");
	CHECK(zw_cc_decode_wakeup(report, sizeof(report), &w) == 1 &&
	    w.kind == ZW_WU_INTERVAL && w.interval == 86400 && w.node == 1,
	    "Interval Report: 86400 s, to node 1");
	CHECK(zw_cc_decode_wakeup(report, 5, &w) == -1,
	    "Interval Report cut short");
	CHECK(zw_cc_decode_wakeup(caps, sizeof(caps), &w) == 1 &&
	    w.kind == ZW_WU_CAPABILITIES && w.min == 60 && w.max == 3600 &&
	    w.dflt == 3600 && w.step == 60, "Capabilities: 60..3600 by 60");
	CHECK(zw_cc_decode_wakeup(bad_caps, sizeof(bad_caps), &w) == -1,
	    "Capabilities with min > max: malformed");
	CHECK(zw_cc_decode_wakeup(set, sizeof(set), &w) == 0 &&
	    zw_cc_decode_wakeup((const uint8_t []){ 0x25, 0x03 }, 2, &w) == 0,
	    "a Set, another class: not decoded");
}

static void
test_assoc(void)
{
	static const uint8_t set[] = { 0x85, 0x01, 0x01, 0x01 };
	static const uint8_t report[] = { 0x85, 0x03, 0x01, 0x05, 0x00, 0x01,
	    0x07, 0x00, 0x01, 0x02 };
	static const uint8_t bad[] = { 0x85, 0x03, 0x01, 0x05, 0x00, 0xe9 };
	static const uint8_t remove[] = { 0x85, 0x04, 0x02, 0x07 };
	static const uint8_t full[] = { 0x85, 0x03, 0x02, 0x04, 0x01, 0x03,
	    0x04, 0x05, 0x06 };
	static const uint8_t groupings_get[] = { 0x85, 0x05 };
	static const uint8_t groupings[] = { 0x85, 0x06, 0x03 };
	static const uint8_t agi[] = { 0x59, 0x02, 0x02, 0x09, 'B', 'a', 's',
	    'i', 'c', 0x01, 'S', 'e', 't' };
	char		 name[ZW_CONFIG_NAME_MAX + 1];
	uint8_t		 out[8], g;
	struct zw_assoc	 a;

	CHECK(bytes(out, zw_cc_assoc_set(out, sizeof(out), ZW_LIFELINE, 1),
	    set, LEN(set)), "Association Set: lifeline to node 1");
	CHECK(zw_cc_assoc_set(out, sizeof(out), 0, 1) == 0 &&
	    zw_cc_assoc_set(out, sizeof(out), 1, 233) == 0,
	    "group 0, node 233: refused");
	CHECK(zw_cc_assoc_get(out, sizeof(out), 1) == 3 && out[2] == 1,
	    "Association Get group 1");
	CHECK(bytes(out, zw_cc_assoc_remove(out, sizeof(out), 2, 7), remove,
	    LEN(remove)), "Association Remove: node 7 from group 2");
	CHECK(zw_cc_assoc_remove(out, sizeof(out), 0, 7) == 0 &&
	    zw_cc_assoc_remove(out, sizeof(out), 2, 0) == 0 &&
	    zw_cc_assoc_remove(out, 3, 2, 7) == 0,
	    "Remove: group 0, node 0, a short buffer: refused");
	CHECK(zw_cc_decode_assoc(full, sizeof(full), &a) == 1 &&
	    a.group == 2 && a.max == 4 && a.follow == 1 && a.n == 4 &&
	    a.nodes[3] == 6, "Report: group 2 full, one more to follow");
	CHECK(bytes(out, zw_cc_assoc_groupings_get(out, sizeof(out)),
	    groupings_get, LEN(groupings_get)), "Groupings Get");
	CHECK(zw_cc_decode_groupings(groupings, sizeof(groupings), &g) == 1 &&
	    g == 3, "Groupings Report: 3 groups");
	CHECK(zw_cc_decode_groupings(groupings, 2, &g) == -1,
	    "Groupings Report cut short");
	CHECK(zw_cc_decode_groupings(report, sizeof(report), &g) == 0,
	    "an Association Report is not a Groupings Report");
	CHECK(zw_cc_agi_name_get(out, sizeof(out), 2) == 3 && out[0] == 0x59 &&
	    out[1] == 0x01 && out[2] == 2, "AGI Group Name Get group 2");
	CHECK(zw_cc_decode_agi_name(agi, sizeof(agi), &g, name) == 1 &&
	    g == 2 && strcmp(name, "Basic?Set") == 0,
	    "AGI Name Report: group 2, a control byte shown as '?'");
	CHECK(zw_cc_decode_agi_name(agi, sizeof(agi) - 1, &g, name) == -1,
	    "AGI Name Report: a length past the frame is malformed");
	CHECK(zw_cc_decode_assoc(report, sizeof(report), &a) == 1 &&
	    a.group == 1 && a.max == 5 && a.n == 2 && a.nodes[0] == 1 &&
	    a.nodes[1] == 7, "Report: nodes 1 and 7, endpoint pairs skipped");
	CHECK(zw_cc_decode_assoc(bad, sizeof(bad), &a) == -1,
	    "Report naming node 233: malformed");
	CHECK(zw_cc_decode_assoc(report, 4, &a) == -1, "Report cut short");
}

static void
test_supported(void)
{
	static const uint8_t sensors[] = { 0x31, 0x02, 0x11, 0x80 };
	static const uint8_t meter4[] = { 0x32, 0x04, 0x61, 0x05 };
	static const uint8_t meter2[] = { 0x32, 0x04, 0x01, 0x84 };
	static const uint8_t bad[] = { 0x32, 0x04, 0x60, 0x01 };
	uint8_t	g[ZW_POLL_SUPPORTED_MAX][4], out[4];

	CHECK(zw_cc_supported_get(out, sizeof(out), 0x31) == 2 &&
	    out[1] == 0x01 && zw_cc_supported_get(out, sizeof(out), 0x32) ==
	    2 && out[1] == 0x03 && zw_cc_supported_get(out, sizeof(out),
	    0x25) == 0, "Supported Gets of 0x31 and 0x32 only");
	CHECK(zw_cc_supported(sensors, sizeof(sensors), g, 8) == 3 &&
	    g[0][2] == 1 && g[1][2] == 5 && g[2][2] == 16 && g[0][1] == 0x04,
	    "Supported Sensor Report: GETs of types 1, 5 and 16");
	CHECK(zw_cc_supported(sensors, sizeof(sensors), g, 2) == 2,
	    "at most the GETs asked for");
	CHECK(zw_cc_supported(meter4, sizeof(meter4), g, 8) == 4 &&
	    g[0][2] == 0x40 && g[1][2] == 0x80 && g[2][2] == 0x50 &&
	    g[3][2] == 0x90, "Meter v4: kWh and W, each import and export");
	CHECK(zw_cc_supported(meter2, sizeof(meter2), g, 8) == 1 &&
	    g[0][2] == 0x10, "Meter v2: scale 2 (W) alone, the more-scales "
	    "bit not asked, no rate type");
	CHECK(zw_cc_supported(bad, sizeof(bad), g, 8) == -1 &&
	    zw_cc_supported(sensors, 2, g, 8) == -1,
	    "no meter type, an empty mask: malformed");
}

static void
test_mca(void)
{
	static const uint8_t set[] = { 0x8e, 0x01, 0x01, 0x00, 0x01, 0x00 };
	static const uint8_t report[] = { 0x8e, 0x03, 0x01, 0x05, 0x00, 0x07,
	    0x00, 0x01, 0x00, 0x09, 0x02 };
	static const uint8_t odd[] = { 0x8e, 0x03, 0x01, 0x05, 0x00, 0x00,
	    0x01 };
	static const uint8_t zero[] = { 0x8e, 0x03, 0x01, 0x05, 0x00, 0x00,
	    0x00, 0x00 };
	uint8_t		 out[8];
	struct zw_assoc	 a;

	CHECK(bytes(out, zw_cc_mca_set(out, sizeof(out), ZW_LIFELINE, 1, 0),
	    set, LEN(set)), "Multi Channel Association Set: lifeline to "
	    "node 1 endpoint 0, after the marker");
	CHECK(zw_cc_mca_set(out, 5, 1, 1, 0) == 0 &&
	    zw_cc_mca_set(out, sizeof(out), 1, 1, 128) == 0,
	    "no room, endpoint 128: refused");
	CHECK(zw_cc_mca_get(out, sizeof(out), 1) == 3 && out[0] == 0x8e &&
	    out[1] == 0x02 && out[2] == 1, "Multi Channel Association Get");
	CHECK(zw_cc_decode_assoc(report, sizeof(report), &a) == 1 &&
	    a.n == 1 && a.nodes[0] == 7 && a.nep == 2 && a.ep_node[0] == 1 &&
	    a.ep[0] == 0 && a.ep_node[1] == 9 && a.ep[1] == 2,
	    "Report: node 7, then (1, 0) and (9, 2)");
	CHECK(zw_cc_decode_assoc(odd, sizeof(odd), &a) == -1 &&
	    zw_cc_decode_assoc(zero, sizeof(zero), &a) == -1,
	    "a pair cut in half, node 0 in a pair: malformed");
}

static void
test_version(void)
{
	static const uint8_t report[] = { 0x86, 0x14, 0x25, 0x02 };
	uint8_t out[4], cc = 0, v = 0;

	CHECK(zw_cc_version_cc_get(out, sizeof(out), 0x25) == 3 &&
	    out[0] == 0x86 && out[1] == 0x13 && out[2] == 0x25,
	    "Version Command Class Get 0x25");
	CHECK(zw_cc_decode_cc_version(report, sizeof(report), &cc, &v) == 1 &&
	    cc == 0x25 && v == 2, "Command Class Report: 0x25 version 2");
	CHECK(zw_cc_decode_cc_version(report, 3, &cc, &v) == -1,
	    "cut short: malformed");
}

static void
test_mc(void)
{
	static const uint8_t encap[] = { 0x60, 0x0d, 0x02, 0x00, 0x25, 0x03,
	    0xff };
	static const uint8_t ep[] = { 0x60, 0x08, 0x40, 0x02 };
	static const uint8_t cap[] = { 0x60, 0x0a, 0x02, 0x10, 0x01, 0x25,
	    0x86, 0xef, 0x20 };
	static const uint8_t bitaddr[] = { 0x60, 0x0d, 0x02, 0x81, 0x25, 0x03 };
	static const uint8_t nested[] = { 0x60, 0x0d, 0x02, 0x00, 0x60, 0x0d };
	static const uint8_t set[] = { 0x25, 0x01, 0xff };
	static const uint8_t want[] = { 0x60, 0x0d, 0x00, 0x02, 0x25, 0x01,
	    0xff };
	uint8_t		out[16];
	struct zw_mc	m;

	CHECK(bytes(out, zw_cc_mc_encap(out, sizeof(out), 0, 2, set,
	    sizeof(set)), want, LEN(want)), "encapsulate a SET for endpoint 2");
	memcpy(out, set, sizeof(set));
	CHECK(bytes(out, zw_cc_mc_encap(out, sizeof(out), 0, 2, out,
	    sizeof(set)), want, LEN(want)), "encapsulate in place");
	CHECK(zw_cc_mc_encap(out, 6, 0, 2, set, sizeof(set)) == 0 &&
	    zw_cc_mc_encap(out, sizeof(out), 0, 128, set, sizeof(set)) == 0,
	    "short buffer, endpoint 128: refused");
	CHECK(zw_cc_decode_mc(encap, sizeof(encap), &m) == 1 &&
	    m.kind == ZW_MC_ENCAP && m.src == 2 && m.dst == 0 &&
	    m.ninner == 3 && m.inner == encap + 4,
	    "decapsulate endpoint 2's report");
	CHECK(zw_cc_decode_mc(bitaddr, sizeof(bitaddr), &m) == -1 &&
	    zw_cc_decode_mc(nested, sizeof(nested), &m) == -1 &&
	    zw_cc_decode_mc(encap, 4, &m) == -1,
	    "bit address, nested, empty: malformed");
	CHECK(zw_cc_decode_mc(ep, sizeof(ep), &m) == 1 &&
	    m.kind == ZW_MC_ENDPOINTS && m.count == 2 && m.identical &&
	    !m.dynamic, "End Point Report: two identical endpoints");
	CHECK(zw_cc_decode_mc(cap, sizeof(cap), &m) == 1 &&
	    m.kind == ZW_MC_CAPABILITY && m.ep == 2 && m.generic == 0x10 &&
	    m.ncc == 2 && m.cc[1] == 0x86,
	    "Capability Report: endpoint 2, a switch, controlled ones cut");
	CHECK(zw_cc_mc_capability_get(out, sizeof(out), 2) == 3 &&
	    zw_cc_mc_capability_get(out, sizeof(out), 0) == 0 &&
	    zw_cc_mc_endpoints_get(out, sizeof(out)) == 2,
	    "End Point Get, Capability Get (not endpoint 0)");
}

static void
test_supervision(void)
{
	static const uint8_t set[] = { 0x25, 0x01, 0xff };
	static const uint8_t want[] = { 0x6c, 0x01, 0x85, 0x03, 0x25, 0x01,
	    0xff };
	static const uint8_t report[] = { 0x6c, 0x02, 0x05, 0xff, 0x00 };
	static const uint8_t bad_status[] = { 0x6c, 0x02, 0x05, 0x07, 0x00 };
	static const uint8_t long_len[] = { 0x6c, 0x01, 0x05, 0x09, 0x71,
	    0x05 };
	static const uint8_t get[] = { 0x6c, 0x01, 0x11, 0x02, 0x71, 0x05,
	    0xaa };
	static const uint8_t sreport[] = { 0x6c, 0x02, 0x11, 0xff, 0x00 };
	uint8_t			out[16];
	struct zw_supervision	s;

	CHECK(bytes(out, zw_cc_supervision_get(out, sizeof(out), 5, 1, set,
	    sizeof(set)), want, LEN(want)),
	    "Supervision Get around a SET, session 5, updates wanted");
	memcpy(out, set, sizeof(set));
	CHECK(bytes(out, zw_cc_supervision_get(out, sizeof(out), 5, 1, out,
	    sizeof(set)), want, LEN(want)), "wrap in place");
	CHECK(zw_cc_supervision_get(out, sizeof(out), 64, 0, set,
	    sizeof(set)) == 0 && zw_cc_supervision_get(out, sizeof(out), 1,
	    0, want, sizeof(want)) == 0, "session 64, nested: refused");
	CHECK(zw_cc_decode_supervision(report, sizeof(report), &s) == 1 &&
	    !s.get && s.session == 5 && s.status == ZW_SV_SUCCESS,
	    "Report: session 5 SUCCESS");
	CHECK(zw_cc_decode_supervision(bad_status, sizeof(bad_status), &s) ==
	    -1, "Report with an unknown status: malformed");
	CHECK(zw_cc_decode_supervision(get, sizeof(get), &s) == 1 && s.get &&
	    s.session == 0x11 && s.ninner == 2 && s.inner == get + 4,
	    "Get from a node: its command, the length byte's worth");
	CHECK(zw_cc_decode_supervision(long_len, sizeof(long_len), &s) == -1,
	    "Get whose length runs past the frame: malformed");
	CHECK(bytes(out, zw_cc_supervision_report(out, sizeof(out), 0x11,
	    ZW_SV_SUCCESS, 0), sreport, LEN(sreport)),
	    "our answer: Report SUCCESS for its session");
}

/* Multi Command Encapsulated: 8F 01 COUNT (LEN CMD)... */
static void
test_multi(void)
{
	static const uint8_t two[] = { 0x8f, 0x01, 2, 3, 0x80, 0x03, 0x50,
	    2, 0x20, 0x02 };
	static const uint8_t bad[][7] = {
		{ 0x8f, 0x01, 0 },			/* no command */
		{ 0x8f, 0x01, 2, 3, 0x80, 0x03, 0x50 },	/* count */
		{ 0x8f, 0x01, 1, 4, 0x80, 0x03, 0x50 },	/* length */
		{ 0x8f, 0x01, 1, 0, 0x80 },		/* empty */
		{ 0x8f, 0x01, 1, 2, 0x80, 0x03, 0x50 },	/* trailing */
		{ 0x8f, 0x01, 1, 3, 0x8f, 0x01, 0 },	/* nested */
		{ 0x8f, 0x01, 17, 1, 0x20 },		/* > MAX */
	};
	static const size_t badlen[] = { 3, 7, 7, 5, 7, 7, 5 };
	const uint8_t	*cmds[2] = { two + 4, two + 8 };
	size_t		 lens[2] = { 3, 2 }, i;
	struct zw_multi	 m;
	uint8_t		 out[16];
	int		 ok = 1;

	CHECK(zw_cc_decode_multi(two, sizeof(two), &m) == 1 && m.n == 2 &&
	    m.cmd[0] == two + 4 && m.len[0] == 3 && m.cmd[1] == two + 8 &&
	    m.len[1] == 2, "Multi Command: two commands, borrowed in place");
	CHECK(bytes(out, zw_cc_multi_encap(out, sizeof(out), cmds, lens, 2),
	    two, sizeof(two)), "and encoded back to the same bytes");
	CHECK(zw_cc_multi_encap(out, 9, cmds, lens, 2) == 0,
	    "encoding refuses a buffer one byte short");
	for (i = 0; i < LEN(bad); i++)
		ok &= zw_cc_decode_multi(bad[i], badlen[i], &m) == -1;
	CHECK(ok, "refused: no command, a count or length past the end, an "
	    "empty command, trailing bytes, a Multi Command inside, more "
	    "than ZW_MULTI_CMD_MAX");
	CHECK(zw_cc_decode_multi((const uint8_t []){ 0x80, 0x03 }, 2, &m) ==
	    0, "another class is not its");
}

/* CRC-16 Encapsulated: 56 01 CMD CRC; Basic Get is 56 01 20 02 4D 26,
 * the specification's example. */
static void
test_crc16(void)
{
	static const uint8_t get[] = { 0x56, 0x01, 0x20, 0x02, 0x4d, 0x26 };
	uint8_t		 out[8], bad[sizeof(get)];
	struct zw_crc16	 k;

	CHECK(zw_crc16(get, 4) == 0x4d26, "CRC-CCITT from 0x1D0F: 0x4D26");
	CHECK(zw_cc_decode_crc16(get, sizeof(get), &k) == 1 && k.crc_ok &&
	    k.inner == get + 2 && k.ninner == 2, "decoded: Basic Get inside");
	CHECK(bytes(out, zw_cc_crc16_encap(out, sizeof(out), get + 2, 2),
	    get, sizeof(get)), "encoded to the same bytes");
	memcpy(bad, get, sizeof(bad));
	bad[3] ^= 1;
	CHECK(zw_cc_decode_crc16(bad, sizeof(bad), &k) == 1 && !k.crc_ok,
	    "one bit changed: the checksum does not match");
	CHECK(zw_cc_decode_crc16(get, 4, &k) == -1 &&
	    zw_cc_decode_crc16((const uint8_t []){ 0x56, 0x01, 0x56, 0x01,
	    0x20, 0, 0 }, 7, &k) == -1, "refused: no room for a command and "
	    "its checksum, CRC-16 inside CRC-16");
	CHECK(zw_cc_crc16_encap(out, 5, get + 2, 2) == 0,
	    "encoding refuses a buffer one byte short");
}

int
main(void)
{
	test_wakeup();
	test_assoc();
	test_mca();
	test_supported();
	test_version();
	test_mc();
	test_supervision();
	test_multi();
	test_crc16();
	return check_done();
}
