/*
 * The scheduler's API (docs/API.md#events-and-modes): the events with their next
 * and last firing, enable/disable/run one, reload the file, read and set
 * the modes. The handlers know only sched.h; the owner passes the clock
 * and is told when the schedule changed so it can re-arm its timer.
 * Events are filtered by api_sched_may_view(): what a caller may not see is
 * answered as if it did not exist, as the resource API does.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "log.h"
#include "sched/sched.h"

int
api_sched_may_view(const struct user *u, const struct sched_event *ev,
    const char *(*site_of)(void *, const char *), void *arg)
{
	const char	*site;
	int		 i;

	if (u == NULL || u->role == UROLE_ADMIN)
		return u != NULL;
	if (u->role != UROLE_USER && u->role != UROLE_VIEWER)
		return 0;
	for (i = 0; i < ev->nrefs; i++) {
		site = site_of != NULL ? site_of(arg, ev->refs[i].node) : NULL;
		if (!users_may(u, site != NULL ? site : "", ev->refs[i].dev,
		    ACCESS_VIEW))
			return 0;
	}
	return 1;
}

static int
visible(const struct api_call *c, const struct sched_event *ev)
{
	const struct sched_api *sa = c->ctx;

	return api_sched_may_view(c->user, ev, sa->site_of, sa->arg);
}

static int64_t
now_of(const struct api_call *c)
{
	const struct sched_api *sa = c->ctx;

	return sa->now(sa->arg);
}

static void
changed(const struct api_call *c)
{
	const struct sched_api *sa = c->ctx;

	if (sa->changed != NULL)
		sa->changed(sa->arg);
}

static void
time_or_null(struct jw *w, const char *key, int64_t t)
{
	jw_key(w, key);
	if (t > 0)
		jw_int(w, t);
	else
		jw_null(w);
}

/*
 * Each sun trigger's event on today's local date, or why there is none:
 * polar day, polar night, a white night (for a twilight), not one of
 * its days, no place configured (docs/API.md#events-and-modes).
 */
static void
write_sun_today(struct api_call *c, const struct sched_event *ev,
    int64_t now)
{
	const struct sched_place *pl = sched_ev_place(ev);
	const struct sched_trig	*tr;
	struct sched_zone_save	 zs;
	int64_t			 t = 0;
	int			 i, st, n = 0;

	for (i = 0; i < ev->ntrig; i++) {
		if ((tr = &ev->trig[i])->kind != T_SUN)
			continue;
		if (n++ == 0) {
			jw_key(&c->w, "sun");
			jw_open(&c->w, '[');
		}
		sched_zone_enter(pl->tz, &zs);
		st = sched_sun_today(tr, now, pl->lat, pl->lon, &t);
		sched_zone_leave(&zs);
		jw_open(&c->w, '{');
		jw_key(&c->w, "event");
		jw_str(&c->w, sched_sun_name(tr->sun));
		jw_key(&c->w, "offset_s");
		jw_int(&c->w, tr->offset_s);
		jw_key(&c->w, "today");
		jw_str(&c->w, sched_sun_status_name(tr->sun, st, pl->lat));
		if (st == SUN_EVENT) {
			jw_key(&c->w, "at_ms");
			jw_int(&c->w, t);
		}
		jw_close(&c->w, '}');
	}
	if (n > 0)
		jw_close(&c->w, ']');
}

/*
 * Where the event's times are computed (docs/SCHEDULER.md#sites): its
 * 'site' clause (null: none), whether that site has a place of its own
 * or uses the installation's, and its zone (null: the installation's).
 */
/*
 * The one site of the slaves the event names, as they said in their
 * Hello, or NULL (none known, or several). A slave never seen has none.
 */
static const char *
devices_site(const struct sched_api *sa, const struct sched_event *ev)
{
	const char	*site = NULL, *s;
	int		 i;

	if (sa->site_of == NULL)
		return NULL;
	for (i = 0; i < ev->nrefs; i++) {
		if ((s = sa->site_of(sa->arg, ev->refs[i].node)) == NULL)
			return NULL;
		if (site != NULL && strcmp(site, s) != 0)
			return NULL;
		site = s;
	}
	return site;
}

/* Is `site` one with a place of its own (a site-place line)? */
static int
has_place(const struct sched *s, const char *site)
{
	int i;

	for (i = 0; i < s->nsites; i++)
		if (strcmp(s->sites[i].site, site) == 0)
			return 1;
	return 0;
}

