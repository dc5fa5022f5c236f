/*
 * Commands to devices through the API (docs/API.md): checked here (role,
 * grant, writable, type, range, slave online), sent with
 * cluster_command(), and remembered in a bounded ring so that
 * GET /api/v1/commands/{id} and the stream can tell how they ended.
 *
 * A command to a sleeping Z-Wave node is answered QUEUED by the slave:
 * not final, the record shows "queued" and waits for the node's wake-up
 * (the slave's hold time plus the grace), then the final result ends it.
 * A record still waiting (pending or queued) is never reused for a new
 * command, so its result cannot be lost to the ring.
 *
 * With slave lines (an election), a command goes through the replicated
 * log instead (cluster/ha.h, docs/FAILOVER.md): the answer "accepted"
 * (202) waits until every synchronous standby holds its record, and a
 * new master's list starts from the log (api_cmd_from_log).
 *
 * Stuck and late commands (docs/FAILOVER.md): an admin may cancel a
 * command of the log that has no result (DELETE .../commands/{id}); the
 * log expires one that waited CMD_LOG_EXPIRE_MS. Either ends the record
 * `cancelled` or `expired` for good: a slave's result after it does not
 * replace it, as the log keeps the first settlement. A master that steps
 * down answers what it still owes (a 202, a cancel) with 503 naming the
 * command and the master, so that the client can ask there.
 */

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "api/api_res.h"
#include "api/api_stream.h"
#include "cluster/ha.h"
#include "ev.h"
#include "log.h"
#include "memtune.h"

enum cmd_state { CMD_FREE, CMD_PENDING, CMD_OK, CMD_FAILED, CMD_QUEUED,
    CMD_CANCELLED, CMD_EXPIRED };

/* A waiting record always leaves the ring a free slot (record()). */
_Static_assert(API_MAX_PENDING_CMDS < API_CMD_KEEP,
    "more commands in flight than records");

struct cmdrec {
	uint64_t	id;
	enum cmd_state	state;
	char		node[NODE_ID_MAX + 1];
	char		site[SITE_NAME_MAX + 1];
	char		device[DEVICE_ID_MAX + 1];
	char		key[VALUE_KEY_MAX + 1];
	char		by[USER_NAME_MAX + 1];
	char		result[24];
	char		detail[128];
	Hd__Value	value;		/* v_case NOT_SET: none */
	char		sval[VALUE_STR_MAX + 1];
	uint64_t	issued_ms, done_ms;	/* wall */
	uint64_t	deadline;		/* monotonic */
	struct api_later *later;	/* the 202 waits for the standbys */
	struct api_later *cancel;	/* a cancel's answer waits too ... */
	uint64_t	cancel_pos;	/* ... until the log holds this */
};

struct api_cmd {
	struct master	*m;
	struct cmdrec	 rec[API_CMD_KEEP];
	int		 next;		/* ring slot for the next command */
	int		 npending;	/* pending or queued */
	struct ev_timer	 timer;
};

/* Still waiting for its result: counted in npending. */
static int
waiting(const struct cmdrec *r)
{
	return r->state == CMD_PENDING || r->state == CMD_QUEUED;
}

static uint64_t
mono(const struct api_cmd *a)
{
	return a->m->loop != NULL ? ev_now(a->m->loop) : ev_clock_ms();
}

static void
sweep_cb(struct ev_timer *t)
{
	struct api_cmd *a = t->arg;

	api_cmd_sweep(a, mono(a));
}

struct api_cmd *
api_cmd_new(struct master *m)
{
	struct api_cmd *a;

	if ((a = mem_table(sizeof(*a))) == NULL)
		return NULL;
	a->m = m;
	ev_timer_init(&a->timer, sweep_cb, a);
	return a;
}

void
api_cmd_free(struct api_cmd *a)
{
	int i;

	if (a == NULL)
		return;
	for (i = 0; i < API_CMD_KEEP; i++) {
		free(a->rec[i].later);
		free(a->rec[i].cancel);
	}
	if (a->m->loop != NULL)
		ev_timer_stop(a->m->loop, &a->timer);
	mem_table_free(a, sizeof(*a));
}

