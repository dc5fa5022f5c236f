/*
 * Value history (docs/API.md): one ring of HISTORY_MINUTES one-minute
 * points per numeric value, allocated on its first reading, at most
 * HISTORY_MAX_VALUES rings. A point keeps min, max, sum and count, so a
 * reading costs a few float operations and no allocation.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_hist.h"
#include "ev.h"
#include "log.h"

struct api_hist *
api_hist_new(struct master *m)
{
	struct api_hist *h;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	TAILQ_INIT(&h->rings);
	h->m = m;
	ev_timer_init(&h->timer, api_hist_on_timer, h);
	if (m->conf.state_dir != NULL) {
		snprintf(h->path, sizeof(h->path), "%s/%s", m->conf.state_dir,
		    HISTORY_FILE);
		api_hist_load(h, ev_wall_ms());
	}
	return h;
}

void
api_hist_free(struct api_hist *h)
{
	struct hring *r;

	if (h == NULL)
		return;
	/* A clean stop saves what came since the last save. */
	if (h->dirty)
		api_hist_save(h, ev_wall_ms());
	if (h->m->loop != NULL)
		ev_timer_stop(h->m->loop, &h->timer);
	while ((r = TAILQ_FIRST(&h->rings)) != NULL) {
		TAILQ_REMOVE(&h->rings, r, entry);
		free(r);
	}
	free(h);
}

struct hring *
api_hist_ring(struct api_hist *h, const char *node, const char *dev,
    const char *key, int create)
{
	struct hring *r;

	TAILQ_FOREACH(r, &h->rings, entry)
		if (strcmp(r->key, key) == 0 && strcmp(r->device, dev) == 0 &&
		    strcmp(r->node, node) == 0)
			return r;
	if (!create)
		return NULL;
	if (h->nrings >= HISTORY_MAX_VALUES) {
		if (!h->full_logged++)
			log_warnx("history: HISTORY_MAX_VALUES (%d) values "
			    "kept; no history for more", HISTORY_MAX_VALUES);
		return NULL;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	snprintf(r->node, sizeof(r->node), "%s", node);
	snprintf(r->device, sizeof(r->device), "%s", dev);
	snprintf(r->key, sizeof(r->key), "%s", key);
	TAILQ_INSERT_TAIL(&h->rings, r, entry);
	h->nrings++;
	return r;
}

void
api_hist_add(struct api_hist *h, const char *node, const char *dev,
    const char *key, const Hd__Value *v, uint64_t wall_ms)
{
	struct hring	*r;
	struct hpoint	*p;
	uint32_t	 minute = (uint32_t)(wall_ms / 60000);
	float		 x;

	if (v == NULL)
		return;
	switch (v->v_case) {
	case HD__VALUE__V_B:
		x = v->b ? 1 : 0;
		break;
	case HD__VALUE__V_I:
		x = (float)v->i;
		break;
	case HD__VALUE__V_D:
		if (!isfinite(v->d))
			return;
		x = (float)v->d;
		break;
	default:
		return;		/* strings have no history */
	}
	if ((r = api_hist_ring(h, node, dev, key, 1)) == NULL)
		return;
	if (!h->dirty && h->path[0] != '\0' && h->m->loop != NULL) {
		h->dirty = 1;
		ev_timer_start(h->m->loop, &h->timer, HISTORY_SAVE_MS);
	}
	p = &r->pt[minute % HISTORY_MINUTES];
	if (!hpoint_is(p, minute)) {
		memset(p, 0, sizeof(*p));
		p->lap = hpoint_lap(minute);
		p->min = p->max = x;
	}
	if (p->n == UINT16_MAX)
		return;		/* 65535 readings in a minute: enough */
	p->min = fminf(p->min, x);
	p->max = fmaxf(p->max, x);
	p->sum += x;
	p->n++;
}

void
api_hist_forget_node(struct api_hist *h, const char *node)
{
	struct hring *r, *next;

	for (r = TAILQ_FIRST(&h->rings); r != NULL; r = next) {
		next = TAILQ_NEXT(r, entry);
		if (strcmp(r->node, node) == 0) {
			TAILQ_REMOVE(&h->rings, r, entry);
			h->nrings--;
			free(r);
		}
	}
}

/* Merge `step` minutes from `first` into one point; 0 if all empty. */
static int
merge(const struct hring *r, uint32_t first, int step, struct hpoint *out)
{
	const struct hpoint	*p;
	int			 i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < step; i++) {
		p = &r->pt[(first + (uint32_t)i) % HISTORY_MINUTES];
		if (!hpoint_is(p, first + (uint32_t)i))
			continue;
		out->min = out->n ? fminf(out->min, p->min) : p->min;
		out->max = out->n ? fmaxf(out->max, p->max) : p->max;
		out->sum += p->sum;
		out->n += p->n;
	}
	return out->n > 0;
}

