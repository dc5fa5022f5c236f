/* A slave's failover state on disk (ha_disk.h). */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ha_disk.h"

static int
fence_out(const struct ha_fence *f, const struct ha_masters *hm,
    Hd__HaFence *o, char **allowed)
{
	int n;

	if (f->allowed >> hm->n != 0)
		return -1;
	hd__ha_fence__init(o);
	o->term = f->term;
	o->seq = f->seq;
	o->allowed = allowed;
	for (n = 0; n < hm->n; n++)
		if (f->allowed & (1u << n))
			allowed[o->n_allowed++] = (char *)(uintptr_t)hm->id[n];
	return 0;
}

int
vote_disk_out(const struct vote_disk *d, const struct ha_masters *hm,
    struct ha_disk_buf *b)
{
	uint32_t	i, slot;
	Hd__VoteState	*vs = &b->vs;

	hd__vote_state__init(vs);
	vs->term = d->term;
	vs->voted_term = d->voted_term;
	if (d->voted_for != HA_NONE) {
		if (d->voted_for >= (uint32_t)hm->n)
			return -1;
		vs->voted_for = (char *)(uintptr_t)hm->id[d->voted_for];
	}
	if (fence_out(&d->fence, hm, &b->fence[0], b->allowed[0]) == -1 ||
	    fence_out(&d->before_votes, hm, &b->fence[1], b->allowed[1]) == -1)
		return -1;
	vs->fence = &b->fence[0];
	vs->before_votes = &b->fence[1];
	vs->memo = b->memop;
	for (i = 0; i < HA_MEMO; i++) {	/* oldest first */
		slot = (d->memo_next + i) % HA_MEMO;
		if (d->memo_id[slot] == 0)
			continue;
		hd__memo_entry__init(&b->memo[vs->n_memo]);
		hd__value__init(&b->value[vs->n_memo]);
		b->value[vs->n_memo].v_case = HD__VALUE__V_I;
		b->value[vs->n_memo].i = d->memo_value[slot];
		b->memo[vs->n_memo].id = d->memo_id[slot];
		b->memo[vs->n_memo].value = &b->value[vs->n_memo];
		b->memop[vs->n_memo] = &b->memo[vs->n_memo];
		vs->n_memo++;
	}
	return 0;
}

static int
fence_in(const Hd__HaFence *f, uint64_t term, const struct ha_masters *hm,
    struct ha_fence *o, const char *what, char *why, size_t len)
{
	size_t	i;
	int	n;

	memset(o, 0, sizeof(*o));
	if (f == NULL)
		return 0;	/* proto3: an empty fence is absent */
	if (f->term > term || f->n_allowed > HA_MAX_MASTERS) {
		snprintf(why, len, "%s: term %" PRIu64 " above %" PRIu64
		    " or %zu nodes", what, f->term, term, f->n_allowed);
		return -1;
	}
	o->term = f->term;
	o->seq = f->seq;
	for (i = 0; i < f->n_allowed; i++) {
		if ((n = ha_masters_find(hm, f->allowed[i])) == -1 ||
		    (o->allowed & (1u << n))) {
			snprintf(why, len, "%s: a node not in the master "
			    "lines, or named twice", what);
			return -1;
		}
		o->allowed |= 1u << n;
	}
	return 0;
}

static int
memo_in(const Hd__VoteState *vs, struct vote_disk *d, char *why, size_t len)
{
	size_t i;

	if (vs->n_memo > HA_MEMO) {
		snprintf(why, len, "%zu remembered commands (at most %d)",
		    vs->n_memo, HA_MEMO);
		return -1;
	}
	for (i = 0; i < vs->n_memo; i++) {
		if (vs->memo[i]->id == 0 || vs->memo[i]->value == NULL ||
		    vs->memo[i]->value->v_case != HD__VALUE__V_I) {
			snprintf(why, len, "remembered command %zu: no id or "
			    "no integer value", i);
			return -1;
		}
		d->memo_id[i] = vs->memo[i]->id;
		d->memo_value[i] = vs->memo[i]->value->i;
	}
	d->memo_next = (uint32_t)(vs->n_memo % HA_MEMO);
	return 0;
}

int
vote_disk_in(const Hd__VoteState *vs, const struct ha_masters *hm,
    struct vote_disk *d, char *why, size_t len)
{
	int n = -1;

	memset(d, 0, sizeof(*d));
	d->term = vs->term;
	d->voted_term = vs->voted_term;
	if (vs->voted_term > vs->term) {
		snprintf(why, len, "voted in term %" PRIu64 " above term %"
		    PRIu64, vs->voted_term, vs->term);
		return -1;
	}
	if (vs->voted_for[0] != '\0' &&
	    (n = ha_masters_find(hm, vs->voted_for)) == -1) {
		snprintf(why, len, "voted for a node not in the master lines");
		return -1;
	}
	if ((n == -1) != (vs->voted_term == 0)) {
		snprintf(why, len, "a vote's term without whom, or the "
		    "reverse");
		return -1;
	}
	d->voted_for = n == -1 ? HA_NONE : (uint32_t)n;
	if (fence_in(vs->fence, vs->term, hm, &d->fence, "fence", why,
	    len) == -1 || fence_in(vs->before_votes, vs->term, hm,
	    &d->before_votes, "fence before votes", why, len) == -1)
		return -1;
	return memo_in(vs, d, why, len);
}
