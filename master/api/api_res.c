/*
 * The resource API's read side (docs/API.md): sites, nodes, devices and
 * their values, each list filtered by the caller's grants. A device the
 * caller may not view is never listed and answers 404 like an unknown one.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_res.h"
#include "api/api_stream.h"
#include "ev.h"
#include "log.h"


const Hd__Device *
api_res_device(const struct node *n, const char *id)
{
	size_t i;

	for (i = 0; n->devices != NULL && i < n->devices->n_devices; i++)
		if (strcmp(n->devices->devices[i]->id, id) == 0)
			return n->devices->devices[i];
	return NULL;
}

const Hd__ValueDesc *
api_res_desc(const Hd__Device *d, const char *key)
{
	size_t i;

	for (i = 0; i < d->n_values; i++)
		if (strcmp(d->values[i]->key, key) == 0)
			return d->values[i];
	return NULL;
}

const char *
api_res_enum(const ProtobufCEnumDescriptor *d, int v, char *buf, size_t size)
{
	const ProtobufCEnumValue	*ev;
	const char			*n, *u;
	size_t				 i;

	if ((ev = protobuf_c_enum_descriptor_get_value(d, v)) == NULL)
		return "unknown";
	n = ev->name;
	/* DEV_SWITCH, SEC_S0, VT_BOOL: the prefix is up to the first '_'
	 * (CommandResult statuses have none). */
	if (d == &hd__device_kind__descriptor ||
	    d == &hd__security__descriptor || d == &hd__value_type__descriptor ||
	    d == &hd__capability__descriptor)
		n = (u = strchr(n, '_')) != NULL ? u + 1 : n;
	for (i = 0; n[i] != '\0' && i + 1 < size; i++)
		buf[i] = (char)tolower((unsigned char)n[i]);
	buf[i] = '\0';
	return buf;
}

void
api_res_jw_value(struct jw *w, const Hd__Value *v)
{
	switch (v == NULL ? HD__VALUE__V__NOT_SET : v->v_case) {
	case HD__VALUE__V_B:
		jw_bool(w, v->b);
		break;
	case HD__VALUE__V_I:
		jw_int(w, v->i);
		break;
	case HD__VALUE__V_D:
		jw_double(w, v->d);
		break;
	case HD__VALUE__V_S:
		jw_str(w, v->s);
		break;
	default:
		jw_null(w);
	}
}

static int
may_view_dev(const struct api_call *c, const struct node *n, const char *dev)
{
	return users_may(c->user, n->site, dev, ACCESS_VIEW);
}

static int
may_view_site(const struct api_call *c, const char *site)
{
	return users_may(c->user, site, NULL, ACCESS_VIEW);
}

static int
visible_devices(const struct api_call *c, const struct node *n)
{
	size_t	i;
	int	k = 0;

	for (i = 0; n->devices != NULL && i < n->devices->n_devices; i++)
		k += may_view_dev(c, n, n->devices->devices[i]->id);
	return k;
}

static void
write_desc_value(struct api_call *c, const Hd__ValueDesc *vd,
    const struct value *v)
{
	char b[32];

	jw_open(&c->w, '{');
	jw_key(&c->w, "key");
	jw_str(&c->w, vd->key);
	jw_key(&c->w, "type");
	jw_str(&c->w, api_res_enum(&hd__value_type__descriptor, (int)vd->type, b,
	    sizeof(b)));
	jw_key(&c->w, "unit");
	jw_str(&c->w, vd->unit);
	jw_key(&c->w, "writable");
	jw_bool(&c->w, vd->writable);
	jw_key(&c->w, "min");
	jw_double(&c->w, vd->min);
	jw_key(&c->w, "max");
	jw_double(&c->w, vd->max);
	jw_key(&c->w, "value");
	api_res_jw_value(&c->w, v != NULL ? v->v : NULL);
	jw_key(&c->w, "time_ms");
	jw_uint(&c->w, v != NULL ? v->time_ms : 0);
	jw_key(&c->w, "stale");
	jw_bool(&c->w, v != NULL && v->stale);
	jw_key(&c->w, "fault");
	jw_bool(&c->w, v != NULL && v->fault);
	jw_key(&c->w, "low_battery");
	jw_bool(&c->w, v != NULL && v->low_battery);
	jw_close(&c->w, '}');
}

