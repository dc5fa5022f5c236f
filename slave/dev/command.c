/*
 * Commands from the master, the same for every driver: checked against
 * the device's announced description, answered from memory when repeated
 * (after a reconnect or failover the master may send an id twice), kept
 * in flight until the driver finishes them with dev_done().
 */

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "net.h"
#include "slave.h"

/* The slave's own commands (safe states, local rules) end there. */
static int
own_result(struct slave *s, uint64_t id, Hd__CommandResult__Status st,
    const char *detail)
{
	return local_result(s, id, st, detail) ||
	    safe_result(s, id, st, detail);
}

static void
send_result(struct slave *s, uint64_t id, Hd__CommandResult__Status st,
    const char *detail, const Hd__Value *v, int dup)
{
	Hd__Envelope		e = HD__ENVELOPE__INIT;
	Hd__CommandResult	r = HD__COMMAND_RESULT__INIT;

	if (own_result(s, id, st, detail))
		return;		/* the slave's own, not the master's */
	r.id = id;
	r.status = st;
	r.detail = (char *)(uintptr_t)(detail != NULL ? detail : "");
	r.duplicate = dup;
	if (v != NULL && v->v_case != HD__VALUE__V__NOT_SET)
		r.value = (Hd__Value *)(uintptr_t)v;
	e.body_case = HD__ENVELOPE__BODY_RESULT;
	e.result = &r;
	s->up->send_reliable(s, &e);
}

/* Does the value fit the description? NULL, or why not. */
static const char *
check_value(const Hd__ValueDesc *vd, const Hd__Value *v)
{
	double x;

	if (v == NULL)
		return "no value";
	switch (vd->type) {
	case HD__VALUE_TYPE__VT_BOOL:
		return v->v_case == HD__VALUE__V_B ? NULL : "expects on/off";
	case HD__VALUE_TYPE__VT_STRING:
		return v->v_case == HD__VALUE__V_S &&
		    strlen(v->s) <= VALUE_STR_MAX ? NULL : "expects text";
	case HD__VALUE_TYPE__VT_INT:
	case HD__VALUE_TYPE__VT_DOUBLE:
		if (v->v_case == HD__VALUE__V_I)
			x = (double)v->i;
		else if (v->v_case == HD__VALUE__V_D &&
		    vd->type == HD__VALUE_TYPE__VT_DOUBLE)
			x = v->d;
		else
			return "expects a number";
		/* NaN fails every comparison, so the range check below
		 * would let it through. */
		if (!isfinite(x))
			return "not a finite number";
		if (vd->max > vd->min && (x < vd->min || x > vd->max))
			return "out of range";
		return NULL;
	default:
		return "value type unknown";
	}
}

static int
inflight_find(const struct slave *s, uint64_t id)
{
	int i;

	for (i = 0; i < CLUSTER_MAX_INFLIGHT; i++)
		if (s->inflight[i] == id)
			return i;
	return -1;
}

/* Check command `c` and hand it to its driver: OK, or why not. A
 * master's command is in the memo on disk before the driver acts. */
static Hd__CommandResult__Status
admit(struct slave *s, const Hd__Command *c, int master, const char **why)
{
	const Hd__ValueDesc	*vd;
	struct dev		*d;
	int			 slot;

	if ((d = dev_find(s, c->device_id)) == NULL) {
		*why = "no such device on this slave";
		return HD__COMMAND_RESULT__STATUS__UNKNOWN_DEVICE;
	}
	if ((vd = dev_find_value(d, c->key)) == NULL || !vd->writable) {
		*why = vd == NULL ? "no such value" : "value is read-only";
		return HD__COMMAND_RESULT__STATUS__READ_ONLY;
	}
	if ((*why = check_value(vd, c->value)) != NULL)
		return HD__COMMAND_RESULT__STATUS__BAD_VALUE;
	if ((slot = inflight_find(s, 0)) == -1) {
		*why = "too many commands in flight";
		return HD__COMMAND_RESULT__STATUS__BUSY;
	}
	if (master && memo_begin(s, c->id) == -1) {
		*why = "cannot record the command before acting on it";
		return HD__COMMAND_RESULT__STATUS__FAILED;
	}
	s->inflight[slot] = c->id;
	s->inflight_dev[slot] = d;
	journal_exec(s, d, c);
	d->ops->command(d, c);
	return HD__COMMAND_RESULT__STATUS__OK;
}

