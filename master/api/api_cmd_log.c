/*
 * The API's commands and the replicated log (an election, slave lines;
 * cluster/ha.h, docs/FAILOVER.md): a new master's list starts from the
 * log (api_cmd_from_log), the log's settlements end records, and the
 * answers that wait for the synchronous standbys are given when the log
 * says so.
 *
 * Stuck and late commands: an admin may cancel a command of the log that
 * has no result (DELETE .../commands/{id}); the log expires one that
 * waited CMD_LOG_EXPIRE_MS. Either ends the record `cancelled` or
 * `expired` for good. A master that steps down answers what it still
 * owes (a 202, a cancel) with 503 naming the command and the master, so
 * that the client can ask there.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_cmd_int.h"
#include "cluster/ha.h"
#include "log.h"

/* A final status of the log as the list's state. */
static enum cmd_state
settled_state(Hd__CommandResult__Status st)
{
	switch (st) {
	case HD__COMMAND_RESULT__STATUS__OK:
		return CMD_OK;
	case HD__COMMAND_RESULT__STATUS__CANCELLED:
		return CMD_CANCELLED;
	case HD__COMMAND_RESULT__STATUS__EXPIRED:
		return CMD_EXPIRED;
	default:
		return CMD_FAILED;
	}
}

/* The log's result rr of record r. */
static void
settled_from_log(struct cmdrec *r, const Hd__ReplResult *rr)
{
	char name[24];

	r->state = settled_state(rr->result->status);
	r->done_ms = rr->done_ms;
	snprintf(r->result, sizeof(r->result), "%s", api_res_enum(
	    &hd__command_result__status__descriptor, (int)rr->result->status,
	    name, sizeof(name)));
	snprintf(r->detail, sizeof(r->detail), "%s", rr->result->detail);
	api_cmd_keep_value(r, rr->result->value);
}

/* One command of the log, as a record of the list. */
static void
from_log(void *arg, const Hd__ReplCommand *rc, const Hd__ReplResult *rr)
{
	struct api_cmd		*a = arg;
	const Hd__Command	*cmd = rc->command;
	struct cmdrec		*r;

	if (api_cmd_find(a, cmd->id) != NULL ||
	    (r = api_cmd_take(a)) == NULL)
		return;
	r->id = cmd->id;
	snprintf(r->node, sizeof(r->node), "%s", rc->slave);
	snprintf(r->site, sizeof(r->site), "%s", rc->site);
	snprintf(r->device, sizeof(r->device), "%s", cmd->device_id);
	snprintf(r->key, sizeof(r->key), "%s", cmd->key);
	snprintf(r->by, sizeof(r->by), "%s", cmd->issued_by);
	r->issued_ms = rc->issued_ms;
	if (rr != NULL) {
		settled_from_log(r, rr);
		return;
	}
	r->state = CMD_PENDING;		/* sent again as its slave registers */
	r->deadline = api_cmd_mono(a) + cmd->timeout_ms + API_CMD_GRACE_MS;
	a->npending++;
}

/* The log settled command id without its slave (an expiry). */
static void
on_settled(void *arg, uint64_t id, int status, const char *detail)
{
	struct api_cmd	*a = arg;
	struct cmdrec	*r;

	if ((r = api_cmd_find(a, id)) == NULL || r->state == CMD_CANCELLED ||
	    r->state == CMD_EXPIRED)
		return;
	api_cmd_finish(a, r, settled_state((Hd__CommandResult__Status)status),
	    status == HD__COMMAND_RESULT__STATUS__CANCELLED ? "cancelled" :
	    "expired", detail);
}

/* Command r as the answer to its cancel. */
static void
cancelled(struct api_call *c, const struct cmdrec *r)
{
	api_cmd_write(&c->w, r);
	api_reply(c, 200);
}

/* The log holds records up to `held` on every synchronous standby:
 * the cancels held answer now. */
static void
on_held(void *arg, uint64_t held)
{
	struct api_cmd	*a = arg;
	struct cmdrec	*r;
	int		 i;

	for (i = 0; i < API_CMD_KEEP; i++) {
		r = &a->rec[i];
		if (r->cancel != NULL && r->cancel_pos <= held)
			api_cmd_answer(a, &r->cancel, r, cancelled);
	}
}

/* A 503 for a waiting answer of this master, which steps down: the
 * command's id and the master to ask (if known yet), as a standby's
 * API names it (api.c). */
