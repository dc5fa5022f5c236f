/*
 * Unit tests for shared/wire.c: length-prefixed protobuf frames. The
 * decoder's byte budget is in test_wire_budget.c, linked into the same
 * program.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.pb-c.h"
#include "buf.h"
#define CHECK_PARTS	/* with test_wire_budget.c */
#include "check.h"
#include "hdlimits.h"
#include "wire.h"
#include "test_wire.h"

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Does the re-packed decoded message equal the original, byte for byte? */
static int
same_packed(const ProtobufCMessage *a, const ProtobufCMessage *b)
{
	size_t	 na = protobuf_c_message_get_packed_size(a);
	size_t	 nb = protobuf_c_message_get_packed_size(b);
	uint8_t	*pa, *pb;
	int	 r;

	if (na != nb)
		return 0;
	pa = malloc(na + 1);
	pb = malloc(nb + 1);
	if (pa == NULL || pb == NULL) {
		free(pa);
		free(pb);
		return 0;
	}
	protobuf_c_message_pack(a, pa);
	protobuf_c_message_pack(b, pb);
	r = memcmp(pa, pb, na) == 0;
	free(pa);
	free(pb);
	return r;
}

/*
 * wire_put `e` into a fresh buffer, check the frame header, take it back.
 * Returns the decoded envelope (caller wire_free()s) or NULL.
 */
static Hd__Envelope *
round_trip(const Hd__Envelope *e, const char *what)
{
	struct buf		 b;
	ProtobufCMessage	*m = NULL;
	enum wire_status	 st;
	size_t			 packed = protobuf_c_message_get_packed_size(
				    &e->base);

	buf_init(&b, INMAX);
	if (!CHECK(wire_put(&b, &e->base) == 0, "%s: wire_put", what))
		goto out;
	CHECK(buf_used(&b) == WIRE_HDR_LEN + packed &&
	    be32(buf_head(&b)) == packed,
	    "%s: frame is a 4-byte big-endian length + %zu bytes", what,
	    packed);
	st = wire_take(&b, ENV, &m);
	CHECK(st == WIRE_OK && m != NULL, "%s: wire_take -> %s", what,
	    wire_strerror(st));
	CHECK(buf_used(&b) == 0, "%s: frame consumed", what);
	if (m != NULL)
		CHECK(same_packed(&e->base, m), "%s: decoded equals original",
		    what);
out:
	buf_free(&b);
	return (Hd__Envelope *)m;
}

