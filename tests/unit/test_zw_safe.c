/*
 * Unit tests for Z-Wave safe states (slave/dev/safe.c, docs/ZWAVE.md#
 * safe-states) on the fake stick of zw_fake.c: the wait counted from
 * start-up and from a lost link, stopped by a link that comes back; the
 * safe value set on a switch through the node layer, confirmed by its
 * report; a missing device and a node that does not answer reported as
 * failures; each outcome queued as a SafeState for the master (never a
 * CommandResult, never in the command memo); set once per cut-off.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK_PARTS	/* zw_fake.c shares the count */
#include "check.h"
#include "wire.h"
#include "zw_fake.h"

static struct safe_value values[2];

/* Interview node 2 as a Binary Switch, as test_zw_node does. */
static int
switch_node(void)
{
	static const uint8_t	sw_cc[] = { 0x25, 0x20, 0x72 };
	struct zw_req		r;

	if (startup() != 0 || !take(&r))
		return -1;
	answer(&r, (const uint8_t []){ 1 }, 1, 0);
	nif(2, 0x10, sw_cc, sizeof(sw_cc));
	take(&r);			/* node 3's interview: silent */
	answer(&r, (const uint8_t []){ 1 }, 1, 0);
	nif_timeout();
	pump();
	return dev_find_value(dev_find(&S, "zw:2:0"), "on") != NULL ? 0 : -1;
}

/* The SafeState envelopes queued: how many, their statuses in order. */
static int
safe_states(int st[4], char dev[4][32])
{
	const struct rq_item	*it;
	Hd__Envelope		*e;
	int			 i, n = 0;

	for (i = 0; i < S.rq.count; i++) {
		it = &S.rq.items[(S.rq.head + i) % CLUSTER_REPLAY_QUEUE];
		e = (Hd__Envelope *)wire_unpack(&hd__envelope__descriptor,
		    it->data + WIRE_HDR_LEN, it->len - WIRE_HDR_LEN);
		if (e == NULL)
			continue;
		if (e->body_case == HD__ENVELOPE__BODY_SAFE_STATE && n < 4) {
			st[n] = e->safe_state->status;
			snprintf(dev[n++], 32, "%s", e->safe_state->device_id);
		}
		wire_free((ProtobufCMessage *)e);
	}
	return n;
}

static void
test_wait(void)
{
	CHECK(safe_start(&S) == 0 && S.safe != NULL, "safe states start");
	CHECK(S.safe != NULL && S.safe->timer.active,
	    "at start-up there is no master yet: the wait runs");
	safe_link(&S, 1);
	CHECK(!S.safe->timer.active, "a master: the wait stops");
	safe_link(&S, 0);
	CHECK(S.safe->timer.active, "the master lost: it runs "
	    "again, zwave-safe-after long");
}

static void
test_apply(void)
{
	int	st[4], n;
	char	dev[4][32];

	drain();
	sim[2].on[0] = 0;
	CHECK(fire(&S.safe->timer), "cut off for zwave-safe-after");
	pump();
	CHECK(sim[2].on[0] == 0xff, "node 2's switch is set on through the "
	    "node layer");
	n = safe_states(st, dev);
	CHECK(n == 2 && strcmp(dev[0], "zw:7:0") == 0 &&
	    st[0] == HD__COMMAND_RESULT__STATUS__UNKNOWN_DEVICE &&
	    strcmp(dev[1], "zw:2:0") == 0 &&
	    st[1] == HD__COMMAND_RESULT__STATUS__OK, "two SafeStates queued "
	    "for the master: the missing node 7 at once, node 2 OK when its "
	    "report confirmed it (%d)", n);
	CHECK(queued(HD__ENVELOPE__BODY_RESULT, NULL) == 0, "no "
	    "CommandResult for a command the master never sent");
	CHECK(memo_find(&S, 0xfffe000000000001ULL) == NULL &&
	    memo_find(&S, 0xfffe000000000002ULL) == NULL, "nor a place in "
	    "the command memo of the master's commands");
	CHECK(!S.safe->timer.active, "set once per cut-off");
}

static void
test_fail_and_again(void)
{
	int	st[4], n;
	char	dev[4][32];

	safe_link(&S, 1);
	safe_link(&S, 0);
	drain();
	sim[2].on[0] = 0;
	sim[2].deaf = 1;
	CHECK(fire(&S.safe->timer), "cut off again: applied again");
	pump();
	n = safe_states(st, dev);
	CHECK(n == 2 && strcmp(dev[1], "zw:2:0") == 0 &&
	    st[1] == HD__COMMAND_RESULT__STATUS__DEVICE_FAULT &&
	    sim[2].on[0] == 0, "a node that does not acknowledge: reported "
	    "as DEVICE_FAULT, the node layer's status for it (%d, %d)", n,
	    n == 2 ? st[1] : -1);
	sim[2].deaf = 0;
}

static void
test_config(void)
{
	struct slave_conf	sc;
	struct cfg_line		l;
	char			err[160];
	int			r;
	char			*bad[] = { "zwave-safe", "lamp", "on", "off" };
	char			*badv[] = { "zwave-safe", "zw:2:0", "level",
				    "warm" };
	char			*good[] = { "zwave-safe", "zw:2:0", "level",
				    "20.5" };

	memset(&sc, 0, sizeof(sc));
	memset(&l, 0, sizeof(l));
	l.argc = 4;
	memcpy(l.argv, bad, sizeof(bad));
	CHECK(safe_conf_directive(&sc, &l, &r, err, sizeof(err)) == 1 &&
	    r == -1 && strstr(err, "is not a Z-Wave device") != NULL,
	    "a device that is not zw:...: refused: %s", err);
	memcpy(l.argv, badv, sizeof(badv));
	CHECK(safe_conf_directive(&sc, &l, &r, err, sizeof(err)) == 1 &&
	    r == -1 && strstr(err, "on, off or a number") != NULL,
	    "a value that is not on, off or a number: refused: %s", err);
	memcpy(l.argv, good, sizeof(good));
	CHECK(safe_conf_directive(&sc, &l, &r, err, sizeof(err)) == 1 &&
	    r == 0 && sc.nsafe == 1 && sc.safe[0].v.v_case ==
	    HD__VALUE__V_D && sc.safe[0].v.d == 20.5, "zw:2:0 level 20.5: "
	    "a number");
	free(sc.safe);
}

int
main(void)
{
	if (!CHECK(zwf_open() == 0, "zw_start"))
		return check_done();
	if (CHECK(switch_node() == 0, "node 2 interviewed as a switch")) {
		snprintf(values[0].dev, sizeof(values[0].dev), "zw:7:0");
		snprintf(values[1].dev, sizeof(values[1].dev), "zw:2:0");
		snprintf(values[0].key, sizeof(values[0].key), "on");
		snprintf(values[1].key, sizeof(values[1].key), "on");
		hd__value__init(&values[0].v);
		hd__value__init(&values[1].v);
		values[0].v.v_case = values[1].v.v_case = HD__VALUE__V_B;
		values[0].v.b = values[1].v.b = 1;
		S.conf.safe = values;
		S.conf.nsafe = 2;
		S.conf.safe_after_ms = 600000;
		test_wait();
		test_apply();
		test_fail_and_again();
		safe_stop(&S);
		S.conf.safe = NULL;
		S.conf.nsafe = 0;
	}
	test_config();
	zwf_close();
	return check_done();
}
