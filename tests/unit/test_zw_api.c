/* Unit tests for slave/zwave/zw_api.c: parsing the stick's answers. */

#include <stdint.h>
#include <string.h>

#include "check.h"
#include "../../slave/zwave/zw.h"

static void
test_caps(void)
{
	static const uint8_t ok[] = { 1, 2, 0x00, 0x86, 0x00, 0x01,
	    0x00, 0x5a, 0xff, 0xff };
	struct zw_caps c;

	memset(&c, 0, sizeof(c));
	CHECK(zw_parse_caps(ok, sizeof(ok), &c) == 0 && c.app_major == 1 &&
	    c.app_minor == 2 && c.manufacturer == 0x0086 &&
	    c.product_type == 0x0001 && c.product_id == 0x005a,
	    "capabilities: version, manufacturer, product");
	CHECK(zw_parse_caps(ok, ZW_CAPS_MIN_LEN - 1, &c) == -1,
	    "capabilities: one byte short is malformed");
	CHECK(zw_parse_caps(ok, 0, &c) == -1, "capabilities: empty");
}

static void
test_version(void)
{
	static const uint8_t v[] = "Z-Wave 7.18\0\0\x07";
	static const uint8_t bad[] = { 0x00, 'Z' };
	char out[16];

	CHECK(zw_parse_version(v, sizeof(v), out, sizeof(out)) == 0 &&
	    strcmp(out, "Z-Wave 7.18") == 0, "version: printable prefix");
	CHECK(zw_parse_version(v, sizeof(v), out, 5) == 0 &&
	    strcmp(out, "Z-Wa") == 0, "version: cut to the buffer");
	CHECK(zw_parse_version(bad, sizeof(bad), out, sizeof(out)) == -1,
	    "version: nothing printable is malformed");
	CHECK(zw_parse_version(v, 0, out, sizeof(out)) == -1 &&
	    out[0] == '\0', "version: empty answer");
	CHECK(zw_parse_version(v, sizeof(v), out, 0) == -1,
	    "version: no room at all");
}

static void
test_memid(void)
{
	static const uint8_t ok[] = { 0xc0, 0xff, 0xee, 0x01, 0x01 };
	uint8_t		bad[5];
	uint32_t	home = 7;
	uint8_t		own = 7;

	CHECK(zw_parse_memid(ok, sizeof(ok), &home, &own) == 0 &&
	    home == 0xc0ffee01 && own == 1, "memory id: home id, node 1");
	home = 7;
	CHECK(zw_parse_memid(ok, 4, &home, &own) == -1 && home == 7,
	    "memory id: short, output untouched");
	memcpy(bad, ok, sizeof(bad));
	bad[4] = 0;
	CHECK(zw_parse_memid(bad, 5, &home, &own) == -1, "memory id: node 0");
	bad[4] = ZW_MAX_NODES + 1;
	CHECK(zw_parse_memid(bad, 5, &home, &own) == -1,
	    "memory id: node %d", ZW_MAX_NODES + 1);
	bad[4] = ZW_MAX_NODES;
	CHECK(zw_parse_memid(bad, 5, &home, &own) == 0 && own == ZW_MAX_NODES,
	    "memory id: node %d", ZW_MAX_NODES);
}

static void
test_init(void)
{
	uint8_t	p[3 + ZW_NODEMASK_LEN + 2], listed[ZW_MAX_NODES + 1];
	int	n;

	memset(p, 0, sizeof(p));
	p[0] = 5;
	p[1] = 8;
	p[2] = ZW_NODEMASK_LEN;
	p[3] = 0x07;			/* nodes 1, 2, 3 */
	p[3 + 3] = 0x80;		/* node 32 */
	p[3 + ZW_NODEMASK_LEN - 1] = 0xff;	/* 225..232 */
	n = zw_parse_init(p, sizeof(p), listed);
	CHECK(n == 12 && listed[1] && listed[2] && listed[3] && !listed[4] &&
	    listed[32] && listed[225] && listed[ZW_MAX_NODES] && !listed[0],
	    "init data: nodes from the mask (%d)", n);
	CHECK(zw_parse_init(p, 3 + ZW_NODEMASK_LEN - 1, listed) == -1,
	    "init data: mask longer than the payload");
	p[2] = ZW_NODEMASK_LEN + 1;
	CHECK(zw_parse_init(p, sizeof(p), listed) == -1,
	    "init data: mask length over %d", ZW_NODEMASK_LEN);
	p[2] = 1;
	CHECK(zw_parse_init(p, 4, listed) == 3 && !listed[32],
	    "init data: a short mask");
	p[2] = 0;
	CHECK(zw_parse_init(p, 3, listed) == 0 && !listed[1],
	    "init data: no nodes");
	CHECK(zw_parse_init(p, 2, listed) == -1, "init data: truncated");
}

