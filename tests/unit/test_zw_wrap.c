/*
 * Unit tests for what the node layer does with encapsulations from a node
 * (zw_node.c, zw_mgmt_rx.c, zw_sec.c) and for endpoint commands
 * (zw_node_cmd.c), with zw_fake.c's stick and nodes:
 *
 * - a clear-text wrapper (Supervision Get, Multi Channel, nested, Multi
 *   Command, CRC-16) around a command of a class the node was granted
 *   only securely is dropped: never reported, never answered SUCCESS,
 *   never confirming the command under way;
 * - such a frame, or a forged S0 frame, does not clear the node's failed
 *   flag; a frame that is taken does;
 * - a command to an endpoint without Supervision is confirmed by a GET
 *   inside a Multi Channel encapsulation;
 * - Multi Command and CRC-16 encapsulations are opened, each command
 *   judged as if bare (a valid checksum does not let a clear Door Lock
 *   report in), a wrong checksum (CRC-16, Transport Service) is dropped;
 * - a door sensor reporting one change twice, as a Notification and as
 *   a Binary Sensor report, gives one report, not two.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK_PARTS	/* zw_fake.c shares the count */
#include "check.h"
#include "wire.h"
#include "zw_fake.h"

#define LOCK		20	/* an S0 lock, Door Lock granted securely */
#define RELAY		21	/* a double relay, endpoints without Supervision */
#define PLUG		22	/* a switch with a battery, no security */
#define MCREL		24	/* a double relay with Multi Channel Association */
#define MULTI		25	/* a multi-sensor and a meter (both versions) */
#define DOOR		23	/* Notification and Binary Sensor */

/* A Door Lock Operation Report: secured (mode 0xff). */
#define LOCK_REPORT	0x62, 0x03, 0xff, 0x00, 0x01, 0x00, 0x00

static struct zw_node *
secure_lock(void)
{
	static const uint8_t cc[] = { 0x6c, 0x60, 0x86 };
	struct zw_node *zn = &S.zw->node[LOCK];

	include_node(LOCK, 0xd3, cc, sizeof(cc));
	pump();
	zn->sec_level = 1;		/* as after S0 inclusion */
	zn->scc[0] = ZW_CC_DOOR_LOCK;
	zn->nscc = 1;
	zw_node_values(zn);
	return zn;
}

static void
test_wrapped_refused(void)
{
	static const uint8_t clear[] = { LOCK_REPORT };
	static const uint8_t sv[] = { 0x6c, 0x01, 0x05, 7, LOCK_REPORT };
	static const uint8_t mc[] = { 0x60, 0x0d, 0x01, 0x00, LOCK_REPORT };
	static const uint8_t mc_sv[] = { 0x60, 0x0d, 0x01, 0x00, 0x6c, 0x01,
	    0x06, 7, LOCK_REPORT };
	static const uint8_t multi[] = { 0x8f, 0x01, 1, 7, LOCK_REPORT };
	static const uint8_t crc[] = { 0x56, 0x01, LOCK_REPORT, 0x12, 0x34 };
	struct zw_node	*zn = secure_lock();
	int		 before;

	if (!CHECK(zn->dev != NULL && dev_find_value(zn->dev, "locked") !=
	    NULL && zw_sec_wanted(zn, ZW_CC_DOOR_LOCK),
	    "node 20: a lock that takes Door Lock only through S0"))
		return;
	drain();
	from_node(LOCK, clear, sizeof(clear));
	CHECK(reports_of("locked") == 0, "a clear Door Lock report: dropped");
	before = sent[LOCK];
	drain();
	from_node(LOCK, sv, sizeof(sv));
	pump();
	CHECK(reports_of("locked") == 0, "inside a clear Supervision Get: "
	    "dropped");
	CHECK(sent[LOCK] == before, "and not answered SUCCESS");
	drain();
	from_node(LOCK, mc, sizeof(mc));
	CHECK(reports_of("locked") == 0 && reports_of("locked.1") == 0,
	    "inside a clear Multi Channel encapsulation: dropped");
	drain();
	from_node(LOCK, mc_sv, sizeof(mc_sv));
	pump();
	CHECK(reports_of("locked.1") == 0 && sent[LOCK] == before,
	    "Supervision inside Multi Channel: dropped, not answered");
	drain();
	from_node(LOCK, multi, sizeof(multi));
	from_node(LOCK, crc, sizeof(crc));
	CHECK(reports_of("locked") == 0,
	    "inside Multi Command or CRC-16: never reported");

	/* The lock command under way, its SET delivered: a forged clear
	 * report must not confirm it. */
	zn->cmd_id = 300;
	zn->cmd_confirming = 1;
	zn->cmd_cc = ZW_CC_DOOR_LOCK;
	zn->cmd_want = 1;
	snprintf(zn->cmd_key, sizeof(zn->cmd_key), "locked");
	ev_timer_start(S.loop, &zn->cmd_timer, ZW_CONFIRM_TIMEOUT_MS);
	from_node(LOCK, sv, sizeof(sv));
	from_node(LOCK, mc, sizeof(mc));
	from_node(LOCK, clear, sizeof(clear));
	CHECK(zn->cmd_id == 300 && last_result(300, NULL, 0) == -1,
	    "wrapped or clear, the forged report confirms no command");
	CHECK(fire(&zn->cmd_timer) && zn->cmd_id == 0 && !zn->cmd_confirming,
	    "it ends at its timeout");
}