/*
 * "site_mismatch": the event's devices are all at one site that is not
 * its 'site' clause, while that clause or the devices' site has a place
 * of its own: its times are likely computed at the wrong place. A
 * forgotten 'site holiday' is the mistake this catches.
 */
static void
write_mismatch(struct api_call *c, const struct sched_event *ev)
{
	const struct sched_api	*sa = c->ctx;
	const char		*ds = devices_site(sa, ev);
	int			 bad;

	bad = ds != NULL && (ev->site == NULL ? has_place(sa->s, ds) :
	    strcmp(ev->site, ds) != 0);
	jw_key(&c->w, "site_mismatch");
	if (!bad) {
		jw_null(&c->w);
		return;
	}
	jw_str(&c->w, ds);
}

static void
write_place(struct api_call *c, const struct sched_event *ev)
{
	const struct sched_place *pl = sched_ev_place(ev);

	jw_key(&c->w, "site");
	if (ev->site != NULL)
		jw_str(&c->w, ev->site);
	else
		jw_null(&c->w);
	jw_key(&c->w, "place");
	jw_str(&c->w, pl->site[0] != '\0' ? "site" : "installation");
	jw_key(&c->w, "zone");
	if (pl->tz[0] != '\0')
		jw_str(&c->w, pl->tz);
	else
		jw_null(&c->w);
	write_mismatch(c, ev);
}

/*
 * Where the event may run (docs/SCHEDULER.md#local-rules): "local_node",
 * the one slave it can run on by itself, or null and "local_why".
 */
static void
write_local(struct api_call *c, const struct sched_event *ev)
{
	const struct sched_api	*sa = c->ctx;
	const char		*node;
	char			 why[160];

	jw_key(&c->w, "local_node");
	if ((node = sched_local_node(ev, why, sizeof(why))) != NULL) {
		jw_str(&c->w, node);
		jw_key(&c->w, "local_synced");
		jw_bool(&c->w, sa->local_synced != NULL &&
		    sa->local_synced(sa->arg, node) == 1);
		return;
	}
	jw_null(&c->w);
	jw_key(&c->w, "local_why");
	jw_str(&c->w, why);
}

/*
 * "runs": the event's recent firings, newest first, and where each ran:
 * "master", or its slave by its local rules while cut off ("local").
 */
static void
write_runs(struct api_call *c, const struct sched_event *ev)
{
	const struct sched_ran	*r;
	const char		*node;
	char			 why[160];
	int			 k, n = ev->nran < SCHED_RECENT_RUNS ? ev->nran :
				    SCHED_RECENT_RUNS;

	node = sched_local_node(ev, why, sizeof(why));
	jw_key(&c->w, "runs");
	jw_open(&c->w, '[');
	for (k = 0; k < n; k++) {
		r = &ev->ran[(ev->nran - 1 - k) % SCHED_RECENT_RUNS];
		jw_open(&c->w, '{');
		jw_key(&c->w, "at_ms");
		jw_int(&c->w, r->at);
		jw_key(&c->w, "due_ms");
		jw_int(&c->w, r->due);
		jw_key(&c->w, "on");
		jw_str(&c->w, !r->local ? "master" :
		    r->local == SCHED_RAN_UNREPL ? "old master" :
		    node != NULL ? node : "slave");
		jw_key(&c->w, "local");
		jw_bool(&c->w, r->local == 1);
		if (r->local == SCHED_RAN_UNREPL) {
			jw_key(&c->w, "unreplicated");
			jw_bool(&c->w, 1);
		}
		jw_close(&c->w, '}');
	}
	jw_close(&c->w, ']');
}

/* "missed": the instants the missed-event policy skipped, or null. */
static void
write_missed(struct api_call *c, const struct sched_event *ev)
{
	const struct sched_missed	*mi = &ev->missed;

	jw_key(&c->w, "missed");
	if (mi->count == 0) {
		jw_null(&c->w);
		return;
	}
	jw_open(&c->w, '{');
	jw_key(&c->w, "count");
	jw_int(&c->w, mi->count);
	jw_key(&c->w, "last_due_ms");
	jw_int(&c->w, mi->last_due);
	jw_key(&c->w, "at_ms");
	jw_int(&c->w, mi->at);
	jw_key(&c->w, "why");
	jw_str(&c->w, mi->why);
	jw_close(&c->w, '}');
}

