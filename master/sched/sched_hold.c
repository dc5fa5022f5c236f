/*
 * A scheduled firing's commands between the firing and their results
 * (docs/FAILOVER.md#scheduled-firings): the outbox. With a standby
 * attached, a command is recorded here, written into the engine's
 * sched.state with the firing's record by the save that ends the batch
 * (sched_hold_put), and waits until the standby holds that version of
 * the file, or SCHED_SYNC_WAIT_MS, so that a dead standby never stops a
 * firing. Sent, it stays until its result, or SCHED_OUTBOX_KEEP_MS. A
 * node that takes over reads the outbox it was sent (sched_hold_take)
 * and sends each command again under the same id once its slave is back:
 * the slave's memo answers the ones it executed, the others run.
 * Everything is copied: a reload may free the program meanwhile.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "master.pb-c.h"
#include "sched/sched.h"
#include "sched/sched_master.h"

void
sched_hold_init(struct sched_hold *h)
{
	TAILQ_INIT(&h->q);
	h->n = 0;
	h->dirty = h->unmarked = 0;
	h->disk = NULL;
	memset(h->cur, 0, sizeof(h->cur));
}

/* Slave `node`'s cursor, made if `make` (a free one, else the first). */
static struct sched_cursor *
cursor(struct sched_hold *h, const char *node, int make)
{
	struct sched_cursor	*c, *spare = NULL;
	int			 i;

	for (i = 0; i < SCHED_SYNC_NODES; i++) {
		c = &h->cur[i];
		if (strcmp(c->node, node) == 0)
			return c;
		if (spare == NULL && c->node[0] == '\0')
			spare = c;
	}
	if (!make)
		return NULL;
	if (spare == NULL)
		spare = &h->cur[0];	/* forgetting one only replays it */
	snprintf(spare->node, sizeof(spare->node), "%s", node);
	spare->boot_id = spare->seq = 0;
	return spare;
}

int
sched_cursor_seen(struct sched_hold *h, const char *node, uint64_t boot_id,
    uint64_t seq)
{
	struct sched_cursor *c = cursor(h, node, 1);

	if (seq != 0 && c->boot_id == boot_id && seq <= c->seq)
		return 1;
	c->boot_id = boot_id;
	c->seq = seq;
	return 0;
}

static void
cursors_put(struct sched_hold *h, Hd__SchedState *st)
{
	size_t	i, n = 0;

	for (i = 0; i < SCHED_SYNC_NODES; i++) {
		if (h->cur[i].node[0] == '\0')
			continue;
		hd__sched_cursor__init(&h->dcur[n]);
		h->dcur[n].node = h->cur[i].node;
		h->dcur[n].boot_id = h->cur[i].boot_id;
		h->dcur[n].seq = h->cur[i].seq;
		h->dcurp[n] = &h->dcur[n];
		n++;
	}
	st->cursors = h->dcurp;
	st->n_cursors = n;
}

