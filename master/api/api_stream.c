/*
 * The master's side of the event stream (docs/API.md): event ids, the
 * one message per event to the web process, and the authorization of
 * GET /api/v1/stream, which answers with the stream's permission set.
 */

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "api/api_res.h"
#include "api/api_stream.h"
#include "ev.h"
#include "log.h"

#define STREAM_NAME_MAX	31

static int
name_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return i > 0 && i <= STREAM_NAME_MAX;
}

void
api_stream_set_sink(struct master *m, api_stream_sink_fn *fn, void *arg)
{
	m->api_res->sink = fn;
	m->api_res->sink_arg = arg;
}

static int
send_msg(struct master *m, Hd__WebMsg *msg)
{
	if (m->api_res->sink == NULL)
		return -1;
	return m->api_res->sink(m->api_res->sink_arg, msg);
}

static uint64_t
publish(struct master *m, const char *event, const char *site,
    const char *device, Hd__StreamScope **needs, size_t nneeds,
    const char *json)
{
	Hd__WebMsg	msg = HD__WEB_MSG__INIT;
	Hd__StreamEvent	ev = HD__STREAM_EVENT__INIT;

	if (m->api_res == NULL)
		return 0;
	if (!name_ok(event) || strlen(json) >= STREAM_MAX_DATA ||
	    nneeds > STREAM_MAX_NEEDS ||
	    (site != NULL && strlen(site) > SITE_NAME_MAX) ||
	    (device != NULL && strlen(device) > DEVICE_ID_MAX)) {
		log_warnx("stream: event \"%.32s\" refused (name or size)",
		    event);
		return 0;
	}
	/* Ids go on from the wall clock, so that they keep increasing
	 * across restarts of the master: an id from before a restart is
	 * then older than the new backlog, and its client gets a reset. */
	if (m->api_res->next_event == 0)
		m->api_res->next_event = ev_wall_ms() * 1000;
	ev.id = ++m->api_res->next_event;
	ev.name = (char *)(uintptr_t)event;
	ev.site = (char *)(uintptr_t)(site != NULL ? site : "");
	ev.device = (char *)(uintptr_t)(device != NULL ? device : "");
	ev.admin_only = strcmp(event, "probe") == 0 ||
	    strcmp(event, "zwave") == 0 || strcmp(event, "log") == 0;
	ev.data = (char *)(uintptr_t)json;
	ev.needs = needs;
	ev.n_needs = nneeds;
	msg.body_case = HD__WEB_MSG__BODY_STREAM_EVENT;
	msg.stream_event = &ev;
	if (send_msg(m, &msg) == -1)
		return 0;
	return ev.id;
}

uint64_t
api_stream_publish(struct master *m, const char *event, const char *site,
    const char *device, const char *json)
{
	return publish(m, event, site, device, NULL, 0, json);
}

uint64_t
api_stream_publish_needs(struct master *m, const char *event,
    Hd__StreamScope **needs, size_t n, const char *json)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(needs[i]->site) > SITE_NAME_MAX ||
		    strlen(needs[i]->device) > DEVICE_ID_MAX) {
			log_warnx("stream: event \"%.32s\" refused (a scope "
			    "too long)", event);
			return 0;
		}
	return publish(m, event, NULL, NULL, needs, n, json);
}

void
api_stream_drop(struct master *m, const char *user, const char *key)
{
	Hd__WebMsg	msg = HD__WEB_MSG__INIT;
	Hd__StreamDrop	d = HD__STREAM_DROP__INIT;

	d.user = (char *)(uintptr_t)(user != NULL ? user : "");
	d.key = (char *)(uintptr_t)(key != NULL ? key : "");
	msg.body_case = HD__WEB_MSG__BODY_STREAM_DROP;
	msg.stream_drop = &d;
	send_msg(m, &msg);
}

/*
 * The permission set of a stream: the caller's grants, as sites and
 * devices it may view. It must outlive the call (api_handle() returns
 * before webproc.c packs the answer), so everything it points to is
 * either in the user table or copied here.
 */
struct grant_buf {
	Hd__StreamGrant	 g;
	char		 key[API_KEY_LEN + 1];
	Hd__StreamScope	 sc[USER_MAX_GRANTS];
	Hd__StreamScope	*ptr[USER_MAX_GRANTS];
};

static void
fill_grant(struct grant_buf *b, const struct user *u)
{
	int i;

	hd__stream_grant__init(&b->g);
	b->g.user = (char *)(uintptr_t)u->name;
	b->g.role = (char *)(uintptr_t)users_role_name(u->role);
	b->g.admin = u->role == UROLE_ADMIN;
	b->g.all = b->g.admin;
	b->g.scopes = b->ptr;
	for (i = 0; i < u->ngrants && !b->g.all; i++) {
		if (u->role != UROLE_USER && u->role != UROLE_VIEWER)
			break;
		if (strcmp(u->grants[i].site, "*") == 0 &&
		    u->grants[i].device[0] == '\0') {
			b->g.all = 1;
			break;
		}
		hd__stream_scope__init(&b->sc[i]);
		b->sc[i].site = (char *)(uintptr_t)u->grants[i].site;
		b->sc[i].device = (char *)(uintptr_t)u->grants[i].device;
		b->ptr[b->g.n_scopes++] = &b->sc[i];
	}
	if (b->g.all)
		b->g.n_scopes = 0;
}

static void
stream(struct api_call *c)
{
	static struct grant_buf	 b;	/* lives until the answer is sent */
	struct master		*m = c->ctx;

	fill_grant(&b, c->user);
	b.g.last_id = m->api_res->next_event;
	snprintf(b.key, sizeof(b.key), "%s", c->key);
	b.g.key = b.key;
	c->resp->stream = &b.g;
	if (c->by_cert)
		api_certcrl_stream(c->req->client_serial, c->key);
	jw_open(&c->w, '{');
	jw_key(&c->w, "user");
	jw_str(&c->w, c->user->name);
	jw_key(&c->w, "role");
	jw_str(&c->w, users_role_name(c->user->role));
	jw_key(&c->w, "last_id");
	jw_uint(&c->w, m->api_res->next_event);
	jw_close(&c->w, '}');
	api_reply(c, 200);
}

static const struct api_route stream_routes[] = {
	{ "GET", "/api/v1/stream", API_VIEWER, stream },
};

int
api_stream_routes(struct master *m)
{
	return api_add_routes(m->api, stream_routes, 1, m);
}

