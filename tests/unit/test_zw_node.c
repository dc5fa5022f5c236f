/*
 * Unit tests for the Z-Wave node layer (slave/zwave/zw_ctrl.c, zw_node.c,
 * zw_incl.c) without a stick: zw_fake.c replaces zw_stick.c and
 * simulates the nodes.
 *
 * Covered: the start-up sequence, the interview state machine (node
 * information, its timeout, one node at a time, the state poll after),
 * failed-node marking and recovery, a command confirmed by a report,
 * inclusion and exclusion step by step, and a restart from the node
 * table without a second interview.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK_PARTS	/* zw_fake.c shares the count */
#include "check.h"
#include "wire.h"
#include "zw_fake.h"

#define MAX_REQS	64
/* --- tests ------------------------------------------------------------ */

static void
test_interview(void)
{
	static const uint8_t sw_cc[] = { 0x25, 0x20, 0x72 };
	static const uint8_t res_ok[] = { 1 };
	struct zw_ctrl	*c = S.zw;
	struct dev	*d2, *d3;
	struct zw_req	 r;

	if (!CHECK(startup() == 0, "start-up sequence in order"))
		return;
	d2 = dev_find(&S, "zw:2:0");
	d3 = dev_find(&S, "zw:3:0");
	CHECK(d2 != NULL && d3 != NULL && d2->desc.kind ==
	    HD__DEVICE_KIND__DEV_SWITCH && d2->desc.interview_pct == 50,
	    "nodes 2 and 3 registered, protocol info known (50 %%)");
	CHECK(d2->desc.listening == HD__ZW_LISTENING__ZW_LISTEN_ALWAYS,
	    "node 2 listens (its protocol information), in its device");
	CHECK(nreqs == 1 && reqs[0].func == ZW_FN_REQUEST_NODE_INFO &&
	    reqs[0].payload[0] == 2 && c->interviewing == 2,
	    "the interview asks node 2 alone for its node information");
	take(&r);
	answer(&r, res_ok, 1, 0);
	CHECK(nif_awaited(), "then waits ZW_NIF_TIMEOUT_MS for it");
	nif(2, 0x10, sw_cc, sizeof(sw_cc));
	CHECK(d2->desc.interview_pct == 100 && dev_find_value(d2, "on") !=
	    NULL && d2->desc.command_classes.len == 3,
	    "node 2's classes: interviewed, an \"on\" value, classes shown");
	CHECK(nreqs == 1 && reqs[0].func == ZW_FN_REQUEST_NODE_INFO &&
	    reqs[0].payload[0] == 3, "then node 3");
	take(&r);
	answer(&r, res_ok, 1, 0);
	CHECK(nif_timeout() && c->interviewing == 0 &&
	    d3->desc.interview_pct == 50,
	    "node 3 silent: the interview gives up on it (still 50 %%)");
	CHECK(pending(ZW_FN_SEND_DATA, 2) && !pending(ZW_FN_SEND_DATA, 3) &&
	    !pending(ZW_FN_REQUEST_NODE_INFO, -1),
	    "no node left: node 2's state is polled, node 3 is not asked "
	    "again");
}

static void
test_failed(void)
{
	struct zw_req	 r;
	struct dev	*d2 = dev_find(&S, "zw:2:0");
	Hd__Envelope	*e;
	uint8_t		 report[] = { 0x25, 0x03, 0xff };

	drain();
	while (take(&r))	/* the polls: node 2 does not acknowledge */
		if (r.func == ZW_FN_SEND_DATA)
			answer(&r, (const uint8_t []){ 1 }, 1, 1);
	CHECK(S.zw->node[2].failed && d2->desc.failed,
	    "a poll not acknowledged: node 2 failed, shown in its device");
	CHECK(queued(HD__ENVELOPE__BODY_FAULT, &e) == 1 && e->fault->active &&
	    strcmp(e->fault->device_id, "zw:2:0") == 0,
	    "the master gets a zwave fault for its device");
	wire_free((ProtobufCMessage *)e);
	drain();
	from_node(2, report, sizeof(report));
	CHECK(!S.zw->node[2].failed && !d2->desc.failed &&
	    queued(HD__ENVELOPE__BODY_FAULT, &e) == 1 && !e->fault->active,
	    "heard again: recovered, the fault cleared");
	wire_free((ProtobufCMessage *)e);
}