static void
test_bodies(void)
{
	Hd__Envelope		 e = HD__ENVELOPE__INIT, *d;
	Hd__Hello		 hello = HD__HELLO__INIT;
	Hd__Welcome		 wel = HD__WELCOME__INIT;
	Hd__Refusal		 ref = HD__REFUSAL__INIT;
	Hd__Heartbeat		 hb = HD__HEARTBEAT__INIT;
	Hd__DeviceAnnounce	 ann = HD__DEVICE_ANNOUNCE__INIT;
	Hd__Device		 dev[2] = { HD__DEVICE__INIT, HD__DEVICE__INIT };
	Hd__Device		*devp[2] = { &dev[0], &dev[1] };
	Hd__ValueDesc		 vd[2] = { HD__VALUE_DESC__INIT,
				    HD__VALUE_DESC__INIT };
	Hd__ValueDesc		*vdp[2] = { &vd[0], &vd[1] };
	Hd__ValueReport		 rep = HD__VALUE_REPORT__INIT;
	Hd__Value		 val = HD__VALUE__INIT;
	Hd__Command		 cmd = HD__COMMAND__INIT;
	Hd__CommandResult	 res = HD__COMMAND_RESULT__INIT;
	Hd__Fault		 flt = HD__FAULT__INIT;
	Hd__Capability		 caps[3] = { HD__CAPABILITY__CAP_ZWAVE,
				    HD__CAPABILITY__CAP_GPIO,
				    HD__CAPABILITY__CAP_STANDBY };

	/* Envelope header fields, at their extremes. */
	e.seq = UINT64_MAX;
	e.ack = 0x0123456789abcdefULL;
	e.term = 1;

	hello.node_id = "slave-house";
	hello.version = "0.1.0";
	hello.site = "Maison \xc3\xa9t\xc3\xa9";
	hello.n_capabilities = 3;
	hello.capabilities = caps;
	hello.boot_id = 0xdeadbeefcafef00dULL;
	hello.highest_term = 7;
	hello.protocol = WIRE_PROTOCOL;
	e.body_case = HD__ENVELOPE__BODY_HELLO;
	e.hello = &hello;
	if ((d = round_trip(&e, "hello")) != NULL) {
		CHECK(d->body_case == HD__ENVELOPE__BODY_HELLO &&
		    strcmp(d->hello->node_id, "slave-house") == 0 &&
		    strcmp(d->hello->site, hello.site) == 0 &&
		    d->hello->n_capabilities == 3 &&
		    d->hello->capabilities[2] == HD__CAPABILITY__CAP_STANDBY &&
		    d->hello->boot_id == hello.boot_id &&
		    d->hello->highest_term == 7 &&
		    d->hello->protocol == WIRE_PROTOCOL,
		    "hello: fields survive");
		CHECK(d->seq == UINT64_MAX && d->ack == 0x0123456789abcdefULL &&
		    d->term == 1, "hello: seq/ack/term survive");
		wire_free(&d->base);
	}

	e.seq = 0;
	e.ack = 41;
	e.term = UINT64_MAX;
	wel.master_id = "master";
	wel.version = "0.1.0";
	wel.term = 99;
	wel.resume_ack = 12345;
	wel.heartbeat_ms = CLUSTER_HEARTBEAT_MS;
	wel.timeout_ms = CLUSTER_TIMEOUT_MS;
	e.body_case = HD__ENVELOPE__BODY_WELCOME;
	e.welcome = &wel;
	if ((d = round_trip(&e, "welcome")) != NULL) {
		CHECK(d->body_case == HD__ENVELOPE__BODY_WELCOME &&
		    strcmp(d->welcome->master_id, "master") == 0 &&
		    d->welcome->term == 99 && d->welcome->resume_ack == 12345 &&
		    d->welcome->heartbeat_ms == CLUSTER_HEARTBEAT_MS &&
		    d->welcome->timeout_ms == CLUSTER_TIMEOUT_MS,
		    "welcome: fields survive");
		CHECK(d->seq == 0 && d->ack == 41 && d->term == UINT64_MAX,
		    "welcome: seq/ack/term survive");
		wire_free(&d->base);
	}

	e.ack = 0;
	e.term = 3;
	ref.reason = HD__REFUSAL__REASON__NODE_ID_MISMATCH;
	ref.detail = "hello says \"x\", certificate says \"y\"";
	e.body_case = HD__ENVELOPE__BODY_REFUSAL;
	e.refusal = &ref;
	if ((d = round_trip(&e, "refusal")) != NULL) {
		CHECK(d->body_case == HD__ENVELOPE__BODY_REFUSAL &&
		    d->refusal->reason ==
		    HD__REFUSAL__REASON__NODE_ID_MISMATCH &&
		    strcmp(d->refusal->detail, ref.detail) == 0,
		    "refusal: fields survive");
		wire_free(&d->base);
	}

	/* An all-default heartbeat still makes a non-empty frame. */
	e.seq = e.ack = e.term = 0;
	e.body_case = HD__ENVELOPE__BODY_HEARTBEAT;
	e.heartbeat = &hb;
	if ((d = round_trip(&e, "empty heartbeat")) != NULL) {
		CHECK(d->body_case == HD__ENVELOPE__BODY_HEARTBEAT &&
		    d->heartbeat != NULL && d->heartbeat->sent_ms == 0,
		    "empty heartbeat: body present");
		wire_free(&d->base);
	}
	hb.sent_ms = 1700000000123ULL;
	hb.echo_ms = 1700000000000ULL;
	hb.rtt_ms = UINT32_MAX;
	e.ack = 5;
	if ((d = round_trip(&e, "heartbeat")) != NULL) {
		CHECK(d->heartbeat->sent_ms == hb.sent_ms &&
		    d->heartbeat->echo_ms == hb.echo_ms &&
		    d->heartbeat->rtt_ms == UINT32_MAX && d->ack == 5,
		    "heartbeat: fields survive");
		wire_free(&d->base);
	}

	vd[0].key = "on";
	vd[0].type = HD__VALUE_TYPE__VT_BOOL;
	vd[0].writable = 1;
	vd[1].key = "level";
	vd[1].type = HD__VALUE_TYPE__VT_INT;
	vd[1].unit = "%";
	vd[1].writable = 1;
	vd[1].min = 0;
	vd[1].max = 99;
	dev[0].id = "zw:12:0";
	dev[0].name = "Lamp";
	dev[0].room = "Hall";
	dev[0].kind = HD__DEVICE_KIND__DEV_DIMMER;
	dev[0].n_values = 2;
	dev[0].values = vdp;
	dev[0].security = HD__SECURITY__SEC_S2_AUTHENTICATED;
	dev[0].interview_pct = 100;
	dev[1].id = "sim:lamp";
	dev[1].kind = HD__DEVICE_KIND__DEV_SWITCH;
	dev[1].n_values = 1;
	dev[1].values = vdp;
	ann.n_devices = 2;
	ann.devices = devp;
	e.seq = 1;
	e.body_case = HD__ENVELOPE__BODY_ANNOUNCE;
	e.announce = &ann;
	if ((d = round_trip(&e, "announce")) != NULL) {
		CHECK(d->body_case == HD__ENVELOPE__BODY_ANNOUNCE &&
		    d->announce->n_devices == 2 &&
		    strcmp(d->announce->devices[0]->id, "zw:12:0") == 0 &&
		    d->announce->devices[0]->n_values == 2 &&
		    d->announce->devices[0]->values[1]->max == 99 &&
		    d->announce->devices[0]->security ==
		    HD__SECURITY__SEC_S2_AUTHENTICATED &&
		    strcmp(d->announce->devices[1]->id, "sim:lamp") == 0 &&
		    d->announce->devices[1]->n_values == 1,
		    "announce: fields survive");
		CHECK(d->seq == 1, "announce: seq survives");
		wire_free(&d->base);
	}

	val.v_case = HD__VALUE__V_D;
	val.d = 21.5;
	rep.device_id = "adc:0:1";
	rep.key = "temperature";
	rep.value = &val;
	rep.time_ms = 1700000000999ULL;
	rep.stale = 1;
	rep.low_battery = 1;
	e.seq = 2;
	e.body_case = HD__ENVELOPE__BODY_REPORT;
	e.report = &rep;
	if ((d = round_trip(&e, "report")) != NULL) {
		CHECK(d->body_case == HD__ENVELOPE__BODY_REPORT &&
		    strcmp(d->report->device_id, "adc:0:1") == 0 &&
		    d->report->value != NULL &&
		    d->report->value->v_case == HD__VALUE__V_D &&
		    d->report->value->d == 21.5 &&
		    d->report->time_ms == rep.time_ms && d->report->stale &&
		    !d->report->fault && d->report->low_battery,
		    "report: fields survive");
		wire_free(&d->base);
	}
	val.v_case = HD__VALUE__V_I;
	val.i = INT64_MIN;
	if ((d = round_trip(&e, "report int")) != NULL) {
		CHECK(d->report->value->v_case == HD__VALUE__V_I &&
		    d->report->value->i == INT64_MIN,
		    "report: sint64 INT64_MIN survives");
		wire_free(&d->base);
	}
	val.v_case = HD__VALUE__V_S;
	val.s = "";
	if ((d = round_trip(&e, "report empty string")) != NULL) {
		CHECK(d->report->value->v_case == HD__VALUE__V_S &&
		    d->report->value->s != NULL &&
		    d->report->value->s[0] == '\0',
		    "report: empty string value keeps its oneof case");
		wire_free(&d->base);
	}
	val.v_case = HD__VALUE__V_B;
	val.b = 0;
	if ((d = round_trip(&e, "report false")) != NULL) {
		CHECK(d->report->value->v_case == HD__VALUE__V_B &&
		    d->report->value->b == 0,
		    "report: bool false keeps its oneof case");
		wire_free(&d->base);
	}

	val.b = 1;
	cmd.id = UINT64_MAX - 1;
	cmd.device_id = "gpio:relay1";
	cmd.key = "on";
	cmd.value = &val;
	cmd.pulse_ms = 500;
	cmd.timeout_ms = 3000;
	cmd.issued_by = "web:alice";
	e.seq = 77;
	e.body_case = HD__ENVELOPE__BODY_COMMAND;
	e.command = &cmd;
	if ((d = round_trip(&e, "command")) != NULL) {
		CHECK(d->body_case == HD__ENVELOPE__BODY_COMMAND &&
		    d->command->id == UINT64_MAX - 1 &&
		    strcmp(d->command->device_id, "gpio:relay1") == 0 &&
		    d->command->value->v_case == HD__VALUE__V_B &&
		    d->command->value->b == 1 && d->command->pulse_ms == 500 &&
		    d->command->timeout_ms == 3000 &&
		    strcmp(d->command->issued_by, "web:alice") == 0,
		    "command: fields survive");
		wire_free(&d->base);
	}

	res.id = 42;
	res.status = HD__COMMAND_RESULT__STATUS__TIMEOUT;
	res.detail = "no answer";
	res.value = &val;
	res.duplicate = 1;
	e.body_case = HD__ENVELOPE__BODY_RESULT;
	e.result = &res;
	if ((d = round_trip(&e, "result")) != NULL) {
		CHECK(d->body_case == HD__ENVELOPE__BODY_RESULT &&
		    d->result->id == 42 &&
		    d->result->status == HD__COMMAND_RESULT__STATUS__TIMEOUT &&
		    strcmp(d->result->detail, "no answer") == 0 &&
		    d->result->value != NULL && d->result->duplicate,
		    "result: fields survive");
		wire_free(&d->base);
	}

	flt.device_id = "";
	flt.subsystem = "zwave";
	flt.active = 1;
	flt.detail = "stick unplugged";
	e.body_case = HD__ENVELOPE__BODY_FAULT;
	e.fault = &flt;
	if ((d = round_trip(&e, "fault")) != NULL) {
		CHECK(d->body_case == HD__ENVELOPE__BODY_FAULT &&
		    strcmp(d->fault->subsystem, "zwave") == 0 &&
		    d->fault->active &&
		    strcmp(d->fault->detail, "stick unplugged") == 0,
		    "fault: fields survive");
		wire_free(&d->base);
	}

	/* No body, only header fields. */
	e.body_case = HD__ENVELOPE__BODY__NOT_SET;
	e.seq = 9;
	e.ack = 8;
	e.term = 7;
	if ((d = round_trip(&e, "no body")) != NULL) {
		CHECK(d->body_case == HD__ENVELOPE__BODY__NOT_SET &&
		    d->seq == 9 && d->ack == 8 && d->term == 7,
		    "no body: seq/ack/term survive");
		wire_free(&d->base);
	}
}

