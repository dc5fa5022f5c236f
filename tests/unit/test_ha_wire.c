/*
 * The election's messages on the cluster link (shared/ha_wire.c): each
 * type survives the trip out and in with every field, packed and
 * unpacked as on the wire; every field a peer may get wrong is refused
 * with a reason.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ha_wire.h"

static struct ha_masters	hm;

/* Out, packed, unpacked, in: the message that arrives. */
static int
trip(const struct ha_msg *m, struct ha_msg *got, char *why, size_t len)
{
	Hd__Envelope		 e = HD__ENVELOPE__INIT, *u;
	struct ha_wire_buf	 b;
	uint8_t			 buf[512];
	size_t			 n = 0;
	int			 r;

	if (ha_wire_out(m, &hm, &e, &b) == -1)
		return -2;
	if ((n = hd__envelope__get_packed_size(&e)) > sizeof(buf))
		return -3;
	hd__envelope__pack(&e, buf);
	if ((u = hd__envelope__unpack(NULL, n, buf)) == NULL)
		return -4;
	r = ha_wire_is_ha(u) ? ha_wire_in(u, m->from, m->to, &hm, got, why,
	    len) : -5;
	hd__envelope__free_unpacked(u, NULL);
	return r;
}

static int
same(const struct ha_msg *a, const struct ha_msg *b)
{
	return a->type == b->type && a->from == b->from && a->to == b->to &&
	    a->term == b->term && a->fence.term == b->fence.term &&
	    a->fence.seq == b->fence.seq &&
	    a->fence.allowed == b->fence.allowed && a->flags == b->flags &&
	    a->base == b->base && a->pos == b->pos;
}

static void
test_trips(void)
{
	struct ha_msg	m, got;
	char		why[160];

	memset(&m, 0, sizeof(m));
	m.type = HA_HEARTBEAT;
	m.from = 1;
	m.to = HA_SLAVE(2);
	m.term = 7;
	m.fence = (struct ha_fence){ 7, 3, 0x5 };
	m.id = 123456789012ULL;		/* the master's stamp */
	CHECK(trip(&m, &got, why, sizeof(why)) == 0 && same(&m, &got) &&
	    got.id == m.id, "heartbeat: term, fence (two nodes), stamp kept");
	m.type = HA_HEARTBEAT_ACK;
	m.fence = (struct ha_fence){ 6, 9, 0x2 };
	CHECK(trip(&m, &got, why, sizeof(why)) == 0 && same(&m, &got) &&
	    got.id == m.id, "fence ack: an older fence and the stamp kept");
	memset(&m, 0, sizeof(m));
	m.type = HA_VOTE_REQ;
	m.term = 8;
	m.base = 5;
	m.flags = HA_F_PRE;
	CHECK(trip(&m, &got, why, sizeof(why)) == 0 && same(&m, &got),
	    "pre-vote request: term, log base, pre");
	m.flags = 0;
	CHECK(trip(&m, &got, why, sizeof(why)) == 0 && same(&m, &got),
	    "vote request: not pre");
	m.flags = HA_F_FORCE;
	CHECK(trip(&m, &got, why, sizeof(why)) == 0 && same(&m, &got),
	    "vote request: forced (hd-master --force-promote)");
	memset(&m, 0, sizeof(m));
	m.type = HA_VOTE;
	m.term = 8;
	m.flags = HA_F_GRANTED | HA_F_PRE;
	CHECK(trip(&m, &got, why, sizeof(why)) == 0 && same(&m, &got),
	    "vote: granted pre-vote");
	m.flags = 0;
	m.term = 0;
	CHECK(trip(&m, &got, why, sizeof(why)) == 0 && same(&m, &got),
	    "vote: refused by a fresh slave (term 0)");
	memset(&m, 0, sizeof(m));
	m.type = HA_STALE;
	m.term = 12;
	CHECK(trip(&m, &got, why, sizeof(why)) == 0 && same(&m, &got),
	    "stale: its term");
	memset(&m, 0, sizeof(m));
	m.type = HA_REPL;
	m.term = 3;
	m.flags = HA_F_RESET;
	CHECK(trip(&m, &got, why, sizeof(why)) == 0 && same(&m, &got),
	    "stream: a reset of an empty log, its term");
	m.flags = 0;
	m.pos = 0;
	m.nrec = 1;
	CHECK(trip(&m, &got, why, sizeof(why)) == -2,
	    "a stream with records is not sent (records do not travel)");
	memset(&m, 0, sizeof(m));
	m.type = HA_REPL_ACK;
	m.term = 3;
	m.base = 2;
	m.pos = 0;
	CHECK(trip(&m, &got, why, sizeof(why)) == 0 && same(&m, &got),
	    "stream ack: its log's base and length");
	m.type = HA_COMMAND;
	CHECK(trip(&m, &got, why, sizeof(why)) == -2,
	    "a command does not travel as an election body");
	m.type = HA_HEARTBEAT;
	m.fence.allowed = 1u << hm.n;
	CHECK(trip(&m, &got, why, sizeof(why)) == -2,
	    "a fence naming a node past the list is not sent");
}