static void
test_command(void)
{
	Hd__Command	 c = HD__COMMAND__INIT;
	Hd__Value	 v = HD__VALUE__INIT;
	Hd__Envelope	*e;
	struct zw_req	 r;
	uint8_t		 report[] = { 0x25, 0x03, 0x00 };

	drain();
	v.v_case = HD__VALUE__V_B;
	v.b = 0;
	c.id = 71;
	c.device_id = (char *)(uintptr_t)"zw:2:0";
	c.key = (char *)(uintptr_t)"on";
	c.value = &v;
	devices_command(&S, &c);
	CHECK(take(&r) && r.func == ZW_FN_SEND_DATA && r.payload[2] == 0x25 &&
	    r.payload[3] == 0x01 && r.payload[4] == 0x00,
	    "off: a Binary Switch SET 0x00 to node 2");
	answer(&r, (const uint8_t []){ 1 }, 1, 0);
	CHECK(take(&r) && r.payload[2] == 0x25 && r.payload[3] == 0x02,
	    "delivered: a GET follows");
	answer(&r, (const uint8_t []){ 1 }, 1, 0);
	from_node(2, report, sizeof(report));
	CHECK(queued(HD__ENVELOPE__BODY_RESULT, &e) == 1 && e->result->id == 71 &&
	    e->result->status == HD__COMMAND_RESULT__STATUS__OK,
	    "the report confirms it: OK");
	wire_free((ProtobufCMessage *)e);
	/* A command that is delivered but never confirmed. */
	c.id = 72;
	v.b = 1;
	devices_command(&S, &c);
	take(&r);
	answer(&r, (const uint8_t []){ 1 }, 1, 0);
	while (take(&r))
		;
	drain();
	CHECK(fire(&S.zw->node[2].cmd_timer) &&
	    queued(HD__ENVELOPE__BODY_RESULT, &e) == 1 &&
	    e->result->status == HD__COMMAND_RESULT__STATUS__TIMEOUT,
	    "no report of the new value: TIMEOUT after the confirm timer");
	wire_free((ProtobufCMessage *)e);
	/* A command in flight when the node is excluded. */
	c.id = 73;
	devices_command(&S, &c);
	CHECK(S.zw->node[2].cmd_id == 73, "command 73 under way");
}



