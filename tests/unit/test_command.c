/*
 * Unit tests for the slave's command path without any network:
 * slave/dev/command.c (checking a command, in-flight set, results) and
 * slave/dev/cmdmemo.c (repeated ids); the device table (slave/dev/devtab.c:
 * registering devices, reports, faults, the device list) is tested in
 * test_command_devtab.c, linked into the same program (test_command.h).
 * The slave's link stays CLINK_IDLE, so the link's link_send_reliable()
 * (the slave's uplink, as slave.c sets it) only queues each envelope,
 * framed, in s.rq; the tests unpack what was queued.
 */

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_PARTS	/* test_command_devtab.c shares the count */
#include "check.h"
#include "hdlimits.h"
#include "wire.h"
#include "../../slave/slave.h"
#include "../../slave/link/link.h"
#include "test_command.h"

#define ST(x)	HD__COMMAND_RESULT__STATUS__ ## x

struct slave		 S;
static Hd__Envelope	*last;		/* what cmd() decoded */

struct fake		 now_drv;
static struct fake	 later_drv;

/* A driver that finishes each command at once, confirming its value. */
static void
now_command(struct dev *d, const Hd__Command *c)
{
	struct fake *f = d->drv;

	f->calls++;
	f->last_id = c->id;
	f->last_pulse = c->pulse_ms;
	dev_done(d, c->id, ST(OK), "", c->value);
}

/* A driver that only takes the command; the test finishes it later. */
static void
later_command(struct dev *d, const Hd__Command *c)
{
	struct fake *f = d->drv;

	f->calls++;
	f->last_id = c->id;
	f->last_pulse = c->pulse_ms;
}

const struct dev_ops now_ops = { .command = now_command };
static const struct dev_ops later_ops = { .command = later_command };

Hd__Value
vb(int b)
{
	Hd__Value v = HD__VALUE__INIT;

	v.v_case = HD__VALUE__V_B;
	v.b = b;
	return v;
}

Hd__Value
vi(int64_t i)
{
	Hd__Value v = HD__VALUE__INIT;

	v.v_case = HD__VALUE__V_I;
	v.i = i;
	return v;
}

static Hd__Value
vd(double d)
{
	Hd__Value v = HD__VALUE__INIT;

	v.v_case = HD__VALUE__V_D;
	v.d = d;
	return v;
}

static Hd__Value
vs(char *s)
{
	Hd__Value v = HD__VALUE__INIT;

	v.v_case = HD__VALUE__V_S;
	v.s = s;
	return v;
}

/* Forget what is queued (as a master's ack would). */
void
drain(void)
{
	rq_ack(&S.rq, S.seq);
}

/* Unpack queued envelope i (0: oldest); wire_free() it. */
Hd__Envelope *
queued(int i)
{
	const struct rq_item *it;

	if (i >= S.rq.count)
		return NULL;
	it = &S.rq.items[(S.rq.head + i) % CLUSTER_REPLAY_QUEUE];
	if (it->len <= WIRE_HDR_LEN)
		return NULL;
	return (Hd__Envelope *)wire_unpack(&hd__envelope__descriptor,
	    it->data + WIRE_HDR_LEN, it->len - WIRE_HDR_LEN);
}

/* The result the only queued envelope carries, or NULL. */
static const Hd__CommandResult *
only_result(void)
{
	wire_free((ProtobufCMessage *)last);
	last = NULL;
	if (S.rq.count != 1 || (last = queued(0)) == NULL ||
	    last->body_case != HD__ENVELOPE__BODY_RESULT)
		return NULL;
	return last->result;
}

/*
 * Send command `id` with value `v` (NULL: none) through devices_command()
 * on an empty queue. Returns its result if exactly one envelope was
 * queued and it is a result; NULL otherwise (S.rq.count tells).
 */
static const Hd__CommandResult *
cmd(uint64_t id, const char *dev, const char *key, Hd__Value *v,
    uint32_t pulse_ms)
{
	Hd__Command c = HD__COMMAND__INIT;

	drain();
	c.id = id;
	c.device_id = (char *)(uintptr_t)dev;
	c.key = (char *)(uintptr_t)key;
	c.value = v;
	c.pulse_ms = pulse_ms;
	devices_command(&S, &c);
	return only_result();
}