static void
kv(struct jw *w, const char *k, const char *v)
{
	jw_key(w, k);
	jw_str(w, v);
}

/*
 * The last values of a device, in the order of its descriptions, from
 * one pass over the node's values (a list of many devices would
 * otherwise scan them once per value).
 */
static void
device_values(const struct node *n, const Hd__Device *d,
    const struct value **vals)
{
	const struct value	*v;
	size_t			 i;

	memset(vals, 0, CLUSTER_MAX_DEV_VALUES * sizeof(*vals));
	TAILQ_FOREACH(v, &n->values, entry) {
		if (strcmp(v->device_id, d->id) != 0)
			continue;
		for (i = 0; i < d->n_values && i < CLUSTER_MAX_DEV_VALUES; i++)
			if (strcmp(d->values[i]->key, v->key) == 0)
				vals[i] = v;
	}
}

static void
write_device(struct api_call *c, const struct node *n, const Hd__Device *d)
{
	const struct value	*vals[CLUSTER_MAX_DEV_VALUES];
	char			 b[32];
	size_t			 i;

	jw_open(&c->w, '{');
	kv(&c->w, "node", n->id);
	kv(&c->w, "site", n->site);
	kv(&c->w, "id", d->id);
	kv(&c->w, "name", d->name);
	kv(&c->w, "room", d->room);
	kv(&c->w, "kind", api_res_enum(&hd__device_kind__descriptor, (int)d->kind,
	    b, sizeof(b)));
	kv(&c->w, "security", api_res_enum(&hd__security__descriptor,
	    (int)d->security, b, sizeof(b)));
	kv(&c->w, "manufacturer", d->manufacturer);
	kv(&c->w, "model", d->model);
	jw_key(&c->w, "interview_pct");
	jw_uint(&c->w, d->interview_pct);
	jw_key(&c->w, "online");
	jw_bool(&c->w, n->peer != NULL);
	jw_key(&c->w, "control");
	jw_bool(&c->w, users_may(c->user, n->site, d->id, ACCESS_CONTROL));
	jw_key(&c->w, "values");
	jw_open(&c->w, '[');
	device_values(n, d, vals);
	for (i = 0; i < d->n_values && i < CLUSTER_MAX_DEV_VALUES; i++)
		write_desc_value(c, d->values[i], vals[i]);
	jw_close(&c->w, ']');
	jw_close(&c->w, '}');
}

/* Append a device to a list if the answer still closes; else 0. */
static int
write_listed(struct api_call *c, const struct node *n, const Hd__Device *d)
{
	struct jw before = c->w;

	write_device(c, n, d);
	return api_list_fits(c, &before);
}

/*
 * Every visible device, in node order, from ?offset= on. An answer that
 * would pass API_MAX_RESPONSE stops early and says where to go on
 * ("next"); "next" is null when the list is complete.
 */
static void
devices_list(struct api_call *c)
{
	struct master	*m = c->ctx;
	struct node	*n;
	char		 site[SITE_NAME_MAX + 1], node[NODE_ID_MAX + 1];
	int		 fs, fn;
	long		 off, k = 0, next = -1, written = 0;
	size_t		 i;

	if ((off = api_offset(c)) == -1)
		return;
	fs = api_query(c, "site", site, sizeof(site)) == 0;
	fn = api_query(c, "node", node, sizeof(node)) == 0;
	jw_open(&c->w, '{');
	jw_key(&c->w, "devices");
	jw_open(&c->w, '[');
	TAILQ_FOREACH(n, &m->nodes, entry) {
		if ((fs && strcmp(site, n->site) != 0) ||
		    (fn && strcmp(node, n->id) != 0))
			continue;
		for (i = 0; n->devices != NULL && i < n->devices->n_devices &&
		    next == -1; i++) {
			if (!may_view_dev(c, n, n->devices->devices[i]->id) ||
			    k++ < off)
				continue;
			if (write_listed(c, n, n->devices->devices[i]))
				written++;
			else if (written > 0)
				next = k - 1;
			else	/* alone too big: never fits, do not loop */
				log_warnx("api: device %s of %s skipped: its "
				    "JSON passes API_MAX_RESPONSE",
				    n->devices->devices[i]->id, n->id);
		}
	}
	api_list_end(c, next);
	api_reply(c, 200);
}