static void
cursors_take(struct sched_hold *h, const Hd__SchedState *st)
{
	struct sched_cursor	*c;
	size_t			 i;

	for (i = 0; i < st->n_cursors && i < SCHED_SYNC_NODES; i++) {
		if (strlen(st->cursors[i]->node) > NODE_ID_MAX ||
		    st->cursors[i]->node[0] == '\0')
			continue;
		c = cursor(h, st->cursors[i]->node, 1);
		c->boot_id = st->cursors[i]->boot_id;
		c->seq = st->cursors[i]->seq;
	}
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

static struct sched_hold_cmd *
entry(struct sched_hold *h)
{
	struct sched_hold_cmd *c;

	if (h->n >= SCHED_HOLD_MAX || (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	TAILQ_INSERT_TAIL(&h->q, c, entry);
	h->n++;
	h->dirty = 1;
	return c;
}

/* The entry of command `id` to `node`, or NULL. */
static struct sched_hold_cmd *
find(struct sched_hold *h, const char *node, uint64_t id)
{
	struct sched_hold_cmd *c;

	TAILQ_FOREACH(c, &h->q, entry)
		if (c->id == id && strcmp(c->node, node) == 0)
			return c;
	return NULL;
}

int
sched_hold_add(struct sched_hold *h, const Hd__Command *cmd, const char *node,
    const char *event, enum hold_state st, uint64_t deadline)
{
	struct sched_hold_cmd	*c;

	/* A firing run again (a takeover's replay, a catch-up) whose
	 * command the outbox holds already: that entry sends it; a second
	 * would outlive the one result and pile up across restarts. */
	if (find(h, node, cmd->id) != NULL)
		return 0;
	if ((c = entry(h)) == NULL)
		return -1;
	c->state = st;
	c->deadline = deadline;
	c->id = cmd->id;
	c->firing_id = cmd->firing_id;
	c->pulse_ms = cmd->pulse_ms;
	snprintf(c->node, sizeof(c->node), "%s", node);
	snprintf(c->dev, sizeof(c->dev), "%s", cmd->device_id);
	snprintf(c->key, sizeof(c->key), "%s", cmd->key);
	snprintf(c->event, sizeof(c->event), "%s", event);
	copy_value(c, cmd->value);
	/* Written right after the batch: a command awaiting its slave after
	 * a takeover was recorded as done before the batch ran, so it would
	 * be lost with a crash before the next lazy write (tests/sim). */
	h->unmarked = 1;
	return 0;
}

int
sched_hold_add_local(struct sched_hold *h, const Hd__Command *cmd,
    const char *node, const char *event, uint64_t until, uint64_t deadline,
    int64_t due)
{
	struct sched_hold_cmd *c;

	if (sched_hold_add(h, cmd, node, event, HOLD_RESEND, deadline) == -1)
		return -1;
	/* One the outbox held already (the old master's) is that firing
	 * too: missed if its slave does not come back either. */
	if ((c = find(h, node, cmd->id)) != NULL && c->local_due == 0) {
		c->local_due = due;
		c->local_until = until;
	}
	h->dirty = 1;
	return 0;
}

int
sched_hold_siblings(struct sched_hold *h, const struct sched_hold_cmd *c)
{
	struct sched_hold_cmd	*o;
	int			 n = 0;

	TAILQ_FOREACH(o, &h->q, entry)
		if (o != c && o->local_due != 0 && o->firing_id ==
		    c->firing_id && strcmp(o->node, c->node) == 0)
			n++;
	return n;
}

void
sched_hold_mark(struct sched_hold *h, uint64_t token, uint64_t until)
{
	struct sched_hold_cmd *c;

	TAILQ_FOREACH(c, &h->q, entry)
		if (c->state == HOLD_WAIT && !c->marked) {
			c->token = token;
			c->marked = 1;
		} else if (c->state == HOLD_RESEND && !c->marked) {
			/* Made here, awaiting its slave: its record must reach
			 * the standby first too (a run's command went twice
			 * without it, tests/sim seed 801). */
			c->token = token;
			c->sync_until = until;
			c->marked = 1;
		}
	h->unmarked = 0;
}

void
sched_hold_drop(struct sched_hold *h, struct sched_hold_cmd *c)
{
	TAILQ_REMOVE(&h->q, c, entry);
	h->n--;
	h->dirty = 1;
	free(c);
}

int
sched_hold_result(struct sched_hold *h, const char *node, uint64_t id)
{
	struct sched_hold_cmd *c;

	TAILQ_FOREACH(c, &h->q, entry)
		if (c->state == HOLD_SENT && c->id == id &&
		    strcmp(c->node, node) == 0) {
			sched_hold_drop(h, c);
			return 1;
		}
	return 0;
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
	free(h->disk);
	h->disk = NULL;
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

static void
to_disk(const struct sched_hold_cmd *c, Hd__SchedOut *o, Hd__SchedValue *v)
{
	hd__sched_out__init(o);
	hd__sched_value__init(v);
	o->node = (char *)(uintptr_t)c->node;
	o->event = (char *)(uintptr_t)c->event;
	o->id = c->id;
	o->firing_id = c->firing_id;
	o->device_id = (char *)(uintptr_t)c->dev;
	o->key = (char *)(uintptr_t)c->key;
	o->pulse_ms = c->pulse_ms;
	o->local_due_ms = c->local_due;
	switch (c->value.v_case) {
	case HD__VALUE__V_B:
		v->type = SV_BOOL;
		v->i = c->value.b;
		break;
	case HD__VALUE__V_I:
		v->type = SV_INT;
		v->i = c->value.i;
		break;
	case HD__VALUE__V_D:
		v->type = SV_DOUBLE;
		v->d = c->value.d;
		break;
	case HD__VALUE__V_S:
		v->type = SV_STRING;
		v->s = (char *)(uintptr_t)c->str;
		break;
	default:
		break;
	}
	o->value = v;
}

/*
 * The engine is writing its state file (sched_state_hook.put): the
 * outbox goes in it, pointing into the entries until the write is over.
 * An entry written is `saved`: its firing's record and itself reach the
 * standby together, in one file.
 */
void
sched_hold_put(struct sched_hold *h, Hd__SchedState *st)
{
	struct sched_hold_cmd	*c;
	size_t			 i = 0;

	cursors_put(h, st);
	if (h->n == 0)
		return;
	if (h->disk == NULL && (h->disk = calloc(1, sizeof(*h->disk))) ==
	    NULL) {
		log_warnx("sched: out of memory: the outbox is not written");
		return;
	}
	TAILQ_FOREACH(c, &h->q, entry) {
		to_disk(c, &h->disk->out[i], &h->disk->val[i]);
		h->disk->outp[i] = &h->disk->out[i];
		c->saved = 1;
		i++;
	}
	st->outbox = h->disk->outp;
	st->n_outbox = i;
	h->dirty = 0;
}

/* One recorded command, checked as any file's bytes: NULL if malformed. */
static const char *
from_disk(struct sched_hold_cmd *c, const Hd__SchedOut *o)
{
	const Hd__SchedValue *v = o->value;

	if (strlen(o->node) > NODE_ID_MAX || strlen(o->event) >
	    SCHED_NAME_MAX || strlen(o->device_id) > DEVICE_ID_MAX ||
	    strlen(o->key) > VALUE_KEY_MAX || o->id == 0 || v == NULL ||
	    (v->type == SV_STRING && strlen(v->s) > VALUE_STR_MAX))
		return "a field out of its limits";
	snprintf(c->node, sizeof(c->node), "%s", o->node);
	snprintf(c->event, sizeof(c->event), "%s", o->event);
	snprintf(c->dev, sizeof(c->dev), "%s", o->device_id);
	snprintf(c->key, sizeof(c->key), "%s", o->key);
	c->id = o->id;
	c->firing_id = o->firing_id;
	c->pulse_ms = o->pulse_ms;
	c->local_due = o->local_due_ms > 0 ? o->local_due_ms : 0;
	hd__value__init(&c->value);
	switch (v->type) {
	case SV_BOOL:
		c->value.v_case = HD__VALUE__V_B;
		c->value.b = v->i != 0;
		return NULL;
	case SV_INT:
		c->value.v_case = HD__VALUE__V_I;
		c->value.i = v->i;
		return NULL;
	case SV_DOUBLE:
		c->value.v_case = HD__VALUE__V_D;
		c->value.d = v->d;
		return NULL;
	case SV_STRING:
		snprintf(c->str, sizeof(c->str), "%s", v->s);
		c->value.v_case = HD__VALUE__V_S;
		c->value.s = c->str;
		return NULL;
	default:
		return "a value of no known type";
	}
}

int
sched_hold_take(struct sched_hold *h, const Hd__SchedState *st,
    uint64_t deadline)
{
	struct sched_hold_cmd	*c;
	const char		*why;
	size_t			 i;
	int			 n = 0;

	cursors_take(h, st);
	for (i = 0; i < st->n_outbox; i++) {
		if ((c = entry(h)) == NULL) {
			log_warnx("sched: the outbox has more than %d commands: "
			    "the rest not sent again", SCHED_HOLD_MAX);
			break;
		}
		if ((why = from_disk(c, st->outbox[i])) != NULL) {
			log_warnx("sched: the outbox's command %zu: %s: not "
			    "sent again", i, why);
			sched_hold_drop(h, c);
			continue;
		}
		if (find(h, c->node, c->id) != c) {	/* twice in the file */
			sched_hold_drop(h, c);
			continue;
		}
		c->state = HOLD_RESEND;
		c->deadline = deadline;
		if (c->local_due != 0)
			c->local_until = deadline;
		c->marked = 1;		/* recorded: no wait for a standby */
		n++;
	}
	return n;
}