/* A small packed frame in `b` (a report with seq `seq`). */
static int
put_report(struct buf *b, uint64_t seq)
{
	Hd__Envelope	e = HD__ENVELOPE__INIT;
	Hd__ValueReport	r = HD__VALUE_REPORT__INIT;

	r.device_id = "sim:lamp";
	r.key = "on";
	e.seq = seq;
	e.body_case = HD__ENVELOPE__BODY_REPORT;
	e.report = &r;
	return wire_put(b, &e.base);
}

static void
test_split(void)
{
	struct buf		 frame, in;
	ProtobufCMessage	*m = (ProtobufCMessage *)&frame;	/* not NULL */
	enum wire_status	 st;
	size_t			 i, more = 0, early = 0;

	buf_init(&frame, INMAX);
	buf_init(&in, INMAX);
	CHECK(put_report(&frame, 31) == 0, "split: build a frame");

	st = wire_take(&in, ENV, &m);
	CHECK(st == WIRE_MORE && m == NULL, "empty buffer: WIRE_MORE, msg NULL");

	for (i = 0; i < buf_used(&frame); i++) {
		buf_append(&in, buf_head(&frame) + i, 1);
		st = wire_take(&in, ENV, &m);
		if (i + 1 < buf_used(&frame)) {
			if (st == WIRE_MORE && m == NULL &&
			    buf_used(&in) == i + 1)
				more++;
			else
				early++;
			if (m != NULL) {
				wire_free(m);
				m = NULL;
			}
		}
	}
	CHECK(more == buf_used(&frame) - 1 && early == 0,
	    "byte by byte: WIRE_MORE for each of the first %zu bytes",
	    buf_used(&frame) - 1);
	CHECK(st == WIRE_OK && m != NULL, "byte by byte: WIRE_OK on the last "
	    "byte");
	CHECK(m != NULL && ((Hd__Envelope *)m)->seq == 31,
	    "byte by byte: the right message");
	CHECK(buf_used(&in) == 0, "byte by byte: buffer drained");
	wire_free(m);

	/* Two frames back to back, then half a third one. */
	buf_free(&in);
	CHECK(put_report(&in, 1) == 0 && put_report(&in, 2) == 0 &&
	    put_report(&frame, 3) == 0, "build two frames back to back");
	/* frame now holds frames 31 and 3; add 3's first half to in */
	buf_consume(&frame, WIRE_HDR_LEN + be32(buf_head(&frame)));
	buf_append(&in, buf_head(&frame), buf_used(&frame) / 2);
	st = wire_take(&in, ENV, &m);
	CHECK(st == WIRE_OK && m != NULL && ((Hd__Envelope *)m)->seq == 1,
	    "back to back: first frame");
	wire_free(m);
	st = wire_take(&in, ENV, &m);
	CHECK(st == WIRE_OK && m != NULL && ((Hd__Envelope *)m)->seq == 2,
	    "back to back: second frame");
	wire_free(m);
	st = wire_take(&in, ENV, &m);
	CHECK(st == WIRE_MORE && m == NULL &&
	    buf_used(&in) == buf_used(&frame) / 2,
	    "back to back: half a third frame is WIRE_MORE and kept");
	buf_append(&in, buf_head(&frame) + buf_used(&frame) / 2,
	    buf_used(&frame) - buf_used(&frame) / 2);
	st = wire_take(&in, ENV, &m);
	CHECK(st == WIRE_OK && m != NULL && ((Hd__Envelope *)m)->seq == 3,
	    "back to back: third frame once complete");
	wire_free(m);
	CHECK(wire_take(&in, ENV, &m) == WIRE_MORE && buf_used(&in) == 0,
	    "back to back: nothing left");

	/* Three header bytes are not enough to judge anything. */
	buf_free(&in);
	buf_append(&in, "\xff\xff\xff", 3);
	CHECK(wire_take(&in, ENV, &m) == WIRE_MORE,
	    "3 bytes of a huge length prefix: still WIRE_MORE");
	buf_free(&in);
	buf_free(&frame);
}

