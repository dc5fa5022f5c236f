/*
 * Unit tests for the management layer and classes a node supports only
 * securely (zw_mgmt.c, zw_sec.c), with zw_fake.c's stick and nodes:
 *
 * - a node whose Wake Up is only in its secure list is a sleeping node
 *   (requests held for its wake-up, not sent and faulted), and its Wake
 *   Up Notification in clear is taken (it carries nothing);
 * - once a node's secure classes are known (S0 granted, adopted), a
 *   management class among them (Association: the lifeline) is asked
 *   about: the interview runs again, its question encapsulated.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK_PARTS	/* zw_fake.c shares the count */
#include "check.h"
#include "wire.h"
#include "zw_fake.h"

#define SENSOR	23	/* sleeping, Wake Up only securely */
#define LOCK	24	/* listening, Association only securely */

/* As after S0 inclusion or adoption (the clear node information here
 * does not list Security, so that no adoption starts on its own). */
static void
grant(struct zw_node *zn, const uint8_t *scc, size_t n)
{
	zn->sec_level = 1;
	memcpy(zn->scc, scc, n);
	zn->nscc = n;
}

static void
test_secure_wakeup(void)
{
	static const uint8_t cc[] = { 0x86, 0x72 };
	static const uint8_t scc[] = { 0x84, 0x80, 0x30 };
	static const uint8_t wake[] = { 0x84, 0x07 };
	struct zw_node	*zn = &S.zw->node[SENSOR];
	int		 before, nmi;

	include_node(SENSOR, 0x53, cc, sizeof(cc));	/* not listening */
	pump();
	grant(zn, scc, sizeof(scc));
	zw_node_values(zn);
	zn->awake = 0;
	CHECK(zw_mgmt_asleep(zn),
	    "Wake Up only in the secure list: a sleeping node");
	before = sent[SENSOR];
	zw_node_refresh(S.zw, SENSOR);
	pump();
	CHECK(sent[SENSOR] == before && zw_mgmt_held(zn) > 0 && !zn->failed,
	    "its state poll is held for its wake-up, not sent and faulted");
	nmi = sim[SENSOR].nmi;
	sim[SENSOR].asleep = 0;
	from_node(SENSOR, wake, sizeof(wake));
	pump();
	CHECK(sent[SENSOR] > before && zw_mgmt_held(zn) == 0,
	    "its clear Wake Up Notification is taken: what was held goes");
	CHECK(sim[SENSOR].nonce_gets > 0,
	    "its secure-only classes go encapsulated (a Nonce Get first)");
	(void)nmi;
}

static void
test_secure_lifeline(void)
{
	static const uint8_t cc[] = { 0x86, 0x72 };
	static const uint8_t scc[] = { 0x62, 0x85 };
	struct zw_node	*zn = &S.zw->node[LOCK];
	int		 gets;

	include_node(LOCK, 0xd3, cc, sizeof(cc));
	pump();
	if (!CHECK(zn->dev != NULL && zn->pct == ZW_INTERVIEW_DONE &&
	    S.zw->mgmt == 0, "node 24 interviewed on its clear classes"))
		return;
	gets = sim[LOCK].nonce_gets;
	grant(zn, scc, sizeof(scc));
	zw_mgmt_security_known(S.zw, zn);
	pump();
	CHECK(zn->pct == ZW_INTERVIEW_NIF && S.zw->mgmt == LOCK,
	    "Association among its secure classes: interviewed again");
	CHECK(sim[LOCK].nonce_gets > gets && sim[LOCK].nlife == 0,
	    "the lifeline Set goes encapsulated (its Nonce Get), not in clear");
	zw_ctrl_node_unregister(S.zw, LOCK);
}

int
main(void)
{
	if (!CHECK(zwf_open() == 0, "zw_start") ||
	    !CHECK(startup() == 0, "start-up"))
		return check_done();
	settle();
	test_secure_wakeup();
	test_secure_lifeline();
	zwf_close();
	return check_done();
}