static void
write_cmd(struct jw *w, const struct cmdrec *r)
{
	static const char *const st[] = { "?", "pending", "ok", "failed",
	    "queued", "cancelled", "expired" };

	jw_open(w, '{');
	jw_key(w, "id");
	jw_uint(w, r->id);
	jw_key(w, "node");
	jw_str(w, r->node);
	jw_key(w, "device");
	jw_str(w, r->device);
	jw_key(w, "key");
	jw_str(w, r->key);
	jw_key(w, "by");
	jw_str(w, r->by);
	jw_key(w, "status");
	jw_str(w, st[r->state]);
	jw_key(w, "result");
	jw_str(w, r->result);
	jw_key(w, "detail");
	jw_str(w, r->detail);
	jw_key(w, "value");
	api_res_jw_value(w, r->value.v_case != HD__VALUE__V__NOT_SET ? &r->value :
	    NULL);
	jw_key(w, "issued_ms");
	jw_uint(w, r->issued_ms);
	jw_key(w, "done_ms");
	jw_uint(w, r->done_ms);
	jw_close(w, '}');
}

static void
publish(struct api_cmd *a, const struct cmdrec *r)
{
	char		buf[STREAM_MAX_DATA];
	struct jw	w;

	jw_init(&w, buf, sizeof(buf));
	write_cmd(&w, r);
	if (jw_end(&w) > 0)
		api_stream_publish(a->m, "command", r->site, r->device, buf);
}

/* The command ended (or ended again: a late result wins): publish it. */
static void
finish(struct api_cmd *a, struct cmdrec *r, enum cmd_state st,
    const char *result, const char *detail)
{
	if (waiting(r))
		a->npending--;
	r->state = st;
	r->done_ms = ev_wall_ms();
	snprintf(r->result, sizeof(r->result), "%s", result);
	snprintf(r->detail, sizeof(r->detail), "%s", detail);
	publish(a, r);
}

/*
 * End what is past its deadline, then sleep until the next deadline (a
 * queued command may wait an hour: no need to wake every second).
 */
void
api_cmd_sweep(struct api_cmd *a, uint64_t now)
{
	uint64_t	next = UINT64_MAX;
	int		i;

	for (i = 0; i < API_CMD_KEEP && a->npending > 0; i++) {
		if (!waiting(&a->rec[i]))
			continue;
		if (now >= a->rec[i].deadline)
			finish(a, &a->rec[i], CMD_FAILED, "no_answer",
			    "no result from the slave in time");
		else if (a->rec[i].deadline < next)
			next = a->rec[i].deadline;
	}
	if (a->m->loop == NULL)
		return;
	ev_timer_stop(a->m->loop, &a->timer);
	if (a->npending > 0 && next != UINT64_MAX)
		ev_timer_start(a->m->loop, &a->timer, next - now);
}

/*
 * The slave holds it for a sleeping node: wait for the wake-up too. The
 * slave's hold timer started when the command reached it, within the
 * command's own time: its final result is due by then plus the hold.
 */
static void
queue(struct api_cmd *a, struct cmdrec *r, const char *detail)
{
	if (r->state == CMD_PENDING)
		r->deadline += ZW_WAKEUP_HOLD_MS;
	r->state = CMD_QUEUED;
	snprintf(r->result, sizeof(r->result), "queued");
	snprintf(r->detail, sizeof(r->detail), "%s", detail);
	publish(a, r);
	if (a->m->loop != NULL)		/* the sweep timer: a later deadline */
		api_cmd_sweep(a, mono(a));
}

void
api_cmd_offline(struct api_cmd *a, struct node *n)
{
	int i;

	/* A queued command stays: the slave still holds it, and its result
	 * comes through the replay queue when the link is back. */
	for (i = 0; i < API_CMD_KEEP && a->npending > 0; i++)
		if (a->rec[i].state == CMD_PENDING &&
		    strcmp(a->rec[i].node, n->id) == 0)
			finish(a, &a->rec[i], CMD_FAILED, "offline",
			    "the slave went offline before answering");
}

static struct cmdrec *
find(struct api_cmd *a, uint64_t id)
{
	int i;

	for (i = 0; i < API_CMD_KEEP; i++)
		if (a->rec[i].state != CMD_FREE && a->rec[i].id == id)
			return &a->rec[i];
	return NULL;
}