/* Append a frame with the given prefix and body, take it, expect `want`,
 * and check that the input buffer was left exactly as it was. */
static void
expect_error(const char *what, uint32_t len, const void *body, size_t n,
    enum wire_status want)
{
	struct buf		 in;
	uint8_t			 hdr[4], *copy;
	ProtobufCMessage	*m = (ProtobufCMessage *)&in;	/* not NULL */
	enum wire_status	 st;
	size_t			 off, used;

	hdr[0] = (uint8_t)(len >> 24);
	hdr[1] = (uint8_t)(len >> 16);
	hdr[2] = (uint8_t)(len >> 8);
	hdr[3] = (uint8_t)len;
	buf_init(&in, INMAX + 16);
	/* Something consumed before, so that off != 0. */
	buf_append(&in, "xx", 2);
	buf_consume(&in, 1);
	buf_append(&in, hdr, 4);
	if (n > 0)
		buf_append(&in, body, n);
	buf_consume(&in, 1);
	off = in.off;
	used = buf_used(&in);
	copy = malloc(used);
	memcpy(copy, buf_head(&in), used);

	st = wire_take(&in, ENV, &m);
	CHECK(st == want, "%s: %s (got %s)", what, wire_strerror(want),
	    wire_strerror(st));
	CHECK(m == NULL, "%s: no message returned", what);
	CHECK(in.off == off && buf_used(&in) == used &&
	    memcmp(buf_head(&in), copy, used) == 0,
	    "%s: input buffer untouched", what);
	/* Asking again gives the same answer: nothing was half-consumed. */
	st = wire_take(&in, ENV, &m);
	CHECK(st == want && m == NULL && buf_used(&in) == used,
	    "%s: same answer when asked again", what);
	free(copy);
	buf_free(&in);
}

