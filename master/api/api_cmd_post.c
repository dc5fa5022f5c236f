/*
 * A new command through the API (POST .../values/{key}, docs/API.md):
 * checked here (role, grant, writable, type, range, slave online), sent
 * with cluster_command(), and recorded in the ring (api_cmd.c).
 *
 * With slave lines (an election), a command goes through the replicated
 * log instead (cluster/ha.h, docs/FAILOVER.md): the answer "accepted"
 * (202) waits until every synchronous standby holds its record
 * (api_cmd_on_accepted()).
 */

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_cmd_int.h"
#include "cluster/ha.h"
#include "log.h"

/* The double of token t into *x; NULL, or why it is no value. */
static const char *
read_double(const struct json_doc *d, int t, double *x)
{
	char num[JSON_MAX_NUMBER + 1];

	if (d->tok[t].type != JSON_NUMBER)
		return "value: expected a number";
	snprintf(num, sizeof(num), "%.*s", (int)d->tok[t].len,
	    d->src + d->tok[t].start);
	*x = strtod(num, NULL);
	if (!isfinite(*x))	/* 1e999 */
		return "value: out of range";
	return NULL;
}

/* Token t as a value of `type` into *v (and *x for the range check);
 * NULL, or why it is not one. */
static const char *
read_value(const struct json_doc *d, int t, Hd__ValueType type, Hd__Value *v,
    double *x, char *sbuf, size_t ssize)
{
	const char	*why = NULL;
	int64_t		 i = 0;

	switch (type) {
	case HD__VALUE_TYPE__VT_BOOL:
		if (d->tok[t].type != JSON_TRUE && d->tok[t].type != JSON_FALSE)
			why = "value: expected true or false";
		v->v_case = HD__VALUE__V_B;
		v->b = d->tok[t].type == JSON_TRUE;
		return why;
	case HD__VALUE_TYPE__VT_INT:
		if (json_int(d, t, &i) == -1)
			why = "value: expected an integer";
		v->v_case = HD__VALUE__V_I;
		v->i = i;
		*x = (double)i;
		return why;
	case HD__VALUE_TYPE__VT_DOUBLE:
		why = read_double(d, t, x);
		v->v_case = HD__VALUE__V_D;
		v->d = *x;
		return why;
	case HD__VALUE_TYPE__VT_STRING:
		if (d->tok[t].type != JSON_STRING ||
		    json_str(d, t, sbuf, ssize) == -1)
			why = "value: expected a string of at most 255 bytes";
		v->v_case = HD__VALUE__V_S;
		v->s = sbuf;
		return why;
	default:
		return "this value's type cannot be set";
	}
}

/* The body's "value" as the value's type wants it; -1 after a 400. */
static int
parse_value(struct api_call *c, const Hd__ValueDesc *vd, Hd__Value *v,
    char *sbuf, size_t ssize)
{
	const char	*why;
	double		 x = 0;

	why = read_value(&c->doc, json_find(&c->doc, 0, "value"), vd->type, v,
	    &x, sbuf, ssize);
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

/* A sent command's record, waiting for its result. */
static struct cmdrec *
record(struct api_cmd *a, struct api_call *c, struct node *n,
    const Hd__Command *cmd)
{
	struct cmdrec *r;

	/* send_cmd() refused it with API_MAX_PENDING_CMDS waiting. */
	if ((r = api_cmd_take(a)) == NULL)
		fatalx("api: command %" PRIu64 ": every record waits",
		    cmd->id);
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

/* The log holds command id on every synchronous standby: its 202. */
void
api_cmd_on_accepted(void *arg, uint64_t id)
{
	struct api_cmd	*a = arg;
	struct cmdrec	*r;

	if ((r = api_cmd_find(a, id)) != NULL && r->later != NULL)
		api_cmd_answer(a, &r->later, r, accepted);
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

/* Send it (or log it), then record it; 1: the 202 waits for the log. */
static int
dispatch(struct api_call *c, struct node *n, Hd__Command *cmd)
{
	if (ha_logs_commands(c->ctx))
		return send_logged(c, n, cmd);
	if (cluster_command(c->ctx, n, cmd) == -1) {
		api_refuse(c, 503, "offline", "the slave link failed");
		return -1;
	}
	return 0;
}

static int
send_cmd(struct api_call *c, struct node *n, const Hd__Device *d,
    Hd__Value *v, int64_t pulse)
{
	struct api_cmd	*a = ((struct master *)c->ctx)->api_res->cmd;
	Hd__Command	 cmd = HD__COMMAND__INIT;
	struct cmdrec	*r;
	int		 wait;

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
	if ((wait = dispatch(c, n, &cmd)) == -1)
		return -1;
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

void
api_cmd_post(struct api_call *c)
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