void
api_cmd_result(struct api_cmd *a, struct node *n, const Hd__CommandResult *res)
{
	struct cmdrec	*r;
	char		 name[24];

	/* Only the slave the command went to may answer it; one the log
	 * settled without it stays settled (the first settlement wins). */
	if ((r = find(a, res->id)) == NULL || strcmp(r->node, n->id) != 0 ||
	    r->state == CMD_CANCELLED || r->state == CMD_EXPIRED ||
	    res->status == HD__COMMAND_RESULT__STATUS__CANCELLED ||
	    res->status == HD__COMMAND_RESULT__STATUS__EXPIRED)
		return;
	if (res->status == HD__COMMAND_RESULT__STATUS__QUEUED) {
		/* Not final: only a command still waiting can be queued. */
		if (waiting(r))
			queue(a, r, res->detail);
		return;
	}
	memset(&r->value, 0, sizeof(r->value));
	if (res->value != NULL && res->value->v_case != HD__VALUE__V__NOT_SET) {
		r->value = *res->value;
		if (r->value.v_case == HD__VALUE__V_S) {
			snprintf(r->sval, sizeof(r->sval), "%s", res->value->s);
			r->value.s = r->sval;
		}
	}
	finish(a, r, res->status == HD__COMMAND_RESULT__STATUS__OK ? CMD_OK :
	    CMD_FAILED, api_res_enum(&hd__command_result__status__descriptor,
	    (int)res->status, name, sizeof(name)), res->detail);
}

/* The body's "value" as the value's type wants it; -1 after a 400. */
static int
parse_value(struct api_call *c, const Hd__ValueDesc *vd, Hd__Value *v,
    char *sbuf, size_t ssize)
{
	struct json_doc	*d = &c->doc;
	int		 t = json_find(d, 0, "value");
	const char	*why = NULL;
	char		 num[JSON_MAX_NUMBER + 1];
	int64_t		 i = 0;
	double		 x = 0;

	switch (vd->type) {
	case HD__VALUE_TYPE__VT_BOOL:
		if (d->tok[t].type != JSON_TRUE && d->tok[t].type != JSON_FALSE)
			why = "value: expected true or false";
		v->v_case = HD__VALUE__V_B;
		v->b = d->tok[t].type == JSON_TRUE;
		break;
	case HD__VALUE_TYPE__VT_INT:
		if (json_int(d, t, &i) == -1)
			why = "value: expected an integer";
		v->v_case = HD__VALUE__V_I;
		v->i = i;
		x = (double)i;
		break;
	case HD__VALUE_TYPE__VT_DOUBLE:
		if (d->tok[t].type != JSON_NUMBER)
			why = "value: expected a number";
		else {
			snprintf(num, sizeof(num), "%.*s", (int)d->tok[t].len,
			    d->src + d->tok[t].start);
			x = strtod(num, NULL);
			if (!isfinite(x))	/* 1e999 */
				why = "value: out of range";
		}
		v->v_case = HD__VALUE__V_D;
		v->d = x;
		break;
	case HD__VALUE_TYPE__VT_STRING:
		if (d->tok[t].type != JSON_STRING ||
		    json_str(d, t, sbuf, ssize) == -1)
			why = "value: expected a string of at most 255 bytes";
		v->v_case = HD__VALUE__V_S;
		v->s = sbuf;
		break;
	default:
		why = "this value's type cannot be set";
	}
	if (why == NULL && vd->type != HD__VALUE_TYPE__VT_BOOL &&
	    vd->type != HD__VALUE_TYPE__VT_STRING && vd->min < vd->max &&
	    (x < vd->min || x > vd->max))
		why = "value: out of the value's min..max";
	if (why != NULL) {
		api_refuse(c, 400, "bad_value", why);
		return -1;
	}
	return 0;
}

/* Checks that need no body, in the order a client can act on them. */
static const Hd__ValueDesc *
cmd_target(struct api_call *c, struct node **n, const Hd__Device **d)
{
	const Hd__ValueDesc *vd;

	if ((*d = api_res_visible(c, n)) == NULL)
		return NULL;
	if ((vd = api_res_desc(*d, c->arg[2])) == NULL) {
		api_refuse(c, 404, "not_found", "no such value");
		return NULL;
	}
	if (!users_may(c->user, (*n)->site, (*d)->id, ACCESS_CONTROL)) {
		api_refuse(c, 403, "forbidden", "no control grant for this "
		    "device");
		return NULL;
	}
	return vd;
}

