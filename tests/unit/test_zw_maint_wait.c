/*
 * Unit tests for maintenance held for a sleeping node's wake-up
 * (zw_maint_queue.c), with zw_fake.c's stick and nodes: a ping to a
 * sleeping node is answered QUEUED with nothing sent, runs at the Wake Up
 * Notification before No More Information; one whose node does not wake
 * up within the hold time fails, and never reaches the node later; the
 * queue is bounded (ZW_MAINT_QUEUED); a configuration Get for a node
 * without the class is refused at once, not queued.
 */

#include <stdio.h>
#include <string.h>

#define CHECK_PARTS	/* zw_fake.c shares the count */
#include "check.h"
#include "wire.h"
#include "zw_fake.h"
#include "../../slave/zwave/zw_maint.h"

#define SLEEPER		12

static const uint8_t	wake[] = { 0x84, 0x07 };

/* The last maintenance step's state and reason, or -1. */
static int
last_step(char *why, size_t size)
{
	Hd__Envelope	*e;
	int		 st = -1;

	if (queued(HD__ENVELOPE__BODY_ZW_NODE_OP_RESULT, &e) > 0) {
		st = e->zw_node_op_result->state;
		if (why != NULL)
			snprintf(why, size, "%s", e->zw_node_op_result->reason);
	}
	wire_free((ProtobufCMessage *)e);
	return st;
}

static void
op(Hd__ZwNodeOp__Op o, int node, int param)
{
	Hd__ZwNodeOp m = HD__ZW_NODE_OP__INIT;

	m.op = o;
	m.node_id = (uint32_t)node;
	m.param = (uint32_t)param;
	m.issued_by = (char *)(uintptr_t)"test";
	zw_node_op_request(&S, &m);
}

static void
test_ping_waits(void)
{
	static const uint8_t	 cc[] = { 0x25, 0x84, 0x86 };
	struct zw_node		*zn = &S.zw->node[SLEEPER];
	struct zw_maint		*m = S.zw->maint;
	char			 why[128];
	int			 before, nmi;

	sim[SLEEPER].wakeup = 600;
	sim[SLEEPER].wakeup_node = 1;
	include_node(SLEEPER, 0x53, cc, sizeof(cc));	/* not listening */
	pump();
	if (!CHECK(zw_mgmt_asleep(zn), "node 12: a sleeping switch, asleep"))
		return;
	drain();
	before = sent[SLEEPER];
	op(HD__ZW_NODE_OP__OP__PING, SLEEPER, 0);
	CHECK(last_step(why, sizeof(why)) ==
	    HD__ZW_NODE_OP_RESULT__STATE__QUEUED &&
	    strcmp(why, "the node sleeps: run at its next wake-up") == 0 &&
	    m->nwait == 1 && m->op == -1 && m->wait_timer.active,
	    "a ping to the sleeping node: QUEUED, the stick's maintenance free");
	pump();
	CHECK(sent[SLEEPER] == before, "nothing sent to it while it sleeps");
	op(HD__ZW_NODE_OP__OP__CONFIG_GET, SLEEPER, 1);
	CHECK(last_step(why, sizeof(why)) ==
	    HD__ZW_NODE_OP_RESULT__STATE__REFUSED &&
	    strcmp(why, "the node has no Configuration class") == 0 &&
	    m->nwait == 1, "a configuration Get without the class: refused, "
	    "not queued");
	drain();
	nmi = sim[SLEEPER].nmi;
	sim[SLEEPER].asleep = 0;
	from_node(SLEEPER, wake, sizeof(wake));
	CHECK(m->nwait == 0 && m->op == HD__ZW_NODE_OP__OP__PING &&
	    m->node == SLEEPER && zn->awake && sim[SLEEPER].nmi == nmi,
	    "wake-up: the ping runs, No More Information waits for it");
	pump();
	CHECK(last_step(why, sizeof(why)) ==
	    HD__ZW_NODE_OP_RESULT__STATE__DONE &&
	    strncmp(why, "acknowledged in ", 16) == 0 &&
	    sent[SLEEPER] > before, "the ping acknowledged: DONE");
	CHECK(sim[SLEEPER].nmi == nmi + 1 && !zn->awake,
	    "then No More Information: asleep again");
}

static void
test_expiry(void)
{
	struct zw_maint	*m = S.zw->maint;
	char		 why[128];
	int		 i, before = sent[SLEEPER], nmi = sim[SLEEPER].nmi;

	drain();
	op(HD__ZW_NODE_OP__OP__PING, SLEEPER, 0);
	CHECK(last_step(NULL, 0) == HD__ZW_NODE_OP_RESULT__STATE__QUEUED,
	    "asleep again: the next ping is QUEUED");
	drain();
	CHECK(fire(&m->wait_timer) && last_step(why, sizeof(why)) ==
	    HD__ZW_NODE_OP_RESULT__STATE__FAILED &&
	    strcmp(why, "the node did not wake up in time; not run") == 0 &&
	    m->nwait == 0 && !m->wait_timer.active,
	    "no wake-up within the hold time: FAILED");
	sim[SLEEPER].asleep = 0;
	from_node(SLEEPER, wake, sizeof(wake));
	pump();
	CHECK(sent[SLEEPER] == before + 1 && sim[SLEEPER].nmi == nmi + 1 &&
	    m->op == -1, "the next wake-up: only No More Information");
	sim[SLEEPER].asleep = 1;
	drain();
	for (i = 0; i < ZW_MAINT_QUEUED; i++)
		op(HD__ZW_NODE_OP__OP__PING, SLEEPER, 0);
	CHECK(m->nwait == ZW_MAINT_QUEUED && last_step(NULL, 0) ==
	    HD__ZW_NODE_OP_RESULT__STATE__QUEUED, "ZW_MAINT_QUEUED pings queued");
	op(HD__ZW_NODE_OP__OP__PING, SLEEPER, 0);
	CHECK(m->nwait == ZW_MAINT_QUEUED && last_step(why, sizeof(why)) ==
	    HD__ZW_NODE_OP_RESULT__STATE__REFUSED && strstr(why,
	    "too many") != NULL, "one more: REFUSED, the queue is bounded");
}

int
main(void)
{
	if (!CHECK(zwf_open() == 0, "zw_start") ||
	    !CHECK(startup() == 0, "start-up"))
		return check_done();
	test_ping_waits();
	test_expiry();
	zwf_close();
	return check_done();
}