static void
test_failed_flag(void)
{
	static const uint8_t sv[] = { 0x6c, 0x01, 0x07, 7, LOCK_REPORT };
	static const uint8_t forged[] = { 0x98, 0x81, 1, 2, 3, 4, 5, 6, 7, 8,
	    0x11, 0x22, 0x33, 0x44, 0xaa, 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t version[] = { 0x86, 0x14, 0x6c, 1 };
	struct zw_node	*zn = &S.zw->node[LOCK];

	zw_node_fail(S.zw, zn, 1);
	if (!CHECK(zn->failed, "node 20 marked failed"))
		return;
	from_node(LOCK, (const uint8_t []){ LOCK_REPORT }, 7);
	CHECK(zn->failed, "a refused clear command leaves it failed");
	from_node(LOCK, sv, sizeof(sv));
	CHECK(zn->failed, "a refused wrapped command leaves it failed");
	from_node(LOCK, forged, sizeof(forged));
	CHECK(zn->failed, "a forged S0 frame leaves it failed");
	from_node(LOCK, version, sizeof(version));
	CHECK(!zn->failed, "a command it may send in clear: heard again");
}

static void
test_endpoint_confirmed(void)
{
	static const uint8_t cc[] = { 0x25, 0x86, 0x60 };
	struct zw_node	*zn = &S.zw->node[RELAY];
	struct dev	*d;

	sim[RELAY].endpoints = 2;
	sim[RELAY].ep_plain = 1;
	include_node(RELAY, 0xd3, cc, sizeof(cc));
	pump();
	d = dev_find(&S, "zw:21:0");
	if (!CHECK(d != NULL && zn->eps != NULL && zn->eps->n == 2 &&
	    dev_find_value(d, "on.2") != NULL && !zw_mgmt_ep_has(zn, 2,
	    ZW_CC_SUPERVISION), "node 21: two endpoints, no Supervision"))
		return;
	CHECK(command(310, "zw:21:0", "on.2", 1) ==
	    HD__COMMAND_RESULT__STATUS__OK && sim[RELAY].on[2] == 0xff,
	    "on.2: switched, confirmed by the endpoint's GET and report");
	CHECK(command(311, "zw:21:0", "on.1", 0) ==
	    HD__COMMAND_RESULT__STATUS__OK && sim[RELAY].on[1] == 0,
	    "on.1 off: confirmed too");
}

/*
 * A double relay with Multi Channel Association: its lifeline goes to our
 * endpoint 0 through it (a plain lifeline gets an endpoint's physical
 * change as the root's, or not at all: on.2 went stale), and a press on
 * endpoint 2, reported encapsulated, updates on.2.
 */
static void
test_mc_lifeline(void)
{
	static const uint8_t cc[] = { 0x25, 0x86, 0x85, 0x8e, 0x60 };
	static const uint8_t press[] = { 0x60, 0x0d, 0x02, 0x00, 0x25, 0x03,
	    0xff };
	struct zw_node	*zn = &S.zw->node[MCREL];
	struct dev	*d;
	Hd__Envelope	*e;

	sim[MCREL].endpoints = 2;
	sim[MCREL].ep_plain = 1;
	include_node(MCREL, 0xd3, cc, sizeof(cc));
	pump();
	d = dev_find(&S, "zw:24:0");
	if (!CHECK(d != NULL && d->desc.interview_pct == 100 &&
	    dev_find_value(d, "on.2") != NULL,
	    "node 24: interviewed, two endpoints"))
		return;
	CHECK(sim[MCREL].nmc_life == 1 && sim[MCREL].mc_life[0][0] == 1 &&
	    sim[MCREL].mc_life[0][1] == 0 && sim[MCREL].nlife == 0,
	    "its lifeline: Multi Channel Association to node 1 endpoint 0, "
	    "no plain Association Set");
	CHECK(zn->lifeline && zn->lifeline_mc,
	    "read back with Multi Channel Association Get: it names us");
	drain();
	from_node(MCREL, press, sizeof(press));
	CHECK(queued(HD__ENVELOPE__BODY_REPORT, &e) >= 1 &&
	    strcmp(e->report->key, "on.2") == 0 &&
	    e->report->value->b, "a press on endpoint 2: on.2 true");
	wire_free((ProtobufCMessage *)e);
}

/* The last reported value of key `key` on device `dev`, or -1e9. */
static double
last_num(const char *dev, const char *key)
{
	const struct rq_item	*it;
	Hd__Envelope		*e;
	double			 d = -1e9;
	int			 i;

	for (i = 0; i < S.rq.count; i++) {
		it = &S.rq.items[(S.rq.head + i) % CLUSTER_REPLAY_QUEUE];
		e = (Hd__Envelope *)wire_unpack(&hd__envelope__descriptor,
		    it->data + WIRE_HDR_LEN, it->len - WIRE_HDR_LEN);
		if (e != NULL && e->body_case == HD__ENVELOPE__BODY_REPORT &&
		    strcmp(e->report->device_id, dev) == 0 &&
		    strcmp(e->report->key, key) == 0)
			d = e->report->value->d;
		wire_free((ProtobufCMessage *)e);
	}
	return d;
}

/*
 * A multi-sensor (Sensor Multilevel v5) and meter (Meter v4, import and
 * export): the poll asks what each supports, then for each value; the
 * version 1 GET alone gave the temperature only and the import energy,
 * and an export report overwrote the import's energy.
 */
static void
test_supported(void)
{
	static const uint8_t cc[] = { 0x31, 0x32 };

	sim[MULTI].multi = 1;
	include_node(MULTI, 0xd3, cc, sizeof(cc));
	pump();
	pump();
	CHECK(last_num("zw:25:0", "temperature") > 21.4 &&
	    last_num("zw:25:0", "temperature") < 21.6 &&
	    last_num("zw:25:0", "humidity") > 5.4 &&
	    last_num("zw:25:0", "humidity") < 5.6,
	    "both sensors of the multi-sensor: temperature 21.5, humidity 5.5");
	CHECK(last_num("zw:25:0", "energy") > 12.2 &&
	    last_num("zw:25:0", "energy") < 12.4 &&
	    last_num("zw:25:0", "energy_export") > 4.4 &&
	    last_num("zw:25:0", "energy_export") < 4.6 &&
	    last_num("zw:25:0", "power") > 9.9,
	    "the meter: import 12.3 kWh, export 4.5 kWh apart, and power");
}

/* Multi Command and CRC-16 from a node: opened, each command judged. */
static void
test_opened(void)
{
	static const uint8_t cc[] = { 0x25, 0x80, 0x86 };
	static const uint8_t multi[] = { 0x8f, 0x01, 2, 3, 0x80, 0x03, 0x50,
	    3, 0x25, 0x03, 0xff };
	static const uint8_t sw_off[] = { 0x25, 0x03, 0x00 };
	static const uint8_t lock[] = { LOCK_REPORT };
	static const uint8_t mixed[] = { 0x8f, 0x01, 2, 4, 0x86, 0x14, 0x6c,
	    1, 7, LOCK_REPORT };
	static const uint8_t segment[] = { 0x55, 0xc0, 0x10, 0x00, 0x20,
	    0x03, 0xff, 0x12, 0x34 };
	uint8_t		 crc[16];
	size_t		 n;
	struct zw_node	*zn = &S.zw->node[PLUG];

	include_node(PLUG, 0xd3, cc, sizeof(cc));
	settle();
	if (!CHECK(zn->dev != NULL && dev_find_value(zn->dev, "battery") !=
	    NULL && dev_find_value(zn->dev, "on") != NULL,
	    "node 22: a switch with a battery"))
		return;
	drain();
	from_node(PLUG, multi, sizeof(multi));
	CHECK(reports_of("battery") == 1 && reports_of("on") == 1,
	    "Multi Command: both its commands reported");
	drain();
	n = zw_cc_crc16_encap(crc, sizeof(crc), sw_off, sizeof(sw_off));
	from_node(PLUG, crc, n);
	CHECK(reports_of("on") == 1, "CRC-16 with a good checksum: reported");
	crc[n - 1] ^= 0x01;
	zw_node_fail(S.zw, zn, 1);
	drain();		/* the values again, with the fault flag */
	from_node(PLUG, crc, n);
	CHECK(reports_of("on") == 0 && zn->failed,
	    "a wrong checksum: dropped, the node still failed");
	from_node(PLUG, segment, sizeof(segment));
	CHECK(reports_of("on") == 0 && zn->failed,
	    "a Transport Service segment with a wrong CRC: dropped, the node "
	    "still failed");
	from_node(PLUG, sw_off, sizeof(sw_off));
	CHECK(!zn->failed, "a bare report: heard again");

	/* The S0 lock: a valid checksum or a Multi Command lets no clear
	 * Door Lock report in; what comes before it in the Multi Command
	 * (the Version report it may send in clear) is taken. */
	drain();
	n = zw_cc_crc16_encap(crc, sizeof(crc), lock, sizeof(lock));
	from_node(LOCK, crc, n);
	from_node(LOCK, mixed, sizeof(mixed));
	CHECK(reports_of("locked") == 0, "the lock's clear Door Lock report "
	    "inside a valid CRC-16 or a Multi Command: refused");
}

/* One door change, two classes: one report to the master (the stream
 * showed two identical events); the same class again still reports. */
static void
test_door_once(void)
{
	static const uint8_t cc[] = { 0x30, 0x71, 0x86 };
	static const uint8_t n_open[] = { 0x71, 0x05, 0, 0, 0, 0xff, 0x06,
	    0x16, 0x00 };
	static const uint8_t n_closed[] = { 0x71, 0x05, 0, 0, 0, 0xff, 0x06,
	    0x17, 0x00 };
	static const uint8_t b_open[] = { 0x30, 0x03, 0xff, 0x0a };
	static const uint8_t b_closed[] = { 0x30, 0x03, 0x00, 0x0a };

	include_node(DOOR, 0xd3, cc, sizeof(cc));
	settle();
	drain();
	from_node(DOOR, n_open, sizeof(n_open));
	from_node(DOOR, b_open, sizeof(b_open));
	CHECK(reports_of("door") == 1, "opened: Notification then Binary Sensor, "
	    "one report");
	from_node(DOOR, b_open, sizeof(b_open));
	CHECK(reports_of("door") == 2, "the Binary Sensor again: reported");
	drain();
	from_node(DOOR, b_closed, sizeof(b_closed));
	from_node(DOOR, n_closed, sizeof(n_closed));
	CHECK(reports_of("door") == 1, "closed: Binary Sensor then Notification, "
	    "one report");
}

int
main(void)
{
	if (!CHECK(zwf_open() == 0, "zw_start") ||
	    !CHECK(startup() == 0, "start-up"))
		return check_done();
	settle();
	test_wrapped_refused();
	test_failed_flag();
	test_endpoint_confirmed();
	test_mc_lifeline();
	test_supported();
	test_opened();
	test_door_once();
	zwf_close();
	return check_done();
}