static void
test_errors(void)
{
	static const uint8_t	 garbage[] = { 0xff, 0xff, 0xff, 0xff, 0xff,
				    0xff, 0xff, 0xff };
	/* seq field (varint) cut off in the middle of its value */
	static const uint8_t	 trunc_varint[] = { 0x08, 0x80, 0x80 };
	/* hello (field 10, length 20) with only 2 bytes of it */
	static const uint8_t	 overrun[] = { 0x52, 0x14, 0x0a, 0x00 };
	/* end-group tag with no group open (wire type 4) */
	static const uint8_t	 endgroup[] = { 0x0c };
	/* field number 0 */
	static const uint8_t	 field0[] = { 0x00, 0x01 };
	uint8_t			*big;

	expect_error("zero-length frame", 0, NULL, 0, WIRE_ERR_EMPTY);
	expect_error("zero-length frame with bytes after it", 0, "\x08\x01", 2,
	    WIRE_ERR_EMPTY);
	expect_error("length WIRE_MAX_FRAME+1, header only",
	    WIRE_MAX_FRAME + 1, NULL, 0, WIRE_ERR_SIZE);
	expect_error("length 0xFFFFFFFF", 0xffffffffU, NULL, 0, WIRE_ERR_SIZE);
	expect_error("length 0x80000000", 0x80000000U, garbage,
	    sizeof(garbage), WIRE_ERR_SIZE);
	expect_error("garbage body", sizeof(garbage), garbage, sizeof(garbage),
	    WIRE_ERR_DECODE);
	expect_error("truncated varint", sizeof(trunc_varint), trunc_varint,
	    sizeof(trunc_varint), WIRE_ERR_DECODE);
	expect_error("submessage longer than the frame", sizeof(overrun),
	    overrun, sizeof(overrun), WIRE_ERR_DECODE);
	expect_error("stray end-group tag", sizeof(endgroup), endgroup,
	    sizeof(endgroup), WIRE_ERR_DECODE);
	expect_error("field number 0", sizeof(field0), field0, sizeof(field0),
	    WIRE_ERR_DECODE);
	/* A frame length that is right but whose body is still incomplete
	 * is not an error. */
	expect_error("length WIRE_MAX_FRAME, body incomplete", WIRE_MAX_FRAME,
	    garbage, sizeof(garbage), WIRE_MORE);

	/* A full WIRE_MAX_FRAME of garbage: decode error, nothing consumed */
	if ((big = malloc(WIRE_MAX_FRAME)) != NULL) {
		memset(big, 0xff, WIRE_MAX_FRAME);
		expect_error("WIRE_MAX_FRAME bytes of garbage", WIRE_MAX_FRAME,
		    big, WIRE_MAX_FRAME, WIRE_ERR_DECODE);
		free(big);
	}

	CHECK(strcmp(wire_strerror(WIRE_OK), "ok") == 0 &&
	    strcmp(wire_strerror(WIRE_ERR_EMPTY), wire_strerror(WIRE_ERR_SIZE))
	    != 0 && strcmp(wire_strerror(WIRE_ERR_SIZE),
	    wire_strerror(WIRE_ERR_DECODE)) != 0 &&
	    strcmp(wire_strerror(WIRE_MORE), wire_strerror(WIRE_OK)) != 0,
	    "wire_strerror: a distinct text per status");
	CHECK(wire_strerror((enum wire_status)99) != NULL,
	    "wire_strerror: unknown status still gives a text");

	/* Unknown fields are tolerated (forward compatibility) and freed. */
	{
		static const uint8_t unk[] = { 0x08, 0x05, 0x98, 0x06, 0x01,
		    0xa2, 0x06, 0x02, 'h', 'i' };	/* seq=5, f99=1, f100="hi" */
		ProtobufCMessage *m = wire_unpack(ENV, unk, sizeof(unk));

		CHECK(m != NULL && ((Hd__Envelope *)m)->seq == 5,
		    "unknown fields are skipped");
		wire_free(m);
	}
	CHECK(wire_unpack(ENV, garbage, sizeof(garbage)) == NULL,
	    "wire_unpack of garbage is NULL");
	wire_free(NULL);
	CHECK(1, "wire_free(NULL) is harmless");
}