static void
test_inclusion(void)
{
	Hd__ZwInclusion	 m = HD__ZW_INCLUSION__INIT;
	struct zw_req	 r;
	int		 node = 0;
	uint8_t		 pi[6] = { 0xd3, 0x9c, 0, 0x04, 0x10, 0x01 };
	static const uint8_t cc[] = { 0x25, 0x86, 0x72 };

	while (take(&r))
		;
	drain();
	m.action = HD__ZW_INCLUSION__ACTION__INCLUDE;
	m.timeout_ms = 30000;
	zw_inclusion_request(&S, &m);
	CHECK(take(&r) && r.func == ZW_FN_ADD_NODE && r.payload[0] == 0xc1 &&
	    r.payload[1] != 0 && !r.want_res,
	    "include: AddNodeToNetwork, any node, a callback id, no response");
	CHECK(progress_state(NULL) == -2, "nothing told before LEARN_READY");
	status(ZW_FN_ADD_NODE, ZW_INCL_LEARN_READY, 0, 0);
	CHECK(progress_state(NULL) == HD__ZW_PROGRESS__STATE__READY &&
	    S.zw->incl.timer.active, "ready, the learn-mode timer runs");
	m.action = HD__ZW_INCLUSION__ACTION__EXCLUDE;
	drain();
	zw_inclusion_request(&S, &m);
	CHECK(progress_state(NULL) == HD__ZW_PROGRESS__STATE__REFUSED &&
	    nreqs == 0, "exclude meanwhile: refused, nothing sent");
	status(ZW_FN_REMOVE_NODE, ZW_INCL_DONE, 2, 0);
	CHECK(dev_find(&S, "zw:2:0") != NULL,
	    "a remove status while including is ignored");
	status(ZW_FN_ADD_NODE, ZW_INCL_NODE_FOUND, 0, 0);
	status(ZW_FN_ADD_NODE, ZW_INCL_ADDING_SLAVE, 9, 1);
	CHECK(progress_state(&node) == HD__ZW_PROGRESS__STATE__ADDING &&
	    node == 9, "adding node 9");
	m.action = HD__ZW_INCLUSION__ACTION__STOP;
	drain();
	zw_inclusion_request(&S, &m);
	CHECK(progress_state(NULL) == HD__ZW_PROGRESS__STATE__REFUSED,
	    "stop while adding: refused");
	status(ZW_FN_ADD_NODE, ZW_INCL_PROTOCOL_DONE, 9, 0);
	CHECK(take(&r) && r.func == ZW_FN_ADD_NODE && r.payload[0] ==
	    ZW_INCL_MODE_STOP && r.payload[1] != 0,
	    "protocol done: STOP with a callback id");
	status(ZW_FN_ADD_NODE, ZW_INCL_DONE, 9, 0);
	CHECK(take(&r) && r.func == ZW_FN_GET_NODE_PROTOCOL_INFO &&
	    r.payload[0] == 9, "done: node 9's protocol info asked");
	drain();
	answer(&r, pi, sizeof(pi), 0);
	CHECK(progress_state(&node) == HD__ZW_PROGRESS__STATE__DONE &&
	    node == 9 && dev_find(&S, "zw:9:0") != NULL,
	    "node 9 registered, done told");
	CHECK(pending(ZW_FN_REQUEST_NODE_INFO, 9) && S.zw->interviewing == 9,
	    "its interview starts");
	while (take(&r))
		if (r.func == ZW_FN_REQUEST_NODE_INFO && r.payload[0] == 9)
			answer(&r, (const uint8_t []){ 1 }, 1, 0);
	drain();
	nif(9, 0x10, cc, sizeof(cc));
	CHECK(S.zw->mgmt == 9 && dev_find(&S, "zw:9:0")->desc.interview_pct ==
	    ZW_INTERVIEW_NIF, "Version among its classes: the management "
	    "interview follows (75 %%)");
	pump();
	CHECK(progress_state(&node) == HD__ZW_PROGRESS__STATE__INTERVIEWED &&
	    node == 9 && S.zw->mgmt == 0, "interviewed: told");
	CHECK(zw_mgmt_version(&S.zw->node[9], 0x25) == 2 &&
	    zw_mgmt_version(&S.zw->node[9], 0x72) == 1,
	    "each class's version asked and kept");
	nif(9, 0x10, cc, sizeof(cc));
	CHECK(S.zw->mgmt == 0 && nreqs == 0 &&
	    S.zw->node[9].pct == ZW_INTERVIEW_DONE &&
	    zw_mgmt_version(&S.zw->node[9], 0x25) == 2,
	    "its node information again, unchanged: nothing asked again");
	CHECK(!S.zw->incl.timer.active && S.zw->incl.action ==
	    HD__ZW_INCLUSION__ACTION__STOP, "idle again");
}

static void
test_timeout_cancel(void)
{
	Hd__ZwInclusion	 m = HD__ZW_INCLUSION__INIT;
	struct zw_req	 r;

	while (take(&r))
		;
	m.action = HD__ZW_INCLUSION__ACTION__INCLUDE;
	zw_inclusion_request(&S, &m);
	take(&r);
	status(ZW_FN_ADD_NODE, ZW_INCL_LEARN_READY, 0, 0);
	CHECK(S.zw->incl.deadline >= ev_clock_ms() + ZW_INCLUSION_TIMEOUT_MS -
	    1000, "no timeout asked: ZW_INCLUSION_TIMEOUT_MS (240 s)");
	drain();
	CHECK(fire(&S.zw->incl.timer) && progress_state(NULL) ==
	    HD__ZW_PROGRESS__STATE__TIMEOUT, "the timer fires: timeout");
	CHECK(take(&r) && r.func == ZW_FN_ADD_NODE && r.payload[0] ==
	    ZW_INCL_MODE_STOP && r.cb_idx < 0 && r.payload[1] == 0,
	    "STOP without a callback id");
	m.action = HD__ZW_INCLUSION__ACTION__EXCLUDE;
	zw_inclusion_request(&S, &m);
	take(&r);
	drain();
	CHECK(fire(&S.zw->incl.timer) && progress_state(NULL) ==
	    HD__ZW_PROGRESS__STATE__FAILED,
	    "no LEARN_READY within ZW_INCL_READY_MS: failed");
	take(&r);
	zw_inclusion_request(&S, &m);
	take(&r);
	status(ZW_FN_REMOVE_NODE, ZW_INCL_LEARN_READY, 0, 0);
	m.action = HD__ZW_INCLUSION__ACTION__STOP;
	drain();
	zw_inclusion_request(&S, &m);
	CHECK(progress_state(NULL) == HD__ZW_PROGRESS__STATE__CANCELLED &&
	    take(&r) && r.func == ZW_FN_REMOVE_NODE && r.payload[0] ==
	    ZW_INCL_MODE_STOP, "cancel: cancelled, RemoveNode STOP");
}