static struct cmdrec *
record(struct api_cmd *a, struct api_call *c, struct node *n,
    const Hd__Command *cmd)
{
	struct cmdrec	*r;
	int		 i;

	/* The oldest record that is not waiting: there is one, as fewer
	 * than API_CMD_KEEP commands may wait at once. */
	for (i = 0; i < API_CMD_KEEP && waiting(&a->rec[a->next]); i++)
		a->next = (a->next + 1) % API_CMD_KEEP;
	r = &a->rec[a->next];
	a->next = (a->next + 1) % API_CMD_KEEP;
	if (waiting(r))
		a->npending--;
	free(r->later);
	free(r->cancel);
	memset(r, 0, sizeof(*r));
	r->id = cmd->id;
	r->state = CMD_PENDING;
	snprintf(r->node, sizeof(r->node), "%s", n->id);
	snprintf(r->site, sizeof(r->site), "%s", n->site);
	snprintf(r->device, sizeof(r->device), "%s", cmd->device_id);
	snprintf(r->key, sizeof(r->key), "%s", cmd->key);
	snprintf(r->by, sizeof(r->by), "%s", c->user->name);
	r->issued_ms = ev_wall_ms();
	r->deadline = c->now + cmd->timeout_ms + API_CMD_GRACE_MS;
	a->npending++;
	api_cmd_sweep(a, c->now);
	return r;
}

/* The 202 of command r. */
static void
accepted(struct api_call *c, const struct cmdrec *r)
{
	jw_open(&c->w, '{');
	jw_key(&c->w, "id");
	jw_uint(&c->w, r->id);
	jw_key(&c->w, "status");
	jw_str(&c->w, "pending");
	jw_close(&c->w, '}');
	api_reply(c, 202);
}

/* Through the replicated log: 0 accepted now, 1 when the standbys hold
 * it, -1 after a refusal. */
static int
send_logged(struct api_call *c, struct node *n, Hd__Command *cmd)
{
	int r;

	if ((r = ha_command(c->ctx, n, cmd)) == -1)
		api_refuse(c, 429, "busy", "too many commands waiting for "
		    "this slave, or the command log is full");
	return r;
}

static int
send_cmd(struct api_call *c, struct node *n, const Hd__Device *d,
    Hd__Value *v, int64_t pulse)
{
	struct api_cmd	*a = ((struct master *)c->ctx)->api_res->cmd;
	Hd__Command	 cmd = HD__COMMAND__INIT;
	struct cmdrec	*r;
	int		 wait = 0;

	if (n->peer == NULL) {
		api_refuse(c, 503, "offline", "the device's slave is offline");
		return -1;
	}
	if (a->npending >= API_MAX_PENDING_CMDS) {
		api_refuse(c, 429, "busy", "too many commands in flight");
		return -1;
	}
	cmd.device_id = d->id;
	cmd.key = (char *)(uintptr_t)c->arg[2];
	cmd.value = v;
	cmd.pulse_ms = (uint32_t)pulse;
	cmd.timeout_ms = API_CMD_TIMEOUT_MS;
	cmd.issued_by = (char *)(uintptr_t)c->user->name;
	if (ha_logs_commands(c->ctx)) {
		if ((wait = send_logged(c, n, &cmd)) == -1)
			return -1;
	} else if (cluster_command(c->ctx, n, &cmd) == -1) {
		api_refuse(c, 503, "offline", "the slave link failed");
		return -1;
	}
	log_info("api: %s: command %" PRIu64 " to %s %s.%s%s", c->user->name,
	    cmd.id, n->id, d->id, c->arg[2], wait ? " (waiting for the "
	    "standby)" : "");
	r = record(a, c, n, &cmd);
	if (wait && (r->later = malloc(sizeof(*r->later))) != NULL) {
		api_defer(c, r->later);
		return 0;
	}
	/* Without memory to wait, answer now: it is in the log and will
	 * be sent whatever happens to this answer. */
	accepted(c, r);
	return 0;
}

/* The log holds command id on every synchronous standby: its 202. */
static void
on_accepted(void *arg, uint64_t id)
{
	struct api_cmd	*a = arg;
	struct cmdrec	*r;
	struct api_call	 c;
	Hd__ApiResponse	 resp;

	if ((r = find(a, id)) == NULL || r->later == NULL)
		return;
	api_resume(a->m->api, r->later, &c, &resp, mono(a));
	accepted(&c, r);
	api_finish(&c);
	free(r->later);
	r->later = NULL;
}

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