/* A peer's heartbeat with the fence `ids` (n of them). */
static int
fence_from_peer(uint64_t term, uint64_t fterm, char **ids, size_t n,
    char *why, size_t len)
{
	Hd__Envelope	e = HD__ENVELOPE__INIT;
	Hd__HaHeartbeat	hb = HD__HA_HEARTBEAT__INIT;
	Hd__HaFence	f = HD__HA_FENCE__INIT;
	struct ha_msg	m;

	f.term = fterm;
	f.allowed = ids;
	f.n_allowed = n;
	hb.fence = &f;
	e.term = term;
	e.body_case = HD__ENVELOPE__BODY_HA_HEARTBEAT;
	e.ha_heartbeat = &hb;
	return ha_wire_in(&e, 0, HA_SLAVE(0), &hm, &m, why, len);
}

static void
test_refused(void)
{
	Hd__Envelope		e = HD__ENVELOPE__INIT;
	Hd__HaHeartbeat		hb = HD__HA_HEARTBEAT__INIT;
	Hd__HaVoteRequest	vr = HD__HA_VOTE_REQUEST__INIT;
	Hd__HaVote		v = HD__HA_VOTE__INIT;
	Hd__HaStale		st = HD__HA_STALE__INIT;
	struct ha_msg		m;
	char			why[160];
	char			*ok[] = { "hub", "sb" }, *twice[] = { "sb",
				    "sb" }, *unknown[] = { "hub", "nobody" };
	char			*five[] = { "hub", "sb", "sb2", "x", "y" };

	CHECK(fence_from_peer(3, 3, ok, 2, why, sizeof(why)) == 0,
	    "a good fence is taken");
	CHECK(fence_from_peer(3, 4, ok, 2, why, sizeof(why)) == -1 &&
	    strstr(why, "above the message's term") != NULL,
	    "a fence newer than the message's term is refused");
	CHECK(fence_from_peer(3, 3, twice, 2, why, sizeof(why)) == -1 &&
	    strstr(why, "twice") != NULL, "a node named twice is refused");
	CHECK(fence_from_peer(3, 3, unknown, 2, why, sizeof(why)) == -1 &&
	    strstr(why, "not in the master lines") != NULL,
	    "a node not in the master lines is refused");
	CHECK(fence_from_peer(3, 3, five, 5, why, sizeof(why)) == -1 &&
	    strstr(why, "at most") != NULL,
	    "more than HA_MAX_MASTERS nodes are refused");
	e.body_case = HD__ENVELOPE__BODY_HA_HEARTBEAT;
	e.ha_heartbeat = &hb;
	CHECK(ha_wire_in(&e, 0, 4, &hm, &m, why, sizeof(why)) == -1 &&
	    strstr(why, "fence missing") != NULL,
	    "a heartbeat without a fence is refused");
	e.body_case = HD__ENVELOPE__BODY_VOTE_REQUEST;
	e.vote_request = &vr;
	CHECK(ha_wire_in(&e, 0, 4, &hm, &m, why, sizeof(why)) == -1,
	    "a vote request for term 0 is refused");
	vr.term = 4;
	vr.log_base = 5;
	CHECK(ha_wire_in(&e, 0, 4, &hm, &m, why, sizeof(why)) == -1,
	    "a vote request on a log newer than its term is refused");
	e.body_case = HD__ENVELOPE__BODY_VOTE;
	e.vote = &v;
	v.granted = 1;
	CHECK(ha_wire_in(&e, 4, 0, &hm, &m, why, sizeof(why)) == -1,
	    "a vote granted for term 0 is refused");
	e.body_case = HD__ENVELOPE__BODY_STALE;
	e.stale = &st;
	e.term = 5;
	st.term = 6;
	CHECK(ha_wire_in(&e, 4, 0, &hm, &m, why, sizeof(why)) == -1,
	    "a stale answer whose term is not its envelope's is refused");
	{
		Hd__ReplStream		rs = HD__REPL_STREAM__INIT;
		Hd__ReplAck		ra = HD__REPL_ACK__INIT;
		Hd__ReplRecord		rec = HD__REPL_RECORD__INIT, *recp = &rec;

		e.body_case = HD__ENVELOPE__BODY_REPL;
		e.repl = &rs;
		e.term = 0;
		CHECK(ha_wire_in(&e, 0, 1, &hm, &m, why, sizeof(why)) == -1 &&
		    strstr(why, "term 0") != NULL,
		    "a stream of term 0 is refused");
		e.term = 2;
		rs.records = &recp;
		rs.n_records = 1;
		CHECK(ha_wire_in(&e, 0, 1, &hm, &m, why, sizeof(why)) == -1 &&
		    strstr(why, "records") != NULL,
		    "a stream with records is refused without slave lines");
		e.body_case = HD__ENVELOPE__BODY_REPL_ACK;
		e.repl_ack = &ra;
		ra.log_base = 3;
		CHECK(ha_wire_in(&e, 1, 0, &hm, &m, why, sizeof(why)) == -1,
		    "an ack of a log newer than its term is refused");
		ra.log_base = 2;
		ra.pos = 3 * HA_LOG_MAX;
		CHECK(ha_wire_in(&e, 1, 0, &hm, &m, why, sizeof(why)) == 0 &&
		    m.pos == 3 * HA_LOG_MAX, "positions go on past what a log "
		    "holds (compaction)");
	}
	e.body_case = HD__ENVELOPE__BODY_HEARTBEAT;
	CHECK(!ha_wire_is_ha(&e) &&
	    ha_wire_in(&e, 4, 0, &hm, &m, why, sizeof(why)) == -1,
	    "the link's own heartbeat is not an election body");
}