/* Points are kept as floats: print what a float holds, not its binary
 * tail (21.275, not 21.274999618530273). */
static double
fl(double x)
{
	char num[32];

	snprintf(num, sizeof(num), "%.7g", x);
	return strtod(num, NULL);
}

static void
write_points(struct jw *w, const struct hring *r, uint32_t now_min,
    int minutes, int step)
{
	struct hpoint	pt;
	uint32_t	first = now_min - (uint32_t)minutes + 1, t;

	/* Align day points on multiples of the step, like a clock. */
	first -= first % (uint32_t)step;
	jw_open(w, '[');
	for (t = first; r != NULL && t <= now_min; t += (uint32_t)step) {
		if (!merge(r, t, step, &pt))
			continue;
		jw_open(w, '{');
		jw_key(w, "t_ms");
		jw_uint(w, (uint64_t)t * 60000);
		jw_key(w, "min");
		jw_double(w, fl(pt.min));
		jw_key(w, "max");
		jw_double(w, fl(pt.max));
		jw_key(w, "avg");
		jw_double(w, fl((double)pt.sum / pt.n));
		jw_key(w, "n");
		jw_uint(w, pt.n);
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

static void
history(struct api_call *c)
{
	struct master		*m = c->ctx;
	struct node		*n;
	const Hd__Device	*d;
	const Hd__ValueDesc	*vd;
	char			 range[8] = "hour";
	int			 day;

	if ((d = api_res_visible(c, &n)) == NULL)
		return;
	if ((vd = api_res_desc(d, c->arg[2])) == NULL) {
		api_refuse(c, 404, "not_found", "no such value");
		return;
	}
	if ((api_query(c, "range", range, sizeof(range)) == -1 &&
	    c->req->query != NULL && strstr(c->req->query, "range") != NULL) ||
	    (strcmp(range, "hour") != 0 && strcmp(range, "day") != 0)) {
		api_refuse(c, 400, "bad_request", "range: hour or day");
		return;
	}
	if (vd->type == HD__VALUE_TYPE__VT_STRING) {
		api_refuse(c, 400, "bad_request", "a string value has no "
		    "history");
		return;
	}
	day = strcmp(range, "day") == 0;
	jw_open(&c->w, '{');
	jw_key(&c->w, "node");
	jw_str(&c->w, n->id);
	jw_key(&c->w, "device");
	jw_str(&c->w, d->id);
	jw_key(&c->w, "key");
	jw_str(&c->w, vd->key);
	jw_key(&c->w, "unit");
	jw_str(&c->w, vd->unit);
	jw_key(&c->w, "range");
	jw_str(&c->w, range);
	jw_key(&c->w, "step_s");
	jw_int(&c->w, day ? HISTORY_DAY_STEP * 60 : 60);
	jw_key(&c->w, "points");
	write_points(&c->w, api_hist_ring(m->api_res->hist, n->id, d->id,
	    vd->key, 0), (uint32_t)(ev_wall_ms() / 60000),
	    day ? HISTORY_MINUTES : 60, day ? HISTORY_DAY_STEP : 1);
	jw_close(&c->w, '}');
	api_reply(c, 200);
}

static const struct api_route hist_routes[] = {
	{ "GET", "/api/v1/history/*/*/*", API_VIEWER, history },
};

int
api_hist_routes(struct master *m, struct api_hist *h)
{
	(void)h;
	return api_add_routes(m->api, hist_routes, 1, m);
}
