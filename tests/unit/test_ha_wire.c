/*
 * The election's messages on the cluster link (shared/ha_wire.c): each
 * type survives the trip out and in with every field, packed and
 * unpacked as on the wire; every field a peer may get wrong is refused
 * with a reason.
 */

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
	size_t			 n;
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
	CHECK(trip(&m, &got, why, sizeof(why)) == 0 && same(&m, &got),
	    "heartbeat: term and fence (two nodes) kept");
	m.type = HA_HEARTBEAT_ACK;
	m.fence = (struct ha_fence){ 6, 9, 0x2 };
	CHECK(trip(&m, &got, why, sizeof(why)) == 0 && same(&m, &got),
	    "fence ack: an older fence kept");
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
		    "a stream with records is refused");
		e.body_case = HD__ENVELOPE__BODY_REPL_ACK;
		e.repl_ack = &ra;
		ra.log_base = 3;
		CHECK(ha_wire_in(&e, 1, 0, &hm, &m, why, sizeof(why)) == -1,
		    "an ack of a log newer than its term is refused");
		ra.log_base = 2;
		ra.pos = HA_LOG_MAX + 1;
		CHECK(ha_wire_in(&e, 1, 0, &hm, &m, why, sizeof(why)) == -1,
		    "an ack of more records than a log holds is refused");
	}
	e.body_case = HD__ENVELOPE__BODY_HEARTBEAT;
	CHECK(!ha_wire_is_ha(&e) &&
	    ha_wire_in(&e, 4, 0, &hm, &m, why, sizeof(why)) == -1,
	    "the link's own heartbeat is not an election body");
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
	test_trips();
	test_refused();
	return check_done();
}