/* One command of the log, as a record of the list. */
static void
from_log(void *arg, const Hd__ReplCommand *rc, const Hd__ReplResult *rr)
{
	struct api_cmd		*a = arg;
	const Hd__Command	*cmd = rc->command;
	struct cmdrec		*r;
	char			 name[24];
	int			 i;

	if (find(a, cmd->id) != NULL)
		return;
	for (i = 0; i < API_CMD_KEEP && waiting(&a->rec[a->next]); i++)
		a->next = (a->next + 1) % API_CMD_KEEP;
	if (i == API_CMD_KEEP)
		return;
	r = &a->rec[a->next];
	a->next = (a->next + 1) % API_CMD_KEEP;
	free(r->later);
	free(r->cancel);
	memset(r, 0, sizeof(*r));
	r->id = cmd->id;
	snprintf(r->node, sizeof(r->node), "%s", rc->slave);
	snprintf(r->site, sizeof(r->site), "%s", rc->site);
	snprintf(r->device, sizeof(r->device), "%s", cmd->device_id);
	snprintf(r->key, sizeof(r->key), "%s", cmd->key);
	snprintf(r->by, sizeof(r->by), "%s", cmd->issued_by);
	r->issued_ms = rc->issued_ms;
	if (rr == NULL) {
		r->state = CMD_PENDING;	/* sent again as its slave registers */
		r->deadline = mono(a) + cmd->timeout_ms + API_CMD_GRACE_MS;
		a->npending++;
		return;
	}
	r->state = settled_state(rr->result->status);
	r->done_ms = rr->done_ms;
	snprintf(r->result, sizeof(r->result), "%s", api_res_enum(
	    &hd__command_result__status__descriptor, (int)rr->result->status,
	    name, sizeof(name)));
	snprintf(r->detail, sizeof(r->detail), "%s", rr->result->detail);
	if (rr->result->value != NULL) {
		r->value = *rr->result->value;
		if (r->value.v_case == HD__VALUE__V_S) {
			snprintf(r->sval, sizeof(r->sval), "%s",
			    rr->result->value->s);
			r->value.s = r->sval;
		}
	}
}

/* The log settled command id without its slave (an expiry). */
static void
on_settled(void *arg, uint64_t id, int status, const char *detail)
{
	struct api_cmd	*a = arg;
	struct cmdrec	*r;

	if ((r = find(a, id)) == NULL || r->state == CMD_CANCELLED ||
	    r->state == CMD_EXPIRED)
		return;
	finish(a, r, settled_state((Hd__CommandResult__Status)status),
	    status == HD__COMMAND_RESULT__STATUS__CANCELLED ? "cancelled" :
	    "expired", detail);
}

/* Command r as the answer to its cancel. */
static void
cancelled(struct api_call *c, const struct cmdrec *r)
{
	write_cmd(&c->w, r);
	api_reply(c, 200);
}

/* The log holds records up to `held` on every synchronous standby:
 * the cancels held answer now. */
