/*
 * Commands to devices through the API (docs/API.md), remembered in a
 * bounded ring so that GET /api/v1/commands/{id} and the stream can tell
 * how they ended. The command's checks and its sending are
 * api_cmd_post.c; the replicated log's side (an election) is
 * api_cmd_log.c.
 *
 * A command to a sleeping Z-Wave node is answered QUEUED by the slave:
 * not final, the record shows "queued" and waits for the node's wake-up
 * (the slave's hold time plus the grace), then the final result ends it.
 * A record still waiting (pending or queued) is never reused for a new
 * command, so its result cannot be lost to the ring.
 *
 * A record the log settled `cancelled` or `expired` stays so: a slave's
 * result after it does not replace it, as the log keeps the first
 * settlement (docs/FAILOVER.md).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_cmd_int.h"
#include "api/api_stream.h"
#include "ev.h"
#include "memtune.h"

/* A waiting record always leaves the ring a free slot (api_cmd_take()). */
_Static_assert(API_MAX_PENDING_CMDS < API_CMD_KEEP,
    "more commands in flight than records");

/* Still waiting for its result: counted in npending. */
int
api_cmd_waiting(const struct cmdrec *r)
{
	return r->state == CMD_PENDING || r->state == CMD_QUEUED;
}

uint64_t
api_cmd_mono(const struct api_cmd *a)
{
	return a->m->loop != NULL ? ev_now(a->m->loop) : ev_clock_ms();
}

static void
sweep_cb(struct ev_timer *t)
{
	struct api_cmd *a = t->arg;

	api_cmd_sweep(a, api_cmd_mono(a));
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

void
api_cmd_write(struct jw *w, const struct cmdrec *r)
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
	api_cmd_write(&w, r);
	if (jw_end(&w) > 0)
		api_stream_publish(a->m, "command", r->site, r->device, buf);
}

/* The command ended (or ended again: a late result wins): publish it. */
void
api_cmd_finish(struct api_cmd *a, struct cmdrec *r, enum cmd_state st,
    const char *result, const char *detail)
{
	if (api_cmd_waiting(r))
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
		if (!api_cmd_waiting(&a->rec[i]))
			continue;
		if (now >= a->rec[i].deadline)
			api_cmd_finish(a, &a->rec[i], CMD_FAILED, "no_answer",
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
		api_cmd_sweep(a, api_cmd_mono(a));
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
			api_cmd_finish(a, &a->rec[i], CMD_FAILED, "offline",
			    "the slave went offline before answering");
}

struct cmdrec *
api_cmd_find(struct api_cmd *a, uint64_t id)
{
	int i;

	for (i = 0; i < API_CMD_KEEP; i++)
		if (a->rec[i].state != CMD_FREE && a->rec[i].id == id)
			return &a->rec[i];
	return NULL;
}

/*
 * The oldest record that is not waiting, emptied for a new command (its
 * state CMD_FREE), or NULL when every record waits. A command of the API
 * always finds one: fewer than API_CMD_KEEP commands may wait at once.
 */
struct cmdrec *
api_cmd_take(struct api_cmd *a)
{
	struct cmdrec	*r;
	int		 i;

	for (i = 0; i < API_CMD_KEEP && api_cmd_waiting(&a->rec[a->next]);
	    i++)
		a->next = (a->next + 1) % API_CMD_KEEP;
	if (i == API_CMD_KEEP)
		return NULL;
	r = &a->rec[a->next];
	a->next = (a->next + 1) % API_CMD_KEEP;
	free(r->later);
	free(r->cancel);
	memset(r, 0, sizeof(*r));
	return r;
}

/* Give the answer that waited in *l (a 202, a cancel's): resume its
 * call, write(c, r) into it, send it, and free the wait. */
void
api_cmd_answer(struct api_cmd *a, struct api_later **l, const struct cmdrec *r,
    void (*write)(struct api_call *, const struct cmdrec *))
{
	struct api_call	c;
	Hd__ApiResponse	resp;

	api_resume(a->m->api, *l, &c, &resp, api_cmd_mono(a));
	write(&c, r);
	api_finish(&c);
	free(*l);
	*l = NULL;
}

/* A result's value (NULL: none) into the record, a string's bytes too. */
void
api_cmd_keep_value(struct cmdrec *r, const Hd__Value *v)
{
	memset(&r->value, 0, sizeof(r->value));
	if (v == NULL || v->v_case == HD__VALUE__V__NOT_SET)
		return;
	r->value = *v;
	if (v->v_case == HD__VALUE__V_S) {
		snprintf(r->sval, sizeof(r->sval), "%s", v->s);
		r->value.s = r->sval;
	}
}

void
api_cmd_result(struct api_cmd *a, struct node *n, const Hd__CommandResult *res)
{
	struct cmdrec	*r;
	char		 name[24];

	/* Only the slave the command went to may answer it; one the log
	 * settled without it stays settled (the first settlement wins). */
	if ((r = api_cmd_find(a, res->id)) == NULL ||
	    strcmp(r->node, n->id) != 0 ||
	    r->state == CMD_CANCELLED || r->state == CMD_EXPIRED ||
	    res->status == HD__COMMAND_RESULT__STATUS__CANCELLED ||
	    res->status == HD__COMMAND_RESULT__STATUS__EXPIRED)
		return;
	if (res->status == HD__COMMAND_RESULT__STATUS__QUEUED) {
		/* Not final: only a command still waiting can be queued. */
		if (api_cmd_waiting(r))
			queue(a, r, res->detail);
		return;
	}
	api_cmd_keep_value(r, res->value);
	api_cmd_finish(a, r, res->status == HD__COMMAND_RESULT__STATUS__OK ?
	    CMD_OK : CMD_FAILED, api_res_enum(
	    &hd__command_result__status__descriptor, (int)res->status, name,
	    sizeof(name)), res->detail);
}

static void
get_command(struct api_call *c)
{
	struct master	*m = c->ctx;
	struct cmdrec	*r;
	char		*end;
	uint64_t	 id;

	id = strtoull(c->arg[0], &end, 10);
	if (*end != '\0' || (r = api_cmd_find(m->api_res->cmd, id)) == NULL ||
	    !users_may(c->user, r->site, r->device, ACCESS_VIEW)) {
		api_refuse(c, 404, "not_found", "no such command");
		return;
	}
	api_cmd_write(&c->w, r);
	api_reply(c, 200);
}

static const struct api_route cmd_routes[] = {
	{ "POST", "/api/v1/devices/*/*/values/*", API_USER, api_cmd_post },
	{ "GET", "/api/v1/commands/*", API_VIEWER, get_command },
	{ "DELETE", "/api/v1/commands/*", API_ADMIN, api_cmd_cancel },
};

int
api_cmd_routes(struct master *m, struct api_cmd *a)
{
	(void)a;
	return api_add_routes(m->api, cmd_routes,
	    (int)(sizeof(cmd_routes) / sizeof(cmd_routes[0])), m);
}