static struct ha_slaves	hs;

/* The stream's records, for ha_wire_out_log: by position. */
static Hd__ReplRecord	*recs[4];

static const Hd__ReplRecord *
rec_of(void *arg, const struct ha_rec *rec)
{
	int i;

	(void)arg;
	for (i = 0; i < 4; i++)
		if (recs[i] != NULL && recs[i]->pos == rec->pos)
			return recs[i];
	return NULL;
}

/* A ReplStream of recs[0..n) in an envelope of term 3 to node 1. */
static int
stream_in(int n, struct ha_msg *m, char *why, size_t len)
{
	Hd__Envelope	e = HD__ENVELOPE__INIT;
	Hd__ReplStream	rs = HD__REPL_STREAM__INIT;

	e.term = 3;
	e.body_case = HD__ENVELOPE__BODY_REPL;
	e.repl = &rs;
	rs.pos = 1;
	rs.records = recs;
	rs.n_records = (size_t)n;
	return ha_wire_in_log(&e, 0, 1, &hm, &hs, m, why, len);
}

static void
test_records(void)
{
	Hd__ReplRecord		 r0 = HD__REPL_RECORD__INIT;
	Hd__ReplRecord		 r1 = HD__REPL_RECORD__INIT;
	Hd__ReplCommand		 rc = HD__REPL_COMMAND__INIT;
	Hd__ReplResult		 rr = HD__REPL_RESULT__INIT;
	Hd__Command		 c = HD__COMMAND__INIT;
	Hd__CommandResult	 res = HD__COMMAND_RESULT__INIT;
	Hd__Value		 v = HD__VALUE__INIT;
	Hd__Envelope		 out = HD__ENVELOPE__INIT, *u;
	struct ha_wire_buf	 b;
	struct ha_msg		 m, got;
	char			 why[160], longs[VALUE_STR_MAX + 2];
	uint8_t			 buf[2048];
	size_t			 n = 0;

	v.v_case = HD__VALUE__V_B;
	v.b = 1;
	c.id = 3ULL << 32 | 1;
	c.device_id = "sim:lamp";
	c.key = "on";
	c.value = &v;
	c.timeout_ms = 10000;
	c.issued_by = "admin";
	rc.slave = "b";
	rc.command = &c;
	r0.pos = 2;
	r0.change_case = HD__REPL_RECORD__CHANGE_COMMAND;
	r0.command = &rc;
	res.id = c.id;
	res.status = HD__COMMAND_RESULT__STATUS__FAILED;
	res.detail = "refused";
	rr.slave = "b";
	rr.result = &res;
	r1.pos = 5;
	r1.change_case = HD__REPL_RECORD__CHANGE_RESULT;
	r1.result = &rr;
	recs[0] = &r0;
	recs[1] = &r1;
	CHECK(stream_in(2, &m, why, sizeof(why)) == 0 && m.nrec == 2 &&
	    m.rec[0].pos == 2 && m.rec[0].kind == HA_REC_COMMAND &&
	    m.rec[0].id == c.id && m.rec[0].slave == 1 &&
	    m.rec[1].kind == HA_REC_RESULT && m.rec[1].pos == 5 &&
	    m.rec[1].value == HD__COMMAND_RESULT__STATUS__FAILED,
	    "a stream's command and result records, with a gap, are taken");
	CHECK(ha_wire_out_log(&m, &hm, &hs, rec_of, NULL, &out, &b) == 0 &&
	    (n = hd__envelope__get_packed_size(&out)) <= sizeof(buf),
	    "... and go out again with their whole command and result");
	if (n > 0 && n <= sizeof(buf))
		hd__envelope__pack(&out, buf);
	u = hd__envelope__unpack(NULL, n, buf);
	CHECK(u != NULL && ha_wire_in_log(u, 0, 1, &hm, &hs, &got, why,
	    sizeof(why)) == 0 && memcmp(&m, &got, sizeof(m)) == 0 &&
	    strcmp(u->repl->records[0]->command->command->device_id,
	    "sim:lamp") == 0, "... and come back the same");
	hd__envelope__free_unpacked(u, NULL);
	m.rec[1].value = HD__COMMAND_RESULT__STATUS__OK;
	CHECK(ha_wire_out_log(&m, &hm, &hs, rec_of, NULL, &out, &b) == -1,
	    "a record that does not say what the machine's says stays in");
	CHECK(stream_in(1, &m, why, sizeof(why)) == 0, "one record");
	rc.slave = "z";
	CHECK(stream_in(1, &m, why, sizeof(why)) == -1 &&
	    strstr(why, "slave lines") != NULL, "a record for a slave not in "
	    "the slave lines is refused");
	rc.slave = "b";
	r1.pos = 2;
	CHECK(stream_in(2, &m, why, sizeof(why)) == -1 &&
	    strstr(why, "after") != NULL, "records out of order are refused");
	r1.pos = 5;
	res.status = HD__COMMAND_RESULT__STATUS__QUEUED;
	CHECK(stream_in(2, &m, why, sizeof(why)) == -1,
	    "a result that is not final is refused");
	res.status = 99;
	CHECK(stream_in(2, &m, why, sizeof(why)) == -1,
	    "a result of an unknown status is refused");
	res.status = HD__COMMAND_RESULT__STATUS__OK;
	c.id = 0;
	CHECK(stream_in(1, &m, why, sizeof(why)) == -1, "a command of id 0 "
	    "is refused");
	c.id = 7;
	c.device_id = "";
	CHECK(stream_in(1, &m, why, sizeof(why)) == -1, "a command without "
	    "a device is refused");
	c.device_id = "sim:lamp";
	memset(longs, 'x', sizeof(longs) - 1);
	longs[sizeof(longs) - 1] = '\0';
	v.v_case = HD__VALUE__V_S;
	v.s = longs;
	CHECK(stream_in(1, &m, why, sizeof(why)) == -1, "a text value "
	    "longer than VALUE_STR_MAX is refused");
	v.v_case = HD__VALUE__V_D;
	v.d = NAN;
	CHECK(stream_in(1, &m, why, sizeof(why)) == -1, "a value that is "
	    "not a number is refused");
	v.v_case = HD__VALUE__V__NOT_SET;
	CHECK(stream_in(1, &m, why, sizeof(why)) == -1, "a value of no type "
	    "is refused");
	v.v_case = HD__VALUE__V_B;
	c.timeout_ms = HA_REC_TIMEOUT_MAX_MS + 1;
	CHECK(stream_in(1, &m, why, sizeof(why)) == -1, "a timeout out of "
	    "range is refused");
	c.timeout_ms = 10000;
	r0.change_case = HD__REPL_RECORD__CHANGE__NOT_SET;
	CHECK(stream_in(1, &m, why, sizeof(why)) == -1, "a record of no kind "
	    "is refused");
	r0.change_case = HD__REPL_RECORD__CHANGE_COMMAND;
	r0.pos = 1;
	CHECK(stream_in(1, &m, why, sizeof(why)) == -1, "a record at the "
	    "stream's own position is refused");
	r0.pos = 2;
	{
		static char	big[HA_REC_MAX_BYTES];

		memset(big, 'x', sizeof(big) - 1);
		c.issued_by = "admin";
		rc.event = big;	/* too long anyway; the size comes first */
		CHECK(stream_in(1, &m, why, sizeof(why)) == -1 &&
		    strstr(why, "bytes") != NULL, "a record packed past "
		    "HA_REC_MAX_BYTES is refused");
		rc.event = "";
	}
}

int
main(void)
{
	char err[160];

	if (!CHECK(ha_masters_add(&hm, "hub", "127.0.0.1:7000", err,
	    sizeof(err)) == 0 && ha_masters_add(&hm, "sb", "127.0.0.1:7001",
	    err, sizeof(err)) == 0 && ha_masters_add(&hm, "sb2",
	    "127.0.0.1:7002", err, sizeof(err)) == 0, "three master lines"))
		return check_done();
	if (!CHECK(ha_slaves_add(&hs, "a", err, sizeof(err)) == 0 &&
	    ha_slaves_add(&hs, "b", err, sizeof(err)) == 0, "two slave lines"))
		return check_done();
	test_trips();
	test_refused();
	test_records();
	return check_done();
}
