/*
 * Which events can run on a slave of their own (docs/SCHEDULER.md#local-
 * rules): those whose triggers, condition and actions involve only one
 * slave's devices, the time of day and the sun. Anything that lives on
 * the master (modes, counters, timestamps, notices, other events, a
 * slave's online/offline, the master's start-up) keeps the event on the
 * master. Computed once per parse: the event's local_node, or why not.
 */

#include <stdio.h>
#include <string.h>

#include "sched/sched.h"

struct verdict {
	const char	*node;		/* the one slave so far, NULL none */
	char		*why;		/* the first reason it cannot, or NULL */
	size_t		 len;
};

static int
refuse(struct verdict *v, const char *fmt, const char *arg)
{
	if (v->why[0] == '\0')
		snprintf(v->why, v->len, fmt, arg);
	return -1;
}

static int
on_node(struct verdict *v, const char *node)
{
	if (v->node == NULL) {
		v->node = node;
		return 0;
	}
	if (strcmp(v->node, node) == 0)
		return 0;
	if (v->why[0] == '\0')
		snprintf(v->why, v->len, "names devices of two slaves (%s, %s)",
		    v->node, node);
	return -1;
}

static int
trig_ok(struct verdict *v, const struct sched_trig *t)
{
	switch (t->kind) {
	case T_AT:
	case T_EVERY:
	case T_SUN:
		return 0;
	case T_VALUE:
	case T_CHANGE:
		return on_node(v, t->ref.node);
	case T_ONLINE:
	case T_OFFLINE:
		return refuse(v, "%s: a slave's link is the master's to see",
		    t->kind == T_ONLINE ? "online" : "offline");
	case T_STARTUP:
		return refuse(v, "%s: the master's start-up", "startup");
	}
	return -1;
}

static int
cond_ok(struct verdict *v, const struct sched_cond *c)
{
	if (c == NULL)
		return 0;
	switch (c->kind) {
	case C_AND:
	case C_OR:
		return cond_ok(v, c->a) == -1 || cond_ok(v, c->b) == -1 ?
		    -1 : 0;
	case C_NOT:
		return cond_ok(v, c->a);
	case C_CMP:
		return on_node(v, c->ref.node);
	case C_MODE:
		return refuse(v, "%s: modes live on the master", "mode");
	case C_VAR:
		return refuse(v, "%s: counters and timestamps live on the "
		    "master", "variable");
	default:
		return 0;	/* time, sun, window, calendar */
	}
}

static int
act_ok(struct verdict *v, const struct sched_act *a)
{
	switch (a->kind) {
	case A_SET:
	case A_PULSE:
		return on_node(v, a->ref.node);
	case A_WAIT:
		return 0;
	case A_MODE:
		return refuse(v, "%s: modes live on the master", "set mode");
	case A_RUN:
	case A_CANCEL:
		return refuse(v, "%s another event: the master's", a->kind ==
		    A_RUN ? "run" : "cancel");
	case A_NOTIFY:
		return refuse(v, "%s: notices go out through the master",
		    "notify");
	default:
		return refuse(v, "%s: counters and timestamps live on the "
		    "master", "count/stamp/set");
	}
}

const char *
sched_local_node(const struct sched_event *ev, char *why, size_t len)
{
	struct verdict	v = { NULL, why, len };
	int		i, bad = 0;

	why[0] = '\0';
	for (i = 0; i < ev->ntrig; i++)
		bad |= trig_ok(&v, &ev->trig[i]) == -1;
	bad |= cond_ok(&v, ev->cond) == -1;
	for (i = 0; i < ev->nact; i++)
		bad |= act_ok(&v, &ev->act[i]) == -1;
	if (bad)
		return NULL;
	if (v.node == NULL) {
		snprintf(why, len, "names no slave's device");
		return NULL;
	}
	return v.node;
}
