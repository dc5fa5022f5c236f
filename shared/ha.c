/*
 * The output of one step of a failover state machine (shared/ha.h).
 * A message or event beyond the array is dropped and counted: the
 * protocols survive a lost message (everything is resent each tick),
 * and the arrays are sized for the worst tick, so this never happens
 * in a configuration within HA_MAX_SLAVES and HA_MAX_MASTERS.
 */

#include <string.h>

#include "ha.h"

void
ha_out_clear(struct ha_out *o)
{
	o->persist = 0;
	o->nmsg = o->nev = 0;
	o->overflow = 0;
}

struct ha_msg *
ha_out_msg(struct ha_out *o, uint32_t type, uint32_t from, uint32_t to,
    uint64_t term)
{
	static struct ha_msg	 sink;
	struct ha_msg		*m;

	if (o->nmsg == HA_OUT_MSGS) {
		o->overflow++;
		m = &sink;
	} else
		m = &o->msg[o->nmsg++];
	memset(m, 0, sizeof(*m) - sizeof(m->rec));
	m->type = type;
	m->from = from;
	m->to = to;
	m->term = term;
	return m;
}

void
ha_out_event(struct ha_out *o, uint32_t type, uint32_t node, uint64_t term,
    uint64_t id, int64_t value)
{
	struct ha_event *e;

	if (o->nev == HA_OUT_EVENTS) {
		o->overflow++;
		return;
	}
	e = &o->ev[o->nev++];
	e->type = type;
	e->node = node;
	e->term = term;
	e->id = id;
	e->value = value;
}

int
ha_fence_cmp(const struct ha_fence *a, const struct ha_fence *b)
{
	if (a->term != b->term)
		return a->term < b->term ? -1 : 1;
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return 0;
}

int
ha_majority(int n)
{
	return n / 2 + 1;
}