static void
test_exclusion(void)
{
	Hd__ZwInclusion	 m = HD__ZW_INCLUSION__INIT;
	Hd__Envelope	*e;
	struct zw_req	 r;
	int		 node = 0;

	while (take(&r))
		;
	m.action = HD__ZW_INCLUSION__ACTION__EXCLUDE;
	zw_inclusion_request(&S, &m);
	take(&r);
	status(ZW_FN_REMOVE_NODE, ZW_INCL_LEARN_READY, 0, 0);
	status(ZW_FN_REMOVE_NODE, ZW_INCL_NODE_FOUND, 0, 0);
	status(ZW_FN_REMOVE_NODE, ZW_INCL_ADDING_SLAVE, 2, 0);
	drain();
	status(ZW_FN_REMOVE_NODE, ZW_INCL_DONE, 2, 0);
	CHECK(progress_state(&node) == HD__ZW_PROGRESS__STATE__DONE &&
	    node == 2 && dev_find(&S, "zw:2:0") == NULL,
	    "node 2 removed: its device is gone");
	CHECK(queued(HD__ENVELOPE__BODY_RESULT, &e) == 1 && e->result->id ==
	    73 && e->result->status ==
	    HD__COMMAND_RESULT__STATUS__UNKNOWN_DEVICE,
	    "its command in flight ends: UNKNOWN_DEVICE");
	wire_free((ProtobufCMessage *)e);
	CHECK(S.inflight[0] == 0 && S.inflight[1] == 0, "its slot is free");
	CHECK(take(&r) && r.func == ZW_FN_REMOVE_NODE && r.payload[0] ==
	    ZW_INCL_MODE_STOP, "learn mode stopped");
}



