/*
 * The devices an event names (docs/SCHEDULER.md#who-sees-what): the
 * node and device of each value trigger, comparison and set/pulse, and
 * the node of each online/offline trigger. Collected once when the file
 * is parsed, deduplicated and sorted, so that deciding who may see an
 * event (API lists, stream notices) is a walk over a few pointers.
 *
 * Keys are left out on purpose: grants are per device, and two keys of
 * one device are one reference. "run" and "cancel" name events, not
 * devices: the runner's own answers and notices carry nothing of its
 * target (the target's failures are the target's notices, filtered by
 * its own references).
 */

#include <stdlib.h>
#include <string.h>

#include "sched/sched.h"

struct refset {
	struct sched_ref	 r[SCHED_MAX_EVENT_REFS];
	int			 n;
};

static void
add(struct refset *rs, const char *node, const char *dev)
{
	/* The parser's limits bound the count; the check keeps it so. */
	if (rs->n < SCHED_MAX_EVENT_REFS) {
		rs->r[rs->n].node = node;
		rs->r[rs->n].dev = dev;
		rs->n++;
	}
}

static void
add_cond(struct refset *rs, const struct sched_cond *c)
{
	if (c == NULL)
		return;
	switch (c->kind) {
	case C_AND:
	case C_OR:
		add_cond(rs, c->b);
		/* FALLTHROUGH */
	case C_NOT:
		add_cond(rs, c->a);
		break;
	case C_CMP:
		add(rs, c->ref.node, c->ref.dev);
		break;
	default:
		break;		/* time, sun, mode, calendar: no device */
	}
}

/* By node, then device, a node's own reference (dev NULL) first. */
static int
ref_cmp(const void *a, const void *b)
{
	const struct sched_ref *x = a, *y = b;
	int r;

	if ((r = strcmp(x->node, y->node)) != 0)
		return r;
	if (x->dev == NULL || y->dev == NULL)
		return (x->dev != NULL) - (y->dev != NULL);
	return strcmp(x->dev, y->dev);
}

int
sched_refs_build(struct parser *p, struct sched_event *ev)
{
	struct refset		*rs;
	struct sched_ref	*out;
	int			 i, n;

	ev->refs = NULL;
	ev->nrefs = 0;
	if ((rs = malloc(sizeof(*rs))) == NULL)
		return -1;
	rs->n = 0;
	for (i = 0; i < ev->ntrig; i++) {
		if (ev->trig[i].kind == T_VALUE || ev->trig[i].kind == T_CHANGE)
			add(rs, ev->trig[i].ref.node, ev->trig[i].ref.dev);
		else if (ev->trig[i].kind == T_ONLINE ||
		    ev->trig[i].kind == T_OFFLINE)
			add(rs, ev->trig[i].ref.node, NULL);
	}
	add_cond(rs, ev->cond);
	for (i = 0; i < ev->nact; i++)
		if (ev->act[i].kind == A_SET || ev->act[i].kind == A_PULSE)
			add(rs, ev->act[i].ref.node, ev->act[i].ref.dev);
	qsort(rs->r, (size_t)rs->n, sizeof(rs->r[0]), ref_cmp);
	for (i = n = 0; i < rs->n; i++)
		if (n == 0 || ref_cmp(&rs->r[n - 1], &rs->r[i]) != 0)
			rs->r[n++] = rs->r[i];
	if (n > 0) {
		if ((out = sched_pool_alloc(p, sizeof(*out) * (size_t)n)) == NULL) {
			free(rs);
			return -1;
		}
		memcpy(out, rs->r, sizeof(*out) * (size_t)n);
		ev->refs = out;
		ev->nrefs = n;
	}
	free(rs);
	return 0;
}
