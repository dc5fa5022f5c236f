/*
 * Unit tests for a dimmer's level command confirmed after its ramp
 * (zw_node_cmd.c), with zw_fake.c's stick and nodes: the first GET sees
 * the level halfway; the report's target and duration (version 4), or a
 * level on the way (version 1), make it ask again once the ramp is over
 * instead of ending TIMEOUT; a dimmer going to another level is not
 * waited for; the GETs again are bounded.
 */

#include <stdio.h>
#include <string.h>

#define CHECK_PARTS	/* zw_fake.c shares the count */
#include "check.h"
#include "zw_fake.h"

#define DIMMER		24	/* Multilevel Switch version 4, 3 s ramps */
#define OLD_DIMMER	25	/* version 1: its report has the level only */

static uint64_t	t0, t1;	/* the clock before and after level() */

/* Is timer t due `ms` after level() ran? Certain bounds, on any load. */
static int
due_in(const struct ev_timer *t, uint64_t ms)
{
	return t->active && t->deadline >= t0 + ms && t->deadline <= t1 + ms;
}

/* Ask node `id` for level `lv`: the result's status, or -1 while none
 * came. */
static int
level(uint64_t cid, uint8_t id, int lv)
{
	Hd__Command	 c = HD__COMMAND__INIT;
	Hd__Value	 v = HD__VALUE__INIT;
	char		 dev[16];

	snprintf(dev, sizeof(dev), "zw:%u:0", id);
	v.v_case = HD__VALUE__V_I;
	v.i = lv;
	c.id = cid;
	c.device_id = dev;
	c.key = (char *)(uintptr_t)"level";
	c.value = &v;
	drain();
	t0 = ev_clock_ms();
	devices_command(&S, &c);
	pump();
	t1 = ev_clock_ms();
	return last_result(cid, NULL, 0);
}

static struct zw_node *
dimmer(uint8_t id, int v1)
{
	static const uint8_t cc[] = { 0x26, 0x86 };
	struct zw_node *zn = &S.zw->node[id];

	sim[id].ramp_s = 3;
	sim[id].ramp_v1 = v1;
	include_node(id, 0xd3, cc, sizeof(cc));
	pump();
	return zn;
}

static void
test_ramp_v4(void)
{
	struct zw_node	*zn = dimmer(DIMMER, 0);
	int		 gets;

	if (!CHECK(zn->dev != NULL && dev_find_value(zn->dev, "level") !=
	    NULL, "node 24: a dimmer"))
		return;
	gets = sent[DIMMER];
	CHECK(level(400, DIMMER, 60) == -1 && sim[DIMMER].level == 30 &&
	    sent[DIMMER] == gets + 2, "level 60: SET, GET, the report says "
	    "30 on the way to 60 in 3 s: no result yet");
	CHECK(zn->cmd_recheck && zn->cmd_rechecks == 1 &&
	    due_in(&zn->cmd_timer, 3000 + ZW_RAMP_MARGIN_MS),
	    "the GET goes again after the ramp's 3 s and ZW_RAMP_MARGIN_MS");
	sim[DIMMER].level = sim[DIMMER].target;		/* ramp over */
	CHECK(fire(&zn->cmd_timer) && sent[DIMMER] == gets + 2,
	    "the ramp's time: ...");
	pump();
	CHECK(sent[DIMMER] == gets + 3 && last_result(400, NULL, 0) ==
	    HD__COMMAND_RESULT__STATUS__OK, "... GET again: 60, OK");

	/* Never arriving: asked again ZW_RAMP_RECHECKS times, then
	 * TIMEOUT. */
	CHECK(level(401, DIMMER, 80) == -1, "level 80: on its way");
	while (zn->cmd_id == 401 && fire(&zn->cmd_timer) &&
	    sent[DIMMER] < gets + 20)
		pump();
	CHECK(last_result(401, NULL, 0) ==
	    HD__COMMAND_RESULT__STATUS__TIMEOUT &&
	    sent[DIMMER] == gets + 5 + ZW_RAMP_RECHECKS,
	    "a ramp that never ends: %d GETs again, then TIMEOUT",
	    ZW_RAMP_RECHECKS);

	/* Going to another level (someone at the wall): no wait. */
	sim[DIMMER].level = 10;
	sim[DIMMER].target = 20;
	zn->cmd_id = 402;
	zn->cmd_confirming = 1;
	zn->cmd_want = 70;
	zn->cmd_rechecks = 0;
	from_node(DIMMER, (const uint8_t []){ 0x26, 0x03, 10, 20, 3 }, 5);
	CHECK(!zn->cmd_recheck, "a report going to 20, not 70: not waited "
	    "for");
	zn->cmd_id = 0;
	zn->cmd_confirming = 0;
}

static void
test_ramp_v1(void)
{
	struct zw_node	*zn = dimmer(OLD_DIMMER, 1);

	if (!CHECK(zn->dev != NULL, "node 25: a version 1 dimmer"))
		return;
	CHECK(level(410, OLD_DIMMER, 40) == -1 && zn->cmd_recheck,
	    "level 40: its report says 20 and nothing more: asked again");
	CHECK(due_in(&zn->cmd_timer, ZW_RAMP_RECHECK_MS),
	    "after ZW_RAMP_RECHECK_MS (1 s)");
	sim[OLD_DIMMER].level = 40;
	fire(&zn->cmd_timer);
	pump();
	CHECK(last_result(410, NULL, 0) == HD__COMMAND_RESULT__STATUS__OK,
	    "then 40: OK");
}

int
main(void)
{
	if (!CHECK(zwf_open() == 0, "zw_start") ||
	    !CHECK(startup() == 0, "start-up"))
		return check_done();
	test_ramp_v4();
	test_ramp_v1();
	zwf_close();
	return check_done();
}
