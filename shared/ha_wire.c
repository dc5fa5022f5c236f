/*
 * The election's messages on the cluster link (ha_wire.h): conversions
 * with every field of a peer's body checked.
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ha_wire.h"

int
ha_wire_is_ha(const Hd__Envelope *e)
{
	switch (e->body_case) {
	case HD__ENVELOPE__BODY_HA_HEARTBEAT:
	case HD__ENVELOPE__BODY_HA_FENCE_ACK:
	case HD__ENVELOPE__BODY_VOTE_REQUEST:
	case HD__ENVELOPE__BODY_VOTE:
	case HD__ENVELOPE__BODY_STALE:
	case HD__ENVELOPE__BODY_REPL:
	case HD__ENVELOPE__BODY_REPL_ACK:
		return 1;
	default:
		return 0;
	}
}

/*
 * The stream between master-capable nodes: the master's log records
 * (commands before they are sent, their results), each checked, in
 * ascending positions after the stream's pos. Only a master-capable
 * node with slave lines takes records (hs); anyone else refuses them.
 */
static int
repl_in(const Hd__Envelope *e, const struct ha_slaves *hs, struct ha_msg *m,
    char *why, size_t len)
{
	const Hd__ReplStream	*rs = e->repl;
	uint64_t		 after;
	size_t			 i;

	if (e->body_case == HD__ENVELOPE__BODY_REPL) {
		m->type = HA_REPL;
		m->pos = rs->pos;
		m->flags = rs->reset ? HA_F_RESET : 0;
		if (e->term == 0) {
			snprintf(why, len, "stream of term 0");
			return -1;
		}
		if (rs->n_records > HA_REPL_BATCH || (rs->n_records != 0 &&
		    hs == NULL)) {
			snprintf(why, len, "%zu log records in the stream (at "
			    "most %d, and only to a node with slave lines)",
			    rs->n_records, HA_REPL_BATCH);
			return -1;
		}
		for (i = 0, after = rs->pos; i < rs->n_records; i++) {
			if (ha_wire_rec_in(rs->records[i], after, hs,
			    &m->rec[i], why, len) == -1)
				return -1;
			after = m->rec[i].pos;
		}
		m->nrec = (uint32_t)rs->n_records;
		return 0;
	}
	m->type = HA_REPL_ACK;
	m->base = e->repl_ack->log_base;
	m->pos = e->repl_ack->pos;
	if (m->base > m->term) {
		snprintf(why, len, "acknowledgement of a log of term %" PRIu64
		    " (%" PRIu64 " records) in term %" PRIu64, m->base, m->pos,
		    m->term);
		return -1;
	}
	return 0;
}

/* A peer's fence: known node ids, each once, no newer than `term`. */
static int
fence_in(const Hd__HaFence *f, uint64_t term, const struct ha_masters *hm,
    struct ha_fence *out, char *why, size_t len)
{
	size_t	i;
	int	n;

	if (f == NULL) {
		snprintf(why, len, "fence missing");
		return -1;
	}
	if (f->term > term) {
		snprintf(why, len, "fence of term %" PRIu64 " above the "
		    "message's term %" PRIu64, f->term, term);
		return -1;
	}
	if (f->n_allowed > HA_MAX_MASTERS) {
		snprintf(why, len, "fence names %zu nodes (at most %d)",
		    f->n_allowed, HA_MAX_MASTERS);
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->term = f->term;
	out->seq = f->seq;
	for (i = 0; i < f->n_allowed; i++) {
		if ((n = ha_masters_find(hm, f->allowed[i])) == -1) {
			snprintf(why, len, "fence names a node that is not "
			    "in the master lines");
			return -1;
		}
		if (out->allowed & (1u << n)) {
			snprintf(why, len, "fence names %s twice", hm->id[n]);
			return -1;
		}
		out->allowed |= 1u << n;
	}
	return 0;
}

static void
fence_out(const struct ha_fence *f, const struct ha_masters *hm,
    struct ha_wire_buf *b)
{
	int n;