static void
test_protocol_info(void)
{
	static const uint8_t ok[] = { 0xd3, 0x9c, 0x00, 0x04, 0x10, 0x01 };
	static const uint8_t none[] = { 0, 0, 0, 0, 0, 0 };
	struct zw_proto_info pi;

	CHECK(zw_parse_protocol_info(ok, sizeof(ok), &pi) == 0 &&
	    pi.cap == 0xd3 && pi.sec == 0x9c && pi.basic == 0x04 &&
	    pi.generic == 0x10 && pi.specific == 0x01,
	    "protocol info: classes");
	CHECK(zw_parse_protocol_info(ok, 5, &pi) == -1,
	    "protocol info: truncated");
	CHECK(zw_parse_protocol_info(none, sizeof(none), &pi) == -1,
	    "protocol info: generic class 0 is an unknown node");
}

static void
test_app_update(void)
{
	static const uint8_t nif[] = { 0x84, 5, 7, 0x04, 0x10, 0x01,
	    0x25, 0x72, 0xef, 0x20 };
	static const uint8_t fail[] = { 0x81, 5, 0 };
	static const uint8_t fail0[] = { 0x81, 0, 0 };
	uint8_t			big[3 + 3 + ZW_MAX_NODE_CCS + 10];
	struct zw_app_update	u;
	size_t			i;

	CHECK(zw_parse_app_update(nif, sizeof(nif), &u) == 0 &&
	    u.status == ZW_UPDATE_NIF && u.node == 5 && u.generic == 0x10 &&
	    u.ncc == 2 && u.cc[0] == 0x25 && u.cc[1] == 0x72,
	    "app update: node info, classes up to the mark");
	CHECK(zw_parse_app_update(nif, sizeof(nif) - 1, &u) == -1,
	    "app update: length past the payload");
	CHECK(zw_parse_app_update(fail, sizeof(fail), &u) == 0 &&
	    u.status == ZW_UPDATE_NIF_FAILED && u.ncc == 0,
	    "app update: request failed, no info");
	CHECK(zw_parse_app_update(fail0, sizeof(fail0), &u) == 0 &&
	    u.node == 0, "app update: request failed, node 0");
	memcpy(big, nif, 6);
	big[2] = (uint8_t)(sizeof(big) - 3);
	for (i = 6; i < sizeof(big); i++)
		big[i] = (uint8_t)i;
	CHECK(zw_parse_app_update(big, sizeof(big), &u) == 0 &&
	    u.ncc == ZW_MAX_NODE_CCS, "app update: classes capped at %d",
	    ZW_MAX_NODE_CCS);
	big[2] = 2;
	CHECK(zw_parse_app_update(big, sizeof(big), &u) == -1,
	    "app update: node info without classes");
	big[1] = 0;
	CHECK(zw_parse_app_update(big, sizeof(big), &u) == -1,
	    "app update: node 0");
}

static void
test_app_command(void)
{
	static const uint8_t plain[] = { 0x00, 6, 3, 0x25, 0x03, 0xff, 0xb0 };
	static const uint8_t bridge[] = { 0x00, 1, 6, 3, 0x25, 0x03, 0x00,
	    0x00, 0xb0 };
	struct zw_app_command	a;

	CHECK(zw_parse_app_command(ZW_FN_APP_COMMAND, plain, sizeof(plain),
	    &a) == 0 && a.node == 6 && a.len == 3 && a.cmd[0] == 0x25 &&
	    a.cmd[2] == 0xff, "app command: source node and command");
	CHECK(zw_parse_app_command(ZW_FN_APP_COMMAND_BRIDGE, bridge,
	    sizeof(bridge), &a) == 0 && a.node == 6 && a.len == 3 &&
	    a.cmd[2] == 0x00, "app command: bridge form");
	CHECK(zw_parse_app_command(ZW_FN_APP_COMMAND, plain, 5, &a) == -1,
	    "app command: command cut short");
	CHECK(zw_parse_app_command(ZW_FN_APP_COMMAND_BRIDGE, bridge, 3,
	    &a) == -1, "app command: bridge header cut short");
	CHECK(zw_parse_app_command(ZW_FN_SEND_DATA, plain, sizeof(plain),
	    &a) == -1, "app command: another function");
}

/* A SendData callback: a 500-series stick's two bytes, a 700-series
 * transmit report (30 ms, one repeater, -60 dBm), malformed ones. */