static void
test_multichannel(void)
{
	static const uint8_t cc[] = { 0x25, 0x86, 0x5e, 0x85, 0x60, 0x6c };
	struct zw_node	*zn = &S.zw->node[10];
	struct dev	*d;
	Hd__Envelope	*e;
	uint8_t		 rep[] = { 0x60, 0x0d, 0x02, 0x00, 0x25, 0x03, 0xff };

	sim[10].endpoints = 2;
	sim[10].sv_status = ZW_SV_SUCCESS;
	include_node(10, 0xd3, cc, sizeof(cc));
	pump();
	d = dev_find(&S, "zw:10:0");
	if (!CHECK(d != NULL && d->desc.interview_pct == 100,
	    "node 10: the management interview completes"))
		return;
	CHECK(zn->have_plus && zn->plus_role == 5 && zn->icon_inst == 0x0700,
	    "Z-Wave Plus Info kept: role, icons");
	CHECK(sim[10].nlife == 1 && sim[10].lifeline[0] == 1 && zn->lifeline,
	    "the lifeline: group 1 set to the controller, and checked");
	CHECK(zn->eps != NULL && zn->eps->n == 2 &&
	    dev_find_value(d, "on.1") != NULL &&
	    dev_find_value(d, "on.2") != NULL && dev_find_value(d, "on.2")->
	    writable, "two endpoints: writable on.1 and on.2 beside on");
	CHECK(command(80, "zw:10:0", "on.2", 1) ==
	    HD__COMMAND_RESULT__STATUS__OK && sim[10].on[2] == 0xff &&
	    sim[10].on[1] == 0, "on.2: endpoint 2 switched, confirmed by "
	    "its Supervision Report");
	sim[10].sv_status = ZW_SV_FAIL;
	CHECK(command(81, "zw:10:0", "on.1", 1) ==
	    HD__COMMAND_RESULT__STATUS__FAILED,
	    "Supervision Report FAIL: FAILED");
	sim[10].sv_status = ZW_SV_NO_SUPPORT;
	CHECK(command(82, "zw:10:0", "on", 1) ==
	    HD__COMMAND_RESULT__STATUS__FAILED,
	    "NO_SUPPORT: FAILED too");
	sim[10].sv_status = ZW_SV_WORKING;
	sim[10].on[0] = 0xff;
	CHECK(command(85, "zw:10:0", "on", 0) ==
	    HD__COMMAND_RESULT__STATUS__OK && sim[10].on[0] == 0,
	    "WORKING, status updates asked for: its final SUCCESS confirms "
	    "the command");
	sim[10].sv_no_final = 1;
	sim[10].on[0] = 0;
	CHECK(command(84, "zw:10:0", "on", 0) == -1 &&
	    zn->cmd_timer.active && zn->cmd_id == 84,
	    "WORKING and no final report: the command waits on");
	drain();
	CHECK(fire(&zn->cmd_timer) && queued(HD__ENVELOPE__BODY_RESULT, &e) ==
	    1 && e->result->status == HD__COMMAND_RESULT__STATUS__TIMEOUT,
	    "and times out when nothing more comes");
	sim[10].sv_no_final = 0;
	wire_free((ProtobufCMessage *)e);
	drain();
	from_node(10, rep, sizeof(rep));
	CHECK(queued(HD__ENVELOPE__BODY_REPORT, &e) == 1 &&
	    strcmp(e->report->key, "on.2") == 0 && e->report->value->b,
	    "endpoint 2's own report: value on.2");
	wire_free((ProtobufCMessage *)e);
	CHECK(command(83, "zw:10:0", "on.9", 1) ==
	    HD__COMMAND_RESULT__STATUS__READ_ONLY,
	    "an endpoint it does not have: no such value");
}

static void
test_sleeping(void)
{
	static const uint8_t cc[] = { 0x30, 0x84, 0x80, 0x86 };
	static const uint8_t wake[] = { 0x84, 0x07 };
	struct zw_node	*zn = &S.zw->node[11];
	int		 before;

	S.conf.zw_wakeup_s = 600;		/* zwave wakeup-interval 600 */
	sim[11].wakeup = 3600;
	sim[11].wakeup_node = 1;
	include_node(11, 0x53, cc, sizeof(cc));	/* not listening */
	pump();
	CHECK(zn->pct == 100 && sim[11].wakeup == 600 &&
	    sim[11].wakeup_node == 1,
	    "the configured wake-up interval is set, notifying us");
	CHECK(sim[11].nmi == 1 && sim[11].asleep && !zn->awake,
	    "interview done: No More Information, the node sleeps");
	CHECK(zn->dev != NULL && zn->dev->desc.listening ==
	    HD__ZW_LISTENING__ZW_LISTEN_SLEEPING,
	    "its device says it sleeps (not listening, not FLIRS)");
	before = sent[11];
	zw_node_refresh(S.zw, 11);
	pump();
	CHECK(sent[11] == before && zw_mgmt_held(zn) > 0,
	    "a poll while it sleeps is held, not sent");
	sim[11].asleep = 0;
	from_node(11, wake, sizeof(wake));
	pump();
	CHECK(sent[11] > before && sim[11].nmi == 2 && !zn->awake,
	    "wake-up: the held requests go, then No More Information");
}


/* The last report queued to the master for device `dev`: 1 with key and
 * bool value, else 0. */
static int
last_report(const char *dev, char *key, size_t size, int *b)
{
	Hd__Envelope	*e;
	int		 ok;

	if (queued(HD__ENVELOPE__BODY_REPORT, &e) == 0 || e == NULL)
		return 0;
	ok = strcmp(e->report->device_id, dev) == 0 &&
	    e->report->value->v_case == HD__VALUE__V_B;
	if (ok) {
		snprintf(key, size, "%s", e->report->key);
		*b = e->report->value->b;
	}
	wire_free((ProtobufCMessage *)e);
	return ok;
}