/* "run": how a run from the API went (api_sched_run_answer). */
static void
write_run(struct api_call *c, const struct sched_run_out *o)
{
	jw_key(&c->w, "run");
	jw_open(&c->w, '{');
	jw_key(&c->w, "key");
	if (o->key[0] != '\0')
		jw_str(&c->w, o->key);
	else
		jw_null(&c->w);
	jw_key(&c->w, "repeat");
	jw_bool(&c->w, o->repeat);
	jw_key(&c->w, "fired_ms");
	jw_int(&c->w, o->fired_ms);
	jw_key(&c->w, "replicated");
	jw_bool(&c->w, o->replicated);
	jw_key(&c->w, "why");
	if (o->why != NULL)
		jw_str(&c->w, o->why);
	else
		jw_null(&c->w);
	jw_close(&c->w, '}');
}

static void
write_event(struct api_call *c, const struct sched_api *sa,
    const struct sched_event *ev, int64_t now, const struct sched_run_out *o)
{
	jw_open(&c->w, '{');
	jw_key(&c->w, "name");
	jw_str(&c->w, ev->name);
	jw_key(&c->w, "enabled");
	jw_bool(&c->w, ev->enabled);
	time_or_null(&c->w, "next_ms", ev->enabled ?
	    sched_event_next(sa->s, ev) : -1);
	time_or_null(&c->w, "last_fired_ms", ev->last_fired);
	jw_key(&c->w, "last_result");
	jw_str(&c->w, ev->last_result);
	jw_key(&c->w, "pending");
	jw_int(&c->w, ev->npending);
	jw_key(&c->w, "file");
	jw_str(&c->w, ev->file);
	jw_key(&c->w, "line");
	jw_int(&c->w, ev->line);
	write_place(c, ev);
	write_local(c, ev);
	write_runs(c, ev);
	write_missed(c, ev);
	write_sun_today(c, ev, now);
	if (o != NULL)
		write_run(c, o);
	jw_close(&c->w, '}');
}

/*
 * GET /api/v1/events[?from=N]: a page of SCHED_API_PAGE of the events the
 * caller may see; `from`, `next` and `total` count those only, so the
 * answer says nothing of how many others there are.
 */
static void
list_events(struct api_call *c)
{
	const struct sched_api	*sa = c->ctx;
	const struct sched_prog	*g = sched_program(sa->s);
	struct jw		 before;
	int64_t			 now = now_of(c);	/* one "today" for
							 * the whole page */
	char			 q[16], *end;
	long			 from = 0;
	int			 i, k, n = 0, pending = 0, nev = g ? g->nev : 0;

	/* The waiting actions too are counted over the visible events only:
	 * the installation's total would hint at the hidden ones. */
	for (i = 0; i < nev; i++)
		if (visible(c, &g->ev[i])) {
			n++;
			pending += g->ev[i].npending;
		}
	if (api_query(c, "from", q, sizeof(q)) != -1) {
		from = strtol(q, &end, 10);
		if (q[0] < '0' || q[0] > '9' || *end != '\0' || from < 0 ||
		    from > n) {
			api_refuse(c, 400, "bad_request", "from: an event "
			    "index");
			return;
		}
	}
	jw_open(&c->w, '{');
	jw_key(&c->w, "schedule");
	jw_str(&c->w, sched_source(sa->s));
	jw_key(&c->w, "total");
	jw_int(&c->w, n);
	jw_key(&c->w, "pending");
	jw_int(&c->w, pending);
	jw_key(&c->w, "events");
	jw_open(&c->w, '[');
	for (i = k = 0; i < nev && k < from + SCHED_API_PAGE; i++) {
		if (!visible(c, &g->ev[i]) || k++ < from)
			continue;
		/* Events with many sun triggers or long paths: a page ends
		 * early rather than pass API_MAX_RESPONSE (one event always
		 * fits: a path, 16 triggers and a result are under 30 KiB). */
		before = c->w;
		write_event(c, sa, &g->ev[i], now, NULL);
		if (k - 1 > from && !api_list_fits(c, &before)) {
			k--;
			break;
		}
	}
	jw_close(&c->w, ']');
	jw_key(&c->w, "next");
	if (k < n)
		jw_int(&c->w, k);
	else
		jw_null(&c->w);
	jw_close(&c->w, '}');
	api_reply(c, 200);
}

static const struct sched_event *
named_event(struct api_call *c)
{
	const struct sched_api		*sa = c->ctx;
	const struct sched_prog		*g = sched_program(sa->s);
	const struct sched_event	*ev;

	if (g == NULL || (ev = sched_prog_find(g, c->arg[0])) == NULL ||
	    !visible(c, ev)) {
		api_refuse(c, 404, "not_found", "no such event");
		return NULL;
	}
	return ev;
}

