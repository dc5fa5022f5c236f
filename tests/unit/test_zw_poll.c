/*
 * Unit tests for the state poll after the start-up on a large network
 * (zw_node.c's pacing), with zw_fake.c's stick and nodes: 40 switches,
 * nodes 2..41. Their polls go out a node at a time while the stick's load
 * stays below ZW_POLL_PACE_BELOW (before, all 40 went at once into the
 * session's 32-slot queue: polls were dropped in silence and commands got
 * BUSY); every node is polled in the end, and a user command during the
 * burst gets through. And while the stick is gone, the values are
 * reported faulty and a command fails saying the stick is offline.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK_PARTS	/* zw_fake.c shares the count */
#include "check.h"
#include "wire.h"
#include "zw_fake.h"

#define FIRST		2
#define NNODES		40

/* Every node a binary switch by its classes; the stick gives the last
 * two the generic classes of a notification sensor (0x07: most modern
 * door, motion and leak sensors) and a wall controller (0x18). */
static uint8_t
switch_generic(uint8_t node)
{
	return node == FIRST + NNODES - 1 ? 0x07 :
	    node == FIRST + NNODES - 2 ? 0x18 : 0x10;
}

/* The start-up of a stick listing the controller and nodes 2..41, all
 * binary switches. */
static int
big_startup(void)
{
	uint8_t	mask[ZW_NODEMASK_LEN] = { 0 };
	int	id;

	for (id = 1; id < FIRST + NNODES; id++)
		mask[(id - 1) / 8] |= (uint8_t)(1 << ((id - 1) % 8));
	return stick_startup(mask, 0x02, switch_generic);
}

/* Answer each node's RequestNodeInfo with its node information. */
static int
interviews(void)
{
	static const uint8_t cc[] = { 0x25 };
	struct zw_req	r;
	int		i, n = 0;

	for (i = 0; i < 4 * NNODES && nreqs > 0; i++) {
		take(&r);
		answer(&r, (const uint8_t []){ 1 }, 1, 0);
		if (r.func == ZW_FN_REQUEST_NODE_INFO) {
			nif(r.payload[0], 0x10, cc, sizeof(cc));
			n++;
		}
		if (n == NNODES)
			break;
	}
	return n;
}

/* How many Binary Switch GETs went to each node. */
static int	gets[ZW_MAX_NODES + 1];

/* Answer one recorded request as the stick and the switch would. */
static void
answer_one(void)
{
	struct zw_req r;

	if (!take(&r))
		return;
	answer(&r, (const uint8_t []){ 1 }, 1, 0);
	if (r.func == ZW_FN_SEND_DATA && r.payload[1] >= 2 &&
	    r.payload[2] == 0x25 && r.payload[3] == 0x02) {
		gets[r.payload[0]]++;
		sim_command(r.payload[0], 0, r.payload + 2, r.payload[1]);
	}
}

static void
test_paced(void)
{
	struct zw_node	*zn;
	int		 i, id, polled = 0, most;

	if (!CHECK(big_startup() == 0, "a stick with 40 switches starts"))
		return;
	CHECK(dev_find(&S, "zw:41:0") != NULL && dev_find(&S,
	    "zw:41:0")->desc.kind == HD__DEVICE_KIND__DEV_BINARY_SENSOR &&
	    dev_find(&S, "zw:40:0")->desc.kind ==
	    HD__DEVICE_KIND__DEV_CONTROLLER, "generic class 0x07: a binary "
	    "sensor (was unknown); 0x18: a controller");
	CHECK(interviews() == NNODES, "each is interviewed");
	max_reqs = nreqs;
	most = nreqs;
	CHECK(nreqs <= ZW_POLL_PACE_BELOW + 2,
	    "the interviews done, the polls start paced (%d queued)", nreqs);
	/* Drain slowly, as a radio would: one answer, then the clock
	 * jumps past the pacer's look. */
	for (i = 0; i < 20 * NNODES; i++) {
		answer_one();
		fire(&S.zw->poll_timer);
		if (nreqs > most)
			most = nreqs;
		if (nreqs == 0 && !S.zw->poll_timer.active)
			break;
	}
	for (id = FIRST; id < FIRST + NNODES; id++) {
		zn = &S.zw->node[id];
		polled += gets[id] == 1 && !zn->poll_due;
	}
	CHECK(polled == NNODES, "every node is polled once (%d of %d)",
	    polled, NNODES);
	CHECK(most <= ZW_POLL_PACE_BELOW + 2 &&
	    max_reqs <= ZW_POLL_PACE_BELOW + 2,
	    "never more than %d requests queued at once (%d)",
	    ZW_POLL_PACE_BELOW + 2, max_reqs);
}

static void
test_command_in_burst(void)
{
	struct zw_node	*zn = &S.zw->node[FIRST + NNODES - 1];
	int		 id;

	/* A second round of polls (as after a stick reconnect)... */
	for (id = FIRST; id < FIRST + NNODES; id++)
		S.zw->node[id].poll_due = 1;
	zw_node_poll_pace(S.zw);
	CHECK(S.zw->poll_timer.active && zn->poll_due,
	    "a second burst: the last node's poll still waits its turn");
	/* ...and a command meanwhile, for the last node. */
	CHECK(command(400, "zw:41:0", "on", 1) ==
	    HD__COMMAND_RESULT__STATUS__OK && sim[41].on[0] == 0xff,
	    "a command during the burst goes first and is confirmed");
}

/* The last report of `key` on `dev` queued since drain(): 1 faulty, 0
 * not, -1 none. */
static int
last_fault(const char *dev, const char *key)
{
	const struct rq_item	*it;
	Hd__Envelope		*e;
	int			 i, r = -1;

	for (i = 0; i < S.rq.count; i++) {
		it = &S.rq.items[(S.rq.head + i) % CLUSTER_REPLAY_QUEUE];
		e = (Hd__Envelope *)wire_unpack(&hd__envelope__descriptor,
		    it->data + WIRE_HDR_LEN, it->len - WIRE_HDR_LEN);
		if (e != NULL && e->body_case == HD__ENVELOPE__BODY_REPORT &&
		    strcmp(e->report->device_id, dev) == 0 &&
		    strcmp(e->report->key, key) == 0)
			r = e->report->fault;
		wire_free((ProtobufCMessage *)e);
	}
	return r;
}

static void
test_stick_gone(void)
{
	char why[128];

	while (nreqs > 0)
		answer_one();
	drain();
	the_stick.ops->up(the_stick.arg, 0, "port closed");
	CHECK(last_fault("zw:2:0", "on") == 1,
	    "the stick gone: the last values are reported faulty");
	drain();
	CHECK(command(401, "zw:2:0", "on", 0) ==
	    HD__COMMAND_RESULT__STATUS__DEVICE_FAULT && last_result(401, why,
	    sizeof(why)) == HD__COMMAND_RESULT__STATUS__DEVICE_FAULT &&
	    strstr(why, "offline") != NULL,
	    "a command says the stick is offline (not BUSY)");
	drain();
	nreqs = 0;
	CHECK(big_startup() == 0 && last_fault("zw:2:0", "on") == 0,
	    "the stick back: the values are reported without the fault");
}

int
main(void)
{
	if (!CHECK(zwf_open() == 0, "zw_start"))
		return check_done();
	test_paced();
	test_command_in_burst();
	test_stick_gone();
	zwf_close();
	return check_done();
}