static void
test_tx_report(void)
{
	static const uint8_t bare[] = { 0x05, 0x01 };
	static const uint8_t rep[] = { 0x05, 0x00, 0x00, 0x03, 0x01, 0xc4,
	    0x7f, 0x7f };
	static const uint8_t hops[] = { 0x05, 0x00, 0x00, 0x03, 0x05, 0xc4 };
	struct zw_tx_report r;

	CHECK(zw_parse_tx_report(bare, sizeof(bare), &r) == 0 &&
	    r.cb_id == 5 && r.status == 1 && !r.have_route,
	    "tx report: status only (500 series)");
	CHECK(zw_parse_tx_report(rep, sizeof(rep), &r) == 0 && r.status == 0 &&
	    r.have_route && r.route_ms == 30 && r.repeaters == 1 &&
	    r.rssi_dbm == -60, "tx report: time, repeaters, RSSI");
	CHECK(zw_parse_tx_report(rep, 5, &r) == 0 && !r.have_route,
	    "tx report: a cut report is left out");
	CHECK(zw_parse_tx_report(hops, sizeof(hops), &r) == -1,
	    "tx report: 5 repeaters is malformed");
	CHECK(zw_parse_tx_report(bare, 1, &r) == -1,
	    "tx report: no status is malformed");
}

static void
test_incl_status(void)
{
	/* ADDING_SLAVE for node 6: a switch with four classes, then the
	 * controlled-classes mark and one it controls. */
	static const uint8_t adding[] = { 7, 0x03, 6, 9, 0x04, 0x10, 0x01,
	    0x25, 0x20, 0x86, 0x72, 0xef, 0x2b, 0xaa };
	static const uint8_t ready[] = { 7, 0x01, 0, 0 };
	static const uint8_t bare[] = { 7, 0x06 };
	static const uint8_t big_node[] = { 7, 0x03, 233 };
	static const uint8_t long_info[] = { 7, 0x03, 6, 9, 0x04, 0x10 };
	static const uint8_t short_info[] = { 7, 0x03, 6, 2, 0x04, 0x10 };
	struct zw_incl_status u;

	CHECK(zw_parse_incl_status(adding, sizeof(adding), &u) == 0 &&
	    u.cb_id == 7 && u.status == 0x03 && u.node == 6 &&
	    u.have_info && u.basic == 0x04 && u.generic == 0x10 &&
	    u.specific == 0x01, "inclusion: node id and device classes");
	CHECK(u.ncc == 4 && u.cc[0] == 0x25 && u.cc[3] == 0x72,
	    "inclusion: classes up to the mark, not past the info length");
	CHECK(zw_parse_incl_status(ready, sizeof(ready), &u) == 0 &&
	    u.status == 0x01 && u.node == 0 && !u.have_info,
	    "inclusion: learn ready, no node");
	CHECK(zw_parse_incl_status(bare, sizeof(bare), &u) == 0 &&
	    u.status == 0x06 && u.node == 0, "inclusion: status only");
	CHECK(zw_parse_incl_status(bare, 1, &u) == -1,
	    "inclusion: no status is malformed");
	CHECK(zw_parse_incl_status(big_node, sizeof(big_node), &u) == -1,
	    "inclusion: node id past 232 is malformed");
	CHECK(zw_parse_incl_status(long_info, sizeof(long_info), &u) == -1,
	    "inclusion: info length past the frame is malformed");
	CHECK(zw_parse_incl_status(short_info, sizeof(short_info), &u) == -1,
	    "inclusion: info without the three device classes is malformed");
}

/* ApplicationUpdate 0x85: a SmartStart device's announcement (the
 * layout zwave-js reads: status, node 0, rx status, NWI home id, then
 * the node information's length and classes). */
static void
test_ss_update(void)
{
	static const uint8_t ss[] = { 0x85, 0x00, 0x00, 0xd8, 0xf7, 0x85, 0x2c,
	    0x05, 0x04, 0x40, 0x03, 0x5e, 0x9f };
	static const uint8_t bare[] = { 0x85, 0x00, 0x04, 0xc0, 0x05, 0x00,
	    0x06 };
	static const uint8_t nif[] = { 0x84, 0x05, 0x03, 0x04, 0x10, 0x01 };
	struct zw_ss_update	u;

	CHECK(zw_parse_ss_update(ss, sizeof(ss), &u) == 0 && u.node == 0 &&
	    memcmp(u.nwi, "\xd8\xf7\x85\x2c", 4) == 0 && u.generic == 0x40 &&
	    u.specific == 0x03, "SmartStart: the NWI home id and the class");
	CHECK(zw_parse_ss_update(bare, sizeof(bare), &u) == 0 &&
	    u.rx_status == 0x04 && u.generic == 0 &&
	    memcmp(u.nwi, "\xc0\x05\x00\x06", 4) == 0,
	    "SmartStart: the home id alone is enough");
	CHECK(zw_parse_ss_update(ss, 6, &u) == -1, "SmartStart: a home id "
	    "cut short is malformed");
	CHECK(zw_parse_ss_update(nif, sizeof(nif), &u) == -1, "SmartStart: "
	    "a node information frame is not an announcement");
}

int
main(void)
{
	test_caps();
	test_version();
	test_memid();
	test_init();
	test_protocol_info();
	test_app_update();
	test_ss_update();
	test_app_command();
	test_incl_status();
	test_tx_report();
	return check_done();
}