/*
 * Basic Set from a node (a sensor reporting to a group we are in) is the
 * value Basic stands for on it: the Binary Sensor's state under the key
 * its typed report used, a switch's "on"; never a new value beside them.
 */
static void
test_basic_set(void)
{
	static const uint8_t door[] = { 0x30, 0x03, 0xff, 0x0a };
	static const uint8_t bset_off[] = { 0x20, 0x01, 0x00 };
	static const uint8_t bset_on[] = { 0x20, 0x01, 0xff };
	struct dev	*d11 = dev_find(&S, "zw:11:0");
	struct dev	*d10 = dev_find(&S, "zw:10:0");
	char		 key[32];
	int		 b = -1, nvals;

	if (!CHECK(d11 != NULL && d10 != NULL, "sensor 11 and switch 10"))
		return;
	drain();
	from_node(11, door, sizeof(door));
	CHECK(last_report("zw:11:0", key, sizeof(key), &b) &&
	    strcmp(key, "door") == 0 && b == 1, "a typed report: door open");
	nvals = (int)d11->desc.n_values;
	drain();
	from_node(11, bset_off, sizeof(bset_off));
	CHECK(last_report("zw:11:0", key, sizeof(key), &b) &&
	    strcmp(key, "door") == 0 && b == 0,
	    "Basic Set 0 from the sensor: door closed");
	drain();
	from_node(11, bset_on, sizeof(bset_on));
	CHECK(last_report("zw:11:0", key, sizeof(key), &b) &&
	    strcmp(key, "door") == 0 && b == 1 &&
	    (int)d11->desc.n_values == nvals,
	    "Basic Set 0xff: door open, no value added");
	drain();
	from_node(10, bset_off, sizeof(bset_off));
	CHECK(last_report("zw:10:0", key, sizeof(key), &b) &&
	    strcmp(key, "on") == 0 && b == 0,
	    "Basic Set 0 from a switch: \"on\" false");
}


/*
 * A command to a sleeping node: QUEUED at once (not final), sent at the
 * wake-up and then OK; one whose hold time runs out is TIMEOUT and taken
 * back, so the next wake-up does not carry it to the node after all.
 */
static void
test_sleeping_command(void)
{
	static const uint8_t cc[] = { 0x25, 0x84, 0x86 };
	static const uint8_t wake[] = { 0x84, 0x07 };
	struct zw_node	*zn = &S.zw->node[12];
	char		 why[128];
	int		 before, nmi, held;

	sim[12].wakeup = 600;
	sim[12].wakeup_node = 1;
	include_node(12, 0x53, cc, sizeof(cc));	/* not listening */
	pump();
	if (!CHECK(zw_mgmt_asleep(zn) && dev_find(&S, "zw:12:0") != NULL,
	    "node 12: a sleeping switch, asleep after its interview"))
		return;
	before = sent[12];
	held = zw_mgmt_held(zn);		/* its state poll, held already */
	CHECK(command(90, "zw:12:0", "on", 1) ==
	    HD__COMMAND_RESULT__STATUS__QUEUED && last_result(90, why,
	    sizeof(why)) == HD__COMMAND_RESULT__STATUS__QUEUED &&
	    strstr(why, "asleep") != NULL && sent[12] == before &&
	    zw_mgmt_held(zn) == held + 1 && zn->cmd_timer.active,
	    "asleep: QUEUED sent to the master, the SET held, not sent");
	CHECK(command(91, "zw:12:0", "on", 0) ==
	    HD__COMMAND_RESULT__STATUS__BUSY,
	    "a second command to it meanwhile: BUSY");
	drain();
	nmi = sim[12].nmi;
	sim[12].asleep = 0;
	from_node(12, wake, sizeof(wake));
	pump();
	CHECK(last_result(90, NULL, 0) == HD__COMMAND_RESULT__STATUS__OK &&
	    sim[12].on[0] == 0xff && sent[12] > before,
	    "wake-up: the SET goes, the report confirms it: OK");
	CHECK(sim[12].nmi == nmi + 1 && !zn->awake && zn->cmd_id == 0,
	    "then No More Information: the node sleeps again");

	CHECK(command(92, "zw:12:0", "on", 0) ==
	    HD__COMMAND_RESULT__STATUS__QUEUED && zw_mgmt_held(zn) == 1,
	    "asleep again: the next command is QUEUED");
	drain();
	CHECK(fire(&zn->cmd_timer) && last_result(92, why, sizeof(why)) ==
	    HD__COMMAND_RESULT__STATUS__TIMEOUT && strstr(why, "not sent") !=
	    NULL && zw_mgmt_held(zn) == 0 && !zn->cmd_sending,
	    "no wake-up within the hold time: TIMEOUT, taken back");
	before = sent[12];
	sim[12].asleep = 0;
	from_node(12, wake, sizeof(wake));
	pump();
	CHECK(sim[12].on[0] == 0xff && sent[12] == before + 1 &&
	    sim[12].nmi == nmi + 2,
	    "the next wake-up: only No More Information, the SET never goes");
	CHECK(command(93, "zw:12:0", "on", 0) ==
	    HD__COMMAND_RESULT__STATUS__QUEUED,
	    "after the timeout the node takes a new command");
	drain();
	CHECK(zw_ctrl_node_unregister(S.zw, 12) == 1 && last_result(93, why,
	    sizeof(why)) == HD__COMMAND_RESULT__STATUS__UNKNOWN_DEVICE &&
	    dev_find(&S, "zw:12:0") == NULL,
	    "a held command to a node that leaves: UNKNOWN_DEVICE");
}