static void
owed(struct api_cmd *a, struct api_later *l, const struct cmdrec *r,
    const char *why)
{
	struct api_call		c;
	Hd__ApiResponse		resp;
	struct api_master	am;

	api_resume(a->m->api, l, &c, &resp, api_cmd_mono(a));
	api_whoami(a->m->api, &am);
	api_not_master_open(&c, why, &am);
	jw_key(&c.w, "id");
	jw_uint(&c.w, r->id);
	jw_close(&c.w, '}');
	api_reply(&c, 503);
	api_finish(&c);
}

static void
on_step_down(void *arg)
{
	struct api_cmd	*a = arg;
	struct cmdrec	*r;
	int		 i;

	for (i = 0; i < API_CMD_KEEP; i++) {
		r = &a->rec[i];
		if (r->later != NULL) {
			log_warnx("api: command %" PRIu64 ": this master steps "
			    "down or stops before the standby held it: "
			    "answered 503 (ask the master for it)", r->id);
			owed(a, r->later, r, "this master stepped down or "
			    "stopped before the standby held the command: it "
			    "may still be executed; ask the master for the "
			    "command's id");
			free(r->later);
			r->later = NULL;
		}
		if (r->cancel != NULL) {
			owed(a, r->cancel, r, "this master stepped down or "
			    "stopped before the standby held the cancel: ask "
			    "the master for the command's id (it may still be "
			    "pending)");
			free(r->cancel);
			r->cancel = NULL;
		}
	}
}

static const struct ha_cmd_hooks cmd_hooks = {
	.settled = on_settled,
	.held = on_held,
	.step_down = on_step_down,
};

void
api_cmd_from_log(struct api_cmd *a)
{
	if (!ha_logs_commands(a->m))
		return;
	ha_set_accepted_hook(a->m, api_cmd_on_accepted, a);
	ha_set_cmd_hooks(a->m, &cmd_hooks, a);
	ha_log_commands(a->m, from_log, a);
	api_cmd_sweep(a, api_cmd_mono(a));
}

/* The log's answer to a cancel, as a refusal; 0: it is cancelled. */
static int
cancel_refused(struct api_call *c, enum ha_settle st)
{
	switch (st) {
	case HA_SETTLE_DONE:
		return 0;
	case HA_SETTLE_ALREADY:
		api_refuse(c, 409, "settled", "the command has its result "
		    "already (GET it)");
		break;
	case HA_SETTLE_NOT_YET:
		api_refuse(c, 409, "not_accepted", "the command is not "
		    "accepted yet (its 202 is still to come): try again");
		break;
	case HA_SETTLE_FULL:
		api_refuse(c, 429, "busy", "the command log is full");
		break;
	default:
		api_refuse(c, 404, "not_found", "no such command in the log");
		break;
	}
	return -1;
}

/* An admin gives up a command of the log that has no result yet. */
void
api_cmd_cancel(struct api_call *c)
{
	struct master	*m = c->ctx;
	struct api_cmd	*a = m->api_res->cmd;
	struct cmdrec	*r;
	char		*end, detail[HA_REC_DETAIL_MAX + 1];
	uint64_t	 id, pos = 0;

	id = strtoull(c->arg[0], &end, 10);
	if (*end != '\0' || (r = api_cmd_find(a, id)) == NULL) {
		api_refuse(c, 404, "not_found", "no such command");
		return;
	}
	if (!ha_logs_commands(m)) {
		api_refuse(c, 409, "not_logged", "without an election (slave "
		    "lines) a command is sent once and never again: there is "
		    "nothing to cancel");
		return;
	}
	if (cancel_refused(c, ha_command_cancel(m, id, c->user->name, &pos)))
		return;
	log_info("api: %s: command %" PRIu64 " cancelled", c->user->name, id);
	snprintf(detail, sizeof(detail), "cancelled by %s: not sent again",
	    c->user->name);
	api_cmd_finish(a, r, CMD_CANCELLED, "cancelled", detail);
	if (ha_log_held(m) < pos && r->cancel == NULL &&
	    (r->cancel = malloc(sizeof(*r->cancel))) != NULL) {
		r->cancel_pos = pos;
		api_defer(c, r->cancel);
		return;
	}
	/* Held already (no standby to wait for), or no memory to wait:
	 * the cancel is in the log either way and goes to the standby. */
	cancelled(c, r);
}