void
devices_command(struct slave *s, const Hd__Command *c)
{
	const struct cmd_memo		*mm;
	const char			*why = NULL;
	Hd__CommandResult__Status	 st;

	if (c->id == 0 || inflight_find(s, c->id) != -1)
		return;		/* invalid, or its result is on the way */
	if ((mm = memo_find(s, c->id)) != NULL) {
		/* Not done and not in flight: the slave restarted while
		 * acting on it. Whether it took effect is unknown; acting
		 * again could do it twice. */
		send_result(s, c->id, mm->status, mm->done ? "" : "the slave "
		    "restarted while acting on it: outcome unknown",
		    &mm->value, 1);
		return;
	}
	if (local_master_fired(s, c->firing_id) == 1) {
		send_result(s, c->id, HD__COMMAND_RESULT__STATUS__OK,
		    "done by the local rules", NULL, 0);
		return;
	}
	if ((st = admit(s, c, 1, &why)) != HD__COMMAND_RESULT__STATUS__OK)
		send_result(s, c->id, st, why, NULL, 0);
}

Hd__CommandResult__Status
devices_command_local(struct slave *s, const Hd__Command *c,
    const char **why)
{
	*why = NULL;
	if (c->id == 0 || inflight_find(s, c->id) != -1) {
		*why = "already in flight";
		return HD__COMMAND_RESULT__STATUS__BUSY;
	}
	return admit(s, c, 0, why);
}

/*
 * A driver finished command `id` (now or later): remember it, answer.
 * Only a command in flight is answered: a second finish (a confirmation
 * arriving after the driver gave up with TIMEOUT) must not send a second,
 * contradicting result or remember the id twice.
 */
void
dev_done(struct dev *d, uint64_t id, Hd__CommandResult__Status st,
    const char *detail, const Hd__Value *v)
{
	struct slave	*s = d->s;
	int		 slot;

	if (id == 0 || (slot = inflight_find(s, id)) == -1) {
		log_warnx("command %" PRIu64 " on %s: not in flight, result "
		    "ignored", id, d->desc.id);
		return;
	}
	s->inflight[slot] = 0;
	s->inflight_dev[slot] = NULL;
	journal_done(s, d, id, st, v);
	if (!own_result(s, id, st, detail)) {
		/* The master's: remembered for a repeat, answered. */
		memo_add(s, id, st, v);
		log_info("command %" PRIu64 " on %s: %s%s%s", id, d->desc.id,
		    st == HD__COMMAND_RESULT__STATUS__OK ? "done" : "failed",
		    detail != NULL && detail[0] ? ": " : "",
		    detail ? detail : "");
		send_result(s, id, st, detail, v, 0);
	}
}

/*
 * A driver holds command `id` for later (a sleeping node's wake-up): the
 * master hears QUEUED, which is not final, so it keeps waiting. The
 * command stays in flight (its slot, no memo): dev_done() finishes it.
 */
void
dev_queued(struct dev *d, uint64_t id, const char *detail)
{
	if (id == 0 || inflight_find(d->s, id) == -1) {
		log_warnx("command %" PRIu64 " on %s: not in flight, not "
		    "queued", id, d->desc.id);
		return;
	}
	log_info("command %" PRIu64 " on %s: queued%s%s", id, d->desc.id,
	    detail != NULL && detail[0] ? ": " : "", detail ? detail : "");
	send_result(d->s, id, HD__COMMAND_RESULT__STATUS__QUEUED, detail,
	    NULL, 0);
}

/*
 * A device going away (a node excluded, a chip unconfigured) must not
 * leave its commands' slots taken: each would stay busy for good and the
 * master would never hear how its command ended.
 */
int
dev_fail_inflight(struct dev *d, const char *why)
{
	struct slave	*s = d->s;
	int		 i, n = 0;

	for (i = 0; i < CLUSTER_MAX_INFLIGHT; i++)
		if (s->inflight[i] != 0 && s->inflight_dev[i] == d) {
			dev_done(d, s->inflight[i],
			    HD__COMMAND_RESULT__STATUS__UNKNOWN_DEVICE, why,
			    NULL);
			n++;
		}
	return n;
}