/*
 * The same for a node that takes the switch only through S0: what is held
 * is its Nonce Get, with the SET waiting behind it in the S0 queue. Both
 * are taken back when the hold time runs out.
 */
static void
test_sleeping_secure(void)
{
	static const uint8_t cc[] = { 0x25, 0x84, 0x86 };
	static const uint8_t wake[] = { 0x84, 0x07 };
	struct zw_node	*zn = &S.zw->node[13];
	char		 why[128];
	int		 before, held, nmi;

	sim[13].wakeup = 600;
	sim[13].wakeup_node = 1;
	include_node(13, 0x53, cc, sizeof(cc));
	pump();
	zn->sec_level = 1;		/* as after S0 inclusion */
	zn->scc[0] = 0x25;
	zn->nscc = 1;
	if (!CHECK(zw_mgmt_asleep(zn) && zw_sec_wanted(zn, 0x25),
	    "node 13: a sleeping switch that takes it only through S0"))
		return;
	held = zw_mgmt_held(zn);
	before = sent[13];
	CHECK(command(95, "zw:13:0", "on", 1) ==
	    HD__COMMAND_RESULT__STATUS__QUEUED && zw_mgmt_held(zn) ==
	    held + 1 && zw_sec_busy(zn) && sent[13] == before,
	    "S0, asleep: QUEUED; its Nonce Get held, the SET behind it");
	drain();
	CHECK(fire(&zn->cmd_timer) && last_result(95, why, sizeof(why)) ==
	    HD__COMMAND_RESULT__STATUS__TIMEOUT && strstr(why, "not sent") !=
	    NULL && zw_mgmt_held(zn) == held && !zw_sec_busy(zn) &&
	    !zn->cmd_sending, "S0: the hold time runs out: TIMEOUT, the "
	    "Nonce Get and the SET taken back");
	nmi = sim[13].nmi;
	sim[13].asleep = 0;
	from_node(13, wake, sizeof(wake));
	pump();
	CHECK(sent[13] == before + held + 1 && sim[13].on[0] == 0 &&
	    sim[13].nonce_gets == 0 && sim[13].nmi == nmi + 1,
	    "S0: the next wake-up sends only what else was held and No More "
	    "Information");
	zw_ctrl_node_unregister(S.zw, 13);
}