static void
test_put_limits(void)
{
	Hd__Envelope		 e = HD__ENVELOPE__INIT;
	Hd__ValueReport		 r = HD__VALUE_REPORT__INIT;
	struct buf		 out;
	ProtobufCMessage	*m;
	char			*s;
	size_t			 n, used, found = 0;

	buf_init(&out, 2 * INMAX);
	CHECK(wire_put(&out, &e.base) == -1 && buf_used(&out) == 0,
	    "wire_put refuses an empty (zero-length) message");

	if ((s = malloc(WIRE_MAX_FRAME + 100)) == NULL)
		return;
	memset(s, 'a', WIRE_MAX_FRAME + 99);
	s[WIRE_MAX_FRAME + 99] = '\0';
	r.device_id = s;
	e.body_case = HD__ENVELOPE__BODY_REPORT;
	e.report = &r;

	/* Find the string length making the envelope exactly WIRE_MAX_FRAME */
	for (n = WIRE_MAX_FRAME - 20; n < WIRE_MAX_FRAME; n++) {
		s[n] = '\0';
		if (protobuf_c_message_get_packed_size(&e.base) ==
		    WIRE_MAX_FRAME) {
			found = n;
			break;
		}
		s[n] = 'a';
	}
	if (CHECK(found != 0, "built an envelope of exactly WIRE_MAX_FRAME")) {
		CHECK(put_report(&out, 1) == 0, "a small frame first");
		used = buf_used(&out);
		CHECK(wire_put(&out, &e.base) == 0 &&
		    buf_used(&out) == used + WIRE_HDR_LEN + WIRE_MAX_FRAME,
		    "wire_put accepts exactly WIRE_MAX_FRAME");
		CHECK(wire_take(&out, ENV, &m) == WIRE_OK, "take the small one");
		wire_free(m);
		CHECK(wire_take(&out, ENV, &m) == WIRE_OK && m != NULL &&
		    strlen(((Hd__Envelope *)m)->report->device_id) == found,
		    "wire_take accepts exactly WIRE_MAX_FRAME");
		wire_free(m);
		s[found] = 'a';
		s[found + 1] = '\0';
		CHECK(protobuf_c_message_get_packed_size(&e.base) ==
		    WIRE_MAX_FRAME + 1, "one more byte: WIRE_MAX_FRAME+1");
		buf_free(&out);
		CHECK(put_report(&out, 1) == 0, "a small frame first");
		used = buf_used(&out);
		CHECK(wire_put(&out, &e.base) == -1,
		    "wire_put refuses WIRE_MAX_FRAME+1");
		CHECK(buf_used(&out) == used && wire_take(&out, ENV, &m) ==
		    WIRE_OK, "refused wire_put leaves the buffer intact");
		wire_free(m);
	}
	s[found + 1] = 'a';
	CHECK(wire_put(&out, &e.base) == -1 && buf_used(&out) == 0,
	    "wire_put refuses a report with a %d-byte string",
	    WIRE_MAX_FRAME + 99);
	buf_free(&out);
	free(s);

	/* An output buffer without room for the frame: refused, intact. */
	buf_init(&out, 40);
	CHECK(put_report(&out, 1) == 0, "small frame into a 40-byte buffer");
	used = buf_used(&out);
	CHECK(put_report(&out, 2) == -1 && buf_used(&out) == used,
	    "wire_put refuses when the buffer is full, leaves it intact");
	CHECK(wire_take(&out, ENV, &m) == WIRE_OK && m != NULL &&
	    ((Hd__Envelope *)m)->seq == 1, "the first frame is still whole");
	wire_free(m);
	buf_free(&out);
}

int
main(void)
{
	test_bodies();
	test_split();
	test_errors();
	test_put_limits();
	test_budget();
	return check_done();
}
