/*
 * Unit tests for the thermostat and colour values on a node
 * (zw_node_class.c, zw_node_cmd.c), with zw_fake.c's stick: reports
 * become `thermostat_mode`, `setpoint_heating` in the node's unit and
 * `color` once red, green and blue are known; a colour command is one
 * Color Set, its three Gets, and one `color` report when the last
 * answer comes (OK with the colour); a setpoint is set in the unit the
 * node reported; a mode the node does not list is refused with nothing
 * sent; an empty Setpoint Supported Report that comes before the modes
 * has the modes' setpoints asked once they are known.
 */

#include <stdio.h>
#include <string.h>

#define CHECK_PARTS	/* zw_fake.c shares the count */
#include "check.h"
#include "wire.h"
#include "zw_fake.h"

#define NODE	14
#define DEV	"zw:14:0"
#define FROM(...) from_node(NODE, (const uint8_t[]){ __VA_ARGS__ }, \
	sizeof((const uint8_t[]){ __VA_ARGS__ }))

/* How many reports of `key` are queued; the last one's value in *v
 * (string copied to s). */
static int
reports(const char *key, char *s, size_t size, double *d)
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
		if (e->body_case == HD__ENVELOPE__BODY_REPORT &&
		    strcmp(e->report->device_id, DEV) == 0 &&
		    strcmp(e->report->key, key) == 0) {
			n++;
			if (s != NULL && e->report->value->v_case ==
			    HD__VALUE__V_S)
				snprintf(s, size, "%s", e->report->value->s);
			if (d != NULL && e->report->value->v_case ==
			    HD__VALUE__V_D)
				*d = e->report->value->d;
		}
		wire_free((ProtobufCMessage *)e);
	}
	return n;
}

/* Send command `id` of a string or a number; nothing is pumped. */
static void
cmd(uint64_t id, const char *key, const char *s, double d)
{
	Hd__Command	c = HD__COMMAND__INIT;
	Hd__Value	v = HD__VALUE__INIT;

	if (s != NULL) {
		v.v_case = HD__VALUE__V_S;
		v.s = (char *)(uintptr_t)s;
	} else {
		v.v_case = HD__VALUE__V_D;
		v.d = d;
	}
	c.id = id;
	c.device_id = (char *)(uintptr_t)DEV;
	c.key = (char *)(uintptr_t)key;
	c.value = &v;
	drain();
	devices_command(&S, &c);
}

/* The next request: a SendData to NODE carrying `want` (n bytes, or
 * n - 1 when the last is optional); answered delivered. */
static int
sent_cmd(const uint8_t *want, size_t n, int last_optional)
{
	struct zw_req r;

	if (!take(&r) || r.func != ZW_FN_SEND_DATA || r.payload[0] != NODE)
		return 0;
	if (!(r.payload[1] == n || (last_optional && r.payload[1] == n - 1)) ||
	    memcmp(r.payload + 2, want, r.payload[1]) != 0)
		return 0;
	answer(&r, (const uint8_t []){ 1 }, 1, 0);
	return 1;
}

static void
test_reports(void)
{
	static const uint8_t	 cc[] = { 0x40, 0x43, 0x33, 0x26 };
	char			 s[32] = "";
	double			 d = 0;

	include_node(NODE, 0xd3, cc, sizeof(cc));	/* listening */
	pump();
	drain();
	CHECK(dev_find(&S, DEV) != NULL &&
	    dev_find_value(dev_find(&S, DEV), "thermostat_mode") != NULL &&
	    dev_find_value(dev_find(&S, DEV), "color") != NULL,
	    "node 14: thermostat_mode and color from its classes");
	FROM(0x40, 0x05, 0x07);			/* off, heat, cool */
	FROM(0x40, 0x03, 0x01);
	CHECK(reports("thermostat_mode", s, sizeof(s), NULL) == 1 &&
	    strcmp(s, "heat") == 0, "Mode Report: thermostat_mode \"heat\"");
	FROM(0x43, 0x03, 0x01, 0x0a, 0x00, 0x44);	/* 68 °F */
	CHECK(reports("setpoint_heating", NULL, 0, &d) == 1 && d == 68 &&
	    strcmp(dev_find_value(dev_find(&S, DEV), "setpoint_heating")->unit,
	    "°F") == 0, "Setpoint Report: setpoint_heating 68 °F, added");
	FROM(0x33, 0x02, 0x1d, 0x00);	/* warm white, red, green, blue */
	pump();
	CHECK(dev_find_value(dev_find(&S, DEV), "white_warm") != NULL &&
	    dev_find_value(dev_find(&S, DEV), "white_cold") == NULL,
	    "Color Supported Report: white_warm added, not white_cold");
	drain();
	FROM(0x33, 0x04, 0x02, 0xff);
	FROM(0x33, 0x04, 0x03, 0x80);
	CHECK(reports("color", NULL, 0, NULL) == 0,
	    "red and green known: no colour yet");
	FROM(0x33, 0x04, 0x04, 0x00);
	CHECK(reports("color", s, sizeof(s), NULL) == 1 &&
	    strcmp(s, "#ff8000") == 0, "blue too: color \"#ff8000\"");
}