static void
test_restart(void)
{
	struct zw_req r;

	S.zw->node[10].pct = ZW_INTERVIEW_NIF;	/* as if cut short */
	S.zw->node[11].pct = ZW_INTERVIEW_NIF;	/* a sleeping one too */
	S.zw->node[9].sec_denied = 1;	/* included while S0 was refused */
	zw_nodes_save(S.zw);
	zw_stop(&S);
	CHECK(S.ndevs == 0, "stopped: no device left");
	nreqs = 0;
	zw_start(&S);
	CHECK(dev_find(&S, "zw:9:0") != NULL && dev_find(&S, "zw:2:0") ==
	    NULL && dev_find(&S, "zw:9:0")->desc.interview_pct == 100,
	    "restart: node 9 back from the table, interviewed; 2 stays gone");
	CHECK(S.zw->node[9].sec_denied && !S.zw->node[10].sec_denied,
	    "the licence's refusal of S0 survives a restart");
	nreqs = 0;
	with_node9 = 1;
	CHECK(startup() == 0 && !pending(ZW_FN_REQUEST_NODE_INFO, 9) &&
	    dev_find(&S, "zw:9:0") != NULL &&
	    dev_find(&S, "zw:9:0")->desc.interview_pct == 100,
	    "the stick is back: node 9 is not interviewed again");
	CHECK(S.zw->mgmt == 10 && !pending(ZW_FN_REQUEST_NODE_INFO, 10) &&
	    pending(ZW_FN_SEND_DATA, 10), "node 10, its management interview "
	    "cut short, resumes it without asking its classes again");
	(void)r;
}

/* Node 11, asleep, its interview stopped by the restart at 75 %: it can
 * only be asked while awake, so its next Wake Up Notification runs it,
 * before No More Information sends it back to sleep. */
static void
test_sleeping_resume(void)
{
	static const uint8_t wake[] = { 0x84, 0x07 };
	struct zw_node	*zn = &S.zw->node[11];
	int		 nmi;

	/* The other interviews end; node 11, asked for its node
	 * information while asleep, gives none. */
	settle();
	sim[11].wakeup = 3600;
	if (!CHECK(S.zw->mgmt == 0 && S.zw->interviewing == 0 &&
	    zn->pct == ZW_INTERVIEW_NIF &&
	    zw_mgmt_asleep(zn), "node 11 still at 75 %%, asleep"))
		return;
	nmi = sim[11].nmi;
	sim[11].asleep = 0;
	from_node(11, wake, sizeof(wake));
	pump();
	CHECK(zn->pct == ZW_INTERVIEW_DONE &&
	    dev_find(&S, "zw:11:0")->desc.interview_pct == 100,
	    "its wake-up: the interview runs to the end");
	CHECK(sim[11].wakeup == 600 && sim[11].nmi == nmi + 1 &&
	    sim[11].asleep, "its wake-up interval set, then back to sleep");
}

/* A slave without a stick answers an inclusion request at once. */
static void
test_no_stick(void)
{
	struct slave	 t;
	Hd__ZwInclusion	 m = HD__ZW_INCLUSION__INIT;
	const struct rq_item *it;
	Hd__Envelope	*e = NULL;

	memset(&t, 0, sizeof(t));
	TAILQ_INIT(&t.devs);
	rq_init(&t.rq);
	t.up = &link_uplink;
	t.link.state = CLINK_IDLE;
	m.action = HD__ZW_INCLUSION__ACTION__INCLUDE;
	zw_inclusion_request(&t, &m);
	if (t.rq.count == 1) {
		it = &t.rq.items[t.rq.head];
		e = (Hd__Envelope *)wire_unpack(&hd__envelope__descriptor,
		    it->data + WIRE_HDR_LEN, it->len - WIRE_HDR_LEN);
	}
	CHECK(e != NULL && e->body_case == HD__ENVELOPE__BODY_ZW_PROGRESS &&
	    e->zw_progress->state == HD__ZW_PROGRESS__STATE__REFUSED &&
	    strstr(e->zw_progress->reason, "no Z-Wave stick") != NULL,
	    "no stick: refused, with the reason");
	wire_free((ProtobufCMessage *)e);
	rq_free(&t.rq);
}

int
main(void)
{
	if (!CHECK(zwf_open() == 0, "zw_start"))
		return check_done();
	test_interview();
	test_failed();
	test_command();
	test_inclusion();
	test_timeout_cancel();
	test_exclusion();
	test_multichannel();
	test_sleeping();
	test_basic_set();
	test_sleeping_command();
	test_sleeping_secure();
	test_restart();
	test_sleeping_resume();
	test_no_stick();
	zwf_close();
	return check_done();
}