const Hd__Device *
api_res_visible(struct api_call *c, struct node **np)
{
	struct master		*m = c->ctx;
	struct node		*n;
	const Hd__Device	*d = NULL;

	if ((n = node_get(m, c->arg[0], 0)) != NULL &&
	    (d = api_res_device(n, c->arg[1])) != NULL &&
	    may_view_dev(c, n, d->id)) {
		*np = n;
		return d;
	}
	api_refuse(c, 404, "not_found", "no such device");
	return NULL;
}

static void
device_one(struct api_call *c)
{
	struct node		*n;
	const Hd__Device	*d;

	if ((d = api_res_visible(c, &n)) == NULL)
		return;
	write_device(c, n, d);
	api_reply(c, 200);
}

/* "capabilities":["zwave","adc",...], from the node's last Hello. */
static void
write_caps(struct api_call *c, uint32_t caps)
{
	char	b[32];
	int	i;

	jw_key(&c->w, "capabilities");
	jw_open(&c->w, '[');
	for (i = 1; i < 32; i++)
		if ((caps & (1u << i)) && protobuf_c_enum_descriptor_get_value(
		    &hd__capability__descriptor, i) != NULL)
			jw_str(&c->w, api_res_enum(&hd__capability__descriptor, i,
			    b, sizeof(b)));
	jw_close(&c->w, ']');
}

static void
write_node(struct api_call *c, const struct node *n)
{
	jw_open(&c->w, '{');
	kv(&c->w, "id", n->id);
	kv(&c->w, "site", n->site);
	/* A slave that may take over as master says so (CAP_STANDBY). */
	kv(&c->w, "role", (n->caps & (1u << HD__CAPABILITY__CAP_STANDBY)) ?
	    "standby" : "slave");
	write_caps(c, n->caps);
	jw_key(&c->w, "online");
	jw_bool(&c->w, n->peer != NULL);
	kv(&c->w, "version", n->version);
	kv(&c->w, "addr", n->addr);
	jw_key(&c->w, "online_since_ms");
	jw_uint(&c->w, n->peer != NULL ? n->online_since : 0);
	jw_key(&c->w, "last_seen_ms");
	jw_uint(&c->w, n->last_seen);
	jw_key(&c->w, "rtt_ms");
	if (n->peer != NULL)
		jw_uint(&c->w, n->peer->hb.rtt_ms);
	else
		jw_null(&c->w);
	jw_key(&c->w, "devices");
	jw_int(&c->w, visible_devices(c, n));
	jw_close(&c->w, '}');
}

static void
nodes_list(struct api_call *c)
{
	struct master	*m = c->ctx;
	struct node	*n;

	jw_open(&c->w, '{');
	jw_key(&c->w, "nodes");
	jw_open(&c->w, '[');
	TAILQ_FOREACH(n, &m->nodes, entry)
		if (may_view_site(c, n->site))
			write_node(c, n);
	jw_close(&c->w, ']');
	jw_close(&c->w, '}');
	api_reply(c, 200);
}

/* One site's line: its nodes counted where the site first appears. */
static void
write_site(struct api_call *c, const struct node *first)
{
	const struct node	*n;
	int			 nodes = 0, online = 0, devices = 0;

	for (n = first; n != NULL; n = TAILQ_NEXT(n, entry)) {
		if (strcmp(n->site, first->site) != 0)
			continue;
		nodes++;
		online += n->peer != NULL;
		devices += visible_devices(c, n);
	}
	jw_open(&c->w, '{');
	kv(&c->w, "name", first->site);
	jw_key(&c->w, "nodes");
	jw_int(&c->w, nodes);
	jw_key(&c->w, "online");
	jw_int(&c->w, online);
	jw_key(&c->w, "devices");
	jw_int(&c->w, devices);
	jw_close(&c->w, '}');
}