static void
test_commands(void)
{
	char	why[128], s[32] = "";
	int	i;

	pump();
	cmd(60, "color", "#00FF00", 0);
	CHECK(sent_cmd((const uint8_t []){ 0x33, 0x05, 0x03, 0x02, 0x00, 0x03,
	    0xff, 0x04, 0x00, 0x00 }, 10, 1),
	    "color #00FF00: one Color Set of red, green, blue");
	for (i = 0; i < 3; i++)
		if (!CHECK(sent_cmd((const uint8_t []){ 0x33, 0x03,
		    (uint8_t)(0x02 + i) }, 3, 0), "then a Color Get of each"))
			return;
	drain();
	FROM(0x33, 0x04, 0x02, 0x00);
	FROM(0x33, 0x04, 0x03, 0xff);
	CHECK(last_result(60, NULL, 0) == -1 && reports("color", NULL, 0,
	    NULL) == 0, "two of three reports: not confirmed, nothing "
	    "reported");
	FROM(0x33, 0x04, 0x04, 0x00);
	CHECK(last_result(60, NULL, 0) == HD__COMMAND_RESULT__STATUS__OK &&
	    reports("color", s, sizeof(s), NULL) == 1 &&
	    strcmp(s, "#00ff00") == 0, "the third: OK, one color \"#00ff00\"");

	cmd(61, "setpoint_heating", NULL, 70);
	CHECK(sent_cmd((const uint8_t []){ 0x43, 0x01, 0x01, 0x2a, 0x02,
	    0xbc }, 6, 0), "setpoint 70 set in the node's °F: 43 01 01 2a 02 bc");
	CHECK(sent_cmd((const uint8_t []){ 0x43, 0x02, 0x01 }, 3, 0),
	    "then its Setpoint Get");
	FROM(0x43, 0x03, 0x01, 0x2a, 0x02, 0xbc);
	CHECK(last_result(61, NULL, 0) == HD__COMMAND_RESULT__STATUS__OK,
	    "its report: OK");

	cmd(62, "thermostat_mode", "dry", 0);
	CHECK(last_result(62, why, sizeof(why)) ==
	    HD__COMMAND_RESULT__STATUS__BAD_VALUE && strcmp(why,
	    "the thermostat does not support this mode") == 0 && nreqs == 0,
	    "mode dry, not among its modes: BAD_VALUE, nothing sent");
	cmd(63, "thermostat_mode", "cool", 0);
	CHECK(sent_cmd((const uint8_t []){ 0x40, 0x01, 0x02 }, 3, 0) &&
	    sent_cmd((const uint8_t []){ 0x40, 0x02 }, 2, 0),
	    "mode cool: Mode Set, then Mode Get");
	FROM(0x40, 0x03, 0x02);
	CHECK(last_result(63, NULL, 0) == HD__COMMAND_RESULT__STATUS__OK,
	    "its report: OK");
}

/* A Setpoint Supported Report listing nothing, before the modes are
 * known: the setpoints their modes use are asked once they are. */
static void
test_implied(void)
{
	static const uint8_t	cc[] = { 0x43, 0x40 };
	struct zw_req		r;
	int			gets = 0;

	include_node(15, 0xd3, cc, sizeof(cc));
	pump();
	from_node(15, (const uint8_t []){ 0x43, 0x05, 0x00 }, 3);
	CHECK(nreqs == 0, "an empty Setpoint Supported Report first: no Get "
	    "yet (the modes are not known)");
	from_node(15, (const uint8_t []){ 0x40, 0x05, 0x06 }, 3);
	while (take(&r))
		if (r.func == ZW_FN_SEND_DATA && r.payload[0] == 15 &&
		    r.payload[1] == 3 && r.payload[2] == 0x43 &&
		    r.payload[3] == 0x02 && (r.payload[4] == 1 ||
		    r.payload[4] == 2))
			gets++;
	CHECK(gets == 2, "then the modes heat and cool: Setpoint Gets of "
	    "heating and cooling");
}

int
main(void)
{
	if (!CHECK(zwf_open() == 0, "zw_start") ||
	    !CHECK(startup() == 0, "start-up"))
		return check_done();
	test_reports();
	test_commands();
	test_implied();
	zwf_close();
	return check_done();
}