static void
answer_event(struct api_call *c, const struct sched_event *ev)
{
	write_event(c, c->ctx, ev, now_of(c), NULL);
	api_reply(c, 200);
}

void
api_sched_run_answer(struct api_call *c, struct sched_api *sa,
    const char *event, const struct sched_run_out *o)
{
	const struct sched_prog		*g = sched_program(sa->s);
	const struct sched_event	*ev;

	c->ctx = sa;		/* a deferred call's is not set */
	if (g == NULL || (ev = sched_prog_find(g, event)) == NULL) {
		api_refuse(c, 404, "not_found", "the event went (a reload) "
		    "before its run could be answered");
		return;
	}
	write_event(c, sa, ev, sa->now(sa->arg), o);
	api_reply(c, 200);
}

/* A client's key of a run: 1..SCHED_RUN_KEY_MAX of [A-Za-z0-9._:-]. */
static int
run_key_ok(const char *k)
{
	size_t	n = strlen(k);

	if (n == 0 || n > SCHED_RUN_KEY_MAX)
		return 0;
	return strspn(k, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._:-") == n;
}

/* GET /api/v1/events/NAME: one event, if the caller may see it. */
static void
get_event(struct api_call *c)
{
	const struct sched_event *ev;

	if ((ev = named_event(c)) != NULL)
		answer_event(c, ev);
}

static void
enable_common(struct api_call *c, int on)
{
	const struct sched_api		*sa = c->ctx;
	const struct sched_event	*ev;

	if ((ev = named_event(c)) == NULL)
		return;
	log_info("api: %s %s event %s", c->user ? c->user->name : "?",
	    on ? "enables" : "disables", ev->name);
	sched_enable(sa->s, ev->name, on, now_of(c));
	changed(c);
	answer_event(c, ev);
}

static void
enable(struct api_call *c)
{
	enable_common(c, 1);
}

static void
disable(struct api_call *c)
{
	enable_common(c, 0);
}

static void
run(struct api_call *c)
{
	static const char *const	 fields[] = { "key", NULL };
	const struct sched_api		*sa = c->ctx;
	const struct sched_event	*ev;
	struct sched_run_out		 o;
	char				 key[SCHED_RUN_KEY_MAX + 2];

	if ((ev = named_event(c)) == NULL || api_body(c, fields) == -1)
		return;
	key[0] = '\0';
	if (json_find(&c->doc, 0, "key") != -1 && (json_get_str(&c->doc, 0,
	    "key", 1, key, sizeof(key)) == -1 || !run_key_ok(key))) {
		api_refuse(c, 400, "bad_request", "key: 1 to 64 of "
		    "A-Z a-z 0-9 . _ : -");
		return;
	}
	if (sa->run != NULL) {		/* fires, answers now or later */
		sa->run(sa->arg, c, ev->name, key);
		changed(c);
		return;
	}
	log_info("api: %s runs event %s", c->user ? c->user->name : "?",
	    ev->name);
	sched_fire(sa->s, ev->name, now_of(c));
	changed(c);
	memset(&o, 0, sizeof(o));
	snprintf(o.key, sizeof(o.key), "%.*s", SCHED_RUN_KEY_MAX, key);
	o.fired_ms = ev->last_fired;
	o.why = "no standby: the record is this master's only";
	write_event(c, sa, ev, now_of(c), &o);
	api_reply(c, 200);
}

/* POST /api/v1/events/reload: 200, or 422 with the file's errors. */
static void
reload(struct api_call *c)
{
	const struct sched_api	*sa = c->ctx;
	struct sched_errs	*e;
	char			*line, *save;

	if ((e = malloc(sizeof(*e))) == NULL) {
		api_refuse(c, 500, "internal", "out of memory");
		return;
	}
	log_info("api: %s reloads %s", c->user ? c->user->name : "?",
	    sa->path);
	if (sched_load(sa->s, sa->path, now_of(c), e) == 0) {
		changed(c);
		jw_open(&c->w, '{');
		jw_key(&c->w, "events");
		jw_int(&c->w, sched_program(sa->s)->nev);
		jw_close(&c->w, '}');
		api_reply(c, 200);
		free(e);
		return;
	}
	log_warnx("api: reload of %s refused, the old schedule keeps "
	    "running", sa->path);
	jw_open(&c->w, '{');
	jw_key(&c->w, "error");
	jw_str(&c->w, "invalid");
	jw_key(&c->w, "reason");
	jw_str(&c->w, "the events file has errors; the old schedule keeps "
	    "running");
	jw_key(&c->w, "errors");
	jw_open(&c->w, '[');
	for (line = strtok_r(e->buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		log_warnx("api: reload: %s", line);
		jw_str(&c->w, line);
	}
	jw_close(&c->w, ']');
	jw_close(&c->w, '}');
	api_reply(c, 422);
	free(e);
}

/*
 * "counters":[{"name":..,"value":N}], "timestamps":[{"name":..,
 * "at_ms":T or null}] after the modes: state like them, shown alike.
 */
static void
list_vars(struct api_call *c, const struct sched_prog *g)
{
	int k, i;

	for (k = V_COUNTER; k <= V_STAMP; k++) {
		jw_key(&c->w, k == V_COUNTER ? "counters" : "timestamps");
		jw_open(&c->w, '[');
		for (i = 0; g != NULL && i < g->nvars; i++) {
			if (g->vars[i].kind != (enum var_kind)k)
				continue;
			jw_open(&c->w, '{');
			jw_key(&c->w, "name");
			jw_str(&c->w, g->vars[i].name);
			jw_key(&c->w, k == V_COUNTER ? "value" : "at_ms");
			if (k == V_STAMP && !g->vars[i].set)
				jw_null(&c->w);
			else
				jw_int(&c->w, g->vars[i].val);
			jw_close(&c->w, '}');
		}
		jw_close(&c->w, ']');
	}
}

static void
list_modes(struct api_call *c)
{
	const struct sched_api	*sa = c->ctx;
	const struct sched_prog	*g = sched_program(sa->s);
	int			 i, j;

	jw_open(&c->w, '{');
	jw_key(&c->w, "modes");
	jw_open(&c->w, '[');
	for (i = 0; g != NULL && i < g->nmodes; i++) {
		jw_open(&c->w, '{');
		jw_key(&c->w, "name");
		jw_str(&c->w, g->modes[i].name);
		jw_key(&c->w, "value");
		jw_str(&c->w, g->modes[i].vals[g->modes[i].cur]);
		jw_key(&c->w, "values");
		jw_open(&c->w, '[');
		for (j = 0; j < g->modes[i].nvals; j++)
			jw_str(&c->w, g->modes[i].vals[j]);
		jw_close(&c->w, ']');
		jw_close(&c->w, '}');
	}
	jw_close(&c->w, ']');
	list_vars(c, g);
	jw_close(&c->w, '}');
	api_reply(c, 200);
}

/* PUT /api/v1/modes {"mode":"house","value":"away"} */
static void
set_mode(struct api_call *c)
{
	static const char *const fields[] = { "mode", "value", NULL };
	const struct sched_api	*sa = c->ctx;
	char			 mode[SCHED_NAME_MAX + 1];
	char			 value[SCHED_NAME_MAX + 1];

	if (api_body(c, fields) == -1)
		return;
	if (json_get_str(&c->doc, 0, "mode", 1, mode, sizeof(mode)) == -1 ||
	    json_get_str(&c->doc, 0, "value", 1, value, sizeof(value)) ==
	    -1) {
		api_refuse(c, 400, "bad_request", c->doc.err);
		return;
	}
	if (sched_set_mode(sa->s, mode, value, now_of(c)) == -1) {
		api_refuse(c, 404, "not_found", "no such mode or value");
		return;
	}
	changed(c);
	list_modes(c);
}

static const struct api_route routes[] = {
	{ "GET", "/api/v1/events", API_VIEWER, list_events },
	{ "POST", "/api/v1/events/reload", API_ADMIN, reload },
	{ "GET", "/api/v1/events/*", API_VIEWER, get_event },
	{ "POST", "/api/v1/events/*/enable", API_ADMIN, enable },
	{ "POST", "/api/v1/events/*/disable", API_ADMIN, disable },
	{ "POST", "/api/v1/events/*/run", API_ADMIN, run },
	{ "GET", "/api/v1/modes", API_VIEWER, list_modes },
	{ "PUT", "/api/v1/modes", API_USER, set_mode },
};

int
api_sched_routes(struct api *a, struct sched_api *sa)
{
	return api_add_routes(a, routes, sizeof(routes) / sizeof(routes[0]),
	    sa);
}
