/*
 * Replication of the master's log to its standbys (shared/repl.h,
 * docs/FAILOVER.md).
 */

#include <string.h>

#include "repl.h"

void
repl_init(struct repl *r, uint32_t self, uint32_t nmasters)
{
	memset(r, 0, sizeof(*r));
	r->self = self;
	r->nmasters = nmasters;
}

void
repl_restart(struct repl *r, const struct repl_disk *d, uint32_t self,
    uint32_t nmasters)
{
	repl_init(r, self, nmasters);
	r->d = *d;
	r->dirty = d->n;
}

uint64_t
repl_dirty(const struct repl *r)
{
	return r->dirty;
}

void
repl_persisted(struct repl *r)
{
	r->dirty = r->d.n;
}

int64_t
repl_index(const struct repl *r, uint64_t pos)
{
	uint64_t lo = 0, hi = r->d.n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (r->d.log[mid].pos < pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->d.n && r->d.log[lo].pos == pos ? (int64_t)lo : -1;
}

/* The index of the first record after position pos. */
static uint64_t
index_after(const struct repl *r, uint64_t pos)
{
	uint64_t lo = 0, hi = r->d.n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (r->d.log[mid].pos <= pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The index of command `id` in the log, or -1. */
static int64_t
command_at(const struct repl *r, uint64_t id)
{
	uint64_t i;

	for (i = r->d.n; i-- > 0; )
		if (r->d.log[i].kind == HA_REC_COMMAND && r->d.log[i].id == id)
			return (int64_t)i;
	return -1;
}

int
repl_has(const struct repl *r, uint64_t id)
{
	return command_at(r, id) >= 0;
}

int
repl_fired(const struct repl *r, uint64_t id)
{
	const struct ha_rec	*rec;
	uint64_t		 i;

	for (i = r->d.n; i-- > 0; ) {
		rec = &r->d.log[i];
		if (rec->kind == HA_REC_COMMAND && (rec->id & HA_FIRING_BIT) &&
		    HA_FIRING_KEY(rec->id) == HA_FIRING_KEY(id) && rec->id >= id)
			return 1;
	}
	return 0;
}

/* log[i] is a firing with no later instant of its event in the log. */
static int
latest_firing(const struct repl *r, uint64_t i)
{
	const struct ha_rec	*rec = &r->d.log[i];
	uint64_t		 j;

	if (rec->kind != HA_REC_COMMAND || !(rec->id & HA_FIRING_BIT))
		return 0;
	for (j = 0; j < r->d.n; j++)
		if (r->d.log[j].kind == HA_REC_COMMAND &&
		    HA_FIRING_KEY(r->d.log[j].id) == HA_FIRING_KEY(rec->id) &&
		    r->d.log[j].id > rec->id)
			return 0;
	return 1;
}

/* Which commands have their result: a scan of the whole log. */
static void
count_pending(struct repl *r)
{
	struct ha_rec	*rec;
	int64_t		 c;
	uint64_t	 i;

	memset(r->done, 0, sizeof(r->done));
	memset(r->pending, 0, sizeof(r->pending));
	for (i = 0; i < r->d.n; i++) {
		rec = &r->d.log[i];
		if (rec->kind == HA_REC_COMMAND && rec->slave < HA_MAX_SLAVES)
			r->pending[rec->slave]++;
		else if (rec->kind == HA_REC_RESULT &&
		    (c = command_at(r, rec->id)) >= 0 && !r->done[c]) {
			r->done[c] = 1;
			r->pending[r->d.log[c].slave]--;
		}
	}
}

/*
 * The log is full: drop the settled records (a command with its result,
 * a result) among its older half at positions <= limit. A result goes
 * only with its command (older, so in the same half, and settled by
 * it): a command kept never loses the result that settles it. What was
 * never acted on is never dropped, nor a command still waiting.
 */
static void
compact(struct repl *r, uint64_t limit)
{
	uint8_t		keep[HA_LOG_MAX];
	uint64_t	i, j = 0, half = r->d.n / 2;
	int64_t		c;

	for (i = 0; i < r->d.n; i++) {
		keep[i] = !(i < half && r->d.log[i].pos <= limit &&
		    (r->d.log[i].kind == HA_REC_RESULT || r->done[i]));
		/* An event's latest firing stays, with its result: the log
		 * says up to which instant the event fired (repl_fired), or a
		 * firing still in its late window would be made again. */
		if (!keep[i] && (latest_firing(r, i) ||
		    (r->d.log[i].kind == HA_REC_RESULT &&
		    (c = command_at(r, r->d.log[i].id)) >= 0 &&
		    latest_firing(r, (uint64_t)c))))
			keep[i] = 1;
	}
	for (i = 0; i < r->d.n; i++) {
		if (!keep[i])
			continue;
		r->d.log[j] = r->d.log[i];
		r->done[j] = r->done[i];
		j++;
	}
	if (j != r->d.n) {
		r->d.n = j;
		r->dirty = 0;
	}
}

/* Append rec at the next position (pos 0) or at its own: 0, or -1
 * when the log is full of what may not be dropped. */
static int
append(struct repl *r, const struct ha_rec *rec, struct ha_out *o)
{
	if (r->d.n == HA_LOG_MAX) {
		if (r->term == 0)	/* a standby: settled by its log */
			count_pending(r);
		compact(r, r->term != 0 ? r->acted : r->d.len);
		if (r->d.n == HA_LOG_MAX)
			return -1;
	}
	if (r->d.n < r->dirty)
		r->dirty = r->d.n;
	r->d.log[r->d.n] = *rec;
	if (rec->pos == 0)
		r->d.log[r->d.n].pos = r->d.len + 1;
	r->d.len = r->d.log[r->d.n].pos;
	r->done[r->d.n] = 0;
	r->d.n++;
	o->persist = 1;
	return 0;
}

/*
 * This node is master of `term` now. Its log becomes the base of the
 * term: a standby based on another term gets all of it again. Nothing
 * waits for a standby until one has caught up, so what the log holds is
 * acted on at once (the fence the votes left allows only us).
 */
void
repl_lead(struct repl *r, uint64_t term, uint64_t now, struct ha_out *o)
{
	uint32_t i;

	r->term = term;
	r->d.base = term;
	o->persist = 1;
	memset(r->peer, 0, sizeof(r->peer));
	for (i = 0; i < r->nmasters; i++)
		r->peer[i].acked_ms = now;
	r->sync = 0;
	r->acted = 0;
	count_pending(r);
	repl_commit(r, o);
}

void
repl_follow(struct repl *r)
{
	r->term = 0;
	r->sync = 0;
}

static void
send_command(const struct repl *r, const struct ha_rec *rec, struct ha_out *o)
{
	struct ha_msg *m;

	m = ha_out_msg(o, HA_COMMAND, r->self, HA_SLAVE(rec->slave), r->term);
	m->id = rec->id;
	m->value = rec->value;
}

void
repl_commit(struct repl *r, struct ha_out *o)
{
	struct ha_rec	*rec;
	uint64_t	 commit = r->d.len, i;
	uint32_t	 n;

	for (n = 0; n < r->nmasters; n++)
		if ((r->sync & (1u << n)) && r->peer[n].match < commit)
			commit = r->peer[n].match;
	if (commit <= r->acted)
		return;
	for (i = index_after(r, r->acted); i < r->d.n &&
	    r->d.log[i].pos <= commit; i++) {
		rec = &r->d.log[i];
		if (rec->kind != HA_REC_COMMAND || r->done[i])
			continue;
		ha_out_event(o, HA_EV_ACCEPTED, r->self, r->term, rec->id,
		    rec->value);
		send_command(r, rec, o);
	}
	r->acted = commit;
}

/* One message of the stream to standby n: from the start with a reset
 * when its log has another base, else after what it holds. */
static void
send_stream(struct repl *r, uint32_t n, struct ha_out *o)
{
	struct repl_peer	*p = &r->peer[n];
	struct ha_msg		*m;
	uint64_t		 from = p->based ? p->match : 0, i;

	m = ha_out_msg(o, HA_REPL, r->self, n, r->term);
	m->flags = p->based ? 0 : HA_F_RESET;
	m->pos = from;
	for (i = index_after(r, from); m->nrec < HA_REPL_BATCH && i < r->d.n;
	    i++)
		m->rec[m->nrec++] = r->d.log[i];
}

int
repl_submit(struct repl *r, uint64_t id, uint32_t slave, int64_t value,
    struct ha_out *o)
{
	struct ha_rec	rec;
	uint32_t	i;

	if (r->term == 0 || slave >= HA_MAX_SLAVES ||
	    r->pending[slave] >= HA_MAX_PENDING)
		return -1;
	memset(&rec, 0, sizeof(rec));
	rec.kind = HA_REC_COMMAND;
	rec.id = id;
	rec.slave = slave;
	rec.value = value;
	if (append(r, &rec, o) == -1)
		return -1;
	r->pending[slave]++;
	for (i = 0; i < r->nmasters; i++)	/* no wait for the tick */
		if (r->sync & (1u << i))
			send_stream(r, i, o);
	repl_commit(r, o);
	return 0;
}

/* The result record of command c (acted on, unsettled): 0 or -1. */
static int
settle(struct repl *r, int64_t c, int64_t value, struct ha_out *o)
{
	struct ha_rec	rec;
	uint64_t	id = r->d.log[c].id;
	uint32_t	slave = r->d.log[c].slave;

	memset(&rec, 0, sizeof(rec));
	rec.kind = HA_REC_RESULT;
	rec.id = id;
	rec.slave = slave;
	rec.value = value;
	/* Compaction may move the command: find it again after. */
	if (append(r, &rec, o) == -1 || (c = command_at(r, id)) < 0)
		return -1;
	r->done[c] = 1;
	r->pending[slave]--;
	return 0;
}

/* A slave's result: recorded once, asynchronously (nothing waits). */
void
repl_on_result(struct repl *r, const struct ha_msg *m, struct ha_out *o)
{
	int64_t c;

	if (r->term == 0 || (c = command_at(r, m->id)) < 0 ||
	    r->d.log[c].pos > r->acted || r->done[c] ||
	    HA_SLAVE(r->d.log[c].slave) != m->from)
		return;
	settle(r, c, m->value, o);
}

int
repl_settle(struct repl *r, uint64_t id, int64_t value, struct ha_out *o)
{
	int64_t c;

	if (r->term == 0 || (c = command_at(r, id)) < 0 ||
	    r->d.log[c].pos > r->acted || r->done[c])
		return -1;
	return settle(r, c, value, o);
}

void
repl_on_ack(struct repl *r, uint64_t now, const struct ha_msg *m,
    struct ha_out *o)
{
	struct repl_peer *p;

	if (r->term == 0 || m->from >= r->nmasters || m->from == r->self)
		return;
	p = &r->peer[m->from];
	p->acked_ms = now;
	if (m->base != r->term) {
		/* A late answer from before its reset is no news. */
		if (!p->based)
			send_stream(r, m->from, o);
		return;
	}
	p->based = 1;
	if (m->pos > p->match && m->pos <= r->d.len)
		p->match = m->pos;
	repl_commit(r, o);
}

void
repl_tick(struct repl *r, struct ha_out *o)
{
	struct ha_rec	*rec;
	uint64_t	 i;
	uint32_t	 n;

	for (n = 0; n < r->nmasters; n++)
		if (n != r->self)
			send_stream(r, n, o);
	for (i = 0; i < r->d.n && r->d.log[i].pos <= r->acted; i++) {
		rec = &r->d.log[i];
		if (rec->kind == HA_REC_COMMAND && !r->done[i])
			send_command(r, rec, o);
	}
}

uint32_t
repl_lost(const struct repl *r, uint64_t now)
{
	uint32_t lost = 0, n;

	for (n = 0; n < r->nmasters; n++)
		if ((r->sync & (1u << n)) &&
		    now - r->peer[n].acked_ms > HA_SYNC_WAIT_MS)
			lost |= 1u << n;
	return lost;
}

uint32_t
repl_caught_up(const struct repl *r)
{
	uint32_t up = 0, n;

	for (n = 0; n < r->nmasters; n++)
		if (n != r->self && r->peer[n].based &&
		    r->peer[n].match == r->d.len)
			up |= 1u << n;
	return up;
}

void
repl_lag(const struct repl *r, uint32_t n, uint64_t now, uint64_t *records,
    uint64_t *ms)
{
	const struct repl_peer *p;

	*records = r->d.n;
	*ms = 0;
	if (r->term == 0 || n >= r->nmasters || n == r->self)
		return;
	p = &r->peer[n];
	if (p->based)
		*records = r->d.n - index_after(r, p->match);
	*ms = now - p->acked_ms;
}

/* A record as a master may send it: a known kind, a slave in range, a
 * command with an id. */
static int
rec_valid(const struct ha_rec *rec)
{
	return (rec->kind == HA_REC_COMMAND || rec->kind == HA_REC_RESULT) &&
	    rec->slave < HA_MAX_SLAVES && rec->id != 0;
}

/*
 * Standby side. A reset from the master of our base term is a late
 * copy: ignored, or it would take back what we acknowledged. Records
 * come in ascending positions after m->pos, with gaps where the master
 * dropped settled ones; they are taken only after what we hold, and
 * only from a message that does not skip past it (m->pos <= len). A
 * malformed one stops the batch (the caller drops such a peer: the ack
 * says how far).
 */
void
repl_apply(struct repl *r, uint64_t term, const struct ha_msg *m,
    struct ha_out *o)
{
	struct ha_msg	*a;
	uint64_t	 prev = m->pos;
	uint32_t	 i;

	if ((m->flags & HA_F_RESET) && r->d.base != m->term) {
		r->d.base = m->term;
		r->d.len = 0;
		r->d.n = 0;
		r->dirty = 0;
		o->persist = 1;
	}
	if (r->d.base == m->term && m->nrec <= HA_REPL_BATCH &&
	    m->pos <= r->d.len)
		for (i = 0; i < m->nrec; i++) {
			if (m->rec[i].pos <= prev || !rec_valid(&m->rec[i]))
				break;		/* a malformed batch: stop */
			prev = m->rec[i].pos;
			if (m->rec[i].pos <= r->d.len)
				continue;
			if (append(r, &m->rec[i], o) == -1)
				break;
		}
	a = ha_out_msg(o, HA_REPL_ACK, r->self, m->from, term);
	a->base = r->d.base;
	a->pos = r->d.len;
}