static void
sites_list(struct api_call *c)
{
	struct master	*m = c->ctx;
	struct node	*n, *p;

	jw_open(&c->w, '{');
	jw_key(&c->w, "sites");
	jw_open(&c->w, '[');
	TAILQ_FOREACH(n, &m->nodes, entry) {
		if (!may_view_site(c, n->site))
			continue;
		/* Nodes are few (one per slave): quadratic is fine. */
		for (p = TAILQ_FIRST(&m->nodes); p != n &&
		    strcmp(p->site, n->site) != 0; p = TAILQ_NEXT(p, entry))
			;
		if (p == n)
			write_site(c, n);
	}
	jw_close(&c->w, ']');
	jw_close(&c->w, '}');
	api_reply(c, 200);
}

static const struct api_route res_routes[] = {
	{ "GET", "/api/v1/sites", API_VIEWER, sites_list },
	{ "GET", "/api/v1/nodes", API_VIEWER, nodes_list },
	{ "GET", "/api/v1/devices", API_VIEWER, devices_list },
	{ "GET", "/api/v1/devices/*/*", API_VIEWER, device_one },
};

static void
user_changed(void *arg, const char *user, const char *key)
{
	api_stream_drop(arg, user, key);
}

int
api_res_init(struct master *m)
{
	struct api_res *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return -1;
	m->api_res = r;
	if ((r->cmd = api_cmd_new(m)) == NULL ||
	    (r->hist = api_hist_new(m)) == NULL ||
	    api_add_routes(m->api, res_routes,
	    (int)(sizeof(res_routes) / sizeof(res_routes[0])), m) == -1 ||
	    api_cmd_routes(m, r->cmd) == -1 ||
	    api_hist_routes(m, r->hist) == -1 ||
	    api_stream_routes(m) == -1 || logtail_init(m) == -1) {
		api_res_free(m);
		return -1;
	}
	api_on_user_change(m->api, user_changed, m);
	api_certcrl_init(m);
	return 0;
}

void
api_res_free(struct master *m)
{
	if (m->api_res == NULL)
		return;
	logtail_free();
	api_cmd_free(m->api_res->cmd);
	api_hist_free(m->api_res->hist);
	free(m->api_res);
	m->api_res = NULL;
}

/* The JSON of a value event, as on the stream (docs/API.md). */
void
api_res_value(struct master *m, struct node *n, const Hd__ValueReport *r)
{
	char		buf[STREAM_MAX_DATA];
	struct jw	w;
	long		len;

	if (m->api_res == NULL)
		return;
	api_hist_add(m->api_res->hist, n->id, r->device_id, r->key, r->value,
	    ev_wall_ms());
	jw_init(&w, buf, sizeof(buf));
	jw_open(&w, '{');
	kv(&w, "node", n->id);
	kv(&w, "site", n->site);
	kv(&w, "device", r->device_id);
	kv(&w, "key", r->key);
	jw_key(&w, "value");
	api_res_jw_value(&w, r->value);
	jw_key(&w, "time_ms");
	jw_uint(&w, r->time_ms);
	jw_key(&w, "stale");
	jw_bool(&w, r->stale);
	jw_key(&w, "fault");
	jw_bool(&w, r->fault);
	jw_key(&w, "low_battery");
	jw_bool(&w, r->low_battery);
	jw_close(&w, '}');
	if ((len = jw_end(&w)) > 0)
		api_stream_publish(m, "value", n->site, r->device_id, buf);
}

static void
node_event(struct master *m, struct node *n, const char *name, int online)
{
	char		buf[STREAM_MAX_DATA];
	struct jw	w;

	jw_init(&w, buf, sizeof(buf));
	jw_open(&w, '{');
	kv(&w, "node", n->id);
	kv(&w, "site", n->site);
	if (online >= 0) {
		jw_key(&w, "online");
		jw_bool(&w, online);
	}
	jw_close(&w, '}');
	if (jw_end(&w) > 0)
		api_stream_publish(m, name, n->site, NULL, buf);
}

void
api_res_node(struct master *m, struct node *n, int online)
{
	if (m->api_res == NULL)
		return;
	if (!online)
		api_cmd_offline(m->api_res->cmd, n);
	node_event(m, n, "node", online);
}

void
api_res_devices(struct master *m, struct node *n)
{
	if (m->api_res != NULL)
		node_event(m, n, "devices", -1);
}

void
api_res_result(struct master *m, struct node *n, const Hd__CommandResult *r)
{
	if (m->api_res != NULL)
		api_cmd_result(m->api_res->cmd, n, r);
}