static int
is_status(const Hd__CommandResult *r, Hd__CommandResult__Status st,
    int dup)
{
	return r != NULL && r->status == st && r->duplicate == dup;
}

int
is_bool(const Hd__Value *v, int b)
{
	return v != NULL && v->v_case == HD__VALUE__V_B && v->b == b;
}

static int
inflight_count(void)
{
	int i, n = 0;

	for (i = 0; i < CLUSTER_MAX_INFLIGHT; i++)
		if (S.inflight[i] != 0)
			n++;
	return n;
}

void
remove_all(void)
{
	struct dev *d;

	while ((d = TAILQ_FIRST(&S.devs)) != NULL)
		dev_remove(d);
}

/* The devices the command tests use: t:now finishes at once, t:later
 * when the test says so. */
static int
setup_devices(void)
{
	struct dev *d, *l;

	d = dev_new(&S, "t:now", "Now", "Lab", HD__DEVICE_KIND__DEV_DIMMER,
	    &now_ops, &now_drv);
	l = dev_new(&S, "t:later", "Later", "Lab", HD__DEVICE_KIND__DEV_SWITCH,
	    &later_ops, &later_drv);
	if (d == NULL || l == NULL)
		return -1;
	if (dev_value(d, "on", HD__VALUE_TYPE__VT_BOOL, "", 1, 0, 0) == -1 ||
	    dev_value(d, "level", HD__VALUE_TYPE__VT_INT, "%", 1, 0, 99) ==
	    -1 ||
	    dev_value(d, "count", HD__VALUE_TYPE__VT_INT, "", 1, 0, 0) == -1 ||
	    dev_value(d, "setpoint", HD__VALUE_TYPE__VT_DOUBLE, "C", 1, 5,
	    30) == -1 ||
	    dev_value(d, "gain", HD__VALUE_TYPE__VT_DOUBLE, "", 1, 0, 0) ==
	    -1 ||
	    dev_value(d, "label", HD__VALUE_TYPE__VT_STRING, "", 1, 0, 0) ==
	    -1 ||
	    dev_value(d, "temp", HD__VALUE_TYPE__VT_DOUBLE, "C", 0, 0, 0) ==
	    -1 ||
	    dev_value(l, "on", HD__VALUE_TYPE__VT_BOOL, "", 1, 0, 0) == -1)
		return -1;
	return 0;
}

