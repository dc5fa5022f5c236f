/*
 * An old master's unreplicated firings (sched_orphan.h): the comparison
 * of its own sched.state with the new master's, the list kept until the
 * new master acknowledges it, and the checks of that list on the wire.
 * The new master's bytes come from the link and ours from our disk: both
 * are decoded within SCHED_STATE_MAX_FILE and read field by field.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched/sched.h"
#include "sched/sched_orphan.h"

static const Hd__SchedEvent *
event_of(const Hd__SchedState *s, const char *name)
{
	size_t	i;

	for (i = 0; s != NULL && i < s->n_events; i++)
		if (s->events[i]->name != NULL &&
		    strcmp(s->events[i]->name, name) == 0)
			return s->events[i];
	return NULL;
}

/* Its commands still in the outbox: sent and unanswered, or waiting. */
static uint32_t
commands_of(const Hd__SchedState *s, const char *name)
{
	uint32_t	n = 0;
	size_t		i;

	for (i = 0; i < s->n_outbox; i++)
		if (s->outbox[i]->event != NULL &&
		    strcmp(s->outbox[i]->event, name) == 0)
			n++;
	return n;
}

/* Insert keeping out[] oldest first; the newest beyond max is left out. */
static int
insert(struct sched_orphan *out, int n, int max, const struct sched_orphan *o)
{
	int	i;

	for (i = n; i > 0 && out[i - 1].fired_ms > o->fired_ms; i--)
		;
	if (i >= max)
		return n;
	memmove(&out[i + 1], &out[i], (size_t)((n < max ? n : max - 1) - i) *
	    sizeof(*out));
	out[i] = *o;
	return n < max ? n + 1 : n;
}

int
sched_orphans_find(const Hd__SchedState *own, const Hd__SchedState *theirs,
    struct sched_orphan *out, int max)
{
	const Hd__SchedEvent	*e, *t;
	struct sched_orphan	 o;
	size_t			 i;
	int			 n = 0;

	for (i = 0; own != NULL && i < own->n_events; i++) {
		e = own->events[i];
		if (e->name == NULL || e->name[0] == '\0' ||
		    strlen(e->name) > SCHED_NAME_MAX ||
		    e->last_fired_ms == 0 || e->last_fired_ms > INT64_MAX)
			continue;
		t = event_of(theirs, e->name);
		if (t != NULL && t->last_fired_ms >= e->last_fired_ms)
			continue;	/* it holds that firing, or a later one */
		memset(&o, 0, sizeof(o));
		snprintf(o.event, sizeof(o.event), "%s", e->name);
		o.fired_ms = (int64_t)e->last_fired_ms;
		o.firing_id = sched_firing_id(o.event, o.fired_ms);
		o.commands = commands_of(own, e->name);
		n = insert(out, n, max, &o);
	}
	return n;
}

static int
holds(const struct sched_orphan *have, int n, uint64_t fid, const char *ev)
{
	int	i;

	for (i = 0; i < n; i++)
		if (have[i].firing_id == fid && strcmp(have[i].event, ev) == 0)
			return 1;
	return 0;
}

int
sched_orphans_merge(struct sched_orphan *have, int n, int max,
    const struct sched_orphan *add, int nadd, int *dropped)
{
	int	i, m;

	for (i = 0; i < nadd; i++) {
		if (holds(have, n, add[i].firing_id, add[i].event))
			continue;
		m = insert(have, n, max, &add[i]);
		if (m == n)	/* full: the newest of them left out */
			(*dropped)++;
		n = m;
	}
	return n;
}

int
sched_orphans_check(const Hd__SchedOrphans *m, const char **why)
{
	const Hd__SchedOrphan	*o;
	size_t			 i, len;

	if (m->n_firings > SCHED_ORPHAN_MAX) {
		*why = "unreplicated firings: more than SCHED_ORPHAN_MAX";
		return -1;
	}
	for (i = 0; i < m->n_firings; i++) {
		o = m->firings[i];
		len = o->event != NULL ? strlen(o->event) : 0;
		if (len == 0 || len > SCHED_NAME_MAX) {
			*why = "unreplicated firing: bad event name";
			return -1;
		}
		if (o->fired_ms == 0 || o->fired_ms > INT64_MAX ||
		    o->noted_ms > INT64_MAX) {
			*why = "unreplicated firing: bad instant";
			return -1;
		}
		if (o->firing_id != sched_firing_id(o->event,
		    (int64_t)o->fired_ms)) {
			*why = "unreplicated firing: id is not its event's";
			return -1;
		}
		if (o->commands > SCHED_HOLD_MAX) {
			*why = "unreplicated firing: more commands than an "
			    "outbox holds";
			return -1;
		}
	}
	return 0;
}

int
sched_orphans_remove(struct sched_orphan *have, int n,
    const Hd__SchedOrphans *ack)
{
	int	i, j, k = 0;
	size_t	a;

	for (i = 0; i < n; i++) {
		for (a = 0, j = 0; a < ack->n_firings && !j; a++)
			j = ack->firings[a]->firing_id == have[i].firing_id &&
			    strcmp(ack->firings[a]->event, have[i].event) == 0;
		if (!j)
			have[k++] = have[i];
	}
	return k;
}

void
sched_orphans_msg(Hd__SchedOrphans *m, Hd__SchedOrphan *buf,
    Hd__SchedOrphan **p, const struct sched_orphan *o, int n, int ack)
{
	int	i;

	hd__sched_orphans__init(m);
	for (i = 0; i < n; i++) {
		hd__sched_orphan__init(&buf[i]);
		buf[i].event = (char *)(uintptr_t)o[i].event;
		buf[i].fired_ms = (uint64_t)o[i].fired_ms;
		buf[i].firing_id = o[i].firing_id;
		buf[i].commands = o[i].commands;
		buf[i].noted_ms = (uint64_t)o[i].noted_ms;
		p[i] = &buf[i];
	}
	m->n_firings = (size_t)n;
	m->firings = n > 0 ? p : NULL;
	m->ack = ack;
}