static void
on_held(void *arg, uint64_t held)
{
	struct api_cmd	*a = arg;
	struct cmdrec	*r;
	struct api_call	 c;
	Hd__ApiResponse	 resp;
	int		 i;

	for (i = 0; i < API_CMD_KEEP; i++) {
		r = &a->rec[i];
		if (r->cancel == NULL || r->cancel_pos > held)
			continue;
		api_resume(a->m->api, r->cancel, &c, &resp, mono(a));
		cancelled(&c, r);
		api_finish(&c);
		free(r->cancel);
		r->cancel = NULL;
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

	api_resume(a->m->api, l, &c, &resp, mono(a));
	api_whoami(a->m->api, &am);
	jw_open(&c.w, '{');
	jw_key(&c.w, "error");
	jw_str(&c.w, "not master");
	jw_key(&c.w, "reason");
	jw_str(&c.w, why);
	jw_key(&c.w, "id");
	jw_uint(&c.w, r->id);
	jw_key(&c.w, "master");
	jw_str(&c.w, am.node);
	jw_key(&c.w, "url");
	jw_str(&c.w, am.url);
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
			log_warnx("api: command %" PRIu64 ": its 202 is lost "
			    "with the step down: answered 503 (ask the new "
			    "master for it)", r->id);
			owed(a, r->later, r, "this master stepped down before "
			    "the standby held the command: it may still be "
			    "executed; ask the master for the command's id");
			free(r->later);
			r->later = NULL;
		}
		if (r->cancel != NULL) {
			owed(a, r->cancel, r, "this master stepped down before "
			    "the standby held the cancel: ask the master for "
			    "the command's id (it may still be pending)");
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
	ha_set_accepted_hook(a->m, on_accepted, a);
	ha_set_cmd_hooks(a->m, &cmd_hooks, a);
	ha_log_commands(a->m, from_log, a);
	api_cmd_sweep(a, mono(a));
}

static void
set_value(struct api_call *c)
{
	static const char *const fields[] = { "value", "pulse_ms", NULL };
	struct node		*n;
	const Hd__Device	*d;
	const Hd__ValueDesc	*vd;
	Hd__Value		 v = HD__VALUE__INIT;
	char			 sbuf[VALUE_STR_MAX + 1];
	int64_t			 pulse = 0;

	if ((vd = cmd_target(c, &n, &d)) == NULL || api_body(c, fields) == -1)
		return;
	if (json_find(&c->doc, 0, "value") == -1 ||
	    json_get_int(&c->doc, 0, "pulse_ms", 0, 1, API_MAX_PULSE_MS,
	    &pulse) == -1) {
		api_refuse(c, 400, "bad_request", json_find(&c->doc, 0,
		    "value") == -1 ? "field \"value\": missing" : c->doc.err);
		return;
	}
	if (!vd->writable) {
		api_refuse(c, 400, "read_only", "this value cannot be set");
		return;
	}
	if (parse_value(c, vd, &v, sbuf, sizeof(sbuf)) == -1)
		return;
	send_cmd(c, n, d, &v, pulse);
}

static void
get_command(struct api_call *c)
{
	struct master	*m = c->ctx;
	struct cmdrec	*r;
	char		*end;
	uint64_t	 id;

	id = strtoull(c->arg[0], &end, 10);
	if (*end != '\0' || (r = find(m->api_res->cmd, id)) == NULL ||
	    !users_may(c->user, r->site, r->device, ACCESS_VIEW)) {
		api_refuse(c, 404, "not_found", "no such command");
		return;
	}
	write_cmd(&c->w, r);
	api_reply(c, 200);
}

/* An admin gives up a command of the log that has no result yet. */
static void
cancel_command(struct api_call *c)
{
	struct master	*m = c->ctx;
	struct api_cmd	*a = m->api_res->cmd;
	struct cmdrec	*r;
	char		*end, detail[HA_REC_DETAIL_MAX + 1];
	uint64_t	 id, pos = 0;

	id = strtoull(c->arg[0], &end, 10);
	if (*end != '\0' || (r = find(a, id)) == NULL) {
		api_refuse(c, 404, "not_found", "no such command");
		return;
	}
	if (!ha_logs_commands(m)) {
		api_refuse(c, 409, "not_logged", "without an election (slave "
		    "lines) a command is sent once and never again: there is "
		    "nothing to cancel");
		return;
	}
	switch (ha_command_cancel(m, id, c->user->name, &pos)) {
	case HA_SETTLE_DONE:
		break;
	case HA_SETTLE_ALREADY:
		api_refuse(c, 409, "settled", "the command has its result "
		    "already (GET it)");
		return;
	case HA_SETTLE_NOT_YET:
		api_refuse(c, 409, "not_accepted", "the command is not "
		    "accepted yet (its 202 is still to come): try again");
		return;
	case HA_SETTLE_FULL:
		api_refuse(c, 429, "busy", "the command log is full");
		return;
	default:
		api_refuse(c, 404, "not_found", "no such command in the log");
		return;
	}
	log_info("api: %s: command %" PRIu64 " cancelled", c->user->name, id);
	snprintf(detail, sizeof(detail), "cancelled by %s: not sent again",
	    c->user->name);
	finish(a, r, CMD_CANCELLED, "cancelled", detail);
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

static const struct api_route cmd_routes[] = {
	{ "POST", "/api/v1/devices/*/*/values/*", API_USER, set_value },
	{ "GET", "/api/v1/commands/*", API_VIEWER, get_command },
	{ "DELETE", "/api/v1/commands/*", API_ADMIN, cancel_command },
};

int
api_cmd_routes(struct master *m, struct api_cmd *a)
{
	(void)a;
	return api_add_routes(m->api, cmd_routes,
	    (int)(sizeof(cmd_routes) / sizeof(cmd_routes[0])), m);
}