static void
test_refusals(void)
{
	const Hd__CommandResult	*r;
	Hd__Value		 v;
	char			 text[VALUE_STR_MAX + 2];
	int			 calls = now_drv.calls;

	v = vb(1);
	r = cmd(1, "t:nothing", "on", &v, 0);
	CHECK(is_status(r, ST(UNKNOWN_DEVICE), 0) && r->id == 1 &&
	    r->value == NULL && strstr(r->detail, "no such device") != NULL,
	    "unknown device: UNKNOWN_DEVICE");
	r = cmd(2, "t:now", "nokey", &v, 0);
	CHECK(is_status(r, ST(READ_ONLY), 0) && r->id == 2 &&
	    strcmp(r->detail, "no such value") == 0,
	    "unknown key: READ_ONLY (no such value)");
	v = vd(20);
	r = cmd(3, "t:now", "temp", &v, 0);
	CHECK(is_status(r, ST(READ_ONLY), 0) &&
	    strcmp(r->detail, "value is read-only") == 0,
	    "read-only key: READ_ONLY (value is read-only)");

	v = vi(1);
	r = cmd(4, "t:now", "on", &v, 0);
	CHECK(is_status(r, ST(BAD_VALUE), 0) && r->value == NULL,
	    "integer for a bool: BAD_VALUE");
	v = vd(3.5);
	r = cmd(5, "t:now", "level", &v, 0);
	CHECK(is_status(r, ST(BAD_VALUE), 0), "double for an int: BAD_VALUE");
	v = vb(1);
	r = cmd(6, "t:now", "label", &v, 0);
	CHECK(is_status(r, ST(BAD_VALUE), 0), "bool for text: BAD_VALUE");
	v = vs((char *)(uintptr_t)"7");
	r = cmd(7, "t:now", "count", &v, 0);
	CHECK(is_status(r, ST(BAD_VALUE), 0), "text for an int: BAD_VALUE");
	r = cmd(8, "t:now", "on", NULL, 0);
	CHECK(is_status(r, ST(BAD_VALUE), 0), "no value: BAD_VALUE");
	v = vi(100);
	r = cmd(9, "t:now", "level", &v, 0);
	CHECK(is_status(r, ST(BAD_VALUE), 0) &&
	    strcmp(r->detail, "out of range") == 0,
	    "int above max: BAD_VALUE (out of range)");
	v = vi(-1);
	r = cmd(10, "t:now", "level", &v, 0);
	CHECK(is_status(r, ST(BAD_VALUE), 0), "int below min: BAD_VALUE");
	v = vd(30.01);
	r = cmd(11, "t:now", "setpoint", &v, 0);
	CHECK(is_status(r, ST(BAD_VALUE), 0), "double above max: BAD_VALUE");
	v = vi(4);
	r = cmd(12, "t:now", "setpoint", &v, 0);
	CHECK(is_status(r, ST(BAD_VALUE), 0),
	    "int below a double's min: BAD_VALUE");
	v = vd(NAN);
	r = cmd(13, "t:now", "setpoint", &v, 0);
	CHECK(is_status(r, ST(BAD_VALUE), 0),
	    "NaN for a double with a range: BAD_VALUE");
	r = cmd(14, "t:now", "gain", &v, 0);
	CHECK(is_status(r, ST(BAD_VALUE), 0),
	    "NaN for a double without a range: BAD_VALUE");
	v = vd(-INFINITY);
	r = cmd(15, "t:now", "gain", &v, 0);
	CHECK(is_status(r, ST(BAD_VALUE), 0),
	    "-inf for a double without a range: BAD_VALUE");
	memset(text, 't', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	v = vs(text);
	r = cmd(16, "t:now", "label", &v, 0);
	CHECK(is_status(r, ST(BAD_VALUE), 0),
	    "text of VALUE_STR_MAX + 1 (%d) chars: BAD_VALUE",
	    VALUE_STR_MAX + 1);
	CHECK(now_drv.calls == calls && inflight_count() == 0,
	    "no refused command reached the driver or stayed in flight");

	/* A refusal is not remembered: the same id, now valid, runs. */
	v = vb(0);
	r = cmd(4, "t:now", "on", &v, 0);
	CHECK(is_status(r, ST(OK), 0) && now_drv.calls == calls + 1,
	    "a refused id is not remembered: sent again valid, it runs");
}

static void
test_ok(void)
{
	const Hd__CommandResult	*r;
	Hd__Value		 v;
	char			 text[VALUE_STR_MAX + 1];
	int			 calls = now_drv.calls;

	v = vb(1);
	r = cmd(20, "t:now", "on", &v, 0);
	CHECK(is_status(r, ST(OK), 0) && r->id == 20 && is_bool(r->value, 1) &&
	    r->detail[0] == '\0',
	    "valid command: OK with the confirmed value");
	CHECK(now_drv.calls == calls + 1 && now_drv.last_id == 20,
	    "the driver ran it once");
	CHECK(inflight_count() == 0, "nothing left in flight");
	CHECK(memo_find(&S, 20) != NULL && memo_find(&S, 20)->status == ST(OK),
	    "its id is remembered");

	v = vb(0);	/* even with another value: the id decides */
	r = cmd(20, "t:now", "on", &v, 0);
	CHECK(is_status(r, ST(OK), 1) && r->id == 20 && is_bool(r->value, 1),
	    "repeated id: answered from memory, duplicate, earlier value");
	CHECK(now_drv.calls == calls + 1, "repeated id: the driver did not "
	    "run again");
	v = vb(1);
	r = cmd(20, "t:nothing", "x", &v, 0);
	CHECK(is_status(r, ST(OK), 1),
	    "repeated id is answered before any other check");

	v = vi(0);
	r = cmd(21, "t:now", "level", &v, 0);
	CHECK(is_status(r, ST(OK), 0) && r->value != NULL &&
	    r->value->v_case == HD__VALUE__V_I && r->value->i == 0,
	    "int at min: OK");
	v = vi(99);
	r = cmd(22, "t:now", "level", &v, 0);
	CHECK(is_status(r, ST(OK), 0), "int at max: OK");
	v = vi(-123456789);
	r = cmd(23, "t:now", "count", &v, 0);
	CHECK(is_status(r, ST(OK), 0), "any int without a range: OK");
	v = vi(30);
	r = cmd(24, "t:now", "setpoint", &v, 0);
	CHECK(is_status(r, ST(OK), 0), "int for a double, in range: OK");
	v = vd(5);
	r = cmd(25, "t:now", "setpoint", &v, 0);
	CHECK(is_status(r, ST(OK), 0) && r->value != NULL &&
	    r->value->v_case == HD__VALUE__V_D && r->value->d == 5,
	    "double at min: OK");
	v = vd(-1e300);
	r = cmd(26, "t:now", "gain", &v, 0);
	CHECK(is_status(r, ST(OK), 0), "any finite double without a range: OK");

	memset(text, 't', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	v = vs(text);
	r = cmd(27, "t:now", "label", &v, 3000);
	CHECK(is_status(r, ST(OK), 0) && r->value != NULL &&
	    r->value->v_case == HD__VALUE__V_S &&
	    strcmp(r->value->s, text) == 0,
	    "text of VALUE_STR_MAX chars: OK, confirmed");
	CHECK(now_drv.last_pulse == 3000, "the driver sees pulse_ms");
	r = cmd(27, "t:now", "label", &v, 0);
	CHECK(is_status(r, ST(OK), 1) && r->value == NULL,
	    "repeated text command: duplicate, without the text (the memo "
	    "keeps scalars only)");

	calls = now_drv.calls;
	v = vb(1);
	cmd(0, "t:now", "on", &v, 0);
	CHECK(S.rq.count == 0 && now_drv.calls == calls,
	    "id 0: ignored, no result, not run");
	cmd(0, "t:nothing", "on", &v, 0);
	CHECK(S.rq.count == 0, "id 0 on an unknown device: ignored too");
}

static void
test_later(void)
{
	const Hd__CommandResult	*r;
	struct dev		*l = dev_find(&S, "t:later");
	Hd__Value		 v = vb(1), c = vb(1);
	uint64_t		 id;
	int			 calls = later_drv.calls;

	cmd(100, "t:later", "on", &v, 0);
	CHECK(S.rq.count == 0 && later_drv.calls == calls + 1 &&
	    inflight_count() == 1, "slow command: no result yet, in flight");
	cmd(100, "t:later", "on", &v, 0);
	CHECK(S.rq.count == 0 && later_drv.calls == calls + 1,
	    "repeated while in flight: ignored, no result, not run again");
	drain();
	dev_done(l, 100, ST(OK), "", &c);
	r = only_result();
	CHECK(is_status(r, ST(OK), 0) && r->id == 100 && is_bool(r->value, 1) &&
	    inflight_count() == 0,
	    "dev_done later: the result goes out, nothing in flight");
	r = cmd(100, "t:later", "on", &v, 0);
	CHECK(is_status(r, ST(OK), 1) && later_drv.calls == calls + 1,
	    "repeated after it finished: duplicate from memory");

	drain();
	dev_done(l, 100, ST(FAILED), "late echo", NULL);
	CHECK(S.rq.count == 0 && memo_find(&S, 100) != NULL &&
	    memo_find(&S, 100)->status == ST(OK),
	    "dev_done for an id no longer in flight: ignored");
	dev_done(l, 555, ST(OK), "", &c);
	CHECK(S.rq.count == 0 && memo_find(&S, 555) == NULL,
	    "dev_done for an id never started: ignored");
	dev_done(l, 0, ST(OK), "", &c);
	CHECK(S.rq.count == 0 && inflight_count() == 0,
	    "dev_done for id 0 (an empty in-flight slot): ignored");

	/* Fill the in-flight set. */
	calls = later_drv.calls;
	drain();
	for (id = 200; id < 200 + CLUSTER_MAX_INFLIGHT; id++)
		cmd(id, "t:later", "on", &v, 0);
	CHECK(inflight_count() == CLUSTER_MAX_INFLIGHT &&
	    later_drv.calls == calls + CLUSTER_MAX_INFLIGHT && S.rq.count == 0,
	    "CLUSTER_MAX_INFLIGHT (%d) commands in flight",
	    CLUSTER_MAX_INFLIGHT);
	r = cmd(300, "t:later", "on", &v, 0);
	CHECK(is_status(r, ST(BUSY), 0) && r->id == 300 &&
	    later_drv.calls == calls + CLUSTER_MAX_INFLIGHT,
	    "one more: BUSY, not run");
	r = cmd(301, "t:now", "on", &v, 0);
	CHECK(is_status(r, ST(BUSY), 0),
	    "BUSY for every device while the set is full");
	r = cmd(300, "t:later", "on", &v, 0);
	CHECK(is_status(r, ST(BUSY), 0), "BUSY is not remembered: asked "
	    "again, BUSY again (not a duplicate)");
	cmd(200, "t:later", "on", &v, 0);
	CHECK(S.rq.count == 0, "a repeat of one in flight is still ignored "
	    "when the set is full");

	drain();
	dev_done(l, 207, ST(TIMEOUT), "no answer", NULL);
	r = only_result();
	CHECK(is_status(r, ST(TIMEOUT), 0) && r->id == 207 &&
	    r->value == NULL && strcmp(r->detail, "no answer") == 0,
	    "a slow command times out: TIMEOUT with the driver's detail");
	cmd(300, "t:later", "on", &v, 0);
	CHECK(S.rq.count == 0 && later_drv.calls == calls +
	    CLUSTER_MAX_INFLIGHT + 1 && inflight_count() ==
	    CLUSTER_MAX_INFLIGHT, "a freed slot takes the next command");
	r = cmd(207, "t:later", "on", &v, 0);
	CHECK(is_status(r, ST(TIMEOUT), 1), "a failed id is remembered too");

	drain();
	for (id = 200; id < 200 + CLUSTER_MAX_INFLIGHT; id++)
		if (id != 207)
			dev_done(l, id, ST(OK), "", &c);
	dev_done(l, 300, ST(OK), "", &c);
	CHECK(S.rq.count == CLUSTER_MAX_INFLIGHT && inflight_count() == 0,
	    "finishing them all: one result each, nothing in flight");
}

/*
 * Removing a device with commands in flight: each ends with UNKNOWN_DEVICE
 * and a reason, its slot is free again, and another device's command is
 * left alone.
 */
static void
test_remove_inflight(void)
{
	const Hd__CommandResult	*r;
	Hd__Envelope		*e;
	struct dev		*g, *l = dev_find(&S, "t:later");
	Hd__Value		 v = vb(1), c = vb(1);
	int			 i, failed = 0;

	g = dev_new(&S, "t:gone", "Gone", "", HD__DEVICE_KIND__DEV_SWITCH,
	    &later_ops, &later_drv);
	if (!CHECK(g != NULL && dev_value(g, "on", HD__VALUE_TYPE__VT_BOOL,
	    "", 1, 0, 0) == 0, "a device to remove"))
		return;
	cmd(400, "t:gone", "on", &v, 0);
	cmd(401, "t:gone", "on", &v, 0);
	cmd(402, "t:later", "on", &v, 0);
	CHECK(inflight_count() == 3, "three commands in flight, two on it");
	drain();
	dev_remove(g);
	for (i = 0; i < S.rq.count; i++) {
		if ((e = queued(i)) == NULL)
			continue;
		if (e->body_case == HD__ENVELOPE__BODY_RESULT &&
		    e->result->status == ST(UNKNOWN_DEVICE) &&
		    (e->result->id == 400 || e->result->id == 401) &&
		    strcmp(e->result->detail, "the device was removed") == 0)
			failed++;
		wire_free((ProtobufCMessage *)e);
	}
	CHECK(failed == 2 && S.rq.count == 2,
	    "removing it fails both its commands: UNKNOWN_DEVICE, a reason");
	CHECK(inflight_count() == 1, "their slots are free; the other "
	    "device's command is still in flight");
	CHECK(memo_find(&S, 400) != NULL && memo_find(&S, 400)->status ==
	    ST(UNKNOWN_DEVICE), "the failed ids are remembered");
	r = cmd(401, "t:gone", "on", &v, 0);
	CHECK(is_status(r, ST(UNKNOWN_DEVICE), 1),
	    "a repeat gets the same answer from memory");
	drain();
	dev_done(l, 402, ST(OK), "", &c);
	r = only_result();
	CHECK(is_status(r, ST(OK), 0) && r->id == 402 && inflight_count() == 0,
	    "the other device's command finishes as usual");
}

/* Every queued envelope carries the next seq and our term and ack. */
static void
test_sequence(void)
{
	Hd__Envelope	*e;
	Hd__Value	 v = vb(1);
	uint64_t	 first = S.seq + 1;
	int		 i, good = 0;

	drain();
	S.term = 7;
	S.peer_ack = 3;
	for (i = 0; i < 5; i++) {
		Hd__Command c = HD__COMMAND__INIT;

		c.id = 400 + (uint64_t)i;
		c.device_id = (char *)(uintptr_t)"t:now";
		c.key = (char *)(uintptr_t)"on";
		c.value = &v;
		devices_command(&S, &c);
	}
	for (i = 0; i < S.rq.count; i++) {
		if ((e = queued(i)) != NULL && e->seq == first + (uint64_t)i &&
		    S.rq.items[(S.rq.head + i) % CLUSTER_REPLAY_QUEUE].seq ==
		    e->seq && e->term == 7 && e->ack == 3 &&
		    e->body_case == HD__ENVELOPE__BODY_RESULT &&
		    e->result->id == 400 + (uint64_t)i)
			good++;
		wire_free((ProtobufCMessage *)e);
	}
	CHECK(S.rq.count == 5 && good == 5,
	    "results are queued in order with seq, term and ack");
	drain();
	CHECK(S.rq.count == 0, "an ack covering them drops them all");
}

/* A driver stopping after the link (slave.c's shutdown order) fails
 * its commands in flight: nothing is queued into the freed queue. */
static void
test_stopped(void)
{
	struct dev	*g;
	Hd__Value	 v = vb(1);

	g = dev_new(&S, "t:stop", "Stop", "", HD__DEVICE_KIND__DEV_SWITCH,
	    &later_ops, &later_drv);
	if (!CHECK(g != NULL && dev_value(g, "on", HD__VALUE_TYPE__VT_BOOL,
	    "", 1, 0, 0) == 0, "a device to stop"))
		return;
	cmd(500, "t:stop", "on", &v, 0);
	rq_free(&S.rq);
	S.link.state = CLINK_OFF;
	dev_remove(g);
	CHECK(S.rq.count == 0, "a command failed by the shutdown after the "
	    "link stopped queues nothing (the queue is freed)");
	S.link.state = CLINK_IDLE;
}

/*
 * A restart cut an act short: the memo (as read back from disk) holds
 * the id as under way. A repeat is answered FAILED, "outcome unknown",
 * as a duplicate; the driver is not run again.
 */
static void
test_cut_off(void)
{
	const Hd__CommandResult	*r;
	Hd__Value		 v = vb(1);
	int			 calls = now_drv.calls;

	CHECK(memo_begin(&S, 700) == 0, "an act under way, in the memo");
	r = cmd(700, "t:now", "on", &v, 0);
	CHECK(is_status(r, ST(FAILED), 1) && strstr(r->detail, "unknown") !=
	    NULL && now_drv.calls == calls, "a repeat after a restart cut it "
	    "off: FAILED, outcome unknown, duplicate, not acted again");
}

int
main(void)
{
	TAILQ_INIT(&S.devs);
	rq_init(&S.rq);
	S.up = &link_uplink;
	S.link.state = CLINK_IDLE;

	test_dev_new();
	test_dev_value();
	if (!CHECK(setup_devices() == 0, "register the test devices"))
		return check_done();
	test_refusals();
	test_ok();
	test_cut_off();
	test_later();
	test_remove_inflight();
	test_sequence();
	test_report_fault();
	test_announce();
	test_stopped();

	wire_free((ProtobufCMessage *)last);
	remove_all();
	rq_free(&S.rq);
	return check_done();
}