	hd__ha_fence__init(&b->fence);
	b->fence.term = f->term;
	b->fence.seq = f->seq;
	b->fence.allowed = b->allowed;
	for (n = 0; n < hm->n; n++)
		if (f->allowed & (1u << n))
			b->allowed[b->fence.n_allowed++] =
			    (char *)(uintptr_t)hm->id[n];
}

static int
vote_in(const Hd__Envelope *e, struct ha_msg *m, char *why, size_t len)
{
	if (e->body_case == HD__ENVELOPE__BODY_VOTE_REQUEST) {
		m->type = HA_VOTE_REQ;
		m->term = e->vote_request->term;
		m->base = e->vote_request->log_base;
		m->flags = (e->vote_request->pre ? HA_F_PRE : 0) |
		    (e->vote_request->forced ? HA_F_FORCE : 0);
		if (m->term == 0 || m->base > m->term) {
			snprintf(why, len, "vote request for term %" PRIu64
			    " on a log of term %" PRIu64, m->term, m->base);
			return -1;
		}
		return 0;
	}
	m->type = HA_VOTE;
	m->term = e->vote->term;
	m->flags = (e->vote->pre ? HA_F_PRE : 0) |
	    (e->vote->granted ? HA_F_GRANTED : 0);
	if (e->vote->granted && m->term == 0) {
		snprintf(why, len, "vote granted for term 0");
		return -1;
	}
	return 0;
}

int
ha_wire_in(const Hd__Envelope *e, uint32_t from, uint32_t to,
    const struct ha_masters *hm, struct ha_msg *m, char *why, size_t len)
{
	return ha_wire_in_log(e, from, to, hm, NULL, m, why, len);
}

int
ha_wire_in_log(const Hd__Envelope *e, uint32_t from, uint32_t to,
    const struct ha_masters *hm, const struct ha_slaves *hs,
    struct ha_msg *m, char *why, size_t len)
{
	memset(m, 0, sizeof(*m));
	m->from = from;
	m->to = to;
	m->term = e->term;
	switch (e->body_case) {
	case HD__ENVELOPE__BODY_HA_HEARTBEAT:
		m->type = HA_HEARTBEAT;
		m->id = e->ha_heartbeat->stamp;
		return fence_in(e->ha_heartbeat->fence, e->term, hm, &m->fence,
		    why, len);
	case HD__ENVELOPE__BODY_HA_FENCE_ACK:
		m->type = HA_HEARTBEAT_ACK;
		m->id = e->ha_fence_ack->stamp;
		return fence_in(e->ha_fence_ack->fence, e->term, hm, &m->fence,
		    why, len);
	case HD__ENVELOPE__BODY_VOTE_REQUEST:
	case HD__ENVELOPE__BODY_VOTE:
		return vote_in(e, m, why, len);
	case HD__ENVELOPE__BODY_REPL:
	case HD__ENVELOPE__BODY_REPL_ACK:
		return repl_in(e, hs, m, why, len);
	case HD__ENVELOPE__BODY_STALE:
		m->type = HA_STALE;
		if (e->stale->term != e->term || e->term == 0) {
			snprintf(why, len, "stale answer with term %" PRIu64
			    " in an envelope of term %" PRIu64,
			    e->stale->term, e->term);
			return -1;
		}
		return 0;
	default:
		snprintf(why, len, "not a failover message");
		return -1;
	}
}

int
ha_wire_out(const struct ha_msg *m, const struct ha_masters *hm,
    Hd__Envelope *e, struct ha_wire_buf *b)
{
	if (m->fence.allowed >> hm->n != 0)
		return -1;
	e->term = m->term;
	switch (m->type) {
	case HA_HEARTBEAT:
		fence_out(&m->fence, hm, b);
		hd__ha_heartbeat__init(&b->hb);
		b->hb.fence = &b->fence;
		b->hb.stamp = m->id;
		e->body_case = HD__ENVELOPE__BODY_HA_HEARTBEAT;
		e->ha_heartbeat = &b->hb;
		return 0;
	case HA_HEARTBEAT_ACK:
		fence_out(&m->fence, hm, b);
		hd__ha_fence_ack__init(&b->ack);
		b->ack.fence = &b->fence;
		b->ack.stamp = m->id;
		e->body_case = HD__ENVELOPE__BODY_HA_FENCE_ACK;
		e->ha_fence_ack = &b->ack;
		return 0;
	case HA_VOTE_REQ:
		hd__ha_vote_request__init(&b->vreq);
		b->vreq.term = m->term;
		b->vreq.pre = (m->flags & HA_F_PRE) != 0;
		b->vreq.forced = (m->flags & HA_F_FORCE) != 0;
		b->vreq.log_base = m->base;
		e->body_case = HD__ENVELOPE__BODY_VOTE_REQUEST;
		e->vote_request = &b->vreq;
		return 0;
	case HA_VOTE:
		hd__ha_vote__init(&b->vote);
		b->vote.term = m->term;
		b->vote.pre = (m->flags & HA_F_PRE) != 0;
		b->vote.granted = (m->flags & HA_F_GRANTED) != 0;
		e->body_case = HD__ENVELOPE__BODY_VOTE;
		e->vote = &b->vote;
		return 0;
	case HA_STALE:
		hd__ha_stale__init(&b->stale);
		b->stale.term = m->term;
		e->body_case = HD__ENVELOPE__BODY_STALE;
		e->stale = &b->stale;
		return 0;
	case HA_REPL:
		if (m->nrec != 0)
			return -1;	/* records: ha_wire_out_log */
		hd__repl_stream__init(&b->repl);
		b->repl.reset = (m->flags & HA_F_RESET) != 0;
		b->repl.pos = m->pos;
		e->body_case = HD__ENVELOPE__BODY_REPL;
		e->repl = &b->repl;
		return 0;
	case HA_REPL_ACK:
		hd__repl_ack__init(&b->rack);
		b->rack.log_base = m->base;
		b->rack.pos = m->pos;
		e->body_case = HD__ENVELOPE__BODY_REPL_ACK;
		e->repl_ack = &b->rack;
		return 0;
	default:
		return -1;
	}
}

int
ha_wire_out_log(const struct ha_msg *m, const struct ha_masters *hm,
    const struct ha_slaves *hs, ha_wire_rec_fn *fn, void *arg,
    Hd__Envelope *e, struct ha_wire_buf *b)
{
	const Hd__ReplRecord	*r;
	struct ha_msg		 head;
	uint32_t		 i;

	if (m->type != HA_REPL || m->nrec == 0)
		return ha_wire_out(m, hm, e, b);
	if (m->nrec > HA_REPL_BATCH)
		return -1;
	head = *m;
	head.nrec = 0;
	if (ha_wire_out(&head, hm, e, b) == -1)
		return -1;
	for (i = 0; i < m->nrec; i++) {
		if ((r = fn(arg, &m->rec[i])) == NULL ||
		    !ha_wire_rec_matches(r, &m->rec[i], hs))
			return -1;
		b->records[i] = (Hd__ReplRecord *)(uintptr_t)r;
	}
	b->repl.records = b->records;
	b->repl.n_records = m->nrec;
	return 0;
}
