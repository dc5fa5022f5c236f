/*
 * A firing's commands, held until the standby holds the firing record
 * (docs/FAILOVER.md#scheduled-firings). The engine writes sched.state
 * before a firing's actions run; the state sync sends it on; a command
 * waits here until the standby applied that version of the file (its
 * token), or SCHED_SYNC_WAIT_MS, so that a dead standby never stops a
 * firing. Tokens and deadlines only grow, so the queue is FIFO: the head
 * is always the first that may go. Everything is copied: a reload may
 * free the program, and the node may go, while a command waits.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched/sched_master.h"

void
sched_hold_init(struct sched_hold *h)
{
	TAILQ_INIT(&h->q);
	h->n = 0;
}

static void
copy_value(struct sched_hold_cmd *c, const Hd__Value *v)
{
	hd__value__init(&c->value);
	if (v == NULL)
		return;
	c->value = *v;
	if (v->v_case == HD__VALUE__V_S) {
		snprintf(c->str, sizeof(c->str), "%s", v->s != NULL ? v->s : "");
		c->value.s = c->str;
	}
}

int
sched_hold_add(struct sched_hold *h, const Hd__Command *cmd, const char *node,
    const char *event, uint64_t token, uint64_t deadline)
{
	struct sched_hold_cmd	*c;

	if (h->n >= SCHED_HOLD_MAX || (c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	c->token = token;
	c->deadline = deadline;
	c->id = cmd->id;
	c->firing_id = cmd->firing_id;
	c->pulse_ms = cmd->pulse_ms;
	snprintf(c->node, sizeof(c->node), "%s", node);
	snprintf(c->dev, sizeof(c->dev), "%s", cmd->device_id);
	snprintf(c->key, sizeof(c->key), "%s", cmd->key);
	snprintf(c->event, sizeof(c->event), "%s", event);
	copy_value(c, cmd->value);
	TAILQ_INSERT_TAIL(&h->q, c, entry);
	h->n++;
	return 0;
}

struct sched_hold_cmd *
sched_hold_next(struct sched_hold *h, int (*done)(void *, uint64_t),
    void *arg, uint64_t now, int *late)
{
	struct sched_hold_cmd	*c = TAILQ_FIRST(&h->q);

	if (c == NULL)
		return NULL;
	*late = 0;
	if (done != NULL && !done(arg, c->token)) {
		if (now < c->deadline)
			return NULL;
		*late = 1;
	}
	TAILQ_REMOVE(&h->q, c, entry);
	h->n--;
	return c;
}

uint64_t
sched_hold_deadline(const struct sched_hold *h)
{
	const struct sched_hold_cmd *c = TAILQ_FIRST(&h->q);

	return c != NULL ? c->deadline : 0;
}

void
sched_hold_clear(struct sched_hold *h)
{
	struct sched_hold_cmd *c;

	while ((c = TAILQ_FIRST(&h->q)) != NULL) {
		TAILQ_REMOVE(&h->q, c, entry);
		free(c);
	}
	h->n = 0;
}

void
sched_hold_to_cmd(struct sched_hold_cmd *c, Hd__Command *cmd)
{
	hd__command__init(cmd);
	cmd->id = c->id;
	cmd->firing_id = c->firing_id;
	cmd->pulse_ms = c->pulse_ms;
	cmd->device_id = c->dev;
	cmd->key = c->key;
	cmd->value = &c->value;
}
